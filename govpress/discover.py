"""Discovery: from a source's feeds, sitemaps, listing pages, JSON indexes or local files to release links.

``discover`` looks up the source's ``kind`` in :data:`DISCOVERERS` (one small function per kind, so a
new kind is one entry) and keeps the newest-first, de-duplicated items within the date range. The
pages are fetched through an injected ``fetch`` function, so discovery is tested without a network,
and read by the pure readers of :mod:`govpress.parsers.listings` (or a site parser's
``parse_listing``). The ``files`` kind reads the filesystem, here.

Paging (:meth:`Walk.pages`) stops when a page brings nothing new (every link already held), when its
items are all older than ``since``, when there is no next page, or at ``max_pages``. A feed that is
missing, empty or blocked falls back to the source's listing pages. Given the source's coverage
(govpress/coverage.py), a walk of one start URL stops at held links only inside a complete range
and may walk on into a gap below it; its :class:`~govpress.coverage.Trace` says what it proved complete.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from govpress.coverage import Coverage, Trace
from govpress.known import read_held
from govpress.parsers import Listing, ListingItem, ParseContext, listing_parser
from govpress.parsers.listings import DiscoveryError, entry_fingerprint
from govpress.parsers.listings.feed import read_feed
from govpress.parsers.listings.html import read_listing_page
from govpress.parsers.listings.json import read_json_listing
from govpress.parsers.listings.sitemap import read_sitemap
from govpress.registry import Source
from govpress.urls import identity

if TYPE_CHECKING:
    from govpress.fetch.client import FetchResult

log = logging.getLogger(__name__)

__all__ = ["DISCOVERERS", "Discovery", "DiscoveryError", "FetchFn", "Handover", "Walk", "discover", "in_range",
           "list_files", "walk_on"]

FetchFn = Callable[[str, str], Awaitable["FetchResult"]]
"""``await fetch(url, purpose)`` -> FetchResult; the pipeline binds it to the run's Fetcher and source."""
Reader = Callable[[bytes, str, ParseContext, int], Listing]
"""``read(body, url, ctx, page)``: one discovery page read into a Listing (page numbers from 1)."""


@dataclass(slots=True)
class Discovery:
    """What discovery found for one source in one run."""

    items: list[ListingItem] = field(default_factory=list)
    pages: list["FetchResult"] = field(default_factory=list)
    complete: bool = False
    """The items are everything the source lists (a full sitemap or file set)."""
    blocked: str | None = None
    not_modified: bool = False
    """The first discovery page answered 304: nothing new since the last run."""
    errors: list[str] = field(default_factory=list)
    channel: str = ""
    """Which channel produced the items (feed, listing fallback, ...), for the run summary."""
    listed: set[str] = field(default_factory=set)
    """Identities (govpress.urls.identity) of every item seen, before the date-range filter (for removal checks)."""
    trace: Trace | None = None
    """The coverage trace of the walk that read the items (None: not traced, see govpress/coverage.py)."""
    discovered: int = 0
    """Items kept (unique, in the date range): ``len(items)`` of a walk held whole, and the count of a streamed
    one, whose items went to :attr:`Walk.hand_over` page by page and are not kept here."""
    dated: int = 0
    span: tuple[datetime, datetime] | None = None
    """(oldest, newest) publication time of the kept items that have one (``dated`` of them)."""

    def note(self, items: list[ListingItem]) -> None:
        """Count kept items and widen the publication span (what planning reads of a streamed walk)."""
        self.discovered += len(items)
        for item in items:
            if (when := item.published_at) is not None:
                self.dated += 1
                self.span = (min(self.span[0], when), max(self.span[1], when)) if self.span else (when, when)

    @property
    def channel_kind(self) -> str:
        """The kind of channel the items came from: feed, sitemap, listing (a feed's fallback too), json, files."""
        return self.channel.split(" ", 1)[0] if self.channel else ""


# --- the walk ----------------------------------------------------------------------------------

