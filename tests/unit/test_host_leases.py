"""A held host slot's lease (flows/host_limits.py): short, so a dead worker's slot comes back within about a
minute, and renewed while a live request holds it, so a slow request keeps its slot.

The renewal decisions are tested with a clock the test drives (:class:`Ticker`) and a recording
``renew``; then once against a real temporary Prefect API: the 60 s lease is accepted, renewed
while held, and given back.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from uuid import UUID, uuid4

import httpx
import pytest

from govpress.flows.host_limits import LEASE_SECONDS, RENEW_SECONDS, LeaseKeeper, PrefectHostGate, limit_names


class Ticker:
    """``asyncio.sleep`` for the keeper: every sleeper wakes at the test's next :meth:`tick`, not by the clock."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._waiting: list[asyncio.Future] = []

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        wake = asyncio.get_running_loop().create_future()
        self._waiting.append(wake)
        await wake

    async def tick(self) -> None:
        waiting, self._waiting = self._waiting, []
        for wake in waiting:
            if not wake.done():
                wake.set_result(None)
        for _ in range(10):  # let the woken keepers renew and go back to sleep
            await asyncio.sleep(0)


class Api:
    """A recording ``renew``; ``answers`` are raised in turn (None: accepted)."""

    def __init__(self, *answers: BaseException | None) -> None:
        self.answers = list(answers)
        self.renewed: list[UUID] = []

    async def __call__(self, lease_id: UUID) -> None:
        self.renewed.append(lease_id)
        answer = self.answers.pop(0) if self.answers else None
        if answer is not None:
            raise answer


def gone() -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/api/v2/concurrency_limits/leases/x/renew")
    return httpx.HTTPStatusError("410 Gone", request=request, response=httpx.Response(410, request=request))


def keeper(api: Api, ticker: Ticker) -> LeaseKeeper:
    return LeaseKeeper(api, every=RENEW_SECONDS, sleep=ticker.sleep)


def test_a_slot_given_back_before_the_first_renewal_costs_no_api_call() -> None:
    api, ticker, lease = Api(), Ticker(), uuid4()

    async def go():
        leases = keeper(api, ticker)
        leases.hold(lease, "govpress-host:h")
        await asyncio.sleep(0)
        leases.drop(lease)
        for _ in range(3):
            await ticker.tick()
        return leases

    leases = asyncio.run(go())
    assert api.renewed == [] and leases.held == 0


def test_a_held_slot_is_renewed_at_every_tick_until_it_is_given_back() -> None:
    api, ticker, lease = Api(), Ticker(), uuid4()

    async def go():
        leases = keeper(api, ticker)
        leases.hold(lease, "govpress-host:h")
        await asyncio.sleep(0)
        for _ in range(3):
            await ticker.tick()
        renewed_while_held = list(api.renewed)
        leases.drop(lease)
        for _ in range(3):
            await ticker.tick()
        return renewed_while_held, leases

    renewed_while_held, leases = asyncio.run(go())
    assert renewed_while_held == [lease] * 3 and leases.renewals == 3
    assert api.renewed == [lease] * 3  # nothing after the slot was given back
    assert set(ticker.asked) == {RENEW_SECONDS}


def test_a_lease_the_api_no_longer_has_is_said_once_and_not_renewed_again(caplog: pytest.LogCaptureFixture) -> None:
    api, ticker, lease = Api(gone()), Ticker(), uuid4()

    async def go():
        leases = keeper(api, ticker)
        leases.hold(lease, "govpress-host:h")
        await asyncio.sleep(0)
        for _ in range(4):
            await ticker.tick()
        leases.drop(lease)

    with caplog.at_level(logging.WARNING, logger="govpress.flows.host_limits"):
        asyncio.run(go())
    assert api.renewed == [lease]
    lapsed = [r.getMessage() for r in caplog.records if "lapsed" in r.getMessage()]
    assert len(lapsed) == 1 and "govpress-host:h" in lapsed[0]


def test_a_renewal_that_fails_on_the_way_is_tried_again_at_the_next_tick(caplog: pytest.LogCaptureFixture) -> None:
    api, ticker, lease = Api(httpx.ConnectError("All connection attempts failed"), None), Ticker(), uuid4()

    async def go():
        leases = keeper(api, ticker)
        leases.hold(lease, "govpress-host:h")
        await asyncio.sleep(0)
        for _ in range(2):
            await ticker.tick()
        leases.drop(lease)
        return leases.renewals

    with caplog.at_level(logging.WARNING, logger="govpress.flows.host_limits"):
        renewals = asyncio.run(go())
    assert api.renewed == [lease, lease] and renewals == 1
    assert any("trying again" in r.getMessage() and "ConnectError" in r.getMessage() for r in caplog.records)


def test_closing_stops_every_renewal() -> None:
    api, ticker = Api(), Ticker()

    async def go():
        leases = keeper(api, ticker)
        for _ in range(3):
            leases.hold(uuid4(), "govpress-host:h")
        await asyncio.sleep(0)
        await leases.aclose()
        await ticker.tick()
        return leases.held

    assert asyncio.run(go()) == 0 and api.renewed == []


def test_the_lease_is_the_shortest_prefect_accepts_with_several_renewals_before_it_lapses() -> None:
    """A dead worker's slot comes back LEASE_SECONDS (+ the Repossessor's loop) after its last renewal."""
    from prefect.server.api.concurrency_limits_v2 import bulk_increment_active_slots_with_lease

    body = inspect.signature(bulk_increment_active_slots_with_lease).parameters["lease_duration"].default
    minimum = next(m.ge for m in body.metadata if hasattr(m, "ge"))
    assert LEASE_SECONDS == minimum == 60
    assert LEASE_SECONDS / RENEW_SECONDS >= 3  # a renewal may fail or be slow twice and the slot stays held


def test_a_real_api_keeps_a_held_slot_and_gets_it_back(prefect_api) -> None:
    """Against a temporary Prefect API: the gate's 60 s lease is accepted and renewed while held (renewing
    every 0.05 s here so that renewals happen within the test), and the slot is free again after release."""
    from prefect.client.orchestration import get_client

    host = f"lease-test-{uuid4().hex[:8]}.invalid"
    concurrency_name, _ = limit_names(host)

    async def go():
        async with PrefectHostGate(renew_seconds=0.05) as gate:
            held = await gate.acquire(host, concurrency=1, rate=100.0)
            for _ in range(600):  # at most 30 s for two renewals on a loaded machine
                if gate.leases.renewals >= 2:
                    break
                await asyncio.sleep(0.05)
            async with get_client() as client:
                while_held = await client.read_global_concurrency_limit_by_name(concurrency_name)
                await gate.release(host, held)
                after = await client.read_global_concurrency_limit_by_name(concurrency_name)
            return gate.leases.renewals, gate.leases.held, while_held.active_slots, after.active_slots

    renewals, still_kept, while_held, after = asyncio.run(go())
    assert renewals >= 2 and still_kept == 0
    assert (while_held, after) == (1, 0)
