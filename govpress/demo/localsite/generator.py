"""A deterministic generated government site for the demo and the end-to-end tests.

``generate_site(out_dir)`` writes a static tree with four editions of three publishers:

* ``minfin``    — a Russian-language finance ministry: Atom feed with ``rel=next`` pages, a
  paginated HTML listing, articles with JSON-LD + OpenGraph + ``<time datetime>``
  (Europe/Moscow). Some paragraphs carry export "scars" (a word hyphenated across a
  paragraph break, a sentence split mid-way).
* ``mfa-en``    — an English foreign ministry: RSS 2.0, a sitemap index with yearly
  sitemaps (``<lastmod>``), h-entry articles whose dates are text in Europe/London.
* ``agency-ru`` / ``agency-en`` — a bilingual agency with paginated listings (and for the English
  edition a paginated JSON index); the same numeric id in both editions (translations), naive
  ``02.10.2024 11:54`` dates in Europe/Minsk; a few Russian items are syndicated copies of minfin
  releases.
* ``docs``      — a cabinet's documents as markdown files with front matter (``docs/NNNN.md``),
  read from disk by a ``files`` source.

Every release is built from its own RNG (seeded by the site seed and its id), so changing releases
(``changes``: id -> one of :data:`CHANGE_KINDS`) changes exactly those pages (plus the discovery
pages that list them) and leaves every other page byte-identical. A change left out of a later
generation is undone: the page comes back exactly as it was (a restore). ``as_of`` leaves out the
releases published after it (a site as it was at that moment), and ``dates`` moves the span the
publication times are drawn from (the record benchmark simulates a week). Absolute URLs are written with
the origin :data:`ORIGIN`, which :class:`~govpress.demo.localsite.server.LocalSiteServer` replaces
with the address it was reached at. ``site.json`` (a :class:`SiteManifest`) says what was
generated, including each release's clean body text, so tests can compare parser output
with the truth.
"""

from __future__ import annotations

import html
import json
import os
import random
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ORIGIN = "http://localsite.invalid"
"""Placeholder origin in generated absolute URLs; the server substitutes its own."""

MANIFEST_NAME = "site.json"
PRIVATE_PATH = "/private/internal-report/"
DATE_START = datetime(2024, 1, 1)
DATE_END = datetime(2026, 10, 31)

CHANGE_KINDS: dict[str, str] = {
    "retitle": "the headline changes; the page and every channel show it, with a later update time",
    "body": "a paragraph is added or reworded; the page states a later update time, channels that show one move",
    "typography": "dashes, hyphens and ё change (no word does); the update time moves as for an edit",
    "silent": "a paragraph is reworded and nothing says so: no update time moves, no channel changes",
    "gone404": "the page is deleted (404) and dropped from every channel",
    "gone410": "the page answers 410 Gone and is dropped from every channel",
    "redirect": "the page redirects (301) to its section's front page and is dropped from every channel",
    "soft404": "the page answers 200 with the site's 'page not found' template and is dropped from every channel",
}
"""What ``generate_site(changes=...)`` can do to a release (documents on disk can change or be deleted only)."""
TEXT_CHANGES = frozenset({"retitle", "body", "typography", "silent"})
WITHDRAWALS = frozenset({"gone404", "gone410", "redirect", "soft404"})
SECTION_FRONT = {"minfin": "/minfin/news/", "mfa-en": "/mfa-en/", "agency-ru": "/agency/ru/news/",
                 "agency-en": "/agency/en/news/"}
"""Where a ``redirect`` change sends a release's page."""

# --------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseInfo:
    """One generated release page, as a test or the demo needs to know it."""

    id: str
    publisher: str
    language: str
    path: str
    title: str
    lead: str
    published_at: str
    """ISO 8601 with the publisher's UTC offset."""
    updated_at: str
    body_text: str
    """The clean text (scars repaired), paragraphs separated by one blank line. On minfin and
    mfa-en pages the lead stands apart (``lead``) and is not part of it; agency pages have no
    separate lead, so their first paragraph is the dateline followed by the lead."""
    edited: bool = False
    """The text differs from the release as first generated (any text change of CHANGE_KINDS)."""
    scars: int = 0
    translation_key: str | None = None
    translations: dict[str, str] = field(default_factory=dict)
    """Language -> path of the same release in that language."""
    copy_of: str | None = None
    """The release this one syndicates (near-identical text), if any."""
    change: str | None = None
    """The text change applied (retitle, body, typography, silent), if any."""

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.published_at)

    @property
    def updated(self) -> datetime:
        return datetime.fromisoformat(self.updated_at)


@dataclass(frozen=True)
class PublisherInfo:
    """One edition of one publisher: where discovery starts and what it holds (newest first)."""

    name: str
    title: str
    language: str
    timezone: str
    group: str | None
    feed: str | None
    sitemap: str | None
    listing: str | None
    listing_selectors: dict[str, str] | None
    releases: list[ReleaseInfo]
    json_index: str | None = None
    """First page of the JSON index (``items``: id, url, title, published, updated), if any."""
    files: str | None = None
    """Glob of the documents on disk, relative to the site folder, for a ``files`` publisher."""


@dataclass(frozen=True)
class SiteManifest:
    """What ``generate_site`` wrote; read back with :func:`load_manifest`."""

    seed: int
    per_source: int
    publishers: dict[str, PublisherInfo]
    edited: list[str]
    removed: dict[str, str]
    """Removed release id -> the path its page had."""
    private_path: str
    robots_path: str
    last_modified: dict[str, str]
    """URL path -> ISO time the server sends as Last-Modified."""
    changes: dict[str, str] = field(default_factory=dict)
    """Release id -> the CHANGE_KINDS entry applied."""
    gone: list[str] = field(default_factory=list)
    """URL paths the server answers with 410 Gone."""
    redirects: dict[str, str] = field(default_factory=dict)
    """URL path -> where the server redirects it (301)."""
    as_of: str | None = None
    """The site as it was at this ISO time (releases published later left out); None: everything."""

    def releases(self) -> list[ReleaseInfo]:
        return [r for p in self.publishers.values() for r in p.releases]

    def release(self, release_id: str) -> ReleaseInfo:
        for release in self.releases():
            if release.id == release_id:
                return release
        raise KeyError(release_id)

    def to_json(self) -> str:
        # Shallow conversion by hand: dataclasses.asdict deep-copies every string and is 5x slower.
        data = {**vars(self), "publishers": {
            name: {**vars(p), "releases": [vars(r) for r in p.releases]} for name, p in self.publishers.items()}}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> "SiteManifest":
        publishers = {
            name: PublisherInfo(**{**p, "releases": [ReleaseInfo(**r) for r in p["releases"]]})
            for name, p in data["publishers"].items()
        }
        return cls(**{**data, "publishers": publishers})


def load_manifest(out_dir: Path) -> SiteManifest:
    """The manifest of a generated site directory."""
    return SiteManifest.from_dict(json.loads((Path(out_dir) / MANIFEST_NAME).read_text("utf-8")))


# --------------------------------------------------------------------------------------
# The text bank: countries, people, topics and parallel ru/en sentence templates
# --------------------------------------------------------------------------------------

