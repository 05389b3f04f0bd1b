"""Headline cleaning: site names off ``<title>``/og:title, a date glued to the headline split off,
and the choice between ``<h1>``, og:title, JSON-LD headline and ``<title>`` by agreement.

Site names come from three places: the page's own ``og:site_name`` / ``application-name`` /
JSON-LD publisher, and what every page of a source shares (:func:`learn_site_names`, given to
the parser through ``ParseContext.site_names``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from govpress.parsers.html.blocks import clean_title
from govpress.parsers.memo import ShortTextMemo

__all__ = [
    "UNSPACED_LETTER", "learn_site_names", "page_title", "similarity", "site_name_keys", "site_names_for_source", "strip_site_keys",
    "strip_site_name", "strip_site_suffix", "title_key", "title_segments",
]

# Each separator pattern is written to open with a character set (the whitespace, "|" or ":" a separator starts
# with; a look-behind then says which form it is): re then skips every position whose character is not in the set
# instead of trying the pattern there, ~4x faster over a title. Each matches what its plain form
# ``\s+(?:SEPARATOR)\s+|\s*\|\s*`` (the colon's: ``|(?<=\w):\s+``) matches, position by position
# (tests/unit/parsers/test_titles.py compares them).
_TITLE_SEPARATORS = re.compile(r"[\s|](?:(?<=\s)\s*(?:\||—|–|::|»|›|‹|·|•|\\|/)\s+|(?<=\s)\s*\|\s*|(?<=\|)\s*)")
_DASH_SEPARATOR = re.compile(r"\s\s*-\s+")  # \s+-\s+
# Every separator a site name may be glued to a headline with, plain hyphen included.
_ANY_SEPARATOR = re.compile(r"[\s|:](?:(?<=\s)\s*(?:\||—|–|-|::|»|›|‹|·|•|\\|/)\s+|(?<=\s)\s*\|\s*|(?<=\|)\s*|(?<=\w:)\s+)")
# Segments for learning site names: no colon (headlines use "Topic: what happened").
_SEGMENT_SEPARATOR = re.compile(r"[\s|](?:(?<=\s)\s*(?:\||—|–|-|::|»|›|‹|·|•|\\|/)\s+|(?<=\s)\s*\|\s*|(?<=\|)\s*)")
# A character every separator above holds (each of their forms has one of these): a text without any has no
# separator, told by one scan in C (most titles and headlines), without a call of the separator's pattern.
_SEPARATOR_CHAR = re.compile(r"[|—–\-:»›‹·•\\/]")


def _split_at(separators: re.Pattern[str], text: str) -> list[str]:
    """``separators.split(text)`` for one of the separator patterns: ``[text]`` at once when it holds no separator character."""
    return separators.split(text) if _SEPARATOR_CHAR.search(text) is not None else [text]


_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
UNSPACED_LETTER = re.compile(f"[{_UNSPACED}]")
"""A letter of a script written without spaces between words (Thai, Burmese, Khmer, Japanese, Chinese; Korean
titles are often one unspaced phrase too)."""
# How titles in scripts written without spaces glue the site's name on: a full-width bar, an underscore, a hyphen
# (or two: "新闻动态--中国地理学会官网") between two of their letters, a colon after a space ("Headline　：日本経済新聞"); never a colon inside the headline
# ("外国专家：中美合作共赢…" is topic and headline).
_UNSPACED_SEPARATOR = re.compile(
    f"\\s*[｜︱]\\s*|(?<=\\S)_(?=\\S)|(?<=[{_UNSPACED}）)」』])\\s*[-－]{{1,2}}\\s*(?=[{_UNSPACED}（(「『])|\\s+[：:]\\s*")


def _unspaced_separators(title: str) -> str:
    """``title`` with the separators of an unspaced-script title written as " | " (itself when it has none of those letters)."""
    if UNSPACED_LETTER.search(title) is None:
        return title
    return _UNSPACED_SEPARATOR.sub(" | ", title)


def _words(part: str) -> int:
    """A part's words; in a script written without spaces, one per two of its letters (a word is one to three)."""
    letters = len(UNSPACED_LETTER.findall(part))
    if not letters:
        return len(part.split())
    return len(UNSPACED_LETTER.sub("", part).split()) + (letters + 1) // 2


