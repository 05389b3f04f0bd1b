"""Arrow tables registered for a block (govpress.store.arrow), and the read-only release count."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from govpress.store import Store, count_releases
from govpress.store.arrow import registered


def names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}


def test_a_table_is_queryable_inside_the_block_and_gone_after_it() -> None:
    con = duckdb.connect()
    table = pa.table({"x": [1, 2, 3]})
    with registered(con, table) as first, registered(con, table) as second:
        assert first != second  # nested blocks never share a name
        assert con.execute(f"SELECT sum(x) FROM {first}").fetchone() == (6,)
        assert {first, second} <= names(con)
    assert not {first, second} & names(con)


def test_the_table_is_unregistered_when_the_block_fails() -> None:
    con = duckdb.connect()
    with pytest.raises(RuntimeError):
        with registered(con, pa.table({"x": [1]})) as name:
            raise RuntimeError("the load failed")
    assert name not in names(con)


def test_count_releases_opens_the_file_read_only(store: Store) -> None:
    assert count_releases(store.path) == 0
    with store.writer() as con:  # the count does not keep the file: the writer still gets it
        con.execute("SELECT 1")
