"""One writing run of govpress end to end, without Prefect: the lifecycle every run shares, and the work it wraps.

The lifecycle (:func:`run_lifecycle`) is the same for every run that writes: migrate the file,
mark the runs a dead process left ``running`` as ``crashed`` (govpress/store/liveness.py), start
the ``runs`` row (with this process's pid and host), upsert the selected sources, do the work
(the row's heartbeat refreshed every minute meanwhile), rebuild the search index when the run
changed releases (or found a crashed run's row, whose loads may be unindexed), finish the row, publish
the analysts' snapshot. Work that raises still
finishes the row (``failed``, with the error) so that no run stays ``running``; a run killed
before it could is marked ``crashed`` by the next one.

The work it wraps:

- :func:`ingest_sources` (and :func:`run_ingest` below it): discover, fetch, archive, parse,
  dedupe and load the selected sources side by side. A backfill is an ingest whose
  ``RunParams(deep=True)`` keeps paging past what is held.
- :func:`reparse_sources`: the parsers over the raw archive, no network.

:func:`publish` is the index and snapshot on their own (the ``publish`` flow). The Prefect flows
in flows/ call these, plugging in their tasks (``source_runner``); ``govpress ingest
--without-prefect``, the fault table and the crash tests call them directly.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from govpress.archive import Archive
from govpress.fetch.client import Fetcher, FetchResult
from govpress.fetch.politeness import SharedHostGate
from govpress.memory import give_back
from govpress.parse_workers import ParseJob, ParsePool, run_job
from govpress.pipeline import HeldWrites, RunContext, SourceOutcome, fetch_row, new_run_id, parse_job, run_source
from govpress.plan import RunParams
from govpress.registry import DEFAULT_SOURCES_FILE, Registry, Source, load_registry
from govpress.slots import Slots
from govpress.store import Store, count_releases
from govpress.store.liveness import HEARTBEAT_SECONDS
from govpress.storage import DuckLake, StoreLocation, parse_store
from govpress.store.rows import ArchivedPage, FailureRow, LoadBatch
from govpress.urls import host_of, release_id

log = logging.getLogger("govpress.run")

SOURCE_CONCURRENCY = 4
COUNT_KEYS = ("discovered", "fetched", "not_modified", "new", "updated", "unchanged", "duplicate", "removed", "failed")
FAILING = ("failed", "blocked")
"""Source statuses that make a run ``partial`` (some sources) or ``failed`` (all of them)."""

SourceRunner = Callable[[RunContext, Source], Awaitable[SourceOutcome]]

RUN_DUCKDB_THREADS = 1
"""DuckDB's threads on a run's connection (the session's, from each open).

DuckDB's default is one per core; in a run the parse workers use the cores, and what the run asks
of DuckDB is small statements (the loads already ran theirs on one thread, govpress/store/load.py
``LOAD_THREADS``, then switching the connection down and back up each batch). With two threads the
migration, the reads of discovery, the index build and the snapshot's checkpoint spent CPU on a
second thread waiting for work: a fresh 653-page run 8.3 -> 7.6 CPU-ms/page and faster, not slower
(bench/results.md, "perf-boot8"). The whole index build after a big run runs in a child of its own
(govpress/store/build_apart.py), with DuckDB's default."""


RUN_GC_YOUNG = 10_000
"""The cyclic collector's youngest-generation threshold while a run's work goes on (Python's default: 700).

A run's own objects die young and without cycles: the pages' results, rows and batches are freed by their
counts, and what the collector finds is a few thousand small cycles (closures, a transport's socket). At 700 a
653-page run made ~35-60 young and 3-5 middle collections, 10-13 ms of thread CPU walking the batch's live
objects again and again; at 10,000 it makes 1-2 (bench/results.md, perf-pipe27). Set for the run's duration
(runs overlapping in one process: from the first one's start to the last one's end), then the thresholds before."""

_young = threading.Lock()
_young_runs = 0
_young_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_young_collections(young: int = RUN_GC_YOUNG) -> Iterator[None]:
    """Around a run's work: the cyclic collector's youngest threshold at least ``young``, restored when the last
    run of the process that raised it ends."""
    global _young_runs, _young_saved
    with _young:
        if _young_runs == 0:
            _young_saved = gc.get_threshold()
            if _young_saved[0] < young:
                gc.set_threshold(young, *_young_saved[1:])
        _young_runs += 1
    try:
        yield
    finally:
        with _young:
            _young_runs -= 1
            if _young_runs == 0 and _young_saved is not None:
                gc.set_threshold(*_young_saved)
                _young_saved = None


BIG_LOADS_FROM = 5_000
"""Releases a run must have loaded (new and updated) for its end to let DuckDB's connection go and build the
search index in a child process.

Both are for the end of a big run: a backfill's process keeps 400-450 MB it cannot give back, and
the whole build on top of it rose by 650 MB (docs/scale.md, "Memory of a backfill"). What DuckDB says
it holds cannot decide that alone: appending to a file that already exists takes in-memory row
groups of a few MB per table whatever the rows, so a scheduled run of 12 new releases into a
12-release file held 75 MB (over ``RELEASE_ABOVE``), and paid a fresh interpreter, the store's
imports and a reopen to index 12 documents (1.64 -> 1.12 CPU-s for that run without them,
``bench/ab_rerun.py``). After smaller loads DuckDB's memory limit bounds its cache and the build alike."""


def big_loads(counts: dict[str, int]) -> bool:
    """Whether a run loaded enough to let DuckDB's connection go and build its index apart (:data:`BIG_LOADS_FROM`)."""
    return counts["new"] + counts["updated"] >= BIG_LOADS_FROM


def archive_for(db_path: Path | StoreLocation) -> Archive:
    """Raw bodies live beside the database: ``<db dir>/archive`` (a lake: beside its data folder, or ``?archive=``);
    a run syncs them once per batch, before its load."""
    return Archive(parse_store(db_path).archive_dir, sync_each=False)


def totals(outcomes: list[SourceOutcome]) -> dict[str, int]:
    return {k: sum(getattr(o, k) for o in outcomes) for k in COUNT_KEYS}


def check_window(since: date | None, until: date | None) -> None:
    """A date range runs forwards: ``since`` on or before ``until``."""
    if since and until and since > until:
        raise ValueError(f"since {since} is after until {until}")


# --- the lifecycle --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunStart:
    """What the work of a run is handed: its id, the store and archive, when it started."""

    run_id: str
    store: Store
    archive: Archive
    started_at: datetime
    parsers: ParsePool | None = None
    """The run's parse workers (started only when a run has enough pages to parse)."""
    write_lock: Slots = field(default_factory=lambda: Slots(1))
    """One write at a time (the work's RunContext shares it); a prestarted run's lifecycle holds it until its row exists."""
    held: HeldWrites | None = None
    """A prestarted run's plan parts, written once its row exists (see :func:`run_lifecycle`'s ``opening``)."""


@dataclass(slots=True)
class RunResult:
    """A finished run: its ``runs`` row, in Python."""

    run_id: str
    flow: str
    db: Path
    status: str
    """completed, partial (some sources failed or were blocked) or failed (all of them, or the work raised)."""
    outcomes: list[SourceOutcome] = field(default_factory=list)
    message: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return totals(self.outcomes)

    @property
    def failing(self) -> list[SourceOutcome]:
        """The sources that failed or were blocked (their rows, if any, are loaded)."""
        return [o for o in self.outcomes if o.status in FAILING]

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "flow": self.flow, "db": str(self.db), "status": self.status,
                "sources": [o.as_dict() for o in self.outcomes], **self.counts}


