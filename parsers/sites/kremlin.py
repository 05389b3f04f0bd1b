"""kremlin.ru / en.kremlin.ru: article pages, one-entry Atom documents of the full-text feed, listings.

Selectors (SOURCES.md): ``h1.entry-title``, ``time.read__published[datetime]`` + ``div.read__time``,
``div.read__place``, ``div.read__lead``, body ``div.entry-content.read__internal_content``,
tags ``div.read__tags li.p-category``. Transcripts keep ``<b>В.Путин:</b>`` turns as paragraphs.

The same numeric id names one release on kremlin.ru and en.kremlin.ru, so
``translation_key = "kremlin:<id>"`` pairs the language versions.

The feed's ``<content>`` holds the whole release: the summary ``div.c-summary`` followed
by the text. A page's ``read__lead`` is that same summary, so both routes give one release:
the summary as ``lead``, the text after it as ``body_text`` (the text convention of
:mod:`govpress.parsers.release`: the lead is never repeated in the body).

Time zone rule (SOURCES.md): the 2018 feed prints Moscow wall-clock times with a ``+04:00``
offset although Moscow has been UTC+3 since 26 October 2014 (the offset looks frozen from
2011-2014, when MSK was UTC+4). A ``+04:00`` stamp is therefore read as Moscow wall-clock
time: the clock digits are kept and the zone becomes Europe/Moscow. For dates in
2011-2014 this changes nothing (Europe/Moscow was +04:00 then); other offsets are kept.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo


from govpress.parsers import generic
from govpress.parsers.sites import site
from govpress.parsers.dates import ParsedDate, parse_date, parse_iso
from govpress.parsers.html import Element, absolute, block_paragraphs, clean_title, page_metadata, parse_html_text, remove_boilerplate, select, select_one, text_of
from govpress.parsers.listings import Listing, ListingItem
from govpress.parsers.release import ParseContext, ParseError, Release

NAME = "kremlin"
VERSION = "1.1"  # 1.1: the lead no longer opens body_text (one text convention)

SITE_TIMEZONE = "Europe/Moscow"
_MOSCOW = ZoneInfo(SITE_TIMEZONE)
_MISPRINTED_OFFSET = timedelta(hours=4)

# /events/president/news/57080, /events/president/transcripts/57070, /acts/news/56568, /misc/56623,
# /events/administration/56989, their /print views, and fixture copies ending in .html.
_ID_IN_PATH = re.compile(r"/(\d+)(?:/print)?(?:\.html?)?/?$")
_ARTICLE_PATH = re.compile(r"^/(?:events|acts|misc|supplement)/")
# Not release text: photo blocks and their captions, share/related/tags, "print" links.
_PAGE_NOISE = (
    ".read__media", ".read__media_caption", ".read__cut_media", "figure", ".read__share",
    ".read__related", ".read__tags", ".read__bottom", ".masha-ignore", "script", "style",
)
_FEED_NOISE = ("img", "figure", "script", "style")


def moscow_wall_clock(value: datetime) -> datetime:
    """Read a ``+04:00`` stamp as Moscow wall-clock time (see the module docstring); others unchanged."""
    if value.utcoffset() == _MISPRINTED_OFFSET:
        return value.replace(tzinfo=_MOSCOW)
    return value


def release_id(url: str) -> str | None:
    """The numeric id at the end of a kremlin URL (``.../news/57080`` -> ``"57080"``)."""
    match = _ID_IN_PATH.search(urlsplit(url).path)
    return match.group(1) if match else None


def kind_of(url: str) -> str | None:
    """news / transcript / document from the URL's section."""
    path = urlsplit(url).path
    if "/transcripts/" in path:
        return "transcript"
    if path.startswith("/acts/") or "/acts/" in path:
        return "document"
    if re.search(r"/(?:events|misc)/", path):
        return "news"
    return None


