"""govpress.parsers.text: normalisation, paragraph repair (dehyphenation, split sentences), sentences, hash folding."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govpress.parsers.text import fold_for_hash, is_section_break, normalize, repair_paragraphs, sentences, to_body_text
from tests.unit.parsers.regex_forms import top_level_alternatives


# ---------------------------------------------------------------- normalize

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("и\u0306", "й"),  # NFD -> NFC
        ("взаимо\u00adдействие", "взаимодействие"),  # soft hyphen
        ("zero\u200bwidth\u200d join\ufeff", "zerowidth join"),
        # the joiners are spelling inside a word (Persian, Indic conjuncts), nothing at its edges
        ("همکاری\u200cهای دوجانبه\u200c", "همکاری\u200cهای دوجانبه"),
        ("\u200cمی\u200cشود", "می\u200cشود"),
        ("क्\u200dष", "क्\u200dष"),
        ("Али\u00a0Асадов\u202fи\u2009Роман", "Али Асадов и Роман"),
        ("a \t  b\t\tc", "a b c"),
        ("  line one  \r\n\tline two\t\rline three ", "line one\nline two\nline three"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def _normalize_in_full(text: str) -> str:
    """normalize() as its docstring states it, every step on every text: what its shortcuts must equal."""
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\r\n?|[\u2028\u2029\u0085]", "\n", text)
    text = re.sub("[\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    text = re.sub("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v ]+", " ", text)
    # the joiners stay inside a word, go beside a space or a line's end
    text = re.sub(r"(?:^|(?<=\s))[\u200c\u200d]+|[\u200c\u200d]+(?=\s|$)", "", text, flags=re.M)
    return "\n".join(line.strip() for line in text.split("\n"))


# Texts made of the characters normalize() treats specially, among ordinary letters (ASCII, Latin-1,
# Cyrillic): shortcuts taken when none of them is present must not miss one that is.
_SPECIAL = "\r\n\t\f\v \u2028\u2029\u0085\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u202b\u2067\u00a0\u1680\u2003\u202f\u205f\u3000\x1c"
_LETTERS = "ab.Zäé\u0438\u0306й"


@pytest.mark.parametrize("special", list(_SPECIAL) + ["  ", "\r\n"])
@pytest.mark.parametrize("letters", ["ab", "äé", "\u0438\u0439", "a\u0439"])
def test_normalize_equals_its_definition_for_each_special_character(special: str, letters: str) -> None:
    for raw in (f"{letters[0]}{special}{letters[1]}", f"{special}{letters}", f"{letters}{special}", f"x {special} y{letters}"):
        assert normalize(raw) == _normalize_in_full(raw), repr(raw)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_SPECIAL + _LETTERS), st.text(alphabet=" \tab\r\n")))
def test_normalize_equals_its_definition(raw: str) -> None:
    assert normalize(raw) == _normalize_in_full(raw)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


def _flushed_before(joined: str) -> str:
    """What block_paragraphs made of a paragraph's joined pieces before its shortcut (\ue000: a <br>)."""
    return normalize(" ".join(joined.split()).replace("\ue000", "\n")).strip()


def _check_squashed_normal(raw: str) -> None:
    from govpress.parsers.html.blocks import _squashed_normal

    squashed = " ".join(raw.split())
    same = _squashed_normal(squashed)
    if same is not None:  # the shortcut's answer is what normalize gives, in both of its callers
        assert same == squashed == _flushed_before(raw) == normalize(squashed), repr(raw)


def test_the_squashed_text_shortcut_equals_normalize_for_every_code_point() -> None:
    # Every code point alone and between letters of three scripts: the shortcut claims "normalize changes
    # nothing" only where that holds (whitespace, invisible, line-break marker, combining marks, ...).
    for c in map(chr, range(0x110000)):
        for raw in (c, f"a{c}b", f"и{c}й x", f"é {c}"):
            _check_squashed_normal(raw)


def test_squash_of_a_printable_text_strips_its_ends_only_for_every_code_point() -> None:
    """``squash`` strips a printable text without a double space and splits the rest: the same as splitting
    every text, because the space is the only printable whitespace character (each code point alone, doubled,
    between words and at the ends)."""
    from govpress.parsers.html.tree import squash

    assert [hex(ord(c)) for c in map(chr, range(0x110000)) if c.isprintable() and c.isspace() and c != " "] == []
    for c in map(chr, range(0x110000)):
        for raw in (c, f"a{c}b", f" и{c}{c}й ", f"{c} x {c}", f"x  {c}"):
            assert squash(raw) == " ".join(raw.split()), repr(raw)


def test_squash_and_normal_is_squash_then_the_normal_check_for_every_code_point() -> None:
    from govpress.parsers.html.blocks import _squash_and_normal, _squashed_normal
    from govpress.parsers.html.tree import squash

    for c in map(chr, range(0x110000)):
        for raw in (c, f"a{c}b", f" и{c}{c}й ", f"é {c}", f"e\u0301{c} x"):
            squashed = squash(raw)
            assert _squash_and_normal(raw) == (squashed, _squashed_normal(squashed) is not None), repr(raw)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\u00a0\u3000ab.é"))
