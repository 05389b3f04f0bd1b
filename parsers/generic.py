"""The generic extractor: any HTML article page (or a one-entry feed document) -> :class:`Release`.

Every site parser can fall back on it; a well-structured source needs nothing else.

HTML: metadata from JSON-LD, OpenGraph, ``<meta>``, ``<time>`` and microformats (see
:func:`govpress.parsers.html.page_metadata`); the body from JSON-LD ``articleBody`` when it is
substantial, else the page's marked-up body (h-entry ``e-content``, ``itemprop=articleBody``),
else the block with the densest prose (:func:`govpress.parsers.html.find_main_content`), and
trafilatura only when that finds nothing. Dates come only from metadata and date lines,
never from the body text. Feeds: discovery wraps each entry of a full-text feed into its
own one-entry document; the first entry becomes the release.

Only :class:`ParseError` (or :class:`BlockedPage`) ever leaves :func:`parse`.
"""

from __future__ import annotations

import re
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from govpress.parsers.feeds import parse_feed_document
from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.html import (
    PageMeta,
    absolute,
    block_paragraphs,
    clean_title,
    find_main_content,
    heading_text,
    is_boilerplate,
    looks_blocked,
    make_soup,
    page_metadata,
    primary_language,
)
from govpress.parsers.language import detect_language
from govpress.parsers.release import BlockedPage, ParseContext, ParseError, Release
from govpress.parsers.text import normalize, repair_paragraphs, sentences, to_body_text

NAME = "generic"
VERSION = "1.0"

__all__ = ["NAME", "VERSION", "choose_title", "is_feed_document", "parse", "read_date"]


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """One page (HTML or a one-entry RSS/Atom document) -> :class:`Release`; only ParseError escapes."""
    try:
        if not body or not body.strip():
            raise ParseError("empty body")
        if is_feed_document(body):
            return _parse_feed_entry(body, url, ctx)
        _reject_binary(body)
        return _parse_html(body, url, ctx)
    except ParseError:
        raise
    except (Exception, RecursionError) as exc:  # never let a parser bug stop a run
        raise ParseError(f"generic parser failed: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- sniffing

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>/]", re.I)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (office document?)"),
    (b"\x1f\x8b", "gzip-compressed bytes"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (.doc/.xls)"),
)


def is_feed_document(body: bytes) -> bool:
    """An RSS/Atom/RDF document: the feed root comes before any HTML root in the first 4 KB."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    html = _HTML_ROOT.search(head)
    return html is None or feed.start() < html.start()


def _reject_binary(body: bytes) -> None:
    head = body[:1024].lstrip()
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ParseError(f"not HTML: {what}")
    sample = body[:4096]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls / len(sample) > 0.1:
        raise ParseError("not HTML: binary bytes")


# --------------------------------------------------------------------------- HTML


def _parse_html(body: bytes, url: str, ctx: ParseContext) -> Release:
    soup = make_soup(body, ctx.content_type)
    reason = looks_blocked(soup)
    if reason:
        raise BlockedPage(reason)
    meta = page_metadata(soup, url)

    title, title_element = choose_title(meta, soup)
    if not title:
        raise ParseError("no title")
    subtitle, subtitle_element = _find_subtitle(soup, title_element, title)

    paragraphs = _body_paragraphs(soup, meta, exclude=[e for e in (title_element, subtitle_element) if e is not None])
    paragraphs = _clean_paragraphs(paragraphs, title=title, subtitle=subtitle, h1=meta.h1)
    repair_language = ctx.languages[0] if ctx.languages else meta.language
    paragraphs = repair_paragraphs(paragraphs, repair_language)
    body_text = to_body_text(paragraphs)
    _require_body(body_text)

    language = detect_language(f"{title}\n\n{body_text}", declared=ctx.languages) or meta.language
    published_at, precision = _first_date(meta.published, ctx)
    updated_at, _ = _first_date(meta.modified, ctx)
    canonical = meta.canonical or url
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        subtitle=subtitle,
        lead=_lead(meta, paragraphs, title=title, subtitle=subtitle),
        published_at=published_at,
        published_precision=precision,
        updated_at=updated_at,
        language=language,
        canonical_url=canonical,
        tags=list(meta.keywords),
        translations=_translations(meta, language, {url, canonical}),
    )


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def _similarity(a: str, b: str) -> float:
    """Token Jaccard, raised when one title contains the other (a kicker or site name around it)."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    score = len(ta & tb) / len(ta | tb)
    if a.casefold() in b.casefold() or b.casefold() in a.casefold():
        score = max(score, 0.8)
    return score


