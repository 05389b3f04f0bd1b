"""The Prefect flows: ``ingest`` (discover, fetch, archive, parse, dedupe, load) and ``reparse`` (from the archive).

Prefect conducts, the stages in govpress/pipeline.py do the work. Task boundaries: one discovery
task per source and one task per batch of pages (never per page); sources run concurrently and
one failing source never stops the others. Every run writes a ``runs`` row and publishes a
table artifact summarising it per source.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
import logging
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

from pydantic import Field

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from govpress.pipeline import (
    RunContext, RunParams, SourceOutcome, WorkItem, discover_source, new_run_id, process_batch, run_source,
)
from govpress.flows.writer_limit import writer_slot
from govpress.run import archive_for, reparse_pages, run_ingest, totals
from govpress.report import render_report, report_data
from govpress.registry import DEFAULT_SOURCES_FILE, Source, load_registry
from govpress.settings import DEFAULT_DB
from govpress.store import Store

class SourcesFailed(RuntimeError):
    """Raised at the end of a run whose sources did not all succeed (their rows are loaded)."""


def ingest_run_name() -> str:
    params = flow_run.parameters or {}
    names = params.get("sources") or ["all"]
    span = ""
    if params.get("since") or params.get("until"):
        span = f" {params.get('since') or ''}..{params.get('until') or ''}"
    return f"ingest {','.join(names)}{span}"


# A batch is 50 pages: a politely rate-limited host needs minutes, never a quarter of an hour.
# A batch that times out is retried; its load is idempotent. A run past FLOW_TIMEOUT leaves its
# remaining work in the frontier for the next run.
TASK_TIMEOUT = 15 * 60
FLOW_TIMEOUT = 4 * 3600


@task(name="discover", task_run_name="discover {source.id}", retries=1, retry_delay_seconds=3,
      timeout_seconds=TASK_TIMEOUT, cache_policy=NO_CACHE)
async def discover_task(ctx: RunContext, source: Source):
    return await discover_source(ctx, source)


@task(name="batch", task_run_name="batch {source.id} #{number}", retries=2, retry_delay_seconds=3,
      timeout_seconds=TASK_TIMEOUT, cache_policy=NO_CACHE)
async def batch_task(ctx: RunContext, source: Source, items: list[WorkItem], number: int):
    return await process_batch(ctx, source, items)


async def run_source_with_tasks(ctx: RunContext, source: Source) -> SourceOutcome:
    """One source through the stages, with Prefect tasks at the discovery and batch boundaries."""
    logger = get_run_logger()
    outcome = await run_source(ctx, source, discover_fn=discover_task, batch_fn=batch_task)
    line = (f"{source.id}: {outcome.status}; discovered {outcome.discovered}, fetched {outcome.fetched}, "
            f"not modified {outcome.not_modified}, new {outcome.new}, updated {outcome.updated}, "
            f"unchanged {outcome.unchanged}, duplicate {outcome.duplicate}, removed {outcome.removed}, "
            f"failed {outcome.failed} in {outcome.seconds}s"
            + (f"; {outcome.language_mismatch} not in the declared language" if outcome.language_mismatch else ""))
    (logger.info if outcome.status == "ok" else logger.error)(line + (f" — {outcome.message}" if outcome.message else ""))
    return outcome


async def publish_summary(run_id: str, outcomes: list[SourceOutcome], headline: str, db: Path | None = None) -> None:
    """The run's table artifact (per source) and markdown report (attention, failed pages, 30-day chart)."""
    rows = [
        {"source": o.source_id, "status": o.status, "discovered": o.discovered, "fetched": o.fetched,
         "not modified": o.not_modified, "new": o.new, "updated": o.updated, "unchanged": o.unchanged,
         "duplicates": o.duplicate, "removed": o.removed, "failed": o.failed, "unfinished": o.unfinished,
         "language mismatch": o.language_mismatch, "seconds": o.seconds,
         "message": o.message}
        for o in outcomes
    ]
    await acreate_table_artifact(key="ingest-summary", table=rows, description=f"Run {run_id}: {headline}")
    data = None
    if db is not None:
        today = datetime.now(timezone.utc).date()
        data = await asyncio.to_thread(report_data, Store(db), run_id, [o.source_id for o in outcomes], today)
    await acreate_markdown_artifact(key="ingest-report", markdown=render_report(run_id, headline, outcomes, data),
                                    description=headline)


def _dates(since: date | str | None, until: date | str | None) -> tuple[date | None, date | None]:
    since = date.fromisoformat(since) if isinstance(since, str) else since
    until = date.fromisoformat(until) if isinstance(until, str) else until
    if since and until and since > until:
        raise ValueError(f"since {since} is after until {until}")
    return since, until


SourceIds = Annotated[
    Optional[list[str]],
    Field(description="Source ids from the registry, e.g. [\"kremlin_ru\"]; empty means every enabled source."),
]
Since = Annotated[Optional[date], Field(description="First publication day to collect (inclusive). Discovery stops paging before it.")]
Until = Annotated[Optional[date], Field(description="Last publication day to collect (inclusive).")]
MaxPages = Annotated[
    Optional[int], Field(ge=1, le=10_000, description="Discovery pages (feed/listing pages) per source at most; empty: the registry's max_pages.")
]
Refetch = Annotated[bool, Field(description="Refetch every discovered release even if unchanged (ignores ETags and the recheck schedule).")]
DbPath = Annotated[Optional[str], Field(description="DuckDB file; empty: data/govpress.duckdb or $GOVPRESS_DB.")]
SourcesFile = Annotated[Optional[str], Field(description="Registry file; empty: the project's sources.toml.")]


