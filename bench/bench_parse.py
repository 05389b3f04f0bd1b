"""Pages per second of govpress.parsers.generic.parse on the saved real article pages (one core, no network).

Run: ``uv run python bench/bench_parse.py [--rounds N] [--profile]``. Reads ../shared/pages
(GOVPRESS_SHARED overrides); prints per-page milliseconds and overall pages/s, median of rounds.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from govpress.parsers import generic
from govpress.parsers.release import ParseContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # real_pages.py beside this script, also when it is not run as one
from real_pages import REAL_PAGES  # noqa: E402  the real saved pages: one table for the parser benchmarks
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))


def load() -> list[tuple[str, bytes, ParseContext]]:
    return [
        (name, (SHARED / "pages" / name).read_bytes(), ParseContext(timezone=zone))
        for name, zone in REAL_PAGES.items()
        if (SHARED / "pages" / name).exists()
    ]


def one_round(pages: list[tuple[str, bytes, ParseContext]]) -> dict[str, float]:
    times = {}
    for name, body, ctx in pages:
        start = time.perf_counter()
        generic.parse(body, "https://example.org/" + name, ctx)
        times[name] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    args = parser.parse_args()
    pages = load()
    if not pages:
        raise SystemExit(f"no saved pages under {SHARED / 'pages'}")
    one_round(pages)  # warm-up: language model, regex compilation, imports
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        one_round(pages)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    rounds = [one_round(pages) for _ in range(args.rounds)]
    for name, _, _ in pages:
        print(f"{statistics.median(r[name] for r in rounds) * 1000:8.1f} ms  {name}")
    totals = [sum(r.values()) for r in rounds]
    total = statistics.median(totals)
    size = sum(len(b) for _, b, _ in pages) / len(pages) / 1024
    print(f"{len(pages) / total:8.1f} pages/s  (median of {args.rounds} rounds, {len(pages)} pages, mean {size:.0f} KB)")


if __name__ == "__main__":
    main()
