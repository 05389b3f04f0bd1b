"""Fixtures for the store tests: a migrated database in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "govpress.duckdb", lock_timeout=5)
    s.migrate()
    return s
