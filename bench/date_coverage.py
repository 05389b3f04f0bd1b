"""Where govpress finds NO publication date but htmldate does: counted on every page at hand, in one run.

Run: ``uv run python bench/date_coverage.py [--generated N] [--verbose]``. Not part of the test suite.

The held-out score that prompted it (real pages scored outside the project) had 177 pages where
govpress found no date. This counts, per group of pages, how often govpress's generic parser
(through the code of ``govpress extract --manifest``) returns no date while htmldate's
``find_date(extensive_search=True, original_date=True)`` returns one, and the reverse; where the
truth is known, who was right on those pages, and on the pages where govpress's own places gave
no candidate (so that htmldate's markup search was asked: the "no confident candidate" case),
how many days each got right. Groups:

- ``shared``: the real saved pages in ../shared/pages (HTML only; no truth: counts only);
- ``dev``, ``styles``, ``holdout``: the three evaluation sets in tests/fixtures (truth known);
- ``demo-sites``: the constructed pages of govpress/demo/sites (no truth);
- ``generated``: article pages of the demo's generated site (``generate_site``: CMS-like
  minfin/mfa/agency pages with the publication time known);
- ``external``: bench/out/external, when pages were saved there (see bench/external_set.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


@dataclass
class Page:
    group: str
    job: object  # govpress.extract.Job
    truth: str | None = None  # the publication day, when known
    known: bool = False  # whether the truth is known (a null truth is a page without a date)


def _fixture_pages(name: str, group: str) -> list[Page]:
    from govpress.eval import read_truth
    from govpress.extract import read_manifest

    folder = ROOT / "tests" / "fixtures" / name
    truth = read_truth(folder / "truth.jsonl")
    out = []
    for job in read_manifest(folder / "manifest.jsonl"):
        if not job.path.exists():
            continue
        written = {Path(k).name: v for k, v in truth.items()}.get(job.path.name)
        out.append(Page(group, job, written.published if written else None, written is not None))
    return out


def _shared_pages() -> list[Page]:
    from govpress.extract import Job
    from testpaths import PAGES

    out = []
    manifest = PAGES / "MANIFEST.tsv"
    if not manifest.exists():
        return out
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 6 or not fields[3].endswith(".html"):
            continue
        out.append(Page("shared", Job(PAGES / fields[3], None, None, ((fields[5] or "en")[:2],))))
    return out


def _demo_site_pages() -> list[Page]:
    from govpress.extract import Job
    from testpaths import CONSTRUCTED_SITES

    return [Page("demo-sites", Job(p, None)) for p in sorted(CONSTRUCTED_SITES.rglob("*.html")) if "challenges" not in p.parts]


def _generated_pages(out_dir: Path, per_source: int) -> list[Page]:
    from govpress.demo.localsite.generator import generate_site
    from govpress.extract import Job

    site = generate_site(out_dir, per_source=per_source)
    out = []
    for publisher in site.publishers.values():
        if publisher.files:
            continue  # markdown documents, not HTML pages
        for release in publisher.releases:
            path = out_dir / release.path.strip("/") / "index.html"
            if not path.exists():
                continue
            published = release.published
            fetched = published + timedelta(days=3)
            job = Job(path, f"https://{publisher.name}.example{release.path}", publisher.timezone, (publisher.language,), fetched)
            day = published.astimezone(__import__("zoneinfo").ZoneInfo(publisher.timezone)).date().isoformat()
            out.append(Page("generated", job, day, True))
    return out


def _external_pages() -> list[Page]:
    folder = ROOT / "bench" / "out" / "external"
    manifest, truth = folder / "all-manifest.jsonl", folder / "all-truth.jsonl"
    if not manifest.exists() or not truth.exists():
        return []
    from govpress.eval import read_truth
    from govpress.extract import read_manifest

    written = read_truth(truth)
    return [Page("external", job, written[str(job.path)].published if str(job.path) in written else None, str(job.path) in written)
            for job in read_manifest(manifest) if job.path.exists()]


def _htmldate(path: Path, url: str | None) -> str | None:
    from htmldate import find_date

    try:
        return find_date(path.read_bytes(), url=url, extensive_search=True, original_date=True)
    except Exception:  # htmldate refuses some inputs: no date
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=25, help="releases per generated publisher (default 25)")
    parser.add_argument("--verbose", action="store_true", help="name every page where govpress has no date and htmldate has one")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from govpress.eval import _day
    from govpress.extract import extract_one, with_learnt_site_names
    from govpress.parsers import generic

    with tempfile.TemporaryDirectory() as tmp:
        pages = (_shared_pages() + _fixture_pages("extraction", "dev") + _fixture_pages("extraction_styles", "styles")
                 + _fixture_pages("extraction_holdout", "holdout") + _demo_site_pages()
                 + _generated_pages(Path(tmp), args.generated) + _external_pages())
        learnt = with_learnt_site_names([p.job for p in pages])
        stats: dict[str, Counter] = {}
        for page, job in zip(pages, learnt):
            c = stats.setdefault(page.group, Counter())
            before = generic.counters["markup_date_asked"]
            record = extract_one(job.path, job.url, job=job)
            asked = generic.counters["markup_date_asked"] > before
            if record.get("error"):
                c["errors (not an article: listings, blocked)"] += 1
                if args.verbose:
                    print(f"  [{page.group}] {job.path.name}: {record['error'][:80]}")
                continue
            ours = _day(record.get("published_at"), job.timezone)
            theirs = _htmldate(job.path, job.url)
            c["pages"] += 1
            c["govpress dated"] += ours is not None
            c["htmldate dated"] += theirs is not None
            if ours is None and theirs is not None:
                c["govpress none, htmldate a date"] += 1
                if page.known:
                    c["  of which htmldate right"] += theirs == page.truth
                if args.verbose:
                    print(f"  [{page.group}] {job.path.name}: govpress None, htmldate {theirs} (truth {page.truth if page.known else '?'})")
            if ours is not None and theirs is None:
                c["govpress a date, htmldate none"] += 1
            if asked:
                c["no candidate of its own (fallback asked)"] += 1
                if page.known:
                    c["  fallback pages: govpress right"] += ours == page.truth
                    c["  fallback pages: htmldate right"] += theirs == page.truth
            if page.known:
                c["truth known"] += 1
                c["govpress right"] += ours == page.truth
                c["htmldate right"] += theirs == page.truth
    keys = ["pages", "errors (not an article: listings, blocked)", "govpress dated", "htmldate dated", "govpress none, htmldate a date", "  of which htmldate right",
            "govpress a date, htmldate none", "no candidate of its own (fallback asked)", "  fallback pages: govpress right",
            "  fallback pages: htmldate right", "truth known", "govpress right", "htmldate right"]
    groups = list(stats)
    print(f"{'':44}" + "".join(f"{g:>11}" for g in groups) + f"{'all':>8}")
    for key in keys:
        values = [stats[g][key] for g in groups]
        print(f"{key:44}" + "".join(f"{v:>11}" for v in values) + f"{sum(values):>8}")
    print(json.dumps({"generated_per_source": args.generated, "at": datetime.now().isoformat(timespec="seconds")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
