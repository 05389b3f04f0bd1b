"""Coverage: per source, the publication-day ranges known to be complete, and how discovery walks with them.

A range is *complete* when discovery listed every release published in it (it walked the source's
paginated feed or listing continuously over those days) and the run fetched or tried each one it
did not hold. Runs record what they walked (:func:`record`); the ranges of a source are kept
merged (overlapping or adjacent ranges become one) in ``coverage_ranges``, and the ``coverage``
view shows them with the gaps between them (migration 0007).

Discovery uses them two ways (:class:`Trace`, one per walk of a paginated channel):

- A page whose releases are all held stops the walk only when its days lie inside one complete
  range (and, for a run with ``since``, that range reaches down to ``since``). Held releases
  outside every complete range (a narrow manual run for a past week) no longer stop it.
- A run without a date range that reaches a complete range with a gap below it keeps walking
  down into the gap, within ``gap_pages`` extra discovery pages per run: from the page where an
  earlier walk stopped (``resume_url``) when one is known, else page by page. It stops when it
  reaches the complete range below; otherwise the next run carries on from where it stopped.

Sitemaps, local files, undated listings and sources with several start URLs are not traced:
they keep the old rule (stop at the first page of held releases).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from govpress.urls import identity, refusal

if TYPE_CHECKING:
    from govpress.parsers import ListingItem
    from govpress.store import Store

log = logging.getLogger("govpress.coverage")

GAP_PAGES = 10
"""Extra discovery pages a run may spend per source filling a gap in its coverage (the flows' default)."""


@dataclass(frozen=True, slots=True)
class DayRange:
    """Publication days ``first``..``last`` (inclusive) whose releases are all known."""

    first: date
    last: date
    resume_url: str | None = None
    """The discovery page to continue from to walk below ``first`` (None: nothing known below, or a natural end)."""
    resume_purpose: str | None = None
    """The channel ``resume_url`` belongs to (``feed``, ``listing``): a jump reads it with that channel's reader."""

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


def merge_ranges(ranges: Iterable[DayRange]) -> list[DayRange]:
    """Overlapping or adjacent ranges as one, oldest first; a merged range resumes where its lowest part did."""
    merged: list[DayRange] = []
    for r in sorted(ranges, key=lambda r: (r.first, r.last)):
        if merged and r.first <= merged[-1].last + timedelta(days=1):
            low = merged[-1]
            merged[-1] = replace(low, last=max(low.last, r.last))
        else:
            merged.append(r)
    return merged


def gaps(ranges: Sequence[DayRange]) -> list[tuple[date, date]]:
    """The days between consecutive complete ranges (``ranges`` merged, oldest first)."""
    return [(a.last + timedelta(days=1), b.first - timedelta(days=1)) for a, b in zip(ranges, ranges[1:])]


@dataclass(frozen=True, slots=True)
class Coverage:
    """One source's complete ranges, merged, oldest first."""

    ranges: tuple[DayRange, ...] = ()

    def holding(self, days: Iterable[date]) -> DayRange | None:
        """The one range holding every day given (None when they straddle a gap or lie outside)."""
        days = list(days)
        if not days:
            return None
        low, high = min(days), max(days)
        return next((r for r in self.ranges if r.holds(low) and r.holds(high)), None)

    def below(self, day: date) -> DayRange | None:
        """The newest range ending before ``day``."""
        return next((r for r in reversed(self.ranges) if r.last < day), None)


def item_day(item: "ListingItem") -> date | None:
    return item.published_at.date() if item.published_at is not None else None


# --- one walk ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Page:
    url: str
    days: list[date]
    keys: dict[str, date]
    """identity -> day of its dated items."""


@dataclass(slots=True)
class Trace:
    """What one walk of a paginated channel (newest first) read, and the decisions coverage makes for it.

    The walk asks :meth:`before_page` whether to read the next URL (the page limit and the gap
    budget live here) and :meth:`after_page` where to go after reading one; :meth:`finding`
    is the range the walk proved complete.
    """

    coverage: Coverage
    purpose: str
    today: date
    max_pages: int
    since: date | None = None
    until: date | None = None
    stop_at_known: bool = True
    gap_pages: int = 0
    """Budget of extra pages for filling a gap (0: never fill)."""
    fill_gaps: bool = False
    pages: list[_Page] = field(default_factory=list)
    in_gap: bool = False
    target: DayRange | None = None
    """The complete range below the gap being filled."""
    gap_used: int = 0
    end: str | None = None
    """since | end | page_limit | budget | error | joined | undated"""
    joined: DayRange | None = None
    resume: str | None = None
    unfetched: set[str] = field(default_factory=set)
    """Identities of listed releases the run neither held nor planned (set after planning; see :meth:`finding`)."""

    @property
    def top(self) -> date:
        return self.until or self.today

    def before_page(self, url: str, page: int) -> str | None:
        """The URL to read as page number ``page`` of the walk, or None to stop here (a limit was reached)."""
        if self.in_gap:
            if self.gap_used >= self.gap_pages:
                self._stop("budget", resume=url)
                return None
            self.gap_used += 1
            return url
        if page <= self.max_pages:
            return url
        oldest = self._oldest_seen()
        below = self.coverage.below(oldest) if oldest is not None else None
        if self._may_fill() and below is not None:
            self._enter_gap(below)
            return self.before_page(url, page)
        self._stop("page_limit", resume=url)
        return None

    def after_page(self, url: str, items: list["ListingItem"], next_url: str | None, *, all_held: bool) -> str | None:
        """Record a page read; returns the next URL to read, or None when the walk ends here."""
        keys = {identity(i.url): d for i in items if (d := item_day(i)) is not None}
        days = sorted(keys.values())
        self.pages.append(_Page(url=url, days=days, keys=keys))
        if self.in_gap:
            if self.target is not None and days and days[0] <= self.target.last:
                self._stop("joined")
                self.joined = self.target
                return None
        else:
            if self.since and days and days[-1] < self.since:
                self._stop("since", resume=url)
                return None
            if all_held and self.stop_at_known:
                if not days:
                    self._stop("undated")
                    return None
                held_in = self.coverage.holding(days)
                if held_in is not None and (self.since is None or held_in.first <= self.since):
                    self.joined = held_in
                    below = self.coverage.below(held_in.first)
                    if self._may_fill() and below is not None:
                        self._enter_gap(below)
                        if held_in.resume_url and held_in.resume_purpose == self.purpose:
                            log.info("coverage: continuing below %s from %s (gap down to %s)",
                                     held_in.first, held_in.resume_url, below.last)
                            return held_in.resume_url
                        return next_url or self._stop("end")
                    self._stop("joined")
                    return None
        if next_url is None:
            self._stop("end")
            return None
        return next_url

    def failed(self, url: str) -> None:
        """The page at ``url`` could not be read: the walk ends above it."""
        self._stop("error", resume=url)

    def _may_fill(self) -> bool:
        return self.fill_gaps and self.gap_pages > 0 and self.since is None and self.until is None

    def _enter_gap(self, below: DayRange) -> None:
        self.in_gap, self.target = True, below

    def _stop(self, why: str, resume: str | None = None) -> None:
        self.end, self.resume = why, resume
        return None

    def _oldest_seen(self) -> date | None:
        days = [d for p in self.pages for d in p.days]
        return min(days) if days else None

    def finding(self, unfetched: Iterable[str] | None = None) -> DayRange | None:
        """The range this walk proved complete, or None.

        ``unfetched`` (default: :attr:`unfetched`): identities of listed releases the run neither
        held nor tried (cut by the run's ``max_items``): the range ends above the newest of them,
        and resumes from the page that lists it.
        """
        if not self.pages or self.end in (None, "undated"):
            return None
        top = self.top
        last_days = next((p.days for p in reversed(self.pages) if p.days), [])
        purpose = self.purpose
        if self.end == "since":
            low, resume = self.since, self.resume
        elif self.end == "end":
            low, resume = (self._oldest_seen() or top), None
        elif self.end == "joined":  # contiguous with a complete range: the merge takes its bottom
            low, resume, purpose = self.joined.first, self.joined.resume_url, self.joined.resume_purpose
        elif last_days:  # page_limit, budget, error: the last day read may go on below
            low, resume = last_days[0] + timedelta(days=1), self.resume
        else:
            return None
        missing = set(self.unfetched if unfetched is None else unfetched)
        cut = [(day, page.url) for page in self.pages for key, day in page.keys.items() if key in missing]
        if cut:
            day, page_url = max(cut)
            if day + timedelta(days=1) > low:
                low, resume, purpose = day + timedelta(days=1), page_url, self.purpose
        if low > top:
            return None
        return DayRange(first=low, last=top, resume_url=resume, resume_purpose=purpose if resume else None)


def unfetched_keys(items: Iterable["ListingItem"], held: Iterable[str], planned: Iterable[str]) -> set[str]:
    """Identities of listed releases neither held nor planned (left out by a run's ``max_items``).

    Links planning refuses (not http(s)) are never fetched by any run: they do not count.
    """
    held, planned = set(held), set(planned)
    return {key for i in items
            if (key := identity(i.url)) not in held and key not in planned and refusal(i.url, ()) is None}


# --- the table --------------------------------------------------------------------------------------


def load(store: "Store", source_id: str) -> Coverage:
    """The source's complete ranges (empty on a database that has none yet)."""
    from govpress.store.arrow import inline  # here: govpress.plan and discover import this module without the store

    with store.reading() as con:  # a read: a session's catalogue, and a fresh file's untouched state, hold after it
        rows = con.execute(*inline(
            "SELECT first_day, last_day, resume_url, resume_purpose FROM coverage_ranges WHERE source_id = ? "
            "ORDER BY first_day", [source_id])).fetchall()
    return Coverage(tuple(merge_ranges(DayRange(*row) for row in rows)))


def record(store: "Store", source_id: str, found: DayRange, run_id: str, at: datetime) -> list[DayRange]:
    """Add a complete range to the source's coverage (merged with what is there); returns the new ranges.

    One transaction (the store's write path: on a lake, behind its writer lock and retried on a
    conflict like every other write): the source's rows are replaced by the merged set, so a rerun
    of the same run converges to the same rows.
    """
    return store.in_transaction(lambda con: replace_ranges(con, source_id, found, run_id, at), same_schema=True)


def replace_ranges(con: Any, source_id: str, found: DayRange, run_id: str, at: datetime) -> list[DayRange]:
    """The source's coverage rows replaced by their merge with ``found``, inside the caller's transaction."""
    # Parameters written as constants where they can be (arrow.inline: DuckDB's client looks for pandas per
    # bound parameter), the merged rows in one statement.
    from govpress.store.arrow import inline  # here: govpress.plan and discover import this module without the store

    rows = con.execute(*inline(
        "SELECT first_day, last_day, resume_url, resume_purpose FROM coverage_ranges WHERE source_id = ?",
        [source_id])).fetchall()
    merged = merge_ranges([*(DayRange(*row) for row in rows), found])
    con.execute(*inline("DELETE FROM coverage_ranges WHERE source_id = ?", [source_id]))
    insert = ("INSERT INTO coverage_ranges (source_id, first_day, last_day, resume_url, resume_purpose, run_id, "
              "recorded_at) VALUES ")
    values = [[source_id, r.first, r.last, r.resume_url, r.resume_purpose, run_id, at] for r in merged]
    sql, left = inline(insert + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(values)), [v for row in values for v in row])
    if values and left is None:
        con.execute(sql)
    else:
        con.executemany(insert + "(?, ?, ?, ?, ?, ?, ?)", values)
    return merged
