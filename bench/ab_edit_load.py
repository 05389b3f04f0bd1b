"""Alternating A/B of an edited reload: this tree against another copy of govpress (say ``git archive main``).

Each run, in a fresh process whose ``govpress`` and ``bench`` come from that side's tree, loads
bench_load's 5,000 signed releases fresh, then the same 5,000 with a paragraph added to each (5,000
new versions: the path where a superseded text moves into its version row), and times the second
load. Prints every run with its counts and (version rows, distinct texts of ``release_versions``),
which must agree between the sides, then the medians.

    git -C /work/main archive main | tar -x -C /tmp/old
    uv run python bench/ab_edit_load.py --old /tmp/old --rounds 4
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import hashlib, json, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
from bench.bench_load import synthetic_releases, sign, load_all
from govpress.store import Store
n = int(sys.argv[1])
rows = synthetic_releases(n)
sign(rows)
edited = [replace(r, body_text=r.body_text + "\n\nEdited paragraph " + str(i) + ".") for i, r in enumerate(rows)]
for r in edited:
    r.content_hash = hashlib.sha256(r.body_text.encode()).hexdigest()[:32]
sign(edited)
with tempfile.TemporaryDirectory() as folder:
    store = Store(Path(folder) / "ab.duckdb")
    store.migrate()
    with store.session():
        store.frontier("bench")
        load_all(store, rows, n, "bench-1")
        cpu = time.process_time()
        seconds, counts = load_all(store, edited, n, "bench-2")
        cpu = time.process_time() - cpu
        with store.reader(fts=False) as con:
            check = con.execute("SELECT count(*), count(DISTINCT body_text) FROM release_versions").fetchone()
print(json.dumps({"seconds": seconds, "cpu": cpu, "counts": counts, "check": list(check)}))
"""


def run(tree: Path, n: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, str(n)], cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True, help="the other tree (a copy of govpress with bench/)")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    sides = {"old": args.old.resolve(), "new": Path(__file__).resolve().parent.parent}
    results: dict[str, list[dict]] = {name: [] for name in sides}
    for round_ in range(args.rounds):
        for name in (list(sides) if round_ % 2 == 0 else list(reversed(sides))):
            r = run(sides[name], args.n)
            results[name].append(r)
            print(f"{name}: {args.n / r['seconds']:6.0f} rows/s  cpu {r['cpu']:5.2f}  {r['counts']}  "
                  f"versions, distinct texts {r['check']}", flush=True)
    for name, rs in results.items():
        print(f"{name} median: {statistics.median(args.n / r['seconds'] for r in rs):.0f} rows/s, "
              f"cpu {statistics.median(r['cpu'] for r in rs):.2f} s")


if __name__ == "__main__":
    main()
