"""Small row factories and helpers shared by the store tests (imported as a plain module)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from govpress.registry import Source
from govpress.store import FetchRow, LoadBatch, ReleaseRow, Store
from factories import make_source

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def at(hours: float) -> datetime:
    """T0 plus some hours: readable times for ordering tests."""
    return T0 + timedelta(hours=hours)


def text_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:16]


def release(
    release_id: str,
    body: str = "Body text.",
    *,
    title: str = "A title",
    lead: str | None = None,
    source_id: str = "gov_ru",
    language: str | None = "ru",
    published_at: datetime | None = T0,
    seen_at: datetime = T0,
    translation_key: str | None = None,
    archive_key: str | None = None,
    tags: list[str] | None = None,
) -> ReleaseRow:
    """A release row whose content_hash follows its text, as the pipeline computes it."""
    url = f"https://gov.example/{source_id}/{release_id}"
    return ReleaseRow(
        release_id=release_id, source_id=source_id, url=url, canonical_url=url, language=language,
        title=title, subtitle=None, lead=lead, body_text=body, published_at=published_at,
        published_precision="minute" if published_at else None, updated_at=None, place=None,
        tags=tags or [], kind="news", translation_key=translation_key, content_hash=text_hash(title, lead, body),
        parser="generic", parser_version="1", archive_key=archive_key or f"ak-{release_id}-{text_hash(body)}",
        seen_at=seen_at,
    )


def fetch(fetch_id: str, url: str, *, outcome: str = "ok", started_at: datetime = T0, source_id: str = "gov_ru",
          archive_key: str | None = "ak", purpose: str = "release", run_id: str = "run-1") -> FetchRow:
    return FetchRow(
        fetch_id=fetch_id, run_id=run_id, source_id=source_id, url=url, final_url=url, purpose=purpose,
        status=200 if outcome == "ok" else 503, outcome=outcome, started_at=started_at, elapsed_ms=12.5,
        bytes=2048, content_type="text/html; charset=utf-8", charset="utf-8", etag=None, last_modified=None,
        attempts=1, error=None if outcome == "ok" else "HTTP 503",
        archive_key=archive_key if outcome == "ok" else None,
    )


def batch(*releases: ReleaseRow, run_id: str = "run-1", source_id: str = "gov_ru", **kwargs) -> LoadBatch:
    return LoadBatch(run_id=run_id, source_id=source_id, releases=list(releases), **kwargs)


def source(source_id: str = "gov_ru", *, timezone_name: str = "Europe/Moscow", language: str = "ru") -> Source:
    return make_source(
        id=source_id, name=f"Government ({source_id})", institution="Government",
        languages=[language], start_urls=[f"https://gov.example/{source_id}/rss"],
        timezone=timezone_name, rate_limit=1.0, concurrency=2,
    )


def table_rows(store: Store, sql: str, params: list | None = None) -> list[tuple]:
    with store.reader(fts=False) as con:
        return con.execute(sql, params or []).fetchall()


class Recorder:
    """A DuckDB connection that records the SQL sent through ``execute`` (the rest goes to the real one)."""

    def __init__(self, con) -> None:
        self.con, self.sent = con, []

    def execute(self, sql: str, *args):
        self.sent.append(sql)
        return self.con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.con, name)


def duckdb_statements(monkeypatch) -> list[str]:
    """Every statement sent on a DuckDB connection from now on (the store's own, unwrapped: arrow.copies_in)."""
    import sys

    import duckdb

    sent: list[str] = []
    execute = duckdb.DuckDBPyConnection.execute

    def recording(self, sql, *args, **kwargs):
        sent.append(sql)
        _govpress_arrow_stream = sys._getframe(1).f_locals.get("_govpress_arrow_stream")  # noqa: F841 (replacement scan)
        return execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", recording)
    return sent
