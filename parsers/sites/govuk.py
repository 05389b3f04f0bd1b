"""GOV.UK news through the Content API (``https://www.gov.uk/api/content/<base_path>``), JSON in, Release out.

Fields (publishing-api ``news_article`` schema): ``title``; ``description`` -> lead;
``details.body`` (govspeak HTML) -> paragraphs; ``details.first_public_at`` (else
``first_published_at``) -> published_at; ``public_updated_at`` -> updated_at when later;
``locale`` -> declared language; ``document_type`` (press_release, news_story,
world_news_story, ...) -> kind; ``links.organisations`` / ``worldwide_organisations``,
``world_locations``, ``policy_areas``, ``people`` titles -> tags (organisations first: the
issuing institution).

Language versions of one document share its ``content_id`` and list each other under
``links.available_translations`` (``base_path`` ending ``.ur`` for Urdu, ...), so the key is
``govuk:<content_id>`` taken from those entries when present, and translations are their
web URLs. A non-JSON body (a challenge or error page) raises BlockedPage or ParseError.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit


from govpress.parsers.dates import parse_iso
from govpress.parsers.html import block_paragraphs, clean_title, looks_blocked, parse_html_text, primary_language
from govpress.parsers.language import detect_language
from govpress.parsers.release import BlockedPage, ParseContext, ParseError, Release
from govpress.parsers.sites.site import require_body, required_text, site_zone

NAME = "govuk"
VERSION = "1.0"

WEB_ROOT = "https://www.gov.uk"
SITE_TIMEZONE = "Europe/London"
_TAG_LINKS = ("organisations", "worldwide_organisations", "world_locations", "policy_areas", "topical_events", "people")


def web_url(base_path: str) -> str:
    """``/government/news/x`` -> ``https://www.gov.uk/government/news/x``."""
    return base_path if base_path.startswith("http") else f"{WEB_ROOT}{base_path}"


def _load(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        reason = looks_blocked(body)
        if reason:
            raise BlockedPage(reason) from None
        raise ParseError("GOV.UK Content API response is not JSON") from None
    if not isinstance(data, dict):
        raise ParseError("GOV.UK Content API response is not a JSON object")
    return data


def _translations(data: dict, own_locale: str | None) -> tuple[dict[str, str], str | None]:
    """Locale -> web URL of the other language versions, and their shared content_id."""
    out: dict[str, str] = {}
    content_ids: list[str] = []
    for item in (data.get("links") or {}).get("available_translations") or []:
        if not isinstance(item, dict):
            continue
        if item.get("content_id"):
            content_ids.append(str(item["content_id"]))
        locale = primary_language(item.get("locale"))
        target = item.get("web_url") or (web_url(item["base_path"]) if item.get("base_path") else None)
        if locale and target and locale != own_locale:
            out.setdefault(locale, target)
    shared = content_ids[0] if content_ids and len(set(content_ids)) == 1 else None
    return out, shared


def _tags(data: dict) -> list[str]:
    links = data.get("links") or {}
    tags: list[str] = []
    for name in _TAG_LINKS:
        for item in links.get(name) or []:
            if isinstance(item, dict) and item.get("title"):
                tags.append(clean_title(str(item["title"])))
    return [t for t in dict.fromkeys(tags) if t]


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """One Content API document -> :class:`Release`."""
    require_body(body)
    data = _load(body)
    title = clean_title(str(data.get("title") or ""))
    details = data.get("details") or {}
    html = details.get("body") if isinstance(details, dict) else None
    if not title or not isinstance(html, str) or not html.strip():
        raise ParseError("GOV.UK document without title or details.body")
    fragment = parse_html_text(f"<html><body><div>{html}</div></body></html>").find("body/div")
    paragraphs = block_paragraphs(fragment) if fragment is not None else []
    body_text = required_text(paragraphs, "GOV.UK document body")

    zone = site_zone(ctx, SITE_TIMEZONE)
    first = details.get("first_public_at") or data.get("first_published_at")
    published = parse_iso(str(first), tz=zone) if first else None
    updated_raw = data.get("public_updated_at")
    updated = parse_iso(str(updated_raw), tz=zone) if updated_raw else None
    updated_at = updated.value if updated and published and updated.value > published.value else None

    locale = primary_language(data.get("locale"))
    declared = [c for c in (locale, *ctx.languages) if c]
    language = detect_language(f"{title}\n\n{body_text}", declared=declared) or locale
    translations, shared_id = _translations(data, language or locale)
    content_id = shared_id or data.get("content_id")
    base_path = data.get("base_path")
    canonical = web_url(base_path) if base_path else url
    if not base_path and urlsplit(url).path.startswith("/api/content/"):
        canonical = f"{WEB_ROOT}{urlsplit(url).path.removeprefix('/api/content')}"
    description = clean_title(str(data.get("description") or ""))
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        lead=description or None,
        published_at=published.value if published else None,
        published_precision=published.precision if published else None,
        updated_at=updated_at,
        language=language,
        canonical_url=canonical,
        tags=_tags(data),
        translations=translations,
        translation_key=f"govuk:{content_id}" if content_id else None,
        kind=str(data.get("document_type") or "") or None,
    )
