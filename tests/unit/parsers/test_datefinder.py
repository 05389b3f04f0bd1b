"""The generic extractor's date finder: every place a date is read from, every rejection rule, date-only days.

Pages are small hand-written HTML; each test states the one thing it checks.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers import generic
from govpress.parsers.datefinder import read_stamp
from govpress.parsers.release import ParseContext
from tests.unit.parsers.regex_forms import top_level_alternatives

PROSE = (
    "<p>The minister held talks with his counterpart on Tuesday in the capital. The sides discussed trade, energy "
    "and transport links between the two countries.</p><p>They agreed to hold the next round of consultations in "
    "the spring. A joint statement was signed at the end of the meeting.</p>"
)
FETCHED = datetime(2024, 10, 5, 9, 0, tzinfo=timezone.utc)


def page(article: str, *, head: str = "", aside: str = "", footer: str = "", lang: str = "en") -> bytes:
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>Talks on trade | Ministry of Examples</title>{head}</head><body>"
            f"<nav><a href='/'>Home</a></nav><main><article>{article}</article></main><aside>{aside}</aside>"
            f"<footer>{footer}</footer></body></html>").encode()


def ctx(zone: str = "Europe/Moscow", lang: str = "en") -> ParseContext:
    return ParseContext(source_id="test", timezone=zone, languages=(lang,), fetched_at=FETCHED)


def published(body: bytes, context: ParseContext | None = None):
    release = generic.parse(body, "https://gov.example/news/talks", context or ctx())
    return release.published_at, release.published_precision


# ----------------------------------------------------------------------------- places


@pytest.mark.parametrize(
    ("line", "lang", "zone", "day"),
    [
        ("Дата публикации: 2 октября 2024", "ru", "Europe/Moscow", "2024-10-02"),
        ("Datum: 03.07.2018", "de", "Europe/Berlin", "2018-07-03"),
        ("Published: October 2, 2024", "en", "America/New_York", "2024-10-02"),
        ("Publié le 1er octobre 2024", "fr", "Europe/Paris", "2024-10-01"),
        ("Fecha de publicación: 2 de octubre de 2024", "es", "Europe/Madrid", "2024-10-02"),
        ("Дата публікації: 2 жовтня 2024 року", "uk", "Europe/Kyiv", "2024-10-02"),
        ("Жарияланған күні: 2024 жылғы 2 қазан", "kk", "Asia/Almaty", "2024-10-02"),
        ("Tarix: 2 oktyabr 2024", "az", "Asia/Baku", "2024-10-02"),
    ],
)
def test_labelled_line_gives_a_day_in_the_source_zone(line: str, lang: str, zone: str, day: str) -> None:
    value, precision = published(page(f"<h1>Talks on trade</h1><p class='info'>{line}</p>{PROSE}", lang=lang), ctx(zone, lang))
    assert value.date().isoformat() == day
    assert precision == "day"
    assert value.tzinfo is not None and value.utcoffset() == value.astimezone(__import__("zoneinfo").ZoneInfo(zone)).utcoffset()


@pytest.mark.parametrize(
    ("opening", "zone", "expected"),
    [
        ("МИНСК, 2 октября (БЕЛТА) – ", "Europe/Minsk", "2024-10-02"),  # no year: the fetch date's
        ("Berlin, 12.03.2024 – ", "Europe/Berlin", "2024-03-12"),
        ("WASHINGTON, Oct. 2, 2024 — ", "America/New_York", "2024-10-02"),
        ("MADRID, 12 de marzo de 2024 – ", "Europe/Madrid", "2024-03-12"),
    ],
)
def test_dateline_opening_the_first_paragraph(opening: str, zone: str, expected: str) -> None:
    article = f"<h1>Talks on trade</h1><p>{opening}The minister held talks with his counterpart on Tuesday. The sides discussed trade.</p>{PROSE}"
    value, precision = published(page(article), ctx(zone))
    assert value.date().isoformat() == expected
    assert precision == "day"


def test_date_line_above_the_headline_and_under_for_immediate_release() -> None:
    above = page(f"<div class='meta'>14.05.2024</div><h1>Talks on trade</h1>{PROSE}")
    assert published(above)[0].date().isoformat() == "2024-05-14"
    release = page(f"<h1>Talks on trade</h1><p>FOR IMMEDIATE RELEASE</p><p>October 2, 2024</p>{PROSE}")
    value, _ = published(release, ctx("America/New_York"))
    assert value.date().isoformat() == "2024-10-02"
    body = generic.parse(release, "https://gov.example/news/talks", ctx("America/New_York")).body_text
    assert not body.startswith(("FOR IMMEDIATE RELEASE", "October 2, 2024")), "date lines are not body text"


def test_date_span_inside_the_headline_is_split_off() -> None:
    release = generic.parse(page(f"<h1><span class='date'>05.06.2024</span> Talks on trade</h1>{PROSE}"),
                            "https://gov.example/news/talks", ctx())
    assert release.title == "Talks on trade"
    assert release.published_at.date().isoformat() == "2024-06-05"
    glued = generic.parse(page(f"<h1>19.03.2024 | Talks on trade and energy</h1>{PROSE}"), "https://gov.example/n", ctx())
    assert glued.title == "Talks on trade and energy"
    assert glued.published_at.date().isoformat() == "2024-03-19"


def test_url_date_is_the_last_resort() -> None:
    release = generic.parse(page(f"<h1>Talks on trade</h1>{PROSE}"), "https://gov.example/2024/09/30/talks", ctx())
    assert release.published_at.date().isoformat() == "2024-09-30"


def test_a_url_without_a_date_is_not_split_and_one_with_a_date_anywhere_is(monkeypatch: pytest.MonkeyPatch) -> None:
    from govpress.parsers import datefinder

    split: list[str] = []
    real = datefinder.urlsplit
    monkeypatch.setattr(datefinder, "urlsplit", lambda url: split.append(url) or real(url))

    def url_day(url: str) -> str | None:
        collector = datefinder._Collector("UTC", FETCHED)
        datefinder._url_candidate(url, collector)
        return collector.found[0].date.value.date().isoformat() if collector.found else None

    assert url_day("http://127.0.0.1:8000/agency/en/news/170/") is None
    assert url_day("https://gov.example/news?id=20241002") is None  # a date in the query only: not the path's
    assert url_day("http://127.0.0.1:2019/10/02/news") is None  # the port's digits: in the netloc, not the path
    assert split == ["https://gov.example/news?id=20241002", "http://127.0.0.1:2019/10/02/news"]
    assert url_day("https://gov.example/2024/09/30/talks") == "2024-09-30"
    assert url_day("news-2024-09-30") == "2024-09-30"
    assert url_day("https://gov.example/20\n24/09/30/") == "2024-09-30"  # urlsplit drops the line break


def test_metadata_with_seconds_and_offset_beats_a_visible_day_that_agrees() -> None:
    head = "<meta property='article:published_time' content='2024-10-02T11:54:00+03:00'>"
    value, precision = published(page(f"<h1>Talks on trade</h1><p class='info'>2 October 2024</p>{PROSE}", head=head))
    assert value == datetime(2024, 10, 2, 11, 54, tzinfo=timezone(timedelta(hours=3)))
    assert precision == "second"


# ----------------------------------------------------------------------------- rejections


def test_modification_dates_lose() -> None:
    """Rule: dateModified, article:modified_time and lines labelled Updated/Обновлено/Stand are never the publication."""
    head = "<meta property='article:modified_time' content='2024-09-05T14:00:00+01:00'>"
    article = f"<h1>Talks on trade</h1><p>Published 3 September 2024</p><p>Last updated 5 September 2024</p>{PROSE}"
    assert published(page(article, head=head))[0].date().isoformat() == "2024-09-03"
    stand = f"<h1>Talks on trade</h1><p>Stand: 10.07.2018</p>{PROSE}"
    assert published(page(stand, lang="de"), ctx("Europe/Berlin", "de"))[0] is None
    ru = f"<h1>Talks on trade</h1><p>Обновлено: 15.05.2024</p>{PROSE}"
    assert published(page(ru))[0] is None


def test_comment_dates_lose() -> None:
    """Rule: nothing inside a comments block is read."""
    comments = "<section class='comments'><div class='comment'><span>06.06.2024</span><p>Thank you!</p></div></section>"
    assert published(page(f"<h1>Talks on trade</h1>{PROSE}{comments}"))[0] is None


def test_related_news_dates_lose() -> None:
    """Rule: lists of links (related news, menus) and asides are other pages; their dates are theirs."""
    related = "<h3>Related news</h3><ul><li>12.09.2024 <a href='/a'>Budget meeting</a></li><li>10.09.2024 <a href='/b'>Plan approved</a></li></ul>"
    assert published(page(f"{related}<h1>Talks on trade</h1>{PROSE}"))[0] is None
    assert published(page(f"<h1>Talks on trade</h1>{PROSE}", aside=related))[0] is None


def test_copyright_lines_lose() -> None:
    """Rule: a line with ©/Copyright/"All rights reserved" states no publication date."""
    assert published(page(f"<h1>Talks on trade</h1><p>© 02.01.2016 Ministry</p>{PROSE}", footer="© 2024 Ministry"))[0] is None


def test_dates_in_the_prose_and_in_the_future_lose() -> None:
    """Rules: an event's date in the text is not a publication date; nothing more than a day after the fetch."""
    prose = "<p>The agreement of 12 March 2019 was recalled. The sides will meet again on 5 June 2023 in Baku.</p>"
    assert published(page(f"<h1>Talks on trade</h1>{prose}{PROSE}"))[0] is None
    future = page(f"<h1>Talks on trade</h1><p class='info'>Date: 20 December 2024</p>{PROSE}")
    assert published(future)[0] is None


