"""govpress.parsers.dates in the languages and scripts beyond ru/be/uk/az/kk/en/de/fr/es/pl: month names as news
prints them, the year-first and numeric forms of East Asia, Hungary, the Baltics, Uzbekistan, Armenia, Myanmar,
and Vietnam, Thai Buddhist-era years, other scripts' digits; what must stay a non-date; the screens."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpress.parsers import dates
from govpress.parsers.dates import find_dates, leading_date, parse_date

REF = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""The reference of the measured gaps: a yearless date may be read against it."""

# (text as a page prints it, the source's zone, the date and time read in that zone, the span read)
READ = [
    # Chinese, Japanese, Korean
    ("发布时间：2018年6月18日 10:01", "Asia/Shanghai", (2018, 6, 18, 10, 1), "2018年6月18日 10:01"),
    ("2023年11月17日 20:52:15 来源：新华社", "Asia/Shanghai", (2023, 11, 17, 20, 52, 15), "2023年11月17日 20:52:15"),
    ("2023年11月17日", "Asia/Shanghai", (2023, 11, 17), "2023年11月17日"),
    ("２０１８年６月１８日", "Asia/Tokyo", (2018, 6, 18), "２０１８年６月１８日"),
    ("令和6年 2024年6月18日(火) 10:01", "Asia/Tokyo", (2024, 6, 18, 10, 1), "2024年6月18日(火) 10:01"),
    ("등록일 2018년 6월 18일", "Asia/Seoul", (2018, 6, 18), "2018년 6월 18일"),
    # Japan's era years (Reiwa 1 is 2019, its first year "元年"), Taiwan's Minguo years with and without the era's name
    ("令和6年10月2日", "Asia/Tokyo", (2024, 10, 2), "令和6年10月2日"),
    ("掲載日：令和元年5月1日", "Asia/Tokyo", (2019, 5, 1), "令和元年5月1日"),
    ("平成31年4月30日", "Asia/Tokyo", (2019, 4, 30), "平成31年4月30日"),
    ("中華民國113年10月2日 10:30", "Asia/Taipei", (2024, 10, 2, 10, 30), "民國113年10月2日 10:30"),
    ("發布日期：113年10月2日", "Asia/Taipei", (2024, 10, 2), "113年10月2日"),
    ("發布日期：113-10-02", "Asia/Taipei", (2024, 10, 2), "113-10-02"),
    ("更新日期：113/10/02 14:30", "Asia/Taipei", (2024, 10, 2, 14, 30), "113/10/02 14:30"),
    ("2018. 6. 18. 10:01", "Asia/Seoul", (2018, 6, 18, 10, 1), "2018. 6. 18. 10:01"),
    # Arabic: Egyptian, slash-joined Levantine/Egyptian, Levantine two-word names, Arabic-Indic digits, Maghreb
    ("القاهرة في 28 أغسطس 2013", "Africa/Cairo", (2013, 8, 28), "28 أغسطس 2013"),
    ("الأربعاء، 28 آب/اغسطس 2013", "Asia/Damascus", (2013, 8, 28), "28 آب/اغسطس 2013"),
    ("12 أيلول (سبتمبر) 2024، 10:30", "Asia/Beirut", (2024, 9, 12, 10, 30), "12 أيلول (سبتمبر) 2024، 10:30"),
    ("3 كانون الثاني 2024", "Asia/Baghdad", (2024, 1, 3), "3 كانون الثاني 2024"),
    ("3 تشرين الاول 2024", "Asia/Baghdad", (2024, 10, 3), "3 تشرين الاول 2024"),
    ("١٢ سبتمبر ٢٠٢٤", "Asia/Riyadh", (2024, 9, 12), "١٢ سبتمبر ٢٠٢٤"),
    ("12 ابريل 2024", "Asia/Riyadh", (2024, 4, 12), "12 ابريل 2024"),
    ("12 جويلية 2024", "Africa/Algiers", (2024, 7, 12), "12 جويلية 2024"),
    ("12 شتنبر 2024", "Africa/Casablanca", (2024, 9, 12), "12 شتنبر 2024"),
    # Persian: Gregorian month names (Iran's, Afghanistan's), Persian digits; the Solar Hijri calendar converted
    ("۱۲ سپتامبر ۲۰۲۴", "Asia/Tehran", (2024, 9, 12), "۱۲ سپتامبر ۲۰۲۴"),
    ("12 سپتمبر 2024", "Asia/Kabul", (2024, 9, 12), "12 سپتمبر 2024"),
    ("۱۲ مهر ۱۴۰۳", "Asia/Tehran", (2024, 10, 3), "۱۲ مهر ۱۴۰۳"),
    ("سه‌شنبه ۱۰ مهر ماه ۱۴۰۳ - ۱۴:۳۰", "Asia/Tehran", (2024, 10, 1, 14, 30), "۱۰ مهر ماه ۱۴۰۳ - ۱۴:۳۰"),
    ("۱ فروردین ۱۴۰۴", "Asia/Tehran", (2025, 3, 21), "۱ فروردین ۱۴۰۴"),
    ("۳۰ اسفند ۱۴۰۳", "Asia/Tehran", (2025, 3, 20), "۳۰ اسفند ۱۴۰۳"),  # 1403 is a leap year
    ("12 میزان 1403", "Asia/Kabul", (2024, 10, 3), "12 میزان 1403"),  # the Afghan (Dari) name of Mehr
    ("تاریخ انتشار: ۱۴۰۳/۰۷/۱۱", "Asia/Tehran", (2024, 10, 2), "۱۴۰۳/۰۷/۱۱"),
    ("تاریخ انتشار: 1403/07/11 - 09:15", "Asia/Tehran", (2024, 10, 2, 9, 15), "1403/07/11 - 09:15"),
    # From CLDR: Catalan (the elided "d'"), Albanian, Welsh, Irish, Swahili, Tagalog, Kurdish, Bengali, Tamil, Khmer
    ("2 d'octubre de 2024", "Europe/Madrid", (2024, 10, 2), "2 d'octubre de 2024"),
    ("12 de gener de 2024", "Europe/Madrid", (2024, 1, 12), "12 de gener de 2024"),
    ("12 tetor 2024", "Europe/Tirane", (2024, 10, 12), "12 tetor 2024"),
    ("2 Hydref 2024", "Europe/London", (2024, 10, 2), "2 Hydref 2024"),
    ("2 Deireadh Fómhair 2024", "Europe/Dublin", (2024, 10, 2), "2 Deireadh Fómhair 2024"),
    ("2 Oktoba 2024", "Africa/Nairobi", (2024, 10, 2), "2 Oktoba 2024"),
    ("2 Oktubre 2024", "Asia/Manila", (2024, 10, 2), "2 Oktubre 2024"),
    ("2 cotmeh 2024", "Asia/Baghdad", (2024, 10, 2), "2 cotmeh 2024"),
    ("২ অক্টোবর ২০২৪", "Asia/Dhaka", (2024, 10, 2), "২ অক্টোবর ২০২৪"),
    ("2 அக்டோபர் 2024", "Asia/Colombo", (2024, 10, 2), "2 அக்டோபர் 2024"),
    ("២ តុលា ២០២៤", "Asia/Phnom_Penh", (2024, 10, 2), "២ តុលា ២០២៤"),
    # Thai (Buddhist era), Burmese (and Burmese digits), Hindi, Hebrew
    ("21 ม.ค.2561", "Asia/Bangkok", (2018, 1, 21), "21 ม.ค.2561"),
    ("วันที่ 21 มกราคม พ.ศ. 2561 เวลา 10:00 น.", "Asia/Bangkok", (2018, 1, 21, 10, 0), "21 มกราคม พ.ศ. 2561 เวลา 10:00"),
    ("๒๑ กุมภาพันธ์ ๒๕๖๑", "Asia/Bangkok", (2018, 2, 21), "๒๑ กุมภาพันธ์ ๒๕๖๑"),
    ("21 มกราคม 2018", "Asia/Bangkok", (2018, 1, 21), "21 มกราคม 2018"),
    ("21 ม.ค. 61", "Asia/Bangkok", (2018, 1, 21), "21 ม.ค. 61"),  # the Buddhist year shortened
    ("3 ธันวาคม 67 เวลา 10:00 น.", "Asia/Bangkok", (2024, 12, 3, 10, 0), "3 ธันวาคม 67 เวลา 10:00"),
    ("26 အောက်တိုဘာ 2018", "Asia/Yangon", (2018, 10, 26), "26 အောက်တိုဘာ 2018"),
    ("၂၀၁၈ ခုနှစ် အောက်တိုဘာလ ၂၆ ရက်", "Asia/Yangon", (2018, 10, 26), "၂၀၁၈ ခုနှစ် အောက်တိုဘာလ ၂၆ ရက်"),
    ("12 सितंबर 2024", "Asia/Kolkata", (2024, 9, 12), "12 सितंबर 2024"),
    ("3 \u095eरवरी 2024", "Asia/Kolkata", (2024, 2, 3), "3 \u095eरवरी 2024"),  # the nukta letter precomposed
    ("3 \u092b\u093cरवरी 2024", "Asia/Kolkata", (2024, 2, 3), "3 \u092b\u093cरवरी 2024"),  # and decomposed
    ("12 בספטמבר 2024", "Asia/Jerusalem", (2024, 9, 12), "12 בספטמבר 2024"),
    # Romance, Germanic, Indonesian/Malay
    ("Roma, 12 settembre 2024 - Il Ministro", "Europe/Rome", (2024, 9, 12), "12 settembre 2024"),
    ("12 settembre 2024 alle 10:30", "Europe/Rome", (2024, 9, 12, 10, 30), "12 settembre 2024 alle 10:30"),
    ("Publicado em 12 de setembro de 2024 às 14:30", "America/Sao_Paulo", (2024, 9, 12, 14, 30),
     "12 de setembro de 2024 às 14:30"),
    ("1º de março de 2024", "Europe/Lisbon", (2024, 3, 1), "1º de março de 2024"),
    ("București, 12 septembrie 2024", "Europe/Bucharest", (2024, 9, 12), "12 septembrie 2024"),
    ("12 maart 2024", "Europe/Amsterdam", (2024, 3, 12), "12 maart 2024"),
    ("12 augusti 2024", "Europe/Stockholm", (2024, 8, 12), "12 augusti 2024"),
    ("12. desember 2024", "Europe/Oslo", (2024, 12, 12), "12. desember 2024"),
    ("3. marts 2024", "Europe/Copenhagen", (2024, 3, 3), "3. marts 2024"),
    ("Jakarta, 17 Agustus 2024", "Asia/Jakarta", (2024, 8, 17), "17 Agustus 2024"),
    ("12 Ogos 2024", "Asia/Kuala_Lumpur", (2024, 8, 12), "12 Ogos 2024"),
    ("3 Mac 2024", "Asia/Kuala_Lumpur", (2024, 3, 3), "3 Mac 2024"),
    # Turkic and Central Asia
    ("Yayın Tarihi: 12 Eylül 2024, 10:30", "Europe/Istanbul", (2024, 9, 12, 10, 30), "12 Eylül 2024, 10:30"),
    ("12 NİSAN 2024", "Europe/Istanbul", (2024, 4, 12), "12 NİSAN 2024"),
    ("12 MAYIS 2024", "Europe/Istanbul", (2024, 5, 12), "12 MAYIS 2024"),
    ("12 sentabr 2024-yil", "Asia/Tashkent", (2024, 9, 12), "12 sentabr 2024-yil"),
    ("12-sentabr 2024-yil", "Asia/Tashkent", (2024, 9, 12), "12-sentabr 2024-yil"),
    ("2024-yil 12-sentabr", "Asia/Tashkent", (2024, 9, 12), "2024-yil 12-sentabr"),
    ("2024 yil 12 sentyabr", "Asia/Tashkent", (2024, 9, 12), "2024 yil 12 sentyabr"),
    ("2024 йил 12 сентябрь", "Asia/Tashkent", (2024, 9, 12), "2024 йил 12 сентябрь"),
    ("12 сентябри соли 2024", "Asia/Dushanbe", (2024, 9, 12), "12 сентябри соли 2024"),
    ("2024-жылдын 12-сентябрь", "Asia/Bishkek", (2024, 9, 12), "2024-жылдын 12-сентябрь"),
    # Mongolian: months by number ("2024 оны 10 сарын 2", "the year 2024's month 10's 2")
    ("Нийтэлсэн: 2024 оны 10 сарын 2, 14:30", "Asia/Ulaanbaatar", (2024, 10, 2, 14, 30), "2024 оны 10 сарын 2, 14:30"),
    ("2024 оны 10-р сарын 02-ны өдөр", "Asia/Ulaanbaatar", (2024, 10, 2), "2024 оны 10-р сарын 02-ны"),
    ("12-nji sentýabr 2024", "Asia/Ashgabat", (2024, 9, 12), "12-nji sentýabr 2024"),
    # Caucasus
    ("12 սեպտեմբերի 2024 թ.", "Asia/Yerevan", (2024, 9, 12), "12 սեպտեմբերի 2024 թ."),
    ("2024 թ. սեպտեմբերի 12-ին", "Asia/Yerevan", (2024, 9, 12), "2024 թ. սեպտեմբերի 12-ին"),
    ("12 სექტემბერი 2024", "Asia/Tbilisi", (2024, 9, 12), "12 სექტემბერი 2024"),
    ("2024 წლის 12 სექტემბერს", "Asia/Tbilisi", (2024, 9, 12), "2024 წლის 12 სექტემბერს"),
    # South Slavic, Czech, Slovak
    ("12 септември 2024 г.", "Europe/Sofia", (2024, 9, 12), "12 септември 2024 г."),
    ("12 мај 2024", "Europe/Skopje", (2024, 5, 12), "12 мај 2024"),
    ("12. септембра 2024.", "Europe/Belgrade", (2024, 9, 12), "12. септембра 2024"),
    ("12. septembar 2024.", "Europe/Belgrade", (2024, 9, 12), "12. septembar 2024"),
    ("12. rujna 2024.", "Europe/Zagreb", (2024, 9, 12), "12. rujna 2024"),
    ("12. oktobra 2024.", "Europe/Sarajevo", (2024, 10, 12), "12. oktobra 2024"),
    ("12. junija 2024", "Europe/Ljubljana", (2024, 6, 12), "12. junija 2024"),
    ("12. září 2024", "Europe/Prague", (2024, 9, 12), "12. září 2024"),
    ("3. července 2024", "Europe/Prague", (2024, 7, 3), "3. července 2024"),
    ("3. júla 2024", "Europe/Bratislava", (2024, 7, 3), "3. júla 2024"),
    # Baltic, Finnic, Hungarian, Greek
    ("12 sausio 2024", "Europe/Vilnius", (2024, 1, 12), "12 sausio 2024"),
    ("2024 m. rugsėjo 12 d.", "Europe/Vilnius", (2024, 9, 12), "2024 m. rugsėjo 12 d."),
    ("12. jūlijs 2024", "Europe/Riga", (2024, 7, 12), "12. jūlijs 2024"),
    ("2024. gada 12. septembrī", "Europe/Riga", (2024, 9, 12), "2024. gada 12. septembrī"),
    ("12. septembril 2024", "Europe/Tallinn", (2024, 9, 12), "12. septembril 2024"),
    ("12. syyskuuta 2024", "Europe/Helsinki", (2024, 9, 12), "12. syyskuuta 2024"),
    ("2024. szeptember 12.", "Europe/Budapest", (2024, 9, 12), "2024. szeptember 12."),
    ("2024. március 3-án 10:15", "Europe/Budapest", (2024, 3, 3, 10, 15), "2024. március 3-án 10:15"),
    ("12 Σεπτεμβρίου 2024", "Europe/Athens", (2024, 9, 12), "12 Σεπτεμβρίου 2024"),
    ("12 ΣΕΠΤΕΜΒΡΙΟΥ 2024", "Europe/Athens", (2024, 9, 12), "12 ΣΕΠΤΕΜΒΡΙΟΥ 2024"),
    ("3 ΜΑΪΟΥ 2024", "Europe/Athens", (2024, 5, 3), "3 ΜΑΪΟΥ 2024"),
    # Vietnamese
    ("Hà Nội, ngày 12 tháng 9 năm 2024", "Asia/Ho_Chi_Minh", (2024, 9, 12), "12 tháng 9 năm 2024"),
    ("12 tháng 9, 2024 10:15", "Asia/Ho_Chi_Minh", (2024, 9, 12, 10, 15), "12 tháng 9, 2024 10:15"),
    ("ngày 12 tha\u0301ng 9 na\u0306m 2024", "Asia/Ho_Chi_Minh", (2024, 9, 12), "12 tha\u0301ng 9 na\u0306m 2024"),  # decomposed
    # A hyphen between the day, the month and the year
    ("02-Oct-2024", "UTC", (2024, 10, 2), "02-Oct-2024"),
]


