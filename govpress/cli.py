"""The ``govpress`` command line: demo, ingest, reparse, extract, eval, sql, report, search, export, sources, site, serve,
reliability.

Every command is a thin shell over the library (govpress/run.py, govpress/demo/) or the flows;
``govpress COMMAND --help`` documents each option. Importing this module imports typer, rich and
the project's settings only: each command imports what it needs (DuckDB, the fetcher, Prefect)
when it runs, so ``govpress --help`` answers at once (tests/unit/test_cli.py checks it).
"""

from __future__ import annotations

import os

# On a terminal, one line per source says what happened; Prefect's per-task "Finished" lines
# (dozens per run) stay in the UI's task views. Set before Prefect reads its logging config.
os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", "WARNING")

import govpress.settings  # noqa: F401,E402  (Prefect environment before Prefect is imported)

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from typer.core import TyperGroup
from typer.exceptions import TyperException

from govpress import stops
from govpress.console import console, err, print_last_run
from govpress.settings import DEFAULT_DB
from govpress.storage import data_folder, store_exists, store_option


def report_failure(error: BaseException, *, debug: bool) -> int:
    """Print ``error`` as one line (and its traceback with ``debug``); returns the exit code of its class."""
    import traceback

    from govpress.errors import INTERNAL_ERROR_EXIT, known_error

    if debug:
        typer.echo("".join(traceback.format_exception(error)).rstrip(), err=True)
    known = known_error(error)
    if known is not None:
        typer.echo(f"error: {known.line()}", err=True)
        return known.exit_code
    text = " ".join(str(error).split()) or "(no message)"
    typer.echo(f"error: unexpected {type(error).__name__}: {text} — a bug in govpress"
               + ("" if debug else "; rerun with govpress --debug ... for the traceback"), err=True)
    return INTERNAL_ERROR_EXIT