@flow(name="ingest", flow_run_name=ingest_run_name, log_prints=True, timeout_seconds=FLOW_TIMEOUT)
async def ingest(
    sources: SourceIds = None,
    since: Since = None,
    until: Until = None,
    max_pages: MaxPages = None,
    refetch: Refetch = False,
    db: DbPath = None,
    sources_file: SourcesFile = None,
) -> dict:
    """Fetch new and changed press releases from the registry's sources into DuckDB.

    Discovery walks each source's feed, sitemap or listing; new and changed pages are fetched
    politely, archived, parsed, deduplicated and loaded. One failing source does not stop the
    others; the run ends Failed naming the sources that failed, with the others' rows loaded.

    Args:
        sources: Source ids from the registry, e.g. ["kremlin_ru"]; empty means every enabled source.
        since: First publication day to collect (inclusive); discovery stops paging before it.
        until: Last publication day to collect (inclusive).
        max_pages: Discovery pages (feed or listing pages) per source at most; empty uses the registry's max_pages.
        refetch: Refetch every discovered release even if unchanged (ignores ETags and the recheck schedule).
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
    """
    logger = get_run_logger()
    since, until = _dates(since, until)
    registry_path = Path(sources_file) if sources_file else DEFAULT_SOURCES_FILE
    registry = load_registry(registry_path)
    selected = registry.select(sources)
    db_path = Path(db) if db else DEFAULT_DB
    params = RunParams(since=since, until=until, max_pages=max_pages, refetch=refetch)
    parameters = {"sources": sources, "since": str(since) if since else None, "until": str(until) if until else None,
                  "max_pages": max_pages, "refetch": refetch, "db": str(db_path), "sources_file": str(registry_path)}
    async with writer_slot():  # the project's global limit: one DuckDB writer at a time
        run_id, outcomes = await run_ingest(registry, selected, db=db_path, params=params,
                                            base_dir=registry_path.resolve().parent, parameters=parameters,
                                            source_runner=run_source_with_tasks)
        counts = totals(outcomes)
        headline = (f"{len(outcomes)} sources: {counts['new']} new, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged, {counts['duplicate']} duplicates, {counts['removed']} removed, "
                    f"{counts['failed']} failed")
        await publish_summary(run_id, outcomes, headline, db_path)
    logger.info("run %s: %s", run_id, headline)
    bad = [o for o in outcomes if o.status in ("failed", "blocked")]
    if bad:
        raise SourcesFailed("; ".join(f"{o.source_id} {o.status}: {o.message}" for o in bad))
    return {"run_id": run_id, "db": str(db_path), "sources": [o.as_dict() for o in outcomes], **counts}


# --- reparse -------------------------------------------------------------------------------------

ParserName = Annotated[
    Optional[str], Field(description="Parse with this parser instead of each source's own (e.g. after adding a site parser).")
]


@flow(name="reparse", flow_run_name="reparse {sources}", log_prints=True, timeout_seconds=FLOW_TIMEOUT)
async def reparse(
    sources: SourceIds = None,
    parser: ParserName = None,
    db: DbPath = None,
    sources_file: SourcesFile = None,
) -> dict:
    """Re-run the parsers over the raw archive with no network; releases whose parsed content changed get a new version.

    Args:
        sources: Source ids from the registry; empty means every source.
        parser: Parse with this parser instead of each source's own (e.g. after adding a site parser).
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
    """
    registry_path = Path(sources_file) if sources_file else DEFAULT_SOURCES_FILE
    registry = load_registry(registry_path)
    db_path = Path(db) if db else DEFAULT_DB
    async with writer_slot():
        store = Store(db_path)
        await asyncio.to_thread(store.migrate)
        run_id = new_run_id()
        now = datetime.now(timezone.utc)
        selected = registry.select(sources)
        await asyncio.to_thread(store.start_run, run_id, "reparse", {"sources": sources, "parser": parser},
                                [s.id for s in selected], now)
        outcomes = await asyncio.to_thread(reparse_pages, store, archive_for(db_path), registry, sources, parser, run_id)
        counts = totals(outcomes)
        await asyncio.to_thread(store.rebuild_search_index)
        await asyncio.to_thread(store.finish_run, run_id, "completed", counts, None, [o.as_dict() for o in outcomes],
                                datetime.now(timezone.utc))
        await asyncio.to_thread(store.publish_snapshot)
        headline = f"reparse: {counts['updated']} updated, {counts['unchanged']} unchanged, {counts['new']} new, {counts['failed']} failed"
        await publish_summary(run_id, outcomes, headline, db_path)
    return {"run_id": run_id, "sources": [o.as_dict() for o in outcomes], **counts}


logging.getLogger("govpress").setLevel(logging.INFO)
