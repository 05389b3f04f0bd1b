"""The fetch stage's client: one polite async httpx client per run, turning URLs into :class:`FetchResult` records.

:class:`Fetcher` is the exchange loop; what it decides on is decided in the modules beside it:
:mod:`~govpress.fetch.netguard` (may this URL and address be reached),
:mod:`~govpress.fetch.politeness` (robots.txt, the host's limiter and circuit breaker),
:mod:`~govpress.fetch.decode` (the body, decoded while streaming, within the caps),
:mod:`~govpress.fetch.classify` (the outcome of a response or an error) and
:mod:`~govpress.fetch.retry` (whether, and after how long, to try again).

Before every request, in this order: the address guard, robots.txt (unless the source sets
``ignore_robots``), the host's circuit breaker, then the host's limiter (rate, concurrency,
Crawl-delay, Retry-After pauses). Redirects are followed here, not by httpx, so every hop passes
the same checks; a hop off the source's hosts, to another port than the start URL's (see
:func:`port_change`) or to a forbidden address is refused before anything is sent. Successful bodies and the evidence of blocks go into the :class:`Archive`.

``fetch`` never raises for network or HTTP trouble: the outcome and an ``error`` text say what
happened.
"""

from __future__ import annotations

import asyncio
import html
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from http.cookiejar import CookieJar
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from govpress.archive import Archive
from govpress.fetch.classify import Outcome, classify_response, error_outcome, host_health, is_challenge
from govpress.fetch.decode import BodyTooLarge, charset_of, declared_too_large, read_body, sniffs_gzip
from govpress.fetch.netguard import (
    GuardedTransport,
    PlainResponse,
    Refused,
    RememberingResolver,
    Resolver,
    allowed_networks,
    check_target,
    current_allow,
    system_resolver,
)
from govpress.fetch.politeness import (
    AHEAD_PURPOSES,
    ROBOTS_MAX_BYTES,
    CircuitBreaker,
    HostLimiter,
    HostLimiters,
    RobotsCache,
    RobotsResponse,
    SendStamp,
    SharedHostGate,
    Sleep,
    authority,
)
from govpress.fetch.retry import RETRY_STATUSES, RetryPolicy, backoff_delay, decide
from govpress.fetch import wire
from govpress.fetch.wire import NO_BODY  # a GET's body, as httpx.Request makes it without content; not iterated
from govpress.registry import Source
from govpress.stops import raise_if_requested

log = logging.getLogger("govpress.fetch")
"""Waits (Retry-After, a circuit opening) go here: the flows show govpress.* records in the run's log."""
_httpx_log = logging.getLogger("httpx")
"""httpx's client logs each exchange here at INFO; the fetcher keeps that line."""