def test_squash_is_the_split_and_join(raw: str) -> None:
    from govpress.parsers.html.tree import squash

    assert squash(raw) == " ".join(raw.split())


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=_SPECIAL + _LETTERS + "\ue000"), st.text(alphabet=" \tab\ue000\n\u0301")))
def test_the_squashed_text_shortcut_equals_normalize(raw: str) -> None:
    _check_squashed_normal(raw)


def test_ordinary_paragraphs_take_the_shortcut() -> None:
    from govpress.parsers.html.blocks import _squashed_normal

    for text in ("Talks on trade in Minsk.", "Переговоры в Минске, 12 марта.", "Ünal sprach über die Außenpolitik."):
        assert _squashed_normal(text) == text
    for text in ("zero\u200bwidth", "line\ue000break", "и\u0306", "a\u00adb"):
        assert _squashed_normal(text) is None


# ---------------------------------------------------------------- repair_paragraphs

@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # a word split across a paragraph break (the seed) and across a line break
        (["Значимый импульс многоплановому взаимодей-", "ствию придало решение."],
         ["Значимый импульс многоплановому взаимодействию придало решение."]),
        (["Значимый импульс взаимодей-\nствию придало решение."], ["Значимый импульс взаимодействию придало решение."]),
        (["выполне-\nние задач"], ["выполнение задач"]),
        (["the govern-\nment said"], ["the government said"]),
        (["die Bundes-\nregierung hat"], ["die Bundesregierung hat"]),
        # solid compounds with a linking vowel are joined (много-, взаимо- are written solid)
        (["Импульс много-\nплановому сотрудничеству."], ["Импульс многоплановому сотрудничеству."]),
        # real compounds keep the hyphen at a break
        (["вопросы торгово-\nэкономического сотрудничества"], ["вопросы торгово-экономического сотрудничества"]),
        (["азербайджано-\nбелорусских связей"], ["азербайджано-белорусских связей"]),
        (["профессионально-\nтехнического образования"], ["профессионально-технического образования"]),
        (["культурно-\nгуманитарного сотрудничества"], ["культурно-гуманитарного сотрудничества"]),
        (["в северо-\nзападный округ"], ["в северо-западный округ"]),
        (["гандлёва-\nэканамічнага супрацоўніцтва"], ["гандлёва-эканамічнага супрацоўніцтва"]),
        (["Премьер-\nминистр прибыл"], ["Премьер-министр прибыл"]),
        (["вице-\nпремьер прибыл"], ["вице-премьер прибыл"]),
        (["кто-\nнибудь придёт"], ["кто-нибудь придёт"]),
        (["в Нью-\nЙорке"], ["в Нью-Йорке"]),
        (["против COVID-\n19 и"], ["против COVID-19 и"]),
        # suspended hyphen: the hyphen and the space both stay
        (["Ein-\nund Ausfuhr"], ["Ein- und Ausfuhr"]),
        # hyphens inside a line are never touched
        (["Премьер-министр А.Асадов и торгово-экономического"], ["Премьер-министр А.Асадов и торгово-экономического"]),
        # a soft hyphen at a break is a split for certain
        (["сотрудни\u00ad", "чество продолжится"], ["сотрудничество продолжится"]),
        (["сотрудни\u00ad\nчество"], ["сотрудничество"]),
        # paragraph split mid-sentence
        (["успешном взаимодействии", "между Гянджинским заводом."], ["успешном взаимодействии между Гянджинским заводом."]),
        (["Стороны отметили,", "Азербайджан и Беларусь едины."], ["Стороны отметили, Азербайджан и Беларусь едины."]),
        # a finished sentence or an uppercase start is a real paragraph break
        (["Первый абзац.", "второй абзац"], ["Первый абзац.", "второй абзац"]),
        (["Заголовок без точки", "Текст абзаца."], ["Заголовок без точки", "Текст абзаца."]),
        (["Участники:", "- Азербайджан,", "- Беларусь."], ["Участники:", "- Азербайджан,", "- Беларусь."]),
        # soft line wraps inside a paragraph become spaces
        (["встретился с премьер-министром Республики\nБеларусь Романом Головченко."],
         ["встретился с премьер-министром Республики Беларусь Романом Головченко."]),
    ],
)
def test_repair_paragraphs(paragraphs: list[str], expected: list[str]) -> None:
    assert repair_paragraphs(paragraphs, language="be" if "гандлёва" in paragraphs[0] else "ru") == expected


