"""Migrations, the documented schema (every table, view and column commented), the views and snapshots."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from store_factories import at, batch, fetch, release, source, table_rows

from govpress.store import LATEST_VERSION, FailureRow, SchemaTooNew, Store, load_fts, search_releases
from govpress.store import load, migrations


def test_a_version_1_file_migrates_to_the_latest_and_reruns_are_no_ops(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    load_fts(con)
    assert migrations.migrate(con, target=1) == 1
    load.load_batch(con, batch(release("r1", "Визит в Минск.", title="Визит")))
    con.close()

    store = Store(path)
    assert store.migrate() == LATEST_VERSION
    with store.reader() as con:  # migration 2 indexed what version 1 already held
        assert [h.release_id for h in search_releases(con, "визиты")] == ["r1"]
    applied = table_rows(store, "SELECT version, applied_at FROM schema_version ORDER BY version")
    assert [v for v, _ in applied] == list(range(1, LATEST_VERSION + 1))
    assert store.migrate() == LATEST_VERSION
    assert table_rows(store, "SELECT version, applied_at FROM schema_version ORDER BY version") == applied


def test_a_file_from_a_newer_govpress_is_refused(store: Store) -> None:
    with store.writer() as con:
        con.execute("INSERT INTO schema_version VALUES (99, now(), 'from the future')")
    with pytest.raises(SchemaTooNew, match=rf"schema version 99 .* only knows up to version {LATEST_VERSION}.*newer govpress"):
        store.migrate()


def test_a_failing_migration_is_rolled_back(tmp_path: Path) -> None:
    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("INSERT INTO half_done VALUES (1)")
        raise RuntimeError("boom")

    steps = [*migrations.MIGRATIONS[:1],
             migrations.Migration(2, "broken", "CREATE TABLE half_done (x INTEGER);", data_step_fn=broken)]
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    load_fts(con)
    with pytest.raises(RuntimeError, match="boom"):
        migrations.migrate(con, migrations=steps)
    assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'").fetchall() == [(0,)]
    con.close()


def test_every_table_view_and_column_has_a_comment(store: Store) -> None:
    objects = table_rows(store, """
        SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'main'
        UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal""")
    names = {name for name, _ in objects}
    assert {"releases", "release_versions", "release_links", "fetches", "runs", "sources", "parse_failures",
            "removals", "frontier", "http_cache", "schema_version", "unique_releases", "daily_counts",
            "source_health", "release_translations", "search_ru", "search_en"} <= names
    assert [name for name, comment in objects if not (comment or "").strip()] == []
    columns = table_rows(
        store,
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal",
    )
    assert len(columns) > 150
    assert [(t, c) for t, c, comment in columns if not (comment or "").strip()] == []


def test_daily_counts_use_the_source_time_zone(store: Store) -> None:
    store.upsert_sources([source("gov_ru", timezone_name="Europe/Moscow")], "run-1")
    late_evening_utc = datetime(2024, 3, 1, 22, 30, tzinfo=timezone.utc)  # 01:30 on 2 March in Moscow
    store.load_batch(batch(
        release("a", "A.", published_at=late_evening_utc),
        release("b", "B.", published_at=late_evening_utc - timedelta(hours=3)),  # 22:30 on 1 March in Moscow
        release("c", "C.", published_at=None),
    ))
    assert table_rows(store, "SELECT source_id, day::VARCHAR, releases FROM daily_counts WHERE releases > 0 ORDER BY day") == [
        ("gov_ru", "2024-03-01", 1), ("gov_ru", "2024-03-02", 1)
    ]


def test_a_release_whose_page_states_no_date_counts_on_the_day_its_listing_showed(store: Store) -> None:
    from govpress.store.rows import ListingRow

    store.upsert_sources([source("gov_ru", timezone_name="Europe/Moscow")], "run-1")
    listed = datetime(2024, 3, 1, 21, 30, tzinfo=timezone.utc)  # 00:30 on 2 March in Moscow

    def listing(release_id: str, published_at: datetime | None) -> ListingRow:
        return ListingRow(release_id, "gov_ru", "listing", f"https://gov.example/{release_id}", None, published_at, None,
                          None, listed)

    store.load_batch(batch(
        release("a", "A.", published_at=datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)),
        release("b", "B.", published_at=None),  # the page says nothing: the list's day counts
        release("c", "C.", published_at=None),  # neither does its list: not counted
        release("d", "D.", published_at=datetime(2024, 3, 1, 10, 0, tzinfo=timezone.utc)),  # the page wins
        listings=[listing("b", listed), listing("c", None), listing("d", listed + timedelta(days=5))],
    ))
    assert table_rows(store, "SELECT release_id, local_time::VARCHAR, published_precision, dated_by FROM release_local_times "
                             "ORDER BY release_id") == [
        ("a", "2024-03-01 12:00:00", "minute", "page"), ("b", "2024-03-02 00:30:00", "day", "listing"),
        ("d", "2024-03-01 13:00:00", "minute", "page")]
    assert table_rows(store, "SELECT day::VARCHAR, releases FROM daily_counts WHERE releases > 0 ORDER BY day") == [
        ("2024-03-01", 2), ("2024-03-02", 1)]


def test_source_health_summarises_runs_fetches_and_failures(store: Store) -> None:
    now = datetime.now(timezone.utc)
    store.upsert_sources([source("gov_ru"), source("quiet", language="en")], "run-1")
    store.start_run("run-1", "ingest", {}, ["gov_ru"], now - timedelta(hours=2))
    store.start_run("run-2", "ingest", {}, ["gov_ru", "quiet"], now - timedelta(hours=1))
    store.finish_run("run-2", "partial", {}, None, [], now)
    store.load_batch(batch(
        release("r1"),
        fetches=[fetch("f1", "u1", started_at=now - timedelta(days=1)),
                 fetch("f2", "u2", started_at=now - timedelta(days=1), outcome="error"),
                 fetch("f3", "u3", started_at=now - timedelta(days=2), outcome="blocked"),
                 fetch("f4", "u4", started_at=now - timedelta(days=3)),
                 fetch("f5", "u5", started_at=now - timedelta(days=30), outcome="error")],
        failures=[FailureRow("gov_ru", "u9", "ak9", "generic/1", "no title", now)],
    ))
    health = {r[0]: r for r in table_rows(store, """
        SELECT source_id, last_run_id, last_status, last_ok_fetch_at IS NOT NULL, fetches_7d, failed_fetches_7d,
               fetch_error_rate_7d, blocked_7d, parse_failures, releases FROM source_health""")}
    # run-2 finished with no per-source outcomes: the sources' own status is unknown (NULL), not the run's.
    assert health["gov_ru"] == ("gov_ru", "run-2", None, True, 4, 2, 0.5, 1, 1, 1)
    assert health["quiet"] == ("quiet", "run-2", None, False, 0, 0, None, 0, 0, 0)


def test_sources_are_upserted(store: Store) -> None:
    store.upsert_sources([source("gov_ru", timezone_name="Europe/Moscow")], "run-1")
    store.upsert_sources([source("gov_ru", timezone_name="Europe/Minsk")], "run-2")
    assert table_rows(store, "SELECT source_id, timezone, run_id, allowed_hosts, config->>'id' FROM sources") == [
        ("gov_ru", "Europe/Minsk", "run-2", ["gov.example"], "gov_ru")
    ]


def test_sources_are_upserted_in_one_statement_the_last_of_a_twice_given_source_kept(store: Store) -> None:
    class Counting:
        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self.con, self.statements = con, []

        def execute(self, sql: str, *args: object):  # noqa: ANN202
            self.statements.append(sql)
            return self.con.execute(sql, *args)

        def executemany(self, sql: str, rows: object):  # noqa: ANN202
            self.statements += [sql] * len(rows)  # type: ignore[arg-type]
            return self.con.executemany(sql, rows)

        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(self.con, name)

    store.upsert_sources([source("gov_ru"), source("quiet", language="en")], "run-1")
    with store.writer() as con:
        counting = Counting(con)
        load.upsert_sources(counting, [source("gov_ru", timezone_name="Europe/Moscow"), source("quiet", language="en"),
                                       source("new_one"), source("gov_ru", timezone_name="Europe/Minsk")], "run-2")
    assert len(counting.statements) == 1  # one per source before: 3-4 ms each of every run's start
    assert table_rows(store, "SELECT source_id, timezone, run_id FROM sources ORDER BY source_id") == [
        ("gov_ru", "Europe/Minsk", "run-2"), ("new_one", "Europe/Moscow", "run-2"), ("quiet", "Europe/Moscow", "run-2")]


def test_a_run_started_again_is_running_again_and_a_new_one_takes_no_conflict_path(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # load.start_run on a DuckDB connection looks for the run's row first: a plain insert for a new id (DuckDB's
    # ON CONFLICT path was 3 ms more for the one row), the conflict's update for a retried one. The rows are what
    # the one ON CONFLICT statement (which a lake connection, or a wrapper, still sends) leaves.
    from store_factories import Recorder

    t0 = datetime(2026, 12, 6, 9, tzinfo=timezone.utc)
    other = Store(tmp_path / "other.duckdb")
    shutil.copyfile(store.path, other.path)
    sent: list[str] = []
    real = duckdb.DuckDBPyConnection.execute

    def spy(self, sql, *args, **kwargs):
        sent.append(sql)
        return real(self, sql, *args, **kwargs)

    def lifecycle(con) -> None:
        load.start_run(con, "run-1", "ingest", {"a": 1}, ["gov_ru"], t0)
        load.finish_run(con, "run-1", "failed", {"new": 2}, "boom", [], t0 + timedelta(minutes=1))
        load.start_run(con, "run-1", "ingest again", {"a": 2}, ["gov_en"], t0 + timedelta(minutes=2))  # retried
        load.start_run(con, "run-2", "ingest", {}, ["gov_ru", "gov_en"], t0 + timedelta(minutes=3))

    with store.writer() as con:
        monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", spy)
        lifecycle(con)
        monkeypatch.undo()
    with other.writer() as con:
        recorder = Recorder(con)
        lifecycle(recorder)
    assert not any("ON CONFLICT" in sql for sql in sent if "INTO runs" in sql)
    assert any("ON CONFLICT" in sql for sql in recorder.sent)
    query = "SELECT * FROM runs ORDER BY run_id"
    assert table_rows(store, query) == table_rows(other, query)
    assert table_rows(store, "SELECT run_id, flow, status, finished_at, new, source_ids FROM runs ORDER BY run_id") == [
        ("run-1", "ingest", "running", None, 2, ["gov_ru"]), ("run-2", "ingest", "running", None, 0, ["gov_ru", "gov_en"])]


def test_snapshot_is_a_readable_copy_swapped_in_atomically(store: Store) -> None:
    store.load_batch(batch(release("r1", "One.")))
    snapshot = store.publish_snapshot()
    assert snapshot == store.path.with_name("govpress.snapshot.duckdb")
    analyst = duckdb.connect(str(snapshot), read_only=True)  # an analyst keeps the snapshot open ...
    try:
        store.load_batch(batch(release("r2", "Two.", seen_at=at(1))))  # ... and never blocks the writer
        assert store.publish_snapshot() == snapshot
        assert analyst.execute("SELECT count(*) FROM releases").fetchone() == (1,)  # the old copy, until reopened
    finally:
        analyst.close()
    fresh = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert fresh.execute("SELECT count(*) FROM releases").fetchone() == (2,)
    finally:
        fresh.close()
    assert sorted(p.name for p in store.path.parent.iterdir() if ".tmp" in p.name) == []


def test_snapshot_refuses_to_overwrite_the_live_file(store: Store) -> None:
    with pytest.raises(ValueError, match="live database"):
        store.publish_snapshot(store.path)


def test_a_snapshot_copy_that_is_no_database_is_refused_and_the_writer_goes_on(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # The copy is checked by attaching it to the writer's connection: a bad copy raises, is never swapped in,
    # and leaves nothing attached to the writer.
    import shutil

    store.load_batch(batch(release("r1", "One.")))
    good = store.publish_snapshot()
    monkeypatch.setattr(shutil, "copyfile", lambda src, dst: Path(dst).write_bytes(b"not a database" * 100))
    with store.session():
        with pytest.raises(duckdb.Error):
            store.publish_snapshot()
        with store.writer() as con:
            assert [name for (name,) in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
                    if "snapshot" in name] == []
        store.load_batch(batch(release("r2", "Two.", seen_at=at(1))))
    assert sorted(p.name for p in store.path.parent.iterdir() if ".tmp" in p.name) == []
    still = duckdb.connect(str(good), read_only=True)
    try:
        assert still.execute("SELECT count(*) FROM releases").fetchone() == (1,)
    finally:
        still.close()


def test_the_snapshots_checkpoint_compresses_no_string_by_fsst_and_leaves_the_setting_as_it_was(store: Store) -> None:
    # FSST's analysis was half of the snapshot's CHECKPOINT (every string column segment it writes); the strings
    # are stored by another method, the rows the same.
    store.load_batch(batch(release("r1", "One.")))
    urls = "SELECT 'https://www.example.gov/press-office/news/2026/12/' || i || '-statement-of-the-ministry-' || i AS u " \
           "FROM range(6000) t(i)"
    with store.session():
        with store.writer() as con:
            con.execute(f"CREATE TABLE scratch_urls AS {urls}")
        snapshot = store.publish_snapshot()
        with store.writer() as con:
            assert con.execute("SELECT current_setting('disabled_compression_methods')").fetchone() == ("",)
    copy = duckdb.connect(str(snapshot), read_only=True)
    try:
        methods = {m for (m,) in copy.execute(
            "SELECT DISTINCT compression FROM pragma_storage_info('scratch_urls') WHERE segment_type = 'VARCHAR'"
        ).fetchall()}
        assert methods and not any(m.lower().startswith("fsst") for m in methods)
        assert copy.execute("SELECT count(*) FROM scratch_urls").fetchone() == (6000,)
        assert copy.execute(f"SELECT u FROM scratch_urls EXCEPT SELECT u FROM ({urls})").fetchall() == []
    finally:
        copy.close()
