"""govpress.parsers.html.metadata.PageIndex and the density count's boilerplate memo, on small hand-written pages.

Both were rewritten for speed (bench/ab_parse.py --compare: the same records on every page set);
these pin what they file and judge, element by element.
"""

from __future__ import annotations

import pytest

from govpress.parsers.html import density
from govpress.parsers.html.metadata import PageIndex
from govpress.parsers.html.tree import parse_html_text


def _ids(elements) -> list[str]:
    return [e.get("data-k") for e in elements]


PAGE = """<html><head><title>T</title><meta property="og:title" content="OG"><link rel="canonical" href="/c"></head><body>
<a href="/" data-k="home1">Home</a>
<a href="/ru/" class="logo" data-k="home2">Главная</a>
<a hreflang="de" data-k="lang-nohref">Deutsch</a>
<a href="/fr/x" hreflang="fr" data-k="lang-fr">Français</a>
<span itemprop="datePublished" data-k="ip1">2024-03-01</span>
<span itemprop="author">A</span>
<div class="subtitle" id="s1" data-k="sub-multi">S</div>
<p class="lead">L</p>
<span id="pubdate" data-k="date-id">1 March 2024</span>
<span class="date" id="updated" data-k="not-published">2 March 2024</span>
<div class="date">3 March 2024</div>
<section id="breadcrumbs" data-k="crumb-id"></section>
<ol class="breadcrumb" data-k="crumb-class"></ol>
<div class="h-entry" data-k="entry"></div>
<h1>Title</h1>
<a href="/" data-k="home3">A</a><a href="/" data-k="home4">B</a><a href="/" data-k="home5">C</a><a href="/" data-k="home6">D</a>
</body></html>"""


def test_page_index_files_each_element_by_tag_attribute_and_class() -> None:
    index = PageIndex(parse_html_text(PAGE))
    assert [e.tag for e in index.by_name["meta"]] == ["meta"]
    assert [e.get("rel") for e in index.by_name["link"]] == ["canonical"]
    assert [e.text for e in index.by_name["h1"]] == ["Title"]
    # <a> with an hreflang, href or not, in document order; the other links are no language versions.
    assert _ids(index.by_name["a"]) == ["lang-nohref", "lang-fr"]
    assert sorted(index.itemprop) == ["author", "datePublished"]
    assert _ids(index.itemprop["datePublished"]) == ["ip1"]
    assert [e.get("class") for e in index.subtitled] == ["subtitle", "lead"]
    # A date class or id, unless it says the date is another one (an update).
    assert [e.get("data-k") or e.get("class") for e in index.datelines] == ["date-id", "date"]
    assert _ids(index.breadcrumbs) == ["crumb-id", "crumb-class"]
    assert _ids(index.hentries) == ["entry"]
    # The first five links to a home page, a class beside the href or not: a logo names the site.
    assert index.root_links == [("/", "Home"), ("/ru/", "Главная"), ("/", "A"), ("/", "B"), ("/", "C")]
    assert index.meta_content("og:title") == ["OG"]


def test_page_index_of_a_page_without_attributes_is_empty() -> None:
    index = PageIndex(parse_html_text("<html><body><!-- c --><div><p>Text</p></div></body></html>"))
    assert index.itemprop == {} and index.subtitled == [] and index.datelines == [] and index.breadcrumbs == []
    assert index.root_links == [] and all(not found for found in index.by_name.values())


NESTED = """<html><body>
<header data-k="page-header"><div data-k="in-header"><p data-k="p-header">x</p></div></header>
<nav><ul data-k="menu"><li data-k="li1"><p data-k="p1">One</p></li><li data-k="li2">Two</li></ul></nav>
<article><header data-k="article-header"><p data-k="p-article-header">y</p></header>
<div class="share"><p data-k="p-share">Share</p></div><p data-k="p-text">Text</p></article>
</body></html>"""


def _by_key(root, key: str):
    return next(e for e in root.iter() if e.get("data-k") == key)