class GovpressGroup(TyperGroup):
    """The command tree, with one place that turns every failure into one line and its exit code (govpress/errors.py)."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own exits and usage errors (BadParameter) already print what they mean
        except Exception as error:
            debug = bool(ctx.params.get("debug")) or os.environ.get("GOVPRESS_DEBUG", "") not in ("", "0")
            raise typer.Exit(report_failure(error, debug=debug)) from None


app = typer.Typer(
    cls=GovpressGroup,
    help="govpress: a clean, deduplicated, searchable record of government press releases, in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    debug: Annotated[bool, typer.Option("--debug", envvar="GOVPRESS_DEBUG",
                                        help="On a failure, print the traceback too (default: one line and an exit code).")] = False,
) -> None:
    """govpress: a clean, deduplicated, searchable record of government press releases, in DuckDB."""
sources_app = typer.Typer(help="List the source registry, or check one source live.", invoke_without_command=True)
app.add_typer(sources_app, name="sources")
site_app = typer.Typer(help="The local site server used by the demo and the tests.", no_args_is_help=True)
app.add_typer(site_app, name="site")
reliability_app = typer.Typer(help="Fault injection: what each fault does to a run (govpress reliability faults).",
                              no_args_is_help=True)
app.add_typer(reliability_app, name="reliability")


def _analyst_commands() -> None:
    from govpress.analysis.commands import register

    register(app)  # govpress report, search, export


_analyst_commands()

DbOption = Annotated[Path, typer.Option(
    "--store", "--db", envvar="GOVPRESS_DB", parser=store_option,
    help="Where the data lives: a DuckDB file (duckdb:PATH or PATH, the default) or "
         "ducklake:postgres://HOST:PORT/DB?data_path=DIR or ducklake:sqlite:PATH?data_path=DIR (docs/scale.md).")]
DuckDBFileOption = Annotated[Path, typer.Option("--db", envvar="GOVPRESS_DB", help="DuckDB file (serve does not run on a lake yet).")]
SourcesFileOption = Annotated[Optional[Path], typer.Option("--sources-file", help="Registry file (default: the project's sources.toml).")]


def _date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _check_db(db: Path) -> None:
    """A ``--db`` that cannot be a govpress database fails here, in one line, before any run starts."""
    from govpress.store import Store

    Store(db).check_usable()


def _run_flow(start, *, load, prestart=None) -> bool:
    """Run a flow to its final state on Prefect's API; True when it completed.

    ``load()`` imports the flow (Prefect with it) and returns it, ``start(flow)`` makes the flow's
    coroutine. The API is the configured server, or a temporary one started for this command that dies
    with it (govpress/flows/temporary_api.py). ``prestart()`` (ingest, backfill) begins the run itself
    before any of that (govpress/prestart.py): it discovers and fetches while Prefect is imported (in a
    worker thread) and the API starts, and the flow takes it over; a flow that never starts leaves it
    cancelled, having written nothing. A failure of a known class (a full disk, a database that cannot
    be used) is raised again here, so it ends the command with its own line and exit code.
    """
    import asyncio

    from govpress.flows.temporary_api import api_ready, prefect_api, warm_flow_imports

    def log(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    def load_warm():
        # What the flow's first call would import (fastapi's encoder for its parameters, the engines: ~0.25 s) is
        # imported here too, in the loading thread, not at the flow's call: with a running server nothing else hides
        # it, and the flow run (which the prestarted run's loads wait for) is created that much sooner.
        flow = load()
        seen.watch_prefect()
        warm_flow_imports()
        return flow

    async def main():
        early = prestart() if prestart is not None else None
        try:
            flow = await asyncio.to_thread(load_warm)
            await api_ready(log=log)
            stops.raise_if_requested()  # a SIGTERM while the API started: stop before the flow
            if early is not None:
                early.parse_now()
            with prefect_api(log=log):
                return await start(flow)
        finally:
            if early is not None:
                await early.close()

    # A SIGTERM is noted, then raised by the run at its next safe point (StopsSeen): Stopped before Prefect is
    # loaded, Prefect's TerminationSignal after (its engine marks the flow run Crashed). Either way the unwinding
    # closes the prestarted run and the temporary API, and main() prints one line.
    with StopsSeen() as seen:
        try:
            state = asyncio.run(main())
        except BaseException as error:
            seen.raise_if_stopped(error)
            raise
        seen.raise_if_stopped()
    if state.is_failed():
        from govpress.flows.artifacts import failure_of

        known = failure_of(state)
        if known is not None:
            raise known
    return state.is_completed()


def _prestart(flow: str, *, db: Path, sources_file: Optional[Path], source_ids: Optional[list[str]], params):
    """What ``_run_flow`` begins first: the run itself, ahead of its flow (govpress/prestart.py)."""
    def begin():
        from govpress.flows.temporary_api import spawned_early
        from govpress.prestart import Prestart

        # While a temporary API starts, the run fetches but does not parse yet: the server's start gets the CPU.
        return Prestart(flow=flow, db=db, sources_file=sources_file, source_ids=source_ids, params=params,
                        hold_parsing=spawned_early()).begin()

    return begin


@app.command()
def ingest(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Source id (repeatable); default: all enabled.")] = None,
    sources_file: SourcesFileOption = None,
    db: DbOption = DEFAULT_DB,
    since: Annotated[Optional[str], typer.Option(help="First publication day, YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last publication day, YYYY-MM-DD.")] = None,
    max_pages: Annotated[Optional[int], typer.Option("--max-pages", min=1, help="Discovery pages per source at most.")] = None,
    refetch: Annotated[bool, typer.Option("--refetch", help="Refetch every discovered release, even unchanged ones.")] = False,
    without_prefect: Annotated[bool, typer.Option("--without-prefect", help="Run the same stages without Prefect (debugging; no UI, no artifacts).")] = False,
    shared_host_limits: Annotated[bool, typer.Option("--shared-host-limits", help="Limit each host across every worker through Prefect's global concurrency limits (docs/scale.md).")] = False,
) -> None:
    """Run the real sources from the registry (live sites) into the database."""
    from govpress.settings import run_imports

    # The run's imports: no collector walking them, patterns from the machine's file (govpress/settings.py); that
    # file is written after the run's own imports below, not for the registry's few patterns alone.
    with run_imports(save=False):
        from govpress.registry import load_registry

    try:
        load_registry(sources_file).select(source)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--source") from None
    if since and until and _date(since) > _date(until):
        raise typer.BadParameter(f"--since {since} is after --until {until}")
    if without_prefect and shared_host_limits:
        raise typer.BadParameter("shared host limits are Prefect's: drop --without-prefect", param_hint="--shared-host-limits")
    if without_prefect:
        with run_imports(parse_server=True):  # the parse workers' fork server forked first (govpress/settings.py)
            import asyncio

            from govpress.plan import RunParams
            from govpress.run import ingest_sources
        _check_db(db)  # after the imports: the store's (DuckDB, Arrow, NumPy) are the run's, in its window

        params = RunParams(since=_date(since), until=_date(until), max_pages=max_pages, refetch=refetch)
        result = asyncio.run(ingest_sources(db=db, sources_file=sources_file, source_ids=source, params=params,
                                            parameters={"sources": source, "without_prefect": True}))
        ok = not result.failing
    else:
        from govpress.flows.temporary_api import paused_gc, started_early

        def load():
            with paused_gc():  # Prefect's imports, without the collector walking them (flows/temporary_api.py)
                from govpress.flows.ingest import ingest as ingest_flow
            return ingest_flow

        # The API starts first, beside everything below (the run's imports, the checks, the prestarted run and
        # Prefect's imports): its start is the longest wait of the call.
        with started_early():
            # The prestarted run's modules (govpress.run, the store, the pipeline), as --without-prefect imports
            # them (run_imports: no collector, patterns and dataclasses' code from the machine's files); the
            # temporary API was forked before them, as before.
            with run_imports():
                import govpress.prestart  # noqa: F401
                from govpress.plan import RunParams

            # What the flow will run: its prestart must match it (the flow's own RunParams, govpress/prestart.py).
            params = RunParams(since=_date(since), until=_date(until), max_pages=max_pages or None, refetch=refetch)
            _check_db(db)
            ok = _run_flow(lambda flow: flow(sources=source or [], dates={"since": _date(since), "until": _date(until)},
                                             max_pages=max_pages or 0, refetch=refetch, db=str(db),
                                             sources_file=str(sources_file) if sources_file else None,
                                             shared_host_limits=shared_host_limits, return_state=True),
                           load=load, prestart=None if shared_host_limits else _prestart(
                               "ingest", db=db, sources_file=sources_file, source_ids=source, params=params))
    print_last_run(db, "ingest")
    raise typer.Exit(0 if ok else 1)


@app.command()
def backfill(
    source: Annotated[str, typer.Option("--source", help="The one source to collect.")],
    since: Annotated[str, typer.Option(help="First publication day, YYYY-MM-DD.")],
    until: Annotated[str, typer.Option(help="Last publication day, YYYY-MM-DD.")],
    sources_file: SourcesFileOption = None,
    db: DbOption = DEFAULT_DB,
    max_pages: Annotated[Optional[int], typer.Option("--max-pages", min=1, help="Discovery pages to walk at most (default 1,000).")] = None,
    refetch: Annotated[bool, typer.Option("--refetch", help="Refetch releases already held, even unchanged ones.")] = False,
    shared_host_limits: Annotated[bool, typer.Option("--shared-host-limits", help="Limit each host across every worker through Prefect's global concurrency limits (docs/scale.md).")] = False,
) -> None:
    """Collect one source's releases published in a date range, paging its listings deep (the backfill flow)."""
    from govpress.registry import load_registry

    try:
        load_registry(sources_file).select([source])
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--source") from None
    if _date(since) > _date(until):
        raise typer.BadParameter(f"--since {since} is after --until {until}")
    from govpress.flows.temporary_api import paused_gc, started_early

    def load():
        with paused_gc():  # Prefect's imports, without the collector walking them (flows/temporary_api.py)
            from govpress.flows.operations import backfill as backfill_flow
        return backfill_flow

    with started_early():  # the API starts first, beside the run's imports, the checks, the prestarted run and Prefect's
        from govpress.plan import BACKFILL_MAX_PAGES, RunParams

        params = RunParams(since=_date(since), until=_date(until), max_pages=max_pages or BACKFILL_MAX_PAGES,
                           refetch=refetch, deep=True)  # the backfill flow's (govpress/prestart.py)
        _check_db(db)
        ok = _run_flow(lambda flow: flow(source=source, dates={"since": _date(since), "until": _date(until)},
                                         max_pages=max_pages or BACKFILL_MAX_PAGES, refetch=refetch, db=str(db),
                                         sources_file=str(sources_file) if sources_file else None,
                                         shared_host_limits=shared_host_limits, return_state=True),
                       load=load, prestart=None if shared_host_limits else _prestart(
                           "backfill", db=db, sources_file=sources_file, source_ids=[source], params=params))
    print_last_run(db, "backfill")
    raise typer.Exit(0 if ok else 1)


