"""Work planning: what a run fetches given what discovery found and what is stored (pure, no Prefect)."""

from __future__ import annotations

import pytest

from datetime import datetime, timedelta, timezone

from govpress.discover import Discovery
from govpress.plan import BATCH_SIZE, RunParams, pages_per_batch, plan_work
from govpress.recheck import recheck_interval
from govpress.registry import Source
from govpress.store.rows import CacheRow, KnownRelease
from govpress.urls import canonical_url, identity, release_id
from govpress.parsers import ListingItem
from factories import make_source

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def src(kind="sitemap") -> Source:
    return make_source(id="s", country="GB", languages=["en"], kind=kind, start_urls=["http://127.0.0.1/sitemap.xml"],
                       rate_limit=1.0, concurrency=2)


def known(url: str, *, published_days_ago: float, last_seen_hours_ago: float, removed=False) -> KnownRelease:
    c = canonical_url(url)
    return KnownRelease(
        release_id=release_id("s", url), canonical_url=c, url=url, content_hash="h", version=1,
        published_at=NOW - timedelta(days=published_days_ago), first_seen_at=NOW - timedelta(days=published_days_ago),
        last_seen_at=NOW - timedelta(hours=last_seen_hours_ago), removed_at=NOW if removed else None, archive_key="sha256:x",
        status="withdrawn" if removed else "live",
    )


def discovery(*items: ListingItem, complete=False) -> Discovery:
    d = Discovery(items=list(items), complete=complete)
    d.listed = {identity(i.url) for i in items}
    return d


def test_recheck_schedule_is_hourly_then_daily_then_weekly_then_monthly():
    def interval(days: float) -> timedelta:
        return recheck_interval(known("http://127.0.0.1/a", published_days_ago=days, last_seen_hours_ago=0), NOW)

    assert [interval(d) for d in (0.5, 3, 10, 80, 100, 2000)] == [
        timedelta(hours=1), timedelta(days=1), timedelta(days=7), timedelta(days=7), timedelta(days=30), timedelta(days=30)]


def test_new_links_are_fetched_and_quiet_known_ones_are_not():
    held = {identity(k.url): k for k in [known("http://127.0.0.1/old", published_days_ago=100, last_seen_hours_ago=2)]}
    work = plan_work(src(), discovery(ListingItem("http://127.0.0.1/new"), ListingItem("http://127.0.0.1/old")), held, {}, RunParams(), NOW)
    assert [(w.url, w.reason) for w in work] == [("http://127.0.0.1/new", "new")]


def test_lastmod_after_last_seen_means_changed_and_due_rechecks_are_conditional():
    a = known("http://127.0.0.1/a", published_days_ago=100, last_seen_hours_ago=2)
    b = known("http://127.0.0.1/b", published_days_ago=0.5, last_seen_hours_ago=2)
    cache = {"http://127.0.0.1/b": CacheRow(url="http://127.0.0.1/b", etag='"e1"', last_modified=None, archive_key="sha256:x", checked_at=NOW)}
    work = plan_work(
        src(),
        discovery(ListingItem("http://127.0.0.1/a", updated_at=NOW - timedelta(hours=1)), ListingItem("http://127.0.0.1/b")),
        {identity(a.url): a, identity(b.url): b}, cache, RunParams(), NOW,
    )
    by_url = {w.url: w for w in work}
    assert by_url["http://127.0.0.1/a"].reason == "changed" and by_url["http://127.0.0.1/a"].etag is None
    assert by_url["http://127.0.0.1/b"].reason == "recheck" and by_url["http://127.0.0.1/b"].etag == '"e1"'