def choose_title(meta: PageMeta, soup: BeautifulSoup | None = None) -> tuple[str | None, Tag | None]:
    """The headline, and its ``<h1>`` element when the page shows one.

    An ``<h1>`` wins when it resembles a metadata title (JSON-LD headline, og:title, <title>
    without the site name): it is what readers see, while metadata titles are often shortened
    or carry the site's name. Without any resemblance the metadata title wins, then the first
    visible ``<h1>``.
    """
    candidates = meta.title_candidates
    headings: list[tuple[str, Tag | None]] = []
    if soup is not None:
        for h1 in soup.find_all("h1"):
            if is_boilerplate(h1) or any(is_boilerplate(p) for p in h1.parents if isinstance(p, Tag) and p.name not in ("html", "body", "[document]")):
                continue
            text = heading_text(h1)
            if text:
                headings.append((text, h1))
    else:
        headings = [(h, None) for h in meta.h1]

    best: tuple[float, str, Tag | None] | None = None
    for text, element in headings:
        for candidate in candidates:
            score = _similarity(text, candidate)
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, text, element)
    if best is not None:
        return best[1], best[2]
    if candidates:
        return candidates[0], None
    if headings:
        return headings[0]
    return None, None


_SUBTITLE_CLASSES = frozenset({"subtitle", "sub-title", "subheadline", "sub-headline", "subheading", "standfirst", "lead", "deck", "dek"})


def _find_subtitle(soup: BeautifulSoup, title_element: Tag | None, title: str) -> tuple[str | None, Tag | None]:
    """An obvious subtitle: an element classed subtitle/lead/standfirst, or an ``<h2>`` right after the ``<h1>``."""
    def usable(tag: Tag) -> str | None:
        text = normalize(" ".join(block_paragraphs(tag)))
        if 10 <= len(text) <= 600 and text.casefold() != title.casefold():
            return text
        return None

    def subtitle_class(c: str | None) -> bool:
        return bool(c) and c.lower() in _SUBTITLE_CLASSES

    # A subtitle follows its headline; without a headline element, search the page body.
    scope = title_element.find_all_next(class_=subtitle_class, limit=20) if title_element is not None else (soup.body or soup).find_all(class_=subtitle_class, limit=20)
    for tag in scope:
        if tag.name == "a" or tag.find_parent("a") is not None:
            continue  # a logo's tagline or a teaser link, not this page's subtitle
        if any(is_boilerplate(p) or (p.name == "header" and p.find_parent("article") is None)
               for p in tag.parents if isinstance(p, Tag) and p.name not in ("html", "body", "[document]")):
            continue
        text = usable(tag)
        if text:
            return text, tag
    if title_element is not None:
        following = title_element.find_next_sibling(True)
        if isinstance(following, Tag) and following.name == "h2":
            text = usable(following)
            if text and len(text) <= 300:
                return text, following
    return None, None


def _substantial(text: str) -> bool:
    return len(text) >= 200 or (len(text) >= 60 and len(sentences(text)) >= 2)


_SHORT_BODY = 600
"""Characters below which the density pick gets a second opinion from trafilatura."""


