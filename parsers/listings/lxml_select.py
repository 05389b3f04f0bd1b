"""A listing page read on lxml's tree as the BeautifulSoup reader reads it, for selectors of the simple form.

``read_listing_page`` built a BeautifulSoup tree (bs4's ``lxml`` builder) for every listing page: ~1.5 ms a page
of the generated site's, three quarters of reading it, and bs4's import (~8 ms) in the run's process, which
needs bs4 for nothing else. Here the page is parsed by the same lxml parser, fed the same way (bs4's builder:
``etree.HTMLParser(recover=True)``, the text fed whole, a leading byte-order mark dropped), into lxml's own tree,
and read by bs4's rules for what the reader uses:

- selection: :mod:`govpress.parsers.listings.select`'s matching of the registry's simple selectors (soupsieve's
  rules for an HTML document without namespaces), on lxml elements: names compared in ASCII lower case,
  ``class`` split as bs4 splits it (``\\S+``), ``<template>`` contents not entered and not crossed upwards;
- text: ``Tag.get_text(" ", strip=True)``, the element's strings in document order, each stripped, empty ones
  left out; comments, processing instructions and every string inside ``<script>``, ``<style>``,
  ``<template>``, ``<rt>`` or ``<rp>`` left out (bs4 gives those strings their own classes, which a normal
  tag's text does not read); an element that is itself one of those is not read here (:class:`Unsupported`).

Whatever this module does not read as bs4 does raises :class:`Unsupported`, and the caller reads the page
with BeautifulSoup as before; tests/unit/parsers/test_listings.py compares both readers' listings.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from govpress.parsers.listings.css import Complex, Compound, parse

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_OWN_STRINGS = frozenset({"script", "style", "template", "rt", "rp"})
"""bs4's HTML string containers (``HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS``): their strings are not text."""


class Unsupported(Exception):
    """This page or selector is not read here: the caller reads it with BeautifulSoup."""


def document(text: str) -> etree._Element | None:
    """The page's tree as bs4's ``lxml`` builder parses ``text`` (None for an empty document)."""
    if text[:1] == "\N{BYTE ORDER MARK}":
        text = text[1:]
    parser = etree.HTMLParser(recover=True)
    try:
        parser.feed(text)
        return parser.close()
    except (UnicodeDecodeError, LookupError, etree.LxmlError) as exc:  # whatever bs4 makes of it, it makes it
        raise Unsupported(str(exc)) from exc


def chains(selector: str) -> tuple[Complex, ...]:
    found = parse(selector)
    if found is None:
        raise Unsupported(selector)
    return found


def _is_template(el: etree._Element) -> bool:
    tag = el.tag
    return len(tag) == 8 and tag.translate(_LOWER) == "template"


def _attribute(el: etree._Element, lowered: str) -> str | None:
    """The attribute whose name is ``lowered`` in ASCII lower case, as bs4 matches names: lxml's HTML parser (the
    only one :func:`document` uses) writes attribute names in ASCII lower case and keeps the first of a repeated one
    (a test holds it to that), so it is a plain look-up, not a scan of the attributes."""
    return el.get(lowered)


def _parent(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    if parent is None or _is_template(parent):
        return None
    return parent


def _matches_compound(el: etree._Element, compound: Compound) -> bool:
    tag = compound.tag
    name = el.tag
    if tag is not None and tag != name and not (len(tag) == len(name) and tag == name.translate(_LOWER)):
        return False
    for wanted in compound.ids:
        if wanted != (_attribute(el, "id") or ""):
            return False
    if compound.classes:
        value = _attribute(el, "class")
        # bs4 splits a class attribute by its nonwhitespace_re (\S+): str.split's whitespace is re's \s, code point by
        # code point (a test compares them over all of Unicode).
        classes = value.split() if value else []
        for wanted in compound.classes:
            if wanted not in classes:
                return False
    for name in compound.attributes:
        if _attribute(el, name) is None:
            return False
    return True


def _matches(el: etree._Element, chain: Complex, index: int = 0) -> bool:
    combinator, compound = chain[index]
    if not _matches_compound(el, compound):
        return False
    if index + 1 == len(chain):
        return True
    parent = _parent(el)
    if combinator == ">":
        return parent is not None and _matches(parent, chain, index + 1)
    while parent is not None:
        if _matches(parent, chain, index + 1):
            return True
        parent = _parent(parent)
    return False


def _followed(el: etree._Element) -> bool:
    """Whether a node comes after ``el``'s subtree in document order: an element, a comment or a text that is not
    only whitespace (bs4 keeps whitespace that lxml's tree may drop, so a template followed by whitespace alone is
    not read here)."""
    node: etree._Element | None = el
    while node is not None:
        if (node.tail and node.tail.strip()) or node.getnext() is not None:
            return True
        node = node.getparent()
    raise Unsupported("a <template> with nothing but whitespace after it")


def _descendants(children: list[etree._Element]) -> Iterator[etree._Element]:
    """Elements under ``children`` (and they themselves) in document order, not entering a ``<template>``: soupsieve's
    ``get_descendants`` (and ``select._descendants``) skip its contents up to the node after it (and enter them when
    no node follows it in the document: such a page is not read here, see :func:`_followed`)."""
    stack = children[::-1]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):
            continue  # a comment or processing instruction
        yield el
        if not _is_template(el) or not _followed(el):
            stack.extend(reversed(el))


def holds_template(scope: etree._Element) -> bool:
    """Whether the document of ``scope`` has a ``<template>`` (whose contents the walk does not enter)."""
    return next(scope.getroottree().getroot().iter("template"), None) is not None


def select(scope: etree._Element, selector: str, *, whole: bool = False, limit: int = 0,
           templates: bool | None = None) -> list[etree._Element]:
    """``select.select``: the elements under ``scope`` (``whole``: the document whose root ``scope`` is, the
    root included) that match ``selector``, in document order. ``templates``: :func:`holds_template` of the
    document when the caller knows it (a listing page asks once, not at each of its ~60 selections)."""
    found_chains = chains(selector)
    found = []
    tags = {chain[0][1].tag for chain in found_chains}
    if None in tags or (templates if templates is not None else holds_template(scope)):
        candidates: Iterator[etree._Element] = _descendants([scope] if whole else list(scope))
    else:
        # Only elements of the subjects' types can match: lxml's own walk picks them, in the same document order.
        # lxml's HTML parser writes element names in ASCII lower case, as the selectors' types are; without a
        # <template> in the document the walk above enters every element.
        candidates = scope.iter(*tags)
        if not whole and scope.tag in tags:
            next(candidates)  # the scope itself: only its descendants are selected
    for el in candidates:
        if any(_matches(el, chain) for chain in found_chains):
            found.append(el)
            if len(found) == limit:
                break
    return found


def select_one(scope: etree._Element, selector: str, *, whole: bool = False,
               templates: bool | None = None) -> etree._Element | None:
    found = select(scope, selector, whole=whole, limit=1, templates=templates)
    return found[0] if found else None


def text(el: etree._Element) -> str:
    """``Tag.get_text(" ", strip=True)`` of ``el``."""
    node: etree._Element | None = el
    while node is not None:  # the element's own strings are of another class here: bs4's reading differs
        if node.tag in _OWN_STRINGS:
            raise Unsupported(f"text of <{el.tag}> within <{node.tag}>")
        node = node.getparent()
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        if node.text and (stripped := node.text.strip()):
            parts.append(stripped)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _OWN_STRINGS:
                visit(child)
            if child.tail and (stripped := child.tail.strip()):
                parts.append(stripped)

    visit(el)
    return " ".join(parts)
