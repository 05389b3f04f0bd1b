"""The ingest pipeline for one source, as plain async functions: discover, fetch, archive, parse, dedupe, load.

What to fetch is decided in govpress/plan.py.

Prefect only wires these (flows/tasks.py): a task per source for discovery and a task per batch
for fetch+parse+load. Everything here runs and is tested without Prefect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from govpress import coverage
from govpress.archive import Archive
from govpress.dedupe.keys import dedupe_rows, release_row
from govpress.discover import Discovery, Walk, walk_on
from govpress.fetch.client import Fetcher, FetchResult
from govpress.known import HeldIdentities, KnownReleases, by_identity, read_held
from govpress.parse_workers import Parsed, ParseJob, ParsePool, parse_only, run_job
from govpress.parsers import ListingItem
from govpress.plan import Planner, RunParams, WorkItem, batches, pages_per_batch, published_in_range
from govpress.registry import Source
from govpress.slots import Slots
from govpress.stops import raise_if_requested
from govpress.store import Store
from govpress.recheck import listing_window
from govpress.record import answered, fetch_event, listing_rows, not_found_event
from govpress.store.rows import (
    CacheRow, EventRow, FailureRow, FetchRow, KnownRelease, LoadBatch, LoadCounts, ReleaseRow, SeenRow,
)
from govpress.urls import identity, local_path, refusal
from govpress.parsers import BlockedPage, NotFoundPage, ParseContext, ParseError
from govpress.parsers.html.titles import page_title, site_names_for_source
from govpress.parsers.language import language_mismatch

log = logging.getLogger("govpress.pipeline")

SourceStatus = Literal["ok", "failed", "blocked", "unfinished"]

TRACED_KINDS = frozenset({"feed", "listing", "json"})
"""Discovery kinds walked page by page, newest first: the ones whose coverage is traced."""
RESUMABLE = frozenset({"circuit_open", "timeout", "network_error"})
"""Fetch outcomes of a failing HOST: the page stays in the frontier and the source is unfinished."""
SETTLED = frozenset({"ok", "not_modified", "gone", "robots"})
"""Fetch outcomes that take a page out of the frontier; any other outcome (5xx after retries, a
challenge, a refused redirect, an oversized body) leaves it there for the next run to retry, since
an unchanged feed (304) would never list it again."""
CHECKS = frozenset({"recheck", "removal_check"})
"""Reasons that look at a stored release again: robots or a refusal does not settle them (no answer was seen)."""


@dataclass(slots=True)
class SourceOutcome:
    """The per-source line of a run summary."""

    source_id: str
    status: SourceStatus = "ok"
    channel: str = ""
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    removed: int = 0
    failed: int = 0
    unfinished: int = 0
    unchecked: int = 0
    """Checks of stored releases (rechecks, removal checks) that got no answer this run (robots, refused,
    errors): they stay in the frontier; a check is never counted as made without a response."""
    blocked_pages: int = 0
    """Pages that answered with a challenge or access page (recorded on the page; the source is
    ``blocked`` only when discovery is, or when most of the pages it fetched are)."""
    language_mismatch: int = 0
    seconds: float = 0.0
    message: str = ""

    def add(self, counts: LoadCounts) -> None:
        """Add a load's counts (every LoadCounts field has a namesake here)."""
        for name, value in counts.as_dict().items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RunContext:
    """What every stage of one run shares: the store, the archive, one HTTP client, the parameters."""

    run_id: str
    store: Store
    archive: Archive
    fetcher: Fetcher
    params: RunParams = field(default_factory=RunParams)
    base_dir: Path = Path(".")
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    write_lock: Slots = field(default_factory=lambda: Slots(1))
    """One load at a time; a source's plan parts written on their own (those with nothing to fetch, a walk's parts
    outside :func:`run_stream`) go ahead of queued batches, while a batch waiting a little longer delays nothing."""
    parsers: ParsePool | None = None
    """The run's parse workers; None parses in a thread (tests, tools that build a context by hand)."""
    load_turns: dict[str, LoadTurns] = field(default_factory=dict)
    """Per source: batches in flight load in their order (see :class:`LoadTurns`)."""
    streams: dict[str, "SourceStream"] = field(default_factory=dict)
    """Per source: its streamed discovery until the walk ends (a retried discovery task resumes it)."""
    batch_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(RUN_BATCHES))
    """Batches in flight in the run, every source together (:data:`RUN_BATCHES`)."""
    held: HeldWrites | None = None
    """A run started before its ``runs`` row exists (govpress/prestart.py): its plan parts wait here."""
    parse_gate: asyncio.Event | None = None
    """A prestarted run's batches parse once this is set: while Prefect's temporary API starts beside it, the
    run fetches and archives but leaves the CPU to the server's start, which is what the command waits for."""
    early: dict[tuple[str, str | int], asyncio.Future] = field(default_factory=dict)
    """Stage calls a prestarted run began before its flow took it over, per (source id, "discover" or batch
    number): the flow's tasks adopt them (flows/tasks.py) instead of running the stage again."""
    plans: dict[str, list[LoadBatch]] = field(default_factory=dict)
    """Per source: plan parts not written yet, in their order; the source's next load writes them in its own
    transaction (:func:`load_with_plans`), so a part with work to fetch costs no load of its own."""

    def turns(self, source_id: str) -> LoadTurns:
        return self.load_turns.setdefault(source_id, LoadTurns())


class HeldWrites:
    """The plan parts of a run that started before its ``runs`` row (govpress/prestart.py), in their order.

    Discovery persists each part before (or with) its pages' first load; while the run has no row yet (its flow
    run is being created) the parts are kept here instead, and their pages fetched and parsed all the
    same: the loads wait for the run's write lock, which the lifecycle holds until the row exists
    (govpress/run.py). Then :meth:`flush` writes the parts in order, and from there on they are written
    as usual. A run whose flow never starts writes nothing.
    """

    def __init__(self) -> None:
        self.holding = True
        self.parts: list[LoadBatch] = []
        self._lent: asyncio.Semaphore | None = None

    def lend(self, batch_slots: asyncio.Semaphore) -> None:
        """While the writes are held no batch can finish: :data:`HELD_EXTRA_BATCHES` more may be in flight meanwhile.

        Else the first (small) batch of each of four sources took every slot of the run and the early
        start stopped fetching after a few dozen pages. Each source still holds at most
        :data:`PIPELINE_DEPTH` batches, the run :data:`HELD_BATCHES`. :meth:`take_back` returns the slots
        once the writes flow.
        """
        self._lent = batch_slots
        for _ in range(HELD_EXTRA_BATCHES):
            batch_slots.release()

    async def take_back(self) -> None:
        """The lent slots, taken back as the batches in flight finish (run as a task once the row exists)."""
        if self._lent is not None:
            for _ in range(HELD_EXTRA_BATCHES):
                await self._lent.acquire()

    def keep(self, batch: LoadBatch) -> bool:
        """Keep ``batch`` for later when still holding; False when it is to be written now."""
        if self.holding:
            self.parts.append(batch)
        return self.holding

    def flush(self, store: Store, archive: Archive) -> int:
        """Write the kept parts (the caller holds the run's write lock); from now on nothing is held."""
        parts, self.parts, self.holding = self.parts, [], False
        if parts:
            archive.sync()
        for batch in parts:
            store.load_batch(batch)
        return len(parts)