@pytest.mark.parametrize(("text", "tz", "wall", "span"), READ, ids=[r[0] for r in READ])
def test_dates_in_many_languages_and_scripts(text: str, tz: str, wall: tuple[int, ...], span: str) -> None:
    found = find_dates(text, tz=tz, reference=REF)
    assert found, text
    start, end, parsed = found[0]
    assert text[start:end] == span
    assert parsed.value == datetime(*wall, tzinfo=ZoneInfo(tz))
    assert parsed.has_year is True
    assert parsed.precision == ("second" if len(wall) == 6 else "minute" if len(wall) == 5 else "day")
    assert parse_date(text, tz=tz, reference=REF) == parsed


@pytest.mark.parametrize(("text", "expected"), [
    ("12 settembre", (2023, 9, 12)),
    ("28 آب", (2023, 8, 28)),
    ("12 Eylül'de", (2023, 9, 12)),  # the apostrophe ends the word
    ("21 ธันวาคม", (2023, 12, 21)),
    ("3 януари", (2024, 1, 3)),
])
def test_yearless_dates_take_the_year_nearest_the_reference(text: str, expected: tuple[int, int, int]) -> None:
    parsed = parse_date(text, reference=REF)
    assert parsed is not None and parsed.has_year is False
    assert parsed.value.date().timetuple()[:3] == expected


