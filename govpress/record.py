"""What one run's responses say about releases already held, as rows for the loader (pure, no I/O).

* :func:`fetch_event`: a held release's page answered 404/410 (``withdrawn``; a vanished local file too)
  or now leads elsewhere (``redirected``: a redirect to another page, or off the site).
* :func:`not_found_event`: a held release's page answered 200 with the site's "page not found"
  template (a soft 404, told by the parsers: govpress/parsers/notfound.py): ``withdrawn`` too, with
  the template's words as evidence, instead of a new version made of the template. Nothing else
  is a withdrawal: a page missing from a listing is only checked (govpress/recheck.py), and a check
  that got no answer (robots, refused, timeouts) is retried, never taken as done.
* :func:`listing_rows`: what discovery showed of each release (``release_listings``), only where it is
  new or differs from what is stored, so a quiet run writes nothing.

The loader (govpress/store/history.py) records an event only when it changes the release's status.
"""

from __future__ import annotations

from datetime import datetime

from govpress.discover import Discovery
from govpress.fetch.client import FetchResult
from govpress.registry import Source
from govpress.store.rows import EventRow, KnownRelease, ListingRow
from govpress.urls import identity, release_id

ANSWERED = frozenset({"ok", "not_modified", "gone"})
"""Outcomes that answer a check of a held release (a redirect refused off the site answers it too)."""


def redirected_to(requested: str, result: FetchResult) -> str | None:
    """Where the page now leads when a redirect took it to another page (or was refused off the site)."""
    if not result.redirects:
        return None
    final = result.redirects[-1] if result.outcome == "refused" else (result.final_url or result.url)
    if result.outcome not in ("ok", "not_modified", "refused"):
        return None
    return final if identity(final) != identity(requested) else None


def fetch_event(known: KnownRelease | None, requested: str, result: FetchResult, at: datetime) -> EventRow | None:
    """The withdrawal or redirect a fetch of a held release shows, else None."""
    if known is None:
        return None
    chain = " -> ".join([requested, *result.redirects])
    if result.outcome == "gone":
        status = f"HTTP {result.status}" if result.status else "the file is gone" if requested.startswith("file:") else (result.error or "gone")
        evidence = f"{status} ({chain})" if result.redirects else status
        return EventRow(known.release_id, "withdrawn", at, requested, result.status, evidence=evidence)
    target = redirected_to(requested, result)
    if target is None:
        return None
    how = f"refused: {result.error}" if result.outcome == "refused" else f"final answer HTTP {result.status}"
    return EventRow(known.release_id, "redirected", at, requested, result.status, final_url=target,
                    evidence=f"{chain} ({how})", archive_key=result.archive_key)


def not_found_event(known: KnownRelease, requested: str, result: FetchResult, reason: str, at: datetime) -> EventRow:
    """The withdrawal a held release's page shows by answering with a "page not found" template."""
    chain = " -> ".join([requested, *result.redirects])
    evidence = f"{reason} ({chain})" if result.redirects else reason
    return EventRow(known.release_id, "withdrawn", at, requested, result.status, evidence=evidence,
                    archive_key=result.archive_key)


def answered(result: FetchResult) -> bool:
    """The check got an answer about the page (it is there, gone, or leads elsewhere)."""
    return result.outcome in ANSWERED or (result.outcome == "refused" and bool(result.redirects))


def listing_rows(source: Source, discovery: Discovery, known: dict[str, KnownRelease], at: datetime,
                 items: list | None = None) -> list[ListingRow]:
    """The items whose listing is new or changed since it was stored (``known`` keyed by identity).

    ``items``: a part of a streamed discovery (default: everything the discovery kept)."""
    if source.kind == "files":
        return []
    channel = discovery.channel_kind
    rows = []
    for item in discovery.items if items is None else items:
        held = known.get(identity(item.url))
        if held is not None and held.listed_channel == channel and held.listed_fingerprint == item.fingerprint:
            continue
        rows.append(ListingRow(
            release_id=release_id(source.id, item.url), source_id=source.id, channel=channel, url=item.url,
            title=item.title, published_at=item.published_at, lastmod=item.updated_at, fingerprint=item.fingerprint,
            listed_at=at,
        ))
    return rows
