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


def test_the_temporary_server_builds_its_route_table_before_the_first_request(monkeypatch, tmp_path):
    """FastAPI builds an included router's routes on the first request that walks it: ``/api/health`` does not, so the
    client's first real request paid for Prefect's 180-odd routes (0.2-0.6 s on the command's critical path). The
    temporary server builds them in a thread while it starts: that request builds none."""
    import asyncio

    import httpx
    from fastapi import routing

    import govpress.flows.temporary_api as temporary_api

    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    built = []
    original = routing._EffectiveRouteContext.from_api_route.__func__

    def counted(cls, *args, **kwargs):
        built.append(kwargs.get("original_route"))
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(routing._EffectiveRouteContext, "from_api_route", classmethod(counted))
    app, builder = temporary_api.serving_app()
    builder.join(timeout=60)
    assert len(built) > 100  # Prefect's API routes, built by the thread
    built.clear()

    async def first_request() -> httpx.Response:  # no lifespan: the route table alone
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://server") as client:
            return await client.get("/api/admin/version")

    assert asyncio.run(first_request()).status_code == 200
    assert built == []  # nothing left to build on the first request


def test_build_routes_builds_each_included_router_once():
    from fastapi import APIRouter, FastAPI

    from govpress.flows.temporary_api import build_routes

    api, inner, nested = FastAPI(), APIRouter(), APIRouter()
    nested.get("/c")(lambda: 3)
    inner.get("/a")(lambda: 1)
    inner.get("/b")(lambda: 2)
    inner.include_router(nested, prefix="/n")
    api.include_router(inner, prefix="/x")
    app = FastAPI()
    app.mount("/api", api)
    assert build_routes(app) >= 3  # /x/a, /x/b and the nested router's /x/n/c
    assert build_routes(app) == build_routes(app)  # built once: the same table again


def test_a_starting_server_is_asked_for_its_health_often(monkeypatch):
    """The run waits for the temporary API's answer: asking every 0.2 s left it 0.1 s late on average."""
    import govpress.flows.temporary_api as temporary_api

    answers = iter([False, False, False, True])
    slept = []
    monkeypatch.setattr(temporary_api, "healthy", lambda url, timeout=2.0: next(answers))
    monkeypatch.setattr(temporary_api.time, "sleep", slept.append)
    api = temporary_api.TemporaryApi(timeout=30, log=lambda line: None)

    class Running:
        returncode = None

        def poll(self):
            return None

    api.process = Running()
    api._wait_healthy()
    assert slept and all(pause <= 0.05 for pause in slept)


@pytest.mark.parametrize("protection", [False, True])
def test_a_client_of_the_temporary_api_asks_neither_its_version_nor_a_csrf_token(protection):
    """The temporary API is this very Prefect, with this process's settings: its version always matches, and a CSRF
    token is asked for only to learn the protection is off (a 422). With the client settings the command uses for it
    (:func:`temporary_client_settings`), a client's first change request goes alone: two round trips fewer for each
    client before the flow run exists (bench/results.md, "perf-prefect20"). A profile that turns the server's
    protection on keeps the client's tokens."""
    import asyncio
    import uuid

    import httpx
    from prefect._internal.version_checking import _clear_api_version_check_cache
    from prefect.context import AsyncClientContext
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_CSRF_PROTECTION_ENABLED, temporary_settings

    import prefect
    from govpress.flows.temporary_api import temporary_client_settings

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path.split('/api', 1)[1].split('/flow_runs/')[0]}")
        if request.url.path.endswith("/admin/version"):
            return httpx.Response(200, json=prefect.__version__)
        if request.url.path.endswith("/csrf-token"):
            if protection:
                return httpx.Response(200, json={"token": "t", "client": request.url.params["client"],
                                                 "expiration": "2999-01-01T00:00:00Z"})
            return httpx.Response(422, json={"detail": "CSRF protection is disabled."})
        return httpx.Response(204)

    async def one_change(updates: dict) -> list[str]:
        asked.clear()
        _clear_api_version_check_cache()
        with temporary_settings(updates=updates):
            async with AsyncClientContext(httpx_settings={"transport": httpx.MockTransport(handler)}) as context:
                await context.client.delete_flow_run(uuid.uuid4())
        return list(asked)

    asked: list[str] = []
    api = {PREFECT_API_URL: "http://127.0.0.1:9/api", PREFECT_SERVER_CSRF_PROTECTION_ENABLED: protection}
    with temporary_settings(updates=api):
        plain = asyncio.run(one_change({}))
        assert plain == ["GET /admin/version", "GET /csrf-token", "DELETE "]
        temporary = asyncio.run(one_change(temporary_client_settings()))
    assert temporary == (["GET /csrf-token", "DELETE "] if protection else ["DELETE "])
