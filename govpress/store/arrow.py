"""Arrow tables handed to DuckDB for the length of a block, under a name no other block uses.

The loader and the near-duplicate linker build pyarrow tables in Python and join against them in
SQL (``INSERT ... SELECT FROM <name>``): 16-19k rows/s against 4k with ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