# city: (nom, gen, acc, pre, en)
# country: nom, gen, acc, pre, ins, combining form, adj (gen pl), en name, en adj, capital, second city, names
# names: (ru first, ru last, en first, en last, gender, declinable)
_COUNTRIES = [
    ("Беларусь", "Беларуси", "Беларусь", "Беларуси", "Беларусью", "белорусско", "белорусских", "Belarus", "Belarusian",
     ("Минск", "Минска", "Минск", "Минске", "Minsk"), ("Гомель", "Гомеля", "Гомель", "Гомеле", "Gomel"),
     [("Иван", "Ковалев", "Ivan", "Kovalev", "m", True), ("Андрей", "Новицкий", "Andrei", "Novitsky", "m", True),
      ("Елена", "Сидоренко", "Elena", "Sidorenko", "f", True), ("Виктор", "Громыко", "Viktor", "Gromyko", "m", True),
      ("Ольга", "Мельникова", "Olga", "Melnikova", "f", True), ("Сергей", "Данилов", "Sergei", "Danilov", "m", True)]),
    ("Азербайджан", "Азербайджана", "Азербайджан", "Азербайджане", "Азербайджаном", "азербайджано", "азербайджанских",
     "Azerbaijan", "Azerbaijani",
     ("Баку", "Баку", "Баку", "Баку", "Baku"), ("Гянджа", "Гянджи", "Гянджу", "Гяндже", "Ganja"),
     [("Руслан", "Алиев", "Ruslan", "Aliyev", "m", True), ("Рашид", "Ахмедов", "Rashid", "Akhmedov", "m", True),
      ("Лейла", "Гасанова", "Leyla", "Hasanova", "f", True), ("Али", "Мамедов", "Ali", "Mammadov", "m", True)]),
    ("Казахстан", "Казахстана", "Казахстан", "Казахстане", "Казахстаном", "казахстанско", "казахстанских",
     "Kazakhstan", "Kazakh",
     ("Астана", "Астаны", "Астану", "Астане", "Astana"), ("Алматы", "Алматы", "Алматы", "Алматы", "Almaty"),
     [("Тимур", "Каримов", "Timur", "Karimov", "m", True), ("Гульнара", "Сейткалиева", "Gulnara", "Seitkaliyeva", "f", True),
      ("Ерлан", "Абдрахманов", "Yerlan", "Abdrakhmanov", "m", True)]),
    ("Узбекистан", "Узбекистана", "Узбекистан", "Узбекистане", "Узбекистаном", "узбекско", "узбекистанских",
     "Uzbekistan", "Uzbek",
     ("Ташкент", "Ташкента", "Ташкент", "Ташкенте", "Tashkent"), ("Самарканд", "Самарканда", "Самарканд", "Самарканде", "Samarkand"),
     [("Бахтияр", "Юсупов", "Bakhtiyar", "Yusupov", "m", True), ("Шухрат", "Рахимов", "Shukhrat", "Rakhimov", "m", True),
      ("Дилноза", "Каримова", "Dilnoza", "Karimova", "f", True)]),
    ("Армения", "Армении", "Армению", "Армении", "Арменией", "армяно", "армянских", "Armenia", "Armenian",
     ("Ереван", "Еревана", "Ереван", "Ереване", "Yerevan"), ("Гюмри", "Гюмри", "Гюмри", "Гюмри", "Gyumri"),
     [("Арам", "Петросян", "Aram", "Petrosyan", "m", True), ("Анна", "Саркисян", "Anna", "Sargsyan", "f", True),
      ("Тигран", "Мартиросян", "Tigran", "Martirosyan", "m", True)]),
    ("Китай", "Китая", "Китай", "Китае", "Китаем", "китайско", "китайских", "China", "Chinese",
     ("Пекин", "Пекина", "Пекин", "Пекине", "Beijing"), ("Шанхай", "Шанхая", "Шанхай", "Шанхае", "Shanghai"),
     [("Ван", "Лэй", "Wang", "Lei", "m", False), ("Чжан", "Мин", "Zhang", "Ming", "m", False),
      ("Лю", "Хуа", "Liu", "Hua", "f", False)]),
    ("Вьетнам", "Вьетнама", "Вьетнам", "Вьетнаме", "Вьетнамом", "вьетнамско", "вьетнамских", "Vietnam", "Vietnamese",
     ("Ханой", "Ханоя", "Ханой", "Ханое", "Hanoi"), ("Хошимин", "Хошимина", "Хошимин", "Хошимине", "Ho Chi Minh City"),
     [("Нгуен", "Ван Тхань", "Nguyen", "Van Thanh", "m", False), ("Чан", "Тхи Лан", "Tran", "Thi Lan", "f", False)]),
    ("Индия", "Индии", "Индию", "Индии", "Индией", "индийско", "индийских", "India", "Indian",
     ("Нью-Дели", "Нью-Дели", "Нью-Дели", "Нью-Дели", "New Delhi"), ("Мумбаи", "Мумбаи", "Мумбаи", "Мумбаи", "Mumbai"),
     [("Раджеш", "Кумар", "Rajesh", "Kumar", "m", True), ("Прия", "Шарма", "Priya", "Sharma", "f", False)]),
    ("Сербия", "Сербии", "Сербию", "Сербии", "Сербией", "сербско", "сербских", "Serbia", "Serbian",
     ("Белград", "Белграда", "Белград", "Белграде", "Belgrade"), ("Нови-Сад", "Нови-Сада", "Нови-Сад", "Нови-Саде", "Novi Sad"),
     [("Милан", "Йованович", "Milan", "Jovanovic", "m", True), ("Ана", "Петрович", "Ana", "Petrovic", "f", True)]),
    ("Египет", "Египта", "Египет", "Египте", "Египтом", "египетско", "египетских", "Egypt", "Egyptian",
     ("Каир", "Каира", "Каир", "Каире", "Cairo"), ("Александрия", "Александрии", "Александрию", "Александрии", "Alexandria"),
     [("Ахмед", "Мансур", "Ahmed", "Mansour", "m", True), ("Карим", "Хассан", "Karim", "Hassan", "m", True)]),
    ("Монголия", "Монголии", "Монголию", "Монголии", "Монголией", "монгольско", "монгольских", "Mongolia", "Mongolian",
     ("Улан-Батор", "Улан-Батора", "Улан-Батор", "Улан-Баторе", "Ulaanbaatar"), ("Дархан", "Дархана", "Дархан", "Дархане", "Darkhan"),
     [("Батбаяр", "Ганболд", "Batbayar", "Ganbold", "m", True), ("Оюун", "Эрдэнэ", "Oyuun", "Erdene", "f", False)]),
    ("Великобритания", "Великобритании", "Великобританию", "Великобритании", "Великобританией", "британско", "британских",
     "the United Kingdom", "British",
     ("Лондон", "Лондона", "Лондон", "Лондоне", "London"), ("Эдинбург", "Эдинбурга", "Эдинбург", "Эдинбурге", "Edinburgh"),
     [("Джеймс", "Харрис", "James", "Harris", "m", True), ("Эмили", "Кларк", "Emily", "Clark", "f", True),
      ("Томас", "Рид", "Thomas", "Reid", "m", True)]),
]
_HOME = {"minfin": 0, "mfa-en": 11, "agency": 0}

# role: (nom, gen, ins, en)
_ROLES = [
    ("премьер-министр", "премьер-министра", "премьер-министром", "Prime Minister"),
    ("заместитель премьер-министра", "заместителя премьер-министра", "заместителем премьер-министра", "Deputy Prime Minister"),
    ("министр иностранных дел", "министра иностранных дел", "министром иностранных дел", "Minister of Foreign Affairs"),
    ("министр финансов", "министра финансов", "министром финансов", "Minister of Finance"),
    ("министр экономики", "министра экономики", "министром экономики", "Minister of Economy"),
    ("министр промышленности", "министра промышленности", "министром промышленности", "Minister of Industry"),
    ("заместитель министра финансов", "заместителя министра финансов", "заместителем министра финансов", "Deputy Minister of Finance"),
    ("председатель Национального банка", "председателя Национального банка", "председателем Национального банка",
     "Governor of the National Bank"),
    ("посол", "посла", "послом", "Ambassador"),
]

# (ru genitive, en)
_FIELDS = [
    ("сельского хозяйства", "agriculture"), ("промышленной кооперации", "industrial cooperation"),
    ("образования", "education"), ("здравоохранения", "healthcare"), ("энергетики", "energy"),
    ("транспорта и логистики", "transport and logistics"), ("информационных технологий", "information technology"),
    ("туризма", "tourism"), ("науки и инноваций", "science and innovation"),
    ("финансов и банковского дела", "finance and banking"), ("таможенного администрирования", "customs administration"),
    ("культуры и гуманитарных связей", "culture and humanitarian ties"), ("строительства", "construction"),
    ("фармацевтики", "pharmaceuticals"), ("цифровой экономики", "the digital economy"),
]
_PRODUCTS = [
    ("тракторов", "tractors"), ("автобусов", "buses"), ("лифтового оборудования", "lift equipment"),
    ("сельскохозяйственной техники", "farm machinery"), ("лекарственных средств", "medicines"),
    ("электротехнического оборудования", "electrical equipment"), ("мебели", "furniture"),
    ("молочной продукции", "dairy products"), ("шин", "tyres"), ("грузовых автомобилей", "lorries"),
]
_SITES = [
    ("Национальной библиотеки", "the National Library"), ("Парка высоких технологий", "the High-Tech Park"),
    ("индустриального парка", "an industrial park"), ("государственного университета", "the state university"),
    ("ведущих промышленных предприятий", "leading industrial enterprises"),
    ("свободной экономической зоны", "a free economic zone"), ("логистического центра", "a logistics centre"),
]
_WORKING_GROUPS = [
    ("вопросам таможенного администрирования", "customs administration"), ("инвестициям", "investment"),
    ("цифровой трансформации", "digital transformation"), ("энергетическому сотрудничеству", "energy cooperation"),
    ("вопросам транспорта", "transport"), ("финансовому сотрудничеству", "financial cooperation"),
]
_MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
               "ноября", "декабря"]
_MONTHS_NOM = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
               "ноябрь", "декабрь"]
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
_QUARTERS = [("в первом", "first"), ("во втором", "second"), ("в третьем", "third"), ("в четвертом", "fourth")]

