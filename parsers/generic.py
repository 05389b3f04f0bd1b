"""The generic extractor: any HTML article page (or a one-entry feed document) -> :class:`Release`.

Every site parser can fall back on it; a well-structured source needs nothing else.

HTML, parsed once into one lxml tree that every step reads:

1. metadata (:func:`govpress.parsers.html.page_metadata`): JSON-LD, OpenGraph, ``<meta>``,
   ``<time>``, microformats, canonical, hreflang;
2. the headline (:func:`choose_title`): the ``<h1>`` that agrees with a metadata title
   (JSON-LD headline, og:title, ``<title>`` without the site's name), a navigation ``<h1>``
   (logo, site name, masthead) never; a date inside the ``<h1>`` is split off into the date
   candidates;
3. the body: JSON-LD ``articleBody`` when it is substantial, else the page's marked-up body
   (h-entry ``e-content``, ``itemprop=articleBody``), else the block with the densest prose
   (:func:`govpress.parsers.html.find_main_content`); trafilatura is asked only when that
   result is doubtful (short), and :data:`counters` says how often;
4. the publication date (:func:`govpress.parsers.datefinder.find_publication_date`): candidates
   from metadata, the headline, date lines near it, labelled lines, the first paragraph's
   dateline, the breadcrumb's last crumb and the URL, ranked; when none gives a day, in turn:
   htmldate's markup search, the page's only bare date line, htmldate's free-text scan, each
   guarded against the lines the finder rejects (:data:`counters` says how often each served).

Feeds: discovery wraps each entry of a full-text feed into its own one-entry document; the
first entry becomes the release.

Only :class:`ParseError` (or :class:`BlockedPage`) ever leaves :func:`parse`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from urllib.parse import urlsplit

from govpress.parsers.blocked import fetch_verdict_holds
from govpress.parsers.datefinder import (
    FoundDate, find_publication_date, is_date_label_line, lone_date_line, markup_fallback, read_stamp,
)
from govpress.parsers.dates import find_dates
from govpress.parsers.html import (
    Element,
    PageIndex,
    MainContent,
    PageMeta,
    absolute,
    block_paragraphs,
    caption_blocks,
    clean_title,
    heading_text,
    link_blocks,
    locate_main_content,
    paragraph_weight,
    prose_weight,
    is_boilerplate,
    looks_blocked,
    page_metadata,
    parse_html_text,
    primary_language,
    text_of,
    trailing_link_lists,
)
from govpress.parsers.html.blocks import class_tokens, markup_decoded, verdicts_held
from govpress.parsers.html.leads import find_lead, lead_overlaps
from govpress.parsers.html.state import state_article
from govpress.parsers.html.titles import (
    UNSPACED_LETTER, similarity, strip_site_name, strip_site_suffix, title_key, title_segments,
)
from govpress.parsers.html.tree import child_named, decode_page_checked
from govpress.parsers.language import detect_language, detect_later
from govpress.parsers.notfound import not_found_reason
from govpress.parsers.release import BlockedPage, NotFoundPage, ParseContext, ParseError, Release
from govpress.parsers.text import normalize, repair_paragraphs, sentences, squash, to_body_text

NAME = "generic"
VERSION = "2.0"

__all__ = ["NAME", "VERSION", "Headline", "choose_title", "counters", "is_feed_document", "parse", "read_date"]

counters: Counter[str] = Counter()
"""Process-local counts for measurement (``govpress eval``, bench/bench_extract.py): ``html_pages``,
``trafilatura_consulted`` (the density body was doubtful), ``trafilatura_used`` (its text won)."""


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """One page (HTML or a one-entry RSS/Atom document) -> :class:`Release`; only ParseError escapes."""
    try:
        if not body or not body.strip():
            raise ParseError("empty body")
        if is_feed_document(body):
            return _parse_feed_entry(body, url, ctx)
        if body[:1024].lstrip().startswith(b"%PDF-"):  # a release published as a PDF file: parsers/pdf.py
            from govpress.parsers import pdf

            return pdf.parse(body, url, ctx, parser=NAME, version=VERSION)
        _reject_binary(body)
        return _parse_html(body, url, ctx)
    except ParseError:
        raise
    except (Exception, RecursionError) as exc:  # never let a parser bug stop a run
        raise _failed(exc) from exc


def _failed(exc: BaseException) -> ParseError:
    """The failure of a page whose parse raised ``exc``, a bug."""
    return ParseError(f"generic parser failed: {type(exc).__name__}: {exc}")


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


_FEED_ROOT_LONGEST = 9
"""The longest text :data:`_FEED_ROOT` matches (``<rdf:RDF`` and the character after it)."""


def is_feed_document(body: bytes) -> bool:
    """An RSS/Atom/RDF document: the feed root comes before any HTML root in the first 4 KB.

    The HTML root is looked for first (an HTML page opens with it): only a feed root starting before it can count,
    and every such match ends within :data:`_FEED_ROOT_LONGEST` characters of it, so the feed search stops there
    instead of reading the page's whole first 4 KB case-blind (~4 us a page)."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    html = _HTML_ROOT.search(head)
    if html is None:
        return _FEED_ROOT.search(head) is not None
    feed = _FEED_ROOT.search(head, 0, html.start() + _FEED_ROOT_LONGEST)
    return feed is not None and feed.start() < html.start()


_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")
"""UTF-16's byte order marks (UTF-32's open with one of them too): a page so encoded has a NUL in every other byte."""


