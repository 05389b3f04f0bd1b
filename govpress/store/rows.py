"""Plain row records the pipeline builds and the store loads: one dataclass per table it writes.

These are the loader's input contract. They carry no behaviour besides small helpers; all
decisions (new / updated / duplicate ...) are made in :mod:`govpress.store.load` inside one
transaction, so the pipeline stages never need a database connection to build them.

Times should be timezone-aware; naive datetimes are read as UTC when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

FETCH_OUTCOMES: dict[str, str] = {
    "ok": "a 2xx response whose body was archived (archive_key set)",
    "not_modified": "a 304 answer to a conditional GET; the cached body is still current",
    "gone": "404 or 410: for a known release, a removal signal",
    "blocked": "403 or an anti-bot/challenge/access page; the evidence body is archived",
    "http_error": "another 4xx/5xx status after all retries, or a malformed response (not retried)",
    "network_error": "connection failed, reset or protocol error after all retries",
    "timeout": "no complete answer within the timeout after all retries",
    "too_large": "the body (or its decompressed form) exceeded the size cap",
    "refused": "the host, address or port is not allowed for the source, a redirect left them, or discovery's "
               "reader refused the page it fetched (a DTD or entity bomb, unreadable XML)",
    "robots": "robots.txt disallows the URL for our user agent",
    "circuit_open": "the host failed repeatedly in this run; the request was not sent",
}
"""The vocabulary of ``fetches.outcome`` (govpress.fetch.client.Outcome); the views count all but ok/not_modified/gone as failed."""

FETCH_PURPOSES: dict[str, str] = {
    "feed": "a feed page (Atom or RSS) read by discovery",
    "sitemap": "a sitemap or sitemap index read by discovery",
    "listing": "an HTML listing or JSON index page read by discovery (also a feed's fallback listing)",
    "robots": "a host's robots.txt",
    "new": "a release page not held yet",
    "changed": "a held release whose listed lastmod or updated date moved",
    "recheck": "a held release due for a conditional GET (hourly for a day, daily for a month, then weekly)",
    "refetch": "a held release fetched again on request (--refetch)",
    "removal_check": "a held release missing from a complete listing, checked for removal",
    "entry": "a feed entry that carries the full text (no request: the entry itself is archived)",
    "file": "a local file of a files source (no request)",
}
"""The values ``fetches.purpose`` takes: discovery pages (govpress.discover), robots.txt, and the
plan's reasons for a page (govpress.plan.Reason). tests/unit/analysis checks this against the code."""


@dataclass(slots=True)
class ReleaseRow:
    """One parsed release as seen at ``seen_at`` (becomes a ``releases`` row and a ``release_versions`` row)."""

    release_id: str
    source_id: str
    url: str
    canonical_url: str
    language: str | None
    title: str
    subtitle: str | None
    lead: str | None
    body_text: str
    published_at: datetime | None
    published_precision: str | None
    updated_at: datetime | None
    place: str | None
    tags: list[str]
    kind: str | None
    translation_key: str | None
    content_hash: str
    parser: str
    parser_version: str
    archive_key: str | None
    seen_at: datetime
    published_offset_stated: bool | None = None
    """Whether the page stated published_at's UTC offset (False: read in the source's zone)."""
    minhash: Any = None
    """The MinHash signature of this text (a uint64 numpy array, empty for short texts) when the parse
    worker computed it (govpress.parse_workers); None: the load computes it from the stored text."""
    names: dict[str, str] | None = None
    """The names this release's title, subtitle and lead carry (govpress.dedupe.names.release_names) when the
    parse worker found them; None: the load reads them off the stored text."""
    text_hash: str | None = None
    """The hash of this exact text (govpress.dedupe.versions.text_hash) when the parse worker computed it, from
    the same title, subtitle, lead and body; None: the load computes it."""


@dataclass(slots=True)
class FetchRow:
    """One HTTP exchange (or a skipped one); ``fetch_id`` is stable so reloading a batch adds nothing."""

    fetch_id: str
    run_id: str
    source_id: str
    url: str
    final_url: str | None
    purpose: str
    status: int | None
    outcome: str
    started_at: datetime
    elapsed_ms: float | None
    bytes: int | None
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    attempts: int
    error: str | None
    archive_key: str | None


@dataclass(slots=True)
class FailureRow:
    """A page that did not parse; keyed by (url, archive_key, parser) so a reparse with a fixed parser is new."""

    source_id: str
    url: str
    archive_key: str
    parser: str
    error: str
    failed_at: datetime


@dataclass(slots=True)
class RemovalRow:
    """A known release whose page now answers 404/410 (``status``), or whose file is gone (``status`` None).

    Loaded as a ``withdrawn`` :class:`EventRow`; kept for callers that only know removals."""

    release_id: str
    url: str
    status: int | None
    detected_at: datetime


