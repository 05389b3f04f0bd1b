"""Discovery: the table of discoverers by kind, the paging walk and files on disk, without a network (a fake fetch function).

The readers of each kind of page are tested in tests/unit/parsers/test_listings.py."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from datetime import date
from typing import get_args
from pathlib import Path

import pytest

from govpress.discover import DISCOVERERS, DiscoveryError, discover, list_files
from govpress.registry import ListingSelectors, Source
from factories import make_source

def source(**overrides) -> Source:
    return make_source(**{"id": "ministry", "start_urls": ["http://127.0.0.1/feed"], "timezone": "Europe/Moscow",
                          "rate_limit": 1.0, "concurrency": 2, **overrides})


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
    bytes_downloaded: int = 0

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


def test_a_list_of_the_oldest_first_is_walked_to_its_end_for_its_new_releases():
    # A misbehaving archive lists its oldest releases first: page 1 is all held, the new ones are on the last page.
    pages = {
        "http://127.0.0.1/feed": FakeResult("http://127.0.0.1/feed", atom_page([1, 2, 3], "/feed/2")),
        "http://127.0.0.1/feed/2": FakeResult("http://127.0.0.1/feed/2", atom_page([4, 5, 6], "/feed/3")),
        "http://127.0.0.1/feed/3": FakeResult("http://127.0.0.1/feed/3", atom_page([7, 8, 9], None)),
    }
    log: list[str] = []
    known = {f"/news/{i}" for i in range(1, 8)}
    found = asyncio.run(discover(source(), fake_fetch(pages, log), known=known))
    assert log == ["http://127.0.0.1/feed", "http://127.0.0.1/feed/2", "http://127.0.0.1/feed/3"]
    assert {"http://127.0.0.1/news/8", "http://127.0.0.1/news/9"} <= {i.url for i in found.items}
    # Its first page unchanged (a 304, its stored copy attached) is no reason to stop either.
    pages["http://127.0.0.1/feed"] = FakeResult("http://127.0.0.1/feed", atom_page([1, 2, 3], "/feed/2"),
                                                outcome="not_modified", status=304)
    log.clear()
    found = asyncio.run(discover(source(), fake_fetch(pages, log), known=known))
    assert log[-1] == "http://127.0.0.1/feed/3" and "http://127.0.0.1/news/9" in {i.url for i in found.items}


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


def test_every_registry_kind_has_one_discoverer():
    kinds = set(get_args(Source.model_fields["kind"].annotation))
    assert kinds == set(DISCOVERERS) == {"feed", "sitemap", "listing", "json", "files"}


def test_a_sitemap_index_is_complete_only_when_every_child_was_read():
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>'
    child = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/news/1</loc></url></urlset>'
    pages = {
        "http://127.0.0.1/sitemap.xml": FakeResult("http://127.0.0.1/sitemap.xml", index),
        "http://127.0.0.1/s1.xml": FakeResult("http://127.0.0.1/s1.xml", child),
    }
    src = source(kind="sitemap", start_urls=["http://127.0.0.1/sitemap.xml"])
    log: list[str] = []
    found = asyncio.run(discover(src, fake_fetch(pages, log)))
    assert log == ["http://127.0.0.1/sitemap.xml", "http://127.0.0.1/s1.xml", "http://127.0.0.1/s2.xml"]
    assert [i.url for i in found.items] == ["http://127.0.0.1/news/1"] and not found.complete  # s2.xml is 404
    pages["http://127.0.0.1/s2.xml"] = FakeResult("http://127.0.0.1/s2.xml", child.replace(b"/news/1", b"/news/2"))
    found = asyncio.run(discover(src, fake_fetch(pages, [])))
    assert len(found.items) == 2 and found.complete



def test_a_sitemap_index_that_lists_itself_or_a_child_twice_is_read_once_each():
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b'<sitemap><loc>/sitemap.xml</loc></sitemap><sitemap><loc>/s1.xml</loc></sitemap>'
             b'<sitemap><loc>/s1.xml</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>')
    child = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/sitemap.xml</loc></sitemap>'
             b'<sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>')  # points back at the index and at its sibling
    leaf = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/news/1</loc></url></urlset>'
    pages = {u: FakeResult(u, body) for u, body in (("http://127.0.0.1/sitemap.xml", index),
                                                     ("http://127.0.0.1/s1.xml", child), ("http://127.0.0.1/s2.xml", leaf))}
    log: list[str] = []
    found = asyncio.run(discover(source(kind="sitemap", start_urls=["http://127.0.0.1/sitemap.xml"], max_pages=50),
                                 fake_fetch(pages, log)))
    assert log == ["http://127.0.0.1/sitemap.xml", "http://127.0.0.1/s1.xml", "http://127.0.0.1/s2.xml"]
    assert [i.url for i in found.items] == ["http://127.0.0.1/news/1"] and found.complete


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>"""


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_discovery_keeps_each_pages_fetch_record_but_not_its_body(kind):
    url = "http://127.0.0.1/feed"
    body = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>' if kind == "feed" else
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b'<url><loc>http://127.0.0.1/news/1</loc></url></urlset>')
    found = asyncio.run(discover(source(kind=kind), fake_fetch({url: FakeResult(url, body)}, [])))
    [page] = found.pages
    assert page.body is None  # a walk's pages would otherwise stay in memory until the source's last load
    assert (page.url, page.outcome, page.bytes_downloaded) == (url, "ok", len(body))


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_a_page_the_reader_refuses_is_refused_on_its_own_fetch_row(kind):
    url = "http://127.0.0.1/feed"
    pages = {url: FakeResult(url, BILLION_LAUGHS)}
    found = asyncio.run(discover(source(kind=kind), fake_fetch(pages, [])))
    [page] = found.pages
    assert page.outcome == "refused" and "DTD with entities" in page.error  # not "ok": the fetches row tells it
    assert found.errors and "DTD with entities" in found.errors[0] and not found.items


class SlowHeld:
    """A held set whose page lookup blocks until the event loop has run something else (or 5 s pass)."""

    def __init__(self) -> None:
        import threading

        self.loop_ran = threading.Event()
        self.waited_for_loop = False

    def prefetch(self, keys) -> None:
        self.waited_for_loop = self.loop_ran.wait(timeout=5)  # as a store query waits for another source's load

    def __contains__(self, key) -> bool:
        return False


def test_a_pages_store_lookup_does_not_hold_up_the_event_loop():
    url = "http://127.0.0.1/feed"
    held = SlowHeld()

    async def run():
        async def other_source():  # another source's fetches, which must go on meanwhile
            await asyncio.sleep(0.05)
            held.loop_ran.set()

        other = asyncio.create_task(other_source())
        found = await discover(source(), fake_fetch({url: FakeResult(url, atom_page([3, 2, 1], None))}, []), known=held)
        await other
        return found

    found = asyncio.run(run())
    assert held.waited_for_loop  # in the loop's own thread the lookup would have sat out its 5 s instead
    assert len(found.items) == 3
