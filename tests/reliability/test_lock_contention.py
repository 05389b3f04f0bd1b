"""An analyst process with the database open while a run loads: the loader waits and says so; the snapshot never blocks.

DuckDB lets one process hold a file at a time, read-only sessions included. The analyst here is
a real subprocess (a DuckDB connection, as a notebook or the CLI would hold it), driven line by
line over stdin/stdout. See docs/reliability.md for the design.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from govpress.demo.localsite import FaultPlan, FaultRule, LocalSiteServer, generate_site
from govpress.plan import RunParams
from govpress.demo.reliability import demo_sources, run_pipeline
from govpress.store import Store

pytestmark = pytest.mark.slow

ANALYST = r"""
import sys, time, duckdb
path = sys.argv[1]
print("ready", flush=True)
sys.stdin.readline()  # "open"
while True:  # the writer lets the file go when idle: wait for a gap, as a person retrying would
    try:
        con = duckdb.connect(path, read_only=True)
        break
    except duckdb.IOException as error:
        if "Could not set lock" not in str(error):
            raise
        time.sleep(0.01)
print("held", con.execute("SELECT count(*) FROM releases").fetchone()[0], flush=True)
sys.stdin.readline()  # "query"
print("count", con.execute("SELECT count(*) FROM releases").fetchone()[0],
      con.execute("SELECT count(*) FROM release_versions").fetchone()[0], flush=True)
sys.stdin.readline()  # "close"
con.close()
print("closed", flush=True)
"""
TIMEOUT = 60.0
SOURCES = ("demo_minfin", "demo_mfa_en")


class Analyst:
    """A subprocess holding a read-only DuckDB connection on ``path`` between "open" and "close"."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ANALYST, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.expect("ready") == ["ready"]

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def say(self, word: str) -> None:
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def expect(self, word: str) -> list[str]:
        line = self.lines.get(timeout=TIMEOUT)
        parts = line.split()
        assert parts and parts[0] == word, line
        return parts

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


