"""Names across scripts: one transliteration key for the people and places a release names (pure).

The same event is told in Russian, Belarusian, English, German, Azerbaijani and Polish, and the
one thing its versions share is the names: Головченко, Golovchenko, Golowtschenko, Галоўчанка,
Halouchanka, Hałoŭčanka. :func:`name_key` folds every such form to one consonant skeleton:

1. Cyrillic to Latin by one scheme (ж zh, х kh, ц ts, ч ch, ш sh, щ shch, ў u, ...), Latin letters
   with diacritics to their base (ə a, ş sh, č ch, ł l, ß ss, ...); in a Belarusian word (і, ў)
   the soft ц and дз are read back as т and д (Мішусцін = Мишустин);
2. the spellings of one sound folded to one letter: tsch/ch/cz/č -> c, sch/sh/sz/š -> s,
   zh/ž -> z, kh -> h, ts/tz -> c (a lone Latin c is k, as in Republic), dzh/dj -> j, w -> v,
   x -> ks, g -> h (Belarusian г is h: Halouchanka), j and y -> i, z -> s (German s is z: Aserbaidschan);
3. the skeleton: the first letter, then the consonants without v (Belarusian ў and the German
   -ow where Russian writes -ов: Asadov, Asadow, Асадаў), doubled letters squeezed (Assad).

Two names match when their skeletons agree on their first :data:`COMPARED` letters, or the
shorter one (at least :data:`SHORTEST` letters) is the start of the longer: case endings add
consonants (Асадов / Асадовым / Asadov: asd / asdm / asd). The key loses information on
purpose (Michail/Mikhail do not meet, Assad the Syrian and Asadov the Azerbaijani do): it finds
candidates; the score and the evidence let an analyst judge them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from operator import itemgetter

COMPARED = 5
"""Letters of two skeletons compared: enough to tell Minsk (mnsk) from Minister (mnstr)."""
SHORTEST = 3
"""Skeletons shorter than this name nothing reliably (Baku: bk) and are left out."""

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# Latin letters whose base letter alone would lose the sound (č is ch, not c); the rest lose their marks.
_LATIN = {
    "ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "č": "ch", "š": "sh", "ž": "zh", "ŭ": "u", "ł": "l",
    "ß": "ss", "ć": "ch", "ś": "sh", "ź": "zh", "ż": "zh", "đ": "d", "ø": "o", "æ": "ae",
}
# Applied in order: longer spellings first. Placeholders (upper case) keep a folded sound from
# being folded again (the c of tsch must not become k).
_SPELLINGS = (
    ("shch", "S"), ("tsch", "C"), ("dzh", "J"), ("dsch", "J"), ("sch", "S"), ("tsh", "C"),
    ("ch", "C"), ("cz", "C"), ("sh", "S"), ("sz", "S"), ("zh", "Z"), ("kh", "H"), ("ts", "C"), ("tz", "C"),
    ("dj", "J"), ("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("x", "ks"), ("w", "v"), ("g", "h"),
    ("j", "i"), ("y", "i"), ("J", "i"), ("C", "c"), ("S", "s"), ("Z", "s"), ("z", "s"), ("H", "h"),
)
_VOWELS = set("aeiouv")
_WITHOUT_VOWELS = str.maketrans("", "", "aeiouv")  # _VOWELS deleted by str.translate
_DOUBLED = re.compile(r"(.)\1+")
_NAME = re.compile(r"\b[^\W\d_]{4,}\b")  # words of letters only; capitals checked below
_LETTER = re.compile(r"[^\W\d_]")


@cache
def _capitalised_bmp() -> re.Pattern[str]:
    r"""The words of :data:`_NAME` that open with a capital, when the text has no character beyond U+FFFF.

    A pattern opening with one set of characters lets the regex engine skip to the next capital
    in C: 10x faster than visiting every word of a body in Python, most of a fresh load's name
    keys. The engine loses that skip when the set holds characters beyond U+FFFF, so a text that
    has any takes the plain way (:data:`_NAME`). The word boundary before the capital is a lookbehind
    after it (``(?<!\w.)``: the character before the capital is no word character; a capital inside a
    word, as in "xAbcd", opens no word), which keeps the skip and rejects a capital without a Python step.
    The matches are those of the boundary checked apart: a capital inside a rejected word is preceded by a
    letter of it, so none of them is taken either way.

    The word is group 1 too (and the whole match), and three more groups tell its sentence test for
    :func:`_capitalised` without moving any match (see there).

    Made at the first use (3-4 ms: every character of the BMP tested), with :func:`_inside_words_bmp`: a run's
    process rarely keys names (its parse workers do, warmed by the fork server before they fork)."""
    return _bmp_patterns()[0]


def _inside_words_bmp() -> re.Pattern[str]:
    r"""The name words of a text without a character beyond U+FFFF, told by the regex engine alone, in one
    ``findall`` of (word, space) pairs: :func:`_capitalised_bmp`'s words, each with its sentence test written as
    fixed-width lookbehinds after the capital (which keeps the engine's skip to the next capital):

    - a name: the character before the capital is neither a space, a word character nor a sentence end
      (:data:`_SENTENCE_ENDS`), or it is a space other than a newline after one that is neither a space nor a
      sentence end (``space`` is "");
    - left undecided: a space other than a newline before the capital, after another space or the text's start
      (``space`` is that space, never "": :func:`_opens_sentence` must look further back);
    - not matched (a sentence's first word): the text's start, a newline or a sentence end before the capital,
      or one space after a sentence end.

    These are :func:`_opens_sentence`'s answers for the cases it settles by the two characters before the word."""
    return _bmp_patterns()[1]


@cache
def _bmp_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """:func:`_capitalised_bmp` and :func:`_inside_words_bmp`, made together (the fork server's warm-up makes both)."""
    capitals = "".join(c for c in map(chr, range(0x10000)) if c.isupper() and _LETTER.match(c))
    capital = "[" + re.escape(capitals) + "]"
    ends = re.escape("".join(sorted(_SENTENCE_ENDS)))
    name = rf"(?<!\w.)(?:(?<=[^\s{ends}].)|(?<=[^\s{ends}][^\S\n].))"  # not opening a sentence
    undecided = r"(?<=([^\S\n]).)(?<!\S..)"  # a space before, and a space or the text's start before it
    # The capitalised words with the same tests as groups (each captures a character when it holds; the empty
    # alternative, a sentence's first word, keeps every word a match): :func:`_capitalised` in one findall
    told = rf"(?:(?<=([^\s{ends}]).)|(?<=([^\s{ends}])[^\S\n].)|{undecided}|)"
    return (re.compile(f"({capital}(?<!\\w.){told}" + r"[^\W\d_]{3,})\b"),
            re.compile(f"({capital}(?:{name}|{undecided})" + r"[^\W\d_]{3,})\b"))


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
_SENTENCE_ENDS = frozenset('.!?:«"“„')  # a word after one of these (and spaces) opens a sentence

# Words of office that nearly every release carries: they name nobody.
STOP_WORDS = (
    "Премьер", "Premier", "Prime", "Minister", "Министр", "Министерство", "Ministry", "Ministerium",
    "Президент", "President", "Präsident", "Prezydent", "Prezident", "Правительство", "Government",
    "Regierung", "Republic", "Республика", "Republik", "Chancellor", "Канцлер", "Kanzler", "Глава", "Head",
    "Council", "Совет", "Парламент", "Parliament", "Federation", "Федерация", "Föderation", "Press",
    "Пресс", "Office", "Administration", "Администрация", "Secretary", "Секретарь", "Deputy", "Заместитель",
    "Official", "Официальный", "Visit", "Визит", "Meeting", "Встреча", "Кабинет", "Cabinet", "Mister",
    "Госпожа", "Господин",
)


_BELARUSIAN_SOFT = re.compile(r"(ц|дз)(?=[ьіеёюя])")


_TO_LATIN = str.maketrans({**_CYRILLIC, **_LATIN})
""":data:`_CYRILLIC` and :data:`_LATIN` as one ``str.translate`` table (their letters are apart: no key in both)."""


def transliterate(word: str) -> str:
    """The word in plain lower-case Latin letters: Cyrillic by one scheme, Latin marks dropped (Golovčenko -> golovchenko).

    Every letter of :data:`_CYRILLIC` and :data:`_LATIN` is mapped by one ``str.translate``, and an ASCII letter is its
    own form with its marks dropped (none): a word whose translation is ASCII is done, in C (a third of a name key's
    cost was this loop). A word with another letter (é, ö, the dot of a lower-case İ) takes the loop, which drops its
    marks one character at a time.
    """
    word = unicodedata.normalize("NFC", word.lower())
    if "і" in word or "ў" in word:
        # Belarusian writes a soft т and д as ц and дз (Мішусцін for Мишустин): read them back.
        word = _BELARUSIAN_SOFT.sub(lambda m: "т" if m.group(1) == "ц" else "д", word)
    latin = word.translate(_TO_LATIN)
    if latin.isascii():
        return latin if latin.isalpha() and latin.islower() else "".join(c for c in latin if "a" <= c <= "z")
    out = []
    for char in word:
        if char in _CYRILLIC:
            out.append(_CYRILLIC[char])
        elif char in _LATIN:
            out.append(_LATIN[char])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)))
    return "".join(c for c in "".join(out) if "a" <= c <= "z")