class LoadTurns:
    """Batches of one source fetch and parse side by side but load in their order.

    The load's decisions depend on what is already stored (the first holder of a text is the
    earliest STORED release), so batch n+1 waits for batch n's load: the tables come out as they
    would from batches run one after the other. A batch that fails still passes its turn on.
    """

    def __init__(self) -> None:
        self.done = 0
        self.changed = asyncio.Condition()
        self.pages: dict[int, int] = {}
        """Pages of each batch :func:`run_stream` launched, by number."""
        self.limit = 0
        """The most pages one load carries (the source's ``pages_per_batch``; 0: every batch loads its own)."""
        self.carried = 0
        """Pages of batches that left their rows to a later load (:meth:`hand_on`), not written yet."""
        self.waiting: set[int] = set()
        """Batches at their turn that wait to learn whether a next batch comes (:meth:`hand_on_soon`): idle for
        :func:`run_stream` and the walk, which launch and plan what they have at once, as for a finished batch."""
        self.closed = False
        """The source's stream launched its last batch (or ended): no batch will be registered any more."""

    def hand_on(self, number: int) -> bool:
        """Whether batch ``number``, at its turn, leaves its rows to the next batch's load instead of loading.

        Yes when the next batch was launched already (or waits for a slot to start) and the two, with what earlier
        batches left, fit in one batch: a source's first batch is small (its first discovery page's links, fetched
        at once), and a load costs ~30-40 ms of DuckDB statements however few releases it carries. The next batch
        loads in its turn, after this one, so the rows go in in the same order; should it never load (it failed),
        :func:`run_source` writes them (:func:`write_plans`). The slots this batch frees let the next one start
        fetching instead of waiting for this one's turn at the writer.
        """
        mine, after = self.pages.get(number), self.pages.get(number + 1)
        if not self.limit or mine is None or after is None or self.carried + mine + after > self.limit:
            return False
        self.carried += mine
        return True

    async def hand_on_soon(self, number: int) -> bool:
        """:meth:`hand_on`, once it is known whether a next batch comes: while the walk goes on and no next batch was
        launched, batch ``number`` waits (idle: the walk plans its next page's links at once, :func:`run_stream`
        launches them, as it would have once this batch had loaded) for :data:`HAND_ON_WAIT` seconds at most.

        A source's first batch (its first discovery page's links, 15 in the bench) otherwise reached its turn
        before the second was launched and cost a load of its own (~30 ms of DuckDB statements for 15 releases).
        """
        full = self.carried + self.pages.get(number, self.limit) >= self.limit  # no next batch would fit beside it
        if not self.limit or self.closed or number + 1 in self.pages or full:
            return self.hand_on(number)
        self.waiting.add(number)
        try:
            async with self.changed:
                self.changed.notify_all()
                try:
                    await asyncio.wait_for(self.changed.wait_for(lambda: self.closed or number + 1 in self.pages),
                                           HAND_ON_WAIT)
                except TimeoutError:
                    pass
        finally:
            self.waiting.discard(number)
        return self.hand_on(number)

    async def registered(self, number: int, pages: int) -> None:
        """Batch ``number`` of ``pages`` pages is launched (before it waits for room): a batch waiting may hand on."""
        self.pages[number] = pages
        async with self.changed:
            self.changed.notify_all()

    async def close(self) -> None:
        self.closed = True
        async with self.changed:
            self.changed.notify_all()

    async def wait(self, number: int) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: self.done >= number - 1)

    async def finish(self, number: int) -> None:
        async with self.changed:
            self.done = max(self.done, number)
            self.changed.notify_all()


# --- planning (pure) ------------------------------------------------------------------------------


def new_fetch_id() -> str:
    """A random UUID's 32 hex digits, as ``uuid.uuid4().hex`` spells them (version 4, RFC 4122 variant), without
    building the ``UUID``: ~0.5 against ~6 us, and a run makes one a fetch (bench/results.md, perf-pipe27)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    return raw.hex()


def fetch_row(run_id: str, source_id: str, result: FetchResult) -> FetchRow:
    return FetchRow(
        fetch_id=new_fetch_id(),
        run_id=run_id,
        source_id=source_id,
        url=result.url,
        final_url=result.final_url,
        purpose=result.purpose,
        status=result.status,
        outcome=result.outcome,
        started_at=result.started_at,
        elapsed_ms=result.elapsed_ms,
        bytes=result.bytes_downloaded if result.bytes_downloaded else (len(result.body) if result.body is not None else None),
        content_type=result.content_type,
        charset=result.charset,
        etag=result.etag,
        last_modified=result.last_modified,
        attempts=result.attempts,
        error=result.error,
        archive_key=result.archive_key,
    )


def local_result(url: str, purpose: str, body: bytes | None, content_type: str | None, archive: Archive,
                  *, outcome: str = "ok", error: str | None = None) -> FetchResult:
    """A FetchResult for bytes that did not come over HTTP (feed entries, local files)."""
    now = datetime.now(timezone.utc)
    return FetchResult(
        url=url, final_url=url, purpose=purpose, outcome=outcome, status=None, body=body,
        content_type=content_type, charset=None, etag=None, last_modified=None, started_at=now,
        elapsed_ms=0.0, attempts=1, error=error, archive_key=archive.put(body) if body is not None else None,
    )


TRUSTED_DISCOVERY_VALIDATORS = timedelta(days=1)
"""How long a discovery page's validators are sent after the full answer they came with: a feed or sitemap whose
Last-Modified or ETag never changes (a server's, a cache's) answers 304 for ever, and its new releases would never be
listed; a day on, the page is read whole (one full read a day of a source run every 15 minutes)."""
_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
          ".pdf": "application/pdf"}


def file_roots(source: Source, base_dir: Path) -> list[Path]:
    """The folders a ``files`` source may read (none for web sources)."""
    from govpress.discover import files_root

    return [files_root(pattern, base_dir) for pattern in source.start_urls] if source.kind == "files" else []


def read_file_item(url: str, archive: Archive, roots: list[Path]) -> FetchResult:
    """Read a ``files`` source document named by a file:// URL, only inside the source's folders."""
    if (why := refusal(url, roots or [])) is not None or not roots:
        return local_result(url, "file", None, None, archive, outcome="refused", error=why or "not a files source")
    path = local_path(url)
    try:
        body = path.read_bytes()
    except OSError as exc:
        return local_result(url, "file", None, None, archive, outcome="gone" if isinstance(exc, FileNotFoundError) else "network_error", error=str(exc))
    return local_result(url, "file", body, _TYPES.get(path.suffix.lower(), "text/plain"), archive)


