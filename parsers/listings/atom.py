"""A plain Atom 1.0 feed read with lxml as feedparser reads it: each entry's link, title, summary and dates.

Why: feedparser reads a feed element by element in Python (~8 ms a 50-entry page, ~40 ms of the run's main
process in a 653-page run, 1.5% of the run's CPU; bench/results.md, perf-main25), where lxml's tree and a walk over
it take well under a millisecond. What :func:`govpress.parsers.listings.feed.read_feed` keeps of an entry (its
URL, title and dates, and the fingerprint over title, summary, content and dates as written) must be what
feedparser gives, to the character: a changed fingerprint refetches the page on the next run. So this reader
takes only a narrow, plain form of Atom whose reading by feedparser (6.x: the strict SAX parser, text constructs
of ``type="text"``) is the few steps below, and returns None for anything else, which feedparser then reads as
before:

- UTF-8 as declared by the first bytes (``<?xml version="1.0" encoding="utf-8"?>``, no BOM), well-formed to
  libxml2 without recovery, no DTD; every element in the Atom namespace and no other namespace declared (feedparser
  maps extension elements such as ``dc:date`` onto the same keys);
- known elements only, each where Atom puts it (below), no ``xml:base`` (feedparser resolves links against it),
  no comments or processing instructions inside the feed, no markup inside a text element (``type`` absent or
  ``text``: feedparser neither sanitises nor resolves such text);
- each entry has exactly one link feedparser takes as the entry's (``rel`` alternate, ``type`` text/html, both
  as feedparser defaults them), at most one title, summary, published and updated, and no ``content``;
- at least one entry (an empty feed is feedparser's to judge).

Feedparser's steps on such a text, repeated here: whitespace stripped (``str.strip``); re-read as UTF-8 when
it is all Latin-1 that is valid UTF-8 (its fix for doubly encoded text: the strict parser always runs with
'utf-8'); a text with a code point U+0080-U+009F left (feedparser maps them to cp1252's) goes to feedparser.
A link's ``href`` as feedparser resolves it without a base: an absolute URL with no extra slashes after the
scheme (its ``_urifixer`` would remove them) is kept as written; any other goes to feedparser.
tests/unit/parsers/test_atom.py holds every feed we have and generated variants to feedparser's reading.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml import etree

_NS = "http://www.w3.org/2005/Atom"
_A = "{" + _NS + "}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_DECLARATION = re.compile(rb"""<\?xml\s+version\s*=\s*(["'])1\.0\1\s+encoding\s*=\s*(["'])(?i:utf-8)\2"""
                          rb"""(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>""")
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
"""No recovery: a document libxml2 finds malformed is feedparser's (its strict parser fails, its loose one reads)."""

_PLAIN_HREF = re.compile(r"[A-Za-z][A-Za-z0-9+,.-]*://[^/\s]\S*")
"""An absolute URL that feedparser's ``_urljoin('', href)`` leaves as it is (no extra slashes after the scheme)."""
_CP1252_RANGE = re.compile("[\x80-\x9f]")
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")

_TEXT = frozenset({"title", "subtitle", "rights", "summary"})
"""Text constructs: ``type`` absent or ``text``."""
_FEED_CHILDREN = frozenset({"title", "subtitle", "rights", "id", "updated", "link", "author", "generator", "icon",
                            "logo", "category", "entry"})
_ENTRY_CHILDREN = frozenset({"title", "summary", "id", "published", "updated", "link", "author", "category"})
_AUTHOR_CHILDREN = frozenset({"name", "email", "uri"})
_LINK_ATTRIBUTES = frozenset({"href", "rel", "type", "title", "hreflang", "length"})
_ATTRIBUTES = {"link": _LINK_ATTRIBUTES, "category": frozenset({"term", "scheme", "label"}),
               "generator": frozenset({"uri", "version"})}
_NO_ATTRIBUTES: frozenset[str] = frozenset()
_TEXT_ATTRIBUTES = frozenset({"type"})


class FeedEntry(NamedTuple):
    """What read_feed uses of one feed entry, as feedparser gives it (None: not in the entry)."""

    link: str | None
    title: str | None
    summary: str | None
    contents: tuple[str | None, ...]
    published: str | None
    updated: str | None


class _Outside(Exception):
    """The document is outside the plain form: feedparser reads it."""


def read_plain_atom(body: bytes) -> tuple[list[FeedEntry], str | None] | None:
    """The entries and the ``rel="next"`` link (as feedparser would resolve it, not yet against the page's URL)
    of a plain Atom feed; None when the document is not of that form."""
    if not _DECLARATION.match(body):
        return None
    try:
        root = etree.fromstring(body, _STRICT)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        return _read(root)
    except _Outside:
        return None


def _read(root: etree._Element) -> tuple[list[FeedEntry], str | None]:
    if root.tag != _A + "feed" or root.nsmap != {None: _NS} or any(key != _XML_LANG for key in root.attrib):
        raise _Outside
    if root.getroottree().docinfo.doctype:
        raise _Outside  # feedparser takes a version from it
    entries = []
    next_href = None
    for child in root:
        name = _name(child, _FEED_CHILDREN)
        if name == "entry":
            entries.append(_entry(child))
            continue
        _check(child, name)
        if name == "link":
            rel = child.get("rel")
            if rel is not None and rel != rel.lower():
                raise _Outside  # feedparser lower-cases it
            if rel == "next" and next_href is None:
                next_href = _href(child)
        elif name == "author":
            _author(child)
    if not entries:
        raise _Outside
    return entries, next_href


def _entry(entry: etree._Element) -> FeedEntry:
    if entry.attrib or entry.nsmap != {None: _NS}:
        raise _Outside
    found: dict[str, str] = {}
    link = None
    for child in entry:
        name = _name(child, _ENTRY_CHILDREN)
        text = _check(child, name)
        if name == "link":
            rel, kind = child.get("rel", "alternate"), child.get("type", "text/html")
            if rel != rel.lower() or kind != kind.lower():
                raise _Outside
            href = _href(child)  # a link without one: feedparser stores its (empty) text as the entry's link
            if rel == "alternate":
                if kind != "text/html" or link is not None:
                    raise _Outside  # another alternate: which one feedparser keeps depends on the order and type
                link = href
        elif name == "author":
            _author(child)
        elif name in ("title", "summary", "published", "updated"):
            if name in found:
                raise _Outside
            found[name] = text
    if link is None:
        raise _Outside  # feedparser would take the entry's id as its link
    return FeedEntry(link=link, title=found.get("title"), summary=found.get("summary"), contents=(),
                     published=found.get("published"), updated=found.get("updated"))


def _author(author: etree._Element) -> None:
    for child in author:
        _check(child, _name(child, _AUTHOR_CHILDREN))


def _name(element: etree._Element, allowed: frozenset[str]) -> str:
    tag = element.tag
    if not isinstance(tag, str) or not tag.startswith(_A):  # a comment, a processing instruction, another namespace
        raise _Outside
    name = tag[len(_A):]
    if name not in allowed:
        raise _Outside
    return name


def _check(element: etree._Element, name: str) -> str:
    """The element's text as feedparser stores it; raises _Outside for attributes or content outside the form."""
    if (keys := element.keys()) and not _ATTRIBUTES.get(name, _TEXT_ATTRIBUTES if name in _TEXT else _NO_ATTRIBUTES
                                                        ).issuperset(keys):
        raise _Outside
    if name in _TEXT and element.get("type", "text") != "text":
        raise _Outside
    if name == "author":
        return ""
    if len(element):
        raise _Outside  # markup, a comment or a processing instruction inside the text
    text = (element.text or "").strip()
    if not text.isascii():  # (an ASCII text is its own repair and holds no U+0080-U+009F)
        # feedparser's repair of UTF-8 read as Latin-1 (mixin.py, pop): only a text all of Latin-1 can be one; the
        # encoding fails on any other (a raised and caught UnicodeEncodeError for every Cyrillic title and summary).
        if _BEYOND_LATIN1.search(text) is None:
            try:
                text = text.encode("iso-8859-1").decode("utf-8")
            except UnicodeDecodeError:
                pass
        if _CP1252_RANGE.search(text):
            raise _Outside
    return text


def _href(link: etree._Element) -> str:
    href = link.get("href")
    if href is None or not _PLAIN_HREF.fullmatch(href):
        raise _Outside
    return href
