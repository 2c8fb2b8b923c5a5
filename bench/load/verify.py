"""After the run: every write answered 2xx is in the database exactly once; every refused write left nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.load.workload import Write

# How many rows carry a write's marker (for `publish`: is the post published, 0 or 1).
COUNT_SQL = {
    "job_post": "SELECT count(*) FROM job_posts WHERE title = :marker",
    "publish": "SELECT count(*) FROM job_posts WHERE id = CAST(:marker AS INTEGER) AND status = 'published'",
    "proposal": "SELECT count(*) FROM proposals WHERE cover_letter = :marker",
    "message": "SELECT count(*) FROM messages WHERE body = :marker",
    "attachment": "SELECT count(*) FROM messages JOIN attachments ON attachments.id = messages.attachment_id "
    "WHERE attachments.keccak = :marker",
}


@dataclass
class Verdict:
    checked: int = 0
    lost: list[str] = field(default_factory=list)  # answered 2xx, not in the database
    duplicated: list[str] = field(default_factory=list)  # in the database more than once
    leftovers: list[str] = field(default_factory=list)  # refused, yet something was written
    unknown: int = 0  # no answer (timeout, dropped connection): may or may not be there, never twice
    missing_files: list[str] = field(default_factory=list)  # an attachment row whose bytes are not on disk
    orphan_files: list[str] = field(default_factory=list)  # bytes on disk no attachment row names

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.leftovers or self.missing_files or self.orphan_files)


def _file_of(files_dir: Path, keccak: str) -> Path:
    body = keccak.removeprefix("0x")
    return files_dir / body[:2] / body


def verify(database_url: str, writes: list[Write], files_dir: Path) -> Verdict:
    verdict = Verdict()
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            for write in writes:
                found = int(connection.execute(text(COUNT_SQL[write.kind]), {"marker": write.marker}).scalar_one())
                verdict.checked += 1
                label = f"{write.kind} {write.marker} ({write.outcome})"
                if found > 1:
                    verdict.duplicated.append(label)
                elif write.outcome == "ok" and found == 0:
                    verdict.lost.append(label)
                elif write.outcome == "refused" and found != 0 and write.kind != "publish":
                    verdict.leftovers.append(label)
                elif write.outcome == "refused" and write.kind == "publish" and found:
                    verdict.leftovers.append(label)
                if write.outcome == "unknown":
                    verdict.unknown += 1
                if (
                    write.kind == "attachment"
                    and write.outcome == "refused"
                    and _file_of(files_dir, write.marker).exists()
                ):
                    stored = connection.execute(
                        text("SELECT count(*) FROM attachments WHERE keccak = :k"), {"k": write.marker}
                    ).scalar_one()
                    if not stored:
                        verdict.leftovers.append(f"file of {label}")
            stored_keccaks = set(connection.execute(text("SELECT keccak FROM attachments")).scalars())
    finally:
        engine.dispose()
    verdict.missing_files = sorted(k for k in stored_keccaks if not _file_of(files_dir, k).is_file())
    on_disk = {"0x" + p.name for p in files_dir.glob("??/*") if p.is_file()} if files_dir.exists() else set()
    verdict.orphan_files = sorted(on_disk - stored_keccaks)
    return verdict
