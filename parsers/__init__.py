"""Pure parsing: bytes + URL in, a :class:`Release` out.

Public surface::

    from govpress.parsers import parse, ParseContext, Release, ParseError
    release = parse(body, url, ParseContext(timezone="Europe/Moscow"), parser="kremlin")

Each parser is a module with ``NAME``, ``VERSION`` and ``parse(body, url, ctx)``; a
module may also offer ``parse_listing(body, url, ctx) -> Listing`` for its site's
listing pages. ``generic`` handles any HTML page, ``document`` text and markdown.

Whatever the parser, :func:`parse` hands back a release that follows the one text convention
(:mod:`govpress.parsers.release`: what title, subtitle, lead and body_text hold).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from govpress.parsers.listings import Listing, ListingItem
from govpress.parsers.release import (
    FIELD_CAPS,
    BlockedPage,
    NotFoundPage,
    ParseContext,
    ParseError,
    Release,
    apply_text_convention,
    capped,
)

__all__ = [
    "BlockedPage",
    "Listing",
    "ListingItem",
    "NotFoundPage",
    "ParseContext",
    "ParseError",
    "Release",
    "available_parsers",
    "get_parser",
    "listing_parser",
    "parse",
]

# name -> module; a well-structured site needs no entry here, only `parser = "generic"`.
_MODULES: dict[str, str] = {
    "generic": "govpress.parsers.generic",
    "document": "govpress.parsers.document",
    "kremlin": "govpress.parsers.sites.kremlin",
    "government_ru": "govpress.parsers.sites.government_ru",
    "president_by": "govpress.parsers.sites.president_by",
    "belta": "govpress.parsers.sites.belta",
    "president_az": "govpress.parsers.sites.president_az",
    "govuk": "govpress.parsers.sites.govuk",
    "europarl": "govpress.parsers.sites.europarl",
}


_LISTING_READERS = frozenset({"kremlin"})
"""The parsers whose module offers ``parse_listing`` (tests/unit/parsers/test_parser_registry.py checks every module):
:func:`listing_parser` answers for the others without importing them."""


def listing_parser(name: str) -> ModuleType | None:
    """The parser module registered under ``name`` when it reads its site's listing pages (``parse_listing``),
    else None; ``KeyError`` names the known parsers. A parser without a listing reader is not imported: the
    run's process reads listing pages by the source's selectors, and importing ``generic`` there only to find
    no ``parse_listing`` cost ~33 ms of CPU (it imports the HTML metadata, JSON-LD, links and density modules
    that only the parse workers use)."""
    if name not in _MODULES:
        get_parser(name)  # raises the KeyError naming the known parsers
    return get_parser(name) if name in _LISTING_READERS else None


def available_parsers() -> list[str]:
    return sorted(_MODULES)


def get_parser(name: str) -> ModuleType:
    """The parser module registered under ``name``; ``KeyError`` names the known ones."""
    try:
        module_name = _MODULES[name]
    except KeyError:
        raise KeyError(f"unknown parser {name!r}; known: {', '.join(available_parsers())}") from None
    return importlib.import_module(module_name)


def parser_version(name: str) -> str:
    return get_parser(name).VERSION


def parse(body: bytes, url: str, ctx: ParseContext | None = None, parser: str = "generic") -> Release:
    """Parse one page into a release that follows the text convention (:func:`apply_text_convention`);
    only :class:`ParseError` (or its subclass :class:`BlockedPage`) escapes."""
    ctx = ctx or ParseContext()
    module = get_parser(parser)
    try:
        release = module.parse(body, url, ctx)
    except ParseError:
        raise
    except Exception as exc:  # a parser bug must not stop a run: record it as a failure
        raise ParseError(f"{parser} parser crashed: {type(exc).__name__}: {exc}") from exc
    # One convention for every parser, applied here rather than trusted to each of them.
    apply_text_convention(release)
    for name, limit in FIELD_CAPS.items():
        setattr(release, name, capped(getattr(release, name), limit))
    return release
