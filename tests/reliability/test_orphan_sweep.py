"""The start-up sweep removes what a killed upload left, and never races an upload in flight."""

from __future__ import annotations

from pathlib import Path

from backend.app.services import files

KEPT = "0x" + "ab" * 32
ORPHAN = "0x" + "cd" * 32


def _store(files_dir: Path, digest: str) -> Path:
    path = files.path_of(digest, files_dir=files_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(digest.encode())
    return path


def test_sweep__removes_staged_leftovers_and_unnamed_files__keeps_named_ones(tmp_path: Path):
    kept, orphan = _store(tmp_path, KEPT), _store(tmp_path, ORPHAN)
    (tmp_path / "tmp").mkdir()
    staged = tmp_path / "tmp" / "upload-cut-off"
    staged.write_bytes(b"half")
    removed = files.sweep(tmp_path, referenced=lambda: {KEPT})
    assert sorted(removed or []) == sorted([orphan, staged])
    assert kept.read_bytes() == KEPT.encode() and not orphan.exists() and not staged.exists()


def test_sweep__while_an_upload_is_in_flight__touches_nothing(tmp_path: Path):
    orphan_or_about_to_commit = _store(tmp_path, ORPHAN)
    with files.in_flight(tmp_path):  # another upload (any process) between its rename and its commit
        assert files.sweep(tmp_path, referenced=set) is None
        assert orphan_or_about_to_commit.exists()
    assert files.sweep(tmp_path, referenced=set) == [orphan_or_about_to_commit]


def test_check_quota__counts_only_new_bytes_and_reports_the_numbers():
    files.check_quota(used=900, incoming=100, quota=1_000)
    files.check_quota(used=10**12, incoming=1, quota=None)
    try:
        files.check_quota(used=901, incoming=100, quota=1_000)
    except files.StorageFull as error:
        assert error.status == 507 and "901 of 1000" in error.detail
    else:
        raise AssertionError("a file past the quota was accepted")
