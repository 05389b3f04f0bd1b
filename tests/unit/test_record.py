"""What a response says about a held release: withdrawn, redirected, or nothing; and which listings to store."""

from __future__ import annotations

from datetime import datetime, timezone

from govpress.discover import Discovery
from govpress.fetch.client import FetchResult
from govpress.parsers import ListingItem
from govpress.record import answered, fetch_event, listing_rows
from govpress.store.rows import KnownRelease
from govpress.urls import identity, release_id
from factories import make_source

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
URL = "http://127.0.0.1:8001/news/7/"
HELD = KnownRelease(release_id="r7", canonical_url=URL, content_hash="h", version=1, published_at=NOW, first_seen_at=NOW,
                    last_seen_at=NOW, removed_at=None, archive_key=None, url=URL, listed_channel="listing",
                    listed_fingerprint="f1")


def result(outcome: str, status: int | None, *, redirects=(), final_url: str = URL, error: str | None = None) -> FetchResult:
    return FetchResult(url=URL, final_url=final_url, purpose="recheck", outcome=outcome, status=status, body=None,
                       content_type=None, charset=None, etag=None, last_modified=None, started_at=NOW, elapsed_ms=1.0,
                       attempts=1, error=error, archive_key="sha256:t" if outcome == "ok" else None,
                       redirects=list(redirects))


def test_404_and_410_are_withdrawals_with_their_status():
    for status in (404, 410):
        event = fetch_event(HELD, URL, result("gone", status), NOW)
        assert (event.kind, event.http_status, event.evidence, event.release_id) == ("withdrawn", status, f"HTTP {status}", "r7")


def test_a_redirect_to_the_section_front_page_is_redirected_with_the_chain():
    front = "http://127.0.0.1:8001/news/"
    event = fetch_event(HELD, URL, result("ok", 200, redirects=[front], final_url=front), NOW)
    assert (event.kind, event.final_url, event.archive_key) == ("redirected", front, "sha256:t")
    assert event.evidence == f"{URL} -> {front} (final answer HTTP 200)"


def test_a_redirect_off_the_site_is_redirected_although_it_was_not_followed():
    parked = "http://parked.example/"
    event = fetch_event(HELD, URL, result("refused", None, redirects=[parked], error="host not allowed"), NOW)
    assert (event.kind, event.final_url) == ("redirected", parked)
    assert answered(result("refused", None, redirects=[parked]))


def test_a_redirect_to_the_same_page_the_page_itself_or_no_answer_is_no_event():
    slash = URL.rstrip("/")  # the same identity
    assert fetch_event(HELD, URL, result("ok", 200, redirects=[slash], final_url=slash), NOW) is None
    assert fetch_event(HELD, URL, result("ok", 200), NOW) is None
    for outcome in ("robots", "refused", "timeout", "http_error", "blocked"):
        assert fetch_event(HELD, URL, result(outcome, None), NOW) is None
        assert not answered(result(outcome, None))
    assert fetch_event(None, URL, result("gone", 404), NOW) is None  # a new link that 404s is a failed fetch


def test_listing_rows_are_written_for_new_and_changed_entries_only():
    source = make_source(id="s", kind="listing", start_urls=["http://127.0.0.1:8001/news/"],
                         listing={"item": "div", "link": "a"})
    found = Discovery(channel="listing", items=[
        ListingItem(URL, title="Same", fingerprint="f1"),
        ListingItem("http://127.0.0.1:8001/news/8/", title="Changed", fingerprint="f9"),
        ListingItem("http://127.0.0.1:8001/news/9/", title="New", fingerprint="f3"),
    ])
    known = {identity(URL): HELD, identity("http://127.0.0.1:8001/news/8/"): HELD.__class__(
        **{**{f: getattr(HELD, f) for f in HELD.__dataclass_fields__}, "release_id": "r8", "listed_fingerprint": "f2"})}
    rows = listing_rows(source, found, known, NOW)
    assert [(r.title, r.fingerprint, r.channel) for r in rows] == [("Changed", "f9", "listing"), ("New", "f3", "listing")]
    assert rows[1].release_id == release_id("s", "http://127.0.0.1:8001/news/9/")
