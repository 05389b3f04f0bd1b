"""deployments/lake/prefect.yaml: the lake topology runs the same groups as deployments/prefect.yaml, each on the
lake store (GOVPRESS_STORE) with the host limits shared by every worker."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LAKE_YAML = ROOT / "deployments" / "lake" / "prefect.yaml"
FILE_YAML = ROOT / "deployments" / "prefect.yaml"


def ingests(path: Path) -> dict[str, dict]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {d["name"]: d for d in config["deployments"] if d["entrypoint"] == "flows/ingest.py:ingest"}


@pytest.fixture(scope="module")
def lake() -> dict[str, dict]:
    return ingests(LAKE_YAML)


def test_the_lake_runs_the_same_scheduled_groups_as_the_file_store(lake):
    file_store = ingests(FILE_YAML)
    assert set(lake) == set(file_store)
    for name, spec in file_store.items():
        assert lake[name]["schedules"] == spec["schedules"], name
        assert lake[name].get("parameters", {}).get("sources") == spec.get("parameters", {}).get("sources"), name


def test_every_lake_ingest_shares_host_limits_and_loads_the_lake(lake):
    for name, spec in lake.items():
        assert spec["parameters"]["shared_host_limits"] is True, name
        assert spec["parameters"]["db"] == "{{ $GOVPRESS_STORE }}", name


def test_the_lake_parameters_are_the_ingest_flows(lake):
    from prefect.utilities.callables import parameter_schema

    from govpress.flows.ingest import ingest

    schema = parameter_schema(ingest.fn)
    assert schema.properties["shared_host_limits"]["type"] == "boolean"
    assert schema.properties["shared_host_limits"]["default"] is False  # off unless a deployment turns it on
    for name, spec in lake.items():
        assert set(spec["parameters"]) <= set(schema.properties), name


def test_backfill_takes_the_shared_host_limits_as_ingest_does() -> None:
    """Issue 15: a backfill on the lake fetches beside the scheduled ingests, so it shares their host limits."""
    from prefect.utilities.callables import parameter_schema

    from govpress.flows.ingest import ingest
    from govpress.flows.operations import backfill

    ingest_schema, backfill_schema = parameter_schema(ingest.fn), parameter_schema(backfill.fn)
    same = {k: v for k, v in ingest_schema.properties["shared_host_limits"].items() if k != "position"}
    assert {k: v for k, v in backfill_schema.properties["shared_host_limits"].items() if k != "position"} == same
    lake_backfills = [d for d in yaml.safe_load(LAKE_YAML.read_text(encoding="utf-8"))["deployments"]
                      if d["entrypoint"] == "flows/operations.py:backfill"]
    assert len(lake_backfills) == 1
    assert lake_backfills[0]["parameters"] == {"db": "{{ $GOVPRESS_STORE }}", "shared_host_limits": True}
