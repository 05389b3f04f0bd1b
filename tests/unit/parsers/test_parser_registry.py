"""The parsers' registry: which parsers read their sites' listing pages, known without importing the others."""

from __future__ import annotations

import pytest

from govpress import parsers
from govpress.parsers import available_parsers, get_parser, listing_parser


def test_the_listing_readers_are_the_parsers_with_parse_listing() -> None:
    for name in available_parsers():
        module = get_parser(name)
        assert (listing_parser(name) is module) == hasattr(module, "parse_listing"), name
        assert (name in parsers._LISTING_READERS) == hasattr(module, "parse_listing"), name


def test_an_unknown_parser_is_refused_as_get_parser_refuses_it() -> None:
    with pytest.raises(KeyError, match="unknown parser 'nope'; known: .*generic"):
        listing_parser("nope")


def test_a_parser_with_a_listing_reader_reads_the_listing_pages() -> None:
    from govpress.discover import _listing_reader
    from govpress.registry import Source

    kremlin = Source(id="k", name="K", country="RU", institution="K", languages=["ru"], kind="listing",
                     start_urls=["http://kremlin.ru/events/president/news"], parser="kremlin",
                     listing={"item": "div.item", "link": "a"})
    assert _listing_reader(kremlin).__code__.co_names == ("parse_listing",)
