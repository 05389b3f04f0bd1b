"""The local site server against real httpx clients on 127.0.0.1: files, discovery walks, caching headers, mounts, the log."""

from __future__ import annotations

import gzip
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from govpress.demo.localsite import LocalSiteServer, SiteManifest
from govpress.demo.localsite.generator import ORIGIN
from testpaths import SEED, shared_file

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_content_types_index_redirect_and_404(srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest) -> None:
    release = manifest.publishers["minfin"].releases[0]
    expected = {
        release.path: "text/html; charset=utf-8",
        "/minfin/feed.atom": "application/atom+xml; charset=utf-8",
        "/mfa-en/sitemap.xml": "application/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/site.json": "application/json; charset=utf-8",
    }
    for path, content_type in expected.items():
        response = client.get(srv.url(path))
        assert response.status_code == 200, path
        assert response.headers["content-type"] == content_type
    moved = client.get(srv.url(release.path.rstrip("/")))
    assert moved.status_code == 301 and moved.headers["location"] == release.path
    missing = client.get(srv.url("/minfin/news/999999/"))
    assert missing.status_code == 404 and "<h1>404" in missing.text
    assert client.post(srv.url("/robots.txt")).status_code == 405


def test_head_sends_headers_without_body(srv: LocalSiteServer, client: httpx.Client) -> None:
    get = client.get(srv.url("/minfin/news/"), headers={"Accept-Encoding": "identity"})
    head = client.head(srv.url("/minfin/news/"), headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]


def test_gone_paths_answer_410(srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest) -> None:
    path = manifest.publishers["mfa-en"].releases[5].path
    srv.gone.add(path)
    assert client.get(srv.url(path)).status_code == 410


def test_absolute_links_point_at_the_address_used(srv: LocalSiteServer, client: httpx.Client) -> None:
    feed = client.get(srv.url("/minfin/feed.atom")).text
    assert ORIGIN not in feed
    assert f'href="{srv.base_url}/minfin/feed/page/2.atom"' in feed


