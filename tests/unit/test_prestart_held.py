"""What a prestarted run holds in memory before its flow adopts it (govpress/prestart.py, ``HeldWrites``).

Nothing of the run can load until the flow run exists, so every batch it fetches stays in memory
until then. The prestart here is never given a flow (no Prefect): it runs against the generated site
until nothing moves any more (every batch it may start is waiting for the held write lock, the walks
for room), and the batches in flight are counted then. Then a plain adoption (the stage calls the
flow's tasks would make, without Prefect) finishes the run, which must hold every release.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import time
from pathlib import Path

import duckdb
import pytest

from factories import demo_registry
from govpress import pipeline
from govpress import prestart as prestart_module
from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.fetch.client import FetchResult
from govpress.pipeline import HELD_BATCHES, PIPELINE_DEPTH, RunContext, SourceOutcome
from govpress.plan import RunParams
from govpress.prestart import Adoption, Prestart, take_early
from govpress.registry import Source

PER_SOURCE = 40
BATCH = 5  # pages per batch: many batches per source out of a small site


@pytest.fixture(autouse=True)
def no_flow_log_handler(monkeypatch):
    """No flow here, so no flow's log handler: Prefect's (flows/run_log.py ``RunLogHandler``), when an earlier test
    of the session installed it on the ``govpress`` logger, is taken off for the test. Left on, it handed each
    record the prestart delivered to Prefect's API handler outside any flow run, which warned once per logger."""
    import logging

    library = logging.getLogger("govpress")
    monkeypatch.setattr(library, "handlers", [h for h in library.handlers if type(h).__name__ != "RunLogHandler"])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("held-site")
    generate_site(root / "site", per_source=PER_SOURCE)
    with LocalSiteServer(root / "site") as server:
        yield server, demo_registry(root / "sources.toml", server.base_url)


def plain_adoption() -> Adoption:
    """The flow's side without Prefect: each stage's first call adopts the one under way (flows/tasks.py)."""

    async def discover(ctx: RunContext, source: Source, parts):
        early = take_early(ctx, (source.id, "discover"))
        return await (early if early is not None else pipeline.discover_source(ctx, source, parts))

    async def batch(ctx: RunContext, source: Source, items, number: int):
        early = take_early(ctx, (source.id, number))
        return await (early if early is not None else pipeline.process_batch(ctx, source, items, number))

    async def verdict(ctx: RunContext, source: Source, outcome: SourceOutcome) -> SourceOutcome:
        return outcome

    return Adoption(parameters={"flow_run_id": "test"}, context=contextvars.copy_context(), discover=discover,
                    batch=batch, verdict=verdict)


class Counted:
    """``process_batch`` counting the batches under way: fetched, parsed and not loaded yet, while writes are held."""

    def __init__(self) -> None:
        self.in_flight = self.peak = 0

    def wrap(self, real):
        async def counted(*args, **kwargs):
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                return await real(*args, **kwargs)
            finally:
                self.in_flight -= 1

        return counted


async def until_still(server: LocalSiteServer, early: Prestart, polls: int = 25) -> None:
    """Until the prestart asks for nothing more (every batch it may start is waiting for the held writes)."""
    deadline = time.monotonic() + 120
    last, still = -1, 0
    while still < polls:
        assert time.monotonic() < deadline, "the prestart never stopped fetching"
        assert not early.task.done(), early.task
        await asyncio.sleep(0.05)
        now = len(server.requests)
        still, last = (still + 1 if now == last else 0), now


def held_bodies() -> int:
    """Release pages' fetched bodies still referenced anywhere in the process."""
    gc.collect()
    return sum(1 for o in gc.get_objects()
               if isinstance(o, FetchResult) and o.purpose == "new" and o.body is not None)


def stored_releases(db) -> int:
    """The releases the run left in ``db``."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(releases,)] = con.execute("SELECT count(*) FROM releases").fetchall()
    finally:
        con.close()
    return releases


@pytest.mark.parametrize("depth", [PIPELINE_DEPTH, PIPELINE_DEPTH + 2])
def test_before_adoption_a_prestart_holds_at_most_held_batches(site, tmp_path: Path, monkeypatch, depth: int):
    """Four sources streaming at once: at most HELD_BATCHES batches wait for the writes, whatever each source
    may have in flight (``depth`` > PIPELINE_DEPTH: the run's own bound is what holds), and no fetched body."""
    server, registry = site
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: BATCH)
    monkeypatch.setattr(pipeline, "PIPELINE_DEPTH", depth)
    counted = Counted()
    monkeypatch.setattr(prestart_module, "process_batch", counted.wrap(pipeline.process_batch))
    db = tmp_path / "g.duckdb"

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams()).begin()
        try:
            await until_still(server, early)
            held, bodies = counted.peak, held_bodies()
            result = await early.adopt(plain_adoption())
            return held, bodies, result
        finally:
            await early.close()

    held, bodies, result = asyncio.run(scenario())
    # Four sources with eight batches of work each: the bound is reached (the lent slots keep the early start
    # fetching), never passed.
    assert held == HELD_BATCHES, held
    # What waits for the writes is the batches' rows, not the pages they were made of.
    assert bodies == 0, bodies
    assert result.status == "completed", result
    assert all(o.status == "ok" for o in result.outcomes), result.outcomes
    assert stored_releases(db) >= 3 * PER_SOURCE


