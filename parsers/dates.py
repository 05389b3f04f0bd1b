"""One date reader for the languages of the sources (pure, never raises): month names of ru, be, uk, az, kk, en, de,
fr, es, pl and (day first only) it, pt, ro, tr, nl, uz, tg, ky, tk, hy, ka, bg, mk, sr, hr, bs, sl, cs, sk, lt, lv, et,
hu, fi, sv, no, da, id, ms, el, ar, fa, he, hi, th, my, and from CLDR sq, ca, gl, eu, cy, ga, is, mt, lb, af, sw, tl,
zu, xh, so, rw, ha, ku, ug, ur, tt, ba, bn, ta, te, mr, gu, kn, ml, pa, ne, km, lo; the numeric forms of zh, ja, ko, vi;
digits of any script; the Solar Hijri (Jalali) calendar of Iran and Afghanistan and the lunar Hijri calendar of
Arabic pages (Umm al-Qura, through hijridate), converted to Gregorian days.

Forms read (month names in the case forms dates take, any capitalisation, abbreviated or not)::

    2 октября · 15 марта 2018 года, 18:00 · 3 кастрычніка 2024 г. · 2 oktyabr 2024-cü il
    2024-cü il 2 oktyabr · 02 October 2026, 11:54 · October 2, 2024 · 2–3 октября (first day)
    21.02.2026 [19:22] · 21.02.2026 19:22 · 19:22 21.02.2026 · 13. Juli 2018, 10:15 Uhr
    2024-10-02 · 2024-10-02T11:54:00 · 2024-10-02T11:54:00+03:00 · 2024-10-02T08:54:00Z
    Wed, 02 Oct 2024 11:54:00 +0300 (RFC 2822) · 2 жовтня 2024 року · 2024 жылғы 2 қазан
    1er octobre 2024 · 2 de octubre de 2024 · 02/10/2024 · 02-10-2024 · 2024/10/02 · 2024.10.02
    2018年6月18日 10:01 · 令和6年10月2日 · 民國113年10月2日 · 發布日期：113-10-02 · 2018년 6월 18일 · 2018. 6. 18. · 2024. szeptember 12. · 2024 m. rugsėjo 12 d.
    2024. gada 12. septembrī · 2024-yil 12-sentabr · 12-sentabr 2024-yil · 28 آب/أغسطس 2013 · ١٢ سبتمبر ٢٠٢٤
    21 ม.ค. 2561 (Buddhist era) · 21 ม.ค. 61 · 12 tháng 9 năm 2024 · 12 Σεπτεμβρίου 2024 · 12. září 2024
    2024 թ. սեպտեմբերի 12-ին · 2024 წლის 12 სექტემბერი · ၂၀၁၈ ခုနှစ် အောက်တိုဘာလ ၂၆ ရက် · 12 בספטמבר 2024
    2024 оны 10 сарын 2 · ۱۲ مهر ۱۴۰۳ (Jalali: 3 October 2024) · ۱۲ مهرماه ۱۴۰۳ · ۱۲ میزان ۱۴۰۳ (Afghan names) · ۱۴۰۳/۰۷/۱۲ · ۱۲ اکتبر ۲۰۲۴
    29 ربيع الأول 1446 هـ (lunar Hijri: 2 October 2024) · 1446/03/29هـ

Times may end in a stated offset or zone abbreviation ("MSK", "EDT", "JST"; "ET" and its kin are the US zones' wall
clocks); CST and IST, each the name of several zones, are not read.

All-digit dates with slashes or dashes are read day first ("02/10/2024" is 2 October), or month
first when the caller says the page is US English (``month_first``); a number above 12 settles
the order either way ("13/02/2024", "02/13/2024").

Every result is timezone-aware: an explicit offset (``+03:00``, ``Z``, ``GMT``, ``MSK``) is
kept as given; a naive time is read in the source's IANA zone ``tz``; a date without a
time is midnight in ``tz``. A date without a year takes the year that puts it closest to
``reference`` (the page's fetch or publication time) but never more than
:data:`FUTURE_TOLERANCE` after it; without a reference such a date is not read (we never
guess from today's clock, so a reparse gives the same answer as the first parse).

Unknown time zone names raise ``ZoneInfoNotFoundError`` (a configuration error, not bad
input); nothing in the *text* can make these functions raise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from hijridate import Hijri
from jalali_core import JalaliToGregorian
from zoneinfo import ZoneInfo

from govpress.parsers.release import Precision
from govpress.parsers.regex_cache import compiled
from govpress.parsers.text import TODAY_WORDS, YESTERDAY_WORDS

FUTURE_TOLERANCE = timedelta(days=7)
"""How far after the reference a yearless date may land (announcements of the coming days)."""

_MIN_YEAR, _MAX_YEAR = 1900, 2200


@dataclass(frozen=True, slots=True)
class ParsedDate:
    value: datetime
    """Always timezone-aware."""
    precision: Precision
    has_year: bool
    has_offset: bool
    """True when the text carried an explicit offset (``+03:00``, ``Z``, ``GMT``)."""


# ---------------------------------------------------------------- month names

def _ru_forms(nominative: str) -> list[str]:
    """Russian month in all cases: январь/января/январю/январём/январем/январе, март/марта/..."""
    if nominative.endswith(("ь", "й")):
        stem = nominative[:-1]
        return [nominative, stem + "я", stem + "ю", stem + "ём", stem + "ем", stem + "е"]
    return [nominative, nominative + "а", nominative + "у", nominative + "ом", nominative + "е"]


_MONTH_FORMS: dict[int, list[str]] = {m: [] for m in range(1, 13)}
for _number, _word in enumerate(
    "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь".split(), 1
):
    _MONTH_FORMS[_number] += _ru_forms(_word)
for _number, _words in {
    1: "янв студзень студзеня студзені студзеню студзенем студз січня січень",
    2: "фев февр люты лютага лютым лютаму лют лютого лютий",
    3: "мар сакавік сакавіка сакавіку сакавіком сак березня березень",
    4: "апр красавік красавіка красавіку красавіком крас квітня квітень",
    5: "травень траўня траўні траўню траўнем травеня трав травня",
    6: "июн чэрвень чэрвеня чэрвені чэрвеню чэрвенем чэрв червня червень",
    7: "июл ліпень ліпеня ліпені ліпеню ліпенем ліп липня липень",
    8: "авг жнівень жніўня жніўні жніўню жніўнем жнів серпня серпень",
    9: "сен сент верасень верасня верасні верасню вераснем вер вересня вересень",
    10: "окт кастрычнік кастрычніка кастрычніку кастрычнікам каст жовтня жовтень",
    11: "ноя нояб лістапад лістапада лістападзе лістападу лістападам ліст листопада листопад",
    12: "дек снежань снежня снежні снежню снежнем снеж грудня грудень",
}.items():
    _MONTH_FORMS[_number] += _words.split()

# Azerbaijani: the name plus the case suffixes that follow it (genitive, dative, locative, ablative).
_AZ_SUFFIXES = {
    "yanvar": "ın a da dan", "fevral": "ın a da dan", "mart": "ın a da dan", "aprel": "in ə də dən",
    "may": "ın a da dan", "iyun": "un a da dan", "iyul": "un a da dan", "avqust": "un a da dan",
    "sentyabr": "ın a da dan", "oktyabr": "ın a da dan", "noyabr": "ın a da dan", "dekabr": "ın a da dan",
}
for _number, (_word, _suffixes) in enumerate(_AZ_SUFFIXES.items(), 1):
    _MONTH_FORMS[_number] += [_word] + [_word + s for s in _suffixes.split()]
# French, Spanish (accents optional: sites drop them in URLs and old markup).
for _number, _words in {
    1: "janvier janv enero", 2: "février fevrier févr fevr febrero", 3: "mars marzo",
    4: "avril avr abril", 5: "mayo", 6: "juin junio", 7: "juillet juil julio", 8: "août aout agosto",
    9: "septembre septiembre setiembre", 10: "octobre octubre", 11: "novembre noviembre",
    12: "décembre decembre déc diciembre",
}.items():
    _MONTH_FORMS[_number] += _words.split()
# Kazakh: the name and its locative and genitive forms ("2 қазанда", "қазанның 2-сі"); every
# spelling of the suffix is listed rather than derived by vowel harmony (no other word ends so).
for _number, _word in enumerate("қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан".split(), 1):
    _MONTH_FORMS[_number] += [_word] + [_word + s for s in "да де та те ның нің дың дің тың тің".split()]
# Polish: nominative and genitive ("27 marca 2024"); no three-letter abbreviations (too many words share them).
for _number, _words in {
    1: "styczeń stycznia", 2: "luty lutego", 3: "marzec marca", 4: "kwiecień kwietnia", 5: "maj maja",
    6: "czerwiec czerwca", 7: "lipiec lipca", 8: "sierpień sierpnia", 9: "wrzesień września",
    10: "październik października", 11: "listopad listopada", 12: "grudzień grudnia",
}.items():
    _MONTH_FORMS[_number] += _words.split()
for _number, _words in {
    1: "yan january jan januar jänner janner", 2: "fev february feb februar feber",
    3: "march mar märz maerz marz mär", 4: "april apr", 5: "mai",
    6: "iyn june jun juni", 7: "iyl july jul juli", 8: "avq august aug",
    9: "sen sentyabr september sep sept", 10: "okt october oct oktober",
    11: "noy november nov", 12: "dek december dec dezember dez",
}.items():
    _MONTH_FORMS[_number] += _words.split()

# Month-first forms ("October 2", "oktyabrın 2-si"): the Latin forms above (English, German, Azerbaijani; French and
# Spanish are taken out below). Fixed here, before the day-first languages are added: a word they share with these
# ("april", "mart", "juli") keeps its place, and no new word enters the month-first pattern.
_MONTH_FIRST_FORMS = frozenset(w for forms in _MONTH_FORMS.values() for w in forms)

# The languages that only write the day first (or the year first): month -> space-separated forms as dates print
# them (nominative and the cases dates take: genitive, locative, partitive...). Spellings checked against CLDR
# (tests/unit/parsers/test_dates_languages.py). Left out on purpose: abbreviations that are common words ("set",
# "ago", "gen", "des", "mag", "ian"), Croatian "listopad(a)" (October there, November in Polish and Czech), the
# Lithuanian nominatives ("liepa" linden, "kovas" rook, "balandis" pigeon) and Estonian "mail" (English "mail").
_DAY_FIRST_LANGUAGES: dict[str, dict[int, str]] = {
    "it": {1: "gennaio", 2: "febbraio", 3: "marzo", 4: "aprile", 5: "maggio", 6: "giugno", 7: "luglio",
           8: "agosto", 9: "settembre", 10: "ottobre", 11: "novembre", 12: "dicembre"},
    "pt": {1: "janeiro", 2: "fevereiro", 3: "março marco", 4: "abril", 5: "maio", 6: "junho", 7: "julho",
           8: "agosto", 9: "setembro", 10: "outubro", 11: "novembro", 12: "dezembro"},
    "ro": {1: "ianuarie", 2: "februarie", 3: "martie", 4: "aprilie", 5: "mai", 6: "iunie", 7: "iulie", 8: "august",
           9: "septembrie", 10: "octombrie", 11: "noiembrie", 12: "decembrie"},
    # Turkish: also as typed without its letters (and as Python lowercases the capitals: "MAYIS" -> "mayis").
    "tr": {1: "ocak", 2: "şubat subat", 3: "mart", 4: "nisan", 5: "mayıs mayis", 6: "haziran", 7: "temmuz",
           8: "ağustos agustos", 9: "eylül eylul", 10: "ekim", 11: "kasım kasim", 12: "aralık aralik"},
    "nl": {1: "januari", 2: "februari", 3: "maart mrt", 4: "april", 5: "mei", 6: "juni", 7: "juli", 8: "augustus",
           9: "september", 10: "oktober", 11: "november", 12: "december"},
    "uz": {1: "yanvar январ", 2: "fevral феврал", 3: "mart", 4: "aprel апрел", 5: "may", 6: "iyun", 7: "iyul",
           8: "avgust", 9: "sentabr sentyabr сентябр", 10: "oktabr oktyabr октябр", 11: "noyabr ноябр",
           12: "dekabr декабр"},
    # Tajik: the Uzbek Cyrillic names (above), and with the izofat "-и" a date puts on them ("12 сентябри соли 2024").
    "tg": {1: "январи", 2: "феврали", 3: "марти", 4: "апрели", 5: "майи", 6: "июни", 7: "июли", 8: "августи",
           9: "сентябри", 10: "октябри", 11: "ноябри", 12: "декабри"},
    # Turkmen: the name, and as a date puts it after a year ("2024-nji ýylyň 2-nji oktýabry", "... oktýabrynda").
    "tk": {1: "ýanwar ýanwary ýanwarynda", 2: "fewral fewraly fewralynda", 3: "mart marty martynda",
           4: "aprel apreli aprelinde", 5: "maý maýy maýynda", 6: "iýun iýuny iýunynda", 7: "iýul iýuly iýulynda",
           8: "awgust awgusty awgustynda", 9: "sentýabr sentýabry sentýabrynda", 10: "oktýabr oktýabry oktýabrynda",
           11: "noýabr noýabry noýabrynda", 12: "dekabr dekabry dekabrynda"},
    # Kyrgyz: the Russian names, and the forms a date after a year takes ("2024-жылдын 2-октябрында").
    "ky": {1: "январында январда", 2: "февралында февралда", 3: "мартында мартта", 4: "апрелинде апрелде",
           5: "майында майда", 6: "июнунда июнда", 7: "июлунда июлда", 8: "августунда августта",
           9: "сентябрында сентябрда", 10: "октябрында октябрда", 11: "ноябрында ноябрда", 12: "декабрында декабрда"},
    "hy": {1: "հունվար հունվարի", 2: "փետրվար փետրվարի", 3: "մարտ մարտի", 4: "ապրիլ ապրիլի", 5: "մայիս մայիսի",
           6: "հունիս հունիսի", 7: "հուլիս հուլիսի", 8: "օգոստոս օգոստոսի", 9: "սեպտեմբեր սեպտեմբերի",
           10: "հոկտեմբեր հոկտեմբերի", 11: "նոյեմբեր նոյեմբերի", 12: "դեկտեմբեր դեկտեմբերի"},
    # Georgian: nominative, genitive, dative ("12 სექტემბერს").
    "ka": {1: "იანვარი იანვრის იანვარს", 2: "თებერვალი თებერვლის თებერვალს", 3: "მარტი მარტის მარტს",
           4: "აპრილი აპრილის აპრილს", 5: "მაისი მაისის მაისს", 6: "ივნისი ივნისის ივნისს", 7: "ივლისი ივლისის ივლისს",
           8: "აგვისტო აგვისტოს", 9: "სექტემბერი სექტემბრის სექტემბერს", 10: "ოქტომბერი ოქტომბრის ოქტომბერს",
           11: "ნოემბერი ნოემბრის ნოემბერს", 12: "დეკემბერი დეკემბრის დეკემბერს"},
    "bg": {1: "януари", 2: "февруари", 3: "март", 4: "април", 5: "май", 6: "юни", 7: "юли", 8: "август",
           9: "септември", 10: "октомври", 11: "ноември", 12: "декември"},
    "mk": {1: "јануари", 2: "февруари", 3: "март", 4: "април", 5: "мај", 6: "јуни", 7: "јули", 8: "август",
           9: "септември", 10: "октомври", 11: "ноември", 12: "декември"},
    "sr": {1: "јануар јануара", 2: "фебруар фебруара", 3: "март марта", 4: "април априла", 5: "мај маја",
           6: "јун јуна", 7: "јул јула", 8: "август августа", 9: "септембар септембра", 10: "октобар октобра",
           11: "новембар новембра", 12: "децембар децембра"},
    # Serbian Latin and Bosnian (the same names, Bosnian "juni", "juli", "august").
    "sr-Latn": {1: "januar januara", 2: "februar februara", 3: "mart marta", 4: "april aprila", 5: "maj maja",
                6: "jun juna juni", 7: "jul jula juli", 8: "avgust avgusta august augusta",
                9: "septembar septembra", 10: "oktobar oktobra", 11: "novembar novembra", 12: "decembar decembra"},
    "hr": {1: "siječanj siječnja", 2: "veljača veljače", 3: "ožujak ožujka", 4: "travanj travnja", 5: "svibanj svibnja",
           6: "lipanj lipnja", 7: "srpanj srpnja", 8: "kolovoz kolovoza", 9: "rujan rujna",
           11: "studeni studenoga studenog", 12: "prosinac prosinca"},
    "sl": {1: "januar januarja", 2: "februar februarja", 3: "marec marca", 4: "april aprila", 5: "maj maja",
           6: "junij junija", 7: "julij julija", 8: "avgust avgusta", 9: "september septembra",
           10: "oktober oktobra", 11: "november novembra", 12: "december decembra"},
    "cs": {1: "leden ledna", 2: "únor února", 3: "březen března", 4: "duben dubna", 5: "květen května",
           6: "červen června", 7: "červenec července", 8: "srpen srpna", 9: "září", 10: "říjen října",
           11: "listopad listopadu", 12: "prosinec prosince"},
    "sk": {1: "január januára", 2: "február februára", 3: "marec marca", 4: "apríl apríla", 5: "máj mája",
           6: "jún júna", 7: "júl júla", 8: "august augusta", 9: "september septembra", 10: "október októbra",
           11: "november novembra", 12: "december decembra"},
    "lt": {1: "sausio", 2: "vasario", 3: "kovo", 4: "balandžio", 5: "gegužės", 6: "birželio", 7: "liepos",
           8: "rugpjūčio", 9: "rugsėjo", 10: "spalio", 11: "lapkričio", 12: "gruodžio"},
    # Latvian: nominative, locative ("12. septembrī"), genitive.
    "lv": {1: "janvāris janvārī janvāra", 2: "februāris februārī februāra", 3: "marts martā marta",
           4: "aprīlis aprīlī aprīļa", 5: "maijs maijā maija", 6: "jūnijs jūnijā jūnija", 7: "jūlijs jūlijā jūlija",
           8: "augusts augustā augusta", 9: "septembris septembrī septembra", 10: "oktobris oktobrī oktobra",
           11: "novembris novembrī novembra", 12: "decembris decembrī decembra"},
    # Estonian: nominative and adessive ("12. septembril").
    "et": {1: "jaanuar jaanuaril", 2: "veebruar veebruaril", 3: "märts märtsil", 4: "aprill aprillil", 5: "mai",
           6: "juuni juunil", 7: "juuli juulil", 8: "august augustil", 9: "september septembril",
           10: "oktoober oktoobril", 11: "november novembril", 12: "detsember detsembril"},
    "hu": {1: "január", 2: "február febr", 3: "március márc", 4: "április ápr", 5: "május máj", 6: "június jún",
           7: "július júl", 8: "augusztus", 9: "szeptember szept", 10: "október", 11: "november", 12: "december"},
    # Finnish: nominative, partitive ("12. syyskuuta 2024"), inessive.
    "fi": {n: f"{w}kuu {w}kuuta {w}kuussa" for n, w in enumerate(
        "tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu".split(), 1)},
    "sv": {1: "januari", 2: "februari", 3: "mars", 4: "april", 5: "maj", 6: "juni", 7: "juli", 8: "augusti",
           9: "september", 10: "oktober", 11: "november", 12: "december"},
    "no-da": {1: "januar", 2: "februar", 3: "mars marts", 4: "april", 5: "mai maj", 6: "juni", 7: "juli", 8: "august",
              9: "september", 10: "oktober", 11: "november", 12: "desember december"},
    "id": {1: "januari", 2: "februari", 3: "maret", 4: "april", 5: "mei", 6: "juni", 7: "juli", 8: "agustus",
           9: "september", 10: "oktober", 11: "november", 12: "desember"},
    "ms": {1: "januari", 2: "februari", 3: "mac", 4: "april", 5: "mei", 6: "jun", 7: "julai", 8: "ogos",
           9: "september", 10: "oktober", 11: "november", 12: "disember"},
    # Greek: nominative and genitive ("12 Σεπτεμβρίου 2024"); also without accents below (capitals drop them).
    "el": {1: "Ιανουάριος Ιανουαρίου", 2: "Φεβρουάριος Φεβρουαρίου", 3: "Μάρτιος Μαρτίου", 4: "Απρίλιος Απριλίου",
           5: "Μάιος Μαΐου", 6: "Ιούνιος Ιουνίου", 7: "Ιούλιος Ιουλίου", 8: "Αύγουστος Αυγούστου",
           9: "Σεπτέμβριος Σεπτεμβρίου", 10: "Οκτώβριος Οκτωβρίου", 11: "Νοέμβριος Νοεμβρίου",
           12: "Δεκέμβριος Δεκεμβρίου"},
    # Arabic: the Egyptian and Gulf names, the Levantine and Iraqi ones, the Maghreb's (Algeria, Tunisia, Morocco);
    # each also written with a bare alef for "أ إ آ" (added below).
    "ar": {1: "يناير كانون_الثاني جانفي", 2: "فبراير شباط فيفري", 3: "مارس آذار",
           4: "أبريل إبريل نيسان أفريل", 5: "مايو أيار ماي", 6: "يونيو يونيه يونية حزيران جوان",
           7: "يوليو يوليه يولية تموز جويلية يوليوز", 8: "أغسطس آب أوت غشت", 9: "سبتمبر أيلول شتنبر",
           10: "أكتوبر تشرين_الأول", 11: "نوفمبر تشرين_الثاني نونبر", 12: "ديسمبر كانون_الأول دجنبر"},
    # Persian names of the Gregorian months: Iran's, then Afghanistan's (Dari, and Pashto's where they differ); also with
    # the Arabic yeh and kaf for the Persian ones, added below. May ("مه", "می": also "fog" and the verb prefix) and
    # "جون" (also "dear") need a year beside them.
    "fa": {1: "ژانویه جنوری جنوري", 2: "فوریه فبروری فبروري فېبروري", 3: "مارس مارچ", 4: "آوریل اپریل", 5: "مه مهٔ می مۍ",
           6: "ژوئن جون", 7: "ژوئیه جولای", 8: "اوت آگوست اگست اګست", 9: "سپتامبر سپتمبر سېپتمبر", 10: "اکتبر اکتوبر",
           11: "نوامبر نومبر", 12: "دسامبر دسمبر"},
    # Hebrew: also with the prefix "ב" (in) a date puts on the month ("12 בספטמבר 2024"), added below.
    "he": {1: "ינואר", 2: "פברואר", 3: "מרץ מרס", 4: "אפריל", 5: "מאי", 6: "יוני", 7: "יולי", 8: "אוגוסט",
           9: "ספטמבר", 10: "אוקטובר", 11: "נובמבר", 12: "דצמבר"},
    # Hindi: with and without the nukta (precomposed U+095E and decomposed), both spellings of the nasal.
    "hi": {1: "जनवरी", 2: "फ़रवरी \u095eरवरी फरवरी", 3: "मार्च", 4: "अप्रैल", 5: "मई", 6: "जून", 7: "जुलाई",
           8: "अगस्त", 9: "सितंबर सितम्बर", 10: "अक्टूबर अक्तूबर", 11: "नवंबर नवम्बर", 12: "दिसंबर दिसम्बर"},
    "th": {1: "มกราคม ม.ค.", 2: "กุมภาพันธ์ ก.พ.", 3: "มีนาคม มี.ค.", 4: "เมษายน เม.ย.", 5: "พฤษภาคม พ.ค.",
           6: "มิถุนายน มิ.ย.", 7: "กรกฎาคม ก.ค.", 8: "สิงหาคม ส.ค.", 9: "กันยายน ก.ย.", 10: "ตุลาคม ต.ค.",
           11: "พฤศจิกายน พ.ย.", 12: "ธันวาคม ธ.ค."},
    # Burmese: also with "လ" (month) after the name ("အောက်တိုဘာလ"), added below; August in both spellings.
    "my": {1: "ဇန်နဝါရီ", 2: "ဖေဖော်ဝါရီ", 3: "မတ်", 4: "ဧပြီ", 5: "မေ", 6: "ဇွန်", 7: "ဇူလိုင်", 8: "ဩဂုတ် သြဂုတ်",
           9: "စက်တင်ဘာ", 10: "အောက်တိုဘာ", 11: "နိုဝင်ဘာ", 12: "ဒီဇင်ဘာ"},
    # CLDR's names (format and stand-alone) of more languages of official sites: Europe's smaller ones, Africa's,
    # Kurdish (Kurmanji), Uyghur, Urdu, Tatar and Bashkir, the Indic scripts, Khmer, Lao.
    "sq": {1: "janar", 2: "shkurt", 3: "mars", 4: "prill", 5: "maj", 6: "qershor", 7: "korrik", 8: "gusht",
           9: "shtator", 10: "tetor", 11: "nëntor", 12: "dhjetor"},
    "ca": {1: "gener", 2: "febrer", 3: "març", 4: "abril", 5: "maig", 6: "juny", 7: "juliol", 8: "agost",
           9: "setembre", 10: "octubre", 11: "novembre", 12: "desembre"},
    "gl": {1: "xaneiro", 2: "febreiro", 3: "marzo", 4: "abril", 5: "maio", 6: "xuño", 7: "xullo", 8: "agosto",
           9: "setembro", 10: "outubro", 11: "novembro", 12: "decembro"},
    "eu": {1: "urtarrila", 2: "otsaila", 3: "martxoa", 4: "apirila", 5: "maiatza", 6: "ekaina", 7: "uztaila",
           8: "abuztua", 9: "iraila", 10: "urria", 11: "azaroa", 12: "abendua"},
    "cy": {1: "ionawr", 2: "chwefror", 3: "mawrth", 4: "ebrill", 5: "mai", 6: "mehefin", 7: "gorffennaf", 8: "awst",
           9: "medi", 10: "hydref", 11: "tachwedd", 12: "rhagfyr"},
    "ga": {1: "eanáir", 2: "feabhra", 3: "márta", 4: "aibreán", 5: "bealtaine", 6: "meitheamh", 7: "iúil",
           8: "lúnasa", 9: "meán_fómhair", 10: "deireadh_fómhair", 11: "samhain", 12: "nollaig"},
    "is": {1: "janúar", 2: "febrúar", 3: "mars", 4: "apríl", 5: "maí", 6: "júní", 7: "júlí", 8: "ágúst",
           9: "september", 10: "október", 11: "nóvember", 12: "desember"},
    "mt": {1: "jannar", 2: "frar", 3: "marzu", 4: "april", 5: "mejju", 6: "ġunju", 7: "lulju", 8: "awwissu",
           9: "settembru", 10: "ottubru", 11: "novembru", 12: "diċembru"},
    "lb": {1: "januar", 2: "februar", 3: "mäerz", 4: "abrëll", 5: "mee", 6: "juni", 7: "juli", 8: "august",
           9: "september", 10: "oktober", 11: "november", 12: "dezember"},
    "af": {1: "januarie", 2: "februarie", 3: "maart", 4: "april", 5: "mei", 6: "junie", 7: "julie", 8: "augustus",
           9: "september", 10: "oktober", 11: "november", 12: "desember"},
    "sw": {1: "januari", 2: "februari", 3: "machi", 4: "aprili", 5: "mei", 6: "juni", 7: "julai", 8: "agosti",
           9: "septemba", 10: "oktoba", 11: "novemba", 12: "desemba"},
    "tl": {1: "enero", 2: "pebrero", 3: "marso", 4: "abril", 5: "mayo", 6: "hunyo", 7: "hulyo", 8: "agosto",
           9: "setyembre", 10: "oktubre", 11: "nobyembre", 12: "disyembre"},
    "zu": {1: "januwari", 2: "februwari", 3: "mashi", 4: "ephreli", 5: "meyi", 6: "juni", 7: "julayi", 8: "agasti",
           9: "septhemba", 10: "okthoba", 11: "novemba", 12: "disemba"},
    "xh": {1: "janyuwari", 2: "februwari", 3: "matshi", 4: "epreli", 5: "meyi", 6: "juni", 7: "julayi", 8: "agasti",
           9: "septemba", 10: "okthobha okthoba", 11: "novemba", 12: "disemba"},
    "so": {1: "janaayo jannaayo", 2: "febraayo", 3: "maarso", 4: "abriil", 5: "maayo", 6: "juun", 7: "luulyo",
           8: "agosto ogosto", 9: "sebtembar sebteembar", 10: "oktoobar", 11: "noofeembar", 12: "diseembar"},
    "rw": {1: "mutarama", 2: "gashyantare", 3: "werurwe", 4: "mata", 5: "gicurasi", 6: "kamena", 7: "nyakanga",
           8: "kanama", 9: "nzeri", 10: "ukwakira", 11: "ugushyingo", 12: "ukuboza"},
    "ha": {1: "janairu", 2: "faburairu", 3: "maris", 4: "afirilu", 5: "mayu", 6: "yuni", 7: "yuli", 8: "agusta",
           9: "satumba", 10: "oktoba", 11: "nuwamba", 12: "disamba"},
    "ku": {1: "rêbendan", 2: "sibat", 3: "adar", 4: "nîsan", 5: "gulan", 6: "hezîran", 7: "tîrmeh", 8: "tebax",
           9: "îlon", 10: "cotmeh", 11: "mijdar", 12: "berfanbar"},
    "ug": {1: "يانۋار", 2: "فېۋرال", 3: "مارت", 4: "ئاپرېل", 5: "ماي", 6: "ئىيۇن", 7: "ئىيۇل", 8: "ئاۋغۇست",
           9: "سېنتەبىر", 10: "ئۆكتەبىر", 11: "نويابىر", 12: "دېكابىر"},
    "ur": {1: "جنوری", 2: "فروری", 3: "مارچ", 4: "اپریل", 5: "مئی", 6: "جون", 7: "جولائی", 8: "اگست", 9: "ستمبر",
           10: "اکتوبر", 11: "نومبر", 12: "دسمبر"},
    # Tatar and Bashkir: the name, its possessive and locative as a date after a year puts them ("2024 елның 2 октябре",
    # "2024 йылдың 2 октябрендә"); the Russian forms above ("октябре") cover the rest.
    "tt": {1: "гыйнвар гыйнвары гыйнварда", 2: "февраль февралендә", 3: "март марты мартта", 4: "апрель апрелендә",
           5: "май маенда", 6: "июнь июнендә", 7: "июль июлендә", 8: "август августы августта",
           9: "сентябрь сентябрендә", 10: "октябрь октябрендә", 11: "ноябрь ноябрендә", 12: "декабрь декабрендә"},
    "ba": {1: "ғинуар ғинуары ғинуарында", 2: "февраль февралендә", 3: "март марты мартта", 4: "апрель апрелендә",
           5: "май майында", 6: "июнь июнендә", 7: "июль июлендә", 8: "август августы августта",
           9: "сентябрь сентябрендә", 10: "октябрь октябрендә", 11: "ноябрь ноябрендә", 12: "декабрь декабрендә"},
    "bn": {1: "জানুয়ারি", 2: "ফেব্রুয়ারি", 3: "মার্চ", 4: "এপ্রিল", 5: "মে", 6: "জুন", 7: "জুলাই", 8: "আগস্ট",
           9: "সেপ্টেম্বর", 10: "অক্টোবর", 11: "নভেম্বর", 12: "ডিসেম্বর"},
    "ta": {1: "ஜனவரி", 2: "பிப்ரவரி", 3: "மார்ச்", 4: "ஏப்ரல்", 5: "மே", 6: "ஜூன்", 7: "ஜூலை", 8: "ஆகஸ்ட்",
           9: "செப்டம்பர்", 10: "அக்டோபர்", 11: "நவம்பர்", 12: "டிசம்பர்"},
    "te": {1: "జనవరి", 2: "ఫిబ్రవరి", 3: "మార్చి", 4: "ఏప్రిల్", 5: "మే", 6: "జూన్", 7: "జులై", 8: "ఆగస్టు",
           9: "సెప్టెంబర్", 10: "అక్టోబర్", 11: "నవంబర్", 12: "డిసెంబర్"},
    "mr": {1: "जानेवारी", 2: "फेब्रुवारी", 3: "मार्च", 4: "एप्रिल", 5: "मे", 6: "जून", 7: "जुलै", 8: "ऑगस्ट",
           9: "सप्टेंबर", 10: "ऑक्टोबर", 11: "नोव्हेंबर", 12: "डिसेंबर"},
    "gu": {1: "જાન્યુઆરી", 2: "ફેબ્રુઆરી", 3: "માર્ચ", 4: "એપ્રિલ", 5: "મે", 6: "જૂન", 7: "જુલાઈ", 8: "ઑગસ્ટ",
           9: "સપ્ટેમ્બર", 10: "ઑક્ટોબર", 11: "નવેમ્બર", 12: "ડિસેમ્બર"},
    "kn": {1: "ಜನವರಿ", 2: "ಫೆಬ್ರವರಿ", 3: "ಮಾರ್ಚ್", 4: "ಏಪ್ರಿಲ್", 5: "ಮೇ", 6: "ಜೂನ್", 7: "ಜುಲೈ", 8: "ಆಗಸ್ಟ್",
           9: "ಸೆಪ್ಟೆಂಬರ್", 10: "ಅಕ್ಟೋಬರ್", 11: "ನವೆಂಬರ್", 12: "ಡಿಸೆಂಬರ್"},
    "ml": {1: "ജനുവരി", 2: "ഫെബ്രുവരി", 3: "മാർച്ച്", 4: "ഏപ്രിൽ", 5: "മേയ്", 6: "ജൂൺ", 7: "ജൂലൈ", 8: "ഓഗസ്റ്റ്",
           9: "സെപ്റ്റംബർ", 10: "ഒക്‌ടോബർ", 11: "നവംബർ", 12: "ഡിസംബർ"},
    "pa": {1: "ਜਨਵਰੀ", 2: "ਫ਼ਰਵਰੀ", 3: "ਮਾਰਚ", 4: "ਅਪ੍ਰੈਲ", 5: "ਮਈ", 6: "ਜੂਨ", 7: "ਜੁਲਾਈ", 8: "ਅਗਸਤ", 9: "ਸਤੰਬਰ",
           10: "ਅਕਤੂਬਰ", 11: "ਨਵੰਬਰ", 12: "ਦਸੰਬਰ"},
    "ne": {1: "जनवरी", 2: "फेब्रुअरी", 3: "मार्च", 4: "अप्रिल", 5: "मे", 6: "जुन", 7: "जुलाई", 8: "अगस्ट",
           9: "सेप्टेम्बर", 10: "अक्टोबर", 11: "नोभेम्बर", 12: "डिसेम्बर"},
    "km": {1: "មករា", 2: "កុម្ភៈ", 3: "មីនា", 4: "មេសា", 5: "ឧសភា", 6: "មិថុនា", 7: "កក្កដា", 8: "សីហា", 9: "កញ្ញា",
           10: "តុលា", 11: "វិច្ឆិកា", 12: "ធ្នូ"},
    "lo": {1: "ມັງກອນ", 2: "ກຸມພາ", 3: "ມີນາ", 4: "ເມສາ", 5: "ພຶດສະພາ", 6: "ມິຖຸນາ", 7: "ກໍລະກົດ", 8: "ສິງຫາ",
           9: "ກັນຍາ", 10: "ຕຸລາ", 11: "ພະຈິກ", 12: "ທັນວາ"},
}
_ALEFS = str.maketrans("أإآ", "ااا")
_ARABIC_YEH = str.maketrans("یک", "يك")  # the Persian yeh and kaf as Arabic keyboards type them
_GREEK_ACCENTS = re.compile("[\u0301\u0308\u0344]")
_GREEK_ACUTE = re.compile("\u0301")


def _language_forms(language: str, words: str) -> list[str]:
    """The forms of one month of ``language`` as written in :data:`_DAY_FIRST_LANGUAGES` and the spellings derived
    from them ("_" joins the words of an Arabic name: "كانون الثاني")."""
    forms = [w.replace("_", " ") for w in words.split()]
    if language == "ar":
        forms += [w.translate(_ALEFS) for w in forms]
    elif language == "el":  # capitals drop the accent and may keep the diaeresis ("ΜΑΪΟΥ", "ΜΑΙΟΥ")
        for accents in (_GREEK_ACCENTS, _GREEK_ACUTE):
            forms += [unicodedata.normalize("NFC", accents.sub("", unicodedata.normalize("NFD", w))) for w in forms]
    elif language in ("fa", "fa-jalali"):
        forms += [w.translate(_ARABIC_YEH) for w in forms]
        if language == "fa-jalali":  # "مهر ماه", "مهرماه" (month): as often as the bare name
            forms += [w + joint + "ماه" for w in forms for joint in (" ", "", "\u200c")]
    elif language == "he":
        forms += ["ב" + w for w in forms]
    elif language == "ca":  # "2 d'octubre de 2024": "de" elided before a vowel
        forms += [elision + w for w in forms if w[0] in "ao" for elision in ("d'", "d’")]
    elif language == "my":
        forms += [w + "လ" for w in forms]
    return list(dict.fromkeys(forms))


for _language, _table in _DAY_FIRST_LANGUAGES.items():
    for _number, _words in _table.items():
        _MONTH_FORMS[_number] += _language_forms(_language, _words)

# The Solar Hijri (Jalali) months of Iran and (in Dari) Afghanistan, each also as "... ماه" (month): numbered as that
# calendar numbers them, so a date named so is converted (:func:`_from_jalali`). Several are common words too ("مهر"
# kindness, "تیر" arrow, "اسد" lion, "قوس" arc, "میزان" measure, "جدی" serious): a month only with a year beside it.
_JALALI_MONTHS = {1: "فروردین حمل", 2: "اردیبهشت ثور", 3: "خرداد جوزا", 4: "تیر سرطان", 5: "مرداد امرداد اسد",
                  6: "شهریور سنبله", 7: "مهر میزان", 8: "آبان عقرب", 9: "آذر قوس", 10: "دی جدی", 11: "بهمن دلو",
                  12: "اسفند حوت"}
_JALALI_FORMS = [w for words in _JALALI_MONTHS.values() for w in _language_forms("fa-jalali", words)]
for _number, _words in _JALALI_MONTHS.items():
    _MONTH_FORMS[_number] += _language_forms("fa-jalali", _words)

# The lunar Hijri months (Arabic pages print "29 ربيع الأول 1446 هـ", often beside the Gregorian day, sometimes alone),
# numbered as that calendar numbers them and converted with the Umm al-Qura tables (:func:`_from_hijri`). "صفر" is
# also "zero", "رجب" and "رمضان" names: a month only with a year beside it, as every Hijri month here.
_HIJRI_MONTHS = {1: "محرم المحرم", 2: "صفر", 3: "ربيع_الأول ربيع_أول ربيع_الاول", 4: "ربيع_الآخر ربيع_الثاني ربيع_ثاني",
                 5: "جمادى_الأولى جمادى_الأول جمادى_الاولى", 6: "جمادى_الآخرة جمادى_الثانية جمادى_الآخر",
                 7: "رجب", 8: "شعبان", 9: "رمضان", 10: "شوال", 11: "ذو_القعدة ذي_القعدة ذو_القعده",
                 12: "ذو_الحجة ذي_الحجة ذو_الحجه"}
_HIJRI_FORMS = [w for words in _HIJRI_MONTHS.values() for w in _language_forms("ar", words)]
for _number, _words in _HIJRI_MONTHS.items():
    _MONTH_FORMS[_number] += _language_forms("ar", _words)

# The Lithuanian, Hungarian, Armenian and Burmese forms, which follow a year's marker and come before the day
# ("2024. szeptember 12.", "2024 m. rugsėjo 12 d.", "2024 թ. սեպտեմբերի 12", "၂၀၁၈ ခုနှစ် အောက်တိုဘာလ ၂၆ ရက်"):
# only these there, never an English word ("in 2023. May 5 people"). (Uzbek "2024 yil 12 sentyabr" has the day first.)
_YEAR_MONTH_FORMS = [w for language in ("lt", "hu", "hy", "my") for words in _DAY_FIRST_LANGUAGES[language].values()
                     for w in _language_forms(language, words)]
# Words that are also common words or names ("ekim" sowing, "aralık" interval, "Nisan", "Kasım", "Marco", Malay "mac",
# Arabic "آب" written "اب" father, Burmese "မေ"): a month only with a year beside them.
_YEAR_REQUIRED = frozenset(
    "ocak ekim nisan kasım kasim aralık aralik marco mac اب ماي اوت أوت မေ မတ် မေလ မတ်လ مه مهٔ می مي مۍ جون"
    # and of the languages from CLDR: Dutch "mee" (along), Spanish "mata" (kills), Welsh "medi" (reaping), Hausa's
    # short names, Hindi's "मे" typed for "में" (in)
    " mee mata medi awst adar mayu yuni yuli juun maris मे মে மே మే ಮೇ મે".split()) | frozenset(_JALALI_FORMS) | frozenset(
    _HIJRI_FORMS)


_CYRILLIC_MONTH_LETTER = re.compile("[а-яёіў]")


def _fold_month(word: str) -> str:
    """Lookup key: lowercase, NFC, Latin ``i`` typed for Belarusian ``і`` folded to ``і`` in Cyrillic words."""
    # "İ" lowercases to "i" and a combining dot ("NİSAN", "EKİM"): the dot goes.
    word = unicodedata.normalize("NFC", word).lower().replace("i\u0307", "i").rstrip(".")
    if _CYRILLIC_MONTH_LETTER.search(word):
        word = word.replace("i", "і")
    return word


_MONTHS: dict[str, int] = {}
for _number, _forms in _MONTH_FORMS.items():
    for _form in _forms:
        _MONTHS[_fold_month(_form)] = _number

# Alternation of every form, longest first; Belarusian forms also with a Latin "i" look-alike.
_month_variants = set(_MONTHS)
_month_variants |= {w.replace("і", "i") for w in _MONTHS if "і" in w}
# and as written when NFC changes it (a precomposed Devanagari nukta letter decomposes: pages print either).
_month_variants |= {w.lower() for forms in _MONTH_FORMS.values() for w in forms if _fold_month(w) != w.lower().rstrip(".")}


def _trie_regex(words: set[str] | list[str]) -> str:
    """An alternation matching exactly ``words``, longest first, with shared prefixes factored out.

    "март|марта|марте|..." as one flat alternation of ~560 month forms is tried form by form at
    each position; the factored form ("мар(?:т(?:а|е|...)?)...") matches the same strings with the
    same preference (a longer form before its prefix) and searched a page 3x faster (0.59 ms ->
    0.19 ms on a constructed page tripled, measured in one run; compiling costs the same).
    """
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # the longer forms first, then the word ending here
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return render(trie)


def _opening(words: set[str] | list[str]) -> str:
    """A look-ahead that passes where one of ``words`` may open, case-blind: a case-sensitive class of every ASCII
    character re.I takes for one of their first letters, and every other character (a superset: a position it
    fails cannot open a word). The month alternation is case-blind, so the engine enters each of its ~40 first
    letters' branches at every position it is tried; the class is one look in C (most positions fail it)."""
    firsts = re.compile("[" + re.escape("".join(sorted({word[0] for word in words}))) + "]", re.I)
    ascii_openers = "".join(char for char in map(chr, range(128)) if firsts.fullmatch(char))
    return f"(?=(?-i:[{re.escape(ascii_openers)}\\x80-\\U0010ffff]))"


