"""govpress.parsers.dates: every format in ru/be/az/en/de, offsets, zones (DST), precision, year inference, fuzz safety."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpress.parsers.dates import find_dates, parse_date, parse_iso

UTC = timezone.utc
REF = datetime(2024, 10, 3, 12, 0, tzinfo=UTC)


def _local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


# (text, tz, expected local wall time, precision)
FORMATS = [
    # Russian: genitive, with year word, with time, nominative/prepositional forms, abbreviations
    ("15 марта 2018 года, 18:00", "Europe/Moscow", (2018, 3, 15, 18, 0), "minute"),
    ("2 октября 2024 г.", "Europe/Moscow", (2024, 10, 2), "day"),
    ("2 Октября 2024", "Europe/Moscow", (2024, 10, 2), "day"),
    ("2 ОКТЯБРЯ 2024", "Europe/Moscow", (2024, 10, 2), "day"),
    ("Опубликовано 1 мая 2024 года в 09:30", "Europe/Moscow", (2024, 5, 1, 9, 30), "minute"),
    ("2 окт. 2024", "Europe/Moscow", (2024, 10, 2), "day"),
    ("31 декабря 2023 года", "Europe/Moscow", (2023, 12, 31), "day"),
    ("29 февраля 2024", "Europe/Moscow", (2024, 2, 29), "day"),
    ("5 сентябрь 2024", "Europe/Moscow", (2024, 9, 5), "day"),
    ("2–3 октября 2024 года", "Europe/Moscow", (2024, 10, 2), "day"),
    ("15 марта 2018 г., 18:00:05", "Europe/Moscow", (2018, 3, 15, 18, 0, 5), "second"),
    # Belarusian
    ("3 кастрычніка 2024 г.", "Europe/Minsk", (2024, 10, 3), "day"),
    ("3 Кастрычніка 2024", "Europe/Minsk", (2024, 10, 3), "day"),
    ("3 кастрычнiка 2024", "Europe/Minsk", (2024, 10, 3), "day"),  # Latin i look-alike
    ("12 студзеня 2024", "Europe/Minsk", (2024, 1, 12), "day"),
    ("12 лютага 2024", "Europe/Minsk", (2024, 2, 12), "day"),
    ("12 сакавіка 2024", "Europe/Minsk", (2024, 3, 12), "day"),
    ("12 красавіка 2024", "Europe/Minsk", (2024, 4, 12), "day"),
    ("12 траўня 2024", "Europe/Minsk", (2024, 5, 12), "day"),
    ("12 мая 2024", "Europe/Minsk", (2024, 5, 12), "day"),
    ("12 чэрвеня 2024", "Europe/Minsk", (2024, 6, 12), "day"),
    ("12 ліпеня 2024", "Europe/Minsk", (2024, 7, 12), "day"),
    ("12 жніўня 2024", "Europe/Minsk", (2024, 8, 12), "day"),
    ("12 верасня 2024", "Europe/Minsk", (2024, 9, 12), "day"),
    ("12 лістапада 2024", "Europe/Minsk", (2024, 11, 12), "day"),
    ("12 снежня 2024, 14:05", "Europe/Minsk", (2024, 12, 12, 14, 5), "minute"),
    ("снежань 12 2024", "Europe/Minsk", None, None),  # Cyrillic month first is not a date form
    # Azerbaijani
    ("2 oktyabr 2024", "Asia/Baku", (2024, 10, 2), "day"),
    ("2 oktyabr 2024-cü il", "Asia/Baku", (2024, 10, 2), "day"),
    ("2 Oktyabr 2024-cü il, 15:40", "Asia/Baku", (2024, 10, 2, 15, 40), "minute"),
    ("2024-cü il 2 oktyabr", "Asia/Baku", (2024, 10, 2), "day"),
    ("1 yanvar 2024", "Asia/Baku", (2024, 1, 1), "day"),
    ("1 fevral 2024", "Asia/Baku", (2024, 2, 1), "day"),
    ("1 avqust 2024", "Asia/Baku", (2024, 8, 1), "day"),
    ("1 sentyabr 2024", "Asia/Baku", (2024, 9, 1), "day"),
    ("21.02.2026 [19:22]", "Asia/Baku", (2026, 2, 21, 19, 22), "minute"),
    ("21.02.2026 19:22", "Asia/Baku", (2026, 2, 21, 19, 22), "minute"),
    ("19:22 21.02.2026", "Asia/Baku", (2026, 2, 21, 19, 22), "minute"),
    ("21.02.26", "Asia/Baku", (2026, 2, 21), "day"),
    # English
    ("02 October 2026, 11:54", "Europe/London", (2026, 10, 2, 11, 54), "minute"),
    ("October 2, 2024", "Europe/London", (2024, 10, 2), "day"),
    ("Oct. 2, 2024 at 11:54 pm", "Europe/London", (2024, 10, 2, 23, 54), "minute"),
    ("2nd October 2024", "Europe/London", (2024, 10, 2), "day"),
    ("Published 28 January 2013", "Europe/London", (2013, 1, 28), "day"),
    # German
    ("13. Juli 2018", "Europe/Brussels", (2018, 7, 13), "day"),
    ("13. Juli 2018, 10:15 Uhr", "Europe/Brussels", (2018, 7, 13, 10, 15), "minute"),
    ("13. Juli 2018, 10.15 Uhr", "Europe/Brussels", (2018, 7, 13, 10, 15), "minute"),
    ("3. März 2020", "Europe/Brussels", (2020, 3, 3), "day"),
    ("3. Maerz 2020", "Europe/Brussels", (2020, 3, 3), "day"),
    ("3. Jänner 2020", "Europe/Brussels", (2020, 1, 3), "day"),
    ("3. Dez. 2020", "Europe/Brussels", (2020, 12, 3), "day"),
    # ISO without offset: read in the zone
    ("2024-10-02", "Europe/Moscow", (2024, 10, 2), "day"),
    ("2024-10-02T11:54", "Europe/Moscow", (2024, 10, 2, 11, 54), "minute"),
    ("2024-10-02T11:54:00", "Europe/Moscow", (2024, 10, 2, 11, 54), "second"),
    ("2019-07-18T11:37:00", "Europe/Brussels", (2019, 7, 18, 11, 37), "second"),
]


@pytest.mark.parametrize(("text", "tz", "wall", "precision"), FORMATS, ids=[f[0] for f in FORMATS])
def test_formats(text: str, tz: str, wall: tuple[int, ...] | None, precision: str | None) -> None:
    parsed = parse_date(text, tz=tz)
    if wall is None:
        assert parsed is None
        return
    assert parsed is not None
    assert parsed.value == _local(tz, *wall)
    assert parsed.value.tzinfo is not None
    assert parsed.value.utcoffset() == _local(tz, *wall).utcoffset()
    assert parsed.precision == precision
    assert parsed.has_year is True
    assert parsed.has_offset is False


@pytest.mark.parametrize(
    ("text", "utc", "precision"),
    [
        ("2024-10-02T11:54:00+03:00", datetime(2024, 10, 2, 8, 54, tzinfo=UTC), "second"),
        ("2024-10-02T08:54:00Z", datetime(2024, 10, 2, 8, 54, tzinfo=UTC), "second"),
        ("2024-10-02T08:54:00.123456z", datetime(2024, 10, 2, 8, 54, tzinfo=UTC), "second"),
        ("2025-06-20T19:00:00+04:00", datetime(2025, 6, 20, 15, 0, tzinfo=UTC), "second"),
        ("2024-10-02 11:54+0300", datetime(2024, 10, 2, 8, 54, tzinfo=UTC), "minute"),
        ("Wed, 02 Oct 2024 11:54:00 +0300", datetime(2024, 10, 2, 8, 54, tzinfo=UTC), "second"),
        ("Wed, 02 Oct 2024 11:54:00 GMT", datetime(2024, 10, 2, 11, 54, tzinfo=UTC), "second"),
        ("Sun, 07 Jan 2018 10:00:00 -0500", datetime(2018, 1, 7, 15, 0, tzinfo=UTC), "second"),
        ("15 мая 2018 г. в 12:00 МСК", datetime(2018, 5, 15, 9, 0, tzinfo=UTC), "minute"),
        # zone abbreviations after a time: fixed ones, and US news's "ET" (daylight time in June, standard in January)
        ("Jun 13, 2016 4:03 PM EDT", datetime(2016, 6, 13, 20, 3, tzinfo=UTC), "minute"),
        ("Oct 2, 2024 9:00 PST", datetime(2024, 10, 2, 17, 0, tzinfo=UTC), "minute"),
        ("2 Oct 2024 10:00 JST", datetime(2024, 10, 2, 1, 0, tzinfo=UTC), "minute"),
        ("June 13, 2016 at 10:00 a.m. ET", datetime(2016, 6, 13, 14, 0, tzinfo=UTC), "minute"),
        ("January 2, 2024 10:00 am ET", datetime(2024, 1, 2, 15, 0, tzinfo=UTC), "minute"),
    ],
)
def test_explicit_offset_is_kept(text: str, utc: datetime, precision: str) -> None:
    # the zone argument must not matter when the text carries its own offset
    for tz in ("UTC", "Asia/Baku"):
        parsed = parse_date(text, tz=tz)
        assert parsed is not None
        assert parsed.value == utc
        assert parsed.has_offset is True
        assert parsed.precision == precision


def test_ambiguous_zone_abbreviations_and_other_words_are_no_offset() -> None:
    """CST is US Central and China Standard Time, IST India, Ireland and Israel: the source's zone reads the time."""
    for text in ("Oct 2, 2024 9:00 CST", "2 Oct 2024 10:00 IST", "2 Oct 2024 10:00 Estonian", "2 Oct 2024 10:00 ETA"):
        parsed = parse_date(text, tz="Asia/Baku")
        assert parsed is not None and parsed.has_offset is False and parsed.value.utcoffset() == timedelta(hours=4), text


