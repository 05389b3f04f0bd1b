"""The one detector of challenge, anti-bot and access pages: is this the page we asked for, or a block?

Government sites answer crawlers with 403s, WAF challenges (AWS WAF sets ``x-amzn-waf-action``,
Cloudflare ``cf-mitigated: challenge`` and "Just a moment..."), "Request Access" / "Access Denied" /
captcha pages, or a tiny HTML shell with no article in it, often with status 200. Stored as a
release such a page is garbage, so the fetcher records it as outcome ``blocked`` (keeping the body
as evidence) and the parsers raise ``BlockedPage``. Both ask :func:`blocked_reason`, so a page the
fetcher let through is one the parsers accept, and every reason is worded once, here.

The rules, in order (the first that holds gives the reason):

1. the response headers: ``x-amzn-waf-action`` (any value), ``cf-mitigated: challenge``;
2. a challenge or access ``<title>`` ("Just a moment...", "Access Denied", a captcha), unless the
   page is a long real article (a release may well be titled "Access denied: a new law ...");
3. vendor markers (AWS WAF, Cloudflare's challenge, Imperva, DDoS-Guard, captchas) and access
   phrases in the first 16 KiB of markup, but only on a page with little content of its own:
   real pages carry Cloudflare's scripts and captcha-guarded comment forms too;
4. a status that refuses access (401, 403, 451), whatever the body;
5. a tiny HTML page (< 4 KB) with neither article markup nor two sentences of prose (an application's state in
   a script counts as article markup: the parse reads the article from it, parsers/html/state.py, or refuses).

Rules 2, 3 and 5 judge HTML only (by Content-Type, or by the body when that says nothing): a
feed, sitemap or JSON document may mention "access denied" or "captcha" in its items.

It runs on every fetched response and before every parse, so the common case (a normal page) is
settled by its title and one pass of an Aho-Corasick automaton (ahocorasick-rs) over the first bytes,
which tells that no marker is there; the visible text is extracted only once a rule needs it. A parse of bytes the fetcher already judged (``ParseContext.no_block_found``) skips
it when the parser's text reads as those bytes did (:func:`fetch_verdict_holds`); a reparse of
archived bodies runs it afresh.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

import ahocorasick_rs

if TYPE_CHECKING:  # bs4 is imported only by callers that made a soup
    from bs4 import BeautifulSoup, Tag


TINY_PAGE_BYTES = 4096
"""Below this size an HTML page must show some article content to count as a page."""
POOR_TEXT_CHARS = 2000
"""Markers and phrases count on pages with less visible text than this (and no prose)."""
LONG_ARTICLE_CHARS = 3000
"""A page with this much prose is an article, whatever its title says."""
MARKER_BYTES = 16 * 1024
"""How much of the markup is searched for markers: challenge pages are small and say what they are at
the top, and searching more would cost every normal page its share (this runs on every response)."""
TEXT_BYTES = 300_000
"""How much of the markup is stripped down to visible text."""
REFUSING_STATUSES = {401: "HTTP 401", 403: "HTTP 403", 451: "HTTP 451 (unavailable for legal reasons)"}

_TITLES = tuple(
    (re.compile(pattern, re.I), reason)
    for pattern, reason in (
        (r"^\s*just a moment", "Cloudflare challenge (Just a moment...)"),
        (r"^\s*attention required|\|\s*cloudflare\s*$", "Cloudflare block (Attention Required)"),
        (r"^\s*request access\b", "Request Access page"),
        (r"^\s*access denied\b", "Access Denied page"),
        (r"^\s*(?:403\s+)?forbidden\s*$|^\s*403 forbidden\b", "403 Forbidden page"),
        (r"^\s*request rejected\b", "Request Rejected page"),
        (r"^\s*(?:ddos-guard|ddos protection)", "DDoS-Guard challenge"),
        (r"^\s*security check\b", "security check page"),
        (r"captcha|are you (?:a robot|human)|verify you are human|вы не робот|проверка браузера", "captcha page"),
    )
)
# Searched as bytes in the lower-cased head of the markup (scripts, attributes and noscript notes
# included): plain substrings, since a regex alternation over a page costs milliseconds. Bytes are
# lower-cased in ASCII only, hence the Cyrillic phrase without its capital and in capitals.
_MARKERS = tuple(
    (tuple(needle.encode() for needle in needles), reason)
    for needles, reason in (
        (("awswaf", "gokuprops", "/challenge.js"), "AWS WAF challenge"),
        (("cf-chl", "cf_chl_", "challenge-platform", "cf-browser-verification", "cf-error-details"), "Cloudflare challenge"),
        (("_incapsula_resource", "incapsula incident"), "Imperva/Incapsula challenge"),
        (("ddos-guard", "__ddg", "servicepipe"), "DDoS-Guard challenge"),
        (("captcha",), "captcha page"),
        (("request access",), "Request Access page"),
        (("access denied", "permission to access", "access to this page has been denied", "оступ запрещ", "ОСТУП ЗАПРЕЩ"),
         "Access Denied page"),
        (("checking your browser", "enable javascript and cookies", "please enable js", "please enable javascript",
          "are you a robot", "are you human", "verify you are human", "security check"), "browser check"),
    )
)
# Notices a site answers with instead of the page asked for, status 200 and all: maintenance, and the "your browser is
# outdated" screen some sites show a client they do not know. Stored, each would be a release made of the notice, or a
# new version of every held release it was asked for (a false edit). Lower-cased in ASCII only, as above: Cyrillic
# phrases without their first letter, and in capitals.
_NOTICES = tuple(
    (tuple(needle.encode() for needle in needles), reason)
    for needles, reason in (
        (("under maintenance", "down for maintenance", "scheduled maintenance", "temporarily unavailable",
          "ехнические работы", "ЕХНИЧЕСКИЕ РАБОТЫ", "ехнических работ", "ЕХНИЧЕСКИХ РАБОТ", "ременно недоступен",
          "РЕМЕННО НЕДОСТУПЕН", "эхнічныя работы", "асова недаступны", "ехнічні роботи", "имчасово недоступний",
          "ехникалық жұмыстар", "exniki işlər", "müvəqqəti əlçatan deyil", "wartungsarbeiten",
          "vorübergehend nicht verfügbar", "en maintenance", "temporairement indisponible", "en mantenimiento",
          "temporalmente no disponible"), "maintenance notice"),
        (("browser is outdated", "outdated browser", "upgrade your browser", "update your browser",
          "browser is not supported", "unsupported browser", "раузер устарел", "РАУЗЕР УСТАРЕЛ", "старевший браузер",
          "бновите браузер", "раўзер састарэў", "раузер застарів", "ihr browser ist veraltet", "navigateur obsolète",
          "navegador obsoleto", "brauzeriniz köhnədir"), "outdated-browser notice"),
    )
)
_ANY_NOTICE = ahocorasick_rs.BytesAhoCorasick(
    [needle for needles, _ in _NOTICES for needle in needles], matchkind=ahocorasick_rs.MatchKind.LeftmostFirst
)
NOTICE_TEXT_CHARS = 800
"""A notice counts on a page with less visible text than this, prose or not ("Please come back later.")."""

# Substrings shared by several needles: absent from a page (as in almost every page), they rule out all of
# their needles in one search instead of one each (16 searches of a clean page's head instead of 26).
_SCREENS = {
    b"challenge": (b"/challenge.js", b"challenge-platform"),
    b"cf-": (b"cf-chl", b"cf-browser-verification", b"cf-error-details"),
    b"incapsula": (b"_incapsula_resource", b"incapsula incident"),
    b"access": (b"request access", b"access denied", b"permission to access", b"access to this page has been denied"),
    b"you": (b"checking your browser", b"are you a robot", b"are you human", b"verify you are human"),
    b"enable j": (b"enable javascript and cookies", b"please enable js", b"please enable javascript"),
}
_SCREEN_OF = {needle: screen for screen, needles in _SCREENS.items() for needle in needles}
assert all(screen in needle for needle, screen in _SCREEN_OF.items())  # a screen absent rules its needles out
_SCREENED_MARKERS = tuple((needle, _SCREEN_OF.get(needle), reason) for needles, reason in _MARKERS for needle in needles)
_ANY_NEEDLE = ahocorasick_rs.BytesAhoCorasick(
    [needle for needles, _ in _MARKERS for needle in needles], matchkind=ahocorasick_rs.MatchKind.LeftmostFirst
)
"""Every needle of :data:`_MARKERS` in one automaton: whether any is in a head at all, in one pass. Leftmost-first
matching reports a match whenever any needle occurs (the leftmost one), and with it the library searches with its
SIMD prefilter (Teddy): ~1.5 us a bench page's head against ~35 for the screened substring searches, which are
left for the rare head that has a needle (they decide which reason comes first)."""
# Markup that only article pages have; chosen not to match <link>, <param>, <path> found in every challenge shell.
_ARTICLE_SIGNALS = (
    b"<article", b"<p>", b"<p ", b"<h1", b"<h2", b"<main", b"<time", b"og:title", b"application/ld+json", b"articlebody",
    b"<li>", b"<li ",
    # An application's state in a script (a page a script draws): the parse reads the article from it, or refuses.
    b"__next_data__", b"__nuxt", b"__initial_state__", b"__preloaded_state__", b"__apollo_state__",
    b'type="application/json"',
)
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*(?:\s|$)")
_HIDDEN = re.compile(r"<(script|style|noscript|template|title)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_LOOKS_HTML = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)",
    re.I | re.S,
)


_T = TypeVar("_T")


class _cached_property(Generic[_T]):
    """``functools.cached_property`` without its lock: computed at the first read, kept in the instance's ``__dict__``
    under its own name (a plain attribute from then on), as 3.12's is. Python 3.11's takes an ``RLock`` at each first
    read, ~0.5-0.85 us; a fetch's check reads two (the title, the markup): ~1 us of its ~11 on a bench page. A
    :class:`Page` is made and read by one thread."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


