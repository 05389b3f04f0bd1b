"""``govpress sources check``: one discovery page and one release, fetched live, and which fields parsed.

For users with internet checking a source against the real site; the tests run it against the
local site server.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

from govpress.archive import Archive
from govpress.discover import discover
from govpress.fetch.client import Fetcher
from govpress.pipeline import file_roots, parse_result, read_file_item
from govpress.registry import Registry, Source
from govpress.parsers import Release

CHECKED_FIELDS = ("title", "subtitle", "lead", "published_at", "language", "body_text", "place", "tags", "translations", "translation_key")


def field_report(release: Release) -> dict:
    data = release.as_json()
    return {name: ("ok" if data.get(name) else "missing") for name in CHECKED_FIELDS}


async def check_source(source: Source, registry: Registry, *, base_dir: Path = Path("."), transport=None) -> dict:
    """Fetch one discovery page and the newest release; report outcomes and parsed fields (JSON-ready)."""
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="govpress-check-") as tmp:
        archive = Archive(Path(tmp))
        async with Fetcher(archive=archive, user_agent=registry.user_agent, transport=transport) as fetcher:
            async def fetch(url: str, purpose: str):
                return await fetcher.fetch(url, source, purpose=purpose)

            # A sitemap index needs a second page (its first child) before it lists a release.
            found = await discover(source, fetch, max_pages=3 if source.kind == "sitemap" else 1, base_dir=base_dir, now=now)
            report: dict = {
                "source": source.id,
                "channel": found.channel,
                "discovery": [{"url": p.url, "outcome": p.outcome, "status": p.status, "error": p.error} for p in found.pages],
                "items": len(found.items),
                "blocked": found.blocked,
                "errors": found.errors,
                "ok": False,
            }
            if not found.items:
                return report
            item = found.items[0]
            if item.entry is not None:
                from govpress.pipeline import local_result

                result = local_result(item.url, "entry", item.entry, "application/atom+xml", archive)
            elif source.kind == "files":
                result = read_file_item(item.url, archive, file_roots(source, base_dir))
            else:
                result = await fetcher.fetch(item.url, source, purpose="new")
            report["release"] = {"url": item.url, "outcome": result.outcome, "status": result.status, "error": result.error}
            if not result.ok:
                return report
            release = parse_result(source, result, now)
            if isinstance(release, Exception):
                report["release"]["parse_error"] = str(release)
                return report
            report["release"].update(title=release.title, published_at=release.published_at.isoformat() if release.published_at else None,
                                     language=release.language, fields=field_report(release))
            report["ok"] = True
            return report
