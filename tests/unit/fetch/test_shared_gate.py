"""The shared host gate (politeness across processes): fetchers with an injected fake gate.

Two Fetchers stand for two worker processes; the fake gate is what they share (in production
Prefect's global concurrency limits, flows/host_limits.py). A fake clock stands in for time.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest

from govpress.archive import Archive
from govpress.fetch.client import Fetcher
from govpress.fetch.politeness import GateGuard, SharedHostGate
from tests.unit.fetch.conftest import PUBLIC_IP, FakeClock, fixed_resolver, make_source

UA = "govpress-test/1.0 (+https://example.org/bot)"
BASE = "https://news.example.gov"
PAGE = b"<html><head><title>t</title></head><body><article><p>text</p></article></body></html>"


class CountingSite:
    """An async MockTransport handler that stays busy a few loop turns and records the peak in flight."""

    def __init__(self, turns: int = 20, fail: set[str] = frozenset()) -> None:
        self.turns = turns
        self.fail = fail
        self.in_flight = 0
        self.peak = 0
        self.paths: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            for _ in range(self.turns):  # other requests get to start meanwhile
                await asyncio.sleep(0)
            if request.url.path in self.fail:
                raise httpx.ConnectError("connection refused")
            if request.url.path == "/robots.txt":
                return httpx.Response(404)
            return httpx.Response(200, content=PAGE, headers={"content-type": "text/html; charset=utf-8"})
        finally:
            self.in_flight -= 1


class FakeGate:
    """A shared gate in memory: ``limit`` slots per host; records the calls and the peak it granted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held: dict[str, int] = {}
        self.peak = 0
        self.acquired: list[tuple[str, int, float]] = []
        self.released = 0
        self._changed = asyncio.Condition()

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> str:
        self.acquired.append((host, concurrency, rate))
        async with self._changed:
            await self._changed.wait_for(lambda: self.held.get(host, 0) < self.limit)
            self.held[host] = self.held.get(host, 0) + 1
            self.peak = max(self.peak, self.held[host])
        return f"slot-{len(self.acquired)}"

    async def release(self, host: str, held: str) -> None:
        assert held.startswith("slot-")
        async with self._changed:
            self.held[host] -= 1
            self.released += 1
            self._changed.notify_all()


class BrokenGate:
    """A gate whose API cannot be reached."""

    def __init__(self, *, on: str = "acquire") -> None:
        self.on = on
        self.calls = 0

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> object:
        self.calls += 1
        if self.on == "acquire":
            raise httpx.ConnectError("All connection attempts failed")
        return object()

    async def release(self, host: str, held: object) -> None:
        raise httpx.ConnectError("All connection attempts failed")


def fetcher(site: CountingSite, clock: FakeClock, tmp_path: Path, name: str, gate: SharedHostGate | None) -> Fetcher:
    return Fetcher(archive=Archive(tmp_path / name), user_agent=UA, transport=httpx.MockTransport(site),
                   resolver=fixed_resolver(default=[PUBLIC_IP]), sleep=clock.sleep, clock=clock, rng_seed=1,
                   retries=0, shared_gate=gate)


async def two_workers(site: CountingSite, clock: FakeClock, tmp_path: Path, gate: SharedHostGate | None,
                      pages: int = 12, concurrency: int = 3):
    """Two fetchers ("processes") fetching ``pages`` pages each of one host at once."""
    source = make_source(concurrency=concurrency, rate_limit=100.0)
    async with fetcher(site, clock, tmp_path, "a", gate) as a, fetcher(site, clock, tmp_path, "b", gate) as b:
        jobs = [f.fetch(f"{BASE}/news/{f is a}-{n}", source) for f in (a, b) for n in range(pages)]
        return await asyncio.gather(*jobs)


def test_without_a_gate_two_processes_together_exceed_the_hosts_concurrency(clock: FakeClock, tmp_path: Path) -> None:
    """The reason for the gate: each fetcher keeps to 3 in flight, the host sees up to 6."""
    site = CountingSite()
    results = asyncio.run(two_workers(site, clock, tmp_path, None))
    assert all(r.ok for r in results)
    assert site.peak > 3


