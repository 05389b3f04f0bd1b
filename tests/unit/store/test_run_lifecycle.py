"""The one run lifecycle (govpress/run.py) every writing run goes through: runs row, work, index, finish, snapshot."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from store_factories import batch, release, source, table_rows

from govpress.pipeline import SourceOutcome
from govpress.run import RunStart, run_lifecycle, run_status
from govpress.store import Store, count_releases, search_releases

SOURCES = [source("gov_ru")]


def load_one(release_id: str, body: str):
    """Work that loads one release through the store, as the stages do, and reports it."""

    async def work(run: RunStart) -> list[SourceOutcome]:
        counts = await asyncio.to_thread(run.store.load_batch, batch(release(release_id, body), run_id=run.run_id))
        outcome = SourceOutcome(source_id="gov_ru")
        outcome.add(counts)
        return [outcome]

    return work


def run(db: Path, work, **kwargs):
    return asyncio.run(run_lifecycle(db, flow="test", parameters={"why": "test"}, sources=SOURCES, work=work, **kwargs))


def test_a_run_that_loads_is_recorded_indexed_and_published(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    result = run(db, load_one("r1", "Визит премьер-министра в Минск."))
    assert (result.status, result.counts["new"], result.message) == ("completed", 1, None)
    store = Store(db)
    assert table_rows(store, "SELECT run_id, flow, status, new, parameters->>'why' FROM runs") == [
        (result.run_id, "test", "completed", 1, "test")]
    assert table_rows(store, "SELECT source_id FROM sources") == [("gov_ru",)]
    with store.reader() as con:
        assert [h.release_id for h in search_releases(con, "визиты")] == ["r1"]
    assert count_releases(store.default_snapshot_path()) == 1


def test_work_that_raises_still_finishes_the_run_and_search_catches_up(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    loaded = load_one("r1", "Визит премьер-министра в Минск.")

    async def crashes(run: RunStart) -> list[SourceOutcome]:
        await loaded(run)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run(db, crashes)
    store = Store(db)
    [(status, message, finished)] = table_rows(store, "SELECT status, message, finished_at IS NOT NULL FROM runs")
    assert (status, message, finished) == ("failed", "OSError: disk full", True)
    with store.reader() as con:  # what it loaded before the crash is searchable
        assert [h.release_id for h in search_releases(con, "визиты")] == ["r1"]
    assert count_releases(store.default_snapshot_path()) == 1


def test_a_quiet_run_after_a_killed_one_indexes_and_publishes_what_that_one_loaded(tmp_path: Path) -> None:
    # A run killed (SIGKILL) after its loads committed never built the index; a rerun that finds every page
    # unchanged used to skip the build, so those releases stayed unsearchable until some run changed a release.
    from datetime import datetime, timezone

    db = tmp_path / "g.duckdb"
    run(db, load_one("r0", "Заседание правительства."))
    store = Store(db)
    store.start_run("run-killed", "test", {}, ["gov_ru"], datetime.now(timezone.utc))  # left running, as a kill leaves it
    store.load_batch(batch(release("r1", "Визит премьер-министра в Минск."), run_id="run-killed"))
    result = run(db, load_one("r1", "Визит премьер-министра в Минск."))
    assert (result.counts["new"], result.counts["updated"], result.counts["unchanged"]) == (0, 0, 1)
    assert table_rows(store, "SELECT status FROM runs WHERE run_id = 'run-killed'") == [("crashed",)]
    with store.reader() as con:
        assert [h.release_id for h in search_releases(con, "визиты")] == ["r1"]
    assert count_releases(store.default_snapshot_path()) == 2
    run(db, load_one("r1", "Визит премьер-министра в Минск."))  # quiet, no crash before it: nothing to catch up


def test_an_interrupted_run_is_closed_as_failed(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"

    async def interrupted(run: RunStart) -> list[SourceOutcome]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(db, interrupted)
    assert table_rows(Store(db), "SELECT status, message FROM runs") == [("failed", "KeyboardInterrupt: ")]


def test_without_publishing_there_is_no_snapshot(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    run(db, load_one("r1", "Text."), publish_results=False)
    assert not Store(db).default_snapshot_path().exists()


@pytest.mark.parametrize(("statuses", "expected"), [
    (["ok", "unfinished"], "completed"),
    (["ok", "blocked"], "partial"),
    (["failed", "blocked"], "failed"),
])
def test_run_status_follows_the_sources(statuses: list[str], expected: str) -> None:
    outcomes = [SourceOutcome(source_id=f"s{n}", status=status, message="why") for n, status in enumerate(statuses)]
    status, message = run_status(outcomes)
    assert status == expected
    assert (message is None) == (expected == "completed")


def test_a_fresh_file_starts_the_parse_workers_before_its_migrations(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh file's first run parses every page it fetches: the workers' start (a fork server importing the
    # parsers, on the other core) overlaps the migrations instead of waiting for the first batch's launch.
    # A file that exists keeps the lazy start (a quiet run parses nothing).
    import govpress.run

    events: list[str] = []

    class Pool:
        def start_soon(self) -> None:
            events.append("workers")

        def close(self) -> None:
            pass

    migrate = Store.migrate

    def migrating(store: Store) -> int:
        events.append("migrate")
        return migrate(store)

    monkeypatch.setattr(govpress.run, "ParsePool", Pool)
    monkeypatch.setattr(Store, "migrate", migrating)
    db = tmp_path / "g.duckdb"
    run(db, load_one("r1", "Text."))
    assert events == ["workers", "migrate"]
    events.clear()
    run(db, load_one("r2", "More text."))
    assert events == ["migrate"]


def test_a_new_lake_keeps_the_parse_workers_lazy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A lake's store path may be an s3:// prefix (no path at all), and a new lake says nothing about the run's size.
    import govpress.run
    from govpress.storage import parse_store

    started: list[str] = []

    class Pool:
        def start_soon(self) -> None:
            started.append("workers")

        def close(self) -> None:
            pass

    monkeypatch.setattr(govpress.run, "ParsePool", Pool)
    lake = parse_store(f"ducklake:sqlite:{tmp_path / 'catalog.sqlite'}?data_path={tmp_path / 'data'}/")
    result = run(lake, load_one("r1", "Text."), publish_results=False)
    assert result.status == "completed" and started == []


def test_a_runs_connection_runs_duckdb_on_the_runs_threads(tmp_path: Path) -> None:
    # DuckDB's default is a thread per core; a run's statements are small and its parse workers use the
    # cores: with two threads the second spent CPU waiting for work (the fresh 653-page run 0.45 CPU-s).
    # Checked each time the session's connection opens: after an idle close or a released one too.
    from govpress.run import RUN_DUCKDB_THREADS

    seen: list[int] = []

    async def work(run: RunStart) -> list[SourceOutcome]:
        def threads() -> None:
            with run.store.writer() as con:
                seen.append(con.execute("SELECT current_setting('threads')").fetchone()[0])

        await asyncio.to_thread(threads)
        await asyncio.to_thread(run.store._shared.close)  # the next call opens the file again
        await asyncio.to_thread(threads)
        return [SourceOutcome(source_id="gov_ru")]

    run(tmp_path / "g.duckdb", work)
    assert seen == [RUN_DUCKDB_THREADS] * 2 == [1, 1]
    store = Store(tmp_path / "g.duckdb")  # outside a run: DuckDB's own default
    with store.session(), store.writer() as con:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == duckdb_default_threads()


def duckdb_default_threads() -> int:
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute("SELECT current_setting('threads')").fetchone()[0]
    finally:
        con.close()


def test_the_announcement_reads_the_finished_run_in_its_session_and_is_sent_while_the_snapshot_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A flow's artifacts (flows/artifacts.py, run_announcement) go out beside the snapshot, not after it (issue 14);
    their report reads the finished run on the run's own connection."""
    from govpress.run import Announcement

    import threading

    db = tmp_path / "g.duckdb"
    events: list[str] = []
    publish = Store.publish_snapshot
    snapshotting, sent = threading.Event(), threading.Event()

    def snapshot(self, dest=None):
        events.append("snapshot start")
        snapshotting.set()
        sent.wait(30)  # the announcement goes out meanwhile (sent at once if it runs beside the snapshot)
        try:
            return publish(self, dest)
        finally:
            events.append("snapshot done")

    monkeypatch.setattr(Store, "publish_snapshot", snapshot)

    def read(store: Store, result) -> tuple:
        events.append("read")
        with store.writer() as con:
            row = con.execute("SELECT status, new FROM runs WHERE run_id = ?", [result.run_id]).fetchone()
        return row, store.connections_opened

    async def send(result, read: tuple) -> None:
        events.append(f"send {read}")
        await asyncio.to_thread(snapshotting.wait, 30)  # the snapshot's thread is under way meanwhile
        events.append("sent")
        sent.set()

    result = run(db, load_one("r1", "Визит премьер-министра в Минск."), announcement=Announcement(read=read, send=send))
    assert result.status == "completed"
    assert events[0] == "read"
    assert "send (('completed', 1), 1)" in events  # the finished row, read on the run's one connection
    assert events.index("sent") < events.index("snapshot done")  # sent beside the snapshot, and awaited
    assert count_releases(Store(db).default_snapshot_path()) == 1


