"""Where a lake ingest spends its time: one ``govpress ingest --without-prefect`` of the demo's generated site
under py-spy, summed per govpress function.

Run: ``uv run python bench/profile_lake.py [--per-source 40] [--store STORE] [--py-spy PATH] [--top 40]``.
Not part of the test suite. py-spy (a sampling profiler, on the package registry) is not a project
dependency: install it anywhere (``python3 -m pip install --target DIR py-spy``) and pass its binary.
The default store is a SQLite DuckLake catalogue in a temp folder (empty: the run includes the
first migration, printed apart); pass ``--store`` for another (a scratch PostgreSQL, a DuckDB file).

py-spy samples every thread of the ingest process (not the parse worker processes); the totals
are samples, so a function's share is of the process's busy time. Printed: per govpress
function, the samples whose stack holds it (inclusive), then the deepest govpress frame of each
sample (where the time went, DuckDB's own work counted to the govpress line that called it).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME = re.compile(r"(.*) \((.*?):(\d+)\)$")


def summarize(raw: Path, top: int) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    deepest: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        ours = []
        for frame in stack.split(";"):
            match = FRAME.match(frame)
            path = match[2].removeprefix(str(ROOT) + "/") if match else ""
            if path.startswith(("govpress/", "flows/")):  # py-spy names our files relative to the checkout
                ours.append(f"{match[1]} ({path})")
        for name in set(ours):
            inclusive[name] += samples
        if ours:
            deepest[ours[-1] + (f" <- {ours[-2]}" if len(ours) > 1 else "")] += samples
    print(f"samples: {total}")
    print("-- inclusive")
    for name, samples in inclusive.most_common(top):
        print(f"{samples:7d} {100 * samples / total:5.1f}%  {name}")
    print("-- deepest govpress frame")
    for name, samples in deepest.most_common(top):
        print(f"{samples:7d} {100 * samples / total:5.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-source", type=int, default=40)
    parser.add_argument("--store", default=None)
    parser.add_argument("--py-spy", default="py-spy")
    parser.add_argument("--rate", type=int, default=40, help="samples per second")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "tests"))
    from factories import demo_registry

    from govpress.demo.localsite import LocalSiteServer, generate_site

    with tempfile.TemporaryDirectory(prefix="govpress-profile-") as folder:
        work = Path(folder)
        store = args.store or f"ducklake:sqlite:{work / 'catalog.sqlite'}?data_path={work / 'data'}"
        generate_site(work / "site", per_source=args.per_source)
        raw = work / "profile.txt"
        with LocalSiteServer(work / "site") as server:
            registry = demo_registry(work / "sources.toml", server.base_url)
            command = [args.py_spy, "record", "-r", str(args.rate), "--format", "raw", "-o", str(raw), "--",
                       sys.executable, "-m", "govpress.cli", "ingest", "--sources-file", str(registry),
                       "--store", store, "--without-prefect"]
            started = time.monotonic()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            print(f"ingest exit {done.returncode} in {time.monotonic() - started:.1f} s ({store})")
        with open("/proc/loadavg", encoding="ascii") as load:
            print("load average:", " ".join(load.read().split()[:3]))
        summarize(raw, args.top)


if __name__ == "__main__":
    main()