_MONTH_RE = _trie_regex(_month_variants)
def _combining_marks(*blocks: tuple[int, int]) -> str:
    """A character class body of every combining mark (Unicode category M) in the code point ``blocks``."""
    marks = [chr(c) for first, last in blocks for c in range(first, last + 1) if unicodedata.category(chr(c))[0] == "M"]
    return "".join(re.escape(m) for m in marks)


# The blocks of the scripts with month names whose words carry combining marks: Latin's and Cyrillic's combining
# accents, Hebrew and Arabic points, the Indic scripts (Devanagari to Sinhala), Thai and Lao, Myanmar, Khmer.
_MARKS = _combining_marks((0x0300, 0x036F), (0x0483, 0x0489), (0x0591, 0x05C7), (0x0610, 0x06ED), (0x0900, 0x0DFF),
                          (0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
# A month word ends where no letter follows, nor a combining mark (no word character to re, yet inside the word:
# "जून" opens "जूनियर" (junior); Thai and Burmese vowel signs, Hebrew and Arabic points, a decomposed accent), nor a
# zero-width joiner or non-joiner, which join the letters of one word ("മേയ്" opens "മേയ്‌ക്ക്").
_WORD_END = f"(?![^\\W\\d_]|[{_MARKS}\u200c\u200d])"
_MONTH = rf"{_opening(_month_variants)}(?P<month>{_MONTH_RE}){_WORD_END}\.?"
# "28 آب/أغسطس 2013", "28 آب (أغسطس) 2013": Arabic pages name the month twice, the local name and the Egyptian one.
_ARABIC_MONTHS = {_fold_month(w) for words in _DAY_FIRST_LANGUAGES["ar"].values() for w in _language_forms("ar", words)}
_SECOND_NAME = rf"(?:\s*[/(]\s*(?:{_trie_regex(_ARABIC_MONTHS)}){_WORD_END}\s*\)?)?"
# After a year's marker, the month of the languages that write year, month, day (see _YEAR_MONTH_FORMS).
_YEAR_MONTH = rf"(?P<month>{_trie_regex({_fold_month(w) for w in _YEAR_MONTH_FORMS})}){_WORD_END}\.?"
# Only English, German and Azerbaijani put the month first (French and Spanish never do) ("October 2", "oktyabrın 2-si"); a
# Cyrillic month before a number ("в мае 3 раза") is not a date.
_DAY_FIRST_ONLY = frozenset(_fold_month(w) for w in (
    "janvier janv enero février fevrier févr fevr febrero mars marzo avril avr abril mayo juin junio "
    "juillet juil julio août aout agosto septembre septiembre setiembre octobre octubre novembre noviembre "
    "décembre decembre déc diciembre"
).split())
_MONTH_FIRST_FOLDED = frozenset(map(_fold_month, _MONTH_FIRST_FORMS))
_LATIN_MONTHS = [w for w in _month_variants
                 if w in _MONTH_FIRST_FOLDED and re.fullmatch("[a-zäəıüöçşğ]+", w) and w not in _DAY_FIRST_ONLY]
_LATIN_MONTH_RE = _trie_regex(_LATIN_MONTHS)
_LATIN_MONTH = rf"{_opening(_LATIN_MONTHS)}(?P<month>{_LATIN_MONTH_RE})(?![^\W\d_])\.?"

# ---------------------------------------------------------------- the patterns

# Turkmen "12-nji", Portuguese and Italian "1º".
_DAY_SUFFIX = (
    r"(?:-?(?:[iıuü]nc[iıuü]|nc[iıuü]|c[iıuü]|s[iıuü]|d[aə]|st|nd|rd|th|er|го|е|ое|ого|[iyuü]?nj[iy])(?![^\W\d_])|\.|º)?"
)
_YEAR_SUFFIX = (
    r"(?:\s*(?:-?(?:[iıuü]nc[iıuü]|nc[iıuü]|c[iıuü]))?\s*(?:il(?:in|i|də)?|г\.|гг\.|года?|гада|г|року|р\.|рік|ж\.|жыл|жылы|жылғы"
    r"|-?\s*yil(?:ning|i|da)?|-?\s*йил(?:нинг|и|да)?|m\.|թ\.|թվականի|წ\.|წლის|წელს?|م)(?![^\W\d_])\.?)?"
)
_SEP = r"(?:\s*[,،|/–—-]?\s*(?:в|во|а|у|о|at|um|saat|à|às|alle|ore|a\s+las|เวลา|,)?\s*)"
_TIME = (
    r"\[?(?:(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d+)?)?"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![^\W\d_]))?(?:\s*Uhr)?"
    r"|(?P<hh_de>\d{1,2})\.(?P<mi_de>\d{2})\s*Uhr)\]?"
)
# After a textual or dotted date: named zones, or a signed offset after a space (so that a
# range "12:00-14:00" is not read as offset -14:00).
_TEXT_OFFSET = (
    r"(?:\s*(?P<off>(?:UTC|GMT|UT)\s*[+\-−]\d{1,2}(?::?\d{2})?|\s[+\-−]\d{2}:?\d{2}|"
    r"UTC|GMT|UT|MSK|МСК|CEST|CET|BST|EEST|EET|AZT|EDT|EST|CDT|MDT|MST|PDT|PST|AKDT|AKST|HST|ET|CT|MT|PT|JST|KST|HKT|"
    r"SGT|AEDT|AEST|ACST|AWST|NZDT|NZST|WIB|PKT|TRT|IRST|SAST|WAT|EAT|CAT)(?![^\W\d_]))?"
)
_TIME_PART = rf"(?:{_SEP}{_TIME}{_TEXT_OFFSET})?"
# The day: one or two digits, no digit or dot before them. The look-behind follows the first digit
# ("(?<![\d.])\d" as "\d(?<![\d.]\d)", the same positions): a pattern that opens with a digit lets the
# engine skip to the text's digits in C, where one that opens with a look-behind is tried at every position
# (tests/unit/parsers/test_dates.py compares the two forms' matches).
_DAY = r"(?P<day>\d(?<![\d.]\d)\d?)"
_YEAR = r"(?P<year>\d{4})(?!\d)"
# A year that opens a pattern: no digit or dot before it, looked at after its first digit (as _DAY).
_YEAR_OPEN = r"(?P<year>\d(?<![\d.]\d)\d{3})(?!\d)"
# Thai news shortens the Buddhist-era year to two digits after a Thai month ("21 ม.ค. 61" is 2018): read so, and
# only there (after another month, "2 October 24" is no year), and from 40 (1997) on: a smaller number is more
# likely a count than a year before the web.
_THAI_SHORT_YEAR = r"(?:(?<=[\u0e00-\u0e7f])|(?<=[\u0e00-\u0e7f]\.))\s*(?P<thai_yy>[4-9]\d)(?![\d:.])"
# Before a year: Spanish and Portuguese "de", Tajik "соли" (year of), Thai "พ.ศ." (Buddhist era) and "ค.ศ." (AD).
_YEAR_PREFIX = r"(?:de\s+|del\s+|соли\s+|[พค]\.ศ\.\s*)"

