"""The pure readers of discovery pages (govpress.parsers.listings): feeds, sitemaps, HTML listings, JSON
indexes, and the XML guard in front of them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from govpress.parsers import ParseContext, parse
from govpress.parsers.listings import DiscoveryError, next_page_url
from govpress.parsers.listings.feed import read_feed
from govpress.parsers.listings.html import read_listing_page
from govpress.parsers.listings.json import read_json_listing
from govpress.parsers.listings.sitemap import read_sitemap
from govpress.parsers.listings.xmlguard import check_xml
from govpress.registry import JsonListing, ListingSelectors

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ministry news</title>
  <link rel="next" href="/feed/page/2"/>
  <entry><title>Second release</title><link href="/news/2"/><id>2</id>
    <published>2024-10-03T12:00:00+03:00</published><updated>2024-10-04T09:00:00+03:00</updated>
    <content type="html">&lt;p&gt;Body two. It has two sentences.&lt;/p&gt;</content></entry>
  <entry><title>First release</title><link href="/news/1"/><id>1</id>
    <published>2024-10-02T11:54:00+03:00</published>
    <content type="html">&lt;p&gt;Body one, long enough to be a paragraph of a release.&lt;/p&gt;&lt;p&gt;A second paragraph.&lt;/p&gt;</content></entry>
</feed>"""


def test_read_feed_resolves_links_dates_and_next_page():
    listing = read_feed(ATOM, "http://127.0.0.1/feed", tz="Europe/Moscow")
    assert [i.url for i in listing.items] == ["http://127.0.0.1/news/2", "http://127.0.0.1/news/1"]
    assert listing.items[0].published_at == datetime(2024, 10, 3, 9, 0, tzinfo=timezone.utc)
    assert listing.items[0].updated_at == datetime(2024, 10, 4, 6, 0, tzinfo=timezone.utc)
    assert listing.next_url == "http://127.0.0.1/feed/page/2"
    assert all(i.entry is None for i in listing.items)


def test_full_text_feed_entries_become_standalone_documents_that_parse():
    listing = read_feed(ATOM, "http://127.0.0.1/feed", tz="Europe/Moscow", full_text=True)
    entry = listing.items[1].entry
    assert entry is not None and entry.count(b"<entry") == 1 and b"First release" in entry
    release = parse(entry, listing.items[1].url, ParseContext(timezone="Europe/Moscow"), parser="generic")
    assert release.title == "First release"
    assert "A second paragraph." in release.body_text


def test_entity_declarations_are_refused_before_parsing():
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><item><title>&lol2;</title></item></channel></rss>'
    with pytest.raises(DiscoveryError, match="entit"):
        check_xml(bomb)
    with pytest.raises(DiscoveryError):
        read_feed(bomb, "http://127.0.0.1/feed")
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset><url><loc>&x;</loc></url></urlset>'
    with pytest.raises(DiscoveryError):
        read_sitemap(xxe, "http://127.0.0.1/sitemap.xml")


def test_sitemap_is_complete_with_lastmod_and_index_children():
    body = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>http://127.0.0.1/a/</loc><lastmod>2024-10-02</lastmod></url>
      <url><loc>http://127.0.0.1/b/</loc></url></urlset>"""
    listing, children = read_sitemap(body, "http://127.0.0.1/sitemap.xml", tz="Europe/London")
    assert listing.complete and children == []
    assert listing.items[0].updated_at == datetime(2024, 10, 1, 23, 0, tzinfo=timezone.utc)
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>'
    listing, children = read_sitemap(index, "http://127.0.0.1/sitemap.xml")
    assert children == ["http://127.0.0.1/s1.xml"] and listing.items == []
    with pytest.raises(DiscoveryError, match="not a sitemap"):
        read_sitemap(b"<html><body>hi</body></html>", "http://127.0.0.1/sitemap.xml")


def test_listing_page_selectors_dates_and_next():
    html = """<html><body><div class="news">
      <div class="item"><a class="t" href="/news/7/">Визит премьер-министра</a><time datetime="2024-10-02">2 октября 2024</time></div>
      <div class="item"><a class="t" href="/news/6/">Заседание</a><span class="d">1 октября 2024 года, 18:00</span></div>
      <a class="next" href="?page=2">Далее</a></div></body></html>""".encode()
    sel = ListingSelectors(item="div.item", link="a.t", date="time, span.d", next="a.next")
    listing = read_listing_page(html, "http://127.0.0.1/news/", sel, ParseContext(timezone="Europe/Moscow"))
    assert [i.url for i in listing.items] == ["http://127.0.0.1/news/7/", "http://127.0.0.1/news/6/"]
    assert listing.items[0].title == "Визит премьер-министра"
    assert listing.items[1].published_at == datetime(2024, 10, 1, 15, 0, tzinfo=timezone.utc)
    assert listing.next_url == "http://127.0.0.1/news/?page=2"