def test_a_failing_snapshot_still_sends_the_announcement_and_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govpress.run import Announcement

    db = tmp_path / "g.duckdb"
    sent: list[str] = []

    def snapshot(self, dest=None):
        raise OSError("disk full")

    async def send(result, read) -> None:
        await asyncio.sleep(0.05)
        sent.append(read)

    monkeypatch.setattr(Store, "publish_snapshot", snapshot)
    with pytest.raises(OSError, match="disk full"):
        run(db, load_one("r1", "x"), announcement=Announcement(read=lambda store, result: result.run_id, send=send))
    [(run_id, status)] = table_rows(Store(db), "SELECT run_id, status FROM runs")
    assert sent == [run_id] and status == "completed"  # the run's row was finished before: it is announced


def test_work_that_raises_announces_nothing(tmp_path: Path) -> None:
    from govpress.run import Announcement

    calls: list[str] = []

    async def crashes(run: RunStart) -> list[SourceOutcome]:
        raise OSError("disk full")

    async def send(result, read) -> None:
        calls.append("send")

    with pytest.raises(OSError, match="disk full"):
        run(tmp_path / "g.duckdb", crashes,
            announcement=Announcement(read=lambda store, result: calls.append("read"), send=send))
    assert calls == []


def test_a_report_that_cannot_be_read_still_leaves_the_snapshot_then_raises(tmp_path: Path) -> None:
    """The analysts' snapshot does not depend on the flow's report: a read that fails raises after it is published."""
    from govpress.run import Announcement

    sent: list[str] = []

    def read(store: Store, result) -> None:
        raise ValueError("report query broke")

    async def send(result, read) -> None:
        sent.append("send")

    db = tmp_path / "g.duckdb"
    with pytest.raises(ValueError, match="report query broke"):
        run(db, load_one("r1", "Визит премьер-министра в Минск."), announcement=Announcement(read=read, send=send))
    assert sent == []
    assert count_releases(Store(db).default_snapshot_path()) == 1
    assert table_rows(Store(db), "SELECT status FROM runs") == [("completed",)]