_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    compiled(p, re.I)
    for p in (
        # 2024-10-02, 2024-10-02T11:54:00.123+03:00, 2024-10-02 11:54Z
        r"(?<!\d)(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})"
        r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d+)?)?"
        r"\s?(?P<off>Z|[+\-]\d{2}(?::?\d{2})?)?)?(?![\d:])",
        # 21.02.2026, 21.02.26, 21.02.2026 г., 21.02.2026 [19:22]
        rf"{_DAY}\.(?P<mon>\d{{1,2}})\.(?P<year>\d{{4}}|\d{{2}})(?![\d]|\.\d){_YEAR_SUFFIX}{_TIME_PART}",
        # 2 октября 2024 года, 18:00 · 2-3 октября · 13. Juli 2018 · 2nd of October · Wed, 02 Oct 2024 11:54 +0300
        # · 1er octobre 2024 · 2 de octubre de 2024
        # · 12-sentabr 2024-yil · 02-Oct-2024 · 28 آب/أغسطس 2013 · 21 ม.ค. 2561 · 12 de setembro de 2024
        rf"{_DAY}{_DAY_SUFFIX}(?:\s*[-–—]\s*\d{{1,2}}{_DAY_SUFFIX})?\s*(?:of\s+|de\s+|-\s*)?{_MONTH}{_SECOND_NAME}"
        rf"(?:(?:\s*[,،]?\s*{_YEAR_PREFIX}?|-){_YEAR}{_YEAR_SUFFIX}|{_THAI_SHORT_YEAR})?{_TIME_PART}",
        # October 2, 2024 at 11:54 am · oktyabrın 2-si
        rf"(?<![^\W\d_]){_LATIN_MONTH}\s*(?P<day>\d{{1,2}})(?!\d){_DAY_SUFFIX}(?:\s*,?\s*{_YEAR}{_YEAR_SUFFIX})?{_TIME_PART}",
        # 02/10/2024, 10/02/2024, 02-10-2024 (day or month first: see _numeric_day_month) · 02/10/2024 14:30
        rf"(?<![\d/.\-])(?P<n1>\d{{1,2}})(?P<sep>[/\-])(?P<n2>\d{{1,2}})(?P=sep)(?P<year>\d{{4}})(?![\d/\-]|\.\d){_TIME_PART}",
        # 2024/10/02, 2024.10.02 (year first: always year, month, day)
        rf"(?<![\d/.\-])(?P<year>\d{{4}})(?P<sep>[/.])(?P<mon>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}})(?![\d/]|\.\d){_TIME_PART}",
        # 2024-cü il 2 oktyabr · 2024-cü ilin 2 oktyabrı · 2024 жылғы 2 қазан · 2024-yil 12-sentabr · 2024 yil 12 sentyabr
        # · 2024. gada 12. septembrī · 2024 წლის 12 სექტემბერი · 2024-жылдын 12-сентябрь
        # · 2024-nji ýylyň 2-nji oktýabry (Turkmen) · 2024 елның 2 октябре (Tatar) · 2024 йылдың 2 октябрендә (Bashkir)
        rf"(?<!\d){_YEAR}\s*(?:-?(?:[iıuü]nc[iıuü]|nc[iıuü]|c[iıuü]|nj[iyuü]))?\s*(?:il(?:in|i)?|жылғы|жылы|ж\."
        rf"|-?\s*(?:y[iı]l(?:ning|[iı]n[iı]n|[iı])?|йил(?:нинг|и)?|жылдын|жылы|жылғы)|\.\s*gad[aā]|წლის"
        rf"|ýyl(?:yň|ynyň|da)?|ý\.|елның|елда|ел|йылдың|йылғы|йылда|йыл)"
        rf"\s+(?P<day>\d{{1,2}})(?!\d){_DAY_SUFFIX}\s*(?:-\s*)?{_MONTH}{_TIME_PART}",
        # 2024. szeptember 12. · 2024 m. rugsėjo 12 d. · 2024 թ. սեպտեմբերի 12 · ၂၀၁၈ ခုနှစ် အောက်တိုဘာလ ၂၆ ရက်
        # · 2018. 6. 18. (Korean: a space after each dot, and the last dot; one pattern, so one screen of the dot)
        rf"{_YEAR_OPEN}(?:\.\s(?P<mon>\d{{1,2}})\.\s|(?:\.|\s*(?:m\.|թ\.|թվականի|ခုနှစ်))\s*,?\s*{_YEAR_MONTH}\s*)"
        rf"(?P<day>\d{{1,2}})(?!\d)(?(mon)\.(?!\d)|(?:\.|\s*d\.|-(?:j?[áé]n|j?[ae]?i|ին)(?![^\W\d_])|\s*ရက်)?){_TIME_PART}",
        # 2018年6月18日 10:01 · 2018년 6월 18일 · 2018年6月18日(月) · 令和6年10月2日 · 令和元年5月1日 (Japan's era years)
        # · 民國113年10月2日 · 113年10月2日 (Taiwan's Minguo years: three digits before 年 are no Gregorian year)
        rf"(?:{_YEAR_OPEN}|(?P<era>令和|平成|民國|民国)\s*(?P<eyear>\d{{1,3}}|元)(?!\d)|(?P<roc>\d(?<![\d.]\d)\d{{2}})(?!\d))"
        rf"\s*[年년]\s*(?P<mon>\d{{1,2}})\s*[月월]\s*(?P<day>\d{{1,2}})\s*[日일]"
        rf"(?:\s*[(（][^()（）\d]{{1,4}}[)）])?{_TIME_PART}",
        # ngày 12 tháng 9 năm 2024 · 12 tháng 9, 2024 (only with the year: "3 tháng" is also three months; only with
        # its accent, which is the screen's character)
        rf"{_DAY}\s*th(?:á|a\u0301)ng\s*(?P<mon>\d{{1,2}})(?!\d)(?:\s*,\s*|\s+n(?:ă|a\u0306?)m\s+){_YEAR}{_TIME_PART}",
        # 113/10/02 · 113-10-02 · 113.10.02 (Taiwan's Minguo year first, three digits: read only beside Chinese
        # characters, see _convert)
        rf"(?<![\d/.\-])(?P<roc>\d{{3}})(?P<sep>[/.\-])(?P<mon>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}})(?![\d/]|[.\-]\d){_TIME_PART}",
        # 2024 оны 10 сарын 2 · 2024 оны 10-р сарын 02-ны (Mongolian: "year's ... month's ...", months by number)
        rf"{_YEAR_OPEN}\s*оны\s+(?P<mon>\d{{1,2}})(?:\s*-?\s*(?:р|дугаар|дүгээр))?\s+сарын\s+(?P<day>\d{{1,2}})(?!\d)"
        rf"(?:\s*-?\s*(?:ны|ний|нд|ноос|нээс))?{_TIME_PART}",
    )
)
# What each pattern above cannot match without, in the same order: a part of every match that a
# digit starts (the regex engine skips to digits fast; the patterns open with a lookbehind, which
# it tries at every position). A line is searched with a pattern only when it holds that part.
_DIGIT_THEN_LETTER = r"\d[\s.\-–—]*[^\W\d_]"
_NEEDS: tuple[re.Pattern[str], ...] = tuple(
    compiled(p, re.I)
    for p in (
        r"\d{4}-\d{2}-\d{2}",
        r"\d\.\d{1,2}\.\d{2}",
        # The day's (or a range's) last digit, then only separators or a suffix's hyphen before the first letter
        # (of the day's suffix, "of"/"de", or the month, whose letters stay letters in any case). Read from the
        # last digit: the same texts as "\d[\s.\-–—\d]*[^\W\d_]" (the last digit of such a stretch is followed by
        # separators only), which went back over a run of digits and dots from each of its digits ("21.02.2026
        # 19:22": 2.6 us, quadratic in the run's length).
        _DIGIT_THEN_LETTER,
        # The month's last letter (every Latin form is spelled with these; tests/unit/parsers/test_dates.py
        # checks that each letter's case variants are in this class too), then the day.
        r"[a-zäəıüöçşğ]\.?\s*\d",
        r"\d[/\-]\d{1,2}[/\-]\d{4}",
        r"\d{4}[/.]\d{1,2}[/.]\d",
        r"\d{4}\s*(?:-?(?:[iıuü]nc[iıuü]|nc[iıuü]|c[iıuü]|nj[iyuü]))?\s*-?\s*(?:y?[iı]l|йил|жыл|ж\.|\.\s*gad|წლ|ýyl|ý\.|ел|йыл)",
        r"\d{4}(?:\.|\s*(?:m\.|թ|ခုနှစ်))",
        r"[\d元]\s*[年년]",
        r"\d\s*th(?:á|a\u0301)",
        r"\d[/.\-]\d{1,2}[/.\-]\d",
        r"\d\s*оны",
    )
)
# A character each need above cannot match without (None: no such character), searched first with `in`, which
# costs a tenth of a pattern search: the hyphen of an ISO date, the dots of a dotted date, the separators of an
# all-digit date, the "l" of "il"/"yil" or the "ж" of "жыл"/"ж." (or "й" of "йил", "g" of "gada", "წ" of "წლის"), the dot
# or "թ"/"ခ" after a year before its month (and the Korean dots), "年"/"년", the accent of "tháng" (re.I takes
# each of these only as itself or its capital: tests/unit/parsers/test_dates.py checks every code point).
_NEED_CHARS: tuple[str | None, ...] = (
    "-", ".", None, None, "/-", "/.", "lLжЖйЙgGწ\u1cacýÝлЛ", ".թԹခ", "年년", "áÁ\u0301", "/.-", "ыЫ",
)
_SCREENED = tuple(zip(_PATTERNS, _NEEDS, _NEED_CHARS))
_DIGIT = compiled(r"\d")
_TIME_BEFORE = compiled(
    r"(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?\s*[,|/–—-]?\s*$"
)
# Zone abbreviations after a time ("4:03 PM EDT", "10:00 JST"). Left out as ambiguous: CST (US Central and China),
# IST (India, Ireland, Israel), GST (Gulf, South Georgia).
_NAMED_OFFSETS = {
    "utc": 0, "gmt": 0, "ut": 0, "z": 0, "msk": 180, "мск": 180, "cet": 60, "cest": 120,
    "bst": 60, "eet": 120, "eest": 180, "azt": 240,
    "edt": -240, "est": -300, "cdt": -300, "mdt": -360, "mst": -420, "pdt": -420, "pst": -480, "akdt": -480,
    "akst": -540, "hst": -600, "jst": 540, "kst": 540, "hkt": 480, "sgt": 480, "aedt": 660, "aest": 600, "acst": 570,
    "awst": 480, "nzdt": 780, "nzst": 720, "wib": 420, "pkt": 300, "trt": 180, "irst": 210, "sast": 120, "wat": 60,
    "eat": 180, "cat": 120,
}
_NAMED_ZONES = {"et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver", "pt": "America/Los_Angeles"}
"""US news's "10:00 a.m. ET": the zone's wall clock, standard or daylight time as the day has it."""


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


