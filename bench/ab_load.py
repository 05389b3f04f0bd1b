"""Alternating A/B of a fresh load: this tree against another copy of govpress (say ``git archive main``).

Each round runs bench_load's fresh load (synthetic releases with their signatures, batches of
``--batch-size``, one store session) once per side, each in a fresh process whose ``govpress``
and ``bench`` come from that side's tree, the side going first alternating. Prints every run and
the medians: rows/s, the process's CPU seconds (DuckDB's threads included) and the main thread's.
On a shared machine the CPU figures are the firmer ones.

    git -C /work/main archive main | tar -x -C /tmp/old
    uv run python bench/ab_load.py --old /tmp/old --rounds 6
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, sys, tempfile, time
from pathlib import Path
import govpress
from bench.bench_load import synthetic_releases, sign, load_all
from govpress.store import Store
n, batch = int(sys.argv[1]), int(sys.argv[2])
rows = synthetic_releases(n)
sign(rows)
with tempfile.TemporaryDirectory() as folder:
    store = Store(Path(folder) / "ab.duckdb")
    store.migrate()
    with store.session():
        store.frontier("bench")  # the file is opened here, not in the timed loads
        cpu, main = time.process_time(), time.thread_time()
        seconds, _ = load_all(store, rows, batch, "bench-1")
        cpu, main = time.process_time() - cpu, time.thread_time() - main
print(json.dumps({"tree": str(Path(govpress.__file__).resolve().parent.parent), "seconds": seconds, "cpu": cpu,
                  "main": main, "rows_per_s": n / seconds}))
"""


def run(tree: Path, n: int, batch: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(n), str(batch)], cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(result["tree"]) != tree:
        raise RuntimeError(f"the child imported govpress from {result['tree']}, not {tree}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True, help="the other tree (a copy of govpress with bench/)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    sides = {"old": args.old.resolve(), "new": Path(__file__).resolve().parent.parent}
    results: dict[str, list[dict]] = {name: [] for name in sides}
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for name in order:
            r = run(sides[name], args.n, args.batch_size)
            results[name].append(r)
            print(f"{name}: {r['rows_per_s']:6.0f} rows/s  {r['seconds']:6.2f} s  cpu {r['cpu']:5.2f}  "
                  f"main thread {r['main']:5.2f}", flush=True)
    medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("rows_per_s", "cpu", "main")}
               for name, rs in results.items()}
    for name, m in medians.items():
        print(f"{name} median: {m['rows_per_s']:.0f} rows/s, cpu {m['cpu']:.2f} s, main thread {m['main']:.2f} s")
    print(f"new/old rows/s {medians['new']['rows_per_s'] / medians['old']['rows_per_s']:.2f}x, "
          f"cpu {medians['new']['cpu'] / medians['old']['cpu']:.2f}x, main thread {medians['new']['main'] / medians['old']['main']:.2f}x")


if __name__ == "__main__":
    main()
