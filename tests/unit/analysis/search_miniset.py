"""A labelled search mini-set per language: short releases written for this test, queries with the releases they must find.

Each language has queries in inflected forms (filtered to that language: the word forms must
meet) and names written in its own script (not filtered: a name must be found in every script
it is written in). ``expected`` is the complete set of relevant releases in the corpus, so
recall and precision can be measured (tests/unit/analysis/test_search_miniset.py, bench/bench_search.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Doc:
    release_id: str
    language: str
    title: str
    body: str


@dataclass(frozen=True)
class Query:
    language: str
    """The mini-set the query belongs to (its language)."""
    text: str
    expected: frozenset[str]
    filter_language: bool = True
    """Inflection queries search their own language; name queries search everything."""


DOCS = (
    # Russian
    Doc("ru1", "ru", "Визит премьер-министра Азербайджана в Минск",
        "Премьер-министр Азербайджана Али Асадов прибыл с официальным визитом в Минск. Переговоры с белорусской "
        "стороной прошли в Доме правительства."),
    Doc("ru2", "ru", "Правительство утвердило бюджет",
        "Правительство утвердило проект федерального бюджета на три года. Министр финансов доложил о параметрах."),
    Doc("ru3", "ru", "Встреча с губернатором области",
        "Президент провёл встречу с губернатором Калужской области. Обсуждались вопросы развития районов."),
    Doc("ru4", "ru", "Поздравление с Днём учителя",
        "Владимир Путин направил поздравления учителям и ветеранам педагогического труда."),
    Doc("ru5", "ru", "Переговоры министров в Баку",
        "Министр иностранных дел провёл переговоры с коллегой в Баку. Стороны обсудили визиты на высшем уровне."),
    Doc("ru6", "ru", "Телефонный разговор с Президентом Белоруссии",
        "Состоялся телефонный разговор с Президентом Белоруссии Александром Лукашенко. Обсуждены вопросы энергетики."),
    # Belarusian
    Doc("be1", "be", "Сустрэча з Прэм'ер-міністрам Азербайджана",
        "Аляксандр Лукашэнка сустрэўся з Прэм'ер-міністрам Азербайджана Алі Асадавым, які знаходзіцца ў Беларусі "
        "з афіцыйным візітам."),
    Doc("be2", "be", "Урад зацвердзіў бюджэт",
        "Савет Міністраў разгледзеў праект бюджэту на наступны год. Рашэнне ўрада падтрымалі дэпутаты."),
    Doc("be3", "be", "Перамовы ў Мінску",
        "Перамовы дэлегацый адбыліся ў Мінску. Бакі абмеркавалі супрацоўніцтва ў прамысловасці."),
    Doc("be4", "be", "Віншаванне з Днём настаўніка",
        "Кіраўнік дзяржавы павіншаваў настаўнікаў з прафесійным святам."),
    # Ukrainian
    Doc("uk1", "uk", "Зустріч Президента з прем'єр-міністром Польщі",
        "Президент України провів зустріч з прем'єр-міністром Польщі. Сторони обговорили співпрацю у сфері енергетики."),
    Doc("uk2", "uk", "Уряд затвердив бюджет",
        "Кабінет Міністрів ухвалив проєкт бюджету на наступний рік. Урядом схвалено зміни до програми."),
    Doc("uk3", "uk", "Візит до Києва",
        "Міністр закордонних справ Азербайджану прибув з візитом до Києва."),
    Doc("uk4", "uk", "Переговори у Брюсселі",
        "Делегація провела переговори з представниками Європейської комісії у Брюсселі."),
    Doc("uk5", "uk", "Звернення до нації",
        "Володимир Зеленський звернувся до громадян. Глава держави подякував захисникам."),
    # Azerbaijani
    Doc("az1", "az", "Prezident İlham Əliyev Belarusun Baş nazirini qəbul edib",
        "Azərbaycan Prezidenti İlham Əliyev Belarusun Baş naziri Roman Qolovçenkonu qəbul edib. Görüşdə "
        "əməkdaşlığın inkişafı müzakirə olunub."),
    Doc("az2", "az", "Baş nazir Minskə səfər edib",
        "Azərbaycanın Baş naziri Əli Əsədov rəsmi səfərlə Minskdə olub. Səfər çərçivəsində sənədlər imzalanıb."),
    Doc("az3", "az", "Dövlət büdcəsi təsdiqlənib",
        "Nazirlər Kabineti gələn ilin dövlət büdcəsinin layihəsini təsdiqləyib."),
    Doc("az4", "az", "Bakıda beynəlxalq konfrans keçirilib",
        "Bakıda enerji təhlükəsizliyi mövzusunda beynəlxalq konfrans keçirilib. Konfransda nazirlər çıxış ediblər."),
    # English
    Doc("en1", "en", "Meeting with Prime Minister of Azerbaijan",
        "The President met with Prime Minister of Azerbaijan Ali Asadov, who is on an official visit. Ali Asadov "
        "conveyed greetings from the President of Azerbaijan."),
    Doc("en2", "en", "Birthday greetings to a choreographer",
        "Vladimir Putin sent birthday greetings to the choreographer Yury Grigorovich."),
    Doc("en3", "en", "Government approves the budget",
        "The Government approved the draft federal budget for the next three years."),
    Doc("en4", "en", "Talks in Baku on energy",
        "The ministers held talks in Baku on energy security and transit routes."),
    Doc("en5", "en", "Telephone conversation with the President of Belarus",
        "Vladimir Putin had a telephone conversation with President of Belarus Alexander Lukashenko."),
    Doc("en6", "en", "Address to the nation",
        "President Volodymyr Zelensky addressed the citizens and thanked the defenders."),
    # German
    Doc("de1", "de", "Golowtschenko und Assadow erörtern die Zusammenarbeit",
        "Der Premierminister von Belarus und der Premierminister Aserbaidschans Ali Assadow erörterten die "
        "Zusammenarbeit. Der Besuch dauert bis Donnerstag."),
    Doc("de2", "de", "Regierung beschließt den Haushalt",
        "Die Bundesregierung hat den Entwurf des Haushalts für das kommende Jahr beschlossen."),
    Doc("de3", "de", "Gespräche in Baku",
        "Die Minister führten Gespräche in Baku über Energiesicherheit."),
    Doc("de4", "de", "Glückwünsche zum Geburtstag",
        "Der Präsident übermittelte Glückwünsche zum Geburtstag des Choreografen."),
)

ASADOV = frozenset({"ru1", "be1", "az2", "en1", "de1"})
LUKASHENKO = frozenset({"ru6", "be1", "en5"})
ZELENSKY = frozenset({"uk5", "en6"})
BAKU = frozenset({"ru5", "en4", "de3", "az4"})


def _q(language: str, text: str, *expected: str) -> Query:
    return Query(language, text, frozenset(expected))


def _name(language: str, text: str, expected: frozenset[str]) -> Query:
    return Query(language, text, expected, filter_language=False)


QUERIES = (
    _q("ru", "визиты", "ru1", "ru5"),
    _q("ru", "бюджета", "ru2"),
    _q("ru", "губернаторы", "ru3"),
    _q("ru", "поздравление", "ru4"),
    _q("ru", "переговорах", "ru1", "ru5"),
    _name("ru", "Асадовым", ASADOV),
    _name("ru", "Лукашенко", LUKASHENKO),
    # Known limit: a name of four letters has too few consonants for a script-independent key, so
    # "Баку" finds the Cyrillic releases only (and "Baku" the Latin ones).
    _name("ru", "Баку", BAKU),
    _q("be", "візіт", "be1"),
    _q("be", "бюджэт", "be2"),
    _q("be", "перамоваў", "be3"),
    _q("be", "урадам", "be2"),
    _q("be", "супрацоўніцтве", "be3"),
    _name("be", "Асадаў", ASADOV),
    _name("be", "Лукашэнку", LUKASHENKO),
    _q("uk", "зустрічі", "uk1"),
    _q("uk", "бюджетом", "uk2"),
    _q("uk", "візиту", "uk3"),
    _q("uk", "переговорів", "uk4"),
    _q("uk", "уряду", "uk2"),
    _q("uk", "співпраці", "uk1"),
    _name("uk", "Зеленського", ZELENSKY),
    _q("az", "səfəri", "az2"),
    _q("az", "prezidentin", "az1"),
    _q("az", "büdcə", "az3"),
    _q("az", "Bakı", "az4"),
    _q("az", "görüşləri", "az1"),
    _q("az", "konfransı", "az4"),
    _name("az", "Əsədov", ASADOV),
    _name("az", "Zelenski", ZELENSKY),
    _q("en", "greetings", "en1", "en2"),
    _q("en", "greet", "en1", "en2"),
    _q("en", "visits", "en1"),
    _q("en", "budgets", "en3"),
    _q("en", "talk", "en4"),
    _q("en", "approved", "en3"),
    _name("en", "Asadov", ASADOV),
    _name("en", "Lukashenko", LUKASHENKO),
    _name("en", "Baku", BAKU),
    _q("de", "Besuche", "de1"),
    _q("de", "Haushalts", "de2"),
    _q("de", "Gespräch", "de3"),
    _q("de", "Glückwunsch", "de4"),
    _q("de", "Regierungen", "de2"),
    _name("de", "Assadow", ASADOV),
)
LANGUAGES = ("ru", "be", "uk", "az", "en", "de")


@dataclass(frozen=True)
class Score:
    language: str
    queries: int
    relevant: int
    found: int
    correct: int

    @property
    def recall(self) -> float:
        return self.correct / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def score(results: dict[Query, set[str]]) -> dict[str, Score]:
    """Micro-averaged recall and precision per language over its queries (``results``: query -> ids found)."""
    out = {}
    for language in LANGUAGES:
        mine = [q for q in QUERIES if q.language == language]
        out[language] = Score(
            language, len(mine),
            relevant=sum(len(q.expected) for q in mine),
            found=sum(len(results[q]) for q in mine),
            correct=sum(len(results[q] & q.expected) for q in mine),
        )
    return out


def misses(results: dict[Query, set[str]]) -> list[str]:
    """Readable lines for every query that missed a relevant release or found an irrelevant one."""
    lines = []
    for q in QUERIES:
        got = results[q]
        if got != q.expected:
            lines.append(f"{q.language} {q.text!r}: missed {sorted(q.expected - got)}, extra {sorted(got - q.expected)}")
    return lines