def test_repair_uses_evidence_from_the_same_text() -> None:
    # "сельско-" + adjective looks like a coordinate compound, but the text writes the word solid elsewhere
    assert repair_paragraphs(["Развитие сельско-\nхозяйственного производства и сельскохозяйственного рынка."]) == [
        "Развитие сельскохозяйственного производства и сельскохозяйственного рынка."
    ]
    # "диджитал-" + "агентство" looks like a split word, but the text uses the hyphenated form inline
    assert repair_paragraphs(["Работает диджитал-\nагентство.", "Это диджитал-агентство из Минска."]) == [
        "Работает диджитал-агентство.", "Это диджитал-агентство из Минска."
    ]
    # without that evidence the same break is a split word
    assert repair_paragraphs(["Работает диджитал-\nагентство."]) == ["Работает диджиталагентство."]


@pytest.mark.parametrize("marker", ["***", "* * *", r"\*\*\*", r"\* \* \*", "*****"])
def test_section_break_variants_become_three_stars(marker: str) -> None:
    assert is_section_break(marker)
    assert repair_paragraphs(["Первый абзац.", marker, "Второй абзац."]) == ["Первый абзац.", "***", "Второй абзац."]


def test_never_join_across_section_break_or_heading() -> None:
    assert repair_paragraphs(["текст без точки", "***", "продолжение"]) == ["текст без точки", "***", "продолжение"]
    assert repair_paragraphs(["взаимодей-", r"\*\*\*", "ствию"]) == ["взаимодей-", "***", "ствию"]
    assert repair_paragraphs(["## Подзаголовок", "текст после заголовка"]) == ["## Подзаголовок", "текст после заголовка"]
    assert repair_paragraphs(["**Жирный заголовок**", "текст"]) == ["**Жирный заголовок**", "текст"]
    assert repair_paragraphs(["текст без точки", "## Заголовок"]) == ["текст без точки", "## Заголовок"]


def test_repair_drops_empty_and_normalises() -> None:
    assert repair_paragraphs(["", "  ", "Али\u00a0Асадов прибыл.", "\u200b"]) == ["Али Асадов прибыл."]
    assert repair_paragraphs([]) == []


def test_to_body_text() -> None:
    assert to_body_text(["Один.", "", "  ", "Два.", "***", "Три."]) == "Один.\n\nДва.\n\n***\n\nТри."
    assert to_body_text([]) == ""


