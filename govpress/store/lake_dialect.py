"""The lake dialect: how the store's one set of SQL statements runs on DuckLake, which has no keys.

govpress keeps ONE form of every migration and every load statement, written for DuckDB. DuckLake
(a catalogue of Parquet files) refuses PRIMARY KEY and UNIQUE, so ``INSERT OR IGNORE`` and
``ON CONFLICT`` have nothing to act on, and the fts extension cannot store its index there. On a
lake connection (:class:`govpress.store.lake.LakeConnection`) each statement passes through
:func:`translate`, which rewrites only these shapes and passes every other statement untouched:

==========================================  ==============================================================
DuckDB statement                            on the lake
==========================================  ==============================================================
``CREATE TABLE ... PRIMARY KEY ...``        the same table without the key; the key is kept in
                                            :func:`declared_keys` (read from the migration files)
``INSERT OR IGNORE INTO t (c) <query>``     ``INSERT INTO t (c) SELECT ... WHERE NOT EXISTS`` a row
                                            with the same key (and one row per key of the query)
``INSERT INTO t (c) <query> ON CONFLICT     ``MERGE INTO t USING (<query>) AS excluded(c) ON <key>
(k) DO UPDATE SET ... [WHERE w]``           WHEN MATCHED [AND w] THEN UPDATE SET ... WHEN NOT
                                            MATCHED THEN INSERT``
``PRAGMA create_fts_index(...)``            the same index built by fts in a scratch in-memory
                                            database and copied into the lake's ``fts_main_<t>``
                                            schema (:mod:`govpress.store.lake_search`)
``CREATE MACRO m(a := NULL) AS ... a ...``  ``a := CAST(NULL AS VARCHAR)``, read as ``nullif(CAST(a AS
                                            VARCHAR), 'NULL')``: DuckLake stores no NULL-typed value and
                                            keeps a default as its text (NULL comes back as 'NULL')
``COMMENT ON COLUMN <view>.c``,             skipped: DuckLake keeps comments on tables, columns of
``COMMENT ON MACRO``                        tables and views, not on columns of views nor on macros
                                            (the macros' comments are in the code that makes them)
==========================================  ==============================================================

The rewrites are correct without constraints because every write runs in one transaction in
which nothing else writes: :class:`~govpress.store.lake.LakeConnection` makes each write
transaction touch one shared row, so DuckLake lets one of two concurrent writers commit and
the other retries on the new snapshot (see govpress/store/lake.py).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

KEY_INLINE = re.compile(r"^\s*(\w+)\s+[^,]*?\bPRIMARY KEY\b", re.IGNORECASE | re.MULTILINE)
KEY_CLAUSE = re.compile(r"PRIMARY KEY\s*\(([^)]*)\)", re.IGNORECASE)
CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s*\((.*)\)\s*;?\s*$",
                          re.IGNORECASE | re.DOTALL)
INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*(.*?)\s*;?\s*$",
                              re.IGNORECASE | re.DOTALL)
ON_CONFLICT = re.compile(
    r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*(.*?)\s+ON\s+CONFLICT\s*\(([^)]*)\)\s*DO\s+UPDATE\s+SET\s+(.*?)"
    r"(?:\s+WHERE\s+((?:(?!\bSET\b).)*?))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL)
FTS_PRAGMA = re.compile(r"^\s*PRAGMA\s+create_fts_index\s*\((.*)\)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
LEADING_COMMENTS = re.compile(r"^(?:\s*--[^\n]*(?:\n|$))+")
MACRO_NULL_DEFAULT = re.compile(r"(:=\s*)NULL\b", re.IGNORECASE)
COMMENT_ON_MACRO = re.compile(r"^\s*COMMENT\s+ON\s+MACRO\b", re.IGNORECASE)
COMMENT_ON_COLUMN = re.compile(r"^\s*COMMENT\s+ON\s+COLUMN\s+(\w+)\.(\w+)\s+IS\b", re.IGNORECASE)


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def table_keys(create_sql: str) -> tuple[str, tuple[str, ...]] | None:
    """(table, key columns) of a CREATE TABLE statement with a primary key, else None."""
    match = CREATE_TABLE.search(create_sql)
    if match is None:
        return None
    body = match[2]
    clause = KEY_CLAUSE.search(body)
    if clause:
        return match[1], tuple(_columns(clause[1]))
    inline = KEY_INLINE.search(body)
    return (match[1], (inline[1],)) if inline else None


@cache
def declared_keys() -> dict[str, tuple[str, ...]]:
    """Table -> primary key columns, as the migration files declare them (DuckDB enforces them; the lake cannot)."""
    from govpress.store.migrations import split_statements

    keys: dict[str, tuple[str, ...]] = {}
    folder = files("govpress.store.migrations")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql"):
            for statement in split_statements(entry.read_text(encoding="utf-8")):
                found = table_keys(statement)
                if found:
                    keys[found[0]] = found[1]
    return keys


def strip_keys(create_sql: str) -> str:
    """A CREATE TABLE without PRIMARY KEY / UNIQUE (column constraints and table clauses)."""
    sql = re.sub(r",\s*(?:PRIMARY KEY|UNIQUE)\s*\([^)]*\)", "", create_sql, flags=re.IGNORECASE)
    return re.sub(r"\s+(?:PRIMARY KEY|UNIQUE)\b", "", sql, flags=re.IGNORECASE)


def null_defaults(create_macro: str) -> str:
    """A macro whose parameters default to NULL, in the form DuckLake keeps: DuckLake stores a default as its
    text, so a NULL default comes back as the string 'NULL'. Such parameters are read as
    ``nullif(CAST(p AS VARCHAR), 'NULL')`` in the body (our NULL-default parameters are all compared as
    text or cast from it: source, lang, since, until)."""
    open_at = create_macro.index("(")
    depth, close_at = 0, None
    for position in range(open_at, len(create_macro)):
        depth += {"(": 1, ")": -1}.get(create_macro[position], 0)
        if depth == 0:
            close_at = position
            break
    head, body = create_macro[:close_at + 1], create_macro[close_at + 1:]
    names = re.findall(r"(\w+)\s*:=\s*NULL\b", head, flags=re.IGNORECASE)
    head = MACRO_NULL_DEFAULT.sub(r"\1CAST(NULL AS VARCHAR)", head)
    for name in names:
        body = re.sub(rf"(?<![\w.]){name}\b(?!\s*:=)", f"nullif(CAST({name} AS VARCHAR), 'NULL')", body)
    return head + body


def _key_match(table: str, left: str, right: str) -> str:
    keys = declared_keys().get(table)
    if not keys:
        raise ValueError(f"{table} has no declared key: the lake cannot tell which rows conflict")
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in keys)


def insert_missing(table: str, columns: list[str], query: str) -> str:
    """``INSERT OR IGNORE`` without a key: rows whose key is not stored yet, one per key."""
    keys = declared_keys().get(table, ())
    partition = ", ".join(f"_new.{k}" for k in keys)
    return (f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM ({query}) AS _new({', '.join(columns)}) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS _old WHERE {_key_match(table, '_old', '_new')}) "
            f"QUALIFY row_number() OVER (PARTITION BY {partition}) = 1")


def merge(table: str, columns: list[str], query: str, conflict: list[str], assignments: str, where: str | None) -> str:
    """``INSERT ... ON CONFLICT DO UPDATE`` as ``MERGE INTO`` keyed on the conflict columns."""
    on = " AND ".join(f"{table}.{k} = excluded.{k}" for k in conflict)
    matched = f" AND ({where})" if where else ""
    values = ", ".join(f"excluded.{c}" for c in columns)
    return (f"MERGE INTO {table} USING ({query}) AS excluded({', '.join(columns)}) ON {on} "
            f"WHEN MATCHED{matched} THEN UPDATE SET {assignments} "
            f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({values})")


NEEDS_LOOK = (":= NULL", "PRIMARY KEY", "UNIQUE", "OR IGNORE", "ON CONFLICT", "CREATE_FTS_INDEX", "COMMENT ON COLUMN", "COMMENT ON MACRO")


def needs_translation(sql: str) -> bool:
    upper = sql.upper()
    return any(marker in upper for marker in NEEDS_LOOK)


def translate(sql: str) -> tuple[str, str | None]:
    """(kind, statement) for the lake: kind is ``sql`` (run it), ``fts`` (the pragma's arguments) or ``comment``
    (a column comment: run it unless its object is a view). One statement in, one out."""
    sql = LEADING_COMMENTS.sub("", sql)
    if (match := FTS_PRAGMA.match(sql)) is not None:
        return "fts", match[1]
    if COMMENT_ON_MACRO.match(sql):
        return "skip", None
    if COMMENT_ON_COLUMN.match(sql):
        return "comment", sql
    if MACRO_NULL_DEFAULT.search(sql) and re.match(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?MACRO", sql, re.IGNORECASE):
        return "sql", null_defaults(sql)
    if (match := INSERT_OR_IGNORE.match(sql)) is not None:
        return "sql", insert_missing(match[1], _columns(match[2]), match[3])
    if (match := ON_CONFLICT.match(sql)) is not None:
        return "sql", merge(match[1], _columns(match[2]), match[3], _columns(match[4]), match[5], match[6])
    if CREATE_TABLE.search(sql) and re.match(r"^\s*CREATE\s+TABLE", sql, re.IGNORECASE):
        return "sql", strip_keys(sql)
    return "sql", sql
