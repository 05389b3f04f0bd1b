"""Prefect's API for one command-line run: the configured server, a running ``govpress serve``, or a temporary one that dies with us.

Without ``PREFECT_API_URL`` Prefect starts a temporary API server itself (a uvicorn subprocess,
stopped by an ``atexit`` hook). Two things went wrong with that and are why govpress starts it:

- a run killed with SIGKILL runs no ``atexit``: its server was left running, one more per kill
  (measured: bench/probe_writer_lease.py, "temporary server left running: 1 process(es)");
- on a loaded machine the server may not answer in time, and the run then failed source after
  source with "Cannot send a request, as the client has been closed" instead of once, clearly.

:func:`prefect_api` starts the same server (Prefect's ``create_app`` under uvicorn, ephemeral
mode: no UI, no background services, state in ``PREFECT_HOME``) with a clear message, waits for
``/api/health`` at most ``GOVPRESS_PREFECT_START_TIMEOUT`` seconds (default 120: a first start on a
busy two-core machine takes 10-40 s) and raises :class:`~govpress.errors.PrefectUnavailable` with
the server's last log lines when it does not answer. The server watches its stdin, a pipe from
this process: when this process dies, however it dies, the pipe closes and the server stops itself.
A command calls :func:`started_early` first thing (before it imports the run's modules, Prefect and the
flows, or builds the demo's site): the server is spawned then, its start overlapping that
work, and :func:`prefect_api` only waits for what is left of it when the flow is about to run
(``prefect_share`` in ``python -m bench`` measures what this buys); meanwhile it imports what
Prefect's first flow and task call would (:func:`warm_flow_imports`: ``fastapi`` for the flow's
parameters above all), so that no longer comes after the wait (the command imports them with the flow already,
govpress/cli.py ``_run_flow``, so that a running server's call does not import them at the flow's call either). Both processes import Prefect with the
cyclic collector paused (:func:`govpress.settings.paused_gc`), and the server runs no automations (:data:`SERVER_SETTINGS`):
its start took 3.2-3.5 CPU-s instead of 4.4-5.0 (bench/results.md, "Prefect's share, prefect5"). The server
builds FastAPI's route table while it starts (:func:`build_routes`), so the client's first request after the
health check no longer does (bench/results.md, "perf-prefect6"). It skips Alembic's upgrade when its SQLite
database is at the head of Prefect's migrations already (:func:`migrated_already`), and starts py-key-value
without its run-time type checks (bench/results.md, "perf-prefect15").
The command's server is forked from the command (``TemporaryApi._fork``, bench/results.md, "perf-prefect16"):
on a busy machine :func:`started_early` imports Prefect's client and its first-call modules in the main thread, which
the command needs anyway, and forks the server from there, so the server does not import them a second time (~1 of
its ~2.3 CPU-s of imports); with a core to spare it forks at once, and the run starts ~0.8 s sooner while the server
imports them on that core (:func:`shares_prefect_import`, "perf-prefect17"; a core is to spare when the load average is
under the cores, or when the tasks running now leave one free beside the command's: the load average trails a command
run right after another by a minute, "perf-prefect20"). It forks only while the process has one
thread (no other thread's lock can be left held in the child: checked in ``/proc``; DuckDB's import alone starts two,
so this comes before the run's imports) and no event loop; the child takes the pipe as stdin and the log file as
stdout and stderr, the server's environment (Prefect's settings read again), and ends with ``os._exit`` (none of the
command's ``atexit`` handlers or finalisers run in it). Anything else (another thread running, no ``os.fork``,
``GOVPRESS_PREFECT_FORK=0``, a restart during the run) spawns ``python -m govpress.flows.temporary_api PORT`` as before.
Prefect's clients in the command skip the two round trips a temporary API cannot answer anything new to: the server's
version and a CSRF token (:func:`temporary_client_settings`, "perf-prefect20").
A server that stops while the run goes on is reported once and started again on the same port
(at most :data:`MAX_RESTARTS` times): Prefect's client retries refused connections, so the run
carries on; the flow's tasks fall back to the plain stages for any call that still fails
(flows/tasks.py), so one failure never becomes a failure of every source.
"""

