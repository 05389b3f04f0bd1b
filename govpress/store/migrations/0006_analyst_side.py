"""Data step of migration 6: the fetches.purpose comment written from the code, and the multilingual search.

The comment lists :data:`govpress.store.rows.FETCH_PURPOSES` (the values the pipeline writes, checked
against the code by tests/unit/analysis/test_views.py). The search (govpress/store/search.py) replaces
migration 2's macros, adds the search_az, search_names and search_stopwords tables and indexes
every stored release; it needs fts loaded and migration 4's name_key/name_words macros.
"""

from __future__ import annotations

import duckdb

from govpress.store import search
from govpress.store.rows import FETCH_PURPOSES


def fetch_purpose_comment() -> str:
    values = "; ".join(f"{name}: {meaning}" for name, meaning in FETCH_PURPOSES.items())
    text = f"Why it was fetched. {values}.".replace("'", "''")
    return f"COMMENT ON COLUMN fetches.purpose IS '{text}'"


def data_step(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(fetch_purpose_comment())
    search.install_search(con)
