"""Shared HTML helpers for every parser: soup making, page metadata, paragraph extraction, block detection.

Site modules import these instead of re-implementing them:

- :func:`make_soup` decodes bytes with :func:`govpress.parsers.charset.decode` and parses with lxml;
- :func:`page_metadata` collects what a page says about itself (OpenGraph, JSON-LD,
  ``<meta>``, ``<time>``, microformats h-entry, canonical, hreflang) into a :class:`PageMeta`;
- :func:`block_paragraphs` turns a content element into normalised text paragraphs,
  skipping navigation, share, related and subscribe blocks;
- :func:`find_main_content` finds the element holding the article text by text density;
- :func:`looks_blocked` recognises anti-bot and access pages (AWS WAF, Cloudflare, captcha,
  "Request Access", "Access Denied") so that they are never stored as releases.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

# Feeds and odd pages reach the HTML parser on purpose (fuzzing, mislabelled bodies): no warning per page.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

from govpress.parsers.charset import decode
from govpress.parsers.text import normalize

__all__ = [
    "PageMeta",
    "absolute",
    "block_paragraphs",
    "clean_title",
    "element_text",
    "find_main_content",
    "heading_text",
    "is_boilerplate",
    "looks_blocked",
    "make_soup",
    "page_metadata",
    "primary_language",
    "remove_boilerplate",
    "same_document_elsewhere",
    "strip_site_suffix",
]


# --------------------------------------------------------------------------- soup


def make_soup(body: bytes, content_type: str | None = None, *, strainer=None) -> BeautifulSoup:
    """Decode ``body`` (BOM, header, meta, detection) and parse it with lxml; never raises on bad bytes."""
    text, _charset = decode(body or b"", content_type)
    # NUL bytes make lxml stop early; binary garbage is not worth the parser's time either.
    text = text.replace("\x00", "")
    return BeautifulSoup(text, "lxml", parse_only=strainer)


def absolute(url: str, href: str | None) -> str | None:
    """``href`` resolved against ``url``; ``None`` for empty, fragment-only, javascript: or mailto: links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    scheme = urlsplit(href).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return None
    try:
        return urljoin(url, href)
    except ValueError:
        return None


# --------------------------------------------------------------------------- text


_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub(" ", text).strip()


# Tags whose content is never article text.
_SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
        "select", "option", "input", "textarea", "label", "iframe", "svg", "canvas", "object",
        "embed", "video", "audio", "figure", "figcaption", "picture", "img", "map", "head",
        "title", "meta", "link", "menu", "dialog",
    }
)
# Block-level tags: each starts and ends a paragraph.
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "pre", "section", "article", "main", "header", "table", "thead", "tbody",
        "tfoot", "tr", "address", "hr", "center", "details", "summary", "body", "html", "caption",
        "fieldset", "hgroup",
    }
)
_CELL_TAGS = frozenset({"td", "th"})

# Class/id words of blocks that are not the article: matched as whole words inside tokens
# (``ep_share``, ``social-links``, ``read__tags``) but not inside other words (``shareholders``).
_BOILER_WORDS = (
    "share", "sharing", "social", "socials", "socialsharing", "related", "subscribe", "subscription",
    "newsletter", "breadcrumb", "breadcrumbs", "comment", "comments", "cookie", "cookies", "banner",
    "advert", "advertisement", "ads", "ad", "promo", "sidebar", "widget", "nav", "navbar",
    "navigation", "menu", "submenu", "pagination", "pager", "print", "toolbar", "hidden", "aural",
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "skip", "skiplink",
    "contact", "contacts", "tags", "tag-list", "taglist", "footer", "masthead", "popup", "modal",
    "recommended", "more-news", "read-more", "readmore", "see-also", "seealso", "socialnetwork",
    "socialnetwok", "teaser-list", "rss", "lang-switch", "language-selector", "langswitch",
)
_BOILER_RE = re.compile(
    r"(?:^|[-_])(?:" + "|".join(re.escape(w) for w in sorted(_BOILER_WORDS, key=len, reverse=True)) + r")(?:$|[-_])",
    re.I,
)
# Bootstrap-style responsive helpers (hidden-xs, hidden-lg) hide a block on SOME screens only.
_RESPONSIVE_HIDDEN = re.compile(r"^hidden-(?:xs|sm|md|lg|xl|print)$", re.I)
_BOILER_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog"})


