"""The transliteration name key: real variants of one name across Cyrillic and Latin scripts meet, other names do not."""

from __future__ import annotations

import random
import re

import pytest

from govpress.dedupe.names import _NAME, _capitalised, is_stop_key, keys_match, name_key, name_words, release_names, shared_names
from testpaths import SEED

# Forms of one name as Russian, Belarusian (Cyrillic and Latin), English, German, Polish and
# Azerbaijani publishers write them, case endings included.
VARIANTS = {
    "Golovchenko": ["Головченко", "Golovchenko", "Golowtschenko", "Галоўчанка", "Halouchanka", "Hałoŭčanka",
                    "Gołowczenko"],
    "Asadov": ["Асадов", "Асадова", "Асадовым", "Asadov", "Asadow", "Assad", "Əsədov", "Асадаў", "Asadau"],
    "Lukashenko": ["Лукашенко", "Lukashenko", "Lukaschenko", "Лукашэнка", "Łukašenka", "Łukaszenka", "Lukašenka"],
    "Azerbaijan": ["Азербайджан", "Азербайджана", "Azerbaijan", "Aserbaidschan", "Azerbejdżan"],
    "Minsk": ["Минск", "Минске", "Мінск", "Minsk", "Mińsk"],
    "Belarus": ["Беларусь", "Беларуси", "Belarus", "Belarusi", "Белоруссии"],
    "Mishustin": ["Мишустин", "Mishustin", "Mischustin", "Miszustin", "Мішусцін"],
    "Nazarbayev": ["Назарбаев", "Nazarbayev", "Nasarbajew", "Назарбаеў", "Nazarbajew"],
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_form_of_one_name_matches_every_other(name: str) -> None:
    keys = {form: name_key(form) for form in VARIANTS[name]}
    misses = [(a, b, keys[a], keys[b]) for a in keys for b in keys if not keys_match(keys[a], keys[b])]
    assert misses == []


def test_different_names_do_not_match() -> None:
    firsts = {name: name_key(forms[0]) for name, forms in VARIANTS.items()}
    clashes = [(a, b) for a in firsts for b in firsts if a < b and keys_match(firsts[a], firsts[b])]
    assert clashes == []
    assert not keys_match(name_key("Минск"), name_key("Министр"))  # Minsk is not a minister
    assert not keys_match(name_key("Селиверстов"), name_key("Головченко"))


def test_short_skeletons_name_nothing_and_words_of_office_are_left_out() -> None:
    assert not keys_match(name_key("Baku"), name_key("Baku"))  # bk: too short to tell apart
    assert not keys_match(name_key("Токаев"), name_key("Tokajew"))  # tk: the same limit drops short names
    assert all(is_stop_key(name_key(w)) for w in ["Премьер-министр".split("-")[0], "Prime", "Президента", "Präsident"])
    assert not is_stop_key(name_key("Головченко"))


def test_names_are_capitalised_words_not_opening_a_sentence_nor_acronyms() -> None:
    text = "Встреча прошла в Минске. Стороны обсудили работу ОАО «Белшина» и визит Асадова."
    assert name_words(text) == ["Минске", "Асадова"]  # Встреча, Стороны open sentences; ОАО is an acronym


def test_release_names_keep_the_first_form_and_shared_names_pair_the_forms() -> None:
    ru = release_names(["Роман Головченко встретился с Али Асадовым в Минске"])
    de = release_names(["Ali Asadow bei Roman Golowtschenko in Minsk", None])
    pairs = {(a, b) for _, a, b in shared_names(ru, de)}
    assert pairs == {("Головченко", "Golowtschenko"), ("Асадовым", "Asadow"), ("Минске", "Minsk")}


def test_a_name_opening_the_title_counts_when_the_release_writes_it_inside_a_sentence() -> None:
    title = "Golovchenko, Asadov discuss prospects of cooperation"
    assert set(release_names([title]).values()) == {"Asadov"}  # the first word alone says nothing
    body = "The talks were held in Minsk. Prime Minister Roman Golovchenko said trade grew."
    assert set(release_names([title], body).values()) == {"Golovchenko", "Asadov"}
    assert set(release_names(["Talks held in Minsk"], "Talks were long.")) == {"mnsk"}  # Talks never inside a sentence


# The rule before it was made linear: a regular expression searched over the whole text before each word.
_OLD_SENTENCE_START = re.compile(r"(^|[.!?:«\"“„]\s*|\n\s*)$")


def _old_capitalised(text: str) -> list[tuple[str, bool]]:
    return [(m.group(0), bool(_OLD_SENTENCE_START.search(text[:m.start()])))
            for m in _NAME.finditer(text) if m.group(0)[0].isupper() and not m.group(0).isupper()]


def test_the_linear_sentence_start_rule_decides_as_the_regular_expression_did() -> None:
    rng = random.Random(14)
    pieces = ["Минск", "Asadov", "visit", "NATO", " ", "  ", "\n", " \n ", "\u00a0", "\t", ".", "!", "?", ":", "«",
              "\"", "“", "„", ",", ";", ")", "Головченко", "и", "Golowtschenko", "2025", "—",
              "McDonald", "x", "_", "1", "Ⓐbcd", "Ⅻvwxy", "ǅabcd", "\U00010400bcde", "\U0001D400bcde"]
    # Capitals inside words, digits and underscores glued on, title case, upper-case symbols that
    # are not letters, capitals beyond U+FFFF (which take the other path): where the two could differ.
    texts = ["".join(rng.choices(pieces, k=rng.randrange(1, 40))) for _ in range(3000)]
    seed = SEED.read_text(encoding="utf-8") if SEED.exists() else ""  # the real releases too, when beside the checkout
    texts += [seed[i:i + 4000] for i in range(0, min(len(seed), 400_000), 4000)]
    assert [_capitalised(t) for t in texts] == [_old_capitalised(t) for t in texts]
    assert any(opens for t in texts for _, opens in _capitalised(t))
    assert any(not opens for t in texts for _, opens in _capitalised(t))


def _eager_release_names(parts: list[str | None], body: str | None = None) -> dict[str, str]:
    """release_names as it was before it read the texts' names lazily: every name of every text first."""
    names: dict[str, str] = {}

    def add(word: str) -> None:
        key = name_key(word)
        if len(key) >= 3 and not is_stop_key(key) and not any(keys_match(key, k) for k in names):
            names[key] = word

    inside = {name_key(w) for text in [*parts, body] for w in name_words(text)}
    for part in parts:
        for word, opens in _capitalised(part):
            if not opens or any(keys_match(name_key(word), k) for k in inside):
                add(word)
    return names


def test_names_read_lazily_are_the_names_read_eagerly() -> None:
    rng = random.Random(13)
    forms = [form for group in VARIANTS.values() for form in group]
    pieces = [*forms, "Minister", "Президент", "Visit", "Talks", "Встреча", "NATO", "the", "и", "met", "in", " ", " ",
              ". ", "\n", ": ", ", ", "«", "Golovchenko,", "Mishustina", "Alpha", "Alphabet", "Baku"]
    cases = []
    for _ in range(3000):
        parts = ["".join(rng.choices(pieces, k=rng.randrange(0, 14))) or None for _ in range(3)]
        body = "".join(rng.choices(pieces, k=rng.randrange(0, 60))) or None
        cases.append((parts, body))
    seed = SEED.read_text(encoding="utf-8") if SEED.exists() else ""  # the real releases too, when beside the checkout
    cases += [([seed[i:i + 120], None, seed[i + 120:i + 400]], seed[i + 400:i + 4000]) for i in range(0, min(len(seed), 400_000), 4000)]
    got = [release_names(parts, body) for parts, body in cases]
    assert got == [_eager_release_names(parts, body) for parts, body in cases]
    assert sum(1 for names in got if names) > 1000
    # the order of the names kept is part of the answer (the first form written wins)
    assert [list(n) for n in got] == [list(_eager_release_names(p, b)) for p, b in cases]


def test_a_word_character_before_a_capital_is_alphanumeric_or_an_underscore() -> None:
    """``_capital_matches`` tells re's ``\\w`` by ``str.isalnum`` or ``_``: the same for every code point."""
    import re

    word = re.compile(r"\w")
    assert [hex(c) for c in range(0x110000) if (chr(c).isalnum() or chr(c) == "_") != (word.match(chr(c)) is not None)] == []


def test_the_capitals_pattern_leaves_out_a_capital_after_a_word_character() -> None:
    """The BMP pattern's own matches are the words: a capital after a word character (a letter, digit or "_",
    inside a word or glued to one) opens none, at the text's start one does, and the words after a rejected capital
    are found as when that boundary was checked apart from the pattern (the former filter over its matches)."""
    import re

    from govpress.dedupe.names import _capitalised_bmp

    pattern = _capitalised_bmp()
    former = re.compile(pattern.pattern.replace("(?<!\\w.)", ""))

    def filtered(text: str) -> list[tuple[int, str]]:
        return [(m.start(), m.group(0)) for m in former.finditer(text)
                if not (m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"))]

    rng = random.Random(22)
    pieces = ["Минск", "Asadov", "visit", "x", "_", "1", "٣", " ", "\n", ".", "«", "AbcDefg", "Ⅻvwxy", "ǅabcd", "Ölçek", "İlham"]
    texts = ["".join(rng.choices(pieces, k=rng.randrange(1, 30))) for _ in range(3000)] + ["Abcd", "xAbcd", "_Abcd", "1Abcd"]
    assert [[(m.start(), m.group(0)) for m in pattern.finditer(t)] for t in texts] == [filtered(t) for t in texts]
    assert [m.group(0) for m in pattern.finditer("Abcd xAbcd _Efgh 1Ijkl Mnop")] == ["Abcd", "Mnop"]


def test_name_words_are_the_capitalised_words_not_opening_a_sentence() -> None:
    """``name_words`` tells the usual word after one space without ``_opens_sentence``: the same words as asking it
    of every capitalised word, whatever stands before the space (sentence ends, quotes, other spaces, a newline)."""
    from govpress.dedupe.names import _capitalised

    rng = random.Random(23)
    pieces = ["Минск", "Asadov", "visit", "NATO", "и", "x", " ", " ", "  ", "\n", " \n", "\u00a0", "\t", "\u2003", ".",
              "!", "?", ":", "«", "\"", "“", "„", ",", ";", ")", "2025", "—", "_", "Головченко"]
    texts = ["".join(rng.choices(pieces, k=rng.randrange(1, 40))) for _ in range(5000)]
    assert [name_words(t) for t in texts] == [[w for w, opens in _capitalised(t) if not opens] for t in texts]
    assert name_words("Минск. Asadov met Golovchenko, Asadov") == ["Golovchenko", "Asadov"]


def test_inside_keys_answer_as_their_definition_whatever_was_asked_before() -> None:
    """``_InsideKeys.matches`` (keys_match written out for the body's words, a short key answered without reading) is
    ``any(keys_match(key, k) for k in the texts' name keys)``, asked in any order, short keys and prefixes included."""
    from govpress.dedupe.names import _InsideKeys

    rng = random.Random(24)
    forms = [form for group in VARIANTS.values() for form in group]
    pieces = [*forms, "Minister", "Alpha", "Alphabet", "Baku", "Asad", "Ab", "the", "и", " ", " ", ". ", "\n", ", "]
    probes = sorted({name_key(f) for f in forms} | {"", "a", "ab", "hlc", "hlcnk", "hlcnkx", "asd", "asdm", "alf", "alfbt", "bk"})
    for _ in range(600):
        texts = ["".join(rng.choices(pieces, k=rng.randrange(0, 30))) or None for _ in range(4)]
        every = {name_key(w) for t in texts for w in name_words(t)}
        inside = _InsideKeys(texts)
        for key in rng.sample(probes, k=len(probes)):
            assert inside.matches(key) == any(keys_match(key, k) for k in every), (texts, key)


def test_inside_words_are_the_name_words_read_at_once() -> None:
    """``_inside_words`` (one ``findall`` with the sentence test as lookbehinds, the undecided cases handed to
    ``name_words``) gives ``name_words``' words, repeats included, for every mix of scripts, spaces, sentence ends
    and quotes; texts with a character beyond U+FFFF take the plain way."""
    from collections import Counter

    from govpress.dedupe.names import _inside_words

    rng = random.Random(25)
    pieces = ["Минск", "Asadov", "visit", "NATO", "и", "x", " ", " ", "  ", "\n", " \n", "\n\n", "\u00a0", "\t", "\r",
              "\u2003", "\u2028", "\x0b", ".", "!", "?", ":", "«", "»", "\"", "“", "”", "„", ",", ";", "(", ")", "-", "—",
              "2025", "_", "Головченко", "Əliyev", "İlham", "Şuşa", "Ölçek", "Ağdam", "Азәрбајҹан", "習近平", "東京",
              "Ⅻvwxy", "ǅabcd", "\U0001d400bcd", "𝐀", "Ἀθῆναι", "Tbilisi", "ТАСС", "Мішусцін"]
    texts = ["".join(rng.choices(pieces, k=rng.randrange(0, 40))) for _ in range(8000)]
    texts += ["Abcd", " Abcd", "  Abcd", "\nAbcd", ". Abcd", ".Abcd", "(Abcd", "x Abcd", "x  Abcd", "x\u00a0Abcd", "x \nAbcd"]
    assert [Counter(_inside_words(t)) for t in texts] == [Counter(name_words(t)) for t in texts]
    assert _inside_words("Встреча в Минске. Стороны, (Asadov) «Baku» NATO Golovchenko") == ["Минске", "Asadov", "Golovchenko"]


def _former_name_key(word: str) -> str:
    """name_key as it was before str.translate: a dict look-up or an NFKD a character, vowels by a generator."""
    import re
    import unicodedata

    from govpress.dedupe.names import _BELARUSIAN_SOFT, _CYRILLIC, _LATIN, _VOWELS, fold_spelling

    word = unicodedata.normalize("NFC", word.lower())
    if "і" in word or "ў" in word:
        word = _BELARUSIAN_SOFT.sub(lambda m: "т" if m.group(1) == "ц" else "д", word)
    out = []
    for char in word:
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _LATIN:
            out.append(_LATIN[char])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)))
    folded = fold_spelling("".join(c for c in "".join(out) if "a" <= c <= "z"))
    if not folded:
        return ""
    return re.sub(r"(.)\1+", r"\1", folded[0] + "".join(c for c in folded[1:] if c not in _VOWELS))


