"""Arrow tables handed to DuckDB for the length of a block, under a name no other block uses.

The loader and the near-duplicate linker build pyarrow tables in Python and join against them in
SQL (``INSERT ... SELECT FROM <name>``): 16-19k rows/s against 4k with ``executemany``. On a DuckDB
connection the rows go in through Arrow's C stream: a statement that reads a table once reads the stream
itself (:func:`execute_with`), a table read by several statements is copied into a temporary table once
(:func:`registered`); neither calls back into pyarrow while DuckDB runs the statement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from itertools import count
from typing import Any

import duckdb
import pyarrow as pa

_names = count()


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, table: pa.Table) -> Iterator[str]:
    """``table`` as a table of ``con`` for the block; yields the name to use in SQL.

    On a DuckDB connection the rows are copied into a temporary table (:func:`_copy_in`): dropped at the block's
    end, or inside :func:`one_batch` kept for the batch's next block to take (dropped at the batch's end). Any
    other connection (a lake session) gets the Arrow table registered as a view, as before.
    """
    if not copies_in(con):
        name = f"_govpress_arrow_{next(_names)}"
        con.register(name, table)
        try:
            yield name
        finally:
            con.unregister(name)
        return
    batch = _batch_of(con)
    name = _copy_in(con, table, batch)
    try:
        yield name
    except BaseException:
        if batch is None:
            _drop(con, name, quietly=True)
        else:
            batch.free.append(name)
        raise
    if batch is None:
        _drop(con, name)
    else:
        batch.free.append(name)


def copies_in(con: Any) -> bool:
    """Whether :func:`registered` copies a table's rows into DuckDB on ``con`` (a DuckDB connection) rather than
    registering a view over the Arrow table (a lake session, or any wrapper of a connection: the copy's
    replacement scan reads the calling frame, which must be :func:`_copy_in`'s own): then no statement on it
    calls back into pyarrow."""
    return type(con) is duckdb.DuckDBPyConnection


def _copy_in(con: duckdb.DuckDBPyConnection, table: pa.Table, batch: _Batch | None) -> str:
    """``table``'s rows in a temporary table of ``con``, read once through Arrow's C stream; returns its name.

    Why not ``con.register(name, table)``: DuckDB's client builds a view of a registered ``pyarrow.Table``
    (holding the GIL), and for every scan of it a ``pyarrow.dataset`` scanner with an Acero plan, again
    holding the GIL: some 0.3-0.5 ms of GIL per scan, which a run's event loop (fetching) waits for, and the
    first one imports ``pyarrow.dataset`` and ``pyarrow.compute`` (35-40 ms). A C stream capsule is read by
    DuckDB directly, without pyarrow's scanner, but only once: so the rows are copied, and the block's
    statements read the temporary table without calling back into Python (docs/scale.md, perf-load11). The
    capsule is found by DuckDB's replacement scan of this frame's local variable (no view to create or drop).
    Inside a batch a name another block let go is taken again by ``CREATE OR REPLACE``: one statement a block.
    """
    if batch is not None and batch.free:
        name = batch.free.pop()
    else:
        name = f"_govpress_arrow_{next(_names)}"
        if batch is not None:
            batch.made.append(name)
    _govpress_arrow_stream = table.__arrow_c_stream__()  # noqa: F841 (read by DuckDB's replacement scan)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS FROM _govpress_arrow_stream")
    except BaseException:
        if batch is not None:
            batch.free.append(name)
        raise
    return name


_CLOSED_AFTER: ContextVar[Any] = ContextVar("govpress_closed_after", default=None)


@contextmanager
def closed_after(con: Any) -> Iterator[None]:
    """Within the block, ``con`` is a connection the caller closes at the block's end (a store session's cursor, a
    call's own connection): the temporary tables made on it go with it instead of being dropped one by one.

    Why: DuckDB keeps a connection's temporary tables in that connection's own catalogue and frees them when
    it closes (a cursor's too: its memory is back at once). A run's loads and reads dropped 25-65 of them, one
    ``DROP TABLE`` statement each (about 0.2 ms), just before their cursor closed."""
    token = _CLOSED_AFTER.set(con)
    try:
        yield
    finally:
        _CLOSED_AFTER.reset(token)


def _drop(con: duckdb.DuckDBPyConnection, name: str, quietly: bool = False) -> None:
    """``name``'s temporary table dropped (left to the connection's close inside :func:`closed_after`); ``quietly``
    while another error propagates: DuckDB refuses the drop in an aborted transaction, whose rollback undoes the
    table anyway when the transaction made it."""
    if _CLOSED_AFTER.get() is con:
        return
    try:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
    except duckdb.Error:
        if not quietly:
            raise


STREAM = "_govpress_arrow_stream"
"""The name a statement given to :func:`execute_with` reads its table by."""


def execute_with(con: Any, table: pa.Table, sql: str, parameters: list[Any] | None = None) -> Any:
    """``con.execute(sql, parameters)`` for a statement that reads ``table`` in one scan, by the name :data:`STREAM`.

    On a DuckDB connection the statement reads the table's C stream itself (DuckDB's replacement scan of this
    frame's local variable): no temporary table, so one statement where :func:`registered` needs two. Any other
    connection gets the table registered for the statement, whose rows are fetched before the table goes (a query's
    plan runs as its rows are fetched) and handed back with ``fetchall``/``fetchone``. Only for a statement that scans
    the table once (an insert, update or delete, or a query): a C stream is read once.
    """
    if sql.count(STREAM) != 1:
        raise ValueError(f"the statement must read {STREAM} exactly once")
    if not copies_in(con):
        with registered(con, table) as name:
            sql = sql.replace(STREAM, name)
            result = con.execute(sql, parameters) if parameters is not None else con.execute(sql)
            # Read while the table is registered: DuckDB runs a query's plan as its rows are fetched, and a view
            # unregistered before that gave no rows (a lake session's cached validators came back empty).
            return _Fetched(result.fetchall())
    _govpress_arrow_stream = table.__arrow_c_stream__()  # noqa: F841 (read by DuckDB's replacement scan)
    return con.execute(sql, parameters) if parameters is not None else con.execute(sql)


class _Fetched:
    """A statement's rows, read: what :func:`execute_with` hands back on a connection other than DuckDB's own."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[tuple]) -> None:
        self.rows = rows

    def fetchall(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        return rows

    def fetchone(self) -> tuple | None:
        return self.rows.pop(0) if self.rows else None


IDS = pa.schema([("release_id", pa.string())])

PAIRS = pa.schema([("release_id", pa.string()), ("other_id", pa.string())])
"""Pairs of release ids (links to delete).

The store's Arrow tables are made with their schema given, never inferred: pyarrow's first inference from Python
objects in a process imports ``dateutil.relativedelta`` (and ``six``, ``calendar``, ``locale``), 4-13 ms of a
plain run's store thread, the only importer there (bench/results.md, "perf-store19")."""
SCORED_LINKS = pa.schema([("release_id", pa.string()), ("other_id", pa.string()), ("score", pa.float64()),
                          ("other_url", pa.string())])
"""Links with their score and the other end's url (near-duplicate and syndication links written)."""


def ids_table(ids: Iterable[str]) -> pa.Table:
    """The distinct ids, sorted, as a one-column Arrow table (``release_id``)."""
    return pa.Table.from_pydict({"release_id": sorted(set(ids))}, schema=IDS)


@dataclass(slots=True)
class _Batch:
    """What one batch's statements share (:func:`one_batch`): its connection, the catalogue probe's answer
    and the id tables registered so far."""

    con: Any
    tables: set[str] | None = None
    """The main schema's tables, read once (a plain DuckDB connection); None until asked."""
    answers: dict[str, bool] = field(default_factory=dict)
    """Table probes answered one by one (another connection: a lake session answers them from memory)."""
    ids: dict[frozenset[str], str] = field(default_factory=dict)
    """A set of ids -> the name it is registered under until the batch ends."""
    new: set[str] = field(default_factory=set)
    """Releases this batch inserted that no stored row had before it (:func:`mark_new`)."""
    made: list[str] = field(default_factory=list)
    """Temporary tables made by the batch's blocks (a DuckDB connection: :func:`registered`), dropped at its end."""
    free: list[str] = field(default_factory=list)
    """Those of them no open block holds: the next block takes one (``CREATE OR REPLACE``) rather than make another."""


_BATCH: ContextVar[_Batch | None] = ContextVar("govpress_batch", default=None)


def _batch_of(con: Any) -> _Batch | None:
    batch = _BATCH.get()
    return batch if batch is not None and batch.con is con else None


@contextmanager
def one_batch(con: Any, tables: frozenset[str] | None = None) -> Iterator[_Batch]:
    """Within the block (one load's statements on ``con``, which create and drop no table of the main
    schema), :func:`has_table` asks the catalogue once and :func:`registered_ids` registers each set of
    ids once; those tables are let go at its end. Yields the batch (its ``tables``: the catalogue as read).

    Why: a 653-page run's 17 loads asked ``duckdb_tables()`` 49 times (about 1 ms each) and registered
    the same batch's ids again in every linking step (69 of 225 registrations; docs/scale.md).
    ``tables``: the main schema's tables when the caller knows them already (a DuckDB connection: a session's
    earlier load read them, and nothing changed the schema since): then the catalogue is not read at all.
    """
    batch = _Batch(con, tables=set(tables) if tables is not None and copies_in(con) else None)
    token = _BATCH.set(batch)
    try:
        yield batch
    except BaseException:
        _BATCH.reset(token)
        _end_batch(con, batch, quietly=True)
        raise
    _BATCH.reset(token)
    _end_batch(con, batch)


def _end_batch(con: Any, batch: _Batch, quietly: bool = False) -> None:
    """The batch's tables let go: a lake session's id views unregistered, a DuckDB connection's tables dropped."""
    if not copies_in(con):
        for name in batch.ids.values():
            con.unregister(name)
        return
    for name in batch.made:
        _drop(con, name, quietly)


def mark_new(con: Any, release_ids: Iterable[str]) -> None:
    """Within :func:`one_batch`: the given releases were not stored before this batch inserted them."""
    batch = _batch_of(con)
    if batch is not None:
        batch.new.update(release_ids)


def new_in_batch(con: Any) -> frozenset[str] | set[str]:
    """The releases :func:`mark_new` named in this batch (what :func:`all_new` asks of each id), empty outside
    :func:`one_batch`: for a caller asking about many ids one at a time (a fresh batch's links, 21,000 calls of
    :func:`all_new` in a load of 20,000)."""
    batch = _batch_of(con)
    return batch.new if batch is not None else frozenset()


def all_new(con: Any, release_ids: Iterable[str]) -> bool:
    """Whether every one of the (non-empty) ``release_ids`` is new in this batch (:func:`mark_new`): then no row of
    another table names it yet, and a step may skip reading such rows or upserting over them.

    Why that holds: the rows naming a release in those tables (its versions, signature, bands, links at either
    end, event key, same-event links; not its listing or events, which may come first) are written only for releases stored by then, in the transaction that stores or
    changes them, and no release is ever deleted; a batch that fails leaves nothing (one transaction).
    The steps that rely on it write their own rows for those releases after asking, once per batch.
    False outside :func:`one_batch`.
    """
    batch = _batch_of(con)
    if batch is None or not batch.new:
        return False
    seen = False
    for release_id in release_ids:
        if release_id not in batch.new:
            return False
        seen = True
    return seen


HAS_TABLE = "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?"
"""The store's table probe, word for word the one a lake session answers from memory (store/lake.py)."""


def has_table(con: Any, name: str) -> bool:
    """Whether the main schema has the table ``name``; inside :func:`one_batch`, from one read of the catalogue."""
    batch = _batch_of(con)
    if batch is None:
        return bool(con.execute(HAS_TABLE, [name]).fetchone()[0])
    if isinstance(con, duckdb.DuckDBPyConnection):
        if batch.tables is None:
            batch.tables = {t for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        return name in batch.tables
    if name not in batch.answers:  # (a lake session: its own probe, answered from memory)
        batch.answers[name] = bool(con.execute(HAS_TABLE, [name]).fetchone()[0])
    return batch.answers[name]


@contextmanager
def registered_ids(con: Any, ids: Iterable[str]) -> Iterator[str]:
    """:func:`registered` of :func:`ids_table` (``ids``); inside :func:`one_batch`, each set registered once."""
    batch = _batch_of(con)
    if batch is None:
        with registered(con, ids_table(ids)) as name:
            yield name
        return
    key = frozenset(ids)
    name = batch.ids.get(key)
    if name is None:
        if copies_in(con):
            name = _copy_in(con, ids_table(key), batch)  # (not let go: held until the batch's end)
        else:
            name = f"_govpress_arrow_{next(_names)}"
            con.register(name, ids_table(key))
        batch.ids[key] = name
    yield name


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


def inline(sql: str, parameters: list[Any]) -> tuple[str, list[Any] | None]:
    """``sql`` and ``parameters`` for ``execute``, the parameters written into the SQL as constants where each can be.

    Why: DuckDB 1.5.5's Python client tries ``import pandas`` twice for every bound parameter, and without
    pandas each failed import walks ``sys.path`` again (docs/scale.md, "Found, not taken: DuckDB's failed
    import pandas per bound parameter"): a 653-page run's loads made 254 of them, and its other store calls
    (the registry's upsert, the run's row, the pipeline's reads, coverage) 350 more, 70-85 us each.
    Written as constants, each of the type DuckDB binds the Python value as: strings without NUL (quoted),
    ints, None (NULL), finite floats (a DOUBLE parsed from ``repr``, which gives the same double back),
    dates, aware datetimes (a ``TIMESTAMPTZ`` of the same microsecond) and non-empty lists of such strings
    (``VARCHAR[]``); anything else (a bool, a naive time, a NUL, an empty list), or a ``?`` that is not a
    placeholder, leaves the call as it was. ``sql``'s only question marks must be its placeholders.
    """
    if sql.count("?") != len(parameters):
        return sql, parameters
    constants = []
    for value in parameters:
        constant = _constant(value)
        if constant is None:
            return sql, parameters
        constants.append(constant)
    pieces = sql.split("?")
    return "".join(piece + constant for piece, constant in zip(pieces, constants)) + pieces[-1], None


def _constant(value: Any) -> str | None:
    """``value`` as a SQL constant of the type DuckDB binds it as (see :func:`inline`), or None when not written so."""
    if isinstance(value, str):
        return quote(value) if "\x00" not in value else None
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"CAST('{value!r}' AS DOUBLE)" if math.isfinite(value) else None
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ '{value.astimezone(timezone.utc).isoformat()}'" if value.utcoffset() is not None else None
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list) and value and all(isinstance(item, str) and "\x00" not in item for item in value):
        return "[" + ", ".join(quote(item) for item in value) + "]::VARCHAR[]"
    return None


def quote(value: str) -> str:
    """A SQL string constant (DuckDB: quotes doubled, no backslash escapes)."""
    return "'" + value.replace("'", "''") + "'"


def constants(values: Iterable[str]) -> str:
    """The values as SQL string constants, sorted and comma-separated, for an ``IN (...)`` list of a few (no NUL
    in them: the callers check); a few constants cost less than registering the ids as a table."""
    return ", ".join(quote(v) for v in sorted(values))