Handover = Callable[[list[ListingItem]], Awaitable[None]]
"""``await hand_over(items)``: a streamed walk's kept items of one page (see :attr:`Walk.hand_over`)."""


@dataclass
class Cursor:
    """Where a paginated walk stands: which start URL, the next page's URL and number, what it read."""

    walk: tuple[str, tuple[str, ...]]
    start: int = 0
    url: str | None = None
    page: int = 0
    visited: set[str] = field(default_factory=set)
    trace: Trace | None = None
    any_read: bool = False
    oldest_first: bool = False
    """The walk's pages list the oldest first (told by their dates): what is held on one says nothing of the next."""


def settle(source: Source, items: list[ListingItem], listed: Container[str], since: date | None,
           until: date | None) -> tuple[list[ListingItem], list[str]]:
    """Items as discovery keeps them: one per identity not in ``listed``, fingerprinted, within the range.

    Returns the kept items and the identities of every item seen (in range or not: removal checks
    need what the listing shows, whatever the run's dates).
    """
    kept: list[ListingItem] = []
    seen: dict[str, None] = {}
    for item in items:
        key = identity(item.url)
        if key in listed or key in seen:
            continue
        seen[key] = None
        if item.fingerprint is None and source.kind != "files":  # a site parser's listing: what it read
            item.fingerprint = entry_fingerprint(item.title, item.published_at, item.updated_at)
        if in_range(item, since, until):
            kept.append(item)
    return kept, list(seen)