# ---------------------------------------------------------------- sentences

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("А.Асадов возложил венок. Затем прозвучали гимны.", ["А.Асадов возложил венок.", "Затем прозвучали гимны."]),
        ("Встречу провёл А. Асадов. Она прошла в г. Минске, т.е. в столице.",
         ["Встречу провёл А. Асадов.", "Она прошла в г. Минске, т.е. в столице."]),
        ("Рост составил 2.5 процента. Это много!", ["Рост составил 2.5 процента.", "Это много!"]),
        ("Mr. Smith met Dr. Jones in the U.S. capital. They talked.",
         ["Mr. Smith met Dr. Jones in the U.S. capital.", "They talked."]),
        ("Das gilt z.B. für Berlin und z. B. Hamburg. Am 13. Juli 2018 kam er.",
         ["Das gilt z.B. für Berlin und z. B. Hamburg.", "Am 13. Juli 2018 kam er."]),
        ("Sie kam 2018. Dann ging sie.", ["Sie kam 2018.", "Dann ging sie."]),
        ("Он сказал: «Мы готовы.» Затем ушёл.", ["Он сказал: «Мы готовы.»", "Затем ушёл."]),
        ("Почему? Потому что… Всё ясно.", ["Почему?", "Потому что…", "Всё ясно."]),
        ("Əli Əsədov Minskə gəlib. Tərəflər görüşüb.", ["Əli Əsədov Minskə gəlib.", "Tərəflər görüşüb."]),
        ("Заголовок без точки\n\nПервое предложение. 3 октября второе.\n\n***\n\nПоследнее.",
         ["Заголовок без точки", "Первое предложение.", "3 октября второе.", "Последнее."]),
        ("", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


# ---------------------------------------------------------------- fold_for_hash

def _fold_in_five_passes(text: str) -> str:
    """fold_for_hash as it was written before its one pass (perf-parse9): the definition it must keep."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFC", text)
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    text = text.casefold().replace("ё", "е")
    text = re.sub("[\"«»“”„‟″〝〞＂]", '"', text)
    text = re.sub("['‘’‚‛′‹›`´ʼ]", "'", text)
    text = re.sub("[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]", "-", text).replace("…", "...")
    return re.sub(r"\s+", " ", text).strip()


def test_fold_for_hash_in_one_pass_folds_every_character_as_the_five_passes_did() -> None:
    """Every code point alone (the passes after NFC map single characters, so this covers any text), and
    texts where the folds meet: ŉ casefolds to ʼn (a quote, after the case fold), Ё to ё (then е)."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    assert [c for c in chars if fold_for_hash(c) != _fold_in_five_passes(c)] == []
    # Between letters, in a run: the whitespace str.split squashes is exactly re's \s (the fold squashes by split).
    assert [c for c in chars if fold_for_hash(f"a{c}{c}b") != _fold_in_five_passes(f"a{c}{c}b")] == []
    for text in ("ŉ «Ё» — it’s\u00ad\u200b … ＂Straße＂ ‒ ﹘", "  ЁЛКА\u2066 ‘x’ ‐ y\u202e  ", "e\u0301\u200de\u0301", ""):
        assert fold_for_hash(text) == _fold_in_five_passes(text)


def test_fold_for_hash_of_ascii_texts_is_the_five_passes() -> None:
    """The ASCII shortcut (lower case, the backtick): made texts of every ASCII character, capitals, quotes and whitespace runs."""
    import random
    import string

    rng = random.Random(17)
    pieces = [*map(chr, range(128)), "`", "``", '"', "'", "  ", "\n\n", " \t ", "Word", "ABC", "don`t"]
    for _ in range(5_000):
        text = "".join(rng.choices(pieces, k=rng.randrange(40)))
        assert fold_for_hash(text) == _fold_in_five_passes(text), text
    assert fold_for_hash(string.printable) == _fold_in_five_passes(string.printable)


def test_blank_lines_made_spaces_leave_the_squash_and_the_fold_as_they_were() -> None:
    """A body's paragraphs joined by blank lines: each made a space before the squash (so that the squash's own
    test settles most bodies), which gives the split and join of the text's words, whatever its whitespace; the
    fold of such texts, ASCII or not, is the five passes'."""
    import random

    from govpress.parsers.text import _squash_paragraphs

    rng = random.Random(26)
    pieces = ["\n\n", "\n\n\n", "\n", " ", "  ", "\t", "\u00a0", "\u3000", "\x1f", "\r\n\r\n", "Слово", "word", "ё",
              "«", "—", "…", ".", "ʼ", "\u00ad", "e\u0301", "Ǆ"]
    for _ in range(5_000):
        paragraphs = ["".join(rng.choices(pieces, k=rng.randrange(12))) for _ in range(rng.randrange(1, 5))]
        text = rng.choice(("\n\n", " \n\n", "\n\n ", "\n\n\n\n")).join(paragraphs)
        assert _squash_paragraphs(text) == " ".join(text.split()), repr(text)
        assert fold_for_hash(text) == _fold_in_five_passes(text), repr(text)


def test_fold_for_hash_equal_for_cosmetic_differences() -> None:
    a = "Премьер-министр  «Али Асадов» — в Минске…\n\nЁлка"
    b = "премьер\u2011министр \"Али\u00a0Асадов\" - в минске...   елка "
    assert fold_for_hash(a) == fold_for_hash(b)
    assert fold_for_hash("и\u0306 it’s") == fold_for_hash("й it's")


def test_fold_for_hash_keeps_real_differences() -> None:
    assert fold_for_hash("2 октября") != fold_for_hash("3 октября")
    assert fold_for_hash("торгово-экономического") != fold_for_hash("торговоэкономического")
    assert not re.search(r"\s{2,}", fold_for_hash("a \n\n\t b"))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("аб-ствиюТ\u00ad *\\#.,\n ")), max_size=30), max_size=6))
def test_fuzz_repair_and_sentences_never_raise(paragraphs: list[str]) -> None:
    repaired = repair_paragraphs(paragraphs)
    assert all(p and p == p.strip() for p in repaired)
    sentences(to_body_text(repaired))


# ---------------------------------------------------------------- chrome: the opening screen


def _forms(words: str) -> list[str]:
    """Each top-level alternative of a label's words, its groups reduced to their first alternative."""
    if words.startswith("(?:") and words.endswith(")"):
        words = words[3:-1]
    out = []
    for form in top_level_alternatives(words):
        form = re.sub(r"\(\?:([^()|]*)[^()]*\)\??", r"\1", form)  # a group: its first alternative
        form = re.sub(r"\[\^[^\]]*\]\{[^}]*\}\??", " ", form)  # "any few characters but": a space
        form = re.sub(r"\[([^\]^])[^\]]*\]", r"\1", form)  # a class: its first character
        out.append(re.sub(r"\\(.)", r"\1", form.replace("\\b", "")))  # escapes: the character itself
    return out


def test_a_line_no_label_opens_is_no_labelled_chrome() -> None:
    """chrome_kind asks the nine labelled rules only of a line one of their labels opens
    (``_CHROME_OPENING``): every line they call chrome must pass that screen."""
    import random

    from govpress.parsers import text as t

    labels = [form for words in (t._SHARE_LABEL, t._SUBSCRIBE_LABEL, t._SEE_ALSO_STRONG, t._SEE_ALSO_WEAK, t._PRINT_WORDS,
                                 t._TAGS_LABEL, t._CREDIT_LABEL) for form in _forms(words)]
    assert len(labels) > 150 and all(t._CHROME_OPENING.match(form) for form in labels if form)
    tails = ["", ":", ": facebook, vk", " vk | telegram", " us on telegram", ": Jane Doe", " by Reuters", " БЕЛТА",
             " — a link title", ": the minister met. Then he left.", " 2024", " (PDF, 2 MB)", "x", " из архива", " ©"]
    rng = random.Random(11)
    chrome = 0
    for _ in range(20_000):
        line = rng.choice(["", "", "• ", "» ", "The ", "Фото и ", "x"]) + rng.choice(labels) + rng.choice(tails)
        line = line.upper() if rng.random() < 0.2 else line.capitalize() if rng.random() < 0.3 else line
        bare = " ".join(line.split()).strip(t._DECORATION + ":：")
        kind = t._labelled_chrome(bare) if bare else None
        chrome += kind is not None
        assert kind is None or t._CHROME_OPENING.match(bare), line
    assert chrome > 5_000


