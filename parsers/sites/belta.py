"""BelTA (Belarusian Telegraph Agency): www.belta.by (ru), eng.belta.by (en), deu.belta.by (de).

Article URL ``/<section>/view/<slug>-<id>-<year>/``. Markup (SOURCES.md): ``h1``;
``div.date_full`` ("02 October 2026, 11:54", read in Europe/Minsk) and
``meta[name=mediator_published_time]`` (ISO with offset, preferred when present); body
``div.js-mediator-article`` without ``.invite_in_messagers`` (messenger invitations) and
``.video_add`` (embedded video). The body opens with a dateline
("МИНСК, 2 октября (БЕЛТА) -", "MINSK, 2 October (BelTA) -") whose city becomes ``place``.

Each edition numbers its items separately: no cross-language key.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govpress.parsers.sites import site
from govpress.parsers.html import clean_title, page_metadata, select, select_one
from govpress.parsers.release import ParseContext, Release

NAME = "belta"
VERSION = "1.1"  # 1.1: one text convention (lead blocks read and kept out of the body, no chrome)

SITE_TIMEZONE = "Europe/Minsk"
_ARTICLE_PATH = re.compile(r"/view/[\w-]+-\d+-\d{4}(?:\.html?)?/?$")
_BODY_NOISE = (".invite_in_messagers", ".video_add", "figure", "script", "style", "iframe")
# "МИНСК, 2 октября (БЕЛТА) -" / "MINSK, 2 October (BelTA) -" / "MINSK, 2. Oktober (BelTA) -"
_DATELINE = re.compile(r"^\s*([^\W\d_][^\W\d_ .\-]*(?:[ -][^\W\d_]+)*)\s*,\s*\d{1,2}\.?\s+[^\W\d_]+\.?\s*\((?:БЕЛТА|BelTA|БелТА)\)", re.I)
_LANGUAGE_BY_HOST = {"eng.belta.by": "en", "deu.belta.by": "de", "blr.belta.by": "be", "www.belta.by": "ru", "belta.by": "ru"}


def place_from_dateline(first_paragraph: str) -> str | None:
    """"МИНСК, 2 октября (БЕЛТА) - ..." -> "Минск" (the agency writes the city in capitals)."""
    match = _DATELINE.match(first_paragraph)
    if not match:
        return None
    city = match.group(1).strip()
    if not city.isupper():
        return city
    # Each word and each hyphenated part capitalised: "НИЖНИЙ НОВГОРОД" -> "Нижний Новгород".
    return " ".join("-".join(part.capitalize() for part in word.split("-")) for word in city.split())


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A BelTA article page -> :class:`Release`."""
    root = site.page_tree(body, ctx)
    content = select_one(root, "div.js-mediator-article")
    title_tag = select_one(root, ".content_left h1, h1")
    if content is None or title_tag is None:
        return site.generic_unless_article(
            body, url, ctx,
            is_article=bool(_ARTICLE_PATH.search(urlsplit(url).path)),
            missing="BelTA article markup (h1, div.js-mediator-article)",
        )

    meta = page_metadata(root, url)
    title = site.required_title(title_tag, "h1")
    lead_tag = site.lead_block(root, title_tag)
    paragraphs = site.content_paragraphs(content, _BODY_NOISE, lead_tag)
    body_text, block_lead = site.text_after_lead(paragraphs, site.joined_text(lead_tag), "BelTA article")

    zone = site.site_zone(ctx, SITE_TIMEZONE)
    parsed = None
    for tag in select(root, 'meta[name="mediator_published_time"]'):
        parsed = site.attribute_date(tag, ("content",), zone)
        if parsed is not None:
            break
    if parsed is None:
        parsed = site.shown_date(select_one(root, "div.date_full"), zone, ctx)

    host = (urlsplit(meta.canonical or url).hostname or "").lower()
    page_language = meta.language or _LANGUAGE_BY_HOST.get(host)
    language = site.release_language(title, body_text, page_language, ctx)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        # A lead block when the page has one, else the description (dropped by the text convention when it
        # only repeats the body's opening).
        lead=block_lead or clean_title(meta.description or "") or None,
        published_at=parsed.value if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=meta.canonical or url,
        place=place_from_dateline(paragraphs[0]) if paragraphs else None,
        tags=list(meta.keywords),
        kind="news",
    )
