"""The writer's DuckDB memory limit: a backfill's buffers stay bounded; analysts keep DuckDB's default."""

from __future__ import annotations

import pytest

from govpress.store import LoadBatch, Store
from govpress.store import connection
from govpress.store.connection import (
    DEFAULT_WRITER_MEMORY, WRITER_MEMORY_ENV, memory_bytes, memory_limit, publish_memory_limit, writer_memory_limit,
)


def limit_of(con) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_writes_are_held_to_the_writer_limit_and_reads_are_not(store: Store) -> None:
    if writer_memory_limit() != DEFAULT_WRITER_MEMORY:
        pytest.skip(f"{WRITER_MEMORY_ENV} is set in this environment")
    with store.writer() as con:
        written = limit_of(con)
    with store.session(), store.writer() as con:  # a run's shared connection too
        in_session = limit_of(con)
    with store.reader() as con:
        read = limit_of(con)
    assert written == in_session == "488.2 MiB"  # DuckDB's way of saying 512MB (decimal megabytes)
    assert read != written  # DuckDB's own default: 80% of the machine's memory


def test_the_limit_is_read_from_the_environment_and_checked() -> None:
    assert writer_memory_limit({}) == "512MB"
    assert writer_memory_limit({WRITER_MEMORY_ENV: " 2GB "}) == "2GB"
    assert writer_memory_limit({WRITER_MEMORY_ENV: ""}) == "512MB"
    with pytest.raises(ValueError, match="GOVPRESS_DUCKDB_MEMORY='lots' is not a memory size"):
        writer_memory_limit({WRITER_MEMORY_ENV: "lots"})


def test_the_end_of_a_run_holds_half_the_writer_limit() -> None:
    assert memory_bytes("512MB") == 512 * 10**6 and memory_bytes("1.5 GiB") == 3 * 2**29
    assert publish_memory_limit({}) == f"{512 * 10**6 // 2 // 1024}KiB"
    assert memory_bytes(publish_memory_limit({WRITER_MEMORY_ENV: "2GB"})) == 10**9 // 1024 * 1024
    with pytest.raises(ValueError):
        memory_bytes("lots")


def test_the_index_build_runs_under_the_lower_limit_and_gives_the_writer_its_own_back(store: Store) -> None:
    if writer_memory_limit() != DEFAULT_WRITER_MEMORY:
        pytest.skip(f"{WRITER_MEMORY_ENV} is set in this environment")
    seen = []
    with store.writer() as con:  # outside a session: the writer's own back after each block
        with memory_limit(con, publish_memory_limit()):
            seen.append(limit_of(con))
        seen.append(limit_of(con))
        with store.publish_limit(con):
            seen.append(limit_of(con))
        seen.append(limit_of(con))
    store.rebuild_search_index()
    with store.writer() as con:
        seen.append(limit_of(con))
    assert seen == ["244.1 MiB", "488.2 MiB", "244.1 MiB", "488.2 MiB", "488.2 MiB"]


def test_a_sessions_end_steps_share_one_lower_limit_until_a_load_or_the_close(store: Store, monkeypatch) -> None:
    """In a session the index build and the snapshot set the lower limit once (each SET flushes DuckDB's
    allocator); the calls after them keep it, a load gets the writer's back, and so does a reopened connection."""
    if writer_memory_limit() != DEFAULT_WRITER_MEMORY:
        pytest.skip(f"{WRITER_MEMORY_ENV} is set in this environment")
    sets = []
    real_cursor = connection._SharedConnection.cursor

    def cursor(self, **kwargs):
        made = real_cursor(self, **kwargs)
        execute = made.execute

        def spied(sql, *args):
            if "memory_limit" in sql and sql.lstrip().upper().startswith("SET"):
                sets.append(sql)
            return execute(sql, *args)
        return _Spy(made, spied)

    monkeypatch.setattr(connection._SharedConnection, "cursor", cursor)
    seen = []
    with store.session(idle_close=60):
        store.rebuild_search_index()
        with store.writer() as con:  # a small call between the end steps (a run finishes its row there)
            seen.append(limit_of(con))
        store.publish_snapshot()
        with store.writer() as con:
            seen.append(limit_of(con))
        assert len(sets) == 1
        store.load_batch(LoadBatch(run_id="r1", source_id="s"))
        with store.writer() as con:
            seen.append(limit_of(con))
        store.rebuild_search_index()
        store._shared.close()
        with store.writer() as con:
            seen.append(limit_of(con))
    assert seen == ["244.1 MiB", "244.1 MiB", "488.2 MiB", "488.2 MiB"]
    assert len(sets) == 2  # each build's after the writer's limit (the load's way back is sent as its cursor is made)


class _Spy:
    """A cursor whose ``execute`` is spied on; everything else is the cursor's."""

    def __init__(self, cursor, execute) -> None:
        self._cursor = cursor
        self.execute = execute

    def __getattr__(self, name):
        return getattr(self._cursor, name)