_TITLES = [
    ("Расширение сотрудничества с {gc[ins]} в сфере {f1[gen]}", "Expanding cooperation with {gc[name]} in {f1[name]}"),
    ("{g[name]} провел{g[a]} переговоры в {city[pre]}", "{g[name]} holds talks in {city[name]}"),
    ("Заседание межправительственной комиссии по сотрудничеству с {gc[ins]}",
     "Intergovernmental commission on cooperation with {gc[name]} meets"),
    ("Подписано соглашение с {gc[ins]} о сотрудничестве в сфере {f3[gen]}",
     "Agreement with {gc[name]} on cooperation in {f3[name]} signed"),
    ("Визит делегации {gc[gen]} в {city[acc]}", "{gc[adj]} delegation visits {city[name]}"),
    ("О ходе реализации совместных проектов с {gc[ins]}", "Progress on joint projects with {gc[name]}"),
    ("Взаимная торговля с {gc[ins]} выросла на {pct_ru} процента", "Trade with {gc[name]} up {pct_en} per cent"),
    ("Расширение межрегионального взаимодействия с {gc[ins]}", "Expanding interregional ties with {gc[name]}"),
    ("Обсуждены перспективы {hc[comb]}-{gc[adj]} проектов в сфере {f2[gen]}",
     "Prospects for {hc[adj]}-{gc[adj]} projects in {f2[name]} discussed"),
]
_LEADS = [
    ("{date_ru} {g[nom]} по приглашению {h[gen]} прибыл{g[a]} с официальным визитом в {city[acc]}.",
     "On {date_en}, {g[full]} arrived in {city[name]} on an official visit at the invitation of {h[full]}."),
    ("{date_ru} в {city[pre]} состоялись переговоры {h[gen]} и {g[gen]}.",
     "On {date_en}, talks between {h[full]} and {g[full]} were held in {city[name]}."),
    ("{date_ru} {h[nom]} провел{h[a]} встречу с {g[ins]}.", "On {date_en}, {h[full]} met {g[full]}."),
    ("{date_ru} в {city[pre]} прошло заседание межправительственной комиссии по торгово-экономическому "
     "сотрудничеству между {hc[ins]} и {gc[ins]}.",
     "On {date_en}, the intergovernmental commission on trade and economic cooperation between {hc[name]} and "
     "{gc[name]} met in {city[name]}."),
]
# Body sentences in the order a release tells its story; a release takes a sorted sample and
# one phrasing of each (variants keep unrelated releases from looking like near-duplicates).
_SENTENCES: list[list[tuple[str, str]]] = [
    [("Переговоры сначала прошли в узком формате, а затем продолжились в расширенном составе с участием делегаций "
      "двух стран.",
      "The talks were first held in a restricted format and then continued in an expanded format with both "
      "delegations."),
     ("Встреча {h[name_gen]} и {g[name_gen]} началась в формате тет-а-тет и продолжилась с участием членов официальных "
      "делегаций.",
      "The meeting between {h[name]} and {g[name]} began one-on-one and continued with members of the official "
      "delegations.")],
    [("В ходе встречи было выражено удовлетворение высоким уровнем {hc[comb]}-{gc[adj]} отношений.",
      "Satisfaction was expressed with the high level of relations between {hc[name]} and {gc[name]}."),
     ("{g[name]} высоко оценил{g[a]} уровень {hc[comb]}-{gc[adj]} связей, сложившийся за {years_ru} "
      "дипломатических отношений.",
      "{g[name]} praised the level of ties between {hc[name]} and {gc[name]} built over {years} years of "
      "diplomatic relations.")],
    [("{h[name]} отметил{h[a]} динамичное развитие взаимовыгодного партнерства в сфере {f1[gen]} и {f2[gen]}.",
      "{h[name]} noted the dynamic development of mutually beneficial partnership in {f1[name]} and {f2[name]}."),
     ("По мнению {h[gen]}, наибольший потенциал имеют проекты в сфере {f1[gen]} и {f2[gen]}.",
      "In the view of {h[full]}, projects in {f1[name]} and {f2[name]} hold the greatest potential.")],
    [("Стороны обсудили актуальные вопросы торгово-экономического сотрудничества и ход выполнения договоренностей, "
      "достигнутых в {prev_year} году.",
      "The sides discussed current issues of trade and economic cooperation and progress on the agreements "
      "reached in {prev_year}."),
     ("На повестке дня – торгово-экономическое сотрудничество, выполнение решений {prev_year} года и "
      "новые совместные инициативы в сфере {f3[gen]}.",
      "The agenda covered trade and economic cooperation, the implementation of the {prev_year} decisions and "
      "new joint initiatives in {f3[name]}.")],
    [("Значимый импульс многоплановому взаимодействию придало совместное решение о проработке проектов в ряде "
      "перспективных сфер, представляющих взаимный интерес.",
      "The joint decision to work out projects in a number of promising areas of mutual interest gave a "
      "significant impetus to multifaceted cooperation."),
     ("Участники отметили, что дорожная карта на {year}–{next_year} годы выполняется в установленные сроки.",
      "Participants noted that the road map for {year}-{next_year} is being implemented on schedule.")],
    [("По итогам {period_ru} объем взаимной торговли составил {trade_ru} млн долларов США, увеличившись на "
      "{pct_ru} процента.",
      "In {period_en}, mutual trade amounted to {trade_en} million US dollars, up {pct_en} per cent."),
     ("Товарооборот между странами за {period_short_ru} достиг {trade_ru} млн долларов США, прирост составил "
      "{pct_ru} процента.",
      "Trade between the two countries reached {trade_en} million US dollars in {period_en}, a rise of "
      "{pct_en} per cent.")],
    [("Промышленная кооперация расценена как ключевое направление сотрудничества, особый акцент сделан на "
      "совместном выпуске {product[gen]}.",
      "Industrial cooperation was described as a key area, with particular emphasis on the joint production of "
      "{product[name]}."),
     ("Стороны договорились увеличить локализацию производства {product[gen]} до {local_pct} процентов.",
      "The sides agreed to raise the local content of {product[name]} production to {local_pct} per cent.")],
    [("Особое внимание уделено реализации совместных проектов в сфере {f3[gen]}, в том числе в {city2[pre]}.",
      "Particular attention was paid to joint projects in {f3[name]}, including in {city2[name]}."),
     ("В {city2[pre]} планируется открыть совместный центр в сфере {f3[gen]}.",
      "A joint centre for {f3[name]} is to open in {city2[name]}.")],
    [("{h[name]} подчеркнул{h[a]}, что стороны заинтересованы в наращивании взаимных поставок и создании "
      "совместных производств.",
      "{h[name]} stressed that both sides are interested in increasing mutual supplies and setting up joint "
      "production."),
     ("Как подчеркнул{h[a]} {h[name]}, создание совместных производств остается приоритетом {hc[gen]}.",
      "As {h[name]} stressed, setting up joint production remains a priority for {hc[name]}.")],
    [("Обсуждены вопросы реализации инвестиционных проектов на общую сумму свыше {invest_ru} млн долларов.",
      "Investment projects worth more than {invest_en} million dollars were discussed."),
     ("Портфель совместных инвестиционных проектов оценивается в {invest_ru} млн долларов.",
      "The portfolio of joint investment projects is estimated at {invest_en} million dollars.")],
    [("Отдельно рассмотрены вопросы финансирования совместных проектов, включая использование национальных валют "
      "во взаиморасчетах.",
      "The financing of joint projects, including the use of national currencies in mutual settlements, was "
      "discussed separately."),
     ("Доля национальных валют во взаиморасчетах превысила {settle_pct} процентов.",
      "The share of national currencies in mutual settlements exceeded {settle_pct} per cent.")],
    [("Согласно представленным данным, доходы бюджета за {months_ru} составили {share_ru} процента от годовых "
      "назначений.",
      "According to the data presented, budget revenue for {months_en} reached {share_en} per cent of the annual "
      "target."),
     ("За {months_ru} бюджет исполнен по доходам на {share_ru} процента.",
      "Budget revenue for {months_en} came to {share_en} per cent of the plan.")],
    [("Объем средств, привлеченных на внутреннем рынке {quarter_ru} квартале, составил {bln_ru} млрд рублей.",
      "Domestic borrowing in the {quarter_en} quarter amounted to {bln_en} billion roubles."),
     ("{quarter_ru_cap} квартале министерство разместило облигации на {bln_ru} млрд рублей.",
      "In the {quarter_en} quarter the ministry placed bonds worth {bln_en} billion roubles.")],
    [("Главы делегаций отметили стабильное развитие взаимодействия в сфере {f2[gen]} и подтвердили обоюдную "
      "готовность к расширению ассортимента взаимных поставок.",
      "The heads of the delegations noted the steady development of cooperation in {f2[name]} and confirmed their "
      "readiness to widen the range of mutual supplies."),
     ("Подтверждена готовность расширить номенклатуру поставок, прежде всего {product[gen]}.",
      "Both sides confirmed their readiness to widen the range of supplies, above all of {product[name]}.")],
    [("Состоялся обмен мнениями о подготовке к заседанию совместной рабочей группы по {wg[dat]}.",
      "Views were exchanged on preparations for a meeting of the joint working group on {wg[name]}."),
     ("Совместная рабочая группа по {wg[dat]} соберется до конца {year} года.",
      "The joint working group on {wg[name]} will meet before the end of {year}.")],
    [("Министерство финансов направит предложения по совершенствованию механизма поддержки экспорта до "
      "{deadline_ru}.",
      "The Ministry of Finance will submit proposals on improving export support by {deadline_en}."),
     ("Проект соглашения об избежании двойного налогообложения планируется согласовать до {deadline_ru}.",
      "A draft agreement on the avoidance of double taxation is to be agreed by {deadline_en}.")],
    [("В {city[pre]} {g[name]} также ознакомил{g[sya]} с работой {site[gen]}.",
      "In {city[name]}, {g[name]} also visited {site[name]}."),
     ("Члены делегации {gc[gen]} ознакомились с работой {site[gen]}.",
      "The delegation from {gc[name]} toured {site[name]}.")],
    [("По итогам переговоров подписан пакет из {n_docs} {docs_word}, в том числе соглашение о сотрудничестве в "
      "сфере {f3[gen]}.",
      "Following the talks, {n_docs} documents were signed, including an agreement on cooperation in {f3[name]}."),
     ("Подписаны меморандум о сотрудничестве в сфере {f1[gen]} и программа совместных действий на {next_year} год.",
      "A memorandum on cooperation in {f1[name]} and a programme of joint action for {next_year} were signed.")],
    [("Кроме того, стороны обменялись мнениями по актуальным вопросам региональной и международной повестки.",
      "The sides also exchanged views on topical regional and international issues."),
     ("Затронуты также вопросы взаимодействия в рамках международных организаций.",
      "Cooperation within international organisations was also touched upon.")],
    [("Стороны договорились активизировать работу межправительственной комиссии и провести ее очередное "
      "заседание в {next_year} году в {city2[pre]}.",
      "The sides agreed to step up the work of the intergovernmental commission and to hold its next meeting in "
      "{city2[name]} in {next_year}."),
     ("Очередное заседание межправительственной комиссии пройдет в {city2[pre]} в {next_year} году.",
      "The next meeting of the intergovernmental commission will take place in {city2[name]} in {next_year}.")],
    [("{g[name]} пригласил{g[a]} {h[acc]} посетить {gc[acc]} с ответным визитом.",
      "{g[name]} invited {h[full]} to pay a return visit to {gc[name]}."),
     ("Приглашение посетить {gc[acc]} с ответным визитом было принято с благодарностью.",
      "An invitation to pay a return visit to {gc[name]} was accepted with gratitude.")],
    [("Стороны выразили уверенность, что реализация достигнутых договоренностей будет способствовать дальнейшему "
      "укреплению дружественных отношений между {hc[ins]} и {gc[ins]}.",
      "The sides expressed confidence that implementing the agreements would further strengthen friendly "
      "relations between {hc[name]} and {gc[name]}."),
     ("{h[name]} выразил{h[a]} уверенность, что договоренности будут выполнены в полном объеме.",
      "{h[name]} expressed confidence that the agreements would be fully implemented.")],
    [("Программа визита также включает посещение {site2[gen]} и встречи с представителями деловых кругов.",
      "The programme of the visit also includes a visit to {site2[name]} and meetings with business "
      "representatives."),
     ("В {city[pre]} также состоится бизнес-форум с участием {firms} компаний двух стран.",
      "A business forum with {firms} companies from the two countries will also be held in {city[name]}.")],
]
# Sentences appended (or swapped in) when a release is edited.
_EDIT_SENTENCES = [
    ("Информация о количестве подписанных документов уточнена по данным протокольной службы.",
     "The number of documents signed has been corrected according to the protocol service."),
    ("Дополнено: следующее заседание рабочей группы по {wg[dat]} пройдет в {next_year} году.",
     "Update: the next meeting of the working group on {wg[name]} will take place in {next_year}."),
    ("Уточнено: объем взаимной торговли приведен по данным национальных статистических служб.",
     "Correction: the figure for mutual trade is given according to national statistics offices."),
]