@app.command()
def demo(
    db: DbOption = DEFAULT_DB,
    pages: Annotated[Optional[Path], typer.Option("--pages", help="Folder of real saved pages (default: ../shared/pages beside the checkout).")] = None,
    seed: Annotated[Optional[Path], typer.Option("--seed", help="Folder of seed documents (default: ../shared/seed).")] = None,
    refetch: Annotated[bool, typer.Option("--refetch", help="Refetch every page even if unchanged.")] = False,
) -> None:
    """Serve a generated multi-source site (plus the real saved pages) on 127.0.0.1 and ingest it."""
    from govpress.flows.temporary_api import started_early

    # The API starts first, before the database check imports DuckDB (whose threads would rule out forking the
    # server from this process: flows/temporary_api.py); run_demo takes this block's server.
    with started_early():
        from govpress.demo.run import run_demo

        _check_db(db)
        code = run_demo(db=db, pages=pages, seed=seed, refetch=refetch, console=console)
    raise typer.Exit(code)


@app.command()
def reparse(
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Source id (repeatable); default: all.")] = None,
    parser: Annotated[Optional[str], typer.Option(help="Parse with this parser instead of each source's own.")] = None,
    sources_file: SourcesFileOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Re-run the parsers over the raw archive (no network); changed releases get a new version."""
    from govpress.registry import load_registry

    load_registry(sources_file).select(source)
    from govpress.flows.temporary_api import paused_gc, started_early

    def load():
        with paused_gc():  # Prefect's imports, without the collector walking them (flows/temporary_api.py)
            from govpress.flows.ingest import reparse as reparse_flow
        return reparse_flow

    with started_early():  # the API starts beside the checks and Prefect's imports below
        _check_db(db)
        ok = _run_flow(lambda flow: flow(sources=source or [], parser=parser, db=str(db),
                                         sources_file=str(sources_file) if sources_file else None,
                                         return_state=True), load=load)
    print_last_run(db, "reparse")
    raise typer.Exit(0 if ok else 1)


@app.command()
def extract(
    files: Annotated[Optional[list[Path]], typer.Argument(help="Saved pages or documents to parse.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Parse as this registry source (its parser, zone, languages).")] = None,
    parser: Annotated[Optional[str], typer.Option(help="Parser name (default: the source's, else by file type).")] = None,
    url: Annotated[Optional[str], typer.Option(help="The page's URL (default: the file's file:// URL).")] = None,
    manifest: Annotated[Optional[Path], typer.Option(help='JSON Lines of {"file": ..., "url": ...} (optional timezone, languages, fetched_at).')] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", help="Worker processes (default: one per core).")] = None,
    sources_file: SourcesFileOption = None,
) -> None:
    """Parse saved pages and print one JSON object per page (how to check a parser against a page)."""
    from govpress.extract import Job, ManifestError, extract_jobs, read_manifest

    work = [Job(f, url) for f in files or []]
    if manifest:
        try:
            work.extend(read_manifest(manifest))
        except ManifestError as exc:
            raise typer.BadParameter(str(exc), param_hint="--manifest") from None
    if not work:
        raise typer.BadParameter("give FILE arguments or --manifest")
    failures = 0
    for record in extract_jobs(work, source=source, parser=parser, sources_file=sources_file, workers=jobs):
        failures += "error" in record
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    raise typer.Exit(1 if failures else 0)


@app.command("eval")
def evaluate(
    manifest: Annotated[Path, typer.Option(help="Pages to score: the JSON Lines manifest that extract --manifest reads.")],
    truth: Annotated[Path, typer.Option(help="JSON Lines of {file, title, published, body | body_selectors} per page.")],
    verbose: Annotated[bool, typer.Option("--verbose", help="List every miss per page.")] = False,
) -> None:
    """Score the generic parser's titles, dates and bodies next to trafilatura's and htmldate's, in one run."""
    from govpress.eval import evaluate as run_evaluation
    from govpress.eval import format_report

    try:
        report = run_evaluation(manifest, truth)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    for line in format_report(report, verbose=verbose):
        console.print(line, markup=False, highlight=False)


@app.command(context_settings={"ignore_unknown_options": True})
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run read-only (it may start with a -- comment).")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    limit: Annotated[int, typer.Option(help="Rows to print at most.")] = 200,
    allow_writes: Annotated[Optional[Path], typer.Option(
        "--allow-writes", help="A folder (outside the database's folder) that COPY ... TO may write into; "
        "without it the query can read the database only, never a file.")] = None,
) -> None:
    """Run a query read-only against the database and print the result; no file is read or written."""
    from govpress.store import Store

    if not store_exists(db):
        raise typer.BadParameter(f"{db} does not exist yet: run `govpress demo` or `govpress ingest` first", param_hint="--db")
    if allow_writes is not None:
        folder, data_dir = allow_writes.resolve(), data_folder(db)
        if not folder.is_dir():
            raise typer.BadParameter(f"{allow_writes} is not a folder", param_hint="--allow-writes")
        if folder == data_dir or folder.is_relative_to(data_dir) or data_dir.is_relative_to(folder):
            raise typer.BadParameter(f"{allow_writes} holds or is inside the data folder {data_dir}: "
                                     "name a folder elsewhere", param_hint="--allow-writes")
    with Store(db).sandboxed_reader(writable_dir=allow_writes) as con:
        try:
            cur = con.execute(query)
        except Exception as exc:
            err.print(f"[red]query failed:[/red] {exc}")
            raise typer.Exit(2) from None
        columns = [d[0] for d in cur.description or []]
        rows = cur.fetchmany(limit)
    if fmt == "json":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        table = Table(show_lines=False)
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


