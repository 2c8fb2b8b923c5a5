"""A full attachment store refuses new files with a 507 problem; nothing is written and earlier files stay."""

from __future__ import annotations

from pathlib import Path

from Crypto.Hash import keccak
from sqlalchemy import create_engine, text

from tests.reliability.live import api_process, published_thread, signed_in, staged_leftovers, stored_files

QUOTA = 3_000


def digest(data: bytes) -> str:
    return "0x" + keccak.new(digest_bits=256, data=data).hexdigest()


def test_quota_full__upload_is_refused_with_507__nothing_written_and_earlier_files_intact(
    database_url: str, tmp_path: Path
):
    with api_process(database_url, tmp_path, JIEDAN_ATTACHMENTS_QUOTA_BYTES=str(QUOTA)) as api:
        client, freelancer = signed_in(api.base_url), signed_in(api.base_url)
        thread_id = published_thread(client, freelancer)
        first, second, third = (f"file {n} ".encode() * 200 for n in "abc")  # 1,200 bytes each

        def upload(content: bytes):  # noqa: ANN202
            return freelancer.post(
                f"/api/threads/{thread_id}/attachments", params={"filename": "f.txt"}, content=content
            )

        assert upload(first).status_code == 201
        assert upload(second).status_code == 201
        refused = upload(third)
        assert refused.status_code == 507
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/insufficient-storage")
        same_bytes_again = upload(first)  # already stored: costs no space
        assert same_bytes_again.status_code == 201, same_bytes_again.text

        engine = create_engine(database_url)
        with engine.connect() as db:
            stored = db.execute(text("SELECT keccak FROM attachments ORDER BY id")).scalars().all()
            messages = db.execute(text("SELECT count(*) FROM messages WHERE attachment_id IS NOT NULL")).scalar_one()
        engine.dispose()
        assert stored == [digest(first), digest(second), digest(first)]
        assert messages == 3, "the refused upload posted no message"
        on_disk = stored_files(api.files_dir)
        assert set(on_disk) == {digest(first), digest(second)}, "no file for the refused upload"
        assert on_disk[digest(first)].read_bytes() == first and on_disk[digest(second)].read_bytes() == second
        assert not staged_leftovers(api.files_dir)
