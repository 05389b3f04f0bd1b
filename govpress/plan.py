"""Planning: what a run fetches, given what discovery found and what is stored (pure, no I/O).

New links are fetched; held ones when what their listing shows changed (its fingerprint, or its
lastmod/updated moved); a complete listing that no longer shows a held release triggers a removal
check; a withdrawn release listed again is checked for a restore; work an interrupted run left in the
frontier comes first. Rechecks by age and checks of releases that fell off a listing follow the policy
and budget of govpress/recheck.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from govpress.coverage import GAP_PAGES
from govpress.discover import Discovery
from govpress.parsers import ListingItem
from govpress.recheck import budgeted_checks, current_url
from govpress.registry import Source
from govpress.store.rows import CacheRow, KnownRelease
from govpress.urls import identity, refusal

log = logging.getLogger("govpress.plan")

Reason = Literal["new", "changed", "recheck", "refetch", "removal_check", "entry", "file"]

BATCH_SIZE = 50
"""The smallest batch a politeness cap leaves a store that takes more (a run takes its store's
``batch_pages``: 200 for the DuckDB file, 400 for a lake), and the default of :func:`batches`."""


BACKFILL_MAX_PAGES = 1_000
"""Default discovery depth of a backfill: deep enough for months of a busy listing (flows/operations.py)."""


@dataclass(slots=True)
class RunParams:
    """What an operator may change for one run."""

    since: date | None = None
    until: date | None = None
    max_pages: int | None = None
    max_items: int | None = None
    """Pages fetched at most this run per source; None: the source's ``max_items`` (no cap for a deep run)."""
    refetch: bool = False
    deep: bool = False
    """Keep paging past releases already held (backfills walk the archive to ``since``)."""
    gap_pages: int = GAP_PAGES
    """Extra discovery pages per source for filling a gap in coverage (runs without a date range; 0: none)."""


@dataclass(slots=True)
class WorkItem:
    """One page to fetch (or feed entry / file to read) and why."""

    url: str
    reason: Reason
    etag: str | None = None
    last_modified: str | None = None
    cached_archive_key: str | None = None
    entry: bytes | None = None
    known: KnownRelease | None = None


TRUSTED_VALIDATORS = timedelta(days=30)
"""How long a page's validators are sent with its checks after the full answer they came with; a check past that
reads the page whole (a 304 is trusted for a month: a server's frozen validators cannot hide an edit longer)."""


def listing_changed(item: ListingItem, held: KnownRelease, channel: str) -> bool:
    """The channel shows the release differently than when it was stored (same channel, another fingerprint)."""
    return (held.listed_fingerprint is not None and item.fingerprint is not None and held.listed_channel == channel
            and item.fingerprint != held.listed_fingerprint)


def listed_as_changed(listed_update: datetime | None, held: KnownRelease) -> bool:
    """A listing's lastmod/updated says the page changed since we stored it.

    Later than our last visit, or later than the last change the page itself showed (sites
    often stamp edits with the edit's time, which can precede our visit).
    """
    if listed_update is None:
        return False
    if listed_update > held.last_seen_at:
        return True
    shown = max((t for t in (held.updated_at, held.published_at) if t is not None), default=None)
    return shown is not None and listed_update > shown + timedelta(minutes=1)