def test_the_factored_opening_matches_what_the_flat_alternation_matches() -> None:
    """``_CHROME_OPENING`` is the labels' forms grouped by opening letter (``_factored``): at a line's start it
    must match wherever the plain alternation of the same words does, as far (fails if a form is lost)."""
    import random

    from govpress.parsers import text as t

    flat = re.compile("|".join(f"(?:{words})" for words in t._CHROME_LABELS), re.I)
    assert flat.pattern != t._CHROME_OPENING.pattern and len(t._alternatives(t._CHROME_OPENING.pattern)) < 60
    labels = [form for words in t._CHROME_LABELS for form in _forms(words)]
    letters = sorted({c for form in labels for c in form + form.upper()} | set("İıſKß-: .,"))
    rng = random.Random(16)
    lines = [*labels, *(form.upper() for form in labels), *(form[:-1] for form in labels)]
    for _ in range(30_000):
        line = rng.choice(labels)
        cut = rng.randrange(len(line) + 1)
        noise = "".join(rng.choice(letters) for _ in range(rng.randrange(4)))
        line = line[:cut] + noise + line[cut + rng.randrange(2):] if rng.random() < 0.6 else line + noise
        lines.append(line.upper() if rng.random() < 0.2 else line)
    lines += ["".join(rng.choice(letters) for _ in range(rng.randrange(12))) for _ in range(5_000)]
    matched = 0
    for line in lines:
        expected, got = flat.match(line), t._CHROME_OPENING.match(line)
        assert (expected and expected.span()) == (got and got.span()), line
        matched += expected is not None
    assert matched > 15_000


def test_factored_keeps_every_form() -> None:
    from govpress.parsers.text import _alternatives, _factored

    assert _factored(["share", "shift", "print", "print page", "(?:x|y)z", "s?a"]) == "sh(?:are|ift)|prin(?:t|t page)|(?:x|y)z|s?a"
    assert _alternatives("(?:a|b(?:c|d)|[|(]e)") == ["a", "b(?:c|d)", "[|(]e"]
    assert _alternatives(r"a\|b|c") == [r"a\|b", "c"]
    assert _alternatives("(?:a)b(?:c)") == ["(?:a)b(?:c)"] and _alternatives("(?:a|b)?") == ["(?:a|b)?"]


def _former_factored(forms: list[str]) -> str:
    """``text._factored`` as it was: each inner alternation split again by ``_alternatives`` to count its parts."""
    from govpress.parsers.text import _alternatives

    groups: dict[str, list[str]] = {}
    for form in forms:
        letter = form[:1] if form[:1].isalpha() and form[1:2] not in ("?", "*", "+", "{") else ""
        groups.setdefault(letter or f"\0{len(groups)}", []).append(form)
    parts = []
    for letter, members in groups.items():
        rests = [member[1:] for member in members]
        if len(letter) != 1 or len(members) == 1 or "" in rests:
            parts.extend(members)
        else:
            inner = _former_factored(rests)
            parts.append(f"{letter}(?:{inner})" if len(_alternatives(inner)) > 1 else letter + inner)
    return "|".join(parts)


def test_factored_gives_the_string_it_gave_when_it_split_every_inner_alternation() -> None:
    """``_factored`` counts an inner alternation's parts as it builds them: the same pattern string as the
    former count by ``_alternatives`` (the chrome labels', and 3,000 made lists of forms with groups, classes,
    quantifiers, escapes, empty forms and shared openings)."""
    import random

    from govpress.parsers import text as t

    forms = [form for words in t._CHROME_LABELS for form in t._alternatives(words)]
    assert t._factored(forms) == _former_factored(forms) == t._CHROME_OPENING.pattern
    rng = random.Random(18)
    pieces = ["a", "b", "ab", "ba", "s", "sh", "sha", "(?:a|b)", "(?:x)", "[|(]", r"\|", "?", "a?", "b+", "c{2}", "",
              "(?:a|b)?", "п", "по", "д", " ", "-"]
    for _ in range(3_000):
        made = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 12))]
        made = [form for form in made if not form.startswith(("?", "+", "{"))]
        if made:
            assert t._factored(made) == _former_factored(made), made