# ----------------------------------------------------------------------------- date-only values are days


@pytest.mark.parametrize(
    ("raw", "zone", "day"),
    [
        ("2024-10-02T00:00:00Z", "Europe/Moscow", "2024-10-02"),  # ru: midnight UTC is a date-only value
        ("2024-03-19T00:00:00Z", "Europe/Berlin", "2024-03-19"),  # de
        ("Wed, 02 Oct 2024 00:00:00 GMT", "America/New_York", "2024-10-02"),  # en: an RSS pubDate without a time
        ("2024-09-18", "Asia/Baku", "2024-09-18"),  # az: JSON-LD date only
    ],
)
def test_date_only_values_are_a_day_in_the_source_zone(raw: str, zone: str, day: str) -> None:
    parsed = read_stamp(raw, zone, FETCHED)
    assert parsed.precision == "day"
    assert parsed.value.date().isoformat() == day
    assert parsed.value.tzinfo is not None and str(parsed.value.tzinfo) == zone
    assert not parsed.has_offset


@pytest.mark.parametrize(("zone", "lang"), [("Europe/Moscow", "ru"), ("Europe/Berlin", "de"), ("America/New_York", "en"), ("Asia/Baku", "az")])
def test_date_only_meta_on_a_page_is_stored_as_a_day(zone: str, lang: str) -> None:
    head = "<meta name='date' content='2024-03-19T00:00:00Z'>"
    value, precision = published(page(f"<h1>Talks on trade</h1>{PROSE}", head=head, lang=lang), ctx(zone, lang))
    assert (value.date().isoformat(), precision, str(value.tzinfo)) == ("2024-03-19", "day", zone)


def test_date_only_rss_item_is_stored_as_a_day() -> None:
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>News</title><item><title>Talks on trade</title>"
            "<link>https://gov.example/news/1</link><pubDate>Wed, 02 Oct 2024 00:00:00 GMT</pubDate>"
            f"<description><![CDATA[{PROSE}]]></description></item></channel></rss>").encode()
    release = generic.parse(feed, "https://gov.example/rss", ctx("Europe/Berlin", "en"))
    assert release.published_precision == "day"
    assert release.published_at.isoformat() == "2024-10-02T00:00:00+02:00"


def test_a_stated_time_keeps_its_precision_and_offset() -> None:
    parsed = read_stamp("2024-10-02T11:54:30+03:00", "Europe/Berlin", FETCHED)
    assert parsed.precision == "second" and parsed.has_offset
    parsed = read_stamp("2 октября 2024, 11:54", "Europe/Moscow", FETCHED)
    assert parsed.precision == "minute" and not parsed.has_offset and str(parsed.value.tzinfo) == "Europe/Moscow"


# ----------------------------------------------------------------------------- numeric forms and the offset flag


def page_with_lang(article: str, html_lang: str) -> bytes:
    return (f"<!doctype html><html lang='{html_lang}'><head><meta charset='utf-8'><title>Talks on trade</title></head>"
            f"<body><main><article>{article}</article></main></body></html>").encode()


