"""European Parliament press room (www.europarl.europa.eu/news/<lang>/press-room/<reference>/<slug>).

Markup (SOURCES.md, checked on five saved pages): ``#website-body h1.ep_title``; under it
``div.ep_subtitle`` holds the category ("Press Releases"), content-type links ("Plenary
session", committee abbreviations such as ``<abbr title="Transport and Tourism">TRAN</abbr>``)
and ``time[itemprop=datePublished][datetime]`` in naive Brussels time. ``.ep-a_facts`` is a
bullet list of highlights (kept as ``subtitle``, one per line), ``.ep-a_text.ep-layout_chapo``
the standfirst (``lead``), the other ``.ep-a_text`` blocks the text (``body_text``: what follows
the lead, as every parser has it). Contacts, share buttons and "Further information" links are not text.

The press-release reference (``20190712IPR56948``) is the same in all 24 language versions:
``translation_key = "europarl:<reference>"``; the language switcher's ``a[hreflang]`` links are
the translations. An AWS WAF challenge (``x-amzn-waf-action``, ``challenge.js``) raises
:class:`BlockedPage`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from govpress.parsers.sites import site
from govpress.parsers.html import block_paragraphs, clean_title, page_metadata, select, select_one, text_of
from govpress.parsers.release import ParseContext, Release

NAME = "europarl"
VERSION = "1.1"  # 1.1: the standfirst no longer opens body_text (one text convention)

SITE_TIMEZONE = "Europe/Brussels"
_REFERENCE = re.compile(r"\b(\d{8}IPR\d{3,6})\b")
_PRESS_ROOM = re.compile(r"/news/[a-z]{2}/press-room/")
_CATEGORY_KINDS = {"press releases": "press_release", "press release": "press_release", "news": "news"}


def reference_of(text: str) -> str | None:
    """The press-release reference (``20190712IPR56948``) in a URL or text."""
    match = _REFERENCE.search(text or "")
    return match.group(1) if match else None


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """A press-room article page -> :class:`Release`."""
    page = site.page_tree(body, ctx)
    website_body = select_one(page, "#website-body")
    root = website_body if website_body is not None else page
    title_tag = select_one(root, "h1.ep_title")
    texts = select(root, ".ep-a_text")
    if title_tag is None or not texts:
        return site.generic_unless_article(
            body, url, ctx,
            is_article=bool(_PRESS_ROOM.search(urlsplit(url).path) or reference_of(url)),
            missing="europarl press-release markup (h1.ep_title, .ep-a_text)",
        )

    meta = page_metadata(page, url)
    title = site.required_title(title_tag, "h1.ep_title")
    facts = [clean_title(text_of(li)) for li in select(root, ".ep-a_facts li")]
    facts = [f for f in facts if f]
    chapo = select_one(root, ".ep-a_text.ep-layout_chapo")
    lead = site.joined_text(chapo, skip_boilerplate=True)

    paragraphs: list[str] = []
    for block in texts:
        if block is not chapo:
            paragraphs.extend(block_paragraphs(block))
    body_text, lead = site.text_after_lead(paragraphs, lead, "europarl press release")

    subtitle_tag = select_one(root, ".ep_subtitle")
    stamp = select_one(subtitle_tag, "time[itemprop=datePublished]") if subtitle_tag is not None else None
    if stamp is None:
        stamp = select_one(root, "time[itemprop=datePublished]")
    parsed = site.stamp_date(stamp, site.site_zone(ctx, SITE_TIMEZONE), ctx)

    kind = None
    tags: list[str] = []
    if subtitle_tag is not None:
        category = select_one(subtitle_tag, ".ep-layout_category")
        if category is not None:
            label = clean_title(text_of(category))
            kind = _CATEGORY_KINDS.get(label.lower(), label.lower().replace(" ", "_") or None)
        for item in select(subtitle_tag, ".ep-layout_contenttype"):
            abbr = item.find(".//abbr")
            # A committee: its full name ("Transport and Tourism") and its code ("TRAN").
            if abbr is not None and abbr.get("title"):
                tags.append(clean_title(str(abbr.get("title"))))
            label = clean_title(text_of(item))
            if label:
                tags.append(label)

    url_language = re.search(r"/news/([a-z]{2})/", urlsplit(meta.canonical or url).path)
    page_language = meta.language or (url_language.group(1) if url_language else None)
    language = site.release_language(title, body_text, page_language, ctx, prefer_source_default=True)
    canonical = meta.canonical or url
    reference = reference_of(canonical) or reference_of(url)
    if reference is None:
        ref_tag = select_one(root, ".ep-a_reference")
        reference = reference_of(text_of(ref_tag)) if ref_tag is not None else None
    translations = site.hreflang_translations(meta, language, url, canonical)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        subtitle="\n".join(facts) or None,
        lead=lead,
        published_at=parsed.value if parsed else None,
        published_precision=parsed.precision if parsed else None,
        language=language,
        canonical_url=canonical,
        tags=list(dict.fromkeys(tags)),
        translations=translations,
        translation_key=f"europarl:{reference}" if reference else None,
        kind=kind,
    )