def test_offset_is_kept_as_given_not_converted() -> None:
    parsed = parse_date("2024-10-02T11:54:00+03:00", tz="Europe/London")
    assert parsed is not None
    assert parsed.value.hour == 11
    assert parsed.value.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    ("text", "tz", "offset_hours"),
    [
        ("13. Juli 2018, 10:15 Uhr", "Europe/Brussels", 2),  # CEST
        ("13. Januar 2018, 10:15 Uhr", "Europe/Brussels", 1),  # CET
        ("02 July 2024, 11:54", "Europe/London", 1),  # BST
        ("02 December 2024, 11:54", "Europe/London", 0),  # GMT
        ("30 March 2025, 00:30", "Europe/London", 0),  # the night clocks go forward, before the change
        ("30 March 2025, 03:30", "Europe/London", 1),  # after it
        ("2 октября 2024, 12:00", "Europe/Moscow", 3),
        ("2 oktyabr 2024, 12:00", "Asia/Baku", 4),
        ("2 кастрычніка 2024, 12:00", "Europe/Minsk", 3),
    ],
)
def test_naive_times_read_in_the_source_zone_with_dst(text: str, tz: str, offset_hours: int) -> None:
    parsed = parse_date(text, tz=tz)
    assert parsed is not None
    assert parsed.value.utcoffset() == timedelta(hours=offset_hours)


