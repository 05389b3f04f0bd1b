"""The typed record every parser returns, the context a parser is given, the one error a parser may raise,
and the text convention every release follows.

Parsers are pure: ``parse(body: bytes, url: str, ctx: ParseContext) -> Release``.
No network, no database, no clock (the fetch time comes in through ``ctx``).

The text convention (what ``title``, ``subtitle``, ``lead`` and ``body_text`` hold, the same for every
parser; :func:`apply_text_convention` enforces it on every release :func:`govpress.parsers.parse` returns):

- ``title``: the headline, one line, without the site's name.
- ``subtitle``: the sub-headline or the highlights under the headline (one per line); never the title
  again, never inside the body's first paragraph; None when the page has none.
- ``lead``: the standfirst the publisher sets apart from the text (a lead block, a summary field, a bold
  opening paragraph, a description that is not just the body's opening); None when there is none.
- ``body_text``: the text that FOLLOWS the lead. The lead is never repeated at its top: body paragraphs
  that repeat the lead whole leave the body; a "lead" that is only the body's opening cut short (or
  after a dateline) is no lead and becomes None, the body keeping the words. The title and subtitle
  are not repeated as its first paragraphs. Page chrome (share bars, "follow us", "see also" lines,
  photo credits, print links, tag lists, copyright lines: :func:`govpress.parsers.text.chrome_kind`)
  never reaches it. Paragraphs are separated by exactly one blank line; a paragraph may hold single
  line breaks (list items, verse); ``***`` is a section break.

So ``lead + body_text`` is the whole text once, and a syndicated copy that opens its body with the
lead compares with the original through :func:`govpress.dedupe.neardup.release_text` (title,
subtitle, lead and body together).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Literal

from govpress.parsers.text import LONGEST_CHROME_LINE, chrome_kind, comparable_words, is_bare_count, is_chrome, to_body_text

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


class NotFoundPage(ParseError):
    """The body is a "page not found" template answered with HTTP 200 (a soft 404: govpress/parsers/notfound.py)."""


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
    fetched_at_guessed: bool = False
    """``fetched_at`` is a guess (a saved file's modification time, which archives, reproducible builds and copies
    set to any day): it anchors year inference only when the page states no moment of its own (the generic parser
    reads a page against its newest machine-readable stamp instead); no relative day ("Yesterday, 18:05") is read
    against a guess, and it bounds nothing (see ``fetched_before``)."""
    fetched_before: datetime | None = None
    """When ``fetched_at`` is a guess: a time the page was certainly saved before (the clock of the extraction that
    reads the file). No date after it is the page's publication (an announced event, a deadline); dates between
    the guess and it are kept, whatever day an archive stamped on the file."""
    no_block_found: bool = False
    """The fetcher ran the blocked-page rules on these very bytes (their status, headers and Content-Type: this
    ``content_type``) and found no block. A parser that reads them as the rules do need not run the rules again
    (:func:`govpress.parsers.blocked.fetch_verdict_holds` says when); archived bodies (reparse) are judged afresh."""

    def __reduce__(self) -> tuple[type[ParseContext], tuple]:
        # Pickled with every job sent to a parse worker: one call of the class with the fields, not dataclasses'
        # __getstate__/__setstate__ (a Python loop over fields() on each side; bench/results.md, perf-parse20).
        return ParseContext, _context_fields(self)


@dataclass(slots=True)
class Release:
    """One press release as parsed from one page."""

    url: str
    title: str
    """The headline, one line (module docstring: the text convention)."""
    body_text: str
    """The text after the lead: paragraphs separated by one blank line, Unicode NFC, no navigation,
    boilerplate or page chrome; never opens with the title, subtitle or lead again."""
    parser: str
    parser_version: str
    subtitle: str | None = None
    """Sub-headline or highlights under the headline (one per line); None when there are none."""
    lead: str | None = None
    """The standfirst set apart from the body; None when there is none (the body then holds the whole text)."""
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

    def __reduce__(self) -> tuple[type[Release], tuple]:
        # Pickled with every page a parse worker sends back: the fields in order, the class called with them
        # (pickle's default named every slot in the stream and set them one by one; bench/results.md, perf-parse20).
        return Release, _release_fields(self)

    def as_json(self) -> dict:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        out = {}
        for name in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, name)
            out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out


_context_fields = attrgetter(*ParseContext.__slots__)  # type: ignore[attr-defined]  # the fields, in order
_release_fields = attrgetter(*Release.__slots__)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the text convention

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_ELLIPSIS_END = re.compile(r"(?:…|\.\.\.)\s*$")
# "МИНСК, 2 октября (БЕЛТА) –", "MINSK, 11 October (Agency) -", "BRUSSELS, 12 June —": a place, a comma,
# a short date (and agency), a dash. What follows it is where a repeated lead would start.
_DATELINE = re.compile(r"^[^\W\d_][^\n,.!?]{0,40},\s*[^\n.!?]{1,50}?\s[–—-]{1,2}\s+")
_MIN_WORDS_MATCHED = 3
"""A body paragraph repeats the lead only with at least this many words: "Минск." alone proves nothing."""
_MIN_SUBTITLE_WORDS_INSIDE = 4
"""A subtitle found inside the body's first paragraph counts only with this many words (not "Press release")."""


