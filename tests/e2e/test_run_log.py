"""govpress.* log records reach the flow run's log in Prefect (the UI's Logs tab), from worker threads too."""

from __future__ import annotations

import asyncio
import logging
import warnings

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_library_records_inside_a_run_go_to_its_log_and_outside_nowhere(prefect_api):
    from prefect import flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    from govpress.flows import run_log

    handler = run_log.install()
    assert run_log.install() is handler  # once per process
    library = logging.getLogger("govpress.store")

    @flow(name="run-log-probe")
    async def probe() -> None:
        library.warning("database /x.duckdb is locked by another process (pid 7); retrying in 2.0 s")
        await asyncio.to_thread(library.info, "logged from a worker thread")
        logging.getLogger("govpress.fetch").debug("below the level: not sent")

    async def scenario():
        state = await probe(return_state=True)
        run_id = state.state_details.flow_run_id
        async with get_client() as client:
            for _ in range(50):  # the API log worker sends in batches: a bounded wait
                logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
                if sum(log.name.startswith("govpress.") for log in logs) >= 2:
                    break
                await asyncio.sleep(0.2)
        return [(log.name, log.message) for log in logs if log.name.startswith("govpress.")]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # outside a run: dropped silently, no "without a flow run id" warning
        library.warning("outside any run")
    found = asyncio.run(scenario())
    assert ("govpress.store", "database /x.duckdb is locked by another process (pid 7); retrying in 2.0 s") in found
    assert ("govpress.store", "logged from a worker thread") in found
    assert all(message != "below the level: not sent" for _, message in found)
    assert all(message != "outside any run" for _, message in found)
