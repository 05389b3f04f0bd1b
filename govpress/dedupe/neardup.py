"""Dedupe, second level: MinHash signatures and LSH bands that find near-identical texts (syndicated copies).

Pure functions over numpy arrays; no database (the store side is :mod:`govpress.store.nearlinks`).

**Shingles.** A text is folded as :func:`govpress.parsers.text.fold_for_hash` folds it (NFC, invisible
characters out, casefold, ``ё`` -> ``е``; its quote, dash and whitespace folds are left out
because those characters separate words anyway, which makes it 4x faster with the same
words, as a test checks) and cut into words: maximal runs of letters and digits (digits are
kept because in statistical releases the figures are the news; everything else,
punctuation included, separates words). A shingle is ``shingle`` (5) consecutive words.

**Stable hashes.** Each word is hashed with blake2b (8 bytes), never Python's salted
``hash()``, so a signature computed in one process equals one computed in any other and a
stored signature stays valid across restarts. Word hashes are cached per process (words
repeat: a press corpus of 100,000 texts has a few hundred thousand distinct words). A
shingle's hash is a polynomial over its word hashes mod 2**64 followed by the splitmix64
finaliser, all in numpy.

**MinHash.** Permutation ``i`` maps a shingle hash ``x`` to ``a_i * x + b_i`` mod 2**64
(``a_i`` odd, so a bijection of the 64-bit values); the signature keeps the minimum per
permutation. The shingle hashes are already well mixed (splitmix64), so this cheap family
behaves as random permutations: over 555 random edited pairs the estimate's error, in units
of its standard error, had mean 0.09 and spread 1.03 (an extra mixing round: 0.02 and 1.03,
at 2.6x the cost). For two
texts with shingle sets A and B, ``P(sig_a[i] == sig_b[i]) = J(A, B)`` (Jaccard), so the
share of equal positions (:func:`similarity`) estimates J with standard error
``sqrt(J (1 - J) / num_perm)``: 0.035 at J = 0.8 with 128 permutations.

**LSH bands.** The signature is cut into ``b`` bands of ``r = num_perm // b`` rows (the
``num_perm - b*r`` values left over still count in :func:`similarity`); two texts become a
candidate pair when all ``r`` rows of at least one band agree, which happens with probability
``P(J) = 1 - (1 - J**r)**b``. The S-curve turns at about ``(1/b)**(1/r)``. With the default
``b = 21, r = 6`` (126 of 128 values):

====  ======  ======  ======  ======  ======  ======
J     0.3     0.4     0.5     0.7     0.8     0.9
P(J)  0.015   0.083   0.28    0.93    0.998   1.000
====  ======  ======  ======  ======  ======  ======

so pairs at the 0.8 threshold are missed about twice in a thousand (less than the estimator
noise at the threshold itself: a pair of true J = 0.8 scores >= 0.8 only half the time),
pairs at 0.85 once in 20,000, and unrelated texts (J < 0.3) almost never cost a similarity
check. The alternatives for 128 values: ``b = 32, r = 4`` makes 87% of J = 0.5 pairs
candidates; ``b = 16, r = 8`` misses 5% of J = 0.8 pairs.

**Short texts.** A text with fewer than ``MIN_SHINGLES`` (8) shingles, i.e. fewer than 12
words at ``shingle = 5``, gets an EMPTY signature: no bands, similarity 0.0, never a
near-duplicate. Short texts are headlines or captions ("Фоторепортаж", "Statement by the
Spokesperson") whose likeness says nothing about being a copy; exact copies of them are
still caught by the content hash (first-level dedupe).
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from functools import cache

import numpy as np

from govpress.parsers.text import _FOLD_INVISIBLE, _HASH_FOLDS, _INVISIBLE_CHARS

NUM_PERM = 128
SHINGLE = 5
BANDS = 21
THRESHOLD = 0.8
MIN_SHINGLES = 8
SCHEME = f"minhash-blake2b-v1:perm{NUM_PERM}:shingle{SHINGLE}:bands{BANDS}:min{MIN_SHINGLES}"
"""Names the defaults: a stored signature made under another scheme is recomputed."""

_WORD = re.compile(r"[^\W_]+")
_EDGE_PUNCTUATION = "".join(c for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»“”„‘’‚…—–·•‹›¡¿" if not c.isalnum())
"""Punctuation that opens or closes a token (no letter or digit among them): a token that is letters and digits
once these are stripped from its ends is one word (``words``), with no search."""
_SEPARATORS = ".,:;()«»\"“”„'‘’!?/–—-…%&$§*€"
"""The punctuation of most press texts' tokens (no letter or digit among them): :func:`words` turns each into a
space, one ``str.replace`` each, so that nearly every text's tokens are all letters and digits, told in one test."""
_FOLDED_SEPARATORS = tuple(mark for mark in _SEPARATORS if mark not in _HASH_FOLDS)
"""The separators a hash fold can hold (its quotes, dashes and ellipsis are folded to ASCII ones: a third fewer passes)."""
_ASCII_WORD_OR_SPACE = (string.ascii_letters + string.digits + " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f").encode()
"""The ASCII letters and digits (``str.isalnum``'s) and whitespace (``str.split``'s): an ASCII text that is nothing
else is its tokens' characters and the spaces between them, every token letters and digits."""
_U64 = np.uint64
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_POLY = _U64(0x100000001B3)  # an odd multiplier (FNV-1a 64 prime) for the polynomial over word hashes
_EMPTY = np.zeros(0, dtype=np.uint64)


