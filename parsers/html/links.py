"""Links a page declares about itself: absolute URLs, canonical, ``hreflang`` language versions, language tags."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

__all__ = ["absolute", "canonical_and_hreflang", "primary_language", "same_document_elsewhere"]


# A path from the site's root that urljoin would return unchanged after the base's scheme and host:
# plain URL characters, no "//" host, no ";" parameters, no "." or ".." segment, a query only when
# not empty, no fragment (urljoin drops an empty "?" or "#" and resolves dot segments).
_PLAIN_ROOT_PATH = re.compile(r"/(?!/)[A-Za-z0-9\-_~%!$&'()*+,=:@/.]*(?:\?[A-Za-z0-9\-_~%!$&'()*+,=:@/?.]+)?")
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|\?|$)")
# An absolute http(s) URL urljoin returns unchanged whatever the base (canonical and hreflang links mostly are):
# lower-case scheme, a host of plain characters, a plain path (dot segments are not resolved once a host is
# given), a query only when not empty, no ";" parameters, no fragment.
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9\-._~%!$&'()*+,=:@]+(?:/[A-Za-z0-9\-_~%!$&'()*+,=:@/.]*)?(?:\?[A-Za-z0-9\-_~%!$&'()*+,=:@/?.]+)?"
)


def absolute(url: str, href: str | None) -> str | None:
    """``href`` resolved against ``url``; ``None`` for empty, fragment-only, javascript: or mailto: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if href[0] == "/" and _PLAIN_ROOT_PATH.fullmatch(href) and not _DOT_SEGMENT.search(href):
        # The common link ("/news/bg/press-room/..."): the base's scheme and host before it, which is
        # what urljoin returns, without its two parses and its segment walk (a language switcher has dozens).
        try:
            base = urlsplit(url)
        except ValueError:
            return None
        if base.scheme in ("http", "https") and base.netloc:
            return f"{base.scheme}://{base.netloc}{href}"
    if href[:1] == "h" and _PLAIN_ABSOLUTE.fullmatch(href):
        # What urljoin gives back for it (same scheme: its parts put together again; another: itself), once it
        # has read the base (a base it refuses, it refuses the link with). urlsplit refuses only a host with
        # brackets or non-ASCII characters: a plain base (the page's own URL, mostly) it reads without a look.
        if not _PLAIN_ABSOLUTE.fullmatch(url):
            try:
                urlsplit(url)
            except ValueError:
                return None
        return href
    scheme = urlsplit(href).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return None
    try:
        return urljoin(url, href)
    except ValueError:
        return None


_TAG_PARTS = re.compile(r"[-_]")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")


def primary_language(tag: str | None) -> str | None:
    """``de-AT`` / ``de_DE`` / ``EN`` -> ``de`` / ``de`` / ``en``; ``None`` for x-default or junk."""
    if not tag:
        return None
    code = _TAG_PARTS.split(tag.strip().lower(), maxsplit=1)[0]
    return code if _LANGUAGE_CODE.fullmatch(code) else None


_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$", re.I)
_LONG_ID = re.compile(r"\d{4,}[A-Za-z0-9]*")


def same_document_elsewhere(own_url: str, other_url: str) -> bool:
    """Whether ``other_url`` looks like ``own_url`` in another language.

    The paths are equal once language segments (``/en/``, ``/de-at/``) are dropped, or they
    share a long numeric id (``20190712IPR56948``, ``57063``).
    """
    return _same_document_test(own_url)(other_url)


def _segments(path: str) -> list[str]:
    return [s.lower() for s in path.split("/") if s and not _LANGUAGE_SEGMENT.match(s)]


def _same_document_test(own_url: str):
    """:func:`same_document_elsewhere` with ``own_url`` read once (a language switcher has dozens of links)."""
    try:
        own_path = urlsplit(own_url).path
    except ValueError:
        return lambda other_url: False
    own_segments = _segments(own_path)
    own_ids = set(_LONG_ID.findall(own_path))

    def test(other_url: str) -> bool:
        try:
            other_path = urlsplit(other_url).path
        except ValueError:
            return False
        if own_segments and own_segments == _segments(other_path):
            return True
        return bool(own_ids & set(_LONG_ID.findall(other_path)))

    return test


def canonical_and_hreflang(
    links: list[tuple[list[str], str, str | None]],
    anchors: list[tuple[str, str]],
    base: str,
    url: str,
    og_url: str | None,
) -> tuple[str | None, dict[str, str]]:
    """The canonical URL and ``hreflang`` -> URL of a page.

    ``links`` are the ``<link>`` tags as (rel words, href, hreflang); ``anchors`` the
    ``<a hreflang href>`` pairs of a language switcher. The canonical is ``rel=canonical``,
    else ``og:url``. Without ``<link hreflang>``, a switcher counts only when its links name
    this page in other languages (europarl), not other languages' home pages (BMJV).
    """
    canonical: str | None = None
    hreflang: dict[str, str] = {}
    for rels, raw_href, lang in links:
        if "canonical" not in rels and not ("alternate" in rels and lang):
            continue  # stylesheets, icons, preloads: nothing to resolve (a page has dozens)
        href = absolute(base, raw_href)
        if not href:
            continue
        if "canonical" in rels and not canonical:
            canonical = href
        if "alternate" in rels and lang:
            hreflang.setdefault(lang.strip().lower(), href)
    if not canonical and og_url:
        canonical = absolute(base, og_url)
    if not hreflang and anchors:  # most pages have no switcher: its test is not built for them
        own = canonical or url
        same = _same_document_test(own)
        switch: dict[str, str] = {}
        for lang, raw_href in anchors:
            href = absolute(base, raw_href)
            if href and same(href):
                switch.setdefault(lang.strip().lower(), href)
        if len(switch) >= 2 and len(set(switch.values())) == len(switch):
            hreflang = switch
    return canonical, hreflang