def _reject_binary(body: bytes) -> None:
    head = body[:1024].lstrip()
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ParseError(f"not HTML: {what}")
    if body.startswith(_WIDE_BOMS):
        return  # a UTF-16 or UTF-32 page (Windows tools save them): the charset reader takes it by its BOM
    sample = body[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if sample and controls / len(sample) > 0.1:
        raise ParseError("not HTML: binary bytes")


# --------------------------------------------------------------------------- HTML


def _parse_html(body: bytes, url: str, ctx: ParseContext) -> Release:
    with verdicts_held():  # the page's tree is read, never changed: each element judged boilerplate or not once
        try:
            return _parse_html_page(body, url, ctx)
        except (BlockedPage, NotFoundPage):
            raise
        except ParseError:
            # No article in the markup: a page a script draws may carry it as data (Next.js, an initial state).
            release = _parse_app_state(body, url, ctx)
            if release is None:
                raise
            return release


def _parse_app_state(body: bytes, url: str, ctx: ParseContext) -> Release | None:
    """The release from the article a JavaScript application ships as data in the page (parsers/html/state.py)."""
    text, same_bytes = decode_page_checked(body, ctx.content_type)
    root = parse_html_text(text, body if same_bytes else None)
    found = state_article(root)
    if found is None:
        return None
    paragraphs = _text_paragraphs(found.body)
    body_text = to_body_text(repair_paragraphs(paragraphs, ctx.languages[0] if ctx.languages else None))
    if not body_text or not _substantial(body_text):
        return None
    counters["app_state_used"] += 1
    stamp = read_date(found.published, ctx) if found.published else None
    meta = page_metadata(root, url, PageIndex(root))
    release = Release(
        url=url,
        title=clean_title(found.title),
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=found.lead,
        published_at=stamp.value if stamp else None,
        published_precision=stamp.precision if stamp else None,
        published_offset_stated=stamp.has_offset if stamp else None,
        canonical_url=meta.canonical or url,
    )
    sample = f"{release.title}\n\n{body_text[:_LANGUAGE_SAMPLE]}"
    declared = meta.language

    def detection() -> None:
        try:
            release.language = detect_language(sample, declared=ctx.languages) or declared
        except (Exception, RecursionError) as exc:
            raise _failed(exc) from exc

    detect_later(detection)
    return release


def _parse_html_page(body: bytes, url: str, ctx: ParseContext) -> Release:
    text, same_bytes = decode_page_checked(body, ctx.content_type)
    # The fetcher's check of these bytes stands when the rules would read the text as they read them.
    if not (ctx.no_block_found and fetch_verdict_holds(body, text, ctx.content_type, same_bytes=same_bytes)) and (reason := looks_blocked(text)):
        raise BlockedPage(reason)
    root = parse_html_text(text, body if same_bytes else None)
    # Every element's Python proxy held for the whole parse: otherwise lxml builds a new proxy each
    # time one of the dozen walks below reaches an element and frees it again when the walk moves on.
    # Bounded: a hostile page's million elements would hold ~70 MB of proxies.
    proxies = list(islice(root.iter(), _HELD_PROXIES))  # noqa: F841  (held, not read)
    if reason := not_found_reason(text, root):
        raise NotFoundPage(reason)
    counters["html_pages"] += 1
    index = PageIndex(root, proxies if len(proxies) < _HELD_PROXIES else None)  # every node held: read from the list
    meta = page_metadata(root, url, index)
    if ctx.fetched_at_guessed:
        ctx = _anchored_to_stated(ctx, meta)

    headline = choose_title(meta, index, ctx.site_names)
    title = headline.title
    if not title:
        raise ParseError("no title")
    subtitle, subtitle_element = _find_subtitle(index, headline.element, title)
    # div.article__lead & co.: the lead, not a sub-headline (its text read as the block was found)
    lead_block, lead = find_lead(root, headline.element) or (None, None)
    if lead_block is not None and subtitle_element is not None and lead_overlaps(lead_block, subtitle_element):
        subtitle, subtitle_element = None, None

    excluded = [e for e in (headline.element, subtitle_element, lead_block) if e is not None]
    paragraphs = _body_paragraphs(root, text, meta, exclude=excluded,
                                  fields=[e for e in (subtitle_element, lead_block) if e is not None], title=title)
    paragraphs = _clean_paragraphs(paragraphs, title=title, subtitle=subtitle, h1=meta.h1)
    found = _publication_date(root, meta, headline, paragraphs, url, ctx, index)
    if found.date is None:
        counters["markup_date_asked"] += 1
        lines, teasers, blocks = _visible_lines(root)
        found = markup_fallback(text, url=url, lines=lines, teasers=teasers, tz=ctx.timezone, reference=ctx.fetched_at,
                                modified=[raw for _, raw in meta.modified], fetch_known=not ctx.fetched_at_guessed,
                                not_after=ctx.fetched_before)
        counters["markup_date_used"] += found.date is not None
        if found.date is None:
            # Lines with a digit outside navigation, asides, footers: where a last-resort date may stand.
            content = {line for line, block in zip(lines, blocks)
                       if len(line) <= 200 and _DIGIT.search(line) and not _in_boilerplate(block)}
            # The page's one bare date line, if it has exactly one day on such lines.
            found = lone_date_line([line for line in lines if line in content and len(line) <= 60], tz=ctx.timezone,
                                   reference=ctx.fetched_at, teasers=teasers, month_first=bool(_month_first(meta, ctx)),
                                   fetch_known=not ctx.fetched_at_guessed, not_after=ctx.fetched_before)
            counters["lone_date_line_used"] += found.date is not None
            if found.date is None:
                # Last of all, htmldate's free-text scan, its day shown on a content line outside the article's text.
                found = markup_fallback(text, url=url, lines=lines, teasers=teasers, tz=ctx.timezone,
                                        reference=ctx.fetched_at, modified=[raw for _, raw in meta.modified],
                                        free_text=True, content=content, body=paragraphs,
                                        fetch_known=not ctx.fetched_at_guessed, not_after=ctx.fetched_before)
                counters["free_text_date_used"] += found.date is not None
    paragraphs = _drop_date_lines(paragraphs, found)
    repair_language = ctx.languages[0] if ctx.languages else meta.language
    paragraphs = repair_paragraphs(paragraphs, repair_language)
    body_text = to_body_text(paragraphs)
    _require_body(body_text)

    updated = _first_stamp(meta.modified, ctx)
    canonical = meta.canonical or url
    release = Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        subtitle=subtitle,
        lead=lead if lead_block is not None else _lead(meta, paragraphs, title=title, subtitle=subtitle),
        published_at=found.value,
        published_precision=found.precision,
        published_offset_stated=found.date.has_offset if found.date else None,
        updated_at=updated.value if updated else None,
        canonical_url=canonical,
        tags=list(meta.keywords),
    )
    declared_language, hreflang, sample = meta.language, meta.hreflang, f"{title}\n\n{body_text[:_LANGUAGE_SAMPLE]}"

    def detection() -> None:
        try:
            release.language = language = detect_language(sample, declared=ctx.languages) or declared_language
            release.translations = _translations(hreflang, language, {url, canonical})
        except (Exception, RecursionError) as exc:  # as parse() reports it when the step runs within it
            raise _failed(exc) from exc

    # The opening of a text tells its language as well as the whole of it, at a fraction of the cost. No later step
    # of the parse reads the language: a worker detects a chunk's pages together after their parses (run_jobs).
    detect_later(detection)
    return release


_HELD_PROXIES = 50_000
"""Elements whose lxml proxies one parse holds (72 bytes each with the list's slot: 3.6 MB at most; a real
article page has 500-3,000)."""

_LANGUAGE_SAMPLE = 800
"""Characters of the body the language is told from: the opening tells it as well as the whole."""


# --------------------------------------------------------------------------- headline


@dataclass(slots=True)
class Headline:
    """The chosen headline, the ``<h1>`` showing it (when one does), and dates split off it."""

    title: str | None
    element: Element | None = None
    dates: list[str] = field(default_factory=list)


# Parts of a heading that hold its date (a <time>, a span classed date) rather than its words.
_DATE_CLASS = re.compile(r"(?:^|[-_])(?:date|datum|time|dateline|pubdate|published|дата)(?:$|[-_])", re.I)
_EDGE_SEPARATORS = " \t|/·•:,–—-"


def _split_heading(h1: Element) -> tuple[str, list[str]]:
    """The headline's words, and the dates printed inside it (a date span, or a date glued to either end)."""
    dates: list[str] = []
    text = heading_text(h1)
    for part in h1.iterdescendants():
        if isinstance(part.tag, str) and (part.tag == "time" or any(_DATE_CLASS.search(t) for t in class_tokens(part))):
            shown = text_of(part)
            if shown and find_dates(shown):
                dates.append(part.get("datetime") or shown)
                text = clean_title(text.replace(shown, " ", 1))
    # A date glued to the start or the end without markup ("12.03.2024 | Title", "Title — 2 октября 2024").
    found = find_dates(text)
    if found:
        start, end, _ = found[0]
        if not text[:start].strip(_EDGE_SEPARATORS) and len(text[end:].split()) >= 2:
            dates.append(text[:end])
            text = text[end:].strip(_EDGE_SEPARATORS)
        else:
            start, end, _ = found[-1]
            if not text[end:].strip(_EDGE_SEPARATORS + ".") and len(text[:start].split()) >= 2:
                dates.append(text[start:end])
                text = text[:start].strip(_EDGE_SEPARATORS)
    return clean_title(text), dates


def _heading_lines(h1: Element) -> list[str]:
    """The lines of an ``<h1>`` that ``<br>`` breaks into several (none for an unbroken one)."""
    if next(h1.iter("br"), None) is None:
        return []
    lines: list[list[str]] = [[]]

    def walk(element: Element) -> None:
        if element.text:
            lines[-1].append(element.text)
        for child in element:
            if child.tag == "br":
                lines.append([])
            elif isinstance(child.tag, str):
                walk(child)
            if child.tail:
                lines[-1].append(child.tail)

    walk(h1)
    texts = [clean_title(" ".join(line)) for line in lines]
    return [text for text in texts if text] if sum(1 for text in texts if text) > 1 else []


_BYLINE_START = re.compile(r"(?:by|von|par|por|di|da|door|av|af|автор|текст|фото)\b", re.I)


def _is_label_line(line: str) -> bool:
    """A heading line that is a byline, a credit or a kicker, not words of the headline: opened by "By"
    (and its like in other languages), or a few words that end no sentence ("編集委員　中沢克二", "EXCLUSIVE")."""
    if _BYLINE_START.match(line):
        return True
    return len(line.split()) <= 4 and line.rstrip()[-1:] not in ".!?…»\"”"


def _key(text: str) -> str:
    """The text's words, case-folded, one space between (the title module's key, memoised there: a page keys
    its source's site names and title segments again and again)."""
    return title_key(text)


_HOME_URL = re.compile(r"https?://[^/]+/?(?:index\.\w+)?")


def _agreement(heading: str, title: str) -> float:
    """How far a metadata title agrees with a heading (:func:`similarity`); a one-word title agrees only with the
    same word: "<title>MEDEF</title>" names the site, and would half-agree with every "Medef Newsletter" heading."""
    # (A title in a script written without spaces is a phrase, not one word, even without a space.)
    if " " not in title.strip() and not UNSPACED_LETTER.search(title) and _key(heading) != _key(title):
        return 0.0
    return similarity(heading, title)


_ARTICLE_HEADER = re.compile(r"(?:article|entry|post|story|news)[-_]{0,2}(?:head|title)", re.I)


