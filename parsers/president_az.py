"""president.az (President of Azerbaijan): articles ``/{az,ru,en}/articles/view/<id>``.

Markup (SOURCES.md): ``.main-content_events``; ``.news_heading``; ``.news_date`` ("2 oktyabr
2024", "2 октября 2024", "02 October 2024": a day, read in Asia/Baku); body
``.news_paragraph-block`` paragraphs (gallery captions and share links dropped).

The numeric id is the same under /az/, /ru/ and /en/, so ``translation_key =
"president_az:<id>"``; the language switcher's ``a[hreflang]`` links are the translations.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsers import generic
from parsers.dates import parse_date, parse_iso
from parsers.html import block_paragraphs, clean_title, looks_blocked, make_soup, page_metadata, primary_language, remove_boilerplate
from parsers.language import detect_language
from parsers.release import BlockedPage, ParseContext, ParseError, Release
from parsers.text import is_section_break, to_body_text

NAME = "president_az"
VERSION = "1.0"

SITE_TIMEZONE = "Asia/Baku"
_ARTICLE_PATH = re.compile(r"/(az|ru|en)/articles/view/(\d+)(?:\.html?)?/?$")
_BODY_NOISE = ("figure", "figcaption", ".news_gallery", ".news_share", "script", "style")


def article_id(url: str) -> tuple[str, str] | None:
    """(language, id) of an article URL, or None."""
    match = _ARTICLE_PATH.search(urlsplit(url).path)
    return (match.group(1), match.group(2)) if match else None


def _zone(ctx: ParseContext) -> str:
    return ctx.timezone if ctx.timezone != "UTC" else SITE_TIMEZONE


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A president.az article page -> :class:`Release`."""
    if not body or not body.strip():
        raise ParseError("empty body")
    soup = make_soup(body, ctx.content_type)
    reason = looks_blocked(soup)
    if reason:
        raise BlockedPage(reason)
    scope = soup.select_one(".main-content_events") or soup
    title_tag = scope.select_one(".news_heading")
    content = scope.select_one(".news_paragraph-block")
    if title_tag is None or content is None:
        if article_id(url):
            raise ParseError("president.az article markup (.news_heading, .news_paragraph-block) missing")
        return generic.parse(body, url, ctx)

    meta = page_metadata(soup, url)
    title = clean_title(title_tag.get_text(" "))
    if not title:
        raise ParseError("empty .news_heading")
    remove_boilerplate(content, _BODY_NOISE)
    paragraphs = block_paragraphs(content)
    body_text = to_body_text("***" if is_section_break(p) else p for p in paragraphs)
    if not body_text:
        raise ParseError("president.az article has no text")

    parsed = None
    stamp = scope.select_one(".news_date")
    if stamp is not None:
        raw = str(stamp.get("datetime") or stamp.get("content") or "").strip()
        parsed = parse_iso(raw, tz=_zone(ctx)) if raw else None
        if parsed is None:
            parsed = parse_date(clean_title(stamp.get_text(" ")), tz=_zone(ctx), reference=ctx.fetched_at)

    canonical = meta.canonical or url
    found = article_id(canonical) or article_id(url)
    page_language = meta.language or (found[0] if found else None)
    declared = [c for c in (*ctx.languages, page_language) if c]
    language = detect_language(f"{title}\n\n{body_text}", declared=declared) or page_language
    translations = {}
    for tag, href in meta.hreflang.items():
        code = primary_language(tag)
        if code and code != language and href not in (url, canonical):
            translations.setdefault(code, href)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        published_at=parsed.value if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=canonical,
        translations=translations,
        translation_key=f"president_az:{found[1]}" if found else None,
        kind="news",
    )
