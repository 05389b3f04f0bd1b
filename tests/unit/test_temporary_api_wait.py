"""The wait for a temporary API uses its idle time once (flows/temporary_api.py: ``while_waiting``).

A real child process stands in for the server process and a real loopback HTTP server for its
``/api/health``; the callback is what makes the API answer, so the wait can only end after it ran.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govpress.flows.temporary_api import FLOW_START_IMPORTS, TemporaryApi, warm_flow_imports


class Health(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        self.send_response(200 if self.path == "/api/health" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sleeper():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.PIPE)
    yield process
    process.kill()
    process.wait()


def test_the_wait_runs_its_idle_work_once_and_ends_when_the_api_answers(sleeper):
    api = TemporaryApi(timeout=30, log=lambda line: None)
    api.process = sleeper
    servers: list[ThreadingHTTPServer] = []
    calls = []

    def bring_up() -> None:  # the API answers only once the idle work has run
        calls.append(1)
        server = ThreadingHTTPServer(("127.0.0.1", api.port), Health)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)

    try:
        api._wait_healthy(bring_up)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert calls == [1]


def test_warming_imports_what_the_first_flow_call_needs():
    warm_flow_imports()
    assert all(name in sys.modules for name in FLOW_START_IMPORTS)
