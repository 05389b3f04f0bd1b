"""The publication date of a page nobody wrote a parser for: candidates from every place, ranked.

Places, each with a weight (how often that place states the publication date rather than
something else), strongest first:

=================  ======  ==========================================================
channel            weight  where
=================  ======  ==========================================================
jsonld             10      JSON-LD ``datePublished`` / ``dateCreated`` of the article
meta                9      ``article:published_time``, Dublin Core, CMS ``<meta>`` names
hentry              9      microformats ``dt-published``
itemprop            9      ``itemprop=datePublished`` (``<time>``, ``<meta>``, any element)
time                7      the first ``<time datetime>`` of the article
heading             7      a date inside the ``<h1>`` (a ``<time>``/date span, or text glued to it)
label               7      a labelled line: "Datum: …", "Дата публикации: …", "Published: …"
release             7      the date under "For Immediate Release"
classed             6      a short element classed date/time/datum (``span.press_location_time``)
near-title          6      a short date line just above or below the headline (minus 0.5 per line away);
                           4 for a bare date line past one lead paragraph under it
dateline            6      the opening of the first paragraph: "CITY, DD.MM.YYYY –", "МИНСК, 2 октября (БЕЛТА) –"
breadcrumb          5      the last crumb of the breadcrumb trail, when it is a date ("Home › News › 8 October 2024")
url                 3      ``/2024/10/02/``, ``2024-10-02`` or ``20241002`` in the URL path
markup              2      htmldate's search of the markup (no free-text scan), asked only when
                           nothing above gave a date, and kept only when the page's visible text
                           does not show that day solely on rejected lines (below); after the
                           lone line below, its free-text scan, kept only when a content line
                           outside the article's text that no rule rejects shows the day
lone-line         1.5      last of all: the page's only bare date line ("12.03.2024" and nothing else) outside
                           navigation, asides and footers, when no place above nor htmldate gave a day
=================  ======  ==========================================================

Candidates on the same calendar day add up (the strongest plus a quarter of each other channel:
two places often show the same element, a ``<time>`` and the line holding it);
the best day wins and, within it, the most precise candidate (seconds with a stated offset
beat a bare day). Naive times are read in the source's zone; a date without a year takes its
year from the fetch date (never from today's clock). A date-only value, or a stamp at exactly
midnight, is stored as that day in the source's zone with precision "day".

Rejected (each rule is tested in tests/unit/parsers/test_datefinder.py):

- modification dates: ``dateModified``, ``article:modified_time``, elements classed
  update/modified, and lines labelled "Updated", "Обновлено", "Aktualisiert", "Stand" ...;
- comment dates, "related news" dates, share and navigation blocks: nothing inside a
  boilerplate block (comments, related, more-news, teaser lists, asides, footers) is read,
  and no near-title line is read past the first paragraph of the article;
- copyright lines ("© 2019", "Copyright", "Alle Rechte vorbehalten");
- a long line is read only when it is the page's sentence about itself ("This entry was posted
  on <date>", "Dieser Beitrag wurde am <date> veröffentlicht"), and then only its first date;
- dates in the article's prose (past the dateline): an event's date is not a publication date;
- dates more than a day after the fetch (an announced event, a deadline) and dates before 1990;
- on a line with several dates, each date takes the label of its own stretch of the line
  ("Updated: … Published: …"): an edit's label does not reach the next date, nor a publication's;
- a ``<meta>`` date on the fetch day when a visible date line names another day (a CMS stamping
  the render day into ``<meta name="date">``);
- in htmldate's fallback and the lone-line last resort: days shown only beside a link to another
  page (a news list's "07.10.2024 <a>Other headline</a>").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from govpress.parsers.dates import (
    ParsedDate, as_day, find_dates, is_date_only_stamp, leading_date, parse_date, parse_iso, parse_relative_day,
    prepare_leading_date,
)
from govpress.parsers.html.titles import similarity
from govpress.parsers.regex_cache import compiled

__all__ = [
    "DateCandidate", "FoundDate", "WEIGHTS", "find_publication_date", "is_date_label_line", "labelled_dates", "lone_date_line",
    "markup_fallback", "read_stamp",
]

# "classed" (an element whose class or id says date, anywhere on the page: a masthead's "today" box too) weighs a
# little less than a date line beside the headline, so that the two disagreeing, the headline's wins.
WEIGHTS = {
    "jsonld": 10.0, "meta": 9.0, "hentry": 9.0, "itemprop": 9.0, "time": 7.0, "heading": 7.0, "label": 7.0, "release": 7.0,
    "near-title": 6.0, "dateline": 6.0, "classed": 5.5, "breadcrumb": 5.0, "url": 3.0, "feed": 10.0, "markup": 2.0,
    "lone-line": 1.5,
}
_EARLIEST_YEAR = 1990
_FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateCandidate:
    date: ParsedDate
    channel: str
    weight: float
    text: str
    """What was read (for explaining a choice)."""


@dataclass(frozen=True, slots=True)
class FoundDate:
    date: ParsedDate | None
    candidates: tuple[DateCandidate, ...]

    @property
    def value(self) -> datetime | None:
        return self.date.value if self.date else None

    @property
    def precision(self) -> str | None:
        return self.date.precision if self.date else None


# C's asctime and Java's Date.toString(), which some CMSs put in JSON-LD and meta tags: "Tue Jan 28 15:28:56 CET 2020".
# The year comes last, after the time and the zone, where a reader of written dates does not look for it.
_CTIME = re.compile(
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s+)?(?P<mon>[a-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?:(?P<zone>[a-z]{2,5}|[+\-]\d{2}:?\d{2})\s+)?(?P<year>\d{4})$",
    re.I,
)


def read_stamp(raw: str, tz: str, reference: datetime | None, *, free_text: bool = False, month_first: bool = False
               ) -> ParsedDate | None:
    """A date string -> ParsedDate (ISO first unless ``free_text``, then any written form); date-only stamps become days."""
    raw = (raw or "").strip()
    if not raw:
        return None
    parsed = None
    if raw[-1:].isdigit() and (ctime := _CTIME.match(raw)) is not None:
        # Written as a reader of dates expects it; a shape that only looks like asctime is read as it stands.
        readable = f"{ctime['day']} {ctime['mon']} {ctime['year']} {ctime['time']} {ctime['zone'] or ''}".rstrip()
        parsed = parse_date(readable, tz=tz, reference=reference, month_first=month_first)
    if parsed is None and not free_text:
        parsed = parse_iso(raw, tz=tz)
    if parsed is None:
        parsed = parse_date(raw, tz=tz, reference=reference, month_first=month_first)
    if parsed is None:
        return None
    if parsed.precision == "day" or is_date_only_stamp(parsed):
        return as_day(parsed, tz=tz)
    return parsed


# --------------------------------------------------------------------------- labels

# Labels announcing the publication date, in the sources' languages.
_PUBLISHED_WORDS = (
    r"дата\s+(?:публикации|публікації|публікацыі|опубликования|размещения)|опубликовано|опубликован[ао]?|"
    r"опубліковано|апублікавана|размещено|дата|"
    r"datum|veröffentlicht(?:\s+am)?|erschienen(?:\s+am)?|erscheinungsdatum|pressemitteilung\s+vom|"
    r"date(?:\s+of\s+publication)?|published(?:\s+on)?|posted(?:\s+on)?|release\s+date|issued(?:\s+on)?|"
    r"publié\s+le|date\s+de\s+publication|mis\s+en\s+ligne\s+le|"
    r"publicado(?:\s+el)?|fecha(?:\s+de\s+publicación)?|"
    r"tarix|dərc\s+olunub|yayımlanıb|"
    r"жарияланған(?:\s+күні)?|жарияланды|күні|"
    r"data(?:\s+publikacji)?|opublikowano|data\s+wydania|dodano|data\s+dodania|"
    # and as pages of other languages print it (Italian, Portuguese, Romanian, Dutch, Swedish, Finnish, Czech and
    # Slovak, Hungarian, Serbian and Croatian, Bulgarian, Greek, Turkish, Indonesian, Vietnamese, Georgian, Armenian,
    # Hebrew, Arabic, Persian, Chinese, Japanese, Korean)
    r"pubblicato(?:\s+il)?|data\s+di\s+pubblicazione|publicado\s+em|data\s+de\s+publicação|publicat(?:\s+la|\s+pe)?|"
    r"data\s+publicării|gepubliceerd(?:\s+op)?|publicatiedatum|publicerad|publicerat|julkaistu|publikováno|"
    r"publikované|zveřejněno|zverejnené|datum\s+vydání|vydáno|közzétéve|megjelent|dátum|objavljeno|datum\s+objave|"
    r"објављено|публикувано|δημοσιεύθηκε|δημοσιεύτηκε|ημερομηνία\s+δημοσίευσης|yayın\s+tarihi|yayınlanma\s+tarihi|"
    r"yayımlanma\s+tarihi|diterbitkan|dipublikasikan|tanggal\s+terbit|diposting|ngày\s+đăng|đăng\s+ngày|"
    r"გამოქვეყნდა|გამოქვეყნების\s+თარიღი|հրապարակվել\s+է|հրապարակման\s+ամսաթիվ|פורסם|תאריך\s+פרסום|"
    r"تاريخ\s+النشر|نشر\s+في|بتاريخ|تاریخ\s+انتشار|زمان\s+انتشار|تاریخ\s+خبر|منتشر\s+شده(?:\s+در)?|"
    r"发布时间|发布日期|发表时间|发布于|發布時間|發布日期|發佈日期|發佈時間|發表時間|日期|公開日|掲載日|投稿日|配信日|公表日|등록일|작성일|입력|게시일|발행일"
)
# Before the date: a colon (a full-width one after a CJK label), a dot or a dash, or nothing.
_PUBLISHED_LABEL = compiled(r"(?:^|[\s|·•,;(])(?:" + _PUBLISHED_WORDS + r")\s*[:.\-–—：]?\s*$", re.I)

# Letters from the most to the least frequent in English and Russian prose; any other character counts as rarer.
_LETTERS_BY_FREQUENCY = "etaoinsrhldcumfpgwybvkxjqzоеаинтсвлркдмпуягьызбчйжшхюцщэфъё"


def _pieces_pattern(pieces: tuple[str, ...]) -> str:
    """A search pattern that finds a text holding any of ``pieces`` (no re.I: they are looked for in the fold).

    Each piece is entered at its rarest letter and checked back from there ("tar" as ``r(?<=tar)``): the regex
    engine tries the alternation only where a text holds one of the pieces' entering letters, and frequent first
    letters ("e", "t", "d", "p", "s" of "ersch", "tar", "dat", "publ", "ssued") let it in at almost every other
    character of a line (0.14 M instructions a generated page for the published label's pieces, 0.11 M so).
    The same texts hold a match, whichever letter enters (a piece occurs exactly where its rest follows a letter
    that its start precedes)."""
    def rank(char: str) -> int:
        at = _LETTERS_BY_FREQUENCY.find(char)
        return len(_LETTERS_BY_FREQUENCY) if at < 0 else at

    branches = []
    for piece in dict.fromkeys(pieces):
        k = max(range(len(piece)), key=lambda i: (rank(piece[i]), -i))
        behind = f"(?<={re.escape(piece[:k + 1])})" if k else ""
        branches.append(re.escape(piece[k]) + behind + re.escape(piece[k + 1:]))
    return "|".join(branches)

# A piece of every form of the label's words (none with an "i", which the case-blind match takes for "ı"
# and "İ" too): a line whose case fold holds none of them has no segment :data:`_PUBLISHED_LABEL` can
# match. Ten times cheaper than a search of the words, which the regex engine tries at every position
# (tests/unit/parsers/test_datefinder.py checks every form and every character the match takes as one of these).
_PUBLISHED_PIECES = ("дат", "публ", "размещ", "dat", "öffentl", "ersch", "pressem", "publ", "posted", "release",
                     "ssued", "gne", "fecha", "tar", "dərc", "yay", "жариял", "күн", "dodano", "pubbl", "julka", "zveřejn",
                     "zverejn", "vydán", "közzét", "megjelent", "dátum", "objav", "објав", "δημοσ", "ημερομην", "terb",
                     "post", "đăng", "გამოქვეყნ", "հրապարակ", "פורסם", "פרסום", "تاريخ", "نشر", "تاریخ", "انتشار",
                     "منتشر", "发布", "发表", "發布", "發佈", "發表", "日期", "公開", "掲載", "投稿", "配信", "公表", "등록", "작성", "입력", "게시", "발행")
_PUBLISHED_PIECE = compiled(_pieces_pattern(_PUBLISHED_PIECES))  # no re.I: searched in the case fold


def _may_hold_published_label(folded: str) -> bool:
    """Whether a line whose case fold is ``folded`` may hold :data:`_PUBLISHED_LABEL`."""
    return _PUBLISHED_PIECE.search(folded) is not None

# Labels of any other date: an edit, a comment, an event, a deadline. A line carrying one is rejected.
_OTHER_LABEL = compiled(
    r"(?:обновлено|обновлен[ао]?|изменено|дата\s+изменения|оновлено|змінено|абноўлена|"
    r"aktualisiert|geändert|zuletzt|stand\b|letzte\s+änderung|"
    r"updated|last\s+(?:modified|updated|changed|reviewed)|modified|revised|reviewed|"
    r"mis\s+à\s+jour|modifié|actualizado|modificado|"
    r"yenilənib|dəyişdirilib|жаңартылды|"
    r"آخر\s+تحديث|تم\s+التحديث|güncellendi|güncelleme|aggiornato|aggiornamento|atualizado|atualização|"
    r"bijgewerkt|yangilandi|"
    r"data\s+(?:modyfikacji|wytworzenia|aktualizacji)|zmodyfikowano|zaktualizowano|aktualizacja|"
    r"comment|коммент|kommentar|reply|ответ|antwort|"
    r"deadline|срок|frist|event\s+date|veranstaltung|мероприятие|"
    r"valid\s+(?:until|from)|gültig|действует|"
    r"aktualizováno|aktualizované|upraveno|frissítve|módosítva|módosítás|actualizat|uppdaterad|päivitetty|ažurirano|"
    r"ενημερώθηκε|ενημέρωση|diperbarui|pembaruan|cập\s+nhật|განახლდა|עודכן|تعديل|روزرسانی|ویرایش|"
    r"更新|修改|수정|업데이트)",
    re.I,
)
# One piece of each form of the other labels (of the case fold of its words, none with a Latin "i", which the
# case-blind match also takes for "ı" and "İ"): a text whose case fold holds none of them holds no other label.
# The case-blind search of the labels (re.I: no first-character skip, every form tried at every position) was
# 7 us for a 20-character line, 4 a page; the pieces, searched in the fold without re.I, are skipped to in C.
_OTHER_PIECES = ("обновлен", "измен", "оновлено", "змінено", "абноўлена", "aktual", "actual", "geändert", "zuletzt", "stand",
                 "änderung", "updated", "last", "mod", "rev", "jour", "yen", "dəy", "жаңарт", "wytworzen", "comment", "коммент",
                 "komment", "reply", "ответ", "antwort", "deadl", "срок", "fr", "event", "veranst", "меропр", "val", "gült",
                 "действ", "تحديث", "التحديث", "güncel", "orna", "atual", "gewerkt", "yang", "aktual", "upraveno", "ssítv",
                 "mód", "uppdat", "tetty", "ažur", "ενημ", "perbar", "pembar", "nhật", "განახლ", "עודכן", "تعديل",
                 "روزرسانی", "ویرایش", "更新", "修改", "수정", "업데이트")
_OTHER_PIECE = compiled(_pieces_pattern(_OTHER_PIECES))  # no re.I: searched in the case fold


def _has_other_label(text: str) -> bool:
    """``_OTHER_LABEL.search(text) is not None``, screened by the pieces first (the same answer)."""
    return _OTHER_PIECE.search(text.casefold()) is not None and _OTHER_LABEL.search(text) is not None


_COPYRIGHT = compiled(r"©|\(c\)\s*\d{4}|copyright|all\s+rights\s+reserved|alle\s+rechte|все\s+права|всі\s+права|tous\s+droits|todos\s+los\s+derechos|bütün\s+hüquqlar", re.I)
# A piece of each form (of its case fold, none with a Latin "i"), as for the other labels: a line whose case fold
# holds none has no copyright notice, told without the case-blind search, which the engine tries at every position.
_COPYRIGHT_PIECES = ("©", "(c)", "copyr", "reserved", "rechte", "права", "tous", "derechos", "hüquqlar")
_COPYRIGHT_PIECE = compiled(_pieces_pattern(_COPYRIGHT_PIECES))  # no re.I: searched in the case fold


def _has_copyright(line: str) -> bool:
    """``_COPYRIGHT.search(line) is not None``, screened by the pieces first (the same answer)."""
    return _COPYRIGHT_PIECE.search(line.casefold()) is not None and _COPYRIGHT.search(line) is not None

def _has_copyright_or_other_label(line: str) -> bool:
    """``_has_copyright(line) or _has_other_label(line)``, with one case fold of the line."""
    folded = line.casefold()
    return (_COPYRIGHT_PIECE.search(folded) is not None and _COPYRIGHT.search(line) is not None) \
        or (_OTHER_PIECE.search(folded) is not None and _OTHER_LABEL.search(line) is not None)

# A page's sentence about itself, as blog and CMS themes print it under the text: "This entry was
# posted on <date>", "Dieser Beitrag wurde am <date> veröffentlicht". Its first date is the post's.
_SELF_PUBLISHED = compiled(
    r"^\W*(?:this\s+(?:entry|post|article|page|news\s+item)\s+was\s+(?:posted|published|written)|"
    r"dieser\s+(?:beitrag|artikel|eintrag)\s+wurde|cet\s+article\s+a\s+été\s+publié|"
    r"(?:эта|данная)\s+(?:запись|статья|новость)\s+(?:была\s+)?опубликована)",
    re.I,
)
# Every character re.I takes for the first letter of one of its forms ("t", "d", "c", "э", "д"; "ᲁ" is a form of
# "д"): a line that opens with a word character outside these cannot match (tests/unit/parsers/test_datefinder.py
# checks every code point). Tried on every line of the region, where the match costs ten times this look.
_SELF_PUBLISHED_OPENERS = frozenset("tTdDcCэЭдДᲁ")


_IMMEDIATE_RELEASE = compiled(r"for\s+immediate\s+release|zur\s+sofortigen\s+veröffentlichung|pour\s+diffusion\s+immédiate|para\s+difusión\s+inmediata", re.I)
# A piece of each form above that the case-blind match can only take as itself or its capital (no "i", "s"
# or "k", which it also takes as "ı", "ſ" and the Kelvin sign): a line whose case fold holds none of them
# cannot match. Tried on every short line of the region, where the search tries each form at every position.
_IMMEDIATE_RELEASE_PIECES = ("med", "méd", "ofort")  # spelled out in _may_hold_immediate_release (one `in` each)


def _may_hold_immediate_release(folded: str) -> bool:
    """Whether a line whose case fold is ``folded`` may hold :data:`_IMMEDIATE_RELEASE`."""
    return "med" in folded or "méd" in folded or "ofort" in folded


# What may stand around a date on a date line besides the date: a place, a label, a time zone
# word, a separator, an agency in brackets ("(БЕЛТА)"), "Pressemitteilung", "Nr. 12/2024".
_DATE_LINE_MAX_REST = 45
# The place may be followed by the article letters use before a date: "Paris, le 2 octobre 2024",
# "Berlin, den 2. Oktober 2024", "Madrid, a 2 de octubre de 2024", "Lisboa, em 2 de outubro".
_PLACE_PREFIX = compiled(
    r"^[^\W\d_][^\W\d_ .'’\-/]*(?:[ \-/.][^\W\d_][^\W\d_'’.]*){0,4}\s*[,.]?\s*(?:(?:le|den|am|a|el|em|on)(?:\s+|$))?(?:\d{1,2}\s*)?$"
)
_DATELINE_START = 60
"""A dateline's date starts at most so many characters into its paragraph ("REYKJAVÍK, 2 October 2024 -")."""
prepare_leading_date(_DATELINE_START)
# What closes a dateline: a dash or colon, a full stop and a space, or the Spanish ".–" / ".-".
_AFTER_DATELINE = compiled(r"^\s*(?:\([^)]{1,30}\))?\s*(?:\.?\s*[-–—:]|\.\s|/)", re.I)


_AGENCY_AFTER_DATE = compiled(r"^\s*,\s*(\w{2,15})(?=[.,:]?\s)")


def _past_agency(after: str) -> str:
    """What follows a dateline's date, past an agency named in capitals: "15 fevral, AZƏRTAC. Text" -> ". Text"."""
    m = _AGENCY_AFTER_DATE.match(after)
    return after[m.end():] if m and m.group(1).isupper() else after


def is_date_label_line(line: str, *, tz: str = "UTC") -> bool:
    """A short line that is only labelled dates ("Дата публикации: 19.02.2024 Дата изменения: ...",
    "Data publikacji: 07.03.2024"): page furniture, not article text."""
    if len(line) > 160:
        return False
    dates = find_dates(line, tz=tz)
    if not dates:
        return False
    start = dates[0][0]
    label = line[:start]
    return len(label) <= 40 and (_PUBLISHED_LABEL.search(label) is not None or _has_other_label(label)) \
        and _rest_length(line, start, dates[-1][1]) <= 2 * _DATE_LINE_MAX_REST


def labelled_dates(line: str, dates: list[tuple[int, int, ParsedDate]]) -> list[tuple[str | None, ParsedDate]]:
    """Each date of a line with the label of its own segment: ``"published"``, ``"other"`` or ``None``.

    A date's label is the text between the previous date and it, so that in "Дата обновления:
    10 октября 2024 Дата публикации: 3 октября 2024" the edit label does not reach the second date.
    """
    out: list[tuple[str | None, ParsedDate]] = []
    previous_end = 0
    for start, end, parsed in dates:
        segment = line[previous_end:start]
        if _has_other_label(segment):
            out.append(("other", parsed))
        elif _PUBLISHED_LABEL.search(segment):
            out.append(("published", parsed))
        else:
            out.append((None, parsed))
        previous_end = end
    return out


_NOT_WORD_RUN = compiled(r"[\W_]+")


def _rest_length(text: str, start: int, end: int) -> int:
    rest = _NOT_WORD_RUN.sub(" ", text[:start] + " " + text[end:]).strip()
    return len(rest)


# --------------------------------------------------------------------------- the finder


def _accept(parsed: ParsedDate, reference: datetime | None) -> bool:
    """Rules every candidate obeys: not before 1990, not more than a day after the fetch."""
    value = parsed.value
    if value.year < _EARLIEST_YEAR:
        return False
    if reference is not None and reference.tzinfo is not None and value - reference > _FUTURE_SLACK:
        return False  # an announced event or a deadline, not a publication
    return True


class _Collector:
    def __init__(self, tz: str, reference: datetime | None, month_first: bool = False, fetch_known: bool = True,
                 not_after: datetime | None = None) -> None:
        self.tz = tz
        self.reference = reference
        """What a yearless date's year is read against: the fetch time, or a day the page states (its URL's)."""
        self.bound = reference
        """No publication after it (and a day's slack): the fetch time, else the page's newest machine-readable date."""
        # Dates after the fetch are events, not publications. A guessed fetch time (a file's modification time)
        # bounds nothing: a page saved in 2024 may carry 2020-02-02, the day a package build stamped on it.
        self.fetch_known = fetch_known
        self.not_after = not_after
        # Relative days ("Сегодня, 14:30") are read against the fetch time only, never against a
        # reference guessed from the page's other dates (that would date any page to its newest date),
        # nor against a fetch time that is itself a guess (a saved file's modification time).
        self.fetched = reference if fetch_known and reference is not None and reference.tzinfo is not None else None
        self.month_first = month_first
        self.release_month_first = month_first
        self.found: list[DateCandidate] = []
        self._read: dict[tuple[str, datetime | None, bool], list[tuple[int, int, ParsedDate]]] = {}

    def add(self, parsed: ParsedDate | None, channel: str, text: str, weight: float | None = None) -> bool:
        if parsed is None:
            return False
        if parsed.precision == "day" or is_date_only_stamp(parsed):
            parsed = as_day(parsed, tz=self.tz)
        if not _accept(parsed, self.bound if self.fetch_known else self.not_after):
            return False
        self.found.append(DateCandidate(parsed, channel, WEIGHTS[channel] if weight is None else weight, text))
        return True

    def add_raw(self, raw: str, channel: str, *, free_text: bool = False) -> bool:
        if free_text and _has_other_label(raw):
            # "Mis à jour le 25/06/2024 · Publié le 12/06/2024" in one element classed date: each
            # date has its own label, and the first date is not the publication when its label says edit.
            labelled = labelled_dates(raw, self.dates_in(raw))
            chosen = next((d for label, d in labelled if label == "published"), None) \
                or next((d for label, d in labelled if label is None), None)
            return self.add(chosen, channel, raw)
        parsed = read_stamp(raw, self.tz, self.reference, free_text=free_text, month_first=self.month_first)
        if parsed is None and free_text:
            parsed = self.relative(raw)
        return self.add(parsed, channel, raw)

    def relative(self, line: str) -> ParsedDate | None:
        """A line that is only a relative day ("Сегодня, 14:30", "Yesterday"), read against the fetch time."""
        if self.fetched is None or len(line) > 40:
            return None
        return parse_relative_day(line, fetched_at=self.fetched, tz=self.tz)

    def dates_in(self, text: str) -> list[tuple[int, int, ParsedDate]]:
        # The same lines are read by several channels (labels, then date lines near the title):
        # read once per page. The answer depends on the reference and the order, which may change.
        key = (text, self.reference, self.month_first)
        dates = self._read.get(key)
        if dates is None:
            dates = self._read[key] = find_dates(text, tz=self.tz, reference=self.reference, month_first=self.month_first)
        return dates

    def leading_date_in(self, head: str) -> tuple[int, int, ParsedDate] | None:
        """The first date of a paragraph's opening, as ``self.dates_in(head)[0]``, when a dateline may start there
        (None when it has none or it starts too late): at most :data:`_DATELINE_START` characters in, unless the
        text opens with a bracket, "(18.01.2018) ...", where only spaces may stand between the bracket and the date."""
        dates = self._read.get((head, self.reference, self.month_first))
        if dates is not None or head.lstrip()[:1] in ("(", "["):
            if dates is None:
                dates = self.dates_in(head)
            return dates[0] if dates else None
        return leading_date(head, _DATELINE_START, tz=self.tz, reference=self.reference, month_first=self.month_first)

    def add_line(self, line: str, channel: str, weight: float | None = None) -> bool:
        """A short line that is a date line: one date, little else, no copyright or other-date label."""
        if len(line) > 160:
            return False
        dates = self.dates_in(line)
        if not dates:
            # Most such lines (a rubric, a caption near the headline) are no relative day either: then nothing
            # is added, whatever their labels, and the label searches are not needed.
            relative = self.relative(line)
            if relative is None or _has_copyright_or_other_label(line):
                return False
            return self.add(relative, channel, line, weight)
        if _has_copyright_or_other_label(line):
            return False
        start, end, parsed = dates[0]
        if _rest_length(line, start, end) > _DATE_LINE_MAX_REST and not _PUBLISHED_LABEL.search(line[:start]):
            return False
        return self.add(parsed, channel, line, weight)


_URL_DATE = compiled(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d)|-(?P<m2>\d{2})-(?P<d2>\d{2})(?!\d)|(?P<m3>[01]\d)(?P<d3>[0-3]\d)(?!\d))")


