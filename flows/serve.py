"""Serve every govpress deployment from one long-running process (no work pool), with the UI.

    uv run govpress serve                 # starts a Prefect server too, if none is running
    uv run govpress serve --no-schedules  # manual deployments only

The options are those of ``govpress serve --help`` (govpress/cli.py), handed over as
:class:`ServeOptions`.

Deployments: one scheduled ``ingest`` per (cadence, time zone) group of the registry
(govpress/schedules.py), ``ingest-manual`` (no schedule), ``backfill``, ``reparse``, ``publish``,
``rerun-failed`` and ``report`` (triggered after each ingest or backfill; the report file is served on
127.0.0.1:4210, ``--report-port``). ``--db`` and ``--sources-file`` become the deployments' default
parameters (the UI shows them and lets an operator change them per run), and the served registry's
ids become the choices of the source pickers (flows/parameters.py).

The Prefect API: ``$PREFECT_API_URL`` when set; otherwise a server already answering on
``--host``/``--port``; otherwise this process starts ``prefect server start`` there and stops it
on exit. The choice is made before Prefect is imported, because Prefect reads its API URL once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import govpress.settings  # noqa: E402  (sets the offline Prefect environment; imports no Prefect)

MANUAL_TAGS = ["govpress", "manual"]


# --- the Prefect server --------------------------------------------------------------------------


def api_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when ``<api_url>/health`` answers 200 (loopback or a URL the operator chose)."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def say(message: str) -> None:
    """One line of startup progress on stdout, at once (the server takes 5-100 s to come up)."""
    print(message, flush=True)


def wait_healthy(api_url: str, process: subprocess.Popen | None, timeout: float, *,
                 progress=None, every: float = 10.0) -> float:
    """Poll the health endpoint until it answers; returns the seconds waited. Raises on timeout or exit.

    ``progress(message)`` is told every ``every`` seconds that the server is still starting.
    """
    started = time.monotonic()
    told = started
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {process.returncode} before it was healthy")
        if api_healthy(api_url, timeout=1.0):
            return time.monotonic() - started
        if progress is not None and time.monotonic() - told >= every:
            told = time.monotonic()
            progress(f"... still starting ({told - started:.0f} s; a first start migrates its database)")
        time.sleep(0.5)
    raise TimeoutError(f"{api_url} not healthy after {timeout:.0f} s")


def prefect_command(*args: str) -> list[str]:
    """The ``prefect`` CLI of this interpreter's environment."""
    return [sys.executable, "-m", "prefect", *args]


def start_prefect_server(host: str, port: int, env: dict[str, str], *, log_file: Path | None = None,
                         new_session: bool = False) -> subprocess.Popen:
    """Start ``prefect server start`` (UI included) on host:port; the caller waits for health and stops it."""
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    out = log_file.open("ab") if log_file else subprocess.DEVNULL
    return subprocess.Popen(
        prefect_command("server", "start", "--host", host, "--port", str(port)),
        env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=new_session,
    )


