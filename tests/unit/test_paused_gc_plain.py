"""The plain run's imports and the parse workers' fork server import with the cyclic collector paused, then frozen.

:func:`govpress.settings.paused_gc` around ``govpress ingest --without-prefect``'s imports (as the Prefect path had it
around Prefect's): 35-45 ms of a run's ~0.35 s of imports were 153 collections walking the new modules.
Read from fresh interpreters, not timed.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import govpress.settings
from govpress.cli import app


def fresh(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code + "\nimport gc, json\n"
                           "print(json.dumps({'frozen': gc.get_freeze_count(), 'enabled': gc.isenabled()}))"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_fork_servers_preload_leaves_its_imports_frozen_and_the_collector_on():
    state = fresh("import govpress.parse_preload")
    assert state["enabled"] and state["frozen"] > 20_000  # the parsers, the language model, the sample parse


def test_the_bench_runner_imports_the_run_as_the_command_does():
    state = fresh("import bench.govpress_run")
    assert state["enabled"] and state["frozen"] > 20_000


def test_ingest_without_prefect_imports_with_the_collector_paused(tmp_path: Path, monkeypatch):
    entered = []
    paused = govpress.settings.paused_gc

    def recording(*args, **kwargs):
        entered.append(True)
        return paused(*args, **kwargs)

    monkeypatch.setattr(govpress.settings, "paused_gc", recording)
    try:
        result = runner.invoke(app, ["ingest", "--without-prefect", "--source", "nope", "--db", str(tmp_path / "g.duckdb")])
    finally:
        gc.unfreeze()  # what the call froze goes back to this test process's collections
    assert result.exit_code == 2 and "nope" in result.output  # refused after the registry's import
    assert entered


runner = CliRunner()
