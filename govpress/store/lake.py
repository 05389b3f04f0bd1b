"""The store on DuckLake: one catalogue (PostgreSQL or SQLite), Parquet files, many writers and readers at once.

A lake session is an in-memory DuckDB with the ``ducklake`` extension (and the catalogue's
scanner) loaded by path, the lake attached as ``lake`` and made the default database, so every
statement of the store (tables, views, macros) runs unchanged; the few that DuckLake cannot run
as they are go through :mod:`govpress.store.lake_dialect`.

**Concurrent writers, deterministic result.** DuckLake commits optimistically: two transactions
conflict only when they delete or update the same data, and two loads that only insert do not.
But a load *reads* before it writes (which release ids, hashes, translation keys and LSH buckets
are stored), so two loads committing side by side could each miss the other's rows: a syndicated
copy loaded by one worker would not be linked to its original loaded by another. So every write
transaction on the lake also bumps the one row of ``lake_commits`` (:data:`COMMITS_TABLE`); two
concurrent write transactions then always conflict, DuckLake commits one, and the other is rolled
back and run again from the start on the new snapshot (:meth:`LakeStore._write`, with backoff).
The writes are serializable: the tables equal those of the same batches loaded one after another,
which is what a single worker does, while fetching and parsing (the costly part) run in parallel.
To keep the losers from redoing whole batches again and again, writers also queue on a lock the
catalogue's writers share before they begin (govpress/store/lake_lock.py); the conflict retry is
what keeps the result right for a writer that does not take it.

Readers attach the lake ``READ_ONLY`` and see the last committed snapshot: a batch (one
transaction) is all there or not at all.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from govpress.fetch.retry import backoff_delay
from govpress.store import lake_dialect, migrations
from govpress.store.connection import Store, lock_timeout_default
from govpress.store.extensions import load_extension
from govpress.errors import StoreBusy
from govpress.store.lake_lock import SQLITE_LIMIT, writer_lock
from govpress.store.lake_search import build_fts_index
from govpress.storage import DuckLake, StoreLocation, parse_store
from govpress.store.migrations import split_statements

LAKE = "lake"
"""The name the lake is attached under in every session (``USE lake``)."""
HAS_TABLE = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?"
"""The store's "does this table exist" probe (load.py, events.py), asked a few times per batch.

On a lake, ``duckdb_tables()`` reads every attached catalogue's metadata from PostgreSQL: 0.23 s
a call measured on this machine, about a tenth of a 50-release batch's load. A table once seen
stays (only migrations drop tables, and a statement that could drop one clears the answers), so
the session remembers the tables it found and answers those from memory."""
DROPS_TABLES = re.compile(r"\b(?:DROP|ALTER|RENAME)\b", re.IGNORECASE)
COMMITS_TABLE = "lake_commits"
ATTACH_ATTEMPTS = 8
"""Attempts to attach a catalogue that fails for another reason than a lock (one being created, a network blip)."""
LOCKED = "database is locked"
"""SQLite's answer while another process writes the catalogue (its commit holds the file for itself)."""
T = TypeVar("T")


class LakeConflict(StoreBusy, RuntimeError):
    """A write kept conflicting with other writers for longer than the store's lock_timeout."""


class LakeCatalogueLocked(StoreBusy, RuntimeError):
    """A SQLite catalogue stayed locked by another process's write for longer than the store waits to attach it."""


CONFLICT_SIGNS = (
    "conflict",  # DuckLake: another transaction committed a change to the same rows first
    "failed to commit",
    "database is locked",  # a SQLite catalogue busy with another writer's commit
    "current transaction is aborted",  # the catalogue's own transaction was cancelled by one of the above
    "could not serialize",  # PostgreSQL's serialization failure on the catalogue tables
    "deadlock detected",
    "duplicate key value",  # two first commits racing for the same catalogue row
)


