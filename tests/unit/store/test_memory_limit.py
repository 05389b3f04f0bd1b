"""The writer's DuckDB memory limit: a backfill's buffers stay bounded; analysts keep DuckDB's default."""

from __future__ import annotations

import pytest

from govpress.store import Store
from govpress.store.connection import DEFAULT_WRITER_MEMORY, WRITER_MEMORY_ENV, writer_memory_limit


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
