"""Shared HTML helpers for every parser, one module per job (this package re-exports them):

- :mod:`.tree`: one parse per page, ``lxml`` (:func:`parse_html`), CSS selection, text of an element;
  :func:`make_soup` for callers that need BeautifulSoup;
- :mod:`.blocks`: boilerplate blocks, text paragraphs of an element (:func:`block_paragraphs`),
  heading text, site noise removal;
- :mod:`.density`: the element holding the article text (:func:`find_main_content`);
- :mod:`.metadata`: what a page says about itself (:func:`page_metadata` over :mod:`.jsonld`,
  meta dates, ``<time>``, microformats h-entry, and :mod:`.links`: canonical, hreflang);
- :mod:`.titles`: site names off titles, agreement between headline sources;
- :func:`looks_blocked` (here) recognises anti-bot and access pages (AWS WAF, Cloudflare, captcha,
  "Request Access", "Access Denied") so that they are never stored as releases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from govpress.parsers.html.blocks import (
    block_paragraphs,
    clean_title,
    element_text,
    heading_text,
    is_boilerplate,
    remove_boilerplate,
)
from govpress.parsers.html.density import MainContent, find_main_content, locate_main_content
from govpress.parsers.html.links import absolute, primary_language, same_document_elsewhere
from govpress.parsers.html.metadata import PageIndex, PageMeta, page_metadata
from govpress.parsers.html.titles import learn_site_names, strip_site_name, strip_site_suffix
from govpress.parsers.html.tree import Element, first_match, make_soup, parse_html, parse_html_text, select, select_one, text_of

__all__ = [
    "Element",
    "PageIndex",
    "PageMeta",
    "absolute",
    "block_paragraphs",
    "clean_title",
    "element_text",
    "find_main_content",
    "first_match",
    "heading_text",
    "is_boilerplate",
    "learn_site_names",
    "locate_main_content",
    "MainContent",
    "looks_blocked",
    "make_soup",
    "page_metadata",
    "parse_html",
    "parse_html_text",
    "primary_language",
    "remove_boilerplate",
    "same_document_elsewhere",
    "select",
    "select_one",
    "strip_site_name",
    "strip_site_suffix",
    "text_of",
]

# Used by looks_blocked below (kept as it was: the challenge detector moves to parsers/blocked.py separately).
_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


_IGNORED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_SENTENCE_INSIDE = re.compile(r"[.!?…][\"'»”’)\]]*(?:\s|$)")


# --------------------------------------------------------------------------- blocked pages


_STRONG_TITLES = (
    (re.compile(r"^\s*just a moment", re.I), "Cloudflare challenge (Just a moment...)"),
    (re.compile(r"attention required!?\s*\|\s*cloudflare", re.I), "Cloudflare block (Attention Required)"),
    (re.compile(r"^\s*request access\b", re.I), "Request Access page"),
    (re.compile(r"^\s*access denied\b", re.I), "Access Denied page"),
    (re.compile(r"^\s*request rejected\b", re.I), "Request Rejected page"),
    (re.compile(r"^\s*(?:ddos-guard|ddos protection)", re.I), "DDoS-Guard challenge"),
    (re.compile(r"captcha|are you a robot|verify you are human|вы не робот|проверка браузера", re.I), "captcha page"),
)
_WEAK_MARKERS = (
    (re.compile(r"awsWafCookieDomainList|gokuProps|AwsWafIntegration|/challenge\.js|awswaf", re.I), "AWS WAF challenge"),
    (re.compile(r"cf-chl|cf_chl_opt|challenge-platform|cf-browser-verification|cf-error-details", re.I), "Cloudflare challenge"),
    (re.compile(r"g-recaptcha|h-captcha|hcaptcha\.com|smartcaptcha|captcha-delivery|geo\.captcha", re.I), "captcha page"),
    (re.compile(r"ddos-guard|__ddg|servicepipe", re.I), "DDoS-Guard challenge"),
    (re.compile(r"\brequest access\b|\baccess denied\b|you don'?t have permission to access|доступ запрещ|access to this page has been denied", re.I), "access page"),
    (re.compile(r"checking your browser|enable javascript and cookies to continue|please enable (?:js|javascript)", re.I), "browser check"),
)
_SCRIPT_STYLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
_BLOCK_STATUSES = frozenset({401, 403, 405, 407, 429, 451, 503})


def _article_like(visible: str) -> bool:
    """At least two sentences of prose: a real (if short) article rather than a notice."""
    words = visible.split()
    return len(words) >= 12 and len(_SENTENCE_INSIDE.findall(visible)) >= 2


def looks_blocked(
    soup_or_text: BeautifulSoup | Tag | str | bytes,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> str | None:
    """Why this response is an anti-bot or access page rather than content, or ``None`` when it is content.

    Headers first (``x-amzn-waf-action``, ``cf-mitigated``), then a challenge/access ``<title>``,
    then script markers (AWS WAF, Cloudflare, captcha) on pages with little visible text, then
    error statuses and tiny pages (< 4 KB) without two sentences of prose.
    """
    lowered = {k.lower(): str(v) for k, v in (headers or {}).items()}
    if "x-amzn-waf-action" in lowered:
        return f"AWS WAF {lowered['x-amzn-waf-action'] or 'challenge'} (x-amzn-waf-action header)"
    if lowered.get("cf-mitigated", "").lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated header)"

    if isinstance(soup_or_text, (BeautifulSoup, Tag)):
        title_tag = soup_or_text.find("title")
        title = title_tag.get_text() if isinstance(title_tag, Tag) else ""
        root = soup_or_text.body if isinstance(soup_or_text, BeautifulSoup) and soup_or_text.body else soup_or_text
        visible = _squash(" ".join(s for s in root.find_all(string=True) if not isinstance(s, _IGNORED_STRINGS) and s.parent is not None and s.parent.name not in ("script", "style", "noscript", "template", "title")))
        # Serialising a whole page costs more than parsing it: only small pages need the markup.
        raw = str(soup_or_text) if len(visible) < 5000 else ""
        size = len(raw.encode("utf-8", "ignore")) if raw else 1 << 20
    else:
        raw = soup_or_text.decode("utf-8", "replace") if isinstance(soup_or_text, bytes) else str(soup_or_text)
        size = len(soup_or_text) if isinstance(soup_or_text, bytes) else len(raw.encode("utf-8", "ignore"))
        match = _TITLE.search(raw[:20_000])
        title = _TAG.sub("", match.group(1)) if match else ""
        visible = _squash(_TAG.sub(" ", _SCRIPT_STYLE.sub(" ", raw[:300_000])))
    title = _squash(title)

    article_like = _article_like(visible)
    if title:
        for pattern, reason in _STRONG_TITLES:
            if pattern.search(title) and not (article_like and len(visible) > 3000):
                return reason
    if len(visible) < 2000 and not article_like:
        for pattern, reason in _WEAK_MARKERS:
            if pattern.search(raw[:200_000]):
                return reason
    if status in _BLOCK_STATUSES and not article_like:
        return f"HTTP {status} without content"
    # A small page whose text sits in JSON-LD only (rendered by script) is still an article.
    if size < 4096 and not article_like and "articleBody" not in raw:
        return "tiny page without article text"
    return None
