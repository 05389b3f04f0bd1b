"""Helpers for the fetch tests: a fake monotonic clock whose sleep advances it, sources, fake resolvers."""

from __future__ import annotations

import asyncio

import pytest

from govpress.registry import Source
from factories import make_source  # noqa: F401  (re-exported for the fetch tests)

PUBLIC_IP = "93.184.216.34"  # any global unicast address; never contacted (resolvers are fakes)


class FakeClock:
    """Monotonic time that only moves when someone sleeps; records every sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)




class CountedTimers:
    """Counts the timers a running loop arms (``loop.call_at``) between ``start()`` and ``stop()``."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.armed = 0
        self._call_at = loop.call_at

    def _counting(self, *args: object, **kwargs: object) -> asyncio.TimerHandle:
        self.armed += 1
        return self._call_at(*args, **kwargs)  # type: ignore[arg-type]

    def start(self) -> "CountedTimers":
        self.loop.call_at = self._counting  # type: ignore[method-assign]
        return self

    def stop(self) -> None:
        self.loop.call_at = self._call_at  # type: ignore[method-assign]


def fixed_resolver(mapping: dict[str, list[str]] | None = None, default: list[str] | None = None):
    """A resolver answering from a dict; counts calls in ``.calls``."""
    calls: list[str] = []

    async def resolve(host: str) -> list[str]:
        calls.append(host)
        if mapping and host in mapping:
            return mapping[host]
        if default is not None:
            return default
        raise OSError(f"no such host {host}")

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def source() -> Source:
    return make_source()