def test_name_keys_are_the_former_keys_in_every_script() -> None:
    """Every BMP letter alone and beside ASCII letters, and made words of Cyrillic (Russian, Belarusian, Ukrainian,
    Azerbaijani), Latin with marks (Azerbaijani, Polish, German, Czech), Greek, CJK, digits and marks."""
    rng = random.Random(26)
    letters = [chr(c) for c in range(0x10000) if chr(c).isalpha()]
    words = letters + [f"Ab{c}de" for c in letters] + [f"{c}{c}x" for c in letters[::7]]
    pools = ["абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ", "іўІЎдзцьеёюя", "ґєїҐЄЇ",
             "əğıöşüçƏĞİÖŞÜÇҹһәөүҝ", "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "äöüßÄÖÜ", "čďěňřšťůžČŠŽ", "abcdefghijklmnopqrstuvwxyzQWXZ",
             "αβγδΑΒΓ", "東京習近平", "\u0301\u0307\u0308", "0123"]
    for _ in range(20000):
        chosen = rng.sample(pools, rng.randint(1, 3))
        words.append("".join(rng.choice(rng.choice(chosen)) for _ in range(rng.randint(1, 14))))
    words += [form for group in VARIANTS.values() for form in group] + ["Мішусцін", "İlham", "Əliyev", "Şuşa", "Ǆemal"]
    name_key.cache_clear()
    assert [name_key(w) for w in words] == [_former_name_key(w) for w in words]