def _url_candidate(url: str, collector: _Collector) -> None:
    """``/2024/10/02/``, ``2024-10-02`` or ``20241002`` in the path: the day, rarely wrong, rarely there."""
    if _URL_DATE.search(url) is None and "\t" not in url and "\n" not in url and "\r" not in url:
        # The path is a stretch of the URL (urlsplit only drops tabs and line breaks from within it), and one after a
        # netloc opens with "/" (no digit for the look-behind): a URL that holds no match has no path that does.
        return
    try:
        path = urlsplit(url).path
    except ValueError:
        return
    for match in _URL_DATE.finditer(path):
        month = match.group("m") or match.group("m2") or match.group("m3")
        day = match.group("d") or match.group("d2") or match.group("d3")
        parsed = parse_iso(f"{match.group('y')}-{int(month):02d}-{int(day):02d}", tz=collector.tz)
        if collector.add(parsed, "url", match.group(0)):
            return


_URL_YEAR = compiled(r"/(?P<y>(?:19|20)\d{2})/(?:(?P<m>0?[1-9]|1[0-2])/)?")


def _read_years_against_the_url(url: str, collector: _Collector) -> None:
    """A page whose URL files it under a day, a month or a year (``/2024/10/02/``, ``20241002``, ``/2024/10/``,
    ``/2024/``) printed its yearless dates ("2 октября, 14:30") then: their year is read against the end of that day or
    month (a year: its 24 December, a week short of its end, the week a yearless date may run ahead of its reference,
    so that "2 January" under /2024/ stays in 2024) instead of the fetch time, when that is earlier (a backfill of
    2024's releases fetched in 2026, a saved page read with no fetch time). Only the reference of the dates without a
    year moves: the URL's day was a candidate already."""
    day = next((c.date.value for c in collector.found if c.channel == "url"), None)
    if day is not None:
        anchor = day + timedelta(days=1, seconds=-1)
    else:
        if "/19" not in url and "/20" not in url:
            return
        try:
            match = _URL_YEAR.search(urlsplit(url).path)
        except ValueError:
            return
        if match is None:
            return
        try:
            zone = ZoneInfo(collector.tz)
        except (ValueError, KeyError):
            zone = timezone.utc
        year = int(match.group("y"))
        if match.group("m") is None:
            anchor = datetime(year, 12, 24, 23, 59, 59, tzinfo=zone)
        else:
            month = int(match.group("m"))
            next_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
            anchor = next_month - timedelta(seconds=1)
    if collector.reference is None or anchor < collector.reference:
        collector.reference = anchor


