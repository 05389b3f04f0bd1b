"""Language of a release's text (ISO 639-1), checked against what the source declares.

How :func:`detect_language` decides:

1. The writing system of the majority of the letters (Cyrillic, Latin, Arabic, ...) picks
   the candidate languages. A Russian page quoting an English name stays Cyrillic, so it
   cannot come out as English; an Azerbaijani (Latin) page cannot come out as Russian.
2. py3langid (naive Bayes over byte n-grams) ranks the candidates; its raw scores are
   turned into probabilities over the candidates only, with the same length temperature
   py3langid uses for its own normalised probabilities.
3. A declared language of that script wins when the text is short or when the detector
   gives it at least :data:`CLOSE_PROBABILITY` (the detector is not confident against it).
4. Text with fewer than :data:`MIN_LETTERS` letters is too short to tell: the first declared
   language, or None when nothing is declared.

The model (about 0.7 s to decompress; a few milliseconds from the cached copy that
:mod:`govpress.parsers.langid_cache` keeps) is loaded once per process, on first use; after that one
call costs well under a millisecond per kilobyte: the tokenizer's byte-by-byte walk, py3langid's
slowest part in Python, is done for the whole sample at once with NumPy (:meth:`_Scorer.feature_counts`,
the same counts in the same order, hence the same scores to the bit). Only a sample is classified
(:func:`text_sample`: :data:`SAMPLE_WINDOWS` stretches spread over the text, :data:`SAMPLE_CHARS`
characters in all): a press release does not change language midway, and the detector's cost
grows with the text (it was a quarter of a page's parse time on the whole first 6,000 characters).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter

MIN_LETTERS = 20
"""Below this many letters, and with nothing declared, we do not guess."""
SHORT_LETTERS = 60
"""Up to this many letters a declared language of the right script is trusted over the detector."""
CLOSE_PROBABILITY = 0.15
"""A declared language with at least this probability beats the detector's first choice."""
SAMPLE_CHARS = 1_500
"""Characters classified at most (speed; language does not change midway)."""
SAMPLE_WINDOWS = 3
"""Stretches the sample is taken from, spread evenly over the text (a quoted name at the start does not decide)."""

# The languages the detector may answer, by writing system: those of official sites (national, regional: Tatar,
# Bashkir, Basque, Galician, Welsh...) that the model knows. A language missing here cannot be answered, even when
# the page declares it: a Vietnamese page came out Irish, a Turkmen one Turkish, a Pashto one Persian.
_SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "cyrillic": ("ru", "be", "uk", "kk", "bg", "sr", "mk", "ky", "tg", "mn", "uz", "tt", "ba"),
    "latin": (
        "en", "de", "fr", "es", "it", "pt", "nl", "pl", "cs", "sk", "sl", "hr", "bs", "ro", "hu", "fi", "sv",
        "da", "no", "et", "lv", "lt", "tr", "az", "uz", "ga", "mt", "sq", "lb", "ca", "id", "ms",
        "vi", "tk", "tl", "sw", "af", "is", "fo", "eu", "gl", "cy", "gd", "br", "fy", "ku", "ha", "yo", "ig",
        "so", "mg", "rw", "zu", "xh",
    ),
    "arabic": ("ar", "ur", "fa", "ps", "ug"),
    "greek": ("el",),
    "han": ("zh", "ja"),
    "kana": ("ja",),
    "hangul": ("ko",),
    "georgian": ("ka",),
    "armenian": ("hy",),
    "hebrew": ("he",),
    # Scripts of South and South-East Asia and Ethiopia: the script names the language (or a few, for the model
    # to rank). A Thai or Burmese page was counted by its few Latin words and came out Maltese.
    "thai": ("th",),
    "lao": ("lo",),
    "myanmar": ("my",),
    "khmer": ("km",),
    "devanagari": ("hi", "mr", "ne"),
    "bengali": ("bn", "as"),
    "gurmukhi": ("pa",),
    "gujarati": ("gu",),
    "oriya": ("or",),
    "tamil": ("ta",),
    "telugu": ("te",),
    "kannada": ("kn",),
    "malayalam": ("ml",),
    "sinhala": ("si",),
    "ethiopic": ("am",),
}
SUPPORTED: frozenset[str] = frozenset(code for codes in _SCRIPT_LANGUAGES.values() for code in codes)