@pytest.mark.parametrize("checked_days_ago,sent", [(0, True), (29, True), (31, False), (400, False)])
def test_validators_from_a_full_answer_over_a_month_ago_are_not_sent(checked_days_ago, sent):
    # A server whose validators never change answers 304 to every check: a month on, the check reads the page whole.
    b = known("http://127.0.0.1/b", published_days_ago=0.5, last_seen_hours_ago=2)
    cache = {b.url: CacheRow(url=b.url, etag='"e1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT", archive_key="sha256:x",
                             checked_at=NOW - timedelta(days=checked_days_ago))}
    [work] = plan_work(src(), discovery(ListingItem(b.url)), {identity(b.url): b}, cache, RunParams(), NOW)
    assert work.reason == "recheck"
    assert (work.etag, work.last_modified, work.cached_archive_key) == (
        ('"e1"', "Mon, 01 Jan 2024 00:00:00 GMT", "sha256:x") if sent else (None, None, None))


def test_refetch_fetches_everything_discovered():
    a = known("http://127.0.0.1/a", published_days_ago=100, last_seen_hours_ago=2)
    work = plan_work(src(), discovery(ListingItem("http://127.0.0.1/a")), {identity(a.url): a}, {}, RunParams(refetch=True), NOW)
    assert [(w.url, w.reason) for w in work] == [("http://127.0.0.1/a", "refetch")]


def test_held_releases_missing_from_a_complete_listing_get_a_removal_check():
    a = known("http://127.0.0.1/a", published_days_ago=100, last_seen_hours_ago=2)
    gone = known("http://127.0.0.1/gone", published_days_ago=100, last_seen_hours_ago=2)
    already = known("http://127.0.0.1/already", published_days_ago=100, last_seen_hours_ago=2, removed=True)
    held = {identity(k.url): k for k in (a, gone, already)}
    work = plan_work(src(), discovery(ListingItem("http://127.0.0.1/a"), complete=True), held, {}, RunParams(), NOW)
    assert [(w.url, w.reason) for w in work] == [("http://127.0.0.1/gone", "removal_check")]
    # An incomplete listing (a feed's newest page) proves nothing about what it does not show.
    assert plan_work(src("feed"), discovery(ListingItem("http://127.0.0.1/a")), held, {}, RunParams(), NOW) == []


def test_full_text_entries_are_taken_when_new_or_updated_only():
    a = known("http://127.0.0.1/a", published_days_ago=100, last_seen_hours_ago=2)
    items = [ListingItem("http://127.0.0.1/a", entry=b"<feed/>"), ListingItem("http://127.0.0.1/b", entry=b"<feed/>"),
             ListingItem("http://127.0.0.1/c", entry=b"<feed/>", updated_at=NOW)]
    c = known("http://127.0.0.1/c", published_days_ago=100, last_seen_hours_ago=2)
    work = plan_work(src("feed"), discovery(*items), {identity(a.url): a, identity(c.url): c}, {}, RunParams(), NOW)
    assert [(w.url, w.reason) for w in work] == [("http://127.0.0.1/b", "entry"), ("http://127.0.0.1/c", "entry")]


def test_the_frontier_of_an_interrupted_run_is_resumed_first():
    work = plan_work(src(), discovery(ListingItem("http://127.0.0.1/new")), {}, {}, RunParams(), NOW,
                     frontier=[("http://127.0.0.1/left-over", "new")])
    assert [w.url for w in work] == ["http://127.0.0.1/left-over", "http://127.0.0.1/new"]


def test_a_lastmod_before_our_visit_but_after_the_page_own_dates_still_means_changed():
    from dataclasses import replace

    from govpress.plan import listed_as_changed

    held = replace(known("http://127.0.0.1/a", published_days_ago=300, last_seen_hours_ago=2), updated_at=None)
    published = held.published_at
    assert listed_as_changed(published + timedelta(days=3), held)  # edited later, stamped with the edit time
    assert not listed_as_changed(published, held)  # lastmod equals publication: nothing new
    assert not listed_as_changed(None, held)
    assert not listed_as_changed(published + timedelta(days=3), replace(held, updated_at=published + timedelta(days=3)))


