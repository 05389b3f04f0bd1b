"""government.ru (Government of the Russian Federation): news pages ``/news/<id>/`` and ``/en/news/<id>/``.

Markup (SOURCES.md): ``h3.reader_article_headline``; body ``div.reader_article_body`` (its
``<p>``; photo blocks and captions dropped); lead ``div.reader_article_lead``; date
``time[datetime]`` in the article's date line, printed like ``2025-06-20T19:00:00+04:00``;
tags ``a.reader_article_tag``.

The ``+04:00`` offset on a Moscow site is the same misprint as on kremlin.ru (Moscow has been
UTC+3 since 2014): the clock digits are Moscow wall-clock time (``govpress.parsers.sites.kremlin.moscow_wall_clock``).
The site's Russian and English editions number their items separately, so there is no
cross-language key.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govpress.parsers.sites import site
from govpress.parsers.html import clean_title, first_match, page_metadata, select, select_one, text_of
from govpress.parsers.sites.kremlin import moscow_wall_clock
from govpress.parsers.release import ParseContext, Release

NAME = "government_ru"
VERSION = "1.1"  # 1.1: one text convention (lead blocks read and kept out of the body, no chrome)

SITE_TIMEZONE = "Europe/Moscow"
_ARTICLE_PATH = re.compile(r"^(?:/en)?/news/\d+")
_BODY_NOISE = (".reader_article_photo", ".reader_article_photo_caption", "figure", ".reader_article_share", "script", "style")


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A government.ru news page -> :class:`Release`."""
    root = site.page_tree(body, ctx)
    title_tag = select_one(root, "h3.reader_article_headline, .reader_article_headline")
    content = select_one(root, "div.reader_article_body")
    if title_tag is None or content is None:
        return site.generic_unless_article(
            body, url, ctx,
            is_article=bool(_ARTICLE_PATH.match(urlsplit(url).path)),
            missing="government.ru article markup (h3.reader_article_headline, div.reader_article_body)",
        )

    meta = page_metadata(root, url)
    title = site.required_title(title_tag, "h3.reader_article_headline")
    lead_tag = site.lead_block(root, title_tag, ".reader_article_lead")
    lead = site.joined_text(lead_tag)
    body_text, lead = site.text_after_lead(site.content_paragraphs(content, _BODY_NOISE, lead_tag), lead, "government.ru article")

    zone = site.site_zone(ctx, SITE_TIMEZONE)
    dateline = first_match(root, ".reader_article_dateline", ".reader_article")
    stamp = select_one(dateline, "time[datetime]") if dateline is not None else None
    # The stamp's attribute, else any date the whole date line shows.
    parsed = site.attribute_date(stamp, ("datetime",), zone)
    if parsed is None:
        parsed = site.shown_date(dateline, zone, ctx)

    page_language = meta.language or ("en" if urlsplit(url).path.startswith("/en/") else "ru")
    language = site.release_language(title, body_text, page_language, ctx)
    tags = [clean_title(text_of(a)) for a in select(root, ".reader_article_tags a, a.reader_article_tag")]
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead,
        published_at=moscow_wall_clock(parsed.value) if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=meta.canonical or url,
        tags=[t for t in dict.fromkeys(tags) if t],
        kind="news",
    )
