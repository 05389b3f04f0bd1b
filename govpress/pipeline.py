"""The ingest pipeline for one source, as plain async functions: discover, fetch, archive, parse, dedupe, load.

What to fetch is decided in govpress/plan.py.

Prefect only wires these (flows/tasks.py): a task per source for discovery and a task per batch
for fetch+parse+load. Everything here runs and is tested without Prefect.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from govpress import coverage
from govpress.archive import Archive
from govpress.dedupe.keys import dedupe_rows, release_row
from govpress.discover import Discovery, discover
from govpress.fetch.client import Fetcher, FetchResult
from govpress.plan import RunParams, WorkItem, batches, plan_work, published_in_range
from govpress.registry import Source
from govpress.store import Store
from govpress.store.rows import CacheRow, FailureRow, FetchRow, LoadBatch, LoadCounts, ReleaseRow, RemovalRow
from govpress.urls import identity, local_path, refusal
from govpress.parsers import BlockedPage, ParseContext, ParseError, parse
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
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# --- planning (pure) ------------------------------------------------------------------------------


def fetch_row(run_id: str, source_id: str, result: FetchResult) -> FetchRow:
    return FetchRow(
        fetch_id=uuid.uuid4().hex,
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


_TYPES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}


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
    """The document parser reads local text files; everything else goes to the source's parser."""
    if source.kind == "files" and result.content_type in ("text/plain", "text/markdown"):
        return "document"
    return source.parser


def parse_result(source: Source, result: FetchResult, fetched_at: datetime, parser_name: str | None = None):
    """Parse one fetched body; returns the Release or the ParseError (never raises)."""
    ctx = ParseContext(
        source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
        fetched_at=fetched_at, content_type=result.content_type,
    )
    try:
        return parse(result.body, result.final_url or result.url, ctx, parser=parser_name or parser_for(source, result))
    except ParseError as exc:
        return exc


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
    blocked: list[str] = field(default_factory=list)
    """``"URL: reason"`` of each page that answered with a challenge or access page."""
    fetch_failures: int = 0


async def process_batch(ctx: RunContext, source: Source, items: list[WorkItem]) -> BatchResult:
    """Fetch, archive, parse and load one batch in one short write transaction."""

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

    results = await asyncio.gather(*(get(item) for item in items))
    seen_at = ctx.now
    out = BatchResult(counts=LoadCounts())
    fetch_rows: list[FetchRow] = []
    cache_rows: list[CacheRow] = []
    removals: list[RemovalRow] = []
    to_parse: list[tuple[WorkItem, FetchResult]] = []

    for item, result in zip(items, results):
        fetch_rows.append(fetch_row(ctx.run_id, source.id, result))
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
            removals.append(RemovalRow(release_id=item.known.release_id, url=item.url, status=result.status, detected_at=seen_at))
        elif result.outcome == "blocked":
            out.blocked.append(f"{item.url}: {result.error or 'a challenge or access page'}")
            out.fetch_failures += 1
        elif result.outcome in RESUMABLE:
            out.unfinished += 1
        elif item.reason != "removal_check":
            out.fetch_failures += 1

    parsed = await asyncio.to_thread(
        lambda: [(item, result, parse_result(source, result, seen_at)) for item, result in to_parse]
    )
    rows: list[ReleaseRow] = []
    failures: list[FailureRow] = []
    for item, result, release in parsed:
        if isinstance(release, BlockedPage):
            out.blocked.append(f"{result.url}: {release}")
            failures.append(FailureRow(source_id=source.id, url=result.url, archive_key=result.archive_key or "",
                                       parser=parser_for(source, result), error=f"blocked: {release}", failed_at=seen_at))
        elif isinstance(release, ParseError):
            failures.append(FailureRow(source_id=source.id, url=result.url, archive_key=result.archive_key or "",
                                       parser=parser_for(source, result), error=str(release), failed_at=seen_at))
        elif not published_in_range(release.published_at, ctx.params):
            out.out_of_range += 1  # undated in the listing (sitemaps), dated outside the run's range
        else:
            if language_mismatch(release.language, source.languages):
                out.language_mismatch += 1  # kept: mixed-language sites exist; the count shows in the summary
            rows.append(release_row(release, source, url=item.url, archive_key=result.archive_key, seen_at=seen_at))

    # A page that did not parse stays in the frontier: broken or truncated bodies are often
    # transient, and an unchanged feed would never list the page again.
    unparsed = {f.url for f in failures}
    batch = LoadBatch(
        run_id=ctx.run_id, source_id=source.id, releases=dedupe_rows(rows), fetches=fetch_rows,
        failures=failures, removals=removals, cache=cache_rows, frontier_add=[],
        frontier_done=[item.url for item, result in zip(items, results)
                       if result.outcome in SETTLED and result.url not in unparsed],
        frontier_retry=[item.url for item, result in zip(items, results)
                        if not (result.outcome in SETTLED and result.url not in unparsed)
                        and item.reason not in ("entry", "file")],
    )
    async with ctx.write_lock:
        out.counts = await asyncio.to_thread(ctx.store.load_batch, batch)
    return out


def _replace_body(result: FetchResult, body: bytes, key: str) -> FetchResult:
    return replace(result, body=body, archive_key=key)


# --- one source end to end ------------------------------------------------------------------------