Work = Callable[[RunStart], Awaitable[list[SourceOutcome]]]


@dataclass(frozen=True, slots=True)
class Announcement:
    """What a finished run sends outside its database (the flows' artifacts: flows/artifacts.py), beside its snapshot.

    ``read(store, result)`` runs in a worker thread once the run's row is finished, inside the run's session (the
    file is not opened again); then ``send(result, read)`` runs while the snapshot is written, and the run returns
    once both are done. Sent after the snapshot, the two artifacts' round trips to the API added ~0.1 s to a flow's
    end (issue 14)."""

    read: Callable[[Store, RunResult], Any]
    send: Callable[[RunResult, Any], Awaitable[None]]


def run_status(outcomes: list[SourceOutcome]) -> tuple[str, str | None]:
    """(status, message) of a run from its sources' outcomes."""
    bad = [o for o in outcomes if o.status in FAILING]
    status = "failed" if bad and len(bad) == len(outcomes) else "partial" if bad else "completed"
    return status, "; ".join(f"{o.source_id} {o.status}: {o.message}" for o in bad) or None


def wrote_releases(store: Store, run_id: str) -> bool:
    """Whether run ``run_id`` loaded or changed any release (releases.run_id names the last writer)."""
    with store.reader(fts=False) as con:
        return con.execute("SELECT count(*) > 0 FROM releases WHERE run_id = ?", [run_id]).fetchone()[0]


