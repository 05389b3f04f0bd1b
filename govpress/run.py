"""One ingest or reparse run end to end, without Prefect: the runs row, sources side by side, the search index, the snapshot.

The Prefect flows in flows/ingest.py call these with their tasks plugged in; ``govpress ingest
--without-prefect`` and the crash tests call them directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path

from govpress.archive import Archive
from govpress.fetch.client import Fetcher, FetchResult
from govpress.pipeline import RunContext, RunParams, SourceOutcome, fetch_row, new_run_id, parse_result, run_source
from govpress.store.rows import LoadBatch
from govpress.urls import host_of
from govpress.registry import Registry, Source
from govpress.store import Store

SOURCE_CONCURRENCY = 4
SourceRunner = Callable[[RunContext, Source], Awaitable[SourceOutcome]]


def archive_for(db_path: Path) -> Archive:
    """Raw bodies live beside the database: ``<db dir>/archive``."""
    return Archive(Path(db_path).resolve().parent / "archive")


def totals(outcomes: list[SourceOutcome]) -> dict[str, int]:
    keys = ("discovered", "fetched", "not_modified", "new", "updated", "unchanged", "duplicate", "removed", "failed")
    return {k: sum(getattr(o, k) for o in outcomes) for k in keys}


def robots_owner(url: str, sources: list[Source]) -> str:
    """The source a robots.txt fetch is recorded under: the first (by id) allowed on that host."""
    host = host_of(url)
    owners = sorted(s.id for s in sources if any(host == h or host.endswith("." + h) for h in s.hosts()))
    return owners[0] if owners else sources[0].id


async def _limited(runner: SourceRunner, ctx: RunContext, source: Source, limit: asyncio.Semaphore) -> SourceOutcome:
    async with limit:
        return await runner(ctx, source)


async def run_ingest(
    registry: Registry,
    selected: list[Source],
    *,
    db: Path,
    params: RunParams,
    base_dir: Path,
    flow_name: str = "ingest",
    parameters: dict | None = None,
    source_runner: SourceRunner | None = None,
) -> tuple[str, list[SourceOutcome]]:
    """One whole ingest run: runs row, sources concurrently, search index, snapshot.

    ``source_runner(ctx, source)`` processes one source; the Prefect flow passes one that
    uses its tasks, and without it the plain stages run (no Prefect: debugging, crash tests).
    """
    source_runner = source_runner or run_source
    store = Store(db)
    await asyncio.to_thread(store.migrate)
    run_id = new_run_id()
    now = datetime.now(timezone.utc)
    await asyncio.to_thread(store.start_run, run_id, flow_name, parameters or {}, [s.id for s in selected], now)
    await asyncio.to_thread(store.upsert_sources, selected, run_id)
    archive = archive_for(db)
    limit = asyncio.Semaphore(SOURCE_CONCURRENCY)
    robots: list[FetchResult] = []  # robots.txt is fetched per host, inside the fetcher: record it too

    def keep_robots(result: FetchResult) -> None:
        if result.purpose == "robots":
            robots.append(result)

    async with Fetcher(archive=archive, user_agent=registry.user_agent, on_result=keep_robots) as fetcher:
        ctx = RunContext(run_id=run_id, store=store, archive=archive, fetcher=fetcher, params=params,
                         base_dir=base_dir, now=now)
        outcomes = list(await asyncio.gather(*(_limited(source_runner, ctx, s, limit) for s in selected)))
    if robots:
        rows = [fetch_row(run_id, robots_owner(r.url, selected), r) for r in robots]
        await asyncio.to_thread(store.load_batch, LoadBatch(run_id=run_id, source_id="", fetches=rows))
    counts = totals(outcomes)
    bad = [o for o in outcomes if o.status in ("failed", "blocked")]
    status = "failed" if bad and len(bad) == len(outcomes) else "partial" if bad else "completed"
    message = "; ".join(f"{o.source_id} {o.status}: {o.message}" for o in bad) or None
    if counts["new"] or counts["updated"]:
        await asyncio.to_thread(store.rebuild_search_index)
    await asyncio.to_thread(store.finish_run, run_id, status, counts, message, [o.as_dict() for o in outcomes],
                            datetime.now(timezone.utc))
    await asyncio.to_thread(store.publish_snapshot)
    return run_id, outcomes


PAGE_PURPOSES = {"new", "changed", "recheck", "refetch", "removal_check", "entry", "file", "page"}


def reparse_pages(store: Store, archive: Archive, registry: Registry, source_ids: list[str] | None,
                  parser: str | None, run_id: str) -> list[SourceOutcome]:
    """Re-run parsers over the raw archive (no network) and load what changed, per source."""
    from govpress.dedupe.keys import dedupe_rows, release_row
    from govpress.store.rows import FailureRow, LoadBatch

    selected = registry.select(source_ids)
    outcomes = []
    now = datetime.now(timezone.utc)
    pages = store.archived_pages([s.id for s in selected])
    for source in selected:
        outcome = SourceOutcome(source_id=source.id, channel="archive")
        started = time.monotonic()
        mine = [p for p in pages if p.source_id == source.id and p.purpose in PAGE_PURPOSES]
        for start in range(0, len(mine), 200):
            rows, failures = [], []
            for page in mine[start : start + 200]:
                try:
                    body = archive.get(page.archive_key)
                except Exception as exc:
                    failures.append(FailureRow(source_id=source.id, url=page.url, archive_key=page.archive_key,
                                               parser=parser or source.parser, error=f"archive: {exc}", failed_at=now))
                    continue
                result = FetchResult(url=page.url, final_url=page.url, purpose=page.purpose, outcome="ok", status=200,
                                     body=body, content_type=page.content_type, charset=None, etag=None,
                                     last_modified=None, started_at=page.fetched_at, elapsed_ms=0.0, attempts=1,
                                     error=None, archive_key=page.archive_key)
                release = parse_result(source, result, page.fetched_at, parser)
                if isinstance(release, Exception):
                    failures.append(FailureRow(source_id=source.id, url=page.url, archive_key=page.archive_key,
                                               parser=parser or source.parser, error=str(release), failed_at=now))
                else:
                    rows.append(release_row(release, source, url=page.url, archive_key=page.archive_key, seen_at=page.fetched_at))
            outcome.fetched += len(rows) + len(failures)
            counts = store.load_batch(LoadBatch(run_id=run_id, source_id=source.id, releases=dedupe_rows(rows),
                                                fetches=[], failures=failures, removals=[], cache=[],
                                                frontier_add=[], frontier_done=[]))
            outcome.add(counts)
        outcome.discovered = len(mine)
        outcome.seconds = round(time.monotonic() - started, 2)
        outcomes.append(outcome)
    return outcomes