def fold_spelling(latin: str) -> str:
    """One letter per sound, whatever the language spelled it with (golowtschenko -> holovcenko)."""
    for spelling, letter in _SPELLINGS:
        latin = latin.replace(spelling, letter)
    return latin


@lru_cache(maxsize=1 << 16)
def name_key(word: str) -> str:
    """The consonant skeleton of a name in any script (Головченко, Golowtschenko, Halouchanka -> hlcnk).

    Cached: a worker keys the same capitalised words page after page (a fifth of its CPU per page before).
    """
    folded = fold_spelling(transliterate(word))
    if not folded:
        return ""
    skeleton = folded[0] + folded[1:].translate(_WITHOUT_VOWELS)
    return _DOUBLED.sub(r"\1", skeleton)


def keys_match(a: str, b: str) -> bool:
    """True when two skeletons name the same: equal on COMPARED letters, or the shorter starts the longer."""
    if len(a) < SHORTEST or len(b) < SHORTEST:
        return False
    a, b = a[:COMPARED], b[:COMPARED]
    return a.startswith(b) or b.startswith(a)


_STOP_KEYS = tuple(name_key(w) for w in STOP_WORDS)
_STOP_HEADS = frozenset(stop[:COMPARED] for stop in _STOP_KEYS if len(stop) >= SHORTEST)
"""The first COMPARED letters of the stop keys that can match (:func:`keys_match` is False for a shorter one)."""
_STOP_STARTS = frozenset(head[:n] for head in _STOP_HEADS for n in range(SHORTEST, len(head) + 1))
"""Every start of SHORTEST letters or more of those heads (the heads included)."""


