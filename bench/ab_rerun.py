"""Alternating A/B of a scheduled run's case between code trees: a run that brings a few new releases into a file that exists.

The bench's end-to-end figure is a fresh run into an empty file; most real runs are not. This serves the
generated site (bench/site.py), makes one database with a small first run (``--max-items`` pages a
source, by the first tree), then per round and per tree copies it and runs ``python -m
bench.govpress_run plain`` over the copy with the same limit, which fetches and loads the next pages:
new releases into a file that already holds some. The order of the trees turns round every round.
Prints every run and the medians per tree: CPU seconds of the whole process tree, the run's own
process, its children (parse workers, a child index build), and wall seconds.

    git -C /work/main archive main | tar -x -C /tmp/before
    uv run python bench/ab_rerun.py --tree before=/tmp/before --tree now=. --rounds 6
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import site
from bench.bytecode import compile_tree


def one_run(tree: Path, registry: Path, db: Path) -> tuple[float, float, float, float, dict]:
    """CPU of all processes, of the run's own, of its children; wall seconds; the run's counts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.govpress_run", "plain", "--registry", str(registry),
                           "--db", str(db)], env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{tree}: the run failed:\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu, out["cpu_main"], out["cpu_workers"], wall, out["counts"]


def limited(registry_text: str, max_items: int) -> str:
    """The bench registry with at most ``max_items`` pages fetched per source and run."""
    return re.sub(r"(?m)^(\[\[source\]\]\n)", rf"\1max_items = {max_items}\n", registry_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a copy of govpress to run (repeatable; two or more; the first makes the base file)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--max-items", type=int, default=3, help="pages fetched per source and run (default 3)")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    if len(trees) < 2:
        raise SystemExit("give at least two trees: --tree before=DIR --tree now=DIR")
    for tree in trees.values():
        compile_tree(tree)
    results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="govpress-ab-rerun-") as tmp:
        root = Path(tmp)
        site.generated_site(root / "site")
        with site.served(root / "site") as base_url:
            registry = root / "sources.toml"
            registry.write_text(limited(site.registry_text(base_url), args.max_items), encoding="utf-8")
            base = root / "base" / "govpress.duckdb"
            base.parent.mkdir()
            first = one_run(next(iter(trees.values())), registry, base)
            print(f"base file: {first[4]['new']} releases", flush=True)
            for number in range(args.rounds):
                order = list(trees.items()) if number % 2 == 0 else list(trees.items())[::-1]
                for name, tree in order:
                    copy = root / f"{name}-{number}"
                    shutil.copytree(base.parent, copy)
                    cpu, main_cpu, children, wall, counts = one_run(tree, registry, copy / "govpress.duckdb")
                    results[name].append((cpu, main_cpu, children, wall))
                    shutil.rmtree(copy)
                    print(f"round {number + 1} {name:8s} cpu {cpu:.3f}  main {main_cpu:.3f}  children {children:.3f}  "
                          f"wall {wall:.3f}  new {counts['new']}  (load {os.getloadavg()[0]:.1f})", flush=True)
    for name, rows in results.items():
        cpu, main_cpu, children, wall = (statistics.median(row[i] for row in rows) for i in range(4))
        print(f"{name}: median cpu {cpu:.3f}  main {main_cpu:.3f}  children {children:.3f}  wall {wall:.3f}")


if __name__ == "__main__":
    main()
