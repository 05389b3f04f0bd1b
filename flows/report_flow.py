"""The ``report`` flow: write the analyst's HTML report beside the database and link it in the Prefect UI.

Prefect conducts; :func:`govpress.analysis.report.build_report` does the work. ``govpress serve``
deploys it with a trigger (:func:`report_deployment`): every ``ingest`` or ``backfill`` flow run
that ends (Completed, or Failed because some source failed: its other sources were loaded) starts
a report run, so the file beside the database always shows the latest data. The run leaves a link
artifact to the report: the served URL when ``govpress serve`` serves it, else the file itself.

The report only reads, but an open read-only handle blocks DuckDB's writer, so the read happens
inside the project's one-writer slot (a few seconds) and never collides with a load.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

from pydantic import Field

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_link_artifact

from govpress.analysis.report import REPORT_NAME, build_report
from govpress.flows.writer_limit import writer_slot
from govpress.settings import DEFAULT_DB

DbPath = Annotated[Optional[str], Field(description="DuckDB file; empty: data/govpress.duckdb or $GOVPRESS_DB.")]
OutPath = Annotated[Optional[str], Field(description="HTML file to write; empty: report.html beside the database.")]
Since = Annotated[Optional[date], Field(description="First publication day shown; empty: 52 weeks before until.")]
Until = Annotated[Optional[date], Field(description="Last publication day shown; empty: today.")]
Sources = Annotated[Optional[list[str]], Field(description="Only these source ids; empty: every source.")]
ReportUrl = Annotated[
    Optional[str],
    Field(description="Where the report is served (govpress serve sets it); empty: link the file itself."),
]
REPORTED_FLOWS = ("ingest", "backfill")
"""Flows whose end triggers a report: those that bring releases in from the sites."""


def report_run_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters or {}
    span = f" {params.get('since') or ''}..{params.get('until') or ''}" if params.get("since") or params.get("until") else ""
    return f"report{span}" + (f" {','.join(params['sources'])}" if params.get("sources") else "")


@flow(name="report", flow_run_name=report_run_name, log_prints=True)
async def report(
    db: DbPath = None,
    out: OutPath = None,
    since: Since = None,
    until: Until = None,
    sources: Sources = None,
    report_url: ReportUrl = None,
) -> dict:
    """Write the analyst's report (one self-contained HTML file with plots) and link it as an artifact.

    Args:
        db: DuckDB file; empty: data/govpress.duckdb or $GOVPRESS_DB.
        out: HTML file to write; empty: report.html beside the database.
        since: First publication day shown; empty: 52 weeks before until.
        until: Last publication day shown; empty: today.
        sources: Only these source ids; empty: every source.
        report_url: Where the report is served (govpress serve sets it); empty: link the file itself.
    """
    logger = get_run_logger()
    db_path = Path(db) if db else DEFAULT_DB
    async with writer_slot():
        path = await asyncio.to_thread(build_report, db_path, out, since=since, until=until, sources=sources)
    size_kb = path.stat().st_size // 1024
    link = report_url if report_url and path.name == REPORT_NAME and path.parent == db_path.resolve().parent \
        else path.resolve().as_uri()
    await acreate_link_artifact(key="analyst-report", link=link, link_text=f"govpress report ({size_kb} KB)",
                                description=f"The analyst's report for {db_path}, written to {path}.")
    logger.info("report written to %s (%d KB); %s", path, size_kb, link)
    return {"report": str(path), "link": link, "kilobytes": size_kb}


def report_deployment(db: Path, report_url: str | None = None):
    """The ``report/report`` deployment: triggered when an ingest or backfill run ends."""
    from prefect.deployments.runner import EntrypointType
    from prefect.events import DeploymentEventTrigger

    trigger = DeploymentEventTrigger(
        name="after each ingest or backfill",
        expect={"prefect.flow-run.Completed", "prefect.flow-run.Failed"},
        match_related=[{"prefect.resource.role": "flow", "prefect.resource.name": list(REPORTED_FLOWS)}],
        parameters={"db": str(db), "report_url": report_url},
    )
    return report.to_deployment(
        name="report",
        parameters={"db": str(db), "report_url": report_url},
        triggers=[trigger],
        tags=["govpress", "manual"],
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="Write the analyst's HTML report beside the database (runs after every ingest or backfill; "
                    "Run > Custom run for another window or sources).",
    )


__all__ = ["REPORTED_FLOWS", "report", "report_deployment"]