def parser_for(source: Source, result: FetchResult) -> str:
    """The document parser reads local text files and PDF files (parsers/pdf.py); everything else goes to the source's
    parser."""
    if source.kind == "files" and result.content_type in ("text/plain", "text/markdown", "application/pdf"):
        return "document"
    return source.parser


def parse_job(source: Source, result: FetchResult, fetched_at: datetime, parser_name: str | None = None,
              site_names: tuple[str, ...] = ()) -> ParseJob:
    """What a parse worker needs for one fetched body (``site_names``: the source's, stripped off titles)."""
    ctx = ParseContext(
        source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
        fetched_at=fetched_at, content_type=result.content_type, site_names=site_names,
        no_block_found=result.no_block_found and result.outcome == "ok",
    )
    return ParseJob(body=result.body, url=result.final_url or result.url, context=ctx,
                    parser=parser_name or parser_for(source, result))


def parse_result(source: Source, result: FetchResult, fetched_at: datetime, parser_name: str | None = None,
                 site_names: tuple[str, ...] = ()):
    """Parse one fetched body here; returns the Release or the ParseError (never raises)."""
    return parse_only(parse_job(source, result, fetched_at, parser_name, site_names))


@dataclass(slots=True)
class BatchResult:
    counts: LoadCounts
    unfinished: int = 0
    """Pages left in the frontier for the next run (host circuit open, timeouts, connection failures)."""
    out_of_range: int = 0
    language_mismatch: int = 0
    """Releases detected in a language the source does not declare."""
    fetched: int = 0
    not_modified: int = 0
    unchecked: list[str] = field(default_factory=list)
    """``"URL: outcome"`` of each check of a stored release that got no answer."""
    blocked: list[str] = field(default_factory=list)
    """``"URL: reason"`` of each page that answered with a challenge or access page."""
    fetch_failures: int = 0


async def process_batch(ctx: RunContext, source: Source, items: list[WorkItem], number: int | None = None) -> BatchResult:
    """Fetch, archive, parse and load one batch in one short write transaction.

    The batch's pages go to the parse workers in chunks once all of it is fetched (:func:`parse_jobs`). ``number`` (from 1) is the
    batch's place in its source: batches in flight together load in that order (:class:`LoadTurns`).
    """
    if number is None:
        return await _process_batch(ctx, source, items, None)
    turns = ctx.turns(source.id)
    try:
        return await _process_batch(ctx, source, items, (turns, number))
    finally:
        await turns.finish(number)


async def _process_batch(ctx: RunContext, source: Source, items: list[WorkItem],
                         turn: tuple[LoadTurns, int] | None) -> BatchResult:

    async def get(item: WorkItem) -> FetchResult:
        if item.reason == "entry":
            return local_result(item.url, "entry", item.entry, "application/atom+xml", ctx.archive)
        if source.kind == "files":
            return await asyncio.to_thread(read_file_item, item.url, ctx.archive, file_roots(source, ctx.base_dir))
        result = await ctx.fetcher.fetch(item.url, source, purpose=item.reason, etag=item.etag, last_modified=item.last_modified)
        if result.outcome == "not_modified" and item.cached_archive_key:
            body = await asyncio.to_thread(ctx.archive.read, item.cached_archive_key)
            if body is not None:
                return _replace_body(result, body, item.cached_archive_key)
            # The stored copy is gone or corrupt: fetch the page whole so the archive is repaired.
            return await ctx.fetcher.fetch(item.url, source, purpose=item.reason)
        return result

    seen_at = ctx.now
    results = await asyncio.gather(*(get(item) for item in items))
    out = BatchResult(counts=LoadCounts())
    fetch_rows: list[FetchRow] = []
    cache_rows: list[CacheRow] = []
    events: list[EventRow] = []
    seen: list[SeenRow] = []
    to_parse: list[tuple[WorkItem, FetchResult]] = []
    settled: set[str] = set()

    for item, result in zip(items, results):
        fetch_rows.append(fetch_row(ctx.run_id, source.id, result))
        checking = item.reason in CHECKS and item.known is not None
        if result.outcome in SETTLED and (answered(result) or not checking):
            settled.add(item.url)
        if (event := fetch_event(item.known, item.url, result, seen_at)) is not None:
            events.append(event)  # withdrawn or redirected: the page is not this release's any more
            settled.add(item.url)
            if event.kind == "redirected":
                out.fetched += result.outcome == "ok"
                continue
        elif checking and not answered(result) and result.outcome not in RESUMABLE:  # those count as unfinished
            out.unchecked.append(f"{item.url}: {result.outcome} {result.error or ''}".strip())
        if result.outcome in ("ok", "not_modified") and checking and source.feed_full_text:
            # The release's text lives in its feed entry; the page only shows it is still there.
            out.fetched += result.outcome == "ok"
            out.not_modified += result.outcome == "not_modified"
            seen.append(SeenRow(item.known.release_id, item.url, seen_at, result.status, result.archive_key))
            continue
        if result.outcome == "ok":
            out.fetched += 1
            to_parse.append((item, result))
            if result.etag or result.last_modified:
                cache_rows.append(CacheRow(url=item.url, etag=result.etag, last_modified=result.last_modified,
                                           archive_key=result.archive_key, checked_at=seen_at))
        elif result.outcome == "not_modified":
            out.not_modified += 1
            if result.body is not None:
                # Re-parse the stored body: it confirms the release (last_seen_at) and picks up parser fixes.
                to_parse.append((item, result))
        elif result.outcome == "gone" and item.known is not None:
            pass  # the withdrawal event above
        elif result.outcome == "blocked":
            out.blocked.append(f"{item.url}: {result.error or 'a challenge or access page'}")
            out.fetch_failures += 1
        elif result.outcome in RESUMABLE:
            out.unfinished += 1
        elif not checking:
            out.fetch_failures += 1

    # Site names the source's pages share (their <title>s, its stored headlines) are stripped off titles,
    # so the batch is parsed once all of it is fetched; the next batch's fetching overlaps this parse.
    stored_titles = await asyncio.to_thread(ctx.store.recent_titles, source.id) if to_parse else []
    site_names = site_names_for_source([t for _, r in to_parse if r.body and (t := page_title(r.body))], stored_titles)

    if ctx.parse_gate is not None and not ctx.parse_gate.is_set():
        await ctx.parse_gate.wait()
        if ctx.parsers is not None:
            ctx.parsers.want(len(to_parse))  # held back at the batch's launch (run_stream)
            # Parsed by the workers, not in threads of this process while they start: that is where the flow
            # run is being created meanwhile (the workers answer in about as long).
            while ctx.parsers.started and not ctx.parsers.ready:
                await asyncio.sleep(0.05)
    jobs = [parse_job(source, result, seen_at, site_names=site_names) for _, result in to_parse]
    pages = await parse_jobs(ctx.parsers, jobs)
    jobs = None
    parsed = [(item, result, page) for (item, result), page in zip(to_parse, pages)]
    rows: list[ReleaseRow] = []
    failures: list[FailureRow] = []
    for item, result, page in parsed:
        release, keys = (page.release, page.keys) if isinstance(page, Parsed) else (page, None)
        if isinstance(release, BlockedPage):
            out.blocked.append(f"{result.url}: {release}")
            failures.append(FailureRow(source_id=source.id, url=result.url, archive_key=result.archive_key or "",
                                       parser=parser_for(source, result), error=f"blocked: {release}", failed_at=seen_at))
        elif isinstance(release, NotFoundPage) and item.known is not None:
            events.append(not_found_event(item.known, item.url, result, str(release), seen_at))  # a soft 404
            settled.add(item.url)
        elif isinstance(release, ParseError):
            failures.append(FailureRow(source_id=source.id, url=result.url, archive_key=result.archive_key or "",
                                       parser=parser_for(source, result), error=str(release), failed_at=seen_at))
        elif not published_in_range(release.published_at, ctx.params):
            out.out_of_range += 1  # undated in the listing (sitemaps), dated outside the run's range
        else:
            if language_mismatch(release.language, source.languages):
                out.language_mismatch += 1  # kept: mixed-language sites exist; the count shows in the summary
            rows.append(release_row(release, source, url=item.url, archive_key=result.archive_key, seen_at=seen_at,
                                    keys=keys))

    # A page that did not parse stays in the frontier: broken or truncated bodies are often
    # transient, and an unchanged feed would never list the page again.
    unparsed = {f.url for f in failures}
    done = {item.url for item in items if item.url in settled and item.url not in unparsed}
    batch = LoadBatch(
        run_id=ctx.run_id, source_id=source.id, releases=dedupe_rows(rows), fetches=fetch_rows,
        failures=failures, events=events, seen=seen, cache=cache_rows, frontier_add=[],
        frontier_done=[item.url for item in items if item.url in done],
        frontier_retry=[item.url for item in items if item.url not in done and item.reason not in ("entry", "file")],
    )
    # The fetched bodies and parse results go before the batch waits for its load: batches in flight behind
    # another's load, or all of a prestarted run's until its flow adopts it (HELD_BATCHES), hold their rows only.
    results = to_parse = parsed = pages = result = page = None  # noqa: F841
    await asyncio.to_thread(ctx.archive.sync)  # the bodies are on disk before the rows naming them commit
    if turn is not None:
        await turn[0].wait(turn[1])
    holding = ctx.held is not None and ctx.held.holding
    handing_on = turn is not None and not holding and await turn[0].hand_on_soon(turn[1])
    raise_if_requested()  # a stop asked for during a flow: the batch is fetched again by the rerun (govpress/stops.py)
    if handing_on:
        # Loaded by the next batch, in its turn (its counts come with that load's): its slots free now, as a load would.
        ctx.plans.setdefault(source.id, []).append(batch)
        return out
    async with ctx.write_lock.held():
        out.counts = await load_with_plans(ctx, source.id, batch)
    return out