def test_only_big_loads_let_the_connection_go_and_build_the_index_in_a_child() -> None:
    from govpress.run import BIG_LOADS_FROM, big_loads

    assert big_loads({"new": BIG_LOADS_FROM - 1, "updated": 1})  # a backfill's end
    assert not big_loads({"new": 12, "updated": 0})  # a scheduled run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RUSAGE_CHILDREN's fault counts are Linux's")
def test_a_small_run_whose_loads_let_the_connection_go_builds_its_index_in_its_own_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Appending to a file that exists makes DuckDB hold a few MB per table whatever the rows: a 12-release run
    # held 75 MB, over RELEASE_ABOVE, and paid a child interpreter for its index (0.6-0.85 CPU-s). Here every
    # load lets the connection go, as such a run's end saw it.
    import resource

    from govpress.store import connection

    db = tmp_path / "g.duckdb"
    run(db, load_one("r0", "Заседание правительства."))
    monkeypatch.setattr(connection, "LOAD_RELEASE_ABOVE", 1)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    result = run(db, load_one("r1", "Визит премьер-министра в Минск."))
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt == before  # no child ran and was reaped
    assert (result.status, result.counts["new"]) == ("completed", 1)
    with Store(db).reader() as con:
        assert [h.release_id for h in search_releases(con, "визиты")] == ["r1"]
    assert count_releases(Store(db).default_snapshot_path()) == 2


def test_a_runs_work_goes_with_fewer_young_collections_and_the_thresholds_come_back(tmp_path: Path) -> None:
    # A run's objects die young without cycles: at Python's 700 the collector walked each batch's live objects
    # dozens of times a run (bench/results.md, perf-pipe27); the run raises the youngest threshold, then restores it.
    import gc

    from govpress.run import RUN_GC_YOUNG

    seen: list[tuple[int, int, int]] = []
    loaded = load_one("r1", "Визит премьер-министра в Минск.")

    async def work(run: RunStart) -> list[SourceOutcome]:
        seen.append(gc.get_threshold())
        return await loaded(run)

    before = gc.get_threshold()
    gc.set_threshold(700, 9, 8)
    try:
        run(tmp_path / "g.duckdb", work)
        assert seen == [(RUN_GC_YOUNG, 9, 8)]
        assert gc.get_threshold() == (700, 9, 8)
        gc.set_threshold(50_000, 9, 8)  # a higher threshold of the caller's is kept
        with pytest.raises(OSError):
            run(tmp_path / "g.duckdb", lambda run: _raises(seen, run))
        assert seen[-1] == (50_000, 9, 8) and gc.get_threshold() == (50_000, 9, 8)
    finally:
        gc.set_threshold(*before)


async def _raises(seen: list, run: RunStart) -> list[SourceOutcome]:
    import gc

    seen.append(gc.get_threshold())
    raise OSError("disk full")


def test_overlapping_runs_restore_the_thresholds_once_the_last_one_ends() -> None:
    import gc

    from govpress.run import RUN_GC_YOUNG, fewer_young_collections

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        first, second = fewer_young_collections(), fewer_young_collections()
        first.__enter__()
        second.__enter__()
        assert gc.get_threshold()[0] == RUN_GC_YOUNG
        first.__exit__(None, None, None)  # the first run ends while the second goes on
        assert gc.get_threshold()[0] == RUN_GC_YOUNG
        second.__exit__(None, None, None)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