def _is_navigation_heading(h1: Element, text: str, site_names: list[str], others: int) -> bool:
    """A heading that names the site or sits in the masthead, not the article's headline.

    - inside a navigation, share or hidden block (or is one);
    - its text is the site's name (og:site_name, publisher, learnt from the source's pages);
    - it is a logo: a link to the site's root or an image with little text;
    - it sits in a page-level ``<header>`` (outside any ``<article>``/``<main>``) while another
      ``<h1>`` exists on the page.
    """
    if is_boilerplate(h1) or any(is_boilerplate(p) for p in h1.iterancestors() if p.tag not in ("html", "body")):
        return True
    key = _key(text)
    if key and any(_key(n) == key for n in site_names):
        return True
    for link in h1.iter("a"):
        href = (link.get("href") or "").strip()
        if href in ("/", "./", "#") or _HOME_URL.fullmatch(href):
            return True
    if next(h1.iter("img"), None) is not None and len(text.split()) <= 4:
        return True
    if others:
        ancestors = list(h1.iterancestors())
        # A <header> the page names as an article's ("c-article-head", "entry-header") is that article's own.
        in_header = any(a.tag == "header" and not _ARTICLE_HEADER.search(" ".join(class_tokens(a))) for a in ancestors)
        in_article = any(a.tag in ("article", "main") or (a.get("role") or "").lower() == "main" for a in ancestors)
        if in_header and not in_article:
            return True
    return False


def choose_title(meta: PageMeta, index: PageIndex | None = None, learnt_site_names: tuple[str, ...] = ()) -> Headline:
    """The headline, the ``<h1>`` showing it, and dates printed inside that ``<h1>``.

    Candidates: the page's ``<h1>`` elements (navigation headings left out) and the metadata
    titles (JSON-LD headline, og:title, twitter:title, h-entry name, ``<title>``), the site's
    names stripped off the latter. An ``<h1>`` agreeing with a metadata title wins: it is what
    readers see, while metadata titles are often shortened or carry the site's name. Without an
    agreeing ``<h1>``, the metadata title most other metadata titles agree with, then the first
    ``<h1>`` left.
    """
    site_names = [*meta.site_names, *learnt_site_names]
    host = _host_name(meta.url)
    if host:
        site_names.append(host)  # "<title>carta.info</title>" names the site, not the article
    if index is not None:
        # A link to the site's own home page with a few words is its logo: "<a href="/">Gmina
        # Przykładowo</a>" names the site, and a "<title>" of that name is no headline.
        site_names.extend(text for href, text in index.root_links if _same_site(href, meta.url))
    headings: list[tuple[str, Element | None, list[str]]] = []
    if index is not None:
        elements = index.by_name["h1"]
        metadata_titles = (meta.jsonld_headline, meta.og_title, meta.twitter_title, meta.hentry_name)
        headline_keys = {_key(t) for t in metadata_titles if t}
        split = [(h1, *_split_heading(h1)) for h1 in elements]
        others = sum(1 for _, text, _ in split if text) - 1  # an empty <h1> (an icon's, a slider's) is no other heading
        for h1, text, dates in split:
            if not text:
                continue
            if _is_navigation_heading(h1, text, site_names, others):
                # A logo heading names the site: "<title>Site</title>" is no headline. Unless its words are
                # the headline the metadata gives: a hidden share block's copy of the headline
                # ("<div style='display:none'><h1>Headline</h1>") is no headline, but names no site.
                if _key(text) not in headline_keys:
                    site_names.append(text)
            else:
                headings.append((text, h1, dates))
    else:
        headings = [(h, None, []) for h in meta.h1]
    names = {_key(n) for n in site_names}
    candidates = [c for c in meta.title_candidates(tuple(site_names)) if _key(c) not in names]

    # Segments count too ("News - New flood defences" shows "New flood defences"), the raw
    # titles' as well: stripping guesses which side is the site ("Secretaría de Energía |
    # Programa ..." loses its headline when the site comes first), an agreeing <h1> tells.
    # Only a dropped segment longer than what stripping kept: "Minister holds talks | Ministry of
    # Examples" beside a logo <h1> "Ministry of Examples" keeps its headline.
    segments = [seg for c in candidates for seg in title_segments(c) if seg != c and _key(seg) not in names]
    asked: list[str] = []
    for raw in (meta.jsonld_headline, meta.og_title, meta.twitter_title, meta.hentry_name, meta.html_title):
        if not raw or raw in asked:
            continue  # no segments; or the same title again, whose segments are in already or were refused
        asked.append(raw)
        kept = strip_site_suffix(raw, meta.site_name)
        segments.extend(seg for seg in title_segments(raw) if seg not in candidates and seg not in segments
                        and _key(seg) not in names and len(seg.split()) > len(kept.split()))
    best: tuple[float, str, Element | None, list[str]] | None = None
    for text, element, dates in headings:
        for candidate in [*candidates, *segments]:
            score = _agreement(text, candidate)
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, text, element, dates)
    # An <h1> broken by <br> may carry a byline or a kicker on a line of its own ("Headline<br>By the editor"):
    # a line that agrees with the metadata is the headline when the whole does not agree, or when every other
    # line is such a label. ("Headline.<br>Its second sentence." agreeing as a whole is one headline in two lines.)
    for text, element, dates in headings:
        lines = _heading_lines(element) if element is not None else []
        for line in lines:
            if best is not None and not all(_is_label_line(other) for other in lines if other is not line):
                continue
            score = max((_agreement(line, candidate) for candidate in [*candidates, *segments]), default=0.0)
            if score >= 0.5 and (best is None or best[1] == text or score > best[0]):
                best = (score, line, element, dates)
    if best is None and not headings and index is not None:
        # Themes that keep <h1> for the logo show the headline in an <h2>: one agreeing with the
        # metadata is the headline as readers see it (metadata titles are often cut short).
        for h2 in _content_h2s(index.root, site_names):
            for candidate in [*candidates, *segments]:
                score = _agreement(h2[0], candidate)
                if score >= 0.5 and (best is None or score > best[0]):
                    best = (score, *h2)
    if best is not None:
        return Headline(best[1], best[2], best[3])
    if headings and _title_tag_is_a_label(meta, candidates, headings[0][0], names):
        text, element, dates = headings[0]
        return Headline(text, element, dates)
    if candidates and not headings and index is not None:
        # No <h1>, and a <title> naming only the section and the site ("新闻动态--中国地理学会官网"): the page's first
        # content heading, when it is far longer than every part of that <title> and agrees with none of them.
        first = next(_content_headings(index.root, site_names), None)
        if first is not None and _title_tag_names_no_article(meta, candidates, first[0], names):
            return Headline(*first)
        if first is None and (shown := _shown_headline(index.root, meta, candidates, site_names, names)) is not None:
            return shown
    if candidates:
        # The metadata title the others agree with most ("Title" over "Site: Title" and "Title | Site").
        agreed = max(candidates, key=lambda c: sum(similarity(c, o) for o in candidates if o is not c))
        return Headline(strip_site_name(agreed, site_names) if site_names else agreed)
    if headings:
        text, element, dates = headings[0]
        return Headline(text, element, dates)
    if index is not None:
        # No headline in <h1> or metadata (a logo <h1>, a <title> naming only the site): the first content <h2>.
        for text, element, dates in _content_h2s(index.root, site_names):
            return Headline(text, element, dates)
    return Headline(None)


def _title_tag_is_a_label(meta: PageMeta, candidates: list[str], heading: str, names: set[str] = frozenset()) -> bool:
    """Whether the only metadata title is a ``<title>`` naming the site or the kind of page, not the article.

    "Health Department" or "Communiqué de presse" as the whole ``<title>``, beside an ``<h1>``
    it does not agree with: one short segment and no other metadata title (og:title, JSON-LD)
    to back it, while the heading says more. A ``<title>`` that does back a headline has the
    headline's words, and then an ``<h1>`` agreeing with it was already chosen.
    """
    if any((meta.jsonld_headline, meta.og_title, meta.twitter_title, meta.hentry_name)) or len(candidates) != 1:
        return False
    label = candidates[0]
    # Segments naming the site do not count: "Gmina Przykładowo - Biuletyn Informacji Publicznej".
    own = [seg for seg in title_segments(meta.html_title or "") if _key(seg) not in names]
    return (len(own) <= 1 and len(label.split()) <= 4
            and len(heading.split()) > len(label.split()))


def _title_tag_names_no_article(meta: PageMeta, candidates: list[str], heading: str, names: set[str]) -> bool:
    """Whether the page's only metadata title, a ``<title>``, is too short to be ``heading``'s headline and shares
    nothing with it: each of its parts (the site's names aside) agrees with no part of the heading and is at most a
    third of its length (half let a company's slogan heading replace "Tragwerksplanung")."""
    if any((meta.jsonld_headline, meta.og_title, meta.twitter_title, meta.hentry_name)) or len(candidates) != 1:
        return False
    own = [seg for seg in title_segments(meta.html_title or "") if _key(seg) not in names] or candidates
    return all(3 * len(seg) <= len(heading) and _agreement(heading, seg) < 0.5 for seg in own)


