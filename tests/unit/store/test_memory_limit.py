"""The writer's DuckDB memory limit: a backfill's buffers stay bounded; analysts keep DuckDB's default."""

from __future__ import annotations

import pytest

from govpress.store import Store
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
    with store.session(), store.writer() as con:
        with memory_limit(con, publish_memory_limit()):
            seen.append(limit_of(con))
        seen.append(limit_of(con))
        store.rebuild_search_index()
        seen.append(limit_of(con))
    assert seen == ["244.1 MiB", "488.2 MiB", "488.2 MiB"]