def test_a_jalali_date_is_the_same_day_as_its_gregorian_twin() -> None:
    """Every 1 Farvardin (Nowruz) of 1370-1415 falls on 20 or 21 March, and a Jalali date and the Gregorian one it
    converts to are read as the same day when a page prints both (Iranian ministries do)."""
    for year in range(1370, 1416):
        parsed = parse_date(f"۱ فروردین {year}", tz="Asia/Tehran")
        assert parsed is not None and (parsed.value.month, parsed.value.day) in ((3, 20), (3, 21)), year
        assert parsed.value.year == year + 621
    line = "۱۲ مهر ۱۴۰۳ (۳ اکتبر ۲۰۲۴)"
    days = {parsed.value.date() for _, _, parsed in find_dates(line, tz="Asia/Tehran")}
    assert len(days) == 1 and days.pop().isoformat() == "2024-10-03"


@pytest.mark.parametrize("text,expected", [
    ("29 ربيع الأول 1446هـ", (2024, 10, 2)), ("٢٩ ربيع الأول ١٤٤٦ هـ", (2024, 10, 2)), ("15 رمضان 1445", (2024, 3, 25)),
    ("1 محرم 1447هـ", (2025, 6, 26)), ("10 ذو الحجة 1445 هـ", (2024, 6, 16)), ("12 ذي القعدة 1445", (2024, 5, 20)),
    ("1446/03/29هـ", (2024, 10, 2)), ("التاريخ: 29/03/1446 هـ", (2024, 10, 2)),
])
def test_a_lunar_hijri_date_is_read_as_its_gregorian_day(text: str, expected: tuple[int, int, int]) -> None:
    (_, _, parsed), = find_dates(text, tz="Asia/Riyadh", reference=REF)
    assert parsed.value.date().timetuple()[:3] == expected and parsed.has_year


