"""Bounded reads of held releases: the recheck candidates and the point reads by link pick what the whole archive would.

A quiet run must not read a source's whole archive (issue 14), so the store reads only the recheck
policy's candidates (govpress.store.load.recheck_candidates) and the releases of the links a run meets
(govpress.known.KnownReleases). Both are checked here against the pure policy over everything held.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from store_factories import T0, batch, release, table_rows

from govpress.discover import Discovery
from govpress.known import HeldIdentities, KnownReleases, by_identity
from govpress.parsers import ListingItem
from govpress.recheck import budgeted_checks, listing_window
from govpress.store import Store
from govpress.urls import identity, release_id
from factories import make_source

NOW = T0 + timedelta(days=400)
COUNT = 240


def held_archive(store: Store) -> list[str]:
    """COUNT releases of gov_ru spread over every recheck tier, with tied times and some withdrawn; their URLs."""
    rng = random.Random(14)
    rows, urls = [], []
    for n in range(COUNT):
        url = f"https://gov.example/gov_ru/n/{n}"
        # Ages from hours to a year, many shared exactly (ties must not change what the budget keeps).
        age = timedelta(hours=rng.choice([2, 5, 20, 30, 50, 100, 200, 1000, 2000, 2500, 5000, 9000]))
        row = release("x", f"Body {n}.", title=f"Title {n}", published_at=NOW - age, seen_at=T0)
        rows.append(replace(row, release_id=release_id("gov_ru", url), url=url, canonical_url=url))
        urls.append(url)
    store.load_batch(batch(*rows))
    with store.writer() as con:
        for n, url in enumerate(urls):
            seen = timedelta(hours=rng.choice([0.5, 1, 3, 12, 24, 48, 24 * 8, 24 * 40, 24 * 100]))
            status = "withdrawn" if n % 9 == 0 else "live"
            con.execute("UPDATE releases SET last_seen_at = ?, first_seen_at = published_at, status = ?, "
                        "removed_at = CASE WHEN ? = 'live' THEN NULL ELSE ?::TIMESTAMPTZ END WHERE release_id = ?",
                        [NOW - seen, status, status, NOW - seen, release_id("gov_ru", url)])
    return urls


def walked(*items: ListingItem) -> Discovery:
    found = Discovery(items=list(items), channel="feed")
    found.listed = {identity(i.url) for i in items}
    return found


@pytest.mark.parametrize("budget", [0, 1, 3, 7, 20, 60])
def test_the_bounded_candidates_give_the_same_checks_as_the_whole_archive(store: Store, budget: int) -> None:
    urls = held_archive(store)
    everything = by_identity(store.known_releases("gov_ru"))
    assert len(everything) == COUNT
    source = make_source(id="gov_ru", kind="feed", start_urls=["https://gov.example/gov_ru/rss"], recheck_budget=budget)
    dated = sorted(everything.values(), key=lambda k: k.published_at)
    # A walked feed listing a few releases from the middle of the archive: its window holds fall-offs.
    listed = [ListingItem(k.url, published_at=k.published_at) for k in dated[100:160:12]]
    planned = {identity(k.url) for k in dated[140:150]}
    for found in (walked(), walked(*listed)):
        met = len(found.items) + len(planned)
        bounded = by_identity(store.recheck_candidates("gov_ru", NOW, budget=budget + met + len(found.listed),
                                                       window=listing_window(found)))
        whole = budgeted_checks(source, found, everything, planned, NOW)
        assert [(c.url, c.reason) for c in budgeted_checks(source, found, bounded, planned, NOW)] == [
            (c.url, c.reason) for c in whole]
        assert budgeted_checks(source, found, bounded, planned, NOW) == whole
        assert len(whole) == min(budget, len(whole)) and (budget == 0 or whole)  # the policy has work to pick
        assert len(bounded) <= 2 * (budget + met + len(found.listed))  # whatever the ties in the archive
    assert urls


def test_known_releases_read_the_links_a_page_shows_in_one_query_and_the_archive_only_when_iterated(store: Store) -> None:
    urls = held_archive(store)
    known = KnownReleases("gov_ru", lambda: store.known_releases("gov_ru"),
                          lambda ids: store.known_releases_by_id("gov_ru", ids))
    page = [identity(u) for u in urls[:20]] + ["/gov_ru/never-stored"]
    HeldIdentities(known).prefetch(page)
    assert known.queries == 1
    held = HeldIdentities(known)
    assert [key in held for key in page] == [n % 9 != 0 for n in range(20)] + [False]  # withdrawn ones are not held
    assert known.queries == 1 and not known.loaded
    assert known[identity(urls[30])].url == urls[30]  # one more point read
    assert known.queries == 2
    assert len(known) == COUNT and known.loaded
    assert table_rows(store, "SELECT count(*) FROM releases") == [(COUNT,)]


def test_a_source_holds_releases_once_one_is_stored_withdrawn_ones_included(store: Store) -> None:
    store.migrate()
    assert not store.holds_releases("gov_ru")  # a first run: discovery looks nothing up
    held_archive(store)  # some of them withdrawn
    assert store.holds_releases("gov_ru")
    assert not store.holds_releases("gov_by")
