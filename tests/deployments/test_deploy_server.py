"""govpress operated from a real Prefect server: serve.py's deployments, CLI runs, the writer limit, the UI.

One server, one demo site and one serve.py process for the whole module (conftest.py). The runs
go through the real path: API -> runner in serve.py -> flow-run subprocess -> local site server
-> DuckDB in a temp dir.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from govpress.registry import load_registry
from govpress.schedules import scheduled_ingests

from deploy_harness import ARTIFACTS, ROOT, RUN_TIMEOUT, TIMINGS, wait_for_run

pytestmark = pytest.mark.heavy  # a Prefect server, serve.py and flow-run subprocesses: minutes (run with -m heavy)

PREFECT_YAML = ROOT / "deployments" / "prefect.yaml"

MANUAL = ("ingest-manual", "backfill", "reparse", "publish", "rerun-failed")


def loaded_instants(db: Path, source_id: str) -> set[datetime]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT published_at FROM releases WHERE source_id = ?", [source_id]).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def artifact_keys(client, run_id: str) -> set[str]:
    """The keys of a run's artifacts; every artifact has one (a flow that raised would leave an unnamed one)."""
    found = client.post("artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [run_id]}}}).raise_for_status()
    unnamed = [a for a in found.json() if not a.get("key")]
    assert not unnamed, f"unnamed artifacts on run {run_id}: {unnamed}"
    return {a["key"] for a in found.json()}


def create_run(client, served, deployment: str, parameters: dict) -> dict:
    dep = served.deployments[deployment]
    return client.post(f"deployments/{dep['id']}/create_flow_run", json={"parameters": parameters})


# --- what serve.py registered ----------------------------------------------------------------------


def test_registry_cadences_became_deployment_schedules(served, demo_site):
    groups = scheduled_ingests(load_registry(demo_site.registry))
    assert len(groups) >= 3, "the demo registry should have several cadence groups"
    for group in groups:
        dep = served.deployments.get(group.name)
        assert dep is not None, f"no deployment {group.name}; have {sorted(served.deployments)}"
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in dep["schedules"]] == \
            [(group.cron, group.timezone)]
        assert dep["parameters"]["sources"] == list(group.source_ids)
        assert dep["parameters"]["db"] == str(demo_site.db)
        assert dep["paused"] is True  # --pause-schedules: created, not running
    for name in MANUAL:
        dep = served.deployments[name]
        assert dep["schedules"] == [] and dep["paused"] is False
        if name != "rerun-failed":  # it takes the parameters of the run it repeats
            assert dep["parameters"]["db"] == str(demo_site.db)
    scheduled = {n for n, d in served.deployments.items() if d["schedules"]}
    assert scheduled == {g.name for g in groups}


def test_serve_created_the_writer_limit(served, prefect_server):
    with prefect_server.client() as client:
        limit = client.get("v2/concurrency_limits/govpress-duckdb-writer").raise_for_status().json()
    assert limit["limit"] == 1 and limit["active"] is True


def test_server_rejects_out_of_bounds_parameters_before_any_run(served, prefect_server):
    with prefect_server.client() as client:
        before = client.post("flow_runs/count", json={}).raise_for_status().json()
        refused = {
            "ingest-manual": [{"max_pages": -1}, {"sources": ["kremlin_ru"]},  # a real id: not in this registry
                              {"dates": {"since": "2024-10-05", "until": "2024-10-01"}}],
            "backfill": [{"source": "demo_minfin", "dates": {"since": "2024-01-01"}}],
            "publish": [{"steps": "everything"}],
        }
        for name, cases in refused.items():
            for parameters in cases:
                response = create_run(client, served, name, parameters)
                assert response.status_code == 409, (name, parameters, response.text)
        response = create_run(client, served, "ingest-manual", {"dates": {"since": "2024-10-05", "until": "2024-10-01"}})
        assert "'2024-10-01' is not one of ['a day on or after since']" in response.text
        after = client.post("flow_runs/count", json={}).raise_for_status().json()
    assert after == before, "a rejected request must not leave a run behind"


# --- runs ----------------------------------------------------------------------------------------


def test_cli_run_of_ingest_manual_loads_the_date_range(served, prefect_server, demo_site):
    since, until, expected = demo_site.window("minfin")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "prefect", "deployment", "run", "ingest/ingest-manual",
         "-p", 'sources=["demo_minfin"]', "-p", f'dates={{"since": "{since}", "until": "{until}"}}', "--watch",
         "--watch-timeout", str(int(RUN_TIMEOUT))],
        env=prefect_server.env, capture_output=True, text=True, timeout=RUN_TIMEOUT + 30,
    )
    TIMINGS["cli_run_to_completed_s"] = round(time.monotonic() - started, 1)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{served.log_tail()}"
    assert "Completed" in result.stdout
    assert loaded_instants(demo_site.db, "demo_minfin") == expected
    run_id = re.search(r"UUID: ([0-9a-f-]{36})", result.stdout)[1]
    with prefect_server.client() as client:
        run = client.get(f"flow_runs/{run_id}").raise_for_status().json()
        assert run["name"] == f"ingest demo_minfin {since}..{until}"
        assert {"ingest-summary", "ingest-report"} <= artifact_keys(client, run_id)