def _site_language(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return "en" if host.startswith("en.") else "ru"


def _zone(ctx: ParseContext) -> str:
    return site.site_zone(ctx, SITE_TIMEZONE)


def _language(title: str, body_text: str, page_language: str | None, ctx: ParseContext) -> str | None:
    return site.release_language(title, body_text, page_language, ctx, prefer_source_default=True)


# --------------------------------------------------------------------------- entry point


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """An article page or a one-entry Atom document of the full-text feed -> :class:`Release`."""
    site.require_body(body)
    if generic.is_feed_document(body):
        return _parse_feed_entry(body, url, ctx)
    root = site.unblocked_tree(body, ctx)
    content = select_one(root, "div.entry-content.read__internal_content, div.read__internal_content, div.entry-content")
    title_tag = select_one(root, "h1.entry-title, h1.p-name")
    if content is None or title_tag is None:
        return site.generic_unless_article(
            body, url, ctx,
            is_article=bool(_ARTICLE_PATH.match(urlsplit(url).path) and release_id(url)),
            missing="kremlin article markup (h1.entry-title, div.read__internal_content)",
        )
    return _parse_page(root, content, title_tag, url, ctx)


# --------------------------------------------------------------------------- article page


def _page_date(root: Element, ctx: ParseContext) -> ParsedDate | None:
    """``time.read__published[datetime]`` (a day, sometimes a full stamp) plus ``div.read__time`` (HH:MM)."""
    stamp = select_one(root, "time.read__published")
    clock = select_one(root, ".read__time")
    clock_text = clean_title(text_of(clock)) if clock is not None else ""
    raw = str(stamp.get("datetime") or "").strip() if stamp is not None else ""
    zone = _zone(ctx)
    parsed = parse_iso(raw, tz=zone) if raw else None
    if parsed is not None and parsed.precision == "day" and re.fullmatch(r"\d{1,2}:\d{2}", clock_text):
        parsed = parse_iso(f"{raw[:10]}T{int(clock_text[:-3]):02d}:{clock_text[-2:]}", tz=zone)
    if parsed is not None and parsed.precision != "day":
        return parsed
    # A day in the attribute: the visible text may carry the time ("8 октября 2024 года, 15:40").
    text = " ".join(t for t in ((clean_title(text_of(stamp)) if stamp is not None else ""), clock_text) if t)
    shown = parse_date(text, tz=zone, reference=ctx.fetched_at) if text else None
    if shown is not None and (parsed is None or (shown.precision != "day" and shown.value.date() == parsed.value.date())):
        return shown
    return parsed


def _parse_page(root: Element, content: Element, title_tag: Element, url: str, ctx: ParseContext) -> Release:
    meta = page_metadata(root, url)
    title = site.required_title(title_tag, "h1.entry-title")
    lead_tag = site.lead_block(root, title_tag, "div.read__lead", ".entry-summary", ".p-summary")
    lead = site.joined_text(lead_tag)
    paragraphs = site.content_paragraphs(content, _PAGE_NOISE, lead_tag)
    language_hint = meta.language or _site_language(url)
    body_text, lead = site.text_after_lead(paragraphs, lead, "kremlin article")

    parsed = _page_date(root, ctx)
    published_at = moscow_wall_clock(parsed.value) if parsed else None
    place_tag = select_one(root, "div.read__place, .p-location")
    tags = [clean_title(text_of(li)) for li in select(root, "div.read__tags li.p-category, .read__tags .p-category")]
    canonical = meta.canonical or url
    number = release_id(canonical) or release_id(url)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead,
        published_at=published_at,
        published_precision=parsed.precision if parsed else None,
        language=_language(title, body_text, language_hint, ctx),
        canonical_url=canonical,
        place=clean_title(text_of(place_tag)) or None if place_tag is not None else None,
        tags=[t for t in dict.fromkeys(tags) if t],
        translation_key=f"kremlin:{number}" if number else None,
        kind=kind_of(canonical) or kind_of(url),
    )


# --------------------------------------------------------------------------- feed entry


def _entry_for(feed, url: str):
    """The entry whose link or id is ``url``; the only entry of a one-entry document."""
    entries = feed.entries
    if not entries:
        raise ParseError("feed document has no entry")
    wanted = release_id(url)
    for entry in entries:
        if url in (entry.get("link"), entry.get("id")):
            return entry
    if wanted:
        for entry in entries:
            if release_id(entry.get("link") or "") == wanted or release_id(entry.get("id") or "") == wanted:
                return entry
    if len(entries) == 1:
        return entries[0]
    raise ParseError(f"feed document with {len(entries)} entries and none for {url}")


def _entry_link(raw: str | None, url: str) -> str:
    """The entry's absolute URL. ``url`` is either that URL already (discovery resolved the link and
    passes it with the one-entry document) or the feed's URL (a relative link resolves against it)."""
    if not raw:
        return url
    if urlsplit(raw).scheme:
        return raw
    if release_id(raw) and release_id(raw) == release_id(url):
        return url
    return absolute(url, raw) or url


def _feed_date(raw: str | None, ctx: ParseContext) -> ParsedDate | None:
    if not raw:
        return None
    return parse_iso(raw, tz=_zone(ctx)) or parse_date(raw, tz=_zone(ctx), reference=ctx.fetched_at)


