"""The Fetcher against httpx.MockTransport: outcomes, retries, redirects, caps, robots, breaker, guard.

A fake clock stands in for time (its sleep only advances it), so nothing here waits.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import brotli
import httpx
import pytest

from govpress.archive import Archive
from govpress.fetch.client import Fetcher, FetchResult
from govpress.registry import Source
from tests.unit.fetch.conftest import PUBLIC_IP, FakeClock, fixed_resolver, make_source

UA = "govpress-test/1.0 (+https://example.org/bot)"
BASE = "https://news.example.gov"
ARTICLE = (
    "<html><head><title>Визит</title></head><body><article><h1>Визит министра</h1>"
    "<p>Стороны обсудили сотрудничество.</p></article></body></html>"
).encode("cp1251")
NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
# Without the robots.txt request, the only sleeps in a single fetch are the fetcher's retry delays.
NO_ROBOTS = make_source(ignore_robots=True)

Handler = Callable[[httpx.Request], httpx.Response]


class Site:
    """Routes path -> handler; records every request; /robots.txt is 404 unless routed."""

    def __init__(self, routes: dict[str, Handler | httpx.Response] | None = None) -> None:
        self.routes = dict(routes or {})
        self.requests: list[httpx.Request] = []

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get(request.url.path)
        if route is None:
            return httpx.Response(404, text="not found")
        if callable(route):
            return route(request)
        # A fresh response each time: one Response object cannot be sent twice.
        return httpx.Response(route.status_code, headers=route.headers, stream=route.stream)


def html(body: bytes = ARTICLE, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": "text/html; charset=windows-1251", **headers})


def sequence(*responses: httpx.Response | Exception) -> Handler:
    """A handler answering each call with the next response (or raising the next exception); the last repeats."""
    items = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handle


def make_fetcher(site: Site, clock: FakeClock, tmp_path: Path, **kwargs) -> Fetcher:
    kwargs.setdefault("resolver", fixed_resolver(default=[PUBLIC_IP]))
    return Fetcher(
        archive=kwargs.pop("archive", Archive(tmp_path / "archive")),
        user_agent=UA,
        transport=httpx.MockTransport(site),
        sleep=clock.sleep,
        clock=clock,
        now=lambda: NOW,
        rng_seed=1,
        **kwargs,
    )


def fetch(site: Site, clock: FakeClock, tmp_path: Path, *urls: str, source: Source | None = None, fetch_kwargs=None, **kwargs) -> list[FetchResult]:
    source = source or make_source()

    async def go() -> list[FetchResult]:
        async with make_fetcher(site, clock, tmp_path, **kwargs) as fetcher:
            return [await fetcher.fetch(u, source, **(fetch_kwargs or {})) for u in urls]

    return asyncio.run(go())


# --- basic outcomes ------------------------------------------------------------------------


def test_ok_result_carries_body_headers_charset_and_archive_key(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/news/1": html(etag='"v1"', **{"last-modified": "Sat, 01 Mar 2025 10:00:00 GMT"})})
    seen: list[FetchResult] = []
    [result] = fetch(site, clock, tmp_path, f"{BASE}/news/1", on_result=seen.append)
    assert result.ok and result.status == 200 and result.attempts == 1
    assert result.body == ARTICLE
    assert result.content_type == "text/html; charset=windows-1251" and result.charset == "cp1251"
    assert result.etag == '"v1"' and result.last_modified == "Sat, 01 Mar 2025 10:00:00 GMT"
    assert Archive(tmp_path / "archive").get(result.archive_key) == ARTICLE
    assert result.final_url == result.url == f"{BASE}/news/1" and result.error is None
    page_request = site.requests[-1]
    assert page_request.headers["user-agent"] == UA
    assert page_request.headers["accept-encoding"] == "gzip, br"
    assert site.paths() == ["/robots.txt", "/news/1"]
    assert [r.purpose for r in seen] == ["robots", "page"] and seen[0].outcome == "gone"


def test_repeated_and_mixed_case_headers_read_as_httpx_headers_get_reads_them(clock: FakeClock, tmp_path: Path) -> None:
    # The fetcher reads a response's headers once into a dict; what it records is what httpx.Headers.get answers.
    raw = [("Content-Type", "text/html"), ("ETAG", '"a"'), ("content-type", "charset=koi8-r"), ("Last-Modified", "x"),
           ("last-modified", "y"), ("X-Other", "z")]
    site = Site({"/a": lambda request: httpx.Response(200, content=ARTICLE, headers=raw)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS)
    headers = httpx.Headers(raw)
    assert result.content_type == headers.get("content-type") == "text/html, charset=koi8-r"
    assert result.charset == "koi8-r"
    assert (result.etag, result.last_modified) == (headers.get("etag"), headers.get("last-modified")) == ('"a"', "x, y")


def test_source_user_agent_overrides_default(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": html()})
    fetch(site, clock, tmp_path, f"{BASE}/a", source=make_source(user_agent="MinistryPartner/2.0"))
    assert {r.headers["user-agent"] for r in site.requests} == {"MinistryPartner/2.0"}


def test_conditional_get_sends_validators_and_304_is_not_modified(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(304, headers={"etag": '"v1"'})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", fetch_kwargs={"etag": '"v1"', "last_modified": "Sat, 01 Mar 2025 10:00:00 GMT"})
    assert result.outcome == "not_modified" and result.body is None and result.archive_key is None
    request = site.requests[-1]
    assert request.headers["if-none-match"] == '"v1"'
    assert request.headers["if-modified-since"] == "Sat, 01 Mar 2025 10:00:00 GMT"


def test_a_304_to_a_request_without_validators_is_an_error_not_an_unchanged_page(clock: FakeClock, tmp_path: Path) -> None:
    # A misconfigured cache in front of the site: taken as "unchanged", a page never held would be settled unread.
    site = Site({"/a": httpx.Response(304)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS)
    assert result.outcome == "http_error" and result.status == 304 and "no validators" in result.error
    # Asked with validators, a 304 is what it says.
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, fetch_kwargs={"etag": '"v1"'})
    assert result.outcome == "not_modified"


@pytest.mark.parametrize("status, outcome", [(410, "gone"), (400, "http_error"), (405, "http_error")])
def test_client_errors_are_not_retried(status: int, outcome: str, clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(status, text="no")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS)
    assert result.outcome == outcome and result.status == status and result.attempts == 1
    assert result.body is None and clock.sleeps == []


def test_a_pages_404_is_asked_once_more_before_it_counts(clock: FakeClock, tmp_path: Path) -> None:
    # A flaky node's one 404 (a held release would be withdrawn, then restored at the next run): the page after all.
    site = Site({"/a": sequence(httpx.Response(404, text="no"), html())})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, backoff_base=0.5)
    assert result.ok and result.attempts == 2 and result.body == ARTICLE
    assert len(clock.sleeps) == 1 and 0 <= clock.sleeps[0] <= 0.5
    # Missing twice: gone, after the two requests.
    site = Site({"/b": httpx.Response(404, text="no")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/b", source=NO_ROBOTS)
    assert (result.outcome, result.status, result.attempts, result.error) == ("gone", 404, 2, "HTTP 404")
    assert site.paths() == ["/b", "/b"]


@pytest.mark.parametrize("purpose", ["feed", "sitemap", "listing", "api", "robots"])
def test_a_discovery_documents_404_is_not_asked_again(purpose: str, clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/feed": httpx.Response(404, text="no")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/feed", source=NO_ROBOTS, fetch_kwargs={"purpose": purpose})
    assert result.outcome == "gone" and result.attempts == 1 and clock.sleeps == []


def test_without_retries_a_404_is_not_asked_again(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(404, text="no")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, retries=0)
    assert result.outcome == "gone" and result.attempts == 1 and site.paths() == ["/a"]


# --- retries -------------------------------------------------------------------------------


def test_5xx_is_retried_with_jittered_backoff_then_succeeds(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": sequence(httpx.Response(503), httpx.Response(502), html())})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, backoff_base=0.5, backoff_cap=30)
    assert result.ok and result.attempts == 3
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5 and 0 <= clock.sleeps[1] <= 1.0


def test_retries_exhausted_give_http_error_with_status(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(500)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", retries=2)
    assert result.outcome == "http_error" and result.status == 500 and result.attempts == 3
    assert "after 3 attempts" in result.error


def test_retry_after_seconds_on_429_is_honoured(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": sequence(httpx.Response(429, headers={"retry-after": "7"}), html())})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.ok and result.attempts == 2
    assert 7.0 in clock.sleeps and all(s <= 7.0 for s in clock.sleeps)


def test_retry_after_http_date_on_503_is_honoured(clock: FakeClock, tmp_path: Path) -> None:
    when = (NOW + timedelta(seconds=45)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    site = Site({"/a": sequence(httpx.Response(503, headers={"retry-after": when}), html())})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.ok and 45.0 in clock.sleeps


def test_long_retry_after_gives_up_on_the_host_for_the_run(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(429, headers={"retry-after": "3600"}), "/b": html()})
    first, second = fetch(site, clock, tmp_path, f"{BASE}/a", f"{BASE}/b")
    assert first.outcome == "http_error" and first.status == 429 and "3600" in first.error and first.attempts == 1
    assert second.outcome == "circuit_open" and "Retry-After 3600" in second.error
    assert "/b" not in site.paths() and max(clock.sleeps, default=0) < 3600


def test_timeouts_and_connection_errors_are_retried_then_reported(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({
        "/slow": sequence(httpx.ReadTimeout("read timed out")),
        "/reset": sequence(httpx.ConnectError("connection refused")),
        "/flaky": sequence(httpx.RemoteProtocolError("peer closed"), html()),
    })
    slow, reset, flaky = fetch(site, clock, tmp_path, f"{BASE}/slow", f"{BASE}/reset", f"{BASE}/flaky", retries=1)
    assert slow.outcome == "timeout" and slow.attempts == 2 and "ReadTimeout" in slow.error
    assert reset.outcome == "network_error" and reset.attempts == 2 and "ConnectError" in reset.error
    assert flaky.ok and flaky.attempts == 2


# --- redirects -----------------------------------------------------------------------------


def redirect(to: str, status: int = 301) -> httpx.Response:
    return httpx.Response(status, headers={"location": to})


def test_redirects_within_the_source_are_followed(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/old": redirect("/mid"), "/mid": redirect("https://en.news.example.gov/new", 302), "/new": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/old")
    assert result.ok and result.final_url == "https://en.news.example.gov/new"
    assert result.redirects == [f"{BASE}/mid", "https://en.news.example.gov/new"]


def test_conditional_headers_only_go_to_the_requested_url(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/old": redirect("/new"), "/new": html()})
    fetch(site, clock, tmp_path, f"{BASE}/old", fetch_kwargs={"etag": '"x"'})
    by_path = {r.url.path: r for r in site.requests}
    assert by_path["/old"].headers["if-none-match"] == '"x"' and "if-none-match" not in by_path["/new"].headers


def test_redirect_off_the_source_hosts_is_refused_without_a_request(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("https://tracker.example.com/collect")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "refused" and "tracker.example.com" in result.error
    assert all(r.url.host == "news.example.gov" for r in site.requests)


def test_redirect_to_a_private_address_is_refused_without_a_request(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("http://169.254.169.254/latest/meta-data/")})
    source = make_source(allowed_hosts=["news.example.gov", "169.254.169.254"])
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=source)
    assert result.outcome == "refused" and "link-local" in result.error
    assert all(r.url.host == "news.example.gov" for r in site.requests)


def test_redirect_to_another_port_of_an_allowed_host_is_refused_without_a_request(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("https://news.example.gov:8443/admin"), "/admin": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "refused" and "port 8443" in result.error and "port 443" in result.error
    assert "/admin" not in site.paths() and all(r.url.port is None for r in site.requests)


def test_redirect_keeping_an_explicit_start_port_is_followed(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("/b"), "/b": redirect("http://news.example.gov:8080/c"), "/c": html()})
    [result] = fetch(site, clock, tmp_path, "http://news.example.gov:8080/a")
    assert result.ok and result.final_url == "http://news.example.gov:8080/c"


def test_redirect_from_the_default_port_to_an_explicit_one_is_refused(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("http://news.example.gov:8080/a")})
    [result] = fetch(site, clock, tmp_path, "http://news.example.gov/a")
    assert result.outcome == "refused" and "another port" in result.error


def test_upgrade_to_https_on_the_default_ports_is_followed(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": sequence(redirect("https://news.example.gov/a"), html())})
    [result] = fetch(site, clock, tmp_path, "http://news.example.gov/a")
    assert result.ok and result.final_url == "https://news.example.gov/a"


def test_a_redirect_to_itself_that_sets_a_cookie_is_followed_once(clock: FakeClock, tmp_path: Path) -> None:
    # A site checking that its visitors keep cookies: the first answer is "302 to the same page, Set-Cookie".
    def checked(request: httpx.Request) -> httpx.Response:
        if "visited=1" in request.headers.get("cookie", ""):
            return html()
        return httpx.Response(302, headers={"location": str(request.url), "set-cookie": "visited=1; Path=/"})

    site = Site({"/a": checked})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS)
    assert result.ok and result.body == ARTICLE and site.paths() == ["/a", "/a"]
    # A page that sets a cookie and sends us back for ever is a loop all the same.
    site = Site({"/b": httpx.Response(302, headers={"location": f"{BASE}/b", "set-cookie": "n=1; Path=/"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/b", source=NO_ROBOTS)
    assert result.outcome == "http_error" and "redirect loop" in result.error and site.paths() == ["/b", "/b"]


def test_a_small_page_that_only_refreshes_to_another_page_is_followed_as_a_redirect(clock: FakeClock, tmp_path: Path) -> None:
    refresh = b'<html><head><meta http-equiv="refresh" content="0; url=/news/new"></head><body>Moved.</body></html>'
    site = Site({"/news/old": html(refresh), "/news/new": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/news/old", source=NO_ROBOTS)
    assert result.ok and result.body == ARTICLE and result.final_url == f"{BASE}/news/new"
    assert result.redirects == [f"{BASE}/news/new"] and site.paths() == ["/news/old", "/news/new"]


@pytest.mark.parametrize("body", [
    b'<html><head><meta http-equiv="refresh" content="300"></head><body>A page that reloads itself.</body></html>',
    b'<html><head><meta http-equiv="refresh" content="120; url=/news/new"></head><body>Later.</body></html>',
    b'<html><head><meta http-equiv="refresh" content="0; url=/news/new"></head><body>' + b"<p>text</p>" * 3000 + b"</body></html>",
])
def test_a_refresh_that_is_a_reload_a_late_one_or_on_a_real_page_is_not_followed(body: bytes, clock: FakeClock,
                                                                                  tmp_path: Path) -> None:
    site = Site({"/news/old": html(body), "/news/new": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/news/old", source=NO_ROBOTS)
    assert result.final_url == f"{BASE}/news/old" and site.paths() == ["/news/old"]


def test_a_refresh_off_the_sources_hosts_is_refused_like_a_redirect(clock: FakeClock, tmp_path: Path) -> None:
    refresh = b'<html><head><meta http-equiv="refresh" content="0;URL=\'https://elsewhere.example.com/x\'"></head></html>'
    site = Site({"/news/old": html(refresh)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/news/old", source=NO_ROBOTS)
    assert result.outcome == "refused" and site.paths() == ["/news/old"]


def test_redirect_loop_is_detected(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": redirect("/b"), "/b": redirect("/a#frag")})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "http_error" and "redirect loop" in result.error
    assert site.paths().count("/a") == 1


def test_at_most_max_redirects_are_followed(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({f"/r{i}": redirect(f"/r{i + 1}") for i in range(10)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/r0", max_redirects=3)
    assert result.outcome == "http_error" and "more than 3 redirects" in result.error
    assert [p for p in site.paths() if p != "/robots.txt"] == ["/r0", "/r1", "/r2", "/r3"]


# --- size caps and decoding ----------------------------------------------------------------


class CountingStream(httpx.AsyncByteStream):
    """A body produced chunk by chunk; ``sent`` tells how much the client pulled."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.sent = chunk, count, 0

    async def __aiter__(self):
        for _ in range(self.count):
            self.sent += 1
            yield self.chunk


