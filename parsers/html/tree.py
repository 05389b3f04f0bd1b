"""One parse per page: bytes -> one lxml tree that metadata, density and date finding all read.

- :func:`parse_html` decodes with :func:`govpress.parsers.charset.decode` and builds an
  lxml tree with libxml2's HTML parser; it never raises on bad bytes (an unreadable page gives an empty ``<html>``).
- :func:`select` / :func:`select_one` run CSS selectors (compiled once per selector and cached);
- :func:`text_of` is an element's visible text as one squashed line;
- :func:`make_soup` is the BeautifulSoup way, kept for callers that need bs4's API
  (the blocked-page detector accepts a soup).
"""

from __future__ import annotations

import re
import threading
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

from lxml import etree
from lxml.cssselect import CSSSelector

from govpress.parsers.charset import decode_checked
from govpress.parsers.text import squash

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

# Feeds and odd pages reach bs4's HTML parser on purpose (fuzzing, mislabelled bodies): no warning
# per page. Matched by its message so that bs4 (0.2 s to import) is loaded only by its callers.
warnings.filterwarnings("ignore", message=r"It looks like you're using an HTML parser to parse an XML document")

__all__ = ["Element", "child_named", "decode_page", "decode_page_checked", "drop_tree", "first_match", "is_element", "make_soup", "parse_html", "parse_html_text", "select", "select_one", "text_of"]

Element = etree._Element
"""Plain lxml elements: ``lxml.html``'s element classes cost a Python lookup per element touched
(a third of the parse time on real pages), and nothing here needs their extra methods."""


def child_named(element: Element, tag: str) -> Element | None:
    """``element.find(tag)`` for a plain tag name (``"body"``, ``"head"``): the first child element so named.

    A loop over the children: within a parse their proxies are held (govpress.parsers.generic), so it costs
    ~0.2 us, where ``find`` goes through lxml's path machinery for ~1.3 us, five times a page. A comment's or a
    processing instruction's tag is a function, never equal to a name; an HTML tree's elements have no namespace,
    and a name without one matches only an element without one in ``find`` too."""
    for child in element:
        if child.tag == tag:
            return child
    return None


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The page as text (BOM, header, meta, detection), NUL bytes removed (they make lxml stop early)."""
    return decode_page_checked(body, content_type)[0]


def decode_page_checked(body: bytes, content_type: str | None = None) -> tuple[str, bool]:
    """:func:`decode_page`'s text, and whether it encodes back to ``body`` as UTF-8 (a strict UTF-8 read that
    had no NUL byte to take out): what :func:`govpress.parsers.blocked.fetch_verdict_holds` would otherwise
    find by encoding the whole page again."""
    text, _charset, exact = decode_checked(body or b"", content_type)
    cleaned = text.replace("\x00", "")
    return cleaned, exact and len(cleaned) == len(text)


def parse_html(body: bytes, content_type: str | None = None) -> Element:
    """Decode ``body`` and parse it into one ``lxml.html`` tree (the root ``<html>`` element)."""
    return parse_html_text(decode_page(body, content_type))


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_html_text(text: str, utf8: bytes | None = None) -> Element:
    """The lxml tree of already decoded text; an empty ``<html>`` when nothing parses.

    ``utf8``: the text's own UTF-8 encoding when the caller holds it (the page's bytes, which
    :func:`decode_page_checked` says the text is): libxml2 reads those bytes as UTF-8 (a page's
    ``<meta charset>`` does not override it) into the same tree, without the conversion of the
    str's UTF-16 or Latin-1 buffer (~8% of the parse's instructions on the generated pages).

    libxml2 stops building the tree below 2,048 levels of nesting (a real page never gets there,
    a hostile or broken one does): such a page is parsed again through a Python tree builder,
    which has no depth limit (three times slower, so only then).
    """
    # lxml refuses str input that carries an encoding declaration.
    declared = _XML_DECLARATION.match(text)
    if declared:
        text = text[declared.end():]
    if not text.strip():
        return _empty()
    try:
        if utf8 is not None and not declared:  # bytes would keep the declaration (as a comment): the text's way then
            parser = _parser("utf-8")
            root = etree.fromstring(utf8, parser)
        else:
            parser = _parser(None)
            root = etree.fromstring(text, parser)
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):
        return _empty()
    if root is None:
        return _empty()
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        deep = etree.HTMLParser(target=etree.TreeBuilder(), huge_tree=True)
        deep.feed(text)
        rebuilt = deep.close()
        if isinstance(rebuilt, Element):
            root = rebuilt
    return root


class _Parsers(threading.local):
    """This thread's two page parsers (lxml's parsers are not to be shared between threads)."""

    def __init__(self) -> None:
        self.text = etree.HTMLParser(huge_tree=True, remove_comments=False)
        self.utf8 = etree.HTMLParser(huge_tree=True, remove_comments=False, encoding="utf-8")


_parsers = _Parsers()


def _parser(encoding: str | None) -> etree.HTMLParser:
    """A kept page parser: the text's, or the one that reads bytes as UTF-8. A new ``HTMLParser`` per page made
    libxml2 allocate and set up a new parser context for it (~3 us a page: bench/results.md, perf-parse20); a kept
    one is reset by lxml before each document, its error log included (what :func:`parse_html_text` reads)."""
    return _parsers.utf8 if encoding else _parsers.text


def _empty() -> Element:
    return etree.fromstring("<html><body></body></html>", etree.HTMLParser())


def drop_tree(element: Element) -> None:
    """Remove ``element`` and its subtree, keeping the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + tail
        else:
            previous.tail = (previous.tail or "") + tail
    parent.remove(element)