@sources_app.callback()
def sources_list(ctx: typer.Context, sources_file: SourcesFileOption = None) -> None:
    """List the sources in the registry."""
    if ctx.invoked_subcommand is not None:
        return
    from govpress.registry import load_registry

    registry = load_registry(sources_file)
    table = Table(title=f"{len(registry.source)} sources")
    for col in ("id", "country", "institution", "lang", "kind", "parser", "zone", "cadence", "enabled"):
        table.add_column(col)
    for s in registry.source:
        table.add_row(s.id, s.country, s.institution, ",".join(s.languages), s.kind, s.parser, s.timezone, s.cadence, "yes" if s.enabled else "no")
    console.print(table)


@sources_app.command("check")
def sources_check(
    name: Annotated[str, typer.Argument(help="Source id.")],
    sources_file: SourcesFileOption = None,
) -> None:
    """Fetch one discovery page and one release live, and show which fields parsed."""
    from govpress.check import check_source
    from govpress.registry import load_registry

    registry = load_registry(sources_file)
    try:
        source = registry.get(name)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0])) from None
    import asyncio

    report = asyncio.run(check_source(source, registry, base_dir=(sources_file or Path(".")).resolve().parent))
    console.print_json(data=report)
    raise typer.Exit(0 if report.get("ok") else 1)


