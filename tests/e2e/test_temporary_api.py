"""The command line's Prefect API (flows/temporary_api.py): started with a clear message and a timeout, gone with
its parent, restarted once when it stops mid-run, and never a failure of every source.

Each test runs ``python -m govpress.cli ingest`` (the Prefect path) as a real subprocess against a
generated site served by this process on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, generate_site
from factories import demo_registry
from processes import alive, children_of
from testpaths import ROOT

RUN_TIMEOUT = 300.0


def start(args: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govpress.cli", *args], cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200", **(env or {})})


def wait_for_line(process: subprocess.Popen, log: Path, text: str, timeout: float = RUN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"no {text!r} after {timeout:.0f} s"
        time.sleep(0.1)


def finish(process: subprocess.Popen, log: Path) -> tuple[int, str]:
    try:
        code = process.wait(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return code, log.read_text(errors="replace")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    generate_site(root / "site", per_source=8)
    # Slow pages keep a run going for a few seconds: time to act while it holds the writer slot.
    slow = FaultPlan.of(FaultRule(fault="latency", path="*/news/*", seconds=0.2))
    with LocalSiteServer(root / "site", faults=slow) as server:
        yield demo_registry(root / "sources.toml", server.base_url)


def test_an_api_that_does_not_answer_in_time_is_one_line_and_nothing_runs(tmp_path: Path, site: Path):
    db = tmp_path / "g.duckdb"
    process = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "log",
                    env={"GOVPRESS_PREFECT_START_TIMEOUT": "0.05"})
    code, output = finish(process, tmp_path / "log")
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert code == 6, output
    assert len(errors) == 1 and "did not answer within 0 s" in errors[0] and "Traceback" not in output
    assert not db.exists() or duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM runs").fetchone()[0] == 0


@pytest.mark.heavy
def test_the_temporary_api_dies_with_its_killed_parent_and_the_slot_is_free_for_the_next(tmp_path: Path, site: Path):
    db = tmp_path / "g.duckdb"
    process = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "killed.log")
    try:
        wait_for_line(process, tmp_path / "killed.log", "holding the DuckDB writer slot")
        servers = children_of(process.pid)
        assert servers, "no temporary API process under the run"
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in servers), "the killed run's temporary API is still running"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rerun = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "rerun.log")
    code, output = finish(rerun, tmp_path / "rerun.log")
    assert code == 0, output[-3000:]
    assert "waiting for the DuckDB writer slot for" not in output  # never waited on the dead run


@pytest.mark.heavy
def test_an_api_that_stops_mid_run_is_reported_once_and_every_source_loads(tmp_path: Path, site: Path):
    db = tmp_path / "g.duckdb"
    process = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "log")
    try:
        wait_for_line(process, tmp_path / "log", "holding the DuckDB writer slot")
        [server] = children_of(process.pid)
        os.kill(server, signal.SIGKILL)  # the API goes away in the middle of the run
    except BaseException:
        process.kill()
        raise
    code, output = finish(process, tmp_path / "log")
    assert code == 0, output[-4000:]
    assert output.count("Prefect's temporary API stopped") == 1
    assert "client has been closed" not in output
    con = duckdb.connect(str(db), read_only=True)
    statuses = con.execute("SELECT DISTINCT s.status FROM runs, unnest(from_json(per_source, '[\"json\"]')) u(x), "
                           "LATERAL (SELECT x->>'status' AS status) s").fetchall()
    [(run_status,)] = con.execute("SELECT status FROM runs").fetchall()
    con.close()
    assert run_status == "completed" and statuses == [("ok",)]


@pytest.mark.heavy  # a temporary Prefect API and a whole demo-sized run: half a minute
def test_a_full_disk_on_the_prefect_path_ends_in_its_one_line(tmp_path: Path, site: Path):
    from govpress.store import Store

    db = tmp_path / "g.duckdb"
    Store(db).migrate()
    (tmp_path / "g.duckdb.wal").symlink_to("/dev/full")  # every write to the write-ahead log: ENOSPC
    process = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "log")
    code, output = finish(process, tmp_path / "log")
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert code == 5, output[-3000:]
    assert len(errors) == 1 and "No space left on device" in errors[0]
    assert "Traceback" not in output and "cannot rollback" not in output


@pytest.mark.heavy  # a temporary Prefect API and a run, twice: half a minute
@pytest.mark.parametrize("moment", ["Prefect's temporary API on", "holding the DuckDB writer slot"],
                         ids=["before-the-flow", "during-the-flow"])
def test_a_sigterm_ends_the_command_in_one_line_and_a_rerun_finishes(tmp_path: Path, site: Path, moment: str):
    """A scheduler or an operator stops the command with SIGTERM: the shell's code for it (143), one line saying
    what to do, no traceback, the temporary API gone with it; the same command then finishes the run."""
    db = tmp_path / "g.duckdb"
    process = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "stopped.log")
    try:
        wait_for_line(process, tmp_path / "stopped.log", moment)
        servers = children_of(process.pid)
        process.send_signal(signal.SIGTERM)
    except BaseException:
        process.kill()
        raise
    code, output = finish(process, tmp_path / "stopped.log")
    assert code == 128 + signal.SIGTERM, output[-3000:]
    assert "Traceback" not in output and "Error logging to API" not in output, output[-3000:]
    # The line near the end (a task's crash that its thread logs later may still follow it).
    stops = [line for line in output.splitlines()
             if line.startswith("govpress: stopped by SIGTERM: the batches loaded so far are kept")]
    assert len(stops) == 1, output[-3000:]
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in servers), "the stopped command's temporary API is still running"
    rerun = start(["ingest", "--sources-file", str(site), "--db", str(db)], tmp_path / "rerun.log")
    code, output = finish(rerun, tmp_path / "rerun.log")
    assert code == 0, output[-3000:]
    con = duckdb.connect(str(db), read_only=True)
    last = con.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    con.close()
    assert last == "completed"
