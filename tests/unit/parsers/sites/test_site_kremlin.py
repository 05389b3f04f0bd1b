"""kremlin parser on the real saved feed and homepage (read from ../shared) and on constructed article pages.

Expectations were written by hand from the saved files: titles as the feed prints them,
times as Moscow wall-clock (the 2018 feed prints "+04:00"; SOURCES.md: treat it as MSK,
UTC+3), first and last sentences of the entry's <content>.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from govpress.parsers.sites import kremlin
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import CONSTRUCTED_SITES, shared_file

MSK = timezone(timedelta(hours=3))
ATOM = "{http://www.w3.org/2005/Atom}"
EN = ParseContext(source_id="kremlin_en", timezone="Europe/Moscow", languages=("en",))
RU = ParseContext(source_id="kremlin_ru", timezone="Europe/Moscow", languages=("ru",))
SITE = CONSTRUCTED_SITES / "kremlin"


def one_entry_documents(feed: bytes) -> list[tuple[str, bytes]]:
    """(link, standalone Atom document holding only that entry), as discovery archives them."""
    root = etree.fromstring(feed)
    out = []
    for entry in root.findall(f"{ATOM}entry"):
        doc = copy.deepcopy(root)
        for other in doc.findall(f"{ATOM}entry"):
            doc.remove(other)
        doc.append(copy.deepcopy(entry))
        link = entry.find(f"{ATOM}link").get("href")
        out.append((link, etree.tostring(doc, xml_declaration=True, encoding="utf-8")))
    return out


@pytest.fixture(scope="module")
def feed_entries() -> list[tuple[str, bytes]]:
    return one_entry_documents(shared_file("pages/kremlin/en_events_all_feed.xml").read_bytes())


def test_every_feed_entry_parses(feed_entries):
    assert len(feed_entries) == 20
    keys = set()
    for link, doc in feed_entries:
        release = kremlin.parse(doc, link, EN)
        assert release.title and release.body_text
        assert release.language == "en"
        assert release.published_at.utcoffset() == timedelta(hours=3), link
        assert release.translation_key == f"kremlin:{link.rsplit('/', 1)[1]}"
        assert "<" not in release.body_text.replace("<…>", "")  # no markup left
        keys.add(release.translation_key)
    assert len(keys) == 20


@pytest.mark.parametrize(
    ("number", "title", "published", "kind", "first", "last"),
    [
        (
            "56626",
            "Christmas greetings",
            datetime(2018, 1, 7, 9, 0, tzinfo=MSK),
            "news",
            "Vladimir Putin congratulated all Orthodox Christians and all Russians celebrating Christmas.",
            "The church is an architectural monument and one of the city’s oldest Orthodox churches.",
        ),
        (
            "56591",
            "New Year Address to the Nation",
            datetime(2017, 12, 31, 23, 55, tzinfo=MSK),
            "news",
            "President of Russia Vladimir Putin: Friends,",
            "Happy New Year!",
        ),
        (
            "56568",
            "Federal Law on ratifying Council of Europe Convention on fighting counterfeiting of medical "
            "products and similar crimes posing threat to public health",
            datetime(2017, 12, 29, 15, 30, tzinfo=MSK),
            "document",
            "The President has signed the Federal Law On the Ratification of the Convention of the Council of "
            "Europe on Fighting the Counterfeiting of Medical Products and Similar Crimes involving Threats to "
            "Public Health.",
            "The convention shall be ratified with three additional declarations, which specify how the "
            "convention’s provisions are to be applied by the Russian Federation,",
        ),
    ],
)
def test_feed_entries_by_hand(feed_entries, number, title, published, kind, first, last):
    link, doc = next((link, doc) for link, doc in feed_entries if link.endswith("/" + number))
    release = kremlin.parse(doc, link, EN)
    assert release.title == title
    assert release.published_at == published
    assert release.published_at.utcoffset() == timedelta(hours=3)
    assert release.published_precision == "second"
    assert release.kind == kind
    assert release.language == "en"
    assert release.url == release.canonical_url == link
    # The whole text is the lead (the feed's c-summary, when there is one) and then the body.
    body = sentences("\n\n".join(part for part in (release.lead, release.body_text) if part))
    assert body[0] == first
    if release.lead:
        assert not sentences(release.body_text)[0] == sentences(release.lead)[0]
    if number == "56568":
        # The last paragraph is one long sentence listing the three declarations.
        assert body[-1].startswith(last)
        assert body[-1].endswith("as the national authority responsible for international cooperation in this sphere.")
    else:
        assert body[-1] == last


def test_feed_speaker_turn_is_its_own_paragraph(feed_entries):
    link, doc = next((link, doc) for link, doc in feed_entries if link.endswith("/56591"))
    paragraphs = kremlin.parse(doc, link, EN).body_text.split("\n\n")
    assert paragraphs[0] == "President of Russia Vladimir Putin: Friends,"
    assert paragraphs[1].startswith("We are on the threshold of a New Year, year 2018.")


def test_feed_summary_is_the_lead_and_the_body_follows_it(feed_entries):
    link, doc = next((link, doc) for link, doc in feed_entries if link.endswith("/56624"))
    release = kremlin.parse(doc, link, EN)
    assert release.lead == (
        "Vladimir Putin had a telephone conversation with Prime Minister of India Narendra Modi at the Indian side’s initiative."
    )
    # The text convention: body_text is what follows the lead, never the lead again.
    assert release.body_text.startswith("Mr Putin and Mr Modi exchanged New Year greetings.")
    assert release.lead not in release.body_text
    assert release.updated_at == datetime(2018, 1, 3, 17, 37, 22, tzinfo=MSK)


def test_whole_feed_with_an_entry_url_picks_that_entry():
    feed = shared_file("pages/kremlin/en_events_all_feed.xml").read_bytes()
    release = kremlin.parse(feed, "http://en.kremlin.ru/events/president/news/56624", EN)
    assert release.title == "Telephone conversation with Indian Prime Minister Narendra Modi"
    with pytest.raises(ParseError):
        kremlin.parse(feed, "http://en.kremlin.ru/events/president/news/1", EN)


def test_moscow_wall_clock_rule():
    # 2018: the +04:00 printed by the feed is Moscow wall-clock time, i.e. +03:00.
    printed = datetime(2018, 1, 7, 9, 0, tzinfo=timezone(timedelta(hours=4)))
    assert kremlin.moscow_wall_clock(printed) == datetime(2018, 1, 7, 9, 0, tzinfo=MSK)
    # 2012: Moscow really was UTC+4; the same rule keeps the instant.
    real = datetime(2012, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=4)))
    assert kremlin.moscow_wall_clock(real) == real
    assert kremlin.moscow_wall_clock(real).utcoffset() == timedelta(hours=4)
    # Any other offset is taken as printed.
    utc = datetime(2024, 10, 8, 12, 40, tzinfo=timezone.utc)
    assert kremlin.moscow_wall_clock(utc) is utc


def test_homepage_listing():
    page = shared_file("pages/kremlin/ru_homepage_2018-03-17.html").read_bytes()
    listing = kremlin.parse_listing(page, "http://kremlin.ru/", RU)
    # 24 div.hentry blocks on the saved page; 3 repeat a link (top story and two "cols" teasers).
    assert len(listing.items) == 21
    assert len({item.url for item in listing.items}) == 21
    first, last = listing.items[0], listing.items[-1]
    assert first.url == "http://kremlin.ru/events/president/news/57080"
    assert first.title == "Встреча с работниками сферы здравоохранения"
    # The top story says "1 день назад"; its .hentry__meta title holds "16.03.2018, 16:45".
    assert first.published_at == datetime(2018, 3, 16, 16, 45, tzinfo=MSK)
    assert last.url == "http://kremlin.ru/events/councils/56975"
    assert last.title == "Приветствие российским паралимпийцам – участникам XII Паралимпийских зимних игр в Пхёнчхане"
    assert last.published_at == datetime(2018, 3, 5, 11, 50, tzinfo=MSK)
    transcript = next(i for i in listing.items if "/transcripts/" in i.url)
    assert transcript.url == "http://kremlin.ru/events/president/transcripts/57070"
    assert transcript.published_at == datetime(2018, 3, 15, 18, 15, tzinfo=MSK)
    assert listing.next_url is None


def test_constructed_ru_transcript_page():
    body = (SITE / "ru/events/president/transcripts/75238.html").read_bytes()
    release = kremlin.parse(body, "http://kremlin.ru/events/president/transcripts/75238", RU)
    assert release.title == "Встреча с Премьер-министром Азербайджана Али Асадовым"
    assert release.published_at == datetime(2024, 10, 8, 15, 40, tzinfo=MSK)
    assert release.published_precision == "minute"
    assert release.place == "Москва, Кремль"
    assert release.lead == "Владимир Путин провёл встречу с Премьер-министром Азербайджанской Республики Али Асадовым."
    assert release.tags == ["Внешняя политика", "Азербайджан"]
    assert release.kind == "transcript"
    assert release.language == "ru"
    assert release.translation_key == "kremlin:75238"
    paragraphs = release.body_text.split("\n\n")
    assert paragraphs[0] == "В.Путин: Уважаемый господин Премьер-министр! Уважаемые коллеги!"  # the lead is apart
    assert release.lead not in release.body_text
    assert "А.Асадов: Уважаемый Владимир Владимирович! Большое спасибо за тёплый приём." in paragraphs
    body_sentences = sentences(release.body_text)
    assert body_sentences[-1] == "Давайте обсудим всё подробно."
    assert release.body_text.endswith("\n\n<…>")  # the transcript's own mark for an omitted part
    for noise in ("Поделиться", "Материалы по теме", "Темы", "Creative Commons", "События", "С Премьер-министром Азербайджана Али Асадовым."):
        assert noise not in release.body_text


def test_constructed_en_page_shares_the_key_with_ru():
    ru = kremlin.parse((SITE / "ru/events/president/transcripts/75238.html").read_bytes(), "http://kremlin.ru/events/president/transcripts/75238", RU)
    en = kremlin.parse((SITE / "en/events/president/transcripts/75238.html").read_bytes(), "http://en.kremlin.ru/events/president/transcripts/75238", EN)
    assert en.translation_key == ru.translation_key == "kremlin:75238"
    assert en.language == "en"
    assert en.title == "Meeting with Prime Minister of Azerbaijan Ali Asadov"
    assert en.place == "The Kremlin, Moscow"
    assert en.published_at == ru.published_at
    assert en.body_text.split("\n\n")[0] == "President of Russia Vladimir Putin: Mr Prime Minister, colleagues,"
    assert sentences(en.body_text)[-1] == "Let us discuss everything in detail."


def test_constructed_ru_feed_matches_page_text():
    feed = (SITE / "ru/events/all/feed.xml").read_bytes()
    base = "http://127.0.0.1:8765/fixtures/sites/kremlin/ru/events/all/feed.xml"
    docs = {link: doc for link, doc in one_entry_documents(feed)}
    release = kremlin.parse(docs["../president/transcripts/75238.html"], base, RU)
    assert release.url == "http://127.0.0.1:8765/fixtures/sites/kremlin/ru/events/president/transcripts/75238.html"
    assert release.canonical_url == "http://kremlin.ru/events/president/transcripts/75238"
    assert release.translation_key == "kremlin:75238"
    assert release.kind == "transcript"
    assert release.published_at == datetime(2024, 10, 8, 15, 40, tzinfo=MSK)
    assert release.updated_at == datetime(2024, 10, 8, 17, 2, 41, tzinfo=MSK)
    page = kremlin.parse((SITE / "ru/events/president/transcripts/75238.html").read_bytes(), release.canonical_url, RU)
    # Feed entry and page give one release: the same lead, and a body that starts after it.
    assert release.lead == page.lead == "Владимир Путин провёл встречу с Премьер-министром Азербайджанской Республики Али Асадовым."
    assert release.body_text.split("\n\n")[0] == "В.Путин: Уважаемый господин Премьер-министр! Уважаемые коллеги!"
    assert page.body_text.startswith(release.body_text.split("\n\n")[0])


def test_article_url_without_article_markup_is_a_parse_error():
    page = shared_file("pages/kremlin/ru_homepage_2018-03-17.html").read_bytes()
    with pytest.raises(ParseError):
        kremlin.parse(page, "http://kremlin.ru/events/president/news/57080", RU)


def test_discovery_split_entry_with_relative_link_keeps_the_resolved_url():
    """Discovery resolves an entry's relative link and passes that URL with the one-entry document."""
    from govpress.parsers.listings.feed import read_feed

    feed_url = "http://127.0.0.1:8765/fixtures/sites/kremlin/ru/events/all/feed.xml"
    listing = read_feed((SITE / "ru/events/all/feed.xml").read_bytes(), feed_url, tz="Europe/Moscow", full_text=True)
    item = next(i for i in listing.items if i.url.endswith("/75238.html"))
    release = kremlin.parse(item.entry, item.url, RU)
    assert release.url == "http://127.0.0.1:8765/fixtures/sites/kremlin/ru/events/president/transcripts/75238.html"
    assert release.translation_key == "kremlin:75238"
    assert release.title == "Встреча с Премьер-министром Азербайджана Али Асадовым"


