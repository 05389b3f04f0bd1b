"""When a demo-sized ``govpress ingest`` fetches, with and without Prefect: the site's requests over the call's time (issue 14).

Prefect's share of a call (``prefect_share`` in ``python -m bench``) is time the run does not fetch: the site is
fetched at its politeness limit, so a call ends a fixed time after its fetching got going, unless fetching stopped
on the way. This script serves the generated site (bench/site.py) from a child process that notes each request's
clock time, runs ``python -m govpress.cli ingest`` per tree and kind in alternating order (``plain``:
``--without-prefect``; ``temporary``: the command's temporary API; ``spawn``: the same with
``GOVPRESS_PREFECT_FORK=0``; ``early`` and ``shared``: forked, with Prefect's import before the fork forced off or on,
flows/temporary_api.py ``shares_prefect_import``), and prints per call: the wall time; the first request and when a quarter, half,
three quarters and all of them had been made (seconds from the command's start); the longest gap between two
requests after the first (``stall``: a prestarted run waiting for its flow, bench/results.md "perf-prefect17"), the
time from the last request to the command's exit (``end``: the last loads, the index, the snapshot, the artifacts,
the flow run's end; bench/results.md "perf-prefect19"); and
from the command's own lines, when the API answered (seconds from its spawn, the command's first step) and when the
flow run began (from the command's start). ``--histogram`` adds the requests per half second. Then the medians per
tree and kind. Only figures of one run of this script compare.

    uv run python -m bench.prefect_timeline --tree now=. --rounds 4 --kind plain --kind temporary [--histogram]
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import site
from bench.bytecode import compile_tree

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("plain", "temporary", "spawn", "early", "shared")


def serve_logged(root: str, log: str) -> None:
    """The site server of bench/site.py, each request's clock time appended to ``log`` (one a line)."""
    from govpress.demo.localsite import server
    from govpress.demo.localsite.__main__ import main

    out = open(log, "a", buffering=1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        out.write(f"{time.time():.4f}\n")

    server._Handler.log_message = log_message
    sys.exit(main(["serve", "--root", root, "--shared", ""]))


def clock_line(output: str, pattern: str, started: float) -> float:
    """Seconds from ``started`` to the first log line of ``output`` (``HH:MM:SS.fff | ...``) matching ``pattern``."""
    found = re.search(r"^(\d\d:\d\d:\d\d\.\d+) \| .*" + pattern, output, re.M)
    if found is None:
        return float("nan")
    day = datetime.datetime.fromtimestamp(started).date()
    return datetime.datetime.combine(day, datetime.time.fromisoformat(found.group(1))).timestamp() - started


def call(tree: Path, kind: str, registry: Path, db: Path, env: dict, requests: Path) -> dict:
    command = [sys.executable, "-m", "govpress.cli", "ingest", "--sources-file", str(registry), "--db", str(db)]
    env = {**env, "PYTHONPATH": str(tree), "COLUMNS": "200"}
    if kind == "plain":
        command.append("--without-prefect")
    if kind in ("spawn", "early", "shared"):  # the server spawned, or forked with Prefect's import forced either way
        env["GOVPRESS_PREFECT_FORK"] = {"spawn": "0"}.get(kind, kind)
    started = time.time()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.time() - started
    if done.returncode != 0:
        raise SystemExit(f"{tree} {kind} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    times = sorted(float(t) - started for t in requests.read_text().split() if started <= float(t) <= started + wall)
    output = done.stdout + done.stderr
    spawned = re.search(r"was started ([\d.]+) s ago", output)
    waited = re.search(r"answered after ([\d.]+) s", output)
    row = {"wall": wall, "requests": len(times)}
    for name, share in (("first", 0), ("q25", 0.25), ("q50", 0.5), ("q75", 0.75), ("last", 1.0)):
        row[name] = times[min(len(times) - 1, int(share * len(times)))] if times else float("nan")
    row["stall"] = max((b - a for a, b in zip(times, times[1:])), default=float("nan"))
    row["end"] = wall - row["last"]
    # "started X s ago" is printed when the command begins to wait: X + the wait is the answer since the spawn.
    row["answered"] = float(spawned.group(1)) + float(waited.group(1)) if spawned and waited else float("nan")
    row["flow"] = clock_line(output, "Beginning flow run", started)
    # The first request after the flow run began, from its beginning: how soon a prestarted run's held batches
    # released fetching once adopted (nan without a flow run).
    after = [t for t in times if t > row["flow"]]
    row["resumed"] = after[0] - row["flow"] if after else float("nan")
    row["histogram"] = [sum(1 for t in times if int(t / 0.5) == i) for i in range(int(wall / 0.5) + 1)]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH", help="a copy of govpress (repeatable)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--kind", action="append", choices=KINDS, help="what to run (repeatable; default plain and temporary)")
    parser.add_argument("--histogram", action="store_true", help="print each call's requests per half second")
    parser.add_argument("--serve", nargs=2, metavar=("ROOT", "LOG"), help=argparse.SUPPRESS)  # the site's own process
    args = parser.parse_args()
    if args.serve:
        serve_logged(*args.serve)
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    kinds = args.kind or ["plain", "temporary"]
    for tree in trees.values():
        compile_tree(tree)  # as installed (bench/bytecode.py)
    folder = ROOT / "bench" / "out" / "site"
    site.generated_site(folder)
    results: dict[tuple[str, str], list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="govpress-prefect-timeline-") as tmp:
        work = Path(tmp)
        requests = work / "requests.log"
        server = subprocess.Popen([sys.executable, "-m", "bench.prefect_timeline", "--tree", "x=.", "--serve", str(folder),
                                   str(requests)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            found = re.search(r" at (http://\S+?)/?$", server.stdout.readline().strip())
            if found is None:
                raise SystemExit("the site server did not start")
            registry = work / "sources.toml"
            registry.write_text(site.registry_text(found.group(1)), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
            env["PREFECT_HOME"] = str(work / "prefect-home")
            first = next(iter(trees.values()))
            call(first, "temporary", registry, work / "warm" / "g.duckdb", env, requests)  # migrates the home; not counted
            order = [(name, kind) for kind in kinds for name in trees]
            for number in range(args.rounds):
                for name, kind in order if number % 2 == 0 else order[::-1]:
                    row = call(trees[name], kind, registry, work / f"{name}-{kind}-{number}" / "g.duckdb", env, requests)
                    results.setdefault((name, kind), []).append(row)
                    print(f"round {number + 1} {name:8s} {kind:9s} " + figures(row) + f"  (load {os.getloadavg()[0]:.2f})",
                          flush=True)
                    if args.histogram:
                        print("    per 0.5 s: " + " ".join(str(n) for n in row["histogram"]), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print()
    for (name, kind), rows in results.items():
        print(f"{name:8s} {kind:9s} median " + figures({k: statistics.median(r[k] for r in rows) for k in rows[0]
                                                         if k != "histogram"}))


def figures(row: dict) -> str:
    return " ".join(f"{k} {row[k]:.2f}" if isinstance(row[k], float) else f"{k} {row[k]}"
                    for k in ("wall", "requests", "first", "q25", "q50", "q75", "last", "stall", "end", "answered", "flow",
                                       "resumed"))


if __name__ == "__main__":
    main()