def test_day_only_date_is_midnight_in_zone() -> None:
    parsed = parse_date("2 октября 2024", tz="Europe/Moscow")
    assert parsed is not None
    assert parsed.value.astimezone(UTC) == datetime(2024, 10, 1, 21, 0, tzinfo=UTC)
    assert parsed.precision == "day"


# ---------------------------------------------------------------- year inference

@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("2 октября", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 2)),  # the seed
        ("30 декабря", datetime(2025, 1, 3, tzinfo=UTC), (2024, 12, 30)),
        ("5 января", datetime(2024, 12, 30, tzinfo=UTC), (2025, 1, 5)),  # 6 days ahead: an announcement
        ("20 января", datetime(2024, 12, 30, tzinfo=UTC), (2024, 1, 20)),  # 3 weeks ahead is too far
        ("10 октября", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 10)),  # exactly 7 days ahead
        ("11 октября", datetime(2024, 10, 3, tzinfo=UTC), (2023, 10, 11)),
        ("3 кастрычніка", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 3)),
        ("2 oktyabr", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 2)),
        ("oktyabrın 2-si", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 2)),
        ("October 2", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 2)),
        ("2. Oktober", datetime(2024, 10, 3, tzinfo=UTC), (2024, 10, 2)),
        ("29 февраля", datetime(2025, 3, 1, tzinfo=UTC), (2024, 2, 29)),  # only a leap year has it
        ("2 октября", datetime(2024, 10, 3, 10, 0), (2024, 10, 2)),  # a naive reference is read in tz
    ],
)
def test_year_inference(text: str, reference: datetime, expected: tuple[int, int, int]) -> None:
    parsed = parse_date(text, tz="Europe/Moscow", reference=reference)
    assert parsed is not None
    assert parsed.value == _local("Europe/Moscow", *expected)
    assert parsed.has_year is False
    assert parsed.precision == "day"


def test_year_inference_uses_the_reference_day_in_the_source_zone() -> None:
    # 2024-12-31 22:30 UTC is already 1 January 2025 in Baku: "1 января" is today there, not a year ahead
    reference = datetime(2024, 12, 31, 22, 30, tzinfo=UTC)
    parsed = parse_date("1 января", tz="Asia/Baku", reference=reference)
    assert parsed is not None
    assert parsed.value.date().isoformat() == "2025-01-01"


def test_yearless_with_time() -> None:
    parsed = parse_date("2 октября, 18:00", tz="Europe/Moscow", reference=REF)
    assert parsed is not None
    assert parsed.value == _local("Europe/Moscow", 2024, 10, 2, 18, 0)
    assert parsed.precision == "minute"


def test_yearless_without_reference_is_none() -> None:
    assert parse_date("2 октября") is None
    assert parse_date("October 2", tz="Europe/London") is None


# ---------------------------------------------------------------- invalid and hostile input

@pytest.mark.parametrize(
    "text",
    ["31 февраля 2024", "30.02.2024", "2024-02-30", "2024-13-01", "32 октября 2024", "00.10.2024",
     "29 февраля 2023", "", "   ", "без даты", "12:00", "1 октября 1066", "2024", "99.99.9999"],
)
def test_invalid_or_absent_dates_are_none(text: str) -> None:
    assert parse_date(text, reference=REF) is None


def test_impossible_time_keeps_the_date() -> None:
    parsed = parse_date("21.02.2026 25:99", tz="Asia/Baku")
    assert parsed is not None
    assert parsed.precision == "day"
    assert parsed.value == _local("Asia/Baku", 2026, 2, 21)