Opening = Callable[[], Awaitable[dict]]


async def run_lifecycle(db: Path, *, flow: str, parameters: dict, sources: list[Source], work: Work,
                        publish_results: bool = True, opening: Opening | None = None,
                        parsing_held: bool = False, announcement: Announcement | None = None) -> RunResult:
    """Start a run, do ``work``, index and finish it, publish the snapshot; returns the finished run.

    ``publish_results=False`` leaves out the search index and the snapshot (the fault table's
    quick runs, whose checksums cover neither). When ``work`` raises, the row is finished as
    ``failed`` with the error, the index and snapshot catch up with whatever it loaded, and the
    exception propagates.

    ``opening`` (a run the command line starts before its flow run exists: govpress/prestart.py): the
    work starts at once, after the migrations, with every write held back (its loads wait for the run's
    write lock, its plan parts are kept: :class:`~govpress.pipeline.HeldWrites`); ``await opening()``
    returns the parameters the ``runs`` row records (the flow run's id among them). Then the crashed
    runs are marked, the row started, the sources upserted and the kept parts written, in that order,
    and the work goes on. When ``opening`` raises (the flow never started), the work is cancelled and
    nothing is written: no row, no rows of the work.

    On a new database (a backfill) the parse workers start at once, beside the migration, unless
    ``parsing_held`` (a prestarted run beside its starting temporary API parses only once it answers).

    ``announcement``: read once the row is finished, and sent while the snapshot is written (see
    :class:`Announcement`). A snapshot that fails still raises, once the sending ended: what the run loaded
    is announced either way. A run whose work raised announces nothing.
    """
    store = Store(db)
    parsers = ParsePool()
    if not parsing_held and type(store) is Store and not store.path.exists():
        # A new file is a backfill: it parses every page it fetches, so the workers' start (a fork server
        # importing the parsers, on the other core) overlaps the migration instead of waiting for the first
        # batch. A lake (LakeStore: its path may be an s3:// prefix) keeps the lazy start.
        parsers.start_soon()
    try:
        # One connection for the run's store calls (opening the file costs 20-70 ms), on RUN_DUCKDB_THREADS.
        with store.session(threads=RUN_DUCKDB_THREADS), fewer_young_collections():
            return await _run_in_session(store, parsers, db, flow=flow, parameters=parameters, sources=sources,
                                         work=work, publish_results=publish_results, opening=opening,
                                         announcement=announcement)
    finally:
        await asyncio.to_thread(parsers.close)