# Old sites (table layouts, <font>, no headings at all) show the headline as a bold or large line above the text.
_SHOWN_HEADLINE_TAGS = ("b", "strong", "font", "span", "p", "div", "td")
_SHOWN_HEADLINE_CLASS = re.compile(r"title|head|zag|caption|subject|name", re.I)
_SHOWN_HEADLINE_CHARS = (20, 300)
_PROSE_AFTER = 200
"""Characters of sentence-ending text that must follow a shown headline before the next emphasised line."""


def _shown_headline(root: Element, meta: PageMeta, candidates: list[str], site_names: list[str],
                    names: set[str]) -> Headline | None:
    """Without ``<h1>``-``<h6>``, the headline as the page shows it when the ``<title>`` names only the site: the first
    emphasised line (bold, a large font, a class naming a title) of three words or more, with no link, that
    sentences follow in its own cell or block. The ``<title>`` names the site when its words are shown on the page
    as a line that no text follows (the masthead); when they head the text, they are the headline. None otherwise."""
    if len(candidates) != 1:
        return None
    title_key = _key(candidates[0])
    title_chars = 2 * len(candidates[0]) + 40  # a longer element's text cannot be the <title>'s words
    masthead = False
    for element in root.iter(*_SHOWN_HEADLINE_TAGS, "a"):
        shown = _prefix_text(element, title_chars)  # read no further than that: a page's every block is asked
        if len(shown) < title_chars and _key(shown) == title_key:
            if _prose_follows(element):
                return None  # the <title>'s words head the text: they are the headline
            masthead = True
    for element in root.iter(*_SHOWN_HEADLINE_TAGS):
        if not _emphasised(element):
            continue
        text = _prefix_text(element, _SHOWN_HEADLINE_CHARS[1] + 1)
        if not _SHOWN_HEADLINE_CHARS[0] <= len(text) <= _SHOWN_HEADLINE_CHARS[1]:
            continue
        text = clean_title(text)
        if len(text.split()) < 3:
            continue
        if any(_key(n) == _key(text) for n in site_names):
            continue
        if next(element.iter("a"), None) is not None or any(a.tag == "a" for a in element.iterancestors()):
            continue
        if _in_boilerplate(element) or not _prose_follows(element):
            continue
        # The first such line is the one: the <title> gives way to it when the masthead shows the <title>'s words,
        # or when the <title> is a label far shorter than it that shares nothing with it ("Новости").
        text, dates = _split_heading(element)
        if text and (masthead or _title_tag_names_no_article(meta, candidates, text, names)):
            return Headline(text, element, dates)
        return None
    return None


def _prefix_text(element: Element, limit: int) -> str:
    """The element's squashed text, read only until it is ``limit`` characters long (then cut there)."""
    pieces: list[str] = []
    raw, check = 0, limit  # the squashed length is measured at doubling raw lengths: linear overall
    for piece in element.itertext():
        pieces.append(piece)
        raw += len(piece)
        if raw > check:
            text = squash("".join(pieces))
            if len(text) >= limit:
                return text[:limit]
            check = 2 * raw
    return squash("".join(pieces))[:limit]


def _emphasised(element: Element) -> bool:
    """Bold, large (``<font size>`` 3 or more, or "+1" and up), or classed as a title, all its text inside that."""
    tag = element.tag
    if tag in ("b", "strong"):
        return True
    if tag == "font":
        size = (element.get("size") or "").strip()
        return size.lstrip("+").isdigit() and (size.startswith("+") or int(size) >= 3)
    classes = f"{element.get('class') or ''} {element.get('id') or ''}"
    if _SHOWN_HEADLINE_CLASS.search(classes):
        return all(child.tag in ("b", "strong", "font", "span", "br") for child in element)
    return False


_CELL_WALLS = frozenset({"td", "th", "tr", "table", "header", "nav", "footer", "aside", "body", "html"})
_FOLLOWING_PIECES = 12
"""Pieces of text (an element's, a tail) after a shown headline that are read for its text's first sentences."""


def _prose_follows(element: Element) -> bool:
    """Sentences follow ``element`` before any menu: its text's opening, within its own cell or block (up to a table
    cell, a header, a footer). A masthead's name has nothing after it in its cell, or a row of links (the menu)."""
    following: list[str] = []
    chars = 0

    def take(text: str, linked: int = 0) -> bool:
        """Add a piece; False once enough is read or a menu is met."""
        nonlocal chars
        text = text.strip()
        if not text:
            return True
        if linked >= 0.5 * len(text) and len(text) >= 10:
            return False  # a menu or a list of links: what comes after it is not this line's text
        following.append(text)
        chars += len(text)
        return chars < 3 * _PROSE_AFTER and len(following) < _FOLLOWING_PIECES

    def walk() -> None:
        if not take(element.tail or ""):
            return
        node = element
        while node is not None and node.tag not in _CELL_WALLS:
            for sibling in node.itersiblings():
                if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style"):
                    text = _prefix_text(sibling, 3 * _PROSE_AFTER)
                    # A menu is a short block: the links of a long one (the text itself) are not counted.
                    linked = (sum(len(squash("".join(a.itertext()))) for a in sibling.iter("a"))
                              if text and len(text) < 3 * _PROSE_AFTER else 0)
                    if not take(text, linked):
                        return
                if not take(sibling.tail or ""):
                    return
            node = node.getparent()
            if node is not None and node.tag not in _CELL_WALLS and not take(node.tail or ""):
                return

    walk()
    joined = " ".join(following)[: 3 * _PROSE_AFTER]
    return len(joined) >= _PROSE_AFTER and len(sentences(joined)) >= 2


_CONTENT_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_HEADLINE_LETTERS = 12
"""Letters a heading needs to stand for the headline of a page without an ``<h1>`` (a section's "Новости" has fewer)."""


def _content_headings(root: Element, site_names: list[str]):
    """``<h2>``-``<h6>`` in document order that could be a headline: outside navigation and mastheads, no link inside
    (a teaser's), at least :data:`_HEADLINE_LETTERS` letters; as ``(text, element, dates)``."""
    for heading in root.iter(*_CONTENT_HEADINGS):
        if next(heading.iter("a"), None) is not None:
            continue
        text, dates = _split_heading(heading)
        if (len(text) <= 300 and sum(map(str.isalpha, text)) >= _HEADLINE_LETTERS
                and not _is_navigation_heading(heading, text, site_names, 1)):
            yield text, heading, dates


def _content_h2s(root: Element, site_names: list[str], limit: int = 5):
    """The first few ``<h2>`` that could be a headline: two words or more, outside navigation and mastheads."""
    found = 0
    for h2 in root.iter("h2"):
        text, dates = _split_heading(h2)
        if 2 <= len(text.split()) and len(text) <= 300 and not _is_navigation_heading(h2, text, site_names, 1):
            yield text, h2, dates
            found += 1
            if found >= limit:
                return


def _same_site(href: str, url: str | None) -> bool:
    """A relative link, or an absolute one to the page's own host (``www.`` aside)."""
    if not href.lower().startswith(("http://", "https://")):
        return True
    return bool(url) and _host_name(href) == _host_name(url)


_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|\Z)")
"""A URL whose netloc is a plain host (and a port): its hostname is the host, lowercased, as ``urlsplit`` reads it.

``urlsplit`` strips leading blanks and controls (none before a match's scheme) and removes tabs and line breaks
(none inside a match, and one after it lies past the netloc's end); its netloc ends at the first ``/``, ``?``
or ``#``; a netloc without ``@`` or ``[`` is the host, then ``:`` and the port."""


def _host_name(url: str | None) -> str | None:
    """``https://www.carta.info/x`` -> ``carta.info``: a <title> that is only this names the site.

    A plain URL's host is read by :data:`_PLAIN_HOST`: ``urlsplit`` took ~20 us a page inside a parse (its
    Python code and cache cold after the rest of the page's work; 2.6 us in a loop of its own), the match ~1."""
    plain = _PLAIN_HOST.match(url) if url else None
    if plain is not None:
        host = plain.group(1).lower()
    else:
        try:
            host = (urlsplit(url or "").hostname or "").lower()
        except ValueError:
            return None
    host = host.removeprefix("www.")
    return host if "." in host else None


# --------------------------------------------------------------------------- subtitle