@pytest.mark.parametrize(
    ("line", "html_lang", "zone", "day"),
    [
        ("Posted on 02/10/2024", "en-GB", "Europe/London", "2024-10-02"),  # a stated non-US region: day first
        ("Posted on 10/02/2024", "en-US", "Europe/London", "2024-10-02"),  # a stated US region: month first
        ("Posted on 10/02/2024", "en", "America/Chicago", "2024-10-02"),  # English from an American zone
        ("Опубликовано: 02/10/2024", "ru", "America/New_York", "2024-10-02"),  # other languages: day first anywhere
        ("Publié le 02/10/2024", "fr", "Europe/Paris", "2024-10-02"),
        ("Posted on 13/02/2024", "en-US", "America/Chicago", "2024-02-13"),  # above 12: only a day
        ("Datum: 2024/10/02", "de", "Europe/Berlin", "2024-10-02"),  # year first
        ("Datum: 02-10-2024", "de", "Europe/Berlin", "2024-10-02"),
    ],
)
def test_all_digit_dates_take_their_order_from_the_page(line: str, html_lang: str, zone: str, day: str) -> None:
    lang = html_lang.split("-")[0]
    body = page_with_lang(f"<h1>Talks on trade</h1><p class='info'>{line}</p>{PROSE}", html_lang)
    context = ParseContext(source_id="test", timezone=zone, languages=(lang,), fetched_at=FETCHED)
    assert published(body, context)[0].date().isoformat() == day


def test_under_for_immediate_release_an_english_page_of_no_region_writes_the_month_first() -> None:
    article = f"<h1>Talks on trade</h1><p>FOR IMMEDIATE RELEASE</p><p>10/02/2024</p>{PROSE}"
    assert published(page_with_lang(article, "en"), ctx("Europe/London", "en"))[0].date().isoformat() == "2024-10-02"
    # The same line elsewhere on such a page is read day first.
    dated = f"<h1>Talks on trade</h1><p class='info'>Posted on 10/02/2024</p>{PROSE}"
    assert published(page_with_lang(dated, "en"), ctx("Europe/London", "en"))[0].date().isoformat() == "2024-02-10"


def test_the_page_sentence_about_itself_gives_its_date() -> None:
    closing = ("<p>Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um 10:00 Uhr veröffentlicht und unter Cybercrime "
               "gespeichert. Sie können Kommentare zu diesem Eintrag über den RSS-Feed verfolgen, bisher gibt es keine.</p>")
    value, _ = published(page(f"<h1>Talks on trade</h1>{PROSE}{closing}", lang="de"), ctx("Europe/Berlin", "de"))
    assert value.date().isoformat() == "2011-12-03"
    # The same date in an ordinary sentence of the text is an event's, not the page's.
    prose = "<p>Der Bericht wurde am 3. Dezember 2011 veröffentlicht und im Ausschuss lange und kontrovers diskutiert, ohne Ergebnis.</p>"
    assert published(page(f"<h1>Talks on trade</h1>{PROSE}{prose}", lang="de"), ctx("Europe/Berlin", "de"))[0] is None


@pytest.mark.parametrize(
    ("opening", "zone", "expected"),
    [
        ("(18.01.2018) ", "Europe/Berlin", "2018-01-18"),
        ("[18.01.2018] ", "Europe/Berlin", "2018-01-18"),
        ("Madrid, 30 de septiembre de 2024.– ", "Europe/Madrid", "2024-09-30"),
    ],
)
def test_bracketed_and_spanish_datelines(opening: str, zone: str, expected: str) -> None:
    article = f"<h1>Talks on trade</h1><p>{opening}The minister held talks with his counterpart on Tuesday. The sides discussed trade.</p>{PROSE}"
    assert published(page(article), ctx(zone))[0].date().isoformat() == expected


def test_offset_stated_is_carried_on_the_release() -> None:
    stated = page(f"<h1>Talks on trade</h1>{PROSE}", head="<meta property='article:published_time' content='2024-10-02T11:54:00+03:00'>")
    assert generic.parse(stated, "https://gov.example/n", ctx()).published_offset_stated is True
    local = page(f"<h1>Talks on trade</h1><p class='info'>2 октября 2024, 11:54</p>{PROSE}", lang="ru")
    release = generic.parse(local, "https://gov.example/n", ctx("Europe/Moscow", "ru"))
    assert (release.published_precision, release.published_offset_stated) == ("minute", False)
    day = generic.parse(page(f"<h1>Talks on trade</h1>{PROSE}", head="<meta name='date' content='2024-10-02'>"),
                        "https://gov.example/n", ctx())
    assert (day.published_precision, day.published_offset_stated) == ("day", False)
    undated = generic.parse(page(f"<h1>Talks on trade</h1>{PROSE}"), "https://gov.example/n", ctx())
    assert undated.published_at is None and undated.published_offset_stated is None


# ----------------------------------------------------------------------------- round 3: the styles set's misses

@pytest.mark.parametrize(
    ("line", "zone", "expected", "precision"),
    [
        # FETCHED is 2024-10-05 09:00 UTC: 12:00 in Moscow, 16:00 in Almaty.
        ("Сегодня, 11:30", "Europe/Moscow", "2024-10-05T11:30:00+03:00", "minute"),
        ("Вчера в 18:05", "Europe/Moscow", "2024-10-04T18:05:00+03:00", "minute"),
        ("Сьогодні о 10:15", "Europe/Kyiv", "2024-10-05T10:15:00+03:00", "minute"),
        ("Кеше", "Asia/Almaty", "2024-10-04T00:00:00+05:00", "day"),
        ("Dünən, 12:30", "Asia/Baku", "2024-10-04T12:30:00+04:00", "minute"),
        ("Yesterday", "America/New_York", "2024-10-04T00:00:00-04:00", "day"),
        ("Yesterday, 2:30 PM", "America/New_York", "2024-10-04T14:30:00-04:00", "minute"),
        ("Today at 9:05 a.m.", "America/New_York", "2024-10-05T09:05:00-04:00", "minute"),
        ("Ieri, 14:30", "Europe/Rome", "2024-10-04T14:30:00+02:00", "minute"),
        ("Hoje às 10:00", "Europe/Lisbon", "2024-10-05T10:00:00+01:00", "minute"),
        ("Včera 8:15", "Europe/Prague", "2024-10-04T08:15:00+02:00", "minute"),
        ("今天 14:30", "Asia/Shanghai", "2024-10-05T14:30:00+08:00", "minute"),
        ("어제 09:15", "Asia/Seoul", "2024-10-04T09:15:00+09:00", "minute"),
    ],
)
def test_a_relative_day_under_the_headline_is_read_against_the_fetch_time(line: str, zone: str, expected: str, precision: str) -> None:
    value, got = published(page(f"<h1>Talks on trade</h1><div class='news-date'>{line}</div>{PROSE}"), ctx(zone))
    assert value.isoformat() == expected
    assert got == precision


