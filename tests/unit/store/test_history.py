"""The record a load keeps: version diffs, text events, withdrawals, redirects, restores and listings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from store_factories import at, batch, release, table_rows

from govpress.parsers.text import fold_for_hash
from govpress.store import EventRow, ListingRow, LoadCounts, RemovalRow, SeenRow, Store

URL = "https://gov.example/gov_ru/r1"
BODY = "Стороны обсудили сотрудничество.\n\nОбъем торговли вырос на 12,5 процента.\n\nЗаседание пройдет в Астане."


def page(body: str = BODY, *, title: str = "Визит в Минск", seen_at=at(1), archive_key: str | None = None):
    """A release row hashed as the pipeline hashes it (the folded text), from its own archived page."""
    row = release("r1", body, title=title, seen_at=seen_at)
    folded = "\x1f".join(fold_for_hash(p or "") for p in (row.title, row.subtitle, row.lead, row.body_text))
    key = archive_key or "sha256:" + hashlib.sha256((title + body).encode()).hexdigest()[:16]
    return replace(row, content_hash=hashlib.sha256(folded.encode()).hexdigest()[:32], archive_key=key)


def events(store: Store) -> list[tuple]:
    return table_rows(store, "SELECT kind, detected_at, version, http_status FROM release_events ORDER BY detected_at, kind")


def test_an_edit_is_a_version_with_its_paragraph_diff_and_an_edited_event(store: Store) -> None:
    store.load_batch(batch(page()))
    counts = store.load_batch(batch(page(BODY.replace("12,5", "14,1"), seen_at=at(2)), run_id="run-2"))
    assert counts == LoadCounts(updated=1)
    [(diff, added, removed, changed)] = table_rows(
        store, "SELECT diff, paragraphs_added, paragraphs_removed, paragraphs_changed FROM release_versions WHERE version = 2")
    assert (added, removed, changed) == (0, 0, 1)
    assert [(c["op"], c["before"], c["after"]) for c in json.loads(diff)] == [
        ("changed", "Объем торговли вырос на 12,5 процента.", "Объем торговли вырос на 14,1 процента.")]
    assert events(store) == [("edited", at(2), 2, 200)]
    assert table_rows(store, "SELECT diff FROM release_versions WHERE version = 1") == [(None,)]


def test_a_retitle_is_an_event_with_both_headlines_and_release_history_shows_it(store: Store) -> None:
    store.load_batch(batch(page()))
    store.load_batch(batch(page(title="Визит в Минск завершен", seen_at=at(2))))
    assert table_rows(store, "SELECT kind, title_before, title_after FROM release_events") == [
        ("retitled", "Визит в Минск", "Визит в Минск завершен")]
    assert table_rows(store, "SELECT version, title_before, title_after, paragraphs_changed, trivial FROM release_history "
                             "ORDER BY version") == [
        (1, None, "Визит в Минск", None, False), (2, "Визит в Минск", "Визит в Минск завершен", 0, False)]


def test_a_typography_only_change_is_a_trivial_edit_and_no_version(store: Store) -> None:
    store.load_batch(batch(page()))
    retyped = BODY.replace("пройдет", "пройдёт").replace("12,5", "12,5\u00a0")
    counts = store.load_batch(batch(page(retyped, seen_at=at(2)), run_id="run-2"))
    assert counts == LoadCounts(unchanged=1)
    assert table_rows(store, "SELECT version, body_text FROM releases") == [(1, BODY)]  # the version's wording stays
    assert table_rows(store, "SELECT count(*) FROM release_versions") == [(1,)]
    assert events(store) == [("trivial_edit", at(2), 1, 200)]
    assert table_rows(store, "SELECT version, trivial, paragraphs_changed FROM release_history ORDER BY trivial") == [
        (1, False, None), (1, True, 2)]
    # The same page again, or its 304 re-parse: nothing new.
    assert store.load_batch(batch(page(retyped, seen_at=at(3)))) == LoadCounts(unchanged=1)
    assert len(events(store)) == 1


def test_a_reparse_records_no_events(store: Store) -> None:
    store.load_batch(batch(page()))
    reparse = batch(page(BODY.replace("пройдет", "пройдёт"), seen_at=at(1), archive_key="sha256:other"), run_id="reparse")
    reparse.observed = False
    store.load_batch(reparse)
    edit = batch(page(BODY + "\n\nДобавлено.", seen_at=at(1), archive_key="sha256:p"), run_id="reparse")
    edit.observed = False
    assert store.load_batch(edit) == LoadCounts(updated=1)  # the version follows the text...
    assert events(store) == []  # ...but the site did nothing: no event


def test_withdrawn_redirected_and_restored_are_events_and_the_row_is_kept(store: Store) -> None:
    store.load_batch(batch(page()))
    gone = EventRow("r1", "withdrawn", at(5), URL, 410, evidence="HTTP 410")
    assert store.load_batch(batch(events=[gone])) == LoadCounts(removed=1)
    assert table_rows(store, "SELECT status, removed_at FROM releases") == [("withdrawn", at(5))]
    assert store.load_batch(batch(events=[replace(gone, detected_at=at(6))])) == LoadCounts()  # still gone: nothing new
    moved = EventRow("r1", "redirected", at(7), URL, 200, final_url="https://gov.example/news/", evidence="301 -> /news/")
    assert store.load_batch(batch(events=[moved])) == LoadCounts()  # not live before: not counted again
    assert table_rows(store, "SELECT status, removed_at FROM releases") == [("redirected", at(5))]
    assert table_rows(store, "SELECT url, status, kind FROM removals ORDER BY detected_at") == [
        (URL, 410, "withdrawn"), ("https://gov.example/news/", 200, "redirected")]
    store.load_batch(batch(page(seen_at=at(9))))
    assert table_rows(store, "SELECT status, removed_at, last_seen_at FROM releases") == [("live", None, at(9))]
    assert [e[0] for e in events(store)] == ["withdrawn", "redirected", "restored"]


def test_an_event_older_than_the_last_sighting_changes_nothing(store: Store) -> None:
    store.load_batch(batch(page(seen_at=at(10))))
    assert store.load_batch(batch(events=[EventRow("r1", "withdrawn", at(5), URL, 404)])) == LoadCounts()
    assert events(store) == [] and table_rows(store, "SELECT status FROM releases") == [("live",)]


def test_removal_rows_are_withdrawals(store: Store) -> None:
    store.load_batch(batch(page()))
    assert store.load_batch(batch(removals=[RemovalRow("r1", URL, 404, at(3))])) == LoadCounts(removed=1)
    assert table_rows(store, "SELECT kind, http_status, evidence FROM release_events") == [("withdrawn", 404, "HTTP 404")]


def test_a_page_confirmed_without_a_parse_restores_and_moves_last_seen(store: Store) -> None:
    store.load_batch(batch(page(), events=[]))
    store.load_batch(batch(events=[EventRow("r1", "withdrawn", at(5), URL, 404)]))
    store.load_batch(batch(seen=[SeenRow("r1", URL, at(8), 304)]))
    assert table_rows(store, "SELECT status, last_seen_at FROM releases") == [("live", at(8))]
    assert events(store)[-1] == ("restored", at(8), 1, 304)


def test_the_same_batch_twice_adds_no_event(store: Store) -> None:
    store.load_batch(batch(page()))
    edit = batch(page(BODY + "\n\nДобавлено.", seen_at=at(2)), events=[])
    store.load_batch(edit)
    store.load_batch(edit)
    gone = batch(events=[EventRow("r1", "withdrawn", at(5), URL, 404)])
    store.load_batch(gone)
    checksum, count = store.checksum(), table_rows(store, "SELECT count(*) FROM release_events")
    store.load_batch(gone)
    assert store.checksum() == checksum and table_rows(store, "SELECT count(*) FROM release_events") == count == [(2,)]


def test_listings_keep_the_first_sighting_and_the_latest_form_and_known_releases_carry_them(store: Store) -> None:
    store.load_batch(batch(page()))

    def listed(fingerprint: str, when) -> ListingRow:
        return ListingRow("r1", "gov_ru", "listing", URL, "Визит в Минск", at(0), None, fingerprint, when)

    store.load_batch(batch(listings=[listed("aaa", at(1))]))
    store.load_batch(batch(listings=[listed("bbb", at(4))]))
    store.load_batch(batch(listings=[listed("old", at(2))]))  # an older sighting loses
    assert table_rows(store, "SELECT fingerprint, first_listed_at, listed_at FROM release_listings") == [("bbb", at(1), at(4))]
    [known] = store.known_releases("gov_ru").values()
    assert (known.status, known.listed_channel, known.listed_fingerprint) == ("live", "listing", "bbb")


def test_release_watch_gives_the_recheck_policy_of_govpress_recheck(store: Store) -> None:
    from datetime import datetime, timedelta, timezone

    from govpress.recheck import DUE_AT, recheck_interval

    now = datetime.now(timezone.utc)
    ages = {"hour": 0.3, "day": 3, "week": 40, "month": 400}
    store.load_batch(batch(*(release(name, f"Text {name}.", published_at=now - timedelta(days=days), seen_at=now)
                             for name, days in ages.items())))
    watch = {r[0]: r[1:] for r in table_rows(store, "SELECT release_id, recheck_every, due_at, last_seen_at FROM release_watch")}
    known = {k.release_id: k for k in store.known_releases("gov_ru").values()}
    for name in ages:
        every, due, seen = watch[name]
        assert every == recheck_interval(known[name], now), name
        assert abs((due - seen) - DUE_AT * every) < timedelta(seconds=1)