def test_time_range_is_not_an_offset() -> None:
    parsed = parse_date("2 октября 2024, 12:00-14:00", tz="Europe/Moscow")
    assert parsed is not None
    assert parsed.has_offset is False
    assert parsed.value == _local("Europe/Moscow", 2024, 10, 2, 12, 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.:-+ ,TZ[]aoктябряOctJuliǝəMärz2024\n\u00a0")), max_size=60))
def test_fuzz_never_raises_and_is_aware(text: str) -> None:
    for parsed in (parse_date(text, tz="Europe/Minsk", reference=REF), parse_iso(text, tz="Asia/Baku")):
        if parsed is not None:
            assert parsed.value.utcoffset() is not None
    for start, end, parsed in find_dates(text, tz="Europe/London", reference=REF):
        assert 0 <= start < end <= len(text)
        assert parsed.value.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_arbitrary_unicode(text: str) -> None:
    parse_date(text, reference=REF)
    parse_iso(text)
    find_dates(text, reference=REF)


# ---------------------------------------------------------------- parse_iso and find_dates

def test_parse_iso_whole_string_only() -> None:
    parsed = parse_iso(" 2024-10-02T11:54:00 ", tz="Europe/Moscow")
    assert parsed is not None and parsed.value == _local("Europe/Moscow", 2024, 10, 2, 11, 54)
    assert parse_iso("2024-10-02T11:54:00+03:00").has_offset is True  # type: ignore[union-attr]
    assert parse_iso("2 октября 2024") is None
    assert parse_iso("on 2024-10-02") is None


def test_find_dates_positions_and_order() -> None:
    text = "Визит 2 октября, встреча 3 октября 2024 года в 12:00; в мае 3 раза. 2024-10-05T10:00:00Z"
    found = find_dates(text, tz="Europe/Moscow", reference=REF)
    assert [text[s:e] for s, e, _ in found] == ["2 октября", "3 октября 2024 года в 12:00", "2024-10-05T10:00:00Z"]
    assert [d.precision for _, _, d in found] == ["day", "minute", "second"]
    assert [d.has_year for _, _, d in found] == [False, True, True]


def test_find_dates_skips_yearless_without_reference() -> None:
    found = find_dates("2 октября и 3 октября 2024", tz="Europe/Moscow")
    assert [d.value.day for _, _, d in found] == [3]


def test_parse_date_reads_the_first_expression() -> None:
    parsed = parse_date("Обновлено 05.10.2024; опубликовано 2 октября 2024", tz="Europe/Moscow")
    assert parsed is not None and parsed.value.day == 5


@pytest.mark.parametrize(
    ("text", "month_first", "expected"),
    [
        ("02/10/2024", False, "2024-10-02"),
        ("02/10/2024", True, "2024-02-10"),
        ("13/02/2024", True, "2024-02-13"),  # 13 can only be the day, whatever the convention
        ("02/13/2024", False, "2024-02-13"),
        ("2.10.2024", True, "2024-10-02"),  # dots are always day first
        ("02-10-2024 14:30", False, "2024-10-02T14:30"),
        ("2024/10/02", True, "2024-10-02"),
        ("2024.10.02", False, "2024-10-02"),
    ],
)
def test_all_digit_dates(text: str, month_first: bool, expected: str) -> None:
    (_, _, parsed), = find_dates(text, tz="UTC", month_first=month_first)
    assert parsed.value.isoformat().startswith(expected)


@pytest.mark.parametrize("text", ["13/13/2024", "тел. 12/34/5678", "v1.2/3/2024", "10/2024", "31/02/2024"])
def test_all_digit_non_dates_are_not_read(text: str) -> None:
    assert find_dates(text, tz="UTC") == []


def test_month_alternation_matches_every_form_and_nothing_more() -> None:
    """The factored month pattern accepts exactly the month forms, longest form first."""
    import re

    from govpress.parsers import dates

    pattern = re.compile(rf"(?:{dates._MONTH_RE})(?![^\W\d_])", re.I)
    for form in dates._month_variants:
        assert pattern.fullmatch(form), form
        if len(form.upper()) == len(form):  # not Greek "μαΐου" ("ΐ" upper-cases to three code points; see "μαϊου")
            assert pattern.match(form.upper()).group(0) == form.upper()
        assert pattern.fullmatch(form + "zz") is None
    assert pattern.match("marca 2024").group(0) == "marca"  # not "mar" (the English abbreviation)
    assert pattern.fullmatch("paździ") is None


def _all_patterns(text: str) -> list[tuple[str, tuple[int, int], dict]]:
    """What :func:`dates._candidates` gave before it consulted ``_NEEDS``: every pattern over the whole text."""
    from govpress.parsers import dates

    found = [m for pattern in dates._PATTERNS for m in pattern.finditer(text)]
    found.sort(key=lambda m: (m.start(), -(m.end() - m.start())))
    chosen, last_end = [], -1
    for m in found:
        if m.start() >= last_end:
            chosen.append(m)
            last_end = m.end()
    return [(m.re.pattern, m.span(), m.groupdict()) for m in chosen]


def test_a_pattern_skipped_for_lacking_its_needed_part_had_nothing_to_match() -> None:
    from govpress.parsers import dates

    forms = [line.strip(" ·") for line in dates.__doc__.split("::")[1].split("\n\n")[1].replace("\n", " · ").split(" · ")]
    forms = [f for f in forms if f]
    assert len(forms) > 20
    texts = forms + [f"Опубликовано: {a} | {b}" for a in forms for b in forms[::5]]
    texts += ["2-го – 3-го октября", "13. JULI 2018, 10.15 Uhr", "OCT. 2, 2024", "Oktyabrın 2-si, 2024-cü il",
              "2nd of October", "1er OCTOBRE 2024", "2024 ЖЫЛҒЫ 2 ҚАЗАН", "2024-CÜ İL 2 OKTYABR", "Dec\u00a02,\u00a02024"]
    for text in texts:
        got = [(m.re.pattern, m.span(), m.groupdict()) for m in dates._candidates(text)]
        assert got == _all_patterns(text), text
        assert got, text


_DATEISH = st.lists(st.one_of(
    st.sampled_from(["октября", "Oct", "OCTOBER", "oktyabrın", "il", "-cü", "жылғы", "ж.", "г.", "года", "Uhr", "pm",
                     "GMT", "+03:00", "T", "Z", "de", "of", "März", "JULI", "мая", "2024", "12", "3", "05", "-го", "th", "İ"]),
    st.text(alphabet="0123456789 .-/–—:,|[]ıİKkſ\u212a", max_size=3)), max_size=8).map(" ".join)


@given(_DATEISH)
@settings(max_examples=300, deadline=None)
def test_the_prefilters_change_no_candidate(text: str) -> None:
    from govpress.parsers import dates

    assert [(m.re.pattern, m.span(), m.groupdict()) for m in dates._candidates(text)] == _all_patterns(text)


def matches_alike(patterns: list[re.Pattern], formers: list[re.Pattern], texts: list[str]) -> int:
    """How many matches the patterns found in the texts, each pattern the same spans and groups as its former."""
    found = 0
    for text in texts:
        for new, former in zip(patterns, formers):
            got = [(m.span(), m.groupdict()) for m in new.finditer(text)]
            assert got == [(m.span(), m.groupdict()) for m in former.finditer(text)], text
            found += len(got)
    return found


def test_the_day_looks_behind_after_its_first_digit_with_the_same_matches() -> None:
    """``_DAY`` checks "no digit or dot before" after its first digit (so its patterns open with a digit):
    the day-month and dotted patterns find what they found with the look-behind before the day."""
    import random
    import re

    from govpress.parsers import dates

    former_day = r"(?<![\d.])(?P<day>\d{1,2})"
    patterns = [p for p in dates._PATTERNS if dates._DAY in p.pattern]
    assert len(patterns) == 3  # and the Vietnamese "12 tháng 9 năm 2024"
    formers = [re.compile(p.pattern.replace(dates._DAY, former_day, 1), p.flags) for p in patterns]
    rng = random.Random(16)
    pieces = ["1", "2", "12", "31", "2024", ".", ". ", "-", " ", "октября", "Oct", "of", "de", "-го", "th", "г.", "15:30",
              "١٢", "٣", "a", "\n", "İ", "/", "–"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(10))) for _ in range(20_000)]
    texts += ["2 октября 2024", "12.10.2024", "1.2.2024", "x1 Oct", ".5 Oct", "05 Oct", "123 Oct", "3.12.24 15:00"]
    assert matches_alike(patterns, formers, texts) > 800


