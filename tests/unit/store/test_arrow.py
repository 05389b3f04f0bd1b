"""Arrow tables registered for a block (govpress.store.arrow), and the read-only release count."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from govpress.store import Store, count_releases
from govpress.store.arrow import has_table, one_batch, registered, registered_ids
from govpress.store.lake import HAS_TABLE


def names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The connection's temporary tables and views (a DuckDB connection's blocks copy rows into tables, another's
    register views)."""
    return {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}


def test_a_table_is_queryable_inside_the_block_and_gone_after_it() -> None:
    con = duckdb.connect()
    table = pa.table({"x": [1, 2, 3]})
    with registered(con, table) as first, registered(con, table) as second:
        assert first != second  # nested blocks never share a name
        assert con.execute(f"SELECT sum(x) FROM {first}").fetchone() == (6,)
        assert {first, second} <= names(con)
    assert not {first, second} & names(con)


def test_the_table_is_dropped_when_the_block_fails() -> None:
    con = duckdb.connect()
    with pytest.raises(RuntimeError):
        with registered(con, pa.table({"x": [1]})) as name:
            raise RuntimeError("the load failed")
    assert name not in names(con)


def test_a_batch_registers_each_set_of_ids_once_and_lets_them_go_at_its_end() -> None:
    con = duckdb.connect()
    with pytest.raises(RuntimeError):
        with one_batch(con):
            with registered_ids(con, ["b", "a", "b"]) as first:
                assert con.execute(f"SELECT list(release_id) FROM {first}").fetchone() == (["a", "b"],)
            with registered_ids(con, {"a", "b"}) as again, registered_ids(con, ["c"]) as other:
                assert again == first and other != first  # the same set: the same table, still registered
                assert {first, other} <= names(con)
            with registered(con, pa.table({"x": [1]})) as inside:
                assert inside not in {first, other}  # the ids are held until the batch's end
            with registered(con, pa.table({"y": ["a"]})) as next_one:  # a table let go in the batch is taken again
                assert next_one == inside and con.execute(f"SELECT * FROM {next_one}").fetchall() == [("a",)]
            raise RuntimeError("the load failed")
    assert not {first, other, inside} & names(con)
    with registered_ids(con, ["a"]) as outside, registered_ids(con, ["a"]) as twice:
        assert outside != twice  # outside a batch: a table per block, as registered() does
    assert not {outside, twice} & names(con)


def test_a_batch_reads_the_catalogue_once() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE a (x INTEGER)")
    with one_batch(con):
        assert has_table(con, "a") and not has_table(con, "b")
        con.execute("CREATE TABLE b (x INTEGER)")  # (a load creates no table: what it read once still holds)
        assert not has_table(con, "b")
    assert has_table(con, "b")


def test_another_connection_is_asked_the_lake_probe_once_per_table_and_batch() -> None:
    asked: list[tuple[str, list]] = []

    class Recording:  # as a lake session: not a DuckDB connection, answers the store's probe itself
        def __init__(self) -> None:
            self.con = duckdb.connect()
            self.con.execute("CREATE TABLE a (x INTEGER)")

        def execute(self, sql: str, parameters: list | None = None):
            asked.append((sql, parameters))
            return self.con.execute(sql, parameters)

    con = Recording()
    with one_batch(con):
        assert has_table(con, "a") and has_table(con, "a") and not has_table(con, "b")
    assert asked == [(HAS_TABLE, ["a"]), (HAS_TABLE, ["b"])]


def test_count_releases_opens_the_file_read_only(store: Store) -> None:
    assert count_releases(store.path) == 0
    with store.writer() as con:  # the count does not keep the file: the writer still gets it
        con.execute("SELECT 1")


def test_releases_marked_new_in_a_batch_are_new_only_there_and_only_all_of_them() -> None:
    from govpress.store.arrow import all_new, mark_new

    con = duckdb.connect()
    mark_new(con, ["a"])  # outside a batch: nothing is kept
    assert not all_new(con, ["a"])
    with one_batch(con):
        assert not all_new(con, ["a"])
        mark_new(con, ["a", "b"])
        assert all_new(con, ["a"]) and all_new(con, iter(["b", "a"]))
        assert not all_new(con, ["a", "c"]) and not all_new(con, [])  # one not new, or none asked: not known
        assert not all_new(duckdb.connect(), ["a"])  # another connection's batch
    assert not all_new(con, ["a"])