@pytest.mark.parametrize("order", ["document", "innermost-first", "outermost-first"])
def test_inside_boilerplate_verdicts_do_not_depend_on_the_order_of_the_questions(order: str) -> None:
    root = parse_html_text(NESTED)
    body = root.find("body")
    expected = {"page-header": True, "in-header": True, "p-header": True, "menu": True, "li1": True, "p1": True,
                "li2": True, "article-header": False, "p-article-header": False, "p-share": True, "p-text": False}
    keys = list(expected)
    if order == "innermost-first":
        keys = ["p1", "p-header", "p-share", "p-article-header", *keys]
    elif order == "outermost-first":
        keys = ["menu", "page-header", *keys]
    counted = density._Density(body)
    assert {k: counted.inside_boilerplate(_by_key(root, k)) for k in keys} == expected


def test_blocks_inside_a_judged_navigation_are_not_judged_again(monkeypatch: pytest.MonkeyPatch) -> None:
    root = parse_html_text(NESTED)
    counted = density._Density(root.find("body"))
    judged: list[str | None] = []
    real = density.is_boilerplate
    monkeypatch.setattr(density, "is_boilerplate", lambda e: judged.append(e.get("data-k")) or real(e))
    # A new block under the navigation, asked about after the count judged the navigation.
    li = _by_key(root, "li2")
    extra = li.makeelement("p", {"class": "share", "data-k": "new"})
    li.append(extra)
    assert counted.inside_boilerplate(extra) is True
    assert judged == []  # known from its judged ancestors, without looking at it


LINK_ROWS = """<html><body><div data-k="content">
<p data-k="text">The ministry opened the new bridge on Tuesday. It links the two banks of the river.</p>
<div data-k="label">Tags</div>
<div data-k="tags">Tags: <a href="/t/roads">Roads</a>, <a href="/t/bridges">Bridges</a></div>
<p data-k="carries-link">Read the <a href="/report">full report on the bridge</a> for details.</p>
<ul data-k="teasers"><li><a href="/n/1">Second bridge opens in May</a></li><li><a href="/n/2">Ferry stops</a></li></ul>
<div data-k="wrapper"><span>Share on <a href="/s/f">Facebook</a> <a href="/s/t">Twitter</a></span></div>
</div></body></html>"""


def test_link_blocks_are_short_rows_of_link_text_and_nothing_without_links() -> None:
    root = parse_html_text(LINK_ROWS)
    found = density.link_blocks(_by_key(root, "content"))
    # The label is short and sentence-less but has no link at all; the paragraph has its link inside a sentence.
    assert _ids(found) == ["tags", "teasers", "wrapper"]


def test_home_link_answers_the_same_from_its_memo() -> None:
    from govpress.parsers.html import metadata

    hrefs = ["/", "/ru/", " /en-gb/ ", "/index.php", "https://gov.example", "https://gov.example/az", "./index.html",
             "/news/1", "#content", "", None, "https://gov.example/" + "x" * 60, "/DE/", "HTTPS://GOV.EXAMPLE/"]
    for _ in range(2):  # the first time computed, the second from the memo
        for href in hrefs:
            expected = bool(href) and len(href) < 48 and metadata._HOME_HREF.match(href.strip()) is not None
            assert metadata._home_link(href) == expected, href


def _former_own_paragraph(element, counted: set) -> tuple[str, float] | None:
    """The density count's paragraph before `_own_weight` (kept here to compare): every element's ancestors read."""
    if element.tag in density._CONTAINER_TAGS:
        text = density.squash("".join([element.text or ""] + [child.tail or "" for child in element]))
        return None if len(text) < 25 else (text, 0.0)
    if element.tag == "td" and any(density.squash("".join(block.itertext()))
                                   for block in element.iterdescendants("p", "div", "table", "li")):
        return None  # a layout cell: a block with text inside it (an empty one does not make it one)
    if any(a in counted for a in element.iterancestors(*density._PARAGRAPH_TAGS)):
        return None
    text = density.squash("".join(element.itertext()))
    if ("{" in text or "(" in text or "=" in text) and next(element.iter("script", "style"), None) is not None \
            and len(text) >= 25:
        text = density.squash("".join(density._VISIBLE_TEXT(element)))  # code in a paragraph is no prose
    return text, (min(1.0, density._link_length(element) / len(text)) if text else 1.0)