def test_section_breaks_and_headings_told_by_the_first_character_as_by_the_patterns() -> None:
    """``is_section_break`` and ``_is_heading`` match their patterns only after the opening character that every
    form needs: the same answers as the patterns alone, for random markup and every code point first."""
    import random

    from govpress.parsers import text as t

    def expected_break(p: str) -> bool:
        return t._SECTION_BREAK.match(p.strip()) is not None

    def expected_heading(p: str) -> bool:
        return bool(t._HEADING.match(p) or t._WHOLLY_BOLD.match(p))

    rng = random.Random(16)
    pieces = ["*", "\\", "#", "_", "**", "__", " ", "\t", "\n", "a", "Я", "\u00a0", "\\*"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(9))) for _ in range(30_000)]
    texts += [f"{chr(cp)}{tail}" for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF for tail in ("* *", "# x*", "*a*")
              if cp % 7 == 0 or cp < 0x3000]
    breaks = headings = 0
    for text in texts:
        assert t.is_section_break(text) == expected_break(text), repr(text)
        assert t._is_heading(text) == expected_heading(text), repr(text)
        breaks += expected_break(text)
        headings += expected_heading(text)
    assert breaks > 400 and headings > 600


def test_needs_substitution_is_the_special_characters_search_for_every_code_point() -> None:
    """normalize() skips its substitutions for a text ``_needs_substitution`` clears; a printable text is
    cleared without the regex (every special character is unprintable): the same answer for every character."""
    from govpress.parsers.text import _SPECIAL_CHARS, _needs_substitution

    for c in map(chr, range(0x110000)):
        text = f"а{c}б"  # Cyrillic around it: the non-ASCII way, where the shortcut is
        assert _needs_substitution(text) == (_SPECIAL_CHARS.search(text) is not None), hex(ord(c))
    assert _needs_substitution("а  б") and _needs_substitution("а\nб\u00a0") and not _needs_substitution("а\nб")


def test_line_end_breaks_are_cut_as_the_patterns_substitution_cuts_them() -> None:
    """The hyphen evidence's text without its line-end breaks: the former ``re.sub`` over the whole text, exactly
    (20,000 made texts of word characters, both hyphens, spaces, tabs, newlines and other separators)."""
    import random

    from govpress.parsers import text as text_module

    former = re.compile(r"\w*[-\u2010][ \t]*\n\s*\w*")
    alphabet = ["a", "Ж", "7", "_", "-", "\u2010", " ", "\t", "\n", "\n", ".", "\r", "\u00a0", "\u2028", "é", "-\n"]
    rng = random.Random(19)
    cut = 0
    for _ in range(20_000):
        made = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        expected = former.sub(" ", made)
        assert text_module._without_line_end_breaks(made) == expected, repr(made)
        cut += expected != made
    assert cut > 5_000
    assert repair_paragraphs(["Die Zusammen-", "arbeit der Länder und die Zusammenarbeit der Ministerien."], "de") == [
        "Die Zusammenarbeit der Länder und die Zusammenarbeit der Ministerien."]


def test_remembered_folds_and_clean_titles_answer_as_the_plain_functions() -> None:
    """fold_for_hash and clean_title remember short texts: the same answers as the functions they wrap, asked
    once or many times; a long text is not kept."""
    from govpress.parsers.html import blocks
    from govpress.parsers import text as module

    samples = ["Ёлка «Новый год» — 2024…", "  soft\u00adhyphen\u00a0and  spaces\t", "Cafe\u0301 ‘quoted’", "A`B", "",
               "ТЕКСТ\u200b с невидимым", "x" * 301]
    for sample in samples * 2:
        assert module.fold_for_hash(sample) == module._fold_for_hash(sample)
        assert blocks.clean_title(sample) == (blocks._clean_title(sample) if sample else "")
    assert "x" * 301 not in module._FOLDS and "x" * 301 not in blocks._CLEAN_TITLES
    assert module._FOLDS["Ёлка «Новый год» — 2024…"] == 'елка "новый год" - 2024...'


def test_remembered_texts_are_plain_strings() -> None:
    """A str subclass (lxml's smart strings hold their element, and so the whole document) is answered but never kept
    as a memo's key."""
    from govpress.parsers.html import blocks
    from govpress.parsers import text as module

    class Smart(str):
        pass

    smart = Smart("A title held by its element")
    assert module.fold_for_hash(smart) == "a title held by its element"
    assert blocks.clean_title(smart) == "A title held by its element"
    assert not any(type(key) is Smart for key in [*module._FOLDS, *blocks._CLEAN_TITLES])


