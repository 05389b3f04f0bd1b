"""The real-site entries of sources.toml and the demo template that points them at the local site server.

The demo test walks each demo source the way ingest would, without a server: discovery's pure
readers on the fixture files, then the source's parser on every page or feed entry found.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govpress.parsers.listings.feed import read_feed
from govpress.parsers.listings.html import read_listing_page
from govpress.parsers.listings.json import read_json_listing
from govpress.registry import Registry, load_registry
from govpress.parsers import get_parser
from govpress.parsers.release import ParseContext
from testpaths import CONSTRUCTED_SITES, PAGES, ROOT, shared_file

SITES = CONSTRUCTED_SITES
DEMO_TEMPLATE = ROOT / "govpress" / "demo" / "localsite" / "demo_sources.toml"
BASE = "http://127.0.0.1:8765"
REAL_IDS = [
    "kremlin_ru", "kremlin_en", "government_ru", "president_by_ru", "president_by_be", "president_by_en",
    "belta_ru", "belta_en", "belta_de", "president_az_az", "president_az_ru", "president_az_en",
    "govuk_news", "europarl_press_en",
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


DEMO_PREFIX = "demo_"


def demo_registry() -> Registry:
    return Registry.model_validate(tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", BASE)))


def test_real_entries_are_polite_and_public(registry):
    for source_id in REAL_IDS:
        source = registry.get(source_id)
        get_parser(source.parser)  # the module exists
        assert source.rate_limit <= 1.0, source_id
        assert source.allow_addresses == [] and not source.ignore_robots, source_id
        assert all(urlsplit(u).scheme in ("http", "https") for u in source.start_urls + source.fallback_urls)
        assert all(urlsplit(u).hostname in source.hosts() for u in source.start_urls + source.fallback_urls), source_id
    assert registry.get("kremlin_ru").rate_limit == registry.get("kremlin_en").rate_limit == 0.2
    assert registry.get("kremlin_en").feed_full_text and registry.get("kremlin_en").cadence == "*/30 * * * *"
    assert {registry.get(i).group for i in REAL_IDS if i.startswith("president_by")} == {"president_by"}


def test_real_listing_selectors_find_the_items_on_the_pages(registry):
    """The selectors the live entries use, on the saved kremlin homepage and on the constructed listings."""
    kremlin = registry.get("kremlin_ru")
    home = shared_file("pages/kremlin/ru_homepage_2018-03-17.html").read_bytes()
    listing = read_listing_page(home, "http://kremlin.ru/", kremlin.listing, ParseContext(timezone="Europe/Moscow"))
    assert len(listing.items) == 24  # every div.hentry block; discovery folds the 3 repeated links
    assert listing.items[1].url == "http://kremlin.ru/events/president/news/57071"
    assert listing.items[1].title == "Форум «Россия – страна возможностей»"
    cases = {
        "government_ru": "government_ru/news.html",
        "president_by_be": "president_by/be/events.html",
        "belta_ru": "belta/all_news.html",
        "president_az_az": "president_az/az/news/category/all/1.html",
    }
    for source_id, relative in cases.items():
        source = registry.get(source_id)
        url = f"{BASE}/fixtures/sites/{relative}"
        found = read_listing_page((SITES / relative).read_bytes(), url, source.listing, ParseContext(timezone=source.timezone))
        assert len(found.items) == 1, source_id
        assert found.items[0].title, source_id
        assert (SITES / urlsplit(found.items[0].url).path.removeprefix("/fixtures/sites/")).is_file(), source_id


def test_president_az_json_listing_shape():
    from govpress.registry import JsonListing

    spec = JsonListing(items="list", url="https://president.az/az/articles/view/{id}", date="date", title="title")
    body = (SITES / "president_az/az/news/index/1/json.json").read_bytes()
    listing = read_json_listing(body, "https://president.az/az/news/index/1/json", spec, ParseContext(timezone="Asia/Baku"))
    assert [i.url for i in listing.items] == ["https://president.az/az/articles/view/67123"]
    assert listing.items[0].published_at.isoformat() == "2024-10-02T16:40:00+04:00"  # "02.10.2024 [16:40]" in Baku


def test_demo_template_mirrors_the_real_entries(registry):
    demo = demo_registry()
    assert sorted(s.id for s in demo.source) == sorted(DEMO_PREFIX + i for i in REAL_IDS)
    for source in demo.source:
        real = registry.get(source.id.removeprefix(DEMO_PREFIX))
        assert (source.parser, source.kind, source.languages, source.timezone) == (real.parser, real.kind, real.languages, real.timezone)
        assert source.allow_addresses == ["127.0.0.1"] and not source.ignore_robots
        for url in source.start_urls + source.fallback_urls:
            assert url.startswith(BASE + "/"), url
            path = urlsplit(url).path
            if path.startswith("/fixtures/sites/"):
                assert (SITES / path.removeprefix("/fixtures/sites/")).is_file(), url


KEY_PREFIX = {"kremlin": "kremlin", "president_by": "president_by", "president_az": "president_az",
              "govuk": "govuk", "europarl": "europarl"}


def _local_file(url: str) -> Path:
    path = urlsplit(url).path
    if path.startswith("/fixtures/sites/"):
        return SITES / path.removeprefix("/fixtures/sites/")
    if path.startswith("/shared/"):
        return shared_file("pages/" + path.removeprefix("/shared/"))  # skips when ../shared is absent
    raise AssertionError(f"demo URL outside the served folders: {url}")


def test_demo_ids_and_groups_are_their_own(registry):
    """A demo registry pointed at the real database never writes under a real source's id or group."""
    real_names = {s.id for s in registry.source} | {s.group for s in registry.source if s.group}
    for template in sorted(DEMO_TEMPLATE.parent.glob("demo_*.toml")):
        demo = Registry.model_validate(tomllib.loads(template.read_text(encoding="utf-8").replace("{base}", BASE)))
        for source in demo.source:
            assert source.id.startswith(DEMO_PREFIX), (template.name, source.id)
            assert source.group is None or source.group.startswith(DEMO_PREFIX), (template.name, source.group)
            assert source.id not in real_names and source.group not in real_names, (template.name, source.id)