def _parse_feed_entry(body: bytes, url: str, ctx: ParseContext) -> Release:
    from govpress.parsers.feeds import parse_feed_document  # feedparser (20-40 ms to import) only for feed documents

    feed = parse_feed_document(body)
    entry = _entry_for(feed, url)
    title = clean_title(text_of(parse_html_text(f"<html><body>{entry.get('title') or ''}</body></html>")))
    if not title:
        raise ParseError("feed entry has no title")
    link = _entry_link(entry.get("link"), url)
    html = ""
    for item in entry.get("content") or []:
        if len(item.get("value") or "") > len(html):
            html = item["value"]
    html = html or entry.get("summary") or ""
    fragment = parse_html_text(f"<html><body><div>{html}</div></body></html>").find("body/div")
    if fragment is None:
        raise ParseError("feed entry has no content")
    remove_boilerplate(fragment, _FEED_NOISE)
    summary = select_one(fragment, ".c-summary")
    lead = site.joined_text(summary)
    # The summary is the lead (as on the page); the text after it is the body.
    language_hint = (feed.feed.get("language") or "").split("-")[0] or _site_language(link)
    paragraphs = block_paragraphs(fragment, exclude=[summary] if summary is not None else [])
    body_text, lead = site.text_after_lead(paragraphs, lead, "feed entry")

    published = _feed_date(entry.get("published"), ctx)
    updated = _feed_date(dict.get(entry, "updated"), ctx)  # dict.get: no feedparser updated->published fallback
    published_at = moscow_wall_clock(published.value) if published else None
    updated_at = moscow_wall_clock(updated.value) if updated else None
    if updated_at is not None and published_at is not None and updated_at <= published_at:
        updated_at = None
    number = release_id(link) or release_id(entry.get("id") or "")
    # The entry's own URL on the live site: the feed's <id> when the link is a local copy.
    canonical = entry.get("id") if str(entry.get("id") or "").startswith("http") else link
    tags = [clean_title(t.get("term")) for t in entry.get("tags") or [] if t.get("term")]
    return Release(
        url=link,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=lead,
        published_at=published_at,
        published_precision=published.precision if published else None,
        updated_at=updated_at,
        language=_language(title, body_text, language_hint, ctx),
        canonical_url=canonical,
        tags=[t for t in tags if t],
        translation_key=f"kremlin:{number}" if number else None,
        kind=kind_of(canonical) or kind_of(link),
    )


# --------------------------------------------------------------------------- listing


def _listing_date(block: Element, ctx: ParseContext) -> datetime | None:
    """The most precise date a ``div.hentry`` shows: ``.hentry__meta[title]`` ("16.03.2018, 16:45"),
    the ``<time>`` text ("15 марта 2018 года, 18:00"), else its ``datetime`` day."""
    zone = _zone(ctx)
    candidates: list[str] = []
    meta = select_one(block, ".hentry__meta[title]")
    if meta is not None:
        candidates.append(str(meta.get("title")))
    stamp = select_one(block, "time[datetime]")
    if stamp is not None:
        candidates.append(clean_title(text_of(stamp)))
    best: ParsedDate | None = None
    for raw in candidates:
        parsed = parse_date(raw, tz=zone, reference=ctx.fetched_at)
        if parsed is not None and parsed.precision != "day":
            best = parsed
            break
        best = best or parsed
    if best is None and stamp is not None:
        best = parse_iso(str(stamp.get("datetime")), tz=zone)
    return moscow_wall_clock(best.value) if best else None


def parse_listing(body: bytes, url: str, ctx: ParseContext) -> Listing:
    """A kremlin listing or home page: every ``div.hentry`` with an ``h3.hentry__title a``, once per URL."""
    root = site.unblocked_tree(body, ctx)
    items: list[ListingItem] = []
    seen: set[str] = set()
    for block in select(root, "div.hentry"):
        link = select_one(block, "h3.hentry__title a[href], .hentry__title a[href]")
        if link is None:
            continue
        href = absolute(url, str(link.get("href")))
        if not href or href in seen:
            continue
        seen.add(href)
        items.append(ListingItem(url=href, title=clean_title(text_of(link)) or None, published_at=_listing_date(block, ctx)))
    next_link = select_one(root, "a[rel~=next][href], link[rel~=next][href]")
    return Listing(items=items, next_url=absolute(url, str(next_link.get("href"))) if next_link is not None else None)
