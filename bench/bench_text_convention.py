"""What the one text convention costs and what it changes, over every parser's pages (one core, no network).

Run: ``uv run python bench/bench_text_convention.py [--rounds N] [--per-source N]``. Pages: the generated
demo site (generic), the constructed site pages (their site parsers), the saved real pages in
../shared/pages (GOVPRESS_SHARED overrides) and the seed, when present. Each page is parsed by its
parser module (``module.parse``, the raw output) and the convention step (``apply_text_convention``)
is timed on a copy of that output; prints the step's time as a share of the parse time (median of
rounds, both measured in this run) and, per parser, how many releases the step changed and how:
leads taken out of the body, excerpt leads dropped, title/subtitle repeats, chrome lines by kind.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from govpress.demo.localsite.generator import generate_site
from govpress.parsers import get_parser
from govpress.parsers.listings.feed import read_feed
from govpress.parsers.release import ParseContext, apply_text_convention
from govpress.parsers.text import chrome_kind, comparable_words

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
SITES = ROOT / "govpress" / "demo" / "sites"
Page = tuple[str, str, bytes, str, ParseContext]  # (label, parser, body, url, ctx)


def constructed() -> list[Page]:
    pages: list[Page] = []
    for path in sorted(SITES.rglob("*.html")):
        relative = str(path.relative_to(SITES))
        site = relative.split("/")[0]
        if any(part in relative for part in ("/view/", "/transcripts/", "/events/vstreca", "/news/5310")):
            pages.append((relative, site, path.read_bytes(), f"http://127.0.0.1/fixtures/sites/{relative}", ParseContext()))
    feed = SITES / "kremlin/ru/events/all/feed.xml"
    for item in read_feed(feed.read_bytes(), "http://127.0.0.1/feed.xml", full_text=True).items:
        if item.entry:
            pages.append((item.url, "kremlin", item.entry, item.url, ParseContext()))
    return pages


def shared() -> list[Page]:
    pages: list[Page] = []
    root = SHARED / "pages"
    for path in sorted((root / "europarl").glob("*.html")):
        url = f"https://www.europarl.europa.eu/news/en/press-room/{path.stem.split('_')[1]}/x"
        pages.append((path.name, "europarl", path.read_bytes(), url, ParseContext(timezone="Europe/Brussels")))
    for path in sorted((root / "govuk").glob("*.json")):
        pages.append((path.name, "govuk", path.read_bytes(), "https://www.gov.uk/api/content/x", ParseContext()))
    for path in sorted((root / "other_gov").glob("*.html")):
        pages.append((path.name, "generic", path.read_bytes(), f"https://example.gov/{path.name}", ParseContext()))
    feed = root / "kremlin/en_events_all_feed.xml"
    if feed.exists():
        for item in read_feed(feed.read_bytes(), "http://en.kremlin.ru/events/all/feed", full_text=True).items:
            if item.entry:
                pages.append((item.url, "kremlin", item.entry, item.url, ParseContext()))
    seed = SHARED / "seed" / "000_3a8856661ff0840b.txt"
    if seed.exists():
        pages.append(("seed", "document", seed.read_bytes(), "file:///seed.txt", ParseContext(content_type="text/plain")))
    return pages


def generated(per_source: int, out: Path) -> list[Page]:
    manifest = generate_site(out, per_source=per_source)
    pages: list[Page] = []
    for info in manifest.releases():
        target = out / info.path.lstrip("/")
        body = (target / "index.html" if target.is_dir() else target).read_bytes()
        pages.append((info.path, "generic", body, f"http://127.0.0.1:8765{info.path}", ParseContext(languages=(info.language,))))
    return pages


def what_changed(raw, done) -> Counter[str]:
    """How the step changed one release."""
    changes: Counter[str] = Counter()
    raw_lines = [line.strip() for line in raw.body_text.split("\n") if line.strip()]
    for line in raw_lines:
        kind = chrome_kind(line)
        if kind:
            changes[f"chrome:{kind}"] += 1
    if raw.lead and done.lead and comparable_words(raw.body_text)[: len(comparable_words(raw.lead))] == comparable_words(raw.lead):
        changes["lead taken out of the body"] += 1
    if raw.lead and not done.lead:
        changes["lead dropped (the body's opening)"] += 1
    if raw.subtitle and not done.subtitle:
        changes["subtitle dropped (inside the body)"] += 1
    first = raw_lines[0] if raw_lines else ""
    if comparable_words(first) == comparable_words(raw.title):
        changes["title repeated in the body"] += 1
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-source", type=int, default=60, help="releases per generated publisher")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = constructed() + shared() + generated(args.per_source, Path(tmp))
    parse_times: list[float] = []
    step_times: list[float] = []
    changed: dict[str, Counter[str]] = defaultdict(Counter)
    releases: Counter[str] = Counter()
    for round_number in range(args.rounds):
        parse_total = step_total = 0.0
        for label, name, body, url, ctx in pages:
            module = get_parser(name)
            start = time.perf_counter()
            raw = module.parse(body, url, ctx)
            middle = time.perf_counter()
            done = apply_text_convention(dataclasses.replace(raw))
            end = time.perf_counter()
            parse_total += middle - start
            step_total += end - middle
            if round_number == 0:
                releases[name] += 1
                if (raw.subtitle, raw.lead, raw.body_text) != (done.subtitle, done.lead, done.body_text):
                    changed[name]["releases changed"] += 1
                    changed[name].update(what_changed(raw, done))
        parse_times.append(parse_total)
        step_times.append(step_total)
    parse_s, step_s = statistics.median(parse_times), statistics.median(step_times)
    print(f"{len(pages)} pages, {args.rounds} rounds (median): parsers {parse_s * 1000:.0f} ms, "
          f"convention step {step_s * 1000:.1f} ms = {step_s / parse_s:.1%} of the parse time, "
          f"{step_s / len(pages) * 1e6:.0f} µs per release")
    for name in sorted(releases):
        counts = changed.get(name, Counter())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "releases changed")
        print(f"  {name:<13} {counts['releases changed']:>4} of {releases[name]:>4} releases changed  {detail}")


if __name__ == "__main__":
    main()
