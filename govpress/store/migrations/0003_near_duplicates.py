"""Data step of migration 3: signatures, near-duplicate links and clusters for the releases already stored."""

from __future__ import annotations

from datetime import datetime

import duckdb

from govpress.store.nearlinks import backfill_near_duplicates


def data_step(con: duckdb.DuckDBPyConnection) -> None:
    """Sign every stored release and link its near duplicates (rows name the run ``schema-migration-3``)."""
    backfill_near_duplicates(con, now=datetime.now().astimezone(), run_id="schema-migration-3")