def _decline_male(word: str, is_surname: bool) -> tuple[str, str]:
    """(genitive, instrumental) of a male first name or surname."""
    if word.endswith(("ский", "цкий")):
        return word[:-2] + "ого", word[:-2] + "им"
    if word.endswith("й"):
        return word[:-1] + "я", word[:-1] + "ем"
    if word[-1] in "аеёиоуыэюя":
        return word, word
    if is_surname and word.endswith(("ов", "ев", "ин", "ын")):
        return word + "а", word + "ым"
    if word[-1] in "жшчщц":
        return word + "а", word + "ем"
    return word + "а", word + "ом"


def _decline_female(word: str, is_surname: bool) -> tuple[str, str, str]:
    """(genitive, instrumental, accusative) of a female first name or surname."""
    if is_surname:
        if word.endswith(("ова", "ева", "ина")):
            return word[:-1] + "ой", word[:-1] + "ой", word[:-1] + "у"
        if word.endswith(("ская", "цкая")):
            return word[:-2] + "ой", word[:-2] + "ой", word[:-2] + "ую"
        return word, word, word
    if word.endswith("я"):
        return word[:-1] + "и", word[:-1] + "ей", word[:-1] + "ю"
    if word.endswith("а"):
        gen = word[:-1] + ("и" if word[-2] in "гкхжшчщ" else "ы")
        ins = word[:-1] + ("ей" if word[-2] in "жшчщц" else "ой")
        return gen, ins, word[:-1] + "у"
    return word, word, word


def _person(role: tuple[str, ...], name: tuple, country: tuple) -> dict[str, dict[str, str]]:
    first, last, en_first, en_last, gender, declinable = name
    if not declinable:
        forms = {k: f"{first} {last}" for k in ("nom", "gen", "ins", "acc")}
    elif gender == "m":
        (fg, fi), (lg, li) = _decline_male(first, False), _decline_male(last, True)
        forms = {"nom": f"{first} {last}", "gen": f"{fg} {lg}", "ins": f"{fi} {li}", "acc": f"{fg} {lg}"}
    else:
        (fg, fi, fa), (lg, li, la) = _decline_female(first, False), _decline_female(last, True)
        forms = {"nom": f"{first} {last}", "gen": f"{fg} {lg}", "ins": f"{fi} {li}", "acc": f"{fa} {la}"}
    r_nom, r_gen, r_ins, r_en = role
    ru = {
        "nom": f"{r_nom} {country[1]} {forms['nom']}",
        "gen": f"{r_gen} {country[1]} {forms['gen']}",
        "ins": f"{r_ins} {country[1]} {forms['ins']}",
        "acc": f"{r_gen} {country[1]} {forms['acc']}",
        "name": forms["nom"],
        "name_gen": forms["gen"],
        "a": "" if gender == "m" else "а",
        "sya": "ся" if gender == "m" else "ась",
    }
    en = {"full": f"{country[8]} {r_en} {en_first} {en_last}", "name": f"{en_first} {en_last}"}
    return {"ru": ru, "en": en}


def _country_slot(country: tuple) -> dict[str, dict[str, str]]:
    nom, gen, acc, pre, ins, comb, adj, en, en_adj = country[:9]
    return {
        "ru": {"nom": nom, "gen": gen, "acc": acc, "pre": pre, "ins": ins, "comb": comb, "adj": adj},
        "en": {"name": en, "adj": en_adj},
    }


def _city_slot(city: tuple) -> dict[str, dict[str, str]]:
    return {"ru": {"nom": city[0], "gen": city[1], "acc": city[2], "pre": city[3]}, "en": {"name": city[4]}}


def _pair_slot(pair: tuple[str, str], ru_key: str) -> dict[str, dict[str, str]]:
    return {"ru": {ru_key: pair[0]}, "en": {"name": pair[1]}}


def _ru_number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def _ru_years(count: int) -> str:
    """"N лет/года/год" with Russian numeral agreement."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} год"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} года"
    return f"{count} лет"


def _docs_word(count: int) -> str:
    """Genitive after "из N": из 21 документа, из 5 документов."""
    return "документа" if count % 10 == 1 and count % 100 != 11 else "документов"


@dataclass
class _Story:
    """The language-neutral content of a release: slots and which templates tell it."""

    slots: dict[str, dict[str, dict[str, str]]]
    scalars: dict[str, dict[str, str]]
    title: int
    lead: int
    paragraphs: list[list[tuple[int, int]]]
    """Per paragraph: (sentence, variant) indices into _SENTENCES."""


def _compose_story(rng: random.Random, home: int, published: datetime) -> _Story:
    others = [i for i in range(len(_COUNTRIES)) if i != home]
    away = rng.choice(others)
    host, guest = (home, away) if rng.random() < 0.7 else (away, home)
    hc, gc = _COUNTRIES[host], _COUNTRIES[guest]
    role_h = rng.randrange(len(_ROLES))
    role_g = role_h if rng.random() < 0.6 else rng.randrange(len(_ROLES))
    fields = rng.sample(_FIELDS, 3)
    sites = rng.sample(_SITES, 2)
    slots = {
        "h": _person(_ROLES[role_h], rng.choice(hc[11]), hc),
        "g": _person(_ROLES[role_g], rng.choice(gc[11]), gc),
        "hc": _country_slot(hc),
        "gc": _country_slot(gc),
        "city": _city_slot(hc[9]),
        "city2": _city_slot(rng.choice([hc[10], gc[10]])),
        "f1": _pair_slot(fields[0], "gen"),
        "f2": _pair_slot(fields[1], "gen"),
        "f3": _pair_slot(fields[2], "gen"),
        "product": _pair_slot(rng.choice(_PRODUCTS), "gen"),
        "site": _pair_slot(sites[0], "gen"),
        "site2": _pair_slot(sites[1], "gen"),
        "wg": _pair_slot(rng.choice(_WORKING_GROUPS), "dat"),
    }
    year = published.year
    trade = rng.uniform(40, 1900)
    pct = rng.uniform(1.5, 48)
    invest = rng.randrange(20, 900)
    share = rng.uniform(55, 99)
    bln = rng.uniform(1.2, 95)
    n_docs = rng.randrange(3, 15)
    period_ru, period_short_ru, period_en = rng.choice([
        (f"первого квартала {year} года", f"первый квартал {year} года", f"the first quarter of {year}"),
        (f"первого полугодия {year} года", f"первое полугодие {year} года", f"the first half of {year}"),
        (f"девяти месяцев {year - 1} года", f"девять месяцев {year - 1} года", f"the first nine months of {year - 1}"),
        (f"{year - 1} года", f"{year - 1} год", f"{year - 1}"),
    ])
    last_month = rng.randrange(1, 12)
    quarter = rng.choice(_QUARTERS)
    deadline = published + timedelta(days=rng.randrange(20, 120))
    n_years = rng.randrange(25, 34)
    shared = {"year": str(year), "prev_year": str(year - 1), "next_year": str(year + 1),
              "years": str(n_years), "years_ru": _ru_years(n_years), "local_pct": str(rng.randrange(30, 80)),
              "settle_pct": str(rng.randrange(40, 95)), "firms": str(rng.randrange(30, 250)), "n_docs": str(n_docs)}
    scalars = {
        "ru": {
            "date_ru": f"{published.day} {_MONTHS_GEN[published.month - 1]}",
            **shared,
            "trade_ru": _ru_number(trade), "pct_ru": _ru_number(pct), "invest_ru": str(invest),
            "period_ru": period_ru, "period_short_ru": period_short_ru, "share_ru": _ru_number(share), "bln_ru": _ru_number(bln),
            "months_ru": f"январь – {_MONTHS_NOM[last_month]} {year} года",
            "quarter_ru": quarter[0], "quarter_ru_cap": quarter[0].capitalize(), "docs_word": _docs_word(n_docs),
            "deadline_ru": f"{deadline.day} {_MONTHS_GEN[deadline.month - 1]} {deadline.year} года",
        },
        "en": {
            "date_en": f"{published.day} {_MONTHS_EN[published.month - 1]}",
            **shared,
            "trade_en": f"{trade:.1f}", "pct_en": f"{pct:.1f}", "invest_en": str(invest),
            "period_en": period_en, "share_en": f"{share:.1f}", "bln_en": f"{bln:.1f}",
            "months_en": f"January-{_MONTHS_EN[last_month]} {year}",
            "quarter_en": quarter[1],
            "deadline_en": f"{deadline.day} {_MONTHS_EN[deadline.month - 1]} {deadline.year}",
        },
    }
    n_paragraphs = rng.randrange(4, 13)
    n_sentences = min(len(_SENTENCES), n_paragraphs + rng.randrange(0, n_paragraphs + 1))
    chosen = sorted(rng.sample(range(len(_SENTENCES)), n_sentences))
    cuts = sorted(rng.sample(range(1, n_sentences), n_paragraphs - 1))
    bounds = [0, *cuts, n_sentences]
    variants = [(i, rng.randrange(len(_SENTENCES[i]))) for i in chosen]
    paragraphs = [variants[a:b] for a, b in zip(bounds, bounds[1:])]
    return _Story(slots, scalars, rng.randrange(len(_TITLES)), rng.randrange(len(_LEADS)), paragraphs)


def _fill(template: str, story: _Story, lang: str) -> str:
    values = {name: forms[lang] for name, forms in story.slots.items()}
    text = template.format(**values, **story.scalars[lang])
    return text[0].upper() + text[1:]


def _lang_index(lang: str) -> int:
    return 0 if lang == "ru" else 1


@dataclass
class _Text:
    title: str
    lead: str
    paragraphs: list[list[str]]
    """Sentences per paragraph."""


def _render_story(story: _Story, lang: str) -> _Text:
    i = _lang_index(lang)
    return _Text(
        title=_fill(_TITLES[story.title][i], story, lang),
        lead=_fill(_LEADS[story.lead][i], story, lang),
        paragraphs=[[_fill(_SENTENCES[s][v][i], story, lang) for s, v in para] for para in story.paragraphs],
    )


def _apply_edit(text: _Text, story: _Story, lang: str, rng: random.Random) -> None:
    """Append a sentence to the last paragraph, or replace a paragraph's last sentence."""
    sentence = _fill(_EDIT_SENTENCES[rng.randrange(len(_EDIT_SENTENCES))][_lang_index(lang)], story, lang)
    if rng.random() < 0.5:
        text.paragraphs[-1].append(sentence)
    else:
        text.paragraphs[rng.randrange(len(text.paragraphs))][-1] = sentence


