"""A run the command line starts before its flow (govpress/prestart.py): adopted by the flow, not redone.

The prestart begins in the flow's event loop, as ``govpress ingest`` begins it, and fetches from the
generated site while no flow run exists; the flow then takes it over. What must hold: every page is
fetched once (the flow's tasks adopt the calls under way), the flow run has its tasks as before, the
``runs`` row names the flow run, the tables are those of ``--without-prefect``; a prestart whose flow
never comes writes nothing and leaves the writer queue; one that does not match its flow is dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from factories import demo_registry
from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, generate_site
from govpress.plan import RunParams

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TABLES = ("releases", "fetches", "release_links", "same_event_links", "release_listings", "frontier", "coverage_ranges")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("prestart-site")
    generate_site(root / "site", per_source=6)
    # Slow release pages: the prestart is still fetching when the flow takes it over.
    slow = FaultPlan.of(FaultRule(fault="latency", path="*/news/*", seconds=0.05))
    with LocalSiteServer(root / "site", faults=slow) as server:
        yield server, demo_registry(root / "sources.toml", server.base_url)


def release_gets(server: LocalSiteServer) -> Counter:
    return Counter(r.path for r in server.requests if r.method == "GET" and "/news/" in r.path)


def contents(db: Path) -> dict[str, list]:
    """The tables, without what differs from run to run (ids of runs and fetches, times)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in TABLES:
            columns = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if not (c.endswith("_at") or c.endswith("run_id") or c in ("fetch_id", "elapsed_ms"))]
            out[table] = sorted(map(repr, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()))
        return out
    finally:
        con.close()


async def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the prestart fetched nothing"
        await asyncio.sleep(0.02)


def test_the_flow_adopts_the_prestarted_run_and_fetches_nothing_twice(site, prefect_api, tmp_path: Path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from govpress.flows.ingest import ingest
    from govpress.prestart import Prestart
    from govpress.run import ingest_sources

    server, registry = site
    db = tmp_path / "prestart" / "g.duckdb"
    before = release_gets(server)

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams()).begin()
        try:
            # Release pages are fetched before any flow run exists ...
            await wait_for(lambda: sum((release_gets(server) - before).values()) >= 5)
            fetched_early = sum((release_gets(server) - before).values())
            state = await ingest(db=str(db), sources_file=str(registry), return_state=True)
        finally:
            await early.close()
        async with get_client() as client:
            tasks = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[
                state.state_details.flow_run_id])))
        return state, fetched_early, tasks

    state, fetched_early, tasks = asyncio.run(scenario())
    assert state.is_completed(), state
    assert fetched_early >= 5
    # ... and the flow took them over: every release page was fetched once.
    gets = release_gets(server) - before
    assert gets and max(gets.values()) == 1, gets.most_common(3)
    # The flow run has its tasks as before: one discovery and one verdict per source, its batches.
    kinds = Counter(t.name.split(" ")[0] for t in tasks)
    assert kinds["discover"] == 4 and kinds["source"] == 4 and kinds["batch"] >= 4, kinds
    assert all(t.state.is_completed() for t in tasks), [(t.name, t.state.name) for t in tasks]
    con = duckdb.connect(str(db), read_only=True)
    [(flow_run_id, status)] = con.execute("SELECT parameters->>'flow_run_id', status FROM runs").fetchall()
    con.close()
    assert flow_run_id == str(state.state_details.flow_run_id) and status == "completed"

    plain = tmp_path / "plain" / "g.duckdb"
    asyncio.run(ingest_sources(db=plain, sources_file=registry))
    assert contents(db) == contents(plain)


def test_a_prestart_whose_flow_never_comes_writes_nothing_and_leaves_the_queue(site, tmp_path: Path):
    from govpress.prestart import Prestart, queue_folder

    server, registry = site
    db = tmp_path / "g.duckdb"
    before = release_gets(server)

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams()).begin()
        await wait_for(lambda: sum((release_gets(server) - before).values()) >= 5)
        await early.close()  # the temporary API did not answer: the command ends here

    asyncio.run(scenario())
    con = duckdb.connect(str(db), read_only=True)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("runs", "sources", "releases", "fetches", "frontier", "release_listings", "http_cache")}
    con.close()
    assert set(counts.values()) == {0}, counts
    assert not list(queue_folder().glob("*[0-9].lock"))


def test_a_prestart_the_flow_does_not_match_is_dropped_and_the_flow_runs_alone(site, prefect_api, tmp_path: Path):
    from govpress.flows.ingest import ingest
    from govpress.prestart import Prestart

    _, registry = site
    db = tmp_path / "g.duckdb"

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=["demo_minfin"],
                         params=RunParams()).begin()
        try:
            return await asyncio.wait_for(ingest(db=str(db), sources_file=str(registry), return_state=True), 240)
        finally:
            await early.close()

    state = asyncio.run(scenario())
    assert state.is_completed(), state
    con = duckdb.connect(str(db), read_only=True)
    [(runs, sources)] = con.execute("SELECT count(*), max(len(source_ids)) FROM runs").fetchall()
    con.close()
    assert runs == 1 and sources == 4  # the flow's run alone, over every source


def test_beside_a_starting_temporary_api_the_prestart_fetches_but_parses_only_once_it_answered(site, tmp_path: Path,
                                                                                                 monkeypatch):
    import govpress.pipeline as pipeline
    from govpress.prestart import Prestart

    server, registry = site
    db = tmp_path / "g.duckdb"
    before = release_gets(server)
    parsed: list[str] = []
    real = pipeline.parse_job
    monkeypatch.setattr(pipeline, "parse_job", lambda source, result, *a, **k: parsed.append(result.url) or real(
        source, result, *a, **k))

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams(),
                         hold_parsing=True).begin()
        try:
            await wait_for(lambda: sum((release_gets(server) - before).values()) >= 12)
            await asyncio.sleep(1.0)  # the first batches are fetched by now
            held = len(parsed)
            early.parse_now()  # the API answered
            await wait_for(lambda: len(parsed) > 0)
            return held
        finally:
            await early.close()

    assert asyncio.run(scenario()) == 0