@lru_cache(maxsize=1 << 14)
def is_stop_key(key: str) -> bool:
    """A word of office (Prime Minister, Президент, Regierung...) rather than a name.

    ``any(keys_match(key, stop) for stop in _STOP_KEYS)``, told by set look-ups: the key's head (its first COMPARED
    letters) starts a stop key's head, or a stop key's head starts the key's head (one of its shorter starts is a
    head). A worker met each title word's key with ~57 calls (~10 us) before."""
    if len(key) < SHORTEST:
        return False
    head = key[:COMPARED]
    return head in _STOP_STARTS or any(head[:n] in _STOP_HEADS for n in range(SHORTEST, len(head)))


def _capitalised(text: str | None) -> list[tuple[str, bool]]:
    """(word, opens a sentence) for each capitalised word of four letters or more that is not an acronym.

    A text without a character beyond U+FFFF is read by one ``findall`` of :func:`_capitalised_bmp`, whose groups
    tell each word's sentence test as :func:`_inside_words_bmp` does (a name after a character that is no space
    and no sentence end, or after one space such a character precedes; a sentence's first word after the text's
    start, a newline, a sentence end, or a space after one), unless some word is left undecided (a space and a
    space or the text's start before it): then, and for a text with a character beyond U+FFFF, each word's
    :func:`_opens_sentence` (the match objects and a call a word were half of a title's names)."""
    if not text:
        return []
    if text.isascii() or not _ASTRAL.search(text):
        out = []
        for word, after_other, after_space, undecided in _capitalised_bmp().findall(text):
            if undecided:
                break
            if not word.isupper():
                out.append((word, not (after_other or after_space)))
        else:
            return out
    return [(word, _opens_sentence(text, m.start())) for m in _capital_matches(text) if not (word := m.group(0)).isupper()]


def _capital_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of the words of four letters or more that open with a capital (acronyms included)."""
    if not text.isascii() and _ASTRAL.search(text):  # (an ASCII text has no character beyond U+FFFF: no search)
        return (m for m in _NAME.finditer(text) if m.group(0)[0].isupper())
    return _capitalised_bmp().finditer(text)  # (a capital after a word character is left out by the pattern)


def _opens_sentence(text: str, start: int) -> bool:
    """True when the word at ``start`` opens the text, a line, or follows . ! ? : or an opening quote.

    Looks back over the spaces before the word only: searching the whole text before each word
    with a regular expression anchored at its end made a long body quadratic (most of a fresh load).
    """
    before = start
    while before > 0 and text[before - 1].isspace():  # str.isspace is exactly the \s of re
        before -= 1
    return start == 0 or "\n" in text[before:start] or (before > 0 and text[before - 1] in _SENTENCE_ENDS)


def name_words(text: str | None) -> list[str]:
    """Capitalised words of four letters or more that are names: not a sentence's first word, not an acronym."""
    return list(name_words_iter(text))