@pytest.mark.parametrize("text,zone", [
    ("2024-nji ýylyň 2-nji oktýabry", "Asia/Ashgabat"), ("2024-nji ýylyň 2-nji oktýabrynda Aşgabatda", "Asia/Ashgabat"),
    ("2024 ý. 2 oktýabr", "Asia/Ashgabat"), ("2024 елның 2 октябре", "Europe/Moscow"),
    ("2024 йылдың 2 октябрендә", "Asia/Yekaterinburg"), ("2024-жылдын 2-октябрында", "Asia/Bishkek"),
    ("2024-жылы 2-октябрда", "Asia/Bishkek"),
])
def test_turkmen_tatar_bashkir_and_kyrgyz_dates_with_the_year_first(text: str, zone: str) -> None:
    # Before, the Tatar and Bashkir ones were read as a yearless "2 октябре" (the year inferred), the others not at all.
    (start, _, parsed), = find_dates(text, tz=zone, reference=REF)
    assert (start, parsed.value.date().isoformat(), parsed.has_year) == (0, "2024-10-02", True)


def test_a_hijri_date_and_its_gregorian_twin_are_one_day() -> None:
    line = "الأربعاء 29 ربيع الأول 1446 هـ الموافق 02 أكتوبر 2024م"
    assert {parsed.value.date().isoformat() for _, _, parsed in find_dates(line, tz="Asia/Riyadh")} == {"2024-10-02"}


