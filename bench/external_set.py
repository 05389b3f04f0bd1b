"""An external check set for the generic extractor, kept OUTSIDE the repository (bench/out/, gitignored).

Run: ``uv run python bench/external_set.py [--dir bench/out/external] [--sdist PATH] [--verbose]``. Not part
of the test suite. It reads its pages from ``DIR/pages/`` (real news and blog pages of a public
date-extraction evaluation corpus, the ``tests/cache`` pages of the htmldate project with the
publication dates its evaluation file ``tests/eval_default.json`` gives; other people's words, so
never committed); pages missing there are unpacked from htmldate's source distribution, which
ships them (``--sdist`` names a saved copy; else it is asked of the package registry once,
bench/sdist_pages.py). It writes
``DIR/all-manifest.jsonl`` and ``DIR/all-truth.jsonl`` (and ``held-out-*`` for the pages saved
after the fixes the first ones prompted, scored before any change) for the pages present, and prints
``govpress eval`` on them: govpress next to trafilatura and htmldate, in one run.

The truth below is ours, chosen by reading each page: the headline as the page shows it, and
the article as ``[first words, last words]`` spans of its visible text (bylines, disclaimers,
tag lists, navigation out). The dates are the corpus's. No fetch time is given (the corpus does
not say when the pages were saved), so a date without a year is never read. Pages the corpus
lists but that are not saved under ``DIR/pages/`` are skipped and named.

Never tune the extractor to one of these pages: fix what generalises (a date form, a layout
rule), then check the development set (tests/fixtures/extraction) still scores.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdist_pages import fetch_sdist, unpack, write_jsonl  # noqa: E402  (a sibling script's module, run as a script)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = "adbar/htmldate tests/cache (dates: tests/eval_default.json)"
PACKAGE = "htmldate==1.0.0"  # its source distribution ships tests/cache

# file, url, zone, languages, published (the corpus's), title (as shown), body spans (read off the page)
PAGES = [
    ("tagesausblick.de.dow.html", "https://www.tagesausblick.de/Analyse/USA/DOW-Jones-Jahresendrally-ade__601.html",
     "Europe/Berlin", ["de"], "2012-12-22", "DOW Jones - Jahresendrally ade?! - Tagesanalyse",
     [["Rückblick: Der DOW Jones befindet sich", "in einer Zone ausgebildet werden"]]),
    ("scs78.de.html", "https://www.scs78.de/news/items/warm-war-es-schoen-war-es.html",
     "Europe/Berlin", ["de"], "2018-06-10", "Warm war es.... schön war es...",
     [["heute Nachmittag haben wir mit rund 30 Clubmitgliedern", "für die Bereitstellung es Autos"]]),
    ("kurz.at.wasserstoff.html", "https://www.sebastian-kurz.at/magazin/wasserstoff-als-schluesseltechnologie",
     "Europe/Vienna", ["de"], "2019-07-30", "Wasserstoff als Schlüsseltechnologie. Sebastian Kurz zu Besuch bei Magna Steyr.",
     [["In vielen Bereichen gehen wir", "Hier findest du alle Infos"]]),
    ("carta.info.html", "http://carta.info/der-neue-trend-muss-statt-wunschkoalition/",
     "Europe/Berlin", ["de"], "2012-05-08", "Der neue Trend: Muss- statt Wunschkoalition",
     [["Die Landtagswahl zwischen Nord- und Ostsee", "Muss-Koalitionen werden zur Regel"]]),
    ("pbrunst.de.html", "http://www.pbrunst.de/news/2011/12/kein-cyberterrorismus-diesmal/",
     "Europe/Berlin", ["de"], "2011-12-03", "Kein Cyberterrorismus (diesmal)",
     [["Die Meldung klang dramatisch", "der 18 Monate lang geplanten Aktion dauern"]]),
]
# Held out: saved after the fixes that the pages above prompted, and scored before any change.
HELD_OUT = [
    ("transgen.de.aktuell.html", "https://www.transgen.de/aktuell/2687.afrikanische-schweinepest-genome-editing.html",
     "Europe/Berlin", ["de"], "2018-01-18", "Afrikanische Schweinepest: Neue Hoffnung durch Genome Editing",
     [["Deutschlands Landwirte zittern", "in einem Versuch überprüft"],
      ["Vermutlich kamen die Viren", "mindestens fünf Jahre dauern"]]),
    ("jovelstefan.de.parken.html", "http://www.jovelstefan.de/2012/05/11/parken-in-paris/",
     "Europe/Berlin", ["de"], "2012-05-11", "Parken in Paris",
     [["Lobo sagt, man soll mehr auf seinem eigenen Blog bloggen", "welche kostennutzeneffiziente Lösung schlägst du vor"]]),
]


def write_set(folder: Path, pages: list[tuple], stem: str) -> tuple[Path, Path, list[str]]:
    """``stem``-manifest.jsonl and ``stem``-truth.jsonl for the saved pages; their paths and the missing files."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest, truth, missing = [], [], []
    for name, url, zone, languages, published, title, spans in pages:
        if not (folder / "pages" / name).exists():
            missing.append(name)
            continue
        manifest.append({"file": f"pages/{name}", "url": url, "timezone": zone, "languages": languages})
        truth.append({"file": f"pages/{name}", "title": title, "published": published, "body_spans": spans,
                      "note": f"external: {CORPUS}"})
    written = write_jsonl(folder / f"{stem}-manifest.jsonl", manifest), write_jsonl(folder / f"{stem}-truth.jsonl", truth)
    return *written, missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "external")
    parser.add_argument("--sdist", type=Path, help=f"a saved source distribution of {PACKAGE} (.tar.gz)")
    parser.add_argument("--verbose", action="store_true", help="every miss, per page")
    args = parser.parse_args()
    from govpress.eval import evaluate, format_report

    wanted = {page[0] for page in PAGES + HELD_OUT}
    if any(not (args.dir / "pages" / name).exists() for name in wanted):
        def place(parts: tuple[str, ...]) -> Path | None:
            name = parts[-1] if len(parts) == 3 and parts[:2] == ("tests", "cache") else None
            return args.dir / "pages" / name if name in wanted else None

        unpack(args.sdist or fetch_sdist(PACKAGE, args.dir), place)

    scored = 0
    for label, pages, stem in (("all pages", PAGES + HELD_OUT, "all"), ("held out only", HELD_OUT, "held-out")):
        manifest, truth, missing = write_set(args.dir, pages, stem)
        if len(missing) == len(pages):
            continue
        scored += 1
        print(f"== external set, {label}" + (f" ({len(missing)} not saved: {', '.join(missing)})" if missing else ""))
        for line in format_report(evaluate(manifest, truth), verbose=args.verbose):
            print(line)
    if not scored:
        print(f"no page of the external set is saved under {args.dir / 'pages'}: nothing to score", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