_NUMERIC_OFFSET = compiled(r"(?:utc|gmt|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?")
"""Compiled once: re.fullmatch looks the pattern up in re's cache at every call."""


def _offset_minutes(text: str) -> int | None:
    """Minutes east of UTC for ``+0300``, ``+03:00``, ``-3``, ``GMT+3``, ``Z``, ``MSK``; None if malformed."""
    text = text.strip().replace("−", "-").lower()
    if text in _NAMED_OFFSETS:
        return _NAMED_OFFSETS[text]
    m = _NUMERIC_OFFSET.fullmatch(text)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    total = hours * 60 + minutes
    return -total if m.group(1) == "-" else total


_OFFSET_ZONES: dict[str, tzinfo | None] = {}
""":func:`_offset_zone`'s answers: a page's stamps state the same offset again and again ("+03:00", "Z")."""


def _offset_zone(text: str) -> tzinfo | None:
    """The fixed zone an offset text names (``+03:00``, ``GMT+3``, ``MSK``), the US zone of "ET" and its kin, or None
    when it is malformed; remembered per text (a fixed ``timezone`` is immutable and compares by its offset: one object
    serves every value)."""
    zone = _OFFSET_ZONES.get(text, _UNKNOWN)
    if zone is _UNKNOWN:
        named = _NAMED_ZONES.get(text.strip().lower())
        offset = _offset_minutes(text) if named is None else None
        zone = ZoneInfo(named) if named is not None else timezone(timedelta(minutes=offset)) if offset is not None else None
        if type(text) is str and len(text) <= 40:
            _remember(_OFFSET_ZONES, text, zone)
    return zone