def test_the_patterns_compiled_once_are_the_ones_the_calls_compiled() -> None:
    """_trailing_word, _keeps_hyphen, the sentence splitter's boundary and the date offsets read patterns compiled at
    import (re's module functions looked each up in re's cache at every call): the same patterns, the same answers."""
    import re

    from govpress.parsers import dates, text

    assert text._TRAILING_WORD.pattern == rf"(\w+(?:[{text._HYPHENS}]\w+)*)[{text._HYPHENS}]$"
    assert text._HYPHEN_SPLIT.pattern == f"[{text._HYPHENS}]"
    assert (text._BLANK.pattern, text._INITIALS.pattern) == (r"\s", rf"(?:{text._LETTER}\.)*{text._LETTER}")
    assert dates._NUMERIC_OFFSET.pattern == r"(?:utc|gmt|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?"
    assert all(p.flags == re.UNICODE for p in (text._TRAILING_WORD, text._HYPHEN_SPLIT, text._BLANK, text._INITIALS,
                                               dates._NUMERIC_OFFSET))
    assert text._trailing_word("взаимо-действие взаимодей-") == "взаимодей"
    assert [dates._offset_minutes(t) for t in ("+0300", "GMT+3", "-03:30", "utc +14", "+15", "Z")] == [180, 180, -210, 840, None, 0]
    assert text.sentences("Dr. A. B. Smith met z. B. the minister. He left.") == ["Dr. A. B. Smith met z. B. the minister.", "He left."]


def test_a_memo_answers_a_plain_short_text_without_its_general_way(monkeypatch) -> None:
    """ShortTextMemo answers a call with one plain short text on its own (a hit is a dict look-up, ~24 a page);
    calls with more arguments, str subclasses and long texts go the general way (``_with_more``), answered as
    the function answers them and kept only when plain and short."""
    from govpress.parsers.memo import ShortTextMemo

    calls: list[tuple] = []

    def function(text: str, *more: str | None) -> str:
        calls.append((text, *more))
        return f"{text}|{more}"

    memo = ShortTextMemo(function, longest=10, entries=3)
    general: list[tuple] = []
    real = ShortTextMemo._with_more
    monkeypatch.setattr(ShortTextMemo, "_with_more", lambda self, text, more: general.append((text, *more)) or real(self, text, more))

    class Smart(str):
        pass

    assert [memo("a"), memo("a"), memo("b")] == ["a|()", "a|()", "b|()"]
    assert general == [] and calls == [("a",), ("b",)]
    assert [memo("a", "x"), memo("a", "x"), memo("a", None)] == ["a|('x',)", "a|('x',)", "a|(None,)"]
    assert memo(Smart("s")) == "s|()" and memo("long text!!") == "long text!!|()" and memo("a", Smart("y")) == "a|('y',)"
    assert general == [("a", "x"), ("a", "x"), ("a", None), ("s",), ("long text!!",), ("a", "y")]
    assert calls[2:] == [("a", "x"), ("a", None), ("s",), ("long text!!",), ("a", "y")]
    assert all(type(k) is str or (type(k) is tuple and all(type(p) in (str, type(None)) for p in k)) for k in memo.answers)
    assert len(memo.answers) <= 3  # cleared when full
    memo("c")
    memo("d")
    assert len(memo.answers) <= 3 and memo("d") == "d|()"