class LockLines(logging.Handler):
    """Collects the store's "database ... is locked" warnings and signals each one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.changed:
            self.lines.append(record.getMessage())
            self.changed.notify_all()

    def wait_for(self, count: int) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.lines) >= count, timeout=TIMEOUT), self.lines
            return list(self.lines)


@pytest.fixture
def lock_lines() -> Iterator[LockLines]:
    handler = LockLines()
    logger = logging.getLogger("govpress.store")
    # Other tests in the session may have quietened or disabled the govpress loggers (logging
    # config, a CLI command): this test is about the warning, so it is switched on here.
    saved = logger.level, logger.disabled
    logger.setLevel(logging.WARNING)
    logger.disabled = False
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(saved[0])
    logger.disabled = saved[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("locks")
    manifest = generate_site(root / "site", per_source=12)
    with LocalSiteServer(root / "site") as server:
        sources = [s for s in demo_sources(server.base_url) if s.id in SOURCES]
        clean = root / "clean" / "govpress.duckdb"
        asyncio.run(run_pipeline(clean, sources))
        yield root, manifest, server, sources, Store(clean).checksum()


def run_in_thread(db: Path, sources, params: RunParams | None = None) -> tuple[threading.Thread, dict]:
    """The run in a thread of this process (the analyst is the other process); ``result`` fills when it ends."""
    result: dict = {}

    def work() -> None:
        try:
            result["outcomes"] = asyncio.run(run_pipeline(db, sources, params=params,
                                                          fetch_options={"timeout": 10.0}))[1]
        except BaseException as exc:  # surfaced by the test
            result["error"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    return thread, result


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "releases": con.execute("SELECT count(*) FROM releases").fetchone()[0],
            "distinct release urls": con.execute("SELECT count(DISTINCT url) FROM releases").fetchone()[0],
            "versions": con.execute("SELECT count(*) FROM release_versions").fetchone()[0],
            "page fetches": con.execute("SELECT count(*) FROM fetches WHERE purpose = 'new'").fetchone()[0],
            "distinct fetched pages": con.execute(
                "SELECT count(DISTINCT url) FROM fetches WHERE purpose = 'new'").fetchone()[0],
        }
    finally:
        con.close()


def test_the_loader_waits_for_an_analyst_with_backoff_then_loads_everything_once(site, tmp_path, lock_lines):
    root, manifest, server, sources, clean = site
    db = tmp_path / "govpress.duckdb"
    Store(db).migrate()
    target = manifest.publishers["minfin"].releases[3].path
    # One slow page keeps the minfin batch from loading until the analyst has the file open: the
    # run's shared connection closes after half a second unused (Store.session), so the analyst
    # gets in while the page is answered.
    server.set_faults(FaultPlan.of(FaultRule(fault="latency", path=target, seconds=4.0)))
    server.reset_log()
    analyst = Analyst(db)
    try:
        thread, result = run_in_thread(db, sources)
        deadline = time.monotonic() + TIMEOUT
        while not any(r.path == target for r in server.requests):  # the slow page is being answered
            assert thread.is_alive() and time.monotonic() < deadline, "the run never reached the slow page"
            time.sleep(0.01)
        analyst.say("open")
        analyst.expect("held")
        lines = lock_lines.wait_for(3)  # the loader is now waiting, and backing off
        analyst.say("query")
        analyst.expect("count")  # the analyst's session works while the loader waits
        analyst.say("close")
        analyst.expect("closed")
        thread.join(timeout=TIMEOUT)
        assert not thread.is_alive() and "error" not in result, result
    finally:
        analyst.stop()
        server.clear_faults()

    # A clear line: which file, who holds it, when the next try is.
    assert all(str(db) in line and "locked by another process" in line for line in lines), lines
    assert f"pid {analyst.proc.pid}" in lines[0], lines[0]
    delays = [float(line.rsplit("retrying in ", 1)[1].split()[0]) for line in lines[:3]]
    assert delays[0] < delays[1] < delays[2], delays  # exponential backoff (jitter ±25% keeps the order)

    assert [o.status for o in result["outcomes"]] == ["ok", "ok"]
    got = counts(db)
    assert got["releases"] == got["distinct release urls"] == sum(len(manifest.publishers[p].releases)
                                                                  for p in ("minfin", "mfa-en"))
    assert got["page fetches"] == got["distinct fetched pages"] == got["releases"]  # nothing fetched or loaded twice
    assert Store(db).checksum() == clean


def test_an_analyst_on_the_snapshot_never_blocks_the_loader(site, tmp_path, lock_lines):
    root, manifest, server, sources, clean = site
    db = tmp_path / "govpress.duckdb"
    asyncio.run(run_pipeline(db, sources))
    snapshot = Store(db).publish_snapshot()
    before = counts(db)

    analyst = Analyst(snapshot)
    try:
        analyst.say("open")
        assert analyst.expect("held") == ["held", str(before["releases"])]
        # While the analyst holds the snapshot: a full refetch run loads into the live file, and a
        # new snapshot replaces the one the analyst has open.
        thread, result = run_in_thread(db, sources, RunParams(refetch=True))
        thread.join(timeout=TIMEOUT)
        assert not thread.is_alive() and "error" not in result, result
        Store(db).publish_snapshot()
        analyst.say("query")
        old_view = analyst.expect("count")
        analyst.say("close")
        analyst.expect("closed")
    finally:
        analyst.stop()

    assert lock_lines.lines == []  # the loader never waited
    assert [o.status for o in result["outcomes"]] == ["ok", "ok"]
    assert all(o.fetched == o.discovered for o in result["outcomes"])  # the refetch really read every page
    # The analyst kept a consistent view of the copy they opened; a reopen sees the new one.
    assert old_view == ["count", str(before["releases"]), str(before["versions"])]
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        fetches_now = con.execute("SELECT count(*) FROM fetches").fetchone()[0]
    finally:
        con.close()
    live = duckdb.connect(str(db), read_only=True)
    try:
        assert fetches_now == live.execute("SELECT count(*) FROM fetches").fetchone()[0]
    finally:
        live.close()
    assert Store(db).checksum() == clean  # same pages refetched: nothing new, nothing lost