def test_a_relative_day_needs_the_fetch_time_and_a_line_of_its_own() -> None:
    unknown_fetch = ParseContext(source_id="test", timezone="Europe/Moscow", languages=("ru",))
    assert published(page(f"<h1>Talks on trade</h1><div class='news-date'>Сегодня, 11:30</div>{PROSE}"), unknown_fetch)[0] is None
    # "today" inside a sentence is prose, not a date line.
    sentence = "<p class='info'>Today the minister met the press.</p>"
    assert published(page(f"<h1>Talks on trade</h1>{sentence}{PROSE}"))[0] is None


def test_polish_labels_and_a_record_table_after_the_article() -> None:
    record = ("<table class='metryka'><tr><td>Data wytworzenia:</td><td>05.03.2024</td></tr>"
              "<tr><td>Data publikacji:</td><td>07.03.2024 12:00</td></tr>"
              "<tr><td>Data modyfikacji:</td><td>14.03.2024 09:15</td></tr></table>")
    body = (f"<!doctype html><html lang='pl'><head><meta charset='utf-8'><title>Rozmowy</title></head><body>"
            f"<div class='tresc'><h1>Rozmowy o handlu</h1>{PROSE}</div>{record}</body></html>").encode()
    value, precision = published(body, ctx("Europe/Warsaw", "pl"))
    assert value.isoformat() == "2024-03-07T12:00:00+01:00" and precision == "minute"
    assert published(page(f"<h1>Talks on trade</h1><p class='meta'>opublikowano: 27 marca 2024</p>{PROSE}", lang="pl"),
                     ctx("Europe/Warsaw", "pl"))[0].date().isoformat() == "2024-03-27"


@pytest.mark.parametrize(("published", "edited", "zone", "day"), [
    ("تاریخ انتشار: ۱۴۰۳/۰۷/۱۱ - ۱۰:۱۵", "آخرین به‌روزرسانی: ۱۴۰۳/۰۷/۱۴", "Asia/Tehran", "2024-10-02"),
    ("تاريخ النشر: 02/10/2024", "آخر تعديل: 05/10/2024", "Asia/Riyadh", "2024-10-02"),
    ("发布时间：2024年10月2日 10:15", "更新时间：2024年10月4日", "Asia/Shanghai", "2024-10-02"),
    ("發布日期：113年10月2日", "更新時間：113年10月4日", "Asia/Taipei", "2024-10-02"),
    ("掲載日：令和6年10月2日", "更新日：令和6年10月4日", "Asia/Tokyo", "2024-10-02"),
    ("입력 2024.10.02 10:15", "수정 2024.10.04 09:00", "Asia/Seoul", "2024-10-02"),
    ("Pubblicato il 2 ottobre 2024", "Aggiornato il 4 ottobre 2024", "Europe/Rome", "2024-10-02"),
    ("Yayın tarihi: 2 Ekim 2024", "Güncelleme: 4 Ekim 2024", "Europe/Istanbul", "2024-10-02"),
    ("Δημοσιεύθηκε: 2 Οκτωβρίου 2024", "Ενημερώθηκε: 4 Οκτωβρίου 2024", "Europe/Athens", "2024-10-02"),
    ("Publikováno: 2. října 2024", "Aktualizováno: 4. října 2024", "Europe/Prague", "2024-10-02"),
    ("Diterbitkan: 2 Oktober 2024", "Diperbarui: 4 Oktober 2024", "Asia/Jakarta", "2024-10-02"),
    ("Ngày đăng: 02/10/2024", "Cập nhật: 04/10/2024", "Asia/Ho_Chi_Minh", "2024-10-02"),
])
def test_publication_and_edit_labels_of_more_languages(published: str, edited: str, zone: str, day: str) -> None:
    """A record block after the text is read by its labels only: the publication label's line gives the day, and
    the edit's line, alone, gives none (nor does it win beside the publication's, wherever it stands)."""
    from govpress.parsers import datefinder

    def found(trailing: list[str], region: list[str] = ()) -> str | None:
        result = datefinder.find_publication_date(
            meta_published=[], heading_dates=[], title="Talks on trade", first_paragraphs=[], url="https://gov.example/n",
            region_lines=["Talks on trade", *region], trailing_lines=trailing, tz=zone, reference=FETCHED)
        return result.date.value.date().isoformat() if result.date else None

    assert found([published]) == day
    assert found([edited]) is None
    assert found([edited, published]) == day
    assert found([], [edited, published]) == day


@pytest.mark.parametrize(("url", "line", "expected"), [
    ("https://gov.example/news/2022/10/visit/", "2 октября, 14:30", "2022-10-02T14:30:00+03:00"),
    ("https://gov.example/news/2022/", "2 января, 10:00", "2022-01-02T10:00:00+03:00"),  # not 2023: the year's end is near
    ("https://gov.example/news/2022/", "30 декабря", "2022-12-30T00:00:00+03:00"),
    ("https://gov.example/news/2022-10-02-visit", "2 октября, 14:30", "2022-10-02T14:30:00+03:00"),
    ("https://gov.example/news/20221002/visit", "2 октября", "2022-10-02T00:00:00+03:00"),
    ("https://gov.example/news/2024/10/visit/", "2 октября", "2024-10-02T00:00:00+03:00"),  # the fetch is earlier
    ("https://gov.example/news/visit-123/", "2 октября, 14:30", "2024-10-02T14:30:00+03:00"),  # no URL date: the fetch's
])
def test_yearless_dates_are_read_against_the_day_month_or_year_the_url_files_the_page_under(
        url: str, line: str, expected: str) -> None:
    """A backfill fetches 2022's pages in 2024 (FETCHED): "2 октября" under /2022/10/ is 2 October 2022."""
    from govpress.parsers import datefinder

    found = datefinder.find_publication_date(
        meta_published=[], heading_dates=[], title="Talks on trade", first_paragraphs=[], url=url,
        region_lines=["Talks on trade", line], tz="Europe/Minsk", reference=FETCHED)
    assert found.date is not None and found.date.value.isoformat() == expected
    # A saved page read with no fetch time: the URL alone gives the year (none without it).
    unfetched = generic.parse(page(f"<h1>Talks on trade</h1><p class='info'>{line}</p>{PROSE}", lang="ru"), url,
                              ParseContext(source_id="test", timezone="Europe/Minsk", languages=("ru",)))
    if "visit-123" in url:
        assert unfetched.published_at is None
    else:
        assert unfetched.published_at is not None and unfetched.published_at.isoformat() == expected


