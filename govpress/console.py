"""Terminal output shared by the command line and the demo: the consoles and the per-source run table.

Its own module so that govpress/cli.py and govpress/demo/run.py both use it without importing
each other; it imports rich only (DuckDB is imported when a run is read back).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

# Piped output (logs, CI) gets a wide table instead of 80 columns of truncated names.
console = Console() if sys.stdout.isatty() else Console(width=200)
err = Console(stderr=True)

OUTCOME_COLUMNS = (
    ("discovered", "discovered"), ("fetched", "fetched"), ("not mod.", "not_modified"), ("new", "new"),
    ("updated", "updated"), ("unchanged", "unchanged"), ("dupes", "duplicate"), ("removed", "removed"),
    ("failed", "failed"), ("s", "seconds"),
)


def print_outcomes(sources: list[dict], out: Console | None = None) -> None:
    """One row per source (failing ones in red), then each failing source's message."""
    out = out or console
    table = Table(title="Per source")
    table.add_column("source")
    table.add_column("status")
    for title, _ in OUTCOME_COLUMNS:
        table.add_column(title, justify="right")
    for o in sources:
        style = None if o["status"] == "ok" else "red"
        table.add_row(o["source_id"], o["status"], *(str(o[key]) for _, key in OUTCOME_COLUMNS), style=style)
    out.print(table)
    for o in sources:
        if o["status"] != "ok" and o.get("message"):
            out.print(f"[red]{o['source_id']}[/red]: {o['message']}")


def last_run(db: Path, flow: str | None = None) -> dict | None:
    """The latest ``runs`` row of ``flow`` started by this process (its per-source outcomes); None without one.

    This process's own run first: with several workers on one store (a lake), the latest row of
    ``flow`` may be another worker's, still running. A store whose runs were all made elsewhere
    (or before runs recorded their process) gives its latest row.
    """
    import os

    from govpress.store import Store
    from govpress.store.liveness import this_host
    from govpress.storage import store_exists

    if not store_exists(db):
        return None
    with Store(db).reader(fts=False) as con:
        row = con.execute(
            "SELECT run_id, status, message, per_source FROM runs WHERE ($flow IS NULL OR flow = $flow) "
            "ORDER BY (pid IS NOT DISTINCT FROM $pid AND host IS NOT DISTINCT FROM $host) DESC, started_at DESC "
            "LIMIT 1", {"flow": flow, "pid": os.getpid(), "host": this_host()}
        ).fetchall()
    if not row:
        return None
    run_id, status, message, per_source = row[0]
    return {"run_id": run_id, "status": status, "message": message,
            "sources": json.loads(per_source) if per_source else []}


def print_last_run(db: Path, flow: str, out: Console | None = None, *, after: str = "") -> dict | None:
    """The latest run of ``flow``: its per-source table and a closing line (``after`` appended to it)."""
    out = out or console
    run = last_run(db, flow)
    if run is None:
        return None
    print_outcomes(run["sources"], out)
    out.print(f"run {run['run_id']}: {run['status']}" + (f" — {run['message']}" if run["message"] else "") + after)
    return run