_MONTH_WORDS: dict[str, tuple[int, bool, str | None] | None] = {}
""":func:`_month_facts` of each month word read (as written: "October", "сентября"), remembered."""
_YEAR_REQUIRED_FOLDED = frozenset(map(_fold_month, _YEAR_REQUIRED))
_THAI = re.compile("[\u0e00-\u0e7f]")
_ERA_BEFORE = {"令和": 2018, "平成": 1988, "民國": 1911, "民国": 1911}
"""The Gregorian year before an era's first: Reiwa 1 is 2019, Heisei 1 is 1989, Minguo 1 (Taiwan) is 1912."""
_ROC_YEARS = (80, 150)
"""Minguo years read without their era's name ("113年10月2日"): 1991-2061."""
_JALALI_FOLDED = frozenset(map(_fold_month, _JALALI_FORMS))
_HIJRI_FOLDED = frozenset(map(_fold_month, _HIJRI_FORMS))
_JALALI_YEARS = range(1370, 1416)
"""Years of an all-digit date read as Solar Hijri beside Persian (1991-2037): below 1900, so never Gregorian on a web
page, and short of the lunar Hijri years of Arabic pages' dates ("1446/03/29 هـ", 2024), which are not read."""
_PERSIAN_MARK = re.compile("[\u06f0-\u06f9\u067e\u0686\u0698\u06af\u06a9\u06cc]")
"""Extended Arabic-Indic digits and the letters Persian adds to the Arabic alphabet (پ چ ژ گ ک ی): Persian, not Arabic."""


