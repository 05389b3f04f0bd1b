"""``govpress eval``: score the generic parser against trafilatura and htmldate on a set of saved pages, in one run.

A **manifest** (the one ``govpress extract --manifest`` reads) names the pages; a **truth** file
(JSON Lines, one object per page, matched on ``file``) says what each page holds:

- ``title``: the headline as the page shows it (compared exactly, whitespace and Unicode normalised);
- ``published``: the publication day ``YYYY-MM-DD``, or ``null`` when the page states none;
- ``language`` (optional): the page's language, ISO 639-1;
- the article text, either written out (``body``) or, for pages that are not ours to copy, marked
  on the page itself: ``body_spans``, a list of ``[first words, last words]`` pairs chosen by
  reading the page, each span running from its first words to its last words in the page's
  visible text (found by word tokens, in order; this shares no code with the extractor, so the
  truth cannot inherit its mistakes), or CSS selectors (``body_selectors``, ``body_exclude``);
  ``body_remove`` lists literal snippets such as a photo credit to drop from that text.

Scores per tool: titles exact, dates right (the day; ``null`` is right only when the truth is
``null``), the mean token F1 of the body (word tokens, case-folded, as a multiset; in scripts written without
spaces, such as Chinese, Japanese and Thai, each character is a token), and, where the truth gives a
page's ``language`` (ISO 639-1), how often govpress detects it (the other tools do not say).
govpress runs through the code of ``govpress extract --manifest`` (in this process, so that
:data:`govpress.parsers.generic.counters` can say how often trafilatura was consulted); trafilatura is
``bare_extraction(with_metadata=True)``; htmldate is ``find_date(extensive_search=True)``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govpress.extract import Job, extract_jobs, read_manifest

__all__ = ["PageScore", "Report", "Truth", "evaluate", "format_report", "read_truth", "token_f1"]


@dataclass(frozen=True, slots=True)
class Truth:
    file: str
    title: str
    published: str | None
    body: str | None = None
    body_selectors: tuple[str, ...] = ()
    body_exclude: tuple[str, ...] = ()
    body_remove: tuple[str, ...] = ()
    body_spans: tuple[tuple[str, str], ...] = ()
    language: str | None = None
    """The page's language (ISO 639-1), when the truth gives it: scored for govpress alone."""


