"""president_by parser on the constructed president.gov.by pages (govpress/demo/sites/president_by).

The pages are CONSTRUCTED to the selectors in SOURCES.md (not recordings): when the live
site changes, a fresh capture will fail these tests and show what moved.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers.sites import president_by
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import CONSTRUCTED_SITES

SITE = CONSTRUCTED_SITES / "president_by"
SLUG = "vstreca-s-prem-er-ministrom-azerbajdzana-ali-asadovym-1727956684"
BASE = "http://127.0.0.1:8765/fixtures/sites/president_by"
MINSK = timezone(timedelta(hours=3))
NOISE = ("Поделиться", "Падзяліцца", "Share:", "Читайте также", "Чытайце таксама", "Read also", "Фото:", "Фота:",
         "Photo:", "Главная", "Галоўная", "События", "Events", "Официальный Интернет-портал", "Telegram", "©")

EXPECTED = {
    "ru": (
        "Встреча с Премьер-министром Азербайджана Али Асадовым",
        "Александр Лукашенко 3 октября встретился с Премьер-министром Азербайджана Али Асадовым, который находится "
        "в Беларуси с официальным визитом.",
        "Было выражено удовлетворение успешным развитием дружеских и партнерских отношений между Беларусью и Азербайджаном.",
        ["Азербайджан", "Встречи", "Международное сотрудничество"],
    ),
    "be": (
        "Сустрэча з Прэм'ер-міністрам Азербайджана Алі Асадавым",
        "Аляксандр Лукашэнка 3 кастрычніка сустрэўся з Прэм'ер-міністрам Азербайджана Алі Асадавым, які знаходзіцца "
        "ў Беларусі з афіцыйным візітам.",
        "Было выказана задавальненне паспяховым развіццём сяброўскіх і партнёрскіх адносін паміж Беларуссю і Азербайджанам.",
        ["Азербайджан", "Сустрэчы"],
    ),
    "en": (
        "Meeting with Prime Minister of Azerbaijan Ali Asadov",
        "Aleksandr Lukashenko met with Prime Minister of Azerbaijan Ali Asadov, who is in Belarus on an official visit, on 3 October.",
        "Satisfaction was expressed with the successful development of friendly relations and partnership between "
        "Belarus and Azerbaijan.",
        ["Azerbaijan", "Meetings"],
    ),
}


def page(lang: str) -> tuple[bytes, str]:
    path = f"{lang}/events/{SLUG}.html"
    return (SITE / path).read_bytes(), f"{BASE}/{path}"


@pytest.mark.parametrize("lang", ["ru", "be", "en"])
def test_event_page(lang):
    title, first, last, tags = EXPECTED[lang]
    body, url = page(lang)
    release = president_by.parse(body, url, ParseContext(source_id=f"president_by_{lang}", timezone="Europe/Minsk", languages=(lang,)))
    assert release.title == title
    assert release.published_at == datetime(2024, 10, 3, 14, 58, 4, tzinfo=MINSK)
    assert release.published_at.utcoffset() == timedelta(hours=3)
    assert release.language == lang
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == first
    assert body_sentences[-1] == last
    assert release.tags == tags
    assert release.kind == "news"
    assert release.canonical_url == f"https://president.gov.by/{lang}/events/{SLUG}"
    assert release.translation_key == f"president_by:{SLUG}"
    others = {code for code in ("ru", "be", "en") if code != lang}
    assert set(release.translations) == others
    for code in others:
        assert release.translations[code] == f"{BASE}/{code}/events/{SLUG}.html"
    for noise in NOISE:
        assert noise not in release.body_text


def test_quote_paragraph_is_kept_whole():
    body, url = page("ru")
    release = president_by.parse(body, url, ParseContext(timezone="Europe/Minsk", languages=("ru",)))
    assert ("«Мы с Президентом Азербайджана договорились о конкретных проектах. Сегодня важно, чтобы правительства "
            "довели их до результата», – подчеркнул Александр Лукашенко.") in release.body_text.split("\n\n")


def test_visible_belarusian_date_when_the_attribute_is_missing():
    body, url = page("be")
    stripped = body.replace(b' data-datetime="2024-10-03T14:58:04+03:00"', b"")
    assert stripped != body
    release = president_by.parse(stripped, url, ParseContext(timezone="Europe/Minsk", languages=("be",)))
    # "3 кастрычніка 2024, 14:58" read in Europe/Minsk.
    assert release.published_at == datetime(2024, 10, 3, 14, 58, tzinfo=MINSK)
    assert release.published_precision == "minute"


def test_event_url_without_the_markup_is_a_parse_error():
    listing = (SITE / "ru/events.html").read_bytes()
    with pytest.raises(ParseError):
        president_by.parse(listing, f"https://president.gov.by/ru/events/{SLUG}", ParseContext(timezone="Europe/Minsk"))