@dataclass
class Walk:
    """One source's discovery in one run: what a discoverer needs, and the :class:`Discovery` it fills."""

    source: Source
    fetch: FetchFn
    result: Discovery
    since: date | None
    max_pages: int
    known: Container[str]
    """Identities of held releases (a set, or one read page by page: govpress.known.HeldIdentities, whose
    ``prefetch`` is told each page's links first so the page costs one store query, not one per link)."""
    stop_at_known: bool
    fetched_at: datetime
    base_dir: Path
    coverage: Coverage | None = None
    """The source's complete ranges; None: no tracing (held links stop the walk, as before coverage)."""
    until: date | None = None
    gap_pages: int = 0
    fill_gaps: bool = False
    hand_over: Handover | None = None
    """Streaming: each page's kept items go here as soon as the page is read (and are not kept in
    :attr:`Discovery.items`); the walk waits while it runs, which is the pipeline's backpressure."""
    cursor: "Cursor | None" = None
    """Where a paginated walk stands, so that a retried discovery resumes it instead of starting over."""
    walked: dict[tuple[str, tuple[str, ...]], bool] = field(default_factory=dict)
    """Walks finished (purpose, start URLs) -> whether a page was read: a resumed discovery skips them."""
    sitemap_queue: list[str] | None = None
    sitemap_state: tuple[bool, int] = (False, 0)
    """A resumed sitemap walk: the children still to read, and (read any, unchanged without a copy)."""

    async def take(self, items: list[ListingItem]) -> None:
        """One page's items: kept for the end of the walk, or (streaming) de-duplicated and handed over now.

        The identities join :attr:`Discovery.listed` only once the hand-over returned: a hand-over
        that failed (its plan not persisted) hands the same items over again when the walk resumes.
        """
        if self.hand_over is None:
            self.result.items.extend(items)
            return
        kept, listed = settle(self.source, items, self.result.listed, self.since, self.until)
        if kept:
            await self.hand_over(kept)
        self.result.listed.update(listed)
        self.result.note(kept)

    def context(self, content_type: str | None) -> ParseContext:
        source = self.source
        return ParseContext(
            source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
            fetched_at=self.fetched_at, content_type=content_type,
        )

    async def pages(self, first_urls: list[str], read: Reader, *, purpose: str) -> bool:
        """Walk paginated pages from each first URL; True when at least one page was read.

        Where the walk stands is kept in :attr:`cursor` after each page, so that a discovery task
        retried after a failure goes on from the page it had not finished rather than from the first.
        """
        done = (purpose, tuple(first_urls))
        if done in self.walked:
            return self.walked[done]
        cursor = self.cursor if self.cursor is not None and self.cursor.walk == done else Cursor(walk=done)
        self.cursor = cursor
        any_read = await self._pages(first_urls, read, purpose, cursor)
        self.walked[done] = any_read
        self.cursor = None
        return any_read

    async def _pages(self, first_urls: list[str], read: Reader, purpose: str, cursor: "Cursor") -> bool:
        result = self.result
        while cursor.start < len(first_urls):
            if cursor.url is None and cursor.page == 0:  # a fresh start URL
                cursor.url, cursor.page, cursor.visited = first_urls[cursor.start], 1, set()
                cursor.trace = self.trace(purpose) if len(first_urls) == 1 else None
            url, page, visited, trace = cursor.url, cursor.page, cursor.visited, cursor.trace
            while url and url not in visited:
                if trace is not None:
                    url = trace.before_page(url, page)  # the page limit, or the gap budget past it
                    if url is None or url in visited:
                        break
                elif page > self.max_pages:
                    break
                fetched = await self.fetch(url, purpose)
                result.pages.append(recorded(fetched))
                if fetched.outcome == "blocked":
                    result.blocked = fetched.error or f"{url} answered with a challenge/forbidden page"
                    cursor.start = len(first_urls)
                    return cursor.any_read
                if fetched.outcome == "not_modified":
                    result.not_modified = True
                    cursor.any_read = True
                    if fetched.body is None:
                        break  # this page is as it was on the last run: nothing newer behind it
                    # Its stored copy (the pipeline attaches it) is read: a list of the newest first ends here
                    # (below), unless traced: unchanged since some run read it, but that run may have walked no
                    # further (a manual run's range), so only held links inside a complete range stop it. A list of
                    # the oldest first goes on: its new releases are on its last pages.
                elif not fetched.ok or fetched.body is None:
                    result.errors.append(_failed(url, fetched))
                    if trace is not None:
                        trace.failed(url)
                    break
                try:
                    listing = read(fetched.body, fetched.final_url or url, self.context(fetched.content_type), page)
                except DiscoveryError as exc:
                    refuse_page(result, url, exc)
                    if trace is not None:
                        trace.failed(url)
                    break
                unchanged = fetched.outcome == "not_modified"
                del fetched  # a streamed walk holds one page's body at a time
                cursor.any_read = True
                if not cursor.oldest_first and _oldest_first(listing.items):
                    # Every stop below assumes the newest first; coverage too (its gaps lie below what is held).
                    cursor.oldest_first = True
                    log.info("%s: %s lists the oldest first: walked to its end", self.source.id, url)
                    if trace is not None:
                        trace = cursor.trace = None
                        result.trace = None
                if unchanged and trace is None and not cursor.oldest_first:
                    break  # this page is as it was on the last run: nothing newer behind it
                keys = [identity(i.url) for i in listing.items]
                if (prefetch := getattr(self.known, "prefetch", None)) is not None:
                    # A store query, which waits while another source's batch loads: the event loop goes on
                    # fetching for every other source meanwhile.
                    await read_held(prefetch, keys, reads_store=getattr(self.known, "reads_store", True))
                fresh = [i for i, key in zip(listing.items, keys) if key not in self.known]
                # An unchanged page's held links are left out, as when its 304 ended the walk:
                # nothing about them changed, so they plan no rechecks.
                await self.take(fresh if unchanged else listing.items)
                visited.add(url)  # only now: a walk resumed after a failed hand-over reads this page again
                if trace is not None:
                    result.trace = trace
                    url, page = trace.after_page(url, listing.items, listing.next_url,
                                                 all_held=bool(listing.items) and not fresh), page + 1
                    cursor.url, cursor.page = url, page
                    continue
                if self.stop_at_known and listing.items and not fresh and not cursor.oldest_first:
                    break  # everything on this page is already held: older pages are too
                if not cursor.oldest_first and _older_than(listing.items, self.since):
                    break
                url, page = listing.next_url, page + 1
                cursor.url, cursor.page = url, page
            cursor.start, cursor.url, cursor.page = cursor.start + 1, None, 0
        return cursor.any_read

    def trace(self, purpose: str) -> Trace | None:
        """A coverage trace for one walk, when the source's coverage was given."""
        if self.coverage is None:
            return None
        return Trace(coverage=self.coverage, purpose=purpose, today=self.fetched_at.date(), max_pages=self.max_pages,
                     since=self.since, until=self.until, stop_at_known=self.stop_at_known,
                     gap_pages=self.gap_pages, fill_gaps=self.fill_gaps)


