"""The Prefect flows ``ingest`` (discover, fetch, archive, parse, dedupe, load) and ``reparse`` (from the archive).

Each flow is parameters -> one library call (govpress/run.py) -> artifacts (flows/artifacts.py),
inside the one DuckDB writer slot (flows/writer_limit.py). The ingest's tasks are one discovery
task per source and one per batch of pages (flows/tasks.py); sources run side by side and one
failing source never stops the others.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import logging
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run

from govpress.errors import GovpressError
from govpress.flows.artifacts import ended_by, finish, headline, publish_run_artifacts
from govpress.flows.parameters import DbPath, MaxPages, ParserName, Refetch, Since, SourceIds, SourcesFile, Until
from govpress.flows.tasks import run_source_with_tasks
from govpress.flows.writer_limit import writer_slot
from govpress.plan import RunParams
from govpress.registry import DEFAULT_SOURCES_FILE
from govpress.run import ingest_sources, reparse_sources
from govpress.settings import DEFAULT_DB

# A run past FLOW_TIMEOUT leaves its remaining work in the frontier for the next run.
FLOW_TIMEOUT = 4 * 3600


def ingest_run_name() -> str:
    params = flow_run.parameters or {}
    names = params.get("sources") or ["all"]
    span = ""
    if params.get("since") or params.get("until"):
        span = f" {params.get('since') or ''}..{params.get('until') or ''}"
    return f"ingest {','.join(names)}{span}"


def db_path(db: str | None) -> Path:
    """The flow's ``db`` parameter as a path (empty: the project default)."""
    return Path(db) if db else DEFAULT_DB


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
    parameters = {"sources": sources, "since": since, "until": until, "max_pages": max_pages, "refetch": refetch,
                  "db": str(db_path(db)), "sources_file": str(sources_file or DEFAULT_SOURCES_FILE)}
    try:
        async with writer_slot():  # the project's global limit: one DuckDB writer at a time
            result = await ingest_sources(
                db=db_path(db), sources_file=sources_file, source_ids=sources, parameters=parameters,
                params=RunParams(since=since, until=until, max_pages=max_pages, refetch=refetch),
                source_runner=run_source_with_tasks,
            )
            await publish_run_artifacts(result, headline("ingest", result))
    except GovpressError as error:  # a full disk, an unusable database: its one line, not a traceback
        return ended_by(error)
    return finish(result)


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
    parameters = {"sources": sources, "parser": parser, "db": str(db_path(db)),
                  "sources_file": str(sources_file or DEFAULT_SOURCES_FILE)}
    try:
        async with writer_slot():
            result = await reparse_sources(db=db_path(db), sources_file=sources_file, source_ids=sources,
                                           parser=parser, parameters=parameters)
            await publish_run_artifacts(result, headline("reparse", result))
    except GovpressError as error:
        return ended_by(error)
    return finish(result)


logging.getLogger("govpress").setLevel(logging.INFO)
