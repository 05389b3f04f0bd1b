"""Operator flows beside ``ingest``/``reparse``: ``backfill`` (one source, a date range, deep) and ``publish``.

Like every writing flow they hold the one DuckDB writer slot on a DuckDB file (flows/writer_limit.py) and are
parameters -> one library call (govpress/run.py) -> artifacts (flows/artifacts.py).
``rerun-failed`` (flows/rerun.py) repeats a run for its failed sources.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from govpress.flows import run_log
from govpress.flows.artifacts import end_state, guarded, publish_snapshot_report, run_announcement
from govpress.flows.ingest import db_path, fetching_guards, recorded
from govpress.flows.parameters import (
    BackfillDates, DbPath, DeepPages, PublishSteps, RefetchHeld, RequiredDateRange, SharedHostLimits, SnapshotPath,
    SourceId, SourcesFile,
)
from govpress.flows.tasks import adoption, run_source_with_tasks
from govpress.flows.writer_limit import WRITER_LIMIT, ensure_writer_limit, writer_slot  # noqa: F401  (re-exported)
from govpress.plan import BACKFILL_MAX_PAGES, RunParams
from govpress.prestart import claim
from govpress.registry import DEFAULT_SOURCES_FILE
from govpress.report import headline
from govpress.run import check_window, ingest_sources, publish as publish_db

run_log.install()


def backfill_run_name() -> str:
    return backfill_label(flow_run.parameters or {})


def backfill_label(params: dict) -> str:
    """``backfill kremlin_ru 2024-10-01..2024-10-03``."""
    dates = params.get("dates") or {}
    if isinstance(dates, RequiredDateRange):
        dates = dates.model_dump(mode="json")
    return f"backfill {params.get('source')} {dates.get('since')}..{dates.get('until')}"


@flow(name="backfill", flow_run_name=backfill_run_name, log_prints=True)
async def backfill(
    source: SourceId,
    dates: BackfillDates,
    max_pages: DeepPages = BACKFILL_MAX_PAGES,
    refetch: RefetchHeld = False,
    db: DbPath = None,
    sources_file: SourcesFile = None,
    shared_host_limits: SharedHostLimits = False,
):
    """Collect one source's releases published in a date range, walking its listings and archives deep.

    Unlike a scheduled ingest, discovery does not stop at releases already held: it keeps paging
    until it passes ``since`` or runs out of pages (``max_pages``). The run goes through the same
    pipeline and tasks as ``ingest``, holds what an ingest holds (the DuckDB writer slot for its
    whole length, and the shared host limits when asked), and records the range as complete in the
    source's coverage.

    Args:
        source: The one source to collect.
        dates: Publication days to collect: since and until, both inclusive. Until must be on or after since.
        max_pages: Discovery pages (feed, sitemap or listing pages) to walk at most.
        refetch: Refetch releases already held even if unchanged.
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
        shared_host_limits: Limit each host across every worker (Prefect limits govpress-host:<host>), not only per process.
    """
    dates = RequiredDateRange.model_validate(dates)
    check_window(dates.since, dates.until)  # before waiting for the writer slot
    parameters = recorded({"source": source, "since": dates.since, "until": dates.until, "max_pages": max_pages,
                           "refetch": refetch, "db": str(db_path(db)),
                           "sources_file": str(sources_file or DEFAULT_SOURCES_FILE)},
                          shared_host_limits=shared_host_limits)

    params = RunParams(since=dates.since, until=dates.until, max_pages=max_pages, refetch=refetch, deep=True)

    async def work():
        # Started by `govpress backfill` before this flow run existed (govpress/prestart.py): taken over, not redone.
        early = None if shared_host_limits else await claim(
            flow="backfill", db=db_path(db), sources_file=sources_file, source_ids=[source], params=params)
        announcement = run_announcement(lambda outcomes: headline(f"backfill {source} {dates.label()}", outcomes), dates)
        async with fetching_guards(db, shared_host_limits, early) as gate:  # the ingest flow's: one code path
            if early is not None:
                result = await early.adopt(adoption(parameters, announcement))
            else:
                result = await ingest_sources(
                    db=db_path(db), sources_file=sources_file, source_ids=[source], flow="backfill",
                    parameters=parameters, params=params, source_runner=run_source_with_tasks, shared_gate=gate,
                    announcement=announcement,
                )
        return end_state(result)

    return await guarded(work())


@flow(name="publish", flow_run_name="publish {steps}", log_prints=True)
async def publish(
    steps: PublishSteps = "index and snapshot",
    db: DbPath = None,
    snapshot: SnapshotPath = None,
) -> dict:
    """Rebuild the full-text search index and publish the read-only snapshot analysts open.

    Ingest runs do both when they load something; run this after loading by other means, after
    changing the search configuration, or to refresh a snapshot someone deleted.

    Args:
        steps: Rebuild the full-text index, publish the analysts' snapshot, or both (in that order).
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        snapshot: Where the read-only snapshot goes; empty means <db>.snapshot.duckdb beside the database.
    """
    async def work() -> dict:
        async with writer_slot():
            published = await asyncio.to_thread(
                publish_db, db_path(db), index=steps != "snapshot only", snapshot=steps != "index only",
                dest=Path(snapshot) if snapshot else None,
            )
        logger = get_run_logger()
        if published.index_seconds is not None:
            logger.info("rebuilt the search index in %.1f s", published.index_seconds)
        if published.snapshot is not None:
            logger.info("published %s (%d releases)", published.snapshot, published.releases)
        await publish_snapshot_report(published, steps)
        result: dict = {"db": str(published.db), "steps": steps}
        if published.index_seconds is not None:
            result["index_seconds"] = published.index_seconds
        if published.snapshot is not None:
            result |= {"snapshot": str(published.snapshot), "releases": published.releases}
        return result

    return await guarded(work())


__all__ = [
    "BACKFILL_MAX_PAGES", "WRITER_LIMIT", "backfill", "check_window", "ensure_writer_limit", "publish", "writer_slot",
]