def with_plans(plans: list[LoadBatch], batch: LoadBatch | None = None) -> LoadBatch:
    """One source's plan parts (no releases) and then ``batch``, as one LoadBatch of their rows in that order.

    A load writes its releases, then its listings, fetches, validators and frontier, adding to the frontier
    before it takes out what was done, so the rows end as the parts' loads and then the batch's would leave
    them: no step of a load reads a table that the parts' rows go to, and a part carries no releases, events or
    failures, so the counts are the batch's.
    """
    last = batch if batch is not None else plans[-1]
    merged = LoadBatch(run_id=last.run_id, source_id=last.source_id, observed=last.observed)
    for part in plans + ([batch] if batch is not None else []):
        for name in ("releases", "fetches", "failures", "removals", "events", "seen", "listings", "cache",
                     "frontier_add", "frontier_done", "frontier_retry"):
            getattr(merged, name).extend(getattr(part, name))
    return merged


async def load_with_plans(ctx: RunContext, source_id: str, batch: LoadBatch | None) -> LoadCounts:
    """Load ``batch`` together with the source's unwritten plan parts (:attr:`RunContext.plans`), in one transaction.

    The caller holds the run's write lock: the parts are taken under it, so no other load of the source can come
    between them and a batch of their work. A load that fails (rolled back) leaves them for the next one.
    """
    plans = ctx.plans.pop(source_id, [])
    if not plans and batch is None:
        return LoadCounts()
    try:
        counts = await asyncio.to_thread(ctx.store.load_batch, with_plans(plans, batch) if plans else batch)
    except Exception:
        if plans:
            ctx.plans[source_id] = plans + ctx.plans.get(source_id, [])
        raise
    if source_id in ctx.load_turns:
        ctx.load_turns[source_id].carried = 0
    return counts


async def write_plans(ctx: RunContext, source_id: str) -> LoadCounts:
    """Write what is left of the source's unwritten rows (its batches took the rest): plan parts of a discovery that
    failed before its work was handed over, or rows a batch left to a next one that failed. A crash loses them, as
    it loses a part not planned yet or a batch not loaded yet: the next run walks again and plans and fetches them."""
    if not ctx.plans.get(source_id):
        return LoadCounts()
    await asyncio.to_thread(ctx.archive.sync)
    async with ctx.write_lock.held(ahead=True):
        return await load_with_plans(ctx, source_id, None)


PARSE_CHUNK_PAGES = 8
"""The fewest pages a chunk of a batch carries to a parse worker in one round trip, unless that would leave a
worker without any of the batch (:func:`parse_chunks`)."""
PARSE_ROUNDS = 2
"""Chunks of a batch per worker at most (:func:`parse_chunks`)."""


def parse_chunks(count: int, workers: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the chunks a batch of ``count`` pages goes to ``workers`` workers in, sizes within one of
    each other: at most :data:`PARSE_ROUNDS` per worker, of :data:`PARSE_CHUNK_PAGES` pages or more, and at least
    one per worker while there are pages for it.

    A round trip costs the run's process ~0.6 ms of CPU whatever it carries (the executor's two threads, pickling,
    the loop's wake-ups; bench/results.md, perf-main24), and a 653-page run made ~70 (four a worker of every batch,
    15-page batches in chunks of two); two a worker still lets one worker take over the other's rest when a chunk
    is slow, and the run's other batches keep both busy meanwhile.
    """
    workers = max(1, workers)
    chunks = min(count, max(workers, min(PARSE_ROUNDS * workers, count // PARSE_CHUNK_PAGES)))
    if chunks <= 0:
        return []
    size, extra = divmod(count, chunks)
    bounds, start = [], 0
    for index in range(chunks):
        end = start + size + (index < extra)
        bounds.append((start, end))
        start = end
    return bounds


async def parse_jobs(parsers: ParsePool | None, jobs: list[ParseJob]) -> list:
    """A batch's pages parsed, in their order: by the workers in chunks (:func:`parse_chunks`), or here in threads."""
    if parsers is None:
        return await asyncio.gather(*(asyncio.to_thread(run_job, job) for job in jobs))
    chunks = await asyncio.gather(*(parsers.parse_many(jobs[start:end])
                                    for start, end in parse_chunks(len(jobs), parsers.workers)))
    return [page for chunk in chunks for page in chunk]