def test_a_prestarted_backfill_holds_its_sources_pipeline_depth(site, tmp_path: Path, monkeypatch):
    """One source (a backfill): PIPELINE_DEPTH batches wait for the writes, not the run's HELD_BATCHES."""
    server, registry = site
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: BATCH)
    counted = Counted()
    monkeypatch.setattr(prestart_module, "process_batch", counted.wrap(pipeline.process_batch))
    db = tmp_path / "g.duckdb"

    async def scenario():
        early = Prestart(flow="backfill", db=db, sources_file=registry, source_ids=["demo_mfa_en"],
                         params=RunParams(deep=True)).begin()
        try:
            await until_still(server, early)
            return counted.peak
        finally:
            await early.close()

    assert asyncio.run(scenario()) == PIPELINE_DEPTH


def test_beside_a_starting_api_the_held_batches_keep_their_pages_until_they_parse(site, tmp_path: Path, monkeypatch):
    """Parsing held back (a temporary API starting): the batches wait to parse with their fetched pages, at most
    HELD_BATCHES of them; once the server answered they parse and keep their rows only."""
    server, registry = site
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: BATCH)
    counted = Counted()
    monkeypatch.setattr(prestart_module, "process_batch", counted.wrap(pipeline.process_batch))

    async def scenario():
        early = Prestart(flow="ingest", db=tmp_path / "g.duckdb", sources_file=registry, source_ids=None,
                         params=RunParams(), hold_parsing=True).begin()
        try:
            await until_still(server, early)
            unparsed = held_bodies()
            early.parse_now()
            deadline = time.monotonic() + 120
            while held_bodies():  # until the batches parsed
                assert time.monotonic() < deadline, "the batches never parsed"
                await asyncio.sleep(0.1)
            return counted.peak, unparsed
        finally:
            await early.close()

    held, unparsed = asyncio.run(scenario())
    assert held == HELD_BATCHES, held
    assert 0 < unparsed <= HELD_BATCHES * BATCH, unparsed


def test_records_of_a_prestart_are_kept_from_its_begin_and_sent_once(tmp_path: Path, monkeypatch):
    """Before any Prefect handler exists the prestart's records are kept (not others'); at the adoption each is
    sent once to the flow run's log, and the flow's handler (flows/run_log.py) leaves the kept ones alone."""
    import logging

    library = logging.getLogger("govpress")
    monkeypatch.setattr(library, "handlers", [h for h in library.handlers if not isinstance(h, prestart_module.EarlyRecords)])
    sent: list[str] = []
    delivered: list[str] = []

    class FlowHandler(logging.Handler):  # what flows/run_log.py's handler does outside a run
        def emit(self, record):
            early = prestart_module.current()
            if early is not None:
                early.deliver(record, lambda r: delivered.append(r.getMessage()))

    async def scenario():
        early = Prestart(flow="ingest", db=tmp_path / "g.duckdb", sources_file=None, source_ids=["nope"],
                         params=RunParams())
        monkeypatch.setattr(early, "_run", lambda: asyncio.sleep(3600))
        early.begin()
        context = contextvars.copy_context()
        context.run(prestart_module.CURRENT.set, early)
        log = logging.getLogger("govpress.test")
        context.run(log.warning, "before the flows were imported")
        log.warning("not the prestart's")
        flow_handler = FlowHandler()
        library.addHandler(flow_handler)
        try:
            context.run(log.info, "after, before the adoption")
            await asyncio.to_thread(context.run, log.warning, "from a worker thread")
            adoption = Adoption(parameters={}, context=contextvars.copy_context(), discover=None, batch=None,
                                verdict=None, log=lambda r: sent.append(r.getMessage()))
            adopting = asyncio.ensure_future(early.adopt(adoption))
            await asyncio.sleep(0)
            context.run(log.warning, "after the adoption")
            adopting.cancel()
        finally:
            library.removeHandler(flow_handler)
            await early.close()

    asyncio.run(scenario())
    assert sent == ["before the flows were imported", "after, before the adoption", "from a worker thread"]
    assert delivered == ["after the adoption"]


def test_a_walk_that_ends_before_the_adoption_launches_its_last_batch_then(site, tmp_path: Path, monkeypatch):
    """Batches as big as a source's whole walk: a source's first batch goes at once, the rest of its pages only
    when its walk returns. A walk that ended before the flow exists returns then (its discover task adopts it
    later), so every release page is fetched before the adoption; it waited for the flow's discover task before.
    The flow's side still gets one discover call per source, and the run holds every release."""
    server, registry = site
    monkeypatch.setattr(pipeline, "pages_per_batch", lambda source, store_pages: 10_000)
    counted = Counted()
    monkeypatch.setattr(prestart_module, "process_batch", counted.wrap(pipeline.process_batch))
    plain = plain_adoption()
    discovered: list[str] = []

    async def discover(ctx: RunContext, source: Source, parts):
        discovered.append(source.id)
        return await plain.discover(ctx, source, parts)

    adoption = Adoption(parameters=plain.parameters, context=plain.context, discover=discover, batch=plain.batch,
                        verdict=plain.verdict)
    db = tmp_path / "g.duckdb"

    def release_gets() -> int:
        return sum(1 for r in server.requests if r.method == "GET" and "/news/" in r.path)

    async def scenario():
        before = release_gets()
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams()).begin()
        try:
            await until_still(server, early)
            held, fetched = counted.peak, release_gets() - before
            result = await early.adopt(adoption)
            return held, fetched, release_gets() - before, result
        finally:
            await early.close()

    held, fetched_early, fetched, result = asyncio.run(scenario())
    assert result.status == "completed", result
    assert sorted(discovered) == sorted(o.source_id for o in result.outcomes), discovered
    assert len(result.outcomes) < held <= HELD_BATCHES, held  # first batches, and last ones before the adoption
    assert fetched_early == fetched, (fetched_early, fetched)
    assert stored_releases(db) >= 3 * PER_SOURCE
