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

from govpress.parsers.sites import site
from govpress.parsers.html import first_match, page_metadata, select_one
from govpress.parsers.release import ParseContext, Release

NAME = "president_az"
VERSION = "1.1"  # 1.1: one text convention (lead blocks read and kept out of the body, no chrome)

SITE_TIMEZONE = "Asia/Baku"
_ARTICLE_PATH = re.compile(r"/(az|ru|en)/articles/view/(\d+)(?:\.html?)?/?$")
_BODY_NOISE = ("figure", "figcaption", ".news_gallery", ".news_share", "script", "style")


def article_id(url: str) -> tuple[str, str] | None:
    """(language, id) of an article URL, or None."""
    match = _ARTICLE_PATH.search(urlsplit(url).path)
    return (match.group(1), match.group(2)) if match else None


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A president.az article page -> :class:`Release`."""
    root = site.page_tree(body, ctx)
    scope = first_match(root, ".main-content_events")
    if scope is None:
        scope = root
    title_tag = select_one(scope, ".news_heading")
    content = select_one(scope, ".news_paragraph-block")
    if title_tag is None or content is None:
        return site.generic_unless_article(
            body, url, ctx, is_article=bool(article_id(url)), missing="president.az article markup (.news_heading, .news_paragraph-block)"
        )

    meta = page_metadata(root, url)
    title = site.required_title(title_tag, ".news_heading")
    lead_tag = site.lead_block(scope, title_tag)
    body_text, lead = site.text_after_lead(site.content_paragraphs(content, _BODY_NOISE, lead_tag), site.joined_text(lead_tag), "president.az article")

    parsed = site.stamp_date(select_one(scope, ".news_date"), site.site_zone(ctx, SITE_TIMEZONE), ctx, ("datetime", "content"))

    canonical = meta.canonical or url
    found = article_id(canonical) or article_id(url)
    page_language = meta.language or (found[0] if found else None)
    language = site.release_language(title, body_text, page_language, ctx)
    translations = site.hreflang_translations(meta, language, url, canonical)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead,
        published_at=parsed.value if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=canonical,
        translations=translations,
        translation_key=f"president_az:{found[1]}" if found else None,
        kind="news",
    )