def recorded(fetched: "FetchResult") -> "FetchResult":
    """A discovery page as :attr:`Discovery.pages` keeps it: everything its fetch row needs, not its body.

    A backfill's walk reads hundreds of listing or feed pages (about 55 MB of them for four
    sources of 25,000 releases), and the source's Discovery lives until its last batch loads:
    kept whole, every page read stayed in memory for the whole run. The body's size goes into
    ``bytes_downloaded`` when the fetch did not say, so the fetch row is the same.
    """
    if fetched.body is None:
        return fetched
    return replace(fetched, body=None, bytes_downloaded=fetched.bytes_downloaded or len(fetched.body))


def refuse_page(result: Discovery, url: str, error: DiscoveryError) -> None:
    """The reader refused the page just fetched (malformed, a DTD or entity bomb): say so on its fetch row.

    The exchange itself went well, but what came is unusable; recorded as ``refused`` with the
    reader's reason, the ``fetches`` row tells the same story as the run's message.
    """
    page = result.pages[-1]
    result.pages[-1] = replace(page, outcome="refused", error=f"refused by the discovery reader: {error}")
    result.errors.append(f"{url}: {error}")


def _failed(url: str, fetched: "FetchResult") -> str:
    return f"{url}: {fetched.outcome} {fetched.error or fetched.status or ''}".strip()


def _oldest_first(items: list[ListingItem]) -> bool:
    """A page whose dated items mostly go forward in time, its last dated after its first: a list of the oldest first."""
    days = [i.published_at for i in items if i.published_at is not None]
    if len(days) < 3:
        return False
    forward = sum(1 for a, b in zip(days, days[1:]) if b > a)
    backward = sum(1 for a, b in zip(days, days[1:]) if b < a)
    return days[-1] > days[0] and forward > 2 * backward


def _older_than(items: list[ListingItem], since: date | None) -> bool:
    dated = [i for i in items if i.published_at is not None]
    return bool(since and dated and all(i.published_at.date() < since for i in dated))


def in_range(item: ListingItem, since: date | None, until: date | None) -> bool:
    """Undated items are kept: the page itself decides after fetching."""
    if item.published_at is None:
        return True
    day = item.published_at.date()
    return (since is None or day >= since) and (until is None or day <= until)


# --- the discoverers, one per kind ---------------------------------------------------------------


def _listing_reader(source: Source) -> Reader:
    """The site parser's ``parse_listing`` when it has one, else the source's CSS selectors."""
    module = listing_parser(source.parser)
    if module is not None:
        return lambda body, url, ctx, page: module.parse_listing(body, url, ctx)
    if source.listing is None:
        raise DiscoveryError(f"source {source.id}: no listing selectors and parser {source.parser} reads no listings")
    return lambda body, url, ctx, page: read_listing_page(body, url, source.listing, ctx, page=page)