_RETITLES = ("{title}: итоги", "{title}: results")
_YO_WORDS = (("пройдет", "пройдёт"), ("четвертом", "четвёртом"), ("соберется", "соберётся"), ("проведет", "проведёт"))


def _retitle(text: _Text, lang: str) -> None:
    text.title = _RETITLES[_lang_index(lang)].format(title=text.title)


def _retype(text: str, lang: str) -> str:
    """The same words set differently: em dashes for en dashes, non-breaking hyphens in compounds, ё."""
    text = text.replace(" – ", " — ").replace(" - ", " — ")
    text = re.sub(r"(?<=\w)-(?=\w)", "\u2011", text)
    if lang == "ru":
        for plain, dotted in _YO_WORDS:
            text = text.replace(plain, dotted)
    return text


def can_retype(release: ReleaseInfo) -> bool:
    """Whether a ``typography`` change finds anything to reset in this release (dashes, hyphens, ё words)."""
    parts = [release.title, release.lead, *release.body_text.split("\n\n")]
    return any(_retype(part, release.language) != part for part in parts)


_VOWELS = set("аеёиоуыэюя")


def _add_scars(paragraphs: list[str], rng: random.Random) -> tuple[list[str], int]:
    """Split some paragraphs the way bad exports do: a hyphenated word or a sentence cut in two."""
    out: list[str] = []
    scars = 0
    budget = rng.choice([0, 0, 1, 1, 2])
    for para in paragraphs:
        words = para.split(" ")
        if budget == 0 or len(words) < 12 or rng.random() < 0.5:
            out.append(para)
            continue
        middle = range(4, len(words) - 4)
        if rng.random() < 0.5:
            candidates = [i for i in middle if len(words[i]) >= 9 and words[i].isalpha() and words[i].islower()]
            if candidates:
                i = rng.choice(candidates)
                word = words[i]
                # Split like a typesetter would: before a consonant that starts a syllable.
                cuts = [p for p in range(3, len(word) - 3)
                        if word[p - 1] in _VOWELS and word[p] not in _VOWELS and word[p + 1] in _VOWELS]
                if cuts:
                    p = rng.choice(cuts)
                    out.append(" ".join(words[:i] + [word[:p] + "-"]))
                    out.append(" ".join([word[p:]] + words[i + 1 :]))
                    scars, budget = scars + 1, budget - 1
                    continue
        candidates = [i for i in middle if words[i - 1][-1].isalpha() and words[i][0].islower()]
        if candidates:
            i = rng.choice(candidates)
            out.append(" ".join(words[:i]))
            out.append(" ".join(words[i:]))
            scars, budget = scars + 1, budget - 1
            continue
        out.append(para)
    return out, scars


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------


def _publication_times(rng: random.Random, count: int, tz: ZoneInfo,
                       span: tuple[datetime, datetime] = (DATE_START, DATE_END)) -> list[datetime]:
    """``count`` distinct local working-hours times between the days of ``span`` (naive local), oldest first."""
    start, end = (moment.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None) for moment in span)
    days = (end - start).days
    taken: set[datetime] = set()
    out = []
    for _ in range(count):
        moment = start + timedelta(days=rng.randrange(days + 1), hours=rng.randrange(8, 21),
                                   minutes=rng.randrange(60))
        while moment in taken:
            moment += timedelta(minutes=1)
        taken.add(moment)
        out.append(moment)
    return [m.replace(tzinfo=tz) for m in sorted(out)]


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _ru_datetime(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS_GEN[moment.month - 1]} {moment.year}, {moment:%H:%M}"


def _en_datetime(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}, {moment:%H:%M}"


# --------------------------------------------------------------------------------------
# Releases (content decided, pages not yet rendered)
# --------------------------------------------------------------------------------------


@dataclass
class _Release:
    id: str
    publisher: str
    number: int
    language: str
    path: str
    published: datetime
    updated: datetime
    text: _Text
    page_paragraphs: list[str]
    """Paragraphs as written on the page (scars included)."""
    clean_paragraphs: list[str]
    scars: int = 0
    edited: bool = False
    translation_key: str | None = None
    translations: dict[str, str] = field(default_factory=dict)
    copy_of: str | None = None
    views: int = 0
    change: str | None = None

    @property
    def signalled(self) -> bool:
        """A text change the site admits to: a later update time on the page and in its channels."""
        return self.change in TEXT_CHANGES and self.change != "silent"


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].rstrip("-")


def _edited_time(rng: random.Random, published: datetime) -> datetime:
    return published + timedelta(days=rng.randrange(1, 21), hours=rng.randrange(1, 9), minutes=rng.randrange(60))


def _finish_text(
    story: _Story, lang: str, release_id: str, seed: int, change: str | None, scarred: bool, dateline: str = ""
) -> tuple[_Text, list[str], list[str], int]:
    """The text as changed, its page paragraphs (scars included) and clean paragraphs; a ``dateline``
    opens the first paragraph (before the lead) when given."""
    text = _render_story(story, lang)
    if change in ("body", "silent"):
        _apply_edit(text, story, lang, random.Random(f"{seed}:{release_id}:edit"))
    elif change == "retitle":
        _retitle(text, lang)
    clean = [" ".join(p) for p in text.paragraphs]
    if scarred:
        page, scars = _add_scars(clean, random.Random(f"{seed}:{release_id}:scars"))
    else:
        page, scars = clean, 0
    if dateline:
        first = dateline + text.lead
        page, clean = [first, *page], [first, *clean]
    if change == "typography":
        before = [text.title, text.lead, *clean]
        text.title, text.lead = _retype(text.title, lang), _retype(text.lead, lang)
        clean, page = [_retype(p, lang) for p in clean], [_retype(p, lang) for p in page]
        if [text.title, text.lead, *clean] == before:
            raise ValueError(f"{release_id}: no dash, hyphen or ё word to retype; choose another release (can_retype)")
    return text, page, clean, scars


@dataclass(frozen=True)
class _Changes:
    """What a generation does to which releases, and when the site says it did."""

    kinds: dict[str, str]
    at: dict[str, datetime]
    seed: int

    def of(self, release_id: str) -> str | None:
        kind = self.kinds.get(release_id)
        return kind if kind in TEXT_CHANGES else None

    def updated(self, release_id: str, published: datetime) -> datetime:
        """The update time the page and its channels state: later for an admitted edit, else the publication."""
        if self.kinds.get(release_id) not in TEXT_CHANGES - {"silent"}:
            return published
        if release_id in self.at:
            return self.at[release_id].astimezone(published.tzinfo)
        return _edited_time(random.Random(f"{self.seed}:{release_id}:edit-time"), published)


