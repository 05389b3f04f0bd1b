"""government.ru (Government of the Russian Federation): news pages ``/news/<id>/`` and ``/en/news/<id>/``.

Markup (SOURCES.md): ``h3.reader_article_headline``; body ``div.reader_article_body`` (its
``<p>``; photo blocks and captions dropped); lead ``div.reader_article_lead``; date
``time[datetime]`` in the article's date line, printed like ``2025-06-20T19:00:00+04:00``;
tags ``a.reader_article_tag``.

The ``+04:00`` offset on a Moscow site is the same misprint as on kremlin.ru (Moscow has been
UTC+3 since 2014): the clock digits are Moscow wall-clock time (``parsers.kremlin.moscow_wall_clock``).
The site's Russian and English editions number their items separately, so there is no
cross-language key.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from parsers import generic
from parsers.dates import parse_date, parse_iso
from parsers.html import block_paragraphs, clean_title, looks_blocked, make_soup, page_metadata, remove_boilerplate
from parsers.kremlin import moscow_wall_clock
from parsers.language import detect_language
from parsers.release import BlockedPage, ParseContext, ParseError, Release
from parsers.text import is_section_break, to_body_text

NAME = "government_ru"
VERSION = "1.0"

SITE_TIMEZONE = "Europe/Moscow"
_ARTICLE_PATH = re.compile(r"^(?:/en)?/news/\d+")
_BODY_NOISE = (".reader_article_photo", ".reader_article_photo_caption", "figure", ".reader_article_share", "script", "style")


def _zone(ctx: ParseContext) -> str:
    return ctx.timezone if ctx.timezone != "UTC" else SITE_TIMEZONE


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A government.ru news page -> :class:`Release`."""
    if not body or not body.strip():
        raise ParseError("empty body")
    soup = make_soup(body, ctx.content_type)
    reason = looks_blocked(soup)
    if reason:
        raise BlockedPage(reason)
    title_tag = soup.select_one("h3.reader_article_headline, .reader_article_headline")
    content = soup.select_one("div.reader_article_body")
    if title_tag is None or content is None:
        if _ARTICLE_PATH.match(urlsplit(url).path):
            raise ParseError("government.ru article markup (h3.reader_article_headline, div.reader_article_body) missing")
        return generic.parse(body, url, ctx)

    meta = page_metadata(soup, url)
    title = clean_title(title_tag.get_text(" "))
    if not title:
        raise ParseError("empty h3.reader_article_headline")
    lead_tag = soup.select_one(".reader_article_lead")
    lead = clean_title(" ".join(block_paragraphs(lead_tag, skip_boilerplate=False))) if lead_tag else ""
    remove_boilerplate(content, _BODY_NOISE)
    paragraphs = block_paragraphs(content)
    body_text = to_body_text("***" if is_section_break(p) else p for p in paragraphs)
    if not body_text:
        raise ParseError("government.ru article has no text")

    parsed = None
    dateline = soup.select_one(".reader_article_dateline") or soup.select_one(".reader_article")
    stamp = dateline.select_one("time[datetime]") if dateline is not None else None
    if stamp is not None:
        parsed = parse_iso(str(stamp["datetime"]), tz=_zone(ctx))
    if parsed is None and dateline is not None:
        parsed = parse_date(clean_title(dateline.get_text(" ")), tz=_zone(ctx), reference=ctx.fetched_at)

    page_language = meta.language or ("en" if urlsplit(url).path.startswith("/en/") else "ru")
    declared = [c for c in (*ctx.languages, page_language) if c]
    language = detect_language(f"{title}\n\n{body_text}", declared=declared) or page_language
    tags = [clean_title(a.get_text(" ")) for a in soup.select(".reader_article_tags a, a.reader_article_tag")]
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead or None,
        published_at=moscow_wall_clock(parsed.value) if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=meta.canonical or url,
        tags=[t for t in dict.fromkeys(tags) if t],
        kind="news",
    )