def test_a_dateline_with_an_agency_in_capitals() -> None:
    article = f"<h1>Talks on trade</h1><p>Bakı, 15 fevral, AZƏRTAC. Nazir səfir ilə görüşüb. Tərəflər ticarəti müzakirə ediblər.</p>{PROSE}"
    value, precision = published(page(article, lang="az"), ctx("Asia/Baku", "az"))
    assert value.date().isoformat() == "2024-02-15" and precision == "day"


def test_labelled_date_lines_closing_the_text_are_not_body() -> None:
    closing = "<p>Дата публикации: 19.02.2024<br>Дата изменения: 28.02.2024</p>"
    release = generic.parse(page(f"<h1>Talks on trade</h1>{PROSE}{closing}", lang="ru"), "https://gov.example/n", ctx("Europe/Moscow", "ru"))
    assert release.published_at.date().isoformat() == "2024-02-19"
    assert "Дата" not in release.body_text and release.body_text.endswith("end of the meeting.")


def test_markup_unknown_to_the_finder_is_read_by_htmldate_as_a_last_resort() -> None:
    byline = "<p class='byline'>by Jane <abbr class='published' title='2024-03-05T10:00:00+01:00'>a while ago</abbr></p>"
    generic.counters.clear()
    value, precision = published(page(f"<h1>Talks on trade</h1>{byline}{PROSE}"), ctx("Europe/Berlin"))
    assert (value.isoformat(), precision) == ("2024-03-05T00:00:00+01:00", "day")
    assert generic.counters["markup_date_used"] == 1


def test_the_last_resort_keeps_the_rejection_rules() -> None:
    # htmldate falls back to a modification stamp, or to a "Last modified" footer: neither is a publication.
    updated = page(f"<h1>Talks on trade</h1>{PROSE}", head="<meta property='og:updated_time' content='2024-03-05T10:00:00Z'>")
    assert published(updated, ctx("Europe/Berlin"))[0] is None
    footer = page(f"<h1>Talks on trade</h1>{PROSE}", footer="<p>© 2024 Ministry. Last modified 3 January 2024.</p>")
    assert published(footer, ctx("Europe/Berlin"))[0] is None


def test_a_bare_date_line_past_the_lead_paragraph() -> None:
    lead = ("<p class='intro'>The minister met his counterpart to discuss trade, energy and transport links, and both "
            "sides agreed to meet again in the spring to sign a joint statement.</p>")
    caption = "<figure><img src='/p.jpg'><figcaption>The two ministers</figcaption></figure>"
    value, precision = published(page(f"<h1>Talks on trade</h1>{lead}{caption}<div>12.03.2024 14:20</div>{PROSE}"), ctx("Europe/Berlin"))
    assert value.isoformat() == "2024-03-12T14:20:00+01:00" and precision == "minute"
    # Past the lead, a sentence mentioning a day is prose, not a date line.
    aside = "<p>See also the meeting of 12.03.2024.</p>"
    assert published(page(f"<h1>Talks on trade</h1>{lead}{aside}{PROSE}"), ctx("Europe/Berlin"))[0] is None


# ----------------------------------------------------------------------------- the label pass's cost


def test_the_label_pass_reads_no_dates_of_a_line_without_a_published_label(monkeypatch: pytest.MonkeyPatch) -> None:
    # A region's lines are mostly the text: its figures ("12.03 million", "2024") are read only where a
    # label could make them the page's date, or where another channel (a line beside the headline) asks.
    from govpress.parsers import datefinder

    read: list[str] = []
    real = datefinder.find_dates
    monkeypatch.setattr(datefinder, "find_dates", lambda text, **kw: read.append(text) or real(text, **kw))
    prose = [f"In 2024 the ministry spent {n}.5 million on {n} projects, 12 of them in the regions." for n in range(20, 30)]
    found = datefinder.find_publication_date(
        meta_published=[], heading_dates=[], title=None, first_paragraphs=[], url="https://gov.example/n",
        region_lines=[*prose, "Datum: 03.07.2018", "Veröffentlicht am", "4. Juli 2018"], tz="Europe/Berlin", reference=FETCHED)
    assert found.date is not None and found.date.value.date().isoformat() == "2018-07-03"
    assert not set(read) & set(prose)
    assert "Datum: 03.07.2018" in read and "4. Juli 2018" in read  # the labelled line, the line after a label alone


def _label_forms() -> list[str]:
    """The literal parts of every form of the published label's words (optional and inner groups left out)."""
    from govpress.parsers.datefinder import _PUBLISHED_WORDS

    return top_level_alternatives(_PUBLISHED_WORDS)


def test_every_form_of_the_published_label_holds_a_piece_the_prefilter_looks_for() -> None:
    from govpress.parsers.datefinder import _PUBLISHED_PIECES, _may_hold_published_label

    forms = _label_forms()
    assert len(forms) > 30
    for form in forms:
        required = re.sub(r"\[[^\]]*\]\?", "", re.sub(r"\(\?:[^()]*\)\??", "", form))  # groups dropped: what is left is literal
        chunks = required.split(r"\s+")
        assert all(re.fullmatch(r"[^\W\d_]+", chunk) for chunk in chunks if chunk), form
        assert any(piece in chunk.casefold() for chunk in chunks for piece in _PUBLISHED_PIECES), form
        assert _may_hold_published_label(f"xx {required.replace(chr(92) + 's+', ' ').upper()}: 03.07.2018".casefold())


def test_every_character_the_case_blind_label_match_takes_for_a_piece_letter_folds_to_it() -> None:
    # The prefilter looks for the pieces in the line's case fold; the label is matched case-blind (re.I), which
    # also takes "ı" and "İ" for "i", "ſ" for "s", "K" (Kelvin) for "k": each such character must fold to the letter.
    from itertools import chain

    from govpress.parsers.datefinder import _PUBLISHED_PIECES

    letters = sorted(set("".join(_PUBLISHED_PIECES)))
    assert all(letter.casefold() == letter for letter in letters)
    everything = "".join(map(chr, chain(range(0xD800), range(0xE000, 0x110000))))
    for letter in letters:
        taken = re.compile(re.escape(letter), re.I).findall(everything)
        assert letter in taken and all(char.casefold() == letter for char in taken), (letter, taken)


