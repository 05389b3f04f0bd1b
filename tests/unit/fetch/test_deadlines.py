"""client.Deadlines: every attempt's total timeout as ``asyncio.timeout`` bounds it, on one timer of the loop."""

from __future__ import annotations

import asyncio
import random

import pytest

from govpress.fetch.client import Deadlines
from tests.unit.fetch.conftest import CountedTimers


async def _block(deadlines: Deadlines | None, delay: float, work: float) -> str:
    """``work`` seconds of waiting inside a deadline of ``delay`` (``asyncio.timeout`` when ``deadlines`` is None)."""
    try:
        if deadlines is None:
            async with asyncio.timeout(delay):
                await asyncio.sleep(work)
        else:
            deadline = deadlines.enter(delay)
            try:
                await asyncio.sleep(work)
            except BaseException as exc:
                deadline.leave(exc)
                raise
            deadline.leave(None)
    except TimeoutError as exc:
        assert type(exc.__cause__) is asyncio.CancelledError
        return "timeout"
    return "done"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocks_in_flight_end_as_with_asyncio_timeout(seed: int) -> None:
    """Blocks entering at random moments, some of them past their deadline: the same ones time out as with
    asyncio.timeout, each at its own deadline (not earlier, not much later), the others finish."""
    rng = random.Random(seed)
    # (start, work); deadline 0.5: a quick block meets it even when a busy machine stalls the loop for 0.4 s
    plan = [(rng.uniform(0, 0.2), rng.choice([0.0, 0.005, 1.5])) for _ in range(40)]

    async def run(use_deadlines: bool) -> list[tuple[str, float]]:
        deadlines = Deadlines() if use_deadlines else None
        loop = asyncio.get_running_loop()

        async def one(start: float, work: float) -> tuple[str, float]:
            await asyncio.sleep(start)
            began = loop.time()
            outcome = await _block(deadlines, 0.5, work)
            return outcome, loop.time() - began

        return await asyncio.gather(*(one(start, work) for start, work in plan))

    theirs, ours = asyncio.run(run(False)), asyncio.run(run(True))
    assert [o for o, _ in ours] == [o for o, _ in theirs] == ["timeout" if work > 0.5 else "done" for _, work in plan]
    for outcome, took in ours:
        if outcome == "timeout":
            assert took >= 0.5  # not before its deadline (and, timed out, before its work's end)


def test_one_timer_serves_every_block() -> None:
    """asyncio.timeout arms a timer per block; here 200 blocks of one deadline arm the loop's timer once."""
    async def run(use_deadlines: bool) -> int:
        timers = CountedTimers(asyncio.get_running_loop()).start()
        deadlines = Deadlines() if use_deadlines else None
        for _ in range(200):
            assert await _block(deadlines, 30.0, 0) == "done"
        timers.stop()
        return timers.armed

    assert asyncio.run(run(False)) >= 200
    assert asyncio.run(run(True)) == 1


@pytest.mark.parametrize("use_deadlines", [False, True])
def test_a_cancellation_from_outside_is_not_taken_for_the_deadline(use_deadlines: bool) -> None:
    """The task cancelled from outside while its deadline passes: CancelledError, not TimeoutError (Task.uncancel)."""
    async def run() -> str:
        deadlines = Deadlines() if use_deadlines else None

        async def inner() -> str:
            if deadlines is None:
                async with asyncio.timeout(0.05):
                    await asyncio.sleep(1)
            else:
                deadline = deadlines.enter(0.05)
                try:
                    await asyncio.sleep(1)
                except BaseException as exc:
                    deadline.leave(exc)
                    raise
                deadline.leave(None)
            return "done"

        task = asyncio.create_task(inner())
        loop = asyncio.get_running_loop()
        loop.call_at(loop.time() + 0.05, task.cancel)  # the same moment as the deadline
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        except TimeoutError:
            return "timeout"
        return "done"

    outcomes = {asyncio.run(run()) for _ in range(5)}
    assert outcomes <= {"cancelled"}


def test_deadlines_keep_working_on_the_next_loop() -> None:
    """A fetcher's deadlines used by one asyncio.run and then another (tests do): the second run's deadline fires."""
    deadlines = Deadlines()

    async def first() -> str:
        return await _block(deadlines, 30.0, 0)  # leaves the timer armed on this loop

    async def second() -> str:
        return await _block(deadlines, 0.05, 1.0)

    assert asyncio.run(first()) == "done"
    assert asyncio.run(second()) == "timeout"


def test_entering_outside_a_task_raises_as_asyncio_timeout() -> None:
    with pytest.raises(RuntimeError):
        Deadlines().enter(1.0)
