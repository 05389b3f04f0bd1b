"""One DuckDB writer at a time: a first-come-first-served queue whose places die with their processes, and
the project's Prefect concurrency limit ``govpress-duckdb-writer`` (one slot) held by the writer in turn.

DuckDB allows one writing process per file, so every flow that writes holds this slot for its
whole run (ingest, reparse, backfill, publish). Two guarantees are asked of it: a writer that
dies (SIGKILL included) never wedges the ones after it, and writers are served in arrival order.

What Prefect 3.9.1 offers offline, measured (``uv run python bench/probe_writer_lease.py``: a
holder takes the slot with ``lease_duration=60`` and is SIGKILLed; a fresh process, as every CLI
call is, then polls the slot for 150 s, on this two-core machine):

======================  =======================================  ===============================
setup                   after the holder's SIGKILL               the holder's temporary server
======================  =======================================  ===============================
temporary API, leases   still held after 152 s (never freed)     left running
in memory (default)
temporary API, leases   still held after 151 s (never freed)     left running
on disk (filesystem)
``prefect server        freed 69 s after the kill                (no temporary server)
start``, leases on disk
slot decay 1/60 s       freed ~67 s after the kill, but decay    left running
                        frees a live holder's slot just the same
======================  =======================================  ===============================

Leases (``lease_duration`` >= 60 s, the API's minimum, renewed while the holder lives) expire
only where the server runs its background services: the Repossessor revokes expired leases
every 15 s. A temporary API (every CLI run without ``PREFECT_API_URL``) runs none, and keeps its
leases in its own memory, gone with it, while the slot count lives on in PREFECT_HOME's
database: a killed holder's slot was never freed, and the next run waited forever (issue 11).
Slot decay expires slots by the clock, not by the holder's death: a 4-hour ingest would lose its
slot to a second writer. Neither is enough, so:

1. **The queue** (govpress/writer_queue.py, in ``$PREFECT_HOME/govpress-writer-queue``): each
   writer takes a numbered ticket and holds a kernel lock on it; its turn comes when no lower
   ticket is alive. The kernel drops a dead process's lock at once: no timeout, no guess. This
   is what orders writers (first come, first served) and what frees a crashed writer's place.
2. **The Prefect limit**, taken only by the writer whose turn it is, with a lease of
   :data:`LEASE_SECONDS` renewed every :data:`RENEW_SECONDS` (operators see the holder in the UI;
   runs sharing one real server from other machines respect it). A dead writer's lease, recorded
   on its ticket, is released by the waiter that reaps the ticket. A slot still taken when the
   writer at the head of the queue asks for it belongs to no live writer of this Prefect home:
   on a temporary API (nobody else can reach it) it is freed on the spot, with a warning; on a
   configured server (which other machines may share) the writer waits for Prefect's lease
   expiry, saying so every ~10 s.

The wait is logged through the run's logger every ~10 s (who holds the slot, since when, how
many are ahead). A lease renewal that fails is logged and the run goes on: the queue still keeps
writers apart, and DuckDB's own file lock is the last guard.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import get_run_logger
from prefect.client.orchestration import PrefectClient, get_client
from prefect.exceptions import MissingContextError, ObjectAlreadyExists, ObjectNotFound

from govpress.writer_queue import Ticket, Waiting, WriterQueue

WRITER_LIMIT = "govpress-duckdb-writer"
"""Name of the global concurrency limit guarding the DuckDB file (one slot)."""
LEASE_SECONDS = 60.0
"""The slot's lease (Prefect's minimum); renewed while the writer lives, revoked by a real server after it dies."""
RENEW_SECONDS = 20.0
"""Renewal interval: three chances per lease on a busy machine."""
REPORT_SECONDS = 10.0
"""How often a waiting writer says what it waits for."""

log = logging.getLogger("govpress.writer_limit")


def _logger():
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a flow run (serve.py, tests)
        return log


def queue_folder() -> Path:
    """The writer queue of this Prefect home (the temporary APIs of CLI runs and a served server share it)."""
    return Path(os.environ["PREFECT_HOME"]) / "govpress-writer-queue"


# --- the writer limit ----------------------------------------------------------------------------


async def ensure_writer_limit(client: PrefectClient | None = None) -> str:
    """Make sure the global concurrency limit ``govpress-duckdb-writer`` exists, is active and has one slot.

    Returns what it did: ``"created"``, ``"repaired"`` or ``"present"``. A limit that does not
    exist would make ``concurrency(...)`` a silent no-op (without ``strict``) or fail every run
    (with it), so servers call this at start and :func:`writer_slot` calls it before acquiring.
    A limit someone raised above 1 or deactivated is put back: two DuckDB writers are never
    right, so this is not a tuning knob.
    """
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate

    async def _ensure(c: PrefectClient) -> str:
        try:
            existing = await c.read_global_concurrency_limit_by_name(WRITER_LIMIT)
        except ObjectNotFound:
            existing = None
        if existing is None:
            try:
                await c.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=WRITER_LIMIT, limit=1))
            except ObjectAlreadyExists:  # another process created it between our read and create
                return "present"
            return "created"
        if existing.limit != 1 or not existing.active:
            await c.update_global_concurrency_limit(WRITER_LIMIT, GlobalConcurrencyLimitUpdate(limit=1, active=True))
            return "repaired"
        return "present"

    if client is not None:
        return await _ensure(client)
    async with get_client() as owned:
        return await _ensure(owned)


def temporary_api() -> bool:
    """Whether the API is a temporary one of this process (no server configured): nobody else can hold its slot."""
    from govpress.flows.temporary_api import is_temporary

    return is_temporary()


def describe(info: dict[str, Any] | None) -> str:
    if not info:
        return "a writer"
    return f"{info.get('label') or 'a writer'} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"


async def acquire_slot(client: PrefectClient, logger, holder: Any | None, *, deadline: float | None) -> UUID:
    """Take the limit's slot for the writer at the head of the queue; frees a slot no live writer holds."""
    import httpx

    reported = time.monotonic()
    while True:
        try:
            response = await client.increment_concurrency_slots_with_lease(
                names=[WRITER_LIMIT], slots=1, mode="concurrency", lease_duration=LEASE_SECONDS, holder=holder)
            return UUID(response.json()["lease_id"])
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 423:
                raise
        # Taken, though no live writer of this Prefect home is ahead of us: a writer that is gone.
        if temporary_api():
            from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate

            await client.update_global_concurrency_limit(WRITER_LIMIT, GlobalConcurrencyLimitUpdate(active_slots=0))
            logger.warning("freed the DuckDB writer slot: it was held by a run that is gone (a killed process)")
            continue
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise TimeoutError(f"the Prefect limit {WRITER_LIMIT} stayed taken")
        if now - reported >= REPORT_SECONDS:
            logger.info("waiting for the DuckDB writer slot: the Prefect limit %s is held outside this machine's "
                        "writer queue; its lease lapses %.0f s after its holder stops renewing it (if it never "
                        "frees, set its active slots to 0 in the UI: Concurrency)", WRITER_LIMIT, LEASE_SECONDS)
            reported = now
        await asyncio.sleep(2.0)