async def _run_in_session(store: Store, parsers: ParsePool, db: Path, *, flow: str, parameters: dict,
                          sources: list[Source], work: Work, publish_results: bool,
                          opening: Opening | None = None, announcement: Announcement | None = None) -> RunResult:
    await asyncio.to_thread(store.migrate)
    run_id = new_run_id()
    started_at = datetime.now(timezone.utc)
    start = RunStart(run_id=run_id, store=store, archive=archive_for(db), started_at=started_at, parsers=parsers,
                     held=HeldWrites() if opening is not None else None)
    early: asyncio.Future | None = None
    if opening is not None:  # the work starts now; what it writes waits for the row (see run_lifecycle)
        await start.write_lock.acquire()
        early = asyncio.ensure_future(work(start))
        try:
            parameters = await opening()
        except BaseException:
            await _cancel(early)
            raise
    try:
        left = await asyncio.to_thread(store.mark_crashed_runs, frozenset(ACTIVE_RUNS))
        for crashed, reason in left:
            log.warning("run %s was left running: %s", crashed, reason)
        await asyncio.to_thread(store.start_run, run_id, flow, parameters, [s.id for s in sources], started_at)
    except BaseException:
        if early is not None:
            await _cancel(early)
        raise
    ACTIVE_RUNS.add(run_id)
    heart = asyncio.create_task(heartbeat(store, run_id))
    try:
        try:
            await asyncio.to_thread(store.upsert_sources, sources, run_id)
            if early is None:
                outcomes = await work(start)
            else:
                held = await asyncio.to_thread(start.held.flush, store, start.archive)
                if held:
                    log.info("run %s: %d plan part(s) of its early start written", run_id, held)
                start.write_lock.release()
                taking_back = asyncio.ensure_future(start.held.take_back())
                try:
                    outcomes = await early
                finally:
                    await _cancel(taking_back)
        except BaseException as exc:
            heart.cancel()
            if early is not None:
                await _cancel(early)
            await _finish_failed(store, run_id, exc, publish_results)
            raise
        status, message = run_status(outcomes)
        counts = totals(outcomes)
        # The parse workers are done: they leave before the index build and the snapshot, the end of
        # a run where the process holds the most (docs/scale.md, "Memory of a backfill").
        await asyncio.to_thread(parsers.close)
        # After big loads so is what DuckDB cached for them, when it holds much: the index build starts
        # afresh in a child, and what the loads freed goes back to the system first.
        released = big_loads(counts) and await asyncio.to_thread(store.release_memory)
        if released:
            await asyncio.to_thread(give_back)
        # A run killed after its loads left them out of the index (and of the snapshot): this run catches up,
        # even when it changes nothing itself (the update indexes only what is not indexed yet).
        changed = bool(counts["new"] or counts["updated"] or left)
        if publish_results and changed:
            # After big loads the build runs in a fresh process: here it rose by 650 MB on top of the
            # 450 MB the loads left (govpress/store/build_apart.py, BIG_LOADS_FROM).
            await asyncio.to_thread(store.rebuild_search_index_apart if released else store.rebuild_search_index)
        await asyncio.to_thread(store.finish_run, run_id, status, counts, message, [o.as_dict() for o in outcomes],
                                datetime.now(timezone.utc))
    finally:
        heart.cancel()
        ACTIVE_RUNS.discard(run_id)
    result = RunResult(run_id=run_id, flow=flow, db=db, status=status, outcomes=outcomes, message=message)
    sending: asyncio.Future | None = None
    unread: Exception | None = None
    if announcement is not None:
        try:
            read = await asyncio.to_thread(announcement.read, store, result)
        except Exception as error:  # the report's read failed: the analysts' snapshot is still published first
            unread = error
        else:
            sending = asyncio.ensure_future(announcement.send(result, read))
    try:
        if publish_results and snapshot_due(store, changed=changed or bool(counts["removed"])):
            await asyncio.to_thread(store.publish_snapshot)
    except Exception:
        if sending is not None:  # the run's rows are loaded and its row finished: its announcement still goes out
            await asyncio.gather(sending, return_exceptions=True)
        raise
    except BaseException:
        if sending is not None:
            await _cancel(sending)
        raise
    if unread is not None:
        raise unread
    if sending is not None:
        await sending
    return result


async def _cancel(work: asyncio.Future) -> None:
    """Stop early-started work and wait until it stopped (whatever it raised is the caller's error's consequence)."""
    work.cancel()
    await asyncio.gather(work, return_exceptions=True)


SNAPSHOT_MAX_AGE = timedelta(hours=6)
"""A run that changed no release republishes the snapshot only when it is older than this."""


def snapshot_due(store: Store, *, changed: bool) -> bool:
    """Whether a finished run publishes the analysts' snapshot.

    Always when releases changed (or there is no snapshot yet). A quiet run does not: copying the
    whole file for a new ``runs`` row made a quiet run's time grow with the archive (about 2 s per
    GB). Its bookkeeping (runs, fetches, and so ``source_health``) reaches the snapshot with the
    next run that changes something, or at the latest after SNAPSHOT_MAX_AGE.
    """
    if isinstance(store.location, DuckLake):
        return False  # a lake has no snapshot file: readers attach it and see every committed batch
    if changed:
        return True
    path = store.default_snapshot_path()
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        return True
    return age >= SNAPSHOT_MAX_AGE.total_seconds()


ACTIVE_RUNS: set[str] = set()
"""Runs this process is working on now: their rows are alive whatever their heartbeat says."""


