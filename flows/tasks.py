"""The Prefect tasks, per source and per batch (never per page): discovery, batches, and the source's verdict.

A Prefect task run costs milliseconds of bookkeeping and thousands of them overwhelm the API, so
the boundaries are coarse: :func:`run_source_with_tasks` is the ``source_runner`` the flows hand
to :func:`govpress.run.run_ingest`: a discovery task, one task per batch of 50 pages, then the
task ``source <id>`` whose state tells the truth about the source: Completed when it went through,
**Failed** when it failed or was blocked (the reason is the state's message), Completed named
**Unfinished** when pages were left in the frontier for the next run. The flow goes on with the
other sources either way; ``rerun-failed`` reads these states.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed, State

from govpress.pipeline import RunContext, SourceOutcome, WorkItem, discover_source, process_batch, run_source
from govpress.registry import Source
from govpress.run import FAILING

# A batch is 50 pages: a politely rate-limited host needs minutes, never a quarter of an hour.
# A batch that times out is retried; its load is idempotent.
TASK_TIMEOUT = 15 * 60


# The run context holds an httpx client and a store: not hashable inputs, hence NO_CACHE.
@task(name="discover", task_run_name="discover {source.id}", retries=1, retry_delay_seconds=3,
      timeout_seconds=TASK_TIMEOUT, cache_policy=NO_CACHE)
async def discover_task(ctx: RunContext, source: Source):
    return await discover_source(ctx, source)


@task(name="batch", task_run_name="batch {source.id} #{number}", retries=2, retry_delay_seconds=3,
      timeout_seconds=TASK_TIMEOUT, cache_policy=NO_CACHE)
async def batch_task(ctx: RunContext, source: Source, items: list[WorkItem], number: int):
    return await process_batch(ctx, source, items)


def outcome_line(outcome: SourceOutcome) -> str:
    """One log line per source: what a terminal or the flow run's log shows."""
    line = (f"{outcome.source_id}: {outcome.status}; discovered {outcome.discovered}, fetched {outcome.fetched}, "
            f"not modified {outcome.not_modified}, new {outcome.new}, updated {outcome.updated}, "
            f"unchanged {outcome.unchanged}, duplicate {outcome.duplicate}, removed {outcome.removed}, "
            f"failed {outcome.failed} in {outcome.seconds}s")
    if outcome.language_mismatch:
        line += f"; {outcome.language_mismatch} not in the declared language"
    return line + (f" — {outcome.message}" if outcome.message else "")


def source_state(outcome: SourceOutcome) -> State:
    """The state a source's task ends in (no data on it: a state's data would become an unnamed artifact)."""
    if outcome.status in FAILING:
        return Failed(message=f"{outcome.source_id} {outcome.status}: {outcome.message}")
    if outcome.status == "unfinished":
        return Completed(name="Unfinished", message=f"{outcome.source_id}: {outcome.message}")
    return Completed(message=f"{outcome.source_id}: {outcome.new} new, {outcome.updated} updated")


# The verdict is its own task after the work, not a task around it: a task that ends Failed rolls
# back the transactions of the tasks inside it, and Prefect would show the source's discovery and
# batches as "RolledBack" though they ran and loaded their rows.
@task(name="source", task_run_name="source {outcome.source_id}", cache_policy=NO_CACHE)
async def source_task(outcome: SourceOutcome) -> State:
    """The source's verdict: Completed, Completed named Unfinished, or Failed with the reason."""
    logger = get_run_logger()
    (logger.info if outcome.status == "ok" else logger.warning if outcome.status == "unfinished"
     else logger.error)(outcome_line(outcome))
    return source_state(outcome)


async def run_source_with_tasks(ctx: RunContext, source: Source) -> SourceOutcome:
    """One source through the stages (a discovery task, one task per batch), then its verdict task."""
    outcome = await run_source(ctx, source, discover_fn=discover_task, batch_fn=batch_task)
    await source_task(outcome, return_state=True)
    return outcome
