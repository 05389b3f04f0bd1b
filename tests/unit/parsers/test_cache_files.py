"""The cache folder's digest-checked marshal files (parsers/cache_files.py), shared by the pattern and code caches."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

from govpress.parsers.cache_files import read_entries, write_merged


def test_a_written_file_reads_back_and_keeps_what_was_used_first(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "c.marshal"
    write_merged(path, {"a": 1, "b": 2}, stored={})
    assert read_entries(path) == {"a": 1, "b": 2}
    write_merged(path, {"a": 10}, stored=read_entries(path))
    assert read_entries(path) == {"a": 10, "b": 2}  # this process's value wins; the file's others stay
    assert [p.name for p in path.parent.iterdir()] == ["c.marshal"]  # no staging file left behind


def test_the_files_other_entries_are_kept_up_to_four_times_what_was_used(tmp_path: Path) -> None:
    path = tmp_path / "c.marshal"
    write_merged(path, {"used": 0}, stored={f"old{i}": i for i in range(10)})
    assert len(read_entries(path)) == 4 and "used" in read_entries(path)


def test_a_missing_damaged_or_foreign_file_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "c.marshal"
    assert read_entries(None) == {} and read_entries(path) == {}
    write_merged(path, {"a": 1}, stored={})
    raw = path.read_bytes()
    path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))  # one bit of the payload: the digest no longer matches
    assert read_entries(path) == {}
    payload = marshal.dumps([1, 2])
    path.write_bytes(hashlib.sha256(payload).digest() + payload)  # whole, but not a dict
    assert read_entries(path) == {}
