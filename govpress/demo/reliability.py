"""Reliability: the whole pipeline (no Prefect) against a misbehaving local site, one fault at a time.

For each fault the local site server can inject (:mod:`govpress.demo.localsite.faults`) a
:class:`FaultCase` says which request misbehaves and how. :func:`run_fault_case` runs the
pipeline once with the fault on (a fresh database), reads back what the fetcher saw and where
the pipeline recorded it, then runs again with the fault cleared and compares the content
tables with those of a clean run (``Store.checksum()``). :func:`fault_matrix` does that for
every case and returns one row per fault; ``govpress reliability faults`` prints them.

The runs use the same stages as ``govpress ingest --without-prefect`` (``run_source`` per
source) with a Fetcher tuned for speed: short timeouts, one retry, tiny backoff, a 2 MB body
cap, and a virtual clock whose ``sleep`` records the delay asked for and returns at once, so
Retry-After and backoff are observable without waiting for them.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from govpress.fetch.client import Fetcher
from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, SiteManifest, generate_site
from govpress.pipeline import RunContext, RunParams, SourceOutcome, run_source
from govpress.registry import Registry, Source
from govpress.run import RunStart, run_lifecycle
from govpress.store import Store, count_releases
from govpress.store.load import CHECKSUM_TABLES, NOT_CONTENT

DEMO_TEMPLATE = Path(__file__).resolve().parent / "localsite" / "demo_generated.toml"
TRAP_HOST = "127.0.0.3"
"""Where the off-host redirect points: a second server whose request log must stay empty."""

SITE_SIZE = 15
"""Releases per generated edition."""
FAULT_SOURCES = ("demo_minfin", "demo_mfa_en")
"""The editions the fault runs ingest: a feed (Russian, the target's) and a sitemap (English), ~30 pages.
Each store call opens its own DuckDB connection (~30 ms), so fewer sources is what makes a run quick."""
TARGET_SOURCE = "demo_minfin"
"""The faults hit one Russian (Cyrillic) article of this source, so wrong_charset is visible."""

FETCH_OPTIONS: dict = {
    "timeout": 1.0,  # a stalled page costs 2 s (two attempts), a normal one answers in milliseconds
    "retries": 1,
    "backoff_base": 0.01,
    "max_bytes": 2_000_000,  # stops the endless body and the gzip bomb early
    "max_retry_after": 60.0,
}


# --- the cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FaultCase:
    """One row of the matrix: a fault applied to the target article (``rule(path, trap_url)``)."""

    name: str
    rule: Callable[[str, str], FaultRule]
    description: str
    trap: str = "host"
    """The trap server ``rule`` gets the URL of: ``host`` (127.0.0.3) or ``port`` (127.0.0.1, another port)."""


FAULT_CASES: tuple[FaultCase, ...] = (
    FaultCase("latency", lambda p, _: FaultRule(fault="latency", path=p, seconds=0.3),
              "0.3 s before answering (under the 1 s timeout)"),
    FaultCase("read_timeout", lambda p, _: FaultRule(fault="read_timeout", path=p, seconds=5),
              "headers never come (5 s stall, 1 s timeout)"),
    FaultCase("connection_reset", lambda p, _: FaultRule(fault="connection_reset", path=p),
              "TCP RST instead of an answer"),
    FaultCase("status_429", lambda p, _: FaultRule(fault="status", path=p, status=429, retry_after=7, times=1),
              "one 429 with Retry-After: 7, then the page"),
    FaultCase("status_5xx", lambda p, _: FaultRule(fault="status", path=p, status=503, times=3),
              "a burst of three 503s (longer than the retries)"),
    FaultCase("status_404_once", lambda p, _: FaultRule(fault="status", path=p, status=404, times=1),
              "one 404 (a flaky node), then the page"),
    FaultCase("status_304_unasked", lambda p, _: FaultRule(fault="status", path=p, status=304, times=2),
              "304 Not Modified to a request that sent no validators (a cache in front of the site)"),
    FaultCase("cookie_check", lambda p, _: FaultRule(fault="cookie_check", path=p),
              "302 to the same page setting a cookie, the page only to a client that sends it back"),
    FaultCase("frozen_validators", lambda p, _: FaultRule(fault="frozen_validators", path=p),
              "one ETag and Last-Modified for ever, 304 to every conditional request"),
    FaultCase("truncated", lambda p, _: FaultRule(fault="truncated", path=p, fraction=0.5),
              "half the body, then the connection closes"),
    FaultCase("wrong_charset", lambda p, _: FaultRule(fault="wrong_charset", path=p, charset="windows-1251",
                                                      header_charset="utf-8", meta="keep"),
              "windows-1251 bytes labelled utf-8 (header and <meta>)"),
    FaultCase("gzip_undeclared", lambda p, _: FaultRule(fault="wrong_encoding", path=p, encoding="undeclared"),
              "the page gzipped, no Content-Encoding"),
    FaultCase("gzip_doubled", lambda p, _: FaultRule(fault="wrong_encoding", path=p, encoding="doubled"),
              "gzipped twice under one Content-Encoding: gzip"),
    FaultCase("gzip_false", lambda p, _: FaultRule(fault="wrong_encoding", path=p, encoding="false"),
              "Content-Encoding: gzip on the page sent as it is"),
    FaultCase("volatile_chrome", lambda p, _: FaultRule(fault="volatile_chrome", path=p),
              "a view counter, the page's age and the latest headlines inside the article, new at every answer"),
    FaultCase("br_false", lambda p, _: FaultRule(fault="wrong_encoding", path=p, encoding="br_false"),
              "Content-Encoding: br on the page sent as it is"),
    FaultCase("malformed_html", lambda p, _: FaultRule(fault="malformed_html", path=p),
              "closing tags dropped, garbage bytes, a tag cut at the end"),
    FaultCase("redirect_loop", lambda p, _: FaultRule(fault="redirect_loop", path=p),
              "302 to itself via ?loop=1"),
    FaultCase("offhost_redirect", lambda p, trap: FaultRule(fault="offhost_redirect", path=p, location=trap + p),
              f"302 to {TRAP_HOST} (not an allowed address)"),
    FaultCase("port_redirect", lambda p, trap: FaultRule(fault="offhost_redirect", path=p, location=trap + p),
              "302 to the same host on another port (a second server on 127.0.0.1)", trap="port"),
    FaultCase("endless_body", lambda p, _: FaultRule(fault="endless_body", path=p),
              "a chunked body that never ends (64 MiB cap)"),
    FaultCase("gzip_bomb", lambda p, _: FaultRule(fault="gzip_bomb", path=p),
              "1 MiB of gzip inflating to 1 GiB"),
    FaultCase("huge_header", lambda p, _: FaultRule(fault="huge_header", path=p),
              "a 5 MiB response header before the page"),
    FaultCase("challenge", lambda p, _: FaultRule(fault="challenge", path=p),
              "an AWS-WAF JavaScript challenge with status 200"),
    FaultCase("maintenance_page", lambda p, _: FaultRule(fault="maintenance_page", path=p),
              "a maintenance screen with status 200 instead of the page"),
    FaultCase("forbidden", lambda p, _: FaultRule(fault="forbidden", path=p),
              "403 with an 'Access denied' page"),
)
CASES_BY_NAME = {case.name: case for case in FAULT_CASES}


# --- a virtual clock ------------------------------------------------------------------------


class VirtualClock:
    """A monotonic clock whose ``sleep`` records the delay, advances the clock by it and returns at once.

    Host pauses (Retry-After), backoff and rate-limit waits then cost no wall time, and
    :attr:`sleeps` lists every delay the fetcher asked for.
    """

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(float(delay))
        self.offset += max(0.0, float(delay))
        await asyncio.sleep(0)


# --- the pipeline run -------------------------------------------------------------------------


def demo_sources(base_url: str) -> list[Source]:
    """The generated site's four editions from the demo template (the local-files seed source left out)."""
    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url).replace("{seed}", "/nonexistent")
    registry = Registry.model_validate(tomllib.loads(text))
    return [s for s in registry.source if s.kind != "files"]