def _after(index: PageIndex, start: Element | None) -> list[Element]:
    """Elements with a subtitle class after ``start`` in document order, not inside it (all of them without it)."""
    if start is None:
        return list(index.subtitled)
    # An element follows ``start`` when one of its ancestors-or-self is a later sibling of one of
    # start's ancestors-or-self: a few sets instead of a walk over the page.
    later: set[Element] = set()
    node: Element | None = start
    while node is not None:
        later.update(node.itersiblings())
        node = node.getparent()
    found = []
    for element in index.subtitled:
        if element in later or any(a in later for a in element.iterancestors()):
            found.append(element)
    return found[:20]


def _find_subtitle(index: PageIndex, title_element: Element | None, title: str) -> tuple[str | None, Element | None]:
    """An obvious subtitle: an element classed subtitle/lead/standfirst, or an ``<h2>`` right after the ``<h1>``."""

    def usable(element: Element) -> str | None:
        text = normalize(" ".join(block_paragraphs(element)))
        if 10 <= len(text) <= 600 and text.casefold() != title.casefold():
            return text
        return None

    for element in _after(index, title_element):
        if element.tag == "a" or next(element.iterancestors("a"), None) is not None:
            continue  # a logo's tagline or a teaser link, not this page's subtitle
        if any(
            is_boilerplate(p) or (p.tag == "header" and next(p.iterancestors("article"), None) is None)
            for p in element.iterancestors()
            if p.tag not in ("html", "body")
        ):
            continue
        if _after_prose(element):
            continue  # a section heading classed "subheading" inside the text, not the piece's subtitle
        text = usable(element)
        if text:
            return text, element
    if title_element is not None:
        following = title_element.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        if following is not None and following.tag == "h2":
            text = usable(following)
            if text and len(text) <= 300:
                return text, following
    return None, None


def _after_prose(element: Element) -> bool:
    """A paragraph of prose (150+ characters) comes before ``element`` in its own container: the text has begun."""
    for before in element.itersiblings(preceding=True):
        if before.tag == "p" and sum(map(len, before.itertext())) >= 150:
            return True
    return False


# --------------------------------------------------------------------------- body


def _substantial(text: str) -> bool:
    return len(text) >= 200 or (len(text) >= 60 and len(sentences(text)) >= 2)


def _substantial_paragraphs(paragraphs: list[str]) -> bool:
    """``_substantial(" ".join(paragraphs))`` of a non-empty list, its length told without the join (most bodies: 200 or more)."""
    length = sum(map(len, paragraphs)) + len(paragraphs) - 1
    return length >= 200 or (length >= 60 and len(sentences(" ".join(paragraphs))) >= 2)


_SHORT_BODY = 600
"""Characters below which a body pick is checked against the page's prose before it is trusted."""
_CONFIDENT_SHARE = 0.6
"""Share of all the page's prose (boilerplate-looking blocks included) a short pick must hold to be trusted alone."""


def _body_paragraphs(root: Element, page_text: str, meta: PageMeta, *, exclude: list[Element],
                     fields: Sequence[Element] = (), title: str = "") -> list[str]:
    """Body paragraphs from the most trustworthy channel that has a substantial text.

    ``fields``: the subtitle and lead blocks among ``exclude``, the release's own fields (see :func:`_holds_the_prose`)."""
    html_paragraphs: list[str] | None = None
    found = None
    if meta.content_element is not None:
        html_paragraphs = block_paragraphs(meta.content_element, exclude=[
            *exclude, *caption_blocks(meta.content_element), *trailing_link_lists(meta.content_element)])
    named = html_paragraphs if html_paragraphs and _substantial_paragraphs(html_paragraphs) else None
    if named is None or sum(map(len, named)) < _SHORT_BODY:
        # No block named as the text, or a short one: the named block may be a teaser card's excerpt marked up as
        # articleBody (Stack Overflow's blog): the density count's pick wins when it holds twice the text.
        found = locate_main_content(root)
        if found.element is not None:
            if (one := _the_headlines_article(found.element, title)) is not None:
                found = replace(found, element=one, excluded=[e for e in found.excluded if one in e.iterancestors()])
            noise = [*found.excluded, *exclude, *link_blocks(found.element), *caption_blocks(found.element)]
            picked = block_paragraphs(found.element, exclude=noise)
            if named is None or sum(map(len, picked)) > 2 * sum(map(len, named)):
                html_paragraphs = picked
            else:
                found = None  # the named block stands, judged as before

    if meta.jsonld_body and _substantial(meta.jsonld_body):
        ld_paragraphs = _text_paragraphs(meta.jsonld_body)
        html_length = sum(len(p) for p in html_paragraphs or [])
        ld_length = sum(len(p) for p in ld_paragraphs)
        # articleBody is often one unbroken blob: the page's own paragraphs are better when they hold as much.
        if not (len(ld_paragraphs) == 1 and html_paragraphs and html_length >= 0.8 * ld_length):
            return ld_paragraphs
    if html_paragraphs and _substantial_paragraphs(html_paragraphs):
        html_length = sum(len(p) for p in html_paragraphs)
        if html_length >= _SHORT_BODY or _holds_the_prose(root, html_paragraphs, found, fields):
            return html_paragraphs
        # A short body may be a short release, or a banner picked from a page whose broken
        # markup hid the article: a second opinion decides.
        counters["trafilatura_consulted"] += 1
        tree = _trafilatura_tree(page_text)  # trafilatura's own parse of the page, once for both of its calls
        second = _trafilatura_paragraphs(tree)
        if len(second) > 1 and sum(len(p) for p in second) > 2 * html_length:
            counters["trafilatura_used"] += 1
            return second
        picked = found.element if found is not None and found.element is not None else meta.content_element
        if (sum(len(p) for p in _trafilatura_paragraphs(tree, permissive=True)) > 2 * html_length
                and not (picked is not None and _names_article_text(picked))):
            # Much more text on the page than in the block we found, and no clean way to it
            # (typically closing tags lost). Refuse rather than store a banner; the page is
            # retried next run and its body is archived for a reparse. A block the page itself
            # names as the article's text is no banner: a paywalled or brief article is that short.
            raise ParseError("could not separate the article from the rest of the page (broken markup?)")
        return html_paragraphs
    counters["trafilatura_consulted"] += 1
    second = _trafilatura_paragraphs(_trafilatura_tree(page_text))
    if second:
        counters["trafilatura_used"] += 1
    return second or html_paragraphs or []


# "article_text", "article-body", "articleBody", "entry-content", "story__body", "news-text", "post-content", and the
# short forms of Chinese CMSs ("txt_con", "page_art_content"): a class or id naming a block as a piece's text (not
# "article-list", "content-sidebar", "news-block", "start-content").
_ARTICLE_TEXT_NAME = re.compile(
    r"(?:article|story|entry|post|news|press|release|item|(?<![a-z])art|(?<![a-z])txt)[-_]{0,2}"
    r"(?:text|txt|body|content|cont|con|detail)(?![a-z])", re.I)


def _names_article_text(element: Element) -> bool:
    """The element (or its parent) says by its class, id or ``itemprop`` that it holds an article's text."""
    for candidate in (element, element.getparent()):
        if candidate is None or not isinstance(candidate.tag, str):
            continue
        if candidate.get("itemprop") == "articleBody":
            return True
        if any(_ARTICLE_TEXT_NAME.search(token) for token in class_tokens(candidate)):
            return True
    return False


_WHOLE_ARTICLE = 500
"""Characters of text an ``<article>`` holds to count as a whole piece, not a teaser (:func:`_the_headlines_article`)."""


def _the_headlines_article(pick: Element, title: str) -> Element | None:
    """The one ``<article>`` inside ``pick`` that shows the headline, when ``pick`` holds several whole ones.

    Endless-scroll pages print the next pieces in full under the one asked for, each its own ``<article>``;
    the density count then picks their common container. None when ``pick`` holds fewer than two whole
    articles or none of them shows the headline (a list of teasers, one article with related teasers).
    """
    articles = [a for a in pick.iter("article") if a is not pick]
    if len(articles) < 2 or not title:
        return None
    inside = set(articles)
    outermost = [a for a in articles if not any(parent in inside for parent in a.iterancestors())]
    whole = [a for a in outermost if len(squash(" ".join(a.itertext()))) >= _WHOLE_ARTICLE]
    if len(whole) < 2:
        return None
    wanted = _key(title)
    for article in whole:
        if wanted and wanted in _key(" ".join(article.itertext())[:3000]):
            return article
    return None


