"""Coverage: complete ranges, how a walk stops inside one, walks into the gap below it within a budget, and resumes.

The walks run through govpress.discover with a fake fetch over a paged Atom feed: seven pages of
three releases each, one a day, newest first (page 1: 30-28 October 2024, ..., page 7: 12-10).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from govpress import coverage
from govpress.coverage import Coverage, DayRange, Trace, gaps, merge_ranges
from govpress.discover import discover
from govpress.store import Store
from factories import make_source

BASE = "http://127.0.0.1/feed"
NOW = datetime(2024, 10, 31, 12, 0, tzinfo=timezone.utc)
PAGES = [list(range(30 - 3 * p, 27 - 3 * p, -1)) for p in range(7)]  # [[30, 29, 28], [27, 26, 25], ...]


def oct(day: int) -> date:
    return date(2024, 10, day)


def page_url(n: int) -> str:
    return BASE if n == 1 else f"{BASE}/{n}"


@dataclass
class FakeResult:
    url: str
    body: bytes | None
    outcome: str = "ok"
    status: int | None = 200
    error: str | None = None
    content_type: str | None = "application/atom+xml"
    bytes_downloaded: int = 0

    @property
    def ok(self):
        return self.outcome == "ok"

    @property
    def final_url(self):
        return self.url


def feed_page(n: int, *, dated: bool = True) -> bytes:
    days = PAGES[n - 1]
    entries = "".join(
        f'<entry><title>R{d}</title><link href="/news/{d}"/><id>{d}</id>'
        + (f"<published>2024-10-{d:02d}T10:00:00Z</published>" if dated else "") + "</entry>" for d in days)
    nxt = f'<link rel="next" href="{page_url(n + 1)}"/>' if n < len(PAGES) else ""
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{nxt}{entries}</feed>'.encode()


def walk(ranges: list[DayRange] | None, held_days, *, max_pages=2, gap_pages=10, since=None, until=None,
         dated=True, fill=True):
    """One discovery walk; returns (pages fetched, the discovery)."""
    pages = {page_url(n): FakeResult(page_url(n), feed_page(n, dated=dated)) for n in range(1, len(PAGES) + 1)}
    log: list[str] = []

    async def fetch(url: str, purpose: str):
        log.append(url)
        return pages[url]

    source = make_source(id="ministry", start_urls=[BASE], timezone="UTC", max_pages=max_pages)
    found = asyncio.run(discover(
        source, fetch, known={f"/news/{d}" for d in held_days}, since=since, until=until, now=NOW,
        coverage=None if ranges is None else Coverage(tuple(merge_ranges(ranges))), gap_pages=gap_pages,
        fill_gaps=fill))
    return [u.removeprefix(BASE) or "/1" for u in log], found


# --- ranges -----------------------------------------------------------------------------------------


def test_ranges_merge_when_they_overlap_or_touch_and_resume_where_the_lowest_did():
    merged = merge_ranges([DayRange(oct(10), oct(12), "p7", "feed"), DayRange(oct(20), oct(31)),
                           DayRange(oct(13), oct(15), "p6", "feed"), DayRange(oct(14), oct(16))])
    assert merged == [DayRange(oct(10), oct(16), "p7", "feed"), DayRange(oct(20), oct(31))]
    assert gaps(merged) == [(oct(17), oct(19))]
    cover = Coverage(tuple(merged))
    assert cover.holding([oct(21), oct(30)]) == merged[1]
    assert cover.holding([oct(16), oct(20)]) is None  # straddles the gap
    assert cover.below(oct(20)) == merged[0] and cover.below(oct(10)) is None


# --- walks ------------------------------------------------------------------------------------------


def test_held_releases_outside_every_complete_range_do_not_stop_the_walk():
    """The issue: after a narrow manual run, later runs stopped at its held releases. Now they walk on."""
    pages, found = walk([], held_days=range(10, 31), max_pages=3)
    assert pages == ["/1", "/2", "/3"]  # every page held, none inside a complete range: up to max_pages
    assert found.trace.end == "page_limit"
    assert found.trace.finding() == DayRange(oct(23), oct(31), f"{BASE}/4", "feed")  # day 22 may go on below


def test_a_page_of_held_releases_inside_a_complete_range_stops_the_walk():
    pages, found = walk([DayRange(oct(10), oct(31))], held_days=range(10, 31))
    assert pages == ["/1"]
    assert found.trace.end == "joined" and found.trace.finding() == DayRange(oct(10), oct(31))


def test_a_run_walks_into_the_gap_below_and_stops_at_the_range_below_it():
    """A manual week (13-18 October) held and complete; a run without dates, max_pages 2, fills 19-27."""
    pages, found = walk([DayRange(oct(13), oct(18))], held_days=range(13, 19), max_pages=2, gap_pages=10)
    assert pages == ["/1", "/2", "/3", "/4", "/5"]  # 2 pages, then 3 of the gap budget: page 5 reaches day 18
    assert found.trace.end == "joined"
    assert merge_ranges([DayRange(oct(13), oct(18)), found.trace.finding()]) == [DayRange(oct(13), oct(31))]


def test_the_gap_budget_bounds_a_run_and_the_next_one_resumes_where_it_stopped():
    week = DayRange(oct(13), oct(18))
    pages, found = walk([week], held_days=range(13, 19), max_pages=2, gap_pages=1)
    assert pages == ["/1", "/2", "/3"]
    first = found.trace.finding()
    assert found.trace.end == "budget" and first == DayRange(oct(23), oct(31), f"{BASE}/4", "feed")
    ranges = merge_ranges([week, first])
    assert gaps(ranges) == [(oct(19), oct(22))]

    # The next run: page 1 is held inside 23-31, so it jumps to page 4 (where the last one stopped).
    pages, found = walk(ranges, held_days=[*range(13, 19), *range(22, 31)], max_pages=2, gap_pages=2)
    assert pages == ["/1", "/4", "/5"]
    assert found.trace.end == "joined"
    assert merge_ranges([*ranges, found.trace.finding()]) == [DayRange(oct(13), oct(31))]


def test_runs_with_dates_never_fill_gaps_and_walk_through_a_range_that_does_not_reach_since():
    recent = DayRange(oct(25), oct(31))
    pages, found = walk([recent, DayRange(oct(10), oct(12))], held_days=range(25, 31),
                        since=oct(20), until=oct(24), max_pages=10)
    assert pages == ["/1", "/2", "/3", "/4", "/5"]  # page 5 (18-16) is older than since
    assert found.trace.end == "since"
    assert found.trace.finding() == DayRange(oct(20), oct(24), f"{BASE}/5", "feed")
    assert sorted(int(i.url.rsplit("/", 1)[1]) for i in found.items) == [20, 21, 22, 23, 24]


def test_releases_a_run_left_out_end_the_range_above_them():
    pages, found = walk([DayRange(oct(13), oct(18))], held_days=range(13, 19), max_pages=2, gap_pages=10)
    # max_items left out 22 and 20: the range ends above 22, and resumes from the page listing it.
    assert found.trace.finding(unfetched={"/news/22", "/news/20"}) == DayRange(oct(23), oct(31), f"{BASE}/3", "feed")


def test_undated_pages_keep_the_old_rule():
    pages, found = walk([], held_days=range(10, 31), dated=False)
    assert pages == ["/1"] and found.trace.end == "undated" and found.trace.finding() is None


def test_without_coverage_discovery_is_as_before():
    pages, found = walk(None, held_days=range(10, 31))
    assert pages == ["/1"] and found.trace is None


def test_the_end_of_the_listing_completes_down_to_its_oldest_release():
    pages, found = walk([], held_days=[], max_pages=10)
    assert len(pages) == 7 and found.trace.end == "end"
    assert found.trace.finding() == DayRange(oct(10), oct(31))


def test_a_trace_stops_at_a_failed_page_and_resumes_there():
    trace = Trace(coverage=Coverage(), purpose="feed", today=oct(31), max_pages=5)
    assert trace.before_page(BASE, 1) == BASE
    from govpress.parsers import ListingItem

    items = [ListingItem(url=f"http://127.0.0.1/news/{d}", published_at=datetime(2024, 10, d, tzinfo=timezone.utc))
             for d in (30, 29)]
    assert trace.after_page(BASE, items, f"{BASE}/2", all_held=False) == f"{BASE}/2"
    trace.failed(f"{BASE}/2")
    assert trace.finding() == DayRange(oct(30), oct(31), f"{BASE}/2", "feed")


# --- the table and the view --------------------------------------------------------------------------


def test_recorded_ranges_merge_and_the_view_shows_the_gaps(tmp_path: Path):
    store = Store(tmp_path / "g.duckdb")
    store.migrate()
    at = NOW
    coverage.record(store, "a", DayRange(oct(13), oct(18)), "r1", at)
    coverage.record(store, "a", DayRange(oct(23), oct(31), f"{BASE}/4", "feed"), "r2", at)
    coverage.record(store, "b", DayRange(oct(1), oct(5)), "r2", at)
    with store.reader(fts=False) as con:
        rows = con.execute("SELECT source_id, kind, first_day, last_day, days FROM coverage "
                           "ORDER BY source_id, first_day").fetchall()
    assert rows == [("a", "complete", oct(13), oct(18), 6), ("a", "gap", oct(19), oct(22), 4),
                    ("a", "complete", oct(23), oct(31), 9), ("b", "complete", oct(1), oct(5), 5)]
    assert coverage.load(store, "a").ranges[1].resume_url == f"{BASE}/4"

    again = coverage.record(store, "a", DayRange(oct(19), oct(22)), "r3", at)
    assert again == [DayRange(oct(13), oct(31))]
    with store.reader(fts=False) as con:
        assert con.execute("SELECT count(*) FROM coverage WHERE kind = 'gap'").fetchone()[0] == 0
        assert con.execute("SELECT run_id FROM coverage_ranges WHERE source_id = 'a'").fetchall() == [("r3",)]
