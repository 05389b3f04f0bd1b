"""rerun-failed's choice of sources: the ones a run asked for whose ``source`` task did not end plainly Completed."""

from __future__ import annotations

from pathlib import Path



def test_failed_unfinished_and_never_finished_sources_are_rerun():
    from prefect.client.schemas.objects import StateType

    from govpress.flows.rerun import sources_to_rerun

    task_runs = [
        ("discover a", StateType.COMPLETED, "Completed"), ("source a", StateType.COMPLETED, "Completed"),
        ("discover b", StateType.COMPLETED, "Completed"), ("source b", StateType.FAILED, "Failed"),
        ("source c", StateType.COMPLETED, "Unfinished"),
        ("discover d", StateType.RUNNING, "Running"),  # the run crashed before d's verdict
        ("batch e #1", StateType.COMPLETED, "Completed"), ("source e", StateType.CRASHED, "Crashed"),
    ]
    assert sources_to_rerun(["a", "b", "c", "d", "e", "f"], task_runs) == ["b", "c", "d", "e", "f"]
    assert sources_to_rerun(["a"], task_runs) == []


ENTRY = """
[[source]]
id = "{id}"
name = "Ministry"
country = "RU"
institution = "Ministry"
languages = ["ru"]
kind = "feed"
start_urls = ["https://minfin.example.gov/rss"]
enabled = {enabled}
"""


def test_the_sources_a_run_asked_for(tmp_path: Path):
    from govpress.flows.rerun import requested_sources

    registry = tmp_path / "sources.toml"
    registry.write_text(ENTRY.format(id="x", enabled="true") + ENTRY.format(id="y", enabled="false"), encoding="utf-8")
    assert requested_sources("ingest", {"sources": ["y"], "sources_file": str(registry)}) == ["y"]
    assert requested_sources("ingest", {"sources": [], "sources_file": str(registry)}) == ["x"]  # every enabled one
    assert requested_sources("backfill", {"source": "y", "dates": {}}) == ["y"]