def _replace_body(result: FetchResult, body: bytes, key: str) -> FetchResult:
    return replace(result, body=body, archive_key=key, no_block_found=False)


# --- one source end to end ------------------------------------------------------------------------


def needs_everything(source: Source, found: Discovery) -> bool:
    """A complete listing (sitemap, file set) shows every release, so the plan checks every held one not in it."""
    return found.complete


def recheck_candidates(ctx: RunContext, source: Source, found: Discovery, known: KnownReleases,
                       met: int) -> Mapping[str, KnownRelease]:
    """The releases the recheck policy may pick this run, read bounded by the source's budget.

    ``met`` links are planned anyway (they are excluded from the checks), so the read keeps that many
    more: the policy's first ``recheck_budget`` picks among the rest are then in hand. When the whole
    archive is read already (a complete listing), it is the candidate set itself.
    """
    if ctx.params.refetch or ctx.params.deep or source.kind == "files":
        return {}
    if needs_everything(source, found):
        return known
    budget = source.recheck_budget + met + len(found.listed)
    return by_identity(ctx.store.recheck_candidates(source.id, ctx.now, budget=budget, window=listing_window(found)))


PART_QUEUE = 2
"""Parts of a streamed discovery (planned work, see :data:`PART_ITEMS`) waiting for the source's batches:
when the queue is full the walk waits (backpressure), so what a source holds is bounded by this queue, a
batch being filled and the batches in flight, not by the size of its feed."""

Parts = asyncio.Queue
"""The queue of a streamed discovery's parts (lists of WorkItem; None when the walk ended)."""


@dataclass
class SourceStream:
    """One source's discovery as it streams: the walk, its planner and what was persisted so far.

    Kept on the run context (:attr:`RunContext.streams`) until the walk ends, so that a retried
    discovery task resumes the walk where it stood instead of walking the feed again from the start.
    """

    walk: Walk
    planner: Planner
    known: KnownReleases
    frontier: list[tuple[str, str]]
    discovery_cache: list[CacheRow]
    pages_sent: int = 0
    """Discovery pages (``walk.result.pages``) whose fetch rows are persisted."""
    carry: list[WorkItem] = field(default_factory=list)
    """Resumed work, persisted but handed to the batches with the first listed part (or at the end), so that
    a source whose discovery is blocked or fails outright fetches nothing, as when it was planned whole."""
    handed: bool = False
    """Work went to the batches already."""
    unput: list[WorkItem] | None = None
    """A persisted part not yet taken by the queue (the task failed while it waited): put first on resume."""
    gathered: list[ListingItem] = field(default_factory=list)
    """Kept items not planned yet (see :func:`take_part`)."""
    met: int = 0
    """Identities planning met (listed items and resumed work): the recheck read keeps that many more."""
    unfetched: set[str] = field(default_factory=set)
    reasons: Counter = field(default_factory=Counter)
    deferring: bool = False
    """Parts with work are written by the first load of their batches (:attr:`RunContext.plans`): the walk's
    parts go to :func:`run_stream`, whose batches load them. A caller that only walks writes each part itself."""


async def open_stream(ctx: RunContext, source: Source) -> SourceStream:
    """What a source's discovery reads before its first page: held releases, the frontier, validators, coverage."""
    if await asyncio.to_thread(ctx.store.holds_releases, source.id):
        known = KnownReleases(source.id, lambda: ctx.store.known_releases(source.id),
                              lambda ids: ctx.store.known_releases_by_id(source.id, ids))
    else:  # a first run or a backfill: nothing to look up, and no page of the walk waits on the store
        known = KnownReleases(source.id, dict, lambda ids: {}, reads_store=False)
    frontier = await asyncio.to_thread(ctx.store.frontier, source.id)
    # Conditional GET on discovery pages makes a quiet scheduled run cost one request per
    # source; a backfill or refetch must read the pages whatever their validators say.
    p = ctx.params
    conditional = not (p.refetch or p.deep or p.since or p.until)
    first_pages = source.start_urls + source.fallback_urls
    # Read once per source: every discovery page this source fetched before, not one query per page.
    validators = await asyncio.to_thread(ctx.store.discovery_validators, source.id, first_pages) if conditional else {}
    discovery_cache: list[CacheRow] = []

    async def fetch(url: str, purpose: str) -> FetchResult:
        cached = validators.get(url) if conditional else None
        if cached is not None and ctx.now - cached.checked_at > TRUSTED_DISCOVERY_VALIDATORS:
            cached = None  # read whole once a day: frozen validators on a feed would hide every new release
        result = await ctx.fetcher.fetch(url, source, purpose=purpose, etag=cached.etag if cached else None,
                                         last_modified=cached.last_modified if cached else None)
        if result.ok and (result.etag or result.last_modified):
            discovery_cache.append(CacheRow(url=url, etag=result.etag, last_modified=result.last_modified,
                                            archive_key=result.archive_key, checked_at=ctx.now))
        elif result.outcome == "not_modified" and cached:
            # Sitemaps need their (unchanged) URL list to find removals and changed children.
            body = await asyncio.to_thread(ctx.archive.read, cached.archive_key) if cached.archive_key else None
            if body is not None:
                result = replace(result, body=body, archive_key=cached.archive_key, no_block_found=False)
            else:  # no sound stored copy: read the page whole (and repair the archive)
                result = await ctx.fetcher.fetch(url, source, purpose=purpose)
                if result.ok and (result.etag or result.last_modified):
                    discovery_cache.append(CacheRow(url=url, etag=result.etag, last_modified=result.last_modified,
                                                    archive_key=result.archive_key, checked_at=ctx.now))
        return result

    # Paginated channels are walked with the source's coverage: held links stop the walk only
    # inside a complete range, and runs without a date range fill a gap below one (coverage.py).
    covered = await asyncio.to_thread(coverage.load, ctx.store, source.id) if source.kind in TRACED_KINDS else None
    walk = Walk(
        source=source, fetch=fetch, result=Discovery(channel=source.kind), since=p.since,
        max_pages=p.max_pages or source.max_pages, known=set() if p.refetch else HeldIdentities(known),
        stop_at_known=not (p.refetch or p.deep), fetched_at=ctx.now, base_dir=ctx.base_dir, coverage=covered,
        until=p.until, gap_pages=p.gap_pages, fill_gaps=not (p.refetch or p.deep),
    )
    planner = Planner(source, known, p, ctx.now, file_roots(source, ctx.base_dir))
    return SourceStream(walk=walk, planner=planner, known=known, frontier=frontier, discovery_cache=discovery_cache)


