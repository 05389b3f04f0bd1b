"""govpress.parsers.document: the real seed document, and synthetic txt/md variants (CRLF, BOM, cp1251, metadata)."""

from __future__ import annotations

import codecs
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpress.parsers import ParseContext, ParseError, parse
from govpress.parsers import document
from govpress.parsers.text import sentences
from testpaths import shared_file

SEED_RELATIVE = "seed/000_3a8856661ff0840b.txt"
CTX = ParseContext(source_id="seed", timezone="Asia/Baku", languages=("ru",),
                   fetched_at=datetime(2024, 10, 3, 15, 0, tzinfo=timezone.utc), content_type="text/plain")


def _parse(body: bytes, url: str = "file:///doc.txt", ctx: ParseContext = CTX):
    return parse(body, url, ctx, parser="document")


@pytest.fixture(scope="module")
def seed_release():
    body = shared_file(SEED_RELATIVE).read_bytes()
    return _parse(body, "file:///seed/000_3a8856661ff0840b.txt")


def test_module_identity() -> None:
    assert document.NAME == "document"
    assert document.VERSION == "1.0"


def test_seed_title_subtitle_lead(seed_release) -> None:
    assert seed_release.title == "Расширение межрегионального взаимодействия"
    assert seed_release.subtitle == (
        "Премьер-министр Азербайджана Али Асадов совершает официальный визит в Республику Беларусь"
    )
    assert seed_release.lead.startswith("2 октября премьер-министр Азербайджанской Республики Али Асадов")
    assert seed_release.lead.endswith("прибыл с официальным визитом в Минск.")
    assert "*" not in seed_release.lead
    assert seed_release.parser == "document" and seed_release.parser_version == "1.0"


def test_seed_body_is_repaired(seed_release) -> None:
    body = seed_release.body_text
    assert "взаимодействию придало" in body
    assert "взаимодействии между Гянджинским" in body
    for compound in ("торгово-экономического", "азербайджано-белорусских", "профессионально-технического",
                     "культурно-гуманитарного", "транспортно-транзитной", "А.Асадов"):
        assert compound in body
    assert "взаимодей-" not in body
    assert "\\" not in body
    assert all("*" not in p for p in body.split("\n\n") if p != "***")


def test_seed_body_layout(seed_release) -> None:
    body = seed_release.body_text
    paragraphs = body.split("\n\n")
    assert paragraphs.count("***") == 2
    assert all(p == p.strip() and p for p in paragraphs)
    assert "\n\n\n" not in body
    # the lead is not repeated, the title and subtitle are not in the body
    assert seed_release.lead not in body
    assert not body.startswith("Расширение") and "совершает официальный визит" not in body
    assert body.startswith("Главы правительств сначала провели встречу")
    assert sentences(body)[-1] == (
        "3 октября Али Асадов встретился с премьер-министром Республики Беларусь Романом Головченко."
    )


def test_seed_language_and_no_publication_date(seed_release) -> None:
    assert seed_release.language == "ru"
    # "2 октября" in the lead is the event, not the publication date
    assert seed_release.published_at is None
    assert seed_release.published_precision is None


def test_seed_survives_crlf_bom_and_cp1251() -> None:
    original = shared_file(SEED_RELATIVE).read_bytes()
    reference = _parse(original)
    text = original.decode("utf-8")
    variants = {
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "cp1251": text.encode("cp1251"),
        "cp1251 labelled": text.encode("cp1251"),
    }
    for name, body in variants.items():
        ctx = CTX if name != "cp1251 labelled" else ParseContext(
            timezone="Asia/Baku", languages=("ru",), content_type="text/plain; charset=windows-1251")
        release = _parse(body, ctx=ctx)
        assert (release.title, release.subtitle, release.lead, release.body_text) == (
            reference.title, reference.subtitle, reference.lead, reference.body_text), name


# ---------------------------------------------------------------- synthetic documents

def test_plain_text_first_line_is_title_and_subtitle_without_full_stop() -> None:
    body = (
        "Премьер-министр посетил Минск\n\n"
        "Визит продлится два дня\n\n"
        "Главы правительств провели встречу. Стороны обсудили торгово-экономическое сотрудничество.\n\n"
        "Были подписаны соглашения о взаимодей-\n\nствии в сфере образования.\n"
    ).encode("utf-8")
    release = _parse(body)
    assert release.title == "Премьер-министр посетил Минск"
    assert release.subtitle == "Визит продлится два дня"
    assert release.lead is None
    assert release.body_text.split("\n\n") == [
        "Главы правительств провели встречу. Стороны обсудили торгово-экономическое сотрудничество.",
        "Были подписаны соглашения о взаимодействии в сфере образования.",
    ]


def test_plain_text_one_paragraph_per_line() -> None:
    body = "Заголовок новости\nПервое предложение текста.\nВторое предложение текста.\n".encode("utf-8")
    release = _parse(body)
    assert release.title == "Заголовок новости"
    assert release.subtitle is None  # the next line is a sentence, not a subtitle
    assert release.body_text == "Первое предложение текста.\n\nВторое предложение текста."


def test_plain_text_keeps_its_asterisks_and_underscores() -> None:
    body = "Title of the note\n\nThe rate is 5*3 for file_name_v2 today.\n".encode("utf-8")
    release = _parse(body, url="file:///note.txt", ctx=ParseContext())
    assert release.body_text == "The rate is 5*3 for file_name_v2 today."


def test_markdown_signals_in_a_txt_file_are_cleaned() -> None:
    body = "Title of the note\n\nThe rate is 5*3 and **not** bold, see [the page](https://example.org).\n".encode()
    release = _parse(body, url="file:///note.txt", ctx=ParseContext())
    assert release.body_text == "The rate is 5*3 and not bold, see the page."