def _strip_site_suffix(title: str, site_name: str | None = None) -> str:
    """``"Headline | News | Site"`` -> ``"Headline"``; ``"Site | Headline"`` -> ``"Headline"``.

    Splits on ``|``, em/en dashes, ``::``, ``»``, ``·``; drops segments equal to the site name and
    keeps the first remaining segment, or the longest one when the first is a short label. A plain
    ``" - "`` only counts when the part after the last one is short (titles use hyphens).
    """
    title = clean_title(title)
    if not title:
        return ""
    if site_name:
        title = strip_site_name(title, [site_name]) or title
    title = _unspaced_separators(title)
    parts = [p.strip() for p in _split_at(_TITLE_SEPARATORS, title) if p and p.strip()]
    if len(parts) <= 1:
        dashed = _split_at(_DASH_SEPARATOR, title)
        if len(dashed) > 1 and len(dashed[-1].split()) <= 4 and len(dashed[-1]) < len(title) / 2:
            parts = [" - ".join(dashed[:-1]).strip()]
        else:
            return title
    site = clean_title(site_name).casefold() if site_name else ""
    if site:
        kept = [p for p in parts if p.casefold() != site]
        parts = kept or parts
    # The headline comes first unless the first part is a short site label ("BMJV | Headline").
    if _words(parts[0]) >= 3:
        return parts[0]
    return max(parts, key=_words)


strip_site_suffix = ShortTextMemo(_strip_site_suffix)
"""(title, site name) -> :func:`_strip_site_suffix`, remembered for short titles: a page asks of the same titles
(``<title>``, og:title, JSON-LD headline, h-entry name...) five times, three of them again (its metadata's
candidates and the headline's choice)."""


_WORD = re.compile(r"\w+")  # compiled once: these helpers run dozens of times a page, and re's cache lookup is half a call


_KEYS: dict[str, str] = {}
"""Short text -> its :func:`title_key`: a page keys the same site names and title segments again and again (15 a page)."""


def title_key(text: str) -> str:
    """The text's words (``\\w+``), case-folded, joined by one space: how titles, their segments and site names
    are compared (memoised for texts of 200 characters or fewer)."""
    key = _KEYS.get(text)
    if key is None:
        key = " ".join(_WORD.findall(text.casefold()))
        if len(text) <= 200:  # titles and site names; a hostile page's long ones are not kept
            if len(_KEYS) >= 4096:
                _KEYS.clear()
            _KEYS[text] = key
    return key


def site_name_keys(names: Iterable[str]) -> set[str]:
    """The :func:`title_key` of each of ``names`` that has one: what :func:`strip_site_name` compares segments with."""
    return {key for n in names if n and (key := title_key(n))}


def strip_site_name(title: str, names: Iterable[str]) -> str:
    """``title`` without any of ``names`` as a prefix or suffix segment ("SITE - Title", "Title | site").

    A name matches case- and punctuation-insensitively; it must be separated from the rest by a
    separator (``|``, dashes, ``:``, ``»``, ``/``), so a headline that merely starts with the
    ministry's name ("Ministry of Finance reports ...") keeps it.
    """
    return strip_site_keys(title, site_name_keys(names))


def strip_site_keys(title: str, keys: set[str] | frozenset[str]) -> str:
    """:func:`strip_site_name` with the names' keys (:func:`site_name_keys`) given: a caller that strips several titles
    of the same names keys them once."""
    title = clean_title(title)
    if not keys or not title:
        return title
    changed = True
    while changed:
        changed = False
        for match in _ANY_SEPARATOR.finditer(title) if _SEPARATOR_CHAR.search(title) is not None else ():
            head, tail = title[: match.start()].strip(), title[match.end():].strip()
            if head and tail and title_key(head) in keys:
                title, changed = tail, True
                break
            if head and tail and title_key(tail) in keys:
                title, changed = head, True
                break
    return title


