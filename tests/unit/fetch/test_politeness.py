"""Token bucket, host limiters, circuit breaker and robots rules, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from govpress.fetch.politeness import (
    CircuitBreaker,
    HostLimiter,
    HostLimiters,
    RobotsCache,
    RobotsResponse,
    TokenBucket,
    authority,
    robots_url_for,
    rules_from_response,
)
from tests.unit.fetch.conftest import FakeClock


def test_token_bucket_spaces_acquisitions_by_one_over_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, burst=1, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def go() -> None:
        for _ in range(5):
            await bucket.acquire()
            starts.append(clock())

    asyncio.run(go())
    gaps = [round(b - a, 6) for a, b in zip(starts, starts[1:])]
    assert starts[0] == 1000.0  # the first token is there at once
    assert gaps == [0.5, 0.5, 0.5, 0.5]


def test_token_bucket_burst_then_steady_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1.0, burst=3, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def go() -> None:
        for _ in range(5):
            await bucket.acquire()
            starts.append(clock() - 1000.0)

    asyncio.run(go())
    assert [round(s, 6) for s in starts] == [0.0, 0.0, 0.0, 1.0, 2.0]


def test_token_bucket_concurrent_waiters_are_spaced_too() -> None:
    clock = FakeClock()
    bucket = TokenBucket(4.0, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        starts.append(clock() - 1000.0)

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(6)))

    asyncio.run(go())
    assert sorted(round(s, 6) for s in starts) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]


def test_host_limiter_crawl_delay_only_slows_down() -> None:
    clock = FakeClock()
    limiter = HostLimiter(5.0, 2, clock=clock, sleep=clock.sleep)
    limiter.apply_crawl_delay(2.0)
    assert limiter.rate == pytest.approx(0.5)
    limiter.apply_crawl_delay(0.1)  # a smaller delay later does not speed us up
    assert limiter.rate == pytest.approx(0.5)
    fast = HostLimiter(0.1, 1, clock=clock, sleep=clock.sleep)
    fast.apply_crawl_delay(1.0)  # our own rate is already slower than the crawl delay
    assert fast.rate == pytest.approx(0.1)


def test_crawl_delay_spacing_runs_from_the_send_stamp_not_from_the_grant() -> None:
    clock = FakeClock()
    limiter = HostLimiter(50.0, 4, clock=clock, sleep=clock.sleep)
    limiter.apply_crawl_delay(1.0)
    sent: dict[str, float] = {}
    first_sent, first_may_finish = asyncio.Event(), asyncio.Event()
    in_flight_at_second_send: list[int] = []

    async def first() -> None:
        async with limiter.slot() as stamp:
            clock.now += 0.2  # granted at 0, on the wire 0.2 s later (a busy loop, a slow connect)
            stamp.sent()
            sent["first"] = clock() - 1000.0
            first_sent.set()
            await first_may_finish.wait()  # a slow answer: still in flight while the next one goes

    async def second() -> None:
        await first_sent.wait()
        async with limiter.slot() as stamp:
            stamp.sent()
            sent["second"] = clock() - 1000.0
            in_flight_at_second_send.append(limiter.in_flight)
        first_may_finish.set()

    async def go() -> None:
        await asyncio.gather(first(), second())

    asyncio.run(go())
    assert round(sent["first"], 6) == 0.2
    assert round(sent["second"], 6) == 1.2  # granted by the bucket alone it went at 1.0: a 0.8 s gap
    assert in_flight_at_second_send == [2]  # spacing, not serialisation: the first was still answering


def test_host_limiter_concurrency_and_pause() -> None:
    clock = FakeClock()
    limiter = HostLimiter(1000.0, 2, burst=10, clock=clock, sleep=clock.sleep)
    peak = 0
    starts: list[float] = []

    async def request() -> None:
        nonlocal peak
        async with limiter.slot():
            starts.append(clock())
            peak = max(peak, limiter.in_flight)
            await clock.sleep(1.0)

    async def go() -> None:
        limiter.pause_until(clock() + 30.0)
        await asyncio.gather(*(request() for _ in range(5)))

    asyncio.run(go())
    assert peak == 2
    assert min(starts) >= 1030.0  # nobody started during the Retry-After pause


def test_a_discovery_request_takes_the_next_free_slot_before_queued_page_fetches() -> None:
    """Sources sharing a host: a listing page must not wait behind the other sources' queued pages."""
    limiter = HostLimiter(1000.0, 1)
    order: list[str] = []

    async def go() -> None:
        done = asyncio.Event()

        async def fetch(name: str, ahead: bool = False, hold: bool = False) -> None:
            async with limiter.slot(ahead=ahead):
                order.append(name)
                if hold:
                    await done.wait()

        first = asyncio.create_task(fetch("page 1", hold=True))
        await asyncio.sleep(0.01)  # page 1 holds the only slot
        queued = [asyncio.create_task(fetch(f"page {n}")) for n in (2, 3)]
        await asyncio.sleep(0.01)
        late = [asyncio.create_task(fetch("listing", ahead=True)), asyncio.create_task(fetch("page 4"))]
        await asyncio.sleep(0.01)
        done.set()
        await asyncio.gather(first, *queued, *late)

    asyncio.run(go())
    assert order == ["page 1", "listing", "page 2", "page 3", "page 4"]