def test_markdown_front_matter_date_language_and_tags() -> None:
    body = (
        "---\n"
        "title: \"Besuch in Minsk\"\n"
        "date: 13. Juli 2018, 10:15 Uhr\n"
        "updated: 2018-07-14T09:00:00+02:00\n"
        "lang: de\n"
        "tags: [Außenpolitik, Belarus]\n"
        "---\n\n"
        "# Besuch in Minsk\n\n"
        "**Die Ministerin reiste heute nach Minsk.**\n\n"
        "Sie traf dort ihren Amtskollegen. Die Gespräche dauerten *zwei* Stunden und waren "
        "[sehr konstruktiv](https://example.org/x).\n\n"
        "## Ergebnisse\n\n"
        "Es wurde ein Ein-\nund Ausfuhrabkommen besprochen.\n"
    ).encode("utf-8")
    ctx = ParseContext(timezone="Europe/Brussels", languages=("en",), content_type="text/markdown")
    release = _parse(body, url="file:///besuch.md", ctx=ctx)
    assert release.title == "Besuch in Minsk"
    assert release.subtitle is None
    assert release.lead == "Die Ministerin reiste heute nach Minsk."
    assert release.published_at == datetime(2018, 7, 13, 8, 15, tzinfo=timezone.utc)
    assert release.published_at.utcoffset() == timedelta(hours=2)
    assert release.published_precision == "minute"
    assert release.updated_at == datetime(2018, 7, 14, 7, 0, tzinfo=timezone.utc)
    assert release.language == "de"
    assert release.tags == ["Außenpolitik", "Belarus"]
    assert release.body_text.split("\n\n") == [
        "Sie traf dort ihren Amtskollegen. Die Gespräche dauerten zwei Stunden und waren sehr konstruktiv.",
        "Ergebnisse",
        "Es wurde ein Ein- und Ausfuhrabkommen besprochen.",
    ]


@pytest.mark.parametrize(
    ("header", "expected", "precision"),
    [
        ("Date: 2024-10-03", datetime(2024, 10, 3, tzinfo=timezone(timedelta(hours=4))), "day"),
        ("Дата: 3 октября 2024", datetime(2024, 10, 3, tzinfo=timezone(timedelta(hours=4))), "day"),
        ("Tarix: 03.10.2024 11:30", datetime(2024, 10, 3, 11, 30, tzinfo=timezone(timedelta(hours=4))), "minute"),
        ("Опубликовано: 3 октября", datetime(2024, 10, 3, tzinfo=timezone(timedelta(hours=4))), "day"),
    ],
)
def test_header_line_date(header: str, expected: datetime, precision: str) -> None:
    body = f"{header}\n\n# Заголовок\n\nТекст новости о встрече.\n".encode("utf-8")
    release = _parse(body)
    assert release.title == "Заголовок"
    assert release.published_at == expected
    assert release.published_precision == precision
    assert header not in release.body_text


def test_header_line_under_the_title() -> None:
    body = "# Заголовок\nДата: 3 октября 2024\n\nТекст новости о встрече.\n".encode("utf-8")
    release = _parse(body)
    assert release.title == "Заголовок"
    assert release.published_at is not None and release.published_at.day == 3
    assert release.body_text == "Текст новости о встрече."


def test_yearless_metadata_date_without_fetch_time_is_none() -> None:
    body = "Дата: 3 октября\n\n# Заголовок\n\nТекст новости о встрече.\n".encode("utf-8")
    release = _parse(body, ctx=ParseContext(timezone="Europe/Moscow"))
    assert release.published_at is None


def test_dates_in_body_are_not_publication_dates() -> None:
    body = "# Встреча\n\n15 марта 2018 года, 18:00 состоялась встреча в Минске.\n".encode("utf-8")
    assert _parse(body).published_at is None


def test_lead_only_document_keeps_the_lead_as_body() -> None:
    body = "# Заголовок\n\n**Короткое сообщение одной строкой.**\n".encode("utf-8")
    release = _parse(body)
    assert release.lead is None
    assert release.body_text == "Короткое сообщение одной строкой."


def test_belarusian_document_language() -> None:
    body = ("# Сустрэча кіраўнікоў урадаў\n\n"
            "Прэзідэнт Беларусі Аляксандр Лукашэнка сустрэўся з прэм'ер-міністрам Азербайджана. "
            "Бакі абмеркавалі пытанні гандлёва-эканамічнага супрацоўніцтва.\n").encode("utf-8")
    release = _parse(body, ctx=ParseContext(languages=("be", "ru")))
    assert release.language == "be"


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n\n \r\n", codecs.BOM_UTF8, b"---\ndate: 2024-10-03\n---\n", b"Date: 2024-10-03\n",
     "# Только заголовок\n".encode("utf-8"), ("x" * 600 + "\n\nТекст.").encode("utf-8")],
)
def test_unusable_documents_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        _parse(body)


def test_parse_error_reasons_are_clear() -> None:
    with pytest.raises(ParseError, match="empty"):
        _parse(b"")
    with pytest.raises(ParseError, match="no title"):
        _parse(b"Date: 2024-10-03\n")
    with pytest.raises(ParseError, match="no text"):
        _parse("# Только заголовок\n".encode("utf-8"))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.text(alphabet=st.sampled_from(list("#*\\-_ \n\r:абвDate0123.Т***")), max_size=200).map(str.encode)))
def test_fuzz_only_parse_error_escapes(body: bytes) -> None:
    try:
        release = document.parse(body, "file:///fuzz.txt", CTX)
    except ParseError:
        return
    assert release.title and release.body_text