# Containers that broken markup (closing tags lost) can stretch over the rest of the page.
_SWALLOWING_TAGS = frozenset({"nav", "aside", "footer", "form", "menu", "dialog", "li", "span"})


def _swallows_article(tag: Tag) -> bool:
    """The block holds the headline or the article: unclosed tags made it swallow the page."""
    return tag.find(("h1", "article")) is not None


def is_boilerplate(tag: Tag) -> bool:
    """A navigation, share, related, subscribe, hidden or contact block (by tag, role, class or id)."""
    if tag.name in _SKIP_TAGS:
        return not (tag.name in _SWALLOWING_TAGS and _swallows_article(tag))
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    role = attrs.get("role")
    if isinstance(role, str) and role.lower() in _BOILER_ROLES:
        return True
    tokens = attrs.get("class") or []
    if isinstance(tokens, str):
        tokens = tokens.split()
    ident = attrs.get("id")
    if isinstance(ident, str):
        tokens = [*tokens, ident]
    for token in tokens:
        if _RESPONSIVE_HIDDEN.match(token):
            continue
        if _BOILER_RE.search(token):
            # Broken markup (closing tags lost) can make a cookie banner or a menu swallow the
            # rest of the page: a block holding the headline or the article is not boilerplate.
            return not _swallows_article(tag)
    style = attrs.get("style")
    if isinstance(style, str) and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", style, re.I):
        return True
    return False


def remove_boilerplate(element: Tag, selectors: Iterable[str]) -> int:
    """Decompose every descendant matching one of the CSS ``selectors``; returns how many were removed."""
    removed = 0
    for selector in selectors:
        try:
            found = element.select(selector)
        except Exception:  # a bad selector in a site module must not crash a run
            continue
        for node in found:
            if node.parent is not None:  # already gone with an ancestor
                node.decompose()
                removed += 1
    return removed


def element_text(element: Tag | None) -> str:
    """The visible text of one element as a single normalised line (inline elements joined without gaps)."""
    if element is None:
        return ""
    paragraphs = block_paragraphs(element, skip_boilerplate=False)
    return normalize(" ".join(paragraphs)) if paragraphs else ""


_LINE_BREAK = "\ue000"  # private-use marker for a <br>, survives whitespace squashing
_SENTENCE_END = re.compile(r"[.!?…:;][\"'»”’)\]]*\s*$")
_SPEAKER_LABEL = re.compile(r"^\s*[^\s].{0,60}:\s*$", re.S)
_IGNORED_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)