def read_truth(path: Path) -> dict[str, Truth]:
    """Truth entries by the manifest's ``file`` (as written in the manifest); ValueError names a bad line."""
    out: dict[str, Truth] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            out[entry["file"]] = Truth(
                file=entry["file"], title=entry["title"], published=entry.get("published"), body=entry.get("body"),
                body_selectors=tuple(entry.get("body_selectors") or ()), body_exclude=tuple(entry.get("body_exclude") or ()),
                body_remove=tuple(entry.get("body_remove") or ()),
                body_spans=tuple((str(a), str(b)) for a, b in entry.get("body_spans") or ()),
                language=entry.get("language"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: {exc}") from None
        written = out[entry["file"]]
        if written.body is None and not written.body_selectors and not written.body_spans:
            raise ValueError(f"{path}:{n}: give body, body_spans or body_selectors")
    return out


def truth_body(truth: Truth, page: bytes) -> str:
    """The article text the truth names: written out, or the text of its selectors on the page."""
    if truth.body is not None:
        return truth.body
    if truth.body_spans:
        text = spans_text(page, truth.body_spans)
        for snippet in truth.body_remove:
            text = text.replace(snippet, "")
        return text
    from govpress.parsers.html import block_paragraphs, parse_html, remove_boilerplate, select

    root = parse_html(page)
    wanted = set()
    for selector in truth.body_selectors:
        wanted.update(select(root, selector))
    blocks = [e for e in root.iter() if e in wanted]  # document order
    for block in blocks:
        remove_boilerplate(block, truth.body_exclude)
    text = "\n\n".join(p for block in blocks for p in block_paragraphs(block, skip_boilerplate=False))
    for snippet in truth.body_remove:
        text = text.replace(snippet, "")
    return text


# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, Japanese kana, Chinese
# characters): each character is a token there, or a whole sentence would count as one word.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def visible_text(page: bytes) -> str:
    """The page's text as a reader sees it, in order: every text node outside scripts and styles, one
    space between nodes (plain lxml and charset decoding, no code of the extractor)."""
    from lxml import etree

    from govpress.parsers.charset import decode

    text, _ = decode(page, None)
    root = etree.fromstring(text.replace("\x00", "").encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    if root is None:
        return ""
    for code in list(root.iter("script", "style", "noscript", "template", etree.Comment)):
        code.text = None
    body = root.find("body")
    return " ".join(" ".join((body if body is not None else root).itertext()).split())


def spans_text(page: bytes, spans: Iterable[tuple[str, str]]) -> str:
    """The text of each ``[first words, last words]`` span of the page's visible text, spans in order.

    Words are matched as ``\\w+`` tokens (a character each in scripts written without spaces),
    case-folded, so spacing and punctuation around links do not matter. A span that cannot be found
    raises ValueError (a truth line that no longer fits its page).
    """
    text = visible_text(page)
    words = [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]
    tokens = [w for w, _, _ in words]

    def find(wanted: list[str], start: int) -> int:
        for i in range(start, len(tokens) - len(wanted) + 1):
            if tokens[i:i + len(wanted)] == wanted:
                return i
        return -1

    parts: list[str] = []
    cursor = 0
    for first, last in spans:
        first_words = [w.casefold() for w in _WORD.findall(first)]
        last_words = [w.casefold() for w in _WORD.findall(last)]
        begin = find(first_words, cursor)
        end = find(last_words, begin) if begin >= 0 else -1
        if begin < 0 or end < 0:
            raise ValueError(f"span {first!r} .. {last!r} not found on the page")
        stop = end + len(last_words) - 1
        parts.append(text[words[begin][1]:words[stop][2]])
        cursor = stop + 1
    return "\n\n".join(parts)


def _tokens(text: str | None) -> Counter[str]:
    return Counter(_WORD.findall(unicodedata.normalize("NFC", text or "").casefold()))


def token_f1(predicted: str | None, truth: str) -> float:
    """F1 of the word-token multisets (1.0 when both are empty)."""
    got, want = _tokens(predicted), _tokens(truth)
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def _same_title(predicted: str | None, truth: str) -> bool:
    def norm(text: str | None) -> str:
        return " ".join(unicodedata.normalize("NFC", text or "").split())

    return norm(predicted) == norm(truth)


def _day(value: str | None, tz: str | None = None) -> str | None:
    """The day a published value names: a stamp with an offset is read in the source's zone ``tz``
    (10:30 at +00:00 is the next day in Sydney); a bare day or a naive stamp as written."""
    if not value:
        return None
    if tz and len(value) > 10:
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if stamp.tzinfo is not None:
                return stamp.astimezone(ZoneInfo(tz)).date().isoformat()
        except (ValueError, KeyError):  # not ISO, or an unknown zone: the day as written
            pass
    return value[:10]


@dataclass(slots=True)
class ToolResult:
    title: str | None = None
    published: str | None = None
    body: str | None = None
    error: str | None = None
    language: str | None = None


@dataclass(slots=True)
class PageScore:
    file: str
    truth: Truth
    results: dict[str, ToolResult] = field(default_factory=dict)
    truth_text: str = ""
    timezone: str | None = None
    """The source's zone (the manifest's ``timezone``): the day of a stamp is read there."""

    def title_ok(self, tool: str) -> bool:
        return _same_title(self.results[tool].title, self.truth.title)

    def date_ok(self, tool: str) -> bool:
        return _day(self.results[tool].published, self.timezone) == self.truth.published

    def f1(self, tool: str) -> float:
        return token_f1(self.results[tool].body, self.truth_text)

    def language_ok(self, tool: str) -> bool:
        return self.results[tool].language == self.truth.language


@dataclass(slots=True)
class Report:
    pages: list[PageScore]
    trafilatura_consulted: int = 0
    html_pages: int = 0
    markup_date_asked: int = 0
    """Pages where govpress's own places gave no date and htmldate's markup search was asked."""
    markup_date_used: int = 0
    lone_date_line_used: int = 0
    free_text_date_used: int = 0
    """Pages dated by htmldate's free-text scan, asked last and guarded (see datefinder.markup_fallback)."""
    """Pages dated by their only bare date line, the last resort after htmldate's markup search."""

    def title_rate(self, tool: str) -> float:
        return sum(p.title_ok(tool) for p in self.pages) / len(self.pages)

    def date_rate(self, tool: str) -> float:
        return sum(p.date_ok(tool) for p in self.pages) / len(self.pages)

    def mean_f1(self, tool: str) -> float:
        return sum(p.f1(tool) for p in self.pages) / len(self.pages)

    def language_rate(self, tool: str) -> float | None:
        """Share of the pages whose truth names a language that ``tool`` named right; None when no truth names one."""
        named = [p for p in self.pages if p.truth.language]
        return sum(p.language_ok(tool) for p in named) / len(named) if named else None


def _run_govpress(jobs: list[Job]) -> dict[str, ToolResult]:
    out: dict[str, ToolResult] = {}
    for job, record in zip(jobs, extract_jobs(jobs, parser="generic", workers=1)):
        out[str(job.path)] = ToolResult(record.get("title"), record.get("published_at"), record.get("body_text"), record.get("error"),
                                        record.get("language"))
    return out


def _run_trafilatura(page: bytes, url: str | None) -> ToolResult:
    import trafilatura

    try:
        document = trafilatura.bare_extraction(page, url=url, with_metadata=True)
    except Exception as exc:  # a failure is scored as a miss, never stops the evaluation
        return ToolResult(error=f"{type(exc).__name__}: {exc}")
    if document is None:
        return ToolResult(error="nothing extracted")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return ToolResult(data.get("title"), data.get("date"), data.get("text"))


def _run_htmldate(page: bytes, url: str | None) -> ToolResult:
    from htmldate import find_date

    try:
        return ToolResult(published=find_date(page, url=url, extensive_search=True))
    except Exception as exc:
        return ToolResult(error=f"{type(exc).__name__}: {exc}")


def evaluate(manifest: Path, truth_path: Path) -> Report:
    """Run the three tools over the manifest's pages and score them against the truth."""
    from govpress.parsers import generic

    jobs = read_manifest(manifest)
    truths = read_truth(truth_path)
    written = {str(manifest.parent / name): truth for name, truth in truths.items()}
    missing = [str(job.path) for job in jobs if str(job.path) not in written]
    if missing:
        raise ValueError(f"no truth for {len(missing)} page(s), first: {missing[0]}")
    before = Counter(generic.counters)
    ours = _run_govpress(jobs)
    pages: list[PageScore] = []
    for job in jobs:
        body = job.path.read_bytes()
        truth = written[str(job.path)]
        score = PageScore(str(job.path), truth, truth_text=truth_body(truth, body), timezone=job.timezone)
        score.results["govpress"] = ours[str(job.path)]
        score.results["trafilatura"] = _run_trafilatura(body, job.url)
        score.results["htmldate"] = _run_htmldate(body, job.url)
        pages.append(score)
    counted = Counter(generic.counters) - before
    return Report(pages, trafilatura_consulted=counted["trafilatura_consulted"], html_pages=counted["html_pages"],
                  markup_date_asked=counted["markup_date_asked"], markup_date_used=counted["markup_date_used"],
                  lone_date_line_used=counted["lone_date_line_used"], free_text_date_used=counted["free_text_date_used"])


def format_report(report: Report, *, verbose: bool = False) -> Iterable[str]:
    """The scores side by side, then (``verbose``) every miss per page."""
    n = len(report.pages)
    yield f"{n} pages"
    yield f"{'':22}{'govpress':>12}{'trafilatura':>14}{'htmldate':>12}"

    def pct(rate: float) -> str:
        return f"{rate * 100:.1f}%"

    yield f"{'title exact':22}{pct(report.title_rate('govpress')):>12}{pct(report.title_rate('trafilatura')):>14}{'-':>12}"
    yield (f"{'date right':22}{pct(report.date_rate('govpress')):>12}{pct(report.date_rate('trafilatura')):>14}"
           f"{pct(report.date_rate('htmldate')):>12}")
    yield f"{'body token F1 (mean)':22}{report.mean_f1('govpress'):>12.3f}{report.mean_f1('trafilatura'):>14.3f}{'-':>12}"
    if (languages := report.language_rate("govpress")) is not None:
        yield f"{'language right':22}{pct(languages):>12}{'-':>14}{'-':>12}"
    yield (f"trafilatura consulted by govpress (doubtful density result) on {report.trafilatura_consulted} "
           f"of {report.html_pages} HTML pages")
    yield (f"htmldate's markup search asked by govpress (no date of its own) on {report.markup_date_asked} pages, "
           f"its date kept on {report.markup_date_used}; the page's lone bare date line used on {report.lone_date_line_used}, "
           f"htmldate's free-text scan (guarded) on {report.free_text_date_used}")
    if not verbose:
        return
    for page in report.pages:
        name = page.file.rsplit("/", 1)[-1]
        for tool in ("govpress", "trafilatura"):
            result = page.results[tool]
            if result.error:
                yield f"  {name}: {tool} error: {result.error}"
            if not page.title_ok(tool):
                yield f"  {name}: {tool} title {result.title!r} != {page.truth.title!r}"
            if not page.date_ok(tool):
                yield f"  {name}: {tool} date {_day(result.published, page.timezone)} != {page.truth.published}"
            if page.f1(tool) < 0.9:
                yield f"  {name}: {tool} body F1 {page.f1(tool):.3f}"
            if tool == "govpress" and page.truth.language and not page.language_ok(tool):
                yield f"  {name}: govpress language {result.language!r} != {page.truth.language!r}"
        if not page.date_ok("htmldate"):
            yield f"  {name}: htmldate date {page.results['htmldate'].published} != {page.truth.published}"
