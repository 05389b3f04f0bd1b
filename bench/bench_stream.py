"""Discovery of a 100,000-entry feed: time to the first release fetch and peak RSS, between code trees (A/B).

Run: ``uv run python bench/bench_stream.py --tree main=/tmp/main-src --tree stream=. [--entries 100000]
[--per-page 1000] [--rounds 3]``. Not part of the test suite.

A generated source is written once into ``--site`` (default a temp folder): a paginated Atom feed of
``--entries`` entries, ``--per-page`` a page (newest first, ``rel=next``), and the release pages of
the newest ``--max-items`` entries (the run fetches no more: the source's ``max_items``, the cap of an
ordinary run). It is served on 127.0.0.1 by the local site server in its own process (bench/site.py).
Each round runs, per tree and in turn (the order turns round every round), one ingest into a fresh
DuckDB file in a fresh process whose ``govpress`` comes from that tree (PYTHONPATH), with politeness
lifted, and prints: seconds from the run's start to its first release-page request, the run's
seconds, the discovery pages it read and the process's peak RSS (``ru_maxrss``: the whole run, so the
walk and the plan of a tree that plans whole, and the loads of 2,000 pages for both). Then medians.

``--single`` serves the feed as ONE document of ``--entries`` entries instead (what ``read_feed`` does
with a document of tens of MB).

``python bench/bench_stream.py doc feed|sitemap [ENTRIES]`` times one reader over one generated document
of ENTRIES entries in this process and prints its seconds and the rise of the peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SOURCE_ID = "bench_stream"
ORIGIN = "http://127.0.0.1"  # rewritten to the served port by a relative link: pages use paths only
DISCOVERY = frozenset({"feed", "sitemap", "listing", "robots"})


def write_site(folder: Path, entries: int, per_page: int, fetched: int, single: bool) -> None:
    """The feed pages (or one document) and the release pages of the newest ``fetched`` entries."""
    stamp = folder / ".stream-site"
    key = f"{entries}/{per_page}/{fetched}/{single}"
    if stamp.exists() and stamp.read_text() == key:
        return
    start = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    (folder / "feed").mkdir(parents=True, exist_ok=True)
    pages = 1 if single else -(-entries // per_page)
    size = entries if single else per_page
    for page in range(1, pages + 1):
        nxt = f'<link rel="next" href="/feed/{page + 1}.xml"/>' if page < pages else ""
        with open(folder / "feed" / f"{page}.xml", "w", encoding="utf-8") as out:
            out.write(f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                      f"<title>Generated ministry</title><id>urn:bench-stream</id>{nxt}")
            for n in range((page - 1) * size + 1, min(page * size, entries) + 1):
                when = (start - timedelta(minutes=7 * n)).isoformat()
                out.write(f"<entry><title>Announcement number {n} on the work of the ministry</title>"
                          f'<link href="/news/{n}/"/><id>urn:bench-stream:{n}</id><updated>{when}</updated>'
                          f"<summary>A short summary of announcement {n}.</summary></entry>")
            out.write("</feed>")
    for n in range(1, fetched + 1):
        page = folder / "news" / str(n) / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        words = " ".join(f"item{n}word{i}" for i in range(60))
        when = (start - timedelta(minutes=7 * n)).isoformat()
        page.write_text(
            f"<!doctype html><html lang='en'><head><title>Announcement number {n}</title>"
            f"<meta property='article:published_time' content='{when}'></head><body><article>"
            f"<h1>Announcement number {n} on the work of the ministry</h1><p>The ministry said today that "
            f"announcement {n} concerns its work. {words}.</p><p>Officials gave further details of "
            f"announcement {n} at a briefing, {words}.</p></article></body></html>", encoding="utf-8")
    stamp.write_text(key)


def registry_file(folder: Path, base_url: str, pages: int, max_items: int) -> Path:
    path = folder / "registry.toml"
    path.write_text(f'''user_agent = "govpress-bench/1.0"

[[source]]
id = "{SOURCE_ID}"
name = "Generated ministry (100,000 entries)"
country = "GB"
institution = "Generated ministry"
languages = ["en"]
kind = "feed"
start_urls = ["{base_url}/feed/1.xml"]
parser = "generic"
timezone = "UTC"
rate_limit = 100
concurrency = 16
allow_addresses = ["127.0.0.1"]
max_pages = {max(1, pages)}
max_items = {max_items}
''', encoding="utf-8")
    return path


def child(registry: Path, db: Path) -> None:
    """One ingest in this process; prints one JSON line (run from the tree under test, see PYTHONPATH)."""
    import logging
    import resource

    from govpress.fetch.client import Fetcher
    from govpress.plan import RunParams
    from govpress.registry import Registry
    from govpress.run import run_ingest

    import tomllib

    logging.basicConfig(level=logging.WARNING)
    registry_model = Registry.model_validate(tomllib.loads(registry.read_text(encoding="utf-8")))
    # Politeness lifted as bench/site.py's unthrottled() does: the figures compare discovery, not rate limits.
    registry_model = registry_model.model_copy(update={"source": [
        s.model_copy(update={"rate_limit": 10_000.0}) for s in registry_model.source]})
    marks: dict[str, float] = {}
    discovery_pages = [0]
    real_fetch = Fetcher.fetch

    async def fetch(self, url, source, *args, purpose: str = "new", **kwargs):
        if purpose in DISCOVERY:
            discovery_pages[0] += purpose != "robots"
        else:
            marks.setdefault("first_fetch", time.perf_counter())
        return await real_fetch(self, url, source, *args, purpose=purpose, **kwargs)

    Fetcher.fetch = fetch
    started = time.perf_counter()
    result = asyncio.run(run_ingest(registry_model, registry_model.source, db=db, params=RunParams(),
                                    base_dir=registry.parent, flow="bench"))
    wall = time.perf_counter() - started
    [outcome] = result.outcomes
    print(json.dumps({
        "first_fetch": marks.get("first_fetch", float("nan")) - started, "wall": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "discovery_pages": discovery_pages[0], "status": outcome.status, "discovered": outcome.discovered,
        "fetched": outcome.fetched, "new": outcome.new,
    }))


def one_run(tree: Path, registry: Path, work: Path) -> dict:
    db = work / f"run-{time.monotonic_ns()}.duckdb"
    env = {**os.environ, "PYTHONPATH": str(tree.resolve()), "GOVPRESS_ARCHIVE": str(work / "archive")}
    done = subprocess.run([sys.executable, __file__, "child", "--registry", str(registry), "--db", str(db)],
                          env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{tree} failed:\n{done.stderr[-3000:]}")
    for leftover in work.glob(db.stem + "*"):
        if leftover.is_file():
            leftover.unlink()
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_document(kind: str, entries: int) -> None:
    """Time ``read_feed`` (feedparser) or ``read_sitemap`` (lxml) over one document of ``entries`` entries."""
    import resource

    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    if kind == "feed":
        body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
                "<id>urn:x</id>" + "".join(
                    f"<entry><title>Announcement number {i} on the work of the ministry</title>"
                    f"<link href='http://127.0.0.1/news/{i}/'/><id>urn:{i}</id>"
                    f"<updated>{(start - timedelta(minutes=7 * i)).isoformat()}</updated>"
                    f"<summary>A short summary of announcement {i}.</summary></entry>" for i in range(entries))
                + "</feed>").encode()
    else:
        body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
            f"<url><loc>http://127.0.0.1/news/{i}/</loc><lastmod>{(start - timedelta(minutes=7 * i)).date()}"
            "</lastmod></url>" for i in range(entries)) + "</urlset>").encode()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if kind == "feed":
        from govpress.parsers.listings.feed import read_feed

        items = len(read_feed(body, "http://127.0.0.1/feed.xml").items)
    else:
        from govpress.parsers.listings.sitemap import read_sitemap

        items = len(read_sitemap(body, "http://127.0.0.1/sitemap.xml")[0].items)
    seconds = time.perf_counter() - started
    rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"{kind}: {len(body) / 1e6:.1f} MB, {items} items in {seconds:.1f} s, peak RSS +{rise:.0f} MB "
          f"(load average {os.getloadavg()[0]:.1f})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "doc":
        one_document(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100_000)
        return
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        parser = argparse.ArgumentParser()
        parser.add_argument("mode")
        parser.add_argument("--registry", type=Path, required=True)
        parser.add_argument("--db", type=Path, required=True)
        args = parser.parse_args()
        child(args.registry, args.db)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--per-page", type=int, default=1_000)
    parser.add_argument("--max-items", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", action="store_true", help="one feed document of every entry")
    parser.add_argument("--site", type=Path, default=None)
    args = parser.parse_args()
    trees = [(name, Path(path)) for name, path in (t.split("=", 1) for t in args.tree)]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.site import served

    site = args.site or Path(tempfile.gettempdir()) / f"bench-stream-{args.entries}-{args.per_page}"
    write_site(site, args.entries, args.per_page, args.max_items, args.single)
    pages = 1 if args.single else -(-args.entries // args.per_page)
    results: dict[str, list[dict]] = {name: [] for name, _ in trees}
    with served(site) as base_url, tempfile.TemporaryDirectory() as scratch:
        registry = registry_file(Path(scratch), base_url, pages, args.max_items)
        for round_no in range(args.rounds):
            order = trees if round_no % 2 == 0 else list(reversed(trees))
            for name, tree in order:
                out = one_run(tree, registry, Path(scratch))
                results[name].append(out)
                print(f"round {round_no + 1} {name}: {json.dumps(out)}", flush=True)
    print(f"load average {os.getloadavg()}")
    for name, runs in results.items():
        med = {k: round(statistics.median(r[k] for r in runs), 2) for k in ("first_fetch", "wall", "peak_rss_mb")}
        print(f"{name}: median first fetch {med['first_fetch']} s, run {med['wall']} s, peak RSS {med['peak_rss_mb']} MB "
              f"({len(runs)} runs; discovered {runs[-1]['discovered']}, fetched {runs[-1]['fetched']}, "
              f"discovery pages {runs[-1]['discovery_pages']})")


if __name__ == "__main__":
    main()
