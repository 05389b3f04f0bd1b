"""The fetch stage: one polite async httpx client per run, turning URLs into :class:`FetchResult` records.

Before every request, in this order: the address guard (:mod:`govpress.fetch.netguard`), robots.txt
(unless the source sets ``ignore_robots``), the host's circuit breaker, then the host's
limiter (rate, concurrency, Crawl-delay, Retry-After pauses; see :mod:`govpress.fetch.politeness`).
Redirects are followed here, not by httpx, so every hop passes the same checks; a hop
off the source's hosts or to a forbidden address is refused before anything is sent.

Bodies are streamed and decoded here (gzip, deflate, brotli) in bounded pieces, so a body
larger than ``max_bytes``, or a compression bomb, is stopped while reading and never
buffered whole. Successful bodies and the evidence of blocks go into the :class:`Archive`.

``fetch`` never raises for network or HTTP trouble: the outcome and an ``error`` text say
what happened. Retries (timeouts, connection errors, 429, 500, 502, 503, 504) back off
exponentially with full jitter and honour Retry-After up to ``max_retry_after`` seconds;
a longer Retry-After gives up on that host for the run (its circuit opens).
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import brotli
import httpx

from govpress.archive import Archive
from govpress.fetch.netguard import GuardedTransport, Refused, Resolver, check_target, current_allow, parse_networks
from govpress.fetch.politeness import (
    ROBOTS_MAX_BYTES,
    CircuitBreaker,
    HostLimiter,
    RobotsCache,
    RobotsResponse,
    Sleep,
    backoff_delay,
    parse_retry_after,
)
from govpress.registry import Source
from govpress.parsers.blocked import blocked_reason
from govpress.parsers.charset import charset_from_header

Outcome = Literal[
    "ok", "not_modified", "http_error", "gone", "network_error", "timeout", "blocked", "refused",
    "robots", "too_large", "circuit_open",
]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Outcomes that count against a host's circuit breaker, and those that prove it healthy.
_FAILURES = frozenset({"network_error", "timeout", "blocked"})
_SUCCESSES = frozenset({"ok", "not_modified", "gone"})

DECODE_PIECE = 64 * 1024  # decoded bytes produced per decompression step
RATIO_CHECK_AFTER = 1_000_000  # small, very repetitive pages may compress far better than 100:1


@dataclass
class FetchResult:
    """One URL fetched (redirects included): what happened, and the body when there is one."""

    url: str
    final_url: str
    purpose: str
    outcome: Outcome
    status: int | None
    body: bytes | None
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    started_at: datetime
    elapsed_ms: float
    attempts: int
    error: str | None
    archive_key: str | None
    redirects: list[str] = field(default_factory=list)
    bytes_downloaded: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class _BodyError(Exception):
    """The body could not be read as sent; ``outcome`` says how to record it."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome: Outcome = outcome


# --- bounded decoding ---------------------------------------------------------------------


class _ZlibStage:
    def __init__(self, encoding: str) -> None:
        # gzip: gzip header; deflate: zlib-wrapped per RFC, raw deflate from some servers.
        self._wbits = zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._raw_fallback = encoding == "deflate"
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.decompress(data, DECODE_PIECE)
        except zlib.error:
            if self._raw_fallback and not self._started:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                self._raw_fallback = False
                out = self._obj.decompress(data, DECODE_PIECE)
            else:
                raise
        self._started = True
        yield out
        # A full piece means more output may be pending even when all input was taken.
        while self._obj.unconsumed_tail or len(out) == DECODE_PIECE:
            out = self._obj.decompress(self._obj.unconsumed_tail, DECODE_PIECE)
            if not out and not self._obj.unconsumed_tail:
                break
            yield out

    def finish(self) -> bytes:
        if not self._obj.eof:
            raise _BodyError("network_error", "compressed body ended early (truncated)")
        return b""


class _BrotliStage:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield self._obj.process(data, output_buffer_limit=DECODE_PIECE)
            while not self._obj.can_accept_more_data():
                yield self._obj.process(b"", output_buffer_limit=DECODE_PIECE)
        except TypeError:  # brotli < 1.2 has no output limit: the ratio cap still applies per chunk
            yield self._obj.process(data)

    def finish(self) -> bytes:
        if not self._obj.is_finished():
            raise _BodyError("network_error", "brotli body ended early (truncated)")
        return b""