def test_a_two_digit_number_after_a_month_is_a_year_only_after_a_thai_month() -> None:
    for text, year, has_year in (("21 ม.ค. 61", 2018, True), ("21 ม.ค. 20 คน", 2024, False),
                                 ("2 October 24 people", 2024, False), ("21 มกราคม 10:00", 2024, False)):
        parsed = parse_date(text, tz="Asia/Bangkok", reference=datetime(2024, 12, 1, tzinfo=timezone.utc))
        assert parsed is not None and (parsed.value.year, parsed.has_year) == (year, has_year), text


def test_the_uzbek_year_before_the_day_is_the_year_read() -> None:
    # The day-first pattern alone read "12 sentyabr" and inferred 2023 from the reference.
    for text in ("2024 yil 12 sentyabr", "2024 yil 12 sentyabr kuni Toshkentda", "2024-yil 12-sentabr", "2024 yılı 12 Eylül"):
        (start, _, parsed), = find_dates(text, tz="Asia/Tashkent", reference=REF)
        assert (start, parsed.value.year, parsed.value.month, parsed.value.day, parsed.has_year) == (0, 2024, 9, 12, True)


@pytest.mark.parametrize("text", [
    # a month word inside an ordinary word
    "12 जूनियर खिलाड़ी", "12 maggiore 2024", "15 Agustusan 2024", "3 marzolino", "12 Σεπτεμβριανά",
    "5 มกราคมที่ผ่านมา", "12 января́", "12 မေးခွန်း 2024", "12 מאיר 2024",
    # a Cyrillic (or any day-first language's) month before a number is no date
    "юни 12 2024", "в септември 3 пъти", "settembre 12, 2024", "Eylül 12", "szeptember 12.",
    # a year-less phrase with a number that is not a day, or a word that is also a month only beside a year
    "3 tháng 10 ngày", "12 tháng 9", "3 Mac computers", "12 ekim alanı", "5 aralık", "2 nisan", "4 اب", "32 settembre 2024",
    # a Buddhist year without a Thai month, an era year, a year followed by a sentence
    "21/01/2561", "21 January 2561", "2561-01-21", "in 2023. settembre 5 persone",
    # an era year of an era not read (Shōwa ended in 1989), a two-digit year without its era, a Minguo year past 2061
    "昭和64年1月7日", "12年10月2日", "151年10月2日",
    # a three-digit-year numeric date with no Chinese character near (a reference, a version), or past Minguo 150
    "ref 113/10/02", "113-10-02", "v113.10.02", "發布 151-10-02",
    # a Mongolian year with no month and day after it, a thirteenth month
    "2024 оны төсөв", "2024 оны 13 сарын 2", "2018. 6 people",
    "2024. május 32.", "2018年13月1日", "2018. 6. 18", "2018. 13. 1.",
    # a Solar Hijri day the calendar lacks (30 Esfand of a common year, 31 Mehr), a Jalali month without its year (and
    # "مهر" is also kindness), a Persian "may" that is the verb prefix, a lunar Hijri date without its era's mark, a
    # Jalali-looking year with nothing Persian near it (a date in an old chronicle)
    "۳۰ اسفند ۱۴۰۲", "۳۱ مهر ۱۴۰۳", "۱۲ مهر", "۳ می‌شود", "ging met 12 mee", "la 3 mata", "12 मे", "12 में 2024", "1446/03/29", "25.10.1415", "1403/07/11",
    # a lunar Hijri month without its year ("صفر" is also zero), a Hijri year outside the Umm al-Qura tables
    "صفر 5 أشخاص", "12 رمضان", "29 ربيع الأول 1600 هـ",
])
def test_what_stays_a_non_date(text: str) -> None:
    assert find_dates(text, tz="UTC", reference=REF) == []