def test_json_listing_fills_the_url_template_and_pages():
    body = b'{"list": [{"id": 101, "title": "A", "date": "2024-10-02"}, {"id": 102, "title": "B"}, "junk"]}'
    spec = JsonListing(items="list", url="/ru/articles/view/{id}", date="date", title="title", page_url="/ru/news/{page}/json")
    listing = read_json_listing(body, "http://127.0.0.1/ru/news/1/json", spec, ParseContext(timezone="Asia/Baku"))
    assert [i.url for i in listing.items] == ["http://127.0.0.1/ru/articles/view/101", "http://127.0.0.1/ru/articles/view/102"]
    assert listing.items[0].published_at.utcoffset().total_seconds() == 4 * 3600
    assert listing.next_url == "http://127.0.0.1/ru/news/2/json"
    with pytest.raises(DiscoveryError):
        read_json_listing(b"{not json", "http://127.0.0.1/", spec, ParseContext())


def test_json_listing_pages_by_item_offset():
    spec = JsonListing(items="results", url="/api/content{link}", page_url="/api/search.json?count=50&start={start}", page_size=50)
    body = b'{"results": [{"link": "/government/news/a"}]}'
    first = read_json_listing(body, "http://127.0.0.1/api/search.json?count=50", spec, ParseContext(), page=1)
    second = read_json_listing(body, "http://127.0.0.1/api/search.json?count=50&start=50", spec, ParseContext(), page=2)
    assert first.items[0].url == "http://127.0.0.1/api/content/government/news/a"
    assert first.next_url.endswith("start=50") and second.next_url.endswith("start=100")


def test_a_page_url_template_that_cannot_be_filled_is_a_discovery_error():
    assert next_page_url("http://127.0.0.1/news/", "?page={page}", "listing.page_url", page=2) == "http://127.0.0.1/news/?page=2"
    with pytest.raises(DiscoveryError, match=r"listing.page_url '\?p=\{page\}&x=\{x\}' cannot be filled"):
        next_page_url("http://127.0.0.1/news/", "?p={page}&x={x}", "listing.page_url", page=2)


def test_an_unreadable_feed_names_the_cause():
    with pytest.raises(DiscoveryError, match="not a readable feed: UnicodeEncodeError"):
        read_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>&#xD800;</title>'
                  b"<link>http://127.0.0.1/a</link></item></channel></rss>", "http://127.0.0.1/feed")


# --- fingerprints: what a listing shows of a release, compared run to run --------------------------


def fingerprints_of_feed(body: bytes) -> list[str]:
    return [i.fingerprint for i in read_feed(body, "http://127.0.0.1/feed", tz="Europe/Moscow").items]


def test_a_feed_entry_fingerprint_moves_with_its_title_summary_content_or_dates_not_its_typography():
    base = fingerprints_of_feed(ATOM)
    assert all(base) and base[0] != base[1]
    assert fingerprints_of_feed(ATOM) == base  # stable
    assert fingerprints_of_feed(ATOM.replace(b"Second release", b"Second release, corrected"))[0] != base[0]
    assert fingerprints_of_feed(ATOM.replace(b"Body two.", b"Body two, edited."))[0] != base[0]
    assert fingerprints_of_feed(ATOM.replace(b"2024-10-04T09:00", b"2024-10-05T09:00"))[0] != base[0]
    # Curly quotes, a no-break space and a changed case are typography, not an edit.
    retyped = ATOM.replace(b"Second release", "Second\u00a0Release".encode())
    assert fingerprints_of_feed(retyped) == base


def test_a_sitemap_entry_fingerprint_moves_with_lastmod():
    def fingerprint(lastmod: str) -> str:
        body = (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://127.0.0.1/a/</loc>'
                f"<lastmod>{lastmod}</lastmod></url></urlset>").encode()
        return read_sitemap(body, "http://127.0.0.1/sitemap.xml")[0].items[0].fingerprint

    assert fingerprint("2024-10-02") == fingerprint("2024-10-02") != fingerprint("2024-10-03")