def _body_paragraphs(soup: BeautifulSoup, meta: PageMeta, *, exclude: list[Tag]) -> list[str]:
    """Body paragraphs from the most trustworthy channel that has a substantial text."""
    html_paragraphs: list[str] | None = None
    if meta.content_element is not None:
        html_paragraphs = block_paragraphs(meta.content_element, exclude=exclude)
    if not html_paragraphs or not _substantial(" ".join(html_paragraphs)):
        root, noise = find_main_content(soup)
        if root is not None:
            html_paragraphs = block_paragraphs(root, exclude=[*noise, *exclude])

    if meta.jsonld_body and _substantial(meta.jsonld_body):
        ld_paragraphs = _text_paragraphs(meta.jsonld_body)
        html_length = sum(len(p) for p in html_paragraphs or [])
        ld_length = sum(len(p) for p in ld_paragraphs)
        # articleBody is often one unbroken blob: the page's own paragraphs are better when they hold as much.
        if not (len(ld_paragraphs) == 1 and html_paragraphs and html_length >= 0.8 * ld_length):
            return ld_paragraphs
    if html_paragraphs and _substantial(" ".join(html_paragraphs)):
        html_length = sum(len(p) for p in html_paragraphs)
        if html_length >= _SHORT_BODY:
            return html_paragraphs
        # A short body may be a short release, or a banner picked from a page whose broken
        # markup hid the article: a second opinion decides (rare, so its cost does not matter).
        second = _trafilatura_paragraphs(soup)
        if len(second) > 1 and sum(len(p) for p in second) > 2 * html_length:
            return second
        if sum(len(p) for p in _trafilatura_paragraphs(soup, permissive=True)) > 2 * html_length:
            # Much more text on the page than in the block we found, and no clean way to it
            # (typically closing tags lost). Refuse rather than store a banner; the page is
            # retried next run and its body is archived for a reparse.
            raise ParseError("could not separate the article from the rest of the page (broken markup?)")
        return html_paragraphs
    return _trafilatura_paragraphs(soup) or html_paragraphs or []


def _text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text that may be plain (newline-separated) or HTML."""
    if re.search(r"<(?:p|br|div|li)\b", text, re.I):
        fragment = BeautifulSoup(text, "lxml")
        return block_paragraphs(fragment.body or fragment)
    return [p for p in (normalize(re.sub(r"[ \t]+", " ", chunk)).strip() for chunk in re.split(r"\n\s*\n|\r?\n", text)) if p]


def _trafilatura_paragraphs(soup: BeautifulSoup, *, permissive: bool = False) -> list[str]:
    """Last resort: trafilatura's precision mode on the page (slower, and it loses list structure).

    ``permissive`` uses its default mode, which also keeps menus and link lists: only good for
    measuring how much text a page holds, never for a release's body.
    """
    import trafilatura

    extracted = trafilatura.extract(str(soup), favor_precision=not permissive, output_format="txt",
                                    include_comments=False, fast=True)
    if not extracted:
        return []
    return [p for p in (normalize(line).strip().removeprefix("- ") for line in extracted.split("\n")) if p]


_PHOTO_CREDIT = re.compile(r"(?<=[.!?…»”\"])\s*(?:Foto|Fotos|Photo|Photos|Bild|Bilder|Фото|Photo credit|Credit)\s*:\s*(?:[^.!?]|\.(?=\w)){1,80}$", re.I)


def _clean_paragraphs(paragraphs: list[str], *, title: str, subtitle: str | None, h1: list[str]) -> list[str]:
    """Drop the headline and subtitle repeated inside the content block and a trailing photo credit."""
    repeated = {title.casefold(), *(h.casefold() for h in h1)}
    if subtitle:
        repeated.add(subtitle.casefold())
    out = [p for p in paragraphs if p.casefold() not in repeated]
    if out:
        out[-1] = _PHOTO_CREDIT.sub("", out[-1]).rstrip()
        if not out[-1]:
            out.pop()
    return out


def _require_body(body_text: str) -> None:
    if not body_text:
        raise ParseError("no body text")
    if not _substantial(body_text):
        raise ParseError(f"body too short ({len(body_text)} characters)")


def _comparable(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".…").strip().casefold()


def _lead(meta: PageMeta, paragraphs: list[str], *, title: str, subtitle: str | None) -> str | None:
    """The page's description, unless it is only the opening of the body cut short (an automatic excerpt)."""
    description = meta.description or meta.og_description
    if not description:
        return None
    description = normalize(description).strip()
    wanted = _comparable(description)
    if not wanted or wanted == _comparable(title) or (subtitle and wanted == _comparable(subtitle)):
        return None
    first = _comparable(paragraphs[0]) if paragraphs else ""
    if first and first.startswith(wanted):
        return None  # the first paragraph, whole or cut short: nothing the body does not say
    return description


