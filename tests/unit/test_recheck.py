"""The recheck policy: what a run looks at again besides what its listings point at, and within what budget."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from govpress.discover import Discovery
from govpress.parsers import ListingItem
from govpress.plan import RunParams, plan_work
from govpress.recheck import budgeted_checks, current_url, listing_window
from govpress.store.rows import CacheRow, KnownRelease
from govpress.urls import canonical_url, identity, release_id
from factories import make_source

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
BASE = "http://127.0.0.1:8001"


def feed_source(**extra):
    return make_source(id="s", kind="feed", start_urls=[f"{BASE}/feed"], fallback_urls=[], **extra)


def held(path: str, *, age_days: float, seen_hours_ago: float, status: str = "live", base: str = BASE,
         fingerprint: str | None = None, channel: str | None = None) -> KnownRelease:
    url = base + path
    return KnownRelease(
        release_id=release_id("s", url), canonical_url=canonical_url(url), url=url, content_hash="h", version=1,
        published_at=NOW - timedelta(days=age_days), first_seen_at=NOW - timedelta(days=age_days),
        last_seen_at=NOW - timedelta(hours=seen_hours_ago), removed_at=None if status == "live" else NOW - timedelta(days=1),
        archive_key="sha256:x", status=status, listed_channel=channel, listed_fingerprint=fingerprint,
    )


def by_identity(*releases: KnownRelease) -> dict[str, KnownRelease]:
    return {identity(k.url): k for k in releases}


def walked(*items: ListingItem, channel: str = "feed") -> Discovery:
    found = Discovery(items=list(items), channel=channel)
    found.listed = {identity(i.url) for i in items}
    return found


def test_stored_urls_move_onto_the_origin_the_source_serves_today():
    source = make_source(id="s", kind="feed", start_urls=["http://127.0.0.1:9002/feed"],
                         allowed_hosts=["127.0.0.1", "www.gov.example"])
    assert current_url("http://127.0.0.1:9002/news/1", source) == "http://127.0.0.1:9002/news/1"
    assert current_url("http://127.0.0.1:8001/news/1?id=3", source) == "http://127.0.0.1:9002/news/1?id=3"  # port moved
    assert current_url("http://www.gov.example/news/1", source) == "http://www.gov.example/news/1"  # another allowed host
    assert current_url("https://old-domain.example/news/1", source) == "http://127.0.0.1:9002/news/1"  # the site moved
    assert current_url("file:///docs/a.txt", source) == "file:///docs/a.txt"


def test_the_window_of_a_walked_listing_is_its_oldest_to_newest_dated_item():
    items = [ListingItem(f"{BASE}/n/{d}", published_at=NOW - timedelta(days=d)) for d in (1, 2, 5)]
    assert listing_window(walked(*items)) == (NOW - timedelta(days=5), NOW - timedelta(days=1))
    assert listing_window(walked(*items, channel="sitemap")) is None  # complete listings are handled whole
    assert listing_window(walked(items[0])) is None  # one date is no window


def test_a_release_that_fell_off_inside_the_window_is_checked_first_and_one_outside_is_not():
    items = [ListingItem(f"{BASE}/n/{d}", published_at=NOW - timedelta(days=d)) for d in (1, 5)]
    inside = held("/n/3", age_days=3, seen_hours_ago=1)
    older = held("/n/9", age_days=9, seen_hours_ago=1)
    gone = held("/n/4", age_days=4, seen_hours_ago=1, status="withdrawn")
    checks = budgeted_checks(feed_source(), walked(*items), by_identity(inside, older, gone), set(), NOW)
    assert [(c.url, c.reason) for c in checks] == [(f"{BASE}/n/3", "removal_check")]


def test_due_rechecks_go_youngest_tier_first_withdrawn_last_and_stop_at_the_budget():
    hour_old = held("/a", age_days=0.5, seen_hours_ago=1)  # hourly tier, due
    day_old = held("/b", age_days=3, seen_hours_ago=30)  # daily tier, due
    not_due = held("/c", age_days=3, seen_hours_ago=5)
    archive = [held(f"/old/{n}", age_days=400, seen_hours_ago=24 * (31 + n)) for n in range(5)]  # monthly, due
    withdrawn = held("/w", age_days=0.5, seen_hours_ago=2, status="withdrawn")
    known = by_identity(withdrawn, *archive, not_due, day_old, hour_old)
    checks = budgeted_checks(feed_source(recheck_budget=100), walked(), known, set(), NOW)
    assert [c.url.removeprefix(BASE) for c in checks] == ["/a", "/b", "/old/4", "/old/3", "/old/2", "/old/1", "/old/0", "/w"]
    assert all(c.reason == "recheck" for c in checks)
    capped = budgeted_checks(feed_source(recheck_budget=3), walked(), known, {identity(hour_old.url)}, NOW)
    assert [c.url.removeprefix(BASE) for c in capped] == ["/b", "/old/4", "/old/3"]  # planned ones are not counted
    assert budgeted_checks(feed_source(recheck_budget=0), walked(), known, set(), NOW) == []


def test_a_recheck_is_due_at_nine_tenths_of_its_interval():
    almost = held("/a", age_days=0.5, seen_hours_ago=0.95)
    early = held("/b", age_days=0.5, seen_hours_ago=0.8)
    checks = budgeted_checks(feed_source(), walked(), by_identity(almost, early), set(), NOW)
    assert [c.url for c in checks] == [almost.url]


def test_files_are_read_every_run_and_never_rechecked():
    files = make_source(id="s", kind="files", start_urls=["/tmp/docs"])
    assert budgeted_checks(files, walked(channel="files"), by_identity(held("/a", age_days=0.5, seen_hours_ago=5)), set(), NOW) == []


def test_a_changed_fingerprint_on_the_same_channel_means_refetch_now():
    stored = held("/a", age_days=100, seen_hours_ago=2, fingerprint="f1", channel="feed")
    known = by_identity(stored)
    same = plan_work(feed_source(), walked(ListingItem(stored.url, fingerprint="f1")), known, {}, RunParams(), NOW)
    moved = plan_work(feed_source(), walked(ListingItem(stored.url, fingerprint="f2")), known, {}, RunParams(), NOW)
    other = plan_work(feed_source(), walked(ListingItem(stored.url, fingerprint="f2"), channel="listing"), known, {},
                      RunParams(), NOW)
    assert same == [] and other == []  # a fallback channel shows entries its own way: not an edit
    assert [(w.url, w.reason) for w in moved] == [(stored.url, "changed")]
    entry = plan_work(feed_source(), walked(ListingItem(stored.url, fingerprint="f2", entry=b"<feed/>")), known, {},
                      RunParams(), NOW)
    assert [(w.reason, w.entry) for w in entry] == [("entry", b"<feed/>")]


def test_a_withdrawn_release_listed_again_is_checked_for_a_restore():
    gone = held("/a", age_days=100, seen_hours_ago=2, status="withdrawn")
    work = plan_work(feed_source(), walked(ListingItem(gone.url)), by_identity(gone), {}, RunParams(), NOW)
    assert [(w.url, w.reason) for w in work] == [(gone.url, "recheck")]


def test_removal_checks_and_resumed_work_go_to_the_new_port_with_the_old_validators():
    moved = "http://127.0.0.1:9002"
    source = make_source(id="s", kind="sitemap", start_urls=[f"{moved}/sitemap.xml"])
    stays = held("/a", age_days=100, seen_hours_ago=2)
    gone = held("/gone", age_days=100, seen_hours_ago=2)
    found = walked(ListingItem(f"{moved}/a"), channel="sitemap")
    found.complete = True
    cache = {gone.url: CacheRow(gone.url, '"e1"', None, "sha256:x", NOW)}
    work = plan_work(source, found, by_identity(stays, gone), cache, RunParams(), NOW,
                     frontier=[(f"{BASE}/left", "new")])
    assert [(w.url, w.reason) for w in work] == [(f"{moved}/left", "new"), (f"{moved}/gone", "removal_check")]
    assert work[1].etag == '"e1"'


def test_refetch_and_backfill_runs_spend_nothing_on_rechecks():
    due = held("/a", age_days=0.5, seen_hours_ago=3)
    for params in (RunParams(deep=True), RunParams(refetch=True)):
        assert plan_work(feed_source(), walked(), by_identity(due), {}, params, NOW) == []
    assert [w.reason for w in plan_work(feed_source(), walked(), by_identity(replace(due)), {}, RunParams(), NOW)] == ["recheck"]