def test_parameters_written_as_constants_give_the_same_values() -> None:
    from datetime import date, datetime, timedelta, timezone

    from govpress.store.arrow import inline

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Baku'")  # an aware time is the same instant whatever the session's zone
    at = datetime(2026, 12, 5, 6, 0, 0, 123456, tzinfo=timezone(timedelta(hours=3)))
    sql = "SELECT ?, ?, ?, ? || 'x', ? = 5"
    values = ["it's", 42, at, "a ? b", 5]
    written, left = inline(sql, values)
    assert left is None and "?" not in written.replace("'a ? b'", "")
    assert con.execute(written).fetchall() == con.execute(sql, values).fetchall()
    # None, floats, dates and lists of strings too: the same value, of the same type, as when bound.
    for value in (None, 0.1, 0.30000000000000004, 5e-324, 1.7976931348623157e308, -0.0, 1e22, 3.0, date(2026, 12, 5),
                  date(1, 1, 1), ["a", "it's"], ["x?"]):
        written, left = inline("SELECT ?, typeof(?)", [value, value])
        assert left is None and "?" not in written.replace("'x?'", "")
        got, want = con.execute(written).fetchall(), con.execute("SELECT ?, typeof(?)", [value, value]).fetchall()
        assert got == want and repr(got) == repr(want), value  # (repr: -0.0 keeps its sign)
    for odd in ([True], [datetime(2026, 1, 1)], ["a\x00b"], [[]], [["a", 1]], [float("nan")], [float("inf")]):
        assert inline("SELECT ?", odd) == ("SELECT ?", odd)  # left as parameters
    assert inline("SELECT '?', ?", ["a"]) == ("SELECT '?', ?", ["a"])  # a question mark that is not a placeholder


def test_a_string_written_as_a_constant_stays_one_value() -> None:
    # Text from pages and registries reaches these statements: a quote, a backslash or SQL of its own in it is
    # still the one string value (DuckDB's constants have no backslash escapes; quotes are doubled).
    from govpress.store.arrow import inline

    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    for text in ["x'); DROP TABLE t; --", "a\\", "a\\'", "\\'; SELECT 1; --", "'''", "$$x$$", "E'\\n'", "\u2019'"]:
        written, left = inline("INSERT INTO t VALUES (?)", [text])
        assert left is None
        con.execute(written)
        assert con.execute("SELECT v FROM t").fetchall() == [(text,)]
        written, _ = inline("SELECT ?::VARCHAR[]", [[text, "b"]])
        assert con.execute(written).fetchone()[0] == [text, "b"]
        con.execute("DELETE FROM t")

class BindingSpy:
    """A connection that notes every statement sent with bound parameters (each costs DuckDB's client two
    ``import pandas`` tries: arrow.inline), except ``ignored``."""

    def __init__(self, con, ignored: str | None = None) -> None:
        self.con, self.ignored, self.bound = con, ignored, []

    def execute(self, sql, *args):
        if args and args[0] and sql != self.ignored:
            self.bound.append(sql)
        return self.con.execute(sql, *args)

    def executemany(self, sql, *args):
        self.bound.append(sql)
        return self.con.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_a_load_binds_no_parameter(store: Store) -> None:
    # DuckDB's client tries `import pandas` twice per bound parameter (arrow.inline): a load writes them as constants.
    from store_factories import batch, release

    from govpress.store import load as loader

    words = " ".join(f"word{k} part{k % 7}" for k in range(80))
    with store.writer() as con:
        spy = BindingSpy(con, ignored=HAS_TABLE)  # (a lake session's probe, answered from memory: kept as it is)
        loader.load_batch(spy, batch(release("a", words), release("b", words, source_id="agency"),
                                     release("c", words + " more", source_id="agency")))
        loader.load_batch(spy, batch(release("a", words + " edited"), release("b", words, source_id="agency")))
    assert spy.bound == []