def test_the_month_opening_look_ahead_changes_no_match() -> None:
    """``_opening`` puts a case-sensitive look-ahead before the case-blind month alternation: it passes every
    character re.I takes for a month's first letter (all code points), and the date patterns find what they
    found without it (made texts)."""
    import random
    import re

    from govpress.parsers import dates

    for words in (dates._month_variants, dates._LATIN_MONTHS):
        opening = dates._opening(words)
        look, first = re.compile(opening), re.compile("[" + re.escape("".join({w[0] for w in words})) + "]", re.I)
        assert "x80" in opening and len(opening) < 80
        for c in map(chr, range(0x110000)):
            assert not first.fullmatch(c) or look.match(c), hex(ord(c))
    patterns = [p for p in dates._PATTERNS if "(?=(?-i:" in p.pattern]
    assert len(patterns) == 3
    formers = [re.compile(re.sub(r"\(\?=\(\?-i:\[[^\]]*\]\)\)", "", p.pattern), p.flags) for p in patterns]
    assert all("(?=(?-i:" not in f.pattern for f in formers)
    rng = random.Random(16)
    months = rng.sample(sorted(dates._month_variants), 120)
    pieces = ["1", "2", "12", "31", "2024", ".", " ", ", ", "-", "of", "de", "-го", "th", "г.", "15:30", "il", "жылғы",
              "İ", "ı", "K", "ſ", "x", "Ä", *months, *(m.upper() for m in months[:40]), *(m.title() for m in months[40:80])]
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randrange(8))) for _ in range(15_000)]
    texts += [rng.choice(["{d} {m} {y}", "{m} {d}, {y}", "{y}-cü il {d} {m}", "{y} жылғы {d} {m}", "x{d}{m}"]).format(
        d=rng.randrange(1, 32), m=rng.choice(pieces[-120:]), y=rng.choice(["2024", "24", "20"])) for _ in range(3_000)]
    assert matches_alike(patterns, formers, texts) > 3_000


def test_the_latin_month_prefilter_letters_cover_their_case_variants() -> None:
    """``_NEEDS`` reads a Latin month's last letter by a class: any character a month's letter matches
    regardless of case (the Kelvin sign for k, the long s for s, dotted and dotless i) is in it too."""
    import re
    import sys

    from govpress.parsers import dates

    letters = sorted({c for form in dates._month_variants if re.fullmatch("[a-zäəıüöçşğ]+", form) for c in form})
    needed = re.compile(dates._NEEDS[3].pattern.split("\\.?")[0], re.I)  # the class before "\.?\s*\d"
    assert needed.pattern == "[a-zäəıüöçşğ]"
    cased = [chr(cp) for cp in range(sys.maxunicode + 1)
             if not 0xD800 <= cp <= 0xDFFF and (chr(cp).lower() != chr(cp) or chr(cp).upper() != chr(cp))]
    for letter in letters:
        literal = re.compile(re.escape(letter), re.I)
        assert all(needed.match(c) for c in cased if literal.match(c)), letter