__all__ = ["FetchResult", "Fetcher", "Outcome"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
INLINE_ARCHIVE_BYTES = 64 * 1024
"""A body up to this size is archived in the event loop (when the archive does not fsync each file): gzip
and a file written to the page cache take ~0.15 ms for a 6 KB page, and a thread's hand-off ~0.07 ms more CPU."""


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
    no_block_found: bool = False
    """The blocked-page rules ran on this ``body`` (with ``status`` and the headers) and found none: the parsers
    need not run them again on it (``ParseContext.no_block_found``). False for a body put in later."""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


# --- the attempts' deadlines -------------------------------------------------------------

_CLOCK_RESOLUTION = time.get_clock_info("monotonic").resolution
"""asyncio's loop runs a timer whose time is within this of its clock (BaseEventLoop._clock_resolution)."""


class Deadlines:
    """Deadlines of the attempts in flight, each one as ``asyncio.timeout(delay)`` bounds its block, on one timer.

    ``asyncio.timeout`` arms a timer of its own for every block (a TimerHandle with a copy of the context, a push on
    the loop's heap, its cancel, the cancelled handle's removal later): ~3% of a fetch's instructions, for a deadline
    that a fetch of a few milliseconds never meets. Here a block's deadline is an entry in a dict, and one timer of the
    loop stays armed at or before the earliest deadline in it (entered earlier than the timer: armed again; left:
    nothing to do). When the timer fires, the blocks past their deadline are ended as ``asyncio.timeout`` ends them
    (their task cancelled; the block's exit turns that cancellation into ``TimeoutError`` unless another cancellation
    is pending: ``Task.uncancel`` as there), and the timer is armed for the earliest deadline left."""

    __slots__ = ("_entries", "_timer", "_timer_at", "_loop")

    def __init__(self) -> None:
        self._entries: dict[_Deadline, None] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = float("inf")
        self._loop: asyncio.AbstractEventLoop | None = None

    def enter(self, delay: float) -> _Deadline:
        """A block's deadline ``delay`` seconds from now, as ``asyncio.timeout(delay)`` entered; the block then calls
        the entry's :meth:`_Deadline.leave` (with the exception it raised, if it raised) as the timeout's exit."""
        loop = self._loop
        task = asyncio.current_task(loop) if loop is not None else None  # no getpid() when the loop is the one known
        if task is None:
            task = asyncio.current_task()
            if task is None:
                raise RuntimeError("Timeout should be used inside a task")
            loop = task.get_loop()
        entry = _Deadline(self, task, loop.time() + delay)
        self._entries[entry] = None
        if self._timer is None or entry.when < self._timer_at or self._loop is not loop:
            self._arm(loop, entry.when)
        return entry

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._loop = loop
        self._timer_at = when
        self._timer = loop.call_at(when, self._fire)

    def _fire(self) -> None:
        loop = self._loop
        assert loop is not None
        self._timer = None
        self._timer_at = float("inf")
        due = loop.time() + _CLOCK_RESOLUTION  # what the loop itself counts as due in this pass
        earliest = float("inf")
        for entry in list(self._entries):
            if entry.task.get_loop() is not loop:  # a block left behind by another (closed) loop's run
                del self._entries[entry]
            elif entry.when < due:
                del self._entries[entry]
                entry.expire()
            elif entry.when < earliest:
                earliest = entry.when
        if earliest != float("inf"):
            self._arm(loop, earliest)

    def disarm_if_idle(self) -> None:
        """Cancel the timer when no block waits on it (the fetcher's close)."""
        if not self._entries and self._timer is not None:
            self._timer.cancel()
            self._timer = None
            self._timer_at = float("inf")


class _Deadline:
    """One block's deadline in :class:`Deadlines` (``asyncio.Timeout``'s entry and exit, without a timer of its own)."""

    __slots__ = ("_deadlines", "when", "task", "_cancelling", "_expired")

    def __init__(self, deadlines: Deadlines, task: asyncio.Task, when: float) -> None:
        self._deadlines = deadlines
        self.task = task
        self.when = when
        self._cancelling = task.cancelling()
        self._expired = False

    def leave(self, exc: BaseException | None) -> None:
        """The block ended (``exc``: what it raised): as ``asyncio.Timeout.__aexit__``, a cancellation that this
        deadline made, and no other, becomes ``TimeoutError``."""
        self._deadlines._entries.pop(self, None)
        if self._expired and self.task.uncancel() <= self._cancelling and type(exc) is asyncio.CancelledError:
            raise TimeoutError from exc

    def expire(self) -> None:
        self.task.cancel()
        self._expired = True


# --- the fetcher --------------------------------------------------------------------------


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    """The response's headers as httpx's ``Headers.items()`` gives them: lower-case names, repeated ones joined by
    ", " (what ``Headers.get`` answers), read here with plain dict look-ups."""
    body: bytes
    bytes_downloaded: int
    truncated: bool = False
    gzipped: bytes | None = None
    """The body as received, when that was one gzip member of it (decode.Body.gzipped)."""


@dataclass
class _Progress:
    attempts: int = 0
    bytes_downloaded: int = 0
    redirects: list[str] = field(default_factory=list)

    def add_bytes(self, count: int) -> None:
        self.bytes_downloaded += count


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
        shared_gate: SharedHostGate | None = None,
    ) -> None:
        """``transport`` replaces the network (tests use httpx.MockTransport); by default
        a :class:`GuardedTransport` re-checks addresses at connect time. ``timeout`` bounds
        each connect/read; ``total_timeout`` (default 4x) bounds one whole attempt, so a
        server dripping bytes cannot hold a slot forever. ``on_result`` sees every result,
        robots.txt fetches included (for the fetches table). ``shared_gate`` adds a per-host
        limit shared with other processes (politeness.SharedHostGate; flows/host_limits.py)."""
        self.archive = archive
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.retry = RetryPolicy(retries, backoff_base, backoff_cap, max_retry_after)
        self.total_timeout = total_timeout if total_timeout is not None else 4 * timeout
        self.max_decompression_ratio = max_decompression_ratio
        self._resolver = RememberingResolver(resolver or system_resolver, clock=clock)
        """The check before each request resolves a host once per netguard.RESOLVED_FOR seconds (the dial still
        resolves and checks every new connection's address)."""
        self._rng = random.Random(rng_seed)
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._on_result = on_result
        # The transport is called directly, not through an httpx.AsyncClient: redirects are followed
        # here, and the client's per-request layer (URL merging, auth and redirect flows, a cookie
        # jar walked on every response) was ~15% of the event loop's samples in a run (py-spy --gil).
        # What that layer did that matters is kept: its default headers (in httpx's order), its
        # timeout, its cookie jar (see _exchange), its request log line.
        self._transport = transport or GuardedTransport(resolver=resolver)
        self._direct = type(self._transport) is GuardedTransport
        """Plain URLs go to the transport's ``get`` as their parts (see _send); a transport of another kind is
        given an ``httpx.Request`` always."""
        self._headers = {  # in the order httpx's client sent them; each request adds its User-Agent after them
            "Connection": "keep-alive",
            "Accept-Encoding": "gzip, br",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.8,*/*;q=0.5",
        }
        self._raw_headers = [(name.encode("ascii"), value.encode("ascii")) for name, value in self._headers.items()]
        """The same headers as httpx.Headers gives them raw (names as written, both encoded as ASCII)."""
        self._timeout = httpx.Timeout(timeout).as_dict()
        self.cookies = httpx.Cookies()
        """Cookies the sites set, sent back to them as httpx's client would (most sites set none)."""
        self._closed = False
        self._deadlines = Deadlines()
        """Each attempt's ``total_timeout``, as ``asyncio.timeout`` would bound it, on one timer for them all."""
        self.limiters = HostLimiters(clock=clock, sleep=sleep, gate=shared_gate)
        self.breaker = CircuitBreaker(breaker_threshold, reset_after=breaker_reset_after, clock=clock)
        self.robots = RobotsCache()

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._deadlines.disarm_if_idle()
            await self._transport.aclose()

    def limiter_for(self, url: str, source: Source) -> HostLimiter:
        """The limiter of the URL's authority (host:port); the first source sets concurrency, the strictest rate wins."""
        return self.limiters.get(url, source.rate_limit, source.concurrency)

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
        raise_if_requested()  # a stop asked for during a flow ends the run here (govpress/stops.py)
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
        """One URL, its redirects followed hop by hop."""
        started_at = self._now()
        t0 = time.perf_counter()
        progress = _Progress()
        user_agent = source.user_agent or self.user_agent
        current = _without_fragment(url)
        seen = [current]
        while True:
            outcome = await self._hop(
                current, source, user_agent, conditional if current == seen[0] else {}, progress,
                check_robots=check_robots, detect_blocks=purpose != "robots",
                max_bytes=max_bytes or self.max_bytes, truncate=truncate, ahead=purpose in AHEAD_PURPOSES,
                confirm_missing=purpose not in AHEAD_PURPOSES,
            )
            target = _redirect_target(current, outcome, seen, self.max_redirects)
            if (target is outcome and isinstance(outcome, _Response) and purpose != "robots"
                    and (refresh := meta_refresh_target(current, outcome))):
                # A page that is only a <meta http-equiv="refresh"> to another page: followed as a redirect is.
                target = _redirect_target(current, replace(outcome, status=302, headers={"location": refresh}),
                                          seen, self.max_redirects)
            if not isinstance(target, str):
                outcome = target
                break
            seen.append(target)
            progress.redirects.append(target)
            current = target

        result = await self._result(url, current, purpose, outcome, progress, started_at, t0,
                                    asked_conditionally=bool(conditional) and current == seen[0])
        health = host_health(result.outcome, result.status)
        if health == "failure":
            host = authority(current)
            was_open = self.breaker.is_open(host)
            self.breaker.record_failure(host)
            if not was_open and self.breaker.is_open(host):
                log.warning("circuit open for %s (%s): its requests fail fast%s", host, self.breaker.reason(host),
                            "" if self.breaker.reset_after is None else f", one trial after {self.breaker.reset_after:g} s")
        elif health == "success":
            self.breaker.record_success(authority(current))
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
        *,
        asked_conditionally: bool = True,
    ) -> FetchResult:
        response = outcome if isinstance(outcome, _Response) else outcome.response
        status = response.status if response is not None else outcome.status
        headers = response.headers if response is not None else {}
        gzipped = None
        no_block_found = False
        if isinstance(outcome, _Stop):
            result_outcome, error, body = outcome.outcome, outcome.error, None
        else:
            verdict = classify_response(outcome.status, headers, outcome.body, detect_blocks=purpose != "robots")
            result_outcome, error = verdict.outcome, verdict.error
            if result_outcome == "not_modified" and not asked_conditionally:
                # A 304 to a request that sent no validators (a misconfigured cache in front of the site) says nothing
                # about a page we do not hold: taken as "unchanged", the page would be settled and never stored.
                result_outcome, error = "http_error", "HTTP 304 Not Modified to a request that sent no validators"
            body = outcome.body if verdict.keep_body else None
            gzipped = outcome.gzipped
            # "ok" is a 2xx whose body the rules found no block in (when asked to look); the headers'
            # content-type is FetchResult.content_type below (httpx gives the names lower-cased).
            no_block_found = purpose != "robots" and result_outcome == "ok" and body is not None
        archive_key = None
        if body is not None and self.archive is not None:
            if len(body) <= INLINE_ARCHIVE_BYTES and not getattr(self.archive, "sync_each", True):
                archive_key = self.archive.put(body, gzipped=gzipped)  # cheaper than the hand-off to a thread and back
            else:  # compressing a large body is CPU work, an fsync a wait: off the event loop
                archive_key = await asyncio.to_thread(self.archive.put, body, gzipped=gzipped)
        return FetchResult(
            url=url,
            final_url=final_url,
            purpose=purpose,
            outcome=result_outcome,
            status=status,
            body=body,
            content_type=headers.get("content-type"),
            no_block_found=no_block_found,
            charset=charset_of(headers),
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
        ahead: bool = False,
        confirm_missing: bool = False,
    ) -> _Response | _Stop:
        """One URL with retries: guard, robots, breaker, limiter, then the exchange.

        ``confirm_missing``: a page's 404 is asked once more, after a backoff, before it stands. One 404 of a held
        release records its withdrawal; a flaky node or a deploy in progress answers one now and then, and the
        release would be withdrawn and restored again at the next run. (A 410 says it meant it: not asked again.)"""
        try:
            await check_target(url, source, resolver=self._resolver)
        except Refused as exc:
            return _Stop("refused", exc.reason)
        limiter = self.limiter_for(url, source)
        if check_robots:
            rules = self.robots.settled(url)  # rules_for's answer once the origin's rules are read (nearly always)
            if rules is None:
                rules = await self.robots.rules_for(url, lambda robots_url: self._fetch_robots(robots_url, source))
            if not rules.allowed(url, user_agent):
                return _Stop("robots", f"disallowed by robots.txt for {user_agent.split('/')[0]} ({rules.reason})")
            crawl_delay = rules.crawl_delay(user_agent)
            if crawl_delay and crawl_delay > source.max_crawl_delay:
                # Honoured, a delay of hours holds the run on this host for ever; ignored, it is impolite. The host
                # is given up for the run instead, as for a Retry-After over the cap: its pages wait.
                host = authority(url)
                reason = (f"robots.txt asks for {crawl_delay:g} s between requests (Crawl-delay), over the source's "
                          f"max_crawl_delay of {source.max_crawl_delay:g} s: giving up on {host} for this run")
                if not self.breaker.is_open(host):
                    self.breaker.trip(host, reason)
                    log.warning("circuit open for %s: %s", host, reason)
                return _Stop("circuit_open", reason)
            limiter.apply_crawl_delay(crawl_delay)
        host = authority(url)
        headers = {"User-Agent": user_agent, **conditional}
        allow = allowed_networks(tuple(source.allow_addresses))
        attempt = 0
        while True:
            attempt += 1
            if not self.breaker.allow(host):
                return _Stop("circuit_open", f"circuit open for {host}: {self.breaker.reason(host)}")
            progress.attempts += 1
            last = await self._attempt(url, headers, limiter, allow, max_bytes, truncate, progress, ahead=ahead)
            if isinstance(last, _Response) and last.status not in RETRY_STATUSES:
                if last.status == 404 and confirm_missing and attempt == 1 and self.retry.retries > 0:
                    delay = backoff_delay(1, self.retry.backoff_base, self.retry.backoff_cap, self._rng)
                    log.info("%s: HTTP 404, asking again in %.1f s before it counts as missing", url, delay)
                    await self._sleep(delay)
                    continue
                return last  # what decide() answers for any status it does not retry ("done"), without its clock
            if isinstance(last, _Stop):
                decision = decide(self.retry, attempt, failure=last.outcome, now=self._now(), rng=self._rng)
            else:
                challenge = detect_blocks and last.status in RETRY_STATUSES and is_challenge(last.status, last.headers, last.body)
                decision = decide(
                    self.retry, attempt, status=last.status, challenge=challenge,
                    retry_after=last.headers.get("retry-after"), now=self._now(), rng=self._rng,
                )
            if decision.action == "done":
                return last
            if decision.action == "give_up_host":
                reason = f"{decision.reason}: giving up on {host} for this run"
                self.breaker.trip(host, reason)
                log.warning("circuit open for %s: %s", host, reason)
                return _Stop("http_error", reason, last.status, last)
            if decision.pause_host is not None:
                limiter.pause_until(self._clock() + decision.pause_host)  # the whole host waits, not just this request
                log.info("%s asked us to wait (Retry-After): every request to it waits %.1f s", host, decision.pause_host)
            if decision.action == "exhausted":
                break
            why = last.outcome if isinstance(last, _Stop) else f"HTTP {last.status}"
            log.info("%s: %s, retrying in %.1f s (attempt %d)", url, why, decision.delay, attempt)
            await self._sleep(decision.delay)
        tries = self.retry.retries + 1
        if isinstance(last, _Response):
            return _Stop("http_error", f"HTTP {last.status} after {tries} attempts", last.status, last)
        last.error = f"{last.error} (after {tries} attempts)"
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
        *,
        ahead: bool = False,
    ) -> _Response | _Stop:
        token = current_allow.set(allow)
        try:
            async with limiter.slot(ahead=ahead) as stamp:
                # As `async with asyncio.timeout(self.total_timeout):` around the exchange (Deadlines).
                deadline = self._deadlines.enter(self.total_timeout)
                try:
                    response = await self._exchange(url, headers, max_bytes, truncate, progress, stamp)
                except BaseException as exc:
                    deadline.leave(exc)
                    raise
                deadline.leave(None)
                return response
        except Exception as exc:
            failed = error_outcome(exc)
            if failed is None:
                raise
            return _Stop(*failed)
        finally:
            current_allow.reset(token)

    async def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool, progress: _Progress,
        stamp: SendStamp | None = None,
    ) -> _Response | _Stop:
        trace = None
        if stamp is not None and not stamp.done:  # a Crawl-delay counts from the send: httpcore says when that is
            async def trace(event: str, info: dict) -> None:
                # httpcore's trace events: the request head is written to the socket (Crawl-delay counts from here).
                if event.endswith("send_request_headers.complete"):
                    stamp.sent()
        # Without one, no trace: httpcore awaits the hook a dozen times per request.

        response = await self._send(url, headers, trace)
        try:
            if stamp is not None:
                stamp.sent()  # a transport that does not trace (MockTransport): sent by the time it answered
            status = response.status_code
            # A PlainResponse's headers are that dict already (netguard.header_items), made for this response alone.
            head = response.headers if type(response) is PlainResponse else dict(response.headers.items())
            if status in REDIRECT_STATUSES or status == 304:
                return _Response(status, head, b"", 0)
            if not truncate and (too_large := declared_too_large(head, max_bytes)):
                return _Stop("too_large", too_large, status)
            try:
                # The raw stream itself, not aiter_raw(): decoding is ours (bounded), and a response
                # that httpx already read (MockTransport with content=) still yields its raw bytes.
                body = await read_body(
                    response.stream, head.get("content-encoding"), max_bytes=max_bytes,
                    max_ratio=self.max_decompression_ratio, truncate=truncate, on_wire=progress.add_bytes,
                    sniff_gzip=sniffs_gzip(head.get("content-type")),
                )
            except BodyTooLarge as exc:
                return _Stop("too_large", str(exc), status)
            return _Response(status, head, body.data, body.wire_bytes, body.truncated, body.gzipped)
        finally:
            await response.aclose()

    async def _send(self, url: str, headers: dict[str, str], trace: Callable | None) -> httpx.Response | PlainResponse:
        """One GET through the transport, as ``httpx.AsyncClient.stream`` sends it without redirects:
        the same request head (tests/unit/fetch/test_fetch.py compares it with the client's), cookies
        sent and kept, errors carrying their request. The caller closes the response (``_exchange``: a
        ``finally``, not a context manager's generator entered for every request)."""
        if self._closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        extensions = {"timeout": self._timeout, "trace": trace} if trace is not None else {"timeout": self._timeout}
        parts = wire.plain_url(url) if self._direct and not _has_cookies(self.cookies) else None
        if parts is None:
            request = self._request(url, headers, extensions)
            if self.cookies:
                self.cookies.set_cookie_header(request)
            try:
                response = await self._transport.handle_async_request(request)
            except httpx.RequestError as exc:
                exc.request = request
                raise
        else:
            # A plain URL (wire.plain_url: its parts are the ones httpx.URL would give) and no cookie to send: the
            # same httpcore request as httpx's transport makes of the httpx.Request, made from the parts (httpx's
            # URL parse, its Request and the transport's rebuilding of it were ~10% of a fetch's instructions).
            # The httpx.Request is made only when something reads it: an error, a cookie to keep, the log line.
            scheme, host, port, target, netloc = parts
            raw = [(b"Host", netloc), *self._raw_headers,
                   *[(name.encode("ascii"), value.encode("ascii")) for name, value in headers.items()]]
            try:
                plain = await self._transport.get(scheme, host, port, target, raw, extensions)
            except httpx.RequestError as exc:
                exc.request = self._request(url, headers, extensions)
                raise
            if "set-cookie" not in plain.headers and not _httpx_log.isEnabledFor(logging.INFO):
                return plain  # nothing here reads the request or the httpx.Response
            request = self._request(url, headers, extensions)
            response = plain.as_httpx(request)
        response.request = request
        try:
            if "set-cookie" in response.headers:  # the jar's walk finds nothing to keep without one
                self.cookies.extract_cookies(response)
            if _httpx_log.isEnabledFor(logging.INFO):
                _httpx_log.info('HTTP Request: %s %s "%s %d %s"', request.method, request.url,
                                response.http_version, response.status_code, response.reason_phrase)
        except BaseException:
            await response.aclose()
            raise
        return response

    def _request(self, url: str, headers: dict[str, str], extensions: dict) -> httpx.Request:
        """The request as ``httpx.AsyncClient.stream`` makes it without a body: Host first (the URL's netloc), then
        the client's headers, then the request's; given as a stream, httpx skips its body encoding and its
        second pass over the headers."""
        target = httpx.URL(url)
        host = [(b"Host", target.netloc)] if target.host else []
        return httpx.Request("GET", target, headers=[*host, *self._headers.items(), *headers.items()],
                             stream=NO_BODY, extensions=extensions)

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


def _has_cookies(cookies: httpx.Cookies) -> bool:
    """``bool(cookies)``: httpx walks the jar's nested dicts with a generator for it (~0.4 us); a stdlib jar whose
    dict of domains is empty holds no cookie (its walk yields nothing), told by the dict alone."""
    jar = cookies.jar
    if type(jar) is CookieJar and not jar._cookies:
        return False
    return bool(cookies)


def _redirect_target(current: str, outcome: _Response | _Stop, seen: list[str], max_redirects: int) -> str | _Response | _Stop:
    """Where a redirect leads, or what the hop ends in: the response itself (not a redirect) or a stop."""
    if isinstance(outcome, _Stop) or outcome.status not in REDIRECT_STATUSES:
        return outcome
    location = outcome.headers.get("location")
    if not location:
        return _Stop("http_error", f"HTTP {outcome.status} redirect without a Location header", outcome.status, outcome)
    target = _without_fragment(urljoin(current, location.strip()))
    if (moved := port_change(seen[0], target)) is not None:
        return _Stop("refused", moved, outcome.status, outcome)
    if target in seen and not (seen.count(target) == 1 and "set-cookie" in outcome.headers):
        # A redirect back to a page already asked for is a loop, unless it sets a cookie on the way: a site that
        # checks its visitors keep cookies answers the first request so ("302 to itself, Set-Cookie"), once.
        return _Stop("http_error", f"redirect loop: {' -> '.join([*seen, target])}", outcome.status, outcome)
    if len(seen) > max_redirects:
        return _Stop("http_error", f"more than {max_redirects} redirects (last to {target})", outcome.status, outcome)
    return target


META_REFRESH_BYTES = 16 * 1024
"""A page larger than this is a page, whatever refresh it asks for (a news page reloading itself every minute)."""
META_REFRESH_DELAY = 10
"""A refresh asked for later than this many seconds is the page's own reload, not a way to another page."""
_META_REFRESH = re.compile(
    rb"""<meta\b(?=[^>]*\bhttp-equiv\s*=\s*["']?refresh\b)[^>]*?\bcontent\s*=\s*(["']?)\s*(\d{1,6})(?:\.\d*)?\s*[;,]\s*"""
    rb"""(?:url\s*=\s*)?['"]?([^'">\s][^'">]*)""",
    re.I,
)


def meta_refresh_target(current: str, response: _Response) -> str | None:
    """Where a small 2xx HTML page sends the reader with ``<meta http-equiv="refresh" content="0; url=...">``
    (some sites answer a release's old address so, or a language choice), or None. Only a refresh of at most
    :data:`META_REFRESH_DELAY` seconds on a page of at most :data:`META_REFRESH_BYTES` to another address counts."""
    if not 200 <= response.status < 300 or len(response.body) > META_REFRESH_BYTES:
        return None
    if "html" not in (response.headers.get("content-type") or "text/html").lower():
        return None
    match = _META_REFRESH.search(response.body)
    if match is None or int(match.group(2)) > META_REFRESH_DELAY:
        return None
    location = html.unescape(match.group(3).decode("utf-8", "replace")).strip()
    target = _without_fragment(urljoin(current, location)) if location else None
    return target if target and target != current and target.startswith(("http://", "https://")) else None


DEFAULT_PORTS = {"http": 80, "https": 443}


def port_change(start: str, target: str) -> str | None:
    """Why a redirect from the start URL to ``target`` changes the port (and is refused), or None.

    A source's hosts name machines, not their services: another port on an allowed host is
    another service (an admin panel, a metrics endpoint), so a hop must stay on the start URL's
    port. The default ports of http and https count as one, so an upgrade to https is followed.
    """
    before, after = urlsplit(start), urlsplit(target)
    try:
        start_port, target_port = before.port, after.port
    except ValueError:  # a malformed port: the address guard refuses it with its own reason
        return None
    start_port = start_port or DEFAULT_PORTS.get(before.scheme)
    target_port = target_port or DEFAULT_PORTS.get(after.scheme)
    both_defaults = start_port == DEFAULT_PORTS.get(before.scheme) and target_port == DEFAULT_PORTS.get(after.scheme)
    if start_port == target_port or both_defaults:
        return None
    return (f"redirect to another port refused: {target} (port {target_port}; "
            f"the start URL {start} is on port {start_port})")


def _without_fragment(url: str) -> str:
    if "#" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url