def _build_releases(seed: int, per_source: int, changes: _Changes,
                    span: tuple[datetime, datetime] = (DATE_START, DATE_END)) -> dict[str, list[_Release]]:
    """All releases of all editions, oldest first, before any is withdrawn or left out by ``as_of``."""
    out: dict[str, list[_Release]] = {}

    minfin_tz = ZoneInfo("Europe/Moscow")
    minfin: list[_Release] = []
    minfin_stories: dict[str, _Story] = {}
    for n, moment in enumerate(_publication_times(random.Random(f"{seed}:minfin:dates"), per_source, minfin_tz, span), 1):
        rid = f"minfin-{n:04d}"
        rng = random.Random(f"{seed}:{rid}")
        story = _compose_story(rng, _HOME["minfin"], moment)
        minfin_stories[rid] = story
        change = changes.of(rid)
        text, page, clean, scars = _finish_text(story, "ru", rid, seed, change, True)
        minfin.append(_Release(rid, "minfin", n, "ru", f"/minfin/news/{n}/", moment, changes.updated(rid, moment), text,
                               page, clean, scars, change is not None, views=rng.randrange(40, 4000), change=change))
    out["minfin"] = minfin

    london = ZoneInfo("Europe/London")
    mfa: list[_Release] = []
    for n, moment in enumerate(_publication_times(random.Random(f"{seed}:mfa-en:dates"), per_source, london, span), 1):
        rid = f"mfa-en-{n:04d}"
        rng = random.Random(f"{seed}:{rid}")
        story = _compose_story(rng, _HOME["mfa-en"], moment)
        change = changes.of(rid)
        text, page, clean, scars = _finish_text(story, "en", rid, seed, change, False)
        path = f"/mfa-en/news/{_slug(_fill(_TITLES[story.title][1], story, 'en'))}-{n}/"  # the first headline's slug
        mfa.append(_Release(rid, "mfa-en", n, "en", path, moment, changes.updated(rid, moment), text, page, clean,
                            scars, change is not None, change=change))
    out["mfa-en"] = mfa

    minsk = ZoneInfo("Europe/Minsk")
    agency_ru: list[_Release] = []
    agency_en: list[_Release] = []
    syndicated: set[str] = set()
    published_before = 0  # minfin and the agency's moments both come oldest first: one pointer, not a scan per release
    for n, moment in enumerate(_publication_times(random.Random(f"{seed}:agency:dates"), per_source, minsk, span), 1):
        rng = random.Random(f"{seed}:agency-{n:04d}")
        copy_of = None
        while published_before < len(minfin) and minfin[published_before].published < moment:
            published_before += 1
        latest = published_before - 1  # the latest minfin release before this moment not yet syndicated
        while latest >= 0 and minfin[latest].id in syndicated:
            latest -= 1
        if latest >= 0 and rng.random() < 0.08:
            source = minfin[latest]
            syndicated.add(source.id)
            story, copy_of = minfin_stories[source.id], source.id
        else:
            story = _compose_story(rng, _HOME["agency"], moment)
        translated = rng.random() < 0.85
        en_moment = moment + timedelta(minutes=rng.randrange(10, 90))
        views = rng.randrange(100, 9000)
        key = f"agency:{n}"
        for lang, when, bucket in (("ru", moment, agency_ru), ("en", en_moment, agency_en)):
            if lang == "en" and not translated:
                continue
            rid = f"agency-{lang}-{n:04d}"
            change = changes.of(rid)
            dateline = (f"{story.slots['city']['ru']['nom'].upper()}, {when.day} {_MONTHS_GEN[when.month - 1]} "
                        "(Агентство) – " if lang == "ru" else
                        f"{story.slots['city']['en']['name'].upper()}, {when.day} {_MONTHS_EN[when.month - 1]} "
                        "(Agency) - ")
            text, page, clean, scars = _finish_text(story, lang, rid, seed, change, lang == "ru", dateline)
            bucket.append(_Release(rid, f"agency-{lang}", n, lang, f"/agency/{lang}/news/{n}/", when,
                                   changes.updated(rid, when), text, page, clean, scars, change is not None, key,
                                   copy_of=copy_of if lang == "ru" else None, views=views, change=change))
        if translated:
            ru, en = agency_ru[-1], agency_en[-1]
            ru.translations = en.translations = {"ru": ru.path, "en": en.path}
    out["agency-ru"] = agency_ru
    out["agency-en"] = agency_en

    # A cabinet's documents: fewer of them, Russian, each its own story.
    docs: list[_Release] = []
    count = max(3, per_source // 8)
    for n, moment in enumerate(_publication_times(random.Random(f"{seed}:docs:dates"), count, minfin_tz, span), 1):
        rid = f"docs-{n:04d}"
        story = _compose_story(random.Random(f"{seed}:{rid}"), _HOME["minfin"], moment)
        change = changes.of(rid)
        text, page, clean, scars = _finish_text(story, "ru", rid, seed, change, False)
        docs.append(_Release(rid, "docs", n, "ru", f"/docs/{n:04d}.md", moment, changes.updated(rid, moment), text,
                             page, clean, scars, change is not None, change=change))
    out["docs"] = docs
    return out


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------

_e = html.escape


def _paragraph_html(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{_e(p)}</p>" for p in paragraphs)


_MINFIN_MENU = ["О министерстве", "Бюджет", "Налоговая политика", "Государственный долг", "Новости", "Документы",
                "Контакты"]


def _minfin_chrome(title: str, body: str, head: str = "") -> str:
    menu = "".join(f'<li><a href="/minfin/{"news/" if item == "Новости" else ""}">{item}</a></li>'
                   for item in _MINFIN_MENU)
    return f"""<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — Министерство финансов</title>
<link rel="stylesheet" href="/minfin/static/main.css">
<link rel="alternate" type="application/atom+xml" title="Новости министерства" href="/minfin/feed.atom">
{head}</head>
<body>
<div class="cookie-banner">Сайт использует файлы cookie для улучшения работы. <button type="button">Принять</button></div>
<header class="site-header">
<a class="site-header__logo" href="/minfin/">Министерство финансов</a>
<nav class="main-menu"><ul>{menu}</ul></nav>
<form class="site-search" action="/minfin/search/"><input type="search" name="q" placeholder="Поиск по сайту"></form>
<div class="site-header__lang"><span>RU</span></div>
</header>
<main class="page">
{body}
</main>
<footer class="site-footer">
<div class="site-footer__contacts">Адрес: ул. Советская, 7, 220010, г. Минск. Телефон приемной: +375 17 200-00-00.</div>
<div class="site-footer__links"><a href="/minfin/about/">О сайте</a> <a href="/minfin/contacts/">Обратная связь</a> <a href="/minfin/feed.atom">RSS</a></div>
<p class="site-footer__copy">© 2024–2026 Министерство финансов. При использовании материалов ссылка на сайт обязательна.</p>
</footer>
</body>
</html>
"""


def _minfin_article(r: _Release, neighbours: list[_Release]) -> str:
    url = ORIGIN + r.path
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": r.text.title,
        "description": r.text.lead,
        "datePublished": _iso(r.published),
        "dateModified": _iso(r.updated),
        "inLanguage": "ru",
        "url": url,
        "mainEntityOfPage": url,
        "author": {"@type": "Organization", "name": "Пресс-служба Министерства финансов"},
        "publisher": {"@type": "GovernmentOrganization", "name": "Министерство финансов"},
    }
    head = f"""<meta name="description" content="{_e(r.text.lead)}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Министерство финансов">
<meta property="og:locale" content="ru_RU">
<meta property="og:title" content="{_e(r.text.title)}">
<meta property="og:description" content="{_e(r.text.lead)}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{_iso(r.published)}">
<meta property="article:modified_time" content="{_iso(r.updated)}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
"""
    related = "\n".join(
        f'<li><a href="{o.path}">{_e(o.text.title)}</a> <time datetime="{_iso(o.published)}">'
        f"{_ru_datetime(o.published)}</time></li>" for o in neighbours)
    body = f"""<ol class="breadcrumbs"><li><a href="/minfin/">Главная</a></li><li><a href="/minfin/news/">Новости</a></li><li>{_e(r.text.title)}</li></ol>
<article class="article">
<h1 class="article__title">{_e(r.text.title)}</h1>
<div class="article__meta"><time class="article__date" datetime="{_iso(r.published)}">{_ru_datetime(r.published)}</time> <span class="article__views">Просмотров: {r.views}</span></div>
<div class="article__lead"><p><strong>{_e(r.text.lead)}</strong></p></div>
<div class="article__text">
{_paragraph_html(r.page_paragraphs)}
</div>
<div class="share"><span>Поделиться:</span> <a href="#" data-share="vk">ВКонтакте</a> <a href="#" data-share="telegram">Telegram</a> <a href="#" class="share__print">Версия для печати</a></div>
</article>
<aside class="related"><h2>Читайте также</h2>
<ul>
{related}
</ul>
</aside>"""
    return _minfin_chrome(r.text.title, body, head)


def _minfin_listing(items: list[_Release], page: int, pages: int) -> str:
    rows = "\n".join(
        f'<div class="news-item"><time class="news-item__date" datetime="{_iso(r.published)}">'
        f"{_ru_datetime(r.published)}</time>\n"
        f'<a class="news-item__link" href="{r.path}">{_e(r.text.title)}</a>\n'
        f'<p class="news-item__lead">{_e(r.text.lead)}</p></div>' for r in items)
    prev_link = ""
    if page > 1:
        prev_href = "/minfin/news/" if page == 2 else f"/minfin/news/page/{page - 1}/"
        prev_link = f'<a class="pager__prev" href="{prev_href}">← Назад</a> '
    next_link = f' <a class="pager__next" href="/minfin/news/page/{page + 1}/">Вперед →</a>' if page < pages else ""
    body = f"""<h1>Новости</h1>
<div class="news-list">
{rows}
</div>
<nav class="pager">{prev_link}<span class="pager__current">Страница {page} из {pages}</span>{next_link}</nav>"""
    return _minfin_chrome("Новости" if page == 1 else f"Новости — страница {page}", body)


def _minfin_atom(items: list[_Release], page: int, pages: int) -> str:
    def href(k: int) -> str:
        return f"{ORIGIN}/minfin/feed.atom" if k == 1 else f"{ORIGIN}/minfin/feed/page/{k}.atom"

    links = [f'<link rel="self" type="application/atom+xml" href="{href(page)}"/>',
             f'<link rel="alternate" type="text/html" href="{ORIGIN}/minfin/news/"/>',
             f'<link rel="first" href="{href(1)}"/>', f'<link rel="last" href="{href(pages)}"/>']
    if page > 1:
        links.append(f'<link rel="previous" href="{href(page - 1)}"/>')
    if page < pages:
        links.append(f'<link rel="next" href="{href(page + 1)}"/>')
    entries = "\n".join(f"""<entry>
<title>{_e(r.text.title)}</title>
<id>tag:localsite,2024:{r.id}</id>
<link rel="alternate" type="text/html" href="{ORIGIN}{r.path}"/>
<published>{_iso(r.published)}</published>
<updated>{_iso(r.updated)}</updated>
<author><name>Пресс-служба Министерства финансов</name></author>
<summary type="text">{_e(r.text.lead)}</summary>
</entry>""" for r in items)
    updated = max((r.updated for r in items), default=DATE_START.replace(tzinfo=timezone.utc))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
<title>Министерство финансов — Новости</title>
<id>tag:localsite,2024:minfin</id>
<updated>{_iso(updated)}</updated>
{chr(10).join(links)}
{entries}
</feed>
"""


def _mfa_chrome(title: str, body: str, head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(title)} - Ministry of Foreign Affairs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="alternate" type="application/rss+xml" title="Press releases" href="/mfa-en/rss.xml">
{head}</head>
<body>
<a class="skip-link" href="#content">Skip to main content</a>
<div class="cookie-message"><p>We use some essential cookies to make this website work.</p><button type="button">Accept additional cookies</button> <button type="button">Reject additional cookies</button></div>
<header class="header"><a class="header__logo" href="/mfa-en/">Ministry of Foreign Affairs</a>
<nav class="header__nav"><a href="/mfa-en/">Home</a> <a href="/mfa-en/news/">News and communications</a> <a href="/mfa-en/travel/">Travel advice</a> <a href="/mfa-en/consular/">Consular services</a> <a href="/mfa-en/about/">About us</a></nav>
</header>
<div class="breadcrumbs"><ol><li><a href="/mfa-en/">Home</a></li><li><a href="/mfa-en/news/">News</a></li><li>Press release</li></ol></div>
<main id="content" class="main">
{body}
</main>
<footer class="footer"><p>All content is available under an open licence, except where otherwise stated.</p><p><a href="/mfa-en/help/privacy/">Privacy</a> <a href="/mfa-en/help/cookies/">Cookies</a> <a href="/mfa-en/help/accessibility/">Accessibility statement</a></p><p>© Ministry of Foreign Affairs</p></footer>
</body>
</html>
"""


def _mfa_article(r: _Release, neighbours: list[_Release]) -> str:
    url = ORIGIN + r.path
    head = f"""<meta name="description" content="{_e(r.text.lead)}">
<link rel="canonical" href="{url}">
<meta property="og:type" content="article">
<meta property="og:title" content="{_e(r.text.title)}">
<meta property="og:description" content="{_e(r.text.lead)}">
<meta property="og:url" content="{url}">
"""
    updated = (f'\n<p class="meta__updated">Last updated <span class="dt-updated">{_en_datetime(r.updated)}</span></p>'
               if r.signalled else "")
    related = "\n".join(f'<li><a href="{o.path}">{_e(o.text.title)}</a></li>' for o in neighbours)
    body = f"""<article class="h-entry">
<p class="publication-type">Press release</p>
<h1 class="p-name">{_e(r.text.title)}</h1>
<p class="p-summary">{_e(r.text.lead)}</p>
<div class="meta">
<p>From: <a class="p-author h-card" href="/mfa-en/">Ministry of Foreign Affairs</a></p>
<p class="meta__published">Published <span class="dt-published">{_en_datetime(r.published)}</span></p>{updated}
</div>
<div class="e-content">
{_paragraph_html(r.page_paragraphs)}
</div>
</article>
<section class="share"><h2>Share this page</h2><a href="#" data-share="facebook">Facebook</a> <a href="#" data-share="x">X</a> <a href="#" data-share="email">Email</a></section>
<aside class="related-links"><h2>Related content</h2>
<ul>
{related}
</ul>
</aside>
<div class="feedback"><p>Is this page useful?</p><button type="button">Yes</button> <button type="button">No</button> <a href="/mfa-en/contact/">Report a problem with this page</a></div>"""
    return _mfa_chrome(r.text.title, body, head)


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment)


