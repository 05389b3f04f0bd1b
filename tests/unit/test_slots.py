"""Slots: a semaphore whose waiters may go ahead (host slots for discovery pages, the writer's turn for a plan)."""

from __future__ import annotations

import asyncio

from govpress.slots import Slots


def test_waiters_going_ahead_are_served_first_and_the_rest_in_the_order_they_came() -> None:
    slots = Slots(1)
    order: list[str] = []

    async def go() -> None:
        await slots.acquire()

        async def wait(name: str, ahead: bool = False) -> None:
            async with slots.held(ahead=ahead):
                order.append(name)

        tasks = []
        for name, ahead in (("batch 1", False), ("batch 2", False), ("plan a", True), ("batch 3", False), ("plan b", True)):
            tasks.append(asyncio.create_task(wait(name, ahead)))
            await asyncio.sleep(0)
        slots.release()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=5)

    asyncio.run(go())
    assert order == ["plan a", "plan b", "batch 1", "batch 2", "batch 3"]


def test_no_more_holders_than_slots() -> None:
    slots = Slots(2)
    holding = peak = 0

    async def one() -> None:
        nonlocal holding, peak
        async with slots.held(ahead=len(str(holding)) % 2 == 0):
            holding += 1
            peak = max(peak, holding)
            await asyncio.sleep(0.001)
            holding -= 1

    async def go() -> None:
        await asyncio.wait_for(asyncio.gather(*(one() for _ in range(20))), timeout=10)

    asyncio.run(go())
    assert peak == 2


def test_slots_lose_no_slot_to_a_cancelled_waiter() -> None:
    slots = Slots(1)

    async def go() -> list[str]:
        got: list[str] = []
        await slots.acquire()

        async def wait(name: str, ahead: bool = False) -> None:
            await slots.acquire(ahead=ahead)
            got.append(name)

        cancelled = asyncio.create_task(wait("cancelled while waiting", ahead=True))
        granted_then_cancelled = asyncio.create_task(wait("granted, then cancelled"))
        last = asyncio.create_task(wait("last"))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
        slots.release()  # handed to the next live waiter...
        granted_then_cancelled.cancel()  # ...which is cancelled before it runs: the slot passes on
        await asyncio.gather(cancelled, granted_then_cancelled, return_exceptions=True)
        await asyncio.wait_for(last, timeout=5)
        slots.release()
        await asyncio.wait_for(slots.acquire(), timeout=5)  # and the slot is free again
        return got

    assert asyncio.run(go()) == ["last"]
