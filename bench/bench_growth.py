"""A scheduled run that brings new releases, into a small and a huge archive: does it slow down as the file grows?

Run: ``uv run python bench/bench_growth.py [--size 0 --size 100000 --size 1000000] [--repeat 1] [--json]``.
Not part of the test suite.

A generated site (four editions, ``--per-source`` pages each) is served as it was on :data:`CUT`
and ingested once, then once more (a quiet run: validators settle). That file is the base. Per
size, a copy of it grows to N held releases by SQL (copies of every real row under new ids, URLs
and hashes, dated :data:`CUT`'s span earlier per copy so that a day holds as many releases as in the
base; texts cut to 300 characters): ``releases`` with their versions, fetches, listings, links and
events, and what a load consults: their signatures and LSH buckets (``release_bands``, the buckets
re-hashed per copy: distinct texts have distinct buckets), event keys and same-event links, the
search tables, their fts indexes and ``search_indexed``. A million takes a few minutes. Then the
server serves the whole site (the releases published after :data:`CUT` are new: a few hundred) and
one ingest (``run_ingest`` without Prefect) is timed on a fresh copy of the grown file, ``--repeat``
times. Printed per size: the run's seconds, the load stage's (every ``Store.load_batch``), the search
index update's and the snapshot's, and at the end the ratio largest/smallest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from govpress.demo.localsite import LocalSiteServer, generate_site
from govpress.demo.localsite.generator import DATE_START
from govpress.plan import RunParams
from govpress.registry import Registry
from govpress.run import run_ingest
from govpress.store import Store

CUT = datetime(2026, 4, 1, tzinfo=timezone.utc)
"""The site as the base saw it: every release published later is new to the timed run."""
SPAN_DAYS = (CUT.replace(tzinfo=None) - DATE_START).days + 1
"""Copy n of a release is dated n * SPAN_DAYS days earlier: the archive grows into the past, not denser."""
SUFFIX = "'~g' || c.n"


def registry_for(base_url: str) -> Registry:
    from bench.bench_quiet import registry_for as quiet_registry
    return quiet_registry(base_url)


# -- growing a file ------------------------------------------------------------------------------


def _shift(column: str) -> str:
    return f"({column} - to_days(CAST(c.n * {SPAN_DAYS} AS INTEGER)))"


def _url(column: str) -> str:
    return f"{column} || 'g/' || c.n || '/'"


def _rid(column: str = "release_id") -> str:
    return f"{column} || {SUFFIX}"


def grow(db: Path, size: int) -> int:
    """Add copies of every release (and of every row that hangs on one) until ``size`` are held; returns the count."""
    con = duckdb.connect(str(db))
    try:
        held = con.execute("SELECT count(*) FROM releases").fetchone()[0]
        # A sitemap is a complete listing: releases of its source that it does not list are checked for
        # removal, so copies there would turn the timed run into a recheck of thousands of pages.
        con.execute("""CREATE TEMP TABLE grown AS SELECT release_id FROM releases
                       WHERE source_id IN (SELECT source_id FROM sources WHERE kind <> 'sitemap')""")
        (copied,) = con.execute("SELECT count(*) FROM grown").fetchone()
        copies = max(0, -(-(size - held) // copied))  # ceil
        if not copies:
            return held
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE TEMP TABLE copies AS SELECT range AS n FROM range(1, ?)", [copies + 1])
        statements = [
            f"""INSERT INTO releases SELECT r.* REPLACE ({_rid('r.release_id')} AS release_id, {_url('r.url')} AS url,
                    {_url('r.canonical_url')} AS canonical_url, {_rid('r.cluster_id')} AS cluster_id,
                    {_rid('r.content_hash')} AS content_hash, {_rid('r.text_hash')} AS text_hash,
                    {_rid('r.translation_key')} AS translation_key, left(r.body_text, 300) AS body_text,
                    {_shift('r.published_at')} AS published_at, {_shift('r.updated_at')} AS updated_at,
                    {_shift('r.first_seen_at')} AS first_seen_at)
                FROM releases r, copies c WHERE r.release_id IN (SELECT release_id FROM grown)""",
            # The table behind the view release_versions (a current version's text is NULL there: it stays so).
            f"""INSERT INTO release_versions_stored SELECT v.* REPLACE ({_rid('v.release_id')} AS release_id,
                    {_rid('v.content_hash')} AS content_hash, left(v.body_text, 300) AS body_text,
                    {_shift('v.published_at')} AS published_at, {_shift('v.seen_at')} AS seen_at)
                FROM release_versions_stored v, copies c WHERE v.release_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO fetches SELECT f.* REPLACE (f.fetch_id || {SUFFIX} AS fetch_id, {_url('f.url')} AS url)
                FROM fetches f, copies c WHERE f.purpose IN ('new', 'entry')
                  AND f.source_id IN (SELECT source_id FROM sources WHERE kind <> 'sitemap')""",
            f"""INSERT INTO release_listings SELECT l.* REPLACE ({_rid('l.release_id')} AS release_id, {_url('l.url')} AS url)
                FROM release_listings l, copies c WHERE l.release_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO release_links SELECT l.* REPLACE ({_rid('l.release_id')} AS release_id,
                    {_rid('l.other_id')} AS other_id, {_url('l.other_url')} AS other_url)
                FROM release_links l, copies c WHERE l.release_id IN (SELECT release_id FROM grown) AND l.other_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO release_events SELECT e.* REPLACE ({_rid('e.release_id')} AS release_id)
                FROM release_events e, copies c WHERE e.release_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO release_signatures SELECT s.* REPLACE ({_rid('s.release_id')} AS release_id,
                    {_rid('s.content_hash')} AS content_hash)
                FROM release_signatures s, copies c WHERE s.release_id IN (SELECT release_id FROM grown)""",
            # Distinct texts have distinct buckets: a copy's are its original's re-hashed.
            f"""INSERT INTO release_bands SELECT b.band, hash(b.bucket, c.n), {_rid('b.release_id')}
                FROM release_bands b, copies c WHERE b.release_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO release_event_keys SELECT k.* REPLACE ({_rid('k.release_id')} AS release_id,
                    {_shift('k.event_day')}::DATE AS event_day)
                FROM release_event_keys k, copies c WHERE k.release_id IN (SELECT release_id FROM grown)""",
            f"""INSERT INTO same_event_links SELECT l.* REPLACE ({_rid('l.release_id')} AS release_id,
                    {_rid('l.other_id')} AS other_id, {_shift('l.event_day')}::DATE AS event_day,
                    {_shift('l.other_event_day')}::DATE AS other_event_day)
                FROM same_event_links l, copies c WHERE l.release_id IN (SELECT release_id FROM grown) AND l.other_id IN (SELECT release_id FROM grown)""",
        ]
        for sql in statements:
            con.execute(sql)
        _grow_search(con)
        con.execute("CHECKPOINT")
        return con.execute("SELECT count(*) FROM releases").fetchone()[0]
    finally:
        con.close()


def _grow_search(con: duckdb.DuckDBPyConnection) -> None:
    """The copies in the search tables and their fts indexes, as an in-place update would have left them."""
    from govpress.store import search, search_update

    tables = [f.table for f in search.FAMILIES] + [search.NAMES_TABLE]
    for table in tables:
        s = f"fts_main_{table}"
        con.execute(f"""INSERT INTO {table} SELECT t.* REPLACE ({_rid('t.release_id')} AS release_id)
                        FROM {table} t, copies c WHERE t.release_id IN (SELECT release_id FROM grown)""")
        (width,) = con.execute(f"SELECT coalesce(max(docid), -1) + 1 FROM {s}.docs").fetchone()
        con.execute(f"""CREATE OR REPLACE TEMP TABLE grown_docs AS
                        SELECT docid, row_number() OVER (ORDER BY docid) - 1 AS k FROM {s}.docs
                        WHERE name IN (SELECT release_id FROM grown)""")
        (count,) = con.execute("SELECT count(*) FROM grown_docs").fetchone()
        new_docid = f"{width} + (c.n - 1) * {count} + g.k"
        con.execute(f"""UPDATE {s}.dict SET df = {s}.dict.df + g.n * (SELECT count(*) FROM copies)
                        FROM (SELECT termid, count(DISTINCT docid) AS n FROM {s}.terms
                              WHERE docid IN (SELECT docid FROM grown_docs) GROUP BY termid) g
                        WHERE {s}.dict.termid = g.termid""")
        con.execute(f"""INSERT INTO {s}.docs SELECT {new_docid}, {_rid('d.name')}, d.len
                        FROM {s}.docs d JOIN grown_docs g USING (docid), copies c""")
        con.execute(f"""INSERT INTO {s}.terms SELECT {new_docid}, t.fieldid, t.termid
                        FROM {s}.terms t JOIN grown_docs g USING (docid), copies c""")
        con.execute(f"DELETE FROM {s}.stats")
        con.execute(f"INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(docid) FROM {s}.docs")
    search_update.ensure_state(con)
    con.execute(f"""INSERT INTO {search_update.STATE_TABLE} SELECT r.release_id, {search_update.STAMP} FROM releases r
                    WHERE r.release_id NOT IN (SELECT release_id FROM {search_update.STATE_TABLE})""")


# -- timing a run --------------------------------------------------------------------------------


class Stages:
    """Seconds spent in the store calls that make a run's stages, summed over the run."""

    CALLS = {"load": ("load_batch",), "index": ("rebuild_search_index", "rebuild_search_index_apart"),
             "snapshot": ("publish_snapshot",)}

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        for stage, names in self.CALLS.items():
            for name in names:
                setattr(Store, name, self._timed(stage, getattr(Store, name)))

    def _timed(self, stage: str, method):
        def timed(store, *args, **kwargs):
            started = time.perf_counter()
            try:
                return method(store, *args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started
        return timed

    def take(self) -> dict[str, float]:
        out = {stage: self.seconds.get(stage, 0.0) for stage in self.CALLS}
        self.seconds.clear()
        return out


class Statements:
    """Seconds of every SQL statement of the loads and the index update (bench/profile_load.py's proxy)."""

    def __init__(self) -> None:
        from bench.profile_load import Timed
        from govpress.store import connection

        self.stats: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
        load_batch, rebuild = connection.loader.load_batch, connection.search.rebuild_search_index

        def timed_load(con, batch):
            return load_batch(Timed(con, self.stats), batch)

        def timed_rebuild(con, **kwargs):
            return rebuild(Timed(con, self.stats), **kwargs)

        connection.loader.load_batch = timed_load
        connection.search.rebuild_search_index = timed_rebuild

    def take(self, top: int) -> list[dict]:
        rows = sorted(self.stats.items(), key=lambda kv: -kv[1][0])[:top]
        self.stats.clear()
        return [{"statement": k, "seconds": w, "cpu": c, "calls": n} for k, (w, c, n) in rows]


def ingest(registry: Registry, db: Path, flow: str):
    return asyncio.run(run_ingest(registry, registry.source, db=db, params=RunParams(), base_dir=db.parent, flow=flow))


def timed_run(registry: Registry, db: Path, stages: Stages) -> dict:
    stages.take()
    started = time.perf_counter()
    result = ingest(registry, db, "bench-growth")
    seconds = time.perf_counter() - started
    if any(o.status != "ok" for o in result.outcomes):
        raise SystemExit(f"a source failed: {[(o.source_id, o.status, o.message) for o in result.outcomes]}")
    return {"seconds": seconds, **stages.take(), "fetched": result.counts["fetched"], "new": result.counts["new"], "updated": result.counts["updated"],
            "duplicate": result.counts["duplicate"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, action="append",
                        help="releases held before the run (repeatable); default 0 (the base), 100000 and 1000000")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per size, each on a fresh copy")
    parser.add_argument("--per-source", type=int, default=400, help="pages per edition of the generated site")
    parser.add_argument("--keep", type=Path, help="keep the grown files in this folder (reused when there)")
    parser.add_argument("--statements", type=int, default=0,
                        help="print the N statements of the loads and the index update that took longest, per size")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    sizes = args.size or [0, 100_000, 1_000_000]
    logging.basicConfig(level=logging.WARNING)
    stages = Stages()
    statements = Statements() if args.statements else None
    out: dict = {"sizes": {}, "per_source": args.per_source}
    with tempfile.TemporaryDirectory(prefix="govpress-growth-") as tmp:
        root = Path(tmp)
        keep = args.keep or root
        keep.mkdir(parents=True, exist_ok=True)
        # Kept files are reused by a later call with the same --keep: the site is served on the same port
        # (its URLs, and so the release ids, name it).
        port_file = keep / "port"
        port = int(port_file.read_text()) if port_file.exists() else 0
        if not (keep / "new").exists():
            generate_site(keep / "old", per_source=args.per_source, as_of=CUT)
            generate_site(keep / "new", per_source=args.per_source)
        with LocalSiteServer(keep / "old", port=port) as server:
            registry = registry_for(server.base_url)
            port_file.write_text(str(server.port))
            base = keep / "base" / "govpress.duckdb"
            if not base.exists():
                base.parent.mkdir()
                ingest(registry, base, "bench-first")
                ingest(registry, base, "bench-settle")  # validators settle: the timed runs differ only in what is new
            server.root = (keep / "new").resolve()
            for size in sizes:
                grown = keep / f"grown-{size}" / "govpress.duckdb"
                started = time.perf_counter()
                if not grown.exists():
                    shutil.rmtree(grown.parent, ignore_errors=True)
                    shutil.copytree(base.parent, grown.parent)
                    (grown.parent / "govpress.snapshot.duckdb").unlink(missing_ok=True)
                held = grow(grown, size)
                grow_seconds = time.perf_counter() - started
                runs = []
                for _ in range(args.repeat):
                    db = root / "run" / "govpress.duckdb"
                    shutil.rmtree(db.parent, ignore_errors=True)
                    shutil.copytree(grown.parent, db.parent)
                    if statements is not None:
                        statements.take(0)
                    runs.append(timed_run(registry, db, stages))
                    shutil.rmtree(db.parent)
                row = {"held": held, "grow_seconds": grow_seconds, "file_mb": grown.stat().st_size / 2**20,
                       "fetched": runs[-1]["fetched"], "new": runs[-1]["new"], "duplicate": runs[-1]["duplicate"], "updated": runs[-1]["updated"],
                       **{k: statistics.median(r[k] for r in runs) for k in ("seconds", "load", "index", "snapshot")},
                       "runs": runs, "loadavg": os.getloadavg()}
                out["sizes"][str(size)] = row
                if not args.json:
                    print(f"{held:>9,} held ({row['file_mb']:,.0f} MB, grown in {grow_seconds:.0f} s): run "
                          f"{row['seconds']:6.2f} s, load {row['load']:6.2f} s, index {row['index']:5.2f} s, "
                          f"snapshot {row['snapshot']:5.2f} s (median of {args.repeat}; fetched {row['fetched']}, new {row['new']}, "
                          f"duplicate {row['duplicate']}, updated {row['updated']}; load average "
                          f"{' '.join(f'{x:.1f}' for x in row['loadavg'])})", flush=True)
                if statements is not None:
                    row["statements"] = statements.take(args.statements)
                    if not args.json:
                        for st in row["statements"]:
                            print(f"    {st['seconds']:6.2f} s {st['calls']:4d}x  {st['statement']}")
                if args.keep is None:
                    shutil.rmtree(grown.parent)
    first, last = out["sizes"][str(sizes[0])], out["sizes"][str(sizes[-1])]
    out["ratio"] = {k: last[k] / first[k] if first[k] else None for k in ("seconds", "load", "index", "snapshot")}
    if args.json:
        print(json.dumps(out))
    else:
        print("largest/smallest: " + ", ".join(f"{k} {v:.2f}x" for k, v in out["ratio"].items() if v is not None))


if __name__ == "__main__":
    main()
