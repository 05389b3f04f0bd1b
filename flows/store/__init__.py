"""The DuckDB store: the analyst's contract (documented tables, views, full-text search) and the one writer.

Use :class:`Store`; the row dataclasses in :mod:`flows.store.rows` are what the pipeline hands it.
"""

from flows.store.connection import Store, StoreLocked, fts_extension_path, load_fts
from flows.store.migrations import LATEST_VERSION, SchemaTooNew
from flows.store.rows import (
    FETCH_OUTCOMES,
    ArchivedPage,
    CacheRow,
    FailureRow,
    FetchRow,
    KnownRelease,
    LoadBatch,
    LoadCounts,
    ReleaseRow,
    RemovalRow,
)
from flows.store.search import SearchHit, search_releases

__all__ = [
    "FETCH_OUTCOMES",
    "LATEST_VERSION",
    "ArchivedPage",
    "CacheRow",
    "FailureRow",
    "FetchRow",
    "KnownRelease",
    "LoadBatch",
    "LoadCounts",
    "ReleaseRow",
    "RemovalRow",
    "SchemaTooNew",
    "SearchHit",
    "Store",
    "StoreLocked",
    "fts_extension_path",
    "load_fts",
    "search_releases",
]
