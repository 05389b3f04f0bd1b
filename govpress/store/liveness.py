"""Is a run marked ``running`` still alive? Its process, its host and its heartbeat decide; the dead are marked ``crashed``.

A run records its process id and host name when it starts and refreshes ``heartbeat_at`` every
:data:`HEARTBEAT_SECONDS` while it works. A process killed hard (SIGKILL, a power cut) or a
write refused at the very end (a full disk) leaves the row ``running``; the next run on the same
database calls :func:`mark_crashed_runs` and closes each dead row as ``crashed`` with the reason:

- same host, and the process is gone (or is a zombie): crashed at once;
- same process (a run that raised without closing its row, e.g. the disk refused that write
  too): crashed unless this process is running it right now;
- otherwise (another host, or a pid that is alive but may have been reused): crashed when the
  heartbeat is older than :data:`STALE_AFTER`.

A crashed row keeps ``finished_at`` NULL (it never finished); each source it covered is recorded
in ``per_source`` as ``abandoned`` with the reason.

Rows from before schema version 7 have no pid or host: their last sign of life is their start.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from govpress.store.arrow import inline

HEARTBEAT_SECONDS = 60.0
STALE_AFTER = timedelta(minutes=15)
"""No heartbeat for this long: the run is dead even if a process with its pid exists (15 missed beats)."""


def this_host() -> str:
    return socket.gethostname()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie (a killed child its parent has not reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): existing is all we can tell
    return state not in ("Z", "X")


@dataclass(frozen=True, slots=True)
class RunningRow:
    run_id: str
    flow: str
    started_at: datetime
    pid: int | None
    host: str | None
    heartbeat_at: datetime | None


def crash_reason(row: RunningRow, *, host: str, pid: int, now: datetime, active: Collection[str],
                 alive: Callable[[int], bool] = process_alive, stale_after: timedelta = STALE_AFTER) -> str | None:
    """Why ``row`` is dead (a line for runs.message), or None when it may still be running."""
    last = row.heartbeat_at or row.started_at
    where = f"process {row.pid} on {row.host}" if row.pid is not None else "its process"
    if row.host == host and row.pid is not None:
        if row.pid == pid:
            if row.run_id in active:
                return None
            return f"crashed: {where} (this one) left it unfinished (last heartbeat {last:%Y-%m-%d %H:%M:%S %Z})"
        if not alive(row.pid):
            return f"crashed: {where} is gone (last heartbeat {last:%Y-%m-%d %H:%M:%S %Z})"
    if now - last > stale_after:
        minutes = (now - last).total_seconds() / 60
        return f"crashed: no heartbeat from {where} for {minutes:.0f} min (since {last:%Y-%m-%d %H:%M:%S %Z})"
    return None


def record_process(con: duckdb.DuckDBPyConnection, run_id: str, pid: int, host: str, at: datetime) -> None:
    con.execute(*inline("UPDATE runs SET pid = ?, host = ?, heartbeat_at = ? WHERE run_id = ?", [pid, host, at, run_id]))


def beat(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime) -> None:
    """A sign of life from a running run (nothing for a row already closed)."""
    con.execute(*inline("UPDATE runs SET heartbeat_at = ? WHERE run_id = ? AND status = 'running'", [at, run_id]))


def running_rows(con: duckdb.DuckDBPyConnection) -> list[RunningRow]:
    rows = con.execute(
        "SELECT run_id, flow, started_at, pid, host, heartbeat_at FROM runs WHERE status = 'running' ORDER BY started_at"
    ).fetchall()
    return [RunningRow(*row) for row in rows]


def mark_crashed_runs(con: duckdb.DuckDBPyConnection, *, active: Collection[str], now: datetime | None = None,
                      alive: Callable[[int], bool] = process_alive,
                      stale_after: timedelta = STALE_AFTER) -> list[tuple[str, str]]:
    """Close every dead ``running`` row as ``crashed``; returns (run_id, reason) of each."""
    now = now or datetime.now(timezone.utc)
    host, pid = this_host(), os.getpid()
    crashed = []
    for row in running_rows(con):
        reason = crash_reason(row, host=host, pid=pid, now=now, active=active, alive=alive, stale_after=stale_after)
        if reason is None:
            continue
        # Each source the run covered ends 'abandoned' (the word the source_runs view uses for a run
        # that died), so the per-source views count it as the failure it was.
        [(source_ids,)] = con.execute("SELECT source_ids FROM runs WHERE run_id = ?", [row.run_id]).fetchall()
        per_source = json.dumps([{"source_id": s, "status": "abandoned", "message": reason} for s in source_ids or []],
                                ensure_ascii=False)
        con.execute("UPDATE runs SET status = 'crashed', message = ?, per_source = coalesce(per_source, ?) "
                    "WHERE run_id = ? AND status = 'running'", [reason, per_source, row.run_id])
        crashed.append((row.run_id, reason))
    return crashed
