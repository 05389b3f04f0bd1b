"""Helpers for the deployment tests: process groups, bounded waits, the shared objects the fixtures yield."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date
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
        return httpx.Client(base_url=self.api_url.rstrip("/") + "/", timeout=30.0)


@dataclass
class DemoSite:
    base_url: str
    registry: Path
    db: Path
    manifest: object

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


