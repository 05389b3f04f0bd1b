"""A bounded memo for pure functions of short plain strings (titles, headings, site names).

A page asks the same few titles of the same functions again and again (its ``<title>``, og:title, JSON-LD
headline and h1 are cleaned, split and folded several times each: bench/results.md, "perf-parse21"); a memo per
process answers the repeats. Only plain ``str`` arguments up to ``longest`` characters are remembered: lxml's
string subclass keeps its whole document alive, and long texts rarely repeat. When full the memo is cleared, so
its size stays bounded whatever a backfill reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

LONGEST = 300
"""Longest text remembered (characters)."""
ENTRIES = 4096
"""Entries at most; the memo is cleared when full."""


class ShortTextMemo(Generic[T]):
    """``function(text, *more)`` remembered per arguments when ``text`` is a plain ``str`` of at most ``longest``
    characters and each of ``more`` a plain ``str`` or None; any other call goes to ``function`` itself."""

    def __init__(self, function: Callable[..., T], *, longest: int = LONGEST, entries: int = ENTRIES) -> None:
        self.function = function
        self.longest = longest
        self.entries = entries
        self.answers: dict[object, T] = {}
        """Remembered answers: keyed by the text alone for a one-argument call, else by the tuple of arguments."""
        functools.update_wrapper(self, function)

    def __call__(self, text: str, *more: str | None) -> T:
        if type(text) is not str or len(text) > self.longest:
            return self.function(text, *more)
        if more:
            for m in more:  # a loop, not ``any`` over a generator: ~20 calls a page, most with one or no more
                if m is not None and type(m) is not str:
                    return self.function(text, *more)
            key = (text, *more)
        else:
            key = text
        answer = self.answers.get(key)
        if answer is None:
            answer = self.function(text, *more)
            if len(self.answers) >= self.entries:
                self.answers.clear()
            self.answers[key] = answer
        return answer
