"""The Prefect API of one CLI call (``govpress ingest``, ``demo``, ``reparse``): a running server when there is one, else a temporary one started at once.

Measured on the 2-core machine (bench/, ``prefect_share``): Prefect's own temporary API, started
the moment the flow asks for a client, cost 10-17 s before the first task, plus several seconds
of CPU in the CLI process itself (Prefect builds the server's routes there to start it). Here:

1. ``$PREFECT_API_URL`` set: that server is used.
2. A server answering at ``http://127.0.0.1:4200/api`` (where ``govpress serve`` runs one): it is
   reused, so a CLI call costs no server start at all.
3. Otherwise the same temporary server Prefect would start (uvicorn with Prefect's app factory,
   state in ``$PREFECT_HOME``, no UI) is started NOW, as a child process, before Prefect is even
   imported here: its start overlaps the CLI's own imports and preparation (the demo generates
   and serves its site meanwhile), and :meth:`LocalApi.ready` waits for what is left. It is
   stopped when the call ends.

The choice is made before Prefect is imported (Prefect reads ``PREFECT_API_URL`` once); this
module imports no Prefect. ``GOVPRESS_PREFECT_API=prefect`` leaves the choice to Prefect (the
behaviour before; the benchmark measures what each option buys).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import govpress.settings  # noqa: F401  (the offline Prefect environment; imports no Prefect)
from govpress.flows.serve import api_healthy, stop_process

SERVE_API = "http://127.0.0.1:4200/api"
"""Where ``govpress serve`` runs its server by default: a CLI call reuses it."""
START_TIMEOUT = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))

Kind = Literal["configured", "running", "temporary", "prefect"]


@dataclass
class LocalApi:
    """The API a CLI call uses; a ``temporary`` one is this process's child and stops with :meth:`close`."""

    url: str
    kind: Kind
    process: subprocess.Popen | None = None
    started: float = field(default_factory=time.monotonic)

    def ready(self) -> float:
        """Wait until the API answers (a temporary server may still be starting); returns the seconds waited here."""
        began = time.monotonic()
        if self.process is None:
            return 0.0
        while not api_healthy(self.url, timeout=1.0):
            if self.process.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {self.process.returncode}")
            if time.monotonic() - self.started > START_TIMEOUT:
                raise TimeoutError(f"the temporary Prefect server at {self.url} was not healthy after {START_TIMEOUT:.0f} s")
            time.sleep(0.1)
        return time.monotonic() - began

    def describe(self) -> str:
        return {"configured": f"the Prefect API at {self.url} ($PREFECT_API_URL)",
                "running": f"the running Prefect server at {self.url}",
                "temporary": f"a temporary Prefect API at {self.url}",
                "prefect": "Prefect's local API (started when the flow first asks; first start takes ~10 s)"}[self.kind]

    def close(self) -> None:
        """Stop a temporary server, after Prefect has sent the logs and events it still holds for it."""
        if self.process is None:
            return
        if "prefect" in sys.modules:  # as Prefect's own test harness does before it stops its server
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            for worker in (APILogWorker, EventsWorker):
                try:
                    worker.drain_all()
                except Exception:  # a worker that never started, or a server already gone: nothing to send
                    pass
        stop_process(self.process)
        self.process = None

    def __enter__(self) -> "LocalApi":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_temporary_server(port: int) -> subprocess.Popen:
    """Prefect's own temporary server (what ``get_client`` starts when no API is set), as a child process.

    The command and environment are those of ``prefect.server.api.server.SubprocessASGIServer``
    (Prefect 3.9), so the server is the one Prefect would run; only the moment it starts differs.
    """
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise RuntimeError("prefect is not installed")
    app_dir = Path(spec.origin).resolve().parent.parent
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
         "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def open_api(*, reuse: str | None = SERVE_API) -> LocalApi:
    """Choose (and when needed start) the API for this call and point ``PREFECT_API_URL`` at it.

    Call it first thing, before importing Prefect; ``reuse=None`` never reuses a running server.
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        return LocalApi(configured, "configured")
    if os.environ.get("GOVPRESS_PREFECT_API") == "prefect":  # leave it to Prefect (the behaviour before; bench/)
        return LocalApi("", "prefect")
    if reuse and api_healthy(reuse, timeout=0.3):
        os.environ["PREFECT_API_URL"] = reuse
        return LocalApi(reuse, "running")
    port = free_port()
    api = LocalApi(f"http://127.0.0.1:{port}/api", "temporary", start_temporary_server(port))
    os.environ["PREFECT_API_URL"] = api.url
    return api
