"""Discovery readers and the paging walk, without a network (a fake fetch function)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from govpress.discover import DiscoveryError, check_xml, discover, list_files, read_feed, read_json_listing, read_listing_page, read_sitemap
from govpress.registry import JsonListing, ListingSelectors, Source
from govpress.parsers import ParseContext, parse
from factories import make_source

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


def source(**overrides) -> Source:
    return make_source(**{"id": "ministry", "start_urls": ["http://127.0.0.1/feed"], "timezone": "Europe/Moscow",
                          "rate_limit": 1.0, "concurrency": 2, **overrides})


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


def test_files_source_stays_inside_its_folder(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("# A\n\nbody", encoding="utf-8")
    (docs / "b.md").write_text("# B\n\nbody", encoding="utf-8")
    (docs / "skip.bin").write_bytes(b"\0")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside", encoding="utf-8")
    os.symlink(secret, docs / "escape.txt")
    src = source(kind="files", start_urls=[str(docs)])
    listing = list_files(src, tmp_path)
    names = sorted(Path(i.url).name for i in listing.items)
    assert names == ["a.txt", "b.md"] and listing.complete
    with pytest.raises(DiscoveryError, match=r"\.\."):
        list_files(source(kind="files", start_urls=["docs/../.."]), tmp_path)


@dataclass
class FakeResult:
    url: str
    body: bytes | None
    outcome: str = "ok"
    status: int | None = 200
    error: str | None = None
    content_type: str | None = "application/atom+xml"

    @property
    def ok(self):
        return self.outcome == "ok"

    @property
    def final_url(self):
        return self.url


def fake_fetch(pages: dict[str, FakeResult], log: list[str]):
    async def fetch(url: str, purpose: str):
        log.append(url)
        return pages.get(url) or FakeResult(url, None, outcome="gone", status=404, error="not found")
    return fetch


def atom_page(ids: list[int], next_href: str | None) -> bytes:
    entries = "".join(
        f'<entry><title>R{i}</title><link href="/news/{i}"/><id>{i}</id><published>2024-10-{i:02d}T10:00:00Z</published></entry>'
        for i in ids
    )
    nxt = f'<link rel="next" href="{next_href}"/>' if next_href else ""
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{nxt}{entries}</feed>'.encode()


def test_discover_stops_paging_at_known_releases():
    pages = {
        "http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", atom_page([9, 8, 7], "/feed/2")),
        "http://127.0.0.1/feed/2": FakeResult("http://127.0.0.1/feed/2", atom_page([6, 5, 4], "/feed/3")),
        "http://127.0.0.1/feed/3": FakeResult("http://127.0.0.1/feed/3", atom_page([3, 2, 1], None)),
    }
    log: list[str] = []
    known = {f"/news/{i}" for i in (6, 5, 4, 3, 2, 1)}  # identities: path and query
    found = asyncio.run(discover(source(), fake_fetch(pages, log), known=known))
    assert log == ["http://127.0.0.1/feed", "http://127.0.0.1/feed/2"]  # page 2 brought nothing new: stop
    assert len(found.items) == 6


def test_discover_stops_when_pages_leave_the_date_range_and_filters_items():
    pages = {
        "http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", atom_page([9, 8, 7], "/feed/2")),
        "http://127.0.0.1/feed/2": FakeResult("http://127.0.0.1/feed/2", atom_page([6, 5, 4], "/feed/3")),
        "http://127.0.0.1/feed/3": FakeResult("http://127.0.0.1/feed/3", atom_page([3, 2, 1], None)),
    }
    log: list[str] = []
    found = asyncio.run(discover(source(), fake_fetch(pages, log), since=date(2024, 10, 7), until=date(2024, 10, 8)))
    assert log == ["http://127.0.0.1/feed", "http://127.0.0.1/feed/2"]
    assert [i.url.rsplit("/", 1)[1] for i in found.items] == ["8", "7"]
    assert len(found.listed) == 6


def test_empty_or_blocked_feed_falls_back_to_the_listing():
    listing_html = b'<div class="item"><a href="/news/5/">Five</a></div>'
    pages = {
        "http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", b"", outcome="blocked", status=403, error="403 forbidden"),
        "http://127.0.0.1/news/": FakeResult("http://127.0.0.1/news/", listing_html, content_type="text/html"),
    }
    src = source(fallback_urls=["http://127.0.0.1/news/"], listing=ListingSelectors(item="div.item", link="a"))
    found = asyncio.run(discover(src, fake_fetch(pages, [])))
    assert [i.url for i in found.items] == ["http://127.0.0.1/news/5/"]
    assert found.blocked is None and "fallback" in found.channel and "403" in found.channel


def test_blocked_listing_without_fallback_is_reported_as_blocked_not_empty():
    pages = {"http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", b"", outcome="blocked", status=200, error="AWS WAF challenge")}
    found = asyncio.run(discover(source(), fake_fetch(pages, [])))
    assert found.items == [] and found.blocked == "AWS WAF challenge"


def test_a_first_page_answering_304_means_nothing_new_and_no_fallback():
    pages = {"http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", None, outcome="not_modified", status=304)}
    log: list[str] = []
    src = source(fallback_urls=["http://127.0.0.1/news/"], listing=ListingSelectors(item="div.item", link="a"))
    found = asyncio.run(discover(src, fake_fetch(pages, log)))
    assert found.not_modified and found.items == [] and found.errors == [] and found.blocked is None
    assert log == ["http://127.0.0.1/feed"]  # the listing fallback is not consulted


def test_json_listing_pages_by_item_offset():
    spec = JsonListing(items="results", url="/api/content{link}", page_url="/api/search.json?count=50&start={start}", page_size=50)
    body = b'{"results": [{"link": "/government/news/a"}]}'
    first = read_json_listing(body, "http://127.0.0.1/api/search.json?count=50", spec, ParseContext(), page=1)
    second = read_json_listing(body, "http://127.0.0.1/api/search.json?count=50&start=50", spec, ParseContext(), page=2)
    assert first.items[0].url == "http://127.0.0.1/api/content/government/news/a"
    assert first.next_url.endswith("start=50") and second.next_url.endswith("start=100")
