"""MinHash signatures, LSH bands and similarity (govpress.dedupe.neardup): accuracy, stability across processes, short texts."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from govpress.dedupe import neardup
from neardup_corpus import ORIGINAL, PARAGRAPHS  # noqa: F401  (shared text)

REPO = Path(__file__).resolve().parents[2]

UNRELATED = (
    "The Federal Foreign Office today summoned the ambassador over the detention of two journalists. "
    "A spokesperson said the government expected their immediate release and full consular access. "
    "Talks on a new climate partnership with several Pacific island states will continue next week in Berlin, "
    "where ministers are expected to agree on funding for coastal protection and renewable energy projects."
)


def test_identical_texts_have_similarity_one_and_equal_bands() -> None:
    a, b = neardup.signature(ORIGINAL), neardup.signature(ORIGINAL)
    assert a.dtype == np.uint64 and a.shape == (neardup.NUM_PERM,)
    assert neardup.similarity(a, b) == 1.0
    assert neardup.bands(a) == neardup.bands(b)
    assert len(neardup.bands(a)) == neardup.BANDS


def test_cosmetic_differences_fold_away() -> None:
    cosmetic = ORIGINAL.upper().replace(" ", "  ").replace(".", " .").replace("е", "ё")
    assert neardup.similarity(neardup.signature(ORIGINAL), neardup.signature(cosmetic)) == 1.0


def test_a_copy_with_one_changed_paragraph_is_a_near_duplicate() -> None:
    copy = PARAGRAPHS.copy()
    copy[3] = "Министр подчеркнул, что ведомство продолжит работу по повышению эффективности государственных расходов."
    copy_text = "\n\n".join(copy)
    score = neardup.similarity(neardup.signature(ORIGINAL), neardup.signature(copy_text))
    assert score > neardup.THRESHOLD
    assert abs(score - neardup.jaccard(ORIGINAL, copy_text)) < 0.12  # 3.5 standard errors at J ~ 0.8
    # Sharing a band is what makes the pair a candidate at all.
    assert set(enumerate(neardup.bands(neardup.signature(ORIGINAL)))) & set(enumerate(neardup.bands(neardup.signature(copy_text))))


def test_an_agency_copy_with_dateline_and_lead_in_the_body_stays_near() -> None:
    ministry = neardup.release_text("Встреча с делегацией ЕБРР", None, PARAGRAPHS[0], "\n\n".join(PARAGRAPHS[1:]))
    agency = neardup.release_text("Встреча с делегацией ЕБРР", None, None,
                                  "МИНСК, 3 марта (Агентство) – " + ORIGINAL)
    assert neardup.similarity(neardup.signature(ministry), neardup.signature(agency)) > neardup.THRESHOLD


def test_unrelated_texts_are_far_apart() -> None:
    other_ru = "\n\n".join(reversed([
        "Президент подписал указ о проведении в следующем году национальной переписи населения.",
        "Ответственным за организацию работы назначен государственный комитет по статистике.",
        "Указ вступает в силу со дня его официального опубликования в печати.",
        "Регионам поручено обеспечить переписчиков помещениями, транспортом и средствами связи.",
    ]))
    sig = neardup.signature(ORIGINAL)
    assert neardup.similarity(sig, neardup.signature(UNRELATED)) < 0.3
    assert neardup.similarity(sig, neardup.signature(other_ru)) < 0.3


def test_the_estimate_is_unbiased_on_random_edits() -> None:
    rng = random.Random(7)
    vocabulary = [f"слово{i}" for i in range(2000)]
    errors = []
    for _ in range(40):
        base = [rng.choice(vocabulary) for _ in range(200)]
        edited = [rng.choice(vocabulary) if rng.random() < 0.03 else w for w in base]
        a, b = " ".join(base), " ".join(edited)
        errors.append(neardup.similarity(neardup.signature(a), neardup.signature(b)) - neardup.jaccard(a, b))
    # 40 estimates with standard error ~0.04 each: their mean is within ~0.006 of zero, 0.03 is 5 sigma.
    assert abs(float(np.mean(errors))) < 0.03
    assert max(abs(e) for e in errors) < 0.2


def test_signatures_are_the_same_in_another_process() -> None:
    # A fresh interpreter has another hash() salt: stored signatures must not depend on it.
    script = (
        "import json, sys; from govpress.dedupe import neardup; "
        "sig = neardup.signature(sys.stdin.read()); "
        "print(json.dumps({'sig': [int(v) for v in sig], 'bands': neardup.bands(sig)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], input=ORIGINAL, capture_output=True, text=True, cwd=REPO, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    other = json.loads(result.stdout)
    sig = neardup.signature(ORIGINAL)
    assert other["sig"] == [int(v) for v in sig]
    assert other["bands"] == neardup.bands(sig)


@pytest.mark.parametrize("text", ["", "Фоторепортаж", "Statement by the Spokesperson on the situation in the region"])
def test_short_texts_get_no_signature_and_are_never_near(text: str) -> None:
    sig = neardup.signature(text)
    assert sig.shape == (0,)
    assert neardup.bands(sig) == []
    assert neardup.similarity(sig, sig) == 0.0
    assert neardup.similarity(sig, neardup.signature(ORIGINAL)) == 0.0


def test_the_shortest_comparable_text_has_min_shingles() -> None:
    words = [f"w{i}" for i in range(neardup.MIN_SHINGLES + neardup.SHINGLE - 1)]
    assert neardup.signature(" ".join(words)).shape == (neardup.NUM_PERM,)
    assert neardup.signature(" ".join(words[:-1])).shape == (0,)


def test_long_texts_are_processed_in_chunks_with_the_same_result() -> None:
    long_text = " ".join(f"w{i % 5000}x{i // 5000}" for i in range(20_000))
    sig = neardup.signature(long_text)
    assert sig.shape == (neardup.NUM_PERM,)
    shingles = neardup.shingle_hashes(long_text)
    assert len(shingles) == 20_000 - neardup.SHINGLE + 1  # all distinct
    a, b = neardup._params(neardup.NUM_PERM)
    direct = (np.multiply.outer(shingles, a) + b).min(axis=0)
    assert np.array_equal(sig, direct)


def test_shingle_hashes_are_numpys_unique_of_the_shingles() -> None:
    """The distinct shingle hashes, sorted: what ``np.unique`` gave (it is not called: it imports ``numpy.ma``)."""
    text = " ".join(["Министр встретился с делегацией Европейского союза"] * 7 + [f"w{i % 13}" for i in range(300)])
    shingles = neardup.shingle_hashes(text)
    tokens = neardup.words(text)
    hashes = np.array([neardup.word_hash(w) for w in tokens], dtype=np.uint64)
    count = len(tokens) - neardup.SHINGLE + 1
    combined = hashes[:count].copy()
    for offset in range(1, neardup.SHINGLE):
        combined = combined * neardup._POLY + hashes[offset:offset + count]
    expected = np.unique(neardup._mix(combined))
    assert len(expected) < count  # repeated shingles folded
    assert shingles.dtype == expected.dtype and np.array_equal(shingles, expected)
    assert len(neardup.shingle_hashes("one two three four five")) == 1


@pytest.mark.parametrize("text", [
    "«Торгово-экономическое» сотрудничество — взаимо\u00adдействие… Ёлка, ЁЖ и “quotes” ‘single’ don't",
    "Prezident İlham Əliyev: “Azərbaycan” – İSTANBUL; ІНФАРМАЦЫЯ прэм'ер-міністр 2024‑2025",
    "Straße ÄÖÜ\u200b zero\u2060width \ufeffBOM\tTabs\n\nnew paragraph — em dash ‒ figure dash",
])
def test_words_are_those_of_the_hash_fold(text: str) -> None:
    from govpress.parsers.text import fold_for_hash

    assert neardup.words(text) == neardup._WORD.findall(fold_for_hash(text))


def test_digits_are_words_and_punctuation_separates() -> None:
    assert neardup.words("Инфляция составила 7,4% в «марте» — по данным Росстата.") == [
        "инфляция", "составила", "7", "4", "в", "марте", "по", "данным", "росстата"
    ]


def test_band_parameters_and_mismatched_signatures() -> None:
    sig = neardup.signature(ORIGINAL)
    assert len(neardup.bands(sig, bands=32)) == 32
    with pytest.raises(ValueError, match="at least 200"):
        neardup.bands(sig, bands=200)
    with pytest.raises(ValueError, match="different lengths"):
        neardup.similarity(sig, sig[:64])
    assert neardup.similarities(np.stack([sig, sig]), np.stack([sig, neardup.signature(UNRELATED)])).tolist()[0] == 1.0


def _former_words(text: str) -> list[str]:
    """``neardup.words`` as it was: the invisible characters' class searched, one ``findall`` over the folded text."""
    import re
    import unicodedata

    from govpress.parsers.text import _FOLD_INVISIBLE

    folded = _FOLD_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).casefold().replace("ё", "е")
    return re.findall(r"[^\W_]+", folded)


