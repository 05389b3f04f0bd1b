"""The registry's simple CSS selectors, parsed (no tree library imported): type, class, id and ``[attribute]``
selectors joined by descendant and child combinators, in comma lists. :mod:`govpress.parsers.listings.select`
matches them on BeautifulSoup's tree and :mod:`govpress.parsers.listings.lxml_select` on lxml's."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_NAME = r"-?[_a-zA-Z][_a-zA-Z0-9-]*"
_COMPOUND = re.compile(rf"(?P<tag>[a-z][a-z0-9]*)?(?P<rest>(?:[.#]{_NAME}|\[[_a-zA-Z][_a-zA-Z0-9-]*\])*)")
_PART = re.compile(rf"([.#])({_NAME})|\[([_a-zA-Z][_a-zA-Z0-9-]*)\]")
_COMBINATOR = re.compile(r"[ \t\n\r\f]*>[ \t\n\r\f]*|[ \t\n\r\f]+")
_WS = " \t\n\r\f"
_RE_NOT_WS = re.compile("[^ \t\r\n\f]+")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class Compound(NamedTuple):
    """One compound selector: its type (lower case, or None), ids, classes, attribute names (lower case)."""

    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attributes: tuple[str, ...]


Complex = tuple[tuple[str, Compound], ...]
"""A complex selector from its subject leftwards: (the combinator to the next compound, the compound);
the subject's combinator is ''."""


def _ascii_lower(text: str) -> str:
    return text.translate(_LOWER)


def _compound(text: str) -> Compound | None:
    match = _COMPOUND.fullmatch(text)
    if match is None or not text:
        return None
    ids, classes, attributes = [], [], []
    for part in _PART.finditer(match.group("rest")):
        if part.group(1) == "#":
            ids.append(part.group(2))
        elif part.group(1) == ".":
            classes.append(part.group(2))
        else:
            attributes.append(_ascii_lower(part.group(3)))
    return Compound(match.group("tag"), tuple(ids), tuple(classes), tuple(attributes))


@lru_cache(maxsize=256)
def parse(selector: str) -> tuple[Complex, ...] | None:
    """The selector list in the simple form this module matches, or None (soupsieve's to match)."""
    complexes = []
    for text in selector.split(","):
        text = text.strip(_WS)
        if not text:
            return None
        compounds: list[Compound] = []
        combinators = [""]
        at = 0
        while True:
            step = _COMBINATOR.search(text, at)
            end = step.start() if step else len(text)
            compound = _compound(text[at:end])
            if compound is None:
                return None
            compounds.append(compound)
            if step is None:
                break
            combinators.append(">" if ">" in step.group() else " ")
            at = step.end()
        # Subject first; each compound carries the combinator that joins it to the one on its left.
        complexes.append(tuple(zip(reversed(combinators), reversed(compounds))))
    return tuple(complexes)
