"""What a flow run leaves in the Prefect UI: the per-source table, the markdown report, the run's end state.

Every writing flow ends the same way: :func:`run_announcement` (table ``ingest-summary``, report
``ingest-report`` with the chart as a picture, one log line; sent while the run's snapshot is written),
then :func:`end_state`: the run's result when every source went through, else a **Failed** state
naming the sources that failed or were blocked (their rows, and the other sources' rows, are loaded), or a Completed
state saying which sources left pages for the next run. Flows return states instead of raising:
a flow run that raises gets an unnamed "unknown" result artifact beside ours; :func:`guarded`
turns an unexpected error into a Failed state with the error as its message (the traceback goes
to the run's log).
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

from prefect import get_run_logger
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.states import Completed, Failed, State

from govpress.errors import GovpressError

from govpress.flows.parameters import DateRange
from govpress.pipeline import SourceOutcome
from govpress.report import ReportData, chart_range, headline, render_report, report_data
from govpress.run import Announcement, Published, RunResult
from govpress.store import Store

__all__ = ["end_state", "guarded", "headline", "publish_snapshot_report", "run_announcement", "summary_rows"]


def summary_rows(result: RunResult) -> list[dict]:
    """The table artifact: one row per source."""
    return [
        {"source": o.source_id, "status": o.status, "discovered": o.discovered, "fetched": o.fetched,
         "not modified": o.not_modified, "new": o.new, "updated": o.updated, "unchanged": o.unchanged,
         "duplicates": o.duplicate, "removed": o.removed, "failed": o.failed, "blocked pages": o.blocked_pages, "unfinished": o.unfinished,
         "language mismatch": o.language_mismatch, "seconds": o.seconds, "message": o.message}
        for o in result.outcomes
    ]


def run_announcement(line: Callable[[list[SourceOutcome]], str], dates: DateRange | None = None) -> Announcement:
    """The run's table artifact (per source), markdown report (attention, failed pages, chart over the run's range,
    gaps) and log line, as the run's lifecycle sends them while its snapshot is written (govpress/run.py,
    ``Announcement``): the report's queries on the run's own connection, then the table, then the report.
    ``line(outcomes)``: the run's headline."""

    def read(store: Store, result: RunResult) -> ReportData:
        first, last = chart_range(dates.since if dates else None, dates.until if dates else None,
                                  datetime.now(timezone.utc).date())
        return report_data(store, result.run_id, [o.source_id for o in result.outcomes], first, last)

    async def send(result: RunResult, data: ReportData) -> None:
        headline_ = line(result.outcomes)
        await acreate_table_artifact(key="ingest-summary", table=summary_rows(result),
                                     description=f"Run {result.run_id}: {headline_}")
        await acreate_markdown_artifact(key="ingest-report", description=headline_,
                                        markdown=render_report(result.run_id, headline_, result.outcomes, data))
        get_run_logger().info("run %s: %s", result.run_id, headline_)

    return Announcement(read=read, send=send)


def ended_by(error: GovpressError) -> State:
    """The final state of a flow stopped by a known failure (a full disk, an unusable database).

    The run's line is logged once and the run ends Failed with it (the error kept for a command
    line running the flow in this process: :func:`failure_of`), instead of Prefect's engine logging
    a traceback for an error that has a plain explanation.
    """
    from prefect.runtime import flow_run

    get_run_logger().error("%s", error.line())
    if flow_run.id:
        ENDED_BY[str(flow_run.id)] = error
    return Failed(message=error.line())


ENDED_BY: dict[str, GovpressError] = {}
"""Flow run id -> the known failure that ended it, for a command line that ran the flow in this process."""


def failure_of(state: State) -> GovpressError | None:
    """The known failure that ended the flow run of ``state`` in this process (see :func:`ended_by`), else None."""
    run_id = getattr(state.state_details, "flow_run_id", None)
    return ENDED_BY.pop(str(run_id), None) if run_id is not None else None


def end_state(result: RunResult) -> State | dict[str, Any]:
    """The flow's end: its result (Completed), a Completed state naming unfinished sources, or Failed naming failing ones."""
    failing = result.failing
    if failing:
        names = "; ".join(f"{o.source_id} ({o.status}: {o.message})" for o in failing)
        return Failed(message=f"{len(failing)} of {len(result.outcomes)} sources failed: {names}")
    unfinished = [o for o in result.outcomes if o.status == "unfinished"]
    if unfinished:
        names = "; ".join(f"{o.source_id} ({o.message})" for o in unfinished)
        return Completed(message=f"{len(unfinished)} of {len(result.outcomes)} sources unfinished: {names}")
    return result.as_dict()


async def guarded(work: Awaitable[State | dict[str, Any]]) -> State | dict[str, Any]:
    """Await a flow's work; a known failure ends it Failed with its one line, an unexpected error with its traceback in the log."""
    try:
        return await work
    except GovpressError as error:  # a full disk, an unusable database: its one line, not a traceback
        return ended_by(error)
    except Exception as exc:  # noqa: BLE001 - the run ends Failed either way; this way without an unnamed artifact
        get_run_logger().exception("the run failed")
        return Failed(message=f"{type(exc).__name__}: {exc}")


async def publish_snapshot_report(published: Published, steps: str) -> None:
    """The ``publish`` flow's markdown artifact: what was rebuilt and where the snapshot is."""
    lines = [f"# publish: {steps}", "", f"Database `{published.db}`."]
    if published.index_seconds is not None:
        lines.append(f"- Search index rebuilt in {published.index_seconds} s.")
    if published.snapshot is not None:
        lines.append(f"- Snapshot `{published.snapshot}` with {published.releases} releases; "
                     f"analysts open it read-only: `duckdb -readonly {published.snapshot}`.")
    await acreate_markdown_artifact(key="publish-report", markdown="\n".join(lines), description=f"publish: {steps}")
