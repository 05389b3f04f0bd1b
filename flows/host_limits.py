"""Politeness across workers: a per-host limit every process shares, on Prefect's global concurrency limits.

The fetcher limits its own requests per host (govpress/fetch/politeness.py). Several workers
fetching the same host at once (docs/scale.md, deployments/lake/) would each do so, and the host
would see N times the registry's limits. :class:`PrefectHostGate` is the fetcher's
``SharedHostGate`` for that case: per request it takes

- a slot of ``govpress-host:<host:port>`` (limit = the source's ``concurrency``), held while the
  request is in flight: ``prefect.concurrency.asyncio.concurrency(name, occupy=1)``;
- and, when the host has a rate, one of ``govpress-host-rate:<host:port>`` (limit 1, slots decaying
  at the source's ``rate_limit`` per second, lowered by robots.txt's Crawl-delay):
  ``prefect.concurrency.asyncio.rate_limit(name)``.

Both limits are created on first use and put back to the registry's values when they differ
(as flows/writer_limit.py does for the writer limit), once per host and value per process;
every worker reads the same registry, so they agree. A limit an operator deactivates in the UI
stops the sharing for that host (Prefect skips inactive limits); the local limiter still holds.

The cost: two to three API calls per request (rate, acquire, release), a few milliseconds each
on a local server. Hence opt-in: the ``shared_host_limits`` flow parameter (on in the lake
deployments, off by default and for the DuckDB file, whose one writer runs every source of a
host in one process anyway). When the API cannot be reached the fetcher's ``GateGuard`` drops
the gate for the rest of the run with one warning, and the run goes on politely per process.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass

from prefect.client.orchestration import PrefectClient, get_client
from prefect.concurrency.asyncio import concurrency, rate_limit
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

HOST_LIMIT_PREFIX = "govpress-host:"
"""Concurrency limit per authority: ``govpress-host:www.example.gov`` or ``govpress-host:127.0.0.1:8080``."""
RATE_LIMIT_PREFIX = "govpress-host-rate:"
"""Rate limit per authority (one slot, decaying at the host's requests per second)."""
LEASE_SECONDS = 300.0
"""A request's slot lease: longer than any one request (the fetcher's total timeout is 80 s by default)."""

log = logging.getLogger("govpress.flows.host_limits")


def limit_names(host: str) -> tuple[str, str]:
    """The concurrency and rate limit names of an authority (host, or host:port)."""
    return HOST_LIMIT_PREFIX + host, RATE_LIMIT_PREFIX + host


@dataclass(frozen=True)
class HostLimitValues:
    """What a host's two limits should say."""

    concurrency: int
    rate: float


async def ensure_limit(client: PrefectClient, name: str, limit: int, decay: float = 0.0) -> str:
    """Make the global concurrency limit ``name`` exist, active, with ``limit`` slots decaying at ``decay``/s.

    Returns ``"created"``, ``"updated"`` or ``"present"``; safe to call from many processes at once.
    """
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate

    try:
        existing = await client.read_global_concurrency_limit_by_name(name)
    except ObjectNotFound:
        existing = None
    if existing is None:
        try:
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=limit, slot_decay_per_second=decay))
            return "created"
        except ObjectAlreadyExists:  # another worker created it between our read and create
            existing = await client.read_global_concurrency_limit_by_name(name)
    if existing.limit != limit or abs((existing.slot_decay_per_second or 0.0) - decay) > 1e-9 or not existing.active:
        await client.update_global_concurrency_limit(
            name, GlobalConcurrencyLimitUpdate(limit=limit, slot_decay_per_second=decay, active=True))
        return "updated"
    return "present"


async def ensure_host_limits(client: PrefectClient, host: str, values: HostLimitValues) -> dict[str, str]:
    """Both limits of one host, as :func:`ensure_limit` left them (name -> what it did)."""
    concurrency_name, rate_name = limit_names(host)
    return {
        concurrency_name: await ensure_limit(client, concurrency_name, values.concurrency),
        rate_name: await ensure_limit(client, rate_name, 1, values.rate),
    }


class PrefectHostGate:
    """The fetcher's ``SharedHostGate`` on Prefect's global concurrency limits (see the module docstring)."""

    def __init__(self, *, logger: logging.Logger | None = None) -> None:
        self._ensured: dict[str, HostLimitValues] = {}
        self._ensuring: dict[str, asyncio.Lock] = {}
        self._log = logger or log

    async def _ensure(self, host: str, values: HostLimitValues) -> None:
        if self._ensured.get(host) == values:
            return
        lock = self._ensuring.setdefault(host, asyncio.Lock())
        async with lock:  # one check per host and value, not one per request waiting for it
            if self._ensured.get(host) == values:
                return
            async with get_client() as client:
                done = await ensure_host_limits(client, host, values)
            changed = {name: what for name, what in done.items() if what != "present"}
            if changed:
                self._log.info("shared host limits for %s: %d in flight, %g requests/s (%s)", host,
                               values.concurrency, values.rate,
                               ", ".join(f"{name} {what}" for name, what in changed.items()))
            self._ensured[host] = values

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> AsyncExitStack:
        await self._ensure(host, HostLimitValues(concurrency, rate))
        concurrency_name, rate_name = limit_names(host)
        await rate_limit(rate_name, occupy=1, strict=True)
        held = AsyncExitStack()
        await held.enter_async_context(_concurrency(concurrency_name))
        return held

    async def release(self, host: str, held: AsyncExitStack) -> None:
        await held.aclose()


def _concurrency(name: str):
    """One in-flight slot of ``name``, leased so that a worker killed mid-request frees it (on a real server)."""
    return concurrency(name, occupy=1, strict=True, lease_duration=LEASE_SECONDS,
                       raise_on_lease_renewal_failure=False)
