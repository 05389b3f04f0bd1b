"""Opening the DuckDB file safely, and the :class:`Store` facade the flows use.

DuckDB allows one process per file: while any process holds it read-write, every other
open (read-only too) fails at once with ``IOException: Could not set lock on file``, and an
analyst's idle read-only session blocks the writer the same way. So the file is held only
while the pipeline uses it, every open is retried with exponential backoff and jitter up to
``lock_timeout`` (each wait logged once, naming the process that holds the lock), and the
analysts are given a snapshot copy (:meth:`Store.publish_snapshot`) that never blocks us.

Opening the file costs 20-70 ms here, and a run makes hundreds of store calls. Inside
:meth:`Store.session` (a run's lifetime) the calls share ONE read-write connection, each on
its own cursor; the connection is closed after ``idle_close`` seconds without a call (a
politely rate-limited live run waits minutes between batches, and an analyst may open the
file in between) and reopened, with the same retry, by the next call.

The full-text-search extension is loaded from the ``duckdb-extension-fts`` wheel by path:
``INSTALL fts`` needs the internet, and autoloading tries to download it.
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from govpress.errors import (
    DatabaseNotWritable,
    DiskFull,
    ForeignDatabase,
    GovpressError,
    NotADatabase,
    StoreBusy,
    disk_full_reason,
)
from govpress.fetch.retry import backoff_delay
from govpress.store import load as loader
from govpress.store import arrow as arrows
from govpress.store import fresh_schema, liveness, migrations, search
from govpress.store.nearlinks import without_fsst
from govpress.storage import DuckLake, StoreLocation, parse_store
from govpress.store.rows import ArchivedPage, CacheRow, KnownRelease, LoadBatch, LoadCounts

T = TypeVar("T")

if TYPE_CHECKING:
    from govpress.registry import Source

DUCKDB_VERSION = "v1.5.5"
FIRST_RETRY_DELAY = 0.1
MAX_RETRY_DELAY = 5.0
_LOCK_HOLDER = re.compile(r"held in (?P<program>\S+) \(PID (?P<pid>\d+)\)")


class StoreLocked(StoreBusy, RuntimeError):
    """Another process kept the database file locked for longer than ``lock_timeout``."""


def lock_timeout_default() -> float:
    """Seconds an open waits for another process's lock: ``$GOVPRESS_LOCK_TIMEOUT``, else 120."""
    try:
        return float(os.environ.get("GOVPRESS_LOCK_TIMEOUT", "120"))
    except ValueError:
        return 120.0


def open_error(path: Path, error: BaseException) -> GovpressError | None:
    """The typed error for a failed open of ``path`` (DuckDB's or the file system's), or None when unknown."""
    text = str(error)
    if isinstance(error, IsADirectoryError) or "Is a directory" in text:
        return NotADatabase(f"{path} is a folder, not a DuckDB file: give --db a file path")
    if "not a valid DuckDB database file" in text:
        return NotADatabase(f"{path} exists but is not a DuckDB database file: give --db a new path or a govpress "
                            "database")
    if isinstance(error, (PermissionError, NotADirectoryError)) or "Permission denied" in text \
            or "Read-only file system" in text or "Not a directory" in text:
        reason = getattr(error, "strerror", None) or text.removeprefix("IO Error: ")
        return DatabaseNotWritable(f"cannot create or write {path}: {reason}. Choose a folder you can write "
                                   "(--db or $GOVPRESS_DB)")
    if isinstance(error, FileNotFoundError):
        return DatabaseNotWritable(f"cannot create {path}: {error.strerror or error}")
    if (reason := disk_full_reason(error)) is not None:
        return DiskFull(f"disk full: {reason}. Free some space and run again; nothing loaded before is lost.")
    return None


def _typed(path: Path, error: BaseException) -> BaseException:
    """``error`` as its typed :class:`GovpressError` when it is a known failure, else ``error`` itself."""
    typed = open_error(path, error)
    if typed is None:
        raise error
    return typed


@contextmanager
def _disk_full_said() -> Iterator[None]:
    """A write that found the disk full says so, not what DuckDB raised next ("cannot rollback")."""
    try:
        yield
    except (duckdb.Error, OSError) as exc:
        if (reason := disk_full_reason(exc)) is not None:
            raise DiskFull(f"disk full: {reason}. Free some space and run again; nothing loaded "
                           "before is lost.") from exc
        raise


def foreign_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of a file that has no govpress ``schema_version``: someone else's database."""
    if migrations.current_version(con) > 0:
        return []
    return [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND database_name = current_database() "
        "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database() "
        "ORDER BY 1").fetchall()]


