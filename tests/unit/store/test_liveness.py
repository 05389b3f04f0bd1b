"""Runs left ``running`` by a dead process are marked ``crashed`` by the next run (govpress/store/liveness.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from store_factories import batch, release, source, table_rows

from govpress.errors import DiskFull
from govpress.pipeline import SourceOutcome
from govpress.run import RunStart, run_lifecycle
from govpress.store import Store
from govpress.store.liveness import RunningRow, crash_reason, process_alive, this_host

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def row(**overrides) -> RunningRow:
    fields = dict(run_id="r1", flow="ingest", started_at=NOW - timedelta(minutes=5), pid=4242, host="box",
                  heartbeat_at=NOW - timedelta(minutes=1))
    fields.update(overrides)
    return RunningRow(**fields)


def reason(r: RunningRow, *, alive: bool, pid: int = 1, active=()) -> str | None:
    return crash_reason(r, host="box", pid=pid, now=NOW, active=active, alive=lambda _: alive)


def test_a_run_whose_process_is_gone_on_this_host_is_crashed_at_once():
    assert "process 4242 on box is gone" in reason(row(), alive=False)
    assert reason(row(), alive=True) is None  # alive and beating: running


def test_a_run_on_another_host_is_judged_by_its_heartbeat():
    elsewhere = row(host="other")
    assert reason(elsewhere, alive=False) is None  # its pid means nothing here
    assert "no heartbeat" in reason(row(host="other", heartbeat_at=NOW - timedelta(minutes=16)), alive=True)


def test_a_live_pid_with_a_stale_heartbeat_is_crashed_too():
    """The pid may have been reused by another process, or the run hangs: 15 missed beats are enough."""
    assert "no heartbeat" in reason(row(heartbeat_at=NOW - timedelta(minutes=20)), alive=True)


def test_this_process_own_rows_are_alive_only_while_it_runs_them():
    mine = row(pid=77)
    assert reason(mine, alive=True, pid=77, active={"r1"}) is None
    assert "(this one) left it unfinished" in reason(mine, alive=True, pid=77, active=set())


def test_rows_from_before_the_migration_use_their_start_time():
    old = row(pid=None, host=None, heartbeat_at=None, started_at=NOW - timedelta(hours=3))
    assert "no heartbeat" in reason(old, alive=True)


def test_process_alive_knows_a_dead_child():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_alive(child.pid) and process_alive(os.getpid())


def test_the_next_run_marks_a_killed_run_crashed(tmp_path: Path, store: Store):
    """A row left by a process that is gone (a real pid, waited for) is crashed when the next run starts."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.start_run("killed", "ingest", {}, ["gov_ru"], NOW)
    with store.writer() as con:
        con.execute("UPDATE runs SET pid = ?, host = ? WHERE run_id = 'killed'", [dead.pid, this_host()])

    async def nothing(run: RunStart) -> list[SourceOutcome]:
        return []

    asyncio.run(run_lifecycle(store.path, flow="test", parameters={}, sources=[source("gov_ru")], work=nothing,
                              publish_results=False))
    [(status, message, finished)] = table_rows(store, "SELECT status, message, finished_at FROM runs "
                                                      "WHERE run_id = 'killed'")
    assert status == "crashed" and f"process {dead.pid}" in message and "is gone" in message and finished is None
    [(per_source,)] = table_rows(store, "SELECT per_source FROM runs WHERE run_id = 'killed'")
    assert json.loads(per_source) == [{"source_id": "gov_ru", "status": "abandoned", "message": message}]