async def run_pipeline(
    db: Path,
    sources: list[Source],
    *,
    clock: VirtualClock | None = None,
    params: RunParams | None = None,
    fetch_options: dict | None = None,
) -> tuple[str, list[SourceOutcome]]:
    """One ingest run without Prefect, in the lifecycle every run shares (:func:`govpress.run.run_lifecycle`).

    The search index and the snapshot are left out (the checksums do not cover them) and the
    Fetcher is the quick one above; sources run side by side.
    """
    clock = clock or VirtualClock()
    options = {**FETCH_OPTIONS, **(fetch_options or {})}

    async def work(run: RunStart) -> list[SourceOutcome]:
        async with Fetcher(archive=run.archive, user_agent="govpress-reliability/1.0", sleep=clock.sleep,
                           clock=clock.now, rng_seed=7, **options) as fetcher:
            ctx = RunContext(run_id=run.run_id, store=run.store, archive=run.archive, fetcher=fetcher,
                             params=params or RunParams(), base_dir=db.parent, now=run.started_at)
            return list(await asyncio.gather(*(run_source(ctx, s) for s in sources)))

    result = await run_lifecycle(db, flow="reliability", parameters={}, sources=sources, work=work,
                                 publish_results=False)
    return result.run_id, result.outcomes


# --- the environment: site, servers, clean baseline --------------------------------------------


