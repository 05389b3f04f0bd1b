"""president_az parser on the constructed president.az pages (govpress/demo/sites/president_az): az, ru, en.

The pages are CONSTRUCTED to the selectors in SOURCES.md (not recordings).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers.sites import president_az
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import CONSTRUCTED_SITES

SITE = CONSTRUCTED_SITES / "president_az"
BASE = "http://127.0.0.1:8765/fixtures/sites/president_az"
BAKU = timezone(timedelta(hours=4))
NOISE = ("Paylaş", "Поделиться", "Share", "Facebook", "Digər xəbərlər", "Другие новости", "Other news", "Foto:", "Фото:",
         "Photo:", "Əsas səhifə", "Главная", "Home", "Gəncə Avtomobil Zavodunda", "©")

EXPECTED = {
    "az": (
        "İlham Əliyev Belarus Prezidenti Aleksandr Lukaşenko ilə telefonla danışıb",
        "Oktyabrın 2-də Belarus Respublikasının Prezidenti Aleksandr Lukaşenko Azərbaycan Respublikasının Prezidenti "
        "İlham Əliyevə zəng edib.",
        "Telefon söhbəti zamanı ikitərəfli gündəliyin digər məsələləri barədə də fikir mübadiləsi aparılıb.",
    ),
    "ru": (
        "Ильхам Алиев провел телефонный разговор с Президентом Беларуси Александром Лукашенко",
        "2 октября Президент Республики Беларусь Александр Лукашенко позвонил Президенту Азербайджанской Республики "
        "Ильхаму Алиеву.",
        "В ходе телефонного разговора состоялся обмен мнениями и по другим вопросам двусторонней повестки.",
    ),
    "en": (
        "Ilham Aliyev had phone conversation with President of Belarus Aleksandr Lukashenko",
        "On October 2, President of the Republic of Belarus Aleksandr Lukashenko made a phone call to President of "
        "the Republic of Azerbaijan Ilham Aliyev.",
        "During the phone conversation, the sides also exchanged views on other issues on the bilateral agenda.",
    ),
}


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
def test_article(lang):
    title, first, last = EXPECTED[lang]
    path = f"{lang}/articles/view/67123.html"
    ctx = ParseContext(source_id=f"president_az_{lang}", timezone="Asia/Baku", languages=(lang,))
    release = president_az.parse((SITE / path).read_bytes(), f"{BASE}/{path}", ctx)
    assert release.title == title
    # "2 oktyabr 2024" / "2 октября 2024" / "02 October 2024": a day, midnight in Baku (+04:00).
    assert release.published_at == datetime(2024, 10, 2, tzinfo=BAKU)
    assert release.published_precision == "day"
    assert release.language == lang
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == first
    assert body_sentences[-1] == last
    assert len(release.body_text.split("\n\n")) == 4
    assert release.canonical_url == f"https://president.az/{lang}/articles/view/67123"
    assert release.translation_key == "president_az:67123"
    others = {code for code in ("az", "ru", "en") if code != lang}
    assert release.translations == {code: f"{BASE}/{code}/articles/view/67123.html" for code in others}
    for noise in NOISE:
        assert noise not in release.body_text


def test_article_id():
    assert president_az.article_id("https://president.az/en/articles/view/67123") == ("en", "67123")
    assert president_az.article_id("https://president.az/az/news/category/all/1") is None


def test_article_url_without_the_markup_is_a_parse_error():
    listing = (SITE / "az/news/category/all/1.html").read_bytes()
    with pytest.raises(ParseError):
        president_az.parse(listing, "https://president.az/az/articles/view/67123", ParseContext(timezone="Asia/Baku"))
