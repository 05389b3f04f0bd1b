"""Types for what discovery reads off a feed, sitemap, listing page or JSON index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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


@dataclass(slots=True)
class Listing:
    """What one discovery page yields: release links and, when paginated, the next page."""

    items: list[ListingItem] = field(default_factory=list)
    next_url: str | None = None
    complete: bool = False
    """True when this page lists everything the source holds (a full sitemap): items
    missing from it are candidates for removal checks."""
