"""What makes a temporary API and Prefect's imports cheaper to start (flows/temporary_api.py, issue 14).

The collector is off while Prefect is imported and what the imports made is frozen afterwards
(:func:`paused_gc`); the server a command starts for itself runs no automations
(:func:`server_environment`).
"""

from __future__ import annotations

import gc

import pytest

from govpress.flows.temporary_api import paused_gc, server_environment


@pytest.fixture
def collector():
    """Leave the collector as it was (on) and thaw what a test froze."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if was_enabled else gc.disable)()


def test_the_collector_is_off_during_the_imports_and_back_on_after(collector):
    gc.enable()
    gc.unfreeze()
    with paused_gc():
        assert not gc.isenabled()
        made_inside = [[] for _ in range(1000)]  # long-lived objects, as an import makes
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_inside)  # out of the run's collections from now on


def test_a_collector_that_was_off_stays_off(collector):
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_a_failed_import_turns_the_collector_back_on(collector):
    gc.enable()
    with pytest.raises(ImportError):
        with paused_gc():
            import govpress_no_such_module  # noqa: F401
    assert gc.isenabled()


def test_the_temporary_server_runs_without_automations_and_never_on_a_configured_api(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    env = server_environment()
    assert env["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] == "false"
    assert env["PREFECT__SERVER_EPHEMERAL"] == "1" and env["PREFECT_UI_ENABLED"] == "0"
    assert "PREFECT_API_URL" not in env
    assert env["PREFECT_HOME"]  # the project's Prefect home (govpress/settings.py) goes along


def test_leaving_the_commands_api_asks_its_server_to_stop_without_waiting_for_it(monkeypatch, tmp_path):
    """The run is over and its logs sent: the command goes on while the server shuts down (0.2-0.3 s) by itself."""
    import subprocess
    import sys

    import govpress.flows.temporary_api as temporary_api

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    slow_to_stop = ("import signal, sys, time\n"
                    "signal.signal(signal.SIGTERM, lambda *a: (time.sleep(2), sys.exit(0)))\n"
                    "print('up', flush=True)\n"
                    "time.sleep(60)\n")
    server = subprocess.Popen([sys.executable, "-c", slow_to_stop], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert server.stdout.readline() == b"up\n"
    api = temporary_api.TemporaryApi(timeout=5)
    api.process = server
    monkeypatch.setattr(api, "start", lambda while_waiting=None: api.api_url)
    monkeypatch.setattr(temporary_api, "_early", api)
    monkeypatch.setattr(temporary_api, "configured_api_url", lambda: None)
    monkeypatch.setattr(temporary_api, "send_pending", lambda: None)
    try:
        with temporary_api.prefect_api(log=lambda line: None) as url:
            assert url == api.api_url
        assert server.poll() is None  # asked to stop (SIGTERM), still shutting down: not waited for
        assert server.wait(timeout=30) == 0  # and it stops by itself
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