def is_conflict(error: BaseException) -> bool:
    """DuckLake's answer to a commit that lost against a concurrent one (or a catalogue busy with one): retry."""
    text = str(error).lower()
    return isinstance(error, duckdb.Error) and any(sign in text for sign in CONFLICT_SIGNS)


def attach_sql(location: DuckLake, *, read_only: bool) -> str:
    options = [f"DATA_PATH '{location.data_path}'"]
    if read_only:
        options.append("READ_ONLY")
    target = location.attach_target().replace("'", "''")
    return f"ATTACH '{target}' AS {LAKE} ({', '.join(options)})"


def open_lake(location: DuckLake, *, read_only: bool, fts: bool = True,
              lock_wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB session with the lake attached as the default database.

    The first attach of an empty catalogue creates DuckLake's own tables; when several workers
    start at once one of them may lose that race, so the attach is retried a few times. A SQLite
    catalogue another process is writing answers "database is locked": that is waited out for
    ``lock_wait`` seconds (the store's lock timeout), then :class:`LakeCatalogueLocked` says why.
    """
    lock_wait = lock_timeout_default() if lock_wait is None else lock_wait
    con = duckdb.connect()
    try:
        load_extension(con, "ducklake")
        load_extension(con, "postgres_scanner" if location.catalog == "postgres" else "sqlite_scanner")
        if fts:  # stem() for the search macros; the index itself is not the extension's (lake_search)
            load_extension(con, "fts")
        if not read_only and "://" not in location.data_path:
            Path(location.data_path).mkdir(parents=True, exist_ok=True)
        rng, started, attempt, other_failures = random.Random(), time.monotonic(), 0, 0
        while True:
            attempt += 1
            try:
                con.execute(attach_sql(location, read_only=read_only))
                break
            except (duckdb.Error, RuntimeError) as error:
                waited = time.monotonic() - started
                if LOCKED not in str(error).lower():
                    other_failures += 1
                    if other_failures == ATTACH_ATTEMPTS:
                        raise
                elif waited >= lock_wait:
                    raise LakeCatalogueLocked(
                        f"{location}: the catalogue stayed locked by another process for {waited:.0f} s "
                        f"({attempt} attempts to attach it): {SQLITE_LIMIT}") from error
                time.sleep(min(backoff_delay(attempt, 0.2, 3.0, rng), max(0.0, lock_wait - waited) + 0.01))
        con.execute(f"USE {LAKE}")
        return con
    except BaseException:
        con.close()
        raise


class LakeConnection:
    """A lake session as the store's code sees a DuckDB connection: statements pass through the lake dialect,
    and every explicit write transaction bumps ``lake_commits`` before it commits (see the module docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, tables: set[str] | None = None) -> None:
        self._con = con
        self._views: set[str] | None = None
        self._tables = tables if tables is not None else set()
        """Tables of the lake's main schema this session has seen exist (see :data:`HAS_TABLE`)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def _run(self, statement: str, parameters: Any = None) -> Any:
        kind, sql = lake_dialect.translate(statement)
        if kind == "skip":
            return self._con
        if kind == "fts":
            build_fts_index(self._con, sql, LAKE)
            return self._con
        if kind == "comment" and lake_dialect.COMMENT_ON_COLUMN.match(sql)[1] in self._view_names():
            return self._con
        return self._con.execute(sql, parameters) if parameters is not None else self._con.execute(sql)

    def _view_names(self) -> set[str]:
        return {name for (name,) in self._con.execute(
            "SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal").fetchall()}

    def execute(self, sql: str, parameters: Any = None) -> Any:
        if sql == HAS_TABLE and parameters:
            return self._has_table(parameters[0])
        if DROPS_TABLES.search(sql):
            self._tables.clear()
        if not lake_dialect.needs_translation(sql):
            return self._con.execute(sql, parameters) if parameters is not None else self._con.execute(sql)
        statements = split_statements(sql) if parameters is None else [sql]
        result = self._con
        for statement in statements:
            result = self._run(statement, parameters)
        return result

    def _has_table(self, name: str) -> Any:
        if name not in self._tables:
            result = self._con.execute(HAS_TABLE, [name]).fetchone()
            if not result[0]:
                return self._con.execute("SELECT 0::BIGINT")
            self._tables.add(name)
        return self._con.execute("SELECT 1::BIGINT")

    def executemany(self, sql: str, parameters: Any) -> Any:
        if not lake_dialect.needs_translation(sql):
            return self._con.executemany(sql, parameters)
        kind, translated = lake_dialect.translate(sql)
        return self._con.executemany(translated, parameters)

    def rollback(self) -> Any:
        """Roll back; a failed commit has already ended the transaction, and saying so again would hide why."""
        try:
            return self._con.rollback()
        except duckdb.TransactionException as error:
            if "no transaction is active" not in str(error):
                raise
            return self._con

    def commit(self) -> Any:
        self._con.execute(f"UPDATE {COMMITS_TABLE} SET commits = commits + 1, committed_at = now()")
        return self._con.commit()


COMMITS_DDL = f"""CREATE TABLE IF NOT EXISTS {COMMITS_TABLE} (commits BIGINT NOT NULL, committed_at TIMESTAMPTZ);
COMMENT ON TABLE {COMMITS_TABLE} IS 'DuckLake only: one row that every write transaction updates, so that two concurrent writers conflict and one of them retries on the other''s result (govpress/store/lake.py). Not content.';
COMMENT ON COLUMN {COMMITS_TABLE}.commits IS 'Write transactions committed so far.';
COMMENT ON COLUMN {COMMITS_TABLE}.committed_at IS 'When the last one committed.'"""


class LakeStore(Store):
    """:class:`Store` on a DuckLake catalogue: the same methods; writers queue on the catalogue's lock, and a
    write that still lost to a concurrent commit is run again.

    One session per store object, kept open (a lake session locks nothing), used by one thread
    at a time; readers get their own read-only sessions.
    """

    batch_pages = 400
    """Larger than the file's: a lake pays per statement and per commit (catalogue round trips, a
    snapshot, new Parquet files), not per row, so fewer, bigger transactions load faster (2.5x from 50
    to 400 pages a batch, docs/scale.md) and leave fewer small files; one batch still fits in memory."""

    def __init__(self, location: StoreLocation | str, *, lock_timeout: float | None = None, logger: Any = None) -> None:
        self.location = parse_store(location)
        if not isinstance(self.location, DuckLake):
            raise TypeError(f"LakeStore needs a ducklake: location, not {self.location}")
        self.path = Path(self.location.data_path.rstrip("/")) if "://" not in self.location.data_path else None
        self.lock_timeout = lock_timeout_default() if lock_timeout is None else lock_timeout
        self.logger = logger or logging.getLogger("govpress.store")
        self._session: duckdb.DuckDBPyConnection | None = None
        self._tables: set[str] = set()  # the writer session's known tables (LakeConnection._has_table)
        self._lock = threading.RLock()
        self._shared = None
        self._writer_lock = writer_lock(self.location)

    @contextmanager
    def session(self, *, idle_close: float = 0.0, threads: int | None = None) -> Iterator[LakeStore]:
        """A lake session locks nothing, so the store keeps its one writer session open anyway; closed at the end.
        (``threads`` is the file store's: a lake session keeps DuckDB's default.)"""
        try:
            yield self
        finally:
            self.close()

    def check_usable(self) -> None:
        """Refuse a lake whose catalogue cannot be reached, or whose schema is newer than this govpress knows."""
        with self.writer() as con:
            if "schema_version" not in {name for (name,) in con.execute("SHOW TABLES").fetchall()}:
                return
            version = migrations.current_version(con)
        if version > migrations.LATEST_VERSION:
            raise migrations.SchemaTooNew(
                f"{self.location} has schema version {version} but this govpress only knows up to version "
                f"{migrations.LATEST_VERSION}: it was written by a newer govpress. Upgrade govpress.")

    def __repr__(self) -> str:
        return f"LakeStore({str(self.location)!r})"

    def close(self) -> None:
        with self._lock:
            self._writer_lock.close()
            if self._session is not None:
                self._session.close()
                self._session = None
            self._tables.clear()

    # -- connections ---------------------------------------------------------------------------

    @contextmanager
    def writer(self, *, fts: bool = False, same_schema: bool = False) -> Iterator[LakeConnection]:
        # (``same_schema`` is the file store's: a lake session answers its table probes from memory.)
        with self._lock:
            if self._session is None:
                self._session = open_lake(self.location, read_only=False, lock_wait=self.lock_timeout)
            try:
                yield LakeConnection(self._session, self._tables)
            except duckdb.ConnectionException:
                self.close()  # the catalogue went away: the next call opens a new session
                raise
            finally:
                self._end_pending_result()

    @contextmanager
    def reading(self) -> Iterator[LakeConnection]:
        """:meth:`writer` (a lake session has no seeded-file state to keep: ``Store._untouched`` stays False)."""
        with self.writer(same_schema=True) as con:
            yield con

    def _end_pending_result(self) -> None:
        """End the statement a caller left half read (``fetchone()`` of several rows), and so its transaction.

        Until the session runs its next statement, a half-read result keeps its DuckDB transaction
        open, and on a SQLite catalogue that transaction holds a read lock on the catalogue file:
        another process's commit then waits for it while this process waits for the writer lock
        that process holds (measured: two concurrent ingests stuck until both failed after 120 s).
        """
        if self._session is not None:
            try:
                self._session.execute("SELECT 1").fetchall()
            except duckdb.Error:
                pass  # a broken session: the next write opens a new one

    @contextmanager
    def reader(self, *, fts: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        con = open_lake(self.location, read_only=True, fts=fts, lock_wait=self.lock_timeout)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def sandboxed_reader(self, *, writable_dir: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-only, and no file access but the lake's own data files (and ``writable_dir`` when given)."""
        with self.reader(fts=True) as con:
            allowed = [self.location.data_path] + ([str(Path(writable_dir).resolve())] if writable_dir else [])
            con.execute("SET allowed_directories = $dirs", {"dirs": allowed})
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
            yield con

    def _write(self, work: Callable[[LakeConnection], T]) -> T:
        """Run ``work`` on the writer session; when DuckLake reports a conflict, run it again (backoff) on the new snapshot."""
        started, attempt, rng = time.monotonic(), 0, random.Random()
        while True:
            attempt += 1
            try:
                # The writer lock first (lake_lock.py): writers queue instead of losing at commit.
                with self._lock, self._writer_lock.held(self.lock_timeout), self.writer() as con:
                    return work(con)
            except duckdb.Error as error:
                self._rollback_quietly()
                if not is_conflict(error):
                    raise
                self.close()  # start the next attempt from a new attach: nothing of the lost transaction stays
                waited = time.monotonic() - started
                if waited > self.lock_timeout:
                    limit = f": {SQLITE_LIMIT}" if self.location.catalog == "sqlite" else ""
                    raise LakeConflict(f"{self.location}: still conflicting with other writers after {attempt} "
                                       f"attempts in {waited:.1f} s{limit}") from error
                delay = backoff_delay(attempt, 0.05, 2.0, rng)
                self.logger.info("lake commit conflicted with another writer (attempt %d); retrying in %.2f s",
                                 attempt, delay)
                time.sleep(delay)

    def _rollback_quietly(self) -> None:
        with self._lock:
            if self._session is not None:
                try:
                    self._session.rollback()
                except duckdb.Error:
                    pass  # no transaction open: the failed commit already ended it

    # -- schema --------------------------------------------------------------------------------

    def migrate(self) -> int:
        def commits_table(con: LakeConnection) -> None:
            for statement in split_statements(COMMITS_DDL):
                con.execute(statement)
            if not con.execute(f"SELECT count(*) FROM {COMMITS_TABLE}").fetchone()[0]:
                con.execute(f"INSERT INTO {COMMITS_TABLE} VALUES (0, now())")

        def run(con: LakeConnection) -> int:
            # One transaction (which bumps the row it creates): workers migrating an empty lake at
            # once conflict, and the losers retry and find the table and its one row there.
            _in_transaction(con, lambda: commits_table(con))
            return migrations.migrate(con)  # one transaction per migration, each bumping lake_commits

        with self._lock, self.writer() as con:  # already current (every run after the first): no write at all
            tables = {name for (name,) in con.execute("SHOW TABLES").fetchall()}
            if COMMITS_TABLE in tables and "schema_version" in tables:
                version = migrations.current_version(con)
                if version == migrations.LATEST_VERSION:
                    return version
        return self._write(run)

    # -- writes, each retried on a conflict -----------------------------------------------------

    def upsert_sources(self, sources, run_id):
        from govpress.store import load as loader
        self._write(lambda con: loader.upsert_sources(con, sources, run_id))

    def start_run(self, run_id, flow, parameters, source_ids, started_at):
        from govpress.store import liveness
        from govpress.store import load as loader

        def start(con: LakeConnection) -> None:
            loader.start_run(con, run_id, flow, parameters, source_ids, started_at,
                             process=(os.getpid(), liveness.this_host()))

        self._write(lambda con: _in_transaction(con, lambda: start(con)))

    def heartbeat(self, run_id, at):
        from govpress.store import liveness
        self._write(lambda con: _in_transaction(con, lambda: liveness.beat(con, run_id, at)))

    def mark_crashed_runs(self, active=frozenset()):
        from govpress.store import liveness
        return self._write(lambda con: _in_transaction(con, lambda: liveness.mark_crashed_runs(con, active=active)))

    def finish_run(self, run_id, status, counts, message, per_source, finished_at):
        from govpress.store import load as loader
        self._write(lambda con: _in_transaction(con, lambda: loader.finish_run(
            con, run_id, status, counts, message, per_source, finished_at)))

    def in_transaction(self, work: Callable[[LakeConnection], T], *, same_schema: bool = False) -> T:
        # (``same_schema`` is the file store's: a lake session answers its table probes from memory.)
        return self._write(lambda con: _in_transaction(con, lambda: work(con)))

    def load_batch(self, batch):
        from govpress.store import load as loader
        return self._write(lambda con: loader.load_batch(con, batch))

    def rebuild_search_index(self, *, full: bool = True) -> None:
        """The whole index, always: the in-place update's bookkeeping table (search_indexed) is keyed,
        which DuckLake cannot hold; a lake rebuilds from its scratch build as before (``create_fts_index``, which
        its dialect builds apart: not filled in place)."""
        from govpress.store import search
        self._write(lambda con: search.rebuild_search_index(con, full=True, in_place=False))

    def checksum(self) -> dict[str, str]:
        from govpress.store import load as loader
        with self.reader(fts=False) as con:
            return loader.content_checksums(con)

    # -- analysts' copy ------------------------------------------------------------------------

    def default_snapshot_path(self) -> Path:
        raise NotImplementedError("a DuckLake store has no snapshot file: every commit is a snapshot")

    def publish_snapshot(self, dest: Path | None = None) -> None:
        """Nothing to copy: analysts attach the lake read-only and see the last committed snapshot."""
        return None

    def current_snapshot(self) -> int:
        with self.reader(fts=False) as con:
            return con.execute(f"SELECT id FROM {LAKE}.current_snapshot()").fetchone()[0]


def _in_transaction(con: LakeConnection, work: Callable[[], T]) -> T:
    """``work`` inside one transaction (so it bumps lake_commits like every other write)."""
    con.begin()
    try:
        result = work()
        con.commit()
        return result
    except BaseException:
        con.rollback()
        raise
