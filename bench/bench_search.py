"""Benchmark of full-text search over N generated releases (default 100,000) in six languages.

Synthetic corpus: releases in ru, be, uk, az, en and de (equal shares), ~150 words each, drawn
Zipf-like from a per-language vocabulary of 5,000 generated words in the language's alphabet plus
the real words of the labelled mini-set (tests/unit/analysis/search_miniset.py), with capitalised
names (Asadov / Асадов / Əsədov) sprinkled in. Rows are inserted straight into ``releases`` (the
bench measures search, not loading). Prints, measured in the same run:

- index build: seconds and releases/s (``rebuild_search_index``: normalisation in SQL + fts);
- query latency (median and worst of each query, with 20 snippets) through ``search_releases``;
- scoring through fts's own ``match_bm25`` over the ru/be/uk table alone, with the query as a
  literal (what no macro can pass it) and normalised in the call (what a macro would do), beside
  ``search_releases`` (all six indexes, the ranking and one snippet);
- Azerbaijani normalisation on the mini-set: DuckDB's Turkish Snowball stemmer against the
  suffix readings the search uses (recall, precision): why a hand-written stripper.

    uv run python bench/bench_search.py              # 100,000 releases (~8 min on 2 shared cores)
    uv run python bench/bench_search.py --n 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "analysis"))

from search_miniset import DOCS, QUERIES, score  # noqa: E402

from govpress.store import Store, search_releases  # noqa: E402

ALPHABETS = {"ru": "абвгдежзиклмнопрстуфхцчшыэюя", "be": "абвгдежзiклмнопрстуўфхцчшыэюя",
             "uk": "абвгдежзиіїклмнопрстуфхцчшщюяє", "az": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz",
             "en": "abcdefghijklmnopqrstuvwxyz", "de": "abcdefghijklmnopqrstuvwxyzäöüß"}
NAMES = {"ru": ["Асадов", "Лукашенко", "Алиев"], "be": ["Асадаў", "Лукашэнка", "Аліеў"], "uk": ["Асадов", "Лукашенко"],
         "az": ["Əsədov", "Əliyev", "Lukaşenko"], "en": ["Asadov", "Lukashenko", "Aliyev"], "de": ["Assadow", "Lukaschenko"]}
BENCH_QUERIES = ("визиты", "бюджэт", "співпраці", "səfəri", "greetings", "Haushalts", "Asadov", "визит премьер-министра")
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def vocabulary(rng: random.Random, language: str, size: int = 5000) -> tuple[list[str], list[float]]:
    letters = ALPHABETS[language]
    generated = {"".join(rng.choices(letters, k=rng.randint(3, 11))) for _ in range(size)}
    real = {w.strip(".,").lower() for d in DOCS if d.language == language for w in d.body.split()}
    words = sorted(generated | real)
    rng.shuffle(words)
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def corpus(n: int, seed: int = 13) -> pa.Table:
    rng = random.Random(seed)
    languages = list(ALPHABETS)
    vocab = {lang: vocabulary(rng, lang) for lang in languages}
    rows = []
    for i in range(n):
        lang = languages[i % len(languages)]
        words, weights = vocab[lang]
        body = rng.choices(words, weights=weights, k=rng.randint(120, 180))
        for _ in range(rng.randint(0, 3)):
            body.insert(rng.randrange(1, len(body)), rng.choice(NAMES[lang]))
        text = " ".join(body).capitalize() + "."
        title = " ".join(rng.choices(words, weights=weights, k=8)).capitalize()
        rid = f"r{i:07d}"
        published = START + timedelta(minutes=17 * i)
        rows.append({"release_id": rid, "source_id": f"bench_{lang}", "url": f"https://bench.example/{lang}/{rid}",
                     "language": lang, "title": title, "body_text": text, "published_at": published})
    return pa.Table.from_pylist(rows)


def load(store: Store, table: pa.Table) -> None:
    with store.writer() as con:
        con.register("bench_rows", table)
        con.execute(
            """INSERT INTO releases (release_id, source_id, url, canonical_url, language, title, body_text, published_at,
                   published_precision, content_hash, version, cluster_id, parser, parser_version, first_seen_at,
                   last_seen_at, run_id)
               SELECT release_id, source_id, url, url, language, title, body_text, published_at, 'minute',
                      md5(body_text), 1, release_id, 'bench', '1', published_at, published_at, 'bench'
               FROM bench_rows""")
        con.unregister("bench_rows")


def timed(fn, repeat: int = 3) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def az_comparison(store: Store) -> None:
    """Recall/precision of the az mini-set with the search's suffix readings vs DuckDB's Turkish stemmer."""
    az_docs = [d for d in DOCS if d.language == "az"]
    az_queries = [q for q in QUERIES if q.language == "az" and q.filter_language]
    with store.reader() as con:
        def match(norm_sql: str) -> dict:
            def forms(text: str) -> set[str]:
                words = con.execute("SELECT search_words(?)", [text]).fetchone()[0]
                return {f for w in words for f in con.execute(f"SELECT {norm_sql}", [w]).fetchone()[0]}
            doc_forms = {d.release_id: forms(d.title + " " + d.body) for d in az_docs}
            return {q: {rid for rid, f in doc_forms.items() if forms(q.text) & f} for q in az_queries}

        readings = match("search_norm(?, 'az')")
        turkish = match("[stem(replace(?, 'ə', 'e'), 'turkish')]")
    for name, results in (("suffix readings (used)", readings), ("Turkish Snowball", turkish)):
        relevant = sum(len(q.expected) for q in az_queries)
        found = sum(len(results[q]) for q in az_queries)
        correct = sum(len(results[q] & q.expected) for q in az_queries)
        print(f"  az {name:24s} recall {correct / relevant:.2f}  precision {correct / found if found else 1:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="releases to generate")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.migrate()
        started = time.perf_counter()
        load(store, corpus(args.n))
        print(f"generated and inserted {args.n:,} releases in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        store.rebuild_search_index()
        build = time.perf_counter() - started
        print(f"index build: {build:.1f} s ({args.n / build:,.0f} releases/s)")
        with store.reader() as con:
            print(f"{'query':28s} {'hits':>5s} {'median ms':>10s} {'worst ms':>9s}")
            medians = []
            for q in BENCH_QUERIES:
                hits = []
                runs = timed(lambda: hits.append(len(search_releases(con, q, 20))))
                medians.append(statistics.median(runs))
                print(f"{q:28s} {hits[-1]:5d} {1000 * statistics.median(runs):10.0f} {1000 * max(runs):9.0f}")
            print(f"median over queries: {1000 * statistics.median(medians):.0f} ms per search (20 hits with snippets)")
            terms = con.execute("SELECT array_to_string(search_terms('визиты', 'ru'), ' ')").fetchone()[0]
            ours = timed(lambda: con.execute("SELECT count(*) FROM search_releases('визиты', lang := 'ru', max_hits := 1)").fetchall())
            literal = timed(lambda: con.execute(
                f"SELECT count(*) FROM (SELECT fts_main_search_ru.match_bm25(release_id, '{terms}') AS s FROM search_ru) "
                "WHERE s IS NOT NULL").fetchall())
            expression = timed(lambda: con.execute(
                "SELECT count(*) FROM (SELECT fts_main_search_ru.match_bm25(release_id, "
                "array_to_string(search_terms('визиты', 'ru'), ' ')) AS s FROM search_ru) WHERE s IS NOT NULL").fetchall(), 1)
            o, lit, ex = statistics.median(ours), statistics.median(literal), statistics.median(expression)
            print(f"scoring 'визиты' with lang ru:\n"
                  f"  search_releases (6 indexes read as tables, ranking, 1 snippet) {1000 * o:8.0f} ms\n"
                  f"  fts match_bm25 on search_ru, query as a literal                 {1000 * lit:8.0f} ms  ({lit / o:.2f}x)\n"
                  f"  fts match_bm25 on search_ru, query normalised in the call       {1000 * ex:8.0f} ms  ({ex / o:.2f}x)")
        print("Azerbaijani normalisation on the labelled mini-set:")
        az_comparison(store)


if __name__ == "__main__":
    main()
