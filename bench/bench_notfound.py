"""What the soft-404 detector (govpress/parsers/notfound.py) finds and costs, next to main's detector and one parse.

Run: ``uv run python bench/bench_notfound.py [--rounds 5] [--baseline REV]``. Reads, in place, every
HTML page we hold: the saved real pages in ../shared/pages (GOVPRESS_SHARED overrides), the
extraction sets and event fixtures under tests/fixtures, the constructed pages of
govpress/demo/sites and a demo site generated into a temporary folder; and the invented templates
and near-miss releases of tests/fixtures/notfound_templates.py. Prints, for this checkout and for
the detector at ``--baseline`` (default ``main``, read with ``git show``):

- pages scanned and false positives (pages taken for not-found pages; must be 0),
- templates detected / missed, near-miss releases wrongly detected,
- milliseconds per page, median of the rounds, the two detectors alternated in each round, called
  as the parsers call them (this checkout with the lxml tree the parser built), beside one lxml
  parse of the same text and one whole generic parse (parsers.generic, which runs the detector), and
  the load average. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

from govpress.demo.localsite import generate_site
from govpress.parsers.html.tree import decode_page, parse_html_text
from govpress.parsers import ParseContext, ParseError
from govpress.parsers.generic import parse as generic_parse
from govpress.parsers.notfound import not_found_reason

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from notfound_templates import CONTENT, TEMPLATES  # noqa: E402  (test data, read in place)


def baseline(rev: str):
    """``not_found_reason`` of parsers/notfound.py at ``rev``, loaded as a module of its own."""
    source = subprocess.run(["git", "show", f"{rev}:parsers/notfound.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType("notfound_baseline")
    exec(compile(source, f"{rev}:parsers/notfound.py", "exec"), module.__dict__)  # noqa: S102  (our own file)
    return module.not_found_reason


def corpus(tmp: Path) -> list[Path]:
    generate_site(tmp / "site", per_source=40)
    fixtures = ROOT / "tests" / "fixtures"
    return (sorted((SHARED / "pages").rglob("*.html")) + sorted(fixtures.glob("extraction*/**/*.html"))
            + sorted(fixtures.glob("events/*.html")) + sorted((ROOT / "govpress" / "demo" / "sites").rglob("*.html"))
            + sorted((tmp / "site").rglob("*.html")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", default="main")
    args = parser.parse_args()
    old = baseline(args.baseline)
    with tempfile.TemporaryDirectory() as tmp:
        paths = corpus(Path(tmp))
        texts = [decode_page(p.read_bytes(), None) for p in paths]
    trees = [parse_html_text(t) for t in texts]
    shared = sum(1 for p in paths if SHARED in p.parents)
    print(f"pages scanned: {len(texts)} ({shared} saved real pages{'' if shared else ': ../shared absent'})")
    for name, detect in (("this checkout", lambda t, r: not_found_reason(t, r)), (args.baseline, lambda t, r: old(t))):
        false = [str(p) for p, t, r in zip(paths, texts, trees) if detect(t, r)]
        found = [n for n, page in TEMPLATES if detect(page, parse_html_text(page))]
        near = [n for n, page in CONTENT if detect(page, parse_html_text(page))]
        print(f"{name}: false positives {len(false)} {false[:5]}; templates detected {len(found)}/{len(TEMPLATES)}, "
              f"missed {[n for n, _ in TEMPLATES if n not in found]}; near-miss releases detected {len(near)}/{len(CONTENT)} {near}")
    bodies = [t.encode("utf-8") for t in texts]
    ctx = ParseContext(source_id="bench", timezone="UTC", languages=())

    def generic_all() -> None:
        for body in bodies:
            try:
                generic_parse(body, "https://gov.example/news/1", ctx)
            except ParseError:
                pass  # a constructed challenge page, a not-found page: refused, as in the pipeline

    samples: dict[str, list[float]] = {"new": [], "old": [], "parse": [], "generic": []}
    for _ in range(args.rounds):  # alternate the code bases in each round: the machine is shared and noisy
        for key, work in (("new", lambda: [not_found_reason(t, r) for t, r in zip(texts, trees)]),
                          ("old", lambda: [old(t) for t in texts]),
                          ("parse", lambda: [parse_html_text(t) for t in texts]), ("generic", generic_all)):
            started = time.perf_counter()
            work()
            samples[key].append((time.perf_counter() - started) / len(texts) * 1000.0)
    new, prev, parse, whole = (statistics.median(samples[k]) for k in ("new", "old", "parse", "generic"))
    print(f"ms per page (median of {args.rounds} rounds): this checkout {new:.3f}, {args.baseline} {prev:.3f}, "
          f"lxml parse {parse:.3f}, generic parse {whole:.2f}; detector/lxml parse {new / parse:.0%} (was "
          f"{prev / parse:.0%}), detector/generic parse {new / whole:.1%} (was {prev / whole:.1%}); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