def test_words_by_tokens_rest_on_facts_true_of_every_code_point() -> None:
    """``words`` takes a whitespace token that ``str.isalnum`` accepts as one word, and drops the invisible
    characters only where ``in`` finds one of ``_INVISIBLE_CHARS``: the same as the class searches when no space
    is a word character, ``isalnum`` is the class ``[^\\W_]`` and those characters are the invisible class, for
    every code point (each fails if a character is treated otherwise)."""
    import re

    from govpress.parsers.text import _FOLD_INVISIBLE, _INVISIBLE_CHARS

    word = re.compile(r"[^\W_]")
    for c in map(chr, range(0x110000)):
        assert c.isalnum() == (word.match(c) is not None) and not (c.isspace() and c.isalnum()), hex(ord(c))
        assert (c in _INVISIBLE_CHARS) == (_FOLD_INVISIBLE.match(c) is not None), hex(ord(c))
    for c in (*_INVISIBLE_CHARS, "_", "a", "\u00a0", "\u3000", "٣", "½", "ß", "İ"):
        for text in (c, f"ab{c}cd", f"a {c}b", f"Я{c}{c} ё"):
            assert neardup.words(text) == _former_words(text), hex(ord(c))


def test_words_are_the_former_findall_on_made_texts() -> None:
    rng = random.Random(16)
    pieces = ["word", "Слово", "ёлка", "a_b", "x-y", "2024", "\u00ad", "\u200b", "\u2066", "İ", "ß", "ﬁ", "K", " ", "  ", "\n",
              ".", ",", "«", "»", "’", "e\u0301", "٣", "½", "_", "\t"]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(30)))
        assert neardup.words(text) == _former_words(text), text


