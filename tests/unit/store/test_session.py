"""Store.session: a run's calls share one connection, which closes when idle so another process can open the file."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import duckdb
import pytest
import pytz

from govpress.store import LoadBatch, LoadCounts, Store
from govpress.store import connection
from govpress.store.connection import WRITER_ROW_GROUP


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def opens_read_only(store: Store) -> bool:
    """Whether the file can be opened read-only now (it cannot while our read-write connection is open)."""
    try:
        duckdb.connect(str(store.path), read_only=True).close()
        return True
    except duckdb.Error:
        return False


def test_calls_in_a_session_share_one_connection(store: Store) -> None:
    with store.session(idle_close=60):
        store.migrate()
        for number in range(5):
            store.load_batch(LoadBatch(run_id=f"r{number}", source_id="s"))
            store.frontier("s")
            store.cached_validators(["https://example.org/"])
        assert store.connections_opened == 1
        assert not opens_read_only(store)  # held for the whole session
    assert opens_read_only(store)  # and closed when it ends
    assert store.connections_opened == 0


def test_an_idle_session_lets_the_file_go_and_reopens_on_the_next_call(store: Store) -> None:
    with store.session(idle_close=0.2):
        store.frontier("s")
        assert wait_until(lambda: opens_read_only(store))  # closed after 0.2 s unused: an analyst gets in
        store.frontier("s")
        assert store.connections_opened == 2


def test_a_read_only_reader_inside_a_session_closes_the_shared_connection_first(store: Store) -> None:
    with store.session(idle_close=60):
        store.frontier("s")
        with store.reader(fts=False) as con:  # DuckDB refuses two configurations of one file in a process
            assert con.execute("SELECT count(*) FROM releases").fetchone()[0] == 0
        store.frontier("s")
        assert store.connections_opened == 2


def test_releasing_memory_closes_the_shared_connection_and_the_next_call_reopens_it(store: Store) -> None:
    with store.session(idle_close=60):
        store.migrate()
        store.load_batch(LoadBatch(run_id="r1", source_id="s"))
        assert not store.release_memory()  # DuckDB holds little after a small run: the connection stays
        assert store.connections_opened == 1 and not opens_read_only(store)
        assert store.release_memory(above=0)
        assert opens_read_only(store)  # the instance, and what DuckDB cached in it, is gone
        assert store.frontier("s") == []
        assert store.connections_opened == 2
        assert not opens_read_only(store)
    assert not Store(store.path).release_memory(above=0)  # outside a session nothing is held: nothing to do


def test_an_inner_session_joins_the_outer_one(store: Store) -> None:
    with store.session(idle_close=60):
        with store.session():
            store.frontier("s")
        store.frontier("s")
        assert store.connections_opened == 1


def row_groups(path, table: str) -> list[int]:
    """Rows of each row group of ``table`` in the file, read back by a plain read-only open."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [n for (n,) in con.execute(
            f"SELECT max(start + count) - min(start) FROM pragma_storage_info('{table}') "
            "WHERE column_name = 'release_id' GROUP BY row_group_id ORDER BY row_group_id").fetchall()]
    finally:
        con.close()


def test_a_sessions_writer_keeps_row_groups_small_so_a_checkpoint_rewrites_only_the_last(store: Store) -> None:
    # A checkpoint rewrites each row group that gained rows whole: with DuckDB's 122,880 rows that
    # was every release of a backfill below that size, at every automatic checkpoint.
    rows = 2 * WRITER_ROW_GROUP + 100
    with store.session(idle_close=60):
        store.migrate()
        with store.writer() as con:
            con.execute(
                "CREATE TABLE scratch AS SELECT 'r' || i AS release_id, repeat('x', 10) AS body FROM range(?) t(i)",
                [rows])
            con.execute("CHECKPOINT")
            assert con.execute("SELECT current_database()").fetchone()[0] == store.path.stem
    groups = row_groups(store.path, "scratch")
    assert sum(groups) == rows
    assert max(groups) <= WRITER_ROW_GROUP and len(groups) >= 3