def _former_weights(elements, held: list | None = None) -> list[float]:
    """Each element's weight as the former count gave it (0.0: not counted), in order; ``held`` gets the elements
    left out because a counted paragraph holds them."""
    counted: set = set()
    out = []
    for element in elements:
        found = _former_own_paragraph(element, counted)
        if held is not None and found is None and any(a in counted for a in element.iterancestors()):
            held.append(element)
        weight = density._paragraph_weight(*found) if found is not None else 0.0
        if weight > 0:
            counted.add(element)
        out.append(weight if weight > 0 else 0.0)
    return out


def _weights(elements) -> list[float]:
    counted = density._Counted()
    out = []
    for element in elements:
        weight = density._own_weight(element, element.tag, counted)
        if weight > 0:
            counted.add(element, element.tag)
        out.append(weight if weight > 0 else 0.0)
    return out


_SENTENCE = "The minister opened the new bridge over the river on Tuesday morning. "
_MADE_TAGS = ("p", "li", "ul", "div", "section", "td", "table", "blockquote", "dd", "pre", "span", "a", "b")


def _made_page(rng) -> str:
    """A page of randomly nested paragraph, container, cell, list and inline elements (a <p> in an <li> in a
    <td> in a <blockquote>...), with texts from empty to several sentences and links among them."""
    def node(depth: int) -> str:
        tag = rng.choice(_MADE_TAGS)
        words = rng.choice(["", "Short label", _SENTENCE[: rng.randrange(10, 70)], _SENTENCE * rng.randrange(1, 4)])
        inner = "".join(node(depth + 1) for _ in range(rng.randrange(0, 4 if depth < 5 else 1)))
        tail = rng.choice(["", " and more text after it. ", _SENTENCE])
        href = " href='/x'" if tag == "a" else ""
        return f"<{tag}{href}>{words}{inner}</{tag}>{tail}"
    return "<html><body>" + "".join(node(0) for _ in range(rng.randrange(1, 6))) + "</body></html>"


def test_the_count_takes_each_paragraph_once_as_when_it_read_every_ancestor() -> None:
    """`_Counted` asks only the last counted paragraph whether it holds an element (counted paragraphs never
    nest), and `_own_weight` reads link text only for a text that can weigh: every element of 400 made pages
    and of the extraction fixtures weighs what the former count (every ancestor looked at) gave it, whether
    the count runs over the whole page or over part of its elements (the boilerplate the density count skipped)."""
    import random
    from pathlib import Path

    rng = random.Random(14)
    pages = [_made_page(rng) for _ in range(400)]
    fixtures = sorted((Path(__file__).resolve().parents[2] / "fixtures").rglob("*.html"))
    assert len(fixtures) > 100, "the extraction fixtures are missing"
    pages += [path.read_bytes().decode("utf-8", "replace") for path in fixtures]
    held: list = []
    for number, html in enumerate(pages):
        root = parse_html_text(html)
        elements = list(root.iter(*density._PARAGRAPH_TAGS, *density._CONTAINER_TAGS))
        former = _former_weights(elements, held)
        assert _weights(elements) == former, number
        assert _weights(elements[1::3]) == _former_weights(elements[1::3]), number  # a subsequence in document order
        assert density.prose_weight(root) == sum(w for w in former), number
    assert len(held) > 300  # the made pages do hold paragraphs inside counted ones


def _filed(index: PageIndex) -> dict:
    return {"by_name": index.by_name, "itemprop": index.itemprop, "hentries": index.hentries,
            "subtitled": index.subtitled, "datelines": index.datelines, "root_links": index.root_links,
            "breadcrumbs": index.breadcrumbs, "meta": index.meta}


def test_page_index_from_the_held_nodes_files_what_its_walk_files() -> None:
    """The generic parser holds every node of the tree in a list: the index read from it (comments and processing
    instructions among the elements, in document order) files what the index's own walk of the elements files."""
    from pathlib import Path

    fixtures = sorted((Path(__file__).resolve().parents[2] / "fixtures").rglob("*.html"))
    assert len(fixtures) > 100, "the extraction fixtures are missing"
    commented = PAGE.replace("<h1>", "<!-- a comment --><?pi x?><h1>").replace("<body>", "<body><!-- c -->")
    for html in [PAGE, commented, *(path.read_bytes().decode("utf-8", "replace") for path in fixtures)]:
        root = parse_html_text(html)
        nodes = list(root.iter())
        assert _filed(PageIndex(root, nodes)) == _filed(PageIndex(root))
    assert any(not isinstance(node.tag, str) for node in parse_html_text(commented).iter())


