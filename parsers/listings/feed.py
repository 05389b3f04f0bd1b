"""RSS and Atom feeds as listings: entries with their dates, the ``rel=next`` page, and for full-text
feeds each entry as a standalone one-entry feed document (parsed later without fetching the page)."""

from __future__ import annotations

import copy
from datetime import datetime

from lxml import etree

from govpress.parsers.charset import xml_in_utf8
from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.listings import DiscoveryError, Listing, ListingItem, entry_fingerprint, resolve
from govpress.parsers.listings.atom import FeedEntry, read_plain_atom
from govpress.parsers.listings.xmlguard import SAFE_PARSER, check_xml
from govpress.parsers.release import ParseError

_ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(body: bytes, url: str, *, tz: str = "UTC", full_text: bool = False) -> Listing:
    """Items of an RSS/Atom feed (newest first as published) and its rel=next page."""
    body = xml_in_utf8(body)  # a feed whose bytes are not in the charset it declares: read as written
    check_xml(body)
    plain = read_plain_atom(body)  # a plain Atom feed as feedparser reads it, without feedparser's cost
    if plain is not None:
        entries, next_href = plain
        next_url = resolve(url, next_href) if next_href is not None else None
    else:
        entries, next_url = _read_with_feedparser(body, url)
    try:
        split = _split_entries(body) if full_text else []
    except (etree.XMLSyntaxError, ValueError):
        split = []  # feedparser read what lxml cannot: fetch the pages instead of using the entries
    if full_text and len(split) != len(entries):
        split = []  # cannot align entries safely: fall back to fetching the pages
    items = []
    for i, entry in enumerate(entries):
        if not entry.link:
            continue
        updated = _entry_date(entry.updated, tz)
        items.append(
            ListingItem(
                url=resolve(url, entry.link),
                title=entry.title,
                published_at=_entry_date(entry.published, tz) or updated,
                updated_at=updated,
                entry=split[i] if split else None,
                fingerprint=_fingerprint(entry),
            )
        )
    return Listing(items=items, next_url=next_url)


def _read_with_feedparser(body: bytes, url: str) -> tuple[list[FeedEntry], str | None]:
    """Any feed feedparser reads: its entries and the rel=next page's URL."""
    # feedparser (~10 ms to import) only for a feed outside the plain form: a run whose feeds are all plain Atom
    # never imports it in its process.
    from govpress.parsers.feeds import parse_feed_document

    try:
        parsed = parse_feed_document(body)
    except ParseError as exc:  # e.g. a surrogate character reference (&#xD800;)
        cause = exc.__cause__ or exc
        raise DiscoveryError(f"not a readable feed: {type(cause).__name__}: {cause}") from cause
    if parsed.bozo and not parsed.entries:
        raise DiscoveryError(f"not a readable feed: {parsed.get('bozo_exception')}")
    entries = [
        FeedEntry(
            link=entry.get("link"), title=entry.get("title"), summary=entry.get("summary"),
            contents=tuple(c.get("value") for c in entry.get("content") or [] if isinstance(c, dict)),
            # bypass feedparser's deprecated updated->published mapping
            published=dict.get(entry, "published"), updated=dict.get(entry, "updated"),
        )
        for entry in parsed.entries
    ]
    next_url = next(
        (resolve(url, link["href"]) for link in parsed.feed.get("links", []) if link.get("rel") == "next"), None
    )
    return entries, next_url


def _fingerprint(entry: FeedEntry) -> str:
    """What the entry says: title, summary, full content (full-text feeds), its dates as written."""
    return entry_fingerprint(entry.title, entry.summary, *entry.contents, entry.published, entry.updated)


def _entry_date(raw: str | None, tz: str) -> datetime | None:
    if not raw:
        return None
    parsed = parse_iso(raw, tz=tz) or parse_date(raw, tz=tz)
    return parsed.value if parsed else None


def _split_entries(body: bytes) -> list[bytes]:
    """Each Atom entry / RSS item as a standalone feed document: the feed's own elements, then that one entry."""
    root = etree.fromstring(body, parser=SAFE_PARSER)
    if root is None:
        return []
    if root.tag == f"{_ATOM}feed":
        shell = copy.deepcopy(root)
        for child in list(shell):
            if child.tag in (f"{_ATOM}entry", f"{_ATOM}link"):
                shell.remove(child)
        return [_one_entry(shell, shell_parent=None, entry=entry) for entry in root.findall(f"{_ATOM}entry")]
    channel = root.find("channel")
    if channel is None:
        return []
    shell = copy.deepcopy(root)
    for child in list(shell.find("channel")):
        if child.tag == "item":
            shell.find("channel").remove(child)
    return [_one_entry(shell, shell_parent="channel", entry=item) for item in channel.findall("item")]


def _one_entry(shell: etree._Element, *, shell_parent: str | None, entry: etree._Element) -> bytes:
    doc = copy.deepcopy(shell)
    (doc if shell_parent is None else doc.find(shell_parent)).append(copy.deepcopy(entry))
    return etree.tostring(doc, xml_declaration=True, encoding="utf-8")
