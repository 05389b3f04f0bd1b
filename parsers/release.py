"""The typed record every parser returns, the context a parser is given, and the one error a parser may raise.

Parsers are pure: ``parse(body: bytes, url: str, ctx: ParseContext) -> Release``.
No network, no database, no clock (the fetch time comes in through ``ctx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Precision = Literal["day", "minute", "second"]

FIELD_CAPS = {"title": 1_000, "subtitle": 2_000, "lead": 10_000, "place": 300}
"""Characters kept at most per short field: a hostile or broken page cannot store a 1 MB title.
The body is bounded by the fetcher's response size cap."""


def capped(text: str | None, limit: int) -> str | None:
    """``text`` cut at a word boundary near ``limit`` characters, with an ellipsis, when longer."""
    if text is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


class ParseError(ValueError):
    """The page cannot become a release (no title, no body, a challenge page, ...).

    This is the only exception a parser lets escape; the pipeline records it in
    ``parse_failures`` with the archive key and goes on.
    """


class BlockedPage(ParseError):
    """The body is an anti-bot or access page (AWS WAF, Cloudflare, "Request Access"), not content."""


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What a parser may know besides the bytes and the URL."""

    source_id: str = "adhoc"
    timezone: str = "UTC"
    """IANA zone of the source; naive times on its pages are read in it."""
    languages: tuple[str, ...] = ()
    """Languages the source declares (ISO 639-1); the first is the default."""
    fetched_at: datetime | None = None
    """When the bytes were fetched: anchors year inference for dates without a year."""
    content_type: str | None = None
    """Content-Type of the response (or of the file by extension), charset included when sent."""
    site_names: tuple[str, ...] = ()
    """Names of the site learnt from what the source's pages share ("Ministry of Examples"), stripped off titles."""


@dataclass(slots=True)
class Release:
    """One press release as parsed from one page."""

    url: str
    title: str
    body_text: str
    """Paragraphs separated by one blank line, Unicode NFC, no navigation or boilerplate."""
    parser: str
    parser_version: str
    subtitle: str | None = None
    lead: str | None = None
    published_at: datetime | None = None
    """Timezone-aware when the offset or the source zone is known."""
    published_precision: Precision | None = None
    published_offset_stated: bool | None = None
    """Whether the page stated the UTC offset of ``published_at`` (``+03:00``, ``Z``, ``GMT``): False when
    the time (or the day) was read in the source's zone; None when there is no date or the parser does not say."""
    updated_at: datetime | None = None
    language: str | None = None
    """ISO 639-1, detected from the text and checked against the declared language."""
    canonical_url: str | None = None
    place: str | None = None
    tags: list[str] = field(default_factory=list)
    translations: dict[str, str] = field(default_factory=dict)
    """Language code -> URL of the same release in that language (hreflang, API links)."""
    translation_key: str | None = None
    """A key shared by all language versions of one release, e.g. ``kremlin:57063``."""
    kind: str | None = None
    """news, transcript, statement, ... when the site says so."""

    def as_json(self) -> dict:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        out = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out
