"""The XML guard of the discovery readers: entity declarations refused, then a parser that resolves nothing.

Feeds and sitemaps come from sites we do not control. A document that declares entities (the
"billion laughs" expansion, external entities reading local files) is refused before any parser
sees it; what passes is parsed by lxml with entity resolution, network access and DTD loading off.
"""

from __future__ import annotations

import re

from lxml import etree

from govpress.parsers.listings import DiscoveryError

_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
GUARD_BYTES = 65536
"""Declarations come before the root element: the head of the document is enough."""

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


def check_xml(body: bytes) -> None:
    """Refuse XML that declares entities (billion laughs, external entities) before any parser sees it."""
    head = body[:GUARD_BYTES]
    # Both declarations start with "<!": a plain search for it first (the case-insensitive patterns scan the whole
    # head character by character, ~2 x 38 KB of a feed page for nothing).
    if b"<!" in head and (_ENTITY.search(head) or _DTD.search(head)):
        raise DiscoveryError("XML declares a DTD with entities: refused (entity expansion / external entity attack)")