def _operand(value: int) -> np.ndarray:
    """A 0-d uint64 array: a ufunc takes it as it is, where a NumPy scalar operand is converted at every call
    (:func:`_mix`'s five steps took 3.7 us a text with scalars, 2.0 with these)."""
    return np.array(value, dtype=np.uint64)


_SHIFT30, _SHIFT27, _SHIFT31 = _operand(30), _operand(27), _operand(31)
_MIX1_OPERAND, _MIX2_OPERAND = _operand(int(_MIX1)), _operand(int(_MIX2))
_POLY_POWERS = np.array([pow(int(_POLY), SHINGLE - 1 - k, 1 << 64) for k in range(SHINGLE)], dtype=np.uint64)
"""``_POLY**(SHINGLE-1) ... _POLY, 1`` mod 2**64: a shingle's polynomial (Horner's form over its word hashes, mod 2**64)
as one product of its words' window with these (integer arithmetic wraps mod 2**64: the same values exactly)."""



class _Digests(dict):
    """Word -> its blake2b hash's 8 bytes (little-endian, as :func:`word_hash` reads them), cached per process.

    A missing word is hashed and kept by ``__missing__``, so a text's hashes are one ``b"".join`` over its words'
    look-ups, read by one ``np.frombuffer``: no second pass for a text with a word not met before (most of a
    worker's texts have one or two; that pass, a set of the words less the cache's, was a fifth of a signature)."""

    def __missing__(self, word: str) -> bytes:
        if len(self) >= _WORD_CACHE_LIMIT:
            self.clear()
        value = self[word] = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        return value


_word_hashes: dict[str, bytes] = _Digests()
_WORD_CACHE_LIMIT = 2_000_000  # ~250 MB of dict at worst; cleared (not evicted piecemeal) when full