async def discover_feed(walk: Walk) -> None:
    """RSS/Atom pages (rel=next); a missing, empty or blocked feed falls back to the listing pages."""
    source, result = walk.source, walk.result

    def read(body: bytes, url: str, ctx: ParseContext, page: int) -> Listing:
        return read_feed(body, url, tz=source.timezone, full_text=source.feed_full_text)

    await walk.pages(source.start_urls, read, purpose="feed")
    if not (result.items or result.listed) and not result.not_modified and source.fallback_urls:
        # (a streamed walk keeps no items, but every identity it saw is in ``listed``)
        reason = result.blocked or "; ".join(result.errors) or "feed is empty"
        result.blocked = None
        result.channel = f"listing (feed fallback: {reason})"
        await walk.pages(source.fallback_urls, _listing_reader(source), purpose="listing")


async def discover_sitemap(walk: Walk) -> None:
    """A sitemap or sitemap index, children queued breadth first; complete only when read whole.

    The queue and what was read stay on the walk after each document, so a retried discovery
    resumes with the next one.
    """
    result = walk.result
    if walk.sitemap_queue is None:
        walk.sitemap_queue = list(walk.source.start_urls)
        walk.sitemap_state = (False, 0)
    queue = walk.sitemap_queue
    read_any, unread = walk.sitemap_state
    while queue and len(result.pages) < walk.max_pages:
        url = queue[0]
        fetched = await walk.fetch(url, "sitemap")
        result.pages.append(recorded(fetched))
        if fetched.outcome == "blocked":
            result.blocked = fetched.error or f"{url} answered with a challenge page"
            break
        if fetched.outcome == "not_modified":
            result.not_modified = True
            if fetched.body is None:
                unread += 1
                queue.pop(0)
                walk.sitemap_state = (read_any, unread)
                continue  # unchanged, and no stored copy: it proves nothing about removals
            # unchanged: the stored copy (the pipeline attaches it) lists the same URLs
        elif not fetched.ok or fetched.body is None:
            result.errors.append(_failed(url, fetched))
            queue.pop(0)
            continue
        try:
            listing, children = read_sitemap(fetched.body, fetched.final_url or url, tz=walk.source.timezone)
        except DiscoveryError as exc:
            refuse_page(result, url, exc)
            queue.pop(0)
            continue
        del fetched
        await walk.take(listing.items)
        queue.pop(0)  # only now: a hand-over that failed reads this document again on a retry
        read_any = True
        walk.sitemap_state = (read_any, unread)
        # A child already read or queued is not read again: an index that lists itself (or two that list each
        # other) would spend the walk's pages on the same documents.
        known = {identity(page.url) for page in result.pages} | {identity(u) for u in queue}
        for child in children:
            if (key := identity(child)) not in known:
                known.add(key)
                queue.append(child)
    # Only a sitemap read whole, with no failed child, may be trusted to show what disappeared.
    result.complete = read_any and not queue and not unread and not result.errors and not result.blocked


async def discover_listing(walk: Walk) -> None:
    """Paginated HTML listing pages."""
    await walk.pages(walk.source.start_urls, _listing_reader(walk.source), purpose="listing")


async def discover_json(walk: Walk) -> None:
    """Paginated JSON index pages."""
    spec = walk.source.json_listing

    def read(body: bytes, url: str, ctx: ParseContext, page: int) -> Listing:
        return read_json_listing(body, url, spec, ctx, page=page)

    await walk.pages(walk.source.start_urls, read, purpose="listing")


async def discover_files(walk: Walk) -> None:
    """Documents on disk (a complete listing): no fetching."""
    walk.result.items = list_files(walk.source, walk.base_dir).items
    walk.result.complete = True


Discoverer = Callable[[Walk], Awaitable[None]]
DISCOVERERS: dict[str, Discoverer] = {
    "feed": discover_feed,
    "sitemap": discover_sitemap,
    "listing": discover_listing,
    "json": discover_json,
    "files": discover_files,
}
"""One discoverer per registry ``kind``."""