async def discover_source(ctx: RunContext, source: Source, parts: Parts) -> tuple[Discovery, Counter]:
    """Discovery plus planning, streamed: each discovery page's work is planned, persisted and put on ``parts``.

    The first batch can start once the first page is read; ``put`` waits while the queue is full,
    so the walk goes at the pace of the batches. A complete listing's removal checks and the
    recheck budget are planned only once the walk ended (:meth:`Planner.closing`), and the walk's
    end puts None. Called again after a failure (the Prefect task's retry), it resumes the walk.
    Returns the Discovery (its items not kept: counted) and the planned reasons.
    """
    stream = ctx.streams.get(source.id)
    if stream is None:
        stream = await open_stream(ctx, source)
        # Work an interrupted run left comes first (it is in the frontier already).
        await read_held(stream.known.fetch_keys, [identity(url) for url, _ in stream.frontier],
                        reads_store=stream.known.reads_store)
        urls = [url for url, _ in stream.frontier]
        cache = await asyncio.to_thread(ctx.store.cached_validators, urls)
        resumed = stream.planner.resumed(stream.frontier, cache)
        stream.deferring = isinstance(parts, PartQueue)
        planned, moved = {w.url for w in resumed}, {identity(w.url) for w in resumed}
        # Resumed work planned under the site's new origin leaves under its old URL.
        gone = [url for url, _ in stream.frontier if url not in planned and identity(url) in moved]
        await persist_part(ctx, stream, resumed, [], frontier_done=gone)
        stream.met += len(stream.frontier)
        stream.carry = resumed
        ctx.streams[source.id] = stream  # from here on a retry resumes (before: it starts over)
    if stream.unput is not None:
        await hand_to_batches(stream, parts, stream.unput)
    walk = stream.walk
    walk.hand_over = lambda items: take_part(ctx, stream, parts, items)
    found = await walk_on(walk)
    await flush_part(ctx, stream, parts)
    # The walk ended: a complete listing may now prove removals, and the recheck budget is spent.
    closing = await plan_closing(ctx, stream, found)
    await persist_part(ctx, stream, closing, [])
    if found.trace is not None:
        found.trace.unfetched = stream.unfetched
    if discovery_failed(found):  # the run's log says so when it happens (a prestarted run: before its flow run exists)
        log.warning("%s: discovery failed: %s", source.id,
                    f"blocked: {found.blocked}" if found.blocked else "; ".join(found.errors[:3]))
    if not discovery_failed(found) or stream.handed:
        closing, stream.carry = stream.carry + closing, []
        await hand_to_batches(stream, parts, closing)
    del ctx.streams[source.id]
    return found, stream.reasons


PART_ITEMS = 5_000
"""Kept items gathered before a part is planned and persisted, unless the batches are idle and the plan has
room under ``max_items``: a listing of 20 links a page persists every 250 pages and a 100,000-entry feed in 20
parts, and fetching still starts at once. A part with work goes in with its first batch's load; one with
nothing to fetch too when a load of the source's is coming (:func:`load_coming`), else it is a load of its own."""


class PartQueue(asyncio.Queue):
    """The parts of a streamed discovery on their way to :func:`run_stream`; ``busy``: its batches in flight."""

    busy: int = 0
    turns: LoadTurns | None = None
    """The source's load turns (:func:`run_stream`): a batch waiting there to hand its rows on is not busy."""

    def idle(self) -> bool:
        return self.empty() and self.busy <= (len(self.turns.waiting) if self.turns is not None else 0)


async def take_part(ctx: RunContext, stream: SourceStream, parts: Parts, items: list[ListingItem]) -> None:
    """A discovery page's kept items: gathered, and planned as one part once there are :data:`PART_ITEMS` of them
    or the source's batches have nothing to do."""
    # One document of 100,000 entries (a whole sitemap, a feed that is not paged) goes by parts too: its
    # first part is fetched while the rest are planned, and each waits for room in the queue.
    # ``gathered`` changes only once a part is persisted: a page whose hand-over failed is handed over again
    # by the resumed walk, and must not be in it twice.
    for start in range(0, len(items), PART_ITEMS):
        gathered = stream.gathered + items[start:start + PART_ITEMS]
        idle = parts.idle() if isinstance(parts, PartQueue) else True
        room = stream.planner.cap is None or stream.planner.count < stream.planner.cap
        if len(gathered) >= PART_ITEMS or (idle and room):
            await plan_part(ctx, stream, parts, gathered)
            gathered = []
        stream.gathered = gathered


async def flush_part(ctx: RunContext, stream: SourceStream, parts: Parts) -> None:
    """Plan, persist and hand over what was gathered (kept on the stream until persisted, for a retry)."""
    if stream.gathered:
        await plan_part(ctx, stream, parts, stream.gathered)
        stream.gathered = []


async def plan_part(ctx: RunContext, stream: SourceStream, parts: Parts, items: list[ListingItem]) -> None:
    """Kept items of the walk: planned, persisted (with what the listing shows), handed to the batches."""
    source, planner, known = stream.planner.source, stream.planner, stream.known
    keys = [identity(i.url) for i in items]
    # What the plan asks about, read in one query per part; validators of the pages it may recheck.
    await read_held(known.fetch_keys, keys, reads_store=known.reads_store)
    urls = [i.url for i in items if i.entry is None and not i.url.startswith("file:")]
    cache = await asyncio.to_thread(ctx.store.cached_validators, urls) if urls else {}
    work = planner.listed(items, stream.walk.result.channel_kind, cache)
    if stream.walk.trace is not None:
        moved = planner.planned | {identity(w.url) for w in work}
        stream.unfetched |= coverage.unfetched_keys(items, [k for k in keys if k in known], moved)
    await persist_part(ctx, stream, work, items)
    stream.met += len(items)
    if work:
        work, stream.carry = stream.carry + work, []  # held by ``unput`` until the queue takes it
        await hand_to_batches(stream, parts, work)


async def plan_closing(ctx: RunContext, stream: SourceStream, found: Discovery) -> list[WorkItem]:
    """What only the whole walk decides: removal checks (complete listings) and the budgeted rechecks."""
    source, known = stream.planner.source, stream.known
    candidates = await asyncio.to_thread(recheck_candidates, ctx, source, found, known, stream.met)
    # Validators of what the plan may recheck (a quiet recheck should cost a 304); all held pages only
    # when a complete listing makes them checks.
    held = [k.url for k in (known.values() if needs_everything(source, found) else candidates.values())]
    cache = await asyncio.to_thread(ctx.store.cached_validators, held) if held else {}
    return stream.planner.closing(found, cache, recheck_from=candidates)