def stop_process(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


# --- the deployments -----------------------------------------------------------------------------


def build_deployments(sources_file: Path, db: Path, *, schedules: str = "on", report_url: str | None = None) -> list:
    """Every govpress deployment as ``RunnerDeployment`` objects for ``serve``.

    ``schedules``: ``"on"`` (scheduled ingests run on their cron), ``"paused"`` (created, with
    their schedules, but paused until someone resumes them in the UI) or ``"off"`` (not created).
    Entrypoints are module paths (``govpress.flows.ingest.ingest``), so runs work from any directory.
    """
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    from govpress.flows.ingest import ingest, reparse
    from govpress.flows.operations import backfill, publish
    from govpress.flows.parameters import apply_registry_choices
    from govpress.flows.report_flow import report_deployment
    from govpress.flows.rerun import rerun_failed
    from govpress.registry import load_registry
    from govpress.schedules import scheduled_ingests

    if schedules not in ("on", "paused", "off"):
        raise ValueError(f"schedules must be on, paused or off, not {schedules!r}")
    registry = load_registry(sources_file)
    where = {"db": str(db), "sources_file": str(sources_file)}
    module = EntrypointType.MODULE_PATH
    deployments = []
    if schedules != "off":
        for group in scheduled_ingests(registry):
            deployments.append(ingest.to_deployment(
                name=group.name,
                schedules=[Cron(group.cron, timezone=group.timezone)],
                paused=schedules == "paused",
                parameters={"sources": list(group.source_ids), **where},
                description=f"Scheduled ingest of {', '.join(group.source_ids)} ({group.cron}, {group.timezone}), "
                            "from the cadence in the registry.",
                tags=["govpress", "scheduled"],
                entrypoint_type=module,
            ))
    deployments += [
        ingest.to_deployment(
            name="ingest-manual", parameters=where, tags=MANUAL_TAGS, entrypoint_type=module,
            description="Run the ingest by hand: choose sources, a date range, a page limit or a refetch "
                        "(Run > Custom run).",
        ),
        backfill.to_deployment(
            name="backfill", parameters=where, tags=MANUAL_TAGS, entrypoint_type=module,
            description="Collect one source's releases in a date range, paging its listings and archives deep.",
        ),
        reparse.to_deployment(
            name="reparse", parameters=where, tags=MANUAL_TAGS, entrypoint_type=module,
            description="Re-run the parsers over the raw archive (no network), e.g. after a parser fix.",
        ),
        publish.to_deployment(
            name="publish", parameters={"db": str(db)}, tags=MANUAL_TAGS, entrypoint_type=module,
            description="Rebuild the full-text index and publish the analysts' read-only snapshot.",
        ),
        rerun_failed.to_deployment(
            name="rerun-failed", tags=MANUAL_TAGS, entrypoint_type=module,
            description="Repeat an ingest or backfill run for its failed and unfinished sources only, with the same "
                        "parameters: paste the run's id (the end of its page's address).",
        ),
    ]
    for deployment in deployments:  # the served registry's ids as the choices of the source pickers
        apply_registry_choices(deployment._parameter_openapi_schema.properties, registry.source)
    deployments.append(report_deployment(db, report_url))  # triggered after each ingest or backfill run
    return deployments


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What ``govpress serve`` was asked for (its --help documents each)."""

    sources_file: Path | None = None
    """Registry to schedule and run; None: the project's sources.toml."""
    db: Path | None = None
    """DuckDB file; None: $GOVPRESS_DB or data/govpress.duckdb."""
    schedules: Literal["on", "paused", "off"] = "on"
    host: str = "127.0.0.1"
    port: int = 4200
    no_server: bool = False
    """Never start a Prefect server; fail if none answers."""
    limit: int | None = None
    """Flow runs executed at once at most."""
    report_port: int = 4210
    """Where the analyst's report (report.html beside the database) is served on 127.0.0.1; 0: a free port."""


def choose_api(options: ServeOptions) -> tuple[str, bool]:
    """(API URL, whether we must start the server). Decided before Prefect is imported."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        return configured, False
    url = f"http://{options.host}:{options.port}/api"
    if api_healthy(url):
        return url, False
    if options.no_server:
        raise SystemExit(f"no Prefect server answers at {url} and --no-server was given")
    return url, True


def serve_deployments(options: ServeOptions) -> int:
    """Find or start the Prefect server, register every deployment and serve them until Ctrl-C."""
    from govpress.registry import DEFAULT_SOURCES_FILE
    from govpress.settings import DEFAULT_DB

    sources_file = (options.sources_file or DEFAULT_SOURCES_FILE).resolve()
    db = (options.db or DEFAULT_DB).resolve()
    api_url, start_server = choose_api(options)
    os.environ["PREFECT_API_URL"] = api_url

    server = None
    if start_server:
        log_file = Path(os.environ["PREFECT_HOME"]) / "server.log"
        say(f"Starting the Prefect server on {api_url} (log: {log_file}) ...")
        # Own session: a Ctrl-C in the terminal reaches only us, and we stop the server after the runner
        # has shut down (a server dying first leaves the runner hanging on its event socket).
        server = start_prefect_server(options.host, options.port, dict(os.environ), log_file=log_file, new_session=True)
    try:
        if server is not None:
            seconds = wait_healthy(api_url, server, timeout=180, progress=say)
            say(f"Prefect server healthy after {seconds:.1f} s; UI: {api_url.removesuffix('/api')}")
        started = time.monotonic()
        say("Loading Prefect and the flows ...")
        import asyncio

        from prefect import serve

        from govpress.analysis.fileserver import ReportServer
        from govpress.analysis.report import REPORT_NAME
        from govpress.flows.writer_limit import WRITER_LIMIT, ensure_writer_limit

        report_server = ReportServer(db.with_name(REPORT_NAME), host="127.0.0.1", port=options.report_port).start()
        say(f"Analyst's report (written after each ingest by the report flow): {report_server.url}")
        deployments = build_deployments(sources_file, db, schedules=options.schedules, report_url=report_server.url)
        say(f"Loaded in {time.monotonic() - started:.1f} s; registry {sources_file}, database {db}")
        what = asyncio.run(ensure_writer_limit())
        say(f"Global concurrency limit {WRITER_LIMIT} (1 slot): {what}")
        scheduled = [d.name for d in deployments if d.schedules]
        if scheduled and options.schedules == "on":
            say(f"{len(scheduled)} scheduled deployments run on their schedules from now on; pause them in the UI "
                "(Deployments > the deployment > the schedule toggle) or start with --pause-schedules")
        elif scheduled:
            say(f"{len(scheduled)} scheduled deployments created paused: resume them in the UI when you want them")
        say(f"Registering {len(deployments)} deployments with the server ...")
        serve(*deployments, limit=options.limit)
    finally:
        if server is not None:
            stop_process(server)
    return 0

