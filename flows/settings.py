"""Project-wide settings, and the Prefect environment set inside the project (not in the user's shell).

Importing this module before Prefect makes every entry point (CLI, tests, deployments)
run Prefect offline with a project-local home; values already in the environment win.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _writable_home() -> Path:
    local = PROJECT_ROOT / ".prefect"
    try:
        local.mkdir(exist_ok=True)
        return local
    except OSError:  # installed read-only: fall back to the user's home
        return Path.home() / ".govpress" / "prefect"


PREFECT_DEFAULTS = {
    # Offline machines: no telemetry calls that log errors, and a slow first start is fine.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_HOME": str(_writable_home()),
    "PREFECT_UI_ENABLED": "true",
}

for _key, _value in PREFECT_DEFAULTS.items():
    os.environ.setdefault(_key, _value)

DEFAULT_DB = Path(os.environ.get("GOVPRESS_DB", "data/govpress.duckdb"))
SHARED_DIR = Path(os.environ.get("GOVPRESS_SHARED", PROJECT_ROOT.parent / "shared"))