def _bound_by_the_newest(collector: _Collector) -> None:
    """Without a fetch time, the newest date found so far bounds the page's dates and, unless the URL gave one, is
    what their years are read against."""
    if collector.bound is None and collector.found:
        collector.bound = max(c.date.value for c in collector.found)
        if collector.reference is None:
            collector.reference = collector.bound


def find_publication_date(
    *,
    meta_published: list[tuple[str, str]],
    heading_dates: list[str],
    region_lines: list[str],
    title: str | None,
    first_paragraphs: list[str],
    url: str,
    trailing_lines: list[str] = (),
    breadcrumb_crumbs: list[str] = (),
    tz: str,
    reference: datetime | None,
    month_first: bool | None = False,
    fetch_known: bool = True,
    not_after: datetime | None = None,
) -> FoundDate:
    """Rank every candidate and return the winner (``None`` when the page states no date).

    ``meta_published``: (channel, raw) from :func:`govpress.parsers.html.page_metadata`;
    ``heading_dates``: date texts split off the headline; ``region_lines``: the visible lines of
    the part of the page holding the headline and the article (boilerplate blocks already
    dropped), in order; ``first_paragraphs``: the article's first body paragraphs;
    ``breadcrumb_crumbs``: the texts of the breadcrumb trail's crumbs, in order;
    ``month_first``: the page is US English, where "10/02/2024" is 2 October; ``None`` when the
    page is English of no stated region: day first, except on the line under "For Immediate
    Release" (a US press-office convention); ``fetch_known``: False when ``reference`` is a guess (a saved
    file's modification time): it still anchors years, but no relative day ("Yesterday, 18:05") is read, and
    dates after it are refused only when they are after ``not_after`` (the time the file was read).
    """
    collector = _Collector(tz, reference, bool(month_first), fetch_known, not_after)
    collector.release_month_first = month_first is None or bool(month_first)
    # Year inference needs a reference: the fetch time, else the year a full date on the page gives.
    for channel, raw in meta_published:
        collector.add_raw(raw, "classed" if channel == "dateline" else channel, free_text=channel == "dateline")
    _bound_by_the_newest(collector)
    for text in heading_dates:
        collector.add_line(text, "heading")
    _url_candidate(url, collector)
    _read_years_against_the_url(url, collector)
    # Some portals name an article in their breadcrumb trail by its day ("Главная → Пресс-служба →
    # 8 октября 2024"): only the LAST crumb is this page; the ones before are its sections.
    if breadcrumb_crumbs:
        collector.add_line(breadcrumb_crumbs[-1], "breadcrumb")
    _bound_by_the_newest(collector)
    _text_candidates(region_lines, title, first_paragraphs, collector)
    # A record table after the article (Polish BIP "Data publikacji:", "Дата публикации:" in a
    # block beside the text): labelled lines only, as a label says whose date it is.
    _label_candidates(list(trailing_lines), collector)
    return FoundDate(_choose(_without_render_stamps(collector.found, collector.fetched, tz)), tuple(collector.found))