def test_the_prefilter_passes_every_line_the_published_label_matches_a_segment_of() -> None:
    import random

    from govpress.parsers.datefinder import _PUBLISHED_LABEL, _may_hold_published_label

    positives = 0
    rng = random.Random(7)
    words = [re.sub(r"\\s\+", " ", re.sub(r"\(\?:([^()|]*)[^()]*\)\??|\[([^\]])[^\]]*\]\??", r"\1\2", f)) for f in _label_forms()]
    noise = ["", " ", "12.03.2024", "Berlin,", "·", "(", "ı", "İ", "ſ", "of", "le"]
    for _ in range(3000):
        parts = [rng.choice(noise + words) for _ in range(rng.randint(1, 5))]
        line = " ".join(p.upper() if rng.random() < 0.3 else p for p in parts)
        segments = [line[i:j] for i in range(len(line) + 1) for j in range(i, min(len(line), i + 60) + 1)]
        if any(_PUBLISHED_LABEL.search(s) for s in segments):
            positives += 1
            assert _may_hold_published_label(line.casefold()), line
    assert positives > 1000


def test_every_form_of_for_immediate_release_holds_a_piece_the_prefilter_looks_for() -> None:
    """The release line's search runs only on lines whose case fold holds one of the pieces: each form holds one."""
    from govpress.parsers.datefinder import _IMMEDIATE_RELEASE, _IMMEDIATE_RELEASE_PIECES, _may_hold_immediate_release

    forms = [form.replace(r"\s+", " ") for form in _IMMEDIATE_RELEASE.pattern.split("|")]
    assert len(forms) == 4
    for form in forms:
        assert any(piece in form.casefold() for piece in _IMMEDIATE_RELEASE_PIECES), form
        for line in (form, form.upper(), form.title(), f"PRESS: {form.upper()} 12.03.2024", f"x\u00a0{form}\tend"):
            assert _IMMEDIATE_RELEASE.search(line), line
            assert _may_hold_immediate_release(line.casefold()), line
        assert _may_hold_immediate_release(form.casefold().replace("  ", " "))
    assert not _may_hold_immediate_release("12 march 2024, berlin".casefold())


def assert_case_blind_takes_only_what_folds_to(letters: list[str]) -> None:
    """Each letter: re.I takes it, and every code point re.I takes for it folds to it (a screen in the case fold holds)."""
    from itertools import chain

    everything = "".join(map(chr, chain(range(0xD800), range(0xE000, 0x110000))))
    for letter in letters:
        taken = re.compile(re.escape(letter), re.I).findall(everything)
        assert letter in taken and all(char.casefold() == letter for char in taken), (letter, taken)


def test_every_character_the_case_blind_release_match_takes_for_a_piece_letter_folds_to_it() -> None:
    # As for the label's pieces: the pieces' letters are ones re.I takes only as themselves or their capital,
    # and every character it takes for one folds to it, so a matching line's case fold holds the piece.
    from govpress.parsers.datefinder import _IMMEDIATE_RELEASE_PIECES

    assert_case_blind_takes_only_what_folds_to(sorted(set("".join(_IMMEDIATE_RELEASE_PIECES))))


def test_the_release_prefilter_passes_every_line_the_release_search_matches() -> None:
    import random

    from govpress.parsers.datefinder import _IMMEDIATE_RELEASE, _may_hold_immediate_release

    rng = random.Random(14)
    forms = [form.replace(r"\s+", " ") for form in _IMMEDIATE_RELEASE.pattern.split("|")]
    noise = ["", " ", "12.03.2024", "Berlin,", "·", "ı", "İ", "ſ", "MÉD", "Immediate", "release", "pour"]
    positives = 0
    for _ in range(3000):
        parts = [rng.choice(noise + forms) for _ in range(rng.randint(1, 4))]
        line = " ".join(p.upper() if rng.random() < 0.3 else p for p in parts)
        if _IMMEDIATE_RELEASE.search(line):
            positives += 1
            assert _may_hold_immediate_release(line.casefold()), line
    assert positives > 1000


# ----------------------------------------------------------------------------- the other labels' screen


def _other_label_forms() -> list[str]:
    """Every concrete form of the other labels' words: inner alternations and optional letters spelt out,
    ``\\s+`` as one space, ``\\b`` dropped."""
    import itertools

    from govpress.parsers.datefinder import _OTHER_LABEL

    body = _OTHER_LABEL.pattern
    assert body.startswith("(?:") and body.endswith(")")
    forms = []
    for form in top_level_alternatives(body[3:-1]):
        form = form.replace(r"\s+", " ").replace(r"\b", "")
        # Split into literal runs, (?:a|b) groups and [xy]? classes; every combination is a form.
        parts = re.split(r"(\(\?:[^()]*\)\??|\[[^\]]*\]\??)", form)
        choices = []
        for part in parts:
            if part.startswith("(?:"):
                inner = part[3:part.rindex(")")].split("|")
                choices.append(inner + ([""] if part.endswith("?") else []))
            elif part.startswith("["):
                inner = list(part[1:part.rindex("]")])
                choices.append(inner + ([""] if part.endswith("?") else []))
            else:
                choices.append([part])
        for combo in itertools.product(*choices):
            text = "".join(combo)
            assert re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+)*", text), text  # only letters and spaces are left
            forms.append(text)
    return forms


def test_every_form_of_the_other_labels_holds_a_piece_the_screen_looks_for() -> None:
    from govpress.parsers.datefinder import _OTHER_LABEL, _OTHER_PIECES, _has_other_label

    forms = _other_label_forms()
    assert len(forms) > 45
    for form in forms:
        assert any(piece in word for word in form.casefold().split() for piece in _OTHER_PIECES), form
        for line in (form, form.upper(), form.title(), f"Stand: 12.03.2024 {form.upper()}", f"x\u00a0{form}\tend"):
            assert _OTHER_LABEL.search(line), line
            assert _has_other_label(line), line
    assert not _has_other_label("Published 9 June 2026, 16:34") and not _has_other_label("12.03.2024")


def test_every_character_the_case_blind_other_label_match_takes_for_a_piece_letter_folds_to_it() -> None:
    # As for the published label's pieces: none holds a Latin "i" (re.I takes "ı" and "İ" for it, which do not
    # fold to "i"), and every character re.I takes for a piece's letter folds to that letter.
    from govpress.parsers.datefinder import _OTHER_PIECES

    letters = sorted(set("".join(_OTHER_PIECES)))
    assert "i" not in letters and all(letter.casefold() == letter for letter in letters)
    assert_case_blind_takes_only_what_folds_to(letters)


