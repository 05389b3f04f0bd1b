"""Canonical URLs and the stable ids derived from them.

The canonical form (with the source id) is what makes ``release_id`` stable across runs, feeds and listings:
scheme and host lower-cased, default ports dropped, tracking parameters (``utm_*``,
``fbclid``, ``gclid`` ...) removed, remaining query parameters sorted, fragment dropped,
trailing slash removed (except for the root path), percent-encoding normalised.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "ref_src"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in _TRACKING_EXACT


def canonical_url(url: str) -> str:
    """The canonical form of ``url`` (see the module docstring). Idempotent."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def identity(url: str) -> str:
    """What identifies a release within its source: the canonical URL's path and query.

    Scheme, host and port are left out so that a site moving to https or dropping ``www.``
    (or the demo server starting on another port) keeps every release's id.
    """
    parts = urlsplit(canonical_url(url))
    if parts.scheme not in ("http", "https"):
        return canonical_url(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


def release_id(source_id: str, url: str) -> str:
    """The stable id of the release at ``url`` in ``source_id``: 16 hex chars of BLAKE2b over both."""
    key = f"{source_id}\n{identity(url)}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base``."""
    return urljoin(base, href.strip())


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
