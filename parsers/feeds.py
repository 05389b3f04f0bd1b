"""feedparser behind one guard: a feed document in, its parsed form out, or a ParseError.

feedparser lets a few exceptions escape on hostile input (a surrogate character reference
such as ``&#xD800;`` raises UnicodeEncodeError); parsers must only ever raise ParseError.
Every use of feedparser goes through here: the feed parsers (generic, kremlin) and the feed
listing reader (:mod:`govpress.parsers.listings.feed`, which turns the error into a DiscoveryError).
"""

from __future__ import annotations

import feedparser

from govpress.parsers.charset import xml_in_utf8
from govpress.parsers.release import ParseError


def parse_feed_document(body: bytes):
    """``feedparser.parse(body)``; anything it raises becomes a ParseError naming the cause."""
    try:
        return feedparser.parse(xml_in_utf8(body))
    except (ValueError, UnicodeError, LookupError, TypeError) as exc:
        raise ParseError(f"unreadable feed document: {type(exc).__name__}: {exc}") from exc