async def heartbeat(store: Store, run_id: str, every: float = HEARTBEAT_SECONDS) -> None:
    """Refresh the run's ``heartbeat_at`` every ``every`` seconds until cancelled (a missed beat is only logged)."""
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(store.heartbeat, run_id, datetime.now(timezone.utc))
        except Exception as exc:  # the database locked for long, a full disk: the run itself will say so
            log.warning("run %s: heartbeat not recorded (%s)", run_id, exc)


async def _finish_failed(store: Store, run_id: str, error: BaseException, publish_results: bool) -> None:
    """Close the row of a run whose work raised; never hides ``error`` behind a second failure."""
    message = f"{type(error).__name__}: {error}"
    try:
        await asyncio.to_thread(store.finish_run, run_id, "failed", {}, message, [], datetime.now(timezone.utc))
        # An interrupted run (Ctrl-C, a flow timeout) stops here; a crashed one lets search catch up
        # with what it loaded, or the next run that changes nothing would leave the index behind.
        if publish_results and isinstance(error, Exception) and await asyncio.to_thread(wrote_releases, store, run_id):
            await asyncio.to_thread(store.rebuild_search_index)
            await asyncio.to_thread(store.publish_snapshot)
    except Exception:
        log.exception("run %s: could not record its failure (%s)", run_id, message)


# --- ingest ----------------------------------------------------------------------------------------


def robots_owner(url: str, sources: list[Source]) -> str:
    """The source a robots.txt fetch is recorded under: the first (by id) allowed on that host."""
    host = host_of(url)
    owners = sorted(s.id for s in sources if any(host == h or host.endswith("." + h) for h in s.hosts()))
    return owners[0] if owners else sources[0].id


async def run_ingest(
    registry: Registry,
    selected: list[Source],
    *,
    db: Path,
    params: RunParams,
    base_dir: Path,
    flow: str = "ingest",
    parameters: dict | None = None,
    source_runner: SourceRunner | None = None,
    shared_gate: SharedHostGate | None = None,
    opening: Opening | None = None,
    parse_gate: asyncio.Event | None = None,
    announcement: Announcement | None = None,
) -> RunResult:
    """The selected sources through the stages, at most SOURCE_CONCURRENCY at once, inside the lifecycle.

    ``source_runner(ctx, source)`` processes one source; the Prefect flows pass one that uses
    their tasks, and without it the plain stages run (no Prefect: debugging, crash tests).
    ``shared_gate`` limits each host across processes too (flows/host_limits.py; docs/scale.md).
    ``announcement``: what the finished run sends beside its snapshot (the flows' artifacts; see :class:`Announcement`).
    """
    check_window(params.since, params.until)
    runner = source_runner or run_source

    async def work(run: RunStart) -> list[SourceOutcome]:
        limit = asyncio.Semaphore(SOURCE_CONCURRENCY)
        robots: list[FetchResult] = []  # robots.txt is fetched per host, inside the fetcher: record it too

        def keep_robots(result: FetchResult) -> None:
            if result.purpose == "robots":
                robots.append(result)

        async def one(ctx: RunContext, source: Source) -> SourceOutcome:
            async with limit:
                return await runner(ctx, source)

        async with Fetcher(archive=run.archive, user_agent=registry.user_agent, on_result=keep_robots,
                           shared_gate=shared_gate) as fetcher:
            ctx = RunContext(run_id=run.run_id, store=run.store, archive=run.archive, fetcher=fetcher, params=params,
                             base_dir=base_dir, now=run.started_at, parsers=run.parsers, write_lock=run.write_lock,
                             held=run.held, parse_gate=parse_gate)
            if run.held is not None:
                run.held.lend(ctx.batch_slots)
            outcomes = list(await asyncio.gather(*(one(ctx, s) for s in selected)))
        if robots:
            rows = [fetch_row(run.run_id, robots_owner(r.url, selected), r) for r in robots]
            await asyncio.to_thread(run.archive.sync)
            async with run.write_lock.held():
                await asyncio.to_thread(run.store.load_batch, LoadBatch(run_id=run.run_id, source_id="", fetches=rows))
        return outcomes

    return await run_lifecycle(db, flow=flow, parameters=parameters or {}, sources=selected, work=work, opening=opening,
                               parsing_held=parse_gate is not None and not parse_gate.is_set(),
                               announcement=announcement)


