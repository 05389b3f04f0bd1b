"""Fixtures for the store tests: a migrated database in a temp folder (copied from one migrated template)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govpress.store import Store


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty database file; migrating once per session keeps the tests fast."""
    template = Store(tmp_path_factory.mktemp("template") / "govpress.duckdb")
    template.migrate()
    return template.path


@pytest.fixture
def store(tmp_path: Path, migrated_template: Path) -> Store:
    path = tmp_path / "govpress.duckdb"
    shutil.copyfile(migrated_template, path)
    return Store(path, lock_timeout=5)
