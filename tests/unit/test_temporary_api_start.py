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
