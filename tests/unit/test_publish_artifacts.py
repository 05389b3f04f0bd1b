"""The run's two artifacts (flows/artifacts.py, ``run_announcement``): the report's data read on the run's own store
(in its session, before the snapshot), then the table, then the report, then the run's line in its log. The run's
lifecycle sends them while the snapshot is written (tests/unit/store/test_run_lifecycle.py; issue 14)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from types import SimpleNamespace

from govpress.flows import artifacts
from govpress.flows.parameters import DateRange


def test_the_announcement_reads_the_report_on_the_runs_store_then_sends_the_table_then_the_report(monkeypatch, caplog):
    events: list[str] = []

    async def table(*, key, table, description):
        events.append(f"table {key} {table} {description}")

    def report_data(store, run_id, sources, first, last):
        events.append(f"report queried on {store} {run_id} {sources} {first}..{last}")
        return {"rows": 1}

    async def markdown(*, key, markdown, description):
        events.append(f"markdown {key} {markdown} {description}")

    monkeypatch.setattr(artifacts, "acreate_table_artifact", table)
    monkeypatch.setattr(artifacts, "acreate_markdown_artifact", markdown)
    monkeypatch.setattr(artifacts, "report_data", report_data)
    monkeypatch.setattr(artifacts, "render_report", lambda run_id, line, outcomes, data: f"report of {run_id} {data}")
    monkeypatch.setattr(artifacts, "get_run_logger", lambda: logging.getLogger("test.artifacts"))
    monkeypatch.setattr(artifacts, "summary_rows", lambda result: [{"source": "a"}])
    result = SimpleNamespace(run_id="r1", db="g.duckdb", outcomes=[SimpleNamespace(source_id="a")])

    announcement = artifacts.run_announcement(lambda outcomes: f"ingest: {len(outcomes)} source",
                                              DateRange(since=date(2026, 1, 1), until=date(2026, 1, 31)))
    data = announcement.read("the run's store", result)
    with caplog.at_level(logging.INFO, logger="test.artifacts"):
        asyncio.run(announcement.send(result, data))

    assert events == [
        "report queried on the run's store r1 ['a'] 2026-01-01..2026-01-31",
        "table ingest-summary [{'source': 'a'}] Run r1: ingest: 1 source",
        "markdown ingest-report report of r1 {'rows': 1} ingest: 1 source",
    ]
    assert caplog.messages == ["run r1: ingest: 1 source"]
