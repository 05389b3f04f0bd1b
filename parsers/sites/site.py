"""Steps shared by the site-specific parsers (kremlin, government_ru, president_by, belta, president_az,
govuk, europarl).

Each site module knows its own selectors; the steps around them are the same everywhere and live
here: refusing an empty body, parsing the page into its one lxml tree and refusing a challenge page, picking the time zone
that naive stamps are read in, finding the lead block, turning a content element into body text with
``***`` section breaks (the lead left out: the body is what follows it), reading a date from a stamp
element, falling back to :mod:`govpress.parsers.generic` when the site's markup is absent from a page
that is not one of its articles, choosing the language and collecting ``hreflang`` translations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


from govpress.parsers import generic
from govpress.parsers.blocked import fetch_verdict_holds
from govpress.parsers.dates import ParsedDate, parse_date, parse_iso
from govpress.parsers.html import Element, PageMeta, block_paragraphs, clean_title, first_match, looks_blocked, parse_html_text, primary_language, remove_boilerplate, text_of
from govpress.parsers.html.leads import find_lead_block
from govpress.parsers.html.tree import decode_page_checked
from govpress.parsers.language import detect_language
from govpress.parsers.notfound import not_found_reason
from govpress.parsers.release import BlockedPage, NotFoundPage, ParseContext, ParseError, Release
from govpress.parsers.text import is_section_break, to_body_text


def require_body(body: bytes) -> None:
    """Raise :class:`ParseError` for an empty or whitespace-only response."""
    if not body or not body.strip():
        raise ParseError("empty body")


def unblocked_tree(body: bytes, ctx: ParseContext) -> Element:
    """The page parsed once (lxml); :class:`BlockedPage` or :class:`NotFoundPage` when it is a challenge,
    block or "page not found" page instead."""
    text, same_bytes = decode_page_checked(body, ctx.content_type)
    # The fetcher's check of these bytes stands when the rules would read the text as they read them.
    if not (ctx.no_block_found and fetch_verdict_holds(body, text, ctx.content_type, same_bytes=same_bytes)) and (reason := looks_blocked(text)):
        raise BlockedPage(reason)
    root = parse_html_text(text, body if same_bytes else None)
    if reason := not_found_reason(text, root):
        raise NotFoundPage(reason)
    return root


def page_tree(body: bytes, ctx: ParseContext) -> Element:
    """:func:`require_body`, then :func:`unblocked_tree`: the opening of every HTML site parser."""
    require_body(body)
    return unblocked_tree(body, ctx)


def site_zone(ctx: ParseContext, site_timezone: str) -> str:
    """The zone naive stamps are read in: the source's, unless it is the ad-hoc default "UTC"
    (a context built without a source), in which case the site's own wall clock."""
    return ctx.timezone if ctx.timezone != "UTC" else site_timezone


def generic_unless_article(body: bytes, url: str, ctx: ParseContext, *, is_article: bool, missing: str) -> Release:
    """The site's markup is absent. On one of its article URLs that is a failure (a redesign must not
    silently degrade to guessing), so :class:`ParseError` naming the ``missing`` markup; any other
    page of the site (a landing page, a section) goes to :func:`govpress.parsers.generic.parse`."""
    if is_article:
        raise ParseError(f"{missing} missing")
    return generic.parse(body, url, ctx)


def required_title(title_tag: Element, selector: str) -> str:
    """The clean text of the title element; :class:`ParseError` "empty <selector>" when it has none."""
    title = clean_title(text_of(title_tag))
    if not title:
        raise ParseError(f"empty {selector}")
    return title


def lead_block(root: Element, title_tag: Element | None, *selectors: str) -> Element | None:
    """The lead block: the first match of the site's own ``selectors`` (in order of preference), else any
    lead-classed block under the headline (``div.article__lead``, ``.standfirst``, ...:
    :func:`govpress.parsers.html.leads.find_lead_block`), so a site that adds one is read without a change."""
    own = first_match(root, *selectors) if selectors else None
    return own if own is not None else find_lead_block(root, title_tag)