def test_a_shared_gate_holds_the_hosts_concurrency_across_processes(clock: FakeClock, tmp_path: Path) -> None:
    site, gate = CountingSite(), FakeGate(limit=3)
    results = asyncio.run(two_workers(site, clock, tmp_path, gate))
    assert all(r.ok for r in results)
    assert site.peak == 3 and gate.peak == 3
    # Every request (robots.txt included) took one slot and gave it back.
    assert len(gate.acquired) == len(site.paths) == gate.released
    assert gate.held == {"news.example.gov": 0}


def test_the_gate_is_asked_with_the_authority_and_the_sources_limits(clock: FakeClock, tmp_path: Path) -> None:
    site, gate = CountingSite(), FakeGate(limit=8)
    source = make_source(concurrency=5, rate_limit=2.5, start_urls=["http://127.0.0.1:8080/feed"],
                         allow_addresses=["127.0.0.1"])

    async def go():
        async with fetcher(site, clock, tmp_path, "a", gate) as f:
            return await f.fetch("http://127.0.0.1:8080/news/1", source)

    assert asyncio.run(go()).ok
    assert set(gate.acquired) == {("127.0.0.1:8080", 5, 2.5)}


def test_a_crawl_delay_lowers_the_rate_the_gate_is_asked_for(clock: FakeClock, tmp_path: Path) -> None:
    gate = FakeGate(limit=8)

    class Robots(CountingSite):
        async def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/robots.txt":
                return httpx.Response(200, text="User-agent: *\nCrawl-delay: 4\n")
            return await super().__call__(request)

    async def go():
        async with fetcher(Robots(), clock, tmp_path, "a", gate) as f:
            return await f.fetch(f"{BASE}/news/1", make_source(rate_limit=10.0, concurrency=2))

    assert asyncio.run(go()).ok
    assert gate.acquired[0][2] == 10.0  # robots.txt itself, before the delay was known
    assert gate.acquired[-1] == ("news.example.gov", 2, 0.25)


def test_a_failed_request_gives_its_slot_back(clock: FakeClock, tmp_path: Path) -> None:
    site, gate = CountingSite(fail={"/news/True-0", "/news/False-1"}), FakeGate(limit=2)
    results = asyncio.run(two_workers(site, clock, tmp_path, gate, pages=4, concurrency=2))
    assert sorted(r.outcome for r in results).count("network_error") == 2
    assert gate.released == len(gate.acquired) and gate.held == {"news.example.gov": 0}
    assert site.peak <= 2


@pytest.mark.parametrize("on", ["acquire", "release"])
def test_an_unreachable_gate_is_dropped_once_and_the_local_limiter_still_holds(
        clock: FakeClock, tmp_path: Path, caplog: pytest.LogCaptureFixture, on: str) -> None:
    site, gate = CountingSite(), BrokenGate(on=on)
    source = make_source(concurrency=3, rate_limit=100.0)

    async def go():
        async with fetcher(site, clock, tmp_path, "a", gate) as f:
            return await asyncio.gather(*(f.fetch(f"{BASE}/news/{n}", source) for n in range(10)))

    with caplog.at_level(logging.WARNING, logger="govpress.fetch"):
        results = asyncio.run(go())
    assert all(r.ok for r in results)  # nothing lost
    assert site.peak <= 3  # the process's own limit still holds
    warnings = [r.getMessage() for r in caplog.records if "shared host limits unavailable" in r.getMessage()]
    assert len(warnings) == 1 and "ConnectError" in warnings[0] and "local limiter still holds" in warnings[0]
    # Dropped after its first failure: not asked again for every request.
    assert gate.calls <= 3  # the requests already past acquire when it failed, at most the local concurrency


def test_gate_guard_passes_cancellation_through() -> None:
    class Waiting:
        async def acquire(self, host, *, concurrency, rate):
            await asyncio.Event().wait()

        async def release(self, host, held):
            pass

    async def go():
        guard = GateGuard(Waiting())
        task = asyncio.create_task(guard.acquire("h", concurrency=1, rate=1.0))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return guard.failed

    assert asyncio.run(go()) is None
