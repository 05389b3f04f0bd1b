"""A batch's pages go to the parse workers in chunks (a round trip costs the run's process ~0.6 ms of CPU)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from govpress.parse_workers import ParsePool, run_job
from govpress.parsers import ParseError
from govpress.pipeline import PARSE_CHUNK_PAGES, PARSE_ROUNDS, parse_chunks, parse_jobs
from tests.unit.test_parse_workers import page_jobs, same


@pytest.mark.parametrize("count", [0, 1, 2, 7, 8, 9, 15, 31, 50, 80, 155, 200, 1000])
@pytest.mark.parametrize("workers", [1, 2, 8])
def test_chunks_cover_the_batch_in_order_two_per_worker_at_most(count: int, workers: int) -> None:
    chunks = parse_chunks(count, workers)
    sizes = [end - start for start, end in chunks]
    assert [i for start, end in chunks for i in range(start, end)] == list(range(count))
    assert all(size > 0 for size in sizes) and (not sizes or max(sizes) - min(sizes) <= 1)  # even: no 1-page rest
    assert len(chunks) <= PARSE_ROUNDS * workers
    assert len(chunks) >= min(count, workers)  # every worker gets some of the batch while there are pages
    if len(chunks) > workers:
        assert min(sizes) >= PARSE_CHUNK_PAGES  # a chunk beyond one a worker is worth its round trip


@pytest.mark.parametrize(("count", "sizes"), [(15, [8, 7]), (50, [13, 13, 12, 12]), (155, [39, 39, 39, 38]),
                                               (3, [2, 1]), (1, [1])])
def test_a_run_s_batches_go_in_few_round_trips(count: int, sizes: list[int]) -> None:
    # Before: a 15-page batch went in 8 round trips (2 pages each, the last 1), a 155-page one in 10.
    assert [end - start for start, end in parse_chunks(count, 2)] == sizes


class CountingPool:
    """A pool that parses here and counts its round trips."""

    workers = 2

    def __init__(self) -> None:
        self.trips: list[int] = []

    async def parse_many(self, jobs):
        self.trips.append(len(jobs))
        await asyncio.sleep(0.001 * (len(self.trips) % 3))  # chunks answer out of order
        return [run_job(job) for job in jobs]


def test_a_batch_goes_in_chunks_and_comes_back_in_its_order() -> None:
    jobs = (page_jobs() * 14)[:80]
    pool = CountingPool()
    pages = asyncio.run(parse_jobs(pool, jobs))
    assert pool.trips == [20, 20, 20, 20]  # 80 pages, 2 workers: 4 round trips, not 80
    assert all(same(a, run_job(job)) for a, job in zip(pages, jobs, strict=True))


def test_without_workers_each_page_is_parsed_in_a_thread() -> None:
    jobs = page_jobs()
    assert all(same(a, run_job(job)) for a, job in zip(asyncio.run(parse_jobs(None, jobs)), jobs, strict=True))


def test_the_workers_parse_a_chunk_as_this_process_does_and_a_dead_one_fails_its_chunk() -> None:
    jobs = page_jobs()
    with ParsePool(workers=2, min_pages=1) as pool:
        starting = asyncio.run(pool.parse_many(jobs))  # not started: parsed in a thread
        executor = pool.start()
        assert all(same(a, run_job(job)) for a, job in zip(starting, jobs, strict=True))
        assert all(same(a, run_job(job)) for a, job in zip(asyncio.run(pool.parse_many(jobs)), jobs, strict=True))
        os.kill(executor.submit(os.getpid).result(), signal.SIGKILL)
        for _ in range(200):
            pages = asyncio.run(pool.parse_many(jobs[:3]))
            # Until the executor has seen the death, the other worker parses the chunk (and the first page of
            # these fails on its own, "no body text": not the sign to stop on, which it was under load).
            if isinstance(pages[0], ParseError) and "worker process died" in str(pages[0]):
                break
        assert len(pages) == 3 and all(isinstance(p, ParseError) and "worker process died" in str(p) for p in pages)
        assert pool.restarts == 1 and pool.started is False