def registry_at(sources_file: Path | str | None) -> tuple[Registry, Path]:
    """The registry and the file it came from (the project's sources.toml when none is named)."""
    path = Path(sources_file) if sources_file else DEFAULT_SOURCES_FILE
    return load_registry(path), path


async def ingest_sources(
    *,
    db: Path,
    sources_file: Path | str | None = None,
    source_ids: list[str] | None = None,
    params: RunParams | None = None,
    flow: str = "ingest",
    parameters: dict | None = None,
    source_runner: SourceRunner | None = None,
    shared_gate: SharedHostGate | None = None,
    announcement: Announcement | None = None,
) -> RunResult:
    """Ingest the registry's sources (``source_ids``, or every enabled one): what the ingest and backfill flows run.

    Relative ``files`` paths of the registry resolve against the registry file's folder.
    """
    registry, path = registry_at(sources_file)
    return await run_ingest(registry, registry.select(source_ids), db=db, params=params or RunParams(),
                            base_dir=path.resolve().parent, flow=flow, parameters=parameters,
                            source_runner=source_runner, shared_gate=shared_gate, announcement=announcement)


# --- reparse ---------------------------------------------------------------------------------------

PAGE_PURPOSES = {"new", "changed", "recheck", "refetch", "removal_check", "entry", "file", "page"}
REPARSE_BATCH = 200


def reparse_pages(store: Store, archive: Archive, sources: list[Source], parser: str | None,
                  run_id: str, parsers: ParsePool | None = None, *, batch_size: int = REPARSE_BATCH) -> list[SourceOutcome]:
    """Re-run parsers over the raw archive (no network) and load what changed, per source.

    ``parsers``: the run's parse workers (each batch's pages are parsed there in chunks); without
    them the pages are parsed here, one after the other. With workers, the batches overlap: the
    next batch's pages are sent to them before this thread loads the last one (the workers sat
    idle through every load before). Batches and their order are the same either way, so are the
    tables.
    """
    from govpress.dedupe.keys import dedupe_rows, release_row

    now = datetime.now(timezone.utc)
    pages = store.archived_pages([s.id for s in sources])
    mine = {s.id: [p for p in pages if p.source_id == s.id and p.purpose in PAGE_PURPOSES] for s in sources}
    outcomes = {s.id: SourceOutcome(source_id=s.id, channel="archive", discovered=len(mine[s.id])) for s in sources}
    started = {s.id: time.monotonic() for s in sources}
    if parsers is not None:
        parsers.want(sum(len(m) for m in mine.values()))

    def load(batch: _ReparseBatch, parsed: Iterable) -> None:
        rows, failures = [], list(batch.failures)
        for page, done in zip(batch.pages, parsed, strict=True):
            if isinstance(done, Exception):
                failures.append(_parse_failure(batch.source, page, parser, str(done), now))
            else:
                rows.append(release_row(done.release, batch.source, url=page.url, archive_key=page.archive_key,
                                        seen_at=page.fetched_at, keys=done.keys))
        outcome = outcomes[batch.source.id]
        outcome.fetched += len(rows) + len(failures)
        # observed=False: text changes found by a reparse are the parser's, not the site's (no edit events).
        outcome.add(store.load_batch(LoadBatch(run_id=run_id, source_id=batch.source.id, releases=dedupe_rows(rows),
                                               failures=failures, observed=False)))
        outcome.seconds = round(time.monotonic() - started[batch.source.id], 2)

    waiting: tuple[_ReparseBatch, Iterable] | None = None  # parsed (or being parsed), not yet loaded
    for source in sources:
        started[source.id] = time.monotonic()
        stored = store.content_hashes(source.id) if mine[source.id] else {}
        for start in range(0, len(mine[source.id]), batch_size):
            batch = _read_batch(archive, source, mine[source.id][start : start + batch_size], parser, now, stored)
            jobs = [job for _, job in batch.jobs]
            parsed = parsers.map(jobs) if parsers is not None else map(run_job, jobs)
            if waiting is not None:
                load(*waiting)  # the workers parse this batch meanwhile
            waiting = (batch, parsed)
    if waiting is not None:
        load(*waiting)
    return [outcomes[s.id] for s in sources]


