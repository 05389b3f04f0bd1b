"""The search index after an ingest: updated in place (what a run does) against rebuilt whole (what it did).

Run: ``uv run python bench/bench_search_update.py [--n 100000] [--changed 50]``. Not part of the test suite.

N generated releases in six languages (bench/bench_search.py's corpus) are indexed whole; then an
ingest's worth of change arrives (``--changed`` new releases and as many edited ones) and
``rebuild_search_index`` updates the index in place (govpress/store/search_update.py). Printed,
measured in the same run: the whole build, the in-place update, an update with nothing changed, and
whether every bench query returns the same releases, scores and snippets as a whole rebuild of the
same data. ``--json`` prints one line for ``python -m bench``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_search import BENCH_QUERIES, corpus, load  # noqa: E402

from govpress.store import Store, search_releases  # noqa: E402


def answers(store: Store) -> dict[str, list[tuple]]:
    with store.reader() as con:
        return {q: [(h.release_id, h.score, h.snippet) for h in search_releases(con, q, 20)] for q in BENCH_QUERIES}


def compare(ours: dict, theirs: dict) -> tuple[bool, float]:
    """Same releases in the same order with the same snippets; the largest relative score difference.

    Scores are sums of floats whose order DuckDB's parallel aggregation does not fix, so the same
    query on the same index can differ in the last bits (printed beside it): a difference of that
    size is the same result.
    """
    same, largest = True, 0.0
    for q in ours:
        a, b = ours[q], theirs[q]
        if [(r, snip) for r, _, snip in a] != [(r, snip) for r, _, snip in b]:
            same = False
        for (_, x, _), (_, y, _) in zip(a, b):
            largest = max(largest, abs(x - y) / max(abs(x), abs(y), 1e-300))
    return same and largest < 1e-9, largest


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="releases indexed before the ingest")
    parser.add_argument("--changed", type=int, default=50, help="releases the ingest adds (and as many it edits)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-search-update-") as tmp:
        store = Store(Path(tmp) / "bench.duckdb")
        store.migrate()
        rows = corpus(args.n + args.changed)
        load(store, rows.slice(0, args.n))
        whole, _ = timed(lambda: store.rebuild_search_index(full=True))
        load(store, rows.slice(args.n))
        with store.writer() as con:  # edits: every 997th release gains a sentence
            con.execute("UPDATE releases SET body_text = body_text || ' Дополнение к сообщению. Addendum.' "
                        "WHERE release_id IN (SELECT release_id FROM releases ORDER BY release_id LIMIT ?)",
                        [args.changed])
        update, indexed = timed(store.rebuild_search_index)
        in_place = answers(store)
        unchanged, nothing = timed(store.rebuild_search_index)
        rebuilt_s, _ = timed(lambda: store.rebuild_search_index(full=True))
        rebuilt = answers(store)
        again = answers(store)
    same, score_diff = compare(in_place, rebuilt)
    if not same:
        print(f"differences: {[(q, in_place[q][:3], rebuilt[q][:3]) for q in BENCH_QUERIES if in_place[q] != rebuilt[q]]}")
    print(f"the same query twice on the rebuilt index: largest score difference {compare(rebuilt, again)[1]:.2e}")
    out = {"releases": args.n, "changed": indexed, "whole_s": round(whole, 2), "update_s": round(update, 3),
           "unchanged_s": round(unchanged, 3), "rebuild_again_s": round(rebuilt_s, 2),
           "speedup": round(whole / update, 1), "identical_results": same, "largest_score_difference": score_diff}
    if args.json:
        print(json.dumps(out))
        return
    print(f"{args.n:,} releases: whole index {whole:.1f} s (again: {rebuilt_s:.1f} s); after an ingest of "
          f"{args.changed} new + {args.changed} edited ({indexed} reindexed): in place {update:.2f} s "
          f"({whole / update:.0f}x faster); nothing changed ({nothing}): {unchanged:.2f} s; "
          f"results identical to a rebuild: {'yes' if same else 'NO'} (largest relative score difference "
          f"{score_diff:.1e})")


if __name__ == "__main__":
    main()