def test_tokens_stripped_of_edge_punctuation_are_the_former_findall() -> None:
    """A token with punctuation at its ends only is one word once ``_EDGE_PUNCTUATION`` is stripped: none of those
    characters is a word character (a letter or digit among them would be cut off a word), and made tokens of
    words between every one of them, alone, doubled and mixed with inner punctuation, give the former search's words."""
    import re

    word = re.compile(r"[^\W_]")
    assert [c for c in neardup._EDGE_PUNCTUATION if word.match(c)] == []
    rng = random.Random(17)
    edges = [*neardup._EDGE_PUNCTUATION, "", "", "ʼ", "\u00ad", "½", "-", "'"]
    cores = ["word", "Слово", "ёлка", "2024", "a_b", "x-y", "don't", "7,4", "İ", "ß", "e\u0301", "ʼn", ""]
    for _ in range(20_000):
        token = "".join(rng.choices(edges, k=rng.randrange(3))) + rng.choice(cores) + "".join(rng.choices(edges, k=rng.randrange(3)))
        text = " ".join([token, rng.choice(cores), token + rng.choice(edges)])
        assert neardup.words(text) == _former_words(text), text


def test_separators_made_spaces_leave_the_former_findalls_words() -> None:
    """``words`` turns ``_SEPARATORS`` into spaces and takes the tokens whole when their join is all letters and
    digits: none of the separators is a word character, and made texts of words between them (every separator,
    alone, doubled, at the ends; with and without a character that keeps a token from being one word) give the
    former search's words, by the one-test way and by the token loop."""
    import re

    word = re.compile(r"[^\W_]")
    assert neardup._SEPARATORS and [c for c in neardup._SEPARATORS if word.match(c) or c.isspace()] == []
    rng = random.Random(22)
    marks = [*neardup._SEPARATORS, " ", "  ", "\n", "\u00a0"]
    cores = ["word", "Слово", "ёлка", "2024", "İlham", "ß", "e\u0301", "ﬁ", "K", "٣"]
    for _ in range(20_000):
        pieces = [rng.choice(cores) if i % 2 else "".join(rng.choices(marks, k=rng.randrange(3))) for i in range(rng.randrange(12))]
        if rng.random() < 0.3:
            pieces.insert(rng.randrange(len(pieces) + 1), rng.choice(["_", "\u00ad", "#", "a_b", "@"]))
        text = "".join(pieces)
        assert neardup.words(text) == _former_words(text), text
    assert neardup.words("") == [] and neardup.words(" .,— ") == []


