"""A command's temporary API is forked from the command (flows/temporary_api.py, ``TemporaryApi._fork``; issue 14): on a
busy machine once Prefect's client is imported there (the server does not import Prefect a second time), with a core to
spare at once. Either way the server serves with its own settings, stops cleanly, dies with a killed command and says
why when it cannot start; while another thread runs, nothing is forked.

The servers here are real (Prefect's API under uvicorn on 127.0.0.1), each started by a fresh interpreter that stands
for the command, so no test forks pytest's own process with its threads.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from govpress.flows import temporary_api
from processes import alive
from testpaths import ROOT

# Four real Prefect API servers started and killed, ~11 s each: a scenario of most of a minute, run with -m heavy.
pytestmark = [pytest.mark.slow, pytest.mark.heavy]

START = (
    "import json, os, sys, urllib.request\n"
    "import govpress.flows.temporary_api as t\n"
    "api = t.TemporaryApi(timeout=180, log=lambda line: None)\n"
)


def command(script: str, home: Path, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    """A fresh interpreter standing for the command (no API configured, its own Prefect home; ``env`` added)."""
    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, **(env or {})}
    env.update(PREFECT_HOME=str(home), PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


def facts_printed(script: str, home: Path, env: dict[str, str] | None = None) -> dict:
    """What the script, run as a command, printed last as JSON (having ended well)."""
    process = command(script, home, env)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])

@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux /proc")
@pytest.mark.parametrize("mode", ["shared", "early"])
def test_the_server_is_forked_from_the_command_and_serves_with_the_servers_settings(tmp_path: Path, mode: str):
    """Without the fork the server was ``python -m govpress.flows.temporary_api PORT``, importing Prefect again (~1
    CPU-s). Forked, it must still run with :data:`SERVER_SETTINGS` (no UI, no automations), which the command's
    Prefect, imported before the fork (``shared``), did not read. Forked at once (``early``: a core to spare), the
    command has not imported Prefect when it forks, and the server imports it itself."""
    script = START + (
        "held, inherited = os.pipe()\n"
        "os.set_inheritable(inherited, True)  # as a harness's pipe the command inherited\n"
        "api.spawn(fork=True)\n"
        "prefect_at_fork = 'prefect' in sys.modules\n"
        "pid = api.process.pid\n"
        "api.start()\n"
        "def links(p):\n"
        "    found = set()\n"
        "    for fd in os.listdir(f'/proc/{p}/fd'):\n"
        "        try:\n"
        "            found.add(os.readlink(f'/proc/{p}/fd/{fd}'))\n"
        "        except OSError:\n"
        "            pass\n"
        "    return found\n"
        "with urllib.request.urlopen(api.api_url + '/admin/settings', timeout=30) as answer:\n"
        "    settings = json.load(answer)\n"
        "facts = {'pid': pid, 'child': int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1]) == os.getpid(),\n"
        "         'cmdline': open(f'/proc/{pid}/cmdline', 'rb').read() == open('/proc/self/cmdline', 'rb').read(),\n"
        "         'comm': open(f'/proc/{pid}/comm').read().strip(),\n"
        "         'ui': settings['server']['ui']['enabled'], 'triggers': settings['server']['services']['triggers']['enabled'],\n"
        "         'inherited_pipe_kept': os.readlink(f'/proc/self/fd/{inherited}') in links(pid),\n"
        "         'prefect_at_fork': prefect_at_fork}\n"
        "api.stop()\n"
        "facts['stopped'] = api.process is None and not os.path.exists(f'/proc/{pid}/stat')\n"
        "print(json.dumps(facts))\n"
    )
    facts = facts_printed(script, tmp_path / "home", {"GOVPRESS_PREFECT_FORK": mode})
    assert facts["prefect_at_fork"] is (mode == "shared"), facts
    assert facts["child"] and facts["cmdline"], facts  # a fork of the command, not a new interpreter
    assert facts["comm"] == "temporary_api"  # named for ps and bench_memory.py
    assert facts["ui"] is False and facts["triggers"] is False, facts  # the server's settings, not the command's
    assert not facts["inherited_pipe_kept"], facts  # the command's other descriptors closed, as Popen's close_fds
    assert facts["stopped"], facts  # stopped and reaped: nothing left behind


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux /proc")
def test_a_forked_server_dies_with_its_killed_command(tmp_path: Path):
    script = START + "api.spawn(fork=True)\napi.start()\nprint(api.process.pid, flush=True)\nimport time\ntime.sleep(300)\n"
    process = command(script, tmp_path / "home")
    try:
        server = int(process.stdout.readline())
        assert alive(server)
        process.send_signal(signal.SIGKILL)  # no atexit, no stop(): only the pipe closing tells the server
        process.wait()
        deadline = time.monotonic() + 30
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(server), "the killed command's forked server is still running"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_forked_server_that_cannot_start_says_why(tmp_path: Path):
    """Its port taken: uvicorn's error reaches the log file (the child's stdout and stderr) and the command's one line."""
    script = START + (
        "import socket\n"
        "taken = socket.socket()\n"
        "taken.bind(('127.0.0.1', api.port))\n"
        "taken.listen(1)\n"
        "api.spawn(fork=True)\n"
        "forked = type(api.process).__name__\n"
        "try:\n"
        "    api.start()\n"
        "except t.PrefectUnavailable as exc:\n"
        "    print(json.dumps({'forked': forked, 'error': exc.line()}))\n"
    )
    facts = facts_printed(script, tmp_path / "home")
    assert facts["forked"] == "ForkedProcess"
    assert re.search(r"exited with code [1-9][0-9]* before answering", facts["error"]), facts  # uvicorn's 3
    assert "address already in use" in facts["error"].lower(), facts