def _translations(meta: PageMeta, language: str | None, own_urls: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag, href in meta.hreflang.items():
        code = primary_language(tag)
        if code is None or tag == "x-default" or code == language or href in own_urls:
            continue
        out.setdefault(code, href)
    return out


# --------------------------------------------------------------------------- dates


def read_date(raw: str, ctx: ParseContext, *, free_text: bool = False):
    """A date string from metadata -> ParsedDate (ISO first, then any written form), or ``None``."""
    raw = raw.strip()
    if not raw:
        return None
    if not free_text:
        parsed = parse_iso(raw, tz=ctx.timezone)
        if parsed is not None:
            return parsed
    return parse_date(raw, tz=ctx.timezone, reference=ctx.fetched_at)


def _first_date(candidates: list[tuple[str, str]], ctx: ParseContext) -> tuple[datetime | None, str | None]:
    for channel, raw in candidates:
        parsed = read_date(raw, ctx, free_text=channel == "dateline")
        if parsed is not None:
            return parsed.value, parsed.precision
    return None, None


# --------------------------------------------------------------------------- feeds


def _parse_feed_entry(body: bytes, url: str, ctx: ParseContext) -> Release:

    feed = parse_feed_document(body)
    if not feed.entries:
        raise ParseError("feed document has no entry")
    entry = feed.entries[0]

    title = _feed_text(entry.get("title"))
    if not title:
        raise ParseError("feed entry has no title")
    link = absolute(url, entry.get("link")) or url
    html = ""
    for content in entry.get("content") or []:
        if content.get("value") and len(content["value"]) > len(html):
            html = content["value"]
    summary = entry.get("summary") or entry.get("description") or ""
    if not html:
        html = summary
    paragraphs = _text_paragraphs(html)
    paragraphs = _clean_paragraphs(paragraphs, title=title, subtitle=None, h1=[])
    declared = ctx.languages[0] if ctx.languages else primary_language(feed.feed.get("language"))
    paragraphs = repair_paragraphs(paragraphs, declared)
    body_text = to_body_text(paragraphs)
    _require_body(body_text)

    # dict.get: FeedParserDict maps a missing "updated" to "published" with a deprecation warning.
    raw_dates = {key: dict.get(entry, key) for key in ("published", "updated", "created")}
    published_at, precision = None, None
    for key in ("published", "updated", "created"):
        if raw_dates[key]:
            published_at, precision = _first_date([("feed", raw_dates[key])], ctx)
            if published_at is not None:
                break
    updated_at = None
    if raw_dates["updated"] and raw_dates["published"]:
        updated_at, _ = _first_date([("feed", raw_dates["updated"])], ctx)

    lead = None
    if summary and summary != html:
        summary_text = normalize(" ".join(_text_paragraphs(summary))).strip()
        opening = _comparable(body_text[: len(summary_text) + 50])
        if summary_text and not opening.startswith(_comparable(summary_text)):
            lead = summary_text
    language = detect_language(f"{title}\n\n{body_text}", declared=ctx.languages) or primary_language(
        entry.get("language") or feed.feed.get("language")
    )
    tags = [clean_title(t.get("term")) for t in entry.get("tags") or [] if t.get("term")]
    return Release(
        url=link,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead,
        published_at=published_at,
        published_precision=precision,
        updated_at=updated_at,
        language=language,
        canonical_url=link,
        tags=[t for t in tags if t],
    )


def _feed_text(value: str | None) -> str:
    """A feed title: feedparser may leave markup or entities in it."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        value = BeautifulSoup(value, "lxml").get_text(" ")
    return clean_title(value)