def test_the_need_characters_are_every_character_re_i_takes_for_them() -> None:
    """``_NEED_CHARS``: a need is searched only when the text holds one of its characters; re.I takes each of
    those only as a character listed beside it (all code points), and each need's pattern spells one of them."""
    import re
    import sys

    from govpress.parsers import dates

    assert len(dates._NEED_CHARS) == len(dates._NEEDS) == len(dates._PATTERNS)
    for need, chars in zip(dates._NEEDS, dates._NEED_CHARS):
        if chars is None:
            continue
        for char in chars:
            literal = re.compile(re.escape(char), re.I)
            taken = {chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF and literal.fullmatch(chr(cp))}
            assert taken <= set(chars), (need.pattern, char, taken)
        # Every text the need matches holds one of the characters (made texts around each need's own forms).
        for text in ("2024-10-02", "21.02.2026", "02/10/2024", "2024/10/02", "2024.10.02", "2024-cü il", "2024 жылғы",
                     "2024 ж.", "2024-CÜ İL", "2024 ЖЫЛҒЫ", "12 Oct 2024", "Oct 2, 2024", "2024 il"):
            assert not need.search(text) or any(c in text for c in chars), (need.pattern, text)


def test_a_text_without_any_need_character_is_searched_by_the_two_unscreened_needs_only(monkeypatch) -> None:
    from govpress.parsers import dates

    searched: list[int] = []

    class Spy:
        def __init__(self, index: int, need) -> None:
            self.index, self.need = index, need

        def search(self, text: str):
            searched.append(self.index)
            return self.need.search(text)

    monkeypatch.setattr(dates, "_SCREENED", tuple(
        (pattern, Spy(i, need), chars) for i, (pattern, need, chars) in enumerate(dates._SCREENED)))
    assert [m.group(0) for m in dates._candidates("2 октября 2024 года, 18:00")] == ["2 октября 2024 года, 18:00"]
    assert searched == [2, 3]
    searched.clear()
    dates._candidates("2024-10-02 и 21.02.2026")  # a hyphen and a dot: the ISO, dotted and digit-first needs too
    # and the one whose year a dot may follow ("2024. szeptember", "2018. 6."), and Taiwan's "113-10-02"
    assert searched == [0, 1, 2, 3, 4, 5, 7, 10]


def test_a_text_read_twice_is_converted_once_and_reads_the_same(monkeypatch) -> None:
    """The first candidate's reading is remembered: parse_date after find_dates (and again) converts nothing,
    and gives what a fresh read gives."""
    from govpress.parsers import dates

    reference = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    text = "Published 28 October 2026, 13:52 and 3 November"
    fresh_all = dates.find_dates(text, tz="Europe/London", reference=reference)
    for memo in (dates._MATCHES, dates._FIRSTS):
        memo.clear()
    calls = []
    convert = dates._convert
    monkeypatch.setattr(dates, "_convert", lambda *a, **k: calls.append(a[0].group(0)) or convert(*a, **k))
    assert dates.find_dates(text, tz="Europe/London", reference=reference) == fresh_all
    assert calls == ["28 October 2026, 13:52", "3 November"]
    calls.clear()
    assert dates.parse_date(text, tz="Europe/London", reference=reference) == fresh_all[0][2]
    assert dates.parse_date(text, tz="Europe/London", reference=reference) == fresh_all[0][2]
    assert calls == []
    # Another zone, reference or order is another reading.
    assert dates.parse_date(text, tz="Europe/Moscow", reference=reference) != fresh_all[0][2]
    assert dates.parse_date("3 November", tz="Europe/London", reference=reference.replace(year=2020)).value.year == 2020
    assert dates.parse_date("02/10/2024", tz="UTC", month_first=True).value.month == 2
    assert dates.parse_date("02/10/2024", tz="UTC", month_first=False).value.month == 10
    assert len(calls) == 4


def test_remembered_reads_equal_fresh_reads() -> None:
    """Made texts read with and without the memos (emptied before each fresh read), every reference kind."""
    import random
    from zoneinfo import ZoneInfo

    from govpress.parsers import dates

    rng = random.Random(22)
    pieces = ["2 октября", "15 марта 2018 года, 18:00", "21.02.2026 [19:22]", "19:22 21.02.2026", "02/10/2024",
              "10/02/2024", "2024-10-02T11:54:00+03:00", "2024-10-02", "Oct 2", "31.02.2024", "x", " ", ", ", "Datum:"]
    moscow = ZoneInfo("Europe/Moscow")
    references = [None, datetime(2026, 12, 1, 12, tzinfo=timezone.utc), datetime(2024, 10, 5, 9),
                  datetime(2024, 10, 27, 2, 30, tzinfo=ZoneInfo("Europe/Berlin")),
                  datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")),
                  datetime(2024, 1, 1, 0, 30, tzinfo=moscow), datetime(2023, 12, 31, 21, 30, tzinfo=timezone.utc)]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 4)))
        kwargs = {"tz": rng.choice(["UTC", "Europe/Moscow", "America/New_York"]), "reference": rng.choice(references),
                  "month_first": rng.choice([False, True])}
        remembered = (dates.parse_date(text, **kwargs), dates.find_dates(text, **kwargs),
                      dates.parse_date(text, **kwargs), dates.parse_iso(text, tz=kwargs["tz"]))
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        fresh_date = dates.parse_date(text, **kwargs)
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        fresh_all = dates.find_dates(text, **kwargs)
        assert remembered == (fresh_date, fresh_all, fresh_date, dates.parse_iso(text, tz=kwargs["tz"])), (text, kwargs)


