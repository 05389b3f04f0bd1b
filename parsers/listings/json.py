"""JSON indexes (search APIs, content APIs): items at a dotted path fill the source's URL template;
the next page by page number or item offset."""

from __future__ import annotations

import json
from typing import Any, Protocol

from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.listings import (
    TEMPLATE_ERRORS,
    DiscoveryError,
    Listing,
    ListingItem,
    entry_fingerprint,
    next_page_url,
    resolve,
)
from govpress.parsers.release import ParseContext

class JsonListing(Protocol):
    """What the reader needs of a source's ``json_listing`` table (govpress.registry.JsonListing)."""

    items: str
    url: str
    date: str | None
    title: str | None
    page_url: str | None
    page_size: int


def read_json_listing(body: bytes, url: str, spec: JsonListing, ctx: ParseContext, *, page: int = 1) -> Listing:
    """Release links of a JSON index page; item fields fill the source's URL template."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DiscoveryError(f"not JSON: {exc}") from exc
    raw_items = _dig(data, spec.items)
    if not isinstance(raw_items, list):
        raise DiscoveryError(f"JSON listing has no array at {spec.items!r}")
    items = []
    for raw in raw_items:
        if not isinstance(raw, dict):
            continue
        try:
            link = spec.url.format(**{k: v for k, v in raw.items() if isinstance(v, (str, int, float))})
        except TEMPLATE_ERRORS:
            continue  # this item lacks a field the template needs
        when = None
        if spec.date and raw.get(spec.date):
            value = str(raw[spec.date])
            parsed = parse_iso(value, tz=ctx.timezone) or parse_date(value, tz=ctx.timezone, reference=ctx.fetched_at)
            when = parsed.value if parsed else None
        title = raw.get(spec.title) if spec.title else None
        items.append(ListingItem(url=resolve(url, link), title=title if isinstance(title, str) else None, published_at=when,
                                 fingerprint=_fingerprint(raw)))
    next_url = None
    if spec.page_url and items:
        next_url = next_page_url(url, spec.page_url, "json_listing.page_url", page=page + 1, start=page * spec.page_size)
    return Listing(items=items, next_url=next_url)


def _fingerprint(raw: dict) -> str:
    """The item as the index shows it, numbers left out (ids are in the URL; counters change on every visit)."""
    shown = {k: v for k, v in raw.items() if not isinstance(v, (int, float)) or isinstance(v, bool)}
    return entry_fingerprint(json.dumps(shown, ensure_ascii=False, sort_keys=True, default=str))


def _dig(data: Any, dotted: str) -> Any:
    """The value at a dotted path (``results.0.items``); None when any step is missing."""
    for part in dotted.split(".") if dotted else []:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data