def test_shingle_hashes_are_the_same_with_the_word_cache_empty_partial_or_full() -> None:
    """The cache's values are read in one pass when every word is there; a missing word (None) falls back to
    hashing word by word: the same hashes either way."""
    text = ORIGINAL + " " + UNRELATED
    neardup._word_hashes.clear()
    cold = neardup.shingle_hashes(text)
    full = neardup.shingle_hashes(text)
    del neardup._word_hashes[neardup.words(text)[3]]
    partial = neardup.shingle_hashes(text)
    assert len(cold) > 10 and np.array_equal(cold, full) and np.array_equal(cold, partial)


def test_shingle_hashes_are_the_same_when_the_word_cache_is_cleared_while_filling(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ORIGINAL + " " + UNRELATED
    neardup._word_hashes.clear()
    expected = neardup.shingle_hashes(text)
    neardup._word_hashes.clear()
    monkeypatch.setattr(neardup, "_WORD_CACHE_LIMIT", 3)  # cleared again and again while the new words are hashed
    assert np.array_equal(neardup.shingle_hashes(text), expected)
    neardup._word_hashes.clear()


def test_signatures_are_bit_identical_to_the_stored_scheme() -> None:
    """Stored signatures and near-duplicate links stay valid only while a text's signature is the same to the bit:
    the values below were computed by the word-by-word Horner form (c367b78), before the cache held digests and the
    shingles' polynomial became one product with its powers."""
    import hashlib

    text = ("Minsk, 7 December. Prime Minister Roman Golovchenko met the delegation of the Ministry of Economy; «итоги» "
            "года — 2026, ёлка и Ёж! The talks covered trade, energy, and 14.5% growth in exports.")
    for cache in ("cold", "warm"):
        if cache == "cold":
            neardup._word_hashes.clear()
        assert hashlib.sha256(neardup.signature(text).tobytes()).hexdigest() == (
            "9db5540f07fcc130e877bcf238535fefe9591ed39d41aa7825eb8ec8ce6ce6c0"), cache
        assert hashlib.sha256(neardup.signature(text, shingle=3).tobytes()).hexdigest() == (
            "678a2cf5135752017f49ec373a3a2bbcb649e29aa8d61cdd9b52b86281bdb9a0"), cache
    assert neardup.word_hash("minsk") == 1288110103722333872


def test_signature_is_the_minimum_of_each_permutation_whatever_the_block() -> None:
    """A signature of up to 1,024 shingles is one block against repeated permutation rows, a longer one chunks of
    permutations: both are ``min(a * x + b mod 2**64)`` over the shingles, checked with Python integers."""
    import random

    rng = random.Random(14)
    vocabulary = [f"w{i}" for i in range(5000)]
    a, b = neardup._params(neardup.NUM_PERM)
    mask = (1 << 64) - 1
    for length in (12, 40, 300, 1028, 1029, 2500):
        text = " ".join(rng.choice(vocabulary) for _ in range(length))
        shingles = [int(x) for x in neardup.shingle_hashes(text)]
        expected = [min((int(ai) * x + int(bi)) & mask for x in shingles) for ai, bi in zip(a, b)]
        got = neardup.signature(text)
        assert got.dtype == np.uint64 and got.tolist() == expected, length


def test_ascii_texts_take_the_lower_case_and_the_bytes_test_with_the_former_words() -> None:
    """An ASCII text is folded by ``str.lower`` and its tokens' join tested as bytes: every ASCII character folds and
    counts as a letter or digit the same way either way, and made ASCII texts give the former search's words."""
    for c in map(chr, range(128)):
        assert c.casefold() == c.lower() and c.encode().isalnum() == c.isalnum(), hex(ord(c))
    rng = random.Random(25)
    pieces = ["Word", "ABC", "x_y", "2026", "`", "_", " ", "\n", "\t", ".", ",", "-", "'", '"', "a#b", "@", "~", "\x00", "\x1f"]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(30)))
        assert neardup.words(text) == _former_words(text), text


