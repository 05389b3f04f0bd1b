"""``govpress extract``: parse saved files with any parser and report the fields, with no database and no network."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from govpress.registry import Source, load_registry
from govpress.parsers import ParseContext, ParseError, parse

_BY_SUFFIX = {".txt": "document", ".md": "document", ".markdown": "document"}
_CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
    ".json": "application/json", ".xml": "application/xml", ".atom": "application/atom+xml", ".rss": "application/rss+xml",
}
FIELDS = ("title", "subtitle", "lead", "published_at", "language", "body_text", "parser")


def extract_one(path: Path, url: str | None, *, source: Source | None = None, parser: str | None = None) -> dict:
    """One JSON-ready record for one file: the fields below, or ``error`` with the reason."""
    url = url or path.resolve().as_uri()
    name = parser or (source.parser if source else None) or _BY_SUFFIX.get(path.suffix.lower(), "generic")
    record: dict = {"file": str(path), "url": url}
    try:
        body = path.read_bytes()
    except OSError as exc:
        return record | {"parser": name, "error": f"cannot read: {exc}"}
    ctx = ParseContext(
        source_id=source.id if source else "adhoc",
        timezone=source.timezone if source else "UTC",
        languages=tuple(source.languages) if source else (),
        fetched_at=datetime.fromtimestamp(path.stat().st_mtime, timezone.utc),
        content_type=_CONTENT_TYPES.get(path.suffix.lower()),
    )
    try:
        release = parse(body, url, ctx, parser=name)
    except ParseError as exc:
        return record | {"parser": name, "error": str(exc)}
    data = release.as_json()
    record.update({k: data[k] for k in FIELDS})
    record["parser"] = f"{release.parser}/{release.parser_version}"
    for extra in ("published_precision", "canonical_url", "updated_at", "place", "tags", "translations", "translation_key", "kind"):
        if data.get(extra):
            record[extra] = data[extra]
    return record


def extract_pages(
    jobs: list[tuple[Path, str | None]], *, source: str | None = None, parser: str | None = None,
    sources_file: Path | None = None,
) -> Iterator[dict]:
    src = load_registry(sources_file).get(source) if source else None
    for path, url in jobs:
        yield extract_one(path, url, source=src, parser=parser)