def test_the_runs_other_store_calls_bind_no_parameter(store: Store) -> None:
    # The same for a run's other calls into the store (350 failed imports of pandas in a 653-page run before):
    # the registry's upsert, the run's row, the pipeline's reads, the coverage ranges.
    from datetime import date, datetime, timezone

    from govpress import coverage
    from govpress.registry import Source
    from govpress.store import liveness
    from govpress.store import load as loader

    now = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
    source = Source(id="ministry", name="Ministry", country="XX", institution="Ministry", languages=["en"],
                    kind="feed", start_urls=["https://example.org/news"], parser="generic", rate_limit=0.5)
    with store.writer() as con:
        spy = BindingSpy(con)
        loader.upsert_sources(spy, [source], "run-1")
        loader.start_run(spy, "run-1", "ingest", {"a": 1}, ["ministry"], now)
        liveness.record_process(spy, "run-1", 123, "host", now)
        liveness.beat(spy, "run-1", now)
        assert not loader.holds_releases(spy, "ministry")
        assert loader.frontier(spy, "ministry") == [] and loader.recent_titles(spy, "ministry") == []
        assert loader.discovery_validators(spy, "ministry", []) == {}
        assert loader.recheck_candidates(spy, "ministry", now, budget=5, window=(now, now)) == {}
        assert loader.known_releases(spy, "ministry") == {} and loader.content_hashes(spy, "ministry") == {}
        found = coverage.DayRange(date(2026, 1, 1), date(2026, 12, 5), "https://example.org/news?page=2", "listing")
        assert coverage.replace_ranges(spy, "ministry", found, "run-1", now) == [found]
        loader.finish_run(spy, "run-1", "completed", {"new": 0}, None, [], now)
        assert con.execute("SELECT languages, rate_limit, status, message, pid FROM sources, runs").fetchall() == [
            (["en"], 0.5, "completed", None, 123)]
        assert con.execute("SELECT first_day, resume_url FROM coverage_ranges").fetchall() == [
            (date(2026, 1, 1), "https://example.org/news?page=2")]
    assert spy.bound == []


def test_a_duckdb_connection_reads_the_rows_without_pyarrow_dataset() -> None:
    # A registered pyarrow.Table made DuckDB build a pyarrow.dataset scanner (and an Acero plan) for every scan,
    # holding the GIL, and the first imported pyarrow.dataset and pyarrow.compute: the rows are copied in once.
    import subprocess
    import sys

    script = """
import sys
import duckdb, pyarrow as pa
from govpress.store.arrow import one_batch, registered, registered_ids
con = duckdb.connect()
con.execute("CREATE TABLE t (release_id VARCHAR, bucket UBIGINT)")
con.execute("INSERT INTO t VALUES ('a', 18446744073709551615), ('b', 1)")
table = pa.table({"release_id": ["a", "c"], "bucket": pa.array([2**64 - 1, 2], pa.uint64()),
                  "at": pa.array([None, 0], pa.timestamp("us", tz="UTC")), "tags": [["x"], None]})
with registered(con, table) as t:
    kinds = con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {t})").fetchall()
    assert kinds == [("release_id", "VARCHAR"), ("bucket", "UBIGINT"), ("at", "TIMESTAMP WITH TIME ZONE"),
                     ("tags", "VARCHAR[]")], kinds
    assert con.execute(f"SELECT t.release_id FROM t JOIN {t} b USING (bucket)").fetchall() == [("a",)]
    assert con.execute(f"SELECT count(*) FROM {t} a JOIN {t} b USING (release_id)").fetchone() == (2,)
with one_batch(con), registered_ids(con, ["b", "a"]) as ids:
    assert con.execute(f"SELECT list(release_id ORDER BY release_id) FROM {ids}").fetchone() == (["a", "b"],)
print(sorted(m for m in ("pyarrow.dataset", "pyarrow.compute") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "[]", done.stdout


def test_a_failed_statement_in_a_transaction_is_the_error_raised() -> None:
    # The block's table cannot be dropped in an aborted transaction: the statement's own error comes out, and the
    # rollback takes the table the transaction made.
    con = duckdb.connect()
    con.execute("CREATE TABLE k (x INTEGER PRIMARY KEY)")
    before = names(con)
    con.begin()
    with pytest.raises(duckdb.ConstraintException):
        with one_batch(con), registered(con, pa.table({"x": [1, 1]})) as t, registered_ids(con, ["a"]):
            con.execute(f"INSERT INTO k SELECT x FROM {t}")
    con.rollback()
    assert names(con) == before and con.execute("SELECT count(*) FROM k").fetchone() == (0,)


def test_another_connection_gets_the_arrow_table_registered() -> None:
    # A lake session (or any wrapper of a connection) is not a DuckDB connection: a view over the Arrow table, as before.
    class Session:
        def __init__(self) -> None:
            self.con = duckdb.connect()

        def __getattr__(self, name):
            return getattr(self.con, name)

    session = Session()
    before = names(session.con)
    with registered(session, pa.table({"x": [1, 2]})) as t:
        assert t in {name for (name,) in session.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
        assert session.execute(f"SELECT sum(x) FROM {t}").fetchone() == (3,)
    assert names(session.con) == before



def test_a_statement_reads_its_table_once_from_the_stream_without_a_table_of_its_own() -> None:
    from govpress.store.arrow import STREAM, execute_with

    con = duckdb.connect()
    con.execute("CREATE TABLE k (x INTEGER PRIMARY KEY, seen TIMESTAMPTZ)")
    before = names(con)
    table = pa.table({"x": [1, 2], "seen": pa.array([0, None], pa.timestamp("us", tz="UTC"))})
    execute_with(con, table, f"INSERT INTO k SELECT x, seen FROM {STREAM} WHERE x > ?", [0])
    execute_with(con, table, f"INSERT OR IGNORE INTO k SELECT x + 1, seen FROM {STREAM}")
    assert con.execute("SELECT x, epoch_us(seen) FROM k ORDER BY x").fetchall() == [(1, 0), (2, None), (3, None)]
    assert names(con) == before  # no temporary table, no view
    with pytest.raises(ValueError):  # a C stream is read once: a statement naming it twice is refused
        execute_with(con, table, f"SELECT * FROM {STREAM} a JOIN {STREAM} b USING (x)")

    class Session:  # another connection (a lake session): registered for the statement
        def __init__(self) -> None:
            self.con = con

        def __getattr__(self, name):
            return getattr(self.con, name)

    execute_with(Session(), table, f"DELETE FROM k WHERE x IN (SELECT x FROM {STREAM})")
    assert con.execute("SELECT x FROM k").fetchall() == [(3,)] and names(con) == before


def test_a_load_of_signed_releases_imports_neither_pyarrow_dataset_nor_compute(migrated_template) -> None:
    # Both were imported inside a run's first loads (35-60 ms each of its main process): pyarrow.dataset by DuckDB's
    # scan of a registered pyarrow.Table, pyarrow.compute by the near-duplicate step's Arrow take of the band ids
    # and by its flattening of the signatures it read back (a list array's flatten); numpy.ma by pa.array of a
    # numpy array (the numeric columns are made from their buffers).
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp())
    shutil.copyfile(migrated_template, folder / "g.duckdb")
    script = f"""
