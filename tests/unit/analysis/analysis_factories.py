"""Rows for small constructed corpora: releases, fetches, sources and runs with per-source outcomes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from govpress.store import FetchRow, LoadBatch, ReleaseRow, Store
from factories import make_source

UTC = timezone.utc


def text_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]


def release(release_id: str, body: str | None = None, *, title: str | None = None, lead: str | None = None,
            source_id: str = "gov_ru", language: str | None = "ru", published_at: datetime | None = None,
            precision: str = "minute", seen_at: datetime | None = None, translation_key: str | None = None) -> ReleaseRow:
    """A release row whose content_hash follows its text (as the pipeline computes it)."""
    title = title or f"Title of {release_id}"
    body = body or f"Body of {release_id}."
    url = f"https://gov.example/{source_id}/{release_id}"
    seen_at = seen_at or published_at or datetime(2024, 3, 1, tzinfo=UTC)
    return ReleaseRow(
        release_id=release_id, source_id=source_id, url=url, canonical_url=url, language=language, title=title,
        subtitle=None, lead=lead, body_text=body, published_at=published_at,
        published_precision=precision if published_at else None, updated_at=None, place=None, tags=[], kind="news",
        translation_key=translation_key, content_hash=text_hash(title, lead, body), parser="generic",
        parser_version="1", archive_key=f"ak-{release_id}-{text_hash(body)}", seen_at=seen_at,
    )


def fetch(fetch_id: str, *, source_id: str, started_at: datetime, outcome: str = "ok", purpose: str = "new",
          run_id: str = "run-1") -> FetchRow:
    url = f"https://gov.example/{source_id}/{fetch_id}"
    return FetchRow(
        fetch_id=fetch_id, run_id=run_id, source_id=source_id, url=url, final_url=url, purpose=purpose,
        status=200 if outcome == "ok" else 503, outcome=outcome, started_at=started_at, elapsed_ms=10.0, bytes=100,
        content_type="text/html", charset="utf-8", etag=None, last_modified=None, attempts=1,
        error=None if outcome == "ok" else outcome, archive_key="ak" if outcome == "ok" else None,
    )


def load(store: Store, source_id: str, *releases: ReleaseRow, run_id: str = "run-load", **kwargs) -> None:
    store.load_batch(LoadBatch(run_id=run_id, source_id=source_id, releases=list(releases), **kwargs))


def add_sources(store: Store, *specs: tuple[str, str, str]) -> None:
    """(source_id, timezone, cadence) triples into the sources table, each its own publisher (institution)."""
    store.upsert_sources([
        make_source(id=sid, name=f"Source {sid}", institution=f"Publisher {sid}", timezone=tz, cadence=cadence,
                    start_urls=[f"https://gov.example/{sid}/rss"])
        for sid, tz, cadence in specs
    ], "run-sources")


def outcome(source_id: str, status: str = "ok", message: str = "", new: int = 0, unfinished: int = 0) -> dict:
    """One entry of runs.per_source, with the keys the pipeline writes."""
    return {"source_id": source_id, "status": status, "message": message, "new": new, "unfinished": unfinished,
            "channel": "feed", "discovered": 0, "fetched": 0}


def run(store: Store, run_id: str, started_at: datetime, *outcomes: dict, flow: str = "ingest",
        finished: bool = True, sources: list[str] | None = None) -> None:
    """A run covering the outcomes' sources (or ``sources``), finished an hour later unless ``finished`` is False."""
    source_ids = sources or [o["source_id"] for o in outcomes]
    store.start_run(run_id, flow, {}, source_ids, started_at)
    if finished:
        bad = [o for o in outcomes if o["status"] in ("failed", "blocked")]
        store.finish_run(run_id, "partial" if bad else "completed", {}, None, list(outcomes),
                         started_at + timedelta(minutes=5))


def rows(store: Store, sql: str, params: list | None = None) -> list[tuple]:
    with store.reader() as con:
        return con.execute(sql, params or []).fetchall()
