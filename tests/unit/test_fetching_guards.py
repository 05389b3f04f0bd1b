"""What a fetching flow (ingest, backfill) holds for its run: flows/ingest.py ``fetching_guards``.

Both flows go through it, so the shared host limits and the writer slot are decided in one place.
On a lake no writer slot is taken, so these run without a Prefect API (the gate asks the API only
when a request takes a slot).
"""

from __future__ import annotations

import asyncio

import pytest

from govpress.flows.host_limits import PrefectHostGate
from govpress.flows.ingest import fetching_guards, recorded


def lake(tmp_path) -> str:
    return f"ducklake:sqlite:{tmp_path / 'catalogue.sqlite'}?data_path={tmp_path / 'data'}"


@pytest.mark.parametrize("shared", [True, False])
def test_a_lake_run_gets_the_gate_exactly_when_asked(tmp_path, shared: bool) -> None:
    async def held():
        async with fetching_guards(lake(tmp_path), shared) as gate:
            return gate

    gate = asyncio.run(held())
    assert isinstance(gate, PrefectHostGate) if shared else gate is None


def test_the_runs_row_records_shared_limits_only_when_on() -> None:
    assert recorded({"source": "x"}, shared_host_limits=True)["shared_host_limits"] is True
    assert "shared_host_limits" not in recorded({"source": "x"})