def test_new_day_first_words_never_put_the_month_first() -> None:
    """The month-first pattern ("October 2") knows English, German and Azerbaijani forms only, as before."""
    for word in ("settembre", "eylül", "januari", "maart", "września", "rujna", "syyskuuta", "agustus", "sentabr"):
        assert word not in dates._LATIN_MONTHS
    for word in ("april", "mart", "juli", "may", "oktyabr", "sentyabr"):  # shared with a month-first language
        assert word in dates._LATIN_MONTHS
    assert find_dates("April 12, 2024", tz="UTC")[0][2].value.day == 12


def test_every_form_of_every_language_reads_its_own_month() -> None:
    """No form is claimed by two months (Croatian "listopad" is October, Polish November: it is left out)."""
    for language, table in dates._DAY_FIRST_LANGUAGES.items():
        assert sorted(table) == list(range(1, 13)) or language == "hr", language
        for number, words in table.items():
            for form in dates._language_forms(language, words):
                assert dates._MONTHS[dates._fold_month(form)] == number, (language, form)
                assert re.fullmatch(rf"(?:{dates._MONTH_RE})\.?", form, re.I), (language, form)
    assert dates._MONTHS["listopada"] == 11


# Locales whose CLDR month names (format and stand-alone, wide) must all be known, except the words listed.
_CLDR = {
    "it": "", "pt": "", "ro": "", "tr": "", "nl": "", "uz": "", "uz_Cyrl": "", "tg": "", "tk": "", "ky": "", "hy": "",
    "ka": "", "bg": "", "mk": "", "sr": "", "sr_Latn": "", "hr": "listopad listopada", "bs": "", "sl": "", "cs": "",
    "sk": "", "lv": "", "et": "", "hu": "", "fi": "", "sv": "", "nb": "", "da": "", "id": "", "ms": "", "el": "",
    "ar": "", "ar_MA": "", "ar_DZ": "", "ar_LB": "", "ar_IQ": "", "he": "", "hi": "", "th": "", "my": "",
    "fa": "", "fa_AF": "", "ps": "", "sq": "", "ca": "", "gl": "", "eu": "", "cy": "", "ga": "", "is": "", "mt": "",
    "lb": "", "af": "", "sw": "", "tl": "", "zu": "", "xh": "", "so": "", "rw": "", "ha": "", "ku": "", "ug": "", "ur": "",
    "tt": "", "ba": "", "bn": "", "ta": "", "te": "", "mr": "", "gu": "", "kn": "", "ml": "", "pa": "", "ne": "", "km": "",
    "lo": "",
    # the Lithuanian nominatives are common words ("liepa" linden): only the genitives dates print
    "lt": "sausis vasaris kovas balandis gegužė birželis liepa rugpjūtis rugsėjis spalis lapkritis gruodis",
}