@app.command()
def serve(
    sources_file: SourcesFileOption = None,
    db: DuckDBFileOption = DEFAULT_DB,
    no_schedules: Annotated[bool, typer.Option("--no-schedules", help="Serve the manual deployments only (no scheduled ingests).")] = False,
    pause_schedules: Annotated[bool, typer.Option("--pause-schedules", help="Create the scheduled ingests paused (resume them in the UI).")] = False,
    host: Annotated[str, typer.Option(help="Where to find, or start, the Prefect server.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Where to find, or start, the Prefect server.")] = 4200,
    no_server: Annotated[bool, typer.Option("--no-server", help="Never start a Prefect server; fail if none answers.")] = False,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Flow runs executed at once at most.")] = None,
    report_port: Annotated[int, typer.Option("--report-port", min=0, max=65535, help="Serve the analyst's report (report.html beside --db) on 127.0.0.1 at this port; 0: a free one.")] = 4210,
) -> None:
    """Serve every deployment (schedules, ingest-manual, backfill, reparse, publish, report), the Prefect UI and the report.

    Uses $PREFECT_API_URL when set, else a server answering on --host/--port, else starts one there.
    --db and --sources-file become the deployments' default parameters.
    """
    if no_schedules and pause_schedules:
        raise typer.BadParameter("--no-schedules and --pause-schedules exclude each other")
    from govpress.flows.serve import ServeOptions, serve_deployments

    # Served runs log to the UI in full (the quiet terminal default above is for CLI runs).
    os.environ.pop("PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL", None)
    options = ServeOptions(sources_file=sources_file, db=db, host=host, port=port, no_server=no_server, limit=limit,
                           schedules="off" if no_schedules else "paused" if pause_schedules else "on",
                           report_port=report_port)
    raise typer.Exit(serve_deployments(options))