def test_host_limiters_one_per_authority_strictest_rate_first_concurrency() -> None:
    limiters = HostLimiters()
    first = limiters.get("https://Gov.example/a", 4.0, 2)
    assert limiters.get("http://gov.example/b?x=1", 1.0, 8) is first  # same host: the stricter rate, the first concurrency
    assert first.rate == 1.0 and first.concurrency == 2
    assert limiters.get("https://gov.example/c", 10.0, 1).rate == 1.0  # a laxer source does not loosen it
    assert limiters.get("https://gov.example:8443/", 4.0, 2) is not first  # another port, another server
    assert authority("https://user@Gov.Example:8443/x") == "gov.example:8443" and authority("https://gov.example/") == "gov.example"


def test_circuit_breaker_opens_after_threshold_consecutive_failures() -> None:
    breaker = CircuitBreaker(3)
    for _ in range(2):
        breaker.record_failure("a.gov")
    breaker.record_success("a.gov")  # a success resets the count
    for _ in range(2):
        breaker.record_failure("a.gov")
    assert breaker.allow("a.gov")
    breaker.record_failure("a.gov")
    assert not breaker.allow("a.gov") and breaker.is_open("a.gov")
    assert breaker.allow("b.gov")  # per host
    assert "3 consecutive failures" in breaker.reason("a.gov")


def test_circuit_breaker_half_open_trial_after_reset_time() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(2, reset_after=60.0, clock=clock)
    breaker.record_failure("h")
    breaker.record_failure("h")
    assert not breaker.allow("h")
    clock.now += 61
    assert breaker.allow("h")  # the one trial
    assert not breaker.allow("h")  # no second request while the trial runs
    breaker.record_failure("h")
    assert not breaker.allow("h")
    clock.now += 61
    assert breaker.allow("h")
    breaker.record_success("h")
    assert breaker.allow("h") and breaker.allow("h")


def test_circuit_breaker_trip_keeps_the_reason() -> None:
    breaker = CircuitBreaker(5)
    breaker.trip("h", "Retry-After 3600 s")
    assert not breaker.allow("h") and breaker.reason("h") == "Retry-After 3600 s"


ROBOTS = b"""User-agent: govpress
Disallow: /private/
Crawl-delay: 4

User-agent: *
Disallow: /
"""


def test_robots_rules_parsed_for_our_agent() -> None:
    rules = rules_from_response(RobotsResponse(200, ROBOTS))
    ua = "govpress/0.1 (+https://example.org)"
    assert rules.allowed("https://a.gov/news/1", ua)
    assert not rules.allowed("https://a.gov/private/x", ua)
    assert not rules.allowed("https://a.gov/news/1", "OtherBot/1.0")
    assert rules.crawl_delay(ua) == 4.0
    assert rules.crawl_delay("OtherBot/1.0") is None


def test_robots_request_rate_becomes_a_delay() -> None:
    rules = rules_from_response(RobotsResponse(200, b"User-agent: *\nRequest-rate: 1/10s\n"))
    assert rules.crawl_delay("govpress") == 10.0