def test_a_listing_block_fingerprint_ignores_view_counters_but_not_titles_or_update_marks():
    sel = ListingSelectors(item="div.item", link="a.t", date="span.d")

    def fingerprint(block: str) -> str:
        html = f'<html><body><div class="item">{block}</div></body></html>'.encode()
        return read_listing_page(html, "http://127.0.0.1/news/", sel, ParseContext()).items[0].fingerprint

    shown = '<span class="d">02.10.2024 11:54</span> <a class="t" href="/n/7/">Визит</a> <span class="views">{}</span>'
    assert fingerprint(shown.format(120)) == fingerprint(shown.format(4512))
    assert fingerprint(shown.format(120)) != fingerprint(shown.format(120).replace("Визит", "Визит премьера"))
    assert fingerprint(shown.format(120)) != fingerprint(shown.format(120) + '<span class="u">обновлено 14:02</span>')


def test_a_json_item_fingerprint_ignores_numbers_but_not_its_strings():
    spec = JsonListing(items="list", url="/n/{id}", title="title")

    def fingerprint(item: str) -> str:
        return read_json_listing(f'{{"list": [{item}]}}'.encode(), "http://127.0.0.1/", spec, ParseContext()).items[0].fingerprint

    assert fingerprint('{"id": 1, "title": "A", "views": 3}') == fingerprint('{"id": 1, "title": "A", "views": 90}')
    assert fingerprint('{"id": 1, "title": "A", "updated": "2024-10-02"}') != fingerprint('{"id": 1, "title": "A", "updated": "2024-10-03"}')


# --- CSS selection on listing pages (govpress.parsers.listings.select against soupsieve) ---------------------

_TEMPLATES_AND_CASES = """<!doctype html><html><head><title>t</title></head><body>
<div class="news_item lenta_item" id="top"><a class="lenta_item_title" HREF="/a">A</a><span class="date">1 May</span></div>
<template><div class="news_item lenta_item"><a class="lenta_item_title" href="/hidden">H</a></div></template>
<ul><li class="news-card"><h3 class="hentry__title"><a href="/b" data-x="">B</a></h3><time datetime="2024-05-01">x</time></li>
<li class="news-card other"><div><div><a>no href</a><a href="">empty href</a></div></div></li></ul>
<div class="news-feed_feed"><article><a class="news-card__title" href="/c">C</a><span class="news-card__date">d</span></article></div>
<section><template id="tp"><p class="inside">in a template</p></template></section>
<div class="hentry"><div class="hentry"><h3 class="hentry__title"><a href="/d">D</a></h3></div></div>
<p class="Inside">case</p><TABLE><tr><td class="x">cell</td></tr></TABLE>
</body></html>"""


def _listing_pages() -> list[bytes]:
    from testpaths import CONSTRUCTED_SITES, PAGES

    return ([_TEMPLATES_AND_CASES.encode()] + [p.read_bytes() for p in sorted(CONSTRUCTED_SITES.rglob("*.html"))]
            + [p.read_bytes() for p in sorted(PAGES.rglob("*.html"))])


def _registry_selectors() -> set[str]:
    """The CSS selectors of every ``[source.listing]`` in the project's registries."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    found = set()
    for toml in [root / "sources.toml", *sorted((root / "govpress" / "demo").rglob("*.toml"))]:
        for source in tomllib.loads(toml.read_text(encoding="utf-8")).get("source", []):
            listing = source.get("listing") or {}
            found.update(listing.get(key) for key in ("item", "link", "title", "date", "next") if listing.get(key))
    return found


def _random_selectors(soup, rng) -> list[str]:
    """Selectors of the simple form built from the page's own elements (so that many of them match)."""
    from bs4 import Tag

    elements = [el for el in soup.descendants if isinstance(el, Tag)]

    def compound(el) -> str:
        parts = [el.name] if rng.random() < 0.6 else []
        classes = el.get("class") or []
        for cls in rng.sample(classes, min(len(classes), rng.randint(0, 2))):
            if cls[:1].isalpha() or cls[:1] in "_-":
                parts.append("." + cls)
        if el.get("id") and rng.random() < 0.2 and el["id"][:1].isalpha():
            parts.append("#" + el["id"])
        if el.attrs and rng.random() < 0.3:
            parts.append(f"[{rng.choice(list(el.attrs))}]")
        return "".join(parts) or el.name

    selectors = []
    for _ in range(60):
        el = rng.choice(elements)
        chain = [compound(el)]
        parent = el.parent
        while parent is not None and parent.name != "[document]" and rng.random() < 0.6:
            if rng.random() < 0.5:
                chain.insert(0, compound(parent) + rng.choice([" > ", ">", " "]))
            parent = parent.parent
        text = "".join(chain) if all(c.endswith((" ", ">")) for c in chain[:-1]) else " ".join(chain)
        selectors.append(text if rng.random() < 0.8 else text + ", " + compound(rng.choice(elements)))
    return selectors