def _squash(text: str) -> str:
    """``re.sub(r"\\s+", " ", text).strip()``: re's ``\\s`` in a str pattern, ``str.split()`` and ``str.strip()`` all take the
    characters ``str.isspace`` takes for blanks, so the split and join is the same text (~1 us a title against ~5 for
    the substitution, a match and a piece for every blank)."""
    return " ".join(text.split())


def looks_like_html(content_type: str | None, head: bytes) -> bool:
    """By the Content-Type when it names a type, else by how the body starts."""
    if content_type:
        named = _type_says_html(content_type)
        if named is not None:
            return named
    return bool(_LOOKS_HTML.match(head))


@functools.lru_cache(maxsize=256)
def _type_says_html(content_type: str) -> bool | None:
    """Whether a Content-Type that names a type names HTML (None: it names none); remembered, as a site sends the
    same few on every page."""
    return "html" in content_type.lower() if content_type.split(";")[0].strip() else None


def fetch_verdict_holds(body: bytes, text: str, content_type: str | None, *, same_bytes: bool = False) -> bool:
    """Whether the fetcher's "no block" on ``body`` is also :func:`blocked_reason` ``(text)``'s answer.

    The fetcher asks ``blocked_reason(body, status=<2xx>, headers=...)``; a parser asks again of the
    page it decoded, with no status nor headers (``looks_blocked(text)``). The rules read a body only
    as UTF-8 bytes (:class:`Page`) and as HTML or not (rules 2, 3 and 5); the headers' rule 1 only
    finds blocks, and no rule but the wording of a reason tells one 2xx status from another. So the
    answers agree when the text encodes back to the very bytes and the Content-Type, which the
    fetcher's check read and the parser's does not, makes no difference to what is HTML. Both are
    checked here (a few microseconds, against 60-70 for the rules: bench/results.md, perf-parse13).
    ``same_bytes``: the caller's decode already tells that the text encodes back to ``body``
    (:func:`govpress.parsers.html.tree.decode_page_checked`), so the text is not encoded again to see it.
    """
    head = body[:4096]
    return looks_like_html(content_type, head) == looks_like_html(None, head) and (
        same_bytes or text.encode("utf-8", "ignore") == body)


