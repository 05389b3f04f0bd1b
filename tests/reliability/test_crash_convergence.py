"""SIGKILL the ingest process at seeded points, rerun after each kill: the tables converge to an uninterrupted run's.

The ingest runs as a real subprocess (``python -m govpress.cli ingest --without-prefect``)
against a local site server in this process, with a demo-like registry written to tmp.
Kill points are of two kinds, both drawn from a seeded RNG:

- after the server has answered the N-th page request of the current attempt, N below the
  pages still missing (inside the fetch stage: between a page's fetch and its batch's load);
- after a random delay from the process start (import, migration, discovery, loads,
  finish_run, search index, snapshot: wherever the clock falls).

Each kill leaves whatever DuckDB had on disk (a WAL, a half-written snapshot temp file); the
next attempt starts on it. An epoch ends when an attempt outlives its kill point and completes:
then ``Store.checksum()`` over releases, versions and links must equal the uninterrupted
run's. Epochs (each on a fresh database) repeat until at least 12 kills have happened.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.demo.reliability import DEMO_TEMPLATE
from testpaths import ROOT as PROJECT_ROOT
from govpress.store import Store

pytestmark = pytest.mark.slow

SEED = 20241002
KILLS = 12
MAX_EPOCHS = 8
PER_SOURCE = 12
RUN_TIMEOUT = 60.0


def write_registry(path: Path, base_url: str) -> None:
    """The demo's generated editions with the server's address; the local-files seed source left out."""
    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url)
    blocks = text.split("[[source]]")
    kept = [b for b in blocks[1:] if 'kind = "files"' not in b]
    path.write_text('user_agent = "govpress-crash-test/1.0"\n\n' + "".join("[[source]]" + b for b in kept),
                    encoding="utf-8")


def ingest_command(registry: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "govpress.cli", "ingest", "--without-prefect", "--sources-file", str(registry),
            "--db", str(db)]


def start_ingest(registry: Path, db: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(ingest_command(registry, db), cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def run_to_completion(registry: Path, db: Path, log: Path) -> None:
    process = start_ingest(registry, db, log)
    try:
        code = process.wait(timeout=RUN_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0, log.read_text(errors="replace")[-3000:]


def page_requests(server: LocalSiteServer) -> int:
    return sum(1 for r in server.requests if "/news/" in r.path and r.status)


def kill_when(process: subprocess.Popen, ready) -> str:
    """SIGKILL the process once ``ready()`` holds; returns where it was (or that it had finished)."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.005)
    if process.poll() is not None:
        return f"finished first (exit {process.returncode})"
    process.send_signal(signal.SIGKILL)
    process.wait()
    return "killed"


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("releases", "release_versions", "release_links", "frontier")}
    finally:
        con.close()


def releases_in(db: Path) -> int:
    if not db.exists():
        return 0
    return table_counts(db)["releases"]


def test_killed_runs_converge_to_the_uninterrupted_result(tmp_path: Path):
    manifest = generate_site(tmp_path / "site", per_source=PER_SOURCE)
    total = len(manifest.releases())
    log = tmp_path / "ingest.log"
    rng = random.Random(SEED)
    with LocalSiteServer(tmp_path / "site") as server:
        registry = tmp_path / "sources.toml"
        write_registry(registry, server.base_url)

        # The reference: one uninterrupted run, timed to place the time-based kills inside a run.
        started = time.monotonic()
        clean = tmp_path / "clean" / "govpress.duckdb"
        run_to_completion(registry, clean, log)
        clean_seconds = time.monotonic() - started
        reference, reference_counts = Store(clean).checksum(), table_counts(clean)
        assert reference_counts["releases"] == total

        # Epochs: a fresh database is killed again and again (rerun after each kill) until a run
        # outlives its kill point; that run's result must equal the reference. Then the next epoch.
        kills: list[tuple[int, str, float]] = []
        epoch = 0
        while len(kills) < KILLS:
            epoch += 1
            assert epoch <= MAX_EPOCHS, kills
            db = tmp_path / f"epoch{epoch}" / "govpress.duckdb"
            db.parent.mkdir()
            while True:
                remaining = total - releases_in(db)
                server.reset_log()
                process = start_ingest(registry, db, log)
                if remaining >= 2 and rng.random() < 0.6:
                    at: float = rng.randint(1, remaining - 1)  # mid-fetch: after the at-th page answer
                    what = kill_when(process, lambda: page_requests(server) >= at)
                    point = (epoch, "request", at)
                else:  # anywhere: imports, migration, discovery, loads, finish_run, search index, snapshot
                    at = round(rng.uniform(0.2, clean_seconds), 2)
                    begun = time.monotonic()
                    what = kill_when(process, lambda: time.monotonic() - begun >= at)
                    point = (epoch, "seconds", at)
                if what != "killed":
                    assert process.returncode == 0, log.read_text(errors="replace")[-3000:]
                    break
                kills.append(point)
            # The run that completed after the kills converged on the uninterrupted result.
            assert Store(db).checksum() == reference, (epoch, kills)
            assert table_counts(db) == reference_counts, (epoch, kills)

        # One more run on the converged database changes nothing.
        run_to_completion(registry, db, log)
        assert Store(db).checksum() == reference
        assert len({(kind, at) for _, kind, at in kills}) >= 10, kills
        print(f"{len(kills)} kills in {epoch} epochs: {kills}")  # shown with pytest -s