class _StreamDecoder:
    """Content-Encoding stages applied in reverse order, each yielding bounded pieces."""

    def __init__(self, content_encoding: str | None) -> None:
        self._stages: list[_ZlibStage | _BrotliStage] = []
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip", "deflate"):
                self._stages.append(_ZlibStage(coding))
            elif coding == "br":
                self._stages.append(_BrotliStage())
            elif coding != "identity":
                raise _BodyError("http_error", f"unsupported Content-Encoding {coding!r} (not requested)")

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(data, 0)

    def _through(self, data: bytes, index: int) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                yield data
            return
        try:
            for piece in self._stages[index].feed(data):
                yield from self._through(piece, index + 1)
        except (zlib.error, brotli.error) as exc:
            raise _BodyError("network_error", f"corrupt compressed body: {exc}") from exc

    def finish(self) -> None:
        for stage in self._stages:
            stage.finish()


# --- the fetcher --------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    headers: httpx.Headers
    body: bytes
    bytes_downloaded: int
    truncated: bool = False


@dataclass
class _Progress:
    attempts: int = 0
    bytes_downloaded: int = 0
    redirects: list[str] = field(default_factory=list)


@dataclass
class _Stop:
    """A hop ended without a usable response."""

    outcome: Outcome
    error: str
    status: int | None = None
    response: _Response | None = None


