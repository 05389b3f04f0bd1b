"""Full-text indexes on the lake: the fts extension's own index, built beside the lake and copied in.

``PRAGMA create_fts_index`` cannot write into DuckLake (its tables hold a NULL-typed column and
DuckLake stores no such type), yet the search (govpress/store/search.py) only reads the index's
tables ``dict``, ``terms``, ``docs``, ``stats`` (BM25 computed in SQL) and migration 2 binds its
``match_bm25`` macro. So on the lake each index is built by fts itself over a copy of the search
table in a scratch in-memory database, and its tables and macros are
copied into the lake's ``fts_main_<table>`` schema under the same names, with the same types.
Scores are therefore those of the DuckDB file exactly (tests compare them).

The copy replaces the index tables whole (``CREATE OR REPLACE TABLE``): what fts's
``overwrite=1`` does. The index is rebuilt per search family (one table each): the index of
one partition of the releases, rebuilt after the loads that changed them.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pyarrow as pa

from govpress.store.arrow import registered
from govpress.store.extensions import extension_path

INDEX_TABLES = ("dict", "docs", "fields", "stats", "stopwords", "terms")
MACRO_DEFAULTS = {"match_bm25": "docname, query_string, fields := CAST(NULL AS VARCHAR), k := 1.2, b := 0.75, conjunctive := 0"}
"""fts's parameters with their defaults (duckdb_functions() lists the names, not the defaults); the NULL is
typed because DuckLake stores no NULL-typed value."""
FIRST_ARG = re.compile(r"^\s*'([^']+)'\s*,")


def _arrow(result: Any) -> pa.Table:
    table = result.arrow()
    return table.read_all() if isinstance(table, pa.RecordBatchReader) else table


def build_fts_index(con: Any, pragma_arguments: str, lake: str) -> None:
    """Run ``create_fts_index(<pragma_arguments>)`` for a table of ``lake`` and store the index in the lake.

    ``con`` is the raw DuckDB connection of the lake session, inside the caller's transaction.
    The build runs in a separate in-memory database (one DuckDB transaction writes to one
    database only), the rows move through Arrow.
    """
    match = FIRST_ARG.match(pragma_arguments)
    if match is None:
        raise ValueError(f"create_fts_index({pragma_arguments}): the first argument must be a quoted table name")
    table = match[1]
    schema = f"fts_main_{table}"
    scratch = duckdb.connect()
    try:
        scratch.execute(f"LOAD '{extension_path('fts')}'")
        scratch.register("source_rows", _arrow(con.execute(f"SELECT * FROM {lake}.main.{table}")))
        scratch.execute(f"CREATE TABLE {table} AS SELECT * FROM source_rows")
        scratch.unregister("source_rows")
        scratch.execute(f"PRAGMA create_fts_index({pragma_arguments})")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {lake}.{schema}")
        for name in INDEX_TABLES:
            columns = scratch.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index", [schema, name]).fetchall()
            # A column fts leaves NULL-typed is stored as VARCHAR: DuckLake has no NULL type.
            select = ", ".join(
                f"CAST({column} AS {'VARCHAR' if kind == 'NULL' else kind}) AS {column}" for column, kind in columns)
            rows = _arrow(scratch.execute(f"SELECT {select} FROM {schema}.{name}"))
            with registered(con, rows) as t:
                con.execute(f"CREATE OR REPLACE TABLE {lake}.{schema}.{name} AS SELECT * FROM {t}")
        macros = scratch.execute(
            "SELECT function_name, parameters, macro_definition FROM duckdb_functions() "
            "WHERE schema_name = ? AND function_type = 'macro' ORDER BY function_name", [schema]).fetchall()
    finally:
        scratch.close()
    for name, parameters, definition in macros:
        signature = MACRO_DEFAULTS.get(name, ", ".join(parameters))
        con.execute(f"CREATE OR REPLACE MACRO {lake}.{schema}.{name}({signature}) AS {definition}")