class Planner:
    """One source's plan decided part by part: resumed work, then each part of the listing, then the checks.

    :func:`plan_work` is one call of each in that order; a streamed discovery (govpress/pipeline.py)
    calls :meth:`listed` once per discovery page while the walk goes on, and :meth:`closing` once the
    walk ended, so the work comes out the same as planned whole. Each method returns its part and
    changes nothing: :meth:`commit` records a part once it is persisted (a part whose persisting
    failed is planned again when the walk resumes). The ``max_items`` cap counts across parts.
    """

    def __init__(self, source: Source, known: Mapping[str, KnownRelease], params: RunParams, now: datetime,
                 file_roots: Sequence[Path] = ()) -> None:
        self.source, self.known, self.params, self.now = source, known, params, now
        self.roots = tuple(file_roots) if source.kind == "files" else ()
        self.planned: set[str] = set()
        """Identities planned (and committed) so far."""
        self.count = 0
        self.cap = params.max_items or (None if params.deep else source.max_items)
        """A backfill (deep) is the operator's deliberate walk, bounded by its max_pages."""
        self.cut = 0
        """Work left out by the cap (what is cut is still unknown, so the next run's discovery lists it again)."""

    def _adder(self, cache: Mapping[str, CacheRow]):
        work: dict[str, WorkItem] = {}
        source = self.source

        def add(url: str, reason: Reason, item_known: KnownRelease | None, entry: bytes | None = None) -> None:
            key = identity(url)
            if key in work or key in self.planned:
                return
            if (why := refusal(url, self.roots)) is not None:
                log.warning("%s: refused %s", source.id, why)
                return
            # A site that moved keeps its validators under the stored URL.
            validators = (cache.get(url) or (cache.get(item_known.url) if item_known else None)
                          if reason in ("recheck", "removal_check") else None)
            if validators is not None and self.now - validators.checked_at > TRUSTED_VALIDATORS:
                # Validators from a full answer long ago: the page is read whole again. A server whose Last-Modified
                # or ETag never changes (the template's, a cache's) answers 304 to every check, and an edit that no
                # listing shows would never be seen.
                validators = None
            work[key] = WorkItem(
                url=url, reason=reason, etag=validators.etag if validators else None,
                last_modified=validators.last_modified if validators else None,
                cached_archive_key=validators.archive_key if validators else None, entry=entry, known=item_known,
            )

        return work, add

    def _capped(self, work: dict[str, WorkItem]) -> list[WorkItem]:
        planned = list(work.values())
        if self.cap is None:
            return planned
        room = max(0, self.cap - self.count)
        if len(planned) > room:
            # Resumed work comes first, then discovery order (newest first in feeds and listings).
            if not self.cut:
                log.warning("%s: more than %d pages planned, fetching the first %d this run (max_items)",
                            self.source.id, self.cap, self.cap)
            self.cut += len(planned) - room
            planned = planned[:room]
        return planned

    def commit(self, work: Sequence[WorkItem]) -> None:
        """Record a part as planned (once persisted): later parts neither repeat it nor pass the cap."""
        self.planned.update(identity(w.url) for w in work)
        self.count += len(work)

    def resumed(self, frontier: Sequence[tuple[str, str]], cache: Mapping[str, CacheRow]) -> list[WorkItem]:
        """Work a previous run planned but did not finish: it comes first."""
        work, add = self._adder(cache)
        for url, purpose in frontier:
            add(url if self.source.kind == "files" else current_url(url, self.source),
                purpose if purpose in ("new", "changed", "recheck", "refetch", "removal_check") else "new",
                self.known.get(identity(url)))
        return self._capped(work)

    def listed(self, items: Sequence[ListingItem], channel: str, cache: Mapping[str, CacheRow]) -> list[WorkItem]:
        """What a part of the listing asks for: new links, changed ones, withdrawn ones listed again."""
        work, add = self._adder(cache)
        source, params, known = self.source, self.params, self.known
        for item in items:
            key = identity(item.url)
            held = known.get(key)
            moved = held is not None and (listed_as_changed(item.updated_at, held) or listing_changed(item, held, channel))
            if source.kind == "files":
                add(item.url, "file", held)
            elif item.entry is not None and (held is None or params.refetch or held.removed_at is not None or moved):
                add(item.url, "entry", held, item.entry)
            elif item.entry is not None:
                continue  # the entry is unchanged since we last stored it
            elif held is None:
                add(item.url, "new", None)
            elif params.refetch:
                add(item.url, "refetch", held)
            elif moved:
                add(item.url, "changed", held)
            elif held.status != "live":
                add(item.url, "recheck", held)  # listed again after it went: a restore?
        return self._capped(work)

    def closing(self, discovery: Discovery, cache: Mapping[str, CacheRow],
                recheck_from: Mapping[str, KnownRelease] | None = None) -> list[WorkItem]:
        """Once the walk ended: removal checks (a complete listing only), then due rechecks within the budget."""
        work, add = self._adder(cache)
        source, known = self.source, self.known
        if discovery.complete and source.kind != "files":
            # A full listing that no longer shows a held release: check whether the page is gone.
            for key, held in known.items():
                if held.status == "live" and key not in discovery.listed:
                    add(current_url(held.url or key, source), "removal_check", held)
        if source.kind == "files" and discovery.complete:
            for key, held in known.items():
                if held.status == "live" and key not in discovery.listed and key not in self.planned:
                    work[key] = WorkItem(url=held.url or key, reason="removal_check", known=held)
        if not (self.params.refetch or self.params.deep):  # by age, and what fell off a listing: within the budget
            taken = self.planned | set(work)
            for check in budgeted_checks(source, discovery, known if recheck_from is None else recheck_from, taken,
                                         self.now):
                add(check.url, check.reason, check.known)  # type: ignore[arg-type]
        return self._capped(work)


