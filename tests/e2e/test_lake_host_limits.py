"""Politeness across workers: an ingest and a backfill process fetching one host at once keep to the host's limit together.

The generated site is served in this process by the local site server, with a latency fault on
the release pages so that requests stay in flight long enough to pile up. Two sources of that
one host (127.0.0.1:port), each allowing 2 requests in flight, are collected by two real processes at
once, ``govpress ingest --shared-host-limits`` and ``govpress backfill --shared-host-limits`` (the
two flows share the option through one code path), into one DuckLake catalogue on a
throwaway PostgreSQL (govpress/demo/postgres.py; skipped with the reason where its binaries are
absent), both through one temporary Prefect API started here. Each process alone
may have 2 requests in flight, so without the shared limit the host would see up to 4; the
server's own count says it never saw more than 2, while the two runs' page fetches overlapped
in time. (tests/unit/fetch/test_shared_gate.py shows the 4 without a gate, with a fake gate.)
"""

from __future__ import annotations

import asyncio
import os
from datetime import date
import subprocess
import sys
from pathlib import Path

import pytest

from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, generate_site
from govpress.demo.postgres import PostgresUnavailable, scratch_postgres
from govpress.store import Store
from factories import demo_registry
from testpaths import ROOT as PROJECT_ROOT

pytestmark = pytest.mark.heavy  # a temporary Prefect API and two flow processes: about a minute (run with -m heavy)

SOURCES = ("demo_minfin", "demo_mfa_en")
HOST_CONCURRENCY = 2
LATENCY = 0.5
RUN_TIMEOUT = 300.0
PER_SOURCE = 20
"""Pages per source: at 0.5 s each, two at a time, each process fetches for 5 s or more, longer than the
two processes' start-up times differ by (about 3 s measured on a quiet machine), so their fetches overlap."""


def registry_for(tmp_path: Path, base_url: str) -> Path:
    path = demo_registry(tmp_path / "sources.toml", base_url)
    text = path.read_text(encoding="utf-8").replace("concurrency = 8", f"concurrency = {HOST_CONCURRENCY}")
    path.write_text(text, encoding="utf-8")
    return path


def limit(name: str):
    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            return await client.read_global_concurrency_limit_by_name(name)

    return asyncio.run(read())


@pytest.fixture
def postgres():
    try:
        cluster = scratch_postgres()
        server = cluster.__enter__()
    except PostgresUnavailable as reason:
        pytest.skip(f"needs PostgreSQL for the DuckLake catalogue: {reason}")
    try:
        yield server
    finally:
        cluster.__exit__(None, None, None)


def test_an_ingest_and_a_backfill_on_one_host_never_exceed_its_limit_together(tmp_path: Path, postgres) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from govpress.flows.host_limits import limit_names
    from govpress.flows.temporary_api import TemporaryApi

    generate_site(tmp_path / "site", per_source=PER_SOURCE)
    faults = FaultPlan.of(FaultRule(fault="latency", path="/minfin/news/*", seconds=LATENCY),
                          FaultRule(fault="latency", path="/mfa-en/news/*", seconds=LATENCY))
    postgres.create_database("hosts")
    store = postgres.store(tmp_path / "data", "hosts")
    Store(store).migrate()  # once, as a deployment does before its workers start
    api = TemporaryApi(log=print)
    with LocalSiteServer(tmp_path / "site", faults=faults) as server:
        registry = registry_for(tmp_path, server.base_url)
        url = api.start()
        try:
            env = {**os.environ, "PREFECT_API_URL": url, "PYTHONUNBUFFERED": "1"}
            logs = [tmp_path / f"{source}.log" for source in SOURCES]
            commands = [["ingest"], ["backfill", "--since", "2000-01-01", "--until", date.today().isoformat()]]
            workers = [subprocess.Popen(
                [sys.executable, "-m", "govpress.cli", *command, "--source", source, "--sources-file", str(registry),
                 "--store", store, "--shared-host-limits"],
                cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log.open("wb"), stderr=subprocess.STDOUT)
                for command, source, log in zip(commands, SOURCES, logs)]
            try:
                codes = [worker.wait(timeout=RUN_TIMEOUT) for worker in workers]
            finally:
                for worker in workers:
                    if worker.poll() is None:
                        worker.kill()
            output = "\n".join(log.read_text(encoding="utf-8", errors="replace")[-3000:] for log in logs)
            assert codes == [0, 0], output
            # The host's limit, counted across both processes by the server itself.
            peak = server.peak_in_flight
            assert peak <= HOST_CONCURRENCY, f"the host saw {peak} requests at once (limit {HOST_CONCURRENCY})"
            with temporary_settings(updates={PREFECT_API_URL: url}):
                host = f"127.0.0.1:{server.port}"
                concurrency_limit, rate_limit = (limit(name) for name in limit_names(host))
        finally:
            api.stop()

    assert concurrency_limit.limit == HOST_CONCURRENCY and concurrency_limit.active_slots == 0  # every slot given back
    assert rate_limit.limit == 1 and rate_limit.slot_decay_per_second == 100.0
    # The two runs were fetching at the same time (else the limit was never put to the test).
    with Store(store).reader(fts=False) as con:
        spans = con.execute(
            # started_at is when the fetch was asked for (before the limits); it ended elapsed_ms later.
            "SELECT source_id, min(started_at), max(started_at + to_milliseconds(elapsed_ms)), count(*) FROM fetches "
            "WHERE purpose <> 'robots' GROUP BY source_id ORDER BY source_id").fetchall()
        releases = dict(con.execute("SELECT source_id, count(*) FROM releases GROUP BY ALL").fetchall())
    assert [row[0] for row in spans] == sorted(SOURCES) and all(row[3] >= PER_SOURCE for row in spans)
    (_, first_a, last_a, _), (_, first_b, last_b, _) = spans
    assert first_a < last_b and first_b < last_a, spans
    assert set(releases) == set(SOURCES) and all(count >= PER_SOURCE - 3 for count in releases.values()), releases
