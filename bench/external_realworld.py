"""A third external check set: trafilatura 1.0.0's real-world tests, scored on govpress's generic parser.

Run: ``uv run python bench/external_realworld.py [--dir bench/out/realworld] [--sdist PATH] [--verbose]``.
Not part of the test suite. trafilatura's source distribution 1.0.0 ships ~110 saved pages
(``tests/cache``: German, English, French and Chinese blogs, news, party and city pages, shops) and two
test files that say what the extracted text of each must hold and must not hold
(``realworld_tests.py``: ``assert 'X' in result and 'Y' not in result``), and what the headline of
~45 of them is (``metadata_tests.py``: ``assert metadata['title'] == 'Z'``). This script reads those
assertions with ``ast`` (nothing of the tests is run), parses each page as ``govpress extract`` would
(no source, the page's address known), and scores:

- wanted: of the phrases a text must hold, how many govpress's lead and body hold; and the same without
  the phrases that stand in a page's reader comments (trafilatura keeps comments; govpress leaves them out
  of a release on purpose);
- unwanted: of the phrases it must not hold (navigation, comments, related links, shop chrome), how
  many are kept out;
- pages passing every assertion of their own (a comment's phrase aside);
- headlines equal to the expected one (spaces and quotes normalised), and equal or within it (the
  expected headline of a few pages carries the site's name, which govpress drops on purpose).

trafilatura 2.3.1 (the project's dev dependency, ``extract`` as those tests call it) is scored the same
way in the same run. The assertions were written for trafilatura, which was tuned until they passed:
read its column as a ceiling, not a peer. ``--sdist`` names a saved copy of the distribution, else it is
asked of the package registry once into ``DIR`` (bench/sdist_pages.py). Other people's words: written
under ``bench/out/`` (gitignored), never committed.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdist_pages import fetch_sdist, unpack, write_jsonl  # noqa: E402  (a sibling script's module, run as a script)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "trafilatura==1.0.0"


@dataclass
class Expectation:
    """What one page's text must hold and must not hold, and its headline where a test states it."""

    url: str
    file: str
    wanted: list[str] = field(default_factory=list)
    unwanted: list[str] = field(default_factory=list)
    title: str | None = None


def _mock_pages(tree: ast.Module) -> dict[str, str]:
    """The ``MOCK_PAGES = {url: file}`` literal of a test module."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "MOCK_PAGES" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def _loaded_url(value: ast.expr, names: dict[str, str]) -> str | None:
    """The address of ``load_mock_page(URL, ...)`` (possibly inside ``extract_metadata(...)``), else None."""
    for call in ast.walk(value):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "load_mock_page" and call.args:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return first.value
            if isinstance(first, ast.Name):
                return names.get(first.id)
    return None


def _clauses(test: ast.expr) -> list[ast.expr] | None:
    """The conjuncts of an assertion; None when it has an ``or`` (which cannot be scored clause by clause)."""
    if isinstance(test, ast.BoolOp):
        if not isinstance(test.op, ast.And):
            return None
        out: list[ast.expr] = []
        for value in test.values:
            inner = _clauses(value)
            if inner is None:
                return None
            out.extend(inner)
        return out
    return [test]


def _statements(body: list[ast.stmt]):
    """A function body's statements in order, into ``if`` blocks except those only for XML output."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            source = ast.unparse(stmt.test)
            if "xmloutput" in source and ("is True" in source or "not" not in source and "False" not in source):
                continue  # an XML-only check: govpress writes text
            yield from _statements(stmt.body)
            continue
        yield stmt


def read_expectations(realworld: Path, metadata: Path) -> list[Expectation]:
    """Every page with at least one scorable assertion, from the two test modules' sources."""
    pages: dict[str, Expectation] = {}
    for module, kind in ((realworld, "text"), (metadata, "meta")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        files = _mock_pages(tree)
        for function in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")):
            names: dict[str, str] = {}
            current: str | None = None
            for stmt in _statements(function.body):
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    target = stmt.targets[0].id
                    if isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                        names[target] = stmt.value.value
                    loaded = _loaded_url(stmt.value, names)
                    if loaded is not None:
                        current = loaded if loaded in files else None
                    continue
                if not isinstance(stmt, ast.Assert) or current is None:
                    continue
                page = pages.setdefault(current, Expectation(current, files[current]))
                for clause in _clauses(stmt.test) or []:
                    _score_clause(clause, page, kind)
    return [p for p in pages.values() if p.wanted or p.unwanted or p.title]


def _score_clause(clause: ast.expr, page: Expectation, kind: str) -> None:
    """Record one ``'X' in result`` / ``'X' not in result`` / ``metadata['title'] == 'X'`` clause."""
    if not (isinstance(clause, ast.Compare) and len(clause.ops) == 1):
        return
    left, op, right = clause.left, clause.ops[0], clause.comparators[0]
    if kind == "text" and isinstance(left, ast.Constant) and isinstance(left.value, str) \
            and isinstance(right, ast.Name) and right.id == "result":
        if isinstance(op, ast.In):
            page.wanted.append(left.value)
        elif isinstance(op, ast.NotIn):
            page.unwanted.append(left.value)
    elif kind == "meta" and isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str) \
            and isinstance(left, ast.Subscript) and isinstance(left.slice, ast.Constant) and left.slice.value == "title":
        page.title = right.value


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "–": "-", "—": "-"})


