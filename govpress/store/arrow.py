"""Arrow tables handed to DuckDB for the length of a block, under a name no other block uses.

The loader and the near-duplicate linker build pyarrow tables in Python and join against them in
SQL (``INSERT ... SELECT FROM <name>``): 16-19k rows/s against 4k with ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from itertools import count

import duckdb
import pyarrow as pa

_names = count()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, table: pa.Table) -> Iterator[str]:
    """``table`` registered on ``con`` for the block; yields the name to use in SQL."""
    name = f"_govpress_arrow_{next(_names)}"
    con.register(name, table)
    try:
        yield name
    finally:
        con.unregister(name)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime; naive values are taken to be UTC already."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


LITERAL_KEYS_MAX = 1_000
"""Keys up to which :func:`keys_in` writes them into the SQL as constants (a run's batch: about 200 releases)."""
BY_ID_ABOVE = 50_000
"""Releases held above which a batch's linking reads by id (:func:`reads_by_id`; the load turns it on).

Below it the whole-table forms are the cheaper: reading by id takes more, smaller statements (a fresh
load of 20,000 in batches of 5,000 or 200 lost 8-20% CPU with them), while a scan of a small file costs
little. Above it the scans grow with the file (bench/bench_growth.py: docs/scale.md)."""

_BY_ID: ContextVar[bool] = ContextVar("govpress_reads_by_id", default=False)


@contextmanager
def reads_by_id(on: bool) -> Iterator[None]:
    """Within the block, :func:`keys_in` writes few keys as constants and :func:`by_id` is ``on``."""
    token = _BY_ID.set(on)
    try:
        yield
    finally:
        _BY_ID.reset(token)


def by_id() -> bool:
    """Whether the statements of this block read a batch's rows by id (:func:`reads_by_id`)."""
    return _BY_ID.get()


def keys_in(column: str, keys: Iterable[str | None], table: str, key: str = "release_id") -> str:
    """SQL for ``column IN (the keys)``: constants when there are few, else a semi-join on ``table`` (registered).

    Why: a filter of constants on a column with an ART index (a primary key) is an index lookup, where
    ``IN (SELECT ...)`` scans the whole column and probes a hash table: 4 ms against 40-80 ms for 200
    ids in a million rows (one thread). On a column without an index the constants are a filter inside
    the scan. A big batch (a fresh load of thousands) keeps the semi-join, which is the faster there.
    ``table``: the registered table holding the same keys in its column ``key`` (NULLs in it match
    nothing either way). The result is the same condition: use it only where ``IN`` is (not ``NOT IN``).
    Constants only inside :func:`reads_by_id` (a load into a big file).
    """
    semi_join = f"{column} IN (SELECT {key} FROM {table})"
    if not _BY_ID.get():  # the keys are not looked at (a fresh load's 5,000 ids were sorted for nothing, 80 times)
        return semi_join
    values = sorted({k for k in keys if k is not None})
    if len(values) > LITERAL_KEYS_MAX or any("\x00" in v for v in values):  # (NUL: no constant)
        return semi_join
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(quote(v) for v in values)})"


def quote(value: str) -> str:
    """A SQL string constant (DuckDB: quotes doubled, no backslash escapes)."""
    return "'" + value.replace("'", "''") + "'"
