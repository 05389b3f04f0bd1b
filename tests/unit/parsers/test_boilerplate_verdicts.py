"""is_boilerplate's per-parse memo (verdicts_held): the same verdicts, each element judged once, nothing kept after."""

from __future__ import annotations

from datetime import datetime, timezone

from govpress.parsers import generic
from govpress.parsers.html import blocks
from govpress.parsers.html.tree import parse_html_text
from govpress.parsers.release import ParseContext

_PAGE = """<html><body>
<header class="masthead"><nav><a href="/">Home</a></nav></header>
<div class="share-buttons"><a href="#">Share</a></div>
<div id="sidebar" role="complementary"><p>Other news</p></div>
<main><article><h1>Minister opens the new bridge over the river</h1>
<p class="lead">The bridge links the two halves of the city for the first time.</p>
<div style="display: none">hidden text</div><div aria-hidden="true">decor</div><span hidden>x</span>
<p>The minister said on Tuesday that the bridge had been finished ahead of schedule and under budget.</p>
<p>Traffic will open on Monday, 2 March 2026, after the final inspection of the structure.</p>
<ul class="tags"><li>bridge</li><li>transport</li></ul>
<!-- a comment --></article></main>
<footer class="footer"><p>Contacts</p></footer>
</body></html>"""


def test_held_verdicts_equal_the_elements_own(monkeypatch) -> None:
    root = parse_html_text(_PAGE)
    elements = list(root.iter())
    plain = [blocks.is_boilerplate(e) for e in elements]
    judged: list[object] = []
    real = blocks._judge
    monkeypatch.setattr(blocks, "_judge", lambda e: judged.append(e) or real(e))
    with blocks.verdicts_held():
        for _ in range(3):
            assert [blocks.is_boilerplate(e) for e in elements] == plain
    assert len(judged) == len(elements) and len({id(e) for e in judged}) == len(elements)  # each judged once
    assert any(plain) and not all(plain)


def test_no_memo_outside_the_block() -> None:
    root = parse_html_text(_PAGE)
    element = root.find(".//article/p[2]")
    with blocks.verdicts_held():
        assert blocks.is_boilerplate(element) is False
        with blocks.verdicts_held():  # a nested block has its own memo
            assert blocks._held.verdicts == {}
        assert element in blocks._held.verdicts
    assert blocks._held.verdicts is None
    element.set("class", "sidebar")  # a tree changed after the block: judged afresh
    assert blocks.is_boilerplate(element) is True


def test_a_generic_parse_judges_each_element_once(monkeypatch) -> None:
    judged: list[object] = []
    real = blocks._judge
    monkeypatch.setattr(blocks, "_judge", lambda e: judged.append(e) or real(e))
    ctx = ParseContext(source_id="t", timezone="UTC", fetched_at=datetime(2026, 3, 5, tzinfo=timezone.utc))
    release = generic.parse(_PAGE.encode(), "https://example.org/news/bridge", ctx)
    assert release.title.startswith("Minister opens")
    assert judged and len({id(e) for e in judged}) == len(judged)
    assert blocks._held.verdicts is None


# ----------------------------------------------------------------------------- paragraphs kept within the block

_REGION = """<html><body><main><article id="a"><h1>Bridge opened</h1>
<p>Opening words.</p>
<div id="body"><p>Opening words.</p><p>The minister opened the bridge.</p><p>The minister opened the bridge.</p>
<ul id="links"><li><a href="/x">Other news</a></li></ul>
<div class="share-buttons">Share</div><p>Traffic opens <br><br>on Monday.</p></div>
<p>Closing words.</p></article></main></body></html>"""


def _walks(root, first: dict, second: dict) -> tuple[list[str], list[str]]:
    body, article = root.find(".//div[@id='body']"), root.find(".//article")
    return blocks.block_paragraphs(body, **first), blocks.block_paragraphs(article, **second)


def test_kept_paragraphs_give_what_a_walk_gives() -> None:
    """A walk that reaches a block an earlier walk started from (the date region holding the body) takes the kept
    paragraphs: the same ones, the one equal to the paragraph before it dropped as a walk drops it, and none kept
    when either walk excludes something inside the block or does not skip boilerplate."""
    root = parse_html_text(_REGION)
    links = root.find(".//ul[@id='links']")
    h1 = root.find(".//h1")
    cases = [
        ({}, {}),
        ({"exclude": [h1]}, {"exclude": [links]}),  # the region excludes a list inside the body: walked again
        ({"exclude": [links]}, {}),  # the body's walk excluded something inside it: not kept
        ({"exclude": [links]}, {"exclude": [links]}),
        ({"skip_boilerplate": False}, {}),
        ({}, {"skip_boilerplate": False}),
    ]
    for first, second in cases:
        plain = _walks(root, first, second)
        with blocks.verdicts_held():
            assert _walks(root, first, second) == plain, (first, second)
            assert _walks(root, first, second) == plain, (first, second)  # the kept roots themselves
    # The article's walk drops "Opening words." once (the body opens with it again) and the share block, and takes
    # the excluded links' text only where nothing excludes them.
    body, article = _walks(root, {}, {"exclude": [links]})
    assert body == ["Opening words.", "The minister opened the bridge.", "Other news", "Traffic opens", "on Monday."]
    assert article == ["Bridge opened", "Opening words.", "The minister opened the bridge.", "Traffic opens",
                       "on Monday.", "Closing words."]


