"""Shared test fixtures: where ../shared lives, and skips with a clear reason when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

import govpress.settings  # noqa: F401  (sets the project's Prefect environment before any Prefect import)

from testpaths import CONSTRUCTED_SITES, NO_SHARED, PAGES, ROOT, SEED, SHARED, shared_file  # noqa: F401  (re-exported)


# Markers by folder, so that `-m "not e2e and not slow and not browser"` is the quick unit suite.
# The browser test also carries `browser` itself.
FOLDER_MARKERS = {"e2e": ("e2e", "slow"), "deployments": ("e2e", "slow"), "reliability": ("slow",)}
TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS_DIR).parts[0]
        for name in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(name)


@pytest.fixture
def seed_path() -> Path:
    return shared_file("seed/000_3a8856661ff0840b.txt")


@pytest.fixture
def pages_dir() -> Path:
    if not PAGES.is_dir():
        pytest.skip(NO_SHARED)
    return PAGES


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API for all flow runs of the session (~10 s to start)."""
    from prefect.logging.configuration import setup_logging
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        # Bind Prefect's console handler to the session's stderr now, not to the temporary
        # stream of whichever CliRunner.invoke happens to log first (closed right after it).
        setup_logging(incremental=False)
        yield