def _permutation_params(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed (a odd, b) per permutation, derived from blake2b so they are the same in every process."""
    digest = b"".join(hashlib.blake2b(f"govpress-minhash:{i}".encode(), digest_size=16).digest() for i in range(num_perm))
    params = np.frombuffer(digest, dtype="<u8").reshape(num_perm, 2)
    return params[:, 0] | _U64(1), params[:, 1].copy()


_PARAMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _params(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    if num_perm not in _PARAMS:
        _PARAMS[num_perm] = _permutation_params(num_perm)
    return _PARAMS[num_perm]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place (uint64 arithmetic wraps, as intended)."""
    values ^= values >> _SHIFT30
    values *= _MIX1_OPERAND
    values ^= values >> _SHIFT27
    values *= _MIX2_OPERAND
    values ^= values >> _SHIFT31
    return values


def words(text: str) -> list[str]:
    """The folded text's words: runs of letters and digits (the words of ``fold_for_hash(text)``).

    The same list as ``_WORD.findall(folded)``, cheaper (a quarter fewer instructions): no whitespace character
    is a letter or digit, so the runs are those of the text's space-separated tokens, and a token that is all
    letters and digits (``str.isalnum``: the class's characters exactly, tests/unit/test_neardup.py checks
    every code point) is one run; only the others, those with punctuation, are searched. The common punctuation
    (:data:`_SEPARATORS`) is made a space first, which leaves the runs as they were (it separates them either way)
    and the tokens of nearly every text all letters and digits: then the tokens are the words, told by one
    ``isalnum`` of their join (an empty token cannot hide in it), without a Python step a token (a fifth of this
    function's time)."""
    if text.isascii():  # NFC leaves it as it is, it has no invisible character, and its case fold is its lower case
        folded = text.lower()
    else:
        folded = _without_invisible(unicodedata.normalize("NFC", text)).casefold().replace("ё", "е")
    for mark in _SEPARATORS:  # a separator turned into a space separates the same runs
        folded = folded.replace(mark, " ")
    return _runs(folded)


def folded_words(folded: str) -> list[str] | None:
    """:func:`words` of a text given its hash fold (:func:`govpress.parsers.text.fold_for_hash`; the folds of a release's
    parts joined by spaces), or None when the fold may have changed them.

    The fold makes the NFC, the case fold, ``ё`` -> ``е`` and the invisible characters' drop :func:`words` makes (the
    same text: its words are ``_WORD.findall`` of the fold, tests/unit/test_neardup.py), and besides changes only
    characters that are no letter or digit into others that are none (quotes, dashes, ellipsis, whitespace), which
    separate the same runs, but for one letter: the apostrophe ``ʼ`` (U+02BC, and ``ŉ``'s case fold), which it makes
    ``'``. A fold without ``'`` had none; one with it is None (the caller takes :func:`words` of the text). A release's
    keys fold its text once for both (the NFC and the case fold were a third of a non-ASCII text's words)."""
    if "'" in folded:
        return None
    for mark in _FOLDED_SEPARATORS:
        folded = folded.replace(mark, " ")
    return _runs(folded)


def _runs(spaced: str) -> list[str]:
    """The runs of letters and digits of a folded text whose common punctuation is made spaces (:func:`words`)."""
    tokens = spaced.split()
    # every token letters and digits (nearly every text): each is one run. An ASCII text is asked as bytes: nothing
    # left once its letters, digits and whitespace are deleted by a table, in one pass (its tokens' join was three)
    if not spaced.encode("ascii").translate(None, _ASCII_WORD_OR_SPACE) if spaced.isascii() else "".join(tokens).isalnum():
        return tokens
    out: list[str] = []
    for token in tokens:
        if token.isalnum():
            out.append(token)
        elif (core := token.strip(_EDGE_PUNCTUATION)).isalnum():
            out.append(core)  # one word between punctuation ("said," "«Minsk»"): the search would find it alone
        else:
            out += _WORD.findall(token)
    return out


def _without_invisible(text: str) -> str:
    """``_FOLD_INVISIBLE.sub("", text)``; most texts hold none of those characters, told by ``in`` (each a search in C,
    a fourth of the class's search over the text), and an ASCII text none at all."""
    if text.isascii() or not any(char in text for char in _INVISIBLE_CHARS):
        return text
    return _FOLD_INVISIBLE.sub("", text)


def word_hash(word: str) -> int:
    """A stable 64-bit hash of one word (blake2b), cached per process."""
    return int.from_bytes(_word_hashes[word], "little")


def shingle_hashes(text: str, *, shingle: int = SHINGLE) -> np.ndarray:
    """Distinct 64-bit hashes of the text's word ``shingle``-grams (empty when it has fewer words)."""
    return _shingles(words(text), shingle)


def _shingles(tokens: list[str], shingle: int) -> np.ndarray:
    """:func:`shingle_hashes` of a text's :func:`words`."""
    count = len(tokens) - shingle + 1
    if count <= 0:
        return _EMPTY
    joined = b"".join(map(_word_hashes.__getitem__, tokens))  # the cache's digests (a new word's made) joined in C
    hashes = np.frombuffer(joined, dtype="<u8")
    if shingle == SHINGLE:
        # Each shingle's window of word hashes (a strided view, no copy) times the powers: Horner's polynomial
        # below, in one call instead of 2 * (shingle - 1)
        windows = np.ndarray((count, shingle), dtype=hashes.dtype, buffer=hashes, strides=(8, 8))
        combined = np.dot(windows, _POLY_POWERS)  # uint64, wrapping as the Horner form does
    else:
        combined = hashes[:count].astype(np.uint64)
        for offset in range(1, shingle):
            combined *= _POLY
            combined += hashes[offset:offset + count]
    return _distinct_sorted(_mix(combined))


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` of a 1-d array this module owns (sorted in place): the same values, in the same order.

    Not ``np.unique`` itself, which asks ``np.ma.is_masked`` of its input and so imports ``numpy.ma`` (20-25 ms
    of CPU) in every process that keys a text: the parse workers' fork server paid it at each run's start.
    """
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def signature(text: str, *, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> np.ndarray:
    """MinHash signature (``num_perm`` uint64) of the text's word shingles; EMPTY for short texts (see module doc)."""
    return words_signature(words(text), num_perm=num_perm, shingle=shingle)


def words_signature(tokens: list[str], *, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> np.ndarray:
    """:func:`signature` of a text's :func:`words` (or :func:`folded_words`)."""
    shingles = _shingles(tokens, shingle)
    count = len(shingles)
    if count < MIN_SHINGLES:
        return _EMPTY
    if num_perm == NUM_PERM and count <= _BLOCK_ROWS:
        # Every operand contiguous and of the block's shape: NumPy's loops run vectorised over the whole block,
        # where the outer product's and the added row's broadcast operands took a fifth longer
        a_rows, b_rows = _param_rows()
        block = np.repeat(shingles, num_perm).reshape(count, num_perm)
        block *= a_rows[:count]
        block += b_rows[:count]
        return block.min(axis=0)
    a, b = _params(num_perm)
    out = np.empty(num_perm, dtype=np.uint64)
    # Permutations in chunks so the (shingles x chunk) temporary stays around a megabyte for long texts.
    step = max(1, min(num_perm, _BLOCK_VALUES // count))
    for start in range(0, num_perm, step):
        block = np.multiply.outer(shingles, a[start:start + step])
        block += b[start:start + step]
        block.min(axis=0, out=out[start:start + step])
    return out


_BLOCK_VALUES = 131_072
"""Values of a signature's (shingles x permutations) block at most (a megabyte)."""
_BLOCK_ROWS = _BLOCK_VALUES // NUM_PERM
"""Shingles a signature under the default scheme takes in one block (1,024): those of nearly every release."""


@cache
def _param_rows() -> tuple[np.ndarray, np.ndarray]:
    """The default permutations' (a, b), each repeated as :data:`_BLOCK_ROWS` rows (a megabyte each, made once)."""
    a, b = _params(NUM_PERM)
    return np.tile(a, (_BLOCK_ROWS, 1)), np.tile(b, (_BLOCK_ROWS, 1))


def bands(sig: np.ndarray, *, bands: int = BANDS) -> list[int]:
    """One 64-bit bucket per band (band ``i`` is ``sig[i*r:(i+1)*r]``, ``r = len(sig) // bands``); [] for an empty signature.

    The bucket is a stable hash of the band's values; the band's number is kept apart by the caller
    (equal buckets only mean something within one band).
    """
    if len(sig) == 0:
        return []
    return [int(v) for v in band_matrix(np.asarray(sig).reshape(1, -1), bands=bands)[0]]


def band_matrix(signatures: np.ndarray, *, bands: int = BANDS) -> np.ndarray:
    """:func:`bands` of every row of a (releases x num_perm) matrix of non-empty signatures at once: (releases x bands).

    One numpy pass over a batch instead of a Python loop per release (73 us each, most of a
    fresh load's bucket work).
    """
    count, length = signatures.shape
    rows = length // bands
    if rows == 0:
        raise ValueError(f"{bands} bands need at least {bands} signature values, got {length}")
    view = np.ascontiguousarray(signatures[:, : bands * rows], dtype="<u8").reshape(count, bands, rows)
    folded = view[:, :, 0].copy()
    for column in range(1, rows):
        folded = _mix(folded * _POLY + view[:, :, column])
    return _mix(folded)


def similarity(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values (0.0 when either signature is empty)."""
    if len(sig_a) == 0 or len(sig_b) == 0:
        return 0.0
    if len(sig_a) != len(sig_b):
        raise ValueError(f"signatures of different lengths: {len(sig_a)} and {len(sig_b)}")
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def similarities(sigs_a: np.ndarray, sigs_b: np.ndarray) -> np.ndarray:
    """Row-wise :func:`similarity` of two (pairs x num_perm) matrices."""
    if sigs_a.shape != sigs_b.shape:
        raise ValueError(f"matrices of different shapes: {sigs_a.shape} and {sigs_b.shape}")
    if sigs_a.size == 0:
        return np.zeros(len(sigs_a))
    return np.count_nonzero(sigs_a == sigs_b, axis=1) / sigs_a.shape[1]


def jaccard(text_a: str, text_b: str, *, shingle: int = SHINGLE) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for tests and calibration; 0.0 when both are empty)."""
    a, b = shingle_hashes(text_a, shingle=shingle), shingle_hashes(text_b, shingle=shingle)
    union = len(np.union1d(a, b))
    return len(np.intersect1d(a, b, assume_unique=True)) / union if union else 0.0


def release_text(title: str | None, subtitle: str | None, lead: str | None, body_text: str | None) -> str:
    """The text a release is compared by: its visible parts, as the content hash sees them.

    The lead is included because publishers place it differently: a ministry shows it apart,
    an agency copying it opens its body with a dateline and the same lead.
    """
    return "\n\n".join(part for part in (title, subtitle, lead, body_text) if part)