@dataclass
class FaultEnv:
    """A generated site served on 127.0.0.1, the trap server on 127.0.0.3 and a clean run's checksums."""

    root: Path
    manifest: SiteManifest
    server: LocalSiteServer
    trap: LocalSiteServer
    port_trap: LocalSiteServer
    """The site on 127.0.0.1 at another port (the trap's): where the port redirect points."""
    sources: list[Source]
    clean_checksum: dict[str, str]
    clean_content: dict[str, str]
    """The clean run's checksums without archive keys (which name the exact bytes received)."""
    clean_releases: int
    clean_db: Path
    target_path: str
    target_title: str
    _next_db: int = 0

    def fresh_db(self, label: str) -> Path:
        self._next_db += 1
        folder = self.root / f"{self._next_db:02d}-{label}"
        folder.mkdir(parents=True)
        return folder / "govpress.duckdb"


def pick_target(manifest: SiteManifest) -> tuple[str, str]:
    """A Russian minfin article that is nobody's copy and has none: its fault touches one release only."""
    copied = {r.copy_of for r in manifest.releases() if r.copy_of}
    for release in manifest.publishers["minfin"].releases[2:]:
        if release.copy_of is None and release.id not in copied and not release.translations:
            return release.path, release.title
    raise ValueError("the generated site has no standalone minfin article")


@contextmanager
def fault_env(root: Path, *, per_source: int = SITE_SIZE,
              source_ids: tuple[str, ...] = FAULT_SOURCES) -> Iterator[FaultEnv]:
    """Generate the site, start both servers, run the clean baseline; stop the servers on exit."""
    manifest = generate_site(root / "site", per_source=per_source)
    target_path, target_title = pick_target(manifest)
    with LocalSiteServer(root / "site") as server, LocalSiteServer(root / "site", host=TRAP_HOST) as trap, \
            LocalSiteServer(root / "site") as port_trap:
        env = FaultEnv(root=root, manifest=manifest, server=server, trap=trap, port_trap=port_trap,
                       sources=[s for s in demo_sources(server.base_url) if s.id in source_ids],
                       clean_checksum={}, clean_content={}, clean_releases=0,
                       clean_db=root / "unused", target_path=target_path, target_title=target_title)
        env.clean_db = env.fresh_db("clean")
        asyncio.run(run_pipeline(env.clean_db, env.sources))
        env.clean_checksum = Store(env.clean_db).checksum()
        env.clean_content = content_checksum(env.clean_db, ignore=("archive_key",))
        env.clean_releases = count_releases(env.clean_db)
        yield env