def _norm(text: str) -> str:
    """Text compared as a reader would: NFC, one kind of quote and dash, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).translate(_QUOTES)).strip()


def in_comments(path: Path, phrase: str) -> bool:
    """Whether ``phrase`` stands in a reader comment of the page: its innermost holder has an ancestor whose
    class or id names comments."""
    from lxml import html

    root = html.fromstring(path.read_bytes())
    wanted = _norm(phrase)
    holder = None
    for element in root.iter():
        if isinstance(element.tag, str) and wanted in _norm(element.text_content()):
            holder = element  # document order: the last one holding it is the innermost
    while holder is not None:
        if "comment" in f"{holder.get('class') or ''} {holder.get('id') or ''}".lower():
            return True
        holder = holder.getparent()
    return False


@dataclass
class Score:
    wanted: int = 0
    wanted_found: int = 0
    wanted_in_comments: int = 0
    found_in_comments: int = 0
    unwanted: int = 0
    unwanted_kept_out: int = 0
    pages: int = 0
    pages_passing: int = 0
    titles: int = 0
    titles_equal: int = 0
    titles_within: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, page: Expectation, text: str | None, title: str | None, comments: set[str] = frozenset()) -> None:
        text_n = _norm(text or "")
        found = [w for w in page.wanted if _norm(w) in text_n]
        self.wanted_in_comments += sum(w in comments for w in page.wanted)
        self.found_in_comments += sum(w in comments for w in found)
        leaked = [u for u in page.unwanted if _norm(u) in text_n]
        if page.wanted or page.unwanted:
            self.pages += 1
            self.wanted += len(page.wanted)
            self.wanted_found += len(found)
            self.unwanted += len(page.unwanted)
            self.unwanted_kept_out += len(page.unwanted) - len(leaked)
            self.pages_passing += all(w in found for w in page.wanted if w not in comments) and not leaked
            for w in page.wanted:
                if w not in found:
                    note = " (no text)" if not text else " (a reader comment)" if w in comments else ""
                    self.misses.append(f"{page.file}: missing {w[:70]!r}{note}")
            for u in leaked:
                self.misses.append(f"{page.file}: holds {u[:70]!r}")
        if page.title:
            self.titles += 1
            ours, expected = _norm(title or "").casefold(), _norm(page.title).casefold()
            self.titles_equal += ours == expected
            self.titles_within += bool(ours) and (ours == expected or ours in expected)
            if ours != expected:
                self.misses.append(f"{page.file}: title {title!r} (expected {page.title!r})")

    def lines(self, name: str) -> list[str]:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "  -  "
        outside = pct(self.wanted_found - self.found_in_comments, self.wanted - self.wanted_in_comments)
        return [f"{name}: wanted {pct(self.wanted_found, self.wanted)} (outside comments {outside}), unwanted kept out "
                f"{pct(self.unwanted_kept_out, self.unwanted)}, pages passing (comments aside) {pct(self.pages_passing, self.pages)}, "
                f"titles equal {pct(self.titles_equal, self.titles)}, equal or within {pct(self.titles_within, self.titles)}"]


def _place(folder: Path):
    def place(parts: tuple[str, ...]) -> Path | None:
        if len(parts) == 3 and parts[:2] == ("tests", "cache"):
            return folder / "cache" / parts[2]
        if len(parts) == 2 and parts[0] == "tests" and parts[1] in ("realworld_tests.py", "metadata_tests.py"):
            return folder / parts[1]
        return None
    return place


def _trafilatura(path: Path, url: str) -> tuple[str | None, str | None]:
    """trafilatura's text (as the tests call ``extract``) and headline for one page."""
    import trafilatura

    raw = path.read_bytes()
    text = trafilatura.extract(raw, url=url, no_fallback=False, output_format="txt")
    meta = trafilatura.extract_metadata(raw, default_url=url)
    return text, (meta.title if meta is not None else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "realworld")
    parser.add_argument("--sdist", type=Path, help="a saved trafilatura 1.0.0 source distribution (.tar.gz)")
    parser.add_argument("--verbose", action="store_true", help="every failed assertion, per page")
    parser.add_argument("--no-peer", action="store_true", help="score govpress alone")
    args = parser.parse_args()
    from govpress.extract import extract_jobs, read_manifest

    if not (args.dir / "realworld_tests.py").exists():
        unpack(args.sdist or fetch_sdist(PACKAGE, args.dir), _place(args.dir))
    expectations = [e for e in read_expectations(args.dir / "realworld_tests.py", args.dir / "metadata_tests.py")
                    if (args.dir / "cache" / e.file).exists()]
    if not expectations:
        print(f"no page of the set is under {args.dir}: nothing to score", file=sys.stderr)
        return 1
    manifest = write_jsonl(args.dir / "manifest.jsonl",
                           [{"file": f"cache/{e.file}", "url": e.url} for e in expectations])
    ours, theirs = Score(), Score()
    for page, record in zip(expectations, extract_jobs(read_manifest(manifest), parser="generic")):
        text = None if record.get("error") else "\n".join(filter(None, (record.get("lead"), record.get("body_text"))))
        path = args.dir / "cache" / page.file
        comments = {w for w in page.wanted if in_comments(path, w)}
        ours.add(page, text, record.get("title"), comments)
        if record.get("error"):
            ours.misses.append(f"{page.file}: refused: {record['error'][:100]}")
        if not args.no_peer:
            theirs.add(page, *_trafilatura(path, page.url), comments)
    print(f"== trafilatura 1.0.0's real-world assertions: {len(expectations)} pages")
    for line in ours.lines("govpress   ") + ([] if args.no_peer else theirs.lines("trafilatura")):
        print(line)
    if args.verbose:
        for miss in ours.misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
