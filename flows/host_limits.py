"""Politeness across workers: a per-host limit every process shares, on Prefect's global concurrency limits.

The fetcher limits its own requests per host (govpress/fetch/politeness.py). Several workers
fetching the same host at once (docs/scale.md, deployments/lake/) would each do so, and the host
would see N times the registry's limits. :class:`PrefectHostGate` is the fetcher's
``SharedHostGate`` for that case: per request it takes

- one slot of ``govpress-host-rate:<host:port>`` (limit 1, its slots decaying at the source's
  ``rate_limit`` per second, lowered by robots.txt's Crawl-delay): Prefect's ``rate_limit`` mode,
  so the host sees at most that many request starts per second from all workers together;
- then a slot of ``govpress-host:<host:port>`` (limit = the source's ``concurrency``), leased and
  held while the request is in flight (Prefect's ``concurrency`` mode).

These are the calls ``prefect.concurrency.asyncio.rate_limit`` and ``concurrency(name, occupy=1)``
make, made here with the client so a waiting request asks again within :data:`POLL_SECONDS`
rather than after the server's Retry-After (seconds; see there). Both limits are created on first
use and put back to the registry's values when they differ (as flows/writer_limit.py does for the
writer limit), once per host and value per process; every worker reads the same registry, so they
agree. An operator sees them in the UI (Concurrency), with the requests in flight as active slots.

**A dead worker's slots.** A worker killed mid-request (SIGKILL, a lost machine) cannot give its
slot back; Prefect's server frees it when the slot's lease lapses: its Repossessor service looks
for lapsed leases every ``PREFECT_SERVER_SERVICES_REPOSSESSOR_LOOP_SECONDS`` (15 s by default). So
the lease is short, :data:`LEASE_SECONDS` (60 s, the shortest the API accepts), and a request
that holds its slot longer (a slow site; the fetcher's total timeout is 80 s) keeps it by renewing
the lease every :data:`RENEW_SECONDS` while it is held (:class:`LeaseKeeper`, what Prefect's own
``concurrency()`` does in a thread per slot, here as one asyncio task per held slot that asks the
API only once the request has lasted :data:`RENEW_SECONDS`: most requests end long before, and cost
no renewal call). A dead worker's slots are back 60-75 s after its last renewal, not 300 s.
A temporary API (a ``govpress`` command without ``PREFECT_API_URL``) runs no Repossessor: its
leases lapse with the API itself.

The cost: three API calls per request (rate, acquire, release; a fourth every 15 s a request lasts), a few ms each on a
local server. Hence opt-in: the ``shared_host_limits`` flow parameter (on in the lake
deployments, off by default and for the DuckDB file, whose one writer runs every source of a
host in one process anyway). When the API cannot be reached the fetcher's ``GateGuard`` drops
the gate for the rest of the run with one warning, and the run goes on politely per process.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from uuid import UUID

import httpx
from prefect.client.orchestration import PrefectClient, get_client
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

HOST_LIMIT_PREFIX = "govpress-host:"
"""Concurrency limit per authority: ``govpress-host:www.example.gov`` or ``govpress-host:127.0.0.1:8080``."""
RATE_LIMIT_PREFIX = "govpress-host-rate:"
"""Rate limit per authority (one slot, decaying at the host's requests per second)."""
LEASE_SECONDS = 60.0
"""A request's slot lease: the shortest Prefect's API accepts (``lease_duration`` >= 60), renewed while held."""
RENEW_SECONDS = 15.0
"""A held slot's lease is renewed this often: four chances before it lapses, for an API slow to answer (some
calls took ~2 s here). A request shorter than this is never renewed."""
POLL_SECONDS = 0.2
"""At most this long (jittered) between two asks for a taken host slot.

Prefect's own ``concurrency()`` waits the server's Retry-After, which for a limit without decay is
the limit's average slot occupancy (2 s until measured) times the waiting slots, up to 30 s:
with many waiters a host would idle for seconds between requests that last tenths of a second.
Asking again within 0.2 s bounds that wait at the price of a few API calls per waiting request.
Measured on this 2-core machine under load (temporary API, SQLite): 20 requests of 50 ms through a
2-slot limit took 12-19 s either way, because some API calls themselves took ~2 s (the API's
database serializes its writes); most take 20-40 ms."""
MIN_POLL_SECONDS = 0.02
"""The shortest wait between two asks for the rate slot (a host allowing 100 requests/s asks every 20 ms)."""

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


GONE = (404, 410)
"""The API's answer to renewing a lease it no longer has (lapsed, or revoked by the Repossessor)."""


class LeaseKeeper:
    """Keeps the leases of the slots this process holds: each is renewed every ``every`` seconds until dropped.

    ``renew(lease_id)`` asks the API (``renew_concurrency_lease`` with :data:`LEASE_SECONDS`);
    ``sleep`` is ``asyncio.sleep`` (tests pass a clock they drive). A renewal the API refuses
    because the lease is gone is said once and not tried again: the request goes on, and the
    slot is no longer counted (the host may see one request more than its limit meanwhile). Any
    other failure (the API slow or down) is said and retried at the next tick, while the lease
    may still be alive.
    """

    def __init__(self, renew: Callable[[UUID], Awaitable[object]], *, every: float = RENEW_SECONDS,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 logger: logging.Logger | None = None) -> None:
        self._renew = renew
        self.every = every
        self._sleep = sleep
        self._log = logger or log
        self._kept: dict[UUID, asyncio.Task] = {}
        self.renewals = 0
        """Renewals the API accepted (for the tests and the curious)."""

    def hold(self, lease_id: UUID, name: str) -> None:
        """Start keeping ``lease_id`` (a slot of limit ``name``) alive."""
        self._kept[lease_id] = asyncio.create_task(self._keep(lease_id, name), name=f"renew lease of {name}")

    def drop(self, lease_id: UUID) -> None:
        """Stop renewing ``lease_id`` (its slot is being given back). A renewal already on its way may still
        reach the API: harmless, as giving the slot back revokes the lease and a renewal cannot bring it back."""
        task = self._kept.pop(lease_id, None)
        if task is not None:
            task.cancel()

    @property
    def held(self) -> int:
        return len(self._kept)

    async def aclose(self) -> None:
        tasks = list(self._kept.values())
        for lease_id in list(self._kept):
            self.drop(lease_id)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _keep(self, lease_id: UUID, name: str) -> None:
        while True:
            await self._sleep(self.every)
            try:
                await self._renew(lease_id)
                self.renewals += 1
            except httpx.HTTPStatusError as error:
                if error.response.status_code in GONE:
                    self._log.warning("the lease of a %s slot lapsed before this request ended (the API did not "
                                      "hear from this worker for %.0f s): the slot is no longer counted", name,
                                      LEASE_SECONDS)
                    return
                self._log.warning("could not renew the lease of a %s slot (%s); trying again in %.0f s",
                                  name, error, self.every)
            except Exception as error:  # the API slow or unreachable: the lease may still be alive
                self._log.warning("could not renew the lease of a %s slot (%s: %s); trying again in %.0f s",
                                  name, type(error).__name__, error, self.every)


class PrefectHostGate:
    """The fetcher's ``SharedHostGate`` on Prefect's global concurrency limits (see the module docstring).

    ``async with PrefectHostGate() as gate:`` holds one API client for the run.
    """

    def __init__(self, *, logger: logging.Logger | None = None, poll_seconds: float = POLL_SECONDS,
                 renew_seconds: float = RENEW_SECONDS) -> None:
        self._ensured: dict[str, HostLimitValues] = {}
        self._ensuring: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, asyncio.Lock] = {}
        self._log = logger or log
        self._poll = poll_seconds
        self._rng = random.Random()
        self._client: PrefectClient | None = None
        self._stack = AsyncExitStack()
        self.leases = LeaseKeeper(self._renew, every=renew_seconds, logger=self._log)

    async def __aenter__(self) -> "PrefectHostGate":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.leases.aclose()
        self._client = None
        await self._stack.aclose()

    async def _renew(self, lease_id: UUID) -> None:
        await (await self._api()).renew_concurrency_lease(lease_id=lease_id, lease_duration=LEASE_SECONDS)

    async def _api(self) -> PrefectClient:
        if self._client is None:
            self._client = await self._stack.enter_async_context(get_client())
        return self._client

    async def _ensure(self, host: str, values: HostLimitValues) -> None:
        if self._ensured.get(host) == values:
            return
        lock = self._ensuring.setdefault(host, asyncio.Lock())
        async with lock:  # one check per host and value, not one per request waiting for it
            if self._ensured.get(host) == values:
                return
            done = await ensure_host_limits(await self._api(), host, values)
            changed = {name: what for name, what in done.items() if what != "present"}
            if changed:
                self._log.info("shared host limits for %s: %d in flight, %g requests/s (%s)", host,
                               values.concurrency, values.rate,
                               ", ".join(f"{name} {what}" for name, what in changed.items()))
            self._ensured[host] = values

    async def _take(self, name: str, mode: str, cap: float) -> httpx.Response:
        """One slot of ``name``; on 423 wait the server's Retry-After, at most ``cap`` (jittered), and ask again."""
        client = await self._api()
        while True:
            try:
                if mode == "rate_limit":
                    return await client.increment_concurrency_slots(names=[name], slots=1, mode="rate_limit")
                return await client.increment_concurrency_slots_with_lease(
                    names=[name], slots=1, mode="concurrency", lease_duration=LEASE_SECONDS)
            except httpx.HTTPStatusError as error:
                if error.response.status_code != 423:
                    raise
                retry_after = float(error.response.headers.get("Retry-After", cap))
                await asyncio.sleep(min(retry_after, cap) * self._rng.uniform(0.5, 1.0))

    async def acquire(self, host: str, *, concurrency: int, rate: float) -> UUID | None:
        await self._ensure(host, HostLimitValues(concurrency, rate))
        concurrency_name, rate_name = limit_names(host)
        # One waiter per host and process asks the API at a time (the others queue here, in order):
        # every waiter polling at once would multiply the API calls without granting more slots.
        async with self._waiting.setdefault(host, asyncio.Lock()):
            await self._take(rate_name, "rate_limit", max(1.0 / rate, MIN_POLL_SECONDS))
            response = await self._take(concurrency_name, "concurrency", self._poll)
        lease = response.json().get("lease_id")
        if not lease:
            return None  # the limit was deleted meanwhile, nothing is held
        self.leases.hold(UUID(lease), concurrency_name)
        return UUID(lease)

    async def release(self, host: str, held: UUID | None) -> None:
        if held is not None:
            self.leases.drop(held)
            await (await self._api()).release_concurrency_slots_with_lease(lease_id=held)
