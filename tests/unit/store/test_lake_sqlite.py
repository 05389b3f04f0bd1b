"""Several processes on one SQLite DuckLake catalogue (govpress/store/lake.py, lake_lock.py).

SQLite lets one connection write the catalogue file at a time, and a connection that is reading
it (a DuckDB transaction still open) keeps the writers out. Two concurrent ingests on one
catalogue were seen to stall each other until both failed: one held the writer lock while its
commit waited for the other's read, and the other waited for the writer lock. Here each store
object has its own DuckDB session and SQLite connection, as two processes do.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from govpress import coverage
from govpress.errors import StoreBusy
from govpress.store.lake import COMMITS_TABLE, LakeCatalogueLocked, LakeStore, open_lake
from govpress.store.lake_lock import LakeWriterBusy, writer_lock
from govpress.storage import DuckLake, parse_store

pytestmark = pytest.mark.slow  # a lake migration takes ~10 s on this machine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> DuckLake:
    folder = tmp_path_factory.mktemp("sqlite-lake")
    location = parse_store(f"ducklake:sqlite:{folder / 'catalog.sqlite'}?data_path={folder / 'data'}")
    store = LakeStore(location)
    store.migrate()
    store.close()
    return location


def commits(location: DuckLake) -> int:
    with LakeStore(location).reader(fts=False) as con:
        return con.execute(f"SELECT commits FROM {COMMITS_TABLE}").fetchone()[0]


def test_a_half_read_result_does_not_keep_another_process_from_writing(lake: DuckLake) -> None:
    reading, writing = LakeStore(lake, lock_timeout=5), LakeStore(lake, lock_timeout=5)
    try:
        with reading.writer() as con:  # the store's own reads go through its (kept) session
            first = con.execute(f"SELECT * FROM range(3) CROSS JOIN {COMMITS_TABLE}").fetchone()
        assert first is not None
        before = commits(lake)
        # A read left half done would hold SQLite's read lock until the session's next statement,
        # and this commit would wait for it until the lock timeout (LakeConflict).
        writing.heartbeat("no-such-run", NOW)
        assert commits(lake) == before + 1
    finally:
        reading.close()
        writing.close()


def test_coverage_ranges_are_written_behind_the_writer_lock(lake: DuckLake) -> None:
    store = LakeStore(lake, lock_timeout=1)
    found = coverage.DayRange(date(2026, 10, 1), date(2026, 10, 5))
    try:
        before = commits(lake)
        assert coverage.record(store, "demo_a", found, "run-1", NOW) == [found]
        assert commits(lake) == before + 1  # a write like the others: it bumps lake_commits
        with writer_lock(lake).held(5):  # another process is writing
            with pytest.raises(LakeWriterBusy, match="one write at a time"):
                coverage.record(store, "demo_b", found, "run-1", NOW)
    finally:
        store.close()
    assert [r for r in coverage.load(LakeStore(lake), "demo_b").ranges] == []


HOLD = """import sqlite3, sys
con = sqlite3.connect(sys.argv[1], timeout=0)
con.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()
"""


def test_a_catalogue_locked_by_another_process_is_a_clear_error_naming_the_limit(lake: DuckLake) -> None:
    # Another process in the middle of a commit (SQLite's locks are per process: it must be another one).
    holder = subprocess.Popen([sys.executable, "-c", HOLD, lake.connection], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LakeCatalogueLocked) as raised:
            open_lake(lake, read_only=False, fts=False, lock_wait=1.0).close()
    finally:
        holder.communicate("", timeout=30)  # end of its stdin: it exits, and the lock goes with it
    error = raised.value
    assert isinstance(error, StoreBusy) and error.exit_code == 4  # the CLI's one line and exit code
    assert "locked by another process" in str(error) and "PostgreSQL" in str(error)
    open_lake(lake, read_only=True, fts=False, lock_wait=1.0).close()  # free again: it attaches