def test_simple_selectors_select_what_soupsieve_selects() -> None:
    import random

    from bs4 import BeautifulSoup, Tag

    from govpress.parsers.listings.select import parse as parse_selector
    from govpress.parsers.listings.select import select, select_one

    registry = _registry_selectors()
    assert registry and all(parse_selector(s) is not None for s in registry), [s for s in registry if parse_selector(s) is None]
    rng = random.Random(14)
    compared = matched = 0
    for body in _listing_pages():
        soup = BeautifulSoup(body, "lxml")
        elements = [el for el in soup.descendants if isinstance(el, Tag)]
        scopes = [soup] + rng.sample(elements, min(5, len(elements)))
        for selector in sorted(registry) + _random_selectors(soup, rng):
            for scope in scopes:
                theirs = scope.select(selector)
                assert [id(el) for el in select(scope, selector)] == [id(el) for el in theirs], selector
                first = select_one(scope, selector)
                assert first is (theirs[0] if theirs else None), selector
                compared += 1
                matched += bool(theirs)
    assert compared > 5000 and matched > 1000  # the comparison saw many selections, and many non-empty


@pytest.mark.parametrize("selector", ["a[href=x]", "*", "div:not(.x)", "DIV", "a ~ b", "li:nth-child(2)", "a,", "> a",
                                      "div >", ".1a", "[ href ]", "a.b c#d > e[f], g"])
def test_other_selectors_are_soupsieves(selector: str) -> None:
    from bs4 import BeautifulSoup

    from govpress.parsers.listings.select import parse as parse_selector
    from govpress.parsers.listings.select import select

    simple = parse_selector(selector) is not None
    assert simple == (selector == "a.b c#d > e[f], g")
    soup = BeautifulSoup(_TEMPLATES_AND_CASES, "lxml")
    try:
        theirs = [id(el) for el in soup.select(selector)]
    except Exception as exc:  # noqa: BLE001 - an invalid selector raises the same error either way
        with pytest.raises(type(exc)):
            select(soup, selector)
    else:
        assert [id(el) for el in select(soup, selector)] == theirs


def test_a_listing_page_is_read_without_compiling_a_selector_in_soupsieve() -> None:
    """soupsieve compiles its tokenizer's patterns on the first selector it parses (50-70 ms a process)."""
    import soupsieve.css_parser

    compiled = soupsieve.css_parser._cached_css_compile
    before = compiled.cache_info().misses
    selectors = ListingSelectors(item="div.news_item.lenta_item", link="a.lenta_item_title",
                                 title="span.lenta_item_title", date="span.date", next="a.pagination__next")
    ctx = ParseContext(source_id="t", timezone="UTC", languages=("ru",), fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                       content_type="text/html; charset=utf-8")
    listing = read_listing_page(_TEMPLATES_AND_CASES.encode(), "http://127.0.0.1/news/", selectors, ctx)
    assert [i.url for i in listing.items] == ["http://127.0.0.1/a"]
    assert compiled.cache_info().misses == before


