"""``govpress extract``: parse saved files with any parser and report the fields, with no database and no network.

A manifest (JSON Lines) names one page per line: ``{"file": ..., "url": ...}``, ``file`` relative
to the manifest; optional ``timezone``, ``languages`` and ``fetched_at`` (ISO 8601) describe the
source when no registry source is given. Pages of one host teach the parser the site's name
(the first or last ``<title>`` segment they share, :func:`govpress.parsers.html.learn_site_names`).
Pages are parsed in a process pool; the output keeps the manifest's order.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from govpress.parsers import ParseContext, ParseError, parse

if TYPE_CHECKING:  # the registry (pydantic models, 0.15 s to import) is loaded only with --source
    from govpress.registry import Source

_BY_SUFFIX = {".txt": "document", ".md": "document", ".markdown": "document"}
_CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
    ".json": "application/json", ".xml": "application/xml", ".atom": "application/atom+xml", ".rss": "application/rss+xml",
}
FIELDS = ("title", "subtitle", "lead", "published_at", "language", "body_text", "parser")
_INLINE_BELOW = 8
"""Fewer pages than this are parsed in this process: starting workers would cost more than it saves."""


class ManifestError(ValueError):
    """A manifest line that is not a JSON object with a ``file``."""


@dataclass(frozen=True, slots=True)
class Job:
    """One page to parse, and what is known about its source."""

    path: Path
    url: str | None = None
    timezone: str | None = None
    languages: tuple[str, ...] = ()
    fetched_at: datetime | None = None
    site_names: tuple[str, ...] = field(default=())


def read_manifest(manifest: Path) -> list[Job]:
    """The jobs of a JSON Lines manifest; :class:`ManifestError` names the first bad line."""
    jobs: list[Job] = []
    for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            fetched = entry.get("fetched_at")
            jobs.append(Job(
                path=manifest.parent / entry["file"],
                url=entry.get("url"),
                timezone=entry.get("timezone"),
                languages=tuple(entry.get("languages") or ()),
                fetched_at=datetime.fromisoformat(fetched) if fetched else None,
            ))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"{manifest}:{n}: {exc}") from None
    return jobs


def _page_title(path: Path) -> str | None:
    """The ``<title>`` of a saved HTML page, read cheaply (no full parse)."""
    from govpress.parsers.html.titles import page_title

    try:
        with path.open("rb") as handle:
            return page_title(handle.read(64_000))
    except OSError:
        return None


def with_learnt_site_names(jobs: Sequence[Job]) -> list[Job]:
    """Each job with the site names its host's pages share in their ``<title>`` (three pages or more)."""
    from govpress.parsers.html import learn_site_names

    by_host: dict[str, list[int]] = {}
    for i, job in enumerate(jobs):
        if job.url and job.path.suffix.lower() in (".html", ".htm"):
            host = (urlsplit(job.url).hostname or "").lower()
            if host:
                by_host.setdefault(host, []).append(i)
    out = list(jobs)
    for indexes in by_host.values():
        if len(indexes) < 3:
            continue
        titles = [t for t in (_page_title(jobs[i].path) for i in indexes) if t]
        names = tuple(learn_site_names(titles))
        if names:
            for i in indexes:
                out[i] = replace(out[i], site_names=names)
    return out


def extract_one(path: Path, url: str | None, *, source: Source | None = None, parser: str | None = None,
                job: Job | None = None) -> dict:
    """One JSON-ready record for one file: the fields below, or ``error`` with the reason."""
    url = url or path.resolve().as_uri()
    name = parser or (source.parser if source else None) or _BY_SUFFIX.get(path.suffix.lower(), "generic")
    record: dict = {"file": str(path), "url": url}
    try:
        body = path.read_bytes()
        mtime = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    except OSError as exc:
        return record | {"parser": name, "error": f"cannot read: {exc}"}
    ctx = ParseContext(
        source_id=source.id if source else "adhoc",
        timezone=source.timezone if source else ((job.timezone if job else None) or "UTC"),
        languages=tuple(source.languages) if source else (job.languages if job else ()),
        fetched_at=(job.fetched_at if job and job.fetched_at else mtime),
        fetched_at_guessed=not (job and job.fetched_at),
        fetched_before=None if job and job.fetched_at else datetime.now(timezone.utc),
        content_type=_CONTENT_TYPES.get(path.suffix.lower()),
        site_names=job.site_names if job else (),
    )
    try:
        release = parse(body, url, ctx, parser=name)
    except ParseError as exc:
        return record | {"parser": name, "error": str(exc)}
    data = release.as_json()
    record.update({k: data[k] for k in FIELDS})
    record["parser"] = f"{release.parser}/{release.parser_version}"
    for extra in ("published_precision", "published_offset_stated", "canonical_url", "updated_at", "place", "tags", "translations", "translation_key", "kind"):
        if data.get(extra):
            record[extra] = data[extra]
    return record


def _extract_job(args: tuple[Job, Source | None, str | None]) -> dict:
    job, source, parser = args
    return extract_one(job.path, job.url, source=source, parser=parser, job=job)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def extract_jobs(jobs: Sequence[Job], *, source: str | None = None, parser: str | None = None,
                 sources_file: Path | None = None, workers: int | None = None) -> Iterator[dict]:
    """One record per job, in order; parsed in ``workers`` processes (default: one per core)."""
    if source:
        from govpress.registry import load_registry
    src = load_registry(sources_file).get(source) if source else None
    jobs = with_learnt_site_names(jobs)
    workers = default_workers() if workers is None else max(1, workers)
    tasks = [(job, src, parser) for job in jobs]
    if workers == 1 or len(tasks) < _INLINE_BELOW:
        yield from map(_extract_job, tasks)
        return
    # The first page is parsed here: it loads the parsers and the language model (0.6 s) once,
    # before the workers fork from this process and inherit them instead of each loading its own.
    yield _extract_job(tasks[0])
    rest = tasks[1:]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_extract_job, rest, chunksize=max(1, min(16, len(rest) // (workers * 4))))


def extract_pages(
    jobs: list[tuple[Path, str | None]], *, source: str | None = None, parser: str | None = None,
    sources_file: Path | None = None, workers: int | None = None,
) -> Iterator[dict]:
    """:func:`extract_jobs` for ``(path, url)`` pairs."""
    yield from extract_jobs([Job(path, url) for path, url in jobs], source=source, parser=parser,
                            sources_file=sources_file, workers=workers)
