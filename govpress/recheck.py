"""When a run looks at a stored release again, and how much it may spend on that (pure, no I/O).

A release's page is fetched again for three reasons, cheapest first:

1. **Its listing changed** (govpress/plan.py): the feed entry, sitemap ``<url>``, listing block or JSON
   item that shows it differs from what was stored (``release_listings.fingerprint``), or its
   lastmod/updated moved. Noticed in the run that reads the listing; not budgeted (it is evidence).
2. **It fell off a listing that should still hold it**: a feed, listing or JSON index walked this run
   covers the release's publication time (strictly between its oldest and newest dated item) but no
   longer shows it. It is checked, never declared withdrawn: only a 404/410 or a redirect is.
3. **It is due by age** (:data:`SCHEDULE`): hourly in its first day, daily in its first week, weekly in
   its first quarter, then monthly. Due means ``now - last_seen_at`` reaches 90% of the interval (runs
   drift by a few seconds; an hourly source must not skip every other hour).

(2) and (3) are bounded per run by the source's ``recheck_budget``: fall-offs first, then due
releases from the youngest tier down and the most overdue first, then withdrawn or redirected
releases (a restore is rarer than an edit); ties go by release id. What is left waits for the next
run; so the monthly tier of a large archive is a rotating sample. The store reads exactly these
first picks with one ranked query (govpress.store.load.recheck_candidates, the same order in SQL), so
a run never loads the whole archive to choose them. Every check is a conditional GET when validators are known
(a quiet recheck costs one 304), and a release is checked at most once per run.

Stored URLs are rebased onto the source's current origin (:func:`current_url`) when the site moved
(another scheme, host or port): a check made against an origin the source no longer serves proves
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from govpress.discover import Discovery
from govpress.registry import Source
from govpress.store.rows import KnownRelease

SCHEDULE: tuple[tuple[timedelta, timedelta], ...] = (
    (timedelta(days=1), timedelta(hours=1)),
    (timedelta(days=7), timedelta(days=1)),
    (timedelta(days=91), timedelta(days=7)),
)
"""(age below, recheck interval): the first matching row applies."""
OLDER = timedelta(days=30)
"""The interval past the last row of :data:`SCHEDULE` (a monthly sample, see the module docstring)."""
DUE_AT = 0.9
"""A recheck is due at this share of its interval (schedules drift by seconds)."""
WINDOW_KINDS = frozenset({"feed", "listing", "json"})
"""Channels that show a window of the newest releases (sitemaps and file sets show everything)."""


def recheck_interval(known: KnownRelease, now: datetime) -> timedelta:
    """How often a release of this age is looked at again."""
    age = now - (known.published_at or known.first_seen_at)
    for below, interval in SCHEDULE:
        if age < below:
            return interval
    return OLDER


def tier(known: KnownRelease, now: datetime) -> int:
    """0 for the first day, 1 for the first week, 2 for the first quarter, 3 after."""
    age = now - (known.published_at or known.first_seen_at)
    return next((i for i, (below, _) in enumerate(SCHEDULE) if age < below), len(SCHEDULE))


def overdue(known: KnownRelease, now: datetime) -> float:
    """Time since the page was last seen, in intervals (>= DUE_AT means due).

    Microseconds over microseconds, correctly rounded: the store's SQL computes the very same float.
    """
    return (now - known.last_seen_at) / recheck_interval(known, now)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


def current_url(url: str, source: Source) -> str:
    """``url`` (as stored) on the origin the source serves today.

    Kept as it is when its origin is one of the source's start or fallback URLs', or its host is one the
    source may fetch from and no start URL uses that host (another allowed host, e.g. ``www.``).
    Otherwise (the port, scheme or host moved: a demo on a new port, a site moved to https or to a new
    domain) its path and query move onto the origin of the first start URL on the same host, else of
    the first start URL.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    starts = [u for u in source.start_urls + source.fallback_urls if urlsplit(u).scheme.lower() in ("http", "https")]
    if not starts:
        return url
    origins = [_origin(u) for u in starts]
    scheme, host, _ = mine = _origin(url)
    if mine in origins:
        return url
    same_host = [u for u, o in zip(starts, origins) if o[1] == host]
    if not same_host and host in source.hosts():
        return url
    target = urlsplit((same_host or starts)[0])
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))


def listing_window(discovery: Discovery) -> tuple[datetime, datetime] | None:
    """The publication times a walked feed, listing or JSON index covers: (oldest, newest) dated item."""
    if discovery.channel_kind not in WINDOW_KINDS:
        return None
    if discovery.dated >= 2 and discovery.span is not None:  # counted as the walk went (a streamed walk keeps no items)
        return discovery.span
    dated = [i.published_at for i in discovery.items if i.published_at is not None]
    if len(dated) < 2:
        return None
    return min(dated), max(dated)


def fell_off(known: KnownRelease, key: str, discovery: Discovery, window: tuple[datetime, datetime] | None) -> bool:
    """A live release dated strictly inside the window that the channel no longer lists."""
    if window is None or known.published_at is None or known.status != "live" or key in discovery.listed:
        return False
    oldest, newest = window
    return oldest < known.published_at <= newest


@dataclass(frozen=True, slots=True)
class Check:
    """One page to look at again: where, why (``removal_check`` or ``recheck``) and what is stored."""

    url: str
    reason: str
    known: KnownRelease


def budgeted_checks(source: Source, discovery: Discovery, known: Mapping[str, KnownRelease], planned: Iterable[str],
                    now: datetime) -> list[Check]:
    """Fall-offs and due rechecks for this run, at most ``source.recheck_budget`` (see the module docstring).

    ``known`` is keyed by identity; ``planned`` are identities the run fetches anyway.
    """
    if source.kind == "files":  # every file is read on every run
        return []
    taken = set(planned)
    window = listing_window(discovery)
    falls, due, gone = [], [], []
    for key, held in known.items():
        if key in taken:
            continue
        if fell_off(held, key, discovery, window):
            falls.append((-(held.published_at.timestamp()), held.release_id, key, held))
        elif overdue(held, now) >= DUE_AT:
            ranked = (tier(held, now), -overdue(held, now), held.release_id)
            (due if held.status == "live" else gone).append((ranked, key, held))
    picked = [Check(current_url(h.url or k, source), "removal_check", h) for _, _, k, h in sorted(falls, key=lambda x: x[:2])]
    picked += [Check(current_url(h.url or k, source), "recheck", h) for _, k, h in sorted(due, key=lambda x: x[0])]
    picked += [Check(current_url(h.url or k, source), "recheck", h) for _, k, h in sorted(gone, key=lambda x: x[0])]
    return picked[: source.recheck_budget]