@site_app.command("serve")
def site_serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 8765,
    root: Annotated[Optional[Path], typer.Option(help="Serve this generated site (default: generate one).")] = None,
) -> None:
    """Generate the demo site and serve it (with the real saved pages when present) until Ctrl-C."""
    from govpress.demo.run import serve_forever

    serve_forever(port=port, root=root, console=console)


@reliability_app.command("faults")
def reliability_faults(
    only: Annotated[Optional[list[str]], typer.Option("--only", help="Fault case name (repeatable); default: all.")] = None,
    width: Annotated[int, typer.Option(help="Table width in characters.")] = 200,
    probes: Annotated[bool, typer.Option("--probes", help="Print only the table of issue 11's probes (no runs).")] = False,
) -> None:
    """Run every fault once against a generated site and print fault -> outcome, then the hardening probes."""
    from rich.console import Console

    from govpress.demo.probes import print_probes

    out = Console(width=width)
    if probes:
        print_probes(out)
        return
    from govpress.demo.reliability import print_fault_table

    try:
        caught_up = print_fault_table(only, console=out)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--only") from None
    print_probes(out)
    raise typer.Exit(0 if caught_up else 1)


class Stopped(BaseException):
    """SIGTERM stopped a command that runs a flow in this process (:func:`_run_flow` raises it from the signal's
    handler): an operator's or a scheduler's stop, not an error. A BaseException, as ``KeyboardInterrupt``, so that
    no ``except Exception`` on the way takes it for a failure of the work."""

    def __init__(self, signal: int) -> None:
        super().__init__(signal)
        self.signal = signal