def test_backfill_then_publish(served, prefect_server, demo_site, tmp_path):
    since, until, expected = demo_site.window("agency-en", count=4)
    snapshot = tmp_path / "analysts.duckdb"
    with prefect_server.client() as client:
        response = create_run(client, served, "backfill", {"source": "demo_agency_en",
                                                           "dates": {"since": str(since), "until": str(until)}})
        assert response.status_code == 201, response.text
        run = wait_for_run(client, response.json()["id"])
        assert run["state_type"] == "COMPLETED", served.log_tail()
        assert run["name"] == f"backfill demo_agency_en {since}..{until}"
        assert loaded_instants(demo_site.db, "demo_agency_en") == expected

        response = create_run(client, served, "publish", {"steps": "snapshot only", "snapshot": str(snapshot)})
        run = wait_for_run(client, response.json()["id"])
        assert run["state_type"] == "COMPLETED", served.log_tail()
        assert "publish-report" in artifact_keys(client, run["id"])
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        in_snapshot = con.execute("SELECT count(*) FROM releases WHERE source_id = 'demo_agency_en'").fetchone()[0]
    finally:
        con.close()
    assert in_snapshot == len(expected)


# --- the writer limit, in this process against the same server ----------------------------------


@pytest.fixture
def api_settings(prefect_server):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: prefect_server.api_url}):
        yield


def test_writer_slot_lets_one_writer_in_at_a_time(served, api_settings):
    from govpress.flows.operations import writer_slot

    events: list[str] = []

    async def writer(name: str) -> None:
        async with writer_slot(timeout_seconds=60):
            events.append(f"{name} in")
            await asyncio.sleep(0.3)
            events.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(writer("a"), writer("b"))

    asyncio.run(both())
    assert len(events) == 4
    assert events[0].endswith(" in") and events[1] == events[0].replace(" in", " out"), events
    assert events[2].endswith(" in") and events[3] == events[2].replace(" in", " out"), events


def test_ensure_writer_limit_recreates_and_repairs(served, api_settings):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

    from govpress.flows.operations import WRITER_LIMIT, ensure_writer_limit

    async def scenario() -> list[str]:
        async with get_client() as client:
            done = [await ensure_writer_limit(client)]
            await client.update_global_concurrency_limit(WRITER_LIMIT, GlobalConcurrencyLimitUpdate(limit=3))
            done.append(await ensure_writer_limit(client))
            await client.delete_global_concurrency_limit_by_name(WRITER_LIMIT)
            done.append(await ensure_writer_limit(client))
            limit = await client.read_global_concurrency_limit_by_name(WRITER_LIMIT)
            done.append(f"{limit.limit} {limit.active}")
            return done

    assert asyncio.run(scenario()) == ["present", "repaired", "created", "1 True"]


# --- the UI ----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_custom_run_from_the_ui(served, prefect_server, demo_site):
    from ui_steps import browser_page, open_custom_run, pick_date, pick_options, shot, submit_custom_run

    since, until, expected = demo_site.window("agency-ru")
    deployment_id = served.deployments["ingest-manual"]["id"]
    with browser_page() as page, prefect_server.client() as client:
        open_custom_run(page, prefect_server.ui_url, served.deployments["ingest-manual"])
        pick_options(page, "sources (Optional)", ["demo_agency_ru"])
        pick_date(page, "Since (Optional)", since)
        pick_date(page, "Until (Optional)", until)
        started = time.monotonic()
        run = submit_custom_run(page, client, deployment_id, "ui-custom-run")
        assert run["parameters"]["sources"] == ["demo_agency_ru"]
        assert run["parameters"]["dates"] == {"since": since.isoformat(), "until": until.isoformat()}
        run = wait_for_run(client, run["id"])
        TIMINGS["ui_submit_to_completed_s"] = round(time.monotonic() - started, 1)
        assert run["state_type"] == "COMPLETED", served.log_tail()
        assert {"ingest-summary", "ingest-report"} <= artifact_keys(client, run["id"])

        assert loaded_instants(demo_site.db, "demo_agency_ru") == expected
        page.goto(f"{prefect_server.ui_url}/runs/flow-run/{run['id']}")
        page.get_by_text(f"ingest demo_agency_ru {since}..{until}").first.wait_for()
        page.get_by_text("Completed").first.wait_for()
        shot(page, "ui-custom-run-completed")


# --- prefect.yaml on a work pool (last: it replaces the served deployments of the same names) -------


def test_prefect_yaml_deploys_every_deployment_on_the_process_pool(prefect_server):
    prefect = [sys.executable, "-m", "prefect"]
    run = dict(env=prefect_server.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    created = subprocess.run([*prefect, "work-pool", "create", "govpress-process", "--type", "process"], **run)
    assert created.returncode == 0, created.stdout + created.stderr
    deployed = subprocess.run([*prefect, "--no-prompt", "deploy", "--all", "--prefect-file",
                               "deployments/prefect.yaml"], **run)
    assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
    spec = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]
    with prefect_server.client() as client:
        found = {d["name"]: d for d in client.post("deployments/filter", json={"limit": 200}).json()}
    for expected in spec:
        dep = found[expected["name"]]
        assert dep["work_pool_name"] == "govpress-process"
        assert dep["entrypoint"] == expected["entrypoint"]
        assert dep["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"]) for s in dep["schedules"]] == \
            [(s["cron"], s["timezone"]) for s in expected["schedules"]]
        assert dep["parameter_openapi_schema"]["properties"], "the flow's parameter schema was not recorded"