def test_folded_words_are_the_texts_words_or_none_for_every_code_point() -> None:
    """``folded_words`` of a text's hash fold is its ``words``, or None when the fold holds an apostrophe: every code
    point assigned (the unassigned and private ones are no letter, digit or space, fold to themselves and are left
    alone by NFC: a symbol's case, tested by a few) between letters, doubled and beside separators (the fold maps
    single characters after NFC; ``ŉ`` casefolds to ``ʼn``, the one letter the fold turns into ``'``), and the fold's
    letters are ``ʼ`` and ``ё`` only."""
    import unicodedata

    from govpress.parsers.text import _HASH_FOLDS, fold_for_hash

    assert sorted(c for c in _HASH_FOLDS if c.isalnum()) == ["ʼ", "ё"]
    assert neardup.folded_words(fold_for_hash("Кабмінʼ")) is None and neardup.folded_words(fold_for_hash("ŉ")) is None
    for c in map(chr, range(0x110000)):
        if unicodedata.category(c) in ("Cn", "Co", "Cs") and ord(c) % 997:
            continue
        for text in (f"ab{c}cd", f"Я{c}{c} ё{c}—x"):
            got = neardup.folded_words(fold_for_hash(text))
            assert got == neardup.words(text) or (got is None and "'" in fold_for_hash(text)), hex(ord(c))


def test_folded_words_of_made_releases_are_the_words_of_their_text() -> None:
    """A release's parts folded apart and joined by spaces give the words of its text (parts joined by blank lines),
    ASCII or not, with every separator, quote, dash and invisible character among the words."""
    from govpress.parsers.text import _HASH_FOLDS, fold_for_hash

    rng = random.Random(26)
    pieces = ["Word", "Слово", "ЁЛКА", "2026", "a_b", " ", "  ", "\n\n", "\t", "\u00a0", "e\u0301", "İ", "ß", "ﬁ", "ʼ", "ŉ",
              *neardup._SEPARATORS, *_HASH_FOLDS, "#", "@", "\x1f"]
    for _ in range(5_000):
        parts = ["".join(rng.choices(pieces, k=rng.randrange(25))) if rng.random() < 0.8 else rng.choice(["", None])
                 for _ in range(4)]
        got = neardup.folded_words(" ".join(fold_for_hash(part or "") for part in parts))
        expected = neardup.words(neardup.release_text(*parts))
        assert got == expected or (got is None and any("'" in fold_for_hash(part or "") for part in parts)), parts


def test_ascii_runs_are_told_by_the_letters_digits_and_whitespace_table() -> None:
    """The ASCII test deletes exactly the characters ``str.isalnum`` accepts and ``str.split`` splits at."""
    for c in map(chr, range(128)):
        assert (c.encode() in neardup._ASCII_WORD_OR_SPACE) == (c.isalnum() or not c.split()), hex(ord(c))
