"""The raw archive: every fetched body kept gzip-compressed and content-addressed, for reparse without network.

A key is ``sha256:<hex>`` of the *uncompressed* body; the file lives at
``root/ab/<hex>.gz`` (256 folders), gzip at level 3 by default (level 6 until 2026-12-05: level 3 takes half
the CPU, 0.28 against 0.59 ms for a real ~56 KB page, for 12% more bytes; files of either level read
alike). A body that the server sent gzip-compressed (one whole member, decoded by the fetcher) is
stored as it came, not compressed again. Writes are atomic and idempotent: a file appears whole at its path or
not at all (an unnamed ``O_TMPFILE`` file in the same directory linked into place on Linux, else a temporary name
and ``os.replace``), and a body already stored is never rewritten, so two runs (or two tasks of one run) storing
the same page race harmlessly. ``get`` re-hashes what it
reads, so a truncated or bit-rotted file is reported instead of silently parsed.

Archives written before 2026-12-05 (perf-fetch9) hold their files one folder deeper,
``root/ab/cd/<hex>.gz``: they are read where they are, and a body stored there is not written again.
The second folder level cost a fresh archive a folder per body (65,536 leaf folders: a run's few
hundred bodies almost never share one), an inode as dear as the file's on ext4
(bench/results.md, perf-fetch8 and perf-fetch9); 256 folders hold a million bodies at ~4,000 files
each, which ext4's hashed directories look up as fast.

Durability: by default every ``put`` fsyncs its file. A run archives in batches instead
(``Archive(root, sync_each=False)``): files are written without waiting for the disk and
:meth:`Archive.sync` makes them all durable with ONE ``syncfs`` before the batch's rows (which
name the keys) are committed. A crash before that sync can leave a torn file whose key no
row mentions yet; ``read`` sets it aside and the next ``put`` of that body rewrites it.

``export_warc`` writes chosen bodies as WARC ``response`` records (warcio) for tools that
speak WARC; the content-addressed store stays the source of truth.
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import os
import threading
import zlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_PREFIX = "sha256:"
_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
"""The flags ``tempfile.mkstemp`` opens its file with."""
_UNNAMED_FLAGS = os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC if hasattr(os, "O_TMPFILE") else None
"""Linux's unnamed file in a folder (``open(2)``'s ``O_TMPFILE``), given its name by ``linkat`` once written: see
:meth:`Archive._put_unnamed`. None where the system has none."""


class ArchiveError(Exception):
    """A key that is malformed, missing, or whose stored bytes no longer match it."""


def body_key(body: bytes) -> str:
    """The archive key of a body (no I/O)."""
    return _PREFIX + hashlib.sha256(body).hexdigest()


def _hex_of(key: str) -> str:
    if not key.startswith(_PREFIX):
        raise ArchiveError(f"not an archive key (expected 'sha256:<hex>'): {key!r}")
    digest = key[len(_PREFIX):]
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ArchiveError(f"malformed sha256 digest in key {key!r}")
    return digest


def _syncfs(path: Path) -> None:
    """Flush the whole file system holding ``path`` in one call (Linux ``syncfs``; ``os.sync`` elsewhere)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"syncfs({path}): {os.strerror(errno)}")
    finally:
        os.close(fd)


