"""government_ru parser on the constructed government.ru pages (govpress/demo/sites/government_ru).

The pages are CONSTRUCTED to the selectors in SOURCES.md (not recordings). Their date line
prints "+04:00" as SOURCES.md reports for the site; it is read as Moscow wall-clock time.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers.sites import government_ru
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import CONSTRUCTED_SITES

SITE = CONSTRUCTED_SITES / "government_ru"
BASE = "http://127.0.0.1:8765/fixtures/sites/government_ru"
MSK = timezone(timedelta(hours=3))
NOISE = ("Поделиться", "Share:", "Материалы по теме", "Фото пресс-службы", "Photo by", "Creative Commons", "Новости",
         "Документы", "Documents", "ВКонтакте", "Telegram", "Азербайджан\n")


def test_russian_article():
    path = "news/53102.html"
    release = government_ru.parse((SITE / path).read_bytes(), f"{BASE}/{path}", ParseContext(source_id="government_ru", timezone="Europe/Moscow", languages=("ru",)))
    assert release.title == "Телефонный разговор Михаила Мишустина с Премьер-министром Азербайджана Али Асадовым"
    assert release.lead == "Обсуждались вопросы торгово-экономического сотрудничества."
    # Printed "2024-10-03T16:00:00+04:00" with "16:00" shown: Moscow wall-clock, +03:00.
    assert release.published_at == datetime(2024, 10, 3, 16, 0, tzinfo=MSK)
    assert release.published_at.utcoffset() == timedelta(hours=3)
    assert release.language == "ru"
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == ("Председатель Правительства Российской Федерации Михаил Мишустин провел телефонный "
                                 "разговор с Премьер-министром Азербайджанской Республики Али Асадовым.")
    assert body_sentences[-1] == "Договорились продолжить регулярные контакты на уровне глав правительств."
    assert release.tags == ["Азербайджан", "Международное сотрудничество"]
    assert release.canonical_url == "http://government.ru/news/53102/"
    assert release.kind == "news"
    for noise in NOISE:
        assert noise not in release.body_text


def test_english_article():
    path = "en/news/53103.html"
    release = government_ru.parse((SITE / path).read_bytes(), f"{BASE}/{path}", ParseContext(timezone="Europe/Moscow", languages=("en",)))
    assert release.title == "Mikhail Mishustin's telephone conversation with Prime Minister of Azerbaijan Ali Asadov"
    assert release.published_at == datetime(2024, 10, 3, 17, 30, tzinfo=MSK)
    assert release.language == "en"
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == ("Prime Minister of the Russian Federation Mikhail Mishustin had a telephone conversation "
                                 "with Prime Minister of the Republic of Azerbaijan Ali Asadov.")
    assert body_sentences[-1] == "They agreed to maintain regular contacts at the level of heads of government."
    assert release.canonical_url == "http://government.ru/en/news/53103/"
    for noise in NOISE:
        assert noise not in release.body_text


def test_visible_date_line_when_the_attribute_is_missing():
    path = "news/53102.html"
    body = (SITE / path).read_bytes().replace(b' datetime="2024-10-03T16:00:00+04:00"', b"")
    release = government_ru.parse(body, f"{BASE}/{path}", ParseContext(timezone="Europe/Moscow", languages=("ru",)))
    assert release.published_at == datetime(2024, 10, 3, 16, 0, tzinfo=MSK)


def test_news_url_without_the_markup_is_a_parse_error():
    listing = (SITE / "news.html").read_bytes()
    with pytest.raises(ParseError):
        government_ru.parse(listing, "http://government.ru/news/53102/", ParseContext(timezone="Europe/Moscow"))