class Fetcher:
    """A polite HTTP client for one run. Use ``async with Fetcher(...) as f: await f.fetch(url, source)``."""

    def __init__(
        self,
        *,
        archive: Archive | None,
        user_agent: str,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        max_bytes: int = 15_000_000,
        max_redirects: int = 5,
        retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        resolver: Resolver | None = None,
        rng_seed: int | None = None,
        total_timeout: float | None = None,
        max_retry_after: float = 120.0,
        max_decompression_ratio: float = 100.0,
        breaker_threshold: int = 5,
        breaker_reset_after: float | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        on_result: Callable[[FetchResult], None] | None = None,
    ) -> None:
        """``transport`` replaces the network (tests use httpx.MockTransport); by default
        a :class:`GuardedTransport` re-checks addresses at connect time. ``timeout`` bounds
        each connect/read; ``total_timeout`` (default 4x) bounds one whole attempt, so a
        server dripping bytes cannot hold a slot forever. ``on_result`` sees every result,
        robots.txt fetches included (for the fetches table)."""
        self.archive = archive
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.total_timeout = total_timeout if total_timeout is not None else 4 * timeout
        self.max_retry_after = max_retry_after
        self.max_decompression_ratio = max_decompression_ratio
        self._resolver = resolver
        self._rng = random.Random(rng_seed)
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._on_result = on_result
        self._client = httpx.AsyncClient(
            transport=transport or GuardedTransport(resolver=resolver),
            follow_redirects=False,
            http2=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout),
            headers={
                "User-Agent": user_agent,
                "Accept-Encoding": "gzip, br",
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.5",
            },
        )
        self._limiters: dict[str, HostLimiter] = {}
        self.breaker = CircuitBreaker(breaker_threshold, reset_after=breaker_reset_after, clock=clock)
        self.robots = RobotsCache()

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    def limiter_for(self, url: str, source: Source) -> HostLimiter:
        """The limiter of the URL's authority (host:port); the first source sets concurrency, the strictest rate wins."""
        key = _authority(url)
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = HostLimiter(source.rate_limit, source.concurrency, clock=self._clock, sleep=self._sleep)
            self._limiters[key] = limiter
        else:
            limiter.tighten_rate(source.rate_limit)
        return limiter

    # -- public ------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        source: Source,
        *,
        purpose: str = "page",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        result = await self._fetch(url, source, purpose, conditional, check_robots=not source.ignore_robots)
        self._emit(result)
        return result

    # -- internals -----------------------------------------------------------------------

    def _emit(self, result: FetchResult) -> None:
        if self._on_result is not None:
            self._on_result(result)

    async def _fetch(
        self,
        url: str,
        source: Source,
        purpose: str,
        conditional: dict[str, str],
        *,
        check_robots: bool,
        max_bytes: int | None = None,
        truncate: bool = False,
    ) -> FetchResult:
        started_at = self._now()
        t0 = time.perf_counter()
        progress = _Progress()
        user_agent = source.user_agent or self.user_agent
        current = _without_fragment(url)
        seen = [current]
        outcome: _Response | _Stop
        while True:
            outcome = await self._hop(
                current, source, user_agent, conditional if current == seen[0] else {}, progress,
                check_robots=check_robots, detect_blocks=purpose != "robots",
                max_bytes=max_bytes or self.max_bytes, truncate=truncate,
            )
            if isinstance(outcome, _Stop) or outcome.status not in REDIRECT_STATUSES:
                break
            location = outcome.headers.get("location")
            if not location:
                outcome = _Stop("http_error", f"HTTP {outcome.status} redirect without a Location header", outcome.status, outcome)
                break
            target = _without_fragment(urljoin(current, location.strip()))
            if target in seen:
                chain = " -> ".join([*seen, target])
                outcome = _Stop("http_error", f"redirect loop: {chain}", outcome.status, outcome)
                break
            if len(seen) > self.max_redirects:
                outcome = _Stop("http_error", f"more than {self.max_redirects} redirects (last to {target})", outcome.status, outcome)
                break
            seen.append(target)
            progress.redirects.append(target)
            current = target

        result = await self._result(url, current, purpose, outcome, progress, started_at, t0)
        host = _authority(current)
        if result.outcome in _FAILURES or (result.outcome == "http_error" and (result.status or 0) in RETRY_STATUSES):
            self.breaker.record_failure(host)
        elif result.outcome in _SUCCESSES or (result.outcome == "http_error" and result.status and result.status < 500):
            self.breaker.record_success(host)
        return result

    async def _result(
        self,
        url: str,
        final_url: str,
        purpose: str,
        outcome: _Response | _Stop,
        progress: _Progress,
        started_at: datetime,
        t0: float,
    ) -> FetchResult:
        response = outcome if isinstance(outcome, _Response) else outcome.response
        status = response.status if response is not None else (outcome.status if isinstance(outcome, _Stop) else None)
        headers = response.headers if response is not None else httpx.Headers()
        content_type = headers.get("content-type")
        body = response.body if response is not None else None
        error: str | None = None
        result_outcome: Outcome
        keep_body = False

        if isinstance(outcome, _Stop):
            result_outcome, error = outcome.outcome, outcome.error
        elif status == 304:
            result_outcome = "not_modified"
        elif 200 <= status < 300:
            reason = None if purpose == "robots" else blocked_reason(body or b"", status=status, headers=headers)
            if reason:
                result_outcome, error = "blocked", reason
            else:
                result_outcome = "ok"
            keep_body = True
        elif status in (404, 410):
            result_outcome, error = "gone", f"HTTP {status}"
        elif status >= 400 and purpose != "robots" and (reason := blocked_reason(body or b"", status=status, headers=headers)):
            result_outcome, error, keep_body = "blocked", reason, True
        else:
            result_outcome, error = "http_error", f"HTTP {status}"
        if not keep_body:
            body = None
        archive_key = None
        if body is not None and self.archive is not None:
            # Compressing a large body is CPU work: keep it off the event loop.
            archive_key = await asyncio.to_thread(self.archive.put, body)
        return FetchResult(
            url=url,
            final_url=final_url,
            purpose=purpose,
            outcome=result_outcome,
            status=status,
            body=body,
            content_type=content_type,
            charset=charset_from_header(content_type),
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            started_at=started_at,
            elapsed_ms=(time.perf_counter() - t0) * 1000.0,
            attempts=progress.attempts,
            error=error,
            archive_key=archive_key,
            redirects=list(progress.redirects),
            bytes_downloaded=progress.bytes_downloaded,
        )

    async def _hop(
        self,
        url: str,
        source: Source,
        user_agent: str,
        conditional: dict[str, str],
        progress: _Progress,
        *,
        check_robots: bool,
        detect_blocks: bool,
        max_bytes: int,
        truncate: bool,
    ) -> _Response | _Stop:
        """One URL with retries: guard, robots, breaker, limiter, then the exchange."""
        try:
            await check_target(url, source, resolver=self._resolver)
        except Refused as exc:
            return _Stop("refused", exc.reason)
        limiter = self.limiter_for(url, source)
        if check_robots:
            rules = await self.robots.rules_for(url, lambda robots_url: self._fetch_robots(robots_url, source))
            limiter.apply_crawl_delay(rules.crawl_delay(user_agent))
            if not rules.allowed(url, user_agent):
                return _Stop("robots", f"disallowed by robots.txt for {user_agent.split('/')[0]} ({rules.reason})")
        host = _authority(url)
        headers = {"User-Agent": user_agent, **conditional}
        allow = tuple(parse_networks(source.allow_addresses))
        last: _Response | _Stop | None = None
        for attempt in range(1, self.retries + 2):
            if not self.breaker.allow(host):
                return _Stop("circuit_open", f"circuit open for {host}: {self.breaker.reason(host)}")
            progress.attempts += 1
            last = await self._attempt(url, headers, limiter, allow, max_bytes, truncate, progress)
            retryable = (isinstance(last, _Stop) and last.outcome in ("timeout", "network_error")) or (
                isinstance(last, _Response)
                and last.status in RETRY_STATUSES
                # A challenge served as 503/429 (Cloudflare does) will not go away by retrying.
                and (not detect_blocks or blocked_reason(last.body, status=last.status, headers=last.headers) is None)
            )
            if not retryable:
                return last
            delay = None
            if isinstance(last, _Response) and last.status in (429, 503):
                delay = parse_retry_after(last.headers.get("retry-after"), self._now())
                if delay is not None and delay > self.max_retry_after:
                    reason = (
                        f"HTTP {last.status} with Retry-After {delay:.0f} s (over the {self.max_retry_after:.0f} s cap): "
                        f"giving up on {host} for this run"
                    )
                    self.breaker.trip(host, reason)
                    return _Stop("http_error", reason, last.status, last)
                if delay is not None:
                    # The whole host waits, not just this request.
                    limiter.pause_until(self._clock() + delay)
            if attempt > self.retries:
                break
            if delay is None:
                delay = backoff_delay(attempt, self.backoff_base, self.backoff_cap, self._rng)
            await self._sleep(delay)
        assert last is not None
        if isinstance(last, _Response):
            return _Stop("http_error", f"HTTP {last.status} after {self.retries + 1} attempts", last.status, last)
        last.error = f"{last.error} (after {self.retries + 1} attempts)"
        return last

    async def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        limiter: HostLimiter,
        allow: tuple,
        max_bytes: int,
        truncate: bool,
        progress: _Progress,
    ) -> _Response | _Stop:
        token = current_allow.set(allow)
        try:
            async with limiter.slot():
                async with asyncio.timeout(self.total_timeout):
                    return await self._exchange(url, headers, max_bytes, truncate, progress)
        except Refused as exc:  # the connect-time check saw an address check_target did not
            return _Stop("refused", exc.reason)
        except (TimeoutError, httpx.TimeoutException) as exc:
            return _Stop("timeout", f"timeout: {type(exc).__name__} {exc}".strip())
        except _BodyError as exc:
            return _Stop(exc.outcome, str(exc))
        except (httpx.TransportError, httpx.HTTPError, httpx.StreamError) as exc:
            return _Stop("network_error", f"{type(exc).__name__}: {exc}")
        except httpx.InvalidURL as exc:
            return _Stop("refused", f"invalid URL: {exc}")
        finally:
            current_allow.reset(token)

    async def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool, progress: _Progress
    ) -> _Response | _Stop:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in REDIRECT_STATUSES or status == 304:
                return _Response(status, response.headers, b"", 0)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and not truncate:
                return _Stop("too_large", f"Content-Length {declared} exceeds max_bytes {max_bytes}", status)
            decoder = _StreamDecoder(response.headers.get("content-encoding"))
            body = bytearray()
            raw = 0
            truncated = False
            # The raw stream itself, not aiter_raw(): decoding is ours (bounded), and a response
            # that httpx already read (MockTransport with content=) still yields its raw bytes.
            async for chunk in response.stream:
                raw += len(chunk)
                progress.bytes_downloaded += len(chunk)
                for piece in decoder.feed(chunk):
                    body += piece
                    if len(body) > max_bytes:
                        if truncate:
                            del body[max_bytes:]
                            truncated = True
                            break
                        return _Stop("too_large", f"body exceeds max_bytes {max_bytes} (stopped after {raw} bytes on the wire)", status)
                    if len(body) > RATIO_CHECK_AFTER and len(body) > raw * self.max_decompression_ratio:
                        return _Stop(
                            "too_large",
                            f"decompression ratio over {self.max_decompression_ratio:.0f}:1 "
                            f"({len(body)} bytes from {raw}): refused as a compression bomb",
                            status,
                        )
                if truncated:
                    break
            if not truncated:
                decoder.finish()
            return _Response(status, response.headers, bytes(body), raw, truncated)

    async def _fetch_robots(self, robots_url: str, source: Source) -> RobotsResponse:
        result = await self._fetch(
            robots_url, source, "robots", {}, check_robots=False, max_bytes=ROBOTS_MAX_BYTES, truncate=True
        )
        self._emit(result)
        if result.outcome in ("network_error", "timeout", "circuit_open", "too_large"):
            return RobotsResponse(None, None, result.error)
        if result.outcome == "refused":  # a redirect we may not follow: treated as "unavailable"
            return RobotsResponse(result.status, None, result.error, unavailable=True)
        return RobotsResponse(result.status, result.body, result.error)


def _authority(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


def _without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url
