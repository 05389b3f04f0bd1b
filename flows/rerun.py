"""``rerun-failed``: repeat an ingest or backfill run for the sources that did not go through, with its parameters.

The run to repeat is named by its flow run id. Its sources are the ones it asked for (its
``sources`` parameter, or every enabled source of its registry when it named none; a backfill's
one ``source``); those whose task ended plainly Completed are left out, so what is rerun is every
source whose task Failed, ended Unfinished, or never finished (a crashed run). The rerun is a
subflow of the same flow with the same parameters and only those sources: it shows under this
run in the UI, holds the writer slot like any run, and this run ends in its state.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import StateType
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from govpress.flows import run_log
from govpress.flows.ingest import ingest
from govpress.flows.operations import backfill
from govpress.flows.parameters import FlowRunId
from govpress.registry import load_registry

RERUNNABLE = ("ingest", "backfill")
SOURCE_TASK = "source "
"""Task runs named ``source <id>`` are the per-source tasks (flows/tasks.py)."""

run_log.install()


def rerun_name() -> str:
    return f"rerun failed sources of {(flow_run.parameters or {}).get('flow_run_id')}"


def sources_to_rerun(requested: list[str], task_runs: list[tuple[str, StateType | None, str | None]]) -> list[str]:
    """The requested sources whose ``source`` task did not end plainly Completed (failed, unfinished, never ran).

    ``task_runs``: (name, state type, state name) of the run's task runs.
    """
    done = {name.removeprefix(SOURCE_TASK) for name, kind, state in task_runs
            if name.startswith(SOURCE_TASK) and kind == StateType.COMPLETED and state == "Completed"}
    return [s for s in requested if s not in done]


def requested_sources(flow_name: str, parameters: dict[str, Any]) -> list[str]:
    """The sources a run asked for: its ``sources`` (or the registry's enabled ones), a backfill's ``source``."""
    if flow_name == "backfill":
        return [parameters["source"]]
    if parameters.get("sources"):
        return list(parameters["sources"])
    return [s.id for s in load_registry(parameters.get("sources_file")).select(None)]


@flow(name="rerun-failed", flow_run_name=rerun_name, log_prints=True)
async def rerun_failed(flow_run_id: FlowRunId):
    """Rerun an ingest or backfill run for its failed and unfinished sources only, with the same parameters.

    Args:
        flow_run_id: The flow run to repeat for its failed and unfinished sources: the id at the end of its page's address.
    """
    logger = get_run_logger()
    async with get_client() as client:
        original = await client.read_flow_run(UUID(str(flow_run_id)))
        flow_name = (await client.read_flow(original.flow_id)).name
        task_runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[original.id])))
    if flow_name not in RERUNNABLE:
        return Failed(message=f"{original.name} is a {flow_name} run; rerun-failed repeats ingest and backfill runs "
                              "(their sources have tasks of their own)")
    if original.state is None or not original.state.is_final():
        return Failed(message=f"{original.name} has not finished ({original.state_name}); rerun it once it has")
    parameters = dict(original.parameters)
    again = sources_to_rerun(requested_sources(flow_name, parameters),
                             [(t.name, t.state_type, t.state_name) for t in task_runs])
    if not again:
        return Completed(message=f"nothing to rerun: every source of {original.name} completed")
    logger.info("rerunning %s of %s (%s) with its parameters", ", ".join(again), original.name, flow_name)
    if flow_name == "backfill":
        return await backfill(**parameters, return_state=True)
    return await ingest(**{**parameters, "sources": again}, return_state=True)
