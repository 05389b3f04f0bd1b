"""Pages a script draws: the article read from the state a JavaScript application ships inside the page.

A ministry site built as a single-page application sends an empty ``<div id="app">`` and the article as data:
Next.js in ``<script id="__NEXT_DATA__" type="application/json">``, others in another JSON script or in an
assignment such as ``window.__INITIAL_STATE__ = {...};``. Without a browser there is no text in the page's
markup to find, but the data holds it. :func:`state_article` reads those blobs and finds the object that is an
article: a headline beside the longest text under a body-like key ("content", "body", "text", "articleBody"...),
its date and its summary beside them. The generic parser asks it only when the markup gave no article.

Bounded: blobs over :data:`MAX_BLOB_BYTES` are skipped, the walk visits at most :data:`MAX_NODES` values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import chompjs

from govpress.parsers.html.tree import Element, squash

__all__ = ["StateArticle", "state_article"]

MAX_BLOB_BYTES = 5_000_000
MAX_NODES = 200_000
_MIN_BODY_CHARS = 200
_TITLE_CHARS = (8, 300)

# Keys as content systems name them (lower-cased, "_" and "-" removed before the lookup).
_TITLE_KEYS = ("title", "headline", "header", "heading", "name", "subject", "caption", "zagolovok", "nazvanie",
               "titleru", "titleen", "pagetitle", "newstitle")
_BODY_KEYS = ("content", "body", "text", "html", "articlebody", "fulltext", "detailtext", "bodyhtml", "contenthtml",
              "texthtml", "maintext", "description", "fullcontent", "newstext", "articletext", "tekst", "soderzhanie")
_BODY_KEY_SET = frozenset(_BODY_KEYS)
_LEAD_KEYS = ("lead", "summary", "excerpt", "teaser", "anons", "announce", "announcement", "preview", "previewtext",
              "intro", "subtitle", "shortdescription", "shorttext", "description", "standfirst")
_DATE_KEYS = ("publishedat", "datepublished", "publicationdate", "publishdate", "pubdate", "published", "publishedon",
              "date", "datetime", "createdat", "created", "datecreate", "activefrom", "postdate", "newsdate", "time")
_KEY_NOISE = re.compile(r"[_\-\s]")
_TAG = re.compile(r"<[a-zA-Z/][^<>]{0,500}>")
# "window.__INITIAL_STATE__ = {", "var BASE_DATA = {", "self.pageData = [": an object or array assigned to a name.
_ASSIGNED_STATE = re.compile(r"(?:\b(?:window|self|var|let|const)\b\.?\s*)?\b[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\s*=\s*(?=[{\[])")
MAX_ASSIGNMENTS = 40
"""Objects assigned in a page's scripts that are read (a page's first ones: the state comes early)."""


@dataclass(slots=True)
class StateArticle:
    """An article found in a page's application state: its headline, body (HTML or plain text), date, summary."""

    title: str
    body: str
    published: str | None = None
    lead: str | None = None


def state_article(root: Element) -> StateArticle | None:
    """The article in the page's application state, or None when no blob holds one."""
    best: tuple[int, StateArticle] | None = None
    for blob in _blobs(root):
        found = _best_in(blob)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best[1] if best is not None else None


def _blobs(root: Element):
    """The JSON values the page's scripts carry (JSON-LD aside: the metadata reader has it)."""
    for script in root.iter("script"):
        text = script.text or ""
        if not text or len(text) > MAX_BLOB_BYTES:
            continue
        kind = (script.get("type") or "").strip().lower()
        if "ld+json" in kind:
            continue
        if kind.endswith("json"):
            try:
                yield json.loads(text)
            except ValueError:
                continue
            continue
        if kind and "javascript" not in kind and kind != "module":
            continue
        for count, match in enumerate(_ASSIGNED_STATE.finditer(text)):
            if count >= MAX_ASSIGNMENTS:
                break
            value = _object_at(text, match.end())
            if value is not None:
                yield value


def _object_at(text: str, start: int) -> object | None:
    """The JSON value at ``start``, else the JavaScript object literal there (unquoted keys, single quotes, trailing
    commas: chompjs reads what JSON refuses), else None."""
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except ValueError:
        pass
    try:
        return chompjs.parse_js_object(text[start:])
    except (ValueError, TypeError, RecursionError):
        return None


_EPOCH_RANGE = (946_684_800, 4_102_444_800)
"""2000-01-01 to 2100-01-01 in seconds: a number outside is no publication time."""