def test_declared_content_length_over_cap_is_refused_before_reading(clock: FakeClock, tmp_path: Path) -> None:
    stream = CountingStream(b"x" * 1000, 100)
    site = Site({"/big": lambda r: httpx.Response(200, headers={"content-length": "100000"}, stream=stream)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/big", max_bytes=10_000)
    assert result.outcome == "too_large" and "Content-Length" in result.error and stream.sent == 0


def test_streamed_body_over_cap_stops_while_reading(clock: FakeClock, tmp_path: Path) -> None:
    stream = CountingStream(b"y" * 10_000, 1000)  # 10 MB offered, no Content-Length
    site = Site({"/big": lambda r: httpx.Response(200, headers={"content-type": "text/html"}, stream=stream)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/big", max_bytes=50_000)
    assert result.outcome == "too_large" and result.body is None
    assert stream.sent <= 6  # stopped just past the cap, not after 1000 chunks


def zero_bomb(encoded_megabytes: int, wbits: int = 16 + zlib.MAX_WBITS) -> bytes:
    """A gzip stream of zeros built by streaming compression (never holding the plain text)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(encoded_megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return zero_bomb(64)  # 64 MB of zeros in ~65 KB


def test_gzip_bomb_is_refused_by_the_ratio_cap(gzip_bomb: bytes, clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/bomb": httpx.Response(200, content=gzip_bomb, headers={"content-encoding": "gzip", "content-type": "text/html"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/bomb")
    assert result.outcome == "too_large" and "compression bomb" in result.error
    assert result.body is None and result.archive_key is None


def test_gzip_bomb_is_refused_by_max_bytes_when_ratio_cap_is_off(gzip_bomb: bytes, clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/bomb": httpx.Response(200, content=gzip_bomb, headers={"content-encoding": "gzip"})})
    tracemalloc.start()
    try:
        [result] = fetch(site, clock, tmp_path, f"{BASE}/bomb", max_bytes=2_000_000, max_decompression_ratio=1e9)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.outcome == "too_large" and "max_bytes 2000000" in result.error
    # The whole 65 KB bomb arrives as one chunk; decoding it in one go would allocate 64 MB.
    assert peak < 4_000_000


def test_brotli_bomb_is_refused(clock: FakeClock, tmp_path: Path) -> None:
    bomb = brotli.compress(bytes(32 << 20), quality=1)
    site = Site({"/bomb": httpx.Response(200, content=bomb, headers={"content-encoding": "br"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/bomb", max_bytes=3_000_000, max_decompression_ratio=1e9)
    assert result.outcome == "too_large"


@pytest.mark.parametrize(
    "encoding, encode",
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
        ("identity", lambda b: b),
    ],
)
def test_compressed_bodies_are_decoded(encoding: str, encode, clock: FakeClock, tmp_path: Path) -> None:
    body = ARTICLE * 50
    site = Site({"/a": httpx.Response(200, content=encode(body), headers={"content-encoding": encoding, "content-type": "text/html"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.ok and result.body == body


@pytest.mark.parametrize(("headers", "encode"), [
    ({"content-type": "text/html"}, gzip.compress),  # a pre-compressed page served with no Content-Encoding
    ({"content-type": "text/html", "content-encoding": "gzip"}, lambda b: gzip.compress(gzip.compress(b))),  # twice
])
def test_a_page_whose_gzip_is_undeclared_or_doubled_is_read_and_archived_as_the_page(
        headers: dict[str, str], encode, clock: FakeClock, tmp_path: Path) -> None:
    body = ARTICLE * 50
    archive = Archive(tmp_path / "archive")
    site = Site({"/a": httpx.Response(200, content=encode(body), headers=headers)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", archive=archive)
    assert result.ok and result.body == body and archive.get(result.archive_key) == body
    # A gzip file served as such is a file, not a page: its bytes as sent.
    site = Site({"/a.gz": httpx.Response(200, content=gzip.compress(body), headers={"content-type": "application/gzip"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a.gz")
    assert result.body == gzip.compress(body)


def test_truncated_gzip_body_is_a_network_error(clock: FakeClock, tmp_path: Path) -> None:
    packed = gzip.compress(ARTICLE * 50)
    site = Site({"/a": httpx.Response(200, content=packed[: len(packed) // 2], headers={"content-encoding": "gzip"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", retries=0)
    assert result.outcome == "network_error" and "truncated" in result.error


def test_unrequested_content_encoding_is_an_error(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(200, content=b"....", headers={"content-encoding": "zstd"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "http_error" and "zstd" in result.error


# --- blocks ---------------------------------------------------------------------------------


def test_403_is_blocked_and_the_evidence_archived(clock: FakeClock, tmp_path: Path) -> None:
    evidence = b"<html><head><title>Access Denied</title></head><body>Reference #18.abc</body></html>"
    site = Site({"/a": html(evidence, status=403)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "blocked" and "403" in result.error and "Access Denied" in result.error
    assert result.attempts == 1 and Archive(tmp_path / "archive").get(result.archive_key) == evidence


def test_a_body_the_rules_found_no_block_in_says_so_for_the_parsers(clock: FakeClock, tmp_path: Path) -> None:
    # FetchResult.no_block_found: the parsers need not run the rules again on the same bytes (ParseContext).
    site = Site({"/news/1": html(), "/waf": html(**{"x-amzn-waf-action": "challenge"})})
    seen: list[FetchResult] = []
    ok, waf = fetch(site, clock, tmp_path, f"{BASE}/news/1", f"{BASE}/waf", on_result=seen.append)
    assert ok.ok and ok.no_block_found
    assert waf.outcome == "blocked" and waf.body is not None and not waf.no_block_found
    assert [r.purpose for r in seen][0] == "robots" and not seen[0].no_block_found


def test_challenge_with_status_200_is_blocked(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": httpx.Response(202, content=b"", headers={"x-amzn-waf-action": "challenge"})})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.outcome == "blocked" and "AWS WAF" in result.error


# --- robots ---------------------------------------------------------------------------------

ROBOTS = "User-agent: govpress-test\nDisallow: /private/\nCrawl-delay: 4\n\nUser-agent: *\nDisallow: /\n"


def test_robots_disallow_and_crawl_delay(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/robots.txt": httpx.Response(200, text=ROBOTS), "/private/x": html(), "/a": html(), "/b": html()})
    private, a, b = fetch(site, clock, tmp_path, f"{BASE}/private/x", f"{BASE}/a", f"{BASE}/b")
    assert private.outcome == "robots" and "robots.txt" in private.error
    assert a.ok and b.ok
    assert site.paths() == ["/robots.txt", "/a", "/b"]  # robots once; the disallowed page never requested
    assert 4.0 in [round(s, 6) for s in clock.sleeps]  # /b waited out the Crawl-delay after /a


def test_robots_crawl_delay_spaces_request_starts(clock: FakeClock, tmp_path: Path) -> None:
    starts: list[float] = []

    def page(request: httpx.Request) -> httpx.Response:
        starts.append(clock())
        return html()

    site = Site({"/robots.txt": httpx.Response(200, text=ROBOTS), **{f"/p{i}": page for i in range(4)}})
    source = make_source(rate_limit=50.0, concurrency=4)

    async def go() -> None:
        async with make_fetcher(site, clock, tmp_path) as fetcher:
            await asyncio.gather(*(fetcher.fetch(f"{BASE}/p{i}", source) for i in range(4)))

    asyncio.run(go())
    starts.sort()
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:])] == [4.0, 4.0, 4.0]


def test_crawl_delay_is_counted_from_when_each_request_was_sent(clock: FakeClock, tmp_path: Path) -> None:
    """On a busy machine a granted request may go out late; the next must still wait the whole delay after it."""
    late_by = iter([0.43, 0.0, 0.3, 0.0, 0.0, 0.0])
    arrivals: list[float] = []

    def page(request: httpx.Request) -> httpx.Response:
        clock.now += next(late_by)  # the time between the slot's grant and the request going out
        arrivals.append(clock())
        return html()

    site = Site({"/robots.txt": httpx.Response(200, text=ROBOTS), **{f"/p{i}": page for i in range(6)}})
    source = make_source(rate_limit=50.0, concurrency=4)

    async def go() -> None:
        async with make_fetcher(site, clock, tmp_path) as fetcher:
            await asyncio.gather(*(fetcher.fetch(f"{BASE}/p{i}", source) for i in range(6)))

    asyncio.run(go())
    gaps = [round(b - a, 6) for a, b in zip(arrivals, arrivals[1:])]
    assert len(arrivals) == 6 and min(gaps) >= 4.0, gaps  # granted on the bucket alone, one gap was 3.57 s


def test_a_crawl_delay_over_the_sources_cap_gives_up_the_host_for_the_run(clock: FakeClock, tmp_path: Path) -> None:
    # A misconfigured robots.txt asking for an hour between requests: honoured, the run would wait hours on this host.
    site = Site({"/robots.txt": httpx.Response(200, text="User-agent: *\nCrawl-delay: 3600\n"), "/a": html(), "/b": html()})
    results = fetch(site, clock, tmp_path, f"{BASE}/a", f"{BASE}/b")
    assert [r.outcome for r in results] == ["circuit_open", "circuit_open"]
    assert "Crawl-delay" in results[0].error and "3600 s" in results[0].error and "max_crawl_delay of 60 s" in results[0].error
    assert site.paths() == ["/robots.txt"] and clock.sleeps == []  # no page asked for, no hour waited
    # The source may raise its cap: then the delay is honoured between requests.
    arrivals: list[float] = []

    def page(request: httpx.Request) -> httpx.Response:
        arrivals.append(clock())
        return html()

    site = Site({"/robots.txt": httpx.Response(200, text="User-agent: *\nCrawl-delay: 90\n"), "/a": page, "/b": page})
    results = fetch(site, clock, tmp_path, f"{BASE}/a", f"{BASE}/b", source=make_source(max_crawl_delay=120))
    assert [r.outcome for r in results] == ["ok", "ok"] and site.paths() == ["/robots.txt", "/a", "/b"]
    assert arrivals[1] - arrivals[0] >= 90


def test_robots_unreachable_disallows_the_host_for_the_run(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/robots.txt": httpx.Response(503), "/a": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", retries=1)
    assert result.outcome == "robots" and "unreachable" in result.error
    assert "/a" not in site.paths()


@pytest.mark.parametrize("status", [401, 403, 404])
def test_robots_4xx_allows_everything(status: int, clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/robots.txt": httpx.Response(status), "/a": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a")
    assert result.ok


def test_ignore_robots_skips_robots_txt_entirely(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/robots.txt": httpx.Response(200, text="User-agent: *\nDisallow: /\n"), "/a": html()})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=make_source(ignore_robots=True))
    assert result.ok and site.paths() == ["/a"]


# --- breaker and guard ------------------------------------------------------------------------


def test_circuit_breaker_fails_fast_after_consecutive_failures(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({f"/p{i}": httpx.Response(500) for i in range(8)})
    results = fetch(site, clock, tmp_path, *[f"{BASE}/p{i}" for i in range(8)], retries=0, breaker_threshold=3)
    assert [r.outcome for r in results] == ["http_error"] * 3 + ["circuit_open"] * 5
    assert [p for p in site.paths() if p.startswith("/p")] == ["/p0", "/p1", "/p2"]
    assert "3 consecutive failures" in results[-1].error


def test_success_resets_the_breaker(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/bad": httpx.Response(500), "/good": html()})
    urls = [f"{BASE}/bad", f"{BASE}/bad", f"{BASE}/good", f"{BASE}/bad", f"{BASE}/bad", f"{BASE}/good"]
    results = fetch(site, clock, tmp_path, *urls, retries=0, breaker_threshold=3)
    assert "circuit_open" not in [r.outcome for r in results]


def test_guard_refusals_send_nothing(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": html()})
    resolver = fixed_resolver({"news.example.gov": ["10.0.0.5"]})
    off_host, private = fetch(site, clock, tmp_path, "https://other.example.com/a", f"{BASE}/a", resolver=resolver)
    assert off_host.outcome == "refused" and private.outcome == "refused" and "private" in private.error
    assert site.requests == []


def test_the_check_before_a_request_resolves_a_host_once_per_interval(clock: FakeClock, tmp_path: Path) -> None:
    """The guard's check resolved the host before every request (getaddrinfo in an executor thread, a resolver's
    round trip for a real name); now once per netguard.RESOLVED_FOR seconds, the dial still re-checking."""
    site = Site({f"/{i}": html() for i in range(4)})
    resolver = fixed_resolver(default=[PUBLIC_IP])
    source = NO_ROBOTS

    async def go() -> list[FetchResult]:
        async with make_fetcher(site, clock, tmp_path, resolver=resolver) as fetcher:
            results = [await fetcher.fetch(f"{BASE}/{i}", source) for i in range(3)]
            results += await asyncio.gather(*(fetcher.fetch(f"{BASE}/{i}", source) for i in range(4)))
            assert resolver.calls == ["news.example.gov"]
            clock.now += 3600  # past netguard.RESOLVED_FOR
            results.append(await fetcher.fetch(f"{BASE}/3", source))
            return results

    results = asyncio.run(go())
    assert all(r.ok for r in results)
    assert resolver.calls == ["news.example.gov", "news.example.gov"]


def test_a_failed_resolution_is_not_remembered(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": html()})
    answers: list[list[str] | Exception] = [OSError("temporary failure in name resolution"), [], [PUBLIC_IP]]
    calls: list[str] = []

    async def flaky(host: str) -> list[str]:
        calls.append(host)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    first, second, third, fourth = fetch(site, clock, tmp_path, *[f"{BASE}/a"] * 4, source=NO_ROBOTS, resolver=flaky)
    assert first.outcome == "refused" and "cannot resolve" in first.error
    assert second.outcome == "refused" and "no address" in second.error
    assert third.ok and fourth.ok and len(calls) == 3


def test_nothing_raises_on_odd_failures(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": sequence(httpx.DecodingError("bad"), html())})
    [bad_scheme, weird] = fetch(site, clock, tmp_path, "javascript:alert(1)", f"{BASE}/a")
    assert bad_scheme.outcome == "refused"
    assert isinstance(weird, FetchResult)


def test_challenge_served_as_503_is_blocked_not_retried(clock: FakeClock, tmp_path: Path) -> None:
    page = b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
    site = Site({"/a": html(page, status=503)})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS)
    assert result.outcome == "blocked" and "Cloudflare" in result.error and result.attempts == 1
    assert Archive(tmp_path / "archive").get(result.archive_key) == page


class DrippingStream(httpx.AsyncByteStream):
    """Sends a byte, then stalls: each read is quick to start but the body never ends."""

    async def __aiter__(self):
        yield b"<"
        await asyncio.sleep(30)
        yield b"html>"


def test_total_timeout_bounds_a_dripping_body(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": lambda r: httpx.Response(200, stream=DrippingStream())})
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, retries=0, total_timeout=0.05)
    assert result.outcome == "timeout" and result.attempts == 1


# --- order on a busy host --------------------------------------------------------------------


def test_a_discovery_page_is_fetched_before_the_page_fetches_queued_on_its_host(tmp_path: Path) -> None:
    """A listing page goes ahead of queued article fetches (another source's, often, on a shared host)."""
    seen: list[str] = []
    source = make_source(ignore_robots=True, concurrency=1)

    async def go() -> None:
        first_answered = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            if request.url.path == "/news/0":
                await first_answered.wait()
            return html()

        async with make_fetcher(handler, FakeClock(), tmp_path) as fetcher:
            first = asyncio.create_task(fetcher.fetch(f"{BASE}/news/0", source))
            await asyncio.sleep(0.01)  # it holds the host's only slot
            pages = [asyncio.create_task(fetcher.fetch(f"{BASE}/news/{n}", source)) for n in (1, 2)]
            await asyncio.sleep(0.01)
            listing = asyncio.create_task(fetcher.fetch(f"{BASE}/news/", source, purpose="listing"))
            await asyncio.sleep(0.01)
            first_answered.set()
            results = await asyncio.gather(first, *pages, listing)
        assert all(r.ok for r in results)

    asyncio.run(go())
    assert seen == ["/news/0", "/news/", "/news/1", "/news/2"]


# --- the request as httpx's client sends it (the fetcher calls the transport itself) ------------


def client_request(url: str, headers: dict[str, str], cookies: dict[str, str] | None = None) -> httpx.Request:
    """The request httpx.AsyncClient (configured as the fetcher was before it called the transport
    itself) hands its transport for one GET."""
    seen: list[httpx.Request] = []

    def keep(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async def go() -> None:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(keep), follow_redirects=False, http2=False, trust_env=False,
            timeout=httpx.Timeout(20.0), cookies=cookies,
            headers={"User-Agent": UA, "Accept-Encoding": "gzip, br",
                     "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.5"},
        ) as client:
            async with client.stream("GET", url, headers=headers):
                pass

    asyncio.run(go())
    return seen[0]


def test_request_head_and_timeout_are_the_httpx_clients(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": html()})
    validators = {"etag": '"v1"', "last_modified": "Sat, 01 Mar 2025 10:00:00 GMT"}
    fetch(site, clock, tmp_path, f"{BASE}/a?q=1", source=NO_ROBOTS, fetch_kwargs=validators)
    ours = site.requests[-1]
    theirs = client_request(f"{BASE}/a?q=1", {"User-Agent": UA, "If-None-Match": '"v1"',
                                              "If-Modified-Since": "Sat, 01 Mar 2025 10:00:00 GMT"})
    assert ours.headers.raw == theirs.headers.raw  # names, values and order
    assert ours.method == "GET" and ours.url == theirs.url
    assert ours.extensions == theirs.extensions  # the client's timeout; no trace hook without a Crawl-delay


def test_only_a_request_under_a_crawl_delay_carries_the_trace_hook(clock: FakeClock, tmp_path: Path) -> None:
    """The hook tells when a request went out (a Crawl-delay counts from then); httpcore awaits it about a
    dozen times per request, so requests without a Crawl-delay go without it."""
    robots = "User-agent: *\nCrawl-delay: 4\n"
    site = Site({"/robots.txt": httpx.Response(200, text=robots), "/a": html()})
    other = Site({"/robots.txt": httpx.Response(200, text="User-agent: *\nAllow: /\n"), "/a": html()})
    fetch(site, clock, tmp_path, f"{BASE}/a")
    fetch(other, clock, tmp_path / "other", f"{BASE}/a")
    assert [("trace" in r.extensions) for r in site.requests] == [False, True]  # robots.txt itself has no delay yet
    assert [("trace" in r.extensions) for r in other.requests] == [False, False]


def test_cookies_a_site_sets_are_sent_back_as_httpx_does(clock: FakeClock, tmp_path: Path) -> None:
    """A site's cookies are kept for the run and sent back, on redirect hops too (as httpx's client did)."""
    site = Site({
        "/a": httpx.Response(302, headers={"location": "/b", "set-cookie": "sid=abc; Path=/"}),
        "/b": html(**{"set-cookie": "lang=ru; Path=/b"}),
        "/c": html(),
    })
    fetch(site, clock, tmp_path, f"{BASE}/a", f"{BASE}/c", f"{BASE}/b", source=NO_ROBOTS)
    cookies = [(r.url.path, r.headers.get("cookie")) for r in site.requests]
    assert cookies == [("/a", None), ("/b", "sid=abc"), ("/c", "sid=abc"), ("/b", "lang=ru; sid=abc")]
    ours = site.requests[-1]
    theirs = client_request(f"{BASE}/b", {"User-Agent": UA}, cookies={"sid": "abc"})
    assert [k for k, _ in ours.headers.raw] == [k for k, _ in theirs.headers.raw]


def test_a_closed_fetcher_refuses_to_send(clock: FakeClock, tmp_path: Path) -> None:
    site = Site({"/a": html()})

    async def go() -> None:
        fetcher = make_fetcher(site, clock, tmp_path)
        await fetcher.aclose()
        await fetcher.aclose()  # twice is fine
        with pytest.raises(RuntimeError, match="closed"):
            await fetcher.fetch(f"{BASE}/a", NO_ROBOTS)

    asyncio.run(go())
    assert site.requests == []


class _ThreadNotingArchive(Archive):
    """An archive noting which thread stored each body."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.threads: list[int] = []

    def put(self, body: bytes, *, gzipped: bytes | None = None) -> str:
        import threading

        self.threads.append(threading.get_ident())
        return super().put(body, gzipped=gzipped)


@pytest.mark.parametrize("sync_each", [False, True])
def test_a_small_body_is_archived_in_the_event_loop_unless_each_file_is_synced(
    clock: FakeClock, tmp_path: Path, sync_each: bool
) -> None:
    """A thread's hand-off costs more CPU than gzip and a page-cache write of a page of a few KB; a large
    body (compression) and an archive that fsyncs each file stay off the event loop."""
    import threading

    from govpress.fetch.client import INLINE_ARCHIVE_BYTES

    large = b"<html><body><article>" + bytes(range(256)) * (INLINE_ARCHIVE_BYTES // 256 + 1) + b"</article></body></html>"
    site = Site({"/news/1": html(), "/news/2": httpx.Response(200, content=large, headers={"content-type": "text/html"})})
    archive = _ThreadNotingArchive(tmp_path / "archive", sync_each=sync_each)
    loop_thread = threading.get_ident()  # asyncio.run runs the loop in this thread
    small, big = fetch(site, clock, tmp_path, f"{BASE}/news/1", f"{BASE}/news/2", archive=archive)
    assert small.ok and big.ok and archive.get(small.archive_key) == ARTICLE and archive.get(big.archive_key) == large
    assert [thread == loop_thread for thread in archive.threads] == [not sync_each, False]


# --- a gzip body archived as it came ----------------------------------------------------------


def _server_gzip(body: bytes, **fields: object) -> bytes:
    """``body`` as a server might gzip it: its own level, a modification time and a file name in the header."""
    import gzip
    import io

    out = io.BytesIO()
    with gzip.GzipFile(filename=str(fields.get("name", "index.html")), mode="wb", compresslevel=int(fields.get("level", 9)),
                       fileobj=out, mtime=int(fields.get("mtime", 1_700_000_000))) as file:
        file.write(body)
    return out.getvalue()


def test_a_gzip_body_is_archived_as_the_server_sent_it(clock: FakeClock, tmp_path: Path) -> None:
    """The fetcher decoded the server's gzip member (CRC and length checked): it is stored as it is, not compressed again."""
    import gzip

    sent = _server_gzip(ARTICLE)
    site = Site({"/a": html(sent, **{"content-encoding": "gzip"}), "/b": html(ARTICLE)})
    archive = Archive(tmp_path / "archive", sync_each=False)
    a, b = fetch(site, clock, tmp_path, f"{BASE}/a", f"{BASE}/b", source=NO_ROBOTS, archive=archive)
    assert a.body == b.body == ARTICLE and a.archive_key == b.archive_key
    assert archive.locate(a.archive_key).read_bytes() == sent
    assert archive.get(a.archive_key) == ARTICLE
    other = Archive(tmp_path / "other", sync_each=False)  # a body that came plain is compressed here, as before
    [plain] = fetch(site, clock, tmp_path, f"{BASE}/b", source=NO_ROBOTS, archive=other)
    assert other.locate(plain.archive_key).read_bytes() == gzip.compress(ARTICLE, compresslevel=3, mtime=0)


@pytest.mark.parametrize("encoding, wire", [
    ("gzip", "trailing"),  # bytes after the member: not a gzip file of the body alone
    ("gzip", "two members"),
    ("deflate", "zlib"),
    ("br", "brotli"),
    ("gzip, gzip", "gzip twice"),
])
def test_a_body_not_sent_as_one_gzip_member_is_compressed_by_the_archive(
    clock: FakeClock, tmp_path: Path, encoding: str, wire: str
) -> None:
    import gzip
    import zlib

    import brotli

    half = len(ARTICLE) // 2
    sent = {
        "trailing": _server_gzip(ARTICLE) + b"\0\0garbage",
        "two members": _server_gzip(ARTICLE[:half]) + _server_gzip(ARTICLE[half:]),
        "zlib": zlib.compress(ARTICLE),
        "brotli": brotli.compress(ARTICLE),
        "gzip twice": _server_gzip(_server_gzip(ARTICLE)),
    }[wire]
    site = Site({"/a": html(sent, **{"content-encoding": encoding})})
    archive = Archive(tmp_path / "archive", sync_each=False)
    [result] = fetch(site, clock, tmp_path, f"{BASE}/a", source=NO_ROBOTS, archive=archive)
    if wire == "two members":  # the decoder reads the first member only, as before
        assert result.body == ARTICLE[:half]
    else:
        assert result.body == ARTICLE
    assert archive.locate(result.archive_key).read_bytes() == gzip.compress(result.body, compresslevel=3, mtime=0)


def test_whether_the_jar_holds_a_cookie_is_told_without_walking_an_empty_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """client._has_cookies is bool(cookies) (empty, set, cleared to empty per-domain dicts, a jar of another kind),
    and an empty stdlib jar is told by its dict alone, without httpx's walk of it (asked before every request)."""
    from http.cookiejar import CookieJar

    from govpress.fetch.client import _has_cookies

    class OwnJar(CookieJar):
        pass

    cookies = httpx.Cookies()
    cases = [cookies]
    filled = httpx.Cookies()
    filled.set("sid", "abc", domain="a.test", path="/")
    cases.append(filled)
    cleared = httpx.Cookies()
    cleared.set("sid", "abc", domain="a.test", path="/")
    cleared.jar.clear("a.test", "/", "sid")  # leaves the domain's (empty) dict behind
    cases.append(cleared)
    cases += [httpx.Cookies(OwnJar()), httpx.Cookies({"x": "1"})]
    for case in cases:
        assert _has_cookies(case) is bool(case)
    assert [bool(case) for case in cases] == [False, True, False, False, True]
    walks: list[int] = []
    real_bool = httpx.Cookies.__bool__
    monkeypatch.setattr(httpx.Cookies, "__bool__", lambda self: walks.append(1) or real_bool(self))
    assert _has_cookies(cookies) is False and walks == []