def test_a_current_schema_is_checked_without_loading_the_search_extension(store: Store) -> None:
    store.migrate()
    with store.session(idle_close=60):
        store.migrate()  # already current: nothing to apply
        with store.writer() as con:
            loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()[0]
        assert not loaded
        store.rebuild_search_index()  # what needs it loads it
        with store.writer() as con:
            assert con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'fts'").fetchone()[0]


def test_a_load_that_leaves_duckdb_holding_more_than_the_bound_lets_the_connection_go(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # Back-to-back loads never idle: the bound on what DuckDB holds after a load is what closes the connection.
    with store.session(idle_close=60):
        store.migrate()
        store.load_batch(LoadBatch(run_id="r0", source_id="s"))
        assert store.connections_opened == 1 and not opens_read_only(store)  # a small load keeps it
        monkeypatch.setattr(connection, "LOAD_RELEASE_ABOVE", 1)  # any holding is "much"
        store.load_batch(LoadBatch(run_id="r1", source_id="s"))
        assert opens_read_only(store)  # let go after the load, before any idle time
        store.frontier("s")
        assert store.connections_opened == 2


def test_the_end_of_a_run_still_sees_the_loads_held_much_after_a_load_let_the_connection_go(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The run builds its search index in a child when release_memory says the loads held much
    # (govpress/run.py): a connection already let go by the last load must still say so.
    with store.session(idle_close=60):
        store.migrate()
        monkeypatch.setattr(connection, "LOAD_RELEASE_ABOVE", 1)
        store.load_batch(LoadBatch(run_id="r1", source_id="s"))
        assert store.release_memory(above=1)
        store.frontier("s")  # reopened: a later release looks at what DuckDB holds again
        assert not store.release_memory(above=2**40)


def test_a_sessions_loads_read_the_catalogue_once_until_a_call_may_have_changed_it(store: Store, monkeypatch) -> None:
    # The main schema's tables as the last load read them are handed to the next load (no duckdb_tables() statement),
    # until the connection closes or a call other than a load or one of the pipeline's reads (a migration, the search
    # index, any writer() block) used it: then the next load reads the catalogue again, and sees what changed.
    from store_factories import batch, release

    from govpress.store import load as loader

    given: list[frozenset[str] | None] = []
    held: list[tuple[int, int] | None] = []
    knowing = loader.load_batch_knowing

    def spy(con, load, tables=None, known=None, *rest):
        given.append(tables)
        held.append(known)
        return knowing(con, load, tables, known, *rest)

    monkeypatch.setattr(loader, "load_batch_knowing", spy)
    with store.session(idle_close=60):
        store.load_batch(batch(release("a")))
        store.recent_titles("gov_ru")
        store.cached_validators(["https://example.org/"])
        store.load_batch(batch(release("b")))
        with store.writer() as con:  # may create or drop a table
            con.execute("CREATE TABLE scratch (x INTEGER)")
        store.load_batch(batch(release("c")))
        store.release_memory(above=0)  # closed: the next load reads the catalogue again
        store.load_batch(batch(release("d")))
        store.load_batch(batch(release("e")))
    assert given[0] is None and given[2] is None and given[3] is None
    assert given[1] is not None and {"releases", "release_events", "same_event_links"} <= given[1]
    assert "scratch" not in given[1] and given[4] is not None and "scratch" in given[4]
    with store.reader(fts=False) as con:
        assert con.execute("SELECT count(*) FROM releases").fetchone()[0] == 5


def test_a_sessions_loads_read_the_count_once_until_a_call_may_have_changed_it(store: Store, monkeypatch) -> None:
    # The releases stored and DuckDB's threads (the count chooses the statements' form, arrow.reads_by_id) as the
    # last load left them, its inserts counted, are handed to the next load (no count statement), until the
    # connection closes, a call that may change the file used it, or the threads were set: then they are read again.
    from store_factories import batch, release

    from govpress.store import load as loader

    held: list[tuple[int, int] | None] = []
    knowing = loader.load_batch_knowing

    def spy(con, load, tables=None, known=None, *rest):
        held.append(known)
        return knowing(con, load, tables, known, *rest)

    monkeypatch.setattr(loader, "load_batch_knowing", spy)
    with store.session(idle_close=60, threads=1):
        store.load_batch(batch(release("a")))
        store.recent_titles("gov_ru")
        store.load_batch(batch(release("b"), release("c")))
        store.load_batch(batch(release("b")))  # seen again: nothing inserted
        with store.writer() as con:  # may insert releases
            con.execute("SELECT 1")
        store.load_batch(batch(release("d")))
        store.release_memory(above=0)  # closed: the next load reads them again
        store.load_batch(batch(release("e")))
        store.load_batch(batch(release("f")))
    assert held == [None, (1, 1), (3, 1), None, None, (5, 1)]
    with store.reader(fts=False) as con:
        assert con.execute("SELECT count(*) FROM releases").fetchone()[0] == 6



@pytest.mark.parametrize("zone, named", [("Etc/UTC", "UTC"), ("Universal", "UTC"), ("UTC", "UTC"),
                                         ("Etc/GMT", "Etc/GMT"), ("Asia/Baku", "Asia/Baku")])
def test_utc_by_another_name_is_called_utc_on_every_cursor_and_any_other_zone_is_left(zone: str, named: str) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"SET GLOBAL TimeZone = '{zone}'")
        connection.name_utc_utc(con)
        cursor = con.cursor()
        assert cursor.execute("SELECT current_setting('TimeZone')").fetchone() == (named,)
        cursor.close()
    finally:
        con.close()


def test_the_stores_connections_hand_timestamps_over_through_pytzs_utc(store: Store, monkeypatch) -> None:
    # pytz answers for "UTC" without opening its 597 zone files; the instants are the same either way. The
    # machine's zone is counted as one of UTC's names here, so that the test says the same on any machine.
    (machine,) = duckdb.connect().execute("SELECT current_setting('TimeZone')").fetchone()
    monkeypatch.setattr(connection, "UTC_NAMES", connection.UTC_NAMES | {machine})
    store.migrate()
    query = "SELECT TIMESTAMPTZ '2026-01-02 03:04:05+02'"
    with store.session(idle_close=60), store.writer() as con:
        stamps = [con.execute(query).fetchone()[0]]
    with store.writer() as con:  # a call's own connection, outside a session
        stamps.append(con.execute(query).fetchone()[0])
    with store.reader() as con:
        stamps.append(con.execute(query).fetchone()[0])
    assert [stamp.tzinfo for stamp in stamps] == [pytz.utc] * 3
    assert stamps == [datetime(2026, 1, 2, 1, 4, 5, tzinfo=timezone.utc)] * 3


FRESH_READS = ("holds_releases", "frontier", "discovery_validators", "cached_validators", "recent_titles",
               "recheck_candidates", "known_releases", "known_releases_by_id")


def count_fresh_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The store's queries behind the reads a fresh file answers without one (Store._untouched), recorded."""
    asked: list[str] = []
    for name in FRESH_READS:
        real = getattr(connection.loader, name)
        monkeypatch.setattr(connection.loader, name,
                            lambda *args, _name=name, _real=real, **kwargs: asked.append(_name) or _real(*args, **kwargs))
    return asked


def ask_fresh_reads(store: Store) -> tuple:
    return (store.holds_releases("gov_ru"), store.frontier("gov_ru"),
            store.discovery_validators("gov_ru", ["https://gov.example/gov_ru/rss"]),
            store.cached_validators(["https://gov.example/gov_ru/r1"]), store.recent_titles("gov_ru"),
            store.recheck_candidates("gov_ru", datetime(2026, 1, 2, tzinfo=timezone.utc), budget=5),
            store.known_releases("gov_ru"), store.known_releases_by_id("gov_ru", ["r1"]))


def test_a_file_seeded_in_the_session_answers_its_first_reads_without_a_query_until_another_write(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from store_factories import batch, release, source

    from govpress import coverage

    asked = count_fresh_reads(monkeypatch)
    empty = (False, [], {}, {}, [], {}, {}, {})
    store = Store(tmp_path / "new.duckdb", lock_timeout=5)
    with store.session(idle_close=60):
        store.migrate()
        store.mark_crashed_runs()
        store.start_run("run-1", "ingest", {}, ["gov_ru"], datetime(2026, 1, 1, tzinfo=timezone.utc))
        store.upsert_sources([source()], "run-1")
        store.heartbeat("run-1", datetime(2026, 1, 1, 0, 1, tzinfo=timezone.utc))
        assert coverage.load(store, "gov_ru").ranges == ()  # a read (the run's first of a traced source): kept it
        assert ask_fresh_reads(store) == empty
        assert asked == []  # the file is as seeded but for the run's and the sources' rows: nothing queried
        store.load_batch(batch(release("r1")))
        fresh = ask_fresh_reads(store)  # the load ended it: the releases are read again
        assert fresh[0] is True and fresh[4] == ["A title"] and len(fresh[7]) == 1
        assert set(asked) == set(FRESH_READS)
    # and every answer was the query's: the same reads of a copy of the file outside a session
    assert ask_fresh_reads(Store(store.path)) == fresh


def test_a_read_answered_without_a_query_keeps_the_sessions_connection_from_idling(tmp_path) -> None:
    # A fresh run's reads before its first load are answered without a query: each still counts as a use of the
    # connection, as its query did, so the file is not let go (ending the fresh file's state) while the run asks.
    store = Store(tmp_path / "new.duckdb", lock_timeout=5)
    with store.session(idle_close=0.3):
        store.migrate()
        for _ in range(12):
            assert store.recent_titles("gov_ru") == [] and store.cached_validators(["https://gov.example/r"]) == {}
            time.sleep(0.1)
        assert store._shared.con is not None and store._untouched  # 1.2 s of reads 0.1 s apart: never idle
        assert wait_until(lambda: store._shared.con is None)  # and let go once nothing asks
        assert not store._untouched
        assert store.connections_opened == 1


def test_a_fresh_files_reads_query_outside_a_session_after_a_close_and_after_any_other_write(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = count_fresh_reads(monkeypatch)
    store = Store(tmp_path / "plain.duckdb", lock_timeout=5)
    store.migrate()  # no session: between two calls another process may write the file
    ask_fresh_reads(store)
    assert set(asked) == set(FRESH_READS)

    closed = Store(tmp_path / "closed.duckdb", lock_timeout=5)
    with closed.session(idle_close=60):
        closed.migrate()
        closed._shared.close()  # as when idle: another process may open the file until it is opened again
        asked.clear()
        ask_fresh_reads(closed)
        assert set(asked) == set(FRESH_READS)

    written = Store(tmp_path / "written.duckdb", lock_timeout=5)
    with written.session(idle_close=60):
        written.migrate()
        with written.writer() as con:  # any caller's own SQL
            con.execute("SELECT 1")
        asked.clear()
        ask_fresh_reads(written)
        assert set(asked) == set(FRESH_READS)


def test_a_call_from_another_thread_as_the_session_ends_opens_the_file_after_the_shared_connection_closed(
        store: Store) -> None:
    """A task's thread may still call the store while a stopped run leaves its session (SIGTERM): it found no session
    and opened the file beside the shared connection still open, which DuckDB refused ("Unique file handle conflict",
    once in a fresh-clone CI run). The session now ends under the file's process lock: the call waits for the close."""
    import threading

    store.migrate()
    lock = connection._process_lock(store.path)
    ready, errors = threading.Event(), []

    def late_call() -> None:
        with lock:  # held while the session ends: the old end cleared the session without it
            ready.set()
            wait_until(lambda: store._shared is None, timeout=2.0)
            try:
                store.load_batch(LoadBatch(run_id="late", source_id="s"))
            except Exception as error:  # noqa: BLE001 - the assertion below names it
                errors.append(error)

    with store.session(idle_close=60):
        store.load_batch(LoadBatch(run_id="r", source_id="s"))  # the shared connection is open
        caller = threading.Thread(target=late_call)
        caller.start()
        assert ready.wait(10)
    caller.join(30)
    assert not caller.is_alive()
    assert errors == []


ANOTHER_PROCESS = """
import sys
sys.path[:0] = [sys.argv[2], sys.argv[3]]
from store_factories import batch, release
from govpress.store import Store
store = Store(sys.argv[1], lock_timeout=0)
with store.reader(fts=False) as con:
    print(con.execute("SELECT string_agg(release_id, ',' ORDER BY release_id) FROM releases").fetchone()[0], flush=True)
print(store.load_batch(batch(release("r2", "Another text."), run_id="other")), flush=True)
"""


def test_an_idle_session_lets_another_process_read_and_write_the_file_and_sees_its_rows_after(store: Store) -> None:
    # An analyst (or another run) opens the file while the run idles; the session's next call sees what it wrote.
    import subprocess
    import sys
    from pathlib import Path

    from store_factories import batch, release

    with store.session(idle_close=0.2):
        assert store.load_batch(batch(release("r1"))) == LoadCounts(new=1)
        assert wait_until(lambda: store._shared.con is None)  # let go after 0.2 s unused
        done = subprocess.run([sys.executable, "-c", ANOTHER_PROCESS, str(store.path), str(Path(__file__).parent),
                               str(Path(__file__).parents[2])],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.splitlines() == ["r1", str(LoadCounts(new=1))]  # it read the session's rows, then wrote
        assert store.load_batch(batch(release("r1"), release("r2", "Another text."))) == LoadCounts(unchanged=2)
        with store.writer() as con:
            assert con.execute("SELECT release_id FROM releases ORDER BY 1").fetchall() == [("r1",), ("r2",)]
        assert store.connections_opened == 2


def test_an_idle_session_keeps_its_duckdb_instance_and_settings_while_the_file_is_let_go(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # Letting the file go when idle DETACHes it from the session's in-memory DuckDB instance: the next call ATTACHes
    # it again, with no new instance, no second LOAD of the search extension and the settings the flags record.
    from govpress.store.connection import publish_memory_limit, writer_memory_limit

    opened, loaded = [], []
    real_open, real_load = connection._open, connection.load_fts
    monkeypatch.setattr(connection, "_open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    monkeypatch.setattr(connection, "load_fts", lambda con: loaded.append(con) or real_load(con))

    def limit() -> int:
        with store.writer() as con:
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    def let_go() -> None:
        assert wait_until(lambda: store._shared.con is None)
        assert opens_read_only(store)

    with store.session(idle_close=0.2, threads=1):
        store.migrate()
        store.rebuild_search_index()
        with store.writer() as con:
            publish = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            con.execute(f"SET memory_limit = '{writer_memory_limit()}'")
            writer = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
            con.execute(f"SET memory_limit = '{publish_memory_limit()}'")
        assert publish != writer and store._shared.publish_limit
        let_go()
        assert limit() == publish and store._shared.publish_limit  # the instance kept the lower limit, as the flag says
        store.load_batch(LoadBatch(run_id="r1", source_id="s"))
        assert limit() == writer and not store._shared.publish_limit  # a load sets the writer's back
        let_go()
        store.rebuild_search_index()
        with store.writer() as con:
            assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
            assert con.execute("SELECT current_setting('TimeZone')").fetchone()[0] not in connection.UTC_NAMES
        assert store.connections_opened == 3
    assert len(opened) == 1  # one DuckDB instance for the session (a new one at each reopen before)
    assert len(loaded) == 1  # the search extension loaded once
    assert opens_read_only(store)
