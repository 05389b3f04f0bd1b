"""Fixtures for the analyst's side: a migrated database in a temp folder (copied from one migrated template)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from govpress.store import Store


@pytest.fixture(scope="session")
def analysis_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated, empty database; migrating once per session keeps the tests fast."""
    template = Store(tmp_path_factory.mktemp("analysis-template") / "govpress.duckdb")
    template.migrate()
    return template.path


@pytest.fixture
def store(tmp_path: Path, analysis_template: Path) -> Store:
    path = tmp_path / "govpress.duckdb"
    shutil.copyfile(analysis_template, path)
    return Store(path, lock_timeout=5)