@pytest.mark.parametrize(
    "response, mode",
    [
        (RobotsResponse(404), "allow_all"),
        (RobotsResponse(410), "allow_all"),
        (RobotsResponse(401), "allow_all"),  # RFC 9309 2.3.1.3: any 4xx is "unavailable"
        (RobotsResponse(403), "allow_all"),
        (RobotsResponse(429), "disallow_all"),
        (RobotsResponse(500), "disallow_all"),  # 2.3.1.4: "unreachable"
        (RobotsResponse(503), "disallow_all"),
        (RobotsResponse(None, None, "ConnectError"), "disallow_all"),
        (RobotsResponse(302, None, "redirect off host", unavailable=True), "allow_all"),
    ],
)
def test_robots_status_rules_follow_rfc_9309(response: RobotsResponse, mode: str) -> None:
    rules = rules_from_response(response)
    assert rules.mode == mode
    assert rules.allowed("https://a.gov/x", "govpress") is (mode == "allow_all")


def test_robots_cache_fetches_once_per_origin_even_when_concurrent() -> None:
    cache = RobotsCache()
    fetched: list[str] = []

    async def fetch(robots_url: str) -> RobotsResponse:
        fetched.append(robots_url)
        await asyncio.sleep(0)
        return RobotsResponse(200, ROBOTS)

    async def go() -> list[bool]:
        urls = ["https://a.gov/news/1", "https://a.gov/private/2", "https://a.gov/news/3", "http://a.gov/x", "https://b.gov/y"]
        rules = await asyncio.gather(*(cache.rules_for(u, fetch) for u in urls))
        return [r.allowed(u, "govpress") for r, u in zip(rules, urls)]

    assert asyncio.run(go()) == [True, False, True, True, True]
    assert sorted(fetched) == ["http://a.gov/robots.txt", "https://a.gov/robots.txt", "https://b.gov/robots.txt"]


def test_robots_url_keeps_port_and_drops_credentials() -> None:
    assert robots_url_for("http://u:p@127.0.0.1:8123/a/b?c") == "http://127.0.0.1:8123/robots.txt"


class _LockedOnlyBucket(TokenBucket):
    """The bucket as it was before its fast path: every caller through the lock (the reference for the test below)."""

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                self._refill()
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                await self._sleep((1.0 - self._tokens) / self.rate)


def test_a_token_at_hand_is_taken_as_the_locked_path_takes_it_and_waiters_keep_their_order() -> None:
    """The fast path (nobody queued, a token there) grants the same tokens at the same times in the same order as
    every caller taking the lock, with a clock that moves at every reading (an extra or missing reading would show)
    and callers that arrive in bursts, cancel and come back; and it takes no lock."""
    import random

    class TickingClock(FakeClock):
        def __call__(self) -> float:
            self.now += 0.0137
            return self.now

    def run(bucket_type: type[TokenBucket], seed: int) -> list[tuple]:
        rng = random.Random(seed)
        clock = TickingClock()
        bucket = bucket_type(rng.choice([3.0, 50.0, 1e4]), burst=rng.randint(1, 4), clock=clock, sleep=clock.sleep)
        granted: list[tuple] = []

        async def caller(name: int) -> None:
            try:
                await bucket.acquire()
                granted.append((name, round(clock.now, 9), round(bucket._tokens, 9)))
            except asyncio.CancelledError:
                granted.append((name, "cancelled"))

        async def go() -> None:
            tasks = []
            for name in range(40):
                tasks.append(asyncio.ensure_future(caller(name)))
                for _ in range(rng.randint(0, 3)):
                    await asyncio.sleep(0)
                if rng.random() < 0.1:
                    rng.choice(tasks).cancel()
                if rng.random() < 0.2:
                    await clock.sleep(rng.choice([0.01, 0.3, 1.0]))
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run(go())
        return granted + [("sleeps", tuple(round(s, 9) for s in clock.sleeps))]

    for seed in range(60):
        assert run(TokenBucket, seed) == run(_LockedOnlyBucket, seed), seed

    clock = FakeClock()
    bucket = TokenBucket(1e4, burst=1, clock=clock, sleep=clock.sleep)

    class NoLock:
        async def __aenter__(self) -> None:
            raise AssertionError("the lock was taken for a token at hand")

        async def __aexit__(self, *exc: object) -> None:
            return None

    bucket._lock = NoLock()  # type: ignore[assignment]
    asyncio.run(bucket.acquire())