# Visible dates that speak for the page itself: next to its headline, labelled, or opening its text. Not
# "classed" (an element classed date anywhere: a sidebar's news list too) nor the breadcrumb: a page
# fetched on its publication day must keep its true meta date against yesterday's teasers.
_VISIBLE_CHANNELS = frozenset({"heading", "label", "release", "near-title", "dateline"})


def _without_render_stamps(candidates: list[DateCandidate], fetched: datetime | None, tz: str) -> list[DateCandidate]:
    """Drop ``<meta>`` dates on the fetch day when the page shows another day as its date.

    Some CMSs write the day a page is rendered into ``<meta name="date">`` or ``last-modified``:
    fetched later, the page then claims to be from the fetch day. A meta date is trusted over the
    visible text otherwise; only this coincidence (the meta day IS the fetch day, and a visible
    date line says another day) marks it as a render stamp.
    """
    if fetched is None or not any(c.channel == "meta" for c in candidates):
        return candidates  # no <meta> date: nothing to drop (the fetch day's zone is not looked up)
    try:
        fetch_day = fetched.astimezone(ZoneInfo(tz)).date()
    except (ValueError, KeyError):  # an unknown zone name: the fetch day in UTC
        fetch_day = fetched.astimezone(timezone.utc).date()
    stamped = [c for c in candidates if c.channel == "meta" and c.date.value.date() == fetch_day]
    if not stamped or not any(c.channel in _VISIBLE_CHANNELS and c.date.value.date() != fetch_day for c in candidates):
        return candidates
    return [c for c in candidates if c not in stamped]


