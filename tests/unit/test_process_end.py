"""A finished process ends without the interpreter's teardown: the command line, the run's bench process and the
parse workers' fork server (govpress.settings.end_process, govpress.parse_workers.end_fork_server_at_once).

Each case runs in a fresh interpreter; an object whose ``__del__`` writes to stderr tells whether the teardown ran.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

TEARDOWN_PROBE = """
import os
class Probe:
    def __del__(self):
        os.write(2, b"teardown\\n")
probe = Probe()
"""


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", TEARDOWN_PROBE + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_end_process_runs_the_exit_handlers_flushes_and_keeps_the_code():
    done = run("""
        import atexit, sys
        from govpress.settings import end_process
        atexit.register(lambda: print("handler ran"))
        sys.stdout.write("buffered, no newline")
        end_process(3)
    """)
    assert done.returncode == 3
    assert done.stdout == "buffered, no newlinehandler ran\n"
    assert "teardown" not in done.stderr  # the interpreter's teardown left out


def test_end_process_waits_for_a_working_thread():
    """A non-daemon thread still at work: the normal exit, which lets it finish (and tears down)."""
    done = run("""
        import threading, time
        from govpress.settings import end_process
        def work():
            time.sleep(0.3)
            print("thread done", flush=True)
        threading.Thread(target=work).start()
        end_process(4)
    """)
    assert done.returncode == 4
    assert done.stdout == "thread done\n"
    assert "teardown" in done.stderr


def test_the_command_line_ends_through_end_process(monkeypatch: pytest.MonkeyPatch):
    from govpress import cli, settings

    ended: list[int] = []

    def record(code: int = 0):
        ended.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(settings, "end_process", record)
    monkeypatch.setattr(sys, "argv", ["govpress", "--help"])
    with pytest.raises(SystemExit):
        cli.main()
    assert ended == [0]
    monkeypatch.setattr(sys, "argv", ["govpress", "no-such-command"])
    with pytest.raises(SystemExit):
        cli.main()
    assert ended == [0, 2]  # click's usage error keeps its code


def test_the_fork_server_ends_without_teardown():
    """Called from the fork server's loop (its preload runs inside multiprocessing.forkserver.main), the stop
    that loop raises ends the process at once, with status 0; a stand-in main plays the fork server here."""
    done = run("""
        import sys
        from multiprocessing import forkserver
        from govpress.parse_workers import end_fork_server_at_once
        def main():
            end_fork_server_at_once()
            raise SystemExit
        forkserver.main = main
        main()
    """)
    assert done.returncode == 0
    assert "teardown" not in done.stderr


def test_end_fork_server_at_once_is_a_no_op_elsewhere():
    done = run("""
        import sys
        from govpress.parse_workers import end_fork_server_at_once
        end_fork_server_at_once()
        sys.exit(5)
    """)
    assert done.returncode == 5
    assert "teardown" in done.stderr
