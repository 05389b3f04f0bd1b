"""Peak memory of a backfill: one ``govpress ingest --without-prefect`` into a DuckDB file, whole site at once.

Run: ``uv run python bench/bench_memory.py [--per-source 2500 12500] [--site-root DIR] [--timeline]``
``[--prefect] [--tree DIR ...] [--rounds N]`` or ``uv run python bench/bench_memory.py --rebuild-of DB [--repeat N]``.
Not part of the test suite.

For each size, the generated site (four editions of ``--per-source`` releases: 25,000 gives a
100,000-release backfill) is served by this process and ingested from an empty DuckDB file by
one real ingest process, politeness lifted as in bench/bench_scale.py (its registry). A sampler
reads ``/proc`` every quarter second and keeps the peak of

- the ingest process tree's proportional set size (PSS: pages the parse workers share with the
  process they were forked from counted once, split between them), the figure a machine's
  memory has to hold;
- the ingest process's own resident set (RSS), where the run's queues, plans and DuckDB's
  buffers live.

Printed per size: releases loaded, seconds, both peaks, the database file's size. The last line
is machine-readable: ``peak_mb_per_size=N:MB,...``. ``--prefect`` measures each size twice, alternating: the
run ``--without-prefect`` and through Prefect (``govpress ingest`` with its temporary API, in a fresh
``PREFECT_HOME`` of the work folder: the prestart, the flow, its tasks); the tree then includes the
API's server process, whose PSS is also printed apart. ``--tree DIR`` (repeatable) runs the CLI of
that checkout instead of this one (``git archive`` of another commit), alternating; ``--rounds N``
repeats it all. ``--site-root DIR`` keeps the generated
sites between runs (``DIR/site-N``; generating 25,000 pages a source takes minutes).
``--rebuild-of DB [--repeat N]`` measures instead the end of such a run, the whole search index
build over DB's releases (a bench database: ``memory-N/govpress.duckdb`` in a work folder), each
time on a fresh copy in a child process: one statement per search family under the writer's DuckDB
limit (as before) against slices of ``search.REFILL_SLICE`` releases under half of it (as a run
builds it now), alternating; printed: seconds and peak RSS of each, and the medians' ratios.
``--checkpoint-of DB [--repeat N]`` measures what made the loads' memory grow with the file: DuckDB's
checkpoint after one batch (``CHECKPOINT_ROWS`` rows appended to ``releases`` and ``release_versions_stored``),
each on a fresh copy of DB in a child process opened as a run's writer, with DuckDB's default row
groups (122,880 rows: the checkpoint rewrites every release of a file below that) against
``WRITER_ROW_GROUP`` (govpress/store/connection.py), alternating; printed: seconds and peak RSS.
``--timeline`` writes, per size, ``memory-N.timeline.tsv`` in the work folder: every sample
(seconds since the start, tree PSS, ingest RSS, in MB) and every log line of the ingest stamped
with the second it appeared, one sorted list, so a peak can be read next to the run's phases.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_scale import ROOT, load_average, releases_in, site_at, write_registry
from govpress.demo.localsite import LocalSiteServer

SAMPLE_EVERY = 0.25
LOGGED_CLI = ("import logging; logging.basicConfig(level=logging.INFO, format='%(name)s %(message)s'); "
              "logging.getLogger('httpx').setLevel(logging.WARNING); "
              "from govpress.cli import main; main()")
"""The CLI with the pipeline's INFO lines (discovery, planning, coverage) on stderr, for ``--timeline``."""


def _children(pid: int) -> list[int]:
    """Children started by any of ``pid``'s threads (a child started from a worker thread is listed under that thread)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended meanwhile
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(_children(current))
    return found


def _kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_api_server(pid: int) -> bool:
    """A temporary API's server: spawned (``-m govpress.flows.temporary_api``) or forked from its command (named so)."""
    try:
        return (b"temporary_api" in Path(f"/proc/{pid}/cmdline").read_bytes()
                or Path(f"/proc/{pid}/comm").read_text().strip() == "temporary_api")
    except OSError:
        return False