def _title_index(lines: list[str], title: str | None) -> int | None:
    if not title:
        return None
    folded = title.casefold()
    for i, line in enumerate(lines):
        if line.casefold() == folded or (folded in line.casefold() and len(line) < len(title) + 60):
            return i
    best = max(range(len(lines)), key=lambda i: similarity(lines[i], title), default=None)
    if best is not None and similarity(lines[best], title) >= 0.8 and len(lines[best]) < 2 * len(title) + 20:
        return best
    return None


_SENTENCE_MARK = compiled(r"[.!?…](?:\s|$)")


def _is_prose(line: str) -> bool:
    return len(line) > 160 or (len(line) > 80 and len(_SENTENCE_MARK.findall(line)) >= 1 and len(line.split()) > 12)


def _short_folds(lines: list[str]) -> list[str | None]:
    """The case fold of each line of 160 characters or fewer (None for a longer one): the label pieces and
    the release pieces are both looked for in it."""
    return [line.casefold() if len(line) <= 160 else None for line in lines]


def _label_candidates(lines: list[str], collector: _Collector, folds: list[str | None] | None = None) -> None:
    """Labelled lines ("Datum: 03.07.2018"); a label may stand alone with its date on the next line.

    ``folds``: :func:`_short_folds` of the lines, when the caller has them."""
    if folds is None:
        folds = _short_folds(lines)
    for i, line in enumerate(lines):
        folded = folds[i]
        if folded is None or not _may_hold_published_label(folded):
            # No published label in any of its segments, and not a label alone: nothing to read here (most
            # of a region's lines; the dates of those that other channels read are found there).
            continue
        dates = collector.dates_in(line)
        published = [d for label, d in labelled_dates(line, dates) if label == "published"]
        if published and not _has_copyright(line):
            collector.add(published[0], "label", line)
        elif not dates:
            if i + 1 < len(lines) and _PUBLISHED_LABEL.fullmatch(" " + line.strip()) is not None:
                collector.add_line(lines[i + 1], "label")


