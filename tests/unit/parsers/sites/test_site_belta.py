"""belta parser on the constructed BelTA pages (govpress/demo/sites/belta): ru, en and de editions.

The pages are CONSTRUCTED to the selectors in SOURCES.md (not recordings).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers.sites import belta
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import CONSTRUCTED_SITES

SITE = CONSTRUCTED_SITES / "belta"
BASE = "http://127.0.0.1:8765/fixtures/sites/belta"
MINSK = timezone(timedelta(hours=3))
NOISE = ("Подписывайтесь", "Telegram", "Follow BelTA", "Folgen Sie", "Видео БЕЛТА", "BelTA video", "Фото из архива",
         "Archive photo", "Archivfoto", "Поделиться", "Share:", "Teilen:", "Читайте также", "Read also", "Lesen Sie auch",
         "Лента новостей", "Теги", "USD", "©", "Иван Петров")

CASES = [
    (
        "ru",
        "ru/politics/view/golovchenko-i-asadov-obsudili-perspektivy-belorussko-azerbajdzhanskogo-sotrudnichestva-663421-2024.html",
        "Головченко и Асадов обсудили перспективы белорусско-азербайджанского сотрудничества",
        datetime(2024, 10, 2, 11, 54, tzinfo=MINSK),
        "МИНСК, 2 октября (БЕЛТА) - Премьер-министр Беларуси Роман Головченко и Премьер-министр Азербайджана Али Асадов "
        "провели переговоры в Минске, передает корреспондент БЕЛТА.",
        "Визит азербайджанской делегации продлится до 3 октября.",
        "Минск",
        "https://www.belta.by/politics/view/golovchenko-i-asadov-obsudili-perspektivy-belorussko-azerbajdzhanskogo-sotrudnichestva-663421-2024/",
    ),
    (
        "en",
        "en/politics/view/golovchenko-asadov-discuss-prospects-of-belarus-azerbaijan-cooperation-162345-2024.html",
        "Golovchenko, Asadov discuss prospects of Belarus-Azerbaijan cooperation",
        datetime(2024, 10, 2, 13, 20, tzinfo=MINSK),
        "MINSK, 2 October (BelTA) - Prime Minister of Belarus Roman Golovchenko and Prime Minister of Azerbaijan Ali "
        "Asadov held talks in Minsk, BelTA has learned.",
        "The parties stood for deeper cooperation in transport and transit.",
        "Minsk",
        "https://eng.belta.by/politics/view/golovchenko-asadov-discuss-prospects-of-belarus-azerbaijan-cooperation-162345-2024/",
    ),
    (
        "de",
        "de/politics/view/golowtschenko-und-assadow-eroertern-perspektiven-der-zusammenarbeit-81234-2024.html",
        "Golowtschenko und Assadow erörtern Perspektiven der Zusammenarbeit",
        # No mediator meta on this page: "02 Oktober 2024, 15:05" from div.date_full, read in Europe/Minsk.
        datetime(2024, 10, 2, 15, 5, tzinfo=MINSK),
        "MINSK, 2. Oktober (BelTA) - Der belarussische Premierminister Roman Golowtschenko und der aserbaidschanische "
        "Premierminister Ali Assadow haben in Minsk Verhandlungen geführt.",
        "Der Besuch der aserbaidschanischen Delegation dauert bis zum 3. Oktober.",
        "Minsk",
        "https://deu.belta.by/politics/view/golowtschenko-und-assadow-eroertern-perspektiven-der-zusammenarbeit-81234-2024/",
    ),
]


@pytest.mark.parametrize(("lang", "path", "title", "published", "first", "last", "place", "canonical"), CASES)
def test_article(lang, path, title, published, first, last, place, canonical):
    ctx = ParseContext(source_id=f"belta_{lang}", timezone="Europe/Minsk", languages=(lang,))
    release = belta.parse((SITE / path).read_bytes(), f"{BASE}/{path}", ctx)
    assert release.title == title
    assert release.published_at == published
    assert release.published_at.utcoffset() == timedelta(hours=3)
    assert release.language == lang
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == first
    assert body_sentences[-1] == last
    assert release.place == place
    assert release.canonical_url == canonical
    assert release.translation_key is None  # editions number their items separately
    assert release.kind == "news"
    for noise in NOISE:
        assert noise not in release.body_text


def test_english_date_line_when_the_meta_is_missing():
    path = CASES[1][1]
    body = (SITE / path).read_bytes()
    stripped = body.replace(b'<meta name="mediator_published_time" content="2024-10-02T13:20:00+03:00">', b"")
    assert stripped != body
    release = belta.parse(stripped, f"{BASE}/{path}", ParseContext(timezone="Europe/Minsk", languages=("en",)))
    # "02 October 2024, 11:54"-style date line: "02 October 2024, 13:20".
    assert release.published_at == datetime(2024, 10, 2, 13, 20, tzinfo=MINSK)
    assert release.published_precision == "minute"


def test_russian_meta_keywords_and_description():
    path = CASES[0][1]
    release = belta.parse((SITE / path).read_bytes(), f"{BASE}/{path}", ParseContext(timezone="Europe/Minsk", languages=("ru",)))
    assert release.tags == ["Головченко", "Асадов", "Азербайджан", "сотрудничество"]
    assert release.lead == "Премьер-министр Беларуси Роман Головченко провел переговоры с Премьер-министром Азербайджана Али Асадовым."
    assert "«Мы видим значительный потенциал для наращивания взаимных поставок агропродукции и промышленной кооперации», - сказал Роман Головченко." in release.body_text.split("\n\n")


@pytest.mark.parametrize(
    ("paragraph", "place"),
    [
        ("МИНСК, 2 октября (БЕЛТА) - текст", "Минск"),
        ("НИЖНИЙ НОВГОРОД, 5 марта (БЕЛТА) - текст", "Нижний Новгород"),
        ("BREST, 12 May (BelTA) - text", "Brest"),
        ("Текст без датлайна.", None),
    ],
)
def test_place_from_dateline(paragraph, place):
    assert belta.place_from_dateline(paragraph) == place


def test_article_url_without_the_markup_is_a_parse_error():
    listing = (SITE / "all_news.html").read_bytes()
    with pytest.raises(ParseError):
        belta.parse(listing, "https://www.belta.by/politics/view/x-663421-2024/", ParseContext(timezone="Europe/Minsk"))
