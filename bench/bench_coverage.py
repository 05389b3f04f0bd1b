"""What filling a coverage gap costs: listing requests per scheduled run, and runs until no gap is left.

Run: ``uv run python bench/bench_coverage.py [--runs 6] [--per-source 170]``. On the generated
site (the agency's Russian edition: 15 releases a listing page, newest first) a manual run collects
one past week on page 7; then scheduled runs (no dates, ``max_pages`` 2) run with a gap budget of
0, 2 and 10 extra pages. For each budget it prints, per run, the listing requests, the releases
loaded and the days still in a gap (the ``coverage`` view), and the seconds the runs took; a budget
of 0 is what runs did before coverage: they stop at the second page and the gap never closes
(now it shows in ``coverage``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from govpress.demo.run import prepare_site, render_registry, start_server
from govpress.plan import RunParams
from govpress.run import ingest_sources

SOURCE = "demo_agency_ru"
PER_PAGE = 15


def one(db: Path, registry: Path, params: RunParams) -> tuple[str, int]:
    result = asyncio.run(ingest_sources(db=db, sources_file=registry, source_ids=[SOURCE], params=params))
    return result.run_id, result.counts["new"]


def stats(db: Path, run_id: str) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        requests = con.execute("SELECT count(*) FROM fetches WHERE run_id = ? AND purpose = 'listing'", [run_id]).fetchone()[0]
        gap = con.execute("SELECT coalesce(sum(days), 0) FROM coverage WHERE kind = 'gap'").fetchone()[0]
    finally:
        con.close()
    return requests, gap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=6, help="scheduled runs per budget")
    parser.add_argument("--per-source", type=int, default=170)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govpress-bench-coverage-") as tmp:
        root = Path(tmp)
        manifest = prepare_site(root / "site", per_source=args.per_source)
        with start_server(root / "site", pages=None, seed=None) as server:
            text = render_registry(server.base_url, pages=None, seed=None)
            block = next(b for b in re.split(r"(?m)^(?=\[\[source\]\])", text) if f'id = "{SOURCE}"' in b)
            registry = root / "sources.toml"
            registry.write_text(text.split("[[source]]", 1)[0] + block, encoding="utf-8")
            releases = sorted(manifest.publishers["agency-ru"].releases, key=lambda r: r.published, reverse=True)
            week = releases[6 * PER_PAGE + 2].published.date()
            print(f"manual run {week - timedelta(days=6)}..{week} (listing page 7), then scheduled runs with max_pages 2")
            print(f"{'gap_pages':>9}  {'run':>3}  {'listing requests':>16}  {'new':>4}  {'gap days left':>13}")
            for budget in (0, 2, 10):
                db = root / f"budget-{budget}.duckdb"
                one(db, registry, RunParams(since=week - timedelta(days=6), until=week))
                started = time.monotonic()
                for n in range(1, args.runs + 1):
                    run_id, new = one(db, registry, RunParams(max_pages=2, gap_pages=budget))
                    requests, gap = stats(db, run_id)
                    print(f"{budget:>9}  {n:>3}  {requests:>16}  {new:>4}  {gap:>13}")
                print(f"{budget:>9}  {args.runs} scheduled runs in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
