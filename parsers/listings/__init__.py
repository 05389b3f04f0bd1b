"""Discovery pages read purely: what a feed, sitemap, HTML listing page or JSON index lists.

Readers (bytes + the page's URL in, a :class:`Listing` out; no network, no files):
``feed.read_feed``, ``sitemap.read_sitemap``, ``html.read_listing_page``, ``json.read_json_listing``;
``xmlguard.check_xml`` refuses XML that declares entities before any XML parser sees it. A page
that cannot be read raises :class:`DiscoveryError`, and nothing else escapes a reader.
``govpress.discover`` walks the pages through the fetcher and calls these.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from urllib.parse import urljoin

from govpress.parsers.text import fold_for_hash


class DiscoveryError(ValueError):
    """A discovery page could not be read (not a feed, hostile XML, broken JSON, an unfillable template)."""


@dataclass(slots=True)
class ListingItem:
    """One release link found on a discovery page."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    """Sitemap ``lastmod`` / Atom ``updated``: a change here means the page should be refetched."""
    entry: bytes | None = None
    """For feeds with full text: a standalone feed document holding only this entry.

    When present the page need not be fetched; the entry itself is archived and parsed.
    """
    fingerprint: str | None = None
    """A hash of what the discovery page shows about this release (:func:`entry_fingerprint`): when it
    differs from the one stored at the last run, the listing changed and the page is refetched."""


@dataclass(slots=True)
class Listing:
    """What one discovery page yields: release links and, when paginated, the next page."""

    items: list[ListingItem] = field(default_factory=list)
    next_url: str | None = None
    complete: bool = False
    """True when this page lists everything the source holds (a full sitemap): items
    missing from it are candidates for removal checks."""


_NUMBER_TOKEN = re.compile(r"(?<!\S)\d+(?!\S)")


def entry_fingerprint(*parts: object) -> str:
    """16 hex characters over what a listing shows of one release: texts folded as content hashes fold
    them (typography and spacing are not changes), times as ISO strings, ``None`` as nothing."""
    shown = []
    for part in parts:
        if part is None:
            shown.append("")
        elif isinstance(part, datetime):
            shown.append(part.isoformat())
        else:
            shown.append(fold_for_hash(str(part)))
    return hashlib.blake2b("\x1f".join(shown).encode("utf-8"), digest_size=8).hexdigest()


def without_counters(text: str) -> str:
    """``text`` without its bare numbers: view and comment counters change on every visit and say
    nothing about the release (dates and times keep their separators, so they stay)."""
    return _NUMBER_TOKEN.sub("", text)


TEMPLATE_ERRORS = (KeyError, IndexError, ValueError, AttributeError, TypeError)
"""What ``str.format`` raises on a template that the given fields cannot fill."""


_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/[A-Za-z0-9._~-]+)*/?")
"""An absolute http(s) URL that ``urljoin`` gives back as written against any base it reads: a lower-case scheme
(urlsplit lower-cases it), a host with a netloc (so no dot segments are removed), a path of non-empty segments of
unreserved characters, and nothing urlsplit strips, splits off or checks (no query, fragment, parameters, user,
brackets)."""
_ROOTED = re.compile(r"(?:/[A-Za-z0-9._~-]+)+/?|/")
"""A path from the root of the same kind (``urljoin`` keeps it whole when no segment is a dot segment)."""
_ORIGIN = re.compile(r"(https?)://([A-Za-z0-9.-]+(?::[0-9]*)?)(?:[/?#]|\Z)")
"""A base URL whose scheme and netloc are these, as urlsplit reads them (nothing in them it strips or checks)."""


@lru_cache(maxsize=64)
def _origin(base: str) -> str | None:
    """``scheme://netloc`` of a base of the :data:`_ORIGIN` form (None for any other): a page's links share it."""
    match = _ORIGIN.match(base)
    return f"{match.group(1)}://{match.group(2)}" if match is not None else None


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base``: ``urljoin``, read off the parts for the two common forms against a
    plain http(s) base (an absolute plain URL, and a plain path from the root; a test compares them with ``urljoin``
    on many thousands of pairs). A discovery page's links are nearly all of one or the other, and urljoin parses
    each one whole (~4.5 us a link)."""
    href = href.strip()
    origin = _origin(base)  # (urljoin reads the base whatever the link: one it cannot read raises)
    if origin is not None:
        if _ABSOLUTE.fullmatch(href) is not None:
            return href
        if href[:1] == "/" and _ROOTED.fullmatch(href) is not None and "/." not in href:
            return origin + href
    return urljoin(base, href)


def next_page_url(base: str, template: str, setting: str, **fields: int) -> str:
    """The next listing page from the source's page URL template (``setting`` names it in the error)."""
    try:
        return resolve(base, template.format(**fields))
    except TEMPLATE_ERRORS as exc:
        raise DiscoveryError(f"{setting} {template!r} cannot be filled with a page number: {exc}") from exc
