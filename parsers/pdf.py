"""PDF releases: a press release a ministry publishes only as a PDF file, read as a plain-text document.

pypdf lays each page's text out as printed (``extraction_mode="layout"``), so a paragraph's lines stay together and
a blank line parts paragraphs. The headline is the largest type in the opening lines of the first page (pypdf's text
visitor tells each run's size and place); lines above it (the ministry's letterhead) and the lines repeated on most
pages (running headers, footers, page numbers) are not the text. A date line under the headline ("Minsk, 2 October
2024") dates the release, else the file's creation date. What is left goes through the document parser, as a plain
text whose first line is the headline: it rejoins words hyphenated across lines and paragraphs split across pages.

Bounded: at most :data:`MAX_PAGES` pages are read; an encrypted file that opens with no password, or one pypdf
cannot read, is a :class:`ParseError` naming why.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from govpress.parsers import document
from govpress.parsers.dates import find_dates
from govpress.parsers.release import ParseContext, ParseError, Release

__all__ = ["MAX_PAGES", "is_pdf", "parse"]

MAX_PAGES = 40
"""Pages read of one file: a release is a few; a 300-page report linked from a news list is not read whole."""
_TITLE_LINES = 4
"""Lines of the largest type at the top of the first page that make the headline at most."""
_OPENING_LINES = 12
"""Lines of the first page in which the headline is looked for."""
_DATE_LINE_CHARS = 80
_PAGE_NUMBER = re.compile(r"(?i)^[\s\-–—]*(?:(?:page|стр\.?|страница|seite|page|página|səhifə)\s*)?\d{1,3}"
                          r"(?:\s*(?:of|из|von|de|/)\s*\d{1,3})?[\s\-–—]*$")
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+\-]\d{2}'?\d{2}'?)?")

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file's warnings say what the ParseError says


def is_pdf(body: bytes) -> bool:
    return body[:1024].lstrip().startswith(b"%PDF-")


def parse(body: bytes, url: str, ctx: ParseContext, *, parser: str, version: str) -> Release:
    """One PDF file -> :class:`Release` (``parser``/``version``: the parser that was asked, which it is recorded as)."""
    pages, sizes, created = _read(body)
    lines_by_page = [_lines(text) for text in pages]
    _drop_running_lines(lines_by_page)
    if not any(line for lines in lines_by_page for line in lines):
        raise ParseError("PDF without text (a scan? no text layer to read)")
    title, first_page = _take_title(lines_by_page[0], sizes)
    lines_by_page[0] = first_page
    text = "\n".join("\n".join(lines) for lines in lines_by_page)
    if title is None:
        title, _, text = text.strip("\n").partition("\n")  # the first line is the headline, as in a plain text
    dated = _date_under_title(text, ctx.timezone)
    if dated is not None and dated[1]:
        text = text.replace(dated[1], "", 1)  # a line that is only a place and the date is no text
    published = dated[0] if dated else created
    header = f"---\ntitle: {title}\n" + (f"date: {published}\n" if published else "") + "---\n"
    release = document.parse((header + text).encode("utf-8"), url, replace(ctx, content_type="text/plain"))
    release.parser, release.parser_version = parser, version
    return release


def _read(body: bytes) -> tuple[list[str], list[tuple[float, str]], str | None]:
    """The pages' text as laid out, the first page's opening runs as (type size, text), and the creation date (ISO)."""
    from pypdf import PdfReader  # imported by the parse that meets a PDF, not by every parse worker's start
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("encrypted PDF: it opens only with a password")
        pages: list[str] = []
        sizes: list[tuple[float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip() and len(sizes) < 200:
                scale = abs(tm[3] * cm[3]) or 1.0
                sizes.append((round(size * scale, 1), text))

        for number, page in enumerate(reader.pages[:MAX_PAGES]):
            pages.append(page.extract_text(extraction_mode="layout") or "")
            if number == 0:
                page.extract_text(visitor_text=visit)
        created = _pdf_date((reader.metadata or {}).get("/CreationDate"))
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as exc:
        raise ParseError(f"unreadable PDF: {type(exc).__name__}: {exc}") from exc
    return pages, sizes, created


def _lines(page: str) -> list[str]:
    """A page's lines, each stripped of the layout's indentation; a run of blank lines kept as one ("" parts paragraphs)."""
    out: list[str] = []
    for raw in page.splitlines():
        line = " ".join(raw.split())
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def _drop_running_lines(pages: list[list[str]]) -> None:
    """Page numbers, and the lines that open or close most pages alike (a running header or footer), go."""
    if len(pages) >= 2:
        edges = Counter(line for lines in pages for line in {*lines[:2], *lines[-2:]} if line)
        running = {line for line, count in edges.items() if count > len(pages) / 2 and count >= 2}
    else:
        running = set()
    for lines in pages:
        lines[:] = [line for line in lines if line not in running and not _PAGE_NUMBER.match(line or "x")]


def _take_title(lines: list[str], sizes: list[tuple[float, str]]) -> tuple[str | None, list[str]]:
    """The headline (the largest type among the first page's opening lines) and the page's lines after it."""
    if not sizes:
        return None, lines
    opening = [(size, " ".join(text.split())) for size, text in sizes[: _OPENING_LINES * 3] if text.strip()]
    largest = max(size for size, _ in opening)
    body_size = Counter(size for size, _ in sizes).most_common(1)[0][0]
    if largest <= body_size * 1.15:
        # No type larger than the text's: the first line in the text's type is the headline (a letterhead or a
        # running header above it is set smaller).
        largest = next(size for size, _ in opening if size >= body_size)
        words = next(text for size, text in opening if size == largest).split()
    else:
        words = " ".join(text for size, text in opening if size == largest).split()
    # The page's lines that the headline's words make up, in order: the headline ends where its words do.
    taken, start, end = 0, None, None
    for index, line in enumerate(lines[:_OPENING_LINES]):
        line_words = line.split()
        if line_words and words[taken:taken + len(line_words)] == line_words:
            start = index if start is None else start
            taken += len(line_words)
            end = index
            if taken >= len(words) or end - start + 1 >= _TITLE_LINES:
                break
        elif start is not None:
            break
    if start is None or taken < len(words) // 2:
        return None, lines
    return " ".join(lines[start:end + 1]), lines[end + 1:]


def _date_under_title(text: str, tz: str) -> tuple[str, str | None] | None:
    """The date of a short line among the first few under the headline ("Minsk, 2 October 2024"), as written there
    (the document parser reads it in the source's zone, a day as a day), and the line itself when it is only that
    date and a place (None when it says more)."""
    for line in [line for line in text.split("\n") if line.strip()][:4]:
        if len(line) > _DATE_LINE_CHARS:
            continue
        found = find_dates(line, tz=tz)
        if found and found[0][2].has_year:
            start, end, _ = found[0]
            rest = (line[:start] + " " + line[end:]).strip(" ,.–—-|:;()")
            return line[start:end], (line if len(rest.split()) <= 3 else None)
    return None


def _pdf_date(raw: object) -> str | None:
    """A PDF date ("D:20241003090000+03'00'") as ISO, or None."""
    match = _PDF_DATE.match(str(raw or "").strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if zone and zone not in "Zz":
        digits = zone.replace("'", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5] or 0))
        value = value.replace(tzinfo=timezone(offset if digits[0] == "+" else -offset))
    elif zone:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()
