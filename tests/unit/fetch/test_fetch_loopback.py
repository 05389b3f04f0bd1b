"""Real sockets on 127.0.0.0/8: a stdlib HTTP server in a thread, the Fetcher with its default guarded transport."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from govpress.fetch.client import Fetcher, FetchResult
from tests.unit.fetch.conftest import make_source

PAGE = "<html><head><title>Итоги переговоров</title></head><body><article><h1>Итоги</h1><p>Текст.</p></article></body></html>"


class LoopbackSite(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, delay: float = 0.0, idle_timeout: float | None = None) -> None:
        super().__init__((host, 0), _Handler)
        self.delay = delay
        self.idle_timeout = idle_timeout
        self.connections = 0
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoopbackSite

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # the server closes a kept-alive connection idle this long
        with self.server.lock:
            self.server.connections += 1
        super().setup()

    def do_GET(self) -> None:
        site = self.server
        with site.lock:
            site.requests.append(self.path)
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        try:
            if site.delay:
                time.sleep(site.delay)  # hold the request open so overlapping ones would show
            if self.path == "/robots.txt":
                body, headers = b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}
            else:
                body = gzip.compress(PAGE.encode("windows-1251"))
                headers = {"Content-Type": "text/html; charset=windows-1251", "Content-Encoding": "gzip"}
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with site.lock:
                site.in_flight -= 1


@contextmanager
def serve(host: str = "127.0.0.1", delay: float = 0.0, idle_timeout: float | None = None) -> Iterator[LoopbackSite]:
    site = LoopbackSite(host, delay, idle_timeout)
    thread = threading.Thread(target=site.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()
        thread.join(5)


def test_real_socket_round_trip_with_gzip_and_robots() -> None:
    with serve() as site:
        source = make_source(start_urls=[site.base + "/"], allow_addresses=["127.0.0.1"])

        async def go() -> tuple[FetchResult, FetchResult]:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", timeout=5) as fetcher:
                return await fetcher.fetch(site.base + "/news/1", source), await fetcher.fetch(site.base + "/private/2", source)

        page, private = asyncio.run(go())
    assert page.ok and page.status == 200 and page.charset == "cp1251"
    assert page.body.decode("cp1251") == PAGE
    assert private.outcome == "robots"
    assert site.requests == ["/robots.txt", "/news/1"]


def test_a_kept_alive_connection_the_server_closed_is_not_reused() -> None:
    # The pool asks the stream whether an idle socket is readable (the server's close) before
    # reusing it; a wrong answer would send the next request into a dead socket (no retries here).
    with serve(idle_timeout=0.2) as site:
        source = make_source(start_urls=[site.base + "/"], allow_addresses=["127.0.0.1"])

        async def go() -> list[FetchResult]:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", timeout=5, retries=0) as fetcher:
                first = await fetcher.fetch(site.base + "/news/1", source)
                second = await fetcher.fetch(site.base + "/news/2", source)  # kept alive: same connection
                await asyncio.sleep(0.6)  # the server gives up on the idle connection
                return [first, second, await fetcher.fetch(site.base + "/news/3", source)]

        results = asyncio.run(go())
    assert [r.outcome for r in results] == ["ok", "ok", "ok"]
    assert site.requests == ["/robots.txt", "/news/1", "/news/2", "/news/3"]
    assert site.connections == 2


def test_per_host_concurrency_is_never_exceeded() -> None:
    with serve(delay=0.03) as site:
        source = make_source(start_urls=[site.base + "/"], allow_addresses=["127.0.0.1"], concurrency=2, rate_limit=100)

        async def go() -> list[FetchResult]:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", timeout=5) as fetcher:
                return list(await asyncio.gather(*(fetcher.fetch(f"{site.base}/news/{i}", source) for i in range(10))))

        results = asyncio.run(go())
    assert all(r.ok for r in results)
    assert 1 <= site.max_in_flight <= 2
    assert len(site.requests) == 11


def test_unlisted_loopback_address_is_refused_before_any_request() -> None:
    with serve("127.0.0.3") as site:
        source = make_source(start_urls=[site.base + "/"], allow_addresses=["127.0.0.1"])

        async def go() -> FetchResult:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", timeout=5) as fetcher:
                return await fetcher.fetch(site.base + "/news/1", source)

        result = asyncio.run(go())
    assert result.outcome == "refused" and "127.0.0.3" in result.error and result.attempts == 0
    assert site.requests == []


def test_dns_rebinding_is_caught_at_connect_time() -> None:
    """The name resolves to an allowed address for the check, then to a forbidden one when dialled."""
    with serve("127.0.0.3") as site:
        port = site.server_address[1]
        answers = iter([["127.0.0.1"], ["127.0.0.3"]])

        async def rebinding(host: str) -> list[str]:
            return next(answers, ["127.0.0.3"])

        source = make_source(start_urls=[f"http://site.test:{port}/"], allow_addresses=["127.0.0.1"], ignore_robots=True)

        async def go() -> FetchResult:
            async with Fetcher(archive=None, user_agent="govpress-test/1.0", timeout=5, resolver=rebinding, retries=0) as fetcher:
                return await fetcher.fetch(f"http://site.test:{port}/news/1", source)

        result = asyncio.run(go())
    assert result.outcome == "refused" and "127.0.0.3" in result.error
    assert site.requests == []


def test_a_malformed_response_is_a_permanent_error_tried_once(tmp_path) -> None:
    """A 5 MiB response header (h11 refuses a head over 100 KiB) comes back the same on every try."""
    from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, generate_site

    manifest = generate_site(tmp_path / "site", per_source=2)
    article = manifest.publishers["minfin"].releases[0].path
    with LocalSiteServer(tmp_path / "site") as server:
        server.set_faults(FaultPlan.of(FaultRule(fault="huge_header", path=article)))
        source = make_source(start_urls=[server.base_url + "/"], allow_addresses=["127.0.0.1"], ignore_robots=True)

        async def go() -> FetchResult:
            async with Fetcher(archive=None, user_agent="t/1", retries=3, backoff_base=0.01) as fetcher:
                return await fetcher.fetch(server.url(article), source)

        result = asyncio.run(go())
        tries = [r for r in server.requests if r.path == article]
    assert result.outcome == "http_error" and result.attempts == 1
    assert "malformed HTTP response" in result.error and "over 100 KiB" in result.error
    assert len(tries) == 1