def test_an_h_entry_read_in_one_walk_finds_each_part_the_walk_for_it_finds() -> None:
    """The h-entry's name, dates, summary and content are found in one walk of the entry: for each, the first
    descendant carrying one of its class words, as a walk for that part alone finds it (made entries whose parts
    repeat, nest, share an element, or are missing)."""
    import random

    from govpress.parsers.html import metadata

    rng = random.Random(17)
    words = [w for group in metadata._HENTRY_PARTS for w in group] + ["lead", "x", "h-entry"]
    for _ in range(300):
        def node(depth: int) -> str:
            classes = " ".join(rng.sample(words, rng.randrange(0, 3)))
            inner = "".join(node(depth + 1) for _ in range(rng.randrange(0, 3 if depth < 4 else 1)))
            return f"<div class='{classes}'>t{inner}</div>" if classes else f"<span>t{inner}</span><!-- c -->"
        entry = parse_html_text(f"<html><body><article class='h-entry'>{node(0)}{node(0)}</article></body></html>").find(".//article")
        expected = [metadata._by_class(entry, *sorted(group)) for group in metadata._HENTRY_PARTS]
        assert metadata._first_by_classes(entry, metadata._HENTRY_PARTS) == expected


def test_the_count_judges_an_element_under_a_judged_parent_without_the_climb(monkeypatch: pytest.MonkeyPatch) -> None:
    """The density count takes an element's verdict from its parent's and its own when the parent is judged (the
    usual case in document order) and climbs (``inside_boilerplate``) only from the others: the same verdicts and
    the same skipped paragraphs as a climb from every element, on NESTED, 400 made pages and the fixtures."""
    import random
    from pathlib import Path

    root = parse_html_text(NESTED)
    climbs: list[str | None] = []
    real = density._Density.inside_boilerplate
    monkeypatch.setattr(density._Density, "inside_boilerplate",
                        lambda self, e: climbs.append(e.get("data-k")) or real(self, e))
    counted = density._Density(root.find("body"))
    assert climbs == ["in-header", "li1", "p-article-header"]  # the first element under each unjudged ancestor
    monkeypatch.setattr(density._Density, "inside_boilerplate", real)

    rng = random.Random(25)
    fixtures = sorted((Path(__file__).resolve().parents[2] / "fixtures").rglob("*.html"))
    assert len(fixtures) > 100, "the extraction fixtures are missing"
    pages = [NESTED, *(_made_page(rng).replace("<section>", "<section class='share'>").replace("<ul>", "<ul role='navigation'>")
                       for _ in range(400)), *(path.read_bytes().decode("utf-8", "replace") for path in fixtures)]
    for number, html in enumerate(pages):
        page = parse_html_text(html)
        body = page.find("body")
        top = body if body is not None else page
        counted = density._Density(top)
        fresh = density._Density.__new__(density._Density)  # a climb from each element, on an empty memo
        fresh.root, fresh.boiler, fresh.verdicts = top, {}, {}
        elements = [e for e in top.iter(*density._PARAGRAPH_TAGS, *density._CONTAINER_TAGS) if e is not top]
        assert [counted.boiler[e] for e in elements] == [fresh.inside_boilerplate(e) for e in elements], number
        assert counted.skipped == [e for e in elements if fresh.boiler[e]], number


def test_word_characters_are_counted_as_the_one_character_findall_counts_them() -> None:
    """link_blocks counts a row's letters by one substitution (``_word_chars``): every code point alone, and made
    texts of letters, digits, marks, underscores and separators, count what ``len(re.findall(r"\\w", text))`` did."""
    import random
    import re
    import sys

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert density._word_chars(every) == len(re.findall(r"\w", every))
    rng = random.Random(25)
    pieces = ["Tags", ":", " | ", "Дороги", "_", "x\u0301", "٣", "²", "\u00a0", "—", "ǅ", "中文", "🙂", "a_b", ", "]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 20)))
        assert density._word_chars(text) == len(re.findall(r"\w", text)), text


