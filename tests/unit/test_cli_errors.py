"""Every failure class an operator can meet ends in ONE line and its exit code (govpress/errors.py); --debug adds the traceback.

Each case is a real file-system or database condition: a folder, a file that is not DuckDB,
someone else's DuckDB file, a newer schema, a folder that cannot be written, a database locked by
another process (a real subprocess), a full disk (the write-ahead log is a link to /dev/full, which
answers every write with ENOSPC), a bad registry.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from govpress.cli import app
from govpress.store import Store
from factories import free_port

runner = CliRunner()


def registry(tmp_path: Path) -> Path:
    """One source on a loopback port nobody listens on (nothing leaves the machine)."""
    path = tmp_path / "sources.toml"
    path.write_text(textwrap.dedent(f'''
        [[source]]
        id = "quiet"
        name = "Quiet"
        country = "RU"
        institution = "Nobody"
        languages = ["ru"]
        kind = "feed"
        start_urls = ["http://127.0.0.1:{free_port()}/feed"]
        allow_addresses = ["127.0.0.1"]
        '''), encoding="utf-8")
    return path


def one_line_failure(args: list[str], code: int, *, env: dict | None = None) -> str:
    """Run ``govpress ARGS``: it must exit ``code`` having printed exactly one line, no traceback."""
    result = runner.invoke(app, args, env=env)
    output = result.output.strip()
    assert result.exit_code == code, output
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert output.startswith("error: "), output
    return output


def ingest(tmp_path: Path, db: Path | str) -> list[str]:
    return ["ingest", "--without-prefect", "--sources-file", str(registry(tmp_path)), "--db", str(db)]


def test_a_folder_as_database(tmp_path: Path):
    line = one_line_failure(ingest(tmp_path, tmp_path), 3)
    assert "is a folder" in line


def test_a_file_that_is_not_duckdb(tmp_path: Path):
    db = tmp_path / "notes.duckdb"
    db.write_text("my notes\n")
    line = one_line_failure(ingest(tmp_path, db), 3)
    assert "not a DuckDB database file" in line and db.read_text() == "my notes\n"


def test_a_duckdb_file_of_something_else_is_left_alone(tmp_path: Path):
    db = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.close()
    line = one_line_failure(ingest(tmp_path, db), 3)
    assert "customers" in line and "something else" in line
    con = duckdb.connect(str(db), read_only=True)
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert tables == {"customers"}  # govpress added nothing


def test_a_newer_schema(tmp_path: Path):
    db = tmp_path / "g.duckdb"
    Store(db).migrate()
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version VALUES (99, now(), 'from the future')")
    con.close()
    line = one_line_failure(ingest(tmp_path, db), 3)
    assert "schema version 99" in line and "newer govpress" in line


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (a read-only mode; root needs a read-only file system)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):  # root ignores modes
        folder = Path("/sys/govpress-test")  # sysfs: not writable, even by root, where /sys is mounted
        if os.access("/sys", os.W_OK) and Path("/sys").is_dir() and os.geteuid() != 0:
            pytest.skip("no folder here refuses this process a write")
    return folder


def test_a_folder_that_cannot_be_written(tmp_path: Path):
    folder = unwritable_folder(tmp_path)
    line = one_line_failure(ingest(tmp_path, folder / "g.duckdb"), 3)
    assert "cannot create" in line and str(folder) in line


def test_a_registry_that_is_not_toml(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]\nid = 1\n")
    line = one_line_failure(["sources", "--sources-file", str(bad)], 2)
    assert "not valid TOML" in line
    line = one_line_failure(["ingest", "--sources-file", str(bad), "--db", str(tmp_path / "g.duckdb")], 2)
    assert "not valid TOML" in line


def test_debug_adds_the_traceback(tmp_path: Path):
    result = runner.invoke(app, ["--debug", "sources", "--sources-file", str(tmp_path / "missing.toml")])
    assert result.exit_code == 2
    assert "Traceback" in result.output and "RegistryError" in result.output
    assert result.output.strip().splitlines()[-1].startswith("error: ")


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    time.sleep(60)
""")


