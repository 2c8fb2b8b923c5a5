"""Attachments on disk: staged while the upload streams, typed by content, stored under their keccak256.

Nothing half-written: the bytes go to a temporary file first and are moved into place in one
rename; if the database row is not committed, a file this upload created is removed again.
A process killed between the rename and the commit leaves an orphan file: `sweep` (run when the API
starts) removes staged leftovers and files no attachment row names. Uploads hold a shared lock on
the folder while in flight, and the sweep runs only under the exclusive lock, so it never removes a
file another process is about to commit. Two uploads of the same bytes share one file: the one
that did not create it keeps its staged copy until its row commits, so the creator failing and
removing the file cannot leave the other's row without its bytes (`place`, `confirm`, `withdraw`).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from Crypto.Hash import keccak as keccak_hash

from backend.app.services.errors import DomainError, TooLarge, UnsupportedMedia


class StorageFull(DomainError):
    """The attachment folder's quota (or the disk) has no room for this file."""

    status = 507
    title = "Insufficient storage"
    slug = "insufficient-storage"


SNIFF_BYTES = 8_192
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
]
_UNSAFE_NAME = re.compile(r"[^\w.\- ()\[\]]")


def sniff(head: bytes) -> str | None:
    """The media type from the content itself (never from the client's declared type)."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # a multi-byte character cut at the sniff boundary is fine
            return None
    return "text/plain; charset=utf-8"


def safe_filename(raw: str | None) -> str:
    name = unicodedata.normalize("NFKC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(". ")
    return name[:200] or "file"


@dataclass
class StagedFile:
    path: Path  # the temporary file
    size: int
    keccak: str
    media_type: str


def _final_path(files_dir: Path, digest: str) -> Path:
    body = digest.removeprefix("0x")
    return files_dir / body[:2] / body


async def stage(chunks: AsyncIterator[bytes], *, files_dir: Path, max_bytes: int) -> StagedFile:
    """Stream the upload to a temporary file, hashing as it goes; refuse oversize and unknown types."""
    tmp_dir = files_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=tmp_dir)
    path = Path(name)
    hasher = keccak_hash.new(digest_bits=256)
    size = 0
    head = b""
    try:
        with _no_room_is_storage_full(), os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"attachments are limited to {max_bytes} bytes")
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                hasher.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UnsupportedMedia("the file is empty")
        media_type = sniff(head)
        if media_type is None:
            raise UnsupportedMedia("only images (PNG, JPEG, GIF, WebP), PDF, ZIP and UTF-8 text are accepted")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StagedFile(path=path, size=size, keccak="0x" + hasher.hexdigest(), media_type=media_type)


def place(staged: StagedFile, *, files_dir: Path) -> bool:
    """Move the staged bytes to their content address; True if this call created the file.

    When the file is already there the staged copy is kept until `confirm` or `withdraw`: the upload
    that created the file may still fail and remove it, and this copy then takes its place.
    """
    final = _final_path(files_dir, staged.keccak)
    final.parent.mkdir(parents=True, exist_ok=True)
    with _holding(final.parent):
        if final.exists():
            return False
        os.replace(staged.path, final)
        return True


def confirm(staged: StagedFile, *, files_dir: Path) -> None:
    """After the row committed: make sure the bytes are at their address (from the staged copy if needed)."""
    final = _final_path(files_dir, staged.keccak)
    with _holding(final.parent):
        if final.exists():
            staged.path.unlink(missing_ok=True)
        else:
            os.replace(staged.path, final)


def withdraw(staged: StagedFile, *, files_dir: Path, created: bool, needed: Callable[[], bool]) -> None:
    """After the row failed: drop the staged copy, and the file this upload created unless `needed()`.

    `needed` (is a committed row naming these bytes?) is asked while holding the lock `confirm` takes,
    so another upload of the same bytes either committed before (the file stays) or restores the
    file from its own staged copy after.
    """
    final = _final_path(files_dir, staged.keccak)
    with _holding(final.parent):
        staged.path.unlink(missing_ok=True)
        if created and not needed():
            final.unlink(missing_ok=True)


@contextmanager
def _holding(folder: Path) -> Iterator[None]:
    """An exclusive lock on one fan-out folder (`ab/`), across processes."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def _no_room_is_storage_full() -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull("the attachment storage is full; try again later") from error
        raise


def check_quota(*, used: int, incoming: int, quota: int | None) -> None:
    """Refuse a file that would take the stored attachments past `quota` bytes (None: no quota)."""
    if quota is not None and used + incoming > quota:
        raise StorageFull(f"the attachment storage is full ({used} of {quota} bytes used); this file needs {incoming}")


def _lock_file(files_dir: Path) -> int:
    """The folder itself is the lock (flock on a directory): no lock file among the attachments."""
    files_dir.mkdir(parents=True, exist_ok=True)
    return os.open(files_dir, os.O_RDONLY | os.O_DIRECTORY)


@contextmanager
def in_flight(files_dir: Path) -> Iterator[None]:
    """Held by an upload from staging until its row is committed (or its file removed): keeps `sweep` off."""
    fd = _lock_file(files_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def sweep(files_dir: Path, *, referenced: Callable[[], set[str]]) -> list[Path] | None:
    """Remove staged leftovers and files whose keccak is not in `referenced()`; the removed paths.

    None when uploads are in flight (in this or another process): nothing is touched then, a later
    start sweeps.
    """
    if not files_dir.exists():
        return []
    fd = _lock_file(files_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        keep = referenced()
        removed = [p for p in (files_dir / "tmp").glob("*") if p.is_file()]
        removed += [p for p in files_dir.glob("??/*") if p.is_file() and "0x" + p.name not in keep]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed
    finally:
        os.close(fd)


def discard(staged: StagedFile) -> None:
    staged.path.unlink(missing_ok=True)


def remove(digest: str, *, files_dir: Path) -> None:
    _final_path(files_dir, digest).unlink(missing_ok=True)


def path_of(digest: str, *, files_dir: Path) -> Path:
    return _final_path(files_dir, digest)


def download_headers(media_type: str, filename: str) -> dict[str, str]:
    """Safe serving: never sniffed, never scripted, inline only for images."""
    disposition = "inline" if media_type in IMAGE_TYPES else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return {
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "private, max-age=3600",
    }
