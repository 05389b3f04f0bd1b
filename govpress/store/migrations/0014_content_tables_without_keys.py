"""Data step of migration 14: rebuild the content tables that no statement needs a key on, without it."""

from __future__ import annotations

import duckdb

from govpress.store.lake_dialect import strip_keys

UNKEYED = ("releases", "release_versions", "release_signatures", "release_event_keys", "same_event_links")
"""Tables whose primary key only cost time: each checkpoint serialised their index whole."""


def _primary_key(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The table's primary-key columns in the current database and schema; [] when it has none (a lake)."""
    row = con.execute(
        """SELECT constraint_column_names FROM duckdb_constraints()
           WHERE database_name = current_database() AND schema_name = current_schema()
             AND table_name = ? AND constraint_type = 'PRIMARY KEY'""", [table]).fetchone()
    return list(row[0]) if row else []


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rebuild_without_key(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Rebuild ``table`` without its primary key (key columns NOT NULL, same columns, rows and comments).

    Returns False, changing nothing, when the table has no primary key.
    """
    key = _primary_key(con, table)
    if not key:
        return False
    ddl, table_comment = con.execute(
        """SELECT sql, comment FROM duckdb_tables()
           WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = ?""",
        [table]).fetchone()
    column_comments = con.execute(
        """SELECT column_name, comment FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = ?
             AND comment IS NOT NULL ORDER BY column_index""", [table]).fetchall()
    scratch = f"{table}_unkeyed"
    prefix = f"CREATE TABLE {table}("
    if not ddl.startswith(prefix):
        raise RuntimeError(f"migration 14: unexpected definition of {table}: {ddl[:80]}")
    con.execute(f"CREATE TABLE {scratch}(" + strip_keys(ddl)[len(prefix):])
    for column in key:
        con.execute(f"ALTER TABLE {scratch} ALTER COLUMN {column} SET NOT NULL")
    con.execute(f"INSERT INTO {scratch} SELECT * FROM {table}")
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {scratch} RENAME TO {table}")
    if table_comment:
        con.execute(f"COMMENT ON TABLE {table} IS {_quoted(table_comment)}")
    for column, comment in column_comments:
        con.execute(f"COMMENT ON COLUMN {table}.{column} IS {_quoted(comment)}")
    return True


def data_step(con: duckdb.DuckDBPyConnection) -> None:
    for table in UNKEYED:
        rebuild_without_key(con, table)
