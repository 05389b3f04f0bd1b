"""Benchmark of Store.load_batch: rows/s loading N releases fresh, then re-loading them unchanged.

Both are measured in the same run on the same machine (the ratio is what to compare across
machines), beside a plain Arrow insert of the same rows into a table with no key (the peer:
what DuckDB itself takes). The releases carry their MinHash signatures, as the pipeline's parse
workers deliver them (govpress.dedupe.keys.text_keys), with the names same-event matching reads and
the exact text hash the record stores; computing those is timed apart, per core. ``--unsigned`` leaves
them all out, so the load computes them from the stored text itself. Also times rebuild_search_index
over the loaded releases.

    uv run python bench/bench_load.py            # 5,000 releases of ~3 KB, batches of 5,000
    uv run python bench/bench_load.py --n 20000 --batch-size 1000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from govpress.store import LoadBatch, ReleaseRow, Store

SEEN = datetime(2025, 2, 1, tzinfo=timezone.utc)
WORDS_RU = ("правительство визит министр заседание бюджет соглашение сотрудничество развитие экономика регион "
            "президент делегация переговоры программа проект встреча вопрос решение поддержка").split()
WORDS_EN = ("government visit minister meeting budget agreement cooperation development economy region "
            "president delegation talks programme project question decision support").split()


def synthetic_releases(n: int, seed: int = 1) -> list[ReleaseRow]:
    """n releases of ~3 KB text, half Russian, half English; 5% exact copies of an earlier one, pairs translated."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows: list[ReleaseRow] = []
    for i in range(n):
        language = "ru" if i % 2 == 0 else "en"
        words = WORDS_RU if language == "ru" else WORDS_EN
        if rows and rng.random() < 0.05:
            body = rows[rng.randrange(len(rows))].body_text
        else:
            body = "\n\n".join(" ".join(rng.choices(words, k=60)).capitalize() + "." for _ in range(5))
        title = " ".join(rng.choices(words, k=6)).capitalize()
        url = f"https://gov.example/{language}/news/{i}"
        rows.append(ReleaseRow(
            release_id=hashlib.sha1(url.encode()).hexdigest()[:16], source_id=f"bench_{language}", url=url,
            canonical_url=url, language=language, title=title, subtitle=None, lead=None, body_text=body,
            published_at=start + timedelta(minutes=i), published_precision="minute", updated_at=None, place=None,
            tags=["bench"], kind="news", translation_key=f"bench:{i // 2}",
            content_hash=hashlib.sha256(body.encode()).hexdigest()[:32], parser="generic", parser_version="1",
            archive_key=f"sha256:{i:08d}", seen_at=SEEN,
        ))
    return rows


def sign(rows: list[ReleaseRow]) -> float:
    """Give each row its signature, names and exact text hash as a parse worker would (text_keys); returns the
    seconds it took (one core)."""
    from govpress.dedupe import names, neardup, versions

    started = time.perf_counter()
    for row in rows:
        row.minhash = neardup.signature(neardup.release_text(row.title, row.subtitle, row.lead, row.body_text))
        row.names = names.release_names((row.title, row.subtitle, row.lead), row.body_text)
        row.text_hash = versions.text_hash(row)
    return time.perf_counter() - started


def plain_insert(rows: list[ReleaseRow]) -> float:
    """Seconds for one Arrow insert of the rows' columns into a fresh table with no key (DuckDB's own pace)."""
    import duckdb
    import pyarrow as pa

    columns = ("release_id", "source_id", "url", "title", "body_text", "content_hash", "published_at")
    rows_table = pa.table({c: [getattr(r, c) for r in rows] for c in columns})
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "plain.duckdb"))
        con.execute("CREATE TABLE t AS SELECT * FROM rows_table LIMIT 0")
        started = time.perf_counter()
        con.execute("INSERT INTO t SELECT * FROM rows_table")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - started
        con.close()
    return seconds


def load_all(store: Store, rows: list[ReleaseRow], batch_size: int, run_id: str) -> tuple[float, dict[str, int]]:
    totals: dict[str, int] = {}
    started = time.perf_counter()
    for offset in range(0, len(rows), batch_size):
        counts = store.load_batch(LoadBatch(run_id=run_id, source_id="bench", releases=rows[offset:offset + batch_size]))
        for key, value in counts.as_dict().items():
            totals[key] = totals.get(key, 0) + value
    return time.perf_counter() - started, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000, help="releases to load")
    parser.add_argument("--batch-size", type=int, default=5000, help="releases per load_batch call")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (fresh file each); medians are printed")
    parser.add_argument("--unsigned", action="store_true", help="rows without signatures: the load computes them")
    parser.add_argument("--json", action="store_true", help="print one JSON line (for python -m bench)")
    args = parser.parse_args()

    rows = synthetic_releases(args.n)
    sign_s = sign(rows) if not args.unsigned else float("nan")
    plain_s = plain_insert(rows)
    mean_kb = sum(len(r.body_text.encode()) for r in rows) / len(rows) / 1024
    fresh_times, again_times = [], []
    with tempfile.TemporaryDirectory() as folder:
        for attempt in range(args.repeat):  # a fresh file each time; the machine is shared, so take the median
            store = Store(Path(folder) / f"bench-{attempt}.duckdb")
            store.migrate()
            with store.session():  # one connection, as a run has
                store.frontier("bench")  # the file is opened here, not in the timed loads
                for row in rows:
                    row.seen_at = SEEN
                fresh_s, fresh_counts = load_all(store, rows, args.batch_size, "bench-1")
                for row in rows:
                    row.seen_at = SEEN + timedelta(hours=1)
                again_s, again_counts = load_all(store, rows, args.batch_size, "bench-2")
            fresh_times.append(fresh_s)
            again_times.append(again_s)
        index_started = time.perf_counter()
        store.rebuild_search_index()
        index_s = time.perf_counter() - index_started

    fresh_s, again_s = statistics.median(fresh_times), statistics.median(again_times)
    fresh_rate, again_rate = args.n / fresh_s, args.n / again_s
    if args.json:
        print(json.dumps({"rows": args.n, "batch": args.batch_size, "fresh_rows_per_s": fresh_rate,
                          "unchanged_rows_per_s": again_rate, "plain_rows_per_s": args.n / plain_s,
                          "sign_rows_per_s": args.n / sign_s, "index_docs_per_s": args.n / index_s}))
        return
    print(f"signatures, names, text hash (the parse workers' share): {args.n / sign_s:8.0f} rows/s on one core")
    print(f"plain Arrow insert of the same rows:   {args.n / plain_s:8.0f} rows/s")
    print(f"{args.n} releases of {mean_kb:.1f} KB in batches of {args.batch_size}, median of {args.repeat}")
    print(f"fresh load:       {fresh_s:6.2f} s  {fresh_rate:8.0f} rows/s  {fresh_counts}")
    print(f"unchanged reload: {again_s:6.2f} s  {again_rate:8.0f} rows/s  {again_counts}")
    print(f"ratio unchanged/fresh: {again_rate / fresh_rate:.1f}x")
    print(f"rebuild_search_index: {index_s:.2f} s ({args.n / index_s:.0f} docs/s)")

if __name__ == "__main__":
    main()