async def discover(
    source: Source,
    fetch: FetchFn,
    *,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    known: Container[str] = frozenset(),
    stop_at_known: bool = True,
    base_dir: Path = Path("."),
    now: datetime | None = None,
    coverage: Coverage | None = None,
    gap_pages: int = 0,
    fill_gaps: bool = False,
    hand_over: Handover | None = None,
) -> Discovery:
    """Find the source's release links, newest first, within ``since``..``until`` (inclusive).

    ``coverage`` (the source's complete ranges) turns on coverage tracing: held links stop the
    walk only inside a complete range, and with ``fill_gaps`` a run walks up to ``gap_pages``
    more pages into a gap below one (govpress/coverage.py). ``hand_over`` streams the walk: each
    page's kept items are handed over as soon as the page is read (see :attr:`Walk.hand_over`).
    """
    try:
        discoverer = DISCOVERERS[source.kind]
    except KeyError:  # pragma: no cover - the registry model forbids other kinds
        raise DiscoveryError(f"unknown kind {source.kind}") from None
    walk = Walk(
        source=source, fetch=fetch, result=Discovery(channel=source.kind), since=since,
        max_pages=max_pages or source.max_pages, known=known, stop_at_known=stop_at_known,
        fetched_at=now or datetime.now(timezone.utc), base_dir=base_dir, coverage=coverage, until=until,
        gap_pages=gap_pages, fill_gaps=fill_gaps, hand_over=hand_over,
    )
    return await walk_on(walk, discoverer)


async def walk_on(walk: Walk, discoverer: "Discoverer | None" = None) -> Discovery:
    """Run (or resume, after a failure) a walk to its end; returns its Discovery.

    Held whole (no hand-over), the items are kept newest first, one per canonical URL, within the
    date range; streamed, they went to the hand-over page by page, and what is left at the end
    (a ``files`` source's list, read at once) goes the same way.
    """
    result = walk.result
    await (discoverer or DISCOVERERS[walk.source.kind])(walk)
    if walk.hand_over is not None:
        left, result.items = result.items, []
        if left:
            await walk.take(left)
        return result
    unique, listed = settle(walk.source, result.items, result.listed, walk.since, walk.until)
    result.listed.update(listed)
    result.items = unique
    result.note(unique)
    return result


# --- files on disk -------------------------------------------------------------------------------

FILE_SUFFIXES = (".html", ".htm", ".txt", ".md", ".markdown", ".pdf")


def files_root(pattern: str, base_dir: Path) -> Path:
    """The folder a ``files`` source is confined to: the pattern's part before any glob character."""
    path = Path(pattern).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    parts = []
    for part in path.parts:
        if any(ch in part for ch in "*?["):
            break
        parts.append(part)
    root = Path(*parts)
    return (root if root.is_dir() else root.parent).resolve()


def list_files(source: Source, base_dir: Path) -> Listing:
    """Documents of a ``files`` source: every .html/.txt/.md/.pdf under its folders or globs, never outside them.

    Symlinks that resolve outside the source's folder and paths with ``..`` are skipped.
    """
    items: list[ListingItem] = []
    for pattern in source.start_urls:
        if ".." in Path(pattern).parts:
            raise DiscoveryError(f"files pattern {pattern!r} climbs out of its folder ('..' is not allowed)")
        root = files_root(pattern, base_dir)
        full = Path(pattern).expanduser()
        full = full if full.is_absolute() else base_dir / full
        candidates = [full / "**" / "*"] if full.is_dir() else [full]
        for cand in candidates:
            for name in sorted(glob.glob(str(cand), recursive=True)):
                path = Path(name)
                if not path.is_file() or path.suffix.lower() not in FILE_SUFFIXES:
                    continue
                resolved = path.resolve()
                if not resolved.is_relative_to(root):
                    continue  # a symlink escaping the folder
                items.append(ListingItem(url=resolved.as_uri()))
    seen: set[str] = set()
    unique = [i for i in items if not (i.url in seen or seen.add(i.url))]
    return Listing(items=unique, complete=True)