def test_stop_keys_are_told_as_keys_match_tells_them() -> None:
    """``is_stop_key`` (set look-ups of the stop keys' heads and their starts) is ``any(keys_match(key, stop))`` for
    every stop key's starts and extensions, short keys, and the keys of made words in several scripts."""
    from govpress.dedupe.names import _STOP_KEYS

    rng = random.Random(27)
    keys = {"", "a", "ab", "abc"} | {stop[:n] for stop in _STOP_KEYS for n in range(len(stop) + 1)}
    keys |= {stop + tail for stop in _STOP_KEYS for tail in ("", "a", "kz", "mnstr")}
    keys |= {name_key(form) for group in VARIANTS.values() for form in group}
    letters = "abcdfhklmnprstvz"
    keys |= {"".join(rng.choices(letters, k=rng.randrange(1, 9))) for _ in range(20000)}
    is_stop_key.cache_clear()
    assert [k for k in sorted(keys) if is_stop_key(k) != any(keys_match(k, stop) for stop in _STOP_KEYS)] == []
    assert sum(map(is_stop_key, keys)) > 150


def test_capitalised_words_read_at_once_are_those_of_the_sentence_test_a_word() -> None:
    """``_capitalised`` (one ``findall`` whose groups tell each word's sentence test, an undecided word handing the
    text to the test a word) gives each capitalised word with ``_opens_sentence``'s answer, in order, for every mix
    of scripts, spaces, newlines, sentence ends and quotes; texts with a character beyond U+FFFF take the plain way."""
    from govpress.dedupe.names import _capital_matches, _capitalised, _opens_sentence

    def one_by_one(text: str) -> list[tuple[str, bool]]:
        return [(m.group(0), _opens_sentence(text, m.start())) for m in _capital_matches(text) if not m.group(0).isupper()]

    rng = random.Random(26)
    pieces = ["Минск", "Asadov", "visit", "NATO", "и", "x", " ", " ", "  ", "\n", " \n", "\n\n", "\u00a0", "\t", "\r",
              "\u2003", "\u2028", "\x0b", ".", "!", "?", ":", "«", "»", "\"", "“", "”", "„", ",", ";", "(", ")", "-", "—",
              "2025", "_", "Головченко", "Əliyev", "İlham", "Ölçek", "Ⅻvwxy", "ǅabcd", "\U0001d400bcd", "Tbilisi", "ТАСС"]
    texts = ["".join(rng.choices(pieces, k=rng.randrange(0, 40))) for _ in range(8000)]
    texts += ["Abcd", " Abcd", "  Abcd", "\nAbcd", ". Abcd", ".Abcd", "(Abcd", "x Abcd", "x  Abcd", "x\u00a0Abcd", "x \nAbcd",
              ".\u00a0Abcd", "x\tAbcd", "«Abcd", "x «Abcd"]
    assert [_capitalised(t) for t in texts] == [one_by_one(t) for t in texts]
    assert _capitalised("Встреча в Минске. Стороны, (Asadov) «Baku» NATO Golovchenko") == [
        ("Встреча", True), ("Минске", False), ("Стороны", True), ("Asadov", False), ("Baku", True), ("Golovchenko", False)]
