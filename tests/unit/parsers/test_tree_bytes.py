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
