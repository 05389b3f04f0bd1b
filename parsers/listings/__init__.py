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


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base``."""
    return urljoin(base, href.strip())


def next_page_url(base: str, template: str, setting: str, **fields: int) -> str:
    """The next listing page from the source's page URL template (``setting`` names it in the error)."""
    try:
        return resolve(base, template.format(**fields))
    except TEMPLATE_ERRORS as exc:
        raise DiscoveryError(f"{setting} {template!r} cannot be filled with a page number: {exc}") from exc