_PAST_LEAD_WEIGHT = 4.0
"""A bare date line below the lead paragraph: weaker than one next to the headline, stronger than the URL."""


def _is_bare_date_line(line: str, collector: _Collector) -> bool:
    """The line is a date (and a time), with at most a few characters besides: "12.03.2024 14:20"."""
    if len(line) > 60:
        return False
    dates = collector.dates_in(line)
    return len(dates) == 1 and _rest_length(line, dates[0][0], dates[0][1]) <= 12


def _text_candidates(lines: list[str], title: str | None, first_paragraphs: list[str], collector: _Collector) -> None:
    # Labelled lines anywhere in the article's region ("Datum: 03.07.2018"); a label may stand
    # alone on its line with the date on the next one (a <dt>/<dd> pair).
    folds = _short_folds(lines)
    _label_candidates(lines, collector, folds)
    # "For Immediate Release" is looked for line by line only when some short line may hold it: its pieces hold
    # no line break, so the folds joined by them hold one exactly when a fold does (most pages: none).
    release_possible = _may_hold_immediate_release("\n".join([f for f in folds if f is not None]))
    for i, line in enumerate(lines):
        # Opening with a word character (re's \w is str.isalnum() or "_") other than the openers: no match.
        first = line[:1]
        if (first in _SELF_PUBLISHED_OPENERS or not (first.isalnum() or first == "_")) and _SELF_PUBLISHED.match(line):
            dates = collector.dates_in(line[:200])
            if dates:
                collector.add(dates[0][2], "label", line[:200])
        if len(line) > 160:
            continue
        if release_possible and _may_hold_immediate_release(folds[i]) and _IMMEDIATE_RELEASE.search(line):
            # The date sits on the same line or on one of the next two.
            usual, collector.month_first = collector.month_first, collector.release_month_first
            try:
                for candidate in (line[_IMMEDIATE_RELEASE.search(line).end():], *lines[i + 1:i + 3]):
                    if collector.add_line(candidate, "release"):
                        break
            finally:
                collector.month_first = usual

    # Date lines just above or below the headline, up to the first prose paragraph.
    at = _title_index(lines, title)
    if at is not None:
        for distance in range(1, 4):
            j = at - distance
            # The line right above the headline, also when <br>s make it the last of a block (a table layout's
            # menu cell and the date line over the headline read as one paragraph): "...\nПосольства\n02.10.2024".
            if j < 0:
                break
            line = lines[j].rpartition("\n")[2] if distance == 1 else lines[j]
            if _is_prose(line):
                break
            collector.add_line(line, "near-title", WEIGHTS["near-title"] - 0.5 * (distance - 1))
        prose_seen = 0
        for distance in range(1, 9):
            j = at + distance
            if j >= len(lines):
                break
            if _is_prose(lines[j]):
                # A standfirst or lead paragraph may come between the headline and its date line
                # (headline, lead, photo, caption, date): past one prose paragraph, only a line
                # that is the date and nothing more counts, and less than a line next to the title.
                prose_seen += 1
                if prose_seen > 1:
                    break
                continue
            if prose_seen == 0 and distance <= 4:
                collector.add_line(lines[j], "near-title", WEIGHTS["near-title"] - 0.5 * (distance - 1))
            elif prose_seen and _is_bare_date_line(lines[j], collector):
                collector.add_line(lines[j], "near-title", _PAST_LEAD_WEIGHT)

    # A dateline opening the first paragraph: "CITY, DD.MM.YYYY –", "МИНСК, 2 октября (БЕЛТА) –".
    for paragraph in first_paragraphs[:2]:
        head = paragraph[:160]
        first = collector.leading_date_in(head)
        if first is None:
            continue
        start, end, parsed = first
        before = head[:start].strip()
        if start <= _DATELINE_START and (not before or _PLACE_PREFIX.match(before)) and _AFTER_DATELINE.match(_past_agency(head[end:])):
            collector.add(parsed, "dateline", head[: end + 20])
            break
        # The date alone in brackets opening the text: "(18.01.2018) Deutschlands Landwirte ...".
        if before in ("(", "[") and head[end:end + 1] in (")", "]") and head[end + 1:end + 2].isspace():
            collector.add(parsed, "dateline", head[: end + 20])
            break