class StopsSeen:
    """The SIGTERMs a flow command received, whichever handler took them, so that the command ends as stopped.

    A handler that raises does so wherever the main thread is, and twice that lost the signal (2026-12-06):
    Prefect's bridge, during the flow, raised its ``TerminationSignal`` inside an async task's engine before
    its task run existed, whose handling replaced it with ``ValueError: Task run is not set`` (the source
    failed, the run went on, exit 1); the command's own, before the flow, raised :class:`Stopped` inside
    asyncio's socket write, which logged it as a failed write and went on. So both handlers (Prefect's once
    :meth:`watch_prefect` wraps it) only note the signal, and the run raises it at its next safe point: a
    fetch, a load, a turn of the writer queue's wait, the end of the API's start (govpress/stops.py): Prefect's
    ``TerminationSignal`` once Prefect is loaded, :class:`Stopped` before. :meth:`raise_if_stopped` ends the
    command as stopped whatever became of it (a run with nothing left to fetch or load completes first).
    """

    def __init__(self) -> None:
        self.numbers: list[int] = []
        self._previous = None
        self._prefect = None

    def __enter__(self) -> "StopsSeen":
        import signal

        try:
            self._previous = signal.signal(signal.SIGTERM, self._stop)
        except ValueError:  # not the main thread (a caller's own thread): signals are its main thread's business
            self._previous = None
        return self

    def __exit__(self, *exc_info: object) -> None:
        import signal

        stops.clear()
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
        if self._prefect is not None:
            engine, original = self._prefect
            engine._prefect_sigterm_handler = original

    def _stop(self, number: int, _frame: object) -> None:
        # Not raised here either: raised wherever the main thread was, asyncio's socket write once took it for a
        # failed write, logged it and went on (govpress/stops.py).
        self.numbers.append(number)
        stops.request(lambda: self._error(number))

    def _error(self, number: int) -> BaseException:
        if self._prefect is not None:  # Prefect's own exception once it is there: its engines know it
            from prefect.exceptions import TerminationSignal

            return TerminationSignal(signal=number)
        return Stopped(number)

    def watch_prefect(self) -> None:
        """Note the signals Prefect's SIGTERM bridge takes (call once Prefect is imported; undone on exit)."""
        from prefect.utilities import engine

        if self._prefect is not None:
            return
        original = engine._prefect_sigterm_handler

        def noted(number: int, *args: object) -> None:
            # Not raised here, wherever the main thread is (in a task engine's setup it got lost): the run raises
            # Prefect's own TerminationSignal at its next fetch or load, which the engines handle (govpress/stops.py).
            self.numbers.append(number)
            stops.request(lambda: self._error(number))

        self._prefect = (engine, original)
        # Prefect installs (and recognises) its bridge by this module-level name, read at each use.
        engine._prefect_sigterm_handler = noted

    def raise_if_stopped(self, error: BaseException | None = None) -> None:
        """Raise :class:`Stopped` if a SIGTERM came (``error``, what the command ended with, becomes its cause)."""
        if self.numbers and not (error is not None and stopped_by_signal(error) is not None):
            raise Stopped(self.numbers[0]) from error


def stopped_by_signal(error: BaseException) -> int | None:
    """The signal's number when ``error`` says a signal stopped the command: :class:`Stopped`, or Prefect's
    ``TerminationSignal`` (the run raises that for a SIGTERM once Prefect is loaded, :class:`StopsSeen`; its
    engine marks the flow run Crashed); else None."""
    if isinstance(error, Stopped):
        return error.signal
    number = getattr(error, "signal", None)
    if type(error).__name__ == "TerminationSignal" and isinstance(number, int):
        return number
    return None


def stop_line(number: int) -> str:
    import signal

    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return (f"govpress: stopped by {name}: the batches loaded so far are kept; run the same command again to "
            "finish (it converges to the tables of an uninterrupted run)")


def main() -> None:
    from govpress.settings import end_process

    try:
        app()  # click ends with SystemExit, whatever the command did
    except SystemExit as stop:
        code = 0 if stop.code is None else stop.code
        if not isinstance(code, int):
            raise
        end_process(code)  # without the interpreter's teardown (35-45 ms of CPU after a run)
    except BaseException as error:
        number = stopped_by_signal(error)
        if number is None:
            raise
        # An operator's or a scheduler's stop is not a bug: one line, and the shell's exit code for a signal.
        print(stop_line(number), file=sys.stderr)
        # A task that crashed after the flow logged it once the temporary API had stopped: Prefect's exit-time
        # send then fails and says so on stderr, unless logging's errors are off (its handler honours the flag).
        import logging

        logging.raiseExceptions = False
        end_process(128 + number)


if __name__ == "__main__":
    main()