def name_words_iter(text: str | None) -> Iterator[str]:
    """:func:`name_words`, one at a time (a caller that stops early does not read the rest of a body)."""
    # Every sentence starts with a capital: its first word says nothing by itself.
    if not text:
        return
    for m in _capital_matches(text):
        if (word := m.group(0)).isupper():
            continue
        start = m.start()
        # Most words follow one space after another word's last character, which opens no sentence: told
        # without the call (:func:`_opens_sentence` answers the same: no newline, no sentence end before it).
        if start > 1 and text[start - 1] == " " and not (c := text[start - 2]).isspace() and c not in _SENTENCE_ENDS:
            yield word
        elif not _opens_sentence(text, start):
            yield word


def release_names(parts: Iterable[str | None], body: str | None = None) -> dict[str, str]:
    """key -> the first form written, for the names of a release's title, subtitle and lead (distinct keys, stop words out).

    A word opening a sentence ("Golovchenko, Asadov discuss...") counts when the release also
    writes it capitalised inside a sentence, there or in ``body``: a name, not just a first word.
    """
    parts = list(parts)
    names: dict[str, str] = {}
    heads: list[str] = []  # the names' keys' first COMPARED letters, for keys_match written out (each key is long enough)
    inside = _InsideKeys([*parts, body])
    for part in parts:
        for word, opens in _capitalised(part):
            key = name_key(word)
            if len(key) < SHORTEST or is_stop_key(key):
                continue
            head = key[:COMPARED]
            if any(head.startswith(other) or other.startswith(head) for other in heads):
                continue  # keys_match(key, k) for a name k taken already
            # The texts' names are looked up last and lazily, for an opening word that would be taken
            # otherwise, as far as its first match: reading every name of the body first was most of
            # a release's name keys (the same names result: the conditions are pure).
            if not opens or inside.matches(key):
                names[key] = word
                heads.append(head)
    return names


class _InsideKeys:
    """The keys of the names written inside a sentence of some texts, read as far as a question needs them.

    ``matches(key)`` is ``any(keys_match(key, k) for k in {name_key(w) for t in texts for w in name_words(t)})``,
    keying the texts' words only until the first match (the answer is the same whatever the order). Each text's
    words are found at once, by :func:`_inside_words` (a third of the cost of finding them one at a time), when the
    keys reach it.
    """

    def __init__(self, texts: list[str | None]) -> None:
        self._keys: set[str] = set()  # distinct: a body repeats its names
        self._words = (word for text in texts if text for word in _inside_words(text))

    def matches(self, key: str) -> bool:
        if len(key) < SHORTEST:  # keys_match is False for every other key: nothing to read
            return False
        key = key[:COMPARED]  # keys_match written out: the shorter of two first-COMPARED-letters starts the other
        keys = self._keys
        if any(key.startswith(k) or k.startswith(key) for k in keys):
            return True
        for word in self._words:
            other = name_key(word)[:COMPARED]
            if other not in keys and len(other) >= SHORTEST:
                keys.add(other)
                if key.startswith(other) or other.startswith(key):
                    return True
        return False


def _inside_words(text: str) -> list[str]:
    """:func:`name_words` of a text, in some order (the same words, repeats included): by the one ``findall`` of
    :func:`_inside_words_bmp` when the text has no character beyond U+FFFF and no word it leaves undecided."""
    if text.isascii() or not _ASTRAL.search(text):
        found = _inside_words_bmp().findall(text)
        if not any(map(itemgetter(1), found)):  # no word after two spaces (or a space opening the text)
            return [word for word, _ in found if not word.isupper()]
    return name_words(text)


def shared_names(a: dict[str, str], b: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, form in a, form in b) for each name of ``a`` that ``b`` also carries; each name of b used once."""
    shared, used = [], set()
    for key, form in a.items():
        for other_key, other_form in b.items():
            if other_key not in used and keys_match(key, other_key):
                shared.append((min(key, other_key, key=len), form, other_form))
                used.add(other_key)
                break
    return shared
