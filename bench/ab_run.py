"""Alternating A/B of whole runs (an ingest of the generated site, then a reparse of it) between code trees.

Each round runs, per tree, ``python -m bench.govpress_run plain`` into a fresh database and then
``... reparse`` of that database, each in a fresh process whose ``govpress`` and ``bench`` come from
that tree; the order of the trees turns round every round. One served generated site (bench/site.py,
653 release pages) is shared by all. Prints every run and the medians per tree: pages/s and CPU
milliseconds per page over all processes (the parse workers' included), and pages/s over the whole
process (its start and imports included: the figure ``python -m bench`` compares with Scrapy). On this shared machine only
figures from one run of this script compare, and only with several rounds.

    git -C /work/main archive 9a7b45a | tar -x -C /tmp/before
    uv run python bench/ab_run.py --tree before=/tmp/before --tree now=. --rounds 4
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import site
from bench.bytecode import compile_tree

ROOT = Path(__file__).resolve().parent.parent


def one_run(tree: Path, mode: str, registry: Path, db: Path) -> tuple[float, float, float]:
    """Pages/s, CPU-ms per page and pages/s over the whole process (its start and imports included, as
    ``python -m bench`` times it) of one ``bench.govpress_run`` process run from ``tree``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.govpress_run", mode, "--registry", str(registry), "--db", str(db)],
                          env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree} {mode} failed:\n{done.stderr[-2000:]}")
    whole = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return out["pages"] / out["wall"], cpu * 1000 / out["pages"], out["pages"] / whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a copy of govpress to run (repeatable; two or more)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--mode", action="append", choices=["plain", "reparse"],
                        help="what to time (repeatable; default both, the reparse reading the plain run's database)")
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree)
    trees = {name: Path(path).resolve() for name, path in trees.items()}
    if len(trees) < 2:
        parser.error("give at least two --tree NAME=PATH")
    modes = args.mode or ["plain", "reparse"]
    for tree in trees.values():
        compile_tree(tree)  # as installed: no tree compiles its sources in every timed process (bench/bytecode.py)
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {(n, m): [] for n in trees for m in modes}
    site.generated_site(ROOT / "bench" / "out" / "site")
    with tempfile.TemporaryDirectory(prefix="govpress-ab-") as folder, site.served(ROOT / "bench" / "out" / "site") as base:
        work = Path(folder)
        registry = work / "sources.toml"
        registry.write_text(site.registry_text(base), encoding="utf-8")
        names = list(trees)
        for number in range(args.rounds):
            for name in names if number % 2 == 0 else names[::-1]:
                db = work / f"{name}-{number}" / "govpress.duckdb"
                for mode in ("plain", "reparse"):
                    if mode == "reparse" and "reparse" not in modes:
                        continue
                    pages_per_s, cpu_ms, whole = one_run(trees[name], mode, registry, db)  # a reparse needs the ingest first
                    if mode in modes:
                        results[(name, mode)].append((pages_per_s, cpu_ms, whole))
                        print(f"round {number + 1} {name:>10s} {mode:7s} {pages_per_s:7.1f} pages/s {cpu_ms:6.1f} CPU-ms/page "
                              f"{whole:7.1f} pages/s with the start (load {os.getloadavg()[0]:.1f})", flush=True)
    for (name, mode), values in results.items():
        print(f"{name:>10s} {mode:7s} median {statistics.median(v[0] for v in values):7.1f} pages/s "
              f"{statistics.median(v[1] for v in values):6.1f} CPU-ms/page "
              f"{statistics.median(v[2] for v in values):7.1f} pages/s with the start over {len(values)} rounds")


if __name__ == "__main__":
    main()