EVENT_KINDS: dict[str, str] = {
    "withdrawn": "the page answered 404 or 410 (or the local file is gone)",
    "redirected": "the page now redirects to another page (or off the site)",
    "restored": "a withdrawn or redirected release answered with its page again",
    "retitled": "a new version whose headline changed",
    "edited": "a new version whose paragraphs changed (added, removed or reworded)",
    "trivial_edit": "the page's text changed in typography only (quotes, dashes, \u0451/\u0435, spaces, case): no new version",
}
"""The vocabulary of ``release_events.kind``."""


@dataclass(slots=True)
class EventRow:
    """What a fetch of a held release showed about its page: ``withdrawn`` or ``redirected``.

    The loader records it only when it changes the release's status (a page still 404 adds nothing)
    and only when nothing newer confirmed the page (``last_seen_at`` after ``detected_at``)."""

    release_id: str
    kind: str
    detected_at: datetime
    url: str
    http_status: int | None = None
    final_url: str | None = None
    evidence: str | None = None
    archive_key: str | None = None


@dataclass(slots=True)
class SeenRow:
    """A held release whose page answered (200 or 304) without being parsed into a version (a
    full-text feed's page, whose text lives in the feed entry): it is alive at ``seen_at``."""

    release_id: str
    url: str
    seen_at: datetime
    http_status: int | None = None
    archive_key: str | None = None


@dataclass(slots=True)
class ListingRow:
    """What a discovery channel showed of one release (``release_listings``); written when new or changed."""

    release_id: str
    source_id: str
    channel: str
    url: str
    title: str | None
    published_at: datetime | None
    lastmod: datetime | None
    fingerprint: str | None
    listed_at: datetime


@dataclass(slots=True)
class CacheRow:
    """The validators to send with the next conditional GET of ``url``."""

    url: str
    etag: str | None
    last_modified: str | None
    archive_key: str | None
    checked_at: datetime


@dataclass(slots=True)
class LoadBatch:
    """Everything one source's batch writes, loaded in ONE transaction by ``Store.load_batch``."""

    run_id: str
    source_id: str
    releases: list[ReleaseRow] = field(default_factory=list)
    fetches: list[FetchRow] = field(default_factory=list)
    failures: list[FailureRow] = field(default_factory=list)
    removals: list[RemovalRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    """Withdrawals and redirects seen by this batch's fetches (text events come from the load itself)."""
    seen: list[SeenRow] = field(default_factory=list)
    listings: list[ListingRow] = field(default_factory=list)
    observed: bool = True
    """The rows come from the sites (fetches); False for a reparse of the archive, whose text changes are
    the parser's, not the site's: versions still follow the text, but no edit events are recorded."""
    cache: list[CacheRow] = field(default_factory=list)
    frontier_add: list[tuple[str, str]] = field(default_factory=list)
    """(url, purpose) pairs still to fetch in a later run."""
    frontier_done: list[str] = field(default_factory=list)
    """URLs leaving the frontier (fetched, or given up)."""
    frontier_retry: list[str] = field(default_factory=list)
    """URLs tried in this batch that stay in the frontier (failed again); after
    ``MAX_FRONTIER_ATTEMPTS`` tries a page leaves it (its fetches and failures stay recorded)."""


MAX_FRONTIER_ATTEMPTS = 8
"""Runs that retry a failing page before giving up on it (a quiet run must stay cheap)."""


@dataclass(slots=True)
class LoadCounts:
    """What one load did. ``duplicate`` counts new releases whose text equals another release's."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    removed: int = 0
    failed: int = 0

    def __add__(self, other: "LoadCounts") -> "LoadCounts":
        return LoadCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True, frozen=True)
class KnownRelease:
    """What the pipeline needs to know about a stored release to decide whether to refetch or reparse it."""

    release_id: str
    canonical_url: str
    content_hash: str
    version: int
    published_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    removed_at: datetime | None
    archive_key: str | None
    url: str = ""
    """The URL the release was discovered under (what a recheck or removal check fetches)."""
    updated_at: datetime | None = None
    """The last modification the page itself showed."""
    status: str = "live"
    """live, withdrawn or redirected (releases.status)."""
    listed_channel: str | None = None
    """The channel whose entry is stored in release_listings (feed, sitemap, listing, json); None when none is."""
    listed_fingerprint: str | None = None
    """That entry's fingerprint: a different one in this run's discovery means the listing changed."""


@dataclass(slots=True, frozen=True)
class ArchivedPage:
    """The latest successful fetch of one URL with its archived body: the input of a reparse."""

    source_id: str
    url: str
    archive_key: str
    content_type: str | None
    fetched_at: datetime
    purpose: str