def make_soup(body: bytes, content_type: str | None = None, *, strainer=None) -> BeautifulSoup:
    """Decode ``body`` and parse it with BeautifulSoup (lxml builder); never raises on bad bytes."""
    from bs4 import BeautifulSoup  # imported here: the generic parser never makes a soup

    return BeautifulSoup(decode_page(body, content_type), "lxml", parse_only=strainer)


def is_element(node: object) -> bool:
    """A real element (not a comment, processing instruction or entity)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


@lru_cache(maxsize=512)
def _compiled(selector: str) -> CSSSelector | None:
    try:
        return CSSSelector(selector, translator="html")
    except Exception:  # a bad selector in a site module must not crash a run
        return None


def select(element: Element | None, selector: str) -> list[Element]:
    """Every descendant (or the element itself) matching the CSS ``selector``, in document order."""
    if element is None:
        return []
    compiled = _compiled(selector)
    return compiled(element) if compiled is not None else []


def select_one(element: Element | None, selector: str) -> Element | None:
    """The first match of the CSS ``selector`` (a comma list matches in document order), or None."""
    found = select(element, selector)
    return found[0] if found else None


_INVISIBLE = frozenset({"script", "style", "template", "noscript"})


def first_match(element: Element | None, *selectors: str) -> Element | None:
    """The first match of the first selector that matches anything (selectors in order of preference).

    lxml elements without children are falsy, so ``select_one(a) or select_one(b)`` is a bug: use this.
    """
    for selector in selectors:
        found = select_one(element, selector)
        if found is not None:
            return found
    return None


def text_of(element: Element | None, separator: str = " ") -> str:
    """All text inside ``element`` (scripts and styles excluded), pieces joined by ``separator``, squashed."""
    if element is None:
        return ""
    if not len(element) and isinstance(element.tag, str):
        # An element without children (a date's <span>, a <time>: most asked here) holds its own text alone: no
        # iterwalk to set up and step through for it.
        return squash(element.text or "")
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "start":
            if node.tag in _INVISIBLE and node is not element:
                walker.skip_subtree()
            elif text := node.text:
                parts.append(text)
        elif node is not element and (tail := node.tail):
            parts.append(tail)  # "end", or a comment/PI whose tail is text of its parent
    return squash(separator.join(parts))