_READING_CASES = [
    "\ufeff<html><body><div class=item><a href=/bom>BOM</a></div></body></html>",
    '<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="item"><a href="/x">X</a></div></body></html>',
    "<div class='item\u00a0wide item'><a href=/nbsp>nbsp class</a><script>var a = '<b>';</script> after</div>",
    "<div class=item><a href=/s>S<style>.x{}</style><!-- note --> tail <?php echo 1 ?> pi tail</a>"
    "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <template><p>hidden</p></template>t&amp;e&nbsp;&#160;x</div>",
    "<DIV CLASS=item><A HREF=/up>Upper</A><SPAN class=date DATETIME=2024-05-01>1 May</SPAN></DIV>",
    "<div class=item><a href=/cd><![CDATA[cdata]]>cd</a><noscript>no <b>script</b></noscript></div>",
    "<div class=item><script><a href=/inscript>in a script</a></script><a href=/after>after</a></div>",
    "<div class=item><template><a href=/t>in a template</a></template></div><template><div class=item>"
    "<a href=/tt>T</a></div></template>",
    "<table><div class=item><a href=/table>misplaced</a></div><tr><td class=item><a href=/td>td</a></td></tr></table>",
    "<p class=item><a href=/p1>one<p class=item><a href=/p2>two</a></p>",
    "<div class=item><a href=/e>e</a><span class=date>2024-02-30</span><span class=date content=2024-01-05>x</span></div>",
    "<div class=item><a href=''>empty</a><a href=/second>second</a></div><a class=item href=/self>self</a>",
    "<div class=item><a href=/nested><div class=item><a href=/inner>inner</a></div></a></div>",
    "<div class=item><a href=/lf>line\r\nbreak\u2028sep</a>\u3000<span>ideographic\u3000space</span></div>",
    "", "   ", "<!-- only a comment -->", "<html><body></body></html>", "plain text, no markup",
    "<div class=item><a href=/x>x</a><a class='next page' href=/p2>Next</a></div><a class=next href=/p3>n3</a>",
    "<div class=item><select><option>o1<option>o2</select><textarea> t </textarea><pre>  pre  </pre>"
    "<a href=/form>form</a></div>",
    "<div id=main class=item><a href=/id>id</a><span class=date datetime='2024-05-01T10:00:00+03:00'>d</span></div>",
    "<div CLASS=item Class=other class=third ID=Up Id=down DATA-X=1><A HREF=/dup>dup</A><span Class=date>2 May 2024</span>"
    "</div><div class=item data-x><a href=/attr>attr</a></div>",
]


def test_the_lxml_reading_of_a_listing_page_is_the_soups() -> None:
    """A listing page read on lxml's tree (the simple selectors) gives the very listing BeautifulSoup's reading gives:
    the same items in the same order, their URLs, titles, dates and fingerprints, and the next page; on every page
    we hold and constructed edge cases (scripts, templates, ruby, comments, a BOM, misnested markup), for the
    registry's selectors and random ones built from each page's own elements."""
    import random

    from bs4 import BeautifulSoup

    from govpress.parsers.listings import lxml_select
    from govpress.parsers.listings.html import _read_on_lxml, _read_on_soup

    ctx = ParseContext(source_id="t", timezone="Europe/Moscow", languages=("ru",),
                       fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc), content_type="text/html; charset=utf-8")
    registry = sorted(_registry_selectors())
    rng = random.Random(21)
    compared = items = fallbacks = 0
    pages = [page.encode() for page in _READING_CASES] + _listing_pages()
    for body in pages:
        text = body.decode("utf-8", "replace")
        soup = BeautifulSoup(text, "lxml")
        own = _random_selectors(soup, rng) if soup.find() is not None else []
        pool = registry + own + ["div.item", "a", "span.date", "a.next", ".item a", "td"]
        for _ in range(40):
            selectors = ListingSelectors(
                item=rng.choice(pool), link=rng.choice(pool + ["a"] * 10),
                title=rng.choice([None, None, *pool]), date=rng.choice([None, "span.date", "time", *pool]),
                next=rng.choice([None, "a.next", *pool]), page_url=rng.choice([None, "?page={page}"]))
            theirs = _read_on_soup(text, "http://127.0.0.1/news/", selectors, ctx, 1)
            try:
                ours = _read_on_lxml(text, "http://127.0.0.1/news/", selectors, ctx, 1)
            except lxml_select.Unsupported:
                fallbacks += 1  # read_listing_page reads it with the soup
                assert read_listing_page(body, "http://127.0.0.1/news/", selectors, ctx) == theirs
                continue
            assert ours == theirs, (text[:300], selectors)
            compared += 1
            items += len(theirs.items)
    assert compared > 1500 and items > 1000, (compared, items)
    soupsieves = ListingSelectors(item="li:nth-child(2)", link="a")  # not the simple form: the soup reads the page
    page = b"<ul><li><a href=/1>1</a></li><li><a href=/2>2</a></li></ul>"
    with pytest.raises(lxml_select.Unsupported):
        _read_on_lxml(page.decode(), "http://127.0.0.1/news/", soupsieves, ctx, 1)
    assert [i.url for i in read_listing_page(page, "http://127.0.0.1/news/", soupsieves, ctx).items] == ["http://127.0.0.1/2"]
    assert fallbacks < compared / 5, fallbacks  # e.g. the text of a <style> picked by a random selector