def _from_jalali(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    """The Gregorian (year, month, day) of a Solar Hijri date, or None when the calendar has no such day."""
    if not 1 <= month <= 12 or not 1 <= day <= (31 if month <= 6 else 30):
        return None
    converted = JalaliToGregorian(year, month, day).getGregorianList()
    if month == 12 and day == 30 and JalaliToGregorian(year + 1, 1, 1).getGregorianList() == converted:
        return None  # 30 Esfand of a common year: the next year's first day, no day of this one
    return converted


_HIJRI_YEARS = range(1343, 1501)
"""The years of the Umm al-Qura tables (1924-2077)."""
_HIJRI_MARK = re.compile(r"\s?ه(?:ـ|\b|\s|$)")
"""The Hijri era's mark after a year ("1446هـ", "1446 ه")."""


def _from_hijri(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    """The Gregorian (year, month, day) of a lunar Hijri date (Umm al-Qura), or None outside its tables (1343-1500 AH)
    or for a day the month does not have."""
    try:
        converted = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return converted.year, converted.month, converted.day


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


def _han_near(m: re.Match[str]) -> bool:
    """A Chinese character within a few words of the date: an all-digit date with a three-digit year is Taiwan's."""
    return _HAN.search(m.string, max(0, m.start() - 40), m.end() + 40) is not None


def _persian_digits_or_words(m: re.Match[str]) -> bool:
    """The date is written in Persian: its digits, or a Persian letter within a few words of it."""
    text = m.string
    return _PERSIAN_MARK.search(text, max(0, m.start() - 40), m.end() + 40) is not None


def _month_facts(word: str) -> tuple[int, bool, str | None] | None:
    """The month number of a month word, whether it is a month only beside a year (:data:`_YEAR_REQUIRED`), and its
    calendar when the year beside it is not the Gregorian one: "thai" (the year may count from the Buddha: 2561 is
    2018), "jalali" (a Solar Hijri month: the whole date is that calendar's); remembered per word as written."""
    facts = _MONTH_WORDS.get(word, _UNKNOWN)
    if facts is _UNKNOWN:
        folded = _fold_month(word)
        number = _MONTHS.get(folded)
        calendar = ("thai" if _THAI.match(folded) else "jalali" if folded in _JALALI_FOLDED
                    else "hijri" if folded in _HIJRI_FOLDED else None)
        facts = None if number is None else (number, folded in _YEAR_REQUIRED_FOLDED, calendar)
        if type(word) is str:
            _remember(_MONTH_WORDS, word, facts)
    return facts


_YEARS: dict[tuple[int, int, datetime, tzinfo], int | None] = {}
""":func:`_infer_year`'s answers for references that name one instant by their fields (see :func:`_first_key`)."""


def _infer_year(month: int, day: int, reference: datetime, zone: tzinfo) -> int | None:
    """The year that puts ``day.month`` closest to ``reference``, at most FUTURE_TOLERANCE after it (remembered:
    a page's yearless dates are read against one fetch time)."""
    if type(reference) is not datetime or (reference.tzinfo is not None and type(reference.tzinfo) is not timezone):
        return _closest_year(month, day, reference, zone)
    key = (month, day, reference, zone)
    year = _YEARS.get(key, _UNKNOWN)
    if year is _UNKNOWN:
        year = _closest_year(month, day, reference, zone)
        _remember(_YEARS, key, year)
    return year


def _closest_year(month: int, day: int, reference: datetime, zone: tzinfo) -> int | None:
    ref_day = (reference.astimezone(zone) if reference.tzinfo else reference).date()
    best: tuple[int, int] | None = None
    for year in (ref_day.year - 1, ref_day.year, ref_day.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate - ref_day > FUTURE_TOLERANCE:
            continue
        distance = abs((candidate - ref_day).days)
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None


def _numeric_day_month(first: int, second: int, month_first: bool) -> tuple[int, int] | None:
    """(day, month) of an all-digit date "first/second/year".

    A number above 12 can only be the day, which settles the order; when both could be months,
    the page's convention decides: month first in US English ("10/02/2024" is 2 October there),
    day first everywhere else (the rest of the world, and every other language of the sources).
    """
    if first > 12 and second <= 12:
        return first, second
    if second > 12 and first <= 12:
        return second, first
    if first > 12 or second > 12:
        return None
    return (second, first) if month_first else (first, second)


def _convert(m: re.Match[str], zone: tzinfo, reference: datetime | None, time_before: re.Match[str] | None,
             month_first: bool = False, groups: dict[str, str | None] | None = None) -> ParsedDate | None:
    """A regex match to a :class:`ParsedDate`, or None when it is not a real date.

    ``groups``: ``m.groupdict()`` when the caller has it. The patterns name different groups: one
    dict of them all, read with ``get`` (None for a group the pattern lacks), instead of a ``group`` call
    and an IndexError caught for every name asked.
    """
    group = (groups if groups is not None else m.groupdict()).get
    year_required = buddhist = jalali = hijri = False
    try:
        first = group("n1")
        if first is not None:
            found = _numeric_day_month(int(first), int(group("n2")), month_first)
            if found is None:
                return None
            day, month = found
        else:
            day = int(group("day"))
            month_text = group("mon")
            if month_text:
                month = int(month_text)
            else:
                facts = _month_facts(group("month"))
                if facts is None:
                    return None
                month, year_required, calendar = facts
                buddhist, jalali, hijri = calendar == "thai", calendar == "jalali", calendar == "hijri"
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        year_text = group("year")
        if year_text is None and buddhist and group("thai_yy") is not None:
            year_text = "25" + group("thai_yy")  # 2500-2599 BE: 1957-2056
        if year_text is None and (group("eyear") is not None or group("roc") is not None):
            era_year = group("eyear")
            if era_year is not None:  # 令和元年 is its first year
                year_text = str((1 if era_year == "元" else int(era_year)) + _ERA_BEFORE[group("era")])
            elif _ROC_YEARS[0] <= int(group("roc")) <= _ROC_YEARS[1] and (group("sep") is None or _han_near(m)):
                year_text = str(int(group("roc")) + _ERA_BEFORE["民國"])
            else:
                return None
        has_year = year_text is not None
        if year_text is None:
            if reference is None or year_required:
                return None
            year = _infer_year(month, day, reference, zone)
            if year is None:
                return None
        else:
            year = int(year_text)
            if len(year_text) == 2:
                year += 2000 if year < 70 else 1900
            elif buddhist and year > 2400:  # the Thai solar calendar's year: 543 after the Gregorian one
                year -= 543
            if hijri:
                converted = _from_hijri(year, month, day)
                if converted is None:
                    return None
                year, month, day = converted
            elif group("month") is None and year in _HIJRI_YEARS and _HIJRI_MARK.match(m.string, m.end()):
                converted = _from_hijri(year, month, day)  # "1446/03/29 هـ": the era's mark says the calendar
                if converted is None:
                    return None
                year, month, day = converted
            elif jalali or (year in _JALALI_YEARS and group("month") is None and _persian_digits_or_words(m)):
                converted = _from_jalali(year, month, day)
                if converted is None:
                    return None
                year, month, day = converted
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        date(year, month, day)  # ValueError for 31 February

        hh, mi, ss = group("hh"), group("mi"), group("ss")
        if hh is None and group("hh_de") is not None:
            hh, mi = group("hh_de"), group("mi_de")
        if hh is None and time_before is not None:
            hh, mi, ss = time_before.group("hh"), time_before.group("mi"), time_before.group("ss")
        precision: Precision = "day"
        hour = minute = second = 0
        if hh is not None:
            hour, minute, second = int(hh), int(mi), int(ss or 0)
            ampm = (group("ampm") or "").replace(".", "").replace(" ", "").lower()
            if ampm and 1 <= hour <= 12:
                hour = hour % 12 + (12 if ampm == "pm" else 0)
            if hour <= 23 and minute <= 59 and second <= 59:
                precision = "second" if ss is not None else "minute"
            else:  # an impossible time next to a good date: keep the date
                hour = minute = second = 0

        off_text = group("off") if precision != "day" else None
        fixed = _offset_zone(off_text) if off_text else None
        value = datetime(year, month, day, hour, minute, second, tzinfo=fixed if fixed is not None else zone)
        value.utcoffset()  # resolve the zone now: overflow at the edges must fail here
        return ParsedDate(value, precision, has_year, fixed is not None)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


def _candidates(text: str) -> list[re.Match[str]]:
    """Non-overlapping matches of every pattern, left to right; at one start the longest wins."""
    found: list[re.Match[str]] = []
    for pattern, need, chars in _SCREENED:
        if chars is not None:
            for char in chars:
                if char in text:
                    break
            else:
                continue  # the need cannot match: not searched
        if need.search(text):
            found.extend(pattern.finditer(text))
    found.sort(key=lambda m: (m.start(), -(m.end() - m.start())))
    chosen: list[re.Match[str]] = []
    last_end = -1
    for m in found:
        if m.start() >= last_end:
            chosen.append(m)
            last_end = m.end()
    return chosen


def _time_before(text: str, m: re.Match[str], groups: dict[str, str | None] | None = None) -> re.Match[str] | None:
    """``19:22 21.02.2026``: a time right before a date that has none (``groups``: ``m.groupdict()``, if known)."""
    group = (groups if groups is not None else m.groupdict()).get
    if group("hh") is not None or group("hh_de") is not None:
        return None
    return _TIME_BEFORE.search(text[max(0, m.start() - 16):m.start()])


# ---------------------------------------------------------------- remembered reads

# A page reads the same short texts more than once: its <meta>, JSON-LD and <time> stamps are often one string,
# an element classed date is also a line of the page, and a stamp read as ISO first is read as written text again
# for the "dateline" channel (bench/results.md, "perf-dates22"). These are pure functions of their arguments, so
# each process remembers the last few hundred answers; plain ``str`` texts only (lxml's string subclass keeps its
# whole document alive, and a match keeps its text), cleared when full so the memory stays bounded.
_REMEMBERED = 256
_LONGEST = 2000
"""Longest text remembered (characters; :func:`parse_date` reads no more): 256 of them hold a few MB at most."""
_MATCHES: dict[str, list[re.Match[str]]] = {}
"""``_candidates`` of a text."""
_FIRSTS: dict[tuple[str, str, datetime | None, bool], ParsedDate | None] = {}
"""The first candidate of a text read (None when it is none, or not a date): :func:`parse_date`'s answer, and
:func:`find_dates`' first one when it is a date."""
_ISOS: dict[tuple[str, str], ParsedDate | None] = {}
""":func:`parse_iso`'s answers."""
_UNKNOWN = object()


def _remember(memo: dict, key: object, value: object) -> None:
    if len(memo) >= _REMEMBERED:
        memo.clear()
    memo[key] = value


def _matches(text: str) -> list[re.Match[str]]:
    """:func:`_candidates` of ``text``, remembered (the list is shared: read it, never change it)."""
    found = _MATCHES.get(text)
    if found is None:
        found = _candidates(text)
        if type(text) is str and len(text) <= _LONGEST:
            _remember(_MATCHES, text, found)
    return found


def _first_key(text: str, tz: str, reference: datetime | None, month_first: bool
               ) -> tuple[str, str, datetime | None, bool] | None:
    """The key of ``text``'s first reading in :data:`_FIRSTS`, or None when it is not remembered: only with a
    reference that names one instant by its fields (naive, or at a fixed offset: two equal ones then read the
    same year; two equal references in one IANA zone may differ in ``fold``)."""
    if type(text) is not str or type(tz) is not str or len(text) > _LONGEST:
        return None
    if reference is not None and (type(reference) is not datetime
                                  or (reference.tzinfo is not None and type(reference.tzinfo) is not timezone)):
        return None
    return (text, tz, reference, bool(month_first))


def _first_reading(m: re.Match[str], text: str, tz: str, zone: tzinfo, reference: datetime | None,
                   before: re.Match[str] | None, month_first: bool, groups: dict[str, str | None]) -> ParsedDate | None:
    """``text``'s first candidate ``m`` read, through :data:`_FIRSTS` when :func:`_first_key` allows it."""
    key = _first_key(text, tz, reference, month_first)
    parsed = _FIRSTS.get(key, _UNKNOWN) if key is not None else _UNKNOWN
    if parsed is _UNKNOWN:
        parsed = _convert(m, zone, reference, before, month_first, groups)
        if key is not None:
            _remember(_FIRSTS, key, parsed)
    return parsed


def find_dates(text: str, *, tz: str = "UTC", reference: datetime | None = None, month_first: bool = False
               ) -> list[tuple[int, int, ParsedDate]]:
    """Every date expression in ``text`` as ``(start, end, date)``, in order; unreadable ones skipped.

    Offsets refer to ``text`` as given (it is not normalised first). ``month_first``: an all-digit
    date whose two first numbers could both be months ("10/02/2024") is read month first (US English).
    """
    zone = _zone(tz)
    if not isinstance(text, str) or not text or not _DIGIT.search(text):
        return []  # every form has a day or a year in digits
    out: list[tuple[int, int, ParsedDate]] = []
    first = True
    for m in _matches(text):
        groups = m.groupdict()
        before = _time_before(text, m, groups)
        if first:
            # The first candidate's reading is parse_date's answer for this text: shared with it.
            first = False
            parsed = _first_reading(m, text, tz, zone, reference, before, month_first, groups)
        else:
            parsed = _convert(m, zone, reference, before, month_first, groups)
        if parsed is not None:
            start = m.start() - len(before.group(0)) if before is not None else m.start()
            end = m.end()
            while end > start and text[end - 1].isspace():
                end -= 1
            out.append((max(start, 0), end, parsed))
    return out


_NEED_SPANS: tuple[int | None, ...] = (10, 8, None, None, 10, 9, None, None, None, None, 8, None)
"""For each pattern of :data:`_PATTERNS`, how many characters past the start of one of its matches the part its
need looks for ends at most (None: no bound, a run of spaces may come between): the ISO date's "dddd-dd-dd" opens it;
the dotted date's need starts at the day's last digit (its start or the next) and runs over ".m[m].yy" (8); the
all-digit one likewise over "/m[m]/yyyy" (10); the year-first one is "yyyy.m[m].d" from its start (9); the Minguo one
"y/m[m]/d" from its year's last digit (8)."""
_BEFORE_REACH = 16
"""How far a time before a date may reach back (:func:`_time_before` reads the 16 characters before the match)."""
_WITHIN: dict[int, tuple[re.Pattern[str], ...]] = {}
"""Each pattern of :data:`_PATTERNS` behind a lazy skip of at most so many characters, by that number."""


def prepare_leading_date(within: int) -> None:
    """Compile :func:`leading_date`'s patterns for ``within`` now (at import, so that the parse workers' fork server
    holds them, read from the machine's file of compiled patterns, instead of each worker compiling them)."""
    _within(within + _BEFORE_REACH)


def _within(reach: int) -> tuple[re.Pattern[str], ...]:
    """The patterns, each as ``(?s:.{0,reach}?)(pattern)``: a ``match`` finds the pattern's first match among those
    starting at or before ``reach`` (the skip tries each position in turn, and at the first one where the pattern
    matches, its own first solution ends the match: nothing follows it), without scanning the rest of the text."""
    patterns = _WITHIN.get(reach)
    if patterns is None:
        patterns = _WITHIN[reach] = tuple(compiled(rf"(?s:.{{0,{reach}}}?)({p.pattern})", p.flags) for p in _PATTERNS)
    return patterns


def leading_date(text: str, within: int, *, tz: str = "UTC", reference: datetime | None = None,
                 month_first: bool = False) -> tuple[int, int, ParsedDate] | None:
    """``find_dates(text, ...)[0]`` when the text has a date and that first date starts at or before ``within``;
    otherwise None.

    A dateline ("MINSK, 11 October (Agency) - On 11 October, ...") is the first date of a paragraph's opening
    and only counts near its start: this reads that one date instead of every date of 160 characters of prose.
    The first candidate of :func:`find_dates` is the leftmost (and, at one start, the longest) first match of
    the screened patterns; a date that starts at or before ``within`` has its match start at most
    :data:`_BEFORE_REACH` later (a time before the date moves its start back), so each pattern is tried at the
    positions up to ``within + 16`` only. When that first candidate is no real date (31 February), the full
    reading decides."""
    zone = _zone(tz)
    if not isinstance(text, str) or not text or not _DIGIT.search(text):
        return None
    best: re.Match[str] | None = None
    best_key = (0, 0)
    reach = within + _BEFORE_REACH
    for (pattern, need, chars), bounded, span in zip(_SCREENED, _within(reach), _NEED_SPANS):
        if chars is not None:
            for char in chars:
                if char in text:
                    break
            else:
                continue  # the need cannot match: not searched (as in _candidates)
        # A match starting at or before the reach holds its need's part within the span past its start: a need
        # without look-arounds finds that part in the text cut there (and a part found there screens as well).
        if (need.search(text) if span is None else need.search(text, 0, reach + span + 1)):
            m = bounded.match(text)
            if m is not None:
                start, end = m.span(1)
                if best is None or (start, start - end) < best_key:  # ties: the earlier pattern, as _candidates' sort
                    best, best_key = m, (start, start - end)
    if best is None:
        return None  # the first candidate, if any, starts past within + 16
    groups = best.groupdict()  # the pattern's own groups: the skip and the wrapping group are unnamed
    start, end = best.span(1)
    before = None
    if groups.get("hh") is None and groups.get("hh_de") is None:
        before = _TIME_BEFORE.search(text[max(0, start - _BEFORE_REACH):start])
    parsed = _first_reading(best, text, tz, zone, reference, before, month_first, groups)
    if parsed is None:
        found = find_dates(text, tz=tz, reference=reference, month_first=month_first)
        return found[0] if found and found[0][0] <= within else None
    if before is not None:
        start -= len(before.group(0))
    while end > start and text[end - 1].isspace():
        end -= 1
    start = max(start, 0)
    return (start, end, parsed) if start <= within else None


def parse_date(text: str, *, tz: str = "UTC", reference: datetime | None = None, month_first: bool = False
               ) -> ParsedDate | None:
    """The first date expression in a short string (a date element's text or attribute).

    None when there is none, when the first one is not a real date (31 February), or when
    it has no year and no ``reference`` is given.
    """
    zone = _zone(tz)
    if not isinstance(text, str) or not text:
        return None
    text = unicodedata.normalize("NFC", text)[:2000]
    key = _first_key(text, tz, reference, month_first)
    if key is not None:
        parsed = _FIRSTS.get(key, _UNKNOWN)
        if parsed is not _UNKNOWN:
            return parsed
    candidates = _matches(text)
    parsed = None
    if candidates:
        first = candidates[0]
        groups = first.groupdict()
        parsed = _convert(first, zone, reference, _time_before(text, first, groups), month_first, groups)
    if key is not None:
        _remember(_FIRSTS, key, parsed)
    return parsed


_ISO = compiled(
    r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hh>\d{2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d{1,9})?)?\s?(?P<off>Z|[+\-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)
# ISO 8601's basic format, with its time (a date alone, eight digits, could be any number): "20180619T055000+0900",
# which some CMSs write into JSON-LD's datePublished; and the mix of an extended date and a basic time some write into
# a date element's title ("2016-06-13T1603Z").
_ISO_BASIC = compiled(
    r"(?P<year>\d{4})(?P<sep>-?)(?P<mon>\d{2})(?P=sep)(?P<day>\d{2})"
    r"T(?P<hh>\d{2})(?P<mi>\d{2})(?P<ss>\d{2})?(?:[.,]\d{1,9})?"
    r"(?P<off>Z|[+\-]\d{2}(?::?\d{2})?)?",
    re.I,
)


def parse_iso(value: str, *, tz: str = "UTC") -> ParsedDate | None:
    """An ISO 8601 date or date-time (the whole string; the basic format too when it has a time); a naive one is
    read in ``tz``."""
    zone = _zone(tz)
    if not isinstance(value, str):
        return None
    key = (value, tz)
    remembered = type(value) is str and type(tz) is str and len(value) <= _LONGEST
    if remembered:
        parsed = _ISOS.get(key, _UNKNOWN)
        if parsed is not _UNKNOWN:
            return parsed
    stripped = value.strip()
    m = _ISO.fullmatch(stripped) or (_ISO_BASIC.fullmatch(stripped) if "T" in stripped or "t" in stripped else None)
    parsed = _convert(m, zone, None, None) if m else None
    if remembered:
        _remember(_ISOS, key, parsed)
    return parsed


def as_day(parsed: ParsedDate, *, tz: str = "UTC") -> ParsedDate:
    """The calendar day ``parsed`` states, as midnight in the source's zone ``tz``, precision "day".

    The date is taken as written (in the offset it was written with), never shifted by the
    conversion: "2024-10-02T00:00:00Z" on a Moscow page is 2 October in Moscow, not 1 October.
    """
    day = parsed.value.date()
    return ParsedDate(
        value=datetime(day.year, day.month, day.day, tzinfo=_zone(tz)),
        precision="day",
        has_year=parsed.has_year,
        has_offset=False,
    )


def is_date_only_stamp(parsed: ParsedDate) -> bool:
    """A timestamp at exactly 00:00:00 (``2024-10-02T00:00:00Z``, ``Wed, 02 Oct 2024 00:00:00 GMT``).

    Content systems that store only a date serialise it as midnight, usually UTC; nobody
    publishes a press release at midnight to the second, so such a stamp is a date-only value
    and becomes a day (see :func:`as_day`) rather than a moment stated to the second.
    """
    value = parsed.value
    return parsed.precision != "day" and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)


# ---------------------------------------------------------------- relative days

# "Сегодня, 14:30", "Вчера в 18:05", "Today 09:15", "Heute, 10:00 Uhr", "Dünən, 12:30": news
# modules print the day of a fresh item relative to the moment the page was served. Only a line
# that is nothing but such a day (and a time) is read, and only against a known fetch time.
# The words are the text convention's (a line that is only one is no text: govpress/parsers/text.py).
_RELATIVE_DAY = compiled(
    rf"^\W*(?:(?P<today>{TODAY_WORDS})|(?P<yesterday>{YESTERDAY_WORDS}))(?![^\W\d_])"
    r"(?:\s*,?\s*(?:в|о|у|at|um|à|a\s+las|a\s+la|o|saat|alle|às|om|kl\.?)?\s*(?P<hour>[01]?\d|2[0-3])[:.h](?P<minute>[0-5]\d)"
    r"(?:\s*(?:uhr|h|(?P<half>[ap])\.?\s?m\.?))?)?\W*$",
    re.I,
)


def parse_relative_day(text: str, *, fetched_at: datetime, tz: str = "UTC") -> ParsedDate | None:
    """"Сегодня, 14:30" / "Yesterday" read against the fetch time in the source's zone; ``None`` otherwise.

    The whole text must be the relative day (and an optional time): "today" inside a sentence
    is prose. The fetch time must be timezone-aware (the caller's guarantee that it is one).
    """
    m = _RELATIVE_DAY.match(text.strip())
    if not m or fetched_at.tzinfo is None:
        return None
    zone = _zone(tz)
    day = fetched_at.astimezone(zone).date() - timedelta(days=1 if m.group("yesterday") else 0)
    if m.group("hour") is None:
        return ParsedDate(datetime(day.year, day.month, day.day, tzinfo=zone), "day", has_year=False, has_offset=False)
    hour = int(m.group("hour"))
    if half := (m.group("half") or "").lower():  # "Yesterday, 2:30 PM"
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    value = datetime(day.year, day.month, day.day, hour, int(m.group("minute")), tzinfo=zone)
    return ParsedDate(value, "minute", has_year=False, has_offset=False)