def test_kept_paragraphs_are_taken_and_end_with_the_block(monkeypatch) -> None:
    root = parse_html_text(_REGION)
    body = root.find(".//div[@id='body']")
    with blocks.verdicts_held():
        first = blocks.block_paragraphs(body)
        first.append("changed by the caller")  # a caller's list is its own
        walked: list[object] = []
        real = blocks._squash_and_normal
        monkeypatch.setattr(blocks, "_squash_and_normal", lambda text: walked.append(text) or real(text))
        article = blocks.block_paragraphs(root.find(".//article"))
        assert "changed by the caller" not in article
        assert not any("minister" in text for text in walked)  # the body's subtree was not walked again
        assert body in blocks._held.paragraphs
    assert blocks._held.paragraphs is None


def test_headings_read_once_within_the_block(monkeypatch) -> None:
    root = parse_html_text("<html><body><h1><span class='kicker'>Topic</span> Bridge\u00a0opened <b>today</b></h1>"
                           "<h2>Other</h2></body></html>")
    h1, h2 = root.find(".//h1"), root.find(".//h2")
    plain = [blocks.heading_text(h1), blocks.heading_text(h2)]
    assert plain == ["Bridge opened today", "Other"]
    read: list[object] = []
    real = blocks._heading_text
    monkeypatch.setattr(blocks, "_heading_text", lambda e: read.append(e) or real(e))
    with blocks.verdicts_held():
        for _ in range(3):
            assert [blocks.heading_text(h1), blocks.heading_text(h2)] == plain
    assert read == [h1, h2]
    assert blocks.heading_text(h1) == plain[0] and read == [h1, h2, h1]  # outside the block: read again


def test_the_block_is_a_plain_context_manager_and_an_error_inside_ends_it() -> None:
    """verdicts_held is not contextlib's generator-based manager (~6 us a parse); an exception raised inside the
    block goes on as raised, and the memo before the block is back (none, or an outer block's)."""
    import contextlib

    import pytest

    block = blocks.verdicts_held()
    assert not isinstance(block, contextlib._GeneratorContextManager)
    root = parse_html_text(_PAGE)
    element = root.find(".//article/p[2]")
    with blocks.verdicts_held():
        blocks.is_boilerplate(element)
        outer = blocks._held.verdicts
        with pytest.raises(KeyError, match="inside"), blocks.verdicts_held():
            assert blocks._held.verdicts == {}
            raise KeyError("inside")
        assert blocks._held.verdicts is outer and element in outer
    assert (blocks._held.verdicts, blocks._held.paragraphs, blocks._held.headings) == (None, None, None)


def test_the_walks_read_held_verdicts_without_asking_again(monkeypatch) -> None:
    """Once a parse's elements are judged, the body's paragraphs, the density count and the dateline check read the
    held verdicts themselves (no is_boilerplate call for a judged element) and answer as they do without the block."""
    from govpress.parsers.html import density, metadata

    root = parse_html_text(_PAGE)
    body = root.find("body")
    datelines = [e for e in root.iter() if e.tag == "p"]
    plain = (blocks.block_paragraphs(body), density.locate_main_content(root).element,
             [metadata._in_boilerplate_or_header(e) for e in datelines])
    assert blocks.held_verdicts() == {}  # nothing held outside the block
    asked: list[object] = []
    real = blocks.is_boilerplate

    def counting(element):
        asked.append(element)
        return real(element)

    with blocks.verdicts_held():
        for element in root.iter():
            blocks.is_boilerplate(element)  # every element judged first, as the not-found check's walk does
        assert blocks.held_verdicts() is blocks._held.verdicts and len(blocks.held_verdicts()) == len(list(root.iter()))
        for module in (blocks, density, metadata):
            monkeypatch.setattr(module, "is_boilerplate", counting)
        held = (blocks.block_paragraphs(body), density.locate_main_content(root).element,
                [metadata._in_boilerplate_or_header(e) for e in datelines])
    assert held == plain
    assert asked == []


def test_a_childless_heading_is_its_own_text_without_a_walk(monkeypatch) -> None:
    """A heading without children is read from its ``text`` (no ``iterwalk``): what the walk gave for it."""
    html = "<html><body><h1>  Minister opens\n the bridge </h1><h2></h2><h3>News | Site</h3><h4> </h4></body></html>"
    root = parse_html_text(html)
    headings = [e for e in root.iter("h1", "h2", "h3", "h4")]
    walked = [blocks._heading_text(e) for e in headings]

    def no_walk(*args, **kwargs):
        raise AssertionError("a childless heading is read without a walk")

    monkeypatch.setattr(blocks.etree, "iterwalk", no_walk)
    assert [blocks._heading_text(e) for e in headings] == walked == ["Minister opens the bridge", "", "News | Site", ""]
