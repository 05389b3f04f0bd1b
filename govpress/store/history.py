"""The record side of a load: what happened to each release, inside the same transaction as the batch.

* **Listings** (``release_listings``): what a channel showed of each release, written when new or changed.
* **Text events** and **version diffs**: a new version stores its paragraph diff from the one before it
  (``release_versions.diff``) and becomes an ``edited`` and/or ``retitled`` event; a page whose text
  changed in typography only (same ``content_hash``, another exact ``text_hash``) becomes a
  ``trivial_edit`` event and no version. A reparse (``LoadBatch.observed`` False) records no events:
  its text changes are the parser's.
* **Status events**: ``withdrawn`` and ``redirected`` (from the pipeline's fetches) are recorded only
  when they change the release's status and nothing newer confirmed the page; ``restored`` when a
  withdrawn or redirected release is seen again. ``releases.status`` and ``removed_at`` follow.

:func:`plan_record` is pure; the other functions apply what it and the pipeline decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

import duckdb
import pyarrow as pa

from govpress.dedupe.versions import Text, TextDiff, diff_texts, text_hash
from govpress.store.arrow import STREAM, execute_with, has_table, inline, keys_in, registered
from govpress.store.arrow import utc as _utc
from govpress.store.rows import EventRow, ListingRow, ReleaseRow, RemovalRow, SeenRow

S = pa.string()
TS = pa.timestamp("us", tz="UTC")
I32 = pa.int32()

EVENT_ARROW = pa.schema([
    ("release_id", S), ("kind", S), ("detected_at", TS), ("version", I32), ("http_status", I32), ("url", S),
    ("final_url", S), ("evidence", S), ("title_before", S), ("title_after", S), ("diff", S), ("archive_key", S),
])
SIGHTING_ARROW = pa.schema([
    ("release_id", S), ("seen_at", TS), ("url", S), ("http_status", I32), ("archive_key", S),
])
LISTING_ARROW = pa.schema([
    ("release_id", S), ("source_id", S), ("channel", S), ("url", S), ("title", S), ("published_at", TS),
    ("lastmod", TS), ("fingerprint", S), ("listed_at", TS),
])
DIFF_ARROW = pa.schema([
    ("release_id", S), ("version", I32), ("diff", S), ("added", I32), ("removed", I32), ("changed", I32),
])
HASH_ARROW = pa.schema([("release_id", S), ("text_hash", S)])

VERSIONS_STORED = "release_versions_stored"
"""The table behind the view ``release_versions`` (migration 14): the current version's text left NULL."""
"""The store's table probe, word for word the one a lake session answers from memory (store/lake.py)."""


def versions_table(con: duckdb.DuckDBPyConnection) -> str:
    """The table version rows are written to and their hashes read from.

    ``release_versions_stored`` from schema version 14 on; in older files (stepped through the
    migrations by their tests, or migration 13's data step) ``release_versions`` is still that table.
    The probe is :func:`~govpress.store.arrow.has_table`'s (inside a load, one catalogue read per batch).
    """
    return VERSIONS_STORED if has_table(con, VERSIONS_STORED) else "release_versions"


@dataclass(frozen=True, slots=True)
class StoredText:
    """A stored release's current text and the facts the record needs about it."""

    text: Text
    text_hash: str | None
    archive_key: str | None
    status: str
    version: int
    content_hash: str