from __future__ import annotations

import govpress.settings  # noqa: F401  (Prefect environment before Prefect is imported)

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import NoReturn

from govpress.errors import PrefectUnavailable
from govpress.settings import paused_gc, usable_cores  # noqa: F401  (paused_gc here too: the command and the server use it from here)

SERVE_API = "http://127.0.0.1:4200/api"
"""Where ``govpress serve`` runs its server by default: a command-line run reuses it when it answers."""
START_TIMEOUT = float(os.environ.get("GOVPRESS_PREFECT_START_TIMEOUT", "120"))
STOP_GRACE = 10.0
MAX_RESTARTS = 3
HEALTH_POLL = 0.05
"""Seconds between two asks of a starting server's ``/api/health`` (a refused connection costs well under a millisecond;
the run waits for the answer, and at 0.2 s it waited 0.1 s more on average)."""


_STOPPING: list[subprocess.Popen] = []
"""Temporary servers asked to stop and not waited for (:meth:`TemporaryApi.stop` with ``wait=False``)."""

_TEMPORARY_URLS: set[str] = set()
"""API URLs of the temporary servers this process started (and alone uses)."""


def is_temporary() -> bool:
    """Whether the API in use is a temporary server of this process: nothing else can reach it."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return not url or url in _TEMPORARY_URLS  # no URL: Prefect's own temporary server, as private


def configured_api_url() -> str | None:
    """The API this process is already told to use (``PREFECT_API_URL``, a test harness), or None."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url or None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(api_url + "/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:] if line.strip())