def test_a_listing_page_with_simple_selectors_is_read_without_bs4() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from govpress.parsers.listings.html import read_listing_page\n"
        "from govpress.parsers.release import ParseContext\n"
        "from govpress.registry import ListingSelectors\n"
        "page = b'<html><body><div class=item><a href=/a>A</a><span class=date>1 May 2024</span></div></body></html>'\n"
        "sel = ListingSelectors(item='div.item', link='a', date='span.date')\n"
        "listing = read_listing_page(page, 'http://127.0.0.1/news/', sel, ParseContext())\n"
        "assert [i.url for i in listing.items] == ['http://127.0.0.1/a'], listing\n"
        "assert 'bs4' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _joined(base: str, href: str) -> str:
    from urllib.parse import urljoin

    try:
        return urljoin(base, href.strip())
    except ValueError as exc:
        return f"ValueError: {exc}"


def _resolved(base: str, href: str) -> str:
    from govpress.parsers.listings import resolve

    try:
        return resolve(base, href)
    except ValueError as exc:
        return f"ValueError: {exc}"


def test_resolve_makes_the_url_urljoin_makes() -> None:
    """``resolve`` reads an absolute plain URL and a plain path from the root off their parts: over generated pairs
    of bases and links (schemes, hosts, ports, users, brackets, dot and empty segments, queries, fragments,
    parameters, escapes, white space and control characters), the very URL ``urljoin`` makes (or its error)."""
    import random

    from govpress.parsers.listings import _ABSOLUTE, _ROOTED, _origin

    rng = random.Random(14)
    bases = ["http://127.0.0.1:8080/news/", "https://Example.COM/a/b?x=1#f", "http://h", "http://h:", "HTTP://h/x",
             "http://u@h/x", "http://[::1]/x", "http://[::1/x", "file:///tmp/x", "", "mailto:x@y", "http://h/a\tb",
             " http://h/", "http://h?q", "http://h#f", "//h/x", "http://h/a/b/c", "https://h:443/", "http://h\n/x",
             "http://h/a;p", "ftp://h/x/", "http://h.example.gov./news/2024/", "http://ex-ample.org/a/b.html", "http://h\n"]
    schemes = ["", "", "", "http://", "https://", "HTTP://", "Https://", "ftp://", "//", "http:", "mailto:"]
    hosts = ["h", "Example.com", "127.0.0.1:8080", "h:", "h:80", "u@h", "[::1]", "[::1", "", "h.", "-h", "h_x"]
    segments = ["a", "news", ".", "..", "b.c", "~x", "%41", "", "a b", "\u00e9", "x-y", "..a", ".a", "a.", "_"]
    suffixes = ["", "", "", "/", "?q=1", "#f", ";p", "?", "#", "?a=1&b=2#x", "/?"]
    spaces = ["", "", "", " ", "\t", "\n", "\x00", "\r\n "]
    pairs = [(b, h) for b in bases for h in ["/", "//", "/a", "/a/", "/a//b", "/./a", "/a/..", "a", "./a", "../a", "?q",
                                               "#f", "", " /a ", "http://h", "http://h/", "https://h/a/./b/../c",
                                               "http://h/a b", "http://H/a", "/a\tb", "/%2e/a", "/a/.b", "/.well-known/x"]]
    for _ in range(20_000):
        scheme = rng.choice(schemes)
        host = rng.choice(hosts) if scheme.endswith("//") or rng.random() < 0.1 else ""
        path = "".join("/" + rng.choice(segments) for _ in range(rng.randrange(0, 4)))
        href = rng.choice(spaces) + scheme + host + path + rng.choice(suffixes) + rng.choice(spaces)
        pairs.append((rng.choice(bases), href))
    fast = 0
    for base, href in pairs:
        assert _resolved(base, href) == _joined(base, href), (base, href)
        stripped = href.strip()
        fast += bool(_origin(base) and (_ABSOLUTE.fullmatch(stripped) or _ROOTED.fullmatch(stripped)))
    assert fast > 500, fast  # both forms were read off their parts, many times