@pytest.mark.parametrize("source_id", REAL_IDS)
def test_demo_source_discovers_and_parses_offline(source_id):
    source = demo_registry().get(DEMO_PREFIX + source_id)
    start = source.start_urls[0]
    if "/shared/" in start or source.kind == "json":
        if not PAGES.is_dir():
            pytest.skip("needs ../shared/pages")
    ctx = ParseContext(source_id=source.id, timezone=source.timezone, languages=tuple(source.languages))
    body = _local_file(start).read_bytes()
    if source.kind == "feed":
        listing = read_feed(body, start, tz=source.timezone, full_text=source.feed_full_text)
    elif source.kind == "listing":
        listing = read_listing_page(body, start, source.listing, ctx)
    else:
        listing = read_json_listing(body, start, source.json_listing, ctx)
    assert listing.items, source_id
    parser = get_parser(source.parser)
    for item in listing.items:
        if source.feed_full_text:
            assert item.entry is not None
            release = parser.parse(item.entry, item.url, ctx)
        else:
            release = parser.parse(_local_file(item.url).read_bytes(), item.url, ctx)
        assert release.title and release.body_text and release.published_at is not None, item.url
        if source.id != DEMO_PREFIX + "govuk_news":  # the GOV.UK search lists an Urdu translation too
            assert release.language == source.language, item.url
        prefix = KEY_PREFIX.get(source.parser)
        if prefix is None:
            assert release.translation_key is None  # editions numbered separately: no cross-language key
        else:
            assert (release.translation_key or "").startswith(prefix + ":"), item.url


def test_yearless_belarusian_listing_date_takes_the_year_from_the_fetch_time(registry):
    from datetime import datetime, timedelta, timezone

    source = registry.get("president_by_be")
    ctx = ParseContext(timezone=source.timezone, fetched_at=datetime(2024, 10, 3, 13, 0, tzinfo=timezone.utc))
    relative = "president_by/be/events.html"
    found = read_listing_page((SITES / relative).read_bytes(), f"{BASE}/fixtures/sites/{relative}", source.listing, ctx)
    # "3 кастрычніка, 14:58" read in Europe/Minsk.
    assert found.items[0].published_at == datetime(2024, 10, 3, 14, 58, tzinfo=timezone(timedelta(hours=3)))