async def persist_part(ctx: RunContext, stream: SourceStream, work: list[WorkItem], items: list[ListingItem],
                       frontier_done: list[str] = ()) -> None:
    """Persist a part's plan no later than its first batch's load: a crash from then on resumes it instead of
    rediscovering.

    What the listings showed goes with it (a changed entry is either refetched from the frontier or
    seen again), and the discovery pages fetched since the last part. Streamed (``stream.deferring``), a part
    with work is written by the first load of its batches, in the same transaction (:func:`load_with_plans`):
    its own load cost ~10-19 ms of DuckDB statements, two a source in a 653-page run; a crash before that load
    loses the plan as it loses a part not gathered yet, and the next run walks again. A part with nothing to fetch
    goes with that load too when one is coming (:func:`load_coming`). Else it is written now.
    """
    source, found = stream.planner.source, stream.walk.result
    pages, stream.pages_sent = found.pages[stream.pages_sent:], len(found.pages)
    cache, stream.discovery_cache[:] = list(stream.discovery_cache), []
    batch = LoadBatch(
        run_id=ctx.run_id, source_id=source.id, releases=[], failures=[], cache=cache,
        fetches=[fetch_row(ctx.run_id, source.id, page) for page in pages],
        listings=listing_rows(source, found, stream.known, ctx.now, items=items),
        frontier_add=[(w.url, w.reason) for w in work if w.reason not in ("entry", "file")],
        frontier_done=list(frontier_done),
    )
    if not (batch.fetches or batch.listings or batch.frontier_add or batch.frontier_done or batch.cache) or (
            ctx.held is not None and ctx.held.keep(batch)):
        pass
    elif stream.deferring and (work or load_coming(ctx, source.id, batch)):
        ctx.plans.setdefault(source.id, []).append(batch)  # its batches' next load writes it (load_with_plans)
    else:
        await asyncio.to_thread(ctx.archive.sync)
        async with ctx.write_lock.held(ahead=True):
            await load_with_plans(ctx, source.id, batch)  # after the parts before it that wait for a batch
    stream.planner.commit(work)
    stream.reasons.update(w.reason for w in work)


def load_coming(ctx: RunContext, source_id: str, part: LoadBatch) -> bool:
    """Whether a part with nothing to fetch can wait for the source's next load: a part with work waits for its
    batches already, or a batch of the source is launched (or waits for room) and has not finished, and what waits
    holds fewer than :data:`PART_ITEMS` listing rows. Should no load come after all (the batch had loaded already,
    or failed), :func:`run_source` writes what is left when the source ends (:func:`write_plans`).

    Its own load cost ~10-14 ms of DuckDB statements: a small source's walk ends (its closing part: the discovery
    pages fetched since its first part) while its one batch is fetched, which made that part a plan-only load.
    """
    waiting = ctx.plans.get(source_id, [])
    turns = ctx.load_turns.get(source_id)
    in_flight = turns is not None and max(turns.pages, default=0) > turns.done
    rows = len(part.listings) + sum(len(p.listings) for p in waiting)
    return (bool(waiting) or in_flight) and rows < PART_ITEMS


async def hand_to_batches(stream: SourceStream, parts: Parts, work: list[WorkItem]) -> None:
    """Put persisted work on the queue (waiting while it is full); kept on the stream until the queue took it."""
    if not work:
        return
    stream.unput = work
    await parts.put(work)
    stream.unput = None
    stream.handed = True


async def _write_plans_anyway(ctx: RunContext, source_id: str) -> None:
    """:func:`write_plans` for a source that failed: a store that fails again is logged, not raised."""
    try:
        await write_plans(ctx, source_id)
    except Exception:
        log.warning("%s: its unwritten plan parts could not be written either", source_id, exc_info=True)


def discovery_failed(found: Discovery) -> bool:
    """Discovery was blocked, or read nothing and failed: the source fetches nothing (see summarise_discovery)."""
    return bool(found.blocked) or (not found.discovered and bool(found.errors))


def summarise_discovery(outcome: SourceOutcome, found: Discovery, reasons: Counter) -> None:
    outcome.channel = found.channel + (" (not modified)" if found.not_modified and not found.discovered else "")
    outcome.discovered = found.discovered
    if found.blocked:
        outcome.status = "blocked"
        outcome.message = f"blocked: {found.blocked}"
    elif not found.discovered and found.errors:
        outcome.status = "failed"
        outcome.message = "; ".join(found.errors[:3])
    log.info("%s: discovered %d via %s; planned %s", outcome.source_id, found.discovered, found.channel,
             dict(reasons) or "nothing")


async def run_source(ctx: RunContext, source: Source, *, discover_fn=None, batch_fn=None) -> SourceOutcome:
    """Discover and process one source; a failure becomes the outcome's status, never an exception.

    Discovery streams (:func:`discover_source`): its parts go through a queue of :data:`PART_QUEUE` to
    :func:`run_stream`, which fetches them in batches while the walk goes on. The flow passes its
    Prefect tasks as ``discover_fn(ctx, source, parts)`` and ``batch_fn(ctx, source, items, number)``;
    without them the plain stages run.
    """
    discover_fn = discover_fn or discover_source
    batch_fn = batch_fn or process_batch
    started = time.monotonic()
    outcome = SourceOutcome(source_id=source.id)
    try:
        try:
            found, reasons, results = await discover_and_fetch(ctx, source, discover_fn, batch_fn)
        except Exception:
            await _write_plans_anyway(ctx, source.id)  # what was planned stays in the frontier for the next run
            raise
        outcome.add(await write_plans(ctx, source.id))
        summarise_discovery(outcome, found, reasons)
        blocked: list[str] = []
        unchecked: list[str] = []
        for result in results:
            merge_batch(outcome, result)
            blocked += result.blocked
            unchecked += result.unchecked
        settle_blocked(outcome, blocked)
        settle_unchecked(outcome, unchecked)
        if outcome.status in ("ok", "unfinished"):
            await record_coverage(ctx, source, found)
    except Exception as exc:  # one failing source never stops the others
        log.exception("%s failed", source.id)
        outcome.status = "failed"
        outcome.message = f"{type(exc).__name__}: {exc}"
    finally:
        ctx.streams.pop(source.id, None)
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


async def discover_and_fetch(ctx: RunContext, source: Source, discover_fn, batch_fn
                             ) -> tuple[Discovery, Counter, list[BatchResult]]:
    """The walk and the batches side by side; the first error of either cancels the other."""
    parts = PartQueue(PART_QUEUE)
    walking = asyncio.ensure_future(discover_fn(ctx, source, parts))
    fetching = asyncio.ensure_future(run_stream(ctx, source, parts, batch_fn))
    try:
        await asyncio.wait({walking, fetching}, return_when=asyncio.FIRST_COMPLETED)
        if not walking.done():  # the batches ended first, so one failed: the walk would wait on a full queue
            fetching.result()
            raise RuntimeError("the batches ended before the walk")  # pragma: no cover - they end at None only
        found, reasons = walking.result()
        await parts.put(None)
        return found, reasons, await fetching
    finally:
        for task in (walking, fetching):
            task.cancel()
        await asyncio.gather(walking, fetching, return_exceptions=True)


