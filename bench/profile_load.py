"""Where a fresh load's time goes, statement by statement: wall and CPU seconds of every SQL statement.

bench_load's synthetic releases (signed, as the parse workers deliver them) are loaded fresh in
batches through :func:`govpress.store.load.load_batch` on a connection wrapped by :class:`Timed`,
which times each ``execute`` (grouped by the statement's text, Arrow table names folded) and each
``commit``; what is not in a statement is Python. CPU is the process's (DuckDB's threads included).
``--checkpoint-threshold 10GB`` holds the checkpoints off until one ``CHECKPOINT`` at the end, timed
apart, to tell the WAL from the checkpoints in the commits.

    uv run python bench/profile_load.py --n 20000 --batch-size 5000
"""

from __future__ import annotations

import argparse
import collections
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_load import sign, synthetic_releases
from govpress.store import LoadBatch, Store
from govpress.store import load as loader


class Timed:
    """A DuckDB connection whose ``execute``, ``begin`` and ``commit`` add their seconds to ``stats``."""

    def __init__(self, con: Any, stats: dict[str, list[float]]) -> None:
        self._con, self._stats = con, stats

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def _time(self, key: str, call: Any, *args: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = call(*args)
        entry = self._stats[key]
        entry[0] += time.perf_counter() - wall
        entry[1] += time.process_time() - cpu
        entry[2] += 1
        return result

    def execute(self, sql: str, *args: Any) -> Timed:
        self._time(re.sub(r"_govpress_arrow_\d+", "T", " ".join(sql.split()))[:110], self._con.execute, sql, *args)
        return self

    def fetchall(self) -> Any:
        return self._con.fetchall()

    def fetchone(self) -> Any:
        return self._con.fetchone()

    def arrow(self) -> Any:
        return self._con.arrow()

    def begin(self) -> Any:
        return self._time("BEGIN", self._con.begin)

    def commit(self) -> Any:
        return self._time("COMMIT", self._con.commit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--checkpoint-threshold", help="DuckDB checkpoint_threshold for the load, e.g. 10GB")
    parser.add_argument("--top", type=int, default=30, help="statements to print, by CPU")
    args = parser.parse_args()

    rows = synthetic_releases(args.n)
    sign(rows)
    stats: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0])
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "profile.duckdb")
        store.migrate()
        with store.session(), store.writer(loading=True) as con:  # as Store.load_batch: DuckDB on one thread throughout
            timed = Timed(con, stats)
            if args.checkpoint_threshold:
                con.execute(f"SET checkpoint_threshold = '{args.checkpoint_threshold}'")
            wall, cpu = time.perf_counter(), time.process_time()
            for offset in range(0, args.n, args.batch_size):
                loader.load_batch(timed, LoadBatch(run_id="profile", source_id="bench",
                                                   releases=rows[offset:offset + args.batch_size]))
            if args.checkpoint_threshold:
                timed.execute("CHECKPOINT")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    in_sql = sum(v[0] for v in stats.values()), sum(v[1] for v in stats.values())
    print(f"{args.n} releases in batches of {args.batch_size}: {wall:.2f} s ({cpu:.2f} CPU-s), {args.n / wall:.0f} rows/s; "
          f"statements {in_sql[0]:.2f} s ({in_sql[1]:.2f} CPU-s), Python {wall - in_sql[0]:.2f} s ({cpu - in_sql[1]:.2f} CPU-s)")
    print(f"{'wall s':>8} {'CPU s':>7} {'calls':>5}  statement")
    for key, (seconds, cpu_s, calls) in sorted(stats.items(), key=lambda kv: -kv[1][1])[:args.top]:
        print(f"{seconds:8.3f} {cpu_s:7.3f} {calls:5d}  {key}")


if __name__ == "__main__":
    main()