class _ItemsOnly:
    """An element the index's attribute walk reads through ``items()``, never ``keys()`` (its other reads go to the
    element: a home link's ``href`` is read again once the walk has found it)."""

    def __init__(self, element, reads: list[object]) -> None:
        self._element, self._reads = element, reads

    def items(self):
        self._reads.append(self._element)
        return self._element.items()

    def keys(self):
        raise AssertionError("the walk reads the attributes by items()")

    def __getattr__(self, name: str):
        return getattr(self._element, name)


def test_the_attribute_walk_reads_each_elements_attributes_once_by_items() -> None:
    """One ``items()`` a node (its names and values at once, instead of the names and then a ``get`` a value), and
    the same filing as the index built from the elements themselves: every attribute combination of the filed kinds."""
    import random

    rng = random.Random(26)
    names = ["class", "id", "href", "hreflang", "itemprop", "style", "rel"]
    values = ["lead", "subtitle", "h-entry", "date", "published-date", "breadcrumb", "x-readcrumbs", "/", "", "en",
              "headline", "foo", "modified-date", "/ru/"]
    pages = [PAGE]
    for _ in range(200):
        parts = []
        for i in range(rng.randint(1, 25)):
            tag = rng.choice(["a", "div", "span", "p", "time", "li"])
            attributes = " ".join(f'{name}="{rng.choice(values)}"' for name in rng.sample(names, rng.randint(0, 4)))
            parts.append(f'<{tag} {attributes} data-k="{i}">t{i}</{tag}>')
        pages.append("<html><body><!-- c -->" + "".join(parts) + "</body></html>")
    for html in pages:
        root = parse_html_text(html)
        nodes = list(root.iter())
        reads: list[object] = []
        wrapped = PageIndex(root, [_ItemsOnly(node, reads) for node in nodes])
        assert reads == nodes
        plain = PageIndex(root, nodes)
        unwrap = lambda elements: [getattr(e, "_element", e) for e in elements]  # noqa: E731
        assert [unwrap(v) for v in (wrapped.subtitled, wrapped.hentries, wrapped.datelines, wrapped.breadcrumbs)] == [
            plain.subtitled, plain.hentries, plain.datelines, plain.breadcrumbs]
        assert {k: unwrap(v) for k, v in wrapped.itemprop.items()} == plain.itemprop
        assert unwrap(wrapped.by_name["a"]) == plain.by_name["a"] and wrapped.root_links == plain.root_links


class _Childless:
    """A childless paragraph whose text can be read only as its own ``text`` (no walk, no descendants)."""

    def __init__(self, element) -> None:
        self._element = element

    def __len__(self) -> int:
        return len(self._element)

    def itertext(self, *args, **kwargs):
        raise AssertionError("a childless paragraph's text is its own")

    def iterdescendants(self, *args, **kwargs):
        raise AssertionError("a childless paragraph holds no link")

    def __getattr__(self, name: str):
        return getattr(self._element, name)


def test_a_childless_paragraph_weighs_its_own_text_without_a_walk() -> None:
    """``_own_weight`` of a paragraph without children reads its ``text`` alone (no ``itertext``, no link search), and
    weighs what the walk weighs: short, sentence-less, long, whitespace-only and empty paragraphs of every tag."""
    import random

    rng = random.Random(26)
    words = ["The", "minister", "said.", "Bridge", "opens", "Monday!", "  ", "\n", "\u00a0", "—", "2026", "x" * 30]
    paragraphs = ['<p></p>', '<td> </td>', '<li>Short item</li>', '<p class="x">A label: value</p>']
    for _ in range(400):
        tag = rng.choice(["p", "li", "td", "dd", "blockquote", "pre"])
        paragraphs.append(f"<{tag}>{' '.join(rng.choices(words, k=rng.randint(0, 40)))}</{tag}>")
    root = parse_html_text("<html><body><div>" + "".join(f"<div>{p}</div>" for p in paragraphs) + "</div></body></html>")
    childless = [e for e in root.iter(*density._PARAGRAPH_TAGS) if not len(e)]
    assert len(childless) == len(paragraphs)
    weights = [density._own_weight(_Childless(e), e.tag, density._Counted()) for e in childless]
    walked = [density._paragraph_weight(s := " ".join("".join(e.itertext()).split()),
                                        min(1.0, density._link_length(e) / len(s)) if s else 0.0) for e in childless]
    assert weights == walked and any(weights) and not all(weights)