async def keep_lease(lease_id: UUID, logger) -> None:
    """Renew the lease every RENEW_SECONDS until cancelled; a failed renewal is logged, not fatal."""
    async with get_client() as client:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await client.renew_concurrency_lease(lease_id=lease_id, lease_duration=LEASE_SECONDS)
            except Exception as exc:
                logger.warning("could not renew the DuckDB writer slot's lease (%s); the writer queue still "
                               "keeps writers apart", exc)


def release_dead_lease(info: dict[str, Any] | None, logger=log) -> None:
    """A reaped ticket's lease, if it held one: give it back (run in the queue's worker thread)."""
    if not info or info.get("state") != "holding" or not info.get("lease_id"):
        return

    async def release() -> None:
        async with get_client() as client:
            await client.release_concurrency_slots_with_lease(lease_id=UUID(info["lease_id"]))

    try:
        asyncio.run(release())
        logger.warning("released the DuckDB writer slot of %s: its process is gone", describe(info))
    except Exception as exc:  # the slot is then freed by acquire_slot, or by Prefect's lease expiry
        logger.warning("could not release the lease of %s (%s)", describe(info), exc)


def run_label() -> tuple[str, Any | None]:
    """The flow run's name and its lease holder (for the UI), or the process when outside a run."""
    try:
        from prefect.runtime import flow_run
        from prefect.types._concurrency import ConcurrencyLeaseHolder

        if flow_run.id:
            return f"flow run '{flow_run.name}'", ConcurrencyLeaseHolder(type="flow_run", id=UUID(flow_run.id))
    except Exception:
        pass
    return f"process {os.getpid()}", None


@asynccontextmanager
async def writer_slot(timeout_seconds: float | None = None, *, ticket: Ticket | None = None,
                      reaped: list[dict[str, Any] | None] = ()) -> AsyncIterator[None]:
    """Hold the one DuckDB writer slot for the block: wait in the queue, then take the Prefect limit.

    Waits as long as writers ahead in the queue live (``timeout_seconds=None``), or raises
    ``TimeoutError`` after ``timeout_seconds``. ``ticket``: the queue place a run the command line
    prestarted took already (govpress/prestart.py): the slot waits on that place instead of taking a
    second one behind it, releases the leases of the dead writers its wait ``reaped``, and leaves the
    place to its owner (which still holds the file open when the flow fails before adopting the run).
    """
    logger = _logger()
    label, holder = run_label()
    started = time.monotonic()
    deadline = None if timeout_seconds is None else started + timeout_seconds
    owned = ticket is None
    if owned:
        ticket = WriterQueue(queue_folder()).join(label=label)
    else:
        ticket.update(label=label)
    queue = ticket.queue
    lease_id: UUID | None = None
    renewal: asyncio.Task | None = None
    try:
        logger.info("waiting for the DuckDB writer slot (%s)", WRITER_LIMIT)

        def waiting(w: Waiting) -> None:
            logger.info("waiting for the DuckDB writer slot for %.0f s: held by %s; %d writer(s) ahead",
                        w.waited, describe(w.holder), w.ahead)

        for info in list(reaped):  # reaped by the prestart's own wait, before Prefect was there
            await asyncio.to_thread(release_dead_lease, info, logger)
        await queue.wait_turn(ticket, on_wait=waiting, on_dead=lambda info: release_dead_lease(info, logger),
                              log_every=REPORT_SECONDS, timeout=timeout_seconds)
        async with get_client() as client:
            await ensure_writer_limit(client)
            lease_id = await acquire_slot(client, logger, holder, deadline=deadline)
        ticket.update(state="holding", lease_id=str(lease_id))
        renewal = asyncio.create_task(keep_lease(lease_id, logger))
        logger.info("holding the DuckDB writer slot (waited %.1f s)", time.monotonic() - started)
        yield
    finally:
        if renewal is not None:
            renewal.cancel()
        if lease_id is not None:
            try:
                async with get_client() as client:
                    await client.release_concurrency_slots_with_lease(lease_id=lease_id)
            except Exception as exc:  # the API is gone: the next writer frees the slot (see acquire_slot)
                logger.warning("could not release the DuckDB writer slot's lease (%s)", exc)
        if owned:
            ticket.leave()
        else:  # the prestart's place, left by its owner once the run's store is closed
            ticket.update(state="released", lease_id=None)
    logger.info("released the DuckDB writer slot")
