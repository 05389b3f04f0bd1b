"""Past one machine: the DuckDB file against DuckLake on PostgreSQL with 1, 2 and 3 worker processes.

Run: ``uv run python bench/bench_scale.py [--per-source 12500] [--workers 1 2 3] [--repeat 5]``.
Not part of the test suite. Needs PostgreSQL's server binaries (Debian's ``postgresql``): a
throwaway cluster is started in a temp folder (govpress/demo/postgres.py) and stopped at the end.

The generated site (four editions, ``--per-source`` releases each: 12,500 gives the issue's
50,000) is served by this process. Each configuration starts from an empty store and runs real
``govpress ingest --without-prefect`` processes (politeness as the demo registry has it):

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


def write_registry(path: Path, base_url: str) -> Path:
    """The demo's generated editions (the local-files source left out) at ``base_url``."""
    blocks = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url).split("[[source]]")
    kept = [b for b in blocks[1:] if 'kind = "files"' not in b]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-source", type=int, default=12_500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govpress-bench-scale-"))
    log = work / "ingest.log"
    started = time.monotonic()
    generate_site(work / "site", per_source=args.per_source)
    print(f"site: {args.per_source} releases per source generated in {time.monotonic() - started:.0f} s ({work})")
    rows: list[tuple[str, int, float, float]] = []
    with LocalSiteServer(work / "site") as server, scratch_postgres() as postgres:
        registry = write_registry(work / "sources.toml", server.base_url)
        duckdb_store = str(work / "duckdb" / "govpress.duckdb")
        seconds = ingest(registry, duckdb_store, [None], log)
        rows.append(("duckdb", 1, seconds, releases_in(duckdb_store) / seconds))
        quiet_duckdb = ingest(registry, duckdb_store, [None], log)
        lakes = {}
        for workers in args.workers:
            name = f"lake{workers}"
            postgres.create_database(name)
            lakes[workers] = store = postgres.store(work / name / "data", name)
            Store(store).migrate()
            seconds = ingest(registry, store, groups_of(workers), log)
            rows.append((f"lake x{workers}", workers, seconds, releases_in(store) / seconds))
        first_lake = lakes[min(lakes)]
        quiet_lake = ingest(registry, first_lake, [None], log)
        latency = {"duckdb": query_latency(duckdb_store, args.repeat), "lake": query_latency(first_lake, args.repeat)}

    base = rows[0][3]
    print(f"\n{'store':<10} {'workers':>7} {'seconds':>8} {'releases/s':>11} {'vs duckdb':>10}")
    for name, workers, seconds, rate in rows:
        print(f"{name:<10} {workers:>7} {seconds:>8.1f} {rate:>11.1f} {rate / base:>10.2f}")
    print(f"\nquiet run (nothing new): duckdb {quiet_duckdb:.1f} s, lake x1 {quiet_lake:.1f} s")
    print(f"\n{'query (median ms)':<32} {'duckdb':>8} {'lake':>8}")
    for name in QUERIES:
        print(f"{name:<32} {latency['duckdb'][name]:>8.0f} {latency['lake'][name]:>8.0f}")
    rate = {name: r for name, _, _, r in rows}
    lake1, lake3 = rate.get("lake x1"), rate.get("lake x3")
    query_ratio = statistics.median(latency["lake"][q] / latency["duckdb"][q] for q in QUERIES)
    print(f"\nlake1_vs_duckdb={lake1 / base:.2f} " if lake1 else "", end="")
    print(f"lake3_vs_lake1={lake3 / lake1:.2f} " if lake1 and lake3 else "", end="")
    print(f"quiet_lake_vs_duckdb={quiet_lake / quiet_duckdb:.2f} query_lake_vs_duckdb={query_ratio:.2f}")


if __name__ == "__main__":
    main()
