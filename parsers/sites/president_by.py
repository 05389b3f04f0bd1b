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

from govpress.parsers.sites import site
from govpress.parsers.html import clean_title, first_match, page_metadata, select, select_one, text_of
from govpress.parsers.release import ParseContext, Release

NAME = "president_by"
VERSION = "1.1"  # 1.1: one text convention (lead blocks read and kept out of the body, no chrome)

SITE_TIMEZONE = "Europe/Minsk"
# /ru/events/vstreca-s-...-1727956684 (a local copy may end in .html)
_EVENT_PATH = re.compile(r"/(ru|be|en)/events/([a-z0-9][a-z0-9-]*-\d{9,11})(?:\.html?)?/?$")
_BODY_NOISE = ("figure", "figcaption", ".page-details__photo", ".share", ".page-details__share", "script", "style")


def slug_of(url: str) -> tuple[str, str] | None:
    """(language, slug) of an event URL, or None."""
    match = _EVENT_PATH.search(urlsplit(url).path)
    return (match.group(1), match.group(2)) if match else None


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A president.gov.by event page -> :class:`Release`."""
    root = site.page_tree(body, ctx)
    content = select_one(root, "section.page-details__content")
    title_tag = select_one(root, ".page-details h1, main h1, h1")
    if content is None or title_tag is None:
        return site.generic_unless_article(
            body, url, ctx, is_article=bool(slug_of(url)), missing="president.gov.by markup (h1, section.page-details__content)"
        )

    meta = page_metadata(root, url)
    title = site.required_title(title_tag, "h1")
    lead_tag = site.lead_block(root, title_tag)
    body_text, lead = site.text_after_lead(site.content_paragraphs(content, _BODY_NOISE, lead_tag), site.joined_text(lead_tag), "president.gov.by event")

    stamp = first_match(root, "time[data-datetime]", ".page-details time")
    parsed = site.stamp_date(stamp, site.site_zone(ctx, SITE_TIMEZONE), ctx, ("data-datetime", "datetime"))

    canonical = meta.canonical or url
    found = slug_of(canonical) or slug_of(url)
    page_language = meta.language or (found[0] if found else None)
    language = site.release_language(title, body_text, page_language, ctx)
    translations = site.hreflang_translations(meta, language, url, canonical)
    tags = [clean_title(text_of(li)) for li in select(root, "ul.tag-list li")]
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
        tags=[t for t in dict.fromkeys(tags) if t],
        translations=translations,
        translation_key=f"president_by:{found[1]}" if found else None,
        kind="news",
    )
