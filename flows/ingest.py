"""The Prefect flows ``ingest`` (discover, fetch, archive, parse, dedupe, load) and ``reparse`` (from the archive).

Each flow is parameters -> one library call (govpress/run.py) -> artifacts (flows/artifacts.py),
inside the one DuckDB writer slot (flows/writer_limit.py). The ingest's tasks are one task per
source holding one discovery task and one task per batch of pages (flows/tasks.py); sources run
side by side, a failing source's task ends Failed, and the others go on.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from govpress.coverage import GAP_PAGES
from govpress.flows import run_log
from govpress.flows.artifacts import end_state, guarded, run_announcement
from govpress.flows.host_limits import PrefectHostGate
from govpress.flows.parameters import (
    DateRange, Dates, DbPath, GapPages, MaxPages, ParserName, Refetch, SharedHostLimits, SourceIds, SourcesFile,
    date_range,
)
from govpress.flows.tasks import adoption, run_source_with_tasks
from govpress.flows.writer_limit import writer_slot
from govpress.plan import RunParams
from govpress.prestart import Prestart, claim
from govpress.registry import DEFAULT_SOURCES_FILE
from govpress.report import headline
from govpress.run import ingest_sources, reparse_sources
from govpress.settings import DEFAULT_DB
from govpress.storage import DuckLake, store_option

# A run past FLOW_TIMEOUT leaves its remaining work in the frontier for the next run.
FLOW_TIMEOUT = 4 * 3600

run_log.install()  # govpress.* records (lock waits, Retry-After, coverage) in the run's log in the UI


def ingest_run_name() -> str:
    return ingest_label(flow_run.parameters or {})


def ingest_label(params: dict[str, Any]) -> str:
    """``ingest kremlin_ru 2024-10-01..2024-10-03`` (``all`` when no sources were picked)."""
    names = params.get("sources") or ["all"]
    try:
        span = date_range(params.get("dates")).label()
    except ValueError:  # a reversed range started from Python: the run fails on its parameters anyway
        span = ""
    return f"ingest {','.join(names)}" + (f" {span}" if span else "")


def db_path(db: str | None) -> Path | DuckLake:
    """The flow's ``db`` parameter: a DuckDB file's path, or a ``ducklake:`` store (empty: the project default)."""
    return store_option(db) if db else DEFAULT_DB


def recorded(parameters: dict[str, Any], *, shared_host_limits: bool = False) -> dict[str, Any]:
    """The parameters as the ``runs`` row keeps them, with the Prefect flow run that ran them
    (and ``shared_host_limits`` only when on, so that rows of runs without it stay as they were)."""
    run_id = flow_run.id
    return {**parameters, **({"shared_host_limits": True} if shared_host_limits else {}),
            "flow_run_id": str(run_id) if run_id else None}


@asynccontextmanager
async def fetching_guards(db: str | None, shared_host_limits: bool,
                          early: Prestart | None = None) -> AsyncIterator[PrefectHostGate | None]:
    """What a flow that fetches holds for its run (ingest, backfill): the one DuckDB writer slot, and the
    shared host limits when asked; yields the gate to hand the fetcher (None without shared limits).

    A lake takes many writers at once (govpress/store/lake.py): its runs skip the writer slot. A run
    the command line prestarted (``early``) took its writer queue place already: the slot takes that one.
    """
    if isinstance(db_path(db), DuckLake):
        slot = nullcontext()
    elif early is not None and early.ticket is not None:
        slot = writer_slot(ticket=early.ticket, reaped=early.reaped)
    else:
        slot = writer_slot()
    gate = PrefectHostGate() if shared_host_limits else None
    async with slot, (gate if gate is not None else nullcontext()):
        yield gate


@flow(name="ingest", flow_run_name=ingest_run_name, log_prints=True, timeout_seconds=FLOW_TIMEOUT)
async def ingest(
    sources: SourceIds = (),
    dates: Dates = DateRange(),
    max_pages: MaxPages = 0,
    gap_pages: GapPages = GAP_PAGES,
    refetch: Refetch = False,
    db: DbPath = None,
    sources_file: SourcesFile = None,
    shared_host_limits: SharedHostLimits = False,
):
    """Fetch new and changed press releases from the registry's sources into DuckDB.

    Discovery walks each source's feed, sitemap or listing; new and changed pages are fetched
    politely, archived, parsed, deduplicated and loaded. A source that fails ends its task Failed
    and the others go on; the run ends Failed naming the sources that failed, with every other
    source's rows loaded (rerun them alone with the rerun-failed deployment).

    Args:
        sources: Sources to run (pick any); none picked: every enabled source of the registry.
        dates: Publication days to collect: since and until, both inclusive, either may stay empty.
        max_pages: Discovery pages (feed or listing pages) per source at most; 0 uses the registry's max_pages.
        gap_pages: Extra discovery pages per source for filling a gap in its coverage (runs without dates); 0: none.
        refetch: Refetch every discovered release even if unchanged (ignores ETags and the recheck schedule).
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
        shared_host_limits: Limit each host across every worker (Prefect limits govpress-host:<host>), not only per process.
    """
    dates = date_range(dates)
    source_ids = list(sources) or None
    parameters = recorded({"sources": source_ids, "since": dates.since, "until": dates.until,
                           "max_pages": max_pages or None, "gap_pages": gap_pages, "refetch": refetch,
                           "db": str(db_path(db)), "sources_file": str(sources_file or DEFAULT_SOURCES_FILE)},
                          shared_host_limits=shared_host_limits)

    params = RunParams(since=dates.since, until=dates.until, max_pages=max_pages or None, refetch=refetch,
                       gap_pages=gap_pages)

    async def work():
        # Started by `govpress ingest` before this flow run existed (govpress/prestart.py): taken over, not redone.
        early = None if shared_host_limits else await claim(
            flow="ingest", db=db_path(db), sources_file=sources_file, source_ids=source_ids, params=params)
        # The artifacts go to the API while the run's snapshot is written (run_announcement).
        announcement = run_announcement(lambda outcomes: headline("ingest", outcomes), dates)
        async with fetching_guards(db, shared_host_limits, early) as gate:
            if early is not None:
                result = await early.adopt(adoption(parameters, announcement))
            else:
                result = await ingest_sources(
                    db=db_path(db), sources_file=sources_file, source_ids=source_ids, parameters=parameters,
                    params=params, source_runner=run_source_with_tasks, shared_gate=gate, announcement=announcement,
                )
        return end_state(result)

    return await guarded(work())


def reparse_run_name() -> str:
    return reparse_label(flow_run.parameters or {})


def reparse_label(params: dict[str, Any]) -> str:
    """``reparse kremlin_ru,kremlin_en`` (``all`` when no sources were picked)."""
    return f"reparse {','.join(params.get('sources') or ['all'])}"


@flow(name="reparse", flow_run_name=reparse_run_name, log_prints=True, timeout_seconds=FLOW_TIMEOUT)
async def reparse(
    sources: SourceIds = (),
    parser: ParserName = None,
    db: DbPath = None,
    sources_file: SourcesFile = None,
):
    """Re-run the parsers over the raw archive with no network; releases whose parsed content changed get a new version.

    Args:
        sources: Sources to reparse (pick any); none picked: every source.
        parser: Parse with this parser instead of each source's own (e.g. after adding a site parser).
        db: DuckDB file; empty means data/govpress.duckdb or $GOVPRESS_DB.
        sources_file: Registry file; empty means the project's sources.toml.
    """
    source_ids = list(sources) or None
    parameters = recorded({"sources": source_ids, "parser": parser, "db": str(db_path(db)),
                           "sources_file": str(sources_file or DEFAULT_SOURCES_FILE)})

    async def work():
        async with writer_slot():
            result = await reparse_sources(db=db_path(db), sources_file=sources_file, source_ids=source_ids,
                                           parser=parser, parameters=parameters,
                                           announcement=run_announcement(lambda outcomes: headline("reparse", outcomes)))
        return end_state(result)

    return await guarded(work())


logging.getLogger("govpress").setLevel(logging.INFO)