def test_a_run_whose_last_write_found_the_disk_full_is_crashed_by_the_next(tmp_path: Path, store: Store):
    """The disk fills mid-run: the load fails with the real error, closing the row fails too, the row stays
    running; once space is back the next run marks it crashed, and loads."""
    wal = store.path.with_name(store.path.name + ".wal")

    async def disk_fills(run: RunStart) -> list[SourceOutcome]:
        with run.store.writer() as con:  # the run's connection keeps its WAL: fold it in first
            con.execute("CHECKPOINT")
        wal.symlink_to("/dev/full")  # from now on every write to the write-ahead log: ENOSPC
        await asyncio.to_thread(run.store.load_batch, batch(release("r1", "Визит в Минск."), run_id=run.run_id))
        return []

    with pytest.raises(DiskFull, match="No space left on device"):
        asyncio.run(run_lifecycle(store.path, flow="test", parameters={}, sources=[source("gov_ru")],
                                  work=disk_fills, publish_results=False))
    wal.unlink()
    [(first, status)] = table_rows(store, "SELECT run_id, status FROM runs")
    assert status == "running"  # the disk refused the row's closing write as well

    async def loads(run: RunStart) -> list[SourceOutcome]:
        outcome = SourceOutcome(source_id="gov_ru")
        outcome.add(await asyncio.to_thread(run.store.load_batch, batch(release("r1", "Визит в Минск."),
                                                                        run_id=run.run_id)))
        return [outcome]

    again = asyncio.run(run_lifecycle(store.path, flow="test", parameters={}, sources=[source("gov_ru")],
                                      work=loads, publish_results=False))
    rows = dict(table_rows(store, "SELECT run_id, status FROM runs"))
    assert rows == {first: "crashed", again.run_id: "completed"} and again.counts["new"] == 1


def test_a_running_run_keeps_beating(tmp_path: Path, store: Store):
    seen: list[datetime] = []

    async def slow(run: RunStart) -> list[SourceOutcome]:
        from govpress.run import heartbeat

        beat = asyncio.create_task(heartbeat(run.store, run.run_id, every=0.05))
        for _ in range(400):  # bounded: a heartbeat that never comes fails the test instead of hanging it
            if len(seen) >= 2:
                break
            await asyncio.sleep(0.05)
            [(at,)] = table_rows(run.store, f"SELECT heartbeat_at FROM runs WHERE run_id = '{run.run_id}'")
            if not seen or at > seen[-1]:
                seen.append(at)
        beat.cancel()
        return []

    asyncio.run(run_lifecycle(store.path, flow="test", parameters={}, sources=[source("gov_ru")], work=slow,
                              publish_results=False))
    assert len(seen) == 2 and seen[1] > seen[0]
    [(pid, host)] = table_rows(store, "SELECT pid, host FROM runs")
    assert (pid, host) == (os.getpid(), this_host())


def test_the_command_prints_its_own_run_not_a_later_one_of_another_worker(store: Store):
    """Two workers on one store: the later row is another process's (still running); ours is printed."""
    from govpress.console import last_run

    store.start_run("ours", "ingest", {}, ["gov_ru"], NOW)
    store.start_run("theirs", "ingest", {}, ["gov_ru"], NOW + timedelta(minutes=1))
    with store.writer() as con:
        con.execute("UPDATE runs SET pid = pid + 1 WHERE run_id = 'theirs'")
    assert last_run(store.path, "ingest")["run_id"] == "ours"
    with store.writer() as con:  # no row of this process: the latest one
        con.execute("UPDATE runs SET pid = NULL WHERE run_id = 'ours'")
    assert last_run(store.path, "ingest")["run_id"] == "theirs"


def runs_writes(con) -> list[str]:
    """The statements DuckDB logged that wrote the ``runs`` table (its QueryLog, enabled by the caller)."""
    logged = [m for (m,) in con.execute("SELECT message FROM duckdb_logs WHERE type = 'QueryLog'").fetchall()]
    return [m for m in logged if m.lstrip().upper().startswith(("INSERT INTO RUNS", "UPDATE RUNS"))]


@pytest.mark.parametrize("again", [False, True], ids=["new run", "retried flow run"])
def test_a_runs_row_is_written_with_its_process_in_one_statement(store: Store, again: bool):
    """A SIGKILL between two autocommitted statements left a ``running`` row without pid or host, which every
    later run took for alive until it went stale (15 min): the crash-convergence test caught it once. The row's
    status and its process are one statement now, on a new run and on a retried one alike."""
    with store.session():
        if again:
            store.start_run("run-1", "ingest", {}, ["gov_ru"], NOW - timedelta(hours=1))
            store.finish_run("run-1", "failed", {}, "boom", [], NOW - timedelta(minutes=50))
        with store.writer() as con:
            con.execute("CALL enable_logging('QueryLog')")
        store.start_run("run-1", "ingest", {}, ["gov_ru"], NOW)
        with store.writer() as con:
            writes = runs_writes(con)
            con.execute("CALL disable_logging()")
    assert len(writes) == 1, writes
    [(status, pid, host, beat)] = table_rows(store, "SELECT status, pid, host, heartbeat_at FROM runs")
    assert (status, pid, host, beat) == ("running", os.getpid(), this_host(), NOW)