def test_the_memos_keep_plain_strings_only_and_stay_bounded() -> None:
    from lxml import html as lxml_html

    from govpress.parsers import dates

    smart = lxml_html.fromstring("<p>12.03.2024</p>").xpath("//p/text()")[0]
    assert type(smart) is not str
    for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
        memo.clear()
    assert dates.find_dates(smart)[0][2].value.day == 12
    assert dates.parse_iso(smart) is None
    assert not dates._MATCHES and not dates._FIRSTS and not dates._ISOS
    long = "x" * dates._LONGEST + " 12.03.2024"
    assert dates.find_dates(long)[0][2].value.day == 12 and dates.parse_iso(long) is None
    assert not dates._MATCHES and not dates._FIRSTS and not dates._ISOS
    for day in range(1, 29):
        for month in range(1, 13):
            dates.parse_date(f"{day}.{month}.2024")
    assert 0 < len(dates._FIRSTS) <= dates._REMEMBERED and 0 < len(dates._MATCHES) <= dates._REMEMBERED


def test_the_day_then_letter_need_read_from_the_last_digit_finds_the_same_texts() -> None:
    """``_NEEDS[2]`` looks from a digit over separators only: it holds for exactly the texts the former need
    (separators and digits between) held for, made texts of digits, separators, letters and other characters."""
    import random
    import re

    from govpress.parsers import dates

    former = re.compile(r"\d[\s.\-–—\d]*[^\W\d_]", re.I)
    assert dates._NEEDS[2].pattern == dates._DIGIT_THEN_LETTER
    rng = random.Random(22)
    pieces = ["1", "2", "12", "2024", "٣", ".", " ", "\u00a0", "-", "–", "—", "\n", "a", "я", "İ", "ı", "_", ",", ":", "/",
              "октября", "Oct", "th", "-го"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(12))) for _ in range(30_000)]
    texts += ["21.02.2026 19:22", "2 - октября", "12.10.2024", "2_a", "2,a", "1 2 3 4 5 6 7 8 9 x"]
    held = 0
    for text in texts:
        assert (dates._NEEDS[2].search(text) is None) == (former.search(text) is None), text
        held += dates._NEEDS[2].search(text) is not None
    assert held > 5_000


def _leading_by_find_dates(text: str, within: int, **kwargs) -> tuple | None:
    found = find_dates(text, **kwargs)
    return found[0] if found and found[0][0] <= within else None


def test_the_leading_date_is_the_first_of_find_dates_when_it_starts_within_reach() -> None:
    """Made paragraph openings: a date (of every form, or a false one first: "31.02.2024") after prose of every
    length around the reach, a time before it ("19:22 21.02.2026" starts at the time), spaces at its end."""
    import random

    from govpress.parsers import dates

    rng = random.Random(25)
    fillers = ["MINSK, ", "Berlin, den ", "x", "Participants noted the road map for 2026-2027 ", "in 2025 ", "4 documents ",
               "   ", "(", "Сегодня ", "oktyabr ", "Bakı, ", "the ", "-", "12 ", "abc. ", "über "]
    dated = ["2 октября", "15 марта 2018 года, 18:00", "21.02.2026 [19:22]", "19:22 21.02.2026", "02/10/2024",
             "2024-10-02T11:54:00+03:00", "2024-10-02", "Oct. 2, 2024", "31.02.2024", "31.02.2024 12.03.2024",
             "3 кастрычніка 2024 г.", "2 oktyabr 2024-cü il", "2024-cü il 2 oktyabr", "15 fevral", "2024.10.02",
             "13. Juli 2018, 10:15 Uhr", "12:00 ", "  "]
    references = [None, datetime(2026, 12, 1, 12, tzinfo=timezone.utc), datetime(2024, 10, 5, 9)]
    for _ in range(4000):
        text = "".join(rng.choice(fillers) for _ in range(rng.randrange(0, 12))) + rng.choice(dated) \
            + "".join(rng.choice(fillers + dated) for _ in range(rng.randrange(0, 4)))
        within = rng.choice([0, 5, 20, 60, 61, 200])
        kwargs = {"tz": rng.choice(["UTC", "Europe/Moscow"]), "reference": rng.choice(references),
                  "month_first": rng.choice([False, True])}
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        expected = _leading_by_find_dates(text, within, **kwargs)
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        assert dates.leading_date(text, within, **kwargs) == expected, (text, within, kwargs)
        assert dates.leading_date(text, within, **kwargs) == expected, (text, within, kwargs)  # remembered first reading


def test_the_leading_date_is_read_without_scanning_past_its_reach() -> None:
    """A date that starts past the reach is not looked at: only the patterns tried up to 16 characters past it."""
    from govpress.parsers import dates

    late = "word " * 20 + "2 October 2024"
    assert dates.leading_date(late, 60) is None and find_dates(late)
    # A time before the date moves its start back: "19:22 21.02.2026" starts at the time, within the reach.
    timed = "x" * 58 + "19:22 21.02.2026"
    assert dates.leading_date(timed, 60) == find_dates(timed)[0] and find_dates(timed)[0][0] == 58
    # The first candidate is no date (31 February): the next one is the first date.
    false_first = "31.02.2024, 12.03.2024 - text"
    assert dates.leading_date(false_first, 60) == find_dates(false_first)[0] and find_dates(false_first)[0][0] == 12
    assert dates.leading_date("no digit here", 60) is None and dates.leading_date("", 60) is None


