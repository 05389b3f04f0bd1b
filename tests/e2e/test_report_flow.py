"""The report flow on a Prefect API: the file beside the database and a link artifact; its trigger matches prefect.yaml."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from govpress.flows.report_flow import REPORTED_FLOWS, report, report_deployment
from govpress.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "analysis"))
from corpus import fill  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def test_report_flow_writes_the_file_beside_the_database_and_links_it(prefect_api, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    fill(store)
    state = asyncio.run(report(db=str(store.path), since=date(2024, 3, 1), until=date(2024, 3, 31),
                               report_url="http://127.0.0.1:4210/", return_state=True))
    assert state.is_completed(), state
    result = state.result()
    assert result["report"] == str(tmp_path / "report.html") and (tmp_path / "report.html").stat().st_size > 10_000
    assert result["link"] == "http://127.0.0.1:4210/"

    async def artifacts():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["analyst-report"])))

    found = asyncio.run(artifacts())
    assert any(a.type == "markdown" and "(http://127.0.0.1:4210/)" in a.data for a in found), [(a.type, a.data) for a in found]

    # written elsewhere, the link is the file itself (nothing serves it)
    elsewhere = asyncio.run(report(db=str(store.path), out=str(tmp_path / "x" / "other.html"),
                                   report_url="http://127.0.0.1:4210/"))
    assert elsewhere["link"] == (tmp_path / "x" / "other.html").as_uri()


def test_the_report_deployment_is_triggered_by_ingest_and_backfill_as_in_prefect_yaml(tmp_path) -> None:
    deployment = report_deployment(tmp_path / "g.duckdb", "http://127.0.0.1:4210/")
    (trigger,) = deployment.triggers
    assert trigger.expect == {"prefect.flow-run.Completed", "prefect.flow-run.Failed"}
    related = trigger.match_related[0].root if isinstance(trigger.match_related, list) else trigger.match_related.root
    assert related == {"prefect.resource.role": "flow", "prefect.resource.name": list(REPORTED_FLOWS)}
    assert deployment.parameters == {"db": str(tmp_path / "g.duckdb"), "report_url": "http://127.0.0.1:4210/"}
    config = yaml.safe_load((ROOT / "deployments" / "prefect.yaml").read_text())
    (spec,) = [d for d in config["deployments"] if d["name"] == "report"]
    assert spec["entrypoint"] == "flows/report_flow.py:report"
    (yaml_trigger,) = spec["triggers"]
    assert set(yaml_trigger["expect"]) == trigger.expect
    assert yaml_trigger["match_related"] == related