def stored_texts(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> dict[str, StoredText]:
    """The current text of each stored release among ``release_ids`` (before the batch changes it)."""
    if not release_ids:
        return {}
    ids = pa.Table.from_pydict({"release_id": sorted(set(release_ids))}, schema=pa.schema([("release_id", S)]))
    with registered(con, ids) as t:
        rows = con.execute(
            f"""SELECT release_id, title, subtitle, lead, body_text, text_hash, archive_key, coalesce(status, 'live'), version,
                       content_hash
                FROM releases WHERE {keys_in('release_id', release_ids, t)}"""
        ).fetchall()
    return {r[0]: StoredText(Text(*r[1:5]), r[5], r[6], r[7], r[8], r[9]) for r in rows}


@dataclass(slots=True)
class Record:
    """What a batch's releases add to the record (decided by :func:`plan_record`)."""

    diffs: list[tuple[str, int, TextDiff]] = field(default_factory=list)
    """(release_id, new version, diff from the previous version)."""
    hashes: dict[str, str] = field(default_factory=dict)
    """release_id -> the exact text hash to store."""
    events: list[dict] = field(default_factory=list)


def _event(release_id: str, kind: str, at: datetime, version: int | None, *, url: str | None = None,
           http_status: int | None = None, final_url: str | None = None, evidence: str | None = None,
           title_before: str | None = None, title_after: str | None = None, diff: str | None = None,
           archive_key: str | None = None) -> dict:
    return {"release_id": release_id, "kind": kind, "detected_at": _utc(at), "version": version,
            "http_status": http_status, "url": url, "final_url": final_url, "evidence": evidence,
            "title_before": title_before, "title_after": title_after, "diff": diff, "archive_key": archive_key}


def _summary(diff: TextDiff) -> str:
    parts = [f"{n} paragraph{'s' if n != 1 else ''} {what}" for n, what in
             ((diff.added, "added"), (diff.removed, "removed"), (diff.changed, "reworded")) if n]
    return ", ".join(parts) or "headline only"


def _exact_hash(row: ReleaseRow) -> str:
    """The row's exact text hash: the parse worker's when it sent one (hashing 3 KB texts was a twentieth
    of a fresh load's time in the load process), else computed here."""
    return row.text_hash if row.text_hash is not None else text_hash(row)


def plan_record(inserts: list[ReleaseRow], updates: list[tuple[ReleaseRow, int]], touches: list[ReleaseRow],
                stored: dict[str, StoredText], *, observed: bool) -> Record:
    """Diffs, text hashes and text events for a batch's new, updated and re-seen releases (pure)."""
    record = Record()
    for row in inserts:
        record.hashes[row.release_id] = _exact_hash(row)
    for row, version in updates:
        before = stored.get(row.release_id)
        record.hashes[row.release_id] = _exact_hash(row)
        if before is None:
            continue
        diff = diff_texts(before.text, row)
        record.diffs.append((row.release_id, version, diff))
        if not observed:
            continue
        kinds = [k for k, happened in (("retitled", diff.retitled), ("edited", diff.edited)) if happened] or ["edited"]
        for kind in kinds:
            record.events.append(_event(
                row.release_id, kind, row.seen_at, version, url=row.url, http_status=200,
                evidence=f"version {version}: " + (_summary(diff) if kind == "edited" else "the headline changed"),
                title_before=diff.title_before, title_after=diff.title_after, archive_key=row.archive_key))
    for row in touches:
        before = stored.get(row.release_id)
        if before is None or before.content_hash != row.content_hash:
            continue  # the text of an older version (a reparse of an old page): the current one stands
        now_hash = _exact_hash(row)
        if before.text_hash == now_hash:
            continue
        record.hashes[row.release_id] = now_hash
        if before.text_hash is None or not observed or row.archive_key == before.archive_key:
            continue  # the first exact hash of an older row, a reparse, or the version's own page: nothing happened
        diff = diff_texts(before.text, row)
        record.events.append(_event(
            row.release_id, "trivial_edit", row.seen_at, before.version, url=row.url, http_status=200,
            evidence=f"typography only: {max(diff.typography, 1)} part(s) differ in quotes, dashes, ё/е, spaces or case",
            title_before=diff.title_before, title_after=diff.title_after, diff=diff.as_json(),
            archive_key=row.archive_key))
    return record


def apply_record(con: duckdb.DuckDBPyConnection, run_id: str, record: Record, *,
                 versions: str = "release_versions") -> None:
    """Store the version diffs, the exact text hashes and the text events of a batch.

    ``versions``: the table the version rows are in (:func:`versions_table`).
    """
    if record.diffs:
        table = pa.Table.from_pylist(
            [{"release_id": rid, "version": version, "diff": diff.as_json(), "added": diff.added,
              "removed": diff.removed, "changed": diff.changed} for rid, version, diff in record.diffs],
            schema=DIFF_ARROW)
        # Read by the one statement from its own C stream (arrow.execute_with): no temporary table.
        execute_with(con, table,
            f"""UPDATE {versions} SET diff = d.diff, paragraphs_added = d.added,
                    paragraphs_removed = d.removed, paragraphs_changed = d.changed
                FROM {STREAM} d WHERE {versions}.release_id = d.release_id AND {versions}.version = d.version"""
        )
    if record.hashes:
        table = pa.Table.from_pylist([{"release_id": k, "text_hash": v} for k, v in record.hashes.items()], schema=HASH_ARROW)
        execute_with(con, table, f"UPDATE releases SET text_hash = h.text_hash FROM {STREAM} h WHERE releases.release_id = h.release_id")
    insert_events(con, run_id, record.events)


def insert_events(con: duckdb.DuckDBPyConnection, run_id: str, events: list[dict]) -> None:
    if not events:
        return
    names = EVENT_ARROW.names
    execute_with(con, pa.Table.from_pylist(events, schema=EVENT_ARROW), *inline(
        f"INSERT OR IGNORE INTO release_events ({', '.join(names)}, run_id) SELECT {', '.join(names)}, ? FROM {STREAM}",
        [run_id]),
    )


# -- status: restored, withdrawn, redirected ---------------------------------------------------------


def sightings(rows: list[ReleaseRow], seen: list[SeenRow]) -> list[dict]:
    """Stored releases confirmed alive by this batch: re-seen rows and pages that answered unparsed."""
    out = [{"release_id": r.release_id, "seen_at": _utc(r.seen_at), "url": r.url, "http_status": None,
            "archive_key": r.archive_key} for r in rows]
    out += [{"release_id": s.release_id, "seen_at": _utc(s.seen_at), "url": s.url, "http_status": s.http_status,
             "archive_key": s.archive_key} for s in seen]
    return out


def record_restored(con: duckdb.DuckDBPyConnection, run_id: str, seen: list[dict]) -> None:
    """A ``restored`` event for each withdrawn or redirected release seen after it went (call before the
    rows are applied: it reads the old status)."""
    if not seen:
        return
    execute_with(con, pa.Table.from_pylist(seen, schema=SIGHTING_ARROW), *inline(
        f"""INSERT OR IGNORE INTO release_events (release_id, kind, detected_at, version, http_status, url,
                evidence, archive_key, run_id)
            SELECT s.release_id, 'restored', s.seen_at, r.version, coalesce(s.http_status, 200), s.url,
                   'the page answered again after it was ' || r.status, s.archive_key, ?
            FROM {STREAM} s JOIN releases r USING (release_id)
            WHERE coalesce(r.status, 'live') <> 'live' AND s.seen_at > r.removed_at""",
        [run_id]),
    )


def load_seen(con: duckdb.DuckDBPyConnection, run_id: str, seen: list[SeenRow]) -> None:
    """Pages that answered without a parse: restored when they had gone, and seen now."""
    rows = sightings([], seen)
    if not rows:
        return
    record_restored(con, run_id, rows)
    # Read by the one statement from its own C stream (arrow.execute_with): no temporary table.
    execute_with(con, pa.Table.from_pylist(rows, schema=SIGHTING_ARROW),
        f"""UPDATE releases SET last_seen_at = greatest(releases.last_seen_at, s.seen_at),
                status = CASE WHEN s.seen_at > releases.removed_at THEN 'live' ELSE releases.status END,
                removed_at = CASE WHEN s.seen_at > releases.removed_at THEN NULL ELSE releases.removed_at END
            FROM (SELECT release_id, max(seen_at) AS seen_at FROM {STREAM} GROUP BY release_id) s
            WHERE releases.release_id = s.release_id"""
    )


def load_status_events(con: duckdb.DuckDBPyConnection, run_id: str, events: list[EventRow],
                       removals: list[RemovalRow] = ()) -> int:
    """Record withdrawals and redirects that change a release's status; returns how many releases went
    from live to gone in this batch. A page seen after the event was detected stays live."""
    rows = [*events, *(EventRow(r.release_id, "withdrawn", r.detected_at, r.url, r.status,
                                evidence=f"HTTP {r.status}" if r.status else "gone") for r in removals)]
    if not rows:
        return 0
    earliest: dict[str, EventRow] = {}
    for row in rows:  # one status change per release per batch: the first seen
        kept = earliest.get(row.release_id)
        if kept is None or _utc(row.detected_at) < _utc(kept.detected_at):
            earliest[row.release_id] = row
    table = pa.Table.from_pylist(
        [_event(e.release_id, e.kind, e.detected_at, None, url=e.url, http_status=e.http_status, final_url=e.final_url,
                evidence=e.evidence, archive_key=e.archive_key) for e in earliest.values()], schema=EVENT_ARROW)
    with registered(con, table) as t:
        applies = (f"FROM {t} e JOIN releases r USING (release_id) "
                   "WHERE coalesce(r.status, 'live') <> e.kind AND r.last_seen_at <= e.detected_at")
        went = con.execute(f"SELECT count(*) FILTER (WHERE coalesce(r.status, 'live') = 'live') {applies}").fetchone()[0]
        con.execute(*inline(
            f"""INSERT OR IGNORE INTO release_events (release_id, kind, detected_at, version, http_status, url, final_url,
                    evidence, archive_key, run_id)
                SELECT e.release_id, e.kind, e.detected_at, r.version, e.http_status, e.url, e.final_url, e.evidence,
                       e.archive_key, ? {applies}""",
            [run_id]),
        )
        con.execute(
            f"""UPDATE releases SET status = e.kind, removed_at = coalesce(releases.removed_at, e.detected_at)
                FROM {t} e WHERE releases.release_id = e.release_id
                  AND coalesce(releases.status, 'live') <> e.kind AND releases.last_seen_at <= e.detected_at"""
        )
    return int(went)


# -- listings -----------------------------------------------------------------------------------------


def load_listings(con: duckdb.DuckDBPyConnection, run_id: str, listings: list[ListingRow], plain: bool = False) -> None:
    """Upsert what the channels showed (the latest form per release; first_listed_at is kept).

    ``plain``: none of the listed releases has a row yet (load._none_stored asked), so a plain insert adds what the
    upsert would, without DuckDB's conflict path."""
    if not listings:
        return
    latest: dict[str, ListingRow] = {}
    for row in listings:
        kept = latest.get(row.release_id)
        if kept is None or _utc(row.listed_at) >= _utc(kept.listed_at):
            latest[row.release_id] = row
    # Column by column (pyarrow takes an aware time as its UTC instant and a naive one as UTC, as _utc does).
    rows = list(latest.values())
    table = pa.Table.from_pydict({name: list(map(attrgetter(name), rows)) for name in LISTING_ARROW.names},
                                 schema=LISTING_ARROW)
    upsert = """ ON CONFLICT (release_id) DO UPDATE SET source_id = excluded.source_id, channel = excluded.channel,
                url = excluded.url, title = excluded.title, published_at = excluded.published_at,
                lastmod = excluded.lastmod, fingerprint = excluded.fingerprint, listed_at = excluded.listed_at,
                run_id = excluded.run_id
            WHERE excluded.listed_at >= release_listings.listed_at"""
    execute_with(con, table, *inline(
        f"""INSERT INTO release_listings (release_id, source_id, channel, url, title, published_at, lastmod,
                fingerprint, first_listed_at, listed_at, run_id)
            SELECT release_id, source_id, channel, url, title, published_at, lastmod, fingerprint, listed_at,
                   listed_at, ? FROM {STREAM}""" + ("" if plain else upsert),
        [run_id]),
    )
