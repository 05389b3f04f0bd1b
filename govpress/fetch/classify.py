"""Is this response a block or bot challenge instead of the page we asked for?

Government sites answer crawlers with 403s, WAF challenges (AWS WAF sets
``x-amzn-waf-action``, Cloudflare ``cf-mitigated: challenge`` and "Just a moment..."),
"Request Access"/"Access Denied"/captcha pages, or a tiny HTML shell with no article in
it, often with status 200. Parsing such a page would store garbage as a release, so the
fetcher records it as outcome "blocked" and keeps the body as evidence.

Fast byte checks on the first 8 KB only (no HTML parser): this runs on every response.
Phrases like "access denied" are only trusted in the ``<title>`` or in a small page, since
a real press release may well contain them in its text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HEAD_BYTES = 8192
TINY_PAGE_BYTES = 4096

# Markers that only appear in challenge pages (Cloudflare's challenge bootstrap, Imperva, AWS WAF's JS challenge).
_TECHNICAL_MARKERS = (
    (b"_cf_chl_opt", "Cloudflare challenge (cf-chl)"),
    (b"cf-chl-", "Cloudflare challenge (cf-chl)"),
    (b"cf_chl_", "Cloudflare challenge (cf-chl)"),
    (b"_incapsula_resource", "Imperva/Incapsula challenge"),
    (b"awswafintegration", "AWS WAF challenge page"),
    (b"ddos-guard", "DDoS-Guard challenge"),
)
_CHALLENGE_PHRASES = (
    (b"just a moment", "Cloudflare 'Just a moment...' challenge"),
    (b"attention required", "Cloudflare 'Attention Required' block"),
    (b"request access", "'Request Access' bot page"),
    (b"access denied", "'Access Denied' page"),
    (b"captcha", "captcha page"),
    (b"are you a robot", "robot check page"),
    (b"are you human", "robot check page"),
    (b"verify you are human", "robot check page"),
    (b"security check", "security check page"),
    (b"please enable javascript and cookies", "JavaScript/cookie challenge"),
    (b"403 forbidden", "'403 Forbidden' page"),
)
# Byte patterns chosen not to match <link>, <param>, <path> and friends found in every challenge shell.
_ARTICLE_SIGNALS = (
    b"<article", b"<p>", b"<p ", b"<h1", b"<h2", b"<main", b"<time", b"og:title", b"application/ld+json", b"<li>", b"<li ",
)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
_LOOKS_HTML = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<title)", re.I)


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def _is_html(content_type: str, head: bytes) -> bool:
    if content_type:
        return "html" in content_type.lower()
    return bool(_LOOKS_HTML.match(head))


def blocked_reason(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why the response is a block or challenge, or None when it looks like real content."""
    h = _lower_headers(headers)
    waf_action = h.get("x-amzn-waf-action")
    if waf_action:
        return f"AWS WAF ({waf_action.strip()}) [x-amzn-waf-action]"
    if h.get("cf-mitigated", "").strip().lower() == "challenge":
        return "Cloudflare challenge [cf-mitigated: challenge]"
    if status == 451:
        return "HTTP 451 unavailable for legal reasons"

    head = body[:HEAD_BYTES]
    lowered = head.lower()
    evidence = None
    for marker, label in _TECHNICAL_MARKERS:
        if marker in lowered:
            evidence = label
            break
    if evidence is None:
        title = _TITLE.search(head)
        title_text = title.group(1).lower() if title else b""
        small = len(body) < TINY_PAGE_BYTES
        for phrase, label in _CHALLENGE_PHRASES:
            if phrase in title_text or (small and phrase in lowered):
                evidence = label
                break

    if status in (401, 403):
        return f"HTTP {status}" + (f": {evidence}" if evidence else "")
    if evidence:
        return f"{evidence} (HTTP {status})"
    if 200 <= status < 300 and len(body) < TINY_PAGE_BYTES and _is_html(h.get("content-type", ""), head):
        if not any(signal in lowered for signal in _ARTICLE_SIGNALS):
            return f"tiny HTML page ({len(body)} bytes) without article content (HTTP {status})"
    return None