def _empty_memos() -> None:
    from govpress.parsers import dates

    for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS, dates._OFFSET_ZONES, dates._MONTH_WORDS, dates._YEARS):
        memo.clear()


def test_an_offset_a_month_word_and_a_yearless_day_are_worked_out_once(monkeypatch) -> None:
    from govpress.parsers import dates

    calls = {"offset": 0, "month": 0, "year": 0}
    for name, key in (("_offset_minutes", "offset"), ("_fold_month", "month"), ("_closest_year", "year")):
        original = getattr(dates, name)
        monkeypatch.setattr(dates, name, lambda *args, _f=original, _k=key: (calls.__setitem__(_k, calls[_k] + 1), _f(*args))[1])
    _empty_memos()
    reference = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    first = [find_dates(t, tz="Europe/Minsk", reference=reference)
             for t in ("2024-10-02T11:54:00+03:00 x", "11 October, 15:02", "2 October 2024")]
    assert calls == {"offset": 1, "month": 1, "year": 1}
    again = [find_dates(t, tz="Europe/Minsk", reference=reference)
             for t in ("2025-01-02T08:00:00+03:00 y", "11 October, 16:00 z", "3 October 2024 w")]
    assert calls == {"offset": 1, "month": 1, "year": 1}  # other texts: the offset, the words and the day remembered
    assert again[0][0][2].value.utcoffset() == first[0][0][2].value.utcoffset() == timedelta(hours=3)
    assert again[1][0][2].value.year == first[1][0][2].value.year == 2026


def test_conversions_with_their_memos_equal_fresh_ones() -> None:
    """Made texts read with the offset, month and year memos warm, and again with every memo emptied first; references
    in an IANA zone (two equal ones may differ in fold) are never remembered."""
    import random

    from govpress.parsers import dates

    rng = random.Random(2507)
    pieces = ["2 октября", "15 марта 2018 года, 18:00 MSK", "2024-10-02T11:54:00+03:00", "2024-10-02T11:54:00Z",
              "2024-10-02 11:54 -0530", "Wed, 02 Oct 2024 11:54:00 GMT+3", "29 февраля", "31 December", "Jan 1",
              "1 января", "2 oktyabr", "13. Juli, 10:15 Uhr", "12 сентября 2024, 10:00 UTC+14", "x", " ", ", "]
    berlin = ZoneInfo("Europe/Berlin")
    references = [None, datetime(2026, 12, 1, 12, tzinfo=timezone.utc), datetime(2024, 1, 1, 0, 30),
                  datetime(2023, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-2))),
                  datetime(2024, 10, 27, 2, 30, tzinfo=berlin), datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=berlin),
                  datetime(2024, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Moscow"))]
    warm = []
    cases = []
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 4)))
        kwargs = {"tz": rng.choice(["UTC", "Europe/Moscow", "America/New_York", "Asia/Almaty"]),
                  "reference": rng.choice(references), "month_first": rng.choice([False, True])}
        cases.append((text, kwargs))
        warm.append(find_dates(text, **kwargs))
    for (text, kwargs), remembered in zip(cases, warm):
        _empty_memos()
        fresh = find_dates(text, **kwargs)
        assert remembered == fresh and [d.value.utcoffset() for _, _, d in remembered] == \
            [d.value.utcoffset() for _, _, d in fresh], (text, kwargs)
    assert datetime(2024, 10, 27, 2, 30, tzinfo=berlin) == datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=berlin)
    _empty_memos()
    find_dates("2 октября", reference=datetime(2024, 10, 27, 2, 30, tzinfo=berlin))
    assert not dates._YEARS


def test_each_bounded_need_lies_within_its_span_past_every_match_start() -> None:
    """The leading date cuts the text for the needs of the patterns with a span: every match of such a pattern,
    in made texts of every all-digit form, has its need's part within the span past the match's start."""
    import random

    from govpress.parsers import dates

    rng = random.Random(2525)
    pieces = ["2024-10-02", "2024-10-02T11:54:00+03:00", "1.2.24", "21.02.2026", "21.02.26 г.", "3.7.2018 [19:22]",
              "02/10/2024", "2-3-2024", "12/31/2024 14:30", "2024/10/02", "2024.1.2", "2024.10.02 10:00", "1", "12",
              "2024", ".", "/", "-", " ", "x", "19:22 ", "(", "00", "113-10-02", "113/1/2", "113.10.02 10:00", "發布"]
    spans = [(i, span) for i, span in enumerate(dates._NEED_SPANS) if span is not None]
    assert [i for i, _ in spans] == [0, 1, 4, 5, 10]
    seen = 0
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8)))
        for i, span in spans:
            pattern, need, _ = dates._SCREENED[i]
            for m in pattern.finditer(text):
                seen += 1
                assert need.search(text, 0, m.start() + span) is not None, (i, text, m.group(0))
    assert seen > 3000
