"""Sitemaps as listings: every URL with its ``lastmod`` (a complete listing of the source), and the
child sitemaps a sitemap index names."""

from __future__ import annotations

from lxml import etree

from govpress.parsers.dates import parse_date, parse_iso
from govpress.parsers.listings import DiscoveryError, Listing, ListingItem, entry_fingerprint, resolve
from govpress.parsers.listings.xmlguard import SAFE_PARSER, check_xml

_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read_sitemap(body: bytes, url: str, *, tz: str = "UTC") -> tuple[Listing, list[str]]:
    """A sitemap's URLs with ``lastmod`` (complete listing), and the child sitemaps of a sitemap index."""
    check_xml(body)
    try:
        root = etree.fromstring(body, parser=SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a readable sitemap: {exc}") from exc
    if root is None:
        raise DiscoveryError("empty sitemap document")
    try:
        tag = etree.QName(root).localname
    except ValueError as exc:
        raise DiscoveryError(f"not a sitemap: {exc}") from exc
    if tag == "sitemapindex":
        children = [resolve(url, loc.text) for loc in root.iter(f"{_SM}loc", "loc") if loc.text]
        return Listing(), children
    if tag != "urlset":
        raise DiscoveryError(f"not a sitemap (root element <{tag}>)")
    items = []
    for node in root:
        if not isinstance(node.tag, str) or _local(node.tag) != "url":
            continue
        loc = node.findtext(f"{_SM}loc") or node.findtext("loc")
        if not loc:
            continue
        lastmod = node.findtext(f"{_SM}lastmod") or node.findtext("lastmod")
        when = (parse_iso(lastmod.strip(), tz=tz) or parse_date(lastmod, tz=tz)) if lastmod else None
        items.append(ListingItem(url=resolve(url, loc.strip()), updated_at=when.value if when else None,
                                 fingerprint=_fingerprint(node)))
    return Listing(items=items, complete=True), []


def _local(tag: str) -> str:
    """``etree.QName(element).localname`` of a parsed element's tag (``{namespace}name`` or ``name``), without
    building a QName (two for each ``<url>`` and one for each of its children)."""
    return tag[tag.index("}") + 1:] if tag[:1] == "{" else tag


def _fingerprint(node: etree._Element) -> str:
    """Everything a ``<url>`` entry says besides its ``<loc>``: lastmod, news titles and dates, images."""
    shown = sorted(
        f"{name}={(child.text or '').strip()}"
        for child in node.iter()
        if child is not node and isinstance(child.tag, str) and (name := _local(child.tag)) != "loc"
    )
    return entry_fingerprint(*shown)
