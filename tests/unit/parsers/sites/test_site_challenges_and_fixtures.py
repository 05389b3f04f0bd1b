"""Every site parser refuses anti-bot pages; every constructed fixture says it is constructed and links locally."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from govpress.parsers import get_parser
from govpress.parsers.release import BlockedPage, ParseContext
from testpaths import CONSTRUCTED_SITES

SITES = CONSTRUCTED_SITES
SITE_PARSERS = ["kremlin", "government_ru", "president_by", "belta", "president_az", "govuk", "europarl"]
# An article URL of each site: the parser must say "blocked", not "markup missing".
ARTICLE_URLS = {
    "kremlin": "http://kremlin.ru/events/president/news/57080",
    "government_ru": "http://government.ru/news/53102/",
    "president_by": "https://president.gov.by/ru/events/vstreca-s-prem-er-ministrom-azerbajdzana-ali-asadovym-1727956684",
    "belta": "https://www.belta.by/politics/view/golovchenko-i-asadov-663421-2024/",
    "president_az": "https://president.az/en/articles/view/67123",
    "govuk": "https://www.gov.uk/api/content/government/news/x",
    "europarl": "https://www.europarl.europa.eu/news/en/press-room/20190712IPR56948/x",
}
CHALLENGES = ["aws_waf.html", "cloudflare.html", "request_access.html"]
MARKER = "CONSTRUCTED fixture for govpress tests"


@pytest.mark.parametrize("challenge", CHALLENGES)
@pytest.mark.parametrize("name", SITE_PARSERS)
def test_challenge_pages_are_blocked(name, challenge):
    body = (SITES / "challenges" / challenge).read_bytes()
    with pytest.raises(BlockedPage):
        get_parser(name).parse(body, ARTICLE_URLS[name], ParseContext())


def constructed_files() -> list:
    return sorted(p for p in SITES.rglob("*") if p.is_file())


def test_every_fixture_file_says_it_is_constructed():
    files = constructed_files()
    assert len(files) >= 30
    for path in files:
        head = path.read_text(encoding="utf-8")[:400]
        if path.suffix == ".json":
            assert MARKER in head, path  # JSON has no comments: a "_comment" member says it
        else:
            assert head.startswith("<!-- ") and MARKER in head.split("-->", 1)[0], path


LISTINGS = [
    "belta/rss_ru.xml", "belta/rss_en.xml", "belta/rss_de.xml", "belta/all_news.html",
    "government_ru/news_rss.xml", "government_ru/news.html",
    "president_by/ru/events.html", "president_by/be/events.html", "president_by/en/events.html",
    "president_az/az/news/category/all/1.html", "president_az/ru/news/category/all/1.html",
    "president_az/en/news/category/all/1.html", "kremlin/ru/events/president/news.html", "kremlin/ru/events/all/feed.xml",
]


@pytest.mark.parametrize("relative", LISTINGS)
def test_listing_links_are_relative_and_resolve_to_fixture_files(relative):
    """The local site server serves these files; their release links must lead to files next to them."""
    path = SITES / relative
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".xml":
        links = re.findall(r"<link>([^<]+)</link>", text)[1:] or re.findall(r'<entry>.*?<link href="([^"]+)"', text, re.S)
    elif "kremlin" in relative:
        links = [a["href"] for a in BeautifulSoup(text, "lxml").select("h3.hentry__title a[href]")]
    elif "president_by" in relative:
        links = [a["href"] for a in BeautifulSoup(text, "lxml").select("li.news-card a.news-card__title[href]")]
    elif "president_az" in relative:
        links = [a["href"] for a in BeautifulSoup(text, "lxml").select("div.news-feed_feed article a[href]")]
    elif "belta" in relative:
        links = [a["href"] for a in BeautifulSoup(text, "lxml").select("div.news_item.lenta_item a[href]")]
    else:
        links = [a["href"] for a in BeautifulSoup(text, "lxml").select("a.headline__link[href]")]
    assert links, relative
    for link in links:
        assert not re.match(r"^[a-z]+://|^/", link), link
        if "kremlin/ru/events/all/feed.xml" in relative and "/news/75240" in link:
            continue  # a full-text feed entry: never fetched, no page needed
        assert (path.parent / link).resolve().is_file(), link


def test_president_az_json_listing_names_existing_articles():
    import json

    data = json.loads((SITES / "president_az/az/news/index/1/json.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in data["list"]] == [67123]
    assert (SITES / "president_az/az/articles/view/67123.html").is_file()