def assert_screen_answers_as_the_search_on_made_lines(pattern, screen, forms: list[str], noise: list[str], *,
                                                     seed: int) -> None:
    """``screen(line)`` says what ``pattern.search(line)`` finds on 4,000 lines made of the forms and noise (some
    upper-cased), more than 1,500 of them holding a match."""
    import random

    rng = random.Random(seed)
    positives = 0
    for _ in range(4000):
        parts = [rng.choice(noise + forms) for _ in range(rng.randint(1, 5))]
        line = rng.choice((" ", "", "\t")).join(p.upper() if rng.random() < 0.3 else p for p in parts)
        expected = pattern.search(line) is not None
        positives += expected
        assert screen(line) == expected, line
    assert positives > 1500


def test_the_other_label_screen_gives_the_search_s_answer_on_made_lines() -> None:
    from govpress.parsers.datefinder import _OTHER_LABEL, _has_other_label

    noise = ["", " ", "12.03.2024", "Berlin,", "·", "ı", "İ", "ſ", "K", "ᲀ", "Published", "Дата:", "am", "le", "d", "st", "\u00a0"]
    assert_screen_answers_as_the_search_on_made_lines(_OTHER_LABEL, _has_other_label, _other_label_forms(), noise, seed=15)


# ----------------------------------------------------------------------------- the copyright screen


def _copyright_forms() -> list[str]:
    """Every form of the copyright notice's words, ``\\s+``/``\\s*`` as one space, ``\\d{4}`` as a year."""
    from govpress.parsers.datefinder import _COPYRIGHT

    return [re.sub(r"\\(.)", r"\1", form.replace(r"\s+", " ").replace(r"\s*", " ").replace(r"\d{4}", "2024"))
            for form in _COPYRIGHT.pattern.split("|")]


def test_every_form_of_the_copyright_notice_holds_a_piece_the_screen_looks_for() -> None:
    from govpress.parsers.datefinder import _COPYRIGHT, _COPYRIGHT_PIECES, _has_copyright

    forms = _copyright_forms()
    assert len(forms) == 10
    for form in forms:
        assert any(piece in form.casefold() for piece in _COPYRIGHT_PIECES), form
        for line in (form, form.upper(), form.title(), f"2024 {form.upper()}", f"x\u00a0{form}\tend"):
            assert _COPYRIGHT.search(line) and _has_copyright(line), line
    assert not _has_copyright("Published 9 June 2026, 16:34") and not _has_copyright("12.03.2024")


def test_every_character_the_case_blind_copyright_match_takes_for_a_piece_letter_folds_to_it() -> None:
    from govpress.parsers.datefinder import _COPYRIGHT_PIECES

    letters = sorted(set("".join(_COPYRIGHT_PIECES)) - set("()"))
    assert "i" not in letters and all(letter.casefold() == letter for letter in letters)
    assert_case_blind_takes_only_what_folds_to(letters)


def test_the_copyright_screen_gives_the_search_s_answer_on_made_lines() -> None:
    from govpress.parsers.datefinder import _COPYRIGHT, _has_copyright

    noise = ["", " ", "12.03.2024", "2024", "(C)", "(c)", "©", "Berlin,", "·", "ı", "İ", "ſ", "K", "ᲀ", "Rights", "все", "\u00a0"]
    assert_screen_answers_as_the_search_on_made_lines(_COPYRIGHT, _has_copyright, _copyright_forms(), noise, seed=16)


@pytest.mark.parametrize("name", ["_PUBLISHED", "_OTHER", "_COPYRIGHT"])
def test_the_pieces_entered_at_their_rarest_letter_find_the_same_texts(name: str) -> None:
    """``_pieces_pattern``: each piece is entered at its rarest letter and checked back; a text holds a match
    exactly when it holds one of the pieces (made texts of the pieces' letters, pieces and their fragments)."""
    import random

    from govpress.parsers import datefinder

    pieces = getattr(datefinder, f"{name}_PIECES")
    pattern = getattr(datefinder, f"{name}_PIECE")
    rank = datefinder._LETTERS_BY_FREQUENCY
    for piece, branch in zip(dict.fromkeys(pieces), pattern.pattern.split("|")):
        entry = max(piece, key=lambda c: rank.find(c) if c in rank else len(rank))
        assert branch.startswith(re.escape(entry)), (piece, branch)  # the first letter only when it is the rarest
    rng = random.Random(22)
    letters = sorted(set("".join(pieces))) + [" ", "x", "1"]
    fragments = [p[:k] for p in pieces for k in range(1, len(p))] + [p[k:] for p in pieces for k in range(1, len(p))]
    texts = ["".join(rng.choice(letters) for _ in range(rng.randrange(14))) for _ in range(40_000)]
    texts += ["".join(rng.choice(fragments + list(pieces) + letters) for _ in range(rng.randrange(5))) for _ in range(40_000)]
    held = 0
    for text in texts:
        found = any(piece in text for piece in pieces)
        assert (pattern.search(text) is not None) == found, text
        held += found
    assert held > 5_000


def test_every_character_the_case_blind_self_published_match_opens_with_is_an_opener() -> None:
    import sys

    from govpress.parsers.datefinder import _SELF_PUBLISHED, _SELF_PUBLISHED_OPENERS

    # The forms open with "this", "dieser", "cet", "эта" or "данная", after non-word characters only.
    assert _SELF_PUBLISHED.pattern.startswith(r"^\W*(?:this\s")
    for form in ("|dieser\\s", "|cet\\s", "|(?:эта|данная)\\s"):
        assert form in _SELF_PUBLISHED.pattern, form
    assert _SELF_PUBLISHED.pattern.count("|") == 14
    firsts = re.compile("[tdcэд]", re.I)
    taken = {chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF and firsts.fullmatch(chr(cp))}
    assert taken == set(_SELF_PUBLISHED_OPENERS)
    word = re.compile(r"\w")
    assert all(bool(word.fullmatch(chr(cp))) == (chr(cp).isalnum() or chr(cp) == "_")
               for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF)


def test_the_self_published_sentence_is_matched_only_on_lines_that_may_open_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from govpress.parsers import datefinder

    asked: list[str] = []
    real = datefinder._SELF_PUBLISHED

    class Spy:
        def match(self, line: str):
            asked.append(line)
            return real.match(line)

    monkeypatch.setattr(datefinder, "_SELF_PUBLISHED", Spy())
    lines = ["Ministry of Trade", "Minister held talks.", "This entry was posted on 3 October 2024 by admin",
             "« Dieser Beitrag wurde am 2. Oktober 2024 veröffentlicht", "_this entry was posted on 1 October 2024", "",
             "эта запись опубликована 1 октября 2024", "Ministry", "12 October"]
    found = datefinder.find_publication_date(
        meta_published=[], heading_dates=[], title=None, first_paragraphs=[], url="https://gov.example/n",
        region_lines=lines, tz="Europe/Berlin", reference=FETCHED)
    assert asked == [lines[2], lines[3], "", lines[6]]
    assert found.date is not None and found.date.value.date().isoformat() == "2024-10-03"
    labelled = {c.text for c in found.candidates if c.channel == "label"}
    assert {lines[3], lines[6]} <= labelled  # read as the page's sentence about itself only


