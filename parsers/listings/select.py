"""CSS selection on an HTML listing page's tree: the registry's simple selectors matched here, any other by soupsieve.

The registry's listing selectors are type, class, id and ``[attribute]`` selectors joined by descendant
and child combinators, in comma lists (``div.news_item.lenta_item``, ``h3.hentry__title a[href]``,
``time, .news-card__date``). soupsieve matches those and everything else in CSS, but it compiles its
own tokenizer's patterns the first time it parses a selector: 50-70 ms of CPU in each run's main
process (Python's ``re`` optimising its Unicode character sets), about as much as reading all of a
run's listing pages. A selector of that simple form is matched here by soupsieve's rules for an HTML
document without namespaces (what bs4's ``lxml`` HTML builder makes): names of elements and
attributes compared in ASCII lower case, classes and ids exactly, ``<template>`` contents not
entered and not crossed upwards, document order. Anything else (another form, an XML tree, a
document with namespaces) goes to soupsieve, as before; tests/unit/parsers/test_listings.py compares
the two on real and constructed pages.
"""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag  # imported by the listing reader only once it reads a page

from govpress.parsers.listings.css import _LOWER, _RE_NOT_WS, _WS, Complex, Compound, _ascii_lower, parse  # noqa: F401


def _attribute(el: Tag, lowered: str, default: object) -> object:
    """soupsieve's ``get_attribute_by_name`` on an HTML tree: the first attribute whose lower-cased name matches."""
    for key, value in el.attrs.items():
        if _ascii_lower(key) == lowered:
            return "" if value is None else value
    return default


def _is_template(el: Tag) -> bool:
    name = el.name
    return len(name) == 8 and _ascii_lower(name) == "template"


def _parent(el: Tag) -> Tag | None:
    """soupsieve's ``get_parent``: not the document, and not across a ``<template>``."""
    parent = el.parent
    if parent is None or isinstance(parent, BeautifulSoup) or _is_template(parent):
        return None
    return parent


def _matches_compound(el: Tag, compound: Compound) -> bool:
    tag = compound.tag
    if tag is not None and tag != el.name and not (len(tag) == len(el.name) and tag == _ascii_lower(el.name)):
        return False
    for wanted in compound.ids:
        if wanted != _attribute(el, "id", ""):
            return False
    if compound.classes:
        classes = _attribute(el, "class", [])
        if isinstance(classes, str):
            classes = _RE_NOT_WS.findall(classes)
        for wanted in compound.classes:
            if wanted not in classes:
                return False
    for name in compound.attributes:
        if not any(_ascii_lower(key) == name for key in el.attrs):
            return False
    return True


def _matches(el: Tag, chain: Complex, index: int = 0) -> bool:
    """Does ``el`` match ``chain[index:]`` (``chain[index]`` its compound, those after it its ancestors')?"""
    combinator, compound = chain[index]
    if not _matches_compound(el, compound):
        return False
    if index + 1 == len(chain):
        return True
    if combinator == ">":
        parent = _parent(el)
        return parent is not None and _matches(parent, chain, index + 1)
    parent = _parent(el)
    while parent is not None:
        if _matches(parent, chain, index + 1):
            return True
        parent = _parent(parent)
    return False


def _descendants(scope: Tag) -> Iterator[Tag]:
    """soupsieve's ``get_descendants(scope, tags=True, template_contents=True)``, in document order."""
    next_good = None
    for child in scope.descendants:
        if next_good is not None:
            if child is not next_good:
                continue
            next_good = None
        if isinstance(child, Tag):
            if _is_template(child):
                if child.next_sibling is not None:
                    next_good = child.next_sibling
                else:
                    last = child
                    while isinstance(last, Tag) and last.contents:
                        last = last.contents[-1]
                    next_good = last.next_element
            yield child


def _simple_tree(scope: Tag) -> bool:
    """An HTML tree without namespaces, as soupsieve sees it (so its rules above are the ones that apply)."""
    if scope._is_xml or "" in (scope._namespaces or {}):
        return False
    top = scope
    while top.parent is not None and not isinstance(top.parent, BeautifulSoup):
        top = top.parent
    if isinstance(top, BeautifulSoup):
        top = next((child for child in top.contents if isinstance(child, Tag)), None)
    return top is None or not top.namespace


def select(scope: Tag, selector: str, limit: int = 0) -> list[Tag]:
    """``scope.select(selector)``: the matching descendants of ``scope`` in document order."""
    chains = parse(selector)
    if chains is None or not _simple_tree(scope):
        return list(scope.select(selector, limit=limit))
    found = []
    for el in _descendants(scope):
        if any(_matches(el, chain) for chain in chains):
            found.append(el)
            if len(found) == limit:
                break
    return found


def select_one(scope: Tag, selector: str) -> Tag | None:
    """``scope.select_one(selector)``: the first matching descendant, or None."""
    found = select(scope, selector, limit=1)
    return found[0] if found else None
