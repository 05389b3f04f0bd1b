"""The DuckDB store: the analyst's contract (documented tables, views, full-text search) and the one writer.

Use :class:`Store`; the row dataclasses in :mod:`govpress.store.rows` are what the pipeline hands it.
"""

from govpress.store.connection import Store, StoreLocked, count_releases, fts_extension_path, load_fts
from govpress.store.migrations import LATEST_VERSION, SchemaTooNew
from govpress.store.rows import (
    FETCH_OUTCOMES,
    ArchivedPage,
    CacheRow,
    EventRow,
    FailureRow,
    FetchRow,
    KnownRelease,
    ListingRow,
    LoadBatch,
    LoadCounts,
    ReleaseRow,
    RemovalRow,
    SeenRow,
)
from govpress.store.search import SearchHit, search_releases

__all__ = [
    "FETCH_OUTCOMES",
    "LATEST_VERSION",
    "ArchivedPage",
    "CacheRow",
    "EventRow",
    "FailureRow",
    "FetchRow",
    "KnownRelease",
    "ListingRow",
    "LoadBatch",
    "LoadCounts",
    "ReleaseRow",
    "RemovalRow",
    "SchemaTooNew",
    "SearchHit",
    "SeenRow",
    "Store",
    "StoreLocked",
    "count_releases",
    "fts_extension_path",
    "load_fts",
    "search_releases",
]