@pytest.mark.parametrize("locale", sorted(_CLDR))
def test_the_month_names_are_cldr_s(locale: str) -> None:
    babel = pytest.importorskip("babel")
    months = babel.Locale.parse(locale).months
    left_out = set(_CLDR[locale].split())
    contexts = [months["format"]["wide"], months["stand-alone"]["wide"]]
    if locale == "th":
        contexts.append(months["format"]["abbreviated"])
    for names in contexts:
        for number, name in names.items():
            if name.lower() in left_out:
                continue
            # Catalan's format names carry the preposition a date puts before them ("de gener", "d’octubre"):
            # the month is the word after it, and the whole is read in a date
            word = re.sub(r"^(?:de |d’|d')", "", name) if locale == "ca" else name
            assert dates._MONTHS.get(dates._fold_month(word)) == number, (locale, name)
            assert find_dates(f"12 {name} 2024", tz="UTC")[0][2].value.month == number, (locale, name)


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९", "๐๑๒๓๔๕๖๗๘๙", "၀၁၂၃၄၅၆၇၈၉", "０１２３４５６７８９"])
def test_other_scripts_digits_read_end_to_end(digits: str) -> None:
    def written(number: str) -> str:
        return "".join(digits[int(d)] for d in number)

    for text in (f"{written('12')} سبتمبر {written('2024')}", f"{written('2024')}-{written('09')}-{written('12')}",
                 f"{written('12')}.{written('09')}.{written('2024')}", f"{written('2024')}年{written('9')}月{written('12')}日"):
        (_, _, parsed), = find_dates(text, tz="UTC")
        assert parsed.value.date().isoformat() == "2024-09-12", text


def _all_patterns(text: str) -> list[tuple[str, tuple[int, int], dict]]:
    """Every pattern over the whole text, unscreened (as tests/unit/parsers/test_dates.py's helper)."""
    found = sorted((m for pattern in dates._PATTERNS for m in pattern.finditer(text)),
                   key=lambda m: (m.start(), -(m.end() - m.start())))
    chosen, last_end = [], -1
    for m in found:
        if m.start() >= last_end:
            chosen.append(m)
            last_end = m.end()
    return [(m.re.pattern, m.span(), m.groupdict()) for m in chosen]


def _screened(text: str) -> list[tuple[str, tuple[int, int], dict]]:
    return [(m.re.pattern, m.span(), m.groupdict()) for m in dates._candidates(text)]