def _holds_the_prose(root: Element, paragraphs: list[str], found: MainContent | None,
                     fields: Sequence[Element] = ()) -> bool:
    """Whether a short pick's paragraphs hold most of the page's prose, boilerplate-looking blocks counted too.

    The density count skips boilerplate, so its own share cannot tell a short release from a
    banner picked on a page whose broken markup (closing tags lost) put the article inside a
    menu or a cookie block (tests/reliability). All the prose can: there the article's
    paragraphs still weigh, outside what was picked.

    ``fields``: the subtitle and lead blocks the release keeps apart from its body. Their prose is neither the pick's
    nor article text it missed, so it is taken off the page's before the share is measured: a short release under a
    lead block was doubted for its lead alone (a trafilatura run, ~2 parses' time, on 18 of the 653 generated pages,
    every one kept). Only when the share without that falls short, and only while those blocks weigh less than the
    pick: a lead is shorter than the text it leads, and one that is not has swallowed the article (closing tags lost:
    the generated pages malformed as tests/reliability does it, where the pick is then the cookie banner).
    """
    if found is not None and found.element is not None:
        total = found.page_prose()  # what the density count saw, plus what it skipped as boilerplate
    else:
        body = child_named(root, "body")
        total = prose_weight(body if body is not None else root)
    kept = sum(paragraph_weight(p) for p in paragraphs)
    if total > 0 and kept >= _CONFIDENT_SHARE * total:
        return True
    if not fields:
        return False
    apart = sum(paragraph_weight(p) for block in fields for p in block_paragraphs(block, skip_boilerplate=False))
    if apart >= kept:
        return False  # a lead weighing as much as the text it leads swallowed the article (closing tags lost)
    rest = total - apart
    return rest > 0 and kept >= _CONFIDENT_SHARE * rest


def _text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text that may be plain (newline-separated) or HTML."""
    if re.search(r"<(?:p|br|div|li)\b", text, re.I):
        fragment = parse_html_text(f"<html><body>{text}</body></html>")
        body = fragment.find("body")
        return block_paragraphs(body if body is not None else fragment)
    text = markup_decoded(text)  # JSON-LD articleBody often carries the CMS's entities ("&#8217;", "&amp;")
    return [p for p in (normalize(re.sub(r"[ \t]+", " ", chunk)).strip() for chunk in re.split(r"\n\s*\n|\r?\n", text)) if p]


_TRAFILATURA_OPTIONS: dict[bool, object] = {}
"""permissive -> trafilatura's ``Extractor`` for :func:`_trafilatura_paragraphs`, made once per process."""


def _trafilatura_options(permissive: bool):
    """The options ``trafilatura.extract(page_text, favor_precision=not permissive, output_format="txt",
    include_comments=False, fast=True)`` builds, built once per process and passed as ``options=``.

    ``extract`` builds an ``Extractor`` at every call from its arguments: nine reads of its configuration
    through configparser's interpolation, 50-120 us a call. The same arguments give the same options,
    except ``date_params``' day (``max_date``: today), which only its metadata extraction reads
    (``with_metadata``, off here). trafilatura copies the options before changing any (its recall retry),
    as it documents for a shared ``Extractor``. tests/unit/parsers/test_generic.py compares them with a new one.
    """
    options = _TRAFILATURA_OPTIONS.get(permissive)
    if options is None:
        from trafilatura.settings import Extractor

        options = _TRAFILATURA_OPTIONS[permissive] = Extractor(
            output_format="txt", fast=True, precision=not permissive, comments=False)
    return options


def _trafilatura_tree(page_text: str):
    """The page as trafilatura reads it (``trafilatura.utils.load_html``: its own parser, which drops comments,
    and its repairs of the markup), or None when it finds no HTML there.

    Parsed once for both calls of a doubtful page (:func:`_trafilatura_paragraphs`): ``extract`` given a
    string parses it with this very function, and given a tree extracts from a copy of it (it changes the
    tree it reads), so each call reads the same tree either way, for 6% fewer instructions a doubtful page
    (bench/results.md, perf-body22). tests/unit/parsers/test_generic.py compares both ways on the fixtures."""
    from trafilatura.utils import load_html

    return load_html(page_text)


def _trafilatura_paragraphs(tree, *, permissive: bool = False) -> list[str]:
    """Second opinion: trafilatura's precision mode on the page's tree (:func:`_trafilatura_tree`; slower,
    and it loses list structure).

    ``permissive`` uses its default mode, which also keeps menus and link lists: only good for
    measuring how much text a page holds, never for a release's body.
    """
    import trafilatura

    if tree is None:
        return []  # what extract gives for a string it cannot parse
    extracted = trafilatura.extract(tree, options=_trafilatura_options(permissive))
    if not extracted:
        return []
    return [p for p in (normalize(line).strip().removeprefix("- ") for line in extracted.split("\n")) if p]


_PHOTO_CREDIT = re.compile(r"(?<=[.!?…»”\"])\s*(?:Foto|Fotos|Photo|Photos|Bild|Bilder|Фото|Photo credit|Credit)\s*:\s*(?:[^.!?]|\.(?=\w)){1,80}$", re.I)


# Small print closing a text: a copyright notice or disclaimer opens it, and what follows it is more of it.
_SMALL_PRINT = re.compile(
    r"^\s*(?:©|\(c\)\s*\d{4}|copyright\b|all\s+rights\s+reserved|alle\s+angaben\s+ohne\s+gewähr|"
    r"alle\s+rechte\s+vorbehalten|все\s+права\s+защищены|усе\s+правы\s+абаронены|всі\s+права\s+захищені|"
    r"tous\s+droits\s+réservés|todos\s+los\s+derechos\s+reservados|"
    # Chinese portals: a disclaimer, a platform's notice, a copyright line, the tip-off hotline
    r"[【\[]?\s*(?:免责声明|特别声明|版权声明|版权所有)|违法和不良信息举报|"
    r"本文(?:为|系|来自)?.{0,24}(?:原创|上传并发布|自媒体)|(?:本文|文章)仅代表|(?:未经|禁止).{0,12}转载|[^。]{0,12}(?:转载|转发)请注明)",
    re.I,
)
# The credit lines Chinese news and government pages close with, one per paragraph: "（责任编辑：吴金明）",
# "本文来源：新京报 责任编辑：杜硕", "【编辑：姚昊】", "编辑|禤志杰 责编|陈梦莹", "(本文来自澎湃新闻，...)".
_CLOSING_CREDIT = re.compile(
    r"^\s*[（(【\[]?\s*(?:(?:本文来源|来源|责任编辑|责编|编辑|校对|摄影|供稿|采写|作者)\s*[：:|/]|本文来自|原题为|图片(?:均)?来自)"
)
_CLOSING_CREDIT_CHARS = 160
_EDITOR_CREDIT = re.compile(r"^\s*[（(【\[]?\s*(?:本文来源\s*[：:].{0,40})?(?:责任编辑|责编)\s*[：:|]")
# An opening note of the headline an agency's story first ran under: "（原标题：多地项目连环爆雷……）".
_ORIGINAL_TITLE = re.compile(r"^\s*[（(]?\s*(?:本文)?原标题\s*[：:]")
_CTRL_ENTER = re.compile(r"ctrl\s*[+\-]\s*enter", re.I)
_SHORT_QUESTION = re.compile(r"^[^.!?\n]{1,60}\?$")
# A tag list printed as the text's last line: "Schlagworte: A, B, C", "Теги: ...".
_TAG_LINE = re.compile(
    r"^\s*(?:schlagworte|schlagwörter|stichworte|tags?|теги|тэгі|topics|mots-clés|etiquetas|teqlər|тегтер|категории|categories|"
    r"category|kategorie|kategorien|catégories?|categorías?|categorie|категория|рубрика|рубрики)"
    r"\s*:\s*[^.!?]{0,300}$",
    re.I,
)