def _choose(candidates: list[DateCandidate]) -> ParsedDate | None:
    """The best-supported day, and the most precise candidate stating it."""
    if not candidates:
        return None
    by_day: dict[object, list[DateCandidate]] = {}
    for candidate in candidates:
        by_day.setdefault(candidate.date.value.date(), []).append(candidate)

    def support(group: list[DateCandidate]) -> float:
        best: dict[str, float] = {}
        for c in group:
            best[c.channel] = max(best.get(c.channel, 0.0), c.weight)
        weights = sorted(best.values(), reverse=True)
        return weights[0] + 0.25 * sum(weights[1:])

    order = {"second": 2, "minute": 1, "day": 0}
    if len(by_day) == 1:  # one day stated (most pages): it wins, whatever its support
        winner = next(iter(by_day.values()))
    else:
        # Between equally supported days, the one stated with a time of day: a publication stamp carries one,
        # a "today is" clock above the headline ("2021年10月7日 星期四") or an event's day does not. Then the first.
        winner = max(by_day.values(), key=lambda g: (support(g), max(order[c.date.precision] for c in g),
                                                      -candidates.index(g[0])))
    best = max(winner, key=lambda c: (order[c.date.precision], c.date.has_offset, c.weight))
    return best.date


def markup_fallback(html_text: str, *, url: str, lines: list[str], tz: str, reference: datetime | None,
                    modified: list[str] = (), teasers: set[str] | frozenset[str] = frozenset(),
                    free_text: bool = False, content: set[str] | frozenset[str] = frozenset(),
                    body: list[str] = (), fetch_known: bool = True, not_after: datetime | None = None) -> FoundDate:
    """htmldate's reading of the markup, for a page where no place above gave a date.

    htmldate knows many more CMS markups than the channels above (classes, ``<abbr>``, image
    paths, more meta names). Its answer is checked against the page's visible ``lines``: a day
    the page shows only on lines this module rejects (a "Last modified" footer, a copyright line,
    a sentence of the prose) is no publication date, and neither is the day of a modification
    stamp the page states (``modified``: ``dateModified``, ``og:updated_time``...), which htmldate
    falls back to when it finds nothing else, nor a day the page shows only on ``teasers`` (a
    date beside a link to another page: a news list in a sidebar).

    ``free_text``: htmldate's free-text scan (``extensive_search``), asked last of all. It takes
    copyright years, footers and event days in the prose for dates, so its day must be shown on
    a line that is none of those: not rejected, not a teaser, among the page's ``content`` lines
    (outside navigation, asides, footers, breadcrumbs) and not in the article's ``body``
    paragraphs (a day in the text is an event's).
    """
    from htmldate import find_date

    if free_text:
        # Only a line that could vouch for a day lets the scan's answer stand: without one, skip the scan.
        eligible = [line for line in lines if line in content and line not in teasers and not _is_rejected_line(line)
                    and not any(line in paragraph for paragraph in body) and find_dates(line, tz=tz, reference=reference)]
        if not eligible:
            return FoundDate(None, ())
    bound = reference if fetch_known else not_after
    latest = bound + _FUTURE_SLACK if bound is not None and bound.tzinfo is not None else None
    try:
        found = find_date(html_text, extensive_search=free_text, original_date=True, url=url,
                          min_date=datetime(_EARLIEST_YEAR, 1, 1), max_date=latest.replace(tzinfo=None) if latest else None)
    except (ValueError, TypeError):  # htmldate refuses some inputs (too deep, not HTML): no date, never a crash
        return FoundDate(None, ())
    parsed = parse_iso(found, tz=tz) if found else None
    if parsed is None:
        return FoundDate(None, ())
    day = parsed.value.date()
    for raw in modified:
        stamp = read_stamp(raw, tz, reference)
        if stamp is not None and stamp.value.date() == day:
            return FoundDate(None, ())
    shown = [line for line in lines if any(d.value.date() == day for _, _, d in find_dates(line, tz=tz, reference=reference))]
    kept = [line for line in shown if not (_is_rejected_line(line) or line in teasers)]
    if shown and not kept:
        return FoundDate(None, ())
    if free_text and not any(line in content and not any(line in paragraph for paragraph in body) for line in kept):
        return FoundDate(None, ())
    collector = _Collector(tz, reference, fetch_known=fetch_known, not_after=not_after)
    collector.add(parsed, "markup", found)
    return FoundDate(_choose(collector.found), tuple(collector.found))


