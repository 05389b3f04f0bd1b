"""The parser for plain-text and markdown documents (local files, exported releases, the seed).

Layout it understands (markdown or plain text, any charset, CRLF or LF, with or without BOM)::

    ---                       optional YAML-style front matter: title, date/published,
    date: 2024-10-03          updated/modified, lang/language, canonical/url, tags
    ---
    Date: 2024-10-03          optional header lines (Date/Дата/Datum/Tarix/Published/...)
    # Title                   markdown heading, or the first line of a plain text
    Subtitle                  a short line without a final full stop (or a ``##`` heading)
    **Lead paragraph**        a paragraph wholly in bold (markdown only)
    Body paragraphs ...       repaired: split words and split sentences rejoined
    \\*\\*\\*                     a section break, kept as a paragraph ``***``

``published_at`` comes only from explicit metadata (front matter or a header line), never
from dates inside the text: the seed's lead says "2 октября" about an event, not about the
publication. Dates without a year are anchored on ``ctx.fetched_at``.
"""

from __future__ import annotations

import re

from govpress.parsers.charset import decode
from govpress.parsers.dates import ParsedDate, parse_date
from govpress.parsers.language import detect_language
from govpress.parsers.release import ParseContext, ParseError, Release
from govpress.parsers.text import is_section_break, normalize, repair_paragraphs, to_body_text

NAME = "document"
VERSION = "1.0"

MAX_TITLE_CHARS = 400
"""A first line longer than this is a paragraph, not a title."""
MAX_SUBTITLE_CHARS = 300

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_META_KEYS = {
    "published": ("date", "published", "published_at", "pubdate", "дата", "опубликовано", "дата публикации",
                  "апублікавана", "дата публікацыі", "datum", "veröffentlicht", "tarix", "data"),
    "updated": ("updated", "modified", "updated_at", "last_modified", "обновлено", "абноўлена",
                "aktualisiert", "geändert", "yenilənib"),
    "language": ("lang", "language", "язык", "мова", "sprache", "dil"),
    "title": ("title", "заголовок", "загаловак", "titel", "başlıq"),
    "canonical": ("canonical", "canonical_url", "url", "link"),
    "tags": ("tags", "keywords", "теги", "schlagwörter", "teqlər"),
}
_META_ALIASES = {alias: field for field, aliases in _META_KEYS.items() for alias in aliases}
# Header lines outside front matter: only the date and language keys, so that a body line such
# as "Title: ..." in a quoted document is never eaten.
_HEADER_LINE = re.compile(
    r"^(?P<key>" + "|".join(
        re.escape(alias) for field in ("published", "updated", "language") for alias in _META_KEYS[field]
    ) + r")\s*:\s*(?P<value>\S.*)$",
    re.I,
)
_MD_SIGNALS = re.compile(r"^#{1,6}\s|\*\*\S|\\[*_#\[\]]|^__\S|\[[^\]\n]+\]\([^)\s]+\)|^>\s", re.M)
_HEADING = re.compile(r"^#{1,6}\s+")
_WHOLLY_BOLD = re.compile(r"^(\*\*|__)(?=\S)(?P<inner>.*\S)\1$", re.S)
_ENDS_SENTENCE = re.compile(r"[.!?…]\W*$")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'])")


def parse(body: bytes, url: str, ctx: ParseContext) -> Release:
    """Parse one text or markdown document into a :class:`Release`."""
    if not body or not body.strip():
        raise ParseError("empty document")
    if body[:1024].lstrip().startswith(b"%PDF-"):  # a PDF file: its text layer, then this parser (parsers/pdf.py)
        from govpress.parsers import pdf

        return pdf.parse(body, url, ctx, parser=NAME, version=VERSION)
    text, _charset = decode(body, ctx.content_type)
    text = re.sub(r"\r\n?", "\n", text).lstrip("\ufeff")
    meta, text = _front_matter(text)
    markdown = _is_markdown(text, url, ctx.content_type)
    blocks = _blocks(text)

    blocks = _take_header_lines(blocks, meta)
    title_raw = meta.get("title")
    if title_raw is None:
        if not blocks:
            raise ParseError("document has no title: no text besides metadata")
        first_lines = blocks[0].split("\n")
        title_raw, rest = first_lines[0], first_lines[1:]
        blocks = (["\n".join(rest)] if rest else []) + blocks[1:]
    elif blocks and _HEADING.match(blocks[0]) and _clean(blocks[0], markdown) == _clean(title_raw, markdown):
        blocks = blocks[1:]  # the heading repeats the front matter's title
    title = _one_line(_clean(title_raw, markdown))
    if not title:
        raise ParseError("document has no title: the first line is empty after cleaning")
    if len(title) > MAX_TITLE_CHARS:
        raise ParseError(f"document has no title: the first line is a {len(title)}-character paragraph")
    blocks = _take_header_lines(blocks, meta)

    subtitle = None
    if len(blocks) >= 2 and _is_subtitle(blocks[0], blocks[1], markdown):
        subtitle = _one_line(_clean(blocks[0], markdown))
        blocks = blocks[1:]
    lead = None
    if markdown and blocks:
        bold = _WHOLLY_BOLD.match(blocks[0].strip())
        if bold:
            lead = _one_line(_clean(bold.group("inner"), markdown))
            blocks = blocks[1:]

    declared = tuple(dict.fromkeys(([meta["language"]] if meta.get("language") else []) + list(ctx.languages)))
    # Detected once, on the title and the body paragraphs before repair (the repair only joins
    # words and lines, it does not change the language), because the repair wants to know it.
    language = detect_language(title + "\n\n" + "\n\n".join(blocks), declared=declared)
    paragraphs = [_clean(p, markdown) for p in repair_paragraphs(blocks, language=language)]
    body_text = to_body_text(paragraphs)
    if not body_text.strip("*\n "):
        if not lead:
            raise ParseError("document has a title but no text")
        body_text, lead = lead, None  # a lead-only document: the lead is its body

    published = _meta_date(meta.get("published"), ctx)
    updated = _meta_date(meta.get("updated"), ctx)
    return Release(
        url=url,
        title=title,
        body_text=body_text,
        parser=NAME,
        parser_version=VERSION,
        subtitle=subtitle or None,
        lead=lead or None,
        published_at=published.value if published else None,
        published_precision=published.precision if published else None,
        updated_at=updated.value if updated else None,
        language=language,
        canonical_url=meta.get("canonical") or None,
        tags=_tags(meta.get("tags")),
    )


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """``key: value`` pairs of a leading ``---`` block (flat YAML subset) and the rest of the text."""
    stripped = text.lstrip("\n")
    m = _FRONT_MATTER.match(stripped)
    if not m:
        return {}, text
    meta: dict[str, str] = {}
    for line in m.group("body").split("\n"):
        key, sep, value = line.partition(":")
        field = _META_ALIASES.get(key.strip().lower())
        if sep and field and field not in meta:
            meta[field] = value.strip().strip("'\"").strip()
    return meta, stripped[m.end():]