def content_paragraphs(content: Element, noise: Iterable[str], lead: Element | None = None) -> list[str]:
    """The paragraphs of ``content`` once the site's ``noise`` selectors (photos, share links) are removed,
    without the ``lead`` block when it sits inside ``content`` (the body is what follows the lead)."""
    remove_boilerplate(content, noise)
    return block_paragraphs(content, exclude=[lead] if lead is not None else [])


def joined_text(element: Element | None, *, skip_boilerplate: bool = False) -> str:
    """All paragraphs of ``element`` as one clean line (a lead or standfirst); "" without the element."""
    if element is None:
        return ""
    return clean_title(" ".join(block_paragraphs(element, skip_boilerplate=skip_boilerplate)))


def section_text(paragraphs: Iterable[str]) -> str:
    """Paragraphs as published, a section break (``* * *``) as ``***``, joined by blank lines."""
    return to_body_text("***" if is_section_break(p) else p for p in paragraphs)


def required_text(paragraphs: Iterable[str], what: str) -> str:
    """:func:`section_text`, or :class:`ParseError` "<what> has no text" when nothing is left."""
    body_text = section_text(paragraphs)
    if not body_text:
        raise ParseError(f"{what} has no text")
    return body_text


def text_after_lead(paragraphs: Iterable[str], lead: str, what: str) -> tuple[str, str | None]:
    """(body_text, lead) by the text convention: the body is the text after the lead; when nothing follows
    the lead (a summary-only entry), the lead is the text, so it becomes the body and there is no lead.
    :class:`ParseError` "<what> has no text" when there is neither."""
    body_text = section_text(paragraphs)
    if not body_text and lead:
        return lead, None
    if not body_text:
        raise ParseError(f"{what} has no text")
    return body_text, lead or None


def attribute_date(element: Element | None, attributes: Sequence[str], zone: str) -> ParsedDate | None:
    """The ISO stamp in the first non-empty of ``attributes`` of ``element`` (``datetime``,
    ``content``, ``data-datetime``); None when there is none or it is not ISO."""
    if element is None:
        return None
    # The first attribute present and non-empty wins, even when it holds only blanks.
    value = next((element.get(name) for name in attributes if element.get(name)), None)
    raw = str(value or "").strip()
    return parse_iso(raw, tz=zone) if raw else None


def shown_date(element: Element | None, zone: str, ctx: ParseContext) -> ParsedDate | None:
    """The first date written in ``element``'s text ("3 октября 2024, 14:58"), a year-less one
    anchored on when the page was fetched."""
    if element is None:
        return None
    return parse_date(clean_title(text_of(element)), tz=zone, reference=ctx.fetched_at)


def stamp_date(stamp: Element | None, zone: str, ctx: ParseContext, attributes: Sequence[str] = ("datetime",)) -> ParsedDate | None:
    """A date element's machine-readable attribute (:func:`attribute_date`), else its visible text
    (:func:`shown_date`)."""
    parsed = attribute_date(stamp, attributes, zone)
    return parsed if parsed is not None else shown_date(stamp, zone, ctx)


def release_language(
    title: str, body_text: str, page_language: str | None, ctx: ParseContext, *, prefer_source_default: bool = False
) -> str | None:
    """The language detected on title and body among those the source and page declare. When detection
    gives nothing: the source's first declared language if ``prefer_source_default`` (then the page's),
    else the page's own."""
    declared = [code for code in (*ctx.languages, page_language) if code]
    detected = detect_language(f"{title}\n\n{body_text}", declared=declared)
    if detected:
        return detected
    if prefer_source_default:
        return declared[0] if declared else None
    return page_language


def hreflang_translations(meta: PageMeta, language: str | None, url: str, canonical: str) -> dict[str, str]:
    """Language -> URL of the other language versions the page's ``hreflang`` links name (its own excluded)."""
    translations: dict[str, str] = {}
    for tag, href in meta.hreflang.items():
        code = primary_language(tag)
        if code and code != language and href not in (url, canonical):
            translations.setdefault(code, href)
    return translations
