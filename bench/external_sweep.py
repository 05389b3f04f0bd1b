"""A robustness sweep of the generic parser over every real page other projects ship as test data.

Run: ``uv run python bench/external_sweep.py [--dir bench/out/sweep] [--verbose]``. Not part of the test
suite. It unpacks the saved pages of four source distributions (htmldate 1.0.0 and trafilatura 1.0.0
``tests/cache``, newspaper4k 0.9.6 ``tests/data/html``, GNE 0.4.3 ``tests`` and ``visiable_test``; ~280 pages:
news, blogs, government and company sites, shops, home pages, mostly German, English, French and Chinese, and
eight other languages) into
``DIR`` (gitignored: other people's words) and parses each one as ``govpress extract`` would, with
no URL and no source: the case of a site nobody wrote a parser for.

There is no truth here (bench/external_set.py and bench/external_news.py have one): it prints how
many pages gave a record, the refusals by reason (a refusal is recorded with its reason in a run, so
a page that is no article should be refused, and an article should not), the pages whose
headline disagrees with trafilatura's and those whose day differs from its (htmldate's), for reading by hand. An exception out of the parser (not a
ParseError, which ``govpress extract`` reports as the page's ``error``) is a bug: it stops the sweep
with its traceback. Rules found this way are tested one by one in
tests/unit/parsers/test_generic_news_rules.py.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdist_pages import fetch_sdist, unpack, write_jsonl  # noqa: E402  (a sibling script's module, run as a script)

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    # requirement: the folders (below the distribution's top folder) whose .html files are pages
    "htmldate==1.0.0": [("tests", "cache")],
    "trafilatura==1.0.0": [("tests", "cache")],
    "newspaper4k==0.9.6": [("tests", "data", "html")],
    # Chinese news and government pages, one folder per site below these (tests/163/1.html -> 163_1.html)
    "gne==0.4.3": [("tests", "*"), ("visiable_test", "*")],
}


def _target(parts: tuple[str, ...], prefixes: list[tuple[str, ...]], target: Path) -> Path | None:
    """Where the sdist's file ``parts`` goes when it is a page of one of ``prefixes`` ("*": any one site folder)."""
    if not parts or not parts[-1].endswith(".html"):
        return None
    for prefix in prefixes:
        folder = parts[:-1]
        if len(folder) == len(prefix) and all(p in ("*", f) for p, f in zip(prefix, folder)):
            site = [f for p, f in zip(prefix, folder) if p == "*"]
            return target / "_".join([*(f"{folder[0]}-{s}" for s in site), parts[-1]])
    return None


def gather(folder: Path) -> list[Path]:
    """Every page of the corpora, unpacked under ``folder``/<package>/ (downloaded once)."""
    pages: list[Path] = []
    for requirement, prefixes in CORPORA.items():
        name = requirement.split("==")[0]
        target = folder / name
        if not any(target.glob("*.html")):
            def place(parts: tuple[str, ...], prefixes=prefixes, target=target) -> Path | None:
                return _target(parts, prefixes, target)

            unpack(fetch_sdist(requirement, folder / "sdists"), place)
        pages.extend(sorted(target.glob("*.html")))
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "sweep")
    parser.add_argument("--verbose", action="store_true", help="every refusal and every disagreement, per page")
    args = parser.parse_args()
    import trafilatura

    from govpress.extract import extract_jobs, read_manifest
    from govpress.parsers.html.titles import similarity

    pages = gather(args.dir)
    manifest = write_jsonl(args.dir / "manifest.jsonl", [{"file": str(p)} for p in pages])
    jobs = read_manifest(manifest)
    reasons: Counter[str] = Counter()
    refused: list[tuple[str, str]] = []
    disagree: list[tuple[float, str, str, str]] = []
    other_day: list[tuple[str, str, str]] = []
    from govpress.parsers import generic

    fallback: list[str] = []
    # One process (workers=1), so that the parser's counters are this process's: how many texts came from the
    # fallback (trafilatura's second opinion) because the density count found none it could trust.
    used = generic.counters["trafilatura_used"]
    for job, record in zip(jobs, extract_jobs(jobs, parser="generic", workers=1)):
        if generic.counters["trafilatura_used"] > used:
            fallback.append(job.path.name)
        used = generic.counters["trafilatura_used"]
        error = record.get("error")
        if error:
            reasons[error.split("(")[0].strip()[:70]] += 1
            refused.append((job.path.name, error))
            continue
        reasons["record"] += 1
        text = job.path.read_text(encoding="utf-8", errors="replace")
        theirs = trafilatura.bare_extraction(text, with_metadata=True)
        their_title = getattr(theirs, "title", None) if theirs is not None and not isinstance(theirs, dict) else (theirs or {}).get("title")
        agreement = similarity(record.get("title") or "", their_title or "") if their_title else 1.0
        if agreement < 0.5:
            disagree.append((agreement, job.path.name, record.get("title") or "", their_title or ""))
        their_day = getattr(theirs, "date", None) if theirs is not None and not isinstance(theirs, dict) else (theirs or {}).get("date")
        our_day = (record.get("published_at") or "")[:10]
        if (their_day or "")[:10] != our_day:
            other_day.append((job.path.name, our_day or "-", (their_day or "-")[:10]))
    print(f"{len(jobs)} pages: {reasons['record']} records, {len(refused)} refused")
    for reason, count in reasons.most_common():
        if reason != "record":
            print(f"  refused {count:3}: {reason}")
    print(f"texts that only the fallback (trafilatura's second opinion) found: {len(fallback)}")
    print(f"headlines that disagree with trafilatura's (similarity < 0.5): {len(disagree)}")
    print(f"days that differ from trafilatura's (htmldate's) or that only one of the two found: {len(other_day)}")
    if args.verbose:
        for name, ours, theirs in other_day:
            print(f"  day of {name}: govpress {ours} | trafilatura {theirs}")
        for name, error in refused:
            print(f"  refused {name}: {error}")
        for name in fallback:
            print(f"  fallback {name}")
        for score, name, ours, theirs in sorted(disagree):
            print(f"  {name}: govpress {ours[:70]!r} | trafilatura {theirs[:60]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