def test_a_fetchs_authority_and_robots_url_reuse_the_address_guards_split_of_its_url() -> None:
    """The address guard splits a URL (urls.split, remembered) just before the limiter and robots.txt ask for its
    authority and its robots.txt URL: they read that split, and split nothing again."""
    from urllib.parse import urlsplit

    from govpress.urls import split

    for url, host, robots in (
        ("http://u:p@127.0.0.1:8123/a/b-reuse?c", "127.0.0.1:8123", "http://127.0.0.1:8123/robots.txt"),
        ("https://Gov.Example/news/reuse-1", "gov.example", "https://Gov.Example/robots.txt"),
        ("https://[::1]:8443/x-reuse", "::1:8443", "https://[::1]:8443/robots.txt"),
    ):
        split(url)
        before = urlsplit.cache_info()  # urllib's own memo counts every urlsplit call, hit or miss
        assert authority(url) == host
        assert robots_url_for(url) == robots
        assert urlsplit.cache_info() == before
        parts = urlsplit(url)  # the same answers as urllib's split
        assert robots == f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/robots.txt"


def test_a_robots_crawl_delay_is_worked_out_once_per_user_agent() -> None:
    """The fetcher asks the rules' crawl delay before every request: the parsed rules answer each user agent's from
    the first reading, the same answer as a fresh reading."""
    from govpress.fetch.politeness import RobotsResponse, rules_from_response

    body = (b"User-agent: *\nCrawl-delay: 2\n\nUser-agent: govpress\nRequest-rate: 1/5\nCrawl-delay: 1\n\n"
            b"User-agent: other\nDisallow: /x/\n")
    rules = rules_from_response(RobotsResponse(200, body, None))
    asked: list[str] = []
    crawl_delay = rules.parser.crawl_delay

    def counting(user_agent: str) -> float | None:
        asked.append(user_agent)
        return crawl_delay(user_agent)

    rules.parser.crawl_delay = counting
    agents = ["govpress/1.0 (+https://example.org)", "SomeBot/2", "other", "govpress/1.0 (+https://example.org)"]
    answers = [rules.crawl_delay(agent) for agent in agents * 3]
    fresh = rules_from_response(RobotsResponse(200, body, None))
    assert answers == [fresh.crawl_delay(agent) for agent in agents * 3] == [5.0, 2.0, None, 5.0] * 3
    assert asked == agents[:3]


def test_settled_robots_rules_are_rules_fors_answer_without_its_coroutine() -> None:
    """RobotsCache.settled answers what rules_for returns at once for an origin whose rules were read, and None while
    they are not (never fetched, being fetched, failed); the Fetcher asks rules_for only then."""
    cache = RobotsCache()
    release = asyncio.Event()

    async def fetch(robots_url: str) -> RobotsResponse:
        if "b.gov" in robots_url:
            await release.wait()
        if "c.gov" in robots_url:
            raise OSError("down")
        return RobotsResponse(200, ROBOTS)

    async def go() -> list:
        out: list = [cache.settled("https://a.gov/news/1")]
        rules = await cache.rules_for("https://a.gov/news/1", fetch)
        out.append(cache.settled("https://a.gov/private/2") is rules is await cache.rules_for("https://a.gov/x", fetch))
        waiting = asyncio.ensure_future(cache.rules_for("https://b.gov/y", fetch))
        await asyncio.sleep(0)
        out.append(cache.settled("https://b.gov/z"))
        release.set()
        await waiting
        out.append(cache.settled("https://b.gov/z") is waiting.result())
        with pytest.raises(OSError):
            await cache.rules_for("https://c.gov/", fetch)
        out.append(cache.settled("https://c.gov/"))
        return out

    assert asyncio.run(go()) == [None, True, None, True, None]