def _mfa_rss(items: list[_Release]) -> str:
    entries = "\n".join(f"""<item>
<title>{_e(r.text.title)}</title>
<link>{ORIGIN}{r.path}</link>
<guid isPermaLink="true">{ORIGIN}{r.path}</guid>
<pubDate>{_rfc822(r.published)}</pubDate>
<category>Press release</category>
<description>{_e(r.text.lead)}</description>
</item>""" for r in items)
    built = max((r.updated for r in items), default=DATE_START.replace(tzinfo=timezone.utc))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Ministry of Foreign Affairs: press releases</title>
<link>{ORIGIN}/mfa-en/</link>
<description>Press releases from the Ministry of Foreign Affairs</description>
<language>en-gb</language>
<lastBuildDate>{_rfc822(built)}</lastBuildDate>
<atom:link href="{ORIGIN}/mfa-en/rss.xml" rel="self" type="application/rss+xml"/>
{entries}
</channel>
</rss>
"""


def _sitemap_index(children: list[tuple[str, datetime]]) -> str:
    rows = "\n".join(f"<sitemap><loc>{ORIGIN}{path}</loc><lastmod>{_iso(lastmod)}</lastmod></sitemap>"
                     for path, lastmod in children)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{rows}
</sitemapindex>
"""


def _urlset(items: list[_Release]) -> str:
    rows = "\n".join(f"<url><loc>{ORIGIN}{r.path}</loc><lastmod>{_iso(r.updated)}</lastmod></url>" for r in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{rows}
</urlset>
"""


_AGENCY_WORDS = {
    "ru": {"site": "Новостное агентство", "rubrics": ["Политика", "Экономика", "Общество", "Регионы", "В мире", "Спорт"],
           "feed": "Лента новостей", "next": "Следующая страница", "prev": "Предыдущая страница", "updated": "обновлено",
           "subscribe": "Подписывайтесь на нас в мессенджерах!", "all": "Все новости",
           "copy": "Все права защищены. При перепечатке гиперссылка на агентство обязательна."},
    "en": {"site": "News Agency", "rubrics": ["Politics", "Economy", "Society", "Regions", "World", "Sport"],
           "feed": "News feed", "next": "Next page", "prev": "Previous page", "updated": "updated",
           "subscribe": "Follow us on messengers!", "all": "All news",
           "copy": "All rights reserved. A hyperlink to the agency is required when reprinting."},
}


def _agency_chrome(lang: str, title: str, body: str, head: str = "", switch: str = "") -> str:
    words = _AGENCY_WORDS[lang]
    rubrics = " ".join(f'<a href="/agency/{lang}/news/">{name}</a>' for name in words["rubrics"])
    if not switch:
        other = "en" if lang == "ru" else "ru"
        switch = f'<a href="/agency/{other}/news/">{other.upper()}</a>'
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{_e(title)} | {words['site']}</title>
{head}</head>
<body>
<div class="top_line"><div class="lang_switch"><span class="active">{lang.upper()}</span> {switch}</div><div class="top_line_date">{words['site']}</div></div>
<header class="header"><a class="logo" href="/agency/{lang}/news/">{words['site']}</a><nav class="rubrics">{rubrics}</nav></header>
<div class="content">
{body}
</div>
<footer class="footer"><p>© 2024–2026 {words['site']}. {words['copy']}</p></footer>
</body>
</html>
"""


def _agency_article(r: _Release, neighbours: list[_Release]) -> str:
    words = _AGENCY_WORDS[r.language]
    alternates = "".join(f'<link rel="alternate" hreflang="{lang}" href="{ORIGIN}{path}">\n'
                         for lang, path in sorted(r.translations.items()))
    head = f"""<link rel="canonical" href="{ORIGIN}{r.path}">
{alternates}<meta property="og:title" content="{_e(r.text.title)}">
<meta property="og:type" content="article">
"""
    other = "en" if r.language == "ru" else "ru"
    switch = (f'<a href="{r.translations[other]}">{other.upper()}</a>' if other in r.translations else "")
    feed = "\n".join(f'<div class="lenta_item"><span class="date">{o.published:%d.%m.%Y %H:%M}</span> '
                     f'<a href="{o.path}">{_e(o.text.title)}</a></div>' for o in neighbours)
    updated = (f'<div class="date_updated">{r.updated:%d.%m.%Y %H:%M}</div>\n' if r.signalled else "")
    body = f"""<div class="news_block">
<div class="rubric">{words['rubrics'][1]}</div>
<h1>{_e(r.text.title)}</h1>
<div class="date_full">{r.published:%d.%m.%Y %H:%M}</div>
{updated}<div class="js-mediator-article">
{_paragraph_html(r.page_paragraphs)}
<div class="invite_in_messagers">{words['subscribe']}</div>
</div>
<div class="news_views">{r.views}</div>
</div>
<aside class="lenta_right"><h3>{words['feed']}</h3>
{feed}
<a class="all_news" href="/agency/{r.language}/news/">{words['all']}</a>
</aside>"""
    return _agency_chrome(r.language, r.text.title, body, head, switch)


def _agency_listing(lang: str, items: list[_Release], page: int, pages: int) -> str:
    words = _AGENCY_WORDS[lang]
    def mark(r: _Release) -> str:  # an admitted edit is marked in the list, as news sites do
        return f' <span class="updated">{words["updated"]} {r.updated:%d.%m %H:%M}</span>' if r.signalled else ""

    rows = "\n".join(f'<div class="news_item lenta_item"><span class="date">{r.published:%d.%m.%Y %H:%M}</span>\n'
                     f'<a class="lenta_item_title" href="{r.path}">{_e(r.text.title)}</a>{mark(r)}</div>' for r in items)
    base = f"/agency/{lang}/news/"
    links = []
    if page > 1:
        links.append(f'<a rel="prev" class="pagination__prev" href="{base if page == 2 else f"{base}page/{page - 1}/"}">'
                     f"{words['prev']}</a>")
    if page < pages:
        links.append(f'<a rel="next" class="pagination__next" href="{base}page/{page + 1}/">{words["next"]}</a>')
    body = f"""<h1>{words['feed']}</h1>
<div class="lenta">
{rows}
</div>
<div class="pagination">{" ".join(links)}</div>"""
    return _agency_chrome(lang, words["feed"], body)


def _agency_json(lang: str, items: list[_Release], page: int, pages: int) -> str:
    """One page of the agency's JSON index; the page after the last holds no items (paging ends there)."""
    data = {
        "page": page,
        "pages": pages,
        "items": [{"id": r.number, "url": r.path, "title": r.text.title, "published": _iso(r.published),
                   "updated": _iso(r.updated), "views": r.views} for r in items],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _document(r: _Release) -> str:
    """A cabinet document as markdown with front matter (read by the ``document`` parser)."""
    front = [f"title: {r.text.title}", f"date: {_iso(r.published)}", "lang: ru"]
    if r.signalled:
        front.append(f"updated: {_iso(r.updated)}")
    body = "\n\n".join(r.page_paragraphs)
    return f"---\n{chr(10).join(front)}\n---\n# {r.text.title}\n\n**{r.text.lead}**\n\n{body}\n"


def _mfa_front(items: list[_Release]) -> str:
    """The ministry's section front page: where a withdrawn press release redirects."""
    rows = "\n".join(f'<li><a href="{r.path}">{_e(r.text.title)}</a> <span>{_en_datetime(r.published)}</span></li>'
                     for r in items[:20])
    return _mfa_chrome("News and communications", f"<h1>News and communications</h1>\n<ul class=\"latest\">\n{rows}\n</ul>")


def _not_found_page(publisher: str) -> str:
    """The publisher's "page not found" template, in its chrome (served with status 200 by a ``soft404``)."""
    if publisher == "minfin":
        return _minfin_chrome("Страница не найдена", '<h1>Страница не найдена</h1>\n<p>Запрашиваемая страница не '
                              'существует или была удалена. Перейдите на <a href="/minfin/">главную страницу</a> '
                              'или воспользуйтесь поиском.</p>')
    if publisher == "mfa-en":
        return _mfa_chrome("Page not found", '<h1>Page not found</h1>\n<p>If you entered a web address, please check '
                           'it was correct. You can <a href="/mfa-en/">browse from the homepage</a>.</p>')
    lang = publisher.removeprefix("agency-")
    words = ("Ошибка 404. Страница не найдена", "Возможно, она была удалена или перемещена.") if lang == "ru" else (
        "Error 404: page not found", "It may have been deleted or moved.")
    return _agency_chrome(lang, words[0], f"<h1>{words[0]}</h1>\n<p>{words[1]}</p>")


def _pages(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _robots() -> str:
    return """# Generated test site: everything may be crawled except /private/.
User-agent: *
Disallow: /private/

User-agent: govpress
Crawl-delay: 0
Disallow: /private/

Sitemap: http://localsite.invalid/mfa-en/sitemap.xml
"""


def _private_page() -> str:
    return """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Служебная записка — не для публикации</title></head>
<body><article><h1>Служебная записка — не для публикации</h1>
<time datetime="2025-03-03T10:00:00+03:00">3 марта 2025, 10:00</time>
<p>Эта страница закрыта в robots.txt. Краулер, который уважает robots.txt, ее не запрашивает.</p>
</article></body></html>
"""


def _index_page(publishers: dict[str, PublisherInfo]) -> str:
    rows = "\n".join(f'<li><a href="{p.listing or p.feed or p.sitemap or "/" + (p.files or "")}">{_e(p.title)}</a> ({p.language}, '
                     f"{len(p.releases)} releases)</li>" for p in publishers.values())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>govpress local site</title></head>
<body><h1>govpress local site</h1>
<p>A generated site for the demo and the tests. Nothing here is real news.</p>
<ul>
{rows}
</ul>
</body></html>
"""


# --------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------


def _neighbours(items: list[_Release], index: int, count: int) -> list[_Release]:
    """Earlier releases of the same edition (never removed-aware: links to removed pages dangle, as on real sites)."""
    return [items[j] for j in range(index - 1, max(-1, index - 1 - count), -1)]


def _info(r: _Release) -> ReleaseInfo:
    return ReleaseInfo(
        id=r.id, publisher=r.publisher, language=r.language, path=r.path, title=r.text.title, lead=r.text.lead,
        published_at=_iso(r.published), updated_at=_iso(r.updated), body_text="\n\n".join(r.clean_paragraphs),
        edited=r.edited, scars=r.scars, translation_key=r.translation_key, translations=dict(r.translations),
        copy_of=r.copy_of, change=r.change)


def _write_tree(out_dir: Path, files: dict[str, bytes], mtimes: dict[str, float]) -> None:
    """Write files (skipping identical ones) and delete what an earlier generation left behind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ours = (out_dir / MANIFEST_NAME).exists()
    wanted = {out_dir / rel for rel in files}
    if ours:
        for path in sorted(out_dir.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for rel, data in files.items():
        target = out_dir / rel
        try:
            if target.read_bytes() == data:
                continue
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if rel in mtimes:
            os.utime(target, (mtimes[rel], mtimes[rel]))


def _file_for(url_path: str) -> str:
    rel = url_path.lstrip("/")
    return rel + "index.html" if rel.endswith("/") or not rel else rel


def generate_site(
    out_dir: Path,
    *,
    seed: int = 2024,
    per_source: int = 170,
    edited: Collection[str] = (),
    removed: Collection[str] = (),
    changes: Mapping[str, str] | None = None,
    changed_at: Mapping[str, datetime] | None = None,
    as_of: datetime | None = None,
    dates: tuple[datetime, datetime] | None = None,
) -> SiteManifest:
    """Write the generated site under ``out_dir`` and return its manifest (also written as ``site.json``).

    ``changes`` maps release ids to :data:`CHANGE_KINDS` (``edited`` ids are ``body`` changes and
    ``removed`` ids ``gone404``, as before); ``changed_at`` gives the update time an admitted edit
    states (default: a few days after publication). Withdrawn releases leave every channel; a 410 or
    a redirect is served from the manifest. ``as_of`` leaves out releases published after it;
    ``dates`` (naive local days, first and last) is the span publication times are drawn from.
    Everything not named is byte-identical to a run without them.
    """
    if per_source < 1:
        raise ValueError("per_source must be at least 1")
    out_dir = Path(out_dir)
    edited_set, removed_set = set(edited), set(removed)
    if edited_set & removed_set:
        raise ValueError(f"ids both edited and removed: {sorted(edited_set & removed_set)}")
    kinds = {**dict.fromkeys(edited_set, "body"), **dict.fromkeys(removed_set, "gone404")}
    for rid, kind in (changes or {}).items():
        if kind not in CHANGE_KINDS:
            raise ValueError(f"{rid}: unknown change {kind!r}; one of {', '.join(CHANGE_KINDS)}")
        if rid in kinds and kinds[rid] != kind:
            raise ValueError(f"{rid}: two changes ({kinds[rid]} and {kind})")
        kinds[rid] = kind
    everything = _build_releases(seed, per_source, _Changes(kinds, dict(changed_at or {}), seed),
                                 dates or (DATE_START, DATE_END))
    by_id = {r.id: r for items in everything.values() for r in items}
    unknown = set(kinds) - set(by_id)
    if unknown:
        raise ValueError(f"unknown release ids: {sorted(unknown)}")
    for rid, kind in kinds.items():
        if by_id[rid].publisher == "docs" and kind in WITHDRAWALS - {"gone404"}:
            raise ValueError(f"{rid}: a document on disk can be deleted (gone404), not {kind}")
    withdrawn = {rid for rid, kind in kinds.items() if kind in WITHDRAWALS}

    pages: dict[str, str] = {}  # URL path -> text
    modified: dict[str, datetime] = {}
    publishers: dict[str, PublisherInfo] = {}
    removed_paths: dict[str, str] = {}
    gone: list[str] = []
    redirects: dict[str, str] = {}

    def put(path: str, text: str, when: datetime) -> None:
        pages[path] = text
        modified[path] = when

    def newest(items: list[_Release]) -> datetime:
        return max((r.updated for r in items), default=DATE_START.replace(tzinfo=timezone.utc))

    renderers = {"minfin": _minfin_article, "mfa-en": _mfa_article, "agency-ru": _agency_article,
                 "agency-en": _agency_article, "docs": lambda r, _: _document(r)}
    live: dict[str, list[_Release]] = {}
    for name, items in everything.items():
        if as_of is not None:
            items = [r for r in items if r.published <= as_of]
        for index, r in enumerate(items):
            if r.id in withdrawn:
                removed_paths[r.id] = r.path
                if kinds[r.id] == "gone410":
                    gone.append(r.path)
                elif kinds[r.id] == "redirect":
                    redirects[r.path] = SECTION_FRONT[name]
                elif kinds[r.id] == "soft404":  # status 200: what many CMSs answer for a deleted page
                    put(r.path, _not_found_page(name), r.updated)
                continue
            put(r.path, renderers[name](r, _neighbours(items, index, 4)), r.updated)
        live[name] = [r for r in reversed(items) if r.id not in withdrawn]  # newest first

    minfin = live["minfin"]
    feed_pages = _pages(minfin, 50)
    for k, chunk in enumerate(feed_pages, 1):
        put("/minfin/feed.atom" if k == 1 else f"/minfin/feed/page/{k}.atom",
            _minfin_atom(chunk, k, len(feed_pages)), newest(chunk))
    list_pages = _pages(minfin, 20)
    for k, chunk in enumerate(list_pages, 1):
        put("/minfin/news/" if k == 1 else f"/minfin/news/page/{k}/", _minfin_listing(chunk, k, len(list_pages)),
            newest(chunk))

    mfa = live["mfa-en"]
    put("/mfa-en/rss.xml", _mfa_rss(mfa[:30]), newest(mfa[:30]))
    put("/mfa-en/", _mfa_front(mfa), newest(mfa[:20]))
    years = sorted({r.published.year for r in mfa}, reverse=True)
    children = []
    for year in years:
        chunk = [r for r in mfa if r.published.year == year]
        put(f"/mfa-en/sitemap-{year}.xml", _urlset(chunk), newest(chunk))
        children.append((f"/mfa-en/sitemap-{year}.xml", newest(chunk)))
    put("/mfa-en/sitemap.xml", _sitemap_index(children), newest(mfa))

    for lang in ("ru", "en"):
        items = live[f"agency-{lang}"]
        chunks = _pages(items, 15)
        for k, chunk in enumerate(chunks, 1):
            put(f"/agency/{lang}/news/" if k == 1 else f"/agency/{lang}/news/page/{k}/",
                _agency_listing(lang, chunk, k, len(chunks)), newest(chunk))
    english = live["agency-en"]
    chunks = _pages(english, 15) if english else []
    for k, chunk in enumerate([*chunks, []], 1):  # the empty page after the last ends the walk
        put(f"/agency/en/api/news-{k}.json", _agency_json("en", chunk, k, len(chunks)), newest(chunk or english[-1:]))

    publishers["minfin"] = PublisherInfo(
        "minfin", "Министерство финансов", "ru", "Europe/Moscow", None, "/minfin/feed.atom", None, "/minfin/news/",
        {"item": "div.news-item", "link": "a.news-item__link", "date": "time[datetime]", "next": "a.pager__next"},
        [_info(r) for r in minfin])
    publishers["mfa-en"] = PublisherInfo(
        "mfa-en", "Ministry of Foreign Affairs", "en", "Europe/London", None, "/mfa-en/rss.xml", "/mfa-en/sitemap.xml",
        None, None, [_info(r) for r in mfa])
    for lang, title in (("ru", "Новостное агентство"), ("en", "News Agency")):
        publishers[f"agency-{lang}"] = PublisherInfo(
            f"agency-{lang}", title, lang, "Europe/Minsk", "agency", None, None, f"/agency/{lang}/news/",
            {"item": "div.lenta_item", "link": "a.lenta_item_title", "date": "span.date",
             "next": "a.pagination__next"},
            [_info(r) for r in live[f"agency-{lang}"]], json_index="/agency/en/api/news-1.json" if lang == "en" else None)
    publishers["docs"] = PublisherInfo(
        "docs", "Кабинет министров: документы", "ru", "Europe/Moscow", None, None, None, None, None,
        [_info(r) for r in live["docs"]], files="docs/*.md")

    site_epoch = max(modified.values())
    put("/robots.txt", _robots(), site_epoch)
    put(PRIVATE_PATH, _private_page(), site_epoch)
    put("/", _index_page(publishers), site_epoch)

    manifest = SiteManifest(
        seed=seed, per_source=per_source, publishers=publishers,
        edited=sorted(rid for rid, kind in kinds.items() if kind in TEXT_CHANGES),
        removed=dict(sorted(removed_paths.items())), private_path=PRIVATE_PATH, robots_path="/robots.txt",
        last_modified={path: _iso(when) for path, when in sorted(modified.items())},
        changes=dict(sorted(kinds.items())), gone=sorted(gone), redirects=dict(sorted(redirects.items())),
        as_of=_iso(as_of) if as_of is not None else None,
    )
    files = {_file_for(path): text.encode("utf-8") for path, text in pages.items()}
    mtimes = {_file_for(path): when.timestamp() for path, when in modified.items()}
    files[MANIFEST_NAME] = manifest.to_json().encode("utf-8")
    _write_tree(out_dir, files, mtimes)
    return manifest
