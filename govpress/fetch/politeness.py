"""Politeness: per-host rate limits and concurrency, the circuit breaker, robots.txt.

Everything that waits takes an injectable ``clock`` (monotonic seconds) and ``sleep`` so
tests run on a fake clock and assert on the schedule, not on wall time.

robots.txt follows RFC 9309:
- fetched once per origin (scheme, host, port) per run, through the fetcher's own client
  (so the address guard, rate limit and redirects, at most 5, apply to it too);
- 2xx: parsed with protego (the first 512 KiB; the RFC asks for at least 500 KiB);
- 4xx "unavailable" (401, 403, 404, 410, ...): no restrictions (section 2.3.1.3); 429 is
  treated as unreachable instead, because it asks us to slow down, not that no file exists;
- 5xx or a network error "unreachable": everything disallowed for this run (2.3.1.4);
- a redirect leaving the source's hosts cannot be followed: treated as unavailable.
``Crawl-delay`` and ``Request-rate`` (not in the RFC, widely used) slow the host's limiter.

Politeness across processes: the per-host limiter counts this process's requests only. With
several workers fetching the same hosts (docs/scale.md), a :class:`SharedHostGate` adds a limit
every process shares: each request, once the local limiter lets it go, also takes a slot of the
host's shared gate and gives it back when it ends. This module only defines the protocol (the
fetcher stays free of Prefect); flows/host_limits.py implements it with Prefect's global
concurrency limits. A gate that fails (its API unreachable) is dropped for the rest of the run
with one warning: the local limiter still holds, so each process stays polite on its own.
A source overrides robots only with its explicit ``ignore_robots = true`` flag, meant for
sites that gave written permission; that also drops the Crawl-delay (its own
``rate_limit`` still applies).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from protego import Protego

from govpress.slots import Slots
from govpress.urls import split

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

ROBOTS_MAX_BYTES = 512 * 1024

log = logging.getLogger("govpress.fetch")


# --- rate limiting -----------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def authority(url: str) -> str:
    """The host (and port, when the URL names one) that politeness is counted per (asked three times a
    fetch: remembered for the last URLs). The URL's split is urls.split's: the address guard split it just before."""
    parts = split(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; ``acquire`` waits for one token (FIFO)."""

    def __init__(self, rate: float, burst: int = 1, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = asyncio.Lock()  # one waiter at a time keeps the order fair
        self._queued = 0  # callers in acquire's locked path (holding the lock or waiting for it)

    def set_rate(self, rate: float) -> None:
        self._refill()
        self.rate = float(rate)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        # With nobody in the locked path the lock would be free and without waiters, so taking it would not wait
        # (asyncio.Lock's own fast path) and a token at hand would be taken at once: the same, without the lock's
        # context manager and its release (an unthrottled run's every request comes here).
        refilled = not self._queued
        if refilled:
            self._refill()
            if self._tokens >= 1.0 - 1e-9:
                self._tokens = max(0.0, self._tokens - 1.0)
                return
        self._queued += 1
        try:
            await self._wait_for_token(refilled)
        finally:
            self._queued -= 1

    async def _wait_for_token(self, refilled: bool) -> None:
        # ``refilled``: the bucket was refilled just now and the lock is free (taken below without waiting), so the
        # loop's first pass reads the same clock reading the locked path read before.
        async with self._lock:
            while True:
                if not refilled:
                    self._refill()
                refilled = False
                # The epsilon absorbs float rounding (1000.01 + 1e-15 == 1000.01): no endless tiny sleeps.
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                await self._sleep((1.0 - self._tokens) / self.rate)


AHEAD_PURPOSES = frozenset({"robots", "feed", "sitemap", "listing", "api"})
"""Requests that take a host's next free slot before queued page fetches: robots.txt and discovery pages.

Several sources often share a host (an agency's language editions), and each source queues up to
two batches of page fetches on it. A discovery page that waited its turn behind them held up its
source's whole walk, and so everything the walk would have found: in the bench's run of four sources
on one host, the listing editions were discovered only after the others' pages were fetched."""


class SendStamp:
    """Handed to the holder of a :meth:`HostLimiter.slot`: call :meth:`sent` when the request goes on the wire.

    The fetcher calls it from httpx's ``trace`` hook as the request headers start to go out (and
    again, harmlessly, when the response arrives, for transports that do not trace); leaving the
    slot stamps it too, so a request that failed before sending never holds the host.
    """

    __slots__ = ("_limiter", "done")

    def __init__(self, limiter: "HostLimiter | None") -> None:
        self._limiter = limiter
        self.done = limiter is None

    def sent(self) -> None:
        if not self.done:
            self.done = True
            assert self._limiter is not None
            self._limiter._mark_sent()


@runtime_checkable
class SharedHostGate(Protocol):
    """A per-host limit shared with other processes: one slot per request, keyed by authority (host:port).

    ``acquire`` waits until the host has room under ``concurrency`` requests in flight and
    ``rate`` request starts per second counted across every process using the same gate, and
    returns whatever ``release`` needs to give the slot back. Both raise when the gate cannot be
    reached; the limiter then goes on without it (see :class:`GateGuard`).
    """

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> Any: ...

    async def release(self, host: str, held: Any) -> None: ...


class GateUnavailable(RuntimeError):
    """The shared gate failed; the run goes on with the local limiter alone."""


class GateGuard:
    """A :class:`SharedHostGate` that, the first time it fails, says so once and is skipped for the rest of the run.

    Giving up at the first failure, rather than retrying every request, keeps an unreachable API
    from adding its timeout to every request; the local limiter keeps each process polite.
    """

    def __init__(self, gate: SharedHostGate, *, logger: logging.Logger = log) -> None:
        self.gate = gate
        self.failed: str | None = None
        """Why the gate was dropped (None while it works)."""
        self._log = logger

    def _drop(self, host: str, error: BaseException) -> None:
        if self.failed is None:
            self.failed = f"{type(error).__name__}: {error}"
            self._log.warning(
                "shared host limits unavailable (%s, at %s): each process now limits its own requests per "
                "host only (this run's local limiter still holds); workers sharing a host may together "
                "exceed its limits until the next run", self.failed, host)

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> tuple[bool, Any]:
        """``(True, held)`` when the gate granted a slot, ``(False, None)`` when it is (now) skipped."""
        if self.failed is not None:
            return False, None
        try:
            return True, await self.gate.acquire(host, concurrency=concurrency, rate=rate)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._drop(host, error)
            return False, None

    async def release(self, host: str, held: Any) -> None:
        try:
            await self.gate.release(host, held)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._drop(host, error)


class HostLimiter:
    """One host's politeness: at most ``concurrency`` requests in flight and ``rate`` request starts per second.

    ``apply_crawl_delay`` lowers the rate to one request per Crawl-delay seconds (never raises
    it) and, from then on, spaces requests by the moment each was SENT: a slot is granted only
    ``min_delay`` after the previous request went out, and only once that request has gone out.
    Granting by the token bucket alone stamps the slot when it is granted; on a busy machine the
    time between grant and send varies, and gaps of 0.57 s were measured for a 1 s Crawl-delay.
    ``pause_until`` holds every request to the host until a monotonic time (Retry-After).
    With a ``gate`` (and the ``key`` it knows the host by), every request the local limits let
    go also holds a slot of the shared gate, with this limiter's concurrency and current rate.
    """

    def __init__(
        self,
        rate: float,
        concurrency: int,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        gate: GateGuard | None = None,
        key: str = "",
    ) -> None:
        self.gate = gate
        self.key = key
        self.base_rate = float(rate)
        self.concurrency = concurrency
        self.min_delay = 0.0
        self._clock = clock
        self._sleep = sleep
        self._bucket = TokenBucket(rate, burst, clock=clock, sleep=sleep)
        self._slots = Slots(concurrency)
        self._paused_until = 0.0
        self.in_flight = 0
        self._last_sent = float("-inf")
        self._send_gate = asyncio.Lock()
        """Held from a Crawl-delay slot's grant until its request is sent: the next waits for the stamp."""

    @property
    def rate(self) -> float:
        return self._bucket.rate

    def apply_crawl_delay(self, seconds: float | None) -> None:
        if not seconds or seconds <= 0:
            return
        self.min_delay = max(self.min_delay, float(seconds))
        self._bucket.set_rate(min(self.base_rate, 1.0 / self.min_delay))

    def tighten_rate(self, rate: float) -> None:
        """Another source on the same host asks for less: the stricter rate wins."""
        if rate < self._bucket.rate:
            self.base_rate = min(self.base_rate, rate)
            self._bucket.set_rate(rate)

    def pause_until(self, monotonic_deadline: float) -> None:
        self._paused_until = max(self._paused_until, monotonic_deadline)

    def _mark_sent(self) -> None:
        self._last_sent = self._clock()
        if self._send_gate.locked():
            self._send_gate.release()

    def slot(self, *, ahead: bool = False) -> _Turn:
        """One request's turn; ``ahead``: before the page fetches waiting (see :data:`AHEAD_PURPOSES`).

        ``async with limiter.slot() as stamp:`` waits for a slot of the host, then any Retry-After pause, a token of
        the rate, a Crawl-delay counted from the previous request's send, and last the shared gate's slot (held only
        while this process is ready to send); on the way out the gate's slot, the stamp and the host's slot go back."""
        return _Turn(self, ahead)


class _Turn:
    """:meth:`HostLimiter.slot`'s context manager, a plain class (a generator-based one cost every request its
    generator and its steps in and out; the waits and releases are the same, in the same order)."""

    __slots__ = ("_limiter", "_ahead", "_stamp", "_shared", "_held")

    def __init__(self, limiter: HostLimiter, ahead: bool) -> None:
        self._limiter = limiter
        self._ahead = ahead

    async def __aenter__(self) -> SendStamp:
        limiter = self._limiter
        await limiter._slots.acquire(ahead=self._ahead)
        stamp: SendStamp | None = None
        try:
            while (wait := limiter._paused_until - limiter._clock()) > 0:
                await limiter._sleep(wait)
            await limiter._bucket.acquire()
            stamp = SendStamp(None)
            if limiter.min_delay:  # a Crawl-delay: counted from when the previous request was sent
                await limiter._send_gate.acquire()
                stamp = SendStamp(limiter)
            while stamp._limiter is not None and (wait := limiter._last_sent + limiter.min_delay - limiter._clock()) > 0:
                await limiter._sleep(wait)
            # The shared gate last: its slot is held only while this process is ready to send.
            gate = limiter.gate
            self._shared, self._held = (await gate.acquire(limiter.key, concurrency=limiter.concurrency, rate=limiter.rate)
                                        if gate is not None else (False, None))
        except BaseException:
            try:
                if stamp is not None:
                    stamp.sent()
            finally:
                limiter._slots.release()
            raise
        limiter.in_flight += 1
        self._stamp = stamp
        return stamp

    async def __aexit__(self, *exc_info: object) -> None:
        limiter = self._limiter
        try:
            limiter.in_flight -= 1
            if self._shared:
                assert limiter.gate is not None
                await limiter.gate.release(limiter.key, self._held)
        finally:
            try:
                self._stamp.sent()
            finally:
                limiter._slots.release()


class HostLimiters:
    """One :class:`HostLimiter` per authority (host:port): the first source to reach a host sets its
    concurrency, the strictest rate any source asks for wins."""

    def __init__(self, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep,
                 gate: SharedHostGate | None = None) -> None:
        """``gate``: a limit shared with other processes, taken per request on top of the local one (optional)."""
        self._clock, self._sleep = clock, sleep
        self._limiters: dict[str, HostLimiter] = {}
        self.gate = GateGuard(gate) if gate is not None else None

    def get(self, url: str, rate: float, concurrency: int) -> HostLimiter:
        key = authority(url)
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = HostLimiter(rate, concurrency, clock=self._clock, sleep=self._sleep, gate=self.gate, key=key)
            self._limiters[key] = limiter
        else:
            limiter.tighten_rate(rate)
        return limiter


# --- circuit breaker -----------------------------------------------------------------------


@dataclass
class _HostCircuit:
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False
    reason: str | None = None


class CircuitBreaker:
    """After ``threshold`` consecutive failed fetches on a host, fail fast ("circuit_open").

    With ``reset_after`` seconds, one trial request is let through after that time (half-open);
    its success closes the circuit, its failure opens it again. Without it the circuit stays
    open for the rest of the run.
    """

    def __init__(self, threshold: int = 5, *, reset_after: float | None = None, clock: Clock = time.monotonic) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._hosts: dict[str, _HostCircuit] = {}

    def _get(self, host: str) -> _HostCircuit:
        return self._hosts.setdefault(host.lower(), _HostCircuit())

    def allow(self, host: str) -> bool:
        """May a request to ``host`` go out now? (Claims the half-open trial when there is one.)"""
        state = self._get(host)
        if state.opened_at is None:
            return True
        if self.reset_after is not None and not state.trial_in_flight and self._clock() - state.opened_at >= self.reset_after:
            state.trial_in_flight = True
            return True
        return False

    def is_open(self, host: str) -> bool:
        return self._get(host).opened_at is not None

    def record_success(self, host: str) -> None:
        self._hosts[host.lower()] = _HostCircuit()

    def record_failure(self, host: str) -> None:
        state = self._get(host)
        state.failures += 1
        state.trial_in_flight = False
        if state.opened_at is not None:  # a failed trial (or a failure while open): open again, same reason
            state.opened_at = self._clock()
        elif state.failures >= self.threshold:
            state.opened_at = self._clock()
            state.reason = None

    def trip(self, host: str, reason: str) -> None:
        """Open the circuit now, e.g. when the host asked us to come back much later (long Retry-After)."""
        state = self._get(host)
        state.failures = max(state.failures, self.threshold)
        state.opened_at = self._clock()
        state.trial_in_flight = False
        state.reason = reason

    def reason(self, host: str) -> str:
        state = self._get(host)
        return state.reason or f"{state.failures} consecutive failures on {host}"

    def failures(self, host: str) -> int:
        return self._get(host).failures


# --- robots.txt --------------------------------------------------------------------------


@dataclass(frozen=True)
class RobotsResponse:
    """What fetching /robots.txt gave: a status (None on network failure), the body, an error text."""

    status: int | None
    body: bytes | None = None
    error: str | None = None
    unavailable: bool = False  # e.g. a redirect off the source's hosts: RFC 9309 lets us treat it as 4xx


@dataclass
class RobotsRules:
    """The rules for one origin; ``mode`` is "parsed", "allow_all" or "disallow_all", ``reason`` says why."""

    mode: str
    reason: str
    parser: Protego | None = field(default=None, repr=False)
    _delays: dict[str, float | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    """:meth:`crawl_delay` by user agent: asked before every request, and the parsed rules never change."""

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.mode == "allow_all":
            return True
        if self.mode == "disallow_all":
            return False
        assert self.parser is not None
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Seconds between requests asked by Crawl-delay (or Request-rate), None when not set."""
        if self.parser is None:
            return None
        if user_agent in self._delays:
            return self._delays[user_agent]
        delays = []
        delay = self.parser.crawl_delay(user_agent)
        if delay:
            delays.append(float(delay))
        rate = self.parser.request_rate(user_agent)
        if rate and rate.requests:
            delays.append(rate.seconds / rate.requests)
        self._delays[user_agent] = answer = max(delays) if delays else None
        return answer


def rules_from_response(response: RobotsResponse) -> RobotsRules:
    """RFC 9309 status handling (see the module docstring)."""
    status = response.status
    if response.unavailable:
        return RobotsRules("allow_all", f"robots.txt unavailable ({response.error}): no restrictions")
    if status is None:
        return RobotsRules("disallow_all", f"robots.txt unreachable ({response.error or 'network error'}): disallow all this run")
    if 200 <= status < 300:
        text = (response.body or b"")[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        return RobotsRules("parsed", f"robots.txt {status}", Protego.parse(text))
    if status == 429 or status >= 500:
        return RobotsRules("disallow_all", f"robots.txt unreachable (HTTP {status}): disallow all this run")
    if 400 <= status < 500:
        return RobotsRules("allow_all", f"robots.txt unavailable (HTTP {status}): no restrictions")
    return RobotsRules("allow_all", f"robots.txt unavailable (HTTP {status}{', ' + response.error if response.error else ''})")


def robots_url_for(url: str) -> str:
    """The robots.txt URL of the URL's origin, asked at every fetch: the split is urls.split's (the address guard
    split the URL just before), not a new urlsplit (~3 us)."""
    parts = split(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/robots.txt"


RobotsFetch = Callable[[str], Awaitable[RobotsResponse]]


class RobotsCache:
    """robots.txt rules per origin, fetched once per run; concurrent callers share the one fetch."""

    def __init__(self) -> None:
        self._rules: dict[str, asyncio.Future[RobotsRules]] = {}

    async def rules_for(self, url: str, fetch: RobotsFetch) -> RobotsRules:
        robots_url = robots_url_for(url)
        pending = self._rules.get(robots_url)
        if pending is None:
            pending = asyncio.get_running_loop().create_future()
            self._rules[robots_url] = pending
            try:
                rules = rules_from_response(await fetch(robots_url))
            except BaseException as exc:
                # A cancelled or crashed fetch must not leave others waiting forever.
                del self._rules[robots_url]
                pending.set_exception(exc)
                pending.exception()  # mark retrieved
                raise
            pending.set_result(rules)
            return rules
        if pending.done() and not pending.cancelled() and pending.exception() is None:
            return pending.result()  # what awaiting it returns, without a shield around a settled future
        return await asyncio.shield(pending)

    def settled(self, url: str) -> RobotsRules | None:
        """What :meth:`rules_for` returns at once (its origin's rules fetched and read), without a coroutine and a
        fetch callable made for it at every request; None when it would fetch or wait."""
        pending = self._rules.get(robots_url_for(url))
        if pending is not None and pending.done() and not pending.cancelled() and pending.exception() is None:
            return pending.result()
        return None

    def known(self, url: str) -> RobotsRules | None:
        pending = self._rules.get(robots_url_for(url))
        return pending.result() if pending is not None and pending.done() and not pending.exception() else None