def refuse_foreign(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise :class:`ForeignDatabase` when ``path`` holds tables that are not govpress's."""
    names = foreign_tables(con)
    if names:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ForeignDatabase(f"{path} is a DuckDB file of something else (tables {shown}; no govpress "
                              "schema_version): govpress will not add its tables to it. Give --db a new path.")


def fts_extension_path() -> Path:
    """Where the wheel ``duckdb-extension-fts`` keeps the signed extension for this DuckDB version."""
    path = Path(str(files("duckdb_extension_fts") / "extensions" / DUCKDB_VERSION / "fts.duckdb_extension"))
    if not path.is_file():
        raise FileNotFoundError(
            f"full-text search extension not found at {path}; install duckdb-extension-fts=={DUCKDB_VERSION[1:]}"
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD the fts extension by path (offline-safe); idempotent."""
    con.execute(f"LOAD '{fts_extension_path()}'")


def is_lock_conflict(error: BaseException) -> bool:
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


def describe_lock_holder(message: str) -> str:
    """``pid 123, /usr/bin/python3`` from DuckDB's lock message, or '' when it does not say."""
    match = _LOCK_HOLDER.search(message)
    return f"pid {match['pid']}, {match['program']}" if match else ""


def backoff_delays(timeout: float, rng: random.Random | None = None) -> Iterator[float]:
    """Sleep lengths for lock retries: doubling from 0.1 s up to 5 s, ±25% jitter, summing to at most ``timeout``.

    The jitter is narrow, unlike the fetcher's, so each wait is longer than the last (the log shows the backoff).
    """
    rng = rng or random.Random()
    spent, attempt = 0.0, 0
    while spent < timeout:
        attempt += 1
        delay = min(backoff_delay(attempt, FIRST_RETRY_DELAY, MAX_RETRY_DELAY, rng, jitter=(0.75, 1.25)), timeout - spent)
        spent += delay
        yield delay


WRITER_MEMORY_ENV = "GOVPRESS_DUCKDB_MEMORY"
DEFAULT_WRITER_MEMORY = "512MB"
"""What DuckDB may hold in memory in a process that writes the file (loads, the search index); beyond
it DuckDB spills to ``<file>.tmp``. DuckDB's own default is 80% of the machine's memory, and its
buffers grow with the file: a 96,301-release backfill peaked at 2,052 MB without this limit and at
1,304 MB with it (bench/bench_memory.py; docs/scale.md, "Memory of a backfill").
Analysts' read-only connections keep DuckDB's default. ``GOVPRESS_DUCKDB_MEMORY`` sets another size."""
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.I)


def writer_memory_limit(environ: Mapping[str, str] = os.environ) -> str:
    """The writer's DuckDB ``memory_limit`` (``GOVPRESS_DUCKDB_MEMORY`` or 512MB); a malformed value is refused."""
    value = environ.get(WRITER_MEMORY_ENV, "").strip() or DEFAULT_WRITER_MEMORY
    if not _MEMORY_SIZE.fullmatch(value):
        raise ValueError(f"{WRITER_MEMORY_ENV}={value!r} is not a memory size such as 512MB or 2GB")
    return value


_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def memory_bytes(size: str) -> int:
    """Bytes of a memory size as :data:`_MEMORY_SIZE` accepts it (``512MB``, ``2 GiB``)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+)", size.strip(), re.I)
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError(f"{size!r} is not a memory size such as 512MB or 2GB")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


PUBLISH_SHARE = 2
"""The search index build and the snapshot's checkpoint run with the writer's limit divided by this."""


def publish_memory_limit(environ: Mapping[str, str] = os.environ) -> str:
    """The DuckDB ``memory_limit`` of the end of a run: the search index build and the checkpoint.

    Half the writer's limit (256MB by default). Those steps came at the end of a backfill, when the
    process already held the most, and a whole index build at 96,301 releases took the writer's
    limit and a few hundred MB of native memory beside it: the run's peak. Sliced (search.REFILL_SLICE),
    the build does as well with half (bench/bench_memory.py; docs/scale.md, "Memory of a backfill").
    """
    return f"{max(1, memory_bytes(writer_memory_limit(environ)) // PUBLISH_SHARE // 2**10)}KiB"


@contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's ``memory_limit`` set to ``limit`` for the block, the writer's limit again after it."""
    con.execute(f"SET memory_limit = '{limit}'")  # built by publish_memory_limit: digits and a unit
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{writer_memory_limit()}'")


RELEASE_ABOVE = 64 * 2**20
"""What DuckDB may hold at the end of a run's loads before the run closes its connection (Store.release_memory)."""

LOAD_RELEASE_ABOVE = 192 * 2**20
"""What DuckDB may hold after one of a session's loads before the session closes its connection.

A backfill's loads come back to back, so the shared connection never idles long enough to close
(IDLE_CLOSE) and DuckDB's cache of the tables' columns (scanned by the near-duplicate and event
links) fills up to the writer's memory limit, with native memory beside it: at 96,301 releases
the process swung between about 420 and 950 MB with the connection open for 20-90 s at a time,
and closing it gave back all but the process's own 420-460 MB (docs/scale.md, "Memory of a
backfill"). A lower memory limit does not bound that (384MB peaked the same): closing the
connection does. Above this the next call reopens the file (a WAL replay of at most DuckDB's
16 MB checkpoint threshold: 0.1-1 s at 96,301 releases); a reopened connection holds 100-150 MB
at that size (the replayed rows, the key indexes), so the bound leaves a few loads between reopens."""


WRITER_ROW_GROUP = 16_384
"""Rows per DuckDB row group written by a run's shared writer (DuckDB's default: 122,880).

A checkpoint rewrites every column of each row group that gained rows, whole: with the default,
every automatic checkpoint of a backfill under 122,880 releases re-read and re-compressed the
whole ``releases`` and ``release_versions`` tables (their texts), its memory growing with the
file (docs/scale.md, "Memory of a backfill"). With this size it rewrites at most the last
16,384 rows of each.

Not smaller: a transaction that appends a row group's worth of rows to a table has DuckDB write
them straight into the file (an "optimistic write"), and DuckDB 1.5.5 mishandles those beside a
primary key whose rows the same transaction deleted. With 4,096-row groups (perf-load4, 1.20x
load rows/s) loading edits in batches of 200 aborted the process at commit ("Failed to append to
PRIMARY_releases_0 ... duplicate key") or left a WAL that no longer replays ("Failed to delete all
rows from index"): bench/probe_edit_crash.py, tests/unit/store/test_edit_crash.py."""


def database_alias(path: Path) -> str:
    """The catalog name DuckDB gives a file opened directly (its stem), quoted for SQL."""
    return '"' + path.stem.replace('"', '""') + '"'


UTC_NAMES = frozenset({"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"})
"""UTC's other names: tzdata makes each of them a link to UTC (its ``backward`` file), the same zone, and DuckDB
reports the machine's zone by the name the machine gives it (``/etc/localtime`` -> ``Etc/UTC`` here)."""


def name_utc_utc(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's time zone called ``UTC`` on ``con``'s database (every cursor) when it is UTC by another name.

    Why: DuckDB's client hands each ``TIMESTAMPTZ`` value to Python through ``pytz.timezone(<the zone's name>)``.
    For ``UTC`` pytz answers with its own ``pytz.utc`` at once; for any other name it first checks the name
    against its list of zones, which it builds by opening each of its 597 zone files (8.5 ms of CPU and 15-28 of
    wall, once a process: the run's first such read), and then converts each value through a zone read from a
    file (3.6 us a value against 2.1). The same zone, so the same instants, dates and SQL results; the values'
    ``tzinfo`` is ``pytz.utc`` rather than pytz's ``Etc/UTC`` (equal datetimes). Any other zone is left as it is.
    """
    (zone,) = con.execute("SELECT current_setting('TimeZone')").fetchone()
    if zone in UTC_NAMES:
        con.execute("SET GLOBAL TimeZone = 'UTC'")


def _open(path: Path, *, read_only: bool, row_group_size: int | None,
          threads: int | None = None) -> duckdb.DuckDBPyConnection:
    config = {} if threads is None else {"threads": int(threads)}
    if read_only or row_group_size is None:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
        try:
            name_utc_utc(con)
        except BaseException:
            con.close()
            raise
        return con
    # The row group size is an ATTACH option only (not a connect setting, not kept in the file).
    con = duckdb.connect(config=config)
    try:
        name_utc_utc(con)
        # ATTACH replays the WAL inside this statement: no progress bar on the run's output (a direct open has none).
        con.execute("SET enable_progress_bar = false")
        attach(con, path, row_group_size)
    except BaseException:
        con.close()
        raise
    return con


def attach(con: duckdb.DuckDBPyConnection, path: Path, row_group_size: int) -> None:
    """ATTACH the file read-write to ``con``'s in-memory instance under its usual catalog name, and USE it."""
    quoted = str(path).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {database_alias(path)} (ROW_GROUP_SIZE {int(row_group_size)})")
    con.execute(f"USE {database_alias(path)}")


def retry_locked(path: Path, open_file: Callable[[], T], *, lock_timeout: float,
                 logger: logging.Logger | logging.LoggerAdapter) -> T:
    """``open_file()``, called again (with backoff) while another process holds ``path``'s lock; StoreLocked after
    ``lock_timeout``. Any other error is raised at once."""
    delays = backoff_delays(lock_timeout)
    started = time.monotonic()
    while True:
        try:
            return open_file()
        except duckdb.IOException as error:
            if not is_lock_conflict(error):
                raise
            holder = describe_lock_holder(str(error))
            delay = next(delays, None)
            if delay is None:
                waited = time.monotonic() - started
                raise StoreLocked(
                    f"database {path} is still locked by another process"
                    f"{f' ({holder})' if holder else ''} after waiting {waited:.1f} s (lock_timeout={lock_timeout:g} s). "
                    "Close that process's connection (an open DuckDB CLI or notebook on the live file?) "
                    "and let analysts use the published snapshot instead."
                ) from error
            logger.warning(
                "database %s is locked by another process%s; retrying in %.1f s",
                path, f" ({holder})" if holder else "", delay,
            )
            time.sleep(delay)


def connect_with_retry(
    path: Path, *, read_only: bool, lock_timeout: float, logger: logging.Logger | logging.LoggerAdapter,
    row_group_size: int | None = None, threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``path``, waiting (with backoff) while another process holds its lock; StoreLocked after the timeout.

    A read-write connection gets the writer's memory limit (:func:`writer_memory_limit`), set after
    opening (a setting, not an open-time configuration, so other opens of the file never conflict).
    ``row_group_size`` (read-write only): the file is attached with it, under its usual catalog name;
    a cursor of the connection must ``USE`` :func:`database_alias` (cursors start in the in-memory one).
    ``threads``: DuckDB's threads for the connection from its start (DuckDB's default, one per core, when None)."""
    limit = None if read_only else writer_memory_limit()

    def open_file() -> duckdb.DuckDBPyConnection:
        con = _open(path, read_only=read_only, row_group_size=row_group_size, threads=threads)
        if limit is not None:
            try:
                con.execute(f"SET memory_limit = '{limit}'")  # the value matched _MEMORY_SIZE: no quoting to escape
            except BaseException:
                con.close()  # never leave the file locked by a connection nobody holds
                raise
        return con

    return retry_locked(path, open_file, lock_timeout=lock_timeout, logger=logger)


_PROCESS_LOCKS: dict[Path, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def count_releases(path: Path | str) -> int:
    """Rows in ``releases`` of a DuckDB file opened read-only, once (a published snapshot, a finished run's file)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM releases").fetchone()[0]
    finally:
        con.close()


def _process_lock(path: Path) -> threading.RLock:
    """One lock per database file per process.

    DuckDB shares one database instance per file inside a process: a read-only and a
    read-write connection to the same file cannot coexist ("different configuration"), and
    the pipeline calls the store from several threads. So the store's own calls take turns.
    """
    key = path.resolve()
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(key, threading.RLock())


IDLE_CLOSE = 0.5
"""Seconds a session's shared connection stays open without a call (see the module doc)."""


class _SharedConnection:
    """One read-write connection shared by a session's calls, closed when idle (under the store's process lock)."""

    def __init__(self, store: "Store", idle_close: float, threads: int | None = None) -> None:
        self.store = store
        self.idle_close = idle_close
        self.threads = threads
        self.con: duckdb.DuckDBPyConnection | None = None
        """The connection with the file attached; None while the file is let go (closed, or detached when idle)."""
        self.instance: duckdb.DuckDBPyConnection | None = None
        """The in-memory DuckDB instance the file is attached to (``con`` when attached). Kept when the session
        lets the file go because it is idle (:meth:`detach`), closed with everything it holds by :meth:`close`."""
        self.fts = False
        self.opened = 0
        """How many times the file was opened in this session (the bench and tests read it)."""
        self.released = False
        """Whether the connection is closed because DuckDB held much (Store.release_memory), not opened since."""
        self.tables: frozenset[str] | None = None
        """The main schema's tables as the last load read them (load.load_batch_knowing); None once the connection
        closed or a call that may change the schema (one not made with ``same_schema=True``) used it."""
        self.held: tuple[int, int] | None = None
        """(The releases stored, DuckDB's threads) as the last load left them (load.load_batch_knowing); None once the
        connection closed, a call that may change the schema used it, or the threads were set."""
        self.keys: loader.StoredKeys | None = None
        """What the session's loads know of the probe's tables (load.StoredKeys); None whenever ``held`` is."""
        self.threads_before_loads: int | None = None
        """DuckDB's threads of the open connection before the session's loads lowered them to ``load.LOAD_THREADS``
        (:meth:`lower_threads_for_loads`); None when they are the connection's own number."""
        self.publish_limit = False
        """Whether the open connection holds :func:`publish_memory_limit` (Store.publish_limit) rather than the
        writer's: from an index build or a snapshot until a load or the close."""
        self.last_used = time.monotonic()
        self.stopped = threading.Event()
        self.closer = threading.Thread(target=self._close_when_idle, name="govpress-store-idle", daemon=True)
        self.closer.start()

    def cursor(self, *, fts: bool, loading: bool = False) -> duckdb.DuckDBPyConnection:
        """A new cursor on the shared connection, opening it first when closed; call with the process lock held.

        ``loading``: for a load, which leaves DuckDB's threads as the last load lowered them."""
        if self.con is None:
            if self.instance is not None:
                self._attach_again()
            else:
                try:
                    self.con = connect_with_retry(self.store.path, read_only=False, lock_timeout=self.store.lock_timeout,
                                                  logger=self.store.logger, row_group_size=WRITER_ROW_GROUP,
                                                  threads=self.threads)
                except (duckdb.Error, OSError) as exc:
                    raise _typed(self.store.path, exc) from exc
                self.instance = self.con
                # Closing the file checkpoints it, and a checkpoint rewrites the primary-key indexes of the
                # tables it touched: 0.6 s with a million fetches, for a quiet run's few rows. The WAL is
                # durable at each commit; DuckDB still checkpoints by itself once it holds 16 MB, and the
                # snapshot checkpoints before copying, so the cost follows what was written, not what is held.
                # (A setting of the instance: a DETACH when idle does not checkpoint either.)
                self.con.execute("PRAGMA disable_checkpoint_on_shutdown")
                self.fts = False
            self.opened += 1
            self.released = False
        if fts and not self.fts:
            load_fts(self.con)  # loaded once per database instance; every cursor sees it
            self.fts = True
        cursor = self.con.cursor()
        cursor.execute(f"USE {database_alias(self.store.path)}")  # the file is attached (WRITER_ROW_GROUP)
        if not loading and self.threads_before_loads is not None:
            # Any other call runs on the connection's own threads again (the index build, a checkpoint).
            cursor.execute(f"SET threads = {int(self.threads_before_loads)}")
            self.threads_before_loads = None
            self.held = None
            self.keys = None
        if loading and self.publish_limit:
            # A load gets the writer's limit back (the calls between the end steps are small: they keep the lower one).
            cursor.execute(f"SET memory_limit = '{writer_memory_limit()}'")  # matched _MEMORY_SIZE: nothing to escape
            self.publish_limit = False
        return cursor

    def lower_threads_for_loads(self, cursor: duckdb.DuckDBPyConnection, threads: int) -> None:
        """DuckDB's threads down to ``threads`` until a call other than a load (:meth:`cursor`) or the close.

        Why: a load ran on one thread (load.LOAD_THREADS) by setting it and setting it back around each
        batch, and DuckDB 1.5.5 relaunches its threads at each change and, lowering them, flushes its
        allocator (``Allocator::FlushAll``: a purge of every jemalloc arena and ``malloc_trim``): on a
        connection of more threads (a session opened with DuckDB's default, as ``bench_load``'s is) each
        batch began by faulting in again the memory the last one had given back (bench/results.md,
        "perf-load16"). Back-to-back loads now switch once."""
        if self.threads_before_loads is not None or (self.threads is not None and self.threads <= threads):
            return  # lowered already, or a connection opened on so few (a run's): no statement at all
        (before,) = cursor.execute("SELECT current_setting('threads')").fetchone()
        if before > threads:
            cursor.execute(f"SET threads = {int(threads)}")
            self.threads_before_loads = before
            self.held = None
            self.keys = None

    def touch(self) -> None:
        self.last_used = time.monotonic()

    def _forget_the_file(self) -> None:
        """Drop what the session knows of the file's rows: another process may write it until it is attached again."""
        self.tables = None
        self.held = None
        self.keys = None
        self.store._untouched = False

    def close(self) -> None:
        """Close the connection and its DuckDB instance now (call with the process lock held); the next call opens
        a new one. What DuckDB held goes with the instance (Store.release_memory)."""
        self._forget_the_file()
        self.threads_before_loads = None  # a connection opened again has the session's own number
        self.publish_limit = False  # and the writer's memory limit
        instance, self.con, self.instance = self.instance or self.con, None, None
        if instance is not None:
            instance.close()

    def detach(self) -> None:
        """Let the file go when idle (call with the process lock held): DETACH it from the in-memory instance, which
        stays, with its settings (threads, memory limit, time zone) and the search extension loaded; the next call
        ATTACHes the file again (:meth:`_attach_again`).

        Why not :meth:`close`: a new instance at the next call cost 15-25 ms of CPU more than the ATTACH (DuckDB's
        start, the memory limit's SET with its allocator flush, and ``LOAD fts`` again when the index is built
        after), and a run on a busy machine idles past ``idle_close`` two or three times (bench/results.md,
        perf-duck25, perf-store26). The DETACH closes the file and its lock as the close did (another process opens
        it at once) and frees DuckDB's buffers of it; the WAL stays, unchecked, as at a close (the instance keeps
        ``disable_checkpoint_on_shutdown``). Every cursor of a call is closed when the call returns, so none keeps
        the database alive; if the DETACH fails anyway, the instance is closed."""
        self._forget_the_file()
        if self.con is None:
            return
        try:
            self.con.execute("USE memory")  # DuckDB refuses to detach the database in use
            self.con.execute(f"DETACH {database_alias(self.store.path)}")
        except duckdb.Error:
            self.close()
            return
        self.con = None

    def _attach_again(self) -> None:
        """ATTACH the file to the kept instance again (:meth:`detach`), waiting as an open waits for another
        process's lock; on any other failure the instance is closed (the next call opens a new one)."""
        instance = self.instance
        assert instance is not None
        try:
            retry_locked(self.store.path, lambda: attach(instance, self.store.path, WRITER_ROW_GROUP),
                         lock_timeout=self.store.lock_timeout, logger=self.store.logger)
        except StoreLocked:
            raise  # the instance stays: the next call tries the file again
        except (duckdb.Error, OSError) as exc:
            self.close()
            raise _typed(self.store.path, exc) from exc
        self.con = instance

    def _close_when_idle(self) -> None:
        lock = _process_lock(self.store.path)
        while not self.stopped.wait(self.idle_close / 2):
            if self.con is None or time.monotonic() - self.last_used < self.idle_close:
                continue
            if lock.acquire(blocking=False):  # a call in progress holds it: not idle
                try:
                    if time.monotonic() - self.last_used >= self.idle_close:
                        self.detach()
                finally:
                    lock.release()

    def stop(self) -> None:
        self.stopped.set()
        self.closer.join()
        with _process_lock(self.store.path):
            self.close()


class Store:
    """The govpress DuckDB file: migrations, loads, reads for the pipeline, search index and snapshots.

    Outside a :meth:`session` every method opens its own connection and closes it before
    returning, so the file is locked only while a call runs. Inside one (a run), the calls share
    one connection that closes after ``idle_close`` seconds unused. The pipeline's own reads use
    read-write connections (the writer process must not mix configurations); ``reader()`` is for
    analysts and the CLI.
    """

    batch_pages: int = 200
    """Pages a run fetches, parses and loads as one batch (one transaction) into this store, at most
    five minutes of a source's polite rate (govpress/plan.py). A batch is also a Prefect task, the unit
    of progress and retry. 200 rather than 50: the demo-sized run 1.24x faster with 17% less CPU per
    page, and bigger backfills faster still (docs/scale.md, "Batch size of the DuckDB file")."""

    _untouched = False
    """The file was seeded by :meth:`migrate` in this session and, through the session's connection, still open
    since, nothing was written but the ``runs`` and ``sources`` rows (the calls passing ``keep_untouched``, and
    :meth:`reading`'s blocks): the pipeline's reads of ``releases``, ``http_cache``, ``fetches`` and ``frontier``
    find nothing, and answer so without a query.

    Why: a fresh run's first calls, a source's ``holds_releases``, ``frontier``, ``discovery_validators`` and
    ``cached_validators`` before any load, were 20 queries of empty tables (~20-25 ms of CPU; bench/results.md,
    perf-fixed21). Any other call through :meth:`writer` (a load, a transaction, a caller's own SQL) and the
    connection's close (another process may open the file then) end it for good."""

    def __new__(cls, path: Path | str | StoreLocation = None, *args: Any, **kwargs: Any) -> Store:
        """``Store(location)`` is the store the location names: a ``ducklake:`` one is a LakeStore."""
        if cls is Store and isinstance(parse_store(path), DuckLake):
            from govpress.store.lake import LakeStore

            return super().__new__(LakeStore)
        return super().__new__(cls)

    def __init__(self, path: Path | str | StoreLocation, *, lock_timeout: float | None = None, logger: Any = None) -> None:
        self.location = parse_store(path)
        self.path = self.location.path
        self.lock_timeout = lock_timeout_default() if lock_timeout is None else lock_timeout
        self.logger = logger or logging.getLogger("govpress.store")
        self._shared: _SharedConnection | None = None

    @contextmanager
    def session(self, *, idle_close: float = IDLE_CLOSE, threads: int | None = None) -> Iterator["Store"]:
        """Share one connection between the calls made inside the block (re-entrant: an inner session joins).

        ``threads``: DuckDB's threads of that connection, each time it is opened (DuckDB's default, one per
        core, when None); a run's lifecycle passes :data:`govpress.run.RUN_DUCKDB_THREADS`."""
        if self._shared is not None:
            yield self
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        shared = _SharedConnection(self, idle_close, threads)
        self._shared = shared
        try:
            yield self
        finally:
            # Under the file's process lock: a call from another thread that found the session gone (a task's thread
            # still at work while a SIGTERM unwinds the run) opened the file on its own while the shared connection
            # was still open, which DuckDB refuses ("Unique file handle conflict"). The idle closer never blocks on
            # the lock, so stop() can join it while the lock is held.
            with _process_lock(self.path):
                self._shared = None
                shared.stop()

    def release_memory(self, *, above: int = RELEASE_ABOVE) -> bool:
        """Close the session's shared connection when DuckDB holds more than ``above`` bytes; True if closed
        by this call or by an earlier one with no call since (the connection still closed: what the loads held went).

        A backfill's loads leave DuckDB holding cached table data (full-column scans of the
        signatures and bands) and memory outside its limit; the end of the run, the search index
        build and the snapshot's checkpoint, then came on top of it: the run's peak
        (docs/scale.md, "Memory of a backfill"). The next call reopens the file (a WAL replay:
        0.2 s after a demo-sized run, 1.3 s after 20,000 releases), so a run that left DuckDB
        small keeps its connection. Outside a session nothing is held: a no-op.
        """
        shared = self._shared
        if shared is None:
            return False
        with _process_lock(self.path):
            if shared.con is None:
                # Already let go after a load that left DuckDB holding much (LOAD_RELEASE_ABOVE) and not
                # reopened since: the loads did hold much, so the caller builds the index apart as well.
                return shared.released
            if above > 0:
                cursor = shared.con.cursor()  # its own, closed: an open result would hold a transaction
                try:
                    # Summed here: DuckDB's aggregate (its plan and pipeline) cost 184 us a call against 83 us for
                    # the column's few rows (one a memory tag; perf-load27, perf-store28).
                    held = sum(row[0] for row in cursor.execute("SELECT memory_usage_bytes FROM duckdb_memory()").fetchall())
                finally:
                    cursor.close()
                if held <= above:
                    return False
            shared.close()
            shared.released = True
            return True

    @property
    def connections_opened(self) -> int:
        """Times the current session opened the file (0 outside a session)."""
        return self._shared.opened if self._shared else 0

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- connections ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, *, fts: bool = False, same_schema: bool = False,
               loading: bool = False, keep_untouched: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection, closed on exit; keep the block short. ``fts`` loads the search extension.

        ``same_schema``: the block creates and drops no table of the main schema (a load, one of the pipeline's
        reads), so a session's catalogue as its last load read it still holds after it (load.load_batch_knowing).
        ``loading``: the block is a load (load.load_batch): in a session, DuckDB's threads stay at
        ``load.LOAD_THREADS`` from it until a call that is not a load (_SharedConnection.lower_threads_for_loads).
        ``keep_untouched``: the block writes no table but ``runs`` and ``sources`` (see ``Store._untouched``)."""
        if not keep_untouched:
            self._untouched = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _typed(self.path, exc) from exc
        with self._connection(read_only=False, fts=fts, same_schema=same_schema, loading=loading) as con:
            yield con

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """:meth:`writer` for a block of the pipeline's that only reads (coverage.load): it writes no table, so a
        file seeded in the session stays as seeded (``Store._untouched``) and a session's catalogue holds after it.

        Why: a fresh run's first read of a source's coverage ended ``_untouched`` before any other read had asked,
        and every read after it queried the empty tables: the sources' ``recent_titles``, ``recheck_candidates``
        and ``cached_validators`` before the first load (bench/results.md, perf-store26)."""
        with self.writer(same_schema=True, keep_untouched=True) as con:
            yield con

    @contextmanager
    def reader(self, *, fts: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection, closed on exit; with fts loaded by default so ``search_releases`` works."""
        self._untouched = False  # (it closes the session's connection)
        if not self.path.exists():
            raise FileNotFoundError(f"no database at {self.path}; run a flow (or Store.migrate()) first")
        with self._connection(read_only=True, fts=fts) as con:
            yield con

    @contextmanager
    def sandboxed_reader(self, *, writable_dir: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection for arbitrary SQL from a person (``govpress sql``).

        A read-only DuckDB connection still lets ``COPY ... TO``, ``EXPORT DATABASE`` and ``ATTACH``
        write files - the live database itself included. Here DuckDB's own sandbox refuses every file
        access (``enable_external_access = false``), except writes into ``writable_dir`` when one is
        given, and the configuration is locked so the query cannot lift it.
        """
        with self.reader(fts=True) as con:
            if writable_dir is not None:
                con.execute("SET allowed_directories = $dirs", {"dirs": [str(Path(writable_dir).resolve())]})
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con

    @contextmanager
    def _connection(self, *, read_only: bool, fts: bool, same_schema: bool = False,
                    loading: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with _process_lock(self.path):
            shared = self._shared
            if shared is not None and not read_only:
                cursor = shared.cursor(fts=fts, loading=loading)
                if loading:
                    shared.lower_threads_for_loads(cursor, loader.LOAD_THREADS)
                if not same_schema:
                    shared.tables = None  # the block may create or drop tables (a migration, the search index)
                    shared.held = None  # or insert releases
                    shared.keys = None  # or write the probe's tables
                try:
                    with _disk_full_said(), arrows.closed_after(cursor):  # closed below: its temp tables with it
                        yield cursor
                except DiskFull:
                    shared.close()  # a failed WAL write can leave the connection unusable: reopen next call
                    raise
                finally:
                    cursor.close()
                    shared.touch()
                return
            if shared is not None:  # a read-only open cannot sit beside our read-write one in this process
                shared.close()
            try:
                con = connect_with_retry(self.path, read_only=read_only, lock_timeout=self.lock_timeout,
                                         logger=self.logger)
            except (duckdb.Error, OSError) as exc:
                raise _typed(self.path, exc) from exc
            try:
                if fts:  # LOAD costs ~40 ms: only where search objects are built or queried
                    load_fts(con)
                with _disk_full_said(), arrows.closed_after(con):  # closed below: its temp tables with it
                    yield con
            finally:
                con.close()

    def check_usable(self) -> None:
        """Refuse, before any work starts, a ``--db`` that cannot be a govpress database (a typed error).

        A folder, a file that is not DuckDB, someone else's DuckDB file, a newer schema, a folder
        that cannot be written. Reads only (the file is opened read-only, once, with no waiting):
        when another process holds the file's lock the check is left to the run, which waits.
        """
        if self.path.is_dir():
            raise NotADatabase(f"{self.path} is a folder, not a DuckDB file: give --db a file path")
        if not self.path.exists():
            self._check_folder_writable()
            return
        try:
            con = duckdb.connect(str(self.path), read_only=True)
        except (duckdb.Error, OSError) as exc:
            if is_lock_conflict(exc):
                return
            raise _typed(self.path, exc) from exc
        try:
            refuse_foreign(con, self.path)
            version = migrations.current_version(con)
            if version > migrations.LATEST_VERSION:
                raise migrations.SchemaTooNew(
                    f"{self.path} has schema version {version} but this govpress only knows up to version "
                    f"{migrations.LATEST_VERSION}: it was written by a newer govpress. Upgrade govpress."
                )
        finally:
            con.close()

    def _check_folder_writable(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".{self.path.name}.{os.getpid()}.probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise _typed(self.path, exc) from exc

    # -- schema --------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema; returns its version. A no-op when already current.

        A new file is written from the template of the latest schema first (govpress/store/fresh_schema.py):
        then only its ``applied_at`` is stamped."""
        seeded = fresh_schema.seed(self.path)
        with self.writer() as con:
            version = migrations.current_version(con)
            if version == 0:  # (a file with a govpress version is govpress's: foreign_tables would read it again)
                refuse_foreign(con, self.path)
            if version == migrations.LATEST_VERSION:
                if seeded:
                    fresh_schema.stamp(con)
                    self._untouched = self._shared is not None  # a session's connection keeps the file ours
                    if self._shared is not None:  # (its loads need not ask the seeded tables' emptiness)
                        self._shared.keys = loader.StoredKeys.of_empty_file()
                # Only a migration needs the search extension: loading it was 0.09 s of every run's
                # start, a fifth of a quiet scheduled run (the index build loads it when it runs).
                return migrations.LATEST_VERSION
        with self.writer(fts=True) as con:
            if version == 0 and (fresh := fresh_schema.apply(con)) is not None:
                return fresh  # an empty file: the migrations' end state in one script (govpress/store/fresh_schema.py)
            return migrations.migrate(con)

    def in_transaction(self, work: Callable[[duckdb.DuckDBPyConnection], T], *, same_schema: bool = False) -> T:
        """``work(con)`` in one write transaction, committed when it returns, rolled back when it raises.

        For writes that are not one of the methods below (coverage ranges); a lake runs it as it runs
        those (govpress/store/lake.py: behind the writer lock, retried on a conflict). ``same_schema``: as
        :meth:`writer`'s (``work`` creates and drops no table of the main schema).
        """
        with self.writer(same_schema=same_schema) as con:
            con.execute("BEGIN")
            try:
                result = work(con)
                con.execute("COMMIT")
                return result
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # -- runs and sources ----------------------------------------------------------------------

    def upsert_sources(self, sources: list[Source], run_id: str) -> None:
        with self.writer(same_schema=True, keep_untouched=True) as con:
            loader.upsert_sources(con, sources, run_id)

    def start_run(self, run_id: str, flow: str, parameters: dict, source_ids: list[str], started_at: datetime) -> None:
        """Record the run as ``running``, with this process (pid and host) and a first heartbeat."""
        with self.writer(same_schema=True, keep_untouched=True) as con:
            loader.start_run(con, run_id, flow, parameters, source_ids, started_at,
                             process=(os.getpid(), liveness.this_host()))

    def heartbeat(self, run_id: str, at: datetime) -> None:
        with self.writer(same_schema=True, keep_untouched=True) as con:
            liveness.beat(con, run_id, at)

    def mark_crashed_runs(self, active: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
        """Close the ``running`` rows whose process is gone as ``crashed`` (govpress/store/liveness.py)."""
        # (same_schema: it updates ``runs`` rows only, so a session's knowledge of the file's rows holds after it.)
        with self.writer(same_schema=True, keep_untouched=True) as con:
            return liveness.mark_crashed_runs(con, active=active)

    def finish_run(
        self,
        run_id: str,
        status: str,
        counts: dict,
        message: str | None,
        per_source: list[dict],
        finished_at: datetime,
    ) -> None:
        with self.writer(same_schema=True) as con:
            loader.finish_run(con, run_id, status, counts, message, per_source, finished_at)

    # -- what the pipeline reads ---------------------------------------------------------------

    def _answers_untouched(self) -> bool:
        """Whether a read of the pipeline's finds nothing without a query (``Store._untouched``). Such a read counts as
        a use of the session's connection (its idle time starts again), as the query it stands for did: a fresh run's
        reads, answered so in its first second, left the connection idle past ``IDLE_CLOSE`` between the sources'
        first reads and their loads, and the let-go ended ``_untouched`` (another process may write the file)."""
        if not self._untouched:
            return False
        if self._shared is not None:
            self._shared.touch()
        return True

    def holds_releases(self, source_id: str) -> bool:
        """Whether the source has any release stored (removed ones too)."""
        if self._answers_untouched():
            return False
        with self.writer(same_schema=True) as con:
            return loader.holds_releases(con, source_id)

    def known_releases(self, source_id: str) -> dict[str, KnownRelease]:
        if self._answers_untouched():
            return {}
        with self.writer(same_schema=True) as con:
            return loader.known_releases(con, source_id)

    def known_releases_by_id(self, source_id: str, release_ids: list[str]) -> dict[str, KnownRelease]:
        if self._answers_untouched():
            return {}
        with self.writer(same_schema=True) as con:
            return loader.known_releases_by_id(con, source_id, release_ids)

    def recheck_candidates(self, source_id: str, now: datetime, *, budget: int,
                           window: tuple[datetime, datetime] | None = None) -> dict[str, KnownRelease]:
        if self._answers_untouched():
            return {}
        with self.writer(same_schema=True) as con:
            return loader.recheck_candidates(con, source_id, now, budget=budget, window=window)

    def recent_titles(self, source_id: str, limit: int = 30) -> list[str]:
        if self._answers_untouched():
            return []
        with self.writer(same_schema=True) as con:
            return loader.recent_titles(con, source_id, limit)

    def cached_validators(self, urls: list[str]) -> dict[str, CacheRow]:
        if self._answers_untouched():
            return {}
        with self.writer(same_schema=True) as con:
            return loader.cached_validators(con, urls)

    def discovery_validators(self, source_id: str, first_pages: list[str]) -> dict[str, CacheRow]:
        if self._answers_untouched():
            return {}
        with self.writer(same_schema=True) as con:
            return loader.discovery_validators(con, source_id, first_pages)

    def frontier(self, source_id: str) -> list[tuple[str, str]]:
        if self._answers_untouched():
            return []
        with self.writer(same_schema=True) as con:
            return loader.frontier(con, source_id)

    def archived_pages(self, source_ids: list[str] | None) -> list[ArchivedPage]:
        with self.writer(same_schema=True) as con:
            return loader.archived_pages(con, source_ids)

    def content_hashes(self, source_id: str) -> dict[str, str]:
        with self.writer(same_schema=True) as con:
            return loader.content_hashes(con, source_id)

    # -- loading -------------------------------------------------------------------------------

    def load_batch(self, batch: LoadBatch) -> LoadCounts:
        """Load one source's batch in ONE transaction; loading the same batch again changes nothing."""
        with self.writer(same_schema=True, loading=True) as con:
            shared = self._shared
            # In a session, the catalogue as the last load read it, unless a call since may have changed it.
            if shared is not None and shared.keys is None:
                shared.keys = loader.StoredKeys()
            counts, tables, held = loader.load_batch_knowing(con, batch, shared.tables if shared is not None else None,
                                                             shared.held if shared is not None else None,
                                                             shared.keys if shared is not None else None)
            if shared is not None:
                shared.tables = tables
                shared.held = held
        # Back-to-back loads keep the session's connection open and DuckDB's cache growing (LOAD_RELEASE_ABOVE).
        self.release_memory(above=LOAD_RELEASE_ABOVE)
        return counts

    def rebuild_search_index(self, *, full: bool = False) -> int:
        """Index what changed since the last update (the whole index when ``full``); returns the releases indexed."""
        with self.writer(fts=True) as con, self.publish_limit(con):
            return search.rebuild_search_index(con, full=full)

    @contextmanager
    def publish_limit(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """:func:`publish_memory_limit` for the block, on ``con`` (a :meth:`writer` connection).

        Outside a session the writer's limit comes back after the block (:func:`memory_limit`). In a session it
        stays until the session's next load or the connection's close (_SharedConnection.publish_limit): the end of
        a run, its index build and its snapshot's checkpoint, sets it once instead of four times. Why: DuckDB
        1.5.5 flushes its allocator at every ``SET memory_limit`` (``BufferPool::SetLimit``: a purge of every
        jemalloc arena and a ``malloc_trim(0)`` of the process's heap, ~2.5 ms of CPU each at the end of a
        653-page run), and the checkpoint then faulted in again the memory the build had just given back
        (bench/results.md, "perf-duck25")."""
        shared = self._shared
        if shared is None or shared.con is None:
            with memory_limit(con, publish_memory_limit()):
                yield
            return
        if not shared.publish_limit:
            con.execute(f"SET memory_limit = '{publish_memory_limit()}'")  # digits and a unit: nothing to escape
            shared.publish_limit = True
        yield

    def rebuild_search_index_apart(self) -> int:
        """:meth:`rebuild_search_index` in a child process of its own (govpress/store/build_apart.py).

        For the end of a big run, whose process holds what it cannot give back. This process's
        connection is closed first, and none of its threads opens the file until the child is done.
        """
        # Imported here: a top-level import put the module in sys.modules before the child's
        # ``python -m govpress.store.build_apart`` ran it, and runpy warned on every build.
        from govpress.store import build_apart

        with _process_lock(self.path):
            if self._shared is not None:
                self._shared.close()
            return build_apart.build_in_child(self.path, lock_timeout=self.lock_timeout)

    def checksum(self) -> dict[str, str]:
        """md5 per content table over content columns only (no run ids or seen times): equal after a rerun."""
        with self.reader(fts=False) as con:
            return loader.content_checksums(con)

    # -- analysts' copy ------------------------------------------------------------------------

    def default_snapshot_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.snapshot.duckdb")

    def publish_snapshot(self, dest: Path | None = None) -> Path:
        """Publish a read-only copy for analysts and return its path.

        Why: an analyst's read-only handle on the live file holds its lock and blocks every
        load until it is closed. On the snapshot they block nobody. The copy is made while we
        hold the write connection (so nothing changes under it), after a CHECKPOINT (so the
        file needs no WAL), written beside ``dest`` as a temp file, opened once to prove it is
        a database, then renamed over ``dest`` with ``os.replace`` (atomic on one file system:
        readers see the old or the new copy, never half of one; an analyst who has the old
        one open keeps reading it until they reopen).

        The copy is opened by attaching it, read-only, to the writer's connection (and detached):
        a DuckDB instance of its own for the check cost 15-19 ms of CPU, the attach 7-8.

        The CHECKPOINT leaves DuckDB's FSST string compression out (``nearlinks.without_fsst``, as the bands
        insert does): it writes the run's rows (a run's loads stay in the WAL), and before choosing a compression
        for each string column segment DuckDB trained an FSST symbol table on it: 16 ms of a 12-page run's 35 ms
        checkpoint, which chose FSST for no column, 51 of a 653-page run's 88 ms, which chose it for four
        (``releases.lead`` and the three search tables' ``terms``, which searches do not read); a checkpoint
        rewrites each row group that gained rows whole, so a 12-page run into a 653-page file paid it again (its
        snapshot 123 -> 67 ms). Those columns are stored by another method: the 653-page file 18.4 -> 18.9 MB
        (bench/results.md, perf-index24).
        """
        dest = Path(dest) if dest else self.default_snapshot_path()
        if dest.resolve() == self.path.resolve():
            raise ValueError("the snapshot must not overwrite the live database")
        dest.parent.mkdir(parents=True, exist_ok=True)
        temp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        try:
            with self.writer() as con:
                with self.publish_limit(con), without_fsst(con):
                    con.execute("CHECKPOINT")
                shutil.copyfile(self.path, temp)
                check = f"govpress_snapshot_check_{os.getpid()}"
                con.execute(f"ATTACH '{str(temp).replace(chr(39), chr(39) * 2)}' AS {check} (READ_ONLY)")
                try:
                    con.execute(f"SELECT max(version) FROM {check}.schema_version").fetchone()
                finally:
                    con.execute(f"DETACH DATABASE IF EXISTS {check}")
            os.replace(temp, dest)
        finally:
            temp.unlink(missing_ok=True)
        self.logger.info("published snapshot %s", dest)
        return dest
