"""A quiet scheduled run over a small and a huge archive: its time should not grow with what is held.

Run: ``uv run python bench/bench_quiet.py [--size 1000 --size 1000000]``. Not part of the test suite.

A small generated site (four editions: feed, sitemap, two listings) is ingested once; then, per
size, a copy of that database gets N extra releases of the feed source (copies of its real rows
under new ids and URLs, texts cut to 300 characters, with their versions and fetches, written by
SQL in a minute for a million), and the same
sources run again with nothing new on the site: a scheduled run's case. Printed per size: the
run's seconds (median of ``--repeat``) and the requests the site saw per source.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.demo.reliability import demo_sources
from govpress.plan import RunParams
from govpress.registry import Registry
from govpress.run import run_ingest

FEED_SOURCE = "demo_minfin"


def registry_for(base_url: str) -> Registry:
    return Registry(source=[s for s in demo_sources(base_url) if s.kind != "files"])


def grow(db: Path, size: int) -> int:
    """Add releases of FEED_SOURCE (copies of its rows under new ids) until it holds ``size``; returns the count."""
    con = duckdb.connect(str(db))
    try:
        held = con.execute("SELECT count(*) FROM releases WHERE source_id = ?", [FEED_SOURCE]).fetchone()[0]
        copies = max(0, -(-(size - held) // held))  # ceil
        if copies:
            con.execute("CREATE TEMP TABLE copies AS SELECT range AS n FROM range(1, ?)", [copies + 1])
            suffix = "'-' || c.n"
            con.execute(f"""INSERT INTO releases SELECT r.* REPLACE (r.release_id || {suffix} AS release_id,
                                r.url || 'copy/' || c.n || '/' AS url, r.canonical_url || 'copy/' || c.n || '/' AS canonical_url,
                                r.release_id || {suffix} AS cluster_id, r.content_hash || {suffix} AS content_hash,
                                left(r.body_text, 300) AS body_text)
                            FROM releases r, copies c WHERE r.source_id = ?""", [FEED_SOURCE])
            # The table behind the view release_versions (a current version's text is NULL there: it stays so).
            con.execute(f"""INSERT INTO release_versions_stored SELECT v.* REPLACE (v.release_id || {suffix} AS release_id,
                                v.content_hash || {suffix} AS content_hash, left(v.body_text, 300) AS body_text)
                            FROM release_versions_stored v JOIN releases r USING (release_id), copies c
                            WHERE r.source_id = ? AND r.release_id NOT LIKE '%-%'""", [FEED_SOURCE])
            con.execute(f"""INSERT INTO fetches SELECT f.* REPLACE (f.fetch_id || {suffix} AS fetch_id,
                                f.url || 'copy/' || c.n || '/' AS url)
                            FROM fetches f, copies c WHERE f.source_id = ? AND f.purpose IN ('new', 'entry')""",
                        [FEED_SOURCE])
            con.execute("CHECKPOINT")
        return con.execute("SELECT count(*) FROM releases").fetchone()[0]
    finally:
        con.close()


def quiet_run(registry: Registry, db: Path, server: LocalSiteServer) -> tuple[float, dict[str, int]]:
    before = len(server.requests)
    started = time.perf_counter()
    result = asyncio.run(run_ingest(registry, registry.source, db=db, params=RunParams(), base_dir=db.parent,
                                    flow="bench-quiet"))
    seconds = time.perf_counter() - started
    if result.counts["new"] or result.counts["fetched"] or any(o.status != "ok" for o in result.outcomes):
        raise SystemExit(f"not a quiet run: {result.counts} {[(o.source_id, o.status, o.message) for o in result.outcomes]}")
    paths = [r.path for r in server.requests[before:]]

    def folder(url: str) -> str:  # /minfin/feed.atom -> /minfin/ ; /agency/ru/news/ -> /agency/ru/news/
        path = "/" + url.split("/", 3)[3]
        return path[: path.rfind("/") + 1]

    per_source = {s.id: sum(1 for p in paths if any(p.startswith(folder(u)) for u in s.start_urls))
                  for s in registry.source}
    per_source["(robots.txt)"] = sum(1 for p in paths if p == "/robots.txt")
    return seconds, per_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append", help="releases held (repeatable); default 1000 and 1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line (for python -m bench)")
    args = parser.parse_args()
    sizes = args.size or [1_000, 1_000_000]
    logging.basicConfig(level=logging.WARNING)
    out: dict = {"sizes": {}}
    with tempfile.TemporaryDirectory(prefix="govpress-quiet-") as tmp:
        root = Path(tmp)
        generate_site(root / "site", per_source=12)
        with LocalSiteServer(root / "site") as server:
            registry = registry_for(server.base_url)
            base = root / "base" / "govpress.duckdb"
            base.parent.mkdir()
            asyncio.run(run_ingest(registry, registry.source, db=base, params=RunParams(), base_dir=base.parent,
                                   flow="bench-first"))
            for size in sizes:
                db = root / f"held-{size}" / "govpress.duckdb"
                shutil.copytree(base.parent, db.parent)
                held = grow(db, size)
                quiet_run(registry, db, server)  # the first rerun settles validators; the timed ones follow
                runs = [quiet_run(registry, db, server) for _ in range(args.repeat)]
                seconds = statistics.median(s for s, _ in runs)
                requests = runs[-1][1]
                per_source = max(v for k, v in requests.items() if not k.startswith("("))
                out["sizes"][str(size)] = {"held": held, "seconds": seconds, "requests": requests,
                                           "requests_per_source": per_source}
                if not args.json:
                    print(f"{held:>9,} releases held: quiet run {seconds:6.2f} s (median of {args.repeat}); "
                          f"requests {requests}")
                shutil.rmtree(db.parent)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