# --- one case -----------------------------------------------------------------------------------


@dataclass
class FaultResult:
    """What one fault did: the evidence read back from the database and the servers."""

    case: str
    outcomes: list[SourceOutcome]
    fetches: list[dict]
    """The target article's fetches rows in the faulted run."""
    failures: list[dict]
    """parse_failures rows of the target article."""
    in_frontier: bool
    target_title: str | None
    """The stored title of the target article after the faulted run (None: not loaded)."""
    published_title: str
    """The target's title as the generator wrote it (the manifest)."""
    target_body: str | None
    """The stored body_text of the target after the faulted run."""
    clean_body: str | None
    """The target's body_text as the clean run stored it."""
    releases_after_fault: int
    other_urls_after_fault: set[str]
    """URLs of the releases stored after the faulted run, the target's left out."""
    server_statuses: list[int]
    """Statuses the server sent for the target path (0: no status line: reset, stall)."""
    faults_applied: int
    """Requests the server answered with the injected fault."""
    trap_requests: int
    sleeps: list[float]
    checksum_after_fault: dict[str, str]
    checksum_after_rerun: dict[str, str]
    content_after_rerun: dict[str, str]
    """Checksums after the rerun without archive keys."""
    loaded_after_rerun: bool = False
    """The target is stored after the clean rerun."""
    rerun_outcomes: list[SourceOutcome] = field(default_factory=list)
    db: Path | None = None

    def outcome(self, source_id: str = TARGET_SOURCE) -> SourceOutcome:
        return next(o for o in self.outcomes if o.source_id == source_id)


def content_checksum(db: Path, *, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """``Store.checksum()`` with more columns left out (``ignore``), for comparing content alone."""
    skip = NOT_CONTENT | set(ignore)
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        out = {}
        for table, key in CHECKSUM_TABLES.items():
            columns = [name for (name,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
                "ORDER BY column_index", [table]).fetchall() if name not in skip]
            out[table] = con.execute(
                f"SELECT md5(coalesce(string_agg(to_json(x)::VARCHAR, chr(10) ORDER BY {key}), '')) "
                f"FROM (SELECT {', '.join(columns)} FROM {table}) x").fetchone()[0]
        return out
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def stored_text(db: Path, url: str) -> tuple[str, str] | None:
    """(title, body_text) of the release stored for ``url``, or None."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT title, body_text FROM releases WHERE url = ?", [url]).fetchone()
    finally:
        con.close()
    return (row[0], row[1]) if row else None


def read_evidence(db: Path, target_url: str) -> tuple[list[dict], list[dict], bool, str | None, int]:
    """The target's fetches, parse failures, frontier presence and stored title; the release count."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        fetches = _rows(con, "SELECT outcome, status, attempts, error, elapsed_ms, charset, archive_key FROM fetches "
                             "WHERE url = ? ORDER BY started_at", [target_url])
        failures = _rows(con, "SELECT parser, error FROM parse_failures WHERE url = ?", [target_url])
        in_frontier = con.execute("SELECT count(*) FROM frontier WHERE url = ?", [target_url]).fetchone()[0] > 0
        title = con.execute("SELECT title FROM releases WHERE url = ?", [target_url]).fetchone()
        releases = con.execute("SELECT count(*) FROM releases").fetchone()[0]
    finally:
        con.close()
    return fetches, failures, in_frontier, title[0] if title else None, releases


