"""CPU per page of ``generic.parse`` in two code trees, alternating, and the records both trees give.

Run (a tree of the code before made with ``git archive``)::

    git -C /work/main archive main | tar -x -C /tmp/parse-old
    uv run python bench/ab_parse.py --tree old=/tmp/parse-old --tree new=. --set site --rounds 12
    uv run python bench/ab_parse.py --tree old=/tmp/parse-old --tree new=. --compare

Page sets (``--set``, comma-separated): ``site`` (the generated site's 653 release pages, as the
reparse parses them: the source's zone and language), ``articles`` (the 7 real article pages of
bench/real_pages.py, the ones bench_extract.py and bench_parse.py time), ``shared`` (every HTML,
XML and JSON file under ../shared/pages), ``dev``,
``holdout``, ``styles`` (the extraction fixtures' manifests, site names learnt as
``govpress extract`` learns them). The sets are read by this file, so both trees parse the same
bytes with the same contexts.

Each tree gets one persistent worker process (its ``govpress`` from that tree): it loads the pages
and parses them once (imports, the language model), then each round asks every worker for
``--passes`` passes, the order of the trees turning round every round, and reads the CPU time
(``time.process_time``) the passes took. The machine is shared: only the medians and the
per-round ratios of one run compare. ``--compare`` instead writes every record (or parse error)
of every set from each tree and says whether they are identical.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # real_pages.py beside this script, also when it is not run as one
from real_pages import REAL_PAGES  # noqa: E402  the real saved pages: one table for the parser benchmarks
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared")) / "pages"
FIXTURES = ROOT / "tests" / "fixtures"
FETCHED = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
"""One fetch time for every page: a yearless date is read against it the same way in both trees."""
CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".json": "application/json", ".xml": "application/xml"}
SETS = ("site", "articles", "shared", "dev", "holdout", "styles")


def _manifest(folder: str) -> list[tuple]:
    from govpress.extract import read_manifest, with_learnt_site_names
    from govpress.parsers.release import ParseContext

    pages = []
    for job in with_learnt_site_names(read_manifest(FIXTURES / folder / "manifest.jsonl")):
        path = job.path.resolve()
        if path.suffix.lower() not in CONTENT_TYPES or not path.exists():
            continue
        ctx = ParseContext(source_id="adhoc", timezone=job.timezone or "UTC", languages=job.languages,
                           fetched_at=job.fetched_at or FETCHED, content_type=CONTENT_TYPES[path.suffix.lower()],
                           site_names=job.site_names)
        pages.append((f"{folder}:{path.name}", path.read_bytes(), job.url or path.as_uri(), ctx))
    return pages


def load_set(name: str) -> list[tuple]:
    """(key, body, url, ParseContext) of every page of one set."""
    from govpress.parsers.release import ParseContext

    if name == "site":
        from bench import site
        from govpress.demo.localsite.generator import load_manifest

        folder = ROOT / "bench" / "out" / "site"
        site.generated_site(folder)
        pages = []
        for publisher in load_manifest(folder).publishers.values():
            if publisher.name == "docs":
                continue  # markdown files, the document parser's
            for release in publisher.releases:
                ctx = ParseContext(source_id=publisher.name, timezone=publisher.timezone, languages=(publisher.language,),
                                   fetched_at=FETCHED, content_type="text/html")
                body = (folder / release.path.lstrip("/") / "index.html").read_bytes()
                pages.append((f"site:{release.path}", body, "http://127.0.0.1:8000" + release.path, ctx))
        return pages
    if name == "articles":
        return [(f"articles:{n}", (SHARED / n).read_bytes(), "https://example.org/" + n, ParseContext(timezone=zone))
                for n, zone in REAL_PAGES.items() if (SHARED / n).exists()]
    if name == "shared":
        return [(f"shared:{p.relative_to(SHARED)}", p.read_bytes(), f"https://example.org/{p.relative_to(SHARED)}",
                 ParseContext(timezone="Europe/Brussels", fetched_at=FETCHED, content_type=CONTENT_TYPES[p.suffix.lower()]))
                for p in sorted(SHARED.rglob("*")) if p.suffix.lower() in CONTENT_TYPES]
    return _manifest({"dev": "extraction", "holdout": "extraction_holdout", "styles": "extraction_styles"}[name])


def _record(body: bytes, url: str, ctx) -> dict:
    from govpress.parsers import generic
    from govpress.parsers.release import ParseError

    try:
        return generic.parse(body, url, ctx).as_json()
    except ParseError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def worker(sets: str, dump: str | None) -> None:
    """In a tree's process: one pass per request on stdin, its CPU ms per page on stdout (or a dump of the records)."""
    pages = [page for name in sets.split(",") for page in load_set(name)]
    if dump:
        with open(dump, "w", encoding="utf-8") as out:
            for key, body, url, ctx in pages:
                out.write(json.dumps({"key": key, **_record(body, url, ctx)}, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        return
    for _, body, url, ctx in pages:  # warm-up: imports, the language model, compiled patterns
        _record(body, url, ctx)
    print(f"ready {len(pages)}", flush=True)
    for line in sys.stdin:
        passes = int(line)
        start = time.process_time()
        for _ in range(passes):
            for _, body, url, ctx in pages:
                _record(body, url, ctx)
        print(json.dumps((time.process_time() - start) * 1000 / (passes * len(pages))), flush=True)


def _spawn(path: Path, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], cwd=path,
                            env={**os.environ, "PYTHONPATH": f"{path}{os.pathsep}{ROOT}"},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH", help="two code trees")
    parser.add_argument("--set", default="site", help=f"page sets, comma-separated: {', '.join(SETS)}")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--passes", type=int, default=1, help="passes over the set per round and tree")
    parser.add_argument("--compare", action="store_true", help="compare the records of every set instead of timing")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.dump)
        return
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    if len(trees) != 2:
        parser.error("give two --tree NAME=PATH")
    names = list(trees)
    if args.compare:
        out = ROOT / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        dumps = {n: out / f"ab_parse-{n}.jsonl" for n in names}
        for n in names:
            _spawn(trees[n], ["--tree", "x=.", "--worker", ",".join(SETS), "--dump", str(dumps[n])]).wait()
        a, b = (dumps[n].read_text(encoding="utf-8").splitlines() for n in names)
        differ = [json.loads(x)["key"] for x, y in zip(a, b) if x != y]
        print(f"{len(a)} and {len(b)} records ({', '.join(SETS)}); {len(differ)} differ{': ' + ', '.join(differ[:10]) if differ else ''}")
        return
    procs = {n: _spawn(trees[n], ["--tree", "x=.", "--worker", args.set]) for n in names}
    sizes = {n: procs[n].stdout.readline().split()[1] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    for number in range(args.rounds):
        for n in names if number % 2 == 0 else names[::-1]:
            procs[n].stdin.write(f"{args.passes}\n")
            procs[n].stdin.flush()
            cpu[n].append(json.loads(procs[n].stdout.readline()))
        print(f"round {number + 1}: " + ", ".join(f"{n} {cpu[n][-1]:.3f}" for n in names)
              + f" CPU-ms/page (load {os.getloadavg()[0]:.1f})", flush=True)
    for p in procs.values():
        p.stdin.close()
        p.wait()
    for n in names:
        print(f"{n:>8s} median {statistics.median(cpu[n]):.3f} CPU-ms/page over {args.rounds} rounds ({sizes[n]} pages, {args.set})")
    ratios = [x / y for x, y in zip(cpu[names[0]], cpu[names[1]])]
    print(f"{names[0]}/{names[1]} per round {min(ratios):.2f}-{max(ratios):.2f}, median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