def _is_opening(words: list[str], body: list[str], *, cut_short: bool) -> bool:
    """``words`` are the first words of ``body`` (the last one may be cut short when ``cut_short``)."""
    if not words or len(words) > len(body):
        return False
    if body[: len(words)] == words:
        return True
    return cut_short and body[: len(words) - 1] == words[:-1] and body[len(words) - 1].startswith(words[-1])


def _repeated_paragraphs(words: list[str], paragraphs: list[str], chars: int) -> int:
    """How many leading ``paragraphs`` say, whole and in order, the opening of ``words`` (0 when none).
    ``chars`` is the length of the text ``words`` come from: a paragraph much longer cannot repeat it,
    and is not folded at all (folding whole bodies would cost more than the rest of the step)."""
    taken = matched = 0
    for paragraph in paragraphs:
        if len(paragraph) > _longest_repeat(chars):
            break
        own = comparable_words(paragraph)
        if not own or words[matched : matched + len(own)] != own:
            break
        taken, matched = taken + 1, matched + len(own)
        if matched == len(words):
            break
    return taken if matched >= min(_MIN_WORDS_MATCHED, len(words)) else 0


def _longest_repeat(chars: int) -> int:
    """The most characters a repeat of a ``chars``-long text can take (quotes and spaces may differ)."""
    return 2 * chars + 50


def _opening_words(text: str, chars: int) -> list[str]:
    """The words of the opening of ``text``, enough of it to compare with a ``chars``-long text."""
    return comparable_words(text[: _longest_repeat(chars)])


def _inside(words: list[str], paragraph: str) -> bool:
    """``words`` occur together, in order, in ``paragraph``."""
    own, n = comparable_words(paragraph), len(words)
    return any(own[i : i + n] == words for i in range(len(own) - n + 1))


def _body_paragraphs(body_text: str) -> list[str]:
    """The body's paragraphs, each without chrome lines or blank lines, empty ones dropped."""
    # chrome_kind asked directly, and only of a line short enough to be chrome (is_chrome's frame and the call
    # cost more than its answer for most lines); a one-line paragraph (most) without splitting and joining it.
    out = []
    for block in _PARAGRAPH_BREAK.split(body_text.strip()):
        if "\n" not in block:
            line = block.strip()
            if line and (len(line) > LONGEST_CHROME_LINE or chrome_kind(line) is None):
                out.append(line)
            continue
        kept = "\n".join([line for line in map(str.strip, block.split("\n"))
                          if line and (len(line) > LONGEST_CHROME_LINE or chrome_kind(line) is None)])
        if kept:
            out.append(kept)
    return out


def _clean_field(text: str | None) -> str | None:
    text = (text or "").strip()
    return text if text and not is_chrome(text) else None


def apply_text_convention(release: Release) -> Release:
    """Make ``release`` follow the text convention (module docstring); returns the same object.

    Idempotent: a release that follows the convention comes back unchanged. Raises
    :class:`ParseError` when nothing but chrome or repeats is left of the body.
    """
    title_words = comparable_words(release.title)
    subtitle = _clean_field(release.subtitle)
    if subtitle and comparable_words(subtitle) == title_words:
        subtitle = None
    lead = _clean_field(release.lead)
    if lead and comparable_words(lead) in (title_words, comparable_words(subtitle)):
        lead = None

    paragraphs = _body_paragraphs(release.body_text or "")
    # A number alone at either end is a counter whose label is an icon (it changes at every visit, not the release).
    while len(paragraphs) > 1 and is_bare_count(paragraphs[0]):
        paragraphs.pop(0)
    while len(paragraphs) > 1 and is_bare_count(paragraphs[-1]):
        paragraphs.pop()
    # The headline or the sub-headline printed again as the body's first paragraphs.
    while paragraphs:
        if len(paragraphs[0]) <= _longest_repeat(len(release.title)) and comparable_words(paragraphs[0]) == title_words:
            paragraphs.pop(0)
            continue
        repeated = _repeated_paragraphs(comparable_words(subtitle), paragraphs, len(subtitle)) if subtitle else 0
        if repeated and repeated < len(paragraphs):
            del paragraphs[:repeated]
            continue
        break

    if lead and paragraphs:
        lead_words = comparable_words(lead)
        repeated = _repeated_paragraphs(lead_words, paragraphs, len(lead))
        if repeated == len(paragraphs):
            lead = None  # the lead is all the text there is: it is the body
        elif repeated:
            del paragraphs[:repeated]
        else:
            cut_short = bool(_ELLIPSIS_END.search(lead))
            dateline = _DATELINE.match(paragraphs[0])
            if _is_opening(lead_words, _opening_words(" ".join(paragraphs[:3]), len(lead)), cut_short=cut_short) or (
                dateline is not None
                and _is_opening(lead_words, _opening_words(paragraphs[0][dateline.end():], len(lead)), cut_short=cut_short)
            ):
                lead = None  # the body's opening cut short (an automatic excerpt): the body says it all

    if subtitle and paragraphs:
        subtitle_words = comparable_words(subtitle)
        if len(subtitle_words) >= _MIN_SUBTITLE_WORDS_INSIDE and _inside(subtitle_words, paragraphs[0]):
            subtitle = None  # the sub-headline is a sentence of the body: the body says it

    if not paragraphs:
        raise ParseError("no body text once page chrome and repeated headings are removed")
    release.subtitle = subtitle
    release.lead = lead
    release.body_text = to_body_text(paragraphs)
    return release
