"""The distinctive words of each source over a period: frequent in its releases, rare in the others'.

Score of a word for a source: how often the source used it times log((1 + S) / (1 + s)), S the number
of sources and s those that used the word (tf-idf across sources). Stopwords are the search's
closed-class lists (:mod:`govpress.store.stopwords`); words shorter than 3 letters and numbers are
left out. Words are shown lower-cased as written, not stemmed (an analyst reads them).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from govpress.store.stopwords import STOPWORDS

TOP = 8
_WORD = re.compile(r"[^\W\d_]{3,}(?:['’][^\W\d_]+)*")
_FAMILY = {"ru": "ru", "be": "ru", "uk": "ru", "en": "en", "de": "de", "az": "az"}
_ALL_STOPWORDS = frozenset(w for words in STOPWORDS.values() for w in words)


@dataclass(frozen=True, slots=True)
class SourceTerms:
    source_id: str
    releases: int
    terms: list[tuple[str, int]]
    """(word, times used), most distinctive first."""


def words(text: str, language: str | None) -> list[str]:
    stop = set(STOPWORDS.get(_FAMILY.get(language or "", "other"), ())) if language in _FAMILY else _ALL_STOPWORDS
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in stop]


def top_terms(texts: dict[str, list[tuple[str | None, str]]], top: int = TOP) -> list[SourceTerms]:
    """Per source (its (language, text) pairs), its ``top`` most distinctive words."""
    counts = {source: Counter(w for language, text in items for w in words(text, language)) for source, items in texts.items()}
    used_by = Counter(w for c in counts.values() for w in c)
    n = len(counts)
    out = []
    for source in sorted(counts):
        scored = sorted(counts[source].items(),
                        key=lambda item: (-item[1] * math.log((1 + n) / (1 + used_by[item[0]])), -item[1], item[0]))
        out.append(SourceTerms(source, len(texts[source]), [(w, c) for w, c in scored[:top]]))
    return out
