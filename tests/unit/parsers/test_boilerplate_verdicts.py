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
