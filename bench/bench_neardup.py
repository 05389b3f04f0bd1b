"""Benchmark of near-duplicate detection: MinHash signatures/s, bands/s, and link_near_duplicates releases/s in the store.

Synthetic corpus: N texts of ~300 words drawn (Zipf-like) from a 5,000-word vocabulary,
10% of them near copies of an earlier text (1-12 words replaced and a dateline added:
J ~ 0.7-0.97) and 3% exact copies. Prints throughput and what the linker found against
what was planted (planted pairs below the 0.8 threshold are expected to be missed).

    uv run python bench/bench_neardup.py               # 5,000 texts, batches of 500
    uv run python bench/bench_neardup.py --n 20000 --batch-size 1000
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from govpress.dedupe import neardup
from govpress.store import LoadBatch, ReleaseRow, Store
from govpress.store.nearlinks import link_near_duplicates

SEEN = datetime(2025, 2, 1, tzinfo=timezone.utc)
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def vocabulary(rng: random.Random, size: int = 5000) -> tuple[list[str], list[float]]:
    words = sorted({"".join(rng.choices(LETTERS, k=rng.randint(2, 11))) for _ in range(size * 2)})[:size]
    rng.shuffle(words)
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def paragraph(rng: random.Random, words: list[str], weights: list[float]) -> str:
    return " ".join(rng.choices(words, weights=weights, k=rng.randint(35, 65))).capitalize() + "."


def corpus(n: int, seed: int = 1) -> tuple[list[ReleaseRow], set[tuple[str, str]]]:
    """(rows, planted near pairs as (copy, original)); copies are published after their original."""
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    rows: list[ReleaseRow] = []
    planted: set[tuple[str, str]] = set()
    for i in range(n):
        release_id = f"r{i:06d}"
        roll = rng.random()
        if rows and roll < 0.10:
            original = rows[rng.randrange(len(rows))]
            copied = original.body_text.split(" ")
            for _ in range(rng.randint(1, 12)):  # each replaced word breaks up to 5 shingles: J ~ 0.7-0.97
                copied[rng.randrange(len(copied))] = rng.choices(words, weights=weights)[0]
            body, title = "МИНСК (Агентство) – " + " ".join(copied), original.title
            planted.add((release_id, original.release_id))
        elif rows and roll < 0.13:
            original = rows[rng.randrange(len(rows))]
            body, title = original.body_text, original.title
        else:
            body = "\n\n".join(paragraph(rng, words, weights) for _ in range(6))
            title = " ".join(rng.choices(words, weights=weights, k=7)).capitalize()
        url = f"https://gov.example/news/{i}"
        rows.append(ReleaseRow(
            release_id=release_id, source_id=f"bench_{i % 3}", url=url, canonical_url=url, language="ru",
            title=title, subtitle=None, lead=None, body_text=body, published_at=START + timedelta(minutes=i),
            published_precision="minute", updated_at=None, place=None, tags=[], kind="news", translation_key=None,
            content_hash=hashlib.sha256(f"{title}\x1f{body}".encode()).hexdigest()[:32], parser="generic",
            parser_version="1", archive_key=None, seen_at=SEEN,
        ))
    return rows, planted


def bench_signatures(rows: list[ReleaseRow]) -> None:
    texts = [neardup.release_text(r.title, r.subtitle, r.lead, r.body_text) for r in rows]
    words = sum(len(neardup.words(t)) for t in texts) / len(texts)
    neardup._word_hashes.clear()
    for label in ("cold word cache", "warm word cache"):
        started = time.perf_counter()
        sigs = [neardup.signature(t) for t in texts]
        elapsed = time.perf_counter() - started
        print(f"signature ({label}): {len(texts) / elapsed:,.0f} texts/s ({elapsed:.2f} s, {words:.0f} words/text)")
    started = time.perf_counter()
    for sig in sigs:
        neardup.bands(sig)
    elapsed = time.perf_counter() - started
    print(f"bands: {len(sigs) / elapsed:,.0f} signatures/s")


def bench_store(rows: list[ReleaseRow], planted: set[tuple[str, str]], batch_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.migrate()
        load_seconds = link_seconds = 0.0
        for run, label in (("run-1", "fresh"), ("run-2", "rerun, nothing changed")):
            load_seconds = link_seconds = 0.0
            written = 0
            for offset in range(0, len(rows), batch_size):
                chunk = rows[offset:offset + batch_size]
                started = time.perf_counter()
                store.load_batch(LoadBatch(run_id=run, source_id="bench", releases=chunk))
                load_seconds += time.perf_counter() - started
                started = time.perf_counter()
                with store.writer() as con:
                    con.begin()
                    written += link_near_duplicates(con, [r.release_id for r in chunk], now=SEEN, run_id=run)
                    con.commit()
                link_seconds += time.perf_counter() - started
            print(f"store ({label}, batches of {batch_size}): load_batch {len(rows) / load_seconds:,.0f} releases/s, "
                  f"link_near_duplicates {len(rows) / link_seconds:,.0f} releases/s ({link_seconds:.2f} s), "
                  f"{written} links written")
        with store.reader(fts=False) as con:
            found = set(con.execute(
                "SELECT release_id, other_id FROM release_links WHERE kind = 'near_duplicate'").fetchall())
            clustered = con.execute("SELECT count(*) FROM releases WHERE cluster_id <> release_id").fetchone()[0]
    by_id = {r.release_id: r for r in rows}

    def text(release_id: str) -> str:
        r = by_id[release_id]
        return neardup.release_text(r.title, r.subtitle, r.lead, r.body_text)

    planted_j = {pair: neardup.jaccard(text(pair[0]), text(pair[1])) for pair in planted}
    # Exact copies of a near copy (or of its original) are near too: judge every found pair by its true Jaccard.
    found_j = sorted(neardup.jaccard(text(a), text(b)) for a, b in found)
    print(f"planted near pairs: {len(planted)}; found near links: {len(found)} (true J of the weakest: "
          f"{found_j[0] if found_j else float('nan'):.3f}); releases in another's cluster: {clustered}")
    for low, high in ((0.0, 0.7), (0.7, 0.75), (0.75, 0.8), (0.8, 0.85), (0.85, 0.9), (0.9, 1.01)):
        band = {pair for pair, j in planted_j.items() if low <= j < high}
        print(f"  planted with {low:.2f} <= J < {min(high, 1.0):.2f}: {len(band):4d}, linked {len(band & found):4d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    rows, planted = corpus(args.n)
    bench_signatures(rows)
    bench_store(rows, planted, args.batch_size)


if __name__ == "__main__":
    main()
