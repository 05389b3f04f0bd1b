"""The run's two artifacts (flows/artifacts.py): the table made first, then the report, whose queries now run while
the table goes to the API (issue 14: the flow's end waits for one round trip less)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from govpress.flows import artifacts


def test_the_report_is_queried_while_the_table_is_sent_and_made_after_it(monkeypatch):
    events: list[str] = []

    async def table(*, key, table, description):
        events.append(f"table start {key}")
        await asyncio.sleep(0.2)  # a round trip to the API
        events.append("table done")

    def report_data(store, run_id, sources, first, last):
        events.append(f"report queried {run_id} {sources}")
        return {"rows": 1}

    async def markdown(*, key, markdown, description):
        events.append(f"markdown {key} {markdown}")

    monkeypatch.setattr(artifacts, "acreate_table_artifact", table)
    monkeypatch.setattr(artifacts, "acreate_markdown_artifact", markdown)
    monkeypatch.setattr(artifacts, "report_data", report_data)
    monkeypatch.setattr(artifacts, "render_report", lambda run_id, line, outcomes, data: f"report of {run_id} {data}")
    monkeypatch.setattr(artifacts, "Store", lambda db: db)
    monkeypatch.setattr(artifacts, "get_run_logger", lambda: logging.getLogger("test"))
    result = SimpleNamespace(run_id="r1", db="g.duckdb", outcomes=[SimpleNamespace(source_id="a")])
    monkeypatch.setattr(artifacts, "summary_rows", lambda result: [{"source": "a"}])

    asyncio.run(artifacts.publish_run_artifacts(result, "ingest: 1 source"))

    assert events[0] == "table start ingest-summary"
    assert events.index("report queried r1 ['a']") < events.index("table done")  # beside the table's round trip
    assert events[-1] == "markdown ingest-report report of r1 {'rows': 1}"  # the report after the table, as before
