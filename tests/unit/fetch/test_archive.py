"""The content-addressed archive: keys, layout, idempotence, concurrency, corruption detection, WARC export."""

from __future__ import annotations

import gzip
import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from govpress.archive import Archive, ArchiveError, body_key


def test_put_returns_sha256_key_and_stores_gzip_at_sharded_path(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    body = "Пресс-релиз: визит министра".encode("cp1251")
    key = archive.put(body)
    digest = hashlib.sha256(body).hexdigest()
    assert key == f"sha256:{digest}"
    expected = tmp_path / digest[:2] / f"{digest}.gz"
    assert archive.path(key) == expected
    assert gzip.decompress(expected.read_bytes()) == body
    assert archive.has(key)
    assert archive.get(key) == body


def test_put_is_idempotent_and_does_not_rewrite(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    key = archive.put(b"<html>same</html>")
    path = archive.path(key)
    before = path.stat().st_mtime_ns
    path.chmod(0o444)  # a rewrite attempt would replace the file and change its inode/mtime
    inode = path.stat().st_ino
    assert archive.put(b"<html>same</html>") == key
    assert path.stat().st_ino == inode and path.stat().st_mtime_ns == before


def test_same_body_compresses_to_identical_bytes(tmp_path: Path) -> None:
    a, b = Archive(tmp_path / "a"), Archive(tmp_path / "b")
    key = a.put(b"x" * 1000)
    b.put(b"x" * 1000)
    assert a.path(key).read_bytes() == b.path(key).read_bytes()


def test_concurrent_puts_of_one_body_leave_one_valid_file_and_no_temp_files(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    body = b"<p>concurrent</p>" * 5000
    barrier = threading.Barrier(8)

    def store() -> str:
        barrier.wait()
        return archive.put(body)

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: store(), range(8)))
    assert len(set(keys)) == 1
    assert archive.get(keys[0]) == body
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [archive.path(keys[0])]


def test_corrupted_file_is_detected(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    key = archive.put(b"original body")
    # Valid gzip of other bytes: only the hash check can notice.
    archive.path(key).write_bytes(gzip.compress(b"tampered body"))
    with pytest.raises(ArchiveError, match="does not match"):
        archive.get(key)


def test_truncated_gzip_is_detected(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    key = archive.put(b"a longer body " * 200)
    path = archive.path(key)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ArchiveError, match="corrupt"):
        archive.get(key)


def test_missing_and_malformed_keys(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    with pytest.raises(ArchiveError, match="not in the archive"):
        archive.get(body_key(b"never stored"))
    with pytest.raises(ArchiveError):
        archive.get("md5:abc")
    with pytest.raises(ArchiveError):
        archive.path("sha256:../../etc/passwd")
    assert not archive.has(body_key(b"never stored"))


def test_export_warc_round_trip(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    archive = Archive(tmp_path / "store")
    k1 = archive.put(b"<html>one</html>")
    k2 = archive.put(b"<html>two</html>")
    out = tmp_path / "out.warc.gz"
    count = archive.export_warc(
        [(k1, {"url": "https://a.example/1", "content_type": "text/html"}), (k2, {"url": "https://a.example/2", "status": 200})],
        out,
    )
    assert count == 2
    with out.open("rb") as fh:
        records = [(r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read()) for r in ArchiveIterator(fh) if r.rec_type == "response"]
    assert records == [("https://a.example/1", b"<html>one</html>"), ("https://a.example/2", b"<html>two</html>")]


def test_read_sets_a_corrupt_file_aside_and_put_rewrites_it(tmp_path):
    archive = Archive(tmp_path)
    key = archive.put(b"<html>a page</html>")
    archive.path(key).write_bytes(b"\x1f\x8b not gzip any more")
    assert archive.read(key) is None  # no exception: the caller refetches
    assert not archive.has(key) and archive.path(key).with_name(archive.path(key).name + ".corrupt").is_file()
    assert archive.put(b"<html>a page</html>") == key
    assert archive.get(key) == b"<html>a page</html>"


def test_put_repairs_a_stored_file_that_no_longer_matches_its_key(tmp_path):
    archive = Archive(tmp_path)
    key = archive.put(b"body one")
    archive.path(key).write_bytes(__import__("gzip").compress(b"something else"))
    assert archive.put(b"body one") == key
    assert archive.get(key) == b"body one"


def test_read_of_a_missing_key_is_none(tmp_path):
    assert Archive(tmp_path).read("sha256:" + "0" * 64) is None


def test_a_batch_archive_writes_without_waiting_and_syncs_once_when_asked(tmp_path: Path) -> None:
    archive = Archive(tmp_path, sync_each=False)
    keys = [archive.put(f"<html>page {i}</html>".encode()) for i in range(5)]
    assert archive.syncs == 0  # nothing flushed page by page
    archive.sync()
    archive.sync()  # nothing new since: no second flush
    assert archive.syncs == 1
    assert [archive.get(key) for key in keys] == [f"<html>page {i}</html>".encode() for i in range(5)]
    archive.put(b"<html>page 0</html>")  # already stored: nothing written, nothing to sync
    archive.sync()
    assert archive.syncs == 1
    archive.put(b"<html>a new page</html>")
    archive.sync()
    assert archive.syncs == 2


def test_put_writes_gzip_at_level_3_by_default(tmp_path: Path) -> None:
    """Level 3 (not 6): half the CPU per page for 12% more bytes; the file is that level's gzip, mtime 0."""
    body = b"".join(b"<p>Press release %d: the minister met the delegation on %d May.</p>\n" % (i, i % 31) for i in range(400))
    assert gzip.compress(body, compresslevel=3, mtime=0) != gzip.compress(body, compresslevel=6, mtime=0)
    archive = Archive(tmp_path)
    key = archive.put(body)
    assert archive.path(key).read_bytes() == gzip.compress(body, compresslevel=3, mtime=0)
    level6 = Archive(tmp_path / "six", compresslevel=6)
    assert level6.path(level6.put(body)).read_bytes() == gzip.compress(body, compresslevel=6, mtime=0)
    assert archive.get(key) == level6.get(key) == body


def test_a_folder_removed_under_a_running_archive_is_made_again(tmp_path: Path) -> None:
    """The archive remembers the folders it made; one removed since (by hand, a cleanup) is made again, not an error."""
    import shutil

    archive = Archive(tmp_path / "store")
    first = archive.put(b"<html>first</html>")
    shutil.rmtree(archive.path(first).parent)
    assert archive.put(b"<html>first</html>") == first and archive.get(first) == b"<html>first</html>"
    shutil.rmtree(tmp_path / "store")
    second = archive.put(b"<html>second</html>")
    assert archive.get(second) == b"<html>second</html>"
    assert not [p for p in (tmp_path / "store").rglob(".tmp-*")]


def test_a_stored_file_is_private_to_its_owner_as_mkstemp_made_it(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    assert archive.path(archive.put(b"<html>mode</html>")).stat().st_mode & 0o777 == 0o600


def test_a_body_makes_one_folder_not_two(tmp_path: Path) -> None:
    """``root/ab/<hex>.gz``: a fresh archive's body costs a file and at most one folder (the second folder level cost
    a folder per body: an inode as dear as the file's on ext4)."""
    archive = Archive(tmp_path)
    keys = [archive.put(b"<html>page %d</html>" % i) for i in range(40)]
    folders = [p for p in tmp_path.rglob("*") if p.is_dir()]
    assert all(p.parent == tmp_path and len(p.name) == 2 for p in folders)
    assert len(folders) == len({k[7:9] for k in keys})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.gz")) == sorted(
        f"{k[7:9]}/{k[7:]}.gz" for k in keys)


def _store_legacy(root: Path, body: bytes) -> Path:
    """A body as archives written before 2026-12-05 stored it: ``root/ab/cd/<hex>.gz``."""
    digest = hashlib.sha256(body).hexdigest()
    path = root / digest[:2] / digest[2:4] / f"{digest}.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
    return path


def test_an_archive_of_the_old_layout_is_read_and_not_written_again(tmp_path: Path) -> None:
    body = b"<html>stored by an older govpress</html>"
    legacy = _store_legacy(tmp_path, body)
    archive = Archive(tmp_path, sync_each=False)
    key = body_key(body)
    assert archive.has(key) and archive.get(key) == body and archive.read(key) == body
    assert archive.locate(key) == legacy == archive.legacy_path(key) and archive.path(key) != legacy
    inode = legacy.stat().st_ino
    assert archive.put(body) == key
    assert not archive.path(key).exists() and legacy.stat().st_ino == inode
    archive.sync()
    assert archive.syncs == 0  # nothing was written
    # A body new to the archive goes to the new layout, beside the old files.
    other = archive.put(b"<html>new</html>")
    assert archive.locate(other) == archive.path(other) and archive.get(other) == b"<html>new</html>"


def test_a_corrupt_file_of_the_old_layout_is_set_aside_and_rewritten_in_the_new(tmp_path: Path) -> None:
    body = b"<html>bit-rotted</html>"
    legacy = _store_legacy(tmp_path, body)
    legacy.write_bytes(b"\x1f\x8b not gzip any more")
    archive = Archive(tmp_path)
    key = body_key(body)
    assert archive.read(key) is None
    assert not legacy.exists() and legacy.with_name(legacy.name + ".corrupt").is_file()
    assert archive.put(body) == key
    assert archive.locate(key) == archive.path(key) and archive.get(key) == body


def test_a_body_in_a_folder_made_for_it_is_written_without_looking_for_a_stored_copy(tmp_path: Path, monkeypatch) -> None:
    """A folder the archive has not met is made first: one that ``put`` made is empty, so neither layout's file is looked
    for in it (two stats a fresh folder's first body). A folder that was there is looked in as before: a body stored
    in it, in either layout, is found and not written again."""
    import os.path

    import govpress.archive as archive_module

    looked: list[str] = []
    real_isfile = os.path.isfile
    monkeypatch.setattr(archive_module.os.path, "isfile", lambda p: looked.append(os.fspath(p)) or real_isfile(p))
    # Two bodies that share a folder, and one in another folder.
    bodies: dict[str, list[bytes]] = {}
    i = 0
    while not any(len(v) == 2 for v in bodies.values()):
        body = b"<html>page %d</html>" % i
        bodies.setdefault(hashlib.sha256(body).hexdigest()[:2], []).append(body)
        i += 1
    first, second = next(v for v in bodies.values() if len(v) == 2)
    archive = Archive(tmp_path / "store", sync_each=False)
    key = archive.put(first)
    assert looked == [] and archive.get(key) == first  # the folder (and the root) made by this put
    archive.put(second)
    if not hasattr(os, "O_TMPFILE"):  # no unnamed files here: the new layout's path is looked for
        assert looked == [os.fspath(archive.path(body_key(second)))]  # a folder it made: no file of the old layout there
    else:  # linked into place: the link itself tells whether a file is there (test below)
        assert looked == []
    assert archive.get(body_key(second)) == second
    # Another archive object over the same root meets folders that were there: a stored body is found, not rewritten.
    looked.clear()
    again = Archive(tmp_path / "store", sync_each=False)
    inode = again.path(key).stat().st_ino
    assert again.put(first) == key and again.path(key).stat().st_ino == inode
    assert looked == [os.fspath(again.path(key))]
    legacy_body = b"<html>stored by an older govpress in a folder that is there</html>"
    legacy = _store_legacy(tmp_path / "old", legacy_body)
    old = Archive(tmp_path / "old", sync_each=False)
    assert old.put(legacy_body) == body_key(legacy_body)
    assert not old.path(body_key(legacy_body)).exists() and legacy.is_file()


unnamed_files = pytest.mark.skipif(not hasattr(__import__("os"), "O_TMPFILE"), reason="no O_TMPFILE here")


@unnamed_files
def test_a_new_file_is_linked_into_place_without_a_temporary_name_or_a_stat(tmp_path: Path, monkeypatch) -> None:
    """In a folder the archive made, a body is written to an unnamed file (O_TMPFILE) and linked in at its path: no
    temporary name (its random part, its directory entry, its rename) and no stat first; the link's "it is there"
    answers what the stat asked. The file is the one a temporary name and ``os.replace`` gave: its bytes, its mode."""
    import os

    import govpress.archive as archive_module

    (tmp_path / "store").mkdir()  # (a root to make would cost makedirs' stats)
    calls: list[str] = []
    for name in ("replace", "urandom", "stat"):
        real = getattr(os, name)
        monkeypatch.setattr(archive_module.os, name, lambda *a, _n=name, _f=real, **k: calls.append(_n) or _f(*a, **k))
    archive = Archive(tmp_path / "store", sync_each=False)
    bodies = [b"<html>page %d</html>" % i for i in range(600)]  # 600 bodies in 256 folders: most share one
    keys = [archive.put(body) for body in bodies]
    gzipped = gzip.compress(b"<html>sent gzipped</html>", 6)
    keys.append(archive.put(b"<html>sent gzipped</html>", gzipped=gzipped))
    assert calls == []
    monkeypatch.undo()
    assert [archive.get(key) for key in keys] == [*bodies, b"<html>sent gzipped</html>"]
    assert archive.path(keys[0]).read_bytes() == gzip.compress(bodies[0], compresslevel=3, mtime=0)
    assert archive.path(keys[-1]).read_bytes() == gzipped
    files = sorted(p for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert files == sorted(archive.path(key) for key in keys)
    assert {p.stat().st_mode & 0o777 for p in files} == {0o600} and {p.stat().st_nlink for p in files} == {1}
    # A body stored already is found by the failed link and kept, not written again; nothing new to sync.
    archive.sync()
    inode = archive.path(keys[5]).stat().st_ino
    assert archive.put(bodies[5]) == keys[5] and archive.path(keys[5]).stat().st_ino == inode
    archive.sync()
    assert archive.syncs == 1


@unnamed_files
def test_a_corrupt_file_in_the_way_of_a_link_is_set_aside_and_the_new_one_linked(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    key = archive.put(b"<html>a page</html>")
    path = archive.path(key)
    path.write_bytes(b"\x1f\x8b not gzip any more")
    assert archive.put(b"<html>a page</html>") == key
    assert archive.get(key) == b"<html>a page</html>" and path.with_name(path.name + ".corrupt").is_file()
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, path.name + ".corrupt"])


@unnamed_files
@pytest.mark.parametrize("failing", ["open", "link"])
def test_where_unnamed_files_cannot_be_made_or_linked_the_archive_names_its_files_as_before(
        tmp_path: Path, monkeypatch, failing: str) -> None:
    """A file system without O_TMPFILE (EOPNOTSUPP), or no /proc to link through: the body is stored by a temporary name
    and ``os.replace`` as before, and the archive stops trying."""
    import errno
    import os

    import govpress.archive as archive_module

    tries: list[str] = []
    real_open, real_link = os.open, os.link

    def refusing_open(path, flags, *args, **kwargs):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            tries.append("open")
            if failing == "open":
                raise OSError(errno.EOPNOTSUPP, "Operation not supported")
        return real_open(path, flags, *args, **kwargs)

    def refusing_link(src, dst, **kwargs):
        tries.append("link")
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", src)

    monkeypatch.setattr(archive_module.os, "open", refusing_open)
    monkeypatch.setattr(archive_module.os, "link", refusing_link if failing == "link" else real_link)
    archive = Archive(tmp_path, sync_each=False)
    keys = [archive.put(b"<html>page %d</html>" % i) for i in range(5)]
    assert tries == (["open"] if failing == "open" else ["open", "link"])  # tried once, then not again
    monkeypatch.undo()
    assert [archive.get(key) for key in keys] == [b"<html>page %d</html>" % i for i in range(5)]
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == sorted(archive.path(key) for key in keys)
    assert {archive.path(key).stat().st_mode & 0o777 for key in keys} == {0o600}