def test_the_dateline_read_from_the_leading_date_finds_what_every_date_of_the_opening_gave(monkeypatch) -> None:
    """The dateline reads the opening's first date only when it may start a dateline (at most 60 characters in,
    or after an opening bracket and spaces); made openings give the same candidates as the whole reading."""
    import random

    from govpress.parsers import datefinder

    rng = random.Random(25)
    places = ["MINSK, ", "Berlin, den ", "Paris, le ", "(", "[", "  (  ", "Сегодня ", "Bakı, ", "WASHINGTON, ",
              "Participants noted the road map for 2026-2027 ", "x" * 50 + " ", "12 ", ""]
    dated = ["2 октября", "12.03.2024", "19:22 21.02.2026", "Oct. 2, 2024", "31.02.2024 12.03.2024", "15 fevral",
             "2024-10-02", "30 de septiembre de 2024", "3 кастрычніка 2024 г.", "in 2025", "no date"]
    after = [" (БЕЛТА) – The minister", ") The minister", "] The minister", ", AZƏRTAC. Text", " – text", ".– text",
             " text", " — On 2 October, talks"]
    openings = ["".join(rng.choice(places) for _ in range(rng.randrange(0, 3))) + rng.choice(dated) + rng.choice(after)
                for _ in range(1500)]
    openings += [" " * n + "(12.03.2024) The minister" for n in (0, 1, 70)] + ["(" + " " * 70 + "12.03.2024) Text"]
    openings += ["x" * n + " 12.03.2024 – Text" for n in range(55, 64)]

    def read(heads: list[str]) -> datefinder.FoundDate:
        return datefinder.find_publication_date(
            meta_published=[], heading_dates=[], region_lines=["Talks on trade"], title="Talks on trade",
            first_paragraphs=heads, url="https://gov.example/news/talks", tz="Europe/Minsk", reference=FETCHED)

    fast = [read([a, b]) for a, b in zip(openings, openings[1:] + openings[:1])]
    monkeypatch.setattr(datefinder._Collector, "leading_date_in", lambda self, head: (self.dates_in(head) or [None])[0])
    whole = [read([a, b]) for a, b in zip(openings, openings[1:] + openings[:1])]
    assert fast == whole
    assert sum(found.date is not None for found in whole) > 300


def test_one_fold_tells_a_copyright_or_an_other_label_as_the_two_checks_do() -> None:
    import random

    from govpress.parsers.datefinder import _has_copyright, _has_copyright_or_other_label, _has_other_label

    rng = random.Random(25)
    pieces = _copyright_forms() + _other_label_forms() + ["Дата публикации: ", "12.03.2024", "x", " ", "İ", "ß", "News"]
    for _ in range(3000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 4)))
        line = line.upper() if rng.random() < 0.3 else line
        assert _has_copyright_or_other_label(line) == (_has_copyright(line) or _has_other_label(line)), line


def _near_title(lines: list[str]):
    from govpress.parsers import datefinder

    return datefinder.find_publication_date(
        meta_published=[], heading_dates=[], region_lines=lines, title="Talks on trade", first_paragraphs=[],
        url="https://gov.example/news/talks", tz="Europe/Minsk", reference=FETCHED)


def test_a_dateless_line_near_the_headline_is_not_searched_for_labels_unless_it_is_a_relative_day(monkeypatch) -> None:
    from govpress.parsers import datefinder

    asked: list[str] = []
    check = datefinder._has_copyright_or_other_label
    monkeypatch.setattr(datefinder, "_has_copyright_or_other_label", lambda line: asked.append(line) or check(line))
    assert _near_title(["Economy", "Talks on trade", "Photo: press service"]).date is None
    assert asked == []
    # A relative day is still checked for labels: "Обновлено сегодня, 14:30" is an edit's.
    assert _near_title(["Сегодня, 14:30", "Talks on trade"]).date.value.hour == 14
    assert _near_title(["Updated today, 14:30", "Talks on trade"]).date is None
    assert asked == ["Сегодня, 14:30"]
    # A dated line: its labels decide, as ever.
    assert _near_title(["12.03.2024", "Talks on trade"]).date.value.day == 12
    assert _near_title(["© 12.03.2024", "Talks on trade"]).date is None


def test_lines_are_looked_at_for_immediate_release_only_when_the_page_may_hold_it(monkeypatch) -> None:
    from govpress.parsers import datefinder

    looked: list[str] = []
    may_hold = datefinder._may_hold_immediate_release
    monkeypatch.setattr(datefinder, "_may_hold_immediate_release", lambda folded: looked.append(folded) or may_hold(folded))
    _near_title(["Economy", "Talks on trade", "The sides met.", "They agreed."])
    assert len(looked) == 1  # the page's joined folds: no piece, no line looked at
    looked.clear()
    found = _near_title(["Talks on trade", "The sides met at length in the capital city.", "FOR IMMEDIATE RELEASE",
                         "12.03.2024", "They agreed."])
    assert len(looked) == 1 + 5 and found.date.value.day == 12  # the joined folds, then each short line
    assert "release" in [c.channel for c in found.candidates]


def test_render_stamps_are_looked_for_only_among_meta_dates(monkeypatch) -> None:
    from zoneinfo import ZoneInfo

    from govpress.parsers import datefinder

    zones: list[str] = []
    monkeypatch.setattr(datefinder, "ZoneInfo", lambda name: zones.append(name) or ZoneInfo(name))
    assert _near_title(["12.03.2024", "Talks on trade"]).date.value.day == 12
    assert zones == []  # no <meta> date: the fetch day is not worked out
    # A <meta> date on the fetch day beside a visible other day is still dropped as the render day's stamp.
    found = datefinder.find_publication_date(
        meta_published=[("meta", FETCHED.isoformat())], heading_dates=[], region_lines=["12.03.2024", "Talks on trade"],
        title="Talks on trade", first_paragraphs=[], url="https://gov.example/n", tz="Europe/Minsk", reference=FETCHED)
    assert zones == ["Europe/Minsk"] and found.date.value.date().isoformat() == "2024-03-12"