class TemporaryApi:
    """One temporary Prefect API server on 127.0.0.1, tied to this process's life."""

    def __init__(self, *, timeout: float = START_TIMEOUT, log: Callable[[str], None] = print,
                 restarts: int = MAX_RESTARTS) -> None:
        self.timeout = timeout
        self.log = log
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log_file = Path(os.environ["PREFECT_HOME"]) / "temporary-api.log"
        self.process: subprocess.Popen | None = None
        self.restarts_left = restarts
        self.failure: str | None = None
        """Set when the server stopped during the run and could not be brought back (said once, here)."""
        self._stopping = threading.Event()
        self._watchdog: threading.Thread | None = None
        self.spawned_at = time.monotonic()

    def spawn(self, *, fork: bool = False) -> None:
        """Start the server process without waiting for it (:meth:`start` waits).

        ``fork``: fork the server from this process (:meth:`_fork`, Prefect's client imported here first on a busy
        machine), when that is safe; otherwise (and for every restart) a fresh interpreter as before."""
        self.spawned_at = time.monotonic()
        if not (fork and self._fork()):
            self._spawn()

    def start(self, while_waiting: Callable[[], None] | None = None) -> str:
        """Wait until the server answers (spawning it first if needed); ``while_waiting`` runs once, if it has not yet.

        Once it answered (:func:`api_ready` waited for it already), returns at once."""
        if self._watchdog is not None:
            return self.api_url
        if self.process is None:
            self.log(f"Starting Prefect's temporary API on {self.api_url} (waiting up to {self.timeout:.0f} s; "
                     f"log: {self.log_file}) ...")
            self.spawn()
        else:  # spawned early by the command (started_early): only what is left of its start is waited for
            self.log(f"Prefect's temporary API on {self.api_url} was started {time.monotonic() - self.spawned_at:.1f} s "
                     f"ago; waiting up to {self.timeout:.0f} s for it (log: {self.log_file}) ...")
        self._wait_healthy(while_waiting)
        self._watchdog = threading.Thread(target=self._watch, name="temporary-api-watchdog", daemon=True)
        self._watchdog.start()
        return self.api_url

    def _spawn(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        env = server_environment()
        with self.log_file.open("ab") as out:
            # stdin is a pipe only this process writes to: its end closes when we die (see watch_parent).
            self.process = subprocess.Popen([sys.executable, "-m", "govpress.flows.temporary_api", str(self.port)],
                                            env=env, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)

    def _fork(self) -> bool:
        """Fork the server from this process. On a busy machine (:func:`shares_prefect_import`) import Prefect's client
        and what its first flow call needs first (the command imports them anyway): the server then starts with ~1 of
        its ~2.3 CPU-s of imports done (bench/results.md, "perf-prefect16"). With a core to spare, fork at once: the
        server imports Prefect on that core while the command's run starts ("perf-prefect17"). False, having forked
        nothing, when forking is not safe: not the main thread or not the only thread of the process (another thread's
        locks would stay held in the child), or no ``os.fork``.
        """
        if not hasattr(os, "fork") or os.environ.get("GOVPRESS_PREFECT_FORK", "auto") == "0" or not safe_to_fork():
            return False  # the command imports Prefect where it did before (govpress/cli.py ``_run_flow``)
        if shares_prefect_import():
            warm_flow_imports(with_prefect=True)
            if not safe_to_fork():  # nothing of Prefect's import starts a thread today: checked again all the same
                return False
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        env = server_environment()
        log_fd = os.open(self.log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        read, write = os.pipe()  # both close on exec: only this process and the server hold them
        for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice, once by the child
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        pid = os.fork()
        if pid == 0:  # the server: it never returns from here
            serve_forked(self.port, parent_pipe=read, own_pipe_end=write, log_fd=log_fd, env=env)
        os.close(read)
        os.close(log_fd)
        self.process = ForkedProcess(pid, os.fdopen(write, "wb"))
        return True

    def _watch(self) -> None:
        """While the run goes on: a server that stopped is reported once and started again on the same port.

        Prefect's client retries a refused connection with backoff, so a server back on the same
        address (state in PREFECT_HOME's database) lets the run carry on instead of failing every
        call that follows; nothing is started again after :data:`MAX_RESTARTS`.
        """
        while not self._stopping.wait(1.0):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if self.restarts_left <= 0:
                self.failure = f"Prefect's temporary API stopped (exit code {process.returncode}) and was not restarted"
                self.log(self.failure + "; the run's results still load into DuckDB (see the runs table)")
                return
            if process.stdin is not None:
                process.stdin.close()
            self.restarts_left -= 1
            self.log(f"Prefect's temporary API stopped (exit code {process.returncode}) during the run; "
                     f"starting it again on {self.api_url} ...")
            try:
                self._spawn()
                self._wait_healthy()
            except PrefectUnavailable as exc:
                self.failure = exc.line()
                self.log(self.failure)
                return

    def _wait_healthy(self, while_waiting: Callable[[], None] | None = None) -> None:
        started = time.monotonic()
        while time.monotonic() - started < self.timeout:
            if self.process.poll() is not None:
                raise PrefectUnavailable(
                    f"Prefect's temporary API exited with code {self.process.returncode} before answering "
                    f"({log_tail(self.log_file) or 'no output'}); rerun, or use --without-prefect")
            if healthy(self.api_url, timeout=1.0):
                self.log(f"Prefect's temporary API answered after {time.monotonic() - started:.1f} s.")
                return
            if while_waiting is not None:  # the server is still starting: use the wait
                while_waiting, work = None, while_waiting
                work()
                continue
            time.sleep(HEALTH_POLL)
        self._terminate()
        raise PrefectUnavailable(
            f"Prefect's temporary API did not answer within {self.timeout:.0f} s (a busy machine? "
            f"GOVPRESS_PREFECT_START_TIMEOUT raises the wait; log: {self.log_file}); nothing was run. "
            "Rerun, or use --without-prefect")

    def stop(self, *, wait: bool = True) -> None:
        """Stop the server; ``wait=False`` (the command's run is over): ask it to stop and go on.

        A server asked to stop shuts down on its own (uvicorn's graceful shutdown, 0.2-0.3 s here), and
        when this process exits first its stdin pipe closes, which stops it all the same
        (:func:`watch_parent`): the command need not wait, and prints its last-run table meanwhile.
        """
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)
        self._terminate(wait=wait)

    def _terminate(self, *, wait: bool = True) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        if not wait:
            _STOPPING.append(process)  # referenced until we exit: no "still running" warning when dropped
            return
        try:
            process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            if process.stdin is not None:
                process.stdin.close()


def shares_prefect_import() -> bool:
    """Whether the command imports Prefect before it forks its server (``GOVPRESS_PREFECT_FORK``: ``shared``, ``early``,
    or by default the machine's load): :func:`prefect_import_shared` over this process's cores, the load average and
    the tasks running now (:func:`others_running`)."""
    mode = os.environ.get("GOVPRESS_PREFECT_FORK", "auto")
    if mode in ("shared", "early"):
        return mode == "shared"
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    cores = usable_cores()
    running = others_running() if cores >= 2 and load is not None and load >= cores else None  # read only when it decides
    return prefect_import_shared(mode, cores, load, running)


RUNNING_READS = 5
"""Reads of the machine's running tasks :func:`others_running` takes (2 ms apart: ~8 ms in all, once a command)."""


def others_running(reads: int = RUNNING_READS, gap: float = 0.002) -> int | None:
    """The tasks running or waiting for a core on the machine now, this process left out: the median of ``reads`` reads
    of Linux's ``procs_running`` (``/proc/stat``: the run queues' length at the moment, this reader included); None
    where there is none to read."""
    counts = []
    for number in range(reads):
        if number:
            time.sleep(gap)
        try:
            with open("/proc/stat", "rb") as stat:
                found = re.search(rb"^procs_running (\d+)$", stat.read(), re.M)
        except OSError:
            return None
        if found is None:
            return None
        counts.append(int(found.group(1)))
    return max(0, sorted(counts)[len(counts) // 2] - 1)


def prefect_import_shared(mode: str, cores: int, load: float | None, running: int | None = None) -> bool:
    """The decision of :func:`shares_prefect_import`: ``mode`` ``shared`` or ``early`` decides; else the last minute's
    ``load`` average against the ``cores`` this process may use, unless the other tasks ``running`` now leave a core
    free for the server.

    Imported before the fork, Prefect's ~1 CPU-s of imports is done once for both processes, but the command's run
    waits for it (its first request ~0.8 s later on a quiet machine). Forked at once, the server imports it again on
    another core while the command's run starts and imports it in its loading thread: ~1 CPU-s more, which costs
    wall time only when no core is free. So: shared when the load is at least the cores (or there is one core, or
    no load to read), at once otherwise (bench/results.md, "perf-prefect17"). The cores are the process's CPU
    affinity, as the parse workers count them: in a container limited to one core of many, that one core is busy.

    The load average trails by a minute: a command started right after another heavy one (a script's calls in a
    row, ``python -m bench``'s rounds) reads 1.5-2.5 on an otherwise idle two-core machine and shared, waiting ~0.8 s
    for an import the idle core could have done. So a load at the line or above forks at once all the same when
    the tasks running now beside this process take ``cores - 2`` cores at most: one is left for the command, one for
    the server (bench/results.md, "perf-prefect20"). A busy machine's run queues are rarely that short (4-7 tasks running
    at load 6-8 here), and ``running`` is a median of reads for that."""
    if mode in ("shared", "early"):
        return mode == "shared"
    if cores < 2 or load is None:
        return True
    if load < cores:
        return False
    return running is None or running > cores - 2


def safe_to_fork() -> bool:
    """Whether this is the main thread and the process's only thread, native ones included (Linux ``/proc``; DuckDB's
    import alone starts two), outside any event loop; False when it cannot tell."""
    import asyncio

    if threading.current_thread() is not threading.main_thread() or asyncio._get_running_loop() is not None:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class ForkedProcess:
    """What :class:`TemporaryApi` uses of :class:`subprocess.Popen`, for a server forked from this process."""

    def __init__(self, pid: int, stdin) -> None:
        self.pid = pid
        self.stdin = stdin
        """The write end of the pipe the server watches (:func:`watch_parent`)."""
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: gone, its code unknown
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:  # never a signal to a pid that may have been reused
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


SERVER_SETTINGS = {
    # Prefect's own temporary server: no UI, no background services but the event ones, stopped with us.
    "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
    # No automations: the project defines none, and the triggers service (which an ephemeral server
    # otherwise runs) starts loading them just as the server starts answering: the flow's first
    # calls waited on it (registering the flow 0.26-0.71 s with it, 0.03 s without; 4 starts at load
    # 7-8). Measured, it costs nothing per event (server CPU during a call 2.38/2.37 s and 1.89/1.88 s
    # on/off). A `govpress serve` server keeps running them for whoever adds some in its UI.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # The server's task queue (docket) stores through py-key-value, which checks its own calls' types at run time
    # with beartype's import hook: every one of its modules compiled from source and decorated at each start
    # (~0.07 of the start's ~3 CPU-s). Off, its checks only warned anyway (UserWarning), and nothing else changes.
    "PY_KEY_VALUE_DISABLE_BEARTYPE": "true",
}


def server_environment() -> dict[str, str]:
    """The environment of a temporary API server: this process's, with :data:`SERVER_SETTINGS` and no API URL."""
    env = {**os.environ, **SERVER_SETTINGS}
    env.pop("PREFECT_API_URL", None)
    return env


_early: TemporaryApi | None = None
"""The temporary API :func:`started_early` spawned and :func:`prefect_api` has not taken yet."""


def _needs_temporary() -> bool:
    """No API configured (environment, or Prefect's settings when Prefect is loaded already), none to reuse."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("GOVPRESS_PREFECT_API") == "prefect":
        return False
    if "prefect" in sys.modules and configured_api_url():  # a test harness, a profile: asked only when loaded
        return False
    return not healthy(SERVE_API, timeout=0.3)


@contextmanager
def started_early(*, timeout: float = START_TIMEOUT) -> Iterator[None]:
    """Around a command that will run a flow: spawn the temporary API now, so its start overlaps the command's own work.

    Nothing is spawned when an API is configured, a ``govpress serve`` answers, or an enclosing block spawned one
    already (``govpress demo`` begins its block before its database check). :func:`prefect_api`
    takes the spawned server (and waits for it only then); one it never takes (the command failed
    before its flow, or found an API configured after all) is stopped when the block ends. The
    server is tied to this process from its spawn (its stdin pipe), so a kill leaves nothing behind.
    """
    global _early
    api = None
    if _early is None and _needs_temporary():  # one server a command: an enclosing block's, if any
        api = TemporaryApi(timeout=timeout)
        api.spawn(fork=True)
        _early = api
    try:
        yield
    finally:
        if _early is api:
            _early = None
        if api is not None:
            api.stop()  # idempotent: a server prefect_api took is stopped there already


@contextmanager
def prefect_api(*, timeout: float = START_TIMEOUT, log: Callable[[str], None] = print) -> Iterator[str]:
    """The API URL for the block: the configured server, a running ``govpress serve`` server, or a
    temporary one (spawned by :func:`started_early`, else here) stopped after (``GOVPRESS_PREFECT_API=prefect``:
    Prefect's own start)."""
    global _early
    early, _early = _early, None
    configured = configured_api_url()
    if configured:
        if early is not None:
            early.stop()
        yield configured
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if os.environ.get("GOVPRESS_PREFECT_API") == "prefect":  # Prefect starts its own (bench/ compares)
        yield ""
        return
    if early is None and healthy(SERVE_API, timeout=0.3):  # `govpress serve` is running: no server start at all
        log(f"Using the running Prefect server at {SERVE_API}.")
        with temporary_settings(updates={PREFECT_API_URL: SERVE_API}):
            try:
                yield SERVE_API
            finally:
                send_pending()
        return

    api = early or TemporaryApi(timeout=timeout, log=log)
    api.log, api.timeout = log, timeout
    try:
        url = api.start(while_waiting=warm_flow_imports)
        _TEMPORARY_URLS.add(url)
        with temporary_settings(updates={PREFECT_API_URL: url, **temporary_client_settings()}):
            try:
                yield url
            except Exception as exc:
                if api.failure is not None:  # the cause, said once, rather than what it broke next
                    raise PrefectUnavailable(f"{api.failure}; the run stopped at: {type(exc).__name__}: {exc}") from exc
                raise
            finally:
                send_pending()
    finally:
        _TEMPORARY_URLS.discard(api.api_url)
        api.stop(wait=False)  # its logs and events were sent (send_pending): nothing more to wait for


def temporary_client_settings() -> dict:
    """What Prefect's clients in this process skip with a temporary API of theirs: the round trips that cannot learn
    anything from it (bench/results.md, "perf-prefect20").

    - The server's version (``GET /admin/version``, once per client kind: the flow's async client and a sync one):
      the server is this very Prefect, forked from this process or run by its interpreter, so the check always passes.
    - A CSRF token (``GET /csrf-token``, once per client before its first change request): asked only to learn that
      the server's CSRF protection is off (it answers 422 and the client stops asking). The server reads the same
      settings as this process (its environment is this one's, :func:`server_environment`, with its Prefect home
      and profile), so when they leave the protection off the client's support goes off too; when a profile turns
      it on, nothing changes.
    """
    from prefect.settings import (
        PREFECT_CLIENT_CSRF_SUPPORT_ENABLED,
        PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED,
        get_current_settings,
    )

    updates: dict = {PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED: False}
    if not get_current_settings().server.api.csrf_protection_enabled:
        updates[PREFECT_CLIENT_CSRF_SUPPORT_ENABLED] = False
    return updates


def spawned_early() -> bool:
    """Whether :func:`started_early` spawned a temporary API that is starting (or started) for this command."""
    return _early is not None


async def api_ready(*, log: Callable[[str], None] = print) -> None:
    """Wait, in a worker thread, for the temporary API :func:`started_early` spawned, if the command will use it.

    The command's event loop goes on meanwhile: a run the command line prestarted (govpress/prestart.py)
    discovers and fetches while the server starts. :func:`prefect_api` then finds the server answering.
    Nothing to wait for when no server was spawned or an API is configured after all.
    """
    import asyncio

    api = _early
    if api is None or configured_api_url() or os.environ.get("GOVPRESS_PREFECT_API") == "prefect":
        return
    api.log = log
    await asyncio.to_thread(api.start, warm_flow_imports)


FLOW_START_IMPORTS = ("fastapi.encoders", "prefect.flow_engine", "prefect.task_engine", "prefect.utilities.visualization",
                      "anyio._backends._asyncio", "pydantic.v1")
"""What Prefect imports on a process's first flow and task call (measured: about 130 modules, ~1 s under load,
``fastapi.encoders`` most of it, for the flow's parameters): imported while the temporary API starts instead.

The last two are what both the command and its server import after a fork that shares Prefect's import (they were
the only such modules but the store's ``pytz``; bench/results.md, "perf-prefect20"): anyio's asyncio backend, which
the command's client imported at its first request to the API and the server when its app starts, and pydantic's v1
package, which the command imports with its flows (Prefect's ``@flow`` checks the parameters for v1 models) and the
server while it builds its routes (FastAPI's same check). Imported before such a fork, the server's start no longer
imports them (20-60 ms of its CPU at load 9), and the command's first request no longer imports the backend."""


def warm_flow_imports(*, with_prefect: bool = False) -> None:
    """Import what the first flow call would (:data:`FLOW_START_IMPORTS`), while the main thread waits anyway
    (``with_prefect``: ``prefect`` itself first, whose import is most of it)."""
    import importlib

    with paused_gc():
        if with_prefect:
            import prefect  # noqa: F401
        for name in FLOW_START_IMPORTS:
            try:
                importlib.import_module(name)
            except ImportError:  # another Prefect version moved it: the flow call imports what it needs itself
                pass


def send_pending(timeout: float = 5.0) -> None:
    """Send the log lines and events Prefect still queues, while the temporary API is there to take them.

    Called in an event loop (the command's, whose flow just ended), Prefect's drains would hand back
    coroutines instead of draining: they run in a thread of their own then.
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        drain = threading.Thread(target=send_pending, args=(timeout,), name="send-pending")
        drain.start()
        drain.join()
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=timeout)
        except Exception:  # an API that already stopped answering: its failure was reported where it happened
            pass


# --- the server process --------------------------------------------------------------------------


SERVER_NAME = b"temporary_api"
"""A forked server's process name (``ps -o comm``, ``/proc/PID/comm``): its command line is the command's."""


def name_process(name: bytes) -> None:
    """Set this process's name as ``ps`` and ``/proc/PID/comm`` show it (Linux ``PR_SET_NAME``; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name, 0, 0, 0)  # PR_SET_NAME: at most 15 bytes
    except (OSError, AttributeError):
        pass


def serve_forked(port: int, *, parent_pipe: int, own_pipe_end: int, log_fd: int, env: dict[str, str]) -> NoReturn:
    """The forked server's life (:meth:`TemporaryApi._fork`): the same server as ``python -m govpress.flows.temporary_api
    PORT`` with stdin the parent's pipe and the log file as stdout and stderr, in :func:`server_environment`; ends
    with ``os._exit``, so nothing of the parent's (its ``atexit`` handlers, its objects' finalisers) runs here."""
    code = 1
    try:
        os.close(own_pipe_end)  # the parent's end: its copy alone keeps the pipe open
        name_process(SERVER_NAME)
        import fcntl

        # Copies above the standard three first: a command started with one of them closed has the pipe or the log there.
        pipe, log = (fcntl.fcntl(fd, fcntl.F_DUPFD, 3) for fd in (parent_pipe, log_fd))
        os.dup2(pipe, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        # Every other descriptor goes, as a spawned server's did (Popen's close_fds): the command's inherited ones
        # (a harness's pipe the child would keep open) and the copies above.
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        os.environ.clear()
        os.environ.update(env)
        from prefect.context import refresh_global_settings_context

        refresh_global_settings_context()  # Prefect read the command's environment at its import: the server's now
        serve(port, stream=open(0, "rb", buffering=0, closefd=False))
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        os._exit(code)


def watch_parent(stream=None) -> None:
    """Stop this server when the pipe from its parent closes (the parent exited or was killed)."""
    stream = stream or sys.stdin.buffer

    def wait_for_eof() -> None:
        while stream.read(65536):
            pass
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's graceful shutdown
        time.sleep(STOP_GRACE)
        os._exit(0)  # it did not stop in time

    threading.Thread(target=wait_for_eof, name="watch-parent", daemon=True).start()


def build_routes(app) -> int:
    """Build the route table FastAPI builds lazily on the first request that reaches each included router; returns
    the routes built.

    Prefect's API includes its 180-odd routes through routers, and FastAPI (0.150) makes each router's
    effective routes (a pydantic model per parameter) when a request first walks it: ``/api/health``
    does not (it comes first), so the client's first real request (``/api/admin/version``) paid for
    all of them, 0.2-0.6 s on the command's critical path (bench/results.md, "perf-prefect6"). Called in
    a thread while the server starts (its migrations check and services wait on SQLite), so it is
    mostly done when the client asks. FastAPI guards each router's build with a lock, so a request
    that comes first waits for it or builds it, never twice. A FastAPI without these methods builds nothing here.
    """
    built = 0
    pending, seen = list(getattr(app, "routes", ())), set()
    while pending:
        route = pending.pop()
        if id(route) in seen:
            continue
        seen.add(id(route))
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):  # an included router: its routes, and routers included in it
            children = candidates()
            low_priority = getattr(route, "effective_low_priority_routes", None)
            built += len(children) + (len(low_priority()) if callable(low_priority) else 0)
            pending.extend(children)
        inner = getattr(route, "app", None)  # a mount (the API app under /api): its own routes
        if inner is not None and not callable(candidates):
            pending.extend(getattr(inner, "routes", ()) or ())
    return built


def _build_routes_quietly(app) -> None:
    try:
        with paused_gc():
            build_routes(app)
    except Exception:  # a warm-up only: the first request builds what is missing, as without it
        pass


def serving_app() -> tuple[object, threading.Thread]:
    """Prefect's API app as the temporary server serves it, and the thread building its routes (:func:`build_routes`)."""
    with paused_gc():  # most of the server's start is importing it (see paused_gc)
        from prefect.server.api.server import create_app
    app = create_app()  # what uvicorn's factory made before (this environment's settings)
    builder = threading.Thread(target=_build_routes_quietly, args=(app,), name="build-routes", daemon=True)
    builder.start()
    return app, builder


_REVISION = re.compile(r"""^revision\s*=\s*['"](\w+)['"]""", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(.*)$", re.M)


def migration_head(versions: Path) -> str | None:
    """The one head revision of the Alembic migrations in ``versions`` (a revision no other one comes down from),
    read from the scripts' ``revision``/``down_revision`` lines as Alembic does; None when there is not exactly one."""
    revisions, downs = set(), set()
    for script in versions.glob("*.py"):
        text = script.read_text(encoding="utf-8", errors="replace")
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(text)
        if down is not None:
            downs.update(re.findall(r"""['"](\w+)['"]""", down.group(1)))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite+aiosqlite:///PATH`` database URL (None for any other database, or an in-memory one)."""
    for prefix in ("sqlite+aiosqlite:///", "sqlite:///"):
        if url.startswith(prefix):
            path = url[len(prefix):].split("?", 1)[0]
            return Path(path) if path and path != ":memory:" else None
    return None


def database_at(path: Path) -> str | None:
    """The revision an Alembic-migrated SQLite file is at (None: no such file, no version, or more than one)."""
    import sqlite3

    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return rows[0][0] if len(rows) == 1 else None


def migrated_already() -> bool:
    """Whether the server's database is a SQLite file at the head of this Prefect's migrations: nothing to migrate.

    The server's start runs Alembic's upgrade otherwise, which finds nothing to do in all but the first start of a
    Prefect home (or the first after Prefect was upgraded), and still imports Alembic and loads every migration
    script to learn so: ~0.15-0.25 of the start's ~3 CPU-s (bench/results.md, "perf-prefect15"). Read from the
    scripts and the database directly; whatever is not certain (another database, a second head, an unreadable
    file) leaves the upgrade to run, as before.
    """
    try:
        from prefect.server import database
        from prefect.settings import get_current_settings

        path = sqlite_file(get_current_settings().server.database.connection_url.get_secret_value())
        if path is None:
            return False
        head = migration_head(Path(database.__file__).parent / "_migrations" / "versions" / "sqlite")
        return head is not None and database_at(path) == head
    except Exception:  # a check only: the upgrade decides, as without it
        return False


def serve(port: int, stream=None) -> None:
    """Run Prefect's API app (as Prefect's own temporary server does) until the parent goes away (its pipe: ``stream``,
    else stdin)."""
    watch_parent(stream)
    with paused_gc():
        import uvicorn
    app, _ = serving_app()
    from prefect.settings import PREFECT_API_DATABASE_MIGRATE_ON_START, temporary_settings

    # The app's lifespan reads the setting when uvicorn starts it, in this context.
    updates = {PREFECT_API_DATABASE_MIGRATE_ON_START: False} if migrated_already() else {}
    with temporary_settings(updates=updates) if updates else nullcontext():
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", lifespan="on")


if __name__ == "__main__":
    serve(int(sys.argv[1]))
