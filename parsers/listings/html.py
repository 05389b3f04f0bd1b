"""HTML listing pages: release links picked by the source's CSS selectors, with dates and the next page.

The selectors come from the registry (``[source.listing]``); a site whose listing needs code instead
has a parser with ``parse_listing``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from govpress.parsers.charset import decode
from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.listings import Listing, ListingItem, entry_fingerprint, next_page_url, resolve, without_counters
from govpress.parsers.release import ParseContext

if TYPE_CHECKING:  # bs4 is imported where a listing page is read (0.2 s that page parsers never need)
    from bs4 import Tag


class ListingSelectors(Protocol):
    """What the reader needs of a source's ``listing`` table (govpress.registry.ListingSelectors)."""

    item: str
    link: str
    title: str | None
    date: str | None
    next: str | None
    page_url: str | None


def read_listing_page(
    body: bytes, url: str, selectors: ListingSelectors, ctx: ParseContext, *, page: int = 1
) -> Listing:
    """Release links of one HTML listing page, by the source's CSS selectors."""
    text, _ = decode(body, ctx.content_type)
    from bs4 import BeautifulSoup

    from govpress.parsers.listings.select import select, select_one

    soup = BeautifulSoup(text, "lxml")
    items = []
    for node in select(soup, selectors.item):
        link = node if node.name == "a" and node.get("href") else select_one(node, selectors.link)
        if link is None or not link.get("href"):
            continue
        title_el = select_one(node, selectors.title) if selectors.title else link
        items.append(
            ListingItem(
                url=resolve(url, link["href"]),
                title=title_el.get_text(" ", strip=True) if title_el else None,
                published_at=_item_date(node, selectors.date, ctx),
                # The whole block as shown (title, date, lead, "updated" marks), counters left out.
                fingerprint=entry_fingerprint(without_counters(node.get_text(" ", strip=True))),
            )
        )
    next_url = None
    if selectors.next:
        nxt = select_one(soup, selectors.next)
        if nxt is not None and nxt.get("href"):
            next_url = resolve(url, nxt["href"])
    elif selectors.page_url and items:
        next_url = next_page_url(url, selectors.page_url, "listing.page_url", page=page + 1)
    return Listing(items=items, next_url=next_url)


def _item_date(node: Tag, selector: str | None, ctx: ParseContext) -> datetime | None:
    if not selector:
        return None
    from govpress.parsers.listings.select import select_one

    el = select_one(node, selector)
    if el is None:
        return None
    for raw in (el.get("datetime"), el.get("data-datetime"), el.get("content"), el.get_text(" ", strip=True)):
        if raw:
            parsed = parse_iso(raw, tz=ctx.timezone) or parse_date(raw, tz=ctx.timezone, reference=ctx.fetched_at)
            if parsed:
                return parsed.value
    return None
