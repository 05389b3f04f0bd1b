"""Ending a failed transaction without hiding why it failed.

When a commit fails (the disk is full, a file-size limit), DuckDB has already ended the
transaction, and the ``rollback()`` every ``except`` block calls raises "cannot rollback - no
transaction is active": Python then reports that error and the real one ("No space left on
device") only as its context. :func:`rollback_quietly` rolls back when there is something to roll
back and lets the caller re-raise the error that mattered.
"""

from __future__ import annotations

import duckdb


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failure; a transaction DuckDB already ended is not a second error."""
    try:
        con.rollback()
    except duckdb.TransactionException:
        pass  # nothing to roll back: the failed commit ended it; the caller re-raises the failure itself
