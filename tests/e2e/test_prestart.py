"""A run the command line starts before its flow (govpress/prestart.py): adopted by the flow, not redone.

The prestart begins in the flow's event loop, as ``govpress ingest`` begins it, and fetches from the
generated site while no flow run exists; the flow then takes it over. What must hold: every page is
fetched once (the flow's tasks adopt the calls under way), the flow run has its tasks as before, the
``runs`` row names the flow run, the tables are those of ``--without-prefect``; a prestart whose flow
never comes writes nothing and leaves the writer queue; one that does not match its flow is dropped.
"""

from __future__ import annotations

import asyncio
import json
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


def assert_run_artifacts(artifacts: list, flow_run_id: str) -> None:
    """The flow run's table (a row per source) and report, sent beside the run's snapshot (run_announcement)."""
    by_key = {a.key: a for a in artifacts if a.key}
    assert sorted(by_key) == ["ingest-report", "ingest-summary"], [a.key for a in artifacts]
    assert all(str(a.flow_run_id) == flow_run_id for a in by_key.values())
    table = by_key["ingest-summary"].data
    rows = json.loads(table) if isinstance(table, str) else table
    assert sorted(row["source"] for row in rows) == ["demo_agency_en", "demo_agency_ru", "demo_mfa_en", "demo_minfin"]
    assert by_key["ingest-report"].data.startswith("# ingest: 4 sources (4 ok, 0 failed)")


async def flow_run_artifacts(state) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        return await client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[
            state.state_details.flow_run_id])))


async def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the prestart fetched nothing"
        await asyncio.sleep(0.02)


async def until_still(server: LocalSiteServer, seconds: float = 1.5, timeout: float = 60.0) -> None:
    """Until the site has had no request for ``seconds`` (a prestart fetched what it may before its flow)."""
    deadline = time.monotonic() + timeout
    last, since = len(server.requests), time.monotonic()
    while time.monotonic() - since < seconds:
        assert time.monotonic() < deadline, "the prestart never stopped fetching"
        await asyncio.sleep(0.05)
        if len(server.requests) != last:
            last, since = len(server.requests), time.monotonic()


async def recorded_task_runs(client, of_run, settled, timeout: float = 60.0) -> list:
    """The flow run's task runs once ``settled(tasks)`` holds (or as they are at ``timeout``).

    Prefect 3's API records task runs from the client's events in a server service, behind the flow run's
    own final state: read right after the flow, some may be missing, still under their first default name
    (``source-e52``) or not yet completed. Seen once at load 14; polling makes the read deterministic."""
    deadline = time.monotonic() + timeout
    while True:
        tasks = await client.read_task_runs(flow_run_filter=of_run)
        if settled(tasks) or time.monotonic() >= deadline:
            return tasks
        await asyncio.sleep(0.2)


def _task_kinds(tasks) -> Counter:
    return Counter(t.name.split(" ")[0] for t in tasks)


def _settled(tasks) -> bool:
    """One discovery and one verdict per source of the four, at least a batch each, every one completed."""
    kinds = _task_kinds(tasks)
    return (kinds["discover"] == 4 and kinds["source"] == 4 and kinds["batch"] >= 4
            and all(t.state is not None and t.state.is_completed() for t in tasks))