def _is_rejected_line(line: str) -> bool:
    """A line whose dates are not the page's publication: prose, a copyright or an other-date label."""
    return _is_prose(line) or _has_copyright_or_other_label(line)


def lone_date_line(lines: list[str], *, tz: str, reference: datetime | None,
                   teasers: set[str] | frozenset[str] = frozenset(), month_first: bool = False,
                   fetch_known: bool = True, not_after: datetime | None = None) -> FoundDate:
    """The last resort: the day of the page's bare date lines, when they all name one day.

    Many CMS templates print the publication date as a line of its own somewhere in the page's
    content blocks (a box beside the text, a line after it) with no label and no class to go by.
    ``lines`` are the page's lines outside navigation, asides and footers. A bare date line is a
    date (and a time) with at most a few characters besides; copyright and other-date lines and
    teasers of other pages do not count. Two different days on such lines: no way to tell which
    is the page's, so none. Dates after the fetch are events, as everywhere.
    """
    collector = _Collector(tz, reference, month_first, fetch_known, not_after)
    days = set()
    for line in lines:
        if line in teasers or _has_copyright_or_other_label(line) or not _is_bare_date_line(line, collector):
            continue
        if collector.add_line(line, "lone-line"):
            days.add(collector.found[-1].date.value.date())
    if len(days) != 1:
        return FoundDate(None, tuple(collector.found))
    return FoundDate(_choose(collector.found), tuple(collector.found))
