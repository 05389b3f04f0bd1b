"""Whole-pipeline throughput without Prefect: pages/s over the generated site on loopback, fresh run and unchanged rerun.

Usage: ``uv run python bench/bench_pipeline.py [--per-source 60] [--repeat 1]``.

The site (govpress/demo/localsite/generator.py: four editions, a feed, a sitemap and two paged
listings) is served by the local site server on 127.0.0.1; the four demo sources run side by
side through ``govpress.run.run_ingest`` (discovery, fetch, archive, parse, dedupe, load, search
index, snapshot) exactly as ``govpress ingest --without-prefect`` does, with the politeness the
demo registry sets (100 requests/s per host). The fresh run starts from an empty database;
the rerun finds nothing changed (conditional GETs, no page refetched). Printed in one run so
the two numbers and their ratio come from the same machine state.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
import tomllib
from pathlib import Path

from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.plan import RunParams
from govpress.registry import Registry
from govpress.demo.reliability import DEMO_TEMPLATE
from govpress.run import run_ingest


def demo_registry(base_url: str) -> Registry:
    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url).replace("{seed}", "/nonexistent")
    registry = Registry.model_validate(tomllib.loads(text))
    return registry.model_copy(update={"source": [s for s in registry.source if s.kind != "files"]})


def timed_run(registry: Registry, db: Path) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    outcomes = asyncio.run(run_ingest(registry, registry.source, db=db, params=RunParams(), base_dir=db.parent,
                                      flow="bench")).outcomes
    seconds = time.perf_counter() - started
    bad = [o for o in outcomes if o.status != "ok"]
    if bad:
        raise SystemExit(f"bench run not clean: {[(o.source_id, o.status, o.message) for o in bad]}")
    keys = ("discovered", "fetched", "not_modified", "new", "unchanged")
    return seconds, {k: sum(getattr(o, k) for o in outcomes) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-source", type=int, default=60, help="releases per generated edition")
    parser.add_argument("--repeat", type=int, default=1, help="fresh+rerun pairs (each on a new database)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="govpress-bench-") as tmp:
        root = Path(tmp)
        manifest = generate_site(root / "site", per_source=args.per_source)
        pages = len(manifest.releases())
        with LocalSiteServer(root / "site") as server:
            registry = demo_registry(server.base_url)
            print(f"site: {pages} release pages in {len(registry.source)} sources, served at {server.base_url}")
            for attempt in range(1, args.repeat + 1):
                db = root / f"run{attempt}" / "govpress.duckdb"
                db.parent.mkdir()
                fresh, fresh_counts = timed_run(registry, db)
                requests_before = len(server.requests)
                rerun, rerun_counts = timed_run(registry, db)
                rerun_requests = len(server.requests) - requests_before
                print(f"fresh run : {fresh:6.2f} s  {pages / fresh:7.1f} pages/s   {fresh_counts}")
                print(f"rerun     : {rerun:6.2f} s  {pages / rerun:7.1f} pages/s   {rerun_counts} "
                      f"({rerun_requests} requests)")
                print(f"rerun is {fresh / rerun:.1f}x faster than the fresh run")


if __name__ == "__main__":
    main()
