"""deployments/prefect.yaml: every entrypoint is a flow, the schedules match the registry, flows/serve.py agrees."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govpress.registry import load_registry
from govpress.schedules import ScheduledIngest, scheduled_ingests

ROOT = Path(__file__).resolve().parents[2]
PREFECT_YAML = ROOT / "deployments" / "prefect.yaml"
MANUAL = {"ingest-manual": "ingest", "backfill": "backfill", "reparse": "reparse", "publish": "publish",
          "rerun-failed": "rerun-failed", "report": "report"}


def load_serve_module():
    from govpress.flows import serve

    return serve


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def deployments(config) -> dict[str, dict]:
    names = [d["name"] for d in config["deployments"]]
    assert len(names) == len(set(names)), "duplicate deployment names"
    return {d["name"]: d for d in config["deployments"]}


def yaml_block(group: ScheduledIngest) -> str:
    """What prefect.yaml should say for one group (printed when the file has drifted)."""
    return (f"- name: {group.name}\n  entrypoint: flows/ingest.py:ingest\n"
            f"  description: Scheduled ingest of {', '.join(group.source_ids)} ({group.cron}, {group.timezone}).\n"
            f"  tags: *scheduled_tags\n  parameters:\n    sources: [{', '.join(group.source_ids)}]\n"
            f"  schedules:\n  - cron: \"{group.cron}\"\n    timezone: {group.timezone}\n  work_pool: *default_pool\n")


def test_every_entrypoint_resolves_to_a_flow(deployments):
    from prefect import Flow  # imported by the tests that use it: test collection stays quick
    from prefect.flows import load_flow_from_entrypoint

    for name, spec in deployments.items():
        path, _, attr = spec["entrypoint"].partition(":")
        assert (ROOT / path).is_file(), f"{name}: no file {path}"
        loaded = load_flow_from_entrypoint(f"{ROOT / path}:{attr}")
        assert isinstance(loaded, Flow), f"{name}: {spec['entrypoint']} is not a flow"
        expected_flow = "ingest" if name.startswith("ingest-") else MANUAL[name]
        assert loaded.name == expected_flow, f"{name}: runs flow {loaded.name}, expected {expected_flow}"


def test_scheduled_ingests_match_the_registry(deployments):
    groups = scheduled_ingests(load_registry())
    expected = {g.name: g for g in groups}
    scheduled = {n: d for n, d in deployments.items() if d.get("schedules")}
    drift = "prefect.yaml's scheduled ingests differ from sources.toml; the blocks should read:\n\n" + \
        "\n".join(yaml_block(g) for g in groups)
    assert set(scheduled) == set(expected), drift
    for name, spec in scheduled.items():
        group = expected[name]
        assert spec["entrypoint"] == "flows/ingest.py:ingest", drift
        assert spec["schedules"] == [{"cron": group.cron, "timezone": group.timezone}], drift
        assert spec["parameters"]["sources"] == list(group.source_ids), drift


def test_manual_deployments_have_no_schedule_and_every_deployment_a_pool(config, deployments):
    for name in MANUAL:
        assert deployments[name]["schedules"] == [], name
    pool = config["definitions"]["work_pools"]["default"]
    assert pool["name"] == "govpress-process"
    for name, spec in deployments.items():
        assert spec["work_pool"] == pool, f"{name}: not on the default pool"


def test_serve_py_serves_the_same_deployments(deployments, tmp_path):
    serve = load_serve_module()
    built = serve.build_deployments(ROOT / "sources.toml", tmp_path / "g.duckdb", schedules="on")
    assert {d.name for d in built} == set(deployments)
    for d in built:
        spec = deployments[d.name]
        assert d.entrypoint.rsplit(".", 1)[1] == spec["entrypoint"].rsplit(":", 1)[1], d.name
        if d.name == "rerun-failed":  # reruns with the parameters of the run it repeats
            assert d.parameters == {}
            continue
        assert d.parameters["db"] == str(tmp_path / "g.duckdb"), d.name
        if d.name not in ("publish", "report"):
            assert d.parameters["sources_file"] == str(ROOT / "sources.toml"), d.name
        crons = [(s.schedule.cron, s.schedule.timezone) for s in d.schedules or []]
        assert crons == [(s["cron"], s["timezone"]) for s in spec["schedules"]], d.name
        if spec.get("parameters", {}).get("sources"):
            assert d.parameters["sources"] == spec["parameters"]["sources"]


def test_serve_py_schedule_modes(tmp_path):
    serve = load_serve_module()
    off = serve.build_deployments(ROOT / "sources.toml", tmp_path / "g.duckdb", schedules="off")
    assert sorted(d.name for d in off) == sorted(MANUAL)
    paused = serve.build_deployments(ROOT / "sources.toml", tmp_path / "g.duckdb", schedules="paused")
    assert all(d.paused for d in paused if d.schedules) and any(d.schedules for d in paused)
    with pytest.raises(ValueError):
        serve.build_deployments(ROOT / "sources.toml", tmp_path / "g.duckdb", schedules="sometimes")
