"""The project's global Prefect concurrency limit: one DuckDB writer at a time.

DuckDB allows one writing process per file, so every flow that writes holds this slot for
its whole run (ingest, reparse, backfill, publish). The limit is created by the project itself
(``ensure_writer_limit``): a limit that does not exist would otherwise be skipped silently
and mean no limit at all.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prefect import get_run_logger
from prefect.client.orchestration import PrefectClient, get_client
from prefect.concurrency.asyncio import concurrency
from prefect.exceptions import MissingContextError, ObjectAlreadyExists, ObjectNotFound

WRITER_LIMIT = "govpress-duckdb-writer"
"""Name of the global concurrency limit guarding the DuckDB file (one slot)."""

log = logging.getLogger("govpress.writer_limit")


def _logger():
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a flow run (serve.py, tests)
        return log


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


@asynccontextmanager
async def writer_slot(timeout_seconds: float | None = None) -> AsyncIterator[None]:
    """Hold the one DuckDB writer slot for the block (strict: a missing limit is an error, not a free pass).

    Waits for the slot as long as another writing run holds it (``timeout_seconds=None``), or
    raises ``TimeoutError`` after ``timeout_seconds``. The slot is a lease that the client
    renews while the block runs; if the process dies the lease lapses (300 s) and frees it.
    """
    logger = _logger()
    await ensure_writer_limit()
    started = time.monotonic()
    logger.info("waiting for the DuckDB writer slot (%s)", WRITER_LIMIT)
    async with concurrency(WRITER_LIMIT, occupy=1, strict=True, timeout_seconds=timeout_seconds):
        logger.info("holding the DuckDB writer slot (waited %.1f s)", time.monotonic() - started)
        yield
    logger.info("released the DuckDB writer slot")