def test_real_feed_through_discovery_split_gives_the_same_releases(feed_entries):
    from govpress.parsers.listings.feed import read_feed

    feed = shared_file("pages/kremlin/en_events_all_feed.xml").read_bytes()
    listing = read_feed(feed, "http://en.kremlin.ru/events/all/feed", tz="Europe/Moscow", full_text=True)
    assert len(listing.items) == 20
    assert listing.next_url == "http://en.kremlin.ru/events/all/feed/page/2"
    mine = {link: kremlin.parse(doc, link, EN) for link, doc in feed_entries}
    for item in listing.items:
        release = kremlin.parse(item.entry, item.url, EN)
        assert release.as_json() == mine[item.url].as_json()


def test_page_time_from_the_visible_text_when_there_is_no_read_time():
    body = (SITE / "ru/events/president/transcripts/75238.html").read_bytes()
    variant = body.replace(b'<div class="read__time">15:40</div>', b"").replace(
        "8 октября 2024 года</time>".encode(), "8 октября 2024 года, 15:40</time>".encode()
    )
    assert variant != body
    release = kremlin.parse(variant, "http://kremlin.ru/events/president/transcripts/75238", RU)
    assert release.published_at == datetime(2024, 10, 8, 15, 40, tzinfo=MSK)
    day_only = body.replace(b'<div class="read__time">15:40</div>', b"")
    release = kremlin.parse(day_only, "http://kremlin.ru/events/president/transcripts/75238", RU)
    assert release.published_at == datetime(2024, 10, 8, tzinfo=MSK)
    assert release.published_precision == "day"
