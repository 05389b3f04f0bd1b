"""The Prefect tasks, per source and per batch (never per page): discovery, batches, and the source's verdict.

A Prefect task run costs milliseconds of bookkeeping and thousands of them overwhelm the API, so
the boundaries are coarse: :func:`run_source_with_tasks` is the ``source_runner`` the flows hand
to :func:`govpress.run.run_ingest`: a discovery task (streaming its planned work to the batches while
it walks), one task per batch of pages (50; a lake's up to 400), then the
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
from prefect.utilities.annotations import quote

from govpress.errors import chain
from govpress.flows import run_log
from govpress.pipeline import RunContext, SourceOutcome, WorkItem, discover_source, process_batch, run_source
from govpress.prestart import Adoption, take_early
from govpress.registry import Source
from govpress.run import FAILING, Announcement

# A batch is the store's pages (200 for the DuckDB file, 400 for a lake), capped at five minutes of the
# source's polite rate (govpress/plan.py pages_per_batch): minutes, never a quarter of an hour.
# A batch that times out is retried; its load is idempotent.
TASK_TIMEOUT = 15 * 60


# Discovery streams (govpress/pipeline.py): the walk hands each page's work to the batches and waits
# while they are busy, so the task lasts as long as the source's fetching: its timeout is the flow's.
# A retry resumes the walk where it stood (RunContext.streams), it does not walk the feed again.
DISCOVER_TIMEOUT = 4 * 3600


# The run context holds an httpx client and a store: not hashable inputs, hence NO_CACHE.
@task(name="discover", task_run_name="discover {source.id}", retries=1, retry_delay_seconds=3,
      timeout_seconds=DISCOVER_TIMEOUT, cache_policy=NO_CACHE)
async def discover_task(ctx: RunContext, source: Source, parts):
    return await _plain_discover(ctx, source, parts)


@task(name="batch", task_run_name="batch {source.id} #{number}", retries=2, retry_delay_seconds=3,
      timeout_seconds=TASK_TIMEOUT, cache_policy=NO_CACHE)
async def batch_task(ctx: RunContext, source: Source, items: list[WorkItem], number: int):
    return await _plain_batch(ctx, source, items, number)


def outcome_line(outcome: SourceOutcome) -> str:
    """One log line per source: what a terminal or the flow run's log shows."""
    line = (f"{outcome.source_id}: {outcome.status}; discovered {outcome.discovered}, fetched {outcome.fetched}, "
            f"not modified {outcome.not_modified}, new {outcome.new}, updated {outcome.updated}, "
            f"unchanged {outcome.unchanged}, duplicate {outcome.duplicate}, removed {outcome.removed}, "
            f"failed {outcome.failed} in {outcome.seconds}s")
    if outcome.language_mismatch:
        line += f"; {outcome.language_mismatch} not in the declared language"
    return line + (f" — {outcome.message}" if outcome.message else "")


API_LOST: set[str] = set()
"""Runs (run_id) whose Prefect API stopped answering: their remaining stages run without tasks."""


def api_unreachable(error: BaseException) -> bool:
    """Whether a task call failed because Prefect's API could not be reached (not because the stage failed).

    The stages never raise for network trouble of their own (the fetcher records it), so a
    connection error out of a task call is the API's; so is httpx's closed-client error, which
    every later call raised once the engine's client had been closed by the first failure.
    """
    import httpx

    for item in chain(error):
        if isinstance(item, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return True
        if isinstance(item, RuntimeError) and "client has been closed" in str(item):
            return True
    return False


def tracked(task, plain):
    """Call the stage as its Prefect task; if the API is unreachable, say so once and run it plainly.

    The work is the same either way (loads are idempotent, so a batch whose task failed only in
    its bookkeeping is loaded again without harm); what is lost is the task's record in the UI.
    """

    async def call(ctx: RunContext, source: Source, *args):
        if ctx.run_id not in API_LOST:
            try:
                # quote(): the task gets the objects as they are, and Prefect does not walk them looking
                # for upstream futures (the run context, a batch's work items, discovery's queue: no futures inside).
                return await task(quote(ctx), source, *(a if isinstance(a, int) else quote(a) for a in args))
            except Exception as exc:
                if not api_unreachable(exc):
                    raise
                if ctx.run_id not in API_LOST:
                    API_LOST.add(ctx.run_id)
                    get_run_logger().error(
                        "Prefect's API stopped answering (%s: %s): the rest of this run goes on without Prefect "
                        "task records; its results load into DuckDB as usual", type(exc).__name__, exc)
        return await plain(ctx, source, *args)

    return call


# A run the command line prestarted (govpress/prestart.py) began its stage calls before the flow existed:
# a task's first attempt adopts the call under way (awaits it) instead of running the stage a second time;
# a retry, and every call of a run without a prestart, runs the stage itself.
async def _plain_discover(ctx: RunContext, source: Source, parts):
    early = take_early(ctx, (source.id, "discover"))
    return await (early if early is not None else discover_source(ctx, source, parts))


async def _plain_batch(ctx: RunContext, source: Source, items: list[WorkItem], number: int):
    early = take_early(ctx, (source.id, number))
    return await (early if early is not None else process_batch(ctx, source, items, number))


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
    outcome = await run_source(ctx, source, discover_fn=tracked(discover_task, _plain_discover),
                               batch_fn=tracked(batch_task, _plain_batch))
    return await source_verdict(ctx, source, outcome)


def adoption(parameters: dict, announcement: Announcement | None = None) -> Adoption:
    """What a flow hands the run the command line prestarted (govpress/prestart.py): called in the flow's body,
    so that the stage calls it makes run in this flow run's context, through the same tasks as
    :func:`run_source_with_tasks`."""
    import contextvars

    return Adoption(parameters=parameters, context=contextvars.copy_context(),
                    discover=tracked(discover_task, _plain_discover), batch=tracked(batch_task, _plain_batch),
                    verdict=source_verdict, log=run_log.send, announcement=announcement)


async def source_verdict(ctx: RunContext, source: Source, outcome: SourceOutcome) -> SourceOutcome:
    """The source's verdict task (its line alone in the run's log when the API was lost); returns ``outcome``."""
    if ctx.run_id not in API_LOST:
        try:
            await source_task(outcome, return_state=True)
        except Exception as exc:
            if not api_unreachable(exc):
                raise
            API_LOST.add(ctx.run_id)
    if ctx.run_id in API_LOST:  # no verdict task: the line goes to the run's log alone
        logger = get_run_logger()
        (logger.info if outcome.status == "ok" else logger.error)(outcome_line(outcome))
    return outcome
