"""HTML listing pages: release links picked by the source's CSS selectors, with dates and the next page.

The selectors come from the registry (``[source.listing]``); a site whose listing needs code instead
has a parser with ``parse_listing``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from govpress.parsers.charset import decode
from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.listings import Listing, ListingItem, entry_fingerprint, next_page_url, resolve, without_counters
from govpress.parsers.release import ParseContext

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
    """Release links of one HTML listing page, by the source's CSS selectors.

    Read on lxml's tree (:mod:`govpress.parsers.listings.lxml_select`: the same listing, without BeautifulSoup's
    tree and import) when the selectors are of the registry's simple form; otherwise, or where that reading is
    not bs4's, with BeautifulSoup and soupsieve."""
    text, _ = decode(body, ctx.content_type)
    from govpress.parsers.listings import lxml_select

    try:
        return _read_on_lxml(text, url, selectors, ctx, page)
    except lxml_select.Unsupported:
        return _read_on_soup(text, url, selectors, ctx, page)


def _read_on_lxml(text: str, url: str, selectors: ListingSelectors, ctx: ParseContext, page: int) -> Listing:
    from govpress.parsers.listings.lxml_select import (Unsupported, chains, document, holds_template, select,
                                                       select_one)
    from govpress.parsers.listings.lxml_select import text as text_of

    for selector in (selectors.item, selectors.link, selectors.title, selectors.date, selectors.next):
        if selector:
            chains(selector)  # raises Unsupported before any work: the soup reads this source's pages
    root = document(text)
    if root is None:
        raise Unsupported("an empty document")
    templates = holds_template(root)  # a walk of the whole document: once a page, not at every selection
    return _listing(root, url, selectors, ctx, page,
                    select=lambda scope, selector, whole=False: select(scope, selector, whole=whole,
                                                                       templates=templates),
                    select_one=lambda scope, selector, whole=False: select_one(scope, selector, whole=whole,
                                                                               templates=templates),
                    tag_of=lambda el: el.tag, text_of=text_of)


def _read_on_soup(text: str, url: str, selectors: ListingSelectors, ctx: ParseContext, page: int) -> Listing:
    from bs4 import BeautifulSoup

    from govpress.parsers.listings.select import select, select_one

    return _listing(BeautifulSoup(text, "lxml"), url, selectors, ctx, page,
                    select=lambda scope, selector, whole=False: select(scope, selector),
                    select_one=lambda scope, selector, whole=False: select_one(scope, selector),
                    tag_of=lambda el: el.name, text_of=lambda el: el.get_text(" ", strip=True))


def _listing(root: Any, url: str, selectors: ListingSelectors, ctx: ParseContext, page: int, *,
             select: Callable[..., list[Any]], select_one: Callable[..., Any], tag_of: Callable[[Any], str],
             text_of: Callable[[Any], str]) -> Listing:
    """The listing read from one tree (lxml's or BeautifulSoup's), through that tree's selection (``whole``: from the
    document's root, itself included) and its elements' tag names and text."""
    items = []
    for node in select(root, selectors.item, whole=True):
        link = node if tag_of(node) == "a" and node.get("href") else select_one(node, selectors.link)
        if link is None or not link.get("href"):
            continue
        title_el = select_one(node, selectors.title) if selectors.title else link
        items.append(
            ListingItem(
                url=resolve(url, link.get("href")),
                title=text_of(title_el) if title_el is not None else None,
                published_at=_date_of(select_one(node, selectors.date) if selectors.date else None, text_of, ctx),
                # The whole block as shown (title, date, lead, "updated" marks), counters left out.
                fingerprint=entry_fingerprint(without_counters(text_of(node))),
            )
        )
    next_url = None
    if selectors.next:
        nxt = select_one(root, selectors.next, whole=True)
        if nxt is not None and nxt.get("href"):
            next_url = resolve(url, nxt.get("href"))
    elif selectors.page_url and items:
        next_url = next_page_url(url, selectors.page_url, "listing.page_url", page=page + 1)
    return Listing(items=items, next_url=next_url)


def _date_of(el: Any, text_of: Callable[[Any], str], ctx: ParseContext) -> datetime | None:
    """The item's date from its date element (a bs4 tag or an lxml element; ``text_of`` reads its text)."""
    if el is None:
        return None
    for raw in (el.get("datetime"), el.get("data-datetime"), el.get("content"), text_of(el)):
        if raw:
            parsed = parse_iso(raw, tz=ctx.timezone) or parse_date(raw, tz=ctx.timezone, reference=ctx.fetched_at)
            if parsed:
                return parsed.value
    return None