def run_fault_case(env: FaultEnv, case: FaultCase) -> FaultResult:
    """Faulted run on a fresh database, evidence read back, then a clean rerun on the same database."""
    db = env.fresh_db(case.name)
    target_url = env.server.url(env.target_path)
    env.server.reset_log()
    env.trap.reset_log()
    env.port_trap.reset_log()
    trap = env.port_trap if case.trap == "port" else env.trap
    env.server.set_faults(FaultPlan.of(case.rule(env.target_path, trap.base_url)))
    clock = VirtualClock()
    try:
        _, outcomes = asyncio.run(run_pipeline(db, env.sources, clock=clock))
    finally:
        env.server.clear_faults()
    mine = [r for r in env.server.requests if r.path.split("?")[0] == env.target_path]
    fetches, failures, in_frontier, title, releases = read_evidence(db, target_url)
    after_fault = Store(db).checksum()
    faulted_text, clean_text = stored_text(db, target_url), stored_text(env.clean_db, target_url)
    con = duckdb.connect(str(db), read_only=True)
    try:
        others = {u for (u,) in con.execute("SELECT url FROM releases WHERE url <> ?", [target_url]).fetchall()}
    finally:
        con.close()
    _, rerun = asyncio.run(run_pipeline(db, env.sources))
    return FaultResult(
        case=case.name, outcomes=outcomes, fetches=fetches, failures=failures, in_frontier=in_frontier,
        target_title=title, published_title=env.target_title,
        target_body=faulted_text[1] if faulted_text else None, clean_body=clean_text[1] if clean_text else None, releases_after_fault=releases, other_urls_after_fault=others,
        server_statuses=[r.status for r in mine], faults_applied=sum(r.fault is not None for r in mine),
        trap_requests=len(env.trap.requests) + len(env.port_trap.requests), sleeps=list(clock.sleeps), checksum_after_fault=after_fault,
        checksum_after_rerun=Store(db).checksum(), content_after_rerun=content_checksum(db, ignore=("archive_key",)),
        loaded_after_rerun=stored_text(db, target_url) is not None, rerun_outcomes=rerun, db=db,
    )


# --- the matrix ---------------------------------------------------------------------------------