def _is_markdown(text: str, url: str, content_type: str | None) -> bool:
    if content_type and "markdown" in content_type.lower():
        return True
    if re.search(r"\.(?:md|markdown)(?:[?#]|$)", url or "", re.I):
        return True
    return bool(_MD_SIGNALS.search(text[:20_000]))


def _blocks(text: str) -> list[str]:
    """Paragraphs separated by blank lines; a text with no blank line at all has one per line."""
    # Not normalised here: repair_paragraphs needs to see soft hyphens at line ends.
    blocks = [b.strip("\n") for b in re.split(r"\n[^\S\n]*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [line for line in blocks[0].split("\n") if line.strip()]
    return blocks


def _take_header_lines(blocks: list[str], meta: dict[str, str]) -> list[str]:
    """Consume ``Date: ...``-style lines at the start of ``blocks`` into ``meta``."""
    while blocks:
        lines = blocks[0].split("\n")
        taken = 0
        for line in lines:
            m = _HEADER_LINE.match(normalize(line))
            if not m:
                break
            meta.setdefault(_META_ALIASES[m.group("key").lower()], m.group("value").strip())
            taken += 1
        if taken == 0:
            break
        rest = lines[taken:]
        blocks = (["\n".join(rest)] if rest else []) + blocks[1:]
    return blocks


def _is_subtitle(block: str, following: str, markdown: bool) -> bool:
    """A short one-line paragraph right under the title, not a sentence of the body."""
    block = block.strip()
    if re.match(r"^#{2,6}\s", block):
        return True
    if _HEADING.match(block) or _WHOLLY_BOLD.match(block) or is_section_break(block) or "\n" in block:
        return False
    if len(block) > MAX_SUBTITLE_CHARS or not (block[0].isupper() or block[0].isdigit() or block[0] in "«\"„"):
        return False
    followed_by_lead = markdown and bool(_WHOLLY_BOLD.match(following.strip()))
    return followed_by_lead or not _ENDS_SENTENCE.search(block)


_PLACEHOLDER = "\ue000"


def _clean(text: str, markdown: bool) -> str:
    """Markdown markup out (headings, emphasis, links, escapes); plain text only normalised."""
    text = text.strip()
    if text == "***" or not markdown:
        return normalize(text)
    escaped: list[str] = []

    def hide(m: re.Match[str]) -> str:
        escaped.append(m.group(1))
        return f"{_PLACEHOLDER}{len(escaped) - 1}{_PLACEHOLDER}"

    text = _ESCAPE.sub(hide, text)
    text = re.sub(r"^#{1,6}\s+|\s+#+$", "", text, flags=re.M)
    text = re.sub(r"^>\s?", "", text, flags=re.M)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text, flags=re.S)
    text = re.sub(f"{_PLACEHOLDER}(\\d+){_PLACEHOLDER}", lambda m: escaped[int(m.group(1))], text)
    return normalize(text).strip()


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _meta_date(value: str | None, ctx: ParseContext) -> ParsedDate | None:
    if not value:
        return None
    return parse_date(value, tz=ctx.timezone, reference=ctx.fetched_at)


def _tags(value: str | None) -> list[str]:
    if not value:
        return []
    items = value.strip().strip("[]").split(",")
    return [item.strip().strip("'\"") for item in items if item.strip().strip("'\"")]
