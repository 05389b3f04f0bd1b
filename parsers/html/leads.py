"""The lead block of an article page: the standfirst a page sets apart under its headline.

Pages mark it with a class: ``div.article__lead``, ``p.lead``, ``div.read__lead.entry-summary``,
``div.news-intro``, ``div.anons`` (Russian CMSs: "анонс"), ``div.standfirst``, ``.p-summary``.
:func:`find_lead_block` finds the first such block after the headline, inside the headline's
article and before the body's text starts; the generic extractor keeps its text as ``lead`` and
leaves it out of the body (the text convention of :mod:`govpress.parsers.release`).

Class names are split into words (``article__lead`` -> article, lead; ``newsLead`` -> news, lead), so
``leadership`` or ``summary-table`` are not leads, and a lead word next to an image or caption word
(``lead-image``, ``intro__photo``) is a picture, not text.
"""

from __future__ import annotations

import re

from govpress.parsers.html.blocks import block_paragraphs, is_boilerplate
from govpress.parsers.html.tree import Element
from govpress.parsers.text import normalize

__all__ = ["find_lead", "find_lead_block", "is_lead_block", "lead_overlaps", "lead_text"]

LEAD_WORDS = frozenset({"lead", "lede", "summary", "intro", "introduction", "anons", "anonce", "announce", "standfirst"})
"""Class words that name a lead (in any class of the element)."""
_NOT_TEXT_WORDS = frozenset({
    "img", "image", "photo", "picture", "pic", "media", "video", "figure", "caption", "icon", "author",
    "item", "link", "title", "list", "date", "time",
})
"""Class words beside a lead word that make the block something else: a lead image, a listing item's teaser."""

_MIN_CHARS, _MAX_CHARS = 15, 1_500
_BODY_STARTED_CHARS = 200
"""Paragraph text outside lead blocks, counted from the headline on, after which the body has begun: a lead
block further down is not the lead."""
_MAX_ELEMENTS = 600
"""Elements looked at after the headline at most: the lead sits right under it."""
_REGION_TAGS = frozenset({"article", "main"})
_CLASS_SPLIT = re.compile(r"[-_\s]+|(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")
_TYPE_TOKEN = re.compile(r"[-_]type[-_]", re.I)


_WORDS_OF_CLASSES: dict[str, frozenset[str]] = {}
"""Class attribute -> its words: a page repeats the same class attributes on many elements."""


def _class_words(element: Element) -> frozenset[str]:
    classes = element.get("class") or ""
    words = _WORDS_OF_CLASSES.get(classes)
    if words is None:
        found: set[str] = set()
        for token in classes.split():
            if _TYPE_TOKEN.search(token):
                continue  # Drupal's "field-type-text-with-summary" names the body field's type, not a summary
            found.update(part.lower() for part in _CLASS_SPLIT.split(token) if part)
        words = frozenset(found)
        if len(_WORDS_OF_CLASSES) > 50_000:
            _WORDS_OF_CLASSES.clear()
        _WORDS_OF_CLASSES[classes] = words
    return words


def is_lead_block(element: Element) -> bool:
    """An element whose classes name a lead (and not a lead's picture or a listing's teaser)."""
    if not isinstance(element.tag, str) or element.tag in ("a", "img", "figure", "time", "h1"):
        return False
    words = _class_words(element)
    return bool(words & LEAD_WORDS) and not words & _NOT_TEXT_WORDS


def lead_text(element: Element) -> str:
    """The lead block's text as one line."""
    return normalize(" ".join(block_paragraphs(element, skip_boilerplate=False))).strip()


def lead_overlaps(lead: Element, other: Element) -> bool:
    """``other`` is the lead block, inside it or around it (a ``.lead`` a subtitle finder also picked)."""
    return other is lead or lead in other.iterancestors() or other in lead.iterancestors()


def _region(headline: Element) -> Element:
    """The headline's article: its nearest ``<article>``/``<main>``, else a few levels above it."""
    for ancestor in headline.iterancestors():
        if ancestor.tag in _REGION_TAGS or (ancestor.get("role") or "").lower() == "main":
            return ancestor
    region = headline
    for _ in range(3):
        parent = region.getparent()
        if parent is None or parent.tag in ("html", "body"):
            break
        region = parent
    return region


def _usable(element: Element, region: Element) -> str | None:
    """The block's text when it can be the lead: not in a link or a boilerplate block, of a lead's length."""
    for ancestor in element.iterancestors():
        if ancestor is region:
            break
        if ancestor.tag == "a" or is_boilerplate(ancestor):
            return None
    if is_boilerplate(element):
        return None
    text = lead_text(element)
    return text if _MIN_CHARS <= len(text) <= _MAX_CHARS and len(text.split()) >= 3 else None


def find_lead_block(root: Element, headline: Element | None) -> Element | None:
    """The lead block under ``headline`` (see the module docstring), or None.

    Only blocks after the headline in document order, inside its article, before the body's paragraphs
    have begun; the first usable one wins.
    """
    found = find_lead(root, headline)
    return found[0] if found is not None else None


def find_lead(root: Element, headline: Element | None) -> tuple[Element, str] | None:
    """:func:`find_lead_block`'s block with its :func:`lead_text`, which telling it usable read: a caller that
    keeps the text need not walk the block again (10-40 us a page)."""
    if headline is None or headline.getroottree().getroot() is not root.getroottree().getroot():
        return None
    region = _region(headline)
    inside_headline = set(headline.iter())
    passed = False
    seen = body_chars = 0
    walker = region.iter()
    for element in walker:
        if not passed:
            passed = element is headline
            continue
        if element in inside_headline or not isinstance(element.tag, str):
            continue
        seen += 1
        if seen > _MAX_ELEMENTS:
            return None
        if is_lead_block(element):
            if text := _usable(element, region):
                return element, text
            continue
        if element.tag == "p" and not any(is_lead_block(a) for a in element.iterancestors()):
            body_chars += len(normalize("".join(element.itertext())).strip())
            if body_chars >= _BODY_STARTED_CHARS:
                return None
    return None