_SCRIPT_RANGES = (
    ("cyrillic", "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"),
    ("latin", "A-Za-z\u00c0-\u024f\u0250-\u02af\u1e00-\u1eff"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    ("greek", "\u0370-\u03ff\u1f00-\u1fff"),
    ("han", "\u3400-\u4dbf\u4e00-\u9fff"),
    ("kana", "\u3040-\u30ff"),
    ("hangul", "\uac00-\ud7af\u1100-\u11ff"),
    ("georgian", "\u10a0-\u10ff"),
    ("armenian", "\u0530-\u058f"),
    ("hebrew", "\u0590-\u05ff"),
    ("thai", "\u0e00-\u0e7f"),
    ("lao", "\u0e80-\u0eff"),
    ("myanmar", "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff"),
    ("khmer", "\u1780-\u17ff\u19e0-\u19ff"),
    ("devanagari", "\u0900-\u097f\ua8e0-\ua8ff"),
    ("bengali", "\u0980-\u09ff"),
    ("gurmukhi", "\u0a00-\u0a7f"),
    ("gujarati", "\u0a80-\u0aff"),
    ("oriya", "\u0b00-\u0b7f"),
    ("tamil", "\u0b80-\u0bff"),
    ("telugu", "\u0c00-\u0c7f"),
    ("kannada", "\u0c80-\u0cff"),
    ("malayalam", "\u0d00-\u0d7f"),
    ("sinhala", "\u0d80-\u0dff"),
    ("ethiopic", "\u1200-\u137f"),
)
# Runs of one script, not single letters: one match per word instead of one per letter.
_SCRIPT_CLASS = re.compile("|".join(f"(?P<{name}>[{chars}]+)" for name, chars in _SCRIPT_RANGES))

_UNSEEN = 2**62
"""A feature's first position in :meth:`_Scorer.feature_counts`' table before it is seen (above any position)."""

_LOG1P_COUNTS = 8192
"""Counts whose ``log1p`` the scorer keeps in a table: a sample's 1,500 characters give at most 6,000 features."""

_identifier = None
_scorer: _Scorer | None = None
_identifier_lock = threading.Lock()


def _get_identifier():
    """The py3langid model restricted to SUPPORTED, loaded once (module-level lazy singleton)."""
    return _get_scorer().identifier


def _get_scorer() -> _Scorer:
    """The model and its NumPy tokenizer tables, loaded once (module-level lazy singleton)."""
    global _identifier, _scorer
    if _scorer is None:
        with _identifier_lock:
            if _scorer is None:
                from govpress.parsers.langid_cache import load_model

                # From an uncompressed cached copy when there is one: decompressing the shipped
                # model was the largest start-up cost of ``govpress extract --manifest``.
                model = load_model(SUPPORTED)
                _identifier = model.identifier
                _scorer = _Scorer(model.identifier, model.window)
    return _scorer


class _Scorer:
    """py3langid's ``LanguageIdentifier.rank`` (raw scores), its tokenizer walk done by NumPy.

    py3langid walks its tokenizer automaton one byte at a time in a Python loop (two thirds of a
    detection's time). The automaton's state at a byte depends on the last ``window`` bytes only
    (:func:`govpress.parsers.langid_cache.dfa_window`), so the states of all bytes come from
    ``window`` vectorised steps over the whole text. The features are then counted in order of
    first occurrence, as py3langid's ``Counter`` does, and scored with its own expression: the
    ranking is the same to the bit (tests/unit/parsers/test_language.py compares them).
    """

    def __init__(self, identifier, window: int) -> None:
        import numpy as np
        from py3langid.langid import RAW_FLOOR

        from govpress.parsers.langid_cache import _numpy

        self.identifier = identifier
        self.window = window
        self.nextmove = nextmove = _numpy(identifier.tk_nextmove)
        rowbase = getattr(identifier, "_rowbase", None)  # already an ndarray when read from the cached copy
        if not isinstance(rowbase, np.ndarray) or rowbase.dtype != np.int64 or len(rowbase) != len(identifier.tk_row):
            rowbase = _numpy(identifier.tk_row).astype(np.int64) << 8
        self.rowbase = rowbase
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.feature_total = len(identifier.nb_ptc)  # feature indexes are below it
        self.floor = RAW_FLOOR
        # Columns of one label (srl and sr): the first keeps the better score, as py3langid's _decide does.
        first: dict[str, int] = {}
        self.aliases = []
        for i, label in enumerate(identifier.nb_classes):
            if label in first:
                self.aliases.append((first[label], i))
            else:
                first[label] = i
        self._candidate_columns: dict[str, list[tuple[str, int]]] = {}
        """Script -> its candidate languages' (label, first column), made at its first :meth:`rank_among`."""
        self._local = threading.local()
        """Each thread's table for :meth:`feature_counts` (:meth:`_first_positions`)."""
        # The state after two bytes from the start state, by the pair (first << 8 | second): the first two of
        # :meth:`feature_counts`' steps as one look-up (65,536 states, 0.5 MB; each built by the same two moves).
        start = nextmove.take(rowbase[0] + np.arange(256))
        self.pair_states = nextmove.take((rowbase.take(start)[:, None] + np.arange(256)).ravel()).astype(np.int64)
        self.first_states = start.astype(np.int64)
        """The state after one byte from the start state, by the byte."""
        self.log1p = np.log1p(np.arange(_LOG1P_COUNTS, dtype=np.float32))
        """``log1p`` of every count below :data:`_LOG1P_COUNTS` as float32, by the count (:meth:`scores`)."""

    def feature_counts(self, data: bytes):
        """(feature indexes, their counts as float32) in order of first occurrence; None when there is none."""
        import numpy as np

        found = self._counted(data)
        if found is None:
            return None
        features, counts = found
        return features, counts.astype(np.float32)

    def _counted(self, data: bytes):
        """:meth:`feature_counts` with the counts as integers (int64)."""
        import numpy as np

        size = len(data)
        if not size:
            return None
        text = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
        # Step k feeds every byte's state the byte k places before it: after the last step each
        # state has read its own byte and the window - 1 bytes before it (fewer at the start).
        rowbase, nextmove, window = self.rowbase, self.nextmove, self.window
        if window >= 2 and size >= window:
            # The first two steps at once: from the start state, the state after the pair of bytes at
            # window - 1 and window - 2 places before each byte (the byte window - 2 places after the start
            # has read one byte only, the ones before it none).
            states = np.empty(size, dtype=np.int64)
            states[:window - 2] = 0
            states[window - 2] = self.first_states[data[0]]
            pairs = text[:size - window + 1] << 8
            pairs += text[1:size - window + 2]
            states[window - 1:] = self.pair_states.take(pairs)
            last = window - 3
        else:
            states = np.zeros(size, dtype=np.int64)
            last = min(window, size) - 1
        for k in range(last, -1, -1):
            moves = rowbase.take(states[k:])
            moves += text[:size - k]
            states[k:] = nextmove.take(moves)
        features = self.output.take(states)
        features = features[features >= 0]
        if not len(features):
            return None
        # Counted as py3langid counts them, in its Counter's order of first occurrence (the order of
        # the features is the order of the sum in the scores' product), with no sort: a table indexed by
        # feature (this thread's, every entry "not seen") takes each feature's first position by
        # ``minimum.at``; each visit reads its feature's first position back, the visits that are their
        # own first position are the distinct features in order, and a count of the first positions is
        # each feature's count at its first position. The entries written are put back at once.
        n = len(features)
        positions = np.arange(n)
        first = self._first_positions()
        try:
            np.minimum.at(first, features, positions)
            firsts = first.take(features)
        finally:
            first[features] = _UNSEEN
        distinct = firsts == positions
        counts = np.bincount(firsts, minlength=n)[distinct]
        return features[distinct].astype(np.intp, copy=False), counts

    def _first_positions(self):
        """This thread's table of first positions, one entry per feature, every entry :data:`_UNSEEN` between
        two counts (threads parse at once in a small run, so the table is not shared)."""
        import numpy as np

        table = getattr(self._local, "first", None)
        if table is None:
            table = self._local.first = np.full(self.feature_total, _UNSEEN, dtype=np.intp)
        return table

    def scores(self, text: str, data: bytes | None = None) -> list[float]:
        """The raw score of every column of the model, an alias's in its label's first column (py3langid's
        ``_decide`` for ``norm_probs=False``). ``data``: the text's UTF-8 (``surrogatepass``) when the caller has
        it, used when it is what the model reads (the text neither upper case nor other than its NFC)."""
        import numpy as np

        identifier = self.identifier
        if text.isupper():
            text = text.lower()
            data = None
        if data is None or not unicodedata.is_normalized("NFC", text):
            data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        found = self._counted(data)
        if found is None:
            scores = np.full(len(identifier.nb_classes), self.floor, dtype=np.float32)
        else:
            features, counts = found
            # Each count's log1p as float32 from the table of them (the same ufunc on the same float32 values,
            # element by element), when every count is in it: a count is at most the number of features, one a
            # byte at most.
            if len(data) < len(self.log1p):
                weights = self.log1p.take(counts)
            else:
                weights = np.log1p(counts.astype(np.float32))
            # take, not indexing: the same rows in the same C-contiguous matrix (so the same product, to the bit),
            # copied row by row: 6.7 against 11.2 us a sample's product
            scores = weights @ identifier.nb_ptc.take(features, axis=0) + identifier.nb_pc
        for i, j in self.aliases:
            scores[i] = max(scores[i], scores[j])
            scores[j] = self.floor
        return scores.tolist()

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every language with its raw score, best first (py3langid's ``rank`` for ``norm_probs=False``)."""
        merged: dict[str, float] = {}
        for label, score in zip(self.identifier.nb_classes, self.scores(text)):
            merged.setdefault(label, score)
        return sorted(merged.items(), key=itemgetter(1), reverse=True)

    def rank_among(self, text: str, script: str, data: bytes | None = None) -> list[tuple[str, float]]:
        """:meth:`rank`'s entries for the script's candidate languages, in its order: the candidates alone
        (each label's first column, in the model's order of labels) sorted by score, best first. The sort is
        stable, as :meth:`rank`'s, so equal scores keep that order in both, and the rest of the labels were
        never ordered or merged (~20 of ~130 us a page's detection took in a loop)."""
        columns = self._candidate_columns.get(script)
        if columns is None:
            wanted = set(_SCRIPT_LANGUAGES[script])
            first: dict[str, int] = {}
            for i, label in enumerate(self.identifier.nb_classes):
                first.setdefault(label, i)
            columns = self._candidate_columns[script] = [(label, i) for label, i in first.items() if label in wanted]
        scores = self.scores(text, data)
        return sorted([(label, scores[i]) for label, i in columns], key=itemgetter(1), reverse=True)


def text_sample(text: str) -> str:
    """The text itself when short, else :data:`SAMPLE_WINDOWS` stretches from its start to its end, cut at spaces."""
    if len(text) <= SAMPLE_CHARS:
        return text
    width = (SAMPLE_CHARS - SAMPLE_WINDOWS) // SAMPLE_WINDOWS  # room for the newlines that join the stretches
    step = (len(text) - width) / (SAMPLE_WINDOWS - 1) if SAMPLE_WINDOWS > 1 else 0
    parts = []
    for number in range(SAMPLE_WINDOWS):
        start = int(number * step)
        piece = text[start:start + width]
        if start:  # begin and end on a word boundary where there is one, so no word is cut in half
            space = piece.find(" ")
            piece = piece[space + 1:] if 0 <= space < width // 4 else piece
        end = piece.rfind(" ") if start + width < len(text) else -1  # the text's own end needs no cut
        parts.append(piece[:end] if end > width * 3 // 4 else piece)
    return "\n".join(parts)


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for m in _SCRIPT_CLASS.finditer(text):
        counts[m.lastgroup] += m.end() - m.start()
    return counts


# Everything but one script's letters, for :func:`majority_script`'s one-pass count of that script.
_NOT_SCRIPT = {name: re.compile(f"[^{chars}]+") for name, chars in _SCRIPT_RANGES if name in ("cyrillic", "latin")}


def _bytes_but(kept: bytes) -> bytes:
    return bytes(b for b in range(256) if b not in kept)


_SCRIPT_LEAD_BYTES = (
    ("cyrillic", _bytes_but(bytes(range(0xD0, 0xD4)))),  # U+0400-U+04FF: each letter one byte D0-D3 in UTF-8
    ("latin", _bytes_but(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" + bytes(range(0xC3, 0xCA)))),  # U+00C0-U+027F
)
"""Per script, the UTF-8 bytes that are not the first byte of a character of a block wholly inside its
:data:`_SCRIPT_RANGES` (deleted by ``bytes.translate``): what is left counts some of the script's letters, never more
(a continuation byte is 80-BF, so no other character's byte is kept)."""


_WIDE_WEIGHT = 3
"""Latin letters one Chinese character, kana or Hangul syllable counts for in :func:`majority_script`: one of them
says about as much as a short word. A Chinese article quoting ``Python``, ``MongoDB`` and a code sample has more Latin
letters than characters, and is Chinese."""
_WIDE_SCRIPTS = frozenset({"han", "kana", "hangul"})
_NOT_WIDE_LEAD = _bytes_but(bytes(range(0xE3, 0xEE)))
"""Every byte but the UTF-8 lead bytes of U+3000-U+DFFF (kana, han, Hangul syllables and their punctuation)."""


def majority_script(text: str, data: bytes | None = None) -> str | None:
    """The script with the most letters in ``text`` (``kana`` for han with any kana), None when it has none.

    A Chinese character, a kana or a Hangul syllable counts as :data:`_WIDE_WEIGHT` letters.

    Without those, the same choice as ``_script_counts(text).most_common(1)`` (ties to the script met first), cheaper:
    an ASCII text's only script letters are Latin; a text whose Cyrillic or Latin letters are more than
    half of all its characters has that script's majority whatever the rest is (one pass in C each).
    Only a text neither settles is counted word by word (the ranges are disjoint: each letter is one
    script's). Before those passes, a lower bound of the Cyrillic and Latin letters, the UTF-8 bytes that open a
    character of U+0400-U+04FF or are an ASCII letter or open one of U+00C0-U+027F (:data:`_SCRIPT_LEAD_BYTES`),
    settles nearly every text at a tenth of their cost: more than half is more than half whatever the rest is,
    and no two scripts can both have more than half. ``data``: the text's UTF-8 (``surrogatepass``) when the
    caller has it (:func:`language_probabilities` encodes its sample once for every step).
    """
    if text.isascii():
        return "latin" if _SCRIPT_CLASS.search(text) else None
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    if data.translate(None, _NOT_WIDE_LEAD):  # some character of U+3000-U+DFFF: counted with weights
        weighted: Counter[str] = Counter()
        for name, count in _script_counts(text).items():
            weighted[name] = count * _WIDE_WEIGHT if name in _WIDE_SCRIPTS else count
        if not weighted:
            return None
        script = weighted.most_common(1)[0][0]
        return "kana" if script == "han" and weighted.get("kana") else script
    for name, others in _SCRIPT_LEAD_BYTES:  # a lower bound of the script's letters, counted in C (a tenth of the sub)
        if 2 * len(data.translate(None, others)) > len(text):
            return name
    for name, others in _NOT_SCRIPT.items():
        if 2 * len(others.sub("", text)) > len(text):
            return name
    counts = _script_counts(text)
    if not counts:
        return None
    script = counts.most_common(1)[0][0]
    return "kana" if script == "han" and counts.get("kana") else script


def language_probabilities(text: str) -> dict[str, float]:
    """Probabilities of the candidate languages of the text's majority script (empty if no letters)."""
    sample = text_sample(text)
    data = sample.encode("utf-8", "surrogatepass")  # encoded once: the script's count, the scores, the temperature
    script = majority_script(sample, data)
    if script is None:
        return {}
    candidates = _SCRIPT_LANGUAGES[script]
    if len(candidates) == 1:  # the script is the language's alone (Greek, Thai, Burmese...): nothing to rank
        return {candidates[0]: 1.0}
    raw = _get_scorer().rank_among(sample, script, data)  # rank(sample)'s entries of the script's languages
    if not raw:
        return {}
    # py3langid's own calibration: divide the log-scores by sqrt(byte length), then softmax.
    temperature = math.sqrt(len(data) or 1)
    top = raw[0][1]  # raw is sorted by score, best first: its first score is the greatest
    weights = {lang: math.exp((score - top) / temperature) for lang, score in raw}
    total = sum(weights.values())
    # Largest weight first, equal weights in raw's order (a stable sort, reversed or not): the same order as a
    # key of minus the weight, without a Python call per language.
    return {lang: weight / total for lang, weight in sorted(weights.items(), key=itemgetter(1), reverse=True)}


_NOT_ASCII_LETTERS = re.compile("[^A-Za-z]+")


def _letters(text: str) -> int:
    if text.isascii():  # the only ASCII letters (str.isalpha) are A-Z and a-z: counted in one pass in C
        return len(_NOT_ASCII_LETTERS.sub("", text))
    return sum(map(str.isalpha, text))  # a builtin per character, not a generator step


def _letter_count(text: str, limit: int | None = None) -> int:
    """The letters (``str.isalpha``) of the text's sample; with ``limit``, ``min(letters, limit)``.

    :func:`detect_language` only compares the count with :data:`MIN_LETTERS` and :data:`SHORT_LETTERS`:
    with a limit past both, an opening stretch of twice the limit settles nearly every text (a fifth of
    a detection's time was counting the letters of the whole sample).
    """
    sample = text_sample(text)
    if limit is None:
        return _letters(sample)
    head = 2 * limit
    count = _letters(sample[:head])
    if count < limit and len(sample) > head:
        count += _letters(sample[head:])
    return min(count, limit)


def detect_language(text: str, declared: Sequence[str] = ()) -> str | None:
    """ISO 639-1 code of ``text``, preferring a declared language when the evidence is weak."""
    declared = [code.lower().split("-")[0].split("_")[0] for code in declared if code]
    sample = text_sample(text or "")
    letters = _letter_count(sample, SHORT_LETTERS + 1)  # only compared with MIN_LETTERS and SHORT_LETTERS
    if letters < MIN_LETTERS:  # too short to tell: the source's word, if any
        return declared[0] if declared else None
    probabilities = language_probabilities(sample)  # a sample's sample is itself
    if not probabilities:
        return declared[0] if declared else None
    detected = next(iter(probabilities))
    in_script = [code for code in declared if code in probabilities]
    if in_script:
        best_declared = max(in_script, key=lambda code: probabilities[code])
        if (
            best_declared == detected
            or letters <= SHORT_LETTERS
            or probabilities[best_declared] >= CLOSE_PROBABILITY
        ):
            return best_declared
    # Nothing declared fits, or the detector is sure: trust the text. (A declared language in
    # another script never wins: the letters themselves contradict it.)
    return detected


_held = threading.local()
"""This thread's :func:`detections_held` list while it holds one (None or unset otherwise)."""


def detect_later(detection: Callable[[], None]) -> None:
    """Run ``detection`` (a parser's step that detects a page's language and sets it on the release) at once, or
    later when this thread holds its detections (:func:`detections_held`): for a parser whose later steps do not
    read the language. It raises what the parser's own step would (a ParseError)."""
    waiting = getattr(_held, "waiting", None)
    if waiting is None:
        detection()
    else:
        waiting.append(detection)


@contextmanager
def detections_held() -> Iterator[list[Callable[[], None]]]:
    """Within it, :func:`detect_later` holds this thread's detections in the list it yields, in order, for the
    caller to run after the block: a chunk's pages detected together after their parses keep the detector's tables
    (tens of MB, read at random) in the CPU's caches from one page to the next, where a page's tree work between two
    detections evicted them (bench/results.md, perf-stage28)."""
    outer = getattr(_held, "waiting", None)
    waiting: list[Callable[[], None]] = []
    _held.waiting = waiting
    try:
        yield waiting
    finally:
        _held.waiting = outer


def language_mismatch(detected: str | None, declared: Sequence[str]) -> bool:
    """True when a language was detected, the source declares some, and it is not among them."""
    if not detected or not declared:
        return False
    normalised = {code.lower().split("-")[0].split("_")[0] for code in declared if code}
    return bool(normalised) and detected.lower() not in normalised