def _title_segments(title: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in _split_at(_SEGMENT_SEPARATOR, _unspaced_separators(clean_title(title))) if p and p.strip())


_segments = ShortTextMemo(_title_segments)
"""title -> its segments: six asks a page, four of them again."""
_SEGMENTS = _segments.answers


def title_segments(title: str) -> list[str]:
    """The parts of a ``<title>`` between separators (``|``, dashes, ``::``, ``»``, ``·``; not colons)."""
    return list(_segments(title))  # the caller's own list


def learn_site_names(titles: Sequence[str], *, share: float = 0.5) -> list[str]:
    """Site names learnt from the ``<title>`` of many pages of one source.

    A first or last segment repeated on at least half of the pages (and on two or more) is the
    site's name or section ("Ministry of Examples", "News"); headlines are unique per page.
    """
    firsts: Counter[str] = Counter()
    lasts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    usable = 0
    for title in titles:
        parts = title_segments(title)
        if len(parts) < 2:
            continue
        usable += 1
        for part, counter in ((parts[0], firsts), (parts[-1], lasts)):
            key = title_key(part)
            if key:
                counter[key] += 1
                spelled.setdefault(key, part)
    needed = max(2, int(share * len(titles) + 0.999))
    names = [spelled[k] for k, n in (firsts + lasts).most_common() if n >= needed]
    return names if usable >= 2 else []


_TITLE_TAG = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)


def page_title(body: bytes) -> str | None:
    """The ``<title>`` of an HTML page, read cheaply from its first 64 KB (no parse); None without one."""
    match = _TITLE_TAG.search(body[:64_000])
    if not match:
        return None
    from govpress.parsers.html.tree import decode_page

    return clean_title(decode_page(match.group(1))) or None


def site_names_for_source(page_titles: Sequence[str], stored_titles: Sequence[str] = ()) -> tuple[str, ...]:
    """Site names of one source, learnt while it is ingested (see :func:`learn_site_names`).

    Two witnesses, each read on its own: the ``<title>`` of the pages being parsed together (a
    batch: their shared first or last segment is the site), and the headlines already stored for
    the source (a site name that got into them before it was known repeats there, and is then
    stripped from new pages and from old ones at their next reparse). Clean stored headlines
    share nothing and teach nothing.
    """
    names = [*learn_site_names(list(page_titles)), *learn_site_names(list(stored_titles))]
    return tuple(dict.fromkeys(names))


_TOKENS: dict[str, tuple[str, frozenset[str]]] = {}
"""Short text -> its case fold and its words (``\\w+`` of the fold): a page compares its headline with each metadata
title and segment, and each of those with the others."""


def _folded_tokens(text: str) -> tuple[str, frozenset[str]]:
    """``text.casefold()`` and the set of its words (memoised for texts of 300 characters or fewer)."""
    known = _TOKENS.get(text)
    if known is None:
        folded = text.casefold()
        known = folded, frozenset(_WORD.findall(folded))
        if len(text) <= 300 and type(text) is str:  # not lxml's string subclass, which holds its document
            if len(_TOKENS) >= 4096:
                _TOKENS.clear()
            _TOKENS[text] = known
    return known


def similarity(a: str, b: str) -> float:
    """Token Jaccard, raised to 0.8 when one title contains the other (a kicker or site name around it)."""
    fa, ta = _folded_tokens(a)
    fb, tb = _folded_tokens(b)
    if not ta or not tb:
        return 0.0
    score = len(ta & tb) / len(ta | tb)
    # One title inside the other (a kicker or a site name around it): unless the one inside is a single word,
    # which says little ("<title>MEDEF</title>" is inside every "Medef Contactez-nous" of the page's menus).
    if (fa in fb and (len(ta) > 1 or len(fa) >= 8)) or (fb in fa and (len(tb) > 1 or len(fb) >= 8)):
        score = max(score, 0.8)
    return score