class PeakMemory:
    """Samples a process tree's PSS and its root's RSS in a thread until stopped; keeps the peaks (MB)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.tree_pss = 0.0
        self.server_pss = 0.0
        """Peak PSS of a temporary Prefect API's server in the tree (``--prefect``)."""
        self.root_rss = 0.0
        self.processes = 0
        self.stamped: list[tuple[float, float, float]] = []
        """(seconds since the sampler started, tree PSS, root RSS) of every sample."""
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def timeline(self) -> list[tuple[float, float]]:
        """(tree PSS, root RSS) of every sample, in order."""
        return [(pss, rss) for _, pss, rss in self.stamped]

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = tree(self.pid)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in pids) / 1024
            server = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss") for p in pids if _is_api_server(p)) / 1024
            self.server_pss = max(self.server_pss, server)
            rss = _kb(f"/proc/{self.pid}/status", "VmRSS") / 1024
            self.stamped.append((time.monotonic() - self._started, pss, rss))
            self.tree_pss = max(self.tree_pss, pss)
            self.root_rss = max(self.root_rss, rss)
            self.processes = max(self.processes, len(pids))
            self._stop.wait(SAMPLE_EVERY)


class LogStamps:
    """Reads a growing log file in a thread; keeps each new line with the second it was first seen."""

    def __init__(self, path: Path, started: float) -> None:
        self.path, self.started = path, started
        self.lines: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "LogStamps":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _read(self) -> None:
        now = time.monotonic() - self.started
        with self.path.open("rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        complete = chunk.rfind(b"\n") + 1
        self._offset += complete
        self.lines += [(now, line) for line in chunk[:complete].decode("utf-8", "replace").splitlines()]

    def _run(self) -> None:
        self._offset = self.path.stat().st_size if self.path.exists() else 0
        while not self._stop.is_set():
            self._read()
            self._stop.wait(SAMPLE_EVERY)


def write_timeline(path: Path, peak: PeakMemory, stamps: LogStamps) -> None:
    rows = [(t, f"{t:.2f}\t{pss:.0f}\t{rss:.0f}") for t, pss, rss in peak.stamped]
    rows += [(t, f"{t:.2f}\tlog\t{line}") for t, line in stamps.lines]
    path.write_text("".join(text + "\n" for _, text in sorted(rows, key=lambda r: r[0])), encoding="utf-8")


def measure(per_source: int, site_root: Path, work: Path, timeline: bool = False, *, prefect: bool = False,
            tree_dir: Path = ROOT, tag: str = "") -> dict:
    site = site_at(site_root / f"site-{per_source}", per_source)
    max_pages = max(20, per_source // 5 + 10)  # as bench_scale: deep enough to walk a whole edition
    db = work / f"memory-{per_source}{tag}" / "govpress.duckdb"
    log = work / f"memory-{per_source}{tag}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if prefect:  # a temporary API of its own: no configured server, a Prefect home nobody else uses
        env.pop("PREFECT_API_URL", None)
        env["PREFECT_HOME"] = str(work / f"prefect-home-{per_source}{tag}")
        Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    with LocalSiteServer(site) as server:
        registry = write_registry(work / f"sources-{per_source}.toml", server.base_url, max_pages,
                                  max(2_000, per_source + 100))
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, *(["-c", LOGGED_CLI] if timeline else ["-m", "govpress.cli"]), "ingest",
             *([] if prefect else ["--without-prefect"]), "--sources-file", str(registry), "--db", str(db)],
            cwd=tree_dir, stdin=subprocess.DEVNULL, stdout=log.open("ab"), stderr=subprocess.STDOUT, env=env)
        log.touch()
        with LogStamps(log, started) as stamps, PeakMemory(process.pid) as peak:
            code = process.wait()
        seconds = time.monotonic() - started
    if timeline:
        write_timeline(work / f"memory-{per_source}.timeline.tsv", peak, stamps)
    if code:
        raise SystemExit(f"the ingest failed ({code}); see {log}")
    samples = peak.timeline
    return {"per_source": per_source, "releases": releases_in(str(db)), "seconds": seconds,
            "tree_pss": peak.tree_pss, "root_rss": peak.root_rss, "processes": peak.processes,
            "server_pss": peak.server_pss,
            "peak_at": (max(range(len(samples)), key=lambda i: samples[i][1]) * SAMPLE_EVERY / seconds
                        if samples else 0.0),
            "quarters": [samples[min(len(samples) - 1, len(samples) * q // 4)] for q in (1, 2, 3, 4)]
                         if samples else [],
            "db_mb": sum(p.stat().st_size for p in db.parent.glob("govpress.duckdb*")) / 2**20}


def rebuild_child(db: Path, sliced: bool) -> None:
    """One whole search index build in this process (a copy of ``db``); prints seconds and peak RSS (MB)."""
    from govpress.store import Store
    from govpress.store.connection import memory_limit, publish_memory_limit
    from govpress.store.search import refill_and_index

    started = time.monotonic()
    with Store(db).writer(fts=True) as con:
        con.begin()
        if sliced:  # as a run builds it now: slices of REFILL_SLICE, under half the writer's limit
            with memory_limit(con, publish_memory_limit()):
                refill_and_index(con)
        else:  # as before: one statement per family, under the writer's limit
            refill_and_index(con, per_slice=10**12)
        con.commit()
    print(f"{time.monotonic() - started:.2f} {_kb('/proc/self/status', 'VmHWM') / 1024:.0f}")


def alternate(db: Path, repeat: int, work: Path, *, child: str, before: str, after: str, what: str) -> None:
    """Run ``child`` on a fresh copy of ``db`` per side (``before``, ``after``), alternating; print medians and ratios."""
    runs: dict[str, list[tuple[float, float]]] = {before: [], after: []}
    for n in range(repeat):
        for side in (before, after) if n % 2 == 0 else (after, before):
            copy = work / f"{what}-{side}.duckdb"
            copy.write_bytes(db.read_bytes())
            out = subprocess.run([sys.executable, __file__, child, str(copy), side], cwd=ROOT,
                                 capture_output=True, text=True, check=True).stdout.split()
            runs[side].append((float(out[-2]), float(out[-1])))
            copy.unlink()
            print(f"  {side:>7}: {what} {out[-2]} s, peak RSS {out[-1]} MB (load {load_average()})", flush=True)
    for side, got in runs.items():
        print(f"{side:>7}: median {statistics.median(s for s, _ in got):.2f} s, "
              f"peak RSS median {statistics.median(m for _, m in got):.0f} MB")
    ratio = statistics.median(s for s, _ in runs[after]) / statistics.median(s for s, _ in runs[before])
    peak = statistics.median(m for _, m in runs[after]) / statistics.median(m for _, m in runs[before])
    print(f"\n{what}_{after}_vs_{before} seconds={ratio:.2f} peak_rss={peak:.2f}")


def rebuild_alternating(db: Path, repeat: int, work: Path) -> None:
    """The whole index build of ``db``'s releases, one statement per family against slices, alternating."""
    alternate(db, repeat, work, child="--rebuild-child", before="whole", after="sliced", what="rebuild")


CHECKPOINT_ROWS = 200
"""Rows a checkpoint run appends to ``releases`` and ``release_versions_stored`` before it: one batch's worth."""


def checkpoint_child(db: Path, small: bool) -> None:
    """One batch's appends and the checkpoint after them, in this process (a copy of ``db``); prints seconds, peak RSS
    (from the batch on: the fill before it is not counted).

    Opened as a run's writer opens the file: under the writer's memory limit, with row groups of
    ``WRITER_ROW_GROUP`` rows (``small``) or DuckDB's default (as before).
    """
    import logging

    from govpress.store.connection import WRITER_ROW_GROUP, connect_with_retry

    con = connect_with_retry(db, read_only=False, lock_timeout=0, logger=logging.getLogger("bench"),
                             row_group_size=WRITER_ROW_GROUP if small else None)
    con.execute("PRAGMA disable_checkpoint_on_shutdown")

    def append(rows: int, suffix: str) -> None:  # copies of stored rows under new ids: a real batch's widths
        con.begin()
        for table in ("releases", "release_versions_stored"):  # the table behind the view release_versions
            con.execute(f"INSERT INTO {table} SELECT * REPLACE (release_id || '{suffix}' AS release_id) FROM {table} "
                        f"WHERE rowid < {rows}")
        con.commit()

    # The small side's worst case: a last row group one batch short of full, so the measured checkpoint
    # rewrites a whole WRITER_ROW_GROUP (the same rows are appended on both sides).
    append(WRITER_ROW_GROUP - CHECKPOINT_ROWS, "-fill")
    con.execute("CHECKPOINT")
    Path("/proc/self/clear_refs").write_text("5")  # the peak RSS counts from here
    append(CHECKPOINT_ROWS, "-bench")
    started = time.monotonic()
    con.execute("CHECKPOINT")
    seconds = time.monotonic() - started
    con.close()
    print(f"{seconds:.2f} {_kb('/proc/self/status', 'VmHWM') / 1024:.0f}")


def checkpoint_alternating(db: Path, repeat: int, work: Path) -> None:
    """The checkpoint after one batch of ``db``'s size, default row groups against small ones, alternating."""
    alternate(db, repeat, work, child="--checkpoint-child", before="default", after="small", what="checkpoint")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--rebuild-child":
        return rebuild_child(Path(sys.argv[2]), sys.argv[3] == "sliced")
    if len(sys.argv) == 4 and sys.argv[1] == "--checkpoint-child":
        return checkpoint_child(Path(sys.argv[2]), sys.argv[3] == "small")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-source", type=int, nargs="+", default=[2_500, 12_500])
    parser.add_argument("--site-root", type=Path, default=None, help="folder keeping the generated sites")
    parser.add_argument("--timeline", action="store_true", help="write each size's samples and stamped log lines")
    parser.add_argument("--rebuild-of", type=Path, default=None,
                        help="instead: the search index build of this database file, before and after slicing")
    parser.add_argument("--checkpoint-of", type=Path, default=None,
                        help="instead: the checkpoint after one batch appended to this database file, by row group size")
    parser.add_argument("--prefect", action="store_true",
                        help="also through Prefect (a temporary API of its own), alternating with --without-prefect")
    parser.add_argument("--tree", type=Path, action="append", default=None,
                        help="run this checkout's CLI (repeatable: alternating); default this one")
    parser.add_argument("--rounds", type=int, default=1, help="times to measure each size (and path and tree)")
    parser.add_argument("--repeat", type=int, default=4,
                        help="with --rebuild-of or --checkpoint-of: runs of each side, alternating")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govpress-bench-memory-"))
    if args.checkpoint_of is not None:
        print(f"work folder {work}; load average at start {load_average()}", flush=True)
        return checkpoint_alternating(args.checkpoint_of, args.repeat, work)
    if args.rebuild_of is not None:
        print(f"work folder {work}; load average at start {load_average()}", flush=True)
        return rebuild_alternating(args.rebuild_of, args.repeat, work)
    site_root = args.site_root or work
    print(f"work folder {work}; load average at start {load_average()}", flush=True)
    results = []
    runs = [(per_source, round_, tree_dir, prefect) for per_source in args.per_source for round_ in range(args.rounds)
            for tree_dir in (args.tree or [ROOT]) for prefect in ((False, True) if args.prefect else (False,))]
    for per_source, round_, tree_dir, prefect in runs:
        tag = f"-r{round_}-{tree_dir.name}-{'prefect' if prefect else 'plain'}"
        result = measure(per_source, site_root, work, args.timeline, prefect=prefect, tree_dir=tree_dir, tag=tag)
        results.append(result)
        if args.prefect or args.tree or args.rounds > 1:
            print(f"{tag[1:]}: tree {tree_dir}, {'through Prefect' if prefect else '--without-prefect'}; peak PSS of "
                  f"the temporary API's server {result['server_pss']:.0f} MB", flush=True)
        print(f"{result['releases']:>7} releases in {result['seconds']:6.0f} s: peak PSS of the process tree "
              f"{result['tree_pss']:6.0f} MB ({result['processes']} processes), the ingest process's peak RSS "
              f"{result['root_rss']:6.0f} MB, database {result['db_mb']:.0f} MB (load {load_average()})", flush=True)
        print("  tree PSS / ingest RSS at a quarter, half, three quarters and the end of the run (MB): "
              + ", ".join(f"{pss:.0f} / {rss:.0f}" for pss, rss in result["quarters"])
              + f"; the ingest's peak at {result['peak_at']:.0%} of the run", flush=True)
    print("\npeak_mb_per_size=" + ",".join(f"{r['releases']}:{r['tree_pss']:.0f}" for r in results))


if __name__ == "__main__":
    main()