@dataclass(slots=True)
class _ReparseBatch:
    """One batch of a source's archived pages, read and ready to parse."""

    source: Source
    pages: list[ArchivedPage]
    """The pages read from the archive, in the order of ``jobs``."""
    jobs: list[tuple[ArchivedPage, ParseJob]]
    failures: list[FailureRow]
    """Pages whose archived body could not be read."""


def _parse_failure(source: Source, page: ArchivedPage, parser: str | None, error: str, now: datetime) -> FailureRow:
    return FailureRow(source_id=source.id, url=page.url, archive_key=page.archive_key, parser=parser or source.parser,
                      error=error, failed_at=now)


def _read_batch(archive: Archive, source: Source, pages: list[ArchivedPage], parser: str | None,
                now: datetime, stored: dict[str, str]) -> _ReparseBatch:
    """``stored``: release_id -> the content hash held, handed to the parse so an unchanged text skips its keys."""
    from govpress.parsers.html import page_title, site_names_for_source

    failures, read = [], []
    for page in pages:
        try:
            read.append((page, archive.get(page.archive_key)))
        except Exception as exc:
            failures.append(_parse_failure(source, page, parser, f"archive: {exc}", now))
    # The site names these pages' <title>s share are stripped off their headlines, as in ingest.
    site_names = site_names_for_source([t for _, body in read if body and (t := page_title(body))])
    jobs = []
    for page, body in read:
        result = FetchResult(url=page.url, final_url=page.url, purpose=page.purpose, outcome="ok", status=200,
                             body=body, content_type=page.content_type, charset=None, etag=None,
                             last_modified=None, started_at=page.fetched_at, elapsed_ms=0.0, attempts=1,
                             error=None, archive_key=page.archive_key)
        job = parse_job(source, result, page.fetched_at, parser, site_names)
        jobs.append((page, replace(job, stored_hash=stored.get(release_id(source.id, page.url)))))
    return _ReparseBatch(source=source, pages=[page for page, _ in jobs], jobs=jobs, failures=failures)


async def reparse_sources(
    *,
    db: Path,
    sources_file: Path | str | None = None,
    source_ids: list[str] | None = None,
    parser: str | None = None,
    parameters: dict | None = None,
    announcement: Announcement | None = None,
) -> RunResult:
    """Re-run the parsers over the archive of ``source_ids`` (or every source), inside the lifecycle
    (``announcement``: what the finished run sends beside its snapshot, see :class:`Announcement`)."""
    registry, _ = registry_at(sources_file)
    selected = registry.select(source_ids)

    async def work(run: RunStart) -> list[SourceOutcome]:
        return await asyncio.to_thread(reparse_pages, run.store, run.archive, selected, parser, run.run_id, run.parsers)

    return await run_lifecycle(db, flow="reparse", parameters=parameters or {}, sources=selected, work=work,
                               announcement=announcement)


# --- publish ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Published:
    db: Path
    index_seconds: float | None = None
    """Seconds the full-text index took to rebuild; None when it was not asked for."""
    snapshot: Path | None = None
    releases: int | None = None
    """Releases in the published snapshot."""


def publish(db: Path, *, index: bool = True, snapshot: bool = True, dest: Path | None = None) -> Published:
    """Rebuild the full-text index and/or publish the read-only snapshot (``dest``, default beside ``db``)."""
    lake = isinstance(parse_store(db), DuckLake)
    db = db if lake else Path(db)
    if not lake and not db.exists():
        raise FileNotFoundError(f"no database at {db}; run an ingest first")
    store = Store(db)
    with store.session():
        return _publish(store, db, index=index, snapshot=snapshot, dest=dest)


def _publish(store: Store, db: Path, *, index: bool, snapshot: bool, dest: Path | None) -> Published:
    store.migrate()
    index_seconds = None
    if index:
        started = time.monotonic()
        store.rebuild_search_index()
        index_seconds = round(time.monotonic() - started, 2)
    if not snapshot or isinstance(store.location, DuckLake):  # a lake has no snapshot file: every commit is one
        return Published(db=db, index_seconds=index_seconds)
    path = store.publish_snapshot(dest)
    return Published(db=db, index_seconds=index_seconds, snapshot=path, releases=count_releases(path))
