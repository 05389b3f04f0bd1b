"""Helpers for the deployment tests: process groups, bounded waits, the shared objects the fixtures yield."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
SERVER_START_TIMEOUT = 120.0
SERVE_START_TIMEOUT = 90.0
RUN_TIMEOUT = 90.0
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

TIMINGS: dict[str, float] = {}
"""Seconds measured along the way; written to tests/artifacts/deployments-timings.json at the end."""


from factories import free_port  # noqa: E402,F401  (re-exported for the deployment tests)


def kill_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after ``grace`` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
        except ProcessLookupError:
            pass
    # Children that outlived the leader (flow-run subprocesses) still carry the group id.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class PrefectServer:
    api_url: str
    ui_url: str
    env: dict[str, str]
    log: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url.rstrip("/") + "/", timeout=30.0,
                            transport=RetryingTransport(httpx.HTTPTransport()))


RETRYABLE_STATUS = frozenset({429, 502, 503})


class RetryingTransport(httpx.BaseTransport):
    """Repeat a request the Prefect server answered with 429, 502 or 503, as Prefect's own client does.

    The server answers 503 for errors it calls retryable (SQLite's "database is locked" while the
    runner and a flow run write at once, on a busy machine) after rolling the request back, so the
    same request is safe to send again. A raw client that did not retry failed a CI run once on
    ``create_flow_run``. Bounded: ``attempts`` tries with doubling pauses, then the last answer.
    """

    def __init__(self, inner: httpx.BaseTransport, attempts: int = 6, first_pause: float = 0.5,
                 sleep=time.sleep) -> None:
        self._inner = inner
        self._attempts = attempts
        self._first_pause = first_pause
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pause = self._first_pause
        for _ in range(self._attempts - 1):
            response = self._inner.handle_request(request)
            if response.status_code not in RETRYABLE_STATUS:
                return response
            response.read()
            response.close()
            self._sleep(pause)
            pause *= 2
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class DemoSite:
    base_url: str
    registry: Path
    db: Path
    manifest: object
    server: object = None
    """The LocalSiteServer: ``server.gone`` (a set of paths answering 410) breaks a source on purpose."""

    def window(self, publisher: str, count: int = 3) -> tuple[date, date, set]:
        """A date range around ``count`` of the publisher's releases (skipping the newest, so the range
        is not just "everything recent"), and the instants of every release whose publisher-local
        day falls inside it: exactly what a run over that range must load."""
        releases = sorted(self.manifest.publishers[publisher].releases, key=lambda r: r.published, reverse=True)
        chosen = releases[1 : 1 + count]
        since = chosen[-1].published.date()
        until = chosen[0].published.date()
        inside = {r.published for r in releases if since <= r.published.date() <= until}
        return since, until, inside


@dataclass
class Served:
    process: subprocess.Popen
    log: Path
    deployments: dict[str, dict] = field(default_factory=dict)

    def log_tail(self) -> str:
        return tail(self.log)


def wait_for_run(client: httpx.Client, run_id: str, timeout: float = RUN_TIMEOUT) -> dict:
    """Poll one flow run until it reaches a terminal state (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"flow_runs/{run_id}").raise_for_status().json()
        if run["state_type"] in TERMINAL:
            return run
        time.sleep(0.5)
    raise TimeoutError(f"flow run {run_id} not finished after {timeout:.0f} s")


def runs_of(client: httpx.Client, deployment_id: str, since: datetime) -> list[dict]:
    """Flow runs of one deployment created at or after ``since`` (the server's clock is this machine's)."""
    found = client.post("flow_runs/filter", json={
        "deployments": {"id": {"any_": [deployment_id]}},
        "flow_runs": {"expected_start_time": {"after_": since.isoformat()}},
        "sort": "EXPECTED_START_TIME_DESC", "limit": 50}).raise_for_status().json()
    return found


def wait_for_new_run(client: httpx.Client, deployment_id: str, since: datetime, timeout: float = 60.0) -> dict:
    """The one run a submission created on a deployment after ``since`` (bounded poll; fails on none or several)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = runs_of(client, deployment_id, since)
        if len(found) > 1:
            raise AssertionError(f"{len(found)} runs created since {since}, expected one: {[r['name'] for r in found]}")
        if found:
            return found[0]
        time.sleep(0.5)
    raise TimeoutError(f"no run of deployment {deployment_id} created since {since} after {timeout:.0f} s")


FINAL_STATE_TYPES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})


def task_states(client: httpx.Client, run_id: str, expect: set[str] | frozenset[str] = frozenset(),
                timeout: float = 60.0) -> dict[str, tuple[str, str]]:
    """Task run name -> (state type, state name) of one flow run, once every name in ``expect`` is there and
    every task run is in a final state, or as they are at ``timeout`` (bounded poll).

    Prefect 3's API records task runs from the runner's events in a server service, behind the flow run's own
    final state: read right after the flow, a task run can be missing, under its first default name, or not
    yet final."""
    deadline = time.monotonic() + timeout
    while True:
        found = client.post("task_runs/filter", json={"flow_runs": {"id": {"any_": [run_id]}}, "limit": 200})
        states = {t["name"]: (t["state_type"], t["state_name"]) for t in found.raise_for_status().json()}
        settled = expect <= states.keys() and all(kind in FINAL_STATE_TYPES for kind, _ in states.values())
        if settled or time.monotonic() >= deadline:
            return states
        time.sleep(0.3)


def run_logs(client: httpx.Client, run_id: str) -> list[dict]:
    found = client.post("logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200,
                                             "sort": "TIMESTAMP_ASC"})
    return found.raise_for_status().json()


