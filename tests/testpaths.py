"""Where the test data lives: ../shared (real pages and the seed, never copied here) and the constructed pages in govpress/demo/sites.

A module of its own (not conftest.py) so that test files can import it by a unique name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
PAGES = SHARED / "pages"
SEED = SHARED / "seed" / "000_3a8856661ff0840b.txt"
CONSTRUCTED_SITES = ROOT / "govpress" / "demo" / "sites"
"""Pages built to the selectors in SOURCES.md (marked as constructed), shipped with the demo."""

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