def test_releases_dated_outside_the_run_range_are_not_loaded():
    from datetime import date

    from govpress.plan import published_in_range

    params = RunParams(since=date(2024, 10, 1), until=date(2024, 10, 3))
    assert published_in_range(None, params)  # undated: kept
    assert published_in_range(datetime(2024, 10, 3, 23, 0, tzinfo=timezone.utc), params)
    assert not published_in_range(datetime(2024, 10, 4, 0, 30, tzinfo=timezone.utc), params)
    assert not published_in_range(datetime(2024, 9, 30, 12, 0, tzinfo=timezone.utc), params)
    assert published_in_range(datetime(2020, 1, 1, tzinfo=timezone.utc), RunParams())


HOSTILE_LINKS = ["file:///etc/passwd", "file:/etc/passwd", "file://x/etc/passwd", "FILE:///etc/hosts",
                 "ftp://127.0.0.1/a", "javascript:alert(1)", "data:text/html,<h1>x</h1>", "http:///nohost"]


def test_links_from_hostile_discovery_data_never_enter_the_plan_of_a_web_source():
    items = [ListingItem(u) for u in HOSTILE_LINKS] + [ListingItem("http://127.0.0.1/ok")]
    frontier = [("file:///etc/shadow", "new")]
    work = plan_work(src("feed"), discovery(*items), {}, {}, RunParams(), NOW, frontier)
    assert [w.url for w in work] == ["http://127.0.0.1/ok"]


def test_a_files_source_plans_only_files_inside_its_folders(tmp_path):
    inside = tmp_path / "docs"
    inside.mkdir()
    (inside / "a.txt").write_text("a")
    outside = tmp_path / "secret.txt"
    outside.write_text("s")
    (inside / "link.txt").symlink_to(outside)  # resolves outside the folder
    files = make_source(id="s", kind="files", start_urls=[str(inside)])
    items = [ListingItem((inside / "a.txt").as_uri()), ListingItem(outside.as_uri()), ListingItem((inside / "link.txt").as_uri()),
             ListingItem("http://127.0.0.1/a.txt"), ListingItem(f"file://elsewhere{inside / 'a.txt'}")]
    work = plan_work(files, discovery(*items), {}, {}, RunParams(), NOW, file_roots=[inside.resolve()])
    assert [w.url for w in work] == [(inside / "a.txt").as_uri()]


def test_a_huge_feed_plans_at_most_max_items_and_resumed_work_first():
    items = [ListingItem(f"http://127.0.0.1/n/{i}") for i in range(5000)]
    capped = make_source(id="s", kind="feed", start_urls=["http://127.0.0.1/feed"], max_items=100)
    work = plan_work(capped, discovery(*items), {}, {}, RunParams(), NOW, [("http://127.0.0.1/resumed", "new")])
    assert len(work) == 100
    assert work[0].url == "http://127.0.0.1/resumed" and work[1].url == "http://127.0.0.1/n/0"
    assert len(plan_work(capped, discovery(*items), {}, {}, RunParams(max_items=3000), NOW)) == 3000


def test_a_batch_takes_the_stores_pages_but_only_five_minutes_of_a_slow_sources_rate():
    def at(rate: float):
        return make_source(id="s", country="GB", languages=["en"], kind="sitemap",
                           start_urls=["http://127.0.0.1/sitemap.xml"], rate_limit=rate)

    assert pages_per_batch(at(100), BATCH_SIZE) == BATCH_SIZE  # a store taking the smallest batch: always that
    assert pages_per_batch(at(0.2), BATCH_SIZE) == BATCH_SIZE
    assert pages_per_batch(at(100), 200) == 200  # the DuckDB file at a fast source: its 200
    assert pages_per_batch(at(0.2), 200) == 60  # ... at a slow one: five minutes of pages
    assert pages_per_batch(at(100), 400) == 400  # a lake at a fast source: its 400
    assert pages_per_batch(at(1.0), 400) == 300  # one request a second: five minutes of pages
    assert pages_per_batch(at(0.05), 400) == BATCH_SIZE  # never fewer than the file's batch
    assert pages_per_batch(at(100), 3) == 3
