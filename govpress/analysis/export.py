"""``govpress export``: the main tables and views as Parquet or CSV, or the archived bodies as WARC.

Parquet goes through DuckDB's ``COPY ... (FORMAT parquet, PARTITION_BY (source_id, month))``:
one folder per table or view, Hive-partitioned ``source_id=.../month=YYYY-MM/`` (month of
publication, else of the row's own date), which Spark, pandas, Polars and DuckDB read back as one
dataset. CSV writes one file per table or view. Both honour ``--since`` (rows dated on or after
that day) and ``--source``. A table's rows are written from one read-only connection, so every
file of one export shows the same state of the database.

WARC writes every archived response of the selected fetches (``fetches.archive_key``) with its
URL, status, content type and fetch time (:meth:`govpress.archive.Archive.export_warc`), for tools
that speak WARC (pywb, warcio, the Wayback Machine's stack). A body missing from the archive is
reported and skipped, never silently invented.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from govpress.archive import Archive, ArchiveError
from govpress.store import Store

Format = Literal["parquet", "csv", "warc"]


@dataclass(frozen=True, slots=True)
class Exported:
    """One table or view: its date column (for --since and the month partition) and whether it has source_id."""

    name: str
    date_column: str | None
    has_source: bool = True


EXPORTS: tuple[Exported, ...] = (
    Exported("releases", "coalesce(published_at, first_seen_at)"),
    Exported("release_versions", "coalesce(published_at, seen_at)", has_source=False),
    Exported("release_links", "first_seen_at", has_source=False),
    Exported("removals", "detected_at", has_source=False),
    Exported("fetches", "started_at"),
    Exported("parse_failures", "failed_at"),
    Exported("sources", None),
    Exported("runs", "started_at", has_source=False),
    Exported("unique_releases", "coalesce(published_at, first_seen_at)"),
    Exported("daily_counts", "day"),
    Exported("weekly_counts", "week"),
    Exported("monthly_counts", "month"),
    Exported("source_health", None),
)
"""What an export holds: the analyst's tables and views (not the pipeline's frontier, cache or search tables)."""

# Tables without their own source_id reach it through the release they belong to.
_SOURCE_OF = {
    "release_versions": "(SELECT r.source_id FROM releases r WHERE r.release_id = t.release_id)",
    "release_links": "(SELECT r.source_id FROM releases r WHERE r.release_id = t.release_id)",
    "removals": "(SELECT r.source_id FROM releases r WHERE r.release_id = t.release_id)",
}


@dataclass(slots=True)
class ExportResult:
    out: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    """For WARC: archive keys that could not be read (missing or corrupt), with the reason."""


def _select(item: Exported, since: date | None, sources: list[str] | None) -> tuple[str, list]:
    source_column = "t.source_id" if item.has_source else _SOURCE_OF.get(item.name)
    where, params = [], []
    if since is not None and item.date_column:
        where.append(f"CAST({item.date_column} AS DATE) >= ?")
        params.append(since)
    if sources and item.name == "runs":
        where.append("list_has_any(t.source_ids, ?)")
        params.append(sources)
    elif sources and source_column:
        where.append(f"list_contains(?, {source_column})")
        params.append(sources)
    partition = (f", {source_column} AS source_id" if not item.has_source and source_column else "")
    month = (f", strftime(coalesce(CAST({item.date_column} AS DATE), DATE '1970-01-01'), '%Y-%m') AS month"
             if item.date_column else "")
    sql = f"SELECT t.*{partition}{month} FROM {item.name} t" + (f" WHERE {' AND '.join(where)}" if where else "")
    return sql, params


def export_tables(db: Path | str, out: Path | str, fmt: Literal["parquet", "csv"], *, since: date | None = None,
                  sources: list[str] | None = None) -> ExportResult:
    """Write every table and view of :data:`EXPORTS` under ``out`` (replacing an earlier export's files)."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, not {fmt!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out=out)
    with Store(db).reader(fts=False) as con:
        for item in EXPORTS:
            sql, params = _select(item, since, sources)
            count = con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
            result.rows[item.name] = count
            target = out / (item.name if fmt == "parquet" else f"{item.name}.csv")
            if target.is_dir():
                shutil.rmtree(target)
            target.unlink(missing_ok=True)
            if fmt == "csv":
                con.execute(f"COPY ({sql}) TO '{_quote(target)}' (FORMAT csv, HEADER)", params)
                result.files += 1
                continue
            has_source = item.has_source or item.name in _SOURCE_OF
            keys = [k for k, present in (("source_id", has_source), ("month", bool(item.date_column))) if present]
            if count == 0 or not keys:
                target.mkdir(parents=True)
                con.execute(f"COPY ({sql}) TO '{_quote(target / 'data.parquet')}' (FORMAT parquet)", params)
            else:
                con.execute(f"COPY ({sql}) TO '{_quote(target)}' (FORMAT parquet, PARTITION_BY ({', '.join(keys)}))",
                            params)
            result.files += sum(1 for _ in target.rglob("*.parquet"))
    return result


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def export_warc(db: Path | str, out: Path | str, archive_root: Path | str | None = None, *, since: date | None = None,
                sources: list[str] | None = None) -> ExportResult:
    """Every archived response of the selected fetches as one gzipped WARC file ``out/govpress.warc.gz``."""
    store = Store(db)
    archive = Archive(archive_root or store.location.archive_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with store.reader(fts=False) as con:
        rows = con.execute(
            """SELECT url, coalesce(status, 200), content_type, started_at, archive_key, etag, last_modified
               FROM fetches WHERE archive_key IS NOT NULL AND outcome IN ('ok', 'blocked')
                 AND (?::DATE IS NULL OR started_at::DATE >= ?::DATE) AND (?::VARCHAR[] IS NULL OR list_contains(?, source_id))
               ORDER BY started_at, url""", [since, since, sources, sources]).fetchall()
    result = ExportResult(out=out)
    readable = []
    seen = set()
    for url, status, content_type, fetched_at, key, etag, last_modified in rows:
        if (url, key) in seen:  # one record per URL and body: a 304 reusing a body is not a new capture
            continue
        seen.add((url, key))
        try:
            archive.get(key)
        except ArchiveError as exc:
            result.skipped.append(f"{url}: {exc}")
            continue
        headers = {k: v for k, v in (("ETag", etag), ("Last-Modified", last_modified)) if v}
        readable.append((key, {"url": url, "status": status, "content_type": content_type, "fetched_at": fetched_at,
                               "headers": headers}))
    target = out / "govpress.warc.gz"
    result.rows["records"] = archive.export_warc(readable, target)
    result.files = 1
    return result
