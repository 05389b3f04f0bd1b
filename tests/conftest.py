"""Shared test fixtures: where ../shared lives, and skips with a clear reason when it does not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import flows.settings  # noqa: F401  (sets the project's Prefect environment before any Prefect import)

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
PAGES = SHARED / "pages"
SEED = SHARED / "seed" / "000_3a8856661ff0840b.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

NO_SHARED = (
    f"needs the saved real pages in {SHARED} (beside the checkout; CI always has them). "
    "They are other people's words and are never copied into this repository."
)


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test with the reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(NO_SHARED)
    return path


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
