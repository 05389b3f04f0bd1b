"""Operator flows beside ``ingest``/``reparse``: ``backfill`` and ``publish``, and the one-DuckDB-writer guard.

DuckDB allows one writing process per file. Served deployments run each flow run in its own
process, so a scheduled ingest, a manual backfill and a publish could otherwise open the file
at once and wait on each other's locks (or time out). A Prefect global concurrency limit
``govpress-duckdb-writer`` with one slot serialises them across processes and machines that
share a Prefect API; every writing flow holds :func:`writer_slot` for its whole run.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import Field

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact

from govpress.flows.writer_limit import WRITER_LIMIT, ensure_writer_limit, writer_slot  # noqa: F401  (re-exported)
from govpress.flows.ingest import DbPath, SourcesFailed, SourcesFile, publish_summary, run_ingest, totals
from govpress.plan import RunParams
from govpress.registry import DEFAULT_SOURCES_FILE, load_registry
from govpress.settings import DEFAULT_DB
from govpress.store import Store, count_releases

BACKFILL_MAX_PAGES = 1_000
"""Default discovery depth of a backfill: deep enough for months of a busy listing."""

# --- backfill ------------------------------------------------------------------------------------

SourceId = Annotated[
    str,
    Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=64,
          description="One source id from the registry, e.g. kremlin_ru."),
]
RequiredSince = Annotated[date, Field(description="First publication day to collect (inclusive).")]
RequiredUntil = Annotated[date, Field(description="Last publication day to collect (inclusive).")]
DeepPages = Annotated[
    int,
    Field(ge=1, le=100_000, description="Discovery pages (feed, sitemap or listing pages) to walk at most."),
]
Refetch = Annotated[bool, Field(description="Refetch releases already held even if unchanged.")]


def check_window(since: date, until: date) -> None:
    """A backfill needs a real range: ``since`` on or before ``until``."""
    if since > until:
        raise ValueError(f"since {since} is after until {until}")


@flow(name="backfill", flow_run_name="backfill {source} {since}..{until}", log_prints=True)
async def backfill(
    source: SourceId,
    since: RequiredSince,
    until: RequiredUntil,
    max_pages: DeepPages = BACKFILL_MAX_PAGES,
    refetch: Refetch = False,
    db: DbPath = None,
    sources_file: SourcesFile = None,
) -> dict:
    """Collect one source's releases published in a date range, walking its listings and archives deep.

    Unlike a scheduled ingest, discovery does not stop at releases already held: it keeps paging
    until it passes ``since`` or runs out of pages (``max_pages``). The run goes through the same
    pipeline as ``ingest`` and holds the DuckDB writer slot for its whole length.

    Args:
        source: One source id from the registry, e.g. kremlin_ru.
        since: First publication day to collect (inclusive).
        until: Last publication day to collect (inclusive).
        max_pages: Discovery pages (feed, sitemap or listing pages) to walk at most.
        refetch: Refetch releases already held even if unchanged.
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
    """
    logger = get_run_logger()
    check_window(since, until)
    registry_path = Path(sources_file) if sources_file else DEFAULT_SOURCES_FILE
    registry = load_registry(registry_path)
    selected = [registry.get(source)]
    db_path = Path(db) if db else DEFAULT_DB
    params = RunParams(since=since, until=until, max_pages=max_pages, refetch=refetch, deep=True)
    parameters = {"source": source, "since": str(since), "until": str(until), "max_pages": max_pages,
                  "refetch": refetch, "db": str(db_path), "sources_file": str(registry_path)}
    async with writer_slot():
        run_id, outcomes = await run_ingest(registry, selected, db=db_path, params=params,
                                            base_dir=registry_path.resolve().parent, flow_name="backfill",
                                            parameters=parameters)
        counts = totals(outcomes)
        headline = (f"backfill {source} {since}..{until}: {counts['new']} new, {counts['updated']} updated, "
                    f"{counts['unchanged']} unchanged, {counts['duplicate']} duplicates, {counts['failed']} failed")
        await publish_summary(run_id, outcomes, headline, db_path)
    logger.info("run %s: %s", run_id, headline)
    bad = [o for o in outcomes if o.status in ("failed", "blocked")]
    if bad:
        raise SourcesFailed("; ".join(f"{o.source_id} {o.status}: {o.message}" for o in bad))
    return {"run_id": run_id, "db": str(db_path), "sources": [o.as_dict() for o in outcomes], **counts}


# --- publish -------------------------------------------------------------------------------------

PublishSteps = Annotated[
    Literal["index and snapshot", "snapshot only", "index only"],
    Field(description="Rebuild the full-text index, publish the analysts' snapshot, or both (in that order)."),
]
SnapshotPath = Annotated[
    Optional[str],
    Field(description="Where the read-only snapshot goes; empty means <db>.snapshot.duckdb beside the database."),
]


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
    logger = get_run_logger()
    db_path = Path(db) if db else DEFAULT_DB
    if not db_path.exists():
        raise FileNotFoundError(f"no database at {db_path}; run an ingest first")
    store = Store(db_path)
    result: dict = {"db": str(db_path), "steps": steps}
    async with writer_slot():
        await asyncio.to_thread(store.migrate)
        if steps in ("index and snapshot", "index only"):
            started = time.monotonic()
            await asyncio.to_thread(store.rebuild_search_index)
            result["index_seconds"] = round(time.monotonic() - started, 2)
            logger.info("rebuilt the search index in %.1f s", result["index_seconds"])
        if steps in ("index and snapshot", "snapshot only"):
            dest = await asyncio.to_thread(store.publish_snapshot, Path(snapshot) if snapshot else None)
            result["snapshot"] = str(dest)
            result["releases"] = await asyncio.to_thread(count_releases, dest)
            logger.info("published %s (%d releases)", dest, result["releases"])
    lines = [f"# publish: {steps}", "", f"Database `{db_path}`."]
    if "index_seconds" in result:
        lines.append(f"- Search index rebuilt in {result['index_seconds']} s.")
    if "snapshot" in result:
        lines.append(f"- Snapshot `{result['snapshot']}` with {result['releases']} releases; "
                     f"analysts open it read-only: `duckdb -readonly {result['snapshot']}`.")
    await acreate_markdown_artifact(key="publish-report", markdown="\n".join(lines), description=f"publish: {steps}")
    return result


__all__ = [
    "BACKFILL_MAX_PAGES", "WRITER_LIMIT", "backfill", "check_window", "count_releases", "ensure_writer_limit",
    "publish", "writer_slot",
]
