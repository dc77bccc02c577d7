"""Content digests decide what re-runs; provenance names the bytes that were validated."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from pipeline.audit.digests import MISSING, ContentDigests
from pipeline.audit.provenance import read_records
from pipeline.runtime import UserFacingError

REPO = Path(__file__).resolve().parents[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_digest_is_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "victims.csv"
    path.write_bytes(b"offence_id\n1\n")
    digests = ContentDigests(tmp_path / "cache.json")
    assert digests.of([path]) == {str(path): _sha(b"offence_id\n1\n")}
    assert digests.digest(tmp_path / "absent.csv") == MISSING


def test_same_size_and_mtime_but_new_bytes_is_a_new_digest(tmp_path):
    """A replacement with the same size and a modification time set back (touch -r, cp -p)
    is still seen: the change time and inode move even when the modification time does not."""
    path = tmp_path / "victims.csv"
    path.write_bytes(b"aaaa\n")
    cache = tmp_path / "cache.json"
    first = ContentDigests(cache).of([path])[str(path)]
    assert cache.is_file()
    stamp = path.stat()
    replacement = tmp_path / "new.csv"
    replacement.write_bytes(b"bbbb\n")
    os.utime(replacement, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.replace(replacement, path)
    assert path.stat().st_mtime_ns == stamp.st_mtime_ns
    assert path.stat().st_size == stamp.st_size
    second = ContentDigests(cache).digest(path)  # a new process reads the saved cache
    assert second == _sha(b"bbbb\n") != first


def test_in_place_rewrite_with_mtime_restored_is_seen(tmp_path):
    path = tmp_path / "victims.csv"
    path.write_bytes(b"aaaa\n")
    cache = tmp_path / "cache.json"
    ContentDigests(cache).of([path])
    stamp = path.stat()
    path.write_bytes(b"cccc\n")
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert ContentDigests(cache).digest(path) == _sha(b"cccc\n")


def test_an_unchanged_file_is_not_read_again(tmp_path, monkeypatch):
    path = tmp_path / "victims.csv"
    path.write_bytes(b"aaaa\n")
    cache = tmp_path / "cache.json"
    ContentDigests(cache).of([path])
    import pipeline.audit.digests as module

    def fail(_path):
        raise AssertionError("re-hashed an unchanged file")

    monkeypatch.setattr(module, "sha256_file", fail)
    assert ContentDigests(cache).digest(path) == _sha(b"aaaa\n")


def test_a_damaged_cache_is_ignored(tmp_path):
    path = tmp_path / "victims.csv"
    path.write_bytes(b"aaaa\n")
    cache = tmp_path / "cache.json"
    cache.write_text("{not json", encoding="utf-8")
    assert ContentDigests(cache).digest(path) == _sha(b"aaaa\n")


def test_provenance_takes_the_validated_bytes_once_per_path():
    records = [
        {"kind": "victims", "path": "data/raw/x/victims.csv", "size": 5, "sha256": "a" * 64},
        {"kind": "lsoas", "path": "data/raw/x/lsoas.csv", "size": 3, "sha256": "b" * 64},
        {"kind": "victims", "path": "data/raw/x/victims.csv", "size": 5, "sha256": "a" * 64},
    ]
    assert read_records(records) == [
        {"path": "data/raw/x/lsoas.csv", "size": 3, "sha256": "b" * 64},
        {"path": "data/raw/x/victims.csv", "size": 5, "sha256": "a" * 64},
    ]
    changed = [*records, {**records[0], "sha256": "c" * 64}]
    with pytest.raises(ValueError, match="changed during the run"):
        read_records(changed)


def test_a_file_changed_while_it_is_validated_stops(tmp_path, monkeypatch, config):
    """The read record is taken before and after reading; a difference stops the step."""
    import pipeline.validate.run as validate_run
    from pipeline.steps import validate_step

    raw = tmp_path / "neighbours.csv"
    shutil.copyfile(REPO / "data/raw/demo/shared/neighbours.csv", raw)
    real = validate_run.validate_input

    def validate_then_change(kind, path, **kwargs):
        result = real(kind, path, **kwargs)
        Path(path).write_bytes(Path(path).read_bytes() + b"\n")
        return result

    monkeypatch.setattr(validate_run, "validate_input", validate_then_change)
    with pytest.raises(UserFacingError, match="changed while it was being validated"):
        validate_step(
            "neighbours",
            str(raw),
            validated=str(tmp_path / "neighbours.parquet"),
            reconciliation=str(tmp_path / "neighbours.reconciliation.csv"),
            settings=config,
        )
    assert not (tmp_path / "neighbours.parquet").exists()