def test_conditional_get_answers_304(srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest) -> None:
    release = manifest.publishers["agency-ru"].releases[2]
    first = client.get(srv.url(release.path))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert parsedate_to_datetime(last_modified) == release.updated
    assert client.get(srv.url(release.path), headers={"If-None-Match": etag}).status_code == 304
    assert client.get(srv.url(release.path), headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get(srv.url(release.path), headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(srv.url(release.path), headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(release.updated.replace(year=release.updated.year - 1), usegmt=False)
    assert client.get(srv.url(release.path), headers={"If-Modified-Since": earlier}).status_code == 200
    not_modified = client.get(srv.url(release.path), headers={"If-None-Match": etag})
    assert not_modified.content == b"" and not_modified.headers["etag"] == etag


def test_gzip_when_accepted_and_large_enough(srv: LocalSiteServer, client: httpx.Client) -> None:
    raw = client.get(srv.url("/minfin/news/"), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    with client.stream("GET", srv.url("/minfin/news/"), headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        body = b"".join(packed.iter_raw())
    assert gzip.decompress(body) == raw.content and len(body) < len(raw.content)
    small = client.get(srv.url("/robots.txt"), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 KB
    refused = client.get(srv.url("/minfin/news/"), headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def _walk(client: httpx.Client, url: str, next_url) -> list[httpx.Response]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response)
        url = next_url(response)
    return pages


def test_atom_feed_pages_cover_minfin(srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest) -> None:
    def next_page(response: httpx.Response) -> str | None:
        links = feedparser.parse(response.content).feed.get("links", [])
        return next((link["href"] for link in links if link["rel"] == "next"), None)

    entries = [e for page in _walk(client, srv.url("/minfin/feed.atom"), next_page)
               for e in feedparser.parse(page.content).entries]
    releases = manifest.publishers["minfin"].releases
    assert [urlsplit(e.link).path for e in entries] == [r.path for r in releases]
    assert [e.title for e in entries] == [r.title for r in releases]
    assert entries[0].updated == releases[0].updated_at


def test_html_listing_pages_cover_each_listing_edition(
    srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest
) -> None:
    for name in ("minfin", "agency-ru", "agency-en"):
        publisher = manifest.publishers[name]
        sel = publisher.listing_selectors

        def next_page(response: httpx.Response) -> str | None:
            link = BeautifulSoup(response.content, "lxml").select_one(sel["next"])
            return urljoin(str(response.url), link["href"]) if link else None

        paths, dates = [], []
        for page in _walk(client, srv.url(publisher.listing), next_page):
            for item in BeautifulSoup(page.content, "lxml").select(sel["item"]):
                paths.append(item.select_one(sel["link"])["href"])
                dates.append(item.select_one(sel["date"]))
        assert paths == [r.path for r in publisher.releases], name
        assert all(d is not None for d in dates)


def test_rss_and_sitemaps_cover_mfa(srv: LocalSiteServer, client: httpx.Client, manifest: SiteManifest) -> None:
    releases = manifest.publishers["mfa-en"].releases
    rss = feedparser.parse(client.get(srv.url("/mfa-en/rss.xml")).content)
    assert [urlsplit(e.link).path for e in rss.entries] == [r.path for r in releases[:30]]
    index = etree.fromstring(client.get(srv.url("/mfa-en/sitemap.xml")).content)
    lastmods = {}
    for loc in index.xpath("//s:sitemap/s:loc/text()", namespaces=SITEMAP_NS):
        assert loc.startswith(srv.base_url)
        urlset = etree.fromstring(client.get(loc).content)
        for url in urlset.xpath("//s:url", namespaces=SITEMAP_NS):
            path = urlsplit(url.findtext("s:loc", namespaces=SITEMAP_NS)).path
            lastmods[path] = url.findtext("s:lastmod", namespaces=SITEMAP_NS)
    assert lastmods == {r.path: r.updated_at for r in releases}


def test_request_log_records_host_header(srv: LocalSiteServer, client: httpx.Client) -> None:
    client.get(srv.url("/robots.txt"))
    client.get(srv.url("/robots.txt"), headers={"Host": "mirror.localsite"})
    client.get(srv.url("/nope"))
    log = srv.requests
    assert [(r.method, r.host, r.path, r.status) for r in log] == [
        ("GET", f"127.0.0.1:{srv.port}", "/robots.txt", 200),
        ("GET", "mirror.localsite", "/robots.txt", 200),
        ("GET", f"127.0.0.1:{srv.port}", "/nope", 404),
    ]
    assert log[0].headers["User-Agent"].startswith("python-httpx")
    srv.reset_log()
    assert srv.requests == []


def test_mounts_serve_saved_pages_from_shared(srv: LocalSiteServer, client: httpx.Client) -> None:
    page = shared_file("pages/europarl/press-release_20250204IPR26689.html")
    response = client.get(srv.url("/shared/europarl/press-release_20250204IPR26689.html"))
    assert response.status_code == 200 and response.content == page.read_bytes()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    seed = client.get(srv.url("/seed/" + SEED.name))
    assert seed.status_code == 200 and seed.content == shared_file("seed/" + SEED.name).read_bytes()
    assert seed.headers["content-type"].startswith("text/plain")
    # The mount is a jail: an encoded ../ does not reach the rest of ../shared.
    assert client.get(srv.url("/shared/%2e%2e/DESIGN.md")).status_code == 404
    assert srv.requests[-1].path == "/shared/%2e%2e/DESIGN.md"  # reached the server un-normalised
    assert client.get(srv.url("/shared/")).status_code == 404  # no index.html there, and no listings


def test_binds_to_another_loopback_address(site_root: Path, client: httpx.Client) -> None:
    try:
        server = LocalSiteServer(site_root, host="127.0.0.2").start()
    except OSError as exc:  # some sandboxes route only 127.0.0.1
        pytest.skip(f"cannot bind 127.0.0.2 here: {exc}")
    with server:
        assert server.base_url.startswith("http://127.0.0.2:")
        feed = client.get(server.url("/minfin/feed.atom")).text
        assert f"{server.base_url}/minfin/news/" in feed
        assert server.requests[0].host == f"127.0.0.2:{server.port}"


def test_refuses_non_loopback_addresses(site_root: Path) -> None:
    with pytest.raises(ValueError, match="loopback"):
        LocalSiteServer(site_root, host="0.0.0.0")