@pytest.mark.parametrize("late", [False, True], ids=["while-fetching", "walks-ended"])
def test_the_flow_adopts_the_prestarted_run_and_fetches_nothing_twice(site, prefect_api, tmp_path: Path, late: bool):
    """``late``: the flow comes once the prestart fetched all it may, its sources' walks ended before any flow
    run existed (each source's discover task then adopts a finished walk)."""
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
            if late:
                await until_still(server)
            fetched_early = sum((release_gets(server) - before).values())
            state = await ingest(db=str(db), sources_file=str(registry), return_state=True)
        finally:
            await early.close()
        async with get_client() as client:
            of_run = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            tasks = await recorded_task_runs(client, of_run, settled=_settled)
            artifacts = await client.read_artifacts(flow_run_filter=of_run)
        return state, fetched_early, tasks, artifacts

    state, fetched_early, tasks, artifacts = asyncio.run(scenario())
    assert state.is_completed(), state
    assert fetched_early >= 5
    # ... and the flow took them over: every release page was fetched once.
    gets = release_gets(server) - before
    assert gets and max(gets.values()) == 1, gets.most_common(3)
    # The flow run has its tasks as before: one discovery and one verdict per source, its batches.
    kinds = _task_kinds(tasks)
    assert kinds["discover"] == 4 and kinds["source"] == 4 and kinds["batch"] >= 4, kinds
    assert all(t.state.is_completed() for t in tasks), [(t.name, t.state.name) for t in tasks]
    con = duckdb.connect(str(db), read_only=True)
    [(flow_run_id, status)] = con.execute("SELECT parameters->>'flow_run_id', status FROM runs").fetchall()
    con.close()
    assert flow_run_id == str(state.state_details.flow_run_id) and status == "completed"
    assert_run_artifacts(artifacts, flow_run_id)

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
    assert_run_artifacts(asyncio.run(flow_run_artifacts(state)), str(state.state_details.flow_run_id))


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


def test_a_warning_logged_before_prefect_was_imported_is_in_the_flow_runs_log(site, prefect_api, tmp_path: Path,
                                                                                monkeypatch):
    """As `govpress ingest` runs it: the prestart begins before the flows are imported (no Prefect log handler
    on the ``govpress`` logger yet), a source's discovery fails and warns, and only then the flows' import
    installs the handler (flows/run_log.py) and the flow adopts the run: the warning is in its flow run's log."""
    import logging

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    from govpress.flows import run_log
    from govpress.flows.ingest import ingest
    from govpress.prestart import EarlyRecords, Prestart

    server, _ = site
    registry = tmp_path / "sources.toml"  # a source whose sitemap is gone: its discovery fails
    text = Path(site[1]).read_text(encoding="utf-8").replace("/mfa-en/sitemap.xml", "/mfa-en/no-sitemap.xml")
    registry.write_text(text, encoding="utf-8")
    db = tmp_path / "g.duckdb"
    library = logging.getLogger("govpress")
    # The process as the command has it before the prestart begins: no handler of the library, the default level.
    monkeypatch.setattr(library, "handlers", [h for h in library.handlers
                                              if not isinstance(h, (run_log.RunLogHandler, EarlyRecords))])
    level = library.level
    library.setLevel(logging.NOTSET)
    seen: list[str] = []
    watch = logging.Handler(logging.WARNING)
    watch.emit = lambda record: seen.append(record.getMessage())
    logging.getLogger("govpress.pipeline").addHandler(watch)

    async def scenario():
        early = Prestart(flow="ingest", db=db, sources_file=registry, source_ids=None, params=RunParams()).begin()
        try:
            await wait_for(lambda: any("discovery failed" in m for m in seen))
            assert early.adoption is None
            run_log.install()  # what importing the flows does (govpress/cli.py imports them after the prestart began)
            state = await ingest(db=str(db), sources_file=str(registry), return_state=True)
        finally:
            await early.close()
        run_id = state.state_details.flow_run_id
        async with get_client() as client:
            for _ in range(100):  # the API log worker sends in batches: a bounded wait
                logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
                if any("discovery failed" in log.message for log in logs):
                    break
                await asyncio.sleep(0.2)
        return [(log.name, log.level, log.message) for log in logs]

    try:
        logs = asyncio.run(scenario())
    finally:
        logging.getLogger("govpress.pipeline").removeHandler(watch)
        library.setLevel(level)
    warned = [(name, level) for name, level, message in logs if message.startswith("demo_mfa_en: discovery failed")]
    assert warned == [("govpress.pipeline", logging.WARNING)], [m for _, _, m in logs]