class Archive:
    """A directory of gzip files named by the SHA-256 of their content."""

    def __init__(self, root: Path | str, *, compresslevel: int = 3, sync_each: bool = True) -> None:
        self.root = Path(root)
        self.compresslevel = compresslevel
        self.sync_each = sync_each
        self._unsynced = False
        self._sync_lock = threading.Lock()
        self.syncs = 0
        """How many times :meth:`sync` flushed the disk (the bench and tests read it)."""
        self._root = os.fspath(self.root)
        self._folders: set[str] = set()
        """Folders this archive made or found (at most 256): not asked for again."""
        self._made: set[str] = set()
        """Of them, those it made itself: no file of the old layout can be in them."""
        self._unnamed = _UNNAMED_FLAGS is not None
        """Whether new files are written unnamed and then linked into place (:meth:`_put_unnamed`); turned off for
        good at the first error that says this file system or system cannot."""

    def sync(self) -> None:
        """Make every body written since the last sync durable (one syncfs); nothing to do when none was."""
        with self._sync_lock:
            if not self._unsynced:
                return
            self._unsynced = False  # cleared first: a put racing this sync marks it again
            try:
                _syncfs(self.root)
            except BaseException:
                self._unsynced = True
                raise
            self.syncs += 1

    def path(self, key: str) -> Path:
        """Where :meth:`put` stores ``key``'s body: ``root/ab/<hex>.gz``."""
        digest = _hex_of(key)
        return self.root / digest[:2] / f"{digest}.gz"

    def legacy_path(self, key: str) -> Path:
        """Where an archive written before 2026-12-05 stored it: ``root/ab/cd/<hex>.gz``."""
        digest = _hex_of(key)
        return self.root / digest[:2] / digest[2:4] / f"{digest}.gz"

    def locate(self, key: str) -> Path:
        """The file holding ``key``'s body: :meth:`path`, else :meth:`legacy_path` when only that exists
        (:meth:`path` when neither does)."""
        target = self.path(key)
        if not target.is_file():
            legacy = self.legacy_path(key)
            if legacy.is_file():
                return legacy
        return target

    def has(self, key: str) -> bool:
        return self.locate(key).is_file()

    def put(self, body: bytes, *, gzipped: bytes | None = None) -> str:
        """Store ``body`` (unless a sound copy is already stored) and return its key.

        ``gzipped`` is ``body`` as a server sent it with ``Content-Encoding: gzip``, one whole gzip
        member that the fetcher decoded to ``body`` (its CRC and length checked): stored as it is, not
        compressed again (the compression was most of a small page's ``put``). Its bytes are the
        server's (its level, its header's time and name), so two fetches of one body may store
        different files; either reads back as the body.

        A stored file that fails verification (truncated, bit-rotted) is set aside and rewritten,
        so the next fetch of a page repairs its archive entry.

        A run archives every fetched page here, in its event loop (govpress/fetch/client.py), so this is
        written for the CPU: the key's own digest names the path (no re-validation), plain ``os`` calls
        instead of pathlib's and tempfile's objects, and a directory made once per :class:`Archive` is not
        asked for again (bench/results.md, perf-fetch8). The file is gzip of the body at
        ``compresslevel`` with mtime 0 (or ``gzipped``), mode 0600 (as ``mkstemp`` makes it), written unnamed
        in its directory and linked into place (:meth:`_put_unnamed`, in a folder this archive made), else to a
        temporary name and moved into place.
        """
        digest = hashlib.sha256(body).hexdigest()
        key = _PREFIX + digest
        folder = f"{self._root}{os.sep}{digest[:2]}"
        target = f"{folder}{os.sep}{digest}.gz"
        # A folder not met before is made first: one this call made is empty, so neither layout's file is looked for
        # in it (a fresh archive's first body in each of its 256 folders: two stats fewer). A folder this archive
        # made earlier holds no file of the old layout (only older code wrote those).
        made_now = folder not in self._folders and self._make(folder)
        # In a folder this archive made, the file is linked into place without asking first whether it is there: the
        # link fails when it is (_put_unnamed), which is the same answer without a stat.
        unnamed = self._unnamed and (made_now or folder in self._made)
        if not made_now and not unnamed and (os.path.isfile(target) or (
                folder not in self._made and os.path.isfile(f"{folder}{os.sep}{digest[2:4]}{os.sep}{digest}.gz"))):
            if self.read(key) is not None:
                return key
        # mtime=0: the same body always compresses to the same bytes.
        packed = gzipped if gzipped is not None else gzip.compress(body, compresslevel=self.compresslevel, mtime=0)
        if unnamed:
            stored = self._put_unnamed(key, folder, target, packed)
            if stored is not None:
                if stored and not self.sync_each:
                    self._unsynced = True
                return key
        fd, tmp_name = self._temporary(folder)
        try:
            try:
                self._write_all(fd, packed)
            finally:
                os.close(fd)
            # Concurrent writers of one body write identical bytes; whichever replace wins is right.
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
        if not self.sync_each:
            self._unsynced = True
        return key

    def _write_all(self, fd: int, packed: bytes) -> None:
        """Write all of ``packed`` to ``fd`` (a short write goes on where it stopped), synced when each put is."""
        view = memoryview(packed)
        while view:
            view = view[os.write(fd, view):]
        if self.sync_each:
            os.fsync(fd)

    def _put_unnamed(self, key: str, folder: str, target: str, packed: bytes) -> bool | None:
        """Write ``packed`` to an unnamed file in ``folder`` and link it in at ``target``: True when linked, False when a
        sound copy was there already (nothing stored), None when this cannot be done here (the caller writes the
        file as before: a temporary name, then ``os.replace``).

        The same file, as atomically in place, as a temporary name and its rename give, for one directory entry
        and a system call less (the temporary name's entry made and removed, and ``os.urandom`` for the name).
        The link fails when ``target`` is there, which tells what ``os.path.isfile`` asked before it (a stat): with
        that stat gone, ~11% of a put's CPU on ext4, most of it the kernel's (bench/results.md, perf-fetch27). A
        stored file is then kept when it reads back as its key,
        as :meth:`put` keeps it, and a corrupt one set aside (:meth:`read`) for this one to take its place."""
        try:
            fd = os.open(folder, _UNNAMED_FLAGS, 0o600)  # type: ignore[arg-type]
        except FileNotFoundError:  # the folder was removed under a running archive: made again by the caller's way
            return None
        except OSError:  # a file system without unnamed files (EOPNOTSUPP; EISDIR on old kernels)
            self._unnamed = False
            return None
        try:
            self._write_all(fd, packed)
            for _ in range(2):
                try:
                    # linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, target, AT_SYMLINK_FOLLOW), open(2)'s way to name an
                    # O_TMPFILE file. CPython calls linkat (not link, which would not follow the /proc link) only when
                    # given a dir_fd; an absolute path makes linkat ignore it.
                    os.link(f"/proc/self/fd/{fd}", target, src_dir_fd=fd, follow_symlinks=True)
                    return True
                except FileExistsError:
                    if self.read(key) is not None:
                        return False
                    # read() set the corrupt file aside: linked again in its place
                except OSError:  # no /proc, a link refused: this archive names its files as before from now on
                    self._unnamed = False
                    return None
            return None  # set aside, and another one there again at once: the caller's replace settles it
        finally:
            os.close(fd)

    def _make(self, folder: str) -> bool:
        """Make ``folder`` (and the root, the first time) unless it is there; remember it either way. True when
        this call made it (an empty folder: nothing in it to look for)."""
        made = True
        try:
            os.mkdir(folder)
        except FileExistsError:
            made = False
        except FileNotFoundError:  # no root yet
            try:
                os.makedirs(folder)
            except FileExistsError:  # made meanwhile by another writer
                made = False
        if made:
            self._made.add(folder)
        self._folders.add(folder)
        return made

    def _temporary(self, folder: str) -> tuple[int, str]:
        """A new file of a name no one else uses in ``folder`` (``.tmp-<random>.gz``), open for writing, as
        ``tempfile.mkstemp`` would make it; the folder made again if it went away since it was made."""
        for _ in range(100):
            name = f"{folder}{os.sep}.tmp-{os.urandom(6).hex()}.gz"
            try:
                return os.open(name, _TEMP_FLAGS, 0o600), name
            except FileExistsError:
                continue
            except FileNotFoundError:  # the folder was removed under a running archive
                os.makedirs(folder, exist_ok=True)
        raise FileExistsError(f"no free temporary name in {folder}")

    def get(self, key: str) -> bytes:
        """The stored body; ArchiveError when it is missing or does not hash to ``key``."""
        target = self.locate(key)
        try:
            packed = target.read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"{key} is not in the archive ({target})") from None
        try:
            body = gzip.decompress(packed)
        except (OSError, EOFError, zlib.error) as exc:
            raise ArchiveError(f"{key}: stored file {target} is corrupt ({exc})") from exc
        if body_key(body) != key:
            raise ArchiveError(f"{key}: stored file {target} does not match its hash (corrupt)")
        return body

    def read(self, key: str) -> bytes | None:
        """The stored body, or None when it is missing or corrupt (never raises for a well-formed key).

        A corrupt file is renamed to ``<hex>.gz.corrupt`` (kept for inspection), so that ``has``
        turns false and the next :meth:`put` of the same body writes a sound copy.
        """
        try:
            return self.get(key)
        except ArchiveError:
            target = self.locate(key)
            if target.is_file():
                try:
                    os.replace(target, target.with_name(target.name + ".corrupt"))
                except OSError:
                    pass
            return None

    def export_warc(self, keys_with_meta: Iterable[tuple[str, Mapping[str, Any]]], out_path: Path | str) -> int:
        """Write the given bodies as gzipped WARC response records; returns the record count.

        Each meta mapping needs ``url`` and may carry ``status`` (default 200),
        ``content_type``, ``fetched_at`` (datetime) and ``headers`` (name -> value).
        """
        from io import BytesIO

        from warcio.statusandheaders import StatusAndHeaders
        from warcio.warcwriter import WARCWriter

        count = 0
        with open(out_path, "wb") as out:
            writer = WARCWriter(out, gzip=True)
            for key, meta in keys_with_meta:
                body = self.get(key)
                status = int(meta.get("status") or 200)
                headers = [(k, str(v)) for k, v in (meta.get("headers") or {}).items()]
                if meta.get("content_type") and not any(k.lower() == "content-type" for k, _ in headers):
                    headers.append(("Content-Type", str(meta["content_type"])))
                http_headers = StatusAndHeaders(f"{status} -", headers, protocol="HTTP/1.1")
                fetched_at = meta.get("fetched_at") or datetime.now(timezone.utc)
                record = writer.create_warc_record(
                    str(meta["url"]),
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=http_headers,
                    warc_headers_dict={
                        "WARC-Date": fetched_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    },
                )
                writer.write_record(record)
                count += 1
        return count