def test_a_database_locked_by_another_process(tmp_path: Path):
    db = tmp_path / "g.duckdb"
    Store(db).migrate()
    analyst = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "holding"
        line = one_line_failure(["sql", "SELECT 1", "--db", str(db)], 4, env={"GOVPRESS_LOCK_TIMEOUT": "0.3"})
        assert "locked by another process" in line and f"pid {analyst.pid}" in line
    finally:
        analyst.kill()
        analyst.wait()


def test_a_full_disk_names_the_real_failure(tmp_path: Path):
    db = tmp_path / "g.duckdb"
    Store(db).migrate()
    wal = tmp_path / "g.duckdb.wal"
    wal.symlink_to("/dev/full")  # every write to the write-ahead log: ENOSPC
    line = one_line_failure(ingest(tmp_path, db), 5)
    assert "No space left on device" in line and "cannot rollback" not in line
    wal.unlink()  # space is back: the database is intact and the next run works
    assert runner.invoke(app, ingest(tmp_path, db)).exit_code == 1  # the source is unreachable: a normal failure
    con = duckdb.connect(str(db), read_only=True)
    [(status,)] = con.execute("SELECT status FROM runs").fetchall()
    con.close()
    assert status == "failed"


def test_a_signal_that_stopped_the_command_is_told_apart_from_a_failure():
    """govpress/cli.py main(): SIGTERM during a command's flow (Stopped, or Prefect's TerminationSignal) is one
    line and exit code 128 + 15, not a traceback (tests/e2e/test_temporary_api.py runs it end to end)."""
    import signal

    from prefect.exceptions import TerminationSignal

    from govpress.cli import Stopped, stop_line, stopped_by_signal

    assert stopped_by_signal(Stopped(signal.SIGTERM)) == signal.SIGTERM
    assert stopped_by_signal(TerminationSignal(signal=signal.SIGTERM)) == signal.SIGTERM
    assert stopped_by_signal(KeyboardInterrupt()) is None and stopped_by_signal(OSError("disk full")) is None
    assert not isinstance(Stopped(15), Exception)  # no `except Exception` on the way takes it for a failure
    assert stop_line(signal.SIGTERM).startswith("govpress: stopped by SIGTERM: ")
    assert "signal 99" in stop_line(99)


def test_a_sigterm_during_a_flow_is_raised_at_the_runs_next_safe_point_and_ends_the_command_as_stopped():
    """govpress/cli.py StopsSeen, govpress/stops.py: a SIGTERM is noted whichever handler takes it; while a flow runs,
    Prefect's bridge no longer raises wherever the main thread is (in a task engine's setup its TerminationSignal became
    `ValueError: Task run is not set` and was lost): the run raises it at its next fetch or load, and the command ends
    as stopped even if what was raised got lost on the way."""
    import signal

    from prefect.exceptions import TerminationSignal
    from prefect.utilities import engine

    from govpress.cli import Stopped, StopsSeen
    from govpress.stops import raise_if_requested

    original, before = engine._prefect_sigterm_handler, signal.getsignal(signal.SIGTERM)
    with StopsSeen() as stops:
        stops.raise_if_stopped()  # nothing came: nothing to raise
        os.kill(os.getpid(), signal.SIGTERM)  # the command's own handler: noted, not raised wherever the thread is
        with pytest.raises(Stopped):
            raise_if_requested()  # the run's next safe point raises it (Prefect not loaded yet: Stopped)
        with pytest.raises(Stopped) as raised:
            stops.raise_if_stopped(ValueError("Task run is not set"))
        assert raised.value.signal == signal.SIGTERM and isinstance(raised.value.__cause__, ValueError)

    with StopsSeen() as stops:
        stops.watch_prefect()
        previous = signal.signal(signal.SIGTERM, engine._prefect_sigterm_handler)  # as Prefect's capture_sigterm does
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # noted, not raised wherever the main thread is
        finally:
            signal.signal(signal.SIGTERM, previous)
        with pytest.raises(TerminationSignal):
            raise_if_requested()  # the run's next fetch or load raises Prefect's own exception
        with pytest.raises(Stopped):
            stops.raise_if_stopped()
    raise_if_requested()  # the command is over: nothing pending
    assert engine._prefect_sigterm_handler is original  # Prefect's bridge as it was
    assert signal.getsignal(signal.SIGTERM) is before  # and the process's own handler
