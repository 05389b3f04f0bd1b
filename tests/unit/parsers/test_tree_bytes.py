"""parse_html_text from the page's own UTF-8 bytes builds the tree it builds from the decoded text."""

from __future__ import annotations

from lxml import etree

from govpress.parsers.html.tree import decode_page_checked, parse_html_text


def _same_tree(body: bytes) -> bool | None:
    text, exact = decode_page_checked(body, "text/html")
    if not exact:
        return None
    return etree.tostring(parse_html_text(text, body), encoding="unicode") == etree.tostring(
        parse_html_text(text), encoding="unicode")


def test_the_bytes_give_the_texts_tree(pages_dir) -> None:
    bodies = [page.read_bytes() for page in sorted(pages_dir.rglob("*")) if page.suffix in (".html", ".htm", ".xml")]
    head = "<html><head>{}<title>Встреча министров</title></head><body><p>Министры é \u2028 \ufeff x &amp; y</p></body></html>"
    bodies += [head.format(meta).encode() for meta in (
        "", '<meta charset="windows-1251">', '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
        '<meta charset="latin-1">')]
    bodies += [b'<?xml version="1.0" encoding="iso-8859-1"?>' + head.format("").encode(),  # the declaration: text's way
               b"", b"   ", b"<p>plain</p>", b"no markup at all", "<div>\U0001F600 \u00ad</div>".encode(),
               b"<div>" * 3000 + b"deep" + b"</div>" * 3000]  # past libxml2's depth: the tree builder's way
    compared = [_same_tree(body) for body in bodies]
    assert all(same is not False for same in compared)
    assert compared.count(True) > 15


def _fresh_tree(text: str, utf8: bytes | None) -> str:
    """The tree as :func:`parse_html_text` built it with a new parser per page (before perf-parse20)."""
    from govpress.parsers.html import tree

    kept = tree._parser
    tree._parser = lambda encoding: (etree.HTMLParser(huge_tree=True, remove_comments=False, encoding=encoding)
                                     if encoding else etree.HTMLParser(huge_tree=True, remove_comments=False))
    try:
        return etree.tostring(parse_html_text(text, utf8), encoding="unicode")
    finally:
        tree._parser = kept


def test_a_kept_parser_builds_each_page_as_a_new_one_would(pages_dir) -> None:
    """The thread's two kept parsers give every page the tree a new parser gives, whatever page came before: a
    page past libxml2's depth limit (its error log read for that page only), broken markup, bytes and text."""
    deep = "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>"
    pages = [deep, "<html><body><p>after the deep page</p></body></html>", deep, "<p>unclosed <b>bold <i>both</p>",
             "<html><head><title>t</title></head><body><!-- a comment --><p>x</p></body></html>"]
    pages += [page.read_text("utf-8", errors="replace") for page in sorted(pages_dir.rglob("*.html"))[:20]]
    for text in pages + pages[::-1]:
        for utf8 in (None, text.encode("utf-8", "surrogatepass")):
            assert etree.tostring(parse_html_text(text, utf8), encoding="unicode") == _fresh_tree(text, utf8)
    assert len(list(parse_html_text(deep).iter())) > 3000  # rebuilt past the depth limit, the kept parser or not


def test_each_thread_parses_with_its_own_parsers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from govpress.parsers.html import tree

    ours = (tree._parser(None), tree._parser("utf-8"))
    with ThreadPoolExecutor(2) as pool:
        theirs = list(pool.map(lambda _: (tree._parser(None), tree._parser("utf-8")), range(4)))
    assert ours[0] is not ours[1] and ours == (tree._parser(None), tree._parser("utf-8"))  # kept for the thread
    assert all(theirs_one is not ours_one for pair in theirs for theirs_one in pair for ours_one in ours)


def test_child_named_is_find_of_a_plain_tag_name() -> None:
    """child_named(root, tag) answers what root.find(tag) answers, on real pages and on odd trees: comments and
    processing instructions before the body, no body, a body under another element, the deep builder's tree."""
    from pathlib import Path

    from govpress.parsers.html.tree import child_named

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    pages = [p for p in sorted(fixtures.rglob("*")) if p.suffix in (".html", ".htm")]
    texts = [p.read_bytes().decode("utf-8", "replace") for p in pages]
    texts += ["<!-- c --><?pi x?><html><!-- c --><head></head><!-- c --><body><body><p>x</p></body></body></html>",
              "<p>no head, no html</p>", "<html></html>", "<div><body>late</body></div>", "<head><title>t</title></head>",
              "<div>" * 3000 + "deep" + "</div>" * 3000, "<svg xmlns='http://www.w3.org/2000/svg'><body/></svg>"]
    compared = 0
    for text in texts:
        root = parse_html_text(text)
        for element in (root, *root):
            if not isinstance(element.tag, str):
                continue
            for tag in ("body", "head", "title", "p", "div", "BODY"):
                assert child_named(element, tag) is element.find(tag)
                compared += 1
    assert compared > 1000
