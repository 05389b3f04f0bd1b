"""RSS and Atom feeds as listings: entries with their dates, the ``rel=next`` page, and for full-text
feeds each entry as a standalone one-entry feed document (parsed later without fetching the page)."""

from __future__ import annotations

import copy
from datetime import datetime

from lxml import etree

from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.feeds import parse_feed_document
from govpress.parsers.listings import DiscoveryError, Listing, ListingItem, entry_fingerprint, resolve
from govpress.parsers.listings.xmlguard import SAFE_PARSER, check_xml
from govpress.parsers.release import ParseError

_ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(body: bytes, url: str, *, tz: str = "UTC", full_text: bool = False) -> Listing:
    """Items of an RSS/Atom feed (newest first as published) and its rel=next page."""
    check_xml(body)
    try:
        parsed = parse_feed_document(body)
    except ParseError as exc:  # e.g. a surrogate character reference (&#xD800;)
        cause = exc.__cause__ or exc
        raise DiscoveryError(f"not a readable feed: {type(cause).__name__}: {cause}") from cause
    if parsed.bozo and not parsed.entries:
        raise DiscoveryError(f"not a readable feed: {parsed.get('bozo_exception')}")
    try:
        entries = _split_entries(body) if full_text else []
    except (etree.XMLSyntaxError, ValueError):
        entries = []  # feedparser read what lxml cannot: fetch the pages instead of using the entries
    if full_text and len(entries) != len(parsed.entries):
        entries = []  # cannot align entries safely: fall back to fetching the pages
    items = []
    for i, entry in enumerate(parsed.entries):
        link = entry.get("link")
        if not link:
            continue
        items.append(
            ListingItem(
                url=resolve(url, link),
                title=entry.get("title"),
                published_at=_entry_date(entry, "published", tz) or _entry_date(entry, "updated", tz),
                updated_at=_entry_date(entry, "updated", tz),
                entry=entries[i] if entries else None,
                fingerprint=_fingerprint(entry),
            )
        )
    next_url = next(
        (resolve(url, link["href"]) for link in parsed.feed.get("links", []) if link.get("rel") == "next"), None
    )
    return Listing(items=items, next_url=next_url)


def _fingerprint(entry: dict) -> str:
    """What the entry says: title, summary, full content (full-text feeds), its dates as written."""
    contents = [c.get("value") for c in entry.get("content") or [] if isinstance(c, dict)]
    return entry_fingerprint(entry.get("title"), entry.get("summary"), *contents,
                             dict.get(entry, "published"), dict.get(entry, "updated"))


def _entry_date(entry: dict, key: str, tz: str) -> datetime | None:
    raw = dict.get(entry, key)  # bypass feedparser's deprecated updated->published mapping
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