def block_paragraphs(element: Tag, *, exclude: Iterable[Tag] = (), skip_boilerplate: bool = True) -> list[str]:
    """Text paragraphs of a content element, in order, each :func:`govpress.parsers.text.normalize`-d.

    Paragraph boundaries: block tags (``p``, ``li``, headings, ``blockquote``, ``div`` ...),
    two ``<br>`` in a row, and one ``<br>`` after a sentence end. A ``<b>Speaker:</b>`` label
    after a ``<br>`` starts its own paragraph and stays at its start. Scripts, navigation,
    figures and captions, share/related/subscribe blocks (``skip_boilerplate``) and the
    ``exclude``-d subtrees are dropped; adjacent identical paragraphs are kept once.
    """
    excluded = {id(tag) for tag in exclude}
    out: list[str] = []
    buf: list[str] = []
    pending_br = 0

    def flush() -> None:
        nonlocal pending_br
        pending_br = 0
        if not buf:
            return
        # A single <br> inside a paragraph stays a line break (repair_paragraphs rejoins wrapped lines).
        text = normalize(_squash("".join(buf)).replace(_LINE_BREAK, "\n")).strip()
        buf.clear()
        if text and (not out or out[-1] != text):
            out.append(text)

    def resolve_br(next_is_speaker: bool = False) -> None:
        """A pending <br> run becomes a paragraph break or a space, decided by what precedes and follows."""
        nonlocal pending_br
        if not pending_br:
            return
        current = "".join(buf)
        if pending_br >= 2 or next_is_speaker or _SENTENCE_END.search(current):
            flush()
        else:
            buf.append(_LINE_BREAK)
        pending_br = 0

    # Iterative walk: deeply nested pages must not hit the recursion limit.
    stack: list[tuple[object, bool]] = [(element, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            flush()
            continue
        if isinstance(node, NavigableString):
            if isinstance(node, _IGNORED_STRINGS):
                continue
            text = str(node)
            if text.strip():
                resolve_br()
            buf.append(text)
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if node is not element:
            if id(node) in excluded:
                continue
            if name in _SKIP_TAGS or (skip_boilerplate and is_boilerplate(node)):
                continue
        if name == "br":
            pending_br += 1
            continue
        if name in ("b", "strong") and pending_br:
            resolve_br(next_is_speaker=bool(_SPEAKER_LABEL.match(node.get_text())))
        if name in _BLOCK_TAGS:
            flush()
            stack.append((node, True))
        elif name in _CELL_TAGS:
            buf.append(" ")
        children = node.contents
        for child in reversed(children):
            stack.append((child, False))
    flush()
    return out


# --------------------------------------------------------------------------- main content


_PARAGRAPH_TAGS = ("p", "li", "blockquote", "pre", "dd", "td")
_SENTENCE_INSIDE = re.compile(r"[.!?…][\"'»”’)\]]*(?:\s|$)")


def _link_density(tag: Tag, text_length: int) -> float:
    if not text_length:
        return 1.0
    linked = sum(len(_squash(a.get_text())) for a in tag.find_all("a"))
    return min(1.0, linked / text_length)


def _paragraph_weight(text: str, link_density: float) -> float:
    """How much a paragraph looks like article prose: sentence-like text, few links."""
    length = len(text)
    if length < 25:
        return 0.0
    if length < 100 and not _SENTENCE_INSIDE.search(text):
        return 0.0  # labels, names, phone numbers, link lists, highlight bullets
    return length * (1.0 - link_density) ** 2


class _Density:
    """Per-page text statistics used by :func:`find_main_content` (ids of tags -> numbers)."""

    def __init__(self, root: Tag) -> None:
        self.boiler: dict[int, bool] = {}
        self.weight: dict[int, float] = {}  # paragraph weight accumulated on every ancestor
        self.direct: dict[int, float] = {}  # weight of paragraphs whose nearest block parent is the tag
        self.tags: dict[int, Tag] = {}
        counted: set[int] = set()
        for tag in root.find_all([*_PARAGRAPH_TAGS, "div", "section"]):
            if self._inside_boilerplate(tag, root):
                continue
            if tag.name in ("div", "section"):
                text = _squash("".join(s for s in tag.find_all(string=True, recursive=False) if not isinstance(s, _IGNORED_STRINGS)))
                if len(text) < 25:
                    continue
            else:
                if any(id(p) in counted for p in tag.parents if p.name in _PARAGRAPH_TAGS):
                    continue  # a <p> inside an <li> is counted once, with the <li>
                text = _squash(tag.get_text())
            weight = _paragraph_weight(text, _link_density(tag, len(text)) if tag.name not in ("div", "section") else 0.0)
            if weight <= 0:
                continue
            counted.add(id(tag))
            parent = tag if tag.name in ("div", "section") else tag.parent
            while parent is not None and parent.name not in _BLOCK_TAGS - {"p", "li"}:
                parent = parent.parent
            if parent is None:
                continue
            self.direct[id(parent)] = self.direct.get(id(parent), 0.0) + weight
            self.tags[id(parent)] = parent
            node: Tag | None = tag
            while node is not None:
                self.weight[id(node)] = self.weight.get(id(node), 0.0) + weight
                node = node.parent

    def _inside_boilerplate(self, tag: Tag, root: Tag) -> bool:
        """Whether ``tag`` or an ancestor below ``root`` is boilerplate (memoised per node)."""
        chain: list[Tag] = []
        node: Tag | None = tag
        verdict = False
        while node is not None and node is not root:
            known = self.boiler.get(id(node))
            if known is not None:
                verdict = known
                break
            chain.append(node)
            if is_boilerplate(node) or (node.name == "header" and node.find_parent("article") is None):
                verdict = True
                break
            node = node.parent
        for seen in chain:
            self.boiler[id(seen)] = verdict
        return verdict

    def visible_length(self, tag: Tag, root: Tag) -> int:
        """Text length of a subtree outside boilerplate blocks (what a reader sees as content)."""
        total = 0
        for string in tag.find_all(string=True):
            if isinstance(string, _IGNORED_STRINGS) or not string.strip():
                continue
            parent = string.parent
            if parent is None or self._inside_boilerplate(parent, root):
                continue
            total += len(string.strip())
        return total


_PROSE_SHARE = 0.6  # a sibling block joins the content when this share of its text is prose
_MIN_SIBLING_PROSE = 80.0
_STOP_NOISE = 200  # characters of non-prose a level may add before the climb stops


def find_main_content(soup: BeautifulSoup | Tag) -> tuple[Tag | None, list[Tag]]:
    """The element holding the article text, and the subtrees inside it that are not content.

    Starts at the block with the most prose directly inside it, then climbs towards the
    page root: at each level, sibling blocks that are mostly prose (a lead paragraph in
    its own grid column) join the content and the other siblings (highlight bullets,
    contact cards, link lists, empty cells) are returned to be excluded. The climb stops
    at the first level that adds no prose but more than a little other text.
    ``(None, [])`` when the page has no prose at all.
    """
    root = soup.body if isinstance(soup, BeautifulSoup) and soup.body is not None else soup
    if not isinstance(root, Tag):
        return None, []
    density = _Density(root)
    if not density.direct:
        return None, []
    top = density.tags[max(density.direct, key=density.direct.__getitem__)]
    content, excluded = top, []
    pending_noise: list[Tag] = []
    node = top
    while node is not root and node.parent is not None and node.parent.name not in ("html", "[document]"):
        parent = node.parent
        prose, noise, noise_length = [], [], 0
        for sibling in parent.children:
            if not isinstance(sibling, Tag) or sibling is node:
                continue
            weight = density.weight.get(id(sibling), 0.0)
            visible = density.visible_length(sibling, root)
            if weight >= _MIN_SIBLING_PROSE and visible and weight / visible >= _PROSE_SHARE:
                prose.append(sibling)
            else:
                noise.append(sibling)
                noise_length += visible
        if prose:
            content = parent
            excluded.extend(pending_noise)
            excluded.extend(noise)
            pending_noise = []
        else:
            if noise_length > _STOP_NOISE:
                break
            pending_noise.extend(noise)
        node = parent
    return content, excluded


# --------------------------------------------------------------------------- metadata


@dataclass(slots=True)
class PageMeta:
    """What a page says about itself, as raw strings (dates are parsed by the caller with the source's zone)."""

    url: str
    html_title: str | None = None
    """``<title>`` with the site's name stripped."""
    og_title: str | None = None
    twitter_title: str | None = None
    jsonld_headline: str | None = None
    hentry_name: str | None = None
    h1: list[str] = field(default_factory=list)
    description: str | None = None
    """``meta name=description``, else og:description, else JSON-LD description, else h-entry p-summary."""
    og_description: str | None = None
    published: list[tuple[str, str]] = field(default_factory=list)
    """(channel, raw string) candidates, most trusted first: jsonld, meta, time, hentry, dateline."""
    modified: list[tuple[str, str]] = field(default_factory=list)
    canonical: str | None = None
    html_lang: str | None = None
    og_locale: str | None = None
    jsonld_language: str | None = None
    hreflang: dict[str, str] = field(default_factory=dict)
    """Language tag (lower case, as written) -> absolute URL; includes the page's own language and x-default."""
    keywords: list[str] = field(default_factory=list)
    site_name: str | None = None
    jsonld_body: str | None = None
    jsonld_types: list[str] = field(default_factory=list)
    hentry_summary: str | None = None
    content_element: Tag | None = None
    """The element the page marks as the article body: h-entry ``e-content`` or ``itemprop=articleBody``."""

    @property
    def title_candidates(self) -> list[str]:
        """Titles from metadata, most trusted first, site suffixes stripped, duplicates dropped."""
        seen: list[str] = []
        for raw in (self.jsonld_headline, self.og_title, self.twitter_title, self.hentry_name, self.html_title):
            if raw:
                cleaned = strip_site_suffix(raw, self.site_name)
                if cleaned and cleaned not in seen:
                    seen.append(cleaned)
        return seen

    @property
    def language(self) -> str | None:
        """The declared language (ISO 639-1 primary subtag): ``<html lang>``, JSON-LD inLanguage, og:locale."""
        for raw in (self.html_lang, self.jsonld_language, self.og_locale):
            code = primary_language(raw)
            if code:
                return code
        return None


def primary_language(tag: str | None) -> str | None:
    """``de-AT`` / ``de_DE`` / ``EN`` -> ``de`` / ``de`` / ``en``; ``None`` for x-default or junk."""
    if not tag:
        return None
    code = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


_TITLE_SEPARATORS = re.compile(r"\s+(?:\||—|–|::|»|·|•|\\|/)\s+|\s*\|\s*")
_DASH_SEPARATOR = re.compile(r"\s+-\s+")


def clean_title(text: str | None) -> str:
    """Whitespace collapsed and normalised; empty string for none."""
    return normalize(_squash(text)) if text else ""


def strip_site_suffix(title: str, site_name: str | None = None) -> str:
    """``"Headline | News | Site"`` -> ``"Headline"``; ``"Site | Headline"`` -> ``"Headline"``.

    Splits on ``|``, em/en dashes, ``::``, ``»``, ``·``; drops segments equal to the site name and
    keeps the first remaining segment, or the longest one when the first is a short label. A plain
    ``" - "`` only counts when the part after the last one is short (titles use hyphens).
    """
    title = clean_title(title)
    if not title:
        return ""
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p and p.strip()]
    if len(parts) <= 1:
        dashed = _DASH_SEPARATOR.split(title)
        if len(dashed) > 1 and len(dashed[-1].split()) <= 4 and len(dashed[-1]) < len(title) / 2:
            parts = [" - ".join(dashed[:-1]).strip()]
        else:
            return title
    site = clean_title(site_name).casefold() if site_name else ""
    if site:
        kept = [p for p in parts if p.casefold() != site]
        parts = kept or parts
    # The headline comes first unless the first part is a short site label ("BMJV | Headline").
    if len(parts[0].split()) >= 3:
        return parts[0]
    return max(parts, key=len)


class _PageIndex:
    """One pass over the tree: the tags page_metadata needs, by name, itemprop and class."""

    _NAMES = frozenset({"meta", "link", "script", "time", "h1", "a", "base", "title", "html", "article"})

    def __init__(self, soup: BeautifulSoup) -> None:
        self.by_name: dict[str, list[Tag]] = {name: [] for name in self._NAMES}
        self.itemprop: dict[str, list[Tag]] = {}
        self.hentries: list[Tag] = []
        self.datelines: list[Tag] = []
        self.meta: dict[str, list[str]] = {}
        for tag in soup.descendants:
            if not isinstance(tag, Tag):
                continue
            name = tag.name
            if name in self._NAMES:
                self.by_name[name].append(tag)
            attrs = tag.attrs
            if not attrs:
                continue
            prop = attrs.get("itemprop")
            if isinstance(prop, str):
                self.itemprop.setdefault(prop, []).append(tag)
            classes = attrs.get("class")
            if classes:
                if any(c in ("h-entry", "hentry") for c in classes):
                    self.hentries.append(tag)
                if name in _DATELINE_TAGS and len(self.datelines) < 50:
                    tokens = " ".join([*classes, str(attrs.get("id") or "")])
                    if _DATELINE_CLASS.search(tokens) and not _NOT_PUBLISHED_CLASS.search(tokens):
                        self.datelines.append(tag)
            elif name in _DATELINE_TAGS and isinstance(attrs.get("id"), str) and len(self.datelines) < 50:
                if _DATELINE_CLASS.search(attrs["id"]) and not _NOT_PUBLISHED_CLASS.search(attrs["id"]):
                    self.datelines.append(tag)
        for meta in self.by_name["meta"]:
            for attr in ("property", "name", "itemprop", "http-equiv"):
                key = meta.get(attr)
                if isinstance(key, list):
                    key = " ".join(key)
                if key and key.strip():
                    content = meta.get("content")
                    if isinstance(content, str) and content.strip():
                        self.meta.setdefault(key.strip().lower(), []).append(content.strip())
                    break

    def meta_content(self, *names: str) -> list[str]:
        """Contents of ``<meta>`` whose name/property/itemprop/http-equiv is one of ``names`` (any case)."""
        found: list[str] = []
        for name in names:
            found.extend(self.meta.get(name.lower(), ()))
        return found


def _first(values: list[str]) -> str | None:
    for value in values:
        cleaned = clean_title(value)
        if cleaned:
            return cleaned
    return None


_ARTICLE_TYPES = ("NewsArticle", "Article", "ReportageNews", "AnalysisNewsArticle", "BlogPosting",
                  "PressRelease", "Report", "OpinionNewsArticle", "BackgroundNewsArticle", "LiveBlogPosting")
_PAGE_TYPES = ("WebPage", "ItemPage", "CollectionPage", "AboutPage")


def _jsonld_objects(scripts: Iterable[Tag]) -> list[dict]:
    """Every JSON object in ``application/ld+json`` scripts, ``@graph`` arrays and lists flattened."""
    objects: list[dict] = []
    for script in scripts:
        if "ld+json" not in str(script.get("type") or "").lower():
            continue
        raw = script.string if script.string is not None else script.get_text()
        if not raw or not raw.strip():
            continue
        raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            # Some CMSs emit trailing commas; one repair attempt, then give up on this script.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        queue = [data]
        while queue and len(objects) < 200:
            item = queue.pop(0)
            if isinstance(item, list):
                queue.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    queue.extend(graph)
                main = item.get("mainEntity") or item.get("mainEntityOfPage")
                if isinstance(main, dict) and main.get("@type"):
                    queue.append(main)
    return objects


def _types(obj: dict) -> list[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _jsonld_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        for item in value:
            text = _jsonld_text(item)
            if text:
                return text
    if isinstance(value, dict):
        return _jsonld_text(value.get("@value") or value.get("name"))
    return None


def _hentry_root(entries: list[Tag]) -> Tag | None:
    """The page's one h-entry (or legacy hentry); a listing with many entries has none that counts."""
    if len(entries) == 1:
        return entries[0]
    with_content = [e for e in entries if e.find(class_=re.compile(r"^(?:e-content|entry-content)$"))]
    return with_content[0] if len(with_content) == 1 else None


def _hentry_date(tag: Tag) -> str | None:
    for attr in ("datetime", "title", "content", "value"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return value.strip()
    text = _squash(tag.get_text())
    return text or None


_DATELINE_CLASS = re.compile(r"date|datum|time|publish|posted|dateline|дата", re.I)
_NOT_PUBLISHED_CLASS = re.compile(r"update|modif|changed|expire|event|deadline|geändert|aktualis", re.I)
_HAS_DIGIT_OR_MONTH = re.compile(r"\d")


_DATELINE_TAGS = frozenset({"span", "div", "p", "small", "em", "strong", "li", "dd", "time"})


def _dateline_candidates(tags: list[Tag]) -> list[str]:
    """Short texts of elements classed as dates (``span.press_location_time``) outside navigation and footers."""
    found: list[str] = []
    for tag in tags:
        text = _squash(tag.get_text(" "))
        if not (4 <= len(text) <= 80) or not _HAS_DIGIT_OR_MONTH.search(text):
            continue
        if any(is_boilerplate(p) or p.name == "header" for p in tag.parents if isinstance(p, Tag) and p.name not in ("html", "body", "[document]")):
            continue
        found.append(text)
        if len(found) >= 3:
            break
    return found


def page_metadata(soup: BeautifulSoup, url: str) -> PageMeta:
    """Collect titles, description, dates (raw), canonical, languages, hreflang, keywords, site name."""
    index = _PageIndex(soup)
    base = url
    for tag in index.by_name["base"]:
        if tag.get("href"):
            base = absolute(url, str(tag["href"])) or url
            break
    meta = PageMeta(url=url)

    title_tag = index.by_name["title"][0] if index.by_name["title"] else None
    if isinstance(title_tag, Tag):
        meta.html_title = clean_title(title_tag.get_text()) or None
    meta.og_title = _first(index.meta_content("og:title"))
    meta.twitter_title = _first(index.meta_content("twitter:title"))
    meta.site_name = _first(index.meta_content("og:site_name", "application-name", "apple-mobile-web-app-title"))
    meta.og_description = _first(index.meta_content("og:description"))
    meta.description = _first(index.meta_content("description", "dc.description", "dcterms.description")) or meta.og_description
    meta.og_locale = _first(index.meta_content("og:locale"))
    html = index.by_name["html"][0] if index.by_name["html"] else None
    if isinstance(html, Tag):
        lang = html.get("lang") or html.get("xml:lang")
        meta.html_lang = lang.strip() if isinstance(lang, str) and lang.strip() else None

    for heading in index.by_name["h1"]:
        text = heading_text(heading)
        if text and text not in meta.h1:
            meta.h1.append(text)

    # JSON-LD: prefer an article over a plain web page.
    objects = _jsonld_objects(index.by_name["script"])
    articles = [o for o in objects if any(t in _ARTICLE_TYPES for t in _types(o))]
    pages = [o for o in objects if any(t in _PAGE_TYPES for t in _types(o))]
    for obj in [*articles, *pages]:
        meta.jsonld_types.extend(t for t in _types(obj) if t not in meta.jsonld_types)
        headline = _jsonld_text(obj.get("headline")) or (_jsonld_text(obj.get("name")) if obj in articles else None)
        if headline and not meta.jsonld_headline:
            meta.jsonld_headline = clean_title(headline)
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = _jsonld_text(obj.get(key))
            if value:
                meta.published.append(("jsonld", value))
                break
        modified = _jsonld_text(obj.get("dateModified"))
        if modified:
            meta.modified.append(("jsonld", modified))
        body = _jsonld_text(obj.get("articleBody") or obj.get("text"))
        if body and (not meta.jsonld_body or len(body) > len(meta.jsonld_body)):
            meta.jsonld_body = body
        if not meta.description:
            meta.description = clean_title(_jsonld_text(obj.get("description"))) or None
        if not meta.jsonld_language:
            meta.jsonld_language = _jsonld_text(obj.get("inLanguage"))
        keywords = obj.get("keywords")
        if isinstance(keywords, str):
            meta.keywords.extend(k.strip() for k in keywords.split(",") if k.strip())
        elif isinstance(keywords, list):
            meta.keywords.extend(k.strip() for k in keywords if isinstance(k, str) and k.strip())
        publisher = obj.get("publisher")
        if not meta.site_name and isinstance(publisher, dict):
            meta.site_name = _jsonld_text(publisher.get("name"))

    # <meta> dates: OpenGraph article, Dublin Core, the common CMS names.
    for value in index.meta_content("article:published_time", "og:published_time", "published_time"):
        meta.published.append(("meta", value))
    for value in index.meta_content(
        "date", "dc.date", "dc.date.issued", "dc.date.created", "dcterms.date", "dcterms.issued",
        "dcterms.created", "pubdate", "publishdate", "publish-date", "publication_date", "article.published",
        "sailthru.date", "parsely-pub-date", "citation_publication_date", "datepublished", "mediator_published_time",
    ):
        meta.published.append(("meta", value))
    for value in index.meta_content("article:modified_time", "og:updated_time", "dcterms.modified", "dc.date.modified", "datemodified"):
        meta.modified.append(("meta", value))

    # <time>: itemprop=datePublished first, then <time> inside the article.
    for tag in index.itemprop.get("datePublished", []):
        value = _hentry_date(tag)
        if value:
            meta.published.append(("time", value))
    for tag in index.itemprop.get("dateModified", []):
        value = _hentry_date(tag)
        if value:
            meta.modified.append(("time", value))

    entry = _hentry_root(index.hentries)
    if entry is not None:
        name = entry.find(class_=re.compile(r"^(?:p-name|entry-title)$"))
        if isinstance(name, Tag):
            meta.hentry_name = heading_text(name) or None
        published = entry.find(class_=re.compile(r"^(?:dt-published|published)$"))
        if isinstance(published, Tag):
            value = _hentry_date(published)
            if value:
                meta.published.append(("hentry", value))
        updated = entry.find(class_=re.compile(r"^(?:dt-updated|updated)$"))
        if isinstance(updated, Tag):
            value = _hentry_date(updated)
            if value:
                meta.modified.append(("hentry", value))
        summary = entry.find(class_=re.compile(r"^(?:p-summary|entry-summary)$"))
        if isinstance(summary, Tag):
            meta.hentry_summary = element_text(summary) or None
        content = entry.find(class_=re.compile(r"^(?:e-content|entry-content)$"))
        if isinstance(content, Tag):
            meta.content_element = content
    if meta.content_element is None:
        for body in index.itemprop.get("articleBody", []):
            if body.name not in ("meta", "link"):
                meta.content_element = body
                break
    if not meta.description and meta.hentry_summary:
        meta.description = meta.hentry_summary

    scope = index.by_name["article"][0] if index.by_name["article"] else entry
    times = scope.find_all("time", datetime=True) if scope is not None else [t for t in index.by_name["time"] if t.get("datetime")]
    if scope is None and len(times) > 1:
        times = []  # many <time> on a page without an <article>: a listing, not a date line
    for tag in times[:1]:
        meta.published.append(("time", str(tag["datetime"]).strip()))
    for text in _dateline_candidates(index.datelines):
        meta.published.append(("dateline", text))
    for value in index.meta_content("last-modified"):
        meta.modified.append(("meta", value))

    for link in index.by_name["link"]:
        if not link.get("href"):
            continue
        rel = link.get("rel") or []
        rels = [r.lower() for r in (rel if isinstance(rel, list) else rel.split())]
        href = absolute(base, str(link["href"]))
        if not href:
            continue
        if "canonical" in rels and not meta.canonical:
            meta.canonical = href
        if "alternate" in rels and link.get("hreflang"):
            meta.hreflang.setdefault(str(link["hreflang"]).strip().lower(), href)
    if not meta.canonical:
        og_url = _first(index.meta_content("og:url"))
        if og_url:
            meta.canonical = absolute(base, og_url)
    if not meta.hreflang:
        # A language switcher of <a hreflang> links (europarl) names this page in other languages;
        # one that only leads to other languages' home pages (BMJV) does not.
        own = meta.canonical or url
        switch = {}
        for a in index.by_name["a"]:
            if not (a.get("hreflang") and a.get("href")):
                continue
            href = absolute(base, str(a["href"]))
            if href and same_document_elsewhere(own, href):
                switch.setdefault(str(a["hreflang"]).strip().lower(), href)
        if len(switch) >= 2 and len(set(switch.values())) == len(switch):
            meta.hreflang = switch

    for value in index.meta_content("keywords", "news_keywords"):
        meta.keywords.extend(k.strip() for k in re.split(r"[,;]", value) if k.strip())
    meta.keywords.extend(index.meta_content("article:tag"))
    meta.keywords = list(dict.fromkeys(clean_title(k) for k in meta.keywords if clean_title(k)))
    return meta


_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$", re.I)
_LONG_ID = re.compile(r"\d{4,}[A-Za-z0-9]*")


def same_document_elsewhere(own_url: str, other_url: str) -> bool:
    """Whether ``other_url`` looks like ``own_url`` in another language.

    The paths are equal once language segments (``/en/``, ``/de-at/``) are dropped, or they
    share a long numeric id (``20190712IPR56948``, ``57063``).
    """
    try:
        own, other = urlsplit(own_url), urlsplit(other_url)
    except ValueError:
        return False

    def segments(path: str) -> list[str]:
        return [s.lower() for s in path.split("/") if s and not _LANGUAGE_SEGMENT.match(s)]

    own_segments, other_segments = segments(own.path), segments(other.path)
    if own_segments and own_segments == other_segments:
        return True
    own_ids = set(_LONG_ID.findall(own.path))
    return bool(own_ids & set(_LONG_ID.findall(other.path)))


# Parts of a heading that label it rather than name it (Government Site Builder "Thema", kickers).
_HEADING_LABEL = re.compile(r"(?:^|[-_])(?:category|kicker|topline|dachzeile|overline|eyebrow|rubric|label|aural|sr-only|visually-hidden|hidden)(?:$|[-_])", re.I)


def heading_text(heading: Tag) -> str:
    """A heading's text without its kicker/category label and screen-reader-only parts."""
    parts: list[str] = []
    for string in heading.find_all(string=True):
        if isinstance(string, _IGNORED_STRINGS):
            continue
        skip = False
        for parent in string.parents:
            if parent is heading:
                break
            classes = " ".join(parent.get("class") or [])
            if parent.name in ("script", "style") or (classes and any(_HEADING_LABEL.search(c) for c in classes.split())):
                skip = True
                break
        if not skip:
            parts.append(str(string))
    text = clean_title("".join(parts))
    return text or clean_title(heading.get_text(" "))


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
