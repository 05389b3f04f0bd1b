"""What the one challenge detector (govpress/parsers/blocked.py) costs a page, next to one parse of it.

Run: ``uv run python bench/bench_blocked.py [--rounds 5]``. Reads the saved real HTML pages in
../shared/pages (GOVPRESS_SHARED overrides) and the constructed pages of govpress/demo/sites, in
place. For each set it prints milliseconds per page, median of the rounds, for:

- the fetcher's check (raw bytes with a Content-Type, as govpress.fetch.classify calls it),
- the parsers' check (decoded text, as looks_blocked is called before a parse),
- one lxml parse of the same text (parsers.html.parse_html_text), the cost it is measured against,

and the two checks as a share of the parse, all from the same run. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from govpress.parsers.blocked import blocked_reason
from govpress.parsers.html import parse_html_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
HEADERS = {"content-type": "text/html; charset=utf-8"}


def per_page_ms(items: list, work: Callable[[object], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            work(item)
        samples.append((time.perf_counter() - started) / len(items) * 1000.0)
    return statistics.median(samples)


def measure(name: str, paths: list[Path], rounds: int) -> None:
    bodies = [p.read_bytes() for p in paths]
    texts = [b.decode("utf-8", "replace") for b in bodies]
    fetcher = per_page_ms(bodies, lambda b: blocked_reason(b, status=200, headers=HEADERS), rounds)
    parsers = per_page_ms(texts, lambda t: blocked_reason(t), rounds)
    parse = per_page_ms(texts, parse_html_text, rounds)
    size = sum(map(len, bodies)) / len(bodies) / 1024
    print(f"{name}: {len(paths)} pages, {size:.0f} KB on average")
    print(f"  fetcher's check {fetcher:.3f} ms   parsers' check {parsers:.3f} ms   lxml parse {parse:.2f} ms")
    print(f"  as a share of one parse: fetcher {fetcher / parse:.1%}, parsers {parsers / parse:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    real = sorted((SHARED / "pages").rglob("*.html"))
    if real:
        measure("saved real pages", real, args.rounds)
    else:
        print(f"no saved pages in {SHARED / 'pages'}: only the constructed ones are measured")
    measure("constructed pages", sorted((ROOT / "govpress" / "demo" / "sites").rglob("*.html")), args.rounds)


if __name__ == "__main__":
    main()