def _former_evidence(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The hyphen evidence as it was read before perf-body25: a hyphen search and a split or an add per token."""
    import re

    from govpress.parsers import text as module

    inline = module._without_line_end_breaks(text).lower()
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for token in re.findall(rf"\w+(?:[{module._HYPHENS}]\w+)*", inline):
        if re.search(f"[{module._HYPHENS}]", token):
            parts = re.split(f"[{module._HYPHENS}]", token)
            words.update(parts)
            pairs.update(zip(parts, parts[1:]))
        else:
            words.add(token)
    return words, pairs


def test_hyphen_evidence_answers_by_search_what_the_sets_of_every_token_answered() -> None:
    """_Evidence answers whether a word is one of the text's words and whether two words stand joined by a hyphen
    inside a token by searching the text: what the former sets of every token's parts and pairs answered, for every
    word and pair the text holds and for made ones (halves, joins, case and lowercasing that leaves ``\\w``:
    İ, ß, Σ, marks), on 20,000 made texts of words, both hyphens, doubled and dangling hyphens, underscores, digits
    and line-end breaks."""
    import random

    from govpress.parsers.text import _Evidence

    rng = random.Random(25)
    pieces = ["торгово", "экономического", "нью", "йорк", "covid", "19", "a", "b_c", "x\u0301y", "ǆ", "i\u0307stanbul",
              "e", "ab", "abab", "-", "\u2010", "--", "-\u2010", " ", "  ", "\n", "-\n", "- \n", "\u2010\n", ",", ".",
              "_", "1", "ß", "ﬁ", "σ", "ς", "İ", "Σ"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30)))
        evidence = _Evidence.of(text)
        words, pairs = _former_evidence(text)
        asked = [*words, *(w + v for w in list(words)[:4] for v in list(words)[:4]), *(w[:2] for w in words),
                 *(rng.choice(pieces) + rng.choice(pieces) for _ in range(4)), "i\u0307", "İ".lower(), ""]
        for word in asked:
            assert evidence.has_word(word) == (word in words), (text, word)
        listed = list(words)
        made_pairs = [*pairs, *((rng.choice(listed), rng.choice(listed)) for _ in range(6) if listed),
                      *((b, a) for a, b in pairs), ("", "a"), ("a", "")]
        for first, second in made_pairs:
            assert evidence.has_pair(first, second) == ((first, second) in pairs), (text, first, second)


def test_word_characters_are_res_word_class_for_every_code_point() -> None:
    """The evidence's bounds test a character as re's ``\\w`` does."""
    import re
    import sys

    from govpress.parsers.text import _is_word_char

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert _is_word_char(char) == (re.match(r"\w", char) is not None), hex(code)


def test_repair_reads_the_next_word_and_the_evidence_only_after_a_line_final_hyphen(monkeypatch) -> None:
    """repair_paragraphs reads the word after a break (``_leading_word``) and the text's hyphen evidence only when
    the text before the break ends in a hyphen; one-line paragraphs go through ``_join_lines`` untouched. The
    repaired text is as before: sentences joined across a break, a split word rejoined, a compound kept."""
    from govpress.parsers import text as module

    leading: list[str] = []
    read: list[str] = []
    real_leading, real_read = module._leading_word, module._without_line_end_breaks
    monkeypatch.setattr(module, "_leading_word", lambda t: leading.append(t) or real_leading(t))
    monkeypatch.setattr(module, "_without_line_end_breaks", lambda t: read.append(t) or real_read(t))
    plain = ["Первый абзац закончился", "на полуслове и продолжился.", "Второй абзац.", "Третий\nв две строки."]
    assert module.repair_paragraphs(plain, "ru") == [
        "Первый абзац закончился на полуслове и продолжился.", "Второй абзац.", "Третий в две строки."]
    assert leading == [] and read == []
    assert module._join_lines("one line, no break", "en", module._Evidence.of("")) == "one line, no break"
    split = ["Речь шла о взаимодей-", "ствии и торгово-", "экономического сотрудничества."]
    assert module.repair_paragraphs(split, "ru") == ["Речь шла о взаимодействии и торгово-экономического сотрудничества."]
    assert leading == ["ствии и торгово-", "экономического сотрудничества."] and len(read) == 1


def test_settled_paragraphs_are_their_own_squash_and_normalize_and_skip_the_rescans(monkeypatch) -> None:
    """A paragraph the HTML reader found to be its own squash and normalize (blocks.py ``_squash_and_normal``) is
    noted settled: every such text made from every code point (alone, doubled, between words, at the ends, after
    tabs and line breaks) is its own squash, normalize and line-break unification and holds no soft hyphen; the
    repair and the chrome test then take it without ``normalize`` and ``squash``, and answer as without the note.
    The set holds plain strings only and is emptied at its bounds."""
    import sys

    from govpress.parsers import text as module
    from govpress.parsers.html.blocks import _squash_and_normal

    settled = []
    for start in range(0, sys.maxunicode + 1, 64):
        chars = "".join(chr(c) for c in range(start, start + 64) if not 0xD800 <= c <= 0xDFFF)
        for made in (chars, f"word {chars} word", " ".join(chars), f"\t{chars[:8]}  x\n", chars[:4] * 2):
            squashed, same = _squash_and_normal(made)
            if same and squashed:
                assert module.squash(squashed) == squashed and module.normalize(squashed) == squashed, repr(made)
                assert module._unify_newlines(squashed) == squashed and "\u00ad" not in squashed, repr(made)
                settled.append(squashed)
    assert len(settled) > 1000

    module._SETTLED.clear()
    paragraphs = ["Первый абзац закончился", "на полуслове.", "Поделиться", "Фото: БЕЛТА", "Share on Facebook",
                  "Плохо\u00a0 разбитый   текст", *settled[:200]]
    plain_repair = module.repair_paragraphs(paragraphs, "ru")
    plain_kinds = [module.chrome_kind(p) for p in paragraphs]
    for paragraph in paragraphs:
        squashed, same = _squash_and_normal(paragraph)
        if same:
            module.note_settled(squashed)
    assert "Плохо\u00a0 разбитый   текст" not in module._SETTLED and "Поделиться" in module._SETTLED
    asked: list[str] = []
    real_normalize, real_squash = module.normalize, module.squash
    monkeypatch.setattr(module, "normalize", lambda t: asked.append(t) or real_normalize(t))
    monkeypatch.setattr(module, "squash", lambda t: asked.append(t) or real_squash(t))
    assert module.repair_paragraphs(paragraphs, "ru") == plain_repair
    assert [module.chrome_kind(p) for p in paragraphs] == plain_kinds
    assert set(asked) <= {"Плохо\u00a0 разбитый   текст", "Плохо разбитый текст", "Фото: БЕЛТА", "БЕЛТА"}

    class Smart(str):
        pass

    module.note_settled(Smart("held by its element"))
    assert "held by its element" not in module._SETTLED
    monkeypatch.setattr(module, "_SETTLED_MOST_TEXTS", 3)
    for word in ("a", "b", "c", "d"):
        module.note_settled(word)
    assert module._SETTLED == {"d"}
