"""kill -9 of the API while uploads stream and messages are written: after a restart nothing is half-done.

Every attachment row has its bytes on disk (and they hash to its keccak), every file on disk is named by a
row, no staged upload is left over, every attachment belongs to its message, and every write the API
acknowledged before the kill is there exactly once.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from Crypto.Hash import keccak
from sqlalchemy import create_engine, text

from tests.reliability.live import api_process, published_thread, signed_in, staged_leftovers, stored_files

STREAMS = 4


def digest(data: bytes) -> str:
    return "0x" + keccak.new(digest_bits=256, data=data).hexdigest()


def slow_body(seed: int) -> Iterator[bytes]:
    """About 2 s of upload: the kill lands while it streams."""
    for i in range(40):
        yield f"stream {seed} chunk {i} ".encode() * 200
        time.sleep(0.05)


def test_kill_9__during_uploads_and_writes__restart_leaves_no_half_written_row_or_orphan_file(
    database_url: str, tmp_path: Path
):
    acknowledged: dict[str, str] = {}  # marker -> "upload" | "message", answered 201 before the kill
    with api_process(database_url, tmp_path) as api:
        client, freelancer = signed_in(api.base_url), signed_in(api.base_url)
        thread_id = published_thread(client, freelancer)
        for i in range(3):
            content = f"finished upload {i}\n".encode() * 50
            done = freelancer.post(
                f"/api/threads/{thread_id}/attachments", params={"filename": f"{i}.txt"}, content=content
            )
            assert done.status_code == 201, done.text
            acknowledged[digest(content)] = "upload"

        def upload(seed: int) -> None:
            with httpx.Client(base_url=api.base_url, cookies=freelancer.cookies, timeout=10) as own:
                try:
                    answer = own.post(
                        f"/api/threads/{thread_id}/attachments", params={"filename": "s.txt"}, content=slow_body(seed)
                    )
                except httpx.HTTPError:
                    return
                if answer.status_code == 201:
                    acknowledged[answer.json()["attachment"]["keccak"]] = "upload"

        def write_messages() -> None:
            with httpx.Client(base_url=api.base_url, cookies=client.cookies, timeout=10) as own:
                for i in range(10_000):
                    body = f"message {i} before the kill"
                    try:
                        answer = own.post(f"/api/threads/{thread_id}/messages", json={"body": body})
                    except httpx.HTTPError:
                        return
                    if answer.status_code == 201:
                        acknowledged[body] = "message"

        workers = [threading.Thread(target=upload, args=(seed,)) for seed in range(STREAMS)]
        workers.append(threading.Thread(target=write_messages))
        for worker in workers:
            worker.start()
        time.sleep(1.0)
        os.kill(api.process.pid, signal.SIGKILL)
        api.process.wait(timeout=10)
        for worker in workers:
            worker.join(timeout=15)
        files_dir = api.files_dir
    assert staged_leftovers(files_dir), "the kill should have cut uploads mid-stream, leaving staged files"
    assert any(kind == "message" for kind in acknowledged.values())

    with api_process(database_url, tmp_path) as restarted:  # start-up sweeps what the killed process left
        assert not staged_leftovers(files_dir)
        engine = create_engine(database_url)
        with engine.connect() as db:
            rows = db.execute(text("SELECT id, keccak FROM attachments")).all()
            loose = db.execute(
                text("SELECT count(*) FROM attachments WHERE id NOT IN (SELECT attachment_id FROM messages "
                     "WHERE attachment_id IS NOT NULL)")
            ).scalar_one()  # fmt: skip
            for marker, kind in acknowledged.items():
                query = "SELECT count(*) FROM attachments WHERE keccak = :m" if kind == "upload" else (
                    "SELECT count(*) FROM messages WHERE body = :m"
                )  # fmt: skip
                assert db.execute(text(query), {"m": marker}).scalar_one() == 1, f"{kind} {marker}"
        engine.dispose()
        on_disk = stored_files(files_dir)
        assert set(on_disk) == {row.keccak for row in rows}, "every row has its file and every file its row"
        assert all(digest(path.read_bytes()) == name for name, path in on_disk.items())
        assert loose == 0, "an attachment row without its message is half-written"
        reader = signed_in(restarted.base_url, freelancer.key)  # type: ignore[attr-defined]
        assert reader.get(f"/api/attachments/{rows[0].id}").status_code == 200
