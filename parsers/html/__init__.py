"""Shared HTML helpers for every parser, one module per job (this package re-exports them):

- :mod:`.tree`: one parse per page, ``lxml`` (:func:`parse_html`), CSS selection, text of an element;
  :func:`make_soup` for callers that need BeautifulSoup;
- :mod:`.blocks`: boilerplate blocks, text paragraphs of an element (:func:`block_paragraphs`),
  heading text, site noise removal;
- :mod:`.density`: the element holding the article text (:func:`find_main_content`);
- :mod:`.metadata`: what a page says about itself (:func:`page_metadata` over :mod:`.jsonld`,
  meta dates, ``<time>``, microformats h-entry, and :mod:`.links`: canonical, hreflang);
- :mod:`.titles`: site names off titles, agreement between headline sources;
- :func:`looks_blocked` (here) recognises anti-bot and access pages (AWS WAF, Cloudflare, captcha,
  "Request Access", "Access Denied") so that they are never stored as releases; the rules are
  :mod:`govpress.parsers.blocked`, which the fetcher asks too.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bs4 costs 0.2 s to import: loaded only by the callers that make a soup
    from bs4 import BeautifulSoup, Tag

from govpress.parsers.blocked import blocked_reason

if TYPE_CHECKING:  # the re-exported names, imported at first use (_MODULE_OF)
    from govpress.parsers.html.blocks import (
        block_paragraphs,
        clean_title,
        element_text,
        heading_text,
        is_boilerplate,
        remove_boilerplate,
    )
    from govpress.parsers.html.density import (
        MainContent,
        caption_blocks,
        find_main_content,
        link_blocks,
        locate_main_content,
        paragraph_weight,
        prose_weight,
        trailing_link_lists,
    )
    from govpress.parsers.html.links import absolute, primary_language, same_document_elsewhere
    from govpress.parsers.html.metadata import PageIndex, PageMeta, page_metadata
    from govpress.parsers.html.titles import (
        learn_site_names,
        page_title,
        site_names_for_source,
        strip_site_name,
        strip_site_suffix,
    )
    from govpress.parsers.html.tree import (
        Element,
        first_match,
        make_soup,
        parse_html,
        parse_html_text,
        select,
        select_one,
        text_of,
    )

_FROM = {
    "blocks": ("block_paragraphs", "clean_title", "element_text", "heading_text", "is_boilerplate", "remove_boilerplate"),
    "density": ("MainContent", "caption_blocks", "find_main_content", "link_blocks", "locate_main_content",
                "paragraph_weight", "prose_weight", "trailing_link_lists"),
    "links": ("absolute", "primary_language", "same_document_elsewhere"),
    "metadata": ("PageIndex", "PageMeta", "page_metadata"),
    "titles": ("learn_site_names", "page_title", "site_names_for_source", "strip_site_name", "strip_site_suffix"),
    "tree": ("Element", "first_match", "make_soup", "parse_html", "parse_html_text", "select", "select_one", "text_of"),
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}
"""Where each re-exported name lives. Imported at first use (PEP 562), not with the package: the run's process
needs only the titles (govpress/pipeline.py, a batch's site names) and the listings' tree helpers, while the
metadata, JSON-LD, links and density modules are the parse workers' (about 10 ms of every run's imports)."""


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


__all__ = [
    "Element",
    "PageIndex",
    "PageMeta",
    "absolute",
    "block_paragraphs",
    "caption_blocks",
    "clean_title",
    "element_text",
    "find_main_content",
    "first_match",
    "heading_text",
    "is_boilerplate",
    "learn_site_names",
    "link_blocks",
    "page_title",
    "site_names_for_source",
    "locate_main_content",
    "MainContent",
    "looks_blocked",
    "make_soup",
    "page_metadata",
    "parse_html",
    "parse_html_text",
    "paragraph_weight",
    "primary_language",
    "prose_weight",
    "remove_boilerplate",
    "same_document_elsewhere",
    "select",
    "select_one",
    "strip_site_name",
    "strip_site_suffix",
    "text_of",
    "trailing_link_lists",
]

# --------------------------------------------------------------------------- blocked pages


def looks_blocked(
    soup_or_text: BeautifulSoup | Tag | str | bytes,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> str | None:
    """Why this response is an anti-bot or access page rather than content, or ``None`` when it is content.

    The rules and their wording live in :mod:`govpress.parsers.blocked`, shared with the fetcher.
    """
    return blocked_reason(soup_or_text, status=status, headers=headers)