class Page:
    """A body as the rules read it: searched as UTF-8 bytes, only its title and text decoded, and
    each costly part computed when a rule first asks for it."""

    def __init__(self, body: bytes | str, content_type: str | None = None) -> None:
        self._text = body if isinstance(body, str) else None
        if not isinstance(body, str):
            self.raw = body  # else encoded on first use: most pages need only the opening of it
        self.is_html = looks_like_html(content_type, self.head(4096))

    @_cached_property
    def raw(self) -> bytes:
        """The body as UTF-8 bytes (a text body encoded, what cannot be encoded dropped)."""
        return self._text.encode("utf-8", "ignore")

    @_cached_property
    def size(self) -> int:
        return len(self.raw)

    def head(self, size: int) -> bytes:
        """``raw[:size]``; of a text body only the opening is encoded when it makes ``size`` bytes
        (every character is at least one byte), not the whole page that the rules rarely need."""
        if self._text is None or "raw" in self.__dict__:
            return self.raw[:size]
        opening = self._text[:size].encode("utf-8", "ignore")
        return opening[:size] if len(opening) >= size else self.raw[:size]

    @property
    def tiny(self) -> bool:
        """Fewer than :data:`TINY_PAGE_BYTES` bytes (told from the opening: the head is shorter only then)."""
        return len(self.head(TINY_PAGE_BYTES)) < TINY_PAGE_BYTES

    @_cached_property
    def title(self) -> str:
        match = _TITLE.search(self.head(20_000))
        return _squash(html.unescape(_TAG.sub("", match.group(1).decode("utf-8", "replace")))) if match else ""

    @_cached_property
    def markup(self) -> bytes:
        """The head of the markup (:data:`MARKER_BYTES`), lower-cased."""
        return self.head(MARKER_BYTES).lower()

    @_cached_property
    def visible(self) -> str:
        text = self.head(TEXT_BYTES).decode("utf-8", "replace")
        return _squash(html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", text))))

    @_cached_property
    def prose(self) -> bool:
        """At least two sentences of prose: a real (if short) article rather than a notice."""
        return len(self.visible.split()) >= 12 and len(_SENTENCE_END.findall(self.visible)) >= 2

    @property
    def long_article(self) -> bool:
        return self.prose and len(self.visible) > LONG_ARTICLE_CHARS

    @property
    def little_content(self) -> bool:
        return not self.prose and len(self.visible) < POOR_TEXT_CHARS

    @property
    def article_markup(self) -> bool:
        return any(signal in self.markup for signal in _ARTICLE_SIGNALS)


_CAPTCHA_TITLE = _TITLES[-1][0]
_CAPTCHA_SCREENS = ("captcha", "are you ", "you are human", "ы не р", "ка браузера")
"""A piece of each of the captcha title pattern's alternatives, in letters that only themselves and their capitals
match under ``re.I`` (not ``i``: ``İ`` and ``ı`` match it; not ``в``, ``о``, ``т``: ``ᲀ``, ``ᲂ``, ``ᲄ`` do;
tests/unit/parsers/test_blocked.py checks every code point): a title the pattern matches has one of them in its
``lower()``. The pattern is unanchored and ``re.I`` gives sre no first letters to scan for, so it tries every
position of every title (~5 us); the screens are ``in`` tests of the lower-cased title (~0.4 us)."""
_CLOUDFLARE_TITLE, _ATTENTION_TITLE = _TITLES[1][0], re.compile(r"^\s*attention required", re.I)
"""The Cloudflare title pattern, and its first alternative alone: the second needs a "|" in the title."""


_TITLE_OPENINGS = frozenset("4ADFJRSadfjrs\u017f")
"""Every character that the first letter after the blanks of an anchored title pattern (``^\\s*`` then "just",
"attention", "request", "access", "403", "forbidden", "ddos", "security") matches under ``re.I`` (``ſ`` matches "s";
tests/unit/parsers/test_blocked.py checks every code point): a title whose first non-blank character is none of them
matches none of those patterns. (sre searches an alternation of anchored branches at every position of the title.)"""


def _title_evidence(title: str) -> str | None:
    if not title:
        return None
    opening = title.lstrip()[:1] in _TITLE_OPENINGS  # str.lstrip takes the blanks re's \s takes (str.isspace)
    for pattern, reason in _TITLES:
        if pattern is _CAPTCHA_TITLE:
            lowered = title.lower()
            if not any(screen in lowered for screen in _CAPTCHA_SCREENS):
                continue
        elif pattern is _CLOUDFLARE_TITLE:
            if "|" not in title:
                if not opening:
                    continue
                pattern = _ATTENTION_TITLE
        elif not opening:
            continue
        if pattern.search(title):
            return reason
    return None


def _marker_in(markup: bytes) -> str | None:
    """The reason of the first of :data:`_MARKERS` with a needle in ``markup``; a screen shared by several
    needles is searched once, and its needles only when it is there (each search reads the whole head). A head
    with no needle at all, as nearly every page's, is told by one pass of :data:`_ANY_NEEDLE` instead."""
    if not _ANY_NEEDLE.find_matches_as_indexes(markup):
        return None
    screens: dict[bytes, bool] = {}
    for needle, screen, reason in _SCREENED_MARKERS:
        if screen is not None:
            present = screens.get(screen)
            if present is None:
                present = screens[screen] = screen in markup
            if not present:
                continue
        if needle in markup:
            return reason
    return None


def _markup_evidence(page: Page) -> str | None:
    """Rule 3: the markers first, since the visible text costs more to extract; then the notices of a short page."""
    found = _marker_in(page.markup)
    if found and page.little_content:
        return found
    matches = _ANY_NOTICE.find_matches_as_indexes(page.markup)
    if matches and len(page.visible) < NOTICE_TEXT_CHARS:
        return _NOTICE_REASONS[matches[0][0]]  # the automaton's pattern index: its needle's reason
    return None


_NOTICE_REASONS = [reason for needles, reason in _NOTICES for _ in needles]


def blocked_reason(
    page: bytes | str | BeautifulSoup | Tag | Page,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    content_type: str | None = None,
) -> str | None:
    """Why this response is a challenge, anti-bot or access page, or ``None`` when it is content.

    ``page`` is the body (bytes or text), a parsed tree, or a :class:`Page`; ``content_type``
    defaults to the ``Content-Type`` in ``headers``. The reason names the evidence and, when the
    status is not 200, the status.
    """
    lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    if "x-amzn-waf-action" in lowered:
        return f"AWS WAF {lowered['x-amzn-waf-action'].strip() or 'challenge'} [x-amzn-waf-action header]"
    if lowered.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare challenge [cf-mitigated header]"
    if isinstance(page, (bytes, str)):
        page = Page(page, content_type or lowered.get("content-type"))
    elif not isinstance(page, Page):  # a caller's parsed tree (bs4): judged on its markup, like any page
        page = Page(str(page), "text/html")

    evidence = None
    if page.is_html:
        title_evidence = _title_evidence(page.title)
        evidence = title_evidence if title_evidence and not page.long_article else _markup_evidence(page)
    at = "" if status == 200 else f" (HTTP {status})"
    if evidence:
        return evidence + at
    if status in REFUSING_STATUSES:
        return REFUSING_STATUSES[status] + (" without content" if page.is_html and page.little_content else "")
    if 200 <= status < 300 and page.is_html and page.tiny and not (page.article_markup or page.prose):
        return f"tiny HTML page ({page.size} bytes) without article text{at}"
    return None
