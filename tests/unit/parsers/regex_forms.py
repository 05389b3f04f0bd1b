"""Test helper: the top-level alternatives of a regex source (``a|b(?:c|d)|e`` -> ``a``, ``b(?:c|d)``, ``e``)."""

from __future__ import annotations


def top_level_alternatives(words: str) -> list[str]:
    """``words`` split at the ``|`` that no group encloses."""
    forms, depth, start = [], 0, 0
    for i, char in enumerate(words + "|"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            forms.append(words[start:i])
            start = i + 1
    return forms