def _short(text: str | None, limit: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_seen(result: FaultResult) -> str:
    """What the client saw, from the server's side and the fetcher's."""
    sent = ", ".join(str(s) if s else "no status" for s in result.server_statuses) or "nothing"
    last = result.fetches[-1] if result.fetches else None
    if last is None:
        return f"server sent [{sent}]; no fetch recorded"
    seen = f"server sent [{sent}]; fetcher: {last['outcome']}"
    if last["attempts"] and last["attempts"] > 1:
        seen += f" after {last['attempts']} attempts"
    if result.case == "status_429":
        asked = [s for s in result.sleeps if s >= 1]
        seen += f"; waited {', '.join(f'{s:g} s' for s in asked) or 'nothing'}"
    if result.case == "latency" and last.get("elapsed_ms"):
        seen += f" in {last['elapsed_ms'] / 1000:.1f} s"
    if result.case == "offhost_redirect":
        seen += f"; {TRAP_HOST} got {result.trap_requests} requests"
    if result.case == "port_redirect":
        seen += f"; the other port got {result.trap_requests} requests"
    return seen


def describe_recorded(result: FaultResult) -> str:
    """Where the pipeline put it: fetches outcome/error, parse_failures, frontier, source status, stored title."""
    parts = []
    last = result.fetches[-1] if result.fetches else None
    if last is not None and last["outcome"] != "ok":
        parts.append(f"fetches.outcome={last['outcome']}" + (f" ({_short(last['error'], 60)})" if last["error"] else ""))
    for failure in result.failures:
        parts.append(f"parse_failures: {_short(failure['error'], 60)}")
    if result.in_frontier:
        parts.append("kept in frontier")
    outcome = result.outcome()
    parts.append(f"source {outcome.status}")
    if result.target_title is not None:
        title_ok = result.target_title == result.published_title
        body_ok = result.target_body == result.clean_body
        if title_ok and body_ok:
            parts.append("release stored, title and text as published")
        else:
            parts.append(f"release stored WRONG: title {'ok' if title_ok else 'differs'}, text "
                         f"{'ok' if body_ok else repr(_short(result.target_body, 50))}")
    return "; ".join(parts)


def catch_up(result: FaultResult, env: FaultEnv) -> tuple[bool, str]:
    """Did the rerun end with the clean run's tables? Equal checksums, or equal content with other archive keys."""
    if result.checksum_after_rerun == env.clean_checksum:
        return True, "yes: checksums equal a clean run"
    if result.content_after_rerun == env.clean_content:
        return True, "yes: content equal; archive_key names the bytes actually received"
    differ = sorted(t for t, v in result.content_after_rerun.items() if env.clean_content.get(t) != v)
    why = "the article was not fetched again" if not result.loaded_after_rerun else "the stored text was kept"
    return False, f"NO: {', '.join(differ)} differ from a clean run ({why})"


def matrix_row(result: FaultResult, env: FaultEnv) -> dict:
    caught_up, rerun = catch_up(result, env)
    return {
        "fault": result.case,
        "injected": CASES_BY_NAME[result.case].description,
        "client saw": describe_seen(result),
        "recorded as": describe_recorded(result),
        "pages loaded": f"{result.releases_after_fault}/{env.clean_releases}",
        "caught up on rerun": rerun,
        "caught_up": caught_up,
    }


def fault_matrix(names: list[str] | None = None, *, workdir: Path | None = None,
                 per_source: int = SITE_SIZE) -> list[dict]:
    """Run every fault (or the named ones) once and return one row per fault (see :func:`matrix_row`)."""
    cases = [CASES_BY_NAME[n] for n in names] if names else list(FAULT_CASES)
    with tempfile.TemporaryDirectory(prefix="govpress-faults-", dir=workdir) as tmp:
        with fault_env(Path(tmp), per_source=per_source) as env:
            rows = []
            for case in cases:
                rows.append(matrix_row(run_fault_case(env, case), env))
            return rows


MATRIX_COLUMNS = ("fault", "injected", "client saw", "recorded as", "pages loaded", "caught up on rerun")


def matrix_table(rows: list[dict]) -> Table:
    table = Table(title="Faults injected into one article of demo_minfin (local site: a feed and a sitemap, ~30 pages)", show_lines=True)
    for column in MATRIX_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(row[c]) for c in MATRIX_COLUMNS), style=None if row["caught_up"] else "red")
    return table


def print_fault_table(only: list[str] | None = None, *, console: Console) -> bool:
    """``govpress reliability faults``: run the faults (``only`` some), print fault -> outcome; True when all caught up.

    Raises ``ValueError`` naming unknown fault names before anything runs.
    """
    unknown = sorted(set(only or []) - set(CASES_BY_NAME))
    if unknown:
        raise ValueError(f"unknown fault {', '.join(unknown)}; known: {', '.join(CASES_BY_NAME)}")
    quiet = logging.getLogger("govpress")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # the table is the report; the expected failures' log lines are noise
    started = time.monotonic()
    try:
        rows = fault_matrix(only)
    finally:
        quiet.setLevel(level)
    console.print(matrix_table(rows))
    console.print(f"{sum(r['caught_up'] for r in rows)}/{len(rows)} faults caught up on the rerun "
                  f"({time.monotonic() - started:.0f} s)")
    return all(r["caught_up"] for r in rows)


__all__ = [
    "FAULT_CASES", "FETCH_OPTIONS", "FaultCase", "FaultEnv", "FaultResult", "VirtualClock", "demo_sources",
    "fault_env", "fault_matrix", "matrix_row", "matrix_table", "print_fault_table", "run_fault_case", "run_pipeline",
]