def _epoch(value: object) -> str | None:
    """An ISO time for a number of seconds (or milliseconds) since 1970 in a plausible range, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    seconds = value / 1000 if value > _EPOCH_RANGE[1] else value
    if not _EPOCH_RANGE[0] <= seconds <= _EPOCH_RANGE[1]:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()


def _norm(key: str) -> str:
    return _KEY_NOISE.sub("", key).lower()


def _plain(value: str) -> str:
    return squash(_TAG.sub(" ", value)) if "<" in value else squash(value)


def _best_in(blob: object) -> tuple[int, StateArticle] | None:
    best: tuple[int, StateArticle] | None = None
    stack = [blob]
    visited = 0
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        if isinstance(node, dict):
            found = _article_of(node)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return best


def _strings(node: dict) -> dict[str, str]:
    """The object's string values by normalised key (a value like {"rendered": "..."} counts as its string: WordPress;
    a body-like key's rich-text document counts as its paragraphs' text: :func:`_rich_text`)."""
    out: dict[str, str] = {}
    for key, value in node.items():
        if not isinstance(key, str):
            continue
        if isinstance(value, dict) and isinstance(value.get("rendered"), str):
            value = value["rendered"]
        elif isinstance(value, (list, dict)) and _norm(key) in _BODY_KEY_SET:
            value = _rich_text(value)
        if isinstance(value, str):
            out.setdefault(_norm(key), value)
    return out


_INLINE_KEYS = ("text", "value")
_CHILD_KEYS = ("content", "children", "blocks", "items")
_BLOCK_TYPE = re.compile(r"paragraph|heading|header|list|quote|block|code|item|document|table|row|cell|unstyled|atomic",
                         re.I)
"""Node types that are blocks (a paragraph each, or holding blocks); spans, links, marks and text leaves are inline."""


def _rich_text(document: list | dict) -> str | None:
    """The paragraphs of a rich-text document as content systems store it, one per block, parted by blank lines:
    Contentful (``nodeType``/``content``/``value``), Strapi's blocks and Sanity's Portable Text (``children`` of
    ``text`` spans), Draft.js (``blocks`` with ``text``), Editor.js (``blocks`` with ``data.text``). None when it holds
    no text."""
    paragraphs: list[str] = []

    def children_of(node: dict) -> tuple[str | None, list | None]:
        return next(((k, node[k]) for k in _CHILD_KEYS if isinstance(node.get(k), list)), (None, None))

    def is_block(node: object, listed_as_blocks: bool) -> bool:
        if not isinstance(node, dict):
            return False
        kind = node.get("nodeType") or node.get("type") or node.get("_type")
        return listed_as_blocks or (isinstance(kind, str) and _BLOCK_TYPE.search(kind) is not None)

    def text_of(node: object, depth: int) -> str:
        """Every inline text under ``node``, joined as written."""
        if depth > 40 or not isinstance(node, dict):
            return ""
        own = next((node[k] for k in _INLINE_KEYS if isinstance(node.get(k), str)), "")
        _, children = children_of(node)
        return own + "".join(text_of(child, depth + 1) for child in children or ())

    def walk(node: object, depth: int, listed_as_blocks: bool = False) -> None:
        if depth > 40 or len(paragraphs) > 5_000:
            return
        if isinstance(node, list):
            for child in node:
                walk(child, depth + 1, listed_as_blocks)
            return
        if not isinstance(node, dict):
            return
        key, children = children_of(node)
        if children is None:  # a block of its own text: Draft.js's, Editor.js's (data.text), a lone text node
            data = node.get("data")
            text = next((node[k] for k in _INLINE_KEYS if isinstance(node.get(k), str)), None)
            if text is None and isinstance(data, dict) and isinstance(data.get("text"), str):
                text = data["text"]
            if text and text.strip():
                paragraphs.append(text.strip())
            return
        if any(is_block(child, key == "blocks") for child in children):
            for child in children:
                walk(child, depth + 1, key == "blocks")
            return
        text = text_of(node, depth).strip()  # a block of spans: one paragraph
        if text:
            paragraphs.append(text)

    walk(document, 0)
    return "\n\n".join(paragraphs) if paragraphs else None


def _article_of(node: dict) -> tuple[int, StateArticle] | None:
    """(the body's length, the article) when the object holds a headline and a long text, else None."""
    strings = _strings(node)
    body_key, body_chars = None, 0
    for key in _BODY_KEYS:
        if key in strings and (chars := len(_plain(strings[key]))) > body_chars:
            body_key, body_chars = key, chars
    if body_key is None or body_chars < _MIN_BODY_CHARS:
        return None
    title = next((squash(_plain(strings[k])) for k in _TITLE_KEYS if k in strings
                  and _TITLE_CHARS[0] <= len(_plain(strings[k])) <= _TITLE_CHARS[1]), None)
    if title is None:
        return None
    published = next((strings[k].strip() for k in _DATE_KEYS if strings.get(k, "").strip()), None)
    if published is None:  # a date as a number of seconds or milliseconds since 1970
        published = next((stamp for k, v in node.items() if isinstance(k, str) and _norm(k) in _DATE_KEYS
                          and (stamp := _epoch(v)) is not None), None)
    lead = next((_plain(strings[k]) for k in _LEAD_KEYS if k != body_key and k in strings
                 and 20 <= len(_plain(strings[k])) < body_chars), None)
    return body_chars, StateArticle(title=title, body=strings[body_key], published=published, lead=lead)