def test_nothing_is_forked_while_another_thread_runs(monkeypatch, tmp_path: Path):
    """Another thread's locks (the import lock, a logging handler's, DuckDB's) would stay held in a forked child: the
    server is a new interpreter then, as before."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.setattr(temporary_api, "warm_flow_imports", lambda **kwargs: None)
    monkeypatch.setattr(temporary_api.os, "fork", lambda: pytest.fail("forked beside a running thread"))
    spawned = []
    api = temporary_api.TemporaryApi(timeout=5, log=lambda line: None)
    monkeypatch.setattr(api, "_spawn", lambda: spawned.append(True))
    release = threading.Event()
    other = threading.Thread(target=release.wait, daemon=True)
    other.start()
    try:
        assert not temporary_api.safe_to_fork()
        api.spawn(fork=True)
    finally:
        release.set()
        other.join()
    assert spawned == [True]


def test_prefect_is_imported_before_the_fork_only_when_no_core_is_free():
    """Shared before the fork, Prefect's import saves the server ~1 CPU-s but holds the command's run back (~0.8 s
    quiet): worth it only on a busy machine (bench/results.md, "perf-prefect17"). ``GOVPRESS_PREFECT_FORK`` decides
    when set."""
    decide = temporary_api.prefect_import_shared
    for load, shared in ((0.3, False), (1.9, False), (2.0, True), (7.5, True)):
        assert decide("auto", 2, load) is shared, load
    assert decide("auto", 4, 2.5) is False  # cores to spare on a bigger machine
    assert decide("auto", 1, 0.0)  # one core: the server's own import would wait anyway
    assert decide("auto", 2, None)  # no load average to read: share, as before
    for load in (0.0, 9.0):
        assert decide("shared", 2, load) is True
        assert decide("early", 2, load) is False


def test_a_load_average_left_by_earlier_work_does_not_share_when_nothing_runs_now():
    """The load average trails by a minute: right after a heavy command (a script's calls in a row) it reads 2 or more
    on an idle two-core machine. The tasks running now decide then: a core free beside this process's forks at once
    (bench/results.md, "perf-prefect20"); one or more others running, or nothing to read, shares as before."""
    decide = temporary_api.prefect_import_shared
    assert decide("auto", 2, 2.4, 0) is False  # nothing else runs: the server gets the idle core
    assert decide("auto", 2, 2.4, 1) is True
    assert decide("auto", 2, 7.5, 6) is True
    assert decide("auto", 2, 2.4, None) is True  # nothing to read: the load average alone, as before
    assert decide("auto", 4, 5.0, 2) is False and decide("auto", 4, 5.0, 3) is True
    assert decide("auto", 1, 3.0, 0) is True  # one core: the command and the server would share it anyway
    assert decide("auto", 2, 1.0, 5) is False  # under the line the load average decides, as before
    assert decide("shared", 2, 0.5, 0) is True and decide("early", 2, 9.0, 9) is False


def test_the_running_tasks_are_read_from_the_run_queues(monkeypatch):
    """``procs_running`` counts the reader: a process alone on the machine reads 0 others; the median of the reads
    leaves out a passing burst."""
    reads = iter([b"cpu 1 2 3\nprocs_running 1\nprocs_blocked 0\n", b"procs_running 5\n", b"procs_running 1\n"])

    class Stat:
        def __init__(self, *_args):
            self.data = next(reads)

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return False

        def read(self):
            return self.data

    monkeypatch.setattr("builtins.open", Stat)
    assert temporary_api.others_running(reads=3, gap=0) == 0
    monkeypatch.setattr("builtins.open", lambda *_a: (_ for _ in ()).throw(OSError("no /proc")))
    assert temporary_api.others_running(reads=3, gap=0) is None


def test_the_fork_rule_counts_the_cores_this_process_may_use(tmp_path):
    """A process limited to one core of several (a container's cpuset) counts one, as the parse workers do: with
    one core the import is shared whatever the load."""
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux CPU affinity and two usable cores")
    script = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "from govpress.flows import temporary_api as t; from govpress.parse_workers import default_workers; "
        "print(t.usable_cores(), default_workers(), t.shares_prefect_import())"
    )
    env = {k: v for k, v in os.environ.items() if k != "GOVPRESS_PREFECT_FORK"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "1", "True"]


def test_nothing_is_forked_inside_an_event_loop():
    import asyncio

    async def inside() -> bool:
        return temporary_api.safe_to_fork()

    assert not asyncio.run(inside())


def test_a_forked_process_is_polled_waited_for_and_stopped_as_popen_would():
    pid = os.fork()
    if pid == 0:  # a child that only sleeps: safe beside pytest's threads
        time.sleep(60)
        os._exit(0)
    child = temporary_api.ForkedProcess(pid, None)
    assert child.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        child.wait(timeout=0.05)
    child.terminate()
    assert child.wait(timeout=30) == -signal.SIGTERM
    assert child.poll() == -signal.SIGTERM
    child.terminate()  # gone and reaped: no signal to a pid that may be reused
