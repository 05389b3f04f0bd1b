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
