"""Past one machine: the DuckDB file against DuckLake on PostgreSQL with 1, 2 and 3 worker processes.

Run: ``uv run python bench/bench_scale.py [--per-source 12500] [--workers 1 2 3] [--repeat 5] [--site DIR]``.
Not part of the test suite. Needs PostgreSQL's server binaries (Debian's ``postgresql``): a
throwaway cluster is started in a temp folder (govpress/demo/postgres.py) and stopped at the end.

The generated site (four editions, ``--per-source`` releases each: 12,500 gives the issue's
50,000) is served by this process. Each configuration starts from an empty store and runs real
``govpress ingest --without-prefect`` processes with the issue's "rate limits off": every source's
``rate_limit`` at the registry's maximum (100 requests/s) with 16 in flight, and ``max_pages`` deep enough to
discover and fetch the whole site in one run (``max_items`` too; robots.txt, the address guard and the per-host limiter still
run). ``--site DIR`` reuses a generated site (it is generated there when missing), so a long run
pays the generation once; ``--workers`` picks the lake configurations (``--workers`` alone: none).

- ``duckdb``: one process, every source, into a DuckDB file (the default store);
- ``lake xN``: N processes, the sources split into N groups, into one DuckLake catalogue on
  PostgreSQL with its Parquet files in a temp folder (migrated once before, untimed, as a
  deployment does at an upgrade).

Printed: wall seconds and releases/s per configuration with its ratio to the DuckDB file; the
quiet run's seconds (the same ingest again, nothing new on the site) in both modes; and the
median latency of three cookbook queries (README's SQL cookbook) on both stores. Last line:
``lake1_vs_duckdb=R lake3_vs_lake1=R quiet_lake_vs_duckdb=R query_lake_vs_duckdb=R``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.demo.postgres import scratch_postgres
from govpress.demo.reliability import DEMO_TEMPLATE
from govpress.store import Store

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["demo_minfin", "demo_agency_ru", "demo_mfa_en", "demo_agency_en"]
QUERIES = {
    "releases per source and week": "SELECT source_id, date_trunc('week', published_at) AS week, count(*) "
                                    "FROM releases GROUP BY ALL ORDER BY ALL",
    "latest 20 with their links": "SELECT r.title, count(l.other_id) FROM releases r LEFT JOIN release_links l "
                                  "USING (release_id) GROUP BY r.release_id, r.title, r.published_at "
                                  "ORDER BY r.published_at DESC LIMIT 20",
    "search": "SELECT score, source_id, title FROM search_releases('министр') LIMIT 10",
}


RATE_OFF = {"concurrency = 8": "concurrency = 16"}
"""The demo registry's politeness, lifted: the bench measures the stores, not the site's budget."""


def write_registry(path: Path, base_url: str, max_pages: int, max_items: int = 2_000) -> Path:
    """The demo's generated editions (the local-files source left out) at ``base_url``, rate limits off."""
    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url)
    for polite, lifted in RATE_OFF.items():
        text = text.replace(polite, lifted)
    text = text.replace("max_pages = 20", f"max_pages = {max_pages}")
    blocks = text.split("[[source]]")
    kept = [b for b in blocks[1:] if 'kind = "files"' not in b]
    # Sources without a max_pages line (the sitemap) get one too: the default (20) would stop discovery early.
    kept = [b if "max_pages" in b else b.replace("allow_addresses", f"max_pages = {max_pages}\nallow_addresses", 1)
            for b in kept]
    # max_items (default 2,000 pages a run) would leave the rest of a big edition to the next run.
    kept = [b.replace("allow_addresses", f"max_items = {max_items}\nallow_addresses", 1) for b in kept]
    path.write_text('user_agent = "govpress-bench/1.0"\n\n' + "".join("[[source]]" + b for b in kept), encoding="utf-8")
    return path


def groups_of(workers: int) -> list[list[str]]:
    return [SOURCES[n::workers] for n in range(workers)]


def ingest(registry: Path, store: str, groups: list[list[str] | None], log: Path) -> float:
    """Run one ingest process per group at once; wall seconds until the last one ends (each must succeed)."""
    started = time.monotonic()
    processes = []
    for group in groups:
        picked = [arg for source in group or [] for arg in ("--source", source)]
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "govpress.cli", "ingest", "--without-prefect", "--sources-file", str(registry),
             "--store", store, *picked], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log.open("ab"),
            stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}))
    codes = [p.wait() for p in processes]
    seconds = time.monotonic() - started
    if any(codes):
        raise SystemExit(f"an ingest failed ({codes}); see {log}")
    return seconds


def releases_in(store: str) -> int:
    with Store(store).reader(fts=False) as con:
        return con.execute("SELECT count(*) FROM releases").fetchone()[0]