def plan_work(
    source: Source,
    discovery: Discovery,
    known: Mapping[str, KnownRelease],
    cache: Mapping[str, CacheRow],
    params: RunParams,
    now: datetime,
    frontier: Sequence[tuple[str, str]] = (),
    file_roots: Sequence[Path] = (),
    recheck_from: Mapping[str, KnownRelease] | None = None,
) -> list[WorkItem]:
    """Decide what to fetch: new links, changed ones (lastmod moved), due rechecks, removal checks.

    ``known`` is keyed by identity (govpress.urls.identity of the release URL).

    ``frontier`` holds work a previous run planned but did not finish; it is resumed first.

    ``recheck_from``: the held releases the recheck policy chooses among (keyed like ``known``); None:
    all of ``known``. The pipeline passes the bounded candidates the store reads
    (govpress.store.load.recheck_candidates), so a quiet run never walks the whole archive.

    Every URL enters the plan here, and here it passes :func:`govpress.urls.refusal`: http(s)
    only for web sources, and for a ``files`` source (``file_roots``: its folders) only files
    inside those folders. Refused URLs are logged and left out.

    The whole plan at once; a streamed discovery asks a :class:`Planner` part by part, in the same order.
    """
    planner = Planner(source, known, params, now, file_roots)
    work: list[WorkItem] = []
    for part in (lambda: planner.resumed(frontier, cache),
                 lambda: planner.listed(discovery.items, discovery.channel_kind, cache),
                 lambda: planner.closing(discovery, cache, recheck_from)):
        planned = part()
        planner.commit(planned)
        work += planned
    return work


def published_in_range(published_at: datetime | None, params: RunParams) -> bool:
    """Undated releases are kept; dated ones must fall in ``since``..``until`` (inclusive days, UTC)."""
    if published_at is None:
        return True
    day = published_at.astimezone(timezone.utc).date() if published_at.tzinfo else published_at.date()
    return (params.since is None or day >= params.since) and (params.until is None or day <= params.until)


BATCH_SECONDS = 300
"""A batch bigger than :data:`BATCH_SIZE` holds at most what the source's politeness lets be fetched in
five minutes, so a batch task stays well inside its timeout (flows/tasks.py) on a slow site: at one
request a second the file's 200 pages take under four minutes, at 0.2 a batch is 60 pages."""


def pages_per_batch(source: Source, store_pages: int) -> int:
    """Pages in one batch of ``source`` for a store that takes ``store_pages`` (its ``batch_pages``)."""
    return max(1, min(store_pages, max(BATCH_SIZE, int(source.rate_limit * BATCH_SECONDS))))


def batches(items: list[WorkItem], size: int = BATCH_SIZE) -> list[list[WorkItem]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- fetching one batch ---------------------------------------------------------------------------
