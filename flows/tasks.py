"""The Prefect tasks: one discovery task per source and one task per batch of pages (never per page).

A Prefect task run costs milliseconds of bookkeeping and thousands of them overwhelm the API, so
the boundaries are coarse: :func:`run_source_with_tasks` is the ``source_runner`` the flows hand
to :func:`govpress.run.run_ingest`, calling the library's stages through these two tasks.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from govpress.pipeline import RunContext, SourceOutcome, WorkItem, discover_source, process_batch, run_source
from govpress.registry import Source

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
    return await process_batch(ctx, source, items, number)


def outcome_line(outcome: SourceOutcome) -> str:
    """One log line per source: what a terminal or the flow run's log shows."""
    line = (f"{outcome.source_id}: {outcome.status}; discovered {outcome.discovered}, fetched {outcome.fetched}, "
            f"not modified {outcome.not_modified}, new {outcome.new}, updated {outcome.updated}, "
            f"unchanged {outcome.unchanged}, duplicate {outcome.duplicate}, removed {outcome.removed}, "
            f"failed {outcome.failed} in {outcome.seconds}s")
    if outcome.language_mismatch:
        line += f"; {outcome.language_mismatch} not in the declared language"
    return line + (f" — {outcome.message}" if outcome.message else "")


async def run_source_with_tasks(ctx: RunContext, source: Source) -> SourceOutcome:
    """One source through the stages, with Prefect tasks at the discovery and batch boundaries."""
    outcome = await run_source(ctx, source, discover_fn=discover_task, batch_fn=batch_task)
    logger = get_run_logger()
    (logger.info if outcome.status == "ok" else logger.error)(outcome_line(outcome))
    return outcome