async def discover_source(ctx: RunContext, source: Source) -> tuple[Discovery, list[WorkItem]]:
    """Discovery plus planning: the links found and the work to do, with discovery fetches recorded."""
    stored = await asyncio.to_thread(ctx.store.known_releases, source.id)
    known = {identity(k.url or k.canonical_url): k for k in stored.values()}
    frontier = await asyncio.to_thread(ctx.store.frontier, source.id)
    # Conditional GET on discovery pages makes a quiet scheduled run cost one request per
    # source; a backfill or refetch must read the pages whatever their validators say.
    p = ctx.params
    conditional = not (p.refetch or p.deep or p.since or p.until)
    first_pages = source.start_urls + source.fallback_urls
    validators = await asyncio.to_thread(ctx.store.cached_validators, first_pages) if conditional else {}
    discovery_cache: list[CacheRow] = []

    async def fetch(url: str, purpose: str) -> FetchResult:
        cached = None
        if conditional:
            cached = validators.get(url) or (await asyncio.to_thread(ctx.store.cached_validators, [url])).get(url)
        result = await ctx.fetcher.fetch(url, source, purpose=purpose, etag=cached.etag if cached else None,
                                         last_modified=cached.last_modified if cached else None)
        if result.ok and (result.etag or result.last_modified):
            discovery_cache.append(CacheRow(url=url, etag=result.etag, last_modified=result.last_modified,
                                            archive_key=result.archive_key, checked_at=ctx.now))
        elif result.outcome == "not_modified" and cached:
            # Sitemaps need their (unchanged) URL list to find removals and changed children.
            body = await asyncio.to_thread(ctx.archive.read, cached.archive_key) if cached.archive_key else None
            if body is not None:
                result = replace(result, body=body, archive_key=cached.archive_key)
            else:  # no sound stored copy: read the page whole (and repair the archive)
                result = await ctx.fetcher.fetch(url, source, purpose=purpose)
                if result.ok and (result.etag or result.last_modified):
                    discovery_cache.append(CacheRow(url=url, etag=result.etag, last_modified=result.last_modified,
                                                    archive_key=result.archive_key, checked_at=ctx.now))
        return result

    # Paginated channels are walked with the source's coverage: held links stop the walk only
    # inside a complete range, and runs without a date range fill a gap below one (coverage.py).
    covered = await asyncio.to_thread(coverage.load, ctx.store, source.id) if source.kind in TRACED_KINDS else None
    found = await discover(
        source, fetch, since=ctx.params.since, until=ctx.params.until, max_pages=ctx.params.max_pages,
        known=set() if ctx.params.refetch else {k for k, v in known.items() if v.removed_at is None},
        stop_at_known=not (ctx.params.refetch or ctx.params.deep), base_dir=ctx.base_dir, now=ctx.now,
        coverage=covered, gap_pages=p.gap_pages, fill_gaps=not (p.refetch or p.deep),
    )
    urls = [i.url for i in found.items if i.entry is None and not i.url.startswith("file:")]
    cache = await asyncio.to_thread(ctx.store.cached_validators, urls + [k.url for k in known.values()])
    work = plan_work(source, found, known, cache, ctx.params, ctx.now, frontier,
                     file_roots=file_roots(source, ctx.base_dir))
    if found.trace is not None:
        found.trace.unfetched = coverage.unfetched_keys(found.items, known, (identity(w.url) for w in work))
    # Persist the plan first: a crash from here on resumes it instead of rediscovering.
    batch = LoadBatch(
        run_id=ctx.run_id, source_id=source.id, releases=[], failures=[], removals=[], cache=discovery_cache,
        fetches=[fetch_row(ctx.run_id, source.id, page) for page in found.pages],
        frontier_add=[(w.url, w.reason) for w in work if w.reason not in ("entry", "file")], frontier_done=[],
    )
    async with ctx.write_lock:
        await asyncio.to_thread(ctx.store.load_batch, batch)
    return found, work


def summarise_discovery(outcome: SourceOutcome, found: Discovery, work: list[WorkItem]) -> None:
    outcome.channel = found.channel + (" (not modified)" if found.not_modified and not found.items else "")
    outcome.discovered = len(found.items)
    if found.blocked:
        outcome.status = "blocked"
        outcome.message = f"blocked: {found.blocked}"
    elif not found.items and found.errors:
        outcome.status = "failed"
        outcome.message = "; ".join(found.errors[:3])
    reasons = Counter(w.reason for w in work)
    log.info("%s: discovered %d via %s; planned %s", outcome.source_id, len(found.items), found.channel,
             dict(reasons) or "nothing")


async def run_source(ctx: RunContext, source: Source, *, discover_fn=None, batch_fn=None) -> SourceOutcome:
    """Discover and process one source; a failure becomes the outcome's status, never an exception.

    The flow passes its Prefect tasks as ``discover_fn(ctx, source)`` and
    ``batch_fn(ctx, source, items, number)``; without them the plain stages run.
    """
    discover_fn = discover_fn or discover_source
    batch_fn = batch_fn or (lambda c, s, items, number: process_batch(c, s, items))
    started = time.monotonic()
    outcome = SourceOutcome(source_id=source.id)
    try:
        found, work = await discover_fn(ctx, source)
        summarise_discovery(outcome, found, work)
        if outcome.status == "ok":
            blocked: list[str] = []
            for number, chunk in enumerate(batches(work), start=1):
                result = await batch_fn(ctx, source, chunk, number)
                merge_batch(outcome, result)
                blocked += result.blocked
            settle_blocked(outcome, blocked)
            if outcome.status in ("ok", "unfinished"):
                await record_coverage(ctx, source, found)
    except Exception as exc:  # one failing source never stops the others
        log.exception("%s failed", source.id)
        outcome.status = "failed"
        outcome.message = f"{type(exc).__name__}: {exc}"
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


async def record_coverage(ctx: RunContext, source: Source, found: Discovery) -> None:
    """Add the range this run's walk proved complete to the source's coverage (govpress/coverage.py)."""
    finding = found.trace.finding() if found.trace is not None else None
    if finding is None:
        return
    async with ctx.write_lock:
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