import sys
sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[2])!r}]
from dataclasses import replace
from store_factories import batch, release
from govpress.dedupe import neardup
from govpress.store import Store
words = " ".join(f"word{{k}} part{{k % 7}}" for k in range(80))
rows = [release(i, words + {{"c": " more", "d": " other"}}.get(i, "")) for i in ("a", "b", "c", "d")]
rows = [replace(r, minhash=neardup.signature(neardup.release_text(r.title, r.subtitle, r.lead, r.body_text)))
        for r in rows]
store = Store({str(folder / "g.duckdb")!r})
store.load_batch(batch(*rows[:3]))
store.load_batch(batch(*rows[:3]))
store.load_batch(batch(rows[3]))  # its near candidates' signatures are read back from the file
with store.reader(fts=False) as con:
    links = con.execute("SELECT count(*) FROM release_links WHERE kind = 'near_duplicate' AND release_id = 'd'").fetchone()
assert links[0] > 0, links
print(sorted(m for m in ("pyarrow.dataset", "pyarrow.compute", "numpy.ma") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split("\n")[-2] == "[]", done.stdout  # numpy.ma: pa.array of a numpy array imports it


def test_a_store_calls_temporary_tables_go_with_its_cursor_not_one_drop_each(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # A session's call runs on a cursor closed at its end (a call outside a session on a connection of its own):
    # DuckDB frees the temporary tables made on it then, so none is dropped by a statement of its own. A
    # connection the caller keeps (the direct ones above) still has each dropped at its block's or batch's end.
    import sys

    from store_factories import batch, release

    from govpress.store.arrow import closed_after

    sent: list[str] = []
    real = duckdb.DuckDBPyConnection.execute

    def spy(self, sql, *args, **kwargs):
        _govpress_arrow_stream = sys._getframe(1).f_locals.get("_govpress_arrow_stream")  # noqa: F841 (the scan's)
        sent.append(sql)
        return real(self, sql, *args, **kwargs)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", spy)
    with store.session():
        store.load_batch(batch(release("r1", "Визит в Минск.", title="Визит"), release("r2", "Визит в Баку.")))
        assert store.cached_validators(["https://example.org/a", "https://example.org/b"]) == {}
        with store.writer() as con:
            assert not {n for n in names(con) if n.startswith("_govpress_arrow_")}  # a new cursor: nothing left
    store.load_batch(batch(release("r3", "Визит в Киев.", title="Визит")))  # outside a session
    monkeypatch.undo()
    assert any(sql.startswith("CREATE OR REPLACE TEMP TABLE _govpress_arrow_") for sql in sent)
    assert not [sql for sql in sent if sql.startswith("DROP TABLE IF EXISTS temp.main._govpress_arrow_")]
    con = duckdb.connect()
    with closed_after(duckdb.connect()), registered(con, pa.table({"x": [1]})) as name:  # another connection's block
        assert name in names(con)
    assert name not in names(con)
