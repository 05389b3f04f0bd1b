"""What a flow run leaves in the Prefect UI: the per-source table, the markdown report, the run's end state.

Every writing flow ends the same way: :func:`publish_run_artifacts` (table ``ingest-summary``,
report ``ingest-report``, one log line), then :func:`finish` (the run's result, or
:class:`SourcesFailed` naming the sources that failed, so the flow run ends Failed with the
other sources' rows loaded).
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
from datetime import datetime, timezone

from prefect import get_run_logger
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.client.schemas.objects import State
from prefect.states import Failed

from govpress.errors import GovpressError

from govpress.report import render_report, report_data
from govpress.run import Published, RunResult
from govpress.store import Store


class SourcesFailed(RuntimeError):
    """Raised at the end of a run whose sources did not all succeed (their rows are loaded)."""


def headline(label: str, result: RunResult) -> str:
    """One line for the run: what it was and what it changed."""
    c = result.counts
    return (f"{label}: {len(result.outcomes)} sources, {c['new']} new, {c['updated']} updated, "
            f"{c['unchanged']} unchanged, {c['duplicate']} duplicates, {c['removed']} removed, {c['failed']} failed")


def summary_rows(result: RunResult) -> list[dict]:
    """The table artifact: one row per source."""
    return [
        {"source": o.source_id, "status": o.status, "discovered": o.discovered, "fetched": o.fetched,
         "not modified": o.not_modified, "new": o.new, "updated": o.updated, "unchanged": o.unchanged,
         "duplicates": o.duplicate, "removed": o.removed, "failed": o.failed, "blocked pages": o.blocked_pages, "unfinished": o.unfinished,
         "language mismatch": o.language_mismatch, "seconds": o.seconds, "message": o.message}
        for o in result.outcomes
    ]


async def publish_run_artifacts(result: RunResult, line: str) -> None:
    """The run's table artifact (per source) and markdown report (attention, failed pages, 30-day chart)."""
    await acreate_table_artifact(key="ingest-summary", table=summary_rows(result),
                                 description=f"Run {result.run_id}: {line}")
    today = datetime.now(timezone.utc).date()
    data = await asyncio.to_thread(report_data, Store(result.db), result.run_id,
                                   [o.source_id for o in result.outcomes], today)
    await acreate_markdown_artifact(key="ingest-report", markdown=render_report(result.run_id, line, result.outcomes, data),
                                    description=line)
    get_run_logger().info("run %s: %s", result.run_id, line)


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


def finish(result: RunResult) -> dict:
    """The flow's return value; raises :class:`SourcesFailed` when some sources failed or were blocked."""
    if result.failing:
        raise SourcesFailed("; ".join(f"{o.source_id} {o.status}: {o.message}" for o in result.failing))
    return result.as_dict()


async def publish_snapshot_report(published: Published, steps: str) -> None:
    """The ``publish`` flow's markdown artifact: what was rebuilt and where the snapshot is."""
    lines = [f"# publish: {steps}", "", f"Database `{published.db}`."]
    if published.index_seconds is not None:
        lines.append(f"- Search index rebuilt in {published.index_seconds} s.")
    if published.snapshot is not None:
        lines.append(f"- Snapshot `{published.snapshot}` with {published.releases} releases; "
                     f"analysts open it read-only: `duckdb -readonly {published.snapshot}`.")
    await acreate_markdown_artifact(key="publish-report", markdown="\n".join(lines), description=f"publish: {steps}")
