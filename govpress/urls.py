"""Canonical URLs and the stable ids derived from them.

The canonical form (with the source id) is what makes ``release_id`` stable across runs, feeds and listings:
scheme and host lower-cased, default ports dropped, tracking parameters (``utm_*``,
``fbclid``, ``gclid`` ...) and session ids removed, remaining query parameters sorted, fragment
dropped, trailing slash removed (except for the root path), percent-encoding normalised.

Session ids matter most: a CMS that keeps its session in the URL when cookies are refused (as a
crawler refuses them) writes a new id into every link of every listing, so without this each run
would find every release again under a new address. Removed: the query parameters PHP, Java,
ColdFusion and ASP name their sessions by (``PHPSESSID``, ``jsessionid``, ``CFID``/``CFTOKEN``,
``sid`` only when its value is a long hex or alphanumeric token), Java's path parameter
(``/page;jsessionid=...``) and ASP.NET's cookieless segment (``/(S(...))/page.aspx``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "ref_src"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


_SESSION_EXACT = frozenset({"phpsessid", "jsessionid", "cfid", "cftoken", "sessionid", "session_id", "sessid", "oscsid", "zenid"})
_SESSION_TOKEN = re.compile(r"[0-9a-z]{20,}|[0-9a-f]{16,}", re.I)
"""A value that is a session token rather than a word or a number: ``sid=7`` may well be a section."""
_JAVA_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)
_ASPNET_SESSION = re.compile(r"/\((?:[A-Z]\([^()/]*\))+\)(?=/)", re.I)


def _is_tracking(key: str, value: str = "") -> bool:
    k = key.lower()
    if k.startswith("utm_") or k in _TRACKING_EXACT or k in _SESSION_EXACT or k.startswith("aspsessionid"):
        return True
    return k == "sid" and bool(_SESSION_TOKEN.fullmatch(value)) and not value.isdigit()


SPLIT_CACHE = 4096
"""URLs whose :func:`split` is remembered."""


@lru_cache(maxsize=SPLIT_CACHE)
def split(url: str) -> SplitResult:
    """``urllib.parse.urlsplit(url)``, remembered for more URLs than urlsplit's own 128: a run splits a URL when it
    plans it (:func:`refusal`, :func:`canonical_url`) and again when it fetches it (the address guard,
    govpress/fetch/netguard.py), with a whole listing's other URLs split in between (~3 us a split)."""
    return urlsplit(url)


URL_CACHE = 1 << 17
"""URLs whose canonical form and identity are remembered: a quiet run over a sitemap of every
release asks for each of its URLs several times (plan, listings, known releases) at ~50 us a call."""


_PLAIN_URL = re.compile(r"(https?)://([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::([1-9][0-9]{0,4}))?((?:/[A-Za-z0-9._~-]+)*)(/?)")
"""A URL whose canonical form is read off its parts (:func:`_plain_canonical`): lower-case http(s), a lower-case
host of letters, digits, dots and hyphens (no trailing dot), a port without leading zeros, a path of non-empty
segments of unreserved characters (so nothing to unquote or quote) with at most one trailing slash, and no
query, fragment, user, session parameter or white space. Most URLs a run plans are of this form."""


def _plain_canonical(url: str) -> str | None:
    """:func:`canonical_url` of a URL of the :data:`_PLAIN_URL` form (None for any other): the default port
    dropped, a trailing slash dropped, an empty path made "/"; what the general steps make of it (a test
    compares the two on many thousands of URLs)."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, port, path, _slash = match.groups()
    if port is not None:
        number = int(port)
        if number > 65535:
            return None  # urlsplit refuses it: the general steps raise as before
        if number == _DEFAULT_PORTS[scheme]:
            port = None
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{path or '/'}"


@lru_cache(maxsize=URL_CACHE)
def canonical_url(url: str) -> str:
    """The canonical form of ``url`` (see the module docstring). Idempotent."""
    url = url.strip()
    plain = _plain_canonical(url)
    return plain if plain is not None else _canonical(url)


def _canonical(url: str) -> str:
    """:func:`canonical_url` of a stripped URL, step by step."""
    parts = split(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = _ASPNET_SESSION.sub("", _JAVA_SESSION.sub("", parts.path))
    path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k, v)]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


@lru_cache(maxsize=URL_CACHE)
def identity(url: str) -> str:
    """What identifies a release within its source: the canonical URL's path and query.

    Scheme, host and port are left out so that a site moving to https or dropping ``www.``
    (or the demo server starting on another port) keeps every release's id.
    """
    canonical = canonical_url(url)
    if (plain := _PLAIN_URL.fullmatch(canonical)) is not None:  # what the split gives: that path, no query
        return plain.group(4) + plain.group(5)
    parts = split(canonical)
    if parts.scheme not in ("http", "https"):
        return canonical
    return urlunsplit(("", "", parts.path, parts.query, ""))


def release_id(source_id: str, url: str) -> str:
    """The stable id of the release at ``url`` in ``source_id``: 16 hex chars of BLAKE2b over both."""
    return release_id_of_identity(source_id, identity(url))


def release_id_of_identity(source_id: str, key: str) -> str:
    """:func:`release_id` from an identity already computed (what govpress.known looks releases up by)."""
    return hashlib.blake2b(f"{source_id}\n{key}".encode("utf-8"), digest_size=8).hexdigest()


def host_of(url: str) -> str:
    return (split(url).hostname or "").lower()


def local_path(url: str) -> Path | None:
    """The filesystem path of a ``file:`` URL (any spelling: file:/x, file:///x, file://host/x), else None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        return None
    return Path(unquote(parts.path))


def refusal(url: str, file_roots: Sequence[Path] = ()) -> str | None:
    """Why ``url`` may not enter a run's plan or be read, or None when it may.

    URLs come from hostile places (feed items, sitemap entries, listing links, the frontier). Web
    sources (``file_roots`` empty) take http(s) URLs with a host only: a ``file:`` link in a feed must
    never make a run read the local disk. A ``files`` source takes ``file:`` URLs whose real path
    (symlinks resolved) lies inside one of its folders, and nothing else.
    """
    parts = split(url)
    scheme = parts.scheme.lower()
    if not file_roots:
        if scheme in ("http", "https") and parts.hostname:
            return None
        return f"{url!r} is not an http(s) URL with a host"
    path = local_path(url)
    if path is None or parts.netloc not in ("", "localhost"):
        return f"{url!r} is not a local file URL of this files source"
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root) for root in file_roots):
        return f"{url!r} lies outside the source's folders"
    return None
