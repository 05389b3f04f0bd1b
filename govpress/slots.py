"""A semaphore whose waiters may go ahead of the queue: one asyncio primitive, shared by the fetcher and the pipeline."""

from __future__ import annotations

import asyncio
import heapq
import itertools


class Slots:
    """At most ``size`` holders at a time; waiters are served ahead first, then in the order they came.

    asyncio.Semaphore is first come, first served only; this adds the one priority govpress needs and
    nothing else: a host's slots, where discovery pages go ahead of page fetches
    (govpress.fetch.politeness.AHEAD_PURPOSES), and a run's turn at the DuckDB writer, where a source's
    plan goes ahead of other sources' batches (govpress.pipeline.RunContext.write_lock).
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    async def acquire(self, *, ahead: bool = False) -> None:
        if self._free > 0:  # a free slot means nobody waits: release() hands slots to waiters first
            self._waiters.clear()  # only cancelled ones can be left
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (0 if ahead else 1, next(self._arrivals), waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # granted just as we were cancelled: pass it on
                self.release()
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():  # a cancelled waiter is skipped
                waiter.set_result(None)
                return
        self._free += 1

    def held(self, *, ahead: bool = False) -> _Held:
        """``async with slots.held():`` one slot, released on the way out (a plain class: a generator-based
        context manager cost the fetcher ~5 us a request, for each host's slots)."""
        return _Held(self, ahead)


class _Held:
    __slots__ = ("_slots", "_ahead")

    def __init__(self, slots: Slots, ahead: bool) -> None:
        self._slots = slots
        self._ahead = ahead

    async def __aenter__(self) -> None:
        await self._slots.acquire(ahead=self._ahead)

    async def __aexit__(self, *exc_info: object) -> None:
        self._slots.release()