def _clean_paragraphs(paragraphs: list[str], *, title: str, subtitle: str | None, h1: list[str]) -> list[str]:
    """Drop the headline and subtitle repeated inside the content block, closing small print, tag lines and
    credit lines, a trailing photo credit, and a byline, a picture's credit or an original-headline note opening it."""
    repeated = {title.casefold(), *(h.casefold() for h in h1)}
    if subtitle:
        repeated.add(subtitle.casefold())
    # A case fold is never shorter than its text (each character folds to one to three), so a paragraph longer
    # than every repeated text cannot fold to one of them: most of a body is kept without folding it.
    longest = max(map(len, repeated))
    out = [p for p in paragraphs if len(p) > longest or p.casefold() not in repeated]
    # "责任编辑：…" closes a Chinese news text: what follows it is the page's (related stories, comments). Only past the
    # first half of the characters, as a header line above the text may name the editor too.
    if len(out) > 2:
        total, seen = sum(map(len, out)), 0
        for i, paragraph in enumerate(out):
            if seen >= total // 2 and len(paragraph) <= _CLOSING_CREDIT_CHARS and _EDITOR_CREDIT.match(paragraph):
                del out[i:]
                break
            seen += len(paragraph)
    # Small print only in the closing part: a text never starts with its disclaimer.
    for i in range(max(1, (len(out) * 3) // 5), len(out)):
        if _SMALL_PRINT.match(out[i]):
            del out[i:]
            break
        if _CTRL_ENTER.search(out[i]):
            # The typo-report widget ("Нашли ошибку? Выделите её и нажмите Ctrl+Enter"), its short question too.
            del out[i - 1 if i > 1 and _SHORT_QUESTION.match(out[i - 1]) else i:]
            break
    # The headline as the first line of an opening paragraph, a single <br> from what follows (an old site's bold
    # headline over its bold lead): the line goes, the rest stays.
    for i, paragraph in enumerate(out[:3]):
        first, newline, rest = paragraph.partition("\n")
        if newline and rest.strip() and first.strip().casefold() in repeated:
            out[i] = rest.strip()
            break
    # A byline or a picture's credit the page sets as a paragraph of its own at the opening, before the text starts.
    text_started = False
    for i, paragraph in enumerate(out[:3]):
        # Once the text has started, only a byline naming its authors in capitals ("Par LILIAN ALEMAGNA, LAURE
        # BRETTON" under a standfirst): a "Von Null auf Hundert" there is the text's own subheading.
        if _byline_paragraph(paragraph) and (not text_started or _CAPITALS_NAME.search(paragraph)):
            del out[i]
            break
        text_started = text_started or len(paragraph) > _BYLINE_CHARS
    if len(out) > 1 and len(out[0]) <= _CLOSING_CREDIT_CHARS and _ORIGINAL_TITLE.match(out[0]):
        del out[0]
    # The headline again at the opening with a word before or after it ("视频-这个" + the headline, "VIDEO: ..."): a
    # title line of the content block, not the text's first paragraph.
    if len(out) > 1 and len(title) >= 12 and len(out[0]) <= len(title) + 8 and title.casefold() in out[0].casefold():
        del out[0]
    while len(out) > 1 and (_TAG_LINE.match(out[-1]) or (len(out[-1]) <= _CLOSING_CREDIT_CHARS
                                                          and _CLOSING_CREDIT.match(out[-1]))):
        out.pop()
    if out:
        out[-1] = _PHOTO_CREDIT.sub("", out[-1]).rstrip()
        if not out[-1]:
            out.pop()
    return out


_BYLINE_CHARS = 100
_CAPITALS_NAME = re.compile(r"\b[^\W\d_a-zа-яё]{2,}\s+[^\W\d_a-zа-яё]{2,}\b")
"""Two words in capitals in a row: a name as bylines print it ("LILIAN ALEMAGNA"), never a subheading's words."""
# "Illustration by", "Photo:", "Фото:", "Bild von": the credit of the picture the page opens with.
_CREDIT_START = re.compile(
    r"(?:illustrations?|photos?|photographs?|images?|pictures?|fotos?|фото|bild(?:er)?)"
    r"(?:\s+(?:by|von|par|de|por|di)\b|\s*:)",
    re.I,
)


def _byline_paragraph(paragraph: str) -> bool:
    """"By Jane Doe", "Von Hans Müller, Berlin", "Текст: Анна Петрова", "Illustration by Mike Nudelman": a short
    opening word of authorship or a picture's credit, a name (a capital letter) after it, and no sentence end
    ("By 2030, the ministry will ..." ends one)."""
    if len(paragraph) > _BYLINE_CHARS or paragraph.rstrip()[-1:] in (".", "!", "?", "…", ";"):
        return False
    credit = _CREDIT_START.match(paragraph)
    opening = credit or _BYLINE_START.match(paragraph)
    if opening is None:
        return False
    rest = paragraph[opening.end():].lstrip(":").lstrip()
    # A credit names an agency as often as a person ("Фото: пресс-служба"); "by" wants a name.
    return bool(rest) and (credit is not None or rest[0].isupper() or rest[0] in "\"«„“(")


def _require_body(body_text: str) -> None:
    if not body_text:
        raise ParseError("no body text")
    if not _substantial(body_text):
        raise ParseError(f"body too short ({len(body_text)} characters)")


def _comparable(text: str) -> str:
    return squash(text).rstrip(".…").strip().casefold()


_EXCERPT_PROBE = 30
"""Characters of a description that, found in one of the body's first paragraphs, make it an excerpt of it."""
_SENTENCE_END_INSIDE = re.compile(r"[.!?。！？]")
_KEYWORD_LIST = re.compile(r"[^,，、;；]{1,30}(?:[,，、;；]\s*[^,，、;；]{1,30})+")


def _lead(meta: PageMeta, paragraphs: list[str], *, title: str, subtitle: str | None) -> str | None:
    """The page's description, unless it says nothing the page does not: the body's opening, one of its first
    paragraphs whole or cut short (an automatic excerpt; a rubric word or a photo credit may stand before it), or
    the headline again with keywords or that opening after it ("Headline ---The text begins", "Headline a, b, c")."""
    description = meta.description or meta.og_description
    if not description:
        return None
    description = normalize(description).strip()
    wanted = _comparable(description)
    if not wanted or wanted == _comparable(title) or (subtitle and wanted == _comparable(subtitle)):
        return None
    headline = _comparable(title)
    if wanted.startswith(headline):
        rest = wanted[len(headline):].lstrip(" -–—|:：,，")
        if not rest or (not _SENTENCE_END_INSIDE.search(rest) and _KEYWORD_LIST.fullmatch(rest)):
            return None  # the headline and its keywords
    else:
        rest = wanted
    opening = rest[:_EXCERPT_PROBE]
    for paragraph in paragraphs[:3]:
        text = _comparable(paragraph)
        if (text.startswith(rest) or (len(opening) == _EXCERPT_PROBE and opening in text)
                or (len(text) >= _EXCERPT_PROBE and text[:_EXCERPT_PROBE] in rest)):
            return None  # nothing the body does not say
    return description


def _translations(hreflang: dict[str, str], language: str | None, own_urls: set[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag, href in hreflang.items():
        code = primary_language(tag)
        if code is None or tag == "x-default" or code == language or href in own_urls:
            continue
        out.setdefault(code, href)
    return out


# --------------------------------------------------------------------------- dates

_REGION_TAGS = ("article", "main")


def _date_region(root: Element, headline: Headline) -> Element:
    """The part of the page holding the headline and its date lines: its <article>/<main>, else a few levels up."""
    body = child_named(root, "body")
    top = body if body is not None else root
    element = headline.element
    if element is None:
        return top
    for ancestor in element.iterancestors():
        if ancestor.tag in _REGION_TAGS or (ancestor.get("role") or "").lower() == "main":
            return ancestor
        if ancestor is top:
            break
    region = element
    for _ in range(3):
        parent = region.getparent()
        if parent is None or parent is top or parent.tag in ("html", "body"):
            break
        region = parent
    return region


def _publication_date(root: Element, meta: PageMeta, headline: Headline, paragraphs: list[str], url: str,
                      ctx: ParseContext, index: PageIndex | None = None) -> FoundDate:
    region = _date_region(root, headline)
    # Lists of links are other pages (related news, menus): their dates are theirs, not this page's.
    link_lists = [l for l in region.iter("ul", "ol") if next(l.iter("a"), None) is not None]
    lines = block_paragraphs(region, exclude=link_lists)
    return find_publication_date(
        trailing_lines=_trailing_lines(region),
        breadcrumb_crumbs=_breadcrumb_crumbs(index.breadcrumbs[0]) if index is not None and index.breadcrumbs else [],
        month_first=_month_first(meta, ctx),
        meta_published=meta.published,
        heading_dates=headline.dates,
        region_lines=lines,
        title=headline.title,
        first_paragraphs=paragraphs[:2],
        url=url,
        tz=ctx.timezone,
        reference=ctx.fetched_at,
        fetch_known=not ctx.fetched_at_guessed,
        not_after=ctx.fetched_before,
    )


# A crumb separator stands alone between spaces ("Home › News", "Главная / Новости"), unlike the
# slashes inside a date ("02/10/2024").
_CRUMB_SEPARATOR = re.compile(r"(?:^|\s)(?:[›»>/→|\\]|::)(?:\s|$)")


def _breadcrumb_crumbs(trail: Element) -> list[str]:
    """The crumbs of a breadcrumb trail, in order: its text pieces split at the separators."""
    crumbs: list[str] = []
    for piece in trail.itertext():
        for crumb in _CRUMB_SEPARATOR.split(piece):
            crumb = squash(crumb)
            if crumb:
                crumbs.append(crumb)
    return crumbs[-20:]  # the last crumb is the one that can name this page


_LINE_BLOCKS = ("p", "div", "li", "td", "th", "dd", "dt", "footer", "header", "section", "article", "aside",
                "h1", "h2", "h3", "h4", "h5", "h6", "address", "blockquote", "figcaption", "small")
_LINE_BLOCK_SET = frozenset(_LINE_BLOCKS)


def _visible_lines(root: Element) -> tuple[list[str], set[str], list[Element]]:
    """The text of every innermost block of the page, boilerplate included (footers are where the
    dates to reject live): a label and its date in separate inline tags stay on one line.

    Also the lines that are teasers of other pages: a date beside a link whose words make up the
    rest of the line ("07.10.2024 Прививочная кампания" in a news list); their dates are those pages'.
    And the block of each line, in step with the lines.
    """
    body = child_named(root, "body")
    top = body if body is not None else root
    lines: list[str] = []
    teasers: set[str] = set()
    blocks: list[Element] = []
    every = list(top.iter(*_LINE_BLOCKS))
    # A block holds another one exactly when it is the nearest block above some block: one short
    # climb per block instead of a search through every block's subtree.
    holding: set[Element] = set()
    for block in every:
        parent = block.getparent()
        while parent is not None:
            if parent.tag in _LINE_BLOCK_SET:
                holding.add(parent)
                break
            if parent is top:
                break
            parent = parent.getparent()
    for block in every:
        if block not in holding:
            text = squash(" ".join(block.itertext()))
            if text:
                lines.append(text)
                blocks.append(block)
                if _is_teaser(block, text):
                    teasers.add(text)
    return lines, teasers, blocks


def _in_boilerplate(block: Element) -> bool:
    """The block or one of its ancestors is navigation, an aside, a footer, a share or related block..."""
    return is_boilerplate(block) or any(is_boilerplate(a) for a in block.iterancestors() if a.tag not in ("html", "body"))


_DIGIT = re.compile(r"\d")
_TEASER_SLACK = 15
"""Characters a teaser line may hold besides its date and its link's words (separators, "|", a view count)."""


def _is_teaser(block: Element, text: str) -> bool:
    if len(text) > 200 or _DIGIT.search(text) is None:
        return False  # a teaser is a short line with a date
    for link in block.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        words = re.sub(r"[\d\W_]+", "", "".join(link.itertext()))
        rest = re.sub(r"[\d\W_]+", "", text)
        if len(words) >= 8 and len(rest) <= len(words) + _TEASER_SLACK:
            return True
    return False


def _trailing_lines(region: Element, siblings: int = 2) -> list[str]:
    """Lines of the blocks right after the article's region (a record table, a "published" block
    beside the text), navigation and boilerplate left out: read for labelled dates only."""
    lines: list[str] = []
    sibling = region.getnext()
    while sibling is not None and siblings > 0:
        if isinstance(sibling.tag, str) and not is_boilerplate(sibling) and sibling.tag not in ("footer", "nav", "aside", "script", "style"):
            lines.extend(block_paragraphs(sibling))
            siblings -= 1
        sibling = sibling.getnext()
    return lines[:20]


_US_ZONES = ("America/", "US/", "Pacific/Honolulu")
_TAG_PARTS = re.compile(r"[-_]")


def _month_first(meta: PageMeta, ctx: ParseContext) -> bool | None:
    """How the page writes all-digit dates: month first (True), day first (False), or unsure (None).

    A stated English region decides ("en-US": month first, "en-GB", "en-IE", "en-IN": day first);
    English of no stated region from a source in an American zone is read month first, elsewhere
    it is unsure (see :func:`find_publication_date`); every other language writes the day first.
    """
    for tag in (meta.html_lang, meta.og_locale, meta.jsonld_language):
        parts = _TAG_PARTS.split((tag or "").strip().lower())
        if parts[0] == "en" and len(parts) > 1 and parts[1]:
            return parts[1] == "us"
    language = ctx.languages[0] if ctx.languages else primary_language(meta.html_lang or meta.og_locale or meta.jsonld_language)
    if language != "en":
        return False
    return True if ctx.timezone.startswith(_US_ZONES) else None


def _drop_date_lines(paragraphs: list[str], found: FoundDate) -> list[str]:
    """A date line read as a candidate (or "For Immediate Release") at the top of the body is not body text."""
    # Compared without their spaces: an element classed as the date ("2019-09-07 09:25:09 字号： A- A A+ 来源：…") is
    # read with one more space than the paragraph that holds it.
    used = {_spaceless(c.text) for c in found.candidates
            if c.channel in ("near-title", "label", "release", "heading", "classed")}
    out = list(paragraphs)
    # The release header ("FOR IMMEDIATE RELEASE / Thursday, March 28, 2024 / Contact: ...") is furniture.
    while out and (_spaceless(out[0]) in used or _is_release_header(out[0])):
        out.pop(0)
    # A date line under a login bar or a kicker still belongs to the page's furniture, not its text.
    out = [p for i, p in enumerate(out) if not (i < 3 and len(out) > 1 and _spaceless(p) in used)]
    # Labelled date lines closing the text ("Дата публикации: … Дата изменения: …") are a record's
    # furniture too, and so is a press release's end mark ("###", "-30-", "- END -").
    while len(out) > 1 and (is_date_label_line(out[-1]) or _END_MARK.fullmatch(out[-1])):
        out.pop()
    return out


def _spaceless(text: str) -> str:
    return "".join(text.split())


_RELEASE_HEADER = re.compile(r"(?is)\s*for\s+immediate\s+release\b(?P<rest>.{0,200})$")
_SENTENCE_END = re.compile(r"[^\W\d_]{3,}[.!?](?:\s|$)")


def _is_release_header(paragraph: str) -> bool:
    """"FOR IMMEDIATE RELEASE" with a date and a contact after it, but no sentence: a paragraph
    that goes on into the text ("... WASHINGTON — The department opened ...") is text."""
    m = _RELEASE_HEADER.match(paragraph)
    return m is not None and _SENTENCE_END.search(m.group("rest")) is None
_END_MARK = re.compile(r"\s*(?:#{3,}|-\s*30\s*-|[-–—]*\s*(?:end|ende|fin|fin\s+del\s+comunicado|конец)\s*[-–—]*|\*{3,})\s*", re.I)


def read_date(raw: str, ctx: ParseContext, *, free_text: bool = False):
    """A date string from metadata -> ParsedDate (ISO first, then any written form), or ``None``.

    Date-only values (and stamps at exactly midnight) come back as a day in the source's zone.
    """
    return read_stamp(raw, ctx.timezone, ctx.fetched_at, free_text=free_text)


_STAMP_CHANNELS = frozenset({"jsonld", "meta", "time", "itemprop", "hentry"})


def _anchored_to_stated(ctx: ParseContext, meta: PageMeta) -> ParseContext:
    """A guessed fetch time (a file's modification time) replaced by the newest moment the page's own
    machine-readable stamps state (published or modified), when they state one with a year.

    Archives, package builds and copies set modification times to any day, before the page (2020-02-02,
    1980-01-01) or long after it (the day of the copy). The page's own newest stamp is the better anchor for
    the year of a date written without one ("Jun 13, 4:03 PM" on a page stamped 2016-06-13T1603Z). Which
    dates are too late to be the publication is not read against it but against ``ctx.fetched_before``.
    """
    newest = None
    for channel, raw in (*meta.published, *meta.modified):
        if channel in _STAMP_CHANNELS and (stamp := read_stamp(raw, ctx.timezone, None)) is not None:
            if stamp.has_year and (newest is None or stamp.value > newest):
                newest = stamp.value
    return ctx if newest is None or newest == ctx.fetched_at else replace(ctx, fetched_at=newest)


def _first_stamp(candidates: list[tuple[str, str]], ctx: ParseContext):
    for channel, raw in candidates:
        parsed = read_date(raw, ctx, free_text=channel == "dateline")
        if parsed is not None:
            return parsed
    return None


def _first_date(candidates: list[tuple[str, str]], ctx: ParseContext) -> tuple[datetime | None, str | None]:
    parsed = _first_stamp(candidates, ctx)
    return (parsed.value, parsed.precision) if parsed else (None, None)


# --------------------------------------------------------------------------- feeds


def _parse_feed_entry(body: bytes, url: str, ctx: ParseContext) -> Release:
    from govpress.parsers.feeds import parse_feed_document  # feedparser (40 ms to import) only for feed documents

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
    published = None
    for key in ("published", "updated", "created"):
        if raw_dates[key]:
            published = _first_stamp([("feed", raw_dates[key])], ctx)
            if published is not None:
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
        published_at=published.value if published else None,
        published_precision=published.precision if published else None,
        published_offset_stated=published.has_offset if published else None,
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
        value = text_of(parse_html_text(f"<html><body>{value}</body></html>"))
    return clean_title(value)
