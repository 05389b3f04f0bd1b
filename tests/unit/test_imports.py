"""What a plain ingest process imports: nothing it never uses (each import is CPU on every run).

The modules are read from a fresh interpreter (``sys.modules`` after the imports), not timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_run_does_not_import_httpx_command_line_client():
    loaded = modules_after("import govpress.run")
    assert "httpx" in loaded and "govpress.fetch.client" in loaded  # the probe really imported the fetcher
    # httpx's __init__ imports its CLI (click, rich, pygments) when they are installed; govpress refuses it.
    assert sorted(m for m in loaded if m.split(".")[0] in ("click", "rich", "pygments") or m == "httpx._main") == []


def test_httpx_stays_whole_without_its_command_line_client():
    """httpx works as ever (its fallback ``main`` stub), and its CLI module can still be imported on purpose."""
    loaded = modules_after(
        "import govpress, sys, httpx\n"
        "assert govpress._WithoutHttpxCli not in sys.meta_path, 'the finder left once httpx was imported'\n"
        "assert callable(httpx.main) and httpx.AsyncClient and httpx.Request('GET', 'http://127.0.0.1/').url\n"
        "import httpx._main\n"
        "assert httpx._main.main is not None\n"
    )
    assert "httpx._main" in loaded


def test_httpx_imported_before_govpress_is_left_alone():
    loaded = modules_after("import httpx, sys, govpress\nassert govpress._WithoutHttpxCli not in sys.meta_path")
    assert "httpx._main" in loaded
