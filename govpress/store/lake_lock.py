"""One writer at a time on a lake, taken before a write transaction starts, so concurrent loads queue instead of conflicting.

DuckLake commits optimistically: a transaction learns that it lost only when it commits, after
all its work. Every govpress write touches ``lake_commits`` (govpress/store/lake.py), so two
loads at once always conflict and one of them redoes its whole batch; with three workers a long
batch kept losing to shorter ones (measured: a 20-release batch failed after 4 attempts in 160 s).
So each write transaction first takes a lock that the catalogue's other writers share:

- PostgreSQL catalogue: a session advisory lock (``pg_advisory_lock``) on a connection of its
  own, queued first come first served by PostgreSQL and released when the holder's connection
  ends, so a killed worker never leaves it taken;
- SQLite catalogue: an ``flock`` on ``<catalogue>.writer-lock`` (one machine), released by the
  kernel when the process dies.

Loads are short next to fetching and parsing, which stay parallel. The conflict retry stays
behind the lock for writers that do not take it (another tool writing to the catalogue).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govpress.errors import StoreBusy
from govpress.storage import DuckLake

ADVISORY_KEY = 0x676F7670726573  # "govpres": one lock per catalogue database
POLL_SECONDS = 0.05
APPLICATION_PREFIX = "govpress-writer-"
HOLDER_SQL = ("SELECT a.application_name, extract(epoch FROM now() - a.state_change) FROM pg_locks l "
              "JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted "
              f"AND l.objid = {ADVISORY_KEY & 0xFFFFFFFF} AND a.application_name LIKE '{APPLICATION_PREFIX}%'")
"""Who holds a PostgreSQL catalogue's writer lock, and for how many seconds (for operators and the tests)."""


SQLITE_LIMIT = ("a SQLite catalogue serves the processes of one machine one write at a time, each waiting for "
                "the others; several busy workers need a PostgreSQL catalogue (docs/scale.md)")
"""What a SQLite catalogue cannot do, said in every error that comes from another process holding it."""


class LakeWriterBusy(StoreBusy, RuntimeError):
    """Another writer held the lake's writer lock for longer than the store's lock timeout."""


class PostgresWriterLock:
    """``pg_advisory_lock`` on a connection kept open between writes (reopened when it broke)."""

    def __init__(self, connection: str) -> None:
        self.connection = connection
        self._con = None

    def _connect(self):
        import psycopg

        if self._con is None or self._con.closed:
            # The process id in the session's name says which worker holds the lock (pg_stat_activity).
            self._con = psycopg.connect(self.connection, autocommit=True,
                                        application_name=f"{APPLICATION_PREFIX}{os.getpid()}")
        return self._con

    @contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        import psycopg

        con = self._connect()
        try:
            con.execute(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
            con.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        except psycopg.errors.LockNotAvailable:
            raise LakeWriterBusy(f"another writer held the lake's writer lock for over {timeout:.0f} s") from None
        except psycopg.OperationalError:
            self.close()  # a broken connection: the next write opens a new one
            raise
        try:
            yield
        finally:
            try:
                con.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
            except psycopg.Error:
                self.close()  # closing the session releases the lock too

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


class FileWriterLock:
    """``flock`` on a file beside a SQLite catalogue."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def held(self, timeout: float) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LakeWriterBusy(f"another process held the lake's writer lock {self.path} for over "
                                             f"{timeout:.0f} s: {SQLITE_LIMIT}") from None
                    time.sleep(POLL_SECONDS)
            yield
        finally:
            os.close(fd)  # releases the flock

    def close(self) -> None:
        """Nothing stays open between writes."""


def lock_holder(connection: str) -> tuple[int, float] | None:
    """(process id, seconds held) of the worker holding a PostgreSQL catalogue's writer lock; None when free."""
    import psycopg

    with psycopg.connect(connection, autocommit=True) as con:
        row = con.execute(HOLDER_SQL).fetchone()
    return (int(row[0][len(APPLICATION_PREFIX):]), float(row[1])) if row else None


def writer_lock(location: DuckLake) -> PostgresWriterLock | FileWriterLock:
    if location.catalog == "postgres":
        return PostgresWriterLock(location.connection)
    return FileWriterLock(Path(f"{location.connection}.writer-lock"))
