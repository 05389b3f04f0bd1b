"""DuckDB's allocator keeps freed memory 10 s before giving it back (govpress.settings.duckdb_allocator): set in the
environment by the settings, which every entry point imports before DuckDB, and read by the jemalloc in DuckDB's wheel."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from govpress.settings import DUCKDB_ALLOCATOR

NAME = "DUCKDB_JE_MALLOC_CONF"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != NAME}


def test_every_entry_point_sets_duckdbs_decay_before_loading_it_and_keeps_a_value_the_environment_sets() -> None:
    for first in ("govpress.settings", "govpress.cli", "flows.ingest", "bench.govpress_run"):
        code = f"import os, {first}, duckdb; print(os.environ.get({NAME!r}))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env())
        assert done.stdout.strip() == DUCKDB_ALLOCATOR[NAME], first
    code = f"import os, govpress.settings; print(os.environ.get({NAME!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**_env(), NAME: "narenas:1"})
    assert done.stdout.strip() == "narenas:1"
    # Too late once DuckDB is loaded (its allocator read the environment then): the environment is left as it is.
    late = f"import os, duckdb; from govpress.settings import duckdb_allocator; duckdb_allocator(); print(os.environ.get({NAME!r}))"
    done = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True, env=_env())
    assert done.stdout.strip() == "None"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DuckDB's Linux wheels carry jemalloc")
def test_duckdbs_allocator_reads_the_setting() -> None:
    """The variable's name and syntax are the ones this DuckDB's jemalloc reads: its own statistics, printed at the
    process's exit when asked in the same variable, show both decays at 10 s (DuckDB's own default is 1 s)."""
    code = "import duckdb; duckdb.sql('SELECT 1').fetchall()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**_env(), NAME: DUCKDB_ALLOCATOR[NAME] + ",stats_print:true"})
    printed = done.stdout + done.stderr
    assert "opt.dirty_decay_ms: 10000" in printed and "opt.muzzy_decay_ms: 10000" in printed
