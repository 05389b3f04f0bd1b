"""Fixtures for the deployment tests: one real Prefect server, the demo site, and deployments/serve.py.

All three are session-scoped (a server start costs 5-15 s) and shared by the API test and the
browser test. Every subprocess runs in its own process group and is killed with it in teardown;
every wait is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from deploy_harness import (
    ARTIFACTS, ROOT, SERVE_START_TIMEOUT, SERVER_START_TIMEOUT, TIMINGS, DemoSite, PrefectServer, Served, free_port,
    kill_group, tail,
)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> PrefectServer:
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api_url,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_UI_ENABLED": "true",
           # The cause of a 503 in server.log (the client retries it; see RetryingTransport).
           "PREFECT_SERVER_LOG_RETRYABLE_ERRORS": "true"}
    prefect = [sys.executable, "-m", "prefect"]
    started = time.monotonic()
    subprocess.run([*prefect, "server", "database", "upgrade", "-y"], env=env, check=True, timeout=180,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    TIMINGS["database_upgrade_s"] = round(time.monotonic() - started, 1)
    log = home / "server.log"
    process = subprocess.Popen([*prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        started = time.monotonic()
        deadline = started + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"prefect server exited ({process.returncode}):\n{tail(log)}")
            try:
                if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prefect server not healthy after {SERVER_START_TIMEOUT:.0f} s:\n{tail(log)}")
            time.sleep(0.5)
        TIMINGS["server_healthy_s"] = round(time.monotonic() - started, 1)
        yield PrefectServer(api_url=api_url, ui_url=f"http://127.0.0.1:{port}", env=env, log=log)
    finally:
        kill_group(process)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "deployments-timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> DemoSite:
    from govpress.demo.run import prepare_site, render_registry, start_server

    work = tmp_path_factory.mktemp("demo")
    manifest = prepare_site(work / "site", per_source=20)
    # Generated site and constructed fixtures only: the run must not depend on ../shared.
    server = start_server(work / "site", pages=None, seed=None)
    server.start()
    try:
        registry = work / "demo-sources.toml"
        registry.write_text(render_registry(server.base_url, pages=None, seed=None), encoding="utf-8")
        yield DemoSite(base_url=server.base_url, registry=registry, db=work / "govpress.duckdb", manifest=manifest,
                       server=server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def served(prefect_server, demo_site) -> Served:
    """deployments/serve.py against the test server, schedules created but paused (no surprise runs)."""
    log = Path(prefect_server.env["PREFECT_HOME"]) / "serve.log"
    env = {**prefect_server.env, "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "deployments" / "serve.py"), "--sources-file", str(demo_site.registry),
         "--db", str(demo_site.db), "--pause-schedules", "--no-server"],
        env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = started + SERVE_START_TIMEOUT
        while "being served" not in log.read_text(encoding="utf-8", errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"serve.py exited ({process.returncode}):\n{tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"serve.py not serving after {SERVE_START_TIMEOUT:.0f} s:\n{tail(log)}")
            time.sleep(0.5)
        TIMINGS["serve_py_ready_s"] = round(time.monotonic() - started, 1)
        with prefect_server.client() as client:
            found = client.post("deployments/filter", json={"limit": 200}).raise_for_status().json()
        yield Served(process=process, log=log, deployments={d["name"]: d for d in found})
    finally:
        kill_group(process)
