"""Data step of migration 13: syndication links, event keys and same-event links for the releases already stored."""

from __future__ import annotations

from datetime import datetime

import duckdb

from govpress import events


def data_step(con: duckdb.DuckDBPyConnection) -> None:
    """Link every stored release (rows name the run ``schema-migration-13``)."""
    events.backfill(con, now=datetime.now().astimezone(), run_id="schema-migration-13")