def test_the_screens_hide_no_match_of_the_new_forms() -> None:
    """Each text of the table, alone, among others, upper-cased and with other scripts' digits: the screened search
    finds what every pattern over the whole text finds."""
    texts = [r[0] for r in READ] + [r[0].upper() for r in READ] + [r[0].lower() for r in READ]
    texts += [f"{a} | {b}" for a in [r[0] for r in READ][::3] for b in [r[0] for r in READ][::4]]
    texts += [unicodedata.normalize("NFD", r[0]) for r in READ]
    for text in texts:
        assert _screened(text) == _all_patterns(text), text


_PIECES = ["2024", "2561", "61", "12", "3", "9", "١٢", "٢٠٢٤", "๒๑", "၂၆", "２０１８", ".", ". ", "-", " ", ",", "،", "/", "(", ")",
           "年", "月", "日", "년", "월", "일", "yil", "-yil", "йил", "жылдын", "gada", "წლის", "m.", "d.", "թ.", "ခုနှစ်",
           "ရက်", "tháng", "thang", "tha\u0301ng", "năm", "-án", "-ին", "10:15", "settembre", "Eylül", "NİSAN", "szeptember",
           "rugsėjo", "septembrī", "սեպտեմբերի", "სექტემბერი", "آب", "أغسطس", "كانون الثاني", "ม.ค.", "มกราคม", "พ.ศ.",
           "အောက်တိုဘာလ", "सितंबर", "בספטמבר", "Σεπτεμβρίου", "ΜΑΪΟΥ", "sentabr", "сентябри", "соли", "x", "th",
           "مهر", "ماه", "۱۴۰۳", "۱۲", "1403", "اکتبر", "میزان", "\u200c",
           "113", "發布", "оны", "сарын", "-р"]


@given(st.lists(st.sampled_from(_PIECES), max_size=9).map("".join))
@settings(max_examples=400, deadline=None)
def test_the_screens_change_no_candidate_in_made_texts(text: str) -> None:
    assert _screened(text) == _all_patterns(text)


@given(st.lists(st.sampled_from(_PIECES), max_size=9).map(" ".join))
@settings(max_examples=400, deadline=None)
def test_the_screens_change_no_candidate_in_spaced_made_texts(text: str) -> None:
    assert _screened(text) == _all_patterns(text)


def test_the_new_needs_hold_one_of_their_characters() -> None:
    """A need is searched only when the text holds one of its characters: every text a need matches does."""
    texts = [r[0] for r in READ] + [r[0].upper() for r in READ]
    held = 0
    for need, chars in zip(dates._NEEDS, dates._NEED_CHARS):
        if chars is None:
            continue
        for text in texts:
            if need.search(text):
                held += 1
                assert any(c in text for c in chars), (need.pattern, text)
    assert held > 40


def test_the_leading_date_of_the_new_forms_is_find_dates_first() -> None:
    rng = random.Random(7)
    fillers = ["Hà Nội, ", "x", "القاهرة في ", "   ", "12 ", "Roma, ", "2024 ", "วันที่ "]
    dated = [r[0] for r in READ]
    for _ in range(1500):
        text = "".join(rng.choice(fillers) for _ in range(rng.randrange(0, 8))) + rng.choice(dated)
        within = rng.choice([0, 10, 40, 60])
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        found = find_dates(text, tz="UTC", reference=REF)
        expected = found[0] if found and found[0][0] <= within else None
        for memo in (dates._MATCHES, dates._FIRSTS, dates._ISOS):
            memo.clear()
        assert leading_date(text, within, tz="UTC", reference=REF) == expected, (text, within)


@given(st.lists(st.sampled_from(_PIECES), max_size=9).map(" ".join), st.sampled_from([None, REF]),
       st.sampled_from(["UTC", "Asia/Bangkok", "Asia/Tokyo"]))
@settings(max_examples=300, deadline=None)
def test_made_texts_never_raise_and_read_aware_dates_within_the_text(text: str, reference: datetime | None, tz: str) -> None:
    for start, end, parsed in find_dates(text, tz=tz, reference=reference):
        assert 0 <= start < end <= len(text)
        assert parsed.value.tzinfo is not None and 1900 <= parsed.value.year <= 2200
    parse_date(text, tz=tz, reference=reference)
    leading_date(text, 20, tz=tz, reference=reference)
