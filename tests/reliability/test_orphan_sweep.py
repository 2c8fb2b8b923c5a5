"""Files on disk: the start-up sweep removes what a killed upload left and never races an upload in flight;
two uploads of the same bytes never leave a committed row without its file."""

from __future__ import annotations

from pathlib import Path

from Crypto.Hash import keccak

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


def _staged(files_dir: Path, content: bytes, name: str) -> files.StagedFile:
    (files_dir / "tmp").mkdir(parents=True, exist_ok=True)
    path = files_dir / "tmp" / name
    path.write_bytes(content)
    digest = "0x" + keccak.new(digest_bits=256, data=content).hexdigest()
    return files.StagedFile(path=path, size=len(content), keccak=digest, media_type="text/plain; charset=utf-8")


def test_same_bytes_twice__creator_fails_before_the_other_commits__the_other_restores_the_file(tmp_path: Path):
    creator, other = _staged(tmp_path, b"same bytes", "a"), _staged(tmp_path, b"same bytes", "b")
    assert files.place(creator, files_dir=tmp_path) is True
    assert files.place(other, files_dir=tmp_path) is False
    files.withdraw(creator, files_dir=tmp_path, created=True, needed=lambda: False)  # nobody committed yet
    assert not files.path_of(creator.keccak, files_dir=tmp_path).exists()
    files.confirm(other, files_dir=tmp_path)  # the other row committed after
    assert files.path_of(other.keccak, files_dir=tmp_path).read_bytes() == b"same bytes"
    assert not list((tmp_path / "tmp").iterdir())


def test_same_bytes_twice__the_other_committed_first__the_failing_creator_keeps_the_file(tmp_path: Path):
    creator, other = _staged(tmp_path, b"same bytes", "a"), _staged(tmp_path, b"same bytes", "b")
    files.place(creator, files_dir=tmp_path)
    files.place(other, files_dir=tmp_path)
    files.confirm(other, files_dir=tmp_path)
    files.withdraw(creator, files_dir=tmp_path, created=True, needed=lambda: True)  # the other's row names it
    assert files.path_of(other.keccak, files_dir=tmp_path).read_bytes() == b"same bytes"
    assert not list((tmp_path / "tmp").iterdir())
