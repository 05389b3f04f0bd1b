"""president.gov.by (President of Belarus): event pages ``/{ru,be,en}/events/<slug>``.

Markup (SOURCES.md): ``h1``; ``time[data-datetime]`` holding ISO ``2022-07-18T11:27:12+03:00``
(the visible text, e.g. ``3 кастрычніка 2024, 14:58``, is the fallback, read in Europe/Minsk);
body ``section.page-details__content`` (its paragraphs; photos, captions and share links
dropped); tags ``ul.tag-list``.

The slug (transliterated Russian title + unix timestamp) is identical under /ru/, /be/ and
/en/, so ``translation_key = "president_by:<slug>"``; the language switcher's
``a[hreflang]`` links are the translations.
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

NAME = "president_by"
VERSION = "1.0"

SITE_TIMEZONE = "Europe/Minsk"
# /ru/events/vstreca-s-...-1727956684 (a local copy may end in .html)
_EVENT_PATH = re.compile(r"/(ru|be|en)/events/([a-z0-9][a-z0-9-]*-\d{9,11})(?:\.html?)?/?$")
_BODY_NOISE = ("figure", "figcaption", ".page-details__photo", ".share", ".page-details__share", "script", "style")


def slug_of(url: str) -> tuple[str, str] | None:
    """(language, slug) of an event URL, or None."""
    match = _EVENT_PATH.search(urlsplit(url).path)
    return (match.group(1), match.group(2)) if match else None


def _zone(ctx: ParseContext) -> str:
    return ctx.timezone if ctx.timezone != "UTC" else SITE_TIMEZONE


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A president.gov.by event page -> :class:`Release`."""
    if not body or not body.strip():
        raise ParseError("empty body")
    soup = make_soup(body, ctx.content_type)
    reason = looks_blocked(soup)
    if reason:
        raise BlockedPage(reason)
    content = soup.select_one("section.page-details__content")
    title_tag = soup.select_one(".page-details h1, main h1, h1")
    if content is None or title_tag is None:
        if slug_of(url):
            raise ParseError("president.gov.by markup (h1, section.page-details__content) missing")
        return generic.parse(body, url, ctx)

    meta = page_metadata(soup, url)
    title = clean_title(title_tag.get_text(" "))
    if not title:
        raise ParseError("empty h1")
    remove_boilerplate(content, _BODY_NOISE)
    paragraphs = block_paragraphs(content)
    body_text = to_body_text("***" if is_section_break(p) else p for p in paragraphs)
    if not body_text:
        raise ParseError("president.gov.by event has no text")

    parsed = None
    stamp = soup.select_one("time[data-datetime]") or soup.select_one(".page-details time")
    if stamp is not None:
        raw = str(stamp.get("data-datetime") or stamp.get("datetime") or "").strip()
        parsed = parse_iso(raw, tz=_zone(ctx)) if raw else None
        if parsed is None:
            parsed = parse_date(clean_title(stamp.get_text(" ")), tz=_zone(ctx), reference=ctx.fetched_at)

    canonical = meta.canonical or url
    found = slug_of(canonical) or slug_of(url)
    page_language = meta.language or (found[0] if found else None)
    declared = [c for c in (*ctx.languages, page_language) if c]
    language = detect_language(f"{title}\n\n{body_text}", declared=declared) or page_language
    translations = {}
    for tag, href in meta.hreflang.items():
        code = primary_language(tag)
        if code and code != language and href not in (url, canonical):
            translations.setdefault(code, href)
    tags = [clean_title(li.get_text(" ")) for li in soup.select("ul.tag-list li")]
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
        tags=[t for t in dict.fromkeys(tags) if t],
        translations=translations,
        translation_key=f"president_by:{found[1]}" if found else None,
        kind="news",
    )