HAND_ON_WAIT = 0.5
"""Seconds a batch at its turn waits at most for its source's next batch to be launched (:meth:`LoadTurns.hand_on_soon`)
before it loads alone: the walk's next page (a slow site, retries) does not keep its rows unwritten and its
slots taken for longer."""
PIPELINE_DEPTH = 2
"""Batches of one source in flight at once: one loads while the next fetches and parses."""
RUN_BATCHES = 4
"""Batches in flight in the whole run (every source): what is fetched, parsed and waiting for its load at once.
Sources that all stream at the same time would otherwise hold SOURCE_CONCURRENCY x PIPELINE_DEPTH batches."""
HELD_EXTRA_BATCHES = 4
"""Batch slots lent to a run whose writes are held (govpress/prestart.py, :meth:`HeldWrites.lend`) until its flow
adopts it. None of its batches can load before then, so the run's first batches (small ones: a source's first
batch goes as soon as its first page's links are planned) would keep every slot of :data:`RUN_BATCHES` and the
early start would stop after a few dozen pages; with these it goes on to :data:`HELD_BATCHES`."""
HELD_BATCHES = RUN_BATCHES + HELD_EXTRA_BATCHES
"""The most batches a prestarted run holds before its flow adopts it, every source together: 8 (each of the
source's ``pages_per_batch``, 200 pages at most for the DuckDB file), and :data:`PIPELINE_DEPTH` (2) per source,
so a backfill (one source) holds 2. What such a batch keeps while it waits for the writes is its rows (the
``LoadBatch``), not the fetched pages, which :func:`process_batch` lets go before it waits for its load; but
beside a starting temporary API (``RunContext.parse_gate``) they wait to parse with their pages, so up to
``HELD_BATCHES x pages_per_batch`` fetched bodies (1,600 pages) until the server answered.
tests/unit/test_prestart_held.py checks these bounds."""


async def run_stream(ctx: RunContext, source: Source, parts: Parts, batch_fn) -> list[BatchResult]:
    """Fetch a streamed discovery's parts in batches, :data:`PIPELINE_DEPTH` at a time, loading in order.

    A batch goes when it holds the source's ``pages_per_batch`` or, so that fetching never idles
    while work waits, as soon as none of the source's batches is in flight. Waiting for room here
    leaves the parts in the queue, which makes the walk wait. Ends at None; the first failed batch
    raises (the caller cancels the rest).
    """
    size = pages_per_batch(source, ctx.store.batch_pages)
    turns = ctx.turns(source.id)
    turns.limit, turns.closed = size, False
    if isinstance(parts, PartQueue):
        parts.turns = turns
    room = asyncio.Semaphore(PIPELINE_DEPTH)
    tasks: list[asyncio.Future[BatchResult]] = []
    pending: list[WorkItem] = []

    async def one(number: int, chunk: list[WorkItem]) -> BatchResult:
        try:
            return await batch_fn(ctx, source, chunk, number)
        finally:
            if isinstance(parts, PartQueue):
                parts.busy -= 1
            room.release()
            ctx.batch_slots.release()

    async def launch(chunk: list[WorkItem]) -> None:
        # Known before it waits for room: the batch before it may leave it its rows meanwhile (LoadTurns.hand_on).
        await turns.registered(len(tasks) + 1, len(chunk))
        await room.acquire()
        try:
            await ctx.batch_slots.acquire()
        except BaseException:
            room.release()
            raise
        if ctx.parsers is not None and (ctx.parse_gate is None or ctx.parse_gate.is_set()):
            ctx.parsers.want(len(chunk))  # the workers start while the first batch is fetched
        if isinstance(parts, PartQueue):
            parts.busy += 1
        tasks.append(asyncio.ensure_future(one(len(tasks) + 1, chunk)))

    def check() -> None:
        for task in tasks:
            if task.done() and task.exception() is not None:
                raise task.exception()

    try:
        while (part := await parts.get()) is not None:
            pending += part
            while len(pending) >= size:
                await launch(pending[:size])
                pending = pending[size:]
                check()
            if pending and parts.empty() and all(t.done() or n in turns.waiting for n, t in enumerate(tasks, 1)):
                await launch(pending)
                pending = []
            check()
        for chunk in batches(pending, size):
            await launch(chunk)
        await turns.close()
        return [await task for task in tasks]
    finally:
        turns.closed = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def record_coverage(ctx: RunContext, source: Source, found: Discovery) -> None:
    """Add the range this run's walk proved complete to the source's coverage (govpress/coverage.py)."""
    finding = found.trace.finding() if found.trace is not None else None
    if finding is None:
        return
    async with ctx.write_lock.held():
        ranges = await asyncio.to_thread(coverage.record, ctx.store, source.id, finding, ctx.run_id, ctx.now)
    log.info("%s: complete %s..%s (%s); coverage now %s", source.id, finding.first, finding.last, found.trace.end,
             ", ".join(f"{r.first}..{r.last}" for r in ranges))


def merge_batch(outcome: SourceOutcome, result: BatchResult) -> None:
    outcome.add(result.counts)
    outcome.fetched += result.fetched
    outcome.not_modified += result.not_modified
    outcome.language_mismatch += result.language_mismatch
    outcome.blocked_pages += len(result.blocked)
    if result.unfinished and outcome.status == "ok":
        outcome.status = "unfinished"
    if result.unfinished:
        outcome.unfinished += result.unfinished
        if outcome.status == "unfinished":
            outcome.message = f"{outcome.unfinished} pages left for the next run (host failing: timeouts, resets or circuit open)"


def settle_unchecked(outcome: SourceOutcome, unchecked: list[str]) -> None:
    """Checks of stored releases that got no answer leave the source ``unfinished`` and say which: a
    removal check refused by robots.txt or sent to a dead origin must not pass for a check made."""
    if not unchecked:
        return
    outcome.unchecked = len(unchecked)
    if outcome.status == "ok":
        outcome.status = "unfinished"
    shown = "; ".join(unchecked[:3]) + (f" (and {len(unchecked) - 3} more)" if len(unchecked) > 3 else "")
    note = f"{len(unchecked)} checks of stored releases got no answer (kept for the next run): {shown}"
    outcome.message = f"{outcome.message}; {note}" if outcome.message else note


def settle_blocked(outcome: SourceOutcome, blocked: list[str]) -> None:
    """A challenge on a few pages is recorded on those pages; only a source where most answered
    pages were challenges (the site is blocking us) becomes ``blocked``. The message names the URLs."""
    if not blocked:
        return
    answered = outcome.fetched + outcome.not_modified + len(blocked)
    shown = "; ".join(blocked[:3]) + (f" (and {len(blocked) - 3} more)" if len(blocked) > 3 else "")
    if 2 * len(blocked) > answered:
        outcome.status = "blocked"
        outcome.message = f"blocked: {len(blocked)} of {answered} pages answered a challenge or access page: {shown}"
    else:
        note = f"{len(blocked)} of {answered} pages answered a challenge or access page (kept for the next run): {shown}"
        outcome.message = f"{outcome.message}; {note}" if outcome.message else note


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