def query_latency(store: str, repeat: int) -> dict[str, float]:
    """Median milliseconds per cookbook query, each on a new read-only session (as an analyst's CLI call)."""
    out = {}
    for name, sql in QUERIES.items():
        times = []
        for _ in range(repeat):
            started = time.monotonic()
            with Store(store).reader() as con:
                con.execute(sql).fetchall()
            times.append((time.monotonic() - started) * 1000)
        out[name] = statistics.median(times)
    return out


def site_at(folder: Path, per_source: int) -> Path:
    """The generated site in ``folder``, generated unless a site of this size is already there."""
    marker = folder / "bench-per-source.txt"  # beside site.json, which the site server reads: left as written
    if marker.is_file() and marker.read_text(encoding="utf-8").strip() == str(per_source):
        print(f"site: reusing {folder} ({per_source} releases per source)", flush=True)
        return folder
    started = time.monotonic()
    generate_site(folder, per_source=per_source)
    marker.write_text(str(per_source), encoding="utf-8")
    print(f"site: {per_source} releases per source generated in {time.monotonic() - started:.0f} s ({folder})", flush=True)
    return folder


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-source", type=int, default=12_500)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--site", type=Path, default=None, help="generated site folder to reuse (default: a temp one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govpress-bench-scale-"))
    log = work / "ingest.log"
    site = site_at(args.site or work / "site", args.per_source)
    # Discovery pages needed to walk a whole edition: listings show ~10 items a page; a margin for the rest.
    max_pages = max(20, args.per_source // 5 + 10)
    print(f"work folder {work}; load average at start {load_average()}", flush=True)
    rows: list[tuple[str, int, float, float, int]] = []
    with LocalSiteServer(site) as server, scratch_postgres() as postgres:
        registry = write_registry(work / "sources.toml", server.base_url, max_pages, max(2_000, args.per_source + 100))
        duckdb_store = str(work / "duckdb" / "govpress.duckdb")
        seconds = ingest(registry, duckdb_store, [None], log)
        count = releases_in(duckdb_store)
        rows.append(("duckdb", 1, seconds, count / seconds, count))
        print(f"duckdb: {count} releases in {seconds:.0f} s (load {load_average()})", flush=True)
        quiet_duckdb = ingest(registry, duckdb_store, [None], log)
        print(f"duckdb quiet run: {quiet_duckdb:.1f} s", flush=True)
        lakes = {}
        for workers in args.workers:
            name = f"lake{workers}"
            postgres.create_database(name)
            lakes[workers] = store = postgres.store(work / name / "data", name)
            Store(store).migrate()
            seconds = ingest(registry, store, groups_of(workers), log)
            count = releases_in(store)
            rows.append((f"lake x{workers}", workers, seconds, count / seconds, count))
            print(f"lake x{workers}: {count} releases in {seconds:.0f} s (load {load_average()})", flush=True)
        quiet_lake = None
        if lakes:
            first_lake = lakes[min(lakes)]
            quiet_lake = ingest(registry, first_lake, [None], log)
            print(f"lake quiet run: {quiet_lake:.1f} s", flush=True)
        latency = {"duckdb": query_latency(duckdb_store, args.repeat)}
        if lakes:
            latency["lake"] = query_latency(first_lake, args.repeat)

    base = rows[0][3]
    print(f"\nload average at the end {load_average()}")
    print(f"\n{'store':<10} {'workers':>7} {'releases':>9} {'seconds':>8} {'releases/s':>11} {'vs duckdb':>10}")
    for name, workers, seconds, rate, count in rows:
        print(f"{name:<10} {workers:>7} {count:>9} {seconds:>8.1f} {rate:>11.1f} {rate / base:>10.2f}")
    print(f"\nquiet run (nothing new): duckdb {quiet_duckdb:.1f} s" + (f", lake x1 {quiet_lake:.1f} s" if quiet_lake else ""))
    print(f"\n{'query (median ms)':<32} " + " ".join(f"{store:>8}" for store in latency))
    for name in QUERIES:
        print(f"{name:<32} " + " ".join(f"{latency[store][name]:>8.0f}" for store in latency))
    rate = {name: r for name, _, _, r, _ in rows}
    lake1, lake3 = rate.get("lake x1"), rate.get("lake x3")
    parts = []
    if lake1:
        parts.append(f"lake1_vs_duckdb={lake1 / base:.2f}")
    if lake1 and lake3:
        parts.append(f"lake3_vs_lake1={lake3 / lake1:.2f}")
    if quiet_lake:
        parts.append(f"quiet_lake_vs_duckdb={quiet_lake / quiet_duckdb:.2f}")
    if "lake" in latency:
        ratio = statistics.median(latency["lake"][q] / latency["duckdb"][q] for q in QUERIES)
        parts.append(f"query_lake_vs_duckdb={ratio:.2f}")
    print("\n" + " ".join(parts))


if __name__ == "__main__":
    main()