def test_resolve_reads_the_plain_forms_without_urljoin(monkeypatch: pytest.MonkeyPatch) -> None:
    """A discovery page's links are nearly all absolute plain URLs (feeds, sitemaps) or plain paths from the root
    (listing pages, JSON indexes): ``urljoin`` parsed each one whole (~5 us a link)."""
    import govpress.parsers.listings as listings

    def refuse(base: str, href: str) -> str:
        raise AssertionError(f"urljoin({base!r}, {href!r})")

    monkeypatch.setattr(listings, "urljoin", refuse)
    base = "http://127.0.0.1:41247/agency/ru/news/page/2/"
    assert listings.resolve(base, " /agency/ru/news/170/ ") == "http://127.0.0.1:41247/agency/ru/news/170/"
    assert listings.resolve(base, "/") == "http://127.0.0.1:41247/"
    assert listings.resolve(base, "https://gov.example/news/a-1.html") == "https://gov.example/news/a-1.html"
    with pytest.raises(AssertionError):
        listings.resolve(base, "../news/170/")  # a relative path: urljoin's


def test_lxml_html_parser_writes_attribute_names_in_lower_case() -> None:
    """What the lxml reading's attribute look-up relies on (bs4 matches names case-insensitively): libxml2's HTML
    parser writes attribute names in ASCII lower case and keeps the first of a repeated name."""
    from govpress.parsers.listings.lxml_select import document

    root = document('<div CLASS="a" Class="b" class="c" ID=X DATA-Y=1 \u00c4Class=2><A HREF=/x>x</A></div>')
    div = root.find(".//div")
    assert dict(div.attrib) == {"class": "a", "id": "X", "data-y": "1", "\u00c4class": "2"}
    assert dict(div[0].attrib) == {"href": "/x"}


def test_a_listing_page_looks_for_templates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether the document holds a ``<template>`` (a walk of the whole page) is asked once a page, not at each of
    its selections (three or four an item)."""
    from govpress.parsers.listings import lxml_select

    asked = []
    holds = lxml_select.holds_template
    monkeypatch.setattr(lxml_select, "holds_template", lambda scope: asked.append(scope) or holds(scope))
    selectors = ListingSelectors(item="div.item", link="a", title="a", date="span.date", next="a.next")
    ctx = ParseContext(source_id="t", timezone="UTC", languages=("en",), fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc),
                       content_type="text/html; charset=utf-8")
    page = "".join(f"<div class=item><a href=/{n}>{n}</a><span class=date>2024-05-0{n}</span></div>" for n in range(1, 6))
    listing = read_listing_page((page + "<a class=next href=/p2>next</a>").encode(), "http://127.0.0.1/news/",
                                selectors, ctx)
    assert [i.url for i in listing.items] == [f"http://127.0.0.1/{n}" for n in range(1, 6)]
    assert listing.next_url == "http://127.0.0.1/p2"
    assert len(asked) == 1


def test_a_sitemap_is_read_with_one_qname_its_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``<url>`` entries and their children are named by their tags' local part: a QName built for each (two a
    ``<url>``, one a child) cost more than the rest of the entry's reading."""
    from lxml import etree

    import govpress.parsers.listings.sitemap as sitemap

    built = []
    qname = etree.QName

    class Counted:
        def __init__(self, *args: object) -> None:
            built.append(args)
            self.localname = qname(*args).localname

    body = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + b"".join(b"<url><loc>https://a.gov/n/%d</loc><lastmod>2024-05-0%dT10:00:00Z</lastmod><news:news>"
                       b"<news:title>T%d</news:title></news:news></url>" % (n, n, n) for n in range(1, 6))
            + b"<!-- c --><other><loc>https://a.gov/x</loc></other></urlset>")
    expected = read_sitemap(body, "https://a.gov/sitemap.xml")
    monkeypatch.setattr(sitemap.etree, "QName", Counted)
    listing, children = read_sitemap(body, "https://a.gov/sitemap.xml")
    assert (listing, children) == expected and len(listing.items) == 5 and not children
    assert len({i.fingerprint for i in listing.items}) == 5
    assert len(built) == 1


def test_str_split_splits_a_class_attribute_as_bs4_does() -> None:
    """bs4 splits a class attribute by ``\\S+`` (its nonwhitespace_re); the lxml reading by ``str.split``: the same
    whitespace, code point by code point."""
    import re
    import sys

    words = re.compile(r"\S+")
    assert [c for c in range(sys.maxunicode + 1) if f"a{chr(c)}b".split() != words.findall(f"a{chr(c)}b")] == []
