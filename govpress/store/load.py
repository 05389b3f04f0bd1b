"""Idempotent batch loads and the pipeline's reads, as functions of an open DuckDB connection.

``load_batch`` runs in ONE transaction and is idempotent: loading the same batch twice
leaves the same rows. How a release is classified:

* a new ``release_id`` -> inserted as version 1 (``new``, or ``duplicate`` when its text
  equals another release's: it is still stored, with that release's ``cluster_id`` and an
  ``exact_duplicate`` link to it);
* a stored ``release_id`` with the same ``content_hash``, or with the hash of one of its
  OLDER versions (a reparse of an old page) -> only ``last_seen_at`` moves (``unchanged``);
* otherwise -> a new version: ``release_versions`` gains a row, ``releases`` takes the new
  text (``updated``); old versions are never overwritten.

What the batch adds to the record (version diffs, edited/retitled/trivial_edit/restored events,
withdrawals and redirects, what the listings showed) is decided and applied by
:mod:`govpress.store.history` in the same transaction.

Decisions are made by the pure :func:`plan_releases` over the few stored rows that matter
(same ids, same hashes, same translation keys); rows move in and out through Arrow tables,
which DuckDB reads 4x faster than ``executemany``.
"""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from govpress import events
from govpress.store import history
from govpress.store import arrow as arrows
from govpress.store.arrow import (
    STREAM, by_id, copies_in, execute_with, has_table, inline, keys_in, mark_new, new_in_batch, one_batch, quote,
    reads_by_id, registered, registered_ids, utc,
)
from govpress.store.nearlinks import link_near_duplicates
from govpress.store.rows import (
    MAX_FRONTIER_ATTEMPTS,
    ArchivedPage,
    CacheRow,
    FailureRow,
    FetchRow,
    KnownRelease,
    LoadBatch,
    LoadCounts,
    ReleaseRow,
)
from govpress.store.transactions import rollback_quietly

if TYPE_CHECKING:
    from govpress.registry import Source

log = logging.getLogger("govpress.store")

RUN_COUNT_COLUMNS = (
    "discovered", "fetched", "not_modified", "new", "updated", "unchanged", "duplicate", "removed", "failed",
)
_FAR_FUTURE = datetime.max.replace(tzinfo=timezone.utc)

# -- Arrow schemas -------------------------------------------------------------------------------

TS = pa.timestamp("us", tz="UTC")
S = pa.string()

RELEASE_ARROW = pa.schema([
    ("release_id", S), ("source_id", S), ("url", S), ("canonical_url", S), ("language", S), ("title", S),
    ("subtitle", S), ("lead", S), ("body_text", S), ("published_at", TS), ("published_precision", S),
    ("updated_at", TS), ("place", S), ("tags", pa.list_(S)), ("kind", S), ("translation_key", S),
    ("content_hash", S), ("parser", S), ("parser_version", S), ("archive_key", S), ("seen_at", TS),
    ("version", pa.int32()), ("cluster_id", S), ("published_offset_stated", pa.bool_()),
])
LINK_ARROW = pa.schema([
    ("release_id", S), ("other_id", S), ("kind", S), ("score", pa.float64()), ("other_url", S), ("first_seen_at", TS),
])
FETCH_ARROW = pa.schema([
    ("fetch_id", S), ("run_id", S), ("source_id", S), ("url", S), ("final_url", S), ("purpose", S),
    ("status", pa.int32()), ("outcome", S), ("started_at", TS), ("elapsed_ms", pa.float64()), ("bytes", pa.int64()),
    ("content_type", S), ("charset", S), ("etag", S), ("last_modified", S), ("attempts", pa.int32()), ("error", S),
    ("archive_key", S),
])
FAILURE_ARROW = pa.schema([
    ("source_id", S), ("url", S), ("archive_key", S), ("parser", S), ("error", S), ("failed_at", TS),
])
CACHE_ARROW = pa.schema([
    ("url", S), ("etag", S), ("last_modified", S), ("archive_key", S), ("checked_at", TS),
])
KEYS_ARROW = pa.schema([("release_id", S), ("content_hash", S), ("translation_key", S)])
URLS_ARROW = pa.schema([("url", S), ("purpose", S)])


def arrow_table(items: list[Any], schema: pa.Schema, **columns: list[Any]) -> pa.Table:
    """An Arrow table built column by column from objects' attributes (or the given columns); times in UTC.

    pyarrow converts an aware datetime to the column's UTC and takes a naive one as UTC already (what
    :func:`govpress.store.arrow.utc` does), so times go in as they are: no Python pass over them.
    """
    data = {}
    for f in schema:
        # map over attrgetter: the comprehension it replaced evaluated pyarrow's Field.name once per row
        # (57 ms against 11 ms for 21 columns of 5,000 releases).
        data[f.name] = columns[f.name] if f.name in columns else list(map(attrgetter(f.name), items))
    return pa.Table.from_pydict(data, schema=schema)


# -- the plan (pure) -----------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class StoredRelease:
    """The stored facts about a release that the plan needs."""

    release_id: str
    url: str
    content_hash: str
    version: int
    cluster_id: str
    published_at: datetime | None
    language: str | None
    translation_key: str | None


@dataclass(slots=True)
class ReleasePlan:
    inserts: list[tuple[ReleaseRow, str]] = field(default_factory=list)
    """(row, cluster_id) of new releases (version 1)."""
    updates: list[tuple[ReleaseRow, int, str]] = field(default_factory=list)
    """(row, new version, cluster_id) of releases whose text changed."""
    touches: list[ReleaseRow] = field(default_factory=list)
    """Rows whose text is already stored: only last_seen_at / removed_at change."""
    links: list[dict[str, Any]] = field(default_factory=list)
    counts: LoadCounts = field(default_factory=LoadCounts)


def dedupe_releases(rows: list[ReleaseRow]) -> list[ReleaseRow]:
    """One row per release_id: the last seen (by seen_at, then archive_key), in first-appearance order."""
    best: dict[str, ReleaseRow] = {}
    for row in rows:
        kept = best.get(row.release_id)
        if kept is None or (utc(row.seen_at), row.archive_key or "") >= (utc(kept.seen_at), kept.archive_key or ""):
            best[row.release_id] = row
    return list(best.values())


def _publication_order(published_at: datetime | None, release_id: str) -> tuple[datetime, str]:
    """Earliest published first; releases without a date come after every dated one."""
    return (utc(published_at) or _FAR_FUTURE, release_id)


def plan_releases(
    rows: list[ReleaseRow],
    stored: dict[str, StoredRelease],
    stored_versions: set[tuple[str, str]],
    same_hash: list[StoredRelease],
    same_translation_key: list[StoredRelease],
) -> ReleasePlan:
    """Decide what happens to each (deduplicated) row of a batch.

    ``stored``: stored releases with the batch's ids; ``stored_versions``: their (id, hash) of
    every version; ``same_hash`` / ``same_translation_key``: stored releases sharing a hash or
    a translation key with the batch.
    """
    plan = ReleasePlan()
    changed: list[tuple[ReleaseRow, int]] = []  # new (version 1) and updated rows, with their version
    for row in rows:
        known = stored.get(row.release_id)
        if known is None:
            changed.append((row, 1))
        elif known.content_hash == row.content_hash or (row.release_id, row.content_hash) in stored_versions:
            plan.touches.append(row)
            plan.counts.unchanged += 1
        else:
            changed.append((row, known.version + 1))
    updating = {row.release_id for row, version in changed if version > 1}

    # Exact duplicates: the first holder of a text is a stored release (earliest published), else
    # the earliest published of the batch. Stored rows being updated no longer hold their old text.
    first_holder: dict[str, tuple[str, str, str]] = {}  # hash -> (release_id, cluster_id, url)
    for known in sorted(same_hash, key=lambda k: _publication_order(k.published_at, k.release_id)):
        if known.release_id not in updating:
            first_holder.setdefault(known.content_hash, (known.release_id, known.cluster_id, known.url))
    for row, version in sorted(changed, key=lambda rv: _publication_order(rv[0].published_at, rv[0].release_id)):
        holder = first_holder.get(row.content_hash)
        if holder and holder[0] != row.release_id:
            cluster_id = holder[1]
            plan.links.append(_link(row.release_id, holder[0], "exact_duplicate", holder[2], row.seen_at))
        else:
            cluster_id = row.release_id
            first_holder[row.content_hash] = (row.release_id, cluster_id, row.url)
        if version == 1:
            plan.inserts.append((row, cluster_id))
            if holder and holder[0] != row.release_id:
                plan.counts.duplicate += 1
            else:
                plan.counts.new += 1
        else:
            plan.updates.append((row, version, cluster_id))
            plan.counts.updated += 1

    # Translations: same non-null translation_key, different (known) language, both directions.
    by_key: dict[str, dict[str, tuple[str | None, str]]] = {}  # key -> release_id -> (language, url)
    for known in same_translation_key:
        if known.translation_key:
            by_key.setdefault(known.translation_key, {})[known.release_id] = (known.language, known.url)
    for row, _ in changed:
        if row.translation_key:
            by_key.setdefault(row.translation_key, {})[row.release_id] = (row.language, row.url)
    # Both releases of a pair loaded together find each other: each link once, the first made, which is
    # the row INSERT OR IGNORE kept of the two (its first_seen_at); half the rows to insert on a fresh load.
    translated: set[tuple[str, str]] = set()
    for row, _ in changed:
        if not row.translation_key or not row.language:
            continue
        for other_id, (language, url) in by_key[row.translation_key].items():
            if other_id != row.release_id and language and language != row.language:
                if (row.release_id, other_id) not in translated:
                    translated.add((row.release_id, other_id))
                    plan.links.append(_link(row.release_id, other_id, "translation", url, row.seen_at))
                if (other_id, row.release_id) not in translated:
                    translated.add((other_id, row.release_id))
                    plan.links.append(_link(other_id, row.release_id, "translation", row.url, row.seen_at))
    return plan


def _link(release_id: str, other_id: str, kind: str, other_url: str | None, seen_at: datetime) -> dict[str, Any]:
    return {
        "release_id": release_id, "other_id": other_id, "kind": kind, "score": 1.0,
        "other_url": other_url, "first_seen_at": utc(seen_at),
    }


# -- load_batch ----------------------------------------------------------------------------------

_TEXT_COLUMNS = (
    "source_id", "url", "canonical_url", "language", "title", "subtitle", "lead", "body_text", "published_at",
    "published_precision", "published_offset_stated", "updated_at", "place", "tags", "kind", "translation_key", "content_hash", "parser",
    "parser_version", "archive_key",
)


def _changed_releases_table(items: list[tuple[ReleaseRow, int, str]], text_hashes: dict[str, str]) -> pa.Table:
    """New and updated releases with their version, cluster_id and exact text hash, as one Arrow table."""
    rows = [row for row, _, _ in items]
    table = arrow_table(
        rows, RELEASE_ARROW,
        tags=[list(row.tags or []) for row in rows],
        version=[version for _, version, _ in items],
        cluster_id=[cluster_id for _, _, cluster_id in items],
    )
    return table.append_column("text_hash", pa.array([text_hashes.get(row.release_id) for row in rows], S))


def _stored_state(
    con: duckdb.DuckDBPyConnection, rows: list[ReleaseRow], version_table: str = "release_versions"
) -> tuple[dict[str, StoredRelease], set[tuple[str, str]], list[StoredRelease], list[StoredRelease]]:
    keys = [{"release_id": r.release_id, "content_hash": r.content_hash, "translation_key": r.translation_key}
            for r in rows]
    # published_at as naive UTC (only ever ordered, through utc()): DuckDB hands a TIMESTAMPTZ to Python through
    # pytz, whose import (~5 ms of CPU) this read was the only one of a fresh run to pay.
    columns = ("r.release_id, r.url, r.content_hash, r.version, r.cluster_id, timezone('UTC', r.published_at), "
               "r.language, r.translation_key")
    ids, hashes, translation_keys = ([r[name] for r in keys] for name in ("release_id", "content_hash", "translation_key"))
    def stored_versions(stored_ids: list[str], k: str) -> set[tuple[str, str]]:
        # Only a stored release has versions (no release is ever deleted): a batch of new ones reads none.
        if not stored_ids:
            return set()
        return {(a, b) for a, b in con.execute(
            f"SELECT release_id, content_hash FROM {version_table} WHERE {keys_in('release_id', ids, k)}"
        ).fetchall()}

    table = pa.Table.from_pylist(keys, schema=KEYS_ARROW)
    if not by_id():  # a small file: the wide reads are the cheaper
        # The same ids, the same hashes and the same translation keys in one read, each row flagged with
        # which it matched: one statement instead of three (4 ms -> 2.5 ms for a run's batch of 150). The keys are
        # read from their own C stream once (a materialised CTE), not copied into a temporary table first.
        rows = execute_with(con, table,
            f"""WITH k AS MATERIALIZED (FROM {STREAM})
                SELECT * FROM (SELECT {columns},
                    coalesce(r.release_id IN (SELECT release_id FROM k), false) AS same_id,
                    coalesce(r.content_hash IN (SELECT content_hash FROM k), false) AS same_hash,
                    coalesce(r.translation_key IN
                             (SELECT translation_key FROM k WHERE translation_key IS NOT NULL), false) AS same_key
                FROM releases r) WHERE same_id OR same_hash OR same_key"""
        ).fetchall()
        stored = {r[0]: StoredRelease(*r[:8]) for r in rows if r[8]}
        # (The stored ones' versions, read by their ids: a release's versions are those of a stored release.)
        versions: set[tuple[str, str]] = set()
        if stored:
            with registered_ids(con, stored) as k:
                versions = stored_versions(list(stored), k)
        return (stored, versions, [StoredRelease(*r[:8]) for r in rows if r[9]],
                [StoredRelease(*r[:8]) for r in rows if r[10]])
    with registered(con, table) as k:
        same_id = con.execute(
            f"SELECT {columns} FROM releases r WHERE {keys_in('r.release_id', ids, k)}"
        ).fetchall()
        versions = stored_versions([r[0] for r in same_id], k)
        # Releases sharing a hash or a translation key: found by those two columns alone, then read by id.
        # (Selecting every column with the filter made DuckDB read them all for every stored release.)
        same_hash = keys_in("r.content_hash", hashes, k, "content_hash")
        same_key = keys_in("r.translation_key", translation_keys, k, "translation_key")
        hits = con.execute(
            f"""SELECT release_id, coalesce({same_hash}, false), coalesce({same_key}, false) FROM releases r
                WHERE {same_hash} OR {same_key}"""
        ).fetchall()
    found = {r[0]: StoredRelease(*r) for r in _releases_by_id(con, columns, [i for i, _, _ in hits])}
    by_hash = [found[i] for i, h, _ in hits if h and i in found]
    by_key = [found[i] for i, _, t in hits if t and i in found]
    stored = {r[0]: StoredRelease(*r) for r in same_id}
    return stored, versions, by_hash, by_key


def _releases_by_id(con: duckdb.DuckDBPyConnection, columns: str, ids: list[str]) -> list[tuple]:
    """``columns`` (of ``releases r``) of the given stored releases."""
    if not ids:
        return []
    with registered_ids(con, ids) as t:
        return con.execute(f"SELECT {columns} FROM releases r WHERE {keys_in('r.release_id', ids, t)}").fetchall()


def _release_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The columns of _TEXT_COLUMNS the file's ``releases`` has: a file stepped through the migrations
    one at a time (tests/unit/store) is loaded before later ones add their columns."""
    # Read from an empty result's description: binding it costs about a quarter of a duckdb_columns() read.
    present = {d[0] for d in con.execute("SELECT * FROM releases LIMIT 0").description}
    return [c for c in _TEXT_COLUMNS if c in present]


def _apply_plan(con: duckdb.DuckDBPyConnection, run_id: str, plan: ReleasePlan, *, record: bool = True,
                text_hashes: dict[str, str] | None = None, versions: str = history.VERSIONS_STORED,
                versions_held: bool = True) -> None:
    """Write the plan's rows; ``record`` False only for files older than migration 9 (no status column).

    ``text_hashes``: the exact text hash of new and updated releases (history.plan_record), written with
    the row itself rather than by a second pass over the rows just inserted. ``versions``: the table
    of version rows (:func:`history.versions_table`); in ``release_versions_stored`` the current
    version's text is left out (it is the release's own), and a superseded one gets its text back
    from ``releases`` before the release takes the new one. ``versions_held`` False: no version of the
    batch's releases is stored (a fresh batch), so their versions go in without the anti-join against the table.
    """
    text_once = versions == history.VERSIONS_STORED
    status = ("status = CASE WHEN u.seen_at > releases.removed_at THEN 'live' ELSE releases.status END,"
              if record else "")
    changed = [(row, 1, cluster) for row, cluster in plan.inserts] + plan.updates
    if changed:
        # A recording file (release_events: migration 9) has every text column (the last came with migration 8): the
        # columns are read only in a file stepped through the migrations before it (one statement a batch, ~1 ms).
        columns = (list(_TEXT_COLUMNS) if record else _release_columns(con)) + (["text_hash"] if text_hashes is not None else [])
        # Each statement reads the batch's table from its own C stream (arrow.execute_with): its texts are not copied
        # into a temporary table first (a fresh load of 5,000 releases a batch carries 20 MB of them).
        t = _changed_releases_table(changed, text_hashes or {})
        # Without updates every row is version 1: no filter for DuckDB to push into pyarrow's scan of the texts.
        execute_with(con, t, *inline(
            f"""INSERT INTO releases ({', '.join(columns)}, release_id, version, cluster_id,
                    first_seen_at, last_seen_at, removed_at, run_id)
                SELECT {', '.join(columns)}, release_id, version, cluster_id, seen_at, seen_at, NULL, ?
                FROM {STREAM} {"WHERE version = 1" if plan.updates else ""}""",
            [run_id]),
        )
        if plan.updates and text_once:
            # The text about to be replaced becomes its version's own (it was the release's until now).
            execute_with(con, t,
                f"""UPDATE {versions} SET title = r.title, subtitle = r.subtitle, lead = r.lead,
                        body_text = r.body_text
                    FROM releases r
                    WHERE {versions}.release_id = r.release_id AND {versions}.version = r.version
                      AND {versions}.body_text IS NULL
                      AND r.release_id IN (SELECT release_id FROM {STREAM} WHERE version > 1)"""
            )
        if plan.updates:
            assignments = ", ".join(f"{c} = u.{c}" for c in columns)
            execute_with(con, t, *inline(
                f"""UPDATE releases SET {assignments}, version = u.version, cluster_id = u.cluster_id,
                        last_seen_at = greatest(releases.last_seen_at, u.seen_at), {status}
                        removed_at = CASE WHEN u.seen_at > releases.removed_at THEN NULL ELSE releases.removed_at END,
                        run_id = ?
                    FROM {STREAM} u WHERE releases.release_id = u.release_id AND u.version > 1""",
                [run_id]),
            )
        # A version already stored is left as it is (the rows are one per release_id). Filtered by an
        # anti-join rather than INSERT OR IGNORE: DuckDB's conflict path copied every text three times
        # slower than a plain insert (1.5 s against 0.45 s for 20,000 releases). The new version is the
        # current one: with text_once its text is not written twice (release_versions reads it from
        # releases), which took a sixth off a fresh load's CPU (docs/scale.md).
        text = ("NULL, NULL, NULL, NULL" if text_once else "n.title, n.subtitle, n.lead, n.body_text")
        absent = (f"""WHERE NOT EXISTS (SELECT 1 FROM {versions} v
                                        WHERE v.release_id = n.release_id AND v.version = n.version)"""
                  if versions_held else "")
        execute_with(con, t, *inline(
            f"""INSERT INTO {versions}
                    (release_id, version, content_hash, title, subtitle, lead, body_text, published_at,
                     seen_at, archive_key, run_id)
                SELECT n.release_id, n.version, n.content_hash, {text},
                       n.published_at, n.seen_at, n.archive_key, ? FROM {STREAM} n {absent}""",
            [run_id]),
        )
    if plan.touches:
        touched = arrow_table(plan.touches, pa.schema([("release_id", S), ("seen_at", TS), ("updated_at", TS)]))
        # The page's own update stamp can move without its text (a typography fix, a re-save): keep the
        # latest one it showed, or its listing's lastmod would look newer than the page on every run.
        execute_with(con, touched,
            f"""UPDATE releases SET last_seen_at = greatest(releases.last_seen_at, u.seen_at), {status}
                    removed_at = CASE WHEN u.seen_at > releases.removed_at THEN NULL ELSE releases.removed_at END,
                    updated_at = CASE WHEN u.seen_at >= releases.last_seen_at AND u.updated_at IS NOT NULL
                                      THEN u.updated_at ELSE releases.updated_at END
                FROM {STREAM} u WHERE releases.release_id = u.release_id"""
        )
    if plan.links:
        # Each link once, every one of them touching a release new in this batch: none can be stored yet
        # (arrow.all_new), so a plain insert, without INSERT OR IGNORE's conflict path (about 1 ms a statement).
        keys = {(link["release_id"], link["other_id"], link["kind"]) for link in plan.links}
        new = new_in_batch(con)
        plain = len(keys) == len(plan.links) and all(
            link["release_id"] in new or link["other_id"] in new for link in plan.links)
        execute_with(con, pa.Table.from_pylist(plan.links, schema=LINK_ARROW), *inline(
            f"""INSERT {"" if plain else "OR IGNORE "}INTO release_links
                    (release_id, other_id, kind, score, other_url, first_seen_at, run_id)
                SELECT release_id, other_id, kind, score, other_url, first_seen_at, ? FROM {STREAM}""",
            [run_id]),
        )


PROBE_KEYS = 256
"""Keys of one table :func:`_none_stored` asks about at most (more: that table's insert keeps its conflict path).

The keys are written into the probe as constants, which DuckDB looks up in the table's primary-key index (fewer
than its ``index_scan_max_count``, 2,048), the same 1.2-1.3 ms for 80 keys in 685 fetches or in a million. But each
constant costs DuckDB's parser and binder 7-12 us, against the conflict path's ~1.7 ms a statement and ~5 us a row:
past a few hundred keys the probe would cost more than it saves."""


KNOWN_KEYS_MAX = 20_000
"""Keys of one table a session's :class:`StoredKeys` remembers at most; past it, that table is probed again."""

PROBED_TABLES = ("fetches", "http_cache", "frontier", "release_listings")


@dataclass(slots=True)
class StoredKeys:
    """What a session's loads know of the probe's tables (:func:`_none_stored`) without asking DuckDB.

    ``tables``: per table, every key stored in it, when the table was empty at the session's first probe and only
    the session's loads wrote it since (their committed keys added: ``frontier``'s by (source, url)); None for a
    table that held rows then (or past :data:`KNOWN_KEYS_MAX` keys): it is probed. ``tables`` None: not asked yet.

    Why: the probe is a statement of every load (1-2.5 ms, its keys parsed as constants), and in a run into a new
    file its answer, "none stored", follows from what the run loaded before: 17 statements of a 653-page run.
    The session drops this with ``held`` (connection._SharedConnection): when the connection closes or a call that
    may change the file used it. Should a key be stored all the same (a write from outside the session), the plain
    insert fails on the primary key and the load runs again with the probe (:func:`load_batch_knowing`)."""

    tables: dict[str, set[Any] | None] | None = None

    releases: tuple[set[str], set[str], set[str]] | None = None
    """The ids, content hashes and translation keys of every release the session's loads stored, when ``releases``
    was empty as the session's first load counted it (else None): a batch sharing none of them has no stored state
    to read (:func:`_stored_state`'s three sets of rows are empty), as in every batch of a run into a new file but
    those that pair translations with an earlier one."""

    def unmatched(self, rows: list[ReleaseRow]) -> bool:
        """Whether no stored release shares an id, a content hash or a translation key with ``rows``, as known."""
        if self.releases is None:
            return False
        ids, hashes, translation_keys = self.releases
        return (ids.isdisjoint(r.release_id for r in rows) and hashes.isdisjoint(r.content_hash for r in rows)
                and translation_keys.isdisjoint(r.translation_key for r in rows if r.translation_key is not None))

    def loaded(self, rows: list[ReleaseRow]) -> None:
        """``rows`` were loaded (the load committed): their ids, hashes and translation keys may be stored now."""
        if self.releases is None:
            return
        ids, hashes, translation_keys = self.releases
        ids.update(r.release_id for r in rows)
        hashes.update(r.content_hash for r in rows)
        translation_keys.update(r.translation_key for r in rows if r.translation_key is not None)
        if max(len(ids), len(hashes), len(translation_keys)) > KNOWN_KEYS_MAX:
            self.releases = None

    def new(self, table: str, keys: list[Any]) -> bool:
        """Whether none of ``keys`` (distinct) is stored in ``table``, as known without a statement."""
        held = self.tables.get(table) if self.tables is not None else None
        return held is not None and bool(keys) and len(set(keys)) == len(keys) and held.isdisjoint(keys)

    def none_stored(self, table: str, keys: Iterable[Any]) -> bool:
        """Whether none of ``keys`` is stored in ``table``, as known without a statement (a delete of them finds none).

        Only the session's loads write these tables while it knows them (``frontier``: nothing else writes it), so
        a key known not stored has no row to delete; a row stored behind the session's back is the same case as
        :meth:`new`'s (a write from outside its loads), which drops the knowledge everywhere else."""
        held = self.tables.get(table) if self.tables is not None else None
        return held is not None and held.isdisjoint(keys)

    @classmethod
    def of_empty_file(cls) -> StoredKeys:
        """What a session knows of a file it seeded itself (every table empty; connection.Store.migrate): no key stored
        in the probe's tables, no release. Why: the session's first load then sends no probe, whose statement asked
        the four tables' emptiness besides its keys (0.7 ms for a 3-page batch, ~4 ms for a 170-page one: the keys
        parsed as constants), in every fresh run."""
        return cls(tables={t: set() for t in PROBED_TABLES}, releases=(set(), set(), set()))

    def stored(self, table: str, keys: list[Any]) -> None:
        """``keys`` are stored in ``table`` now (the load that inserted them committed)."""
        held = self.tables.get(table) if self.tables is not None else None
        if held is not None:
            held.update(keys)
            if len(held) > KNOWN_KEYS_MAX:
                self.tables[table] = None


def _none_stored(con: duckdb.DuckDBPyConnection, fetches: list[FetchRow], cache: list[CacheRow],
                 frontier_add: list[dict[str, str]], source_id: str, listed: list[str],
                 known: StoredKeys | None = None) -> frozenset[str]:
    """The tables among ``fetches``, ``http_cache``, ``frontier`` and ``release_listings`` none of whose batch's keys
    is stored yet (and whose batch holds each key once; ``listed``: the distinct ids of the batch's listing rows, which
    history.load_listings keeps one of each): their rows go in by a plain ``INSERT``, which then adds exactly what the
    ``INSERT OR IGNORE`` / ``ON CONFLICT`` form adds.

    Why: DuckDB's conflict path costs 1.5-2.5 ms a statement however few rows it carries (a plain insert of the same
    40 fetches 1.1 ms, the conflict form 2.9-3.2), and a run's batches send up to four such inserts each, whose keys
    are new but for a batch loaded again (a retried one) or a release listed again. One statement asks for all four,
    by the primary keys' index, inside the batch's transaction (bench/results.md, "perf-main17"). A lake connection
    keeps its statements."""
    if not copies_in(con):
        return frozenset()
    ids = [row.fetch_id for row in fetches]
    urls = [row.url for row in cache]  # one row per url already (_latest_checks)
    added = [row["url"] for row in frontier_add]  # one row per url already (_frontier_adds)
    keys = {"fetches": ids, "http_cache": urls, "frontier": [(source_id, u) for u in added], "release_listings": listed}
    # The tables known to hold none of the batch's keys (a session's StoredKeys), asked nothing.
    known_new = {t for t, k in keys.items() if known is not None and known.new(t, k)}
    probes: list[tuple[str, str]] = []
    if ids and "fetches" not in known_new and len(ids) <= PROBE_KEYS and len(set(ids)) == len(ids) \
            and all(_quotable(i) for i in ids):
        probes.append(("fetches", f"FROM fetches WHERE fetch_id IN ({', '.join(map(quote, ids))})"))
    if urls and "http_cache" not in known_new and len(urls) <= PROBE_KEYS and all(_quotable(u) for u in urls):
        probes.append(("http_cache", f"FROM http_cache WHERE url IN ({', '.join(map(quote, urls))})"))
    if added and "frontier" not in known_new and len(added) <= PROBE_KEYS and all(_quotable(u) for u in added) \
            and _quotable(source_id):
        probes.append(("frontier", f"FROM frontier WHERE source_id = {quote(source_id)} "
                                   f"AND url IN ({', '.join(map(quote, added))})"))
    if listed and "release_listings" not in known_new and len(listed) <= PROBE_KEYS \
            and all(_quotable(i) for i in listed):
        probes.append(("release_listings",
                       f"FROM release_listings WHERE release_id IN ({', '.join(map(quote, listed))})"))
    # A session's first probe also asks which of the tables hold any row (a limited scan each, in the same statement;
    # a batch with nothing to probe sends no statement for it: a quiet run's).
    asking = known is not None and known.tables is None and bool(probes)
    empties = [(f"any {t}", f"FROM {t}") for t in PROBED_TABLES if asking and has_table(con, t)]
    if not probes and not empties:
        return frozenset(known_new)
    # The tables holding a key (one row each at most): a UNION ALL of limited scans costs less than NOT EXISTS.
    held = {table for (table,) in con.execute(
        " UNION ALL ".join(f"(SELECT '{table}' {where} LIMIT 1)" for table, where in probes + empties)).fetchall()}
    if asking:
        known.tables = {t: None if f"any {t}" in held else set() for t in PROBED_TABLES if has_table(con, t)}
    return frozenset(table for table, _ in probes if table not in held) | known_new


def _quotable(value: object) -> bool:
    return isinstance(value, str) and "\x00" not in value


def _load_fetches(con: duckdb.DuckDBPyConnection, fetches: list[FetchRow], plain: bool = False) -> None:
    """``plain``: none of the batch's fetch ids is stored (:func:`_none_stored`), so no row can conflict."""
    if not fetches:
        return
    names = FETCH_ARROW.names
    execute_with(con, arrow_table(fetches, FETCH_ARROW),
                 f"INSERT {'' if plain else 'OR IGNORE '}INTO fetches ({', '.join(names)}) "
                 f"SELECT {', '.join(names)} FROM {STREAM}")


def _load_failures(con: duckdb.DuckDBPyConnection, run_id: str, failures: list[FailureRow]) -> None:
    if not failures:
        return
    names = FAILURE_ARROW.names
    execute_with(con, arrow_table(failures, FAILURE_ARROW), *inline(
        f"INSERT OR IGNORE INTO parse_failures ({', '.join(names)}, run_id) SELECT {', '.join(names)}, ? FROM {STREAM}",
        [run_id]),
    )


def _latest_checks(cache: list[CacheRow]) -> list[CacheRow]:
    """One row per url, its latest check (ON CONFLICT would keep the first of two rows for one url)."""
    latest: dict[str, CacheRow] = {}
    for row in cache:
        kept = latest.get(row.url)
        if kept is None or utc(row.checked_at) >= utc(kept.checked_at):
            latest[row.url] = row
    return list(latest.values())


def _load_cache(con: duckdb.DuckDBPyConnection, cache: list[CacheRow], plain: bool = False) -> None:
    """``cache``: one row per url (:func:`_latest_checks`); ``plain``: none of those urls is stored
    (:func:`_none_stored`)."""
    if not cache:
        return
    names = CACHE_ARROW.names
    upsert = """ ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                archive_key = excluded.archive_key, checked_at = excluded.checked_at
            WHERE excluded.checked_at >= http_cache.checked_at"""
    execute_with(con, arrow_table(cache, CACHE_ARROW),
                 f"INSERT INTO http_cache ({', '.join(names)}) SELECT {', '.join(names)} FROM {STREAM}"
                 + ("" if plain else upsert))


def _frontier_adds(batch: LoadBatch) -> list[dict[str, str]]:
    """The frontier's new rows, one per url: its first purpose in the batch (INSERT OR IGNORE kept the first row).

    A url the batch also marks done is left out: the batch's delete of its done urls (:func:`_load_frontier`)
    removed the row again, whether the insert added it or found one stored, so it ends absent either way. Why: a
    run's batch adds the pages it fetched and marks the same pages done, all of them in a fresh run (170 urls a
    batch inserted, then deleted, in each of a 653-page run's four)."""
    done = set(batch.frontier_done)
    return [{"url": url, "purpose": purpose} for url, purpose in dict(reversed(batch.frontier_add)).items()
            if url not in done]


def _load_frontier(con: duckdb.DuckDBPyConnection, batch: LoadBatch, adds: list[dict[str, str]],
                   plain: bool = False, keys: StoredKeys | None = None) -> None:
    """``adds``: :func:`_frontier_adds`; ``plain``: none of their urls is in the source's frontier
    (:func:`_none_stored`). ``keys``: the session's :class:`StoredKeys`: the done urls none of which it knows
    stored are deleted by no statement (a fresh run's every batch: the urls it fetched, which no batch added)."""
    if adds:
        execute_with(con, pa.Table.from_pylist(adds, schema=URLS_ARROW), *inline(
            f"INSERT {'' if plain else 'OR IGNORE '}INTO frontier (source_id, url, purpose, added_at, run_id) "
            f"SELECT ?, url, purpose, now(), ? FROM {STREAM}",
            [batch.source_id, batch.run_id]),
        )
    if batch.frontier_done and not (
            keys is not None and keys.none_stored("frontier", ((batch.source_id, url) for url in batch.frontier_done))):
        rows = [{"url": url, "purpose": None} for url in set(batch.frontier_done)]
        execute_with(con, pa.Table.from_pylist(rows, schema=URLS_ARROW), *inline(
            f"DELETE FROM frontier WHERE source_id = ? AND url IN (SELECT url FROM {STREAM})", [batch.source_id]))
    if batch.frontier_retry:
        rows = [{"url": url, "purpose": None} for url in set(batch.frontier_retry)]
        execute_with(con, pa.Table.from_pylist(rows, schema=URLS_ARROW), *inline(
            f"UPDATE frontier SET attempts = attempts + 1 WHERE source_id = ? AND url IN (SELECT url FROM {STREAM})",
            [batch.source_id]),
        )
        con.execute(*inline("DELETE FROM frontier WHERE source_id = ? AND attempts >= ?", [batch.source_id, MAX_FRONTIER_ATTEMPTS]))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off for the block (left as it was when it was off already).

    A batch allocates hundreds of thousands of short-lived objects (result tuples, plan rows, Arrow
    columns' Python values), which set off the collector's full passes over every live object again
    and again: about a twentieth of a fresh load's time (py-spy, 20,000 releases). The batch's
    objects are freed by their reference counts; what cycles it leaves wait for the next collection.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


LOAD_THREADS = 1
"""DuckDB threads while a batch loads (the connection's own number again after it; in a store session, after the
last of back-to-back loads: connection._SharedConnection.lower_threads_for_loads).

A batch is some 40 statements, most of them small reads and joins over a batch's ids: with two
threads DuckDB handed their pipelines to a second thread, which spun waiting for work, and the
inserts' compression gained little from it. A fresh load of 20,000 releases took about a quarter
less process CPU with one (docs/scale.md, "One thread for a batch"); in a run the parse workers
use the other cores."""


@contextmanager
def _threads(con: duckdb.DuckDBPyConnection, threads: int, before: int | None = None) -> Iterator[None]:
    """DuckDB's ``threads`` set to ``threads`` for the block (never raised), the connection's number again after it.

    ``before``: the connection's number, when the caller has read it already."""
    if before is None:
        (before,) = con.execute("SELECT current_setting('threads')").fetchone()
    if before <= threads:
        yield
        return
    con.execute(f"SET threads = {int(threads)}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(before)}")


def load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> LoadCounts:
    """Load a batch in ONE transaction (rolled back whole on any error); idempotent.

    In a file of more than :data:`~govpress.store.arrow.BY_ID_ABOVE` releases the linking steps read the
    batch's rows by id rather than scanning whole tables (:func:`~govpress.store.arrow.reads_by_id`).
    """
    return load_batch_knowing(con, batch)[0]


def load_batch_knowing(con: duckdb.DuckDBPyConnection, batch: LoadBatch, tables: frozenset[str] | None = None,
                       held: tuple[int, int] | None = None, keys: StoredKeys | None = None
                       ) -> tuple[LoadCounts, frozenset[str] | None, tuple[int, int]]:
    """:func:`load_batch`, given the main schema's tables when the caller knows them (``tables``: what an earlier
    load on the same connection returned, with no other statement on it since); returns the counts, the
    tables as this load knew them (None when it did not read them: a lake session), and ``held`` after it.

    ``held``: (the releases stored, DuckDB's threads setting) when the caller knows them (what an earlier load on
    the same connection returned, with no statement since that inserts releases or sets the threads), else read.

    Why: the catalogue read (``duckdb_tables()``, 0.6-0.7 ms) was a statement of every batch of a run, 17 in a
    653-page one, for a schema that no load changes; the count and the setting (0.4-0.6 ms) one more. The count
    only chooses the statements' form (:func:`~govpress.store.arrow.reads_by_id`), never their results.

    ``keys``: what the session's loads know of the probe's tables (:class:`StoredKeys`, updated by the load), None
    outside a session.
    """
    if held is None:
        # (One statement for both: a run's discovery batches are a handful of statements each.)
        held = con.execute("SELECT count(*), current_setting('threads') FROM releases").fetchone()
        if keys is not None:  # (a new StoredKeys: the session's first load, or the first since it was dropped)
            # (A DuckDB file only: its open read-write connection locks out every other process's writes.)
            keys.releases = (set(), set(), set()) if held[0] == 0 and copies_in(con) else None
    releases, threads = held
    with _collector_paused(), _threads(con, LOAD_THREADS, threads), reads_by_id(releases > arrows.BY_ID_ABOVE):
        try:
            counts, known, inserted = _load_batch(con, batch, tables, keys)
        except duckdb.ConstraintException:
            if keys is None or (not keys.tables and keys.releases is None):
                raise
            # A key the session did not know of was stored (a write from outside its loads; rolled back): the
            # tables are asked again, the stored releases read, and the load runs as one without that knowledge would.
            keys.tables = keys.releases = None
            counts, known, inserted = _load_batch(con, batch, tables, keys)
    return counts, known, (releases + inserted, threads)


def _load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch, tables: frozenset[str] | None,
                keys: StoredKeys | None = None) -> tuple[LoadCounts, frozenset[str] | None, int]:
    """The load, in its transaction; returns the counts, the tables as known and the releases it inserted.

    ``keys``: the session's :class:`StoredKeys`, given the batch's keys once it committed."""
    releases = dedupe_releases(batch.releases)
    con.begin()
    try:
        with one_batch(con, tables) as one:  # one catalogue read at most, each set of ids registered once
            # Files older than migration 9 (only ever loaded by the migration tests) have no record tables.
            recording = has_table(con, "release_events")
            if not recording and (batch.events or batch.removals or batch.seen or batch.listings):
                raise RuntimeError("this database predates release_events: migrate it (Store.migrate) before loading")
            inserted = 0
            if releases:
                versions = history.versions_table(con)
                unmatched = keys is not None and keys.unmatched(releases)
                if unmatched:  # nothing stored to read (StoredKeys.releases)
                    stored, stored_versions, same_hash, same_key = {}, set(), [], []
                else:
                    stored, stored_versions, same_hash, same_key = _stored_state(con, releases, versions)
                plan = plan_releases(releases, stored, stored_versions, same_hash, same_key)
                inserted = len(plan.inserts)
                mark_new(con, [row.release_id for row, _ in plan.inserts])  # not stored before: arrow.all_new
                if recording:
                    seen_again = plan.touches + [row for row, _, _ in plan.updates]
                    record = history.plan_record(
                        [row for row, _ in plan.inserts], [(row, version) for row, version, _ in plan.updates],
                        plan.touches, history.stored_texts(con, [row.release_id for row in seen_again]),
                        observed=batch.observed)
                    history.record_restored(con, batch.run_id, history.sightings(seen_again, []))
                written = {row.release_id for row, _ in plan.inserts} | {row.release_id for row, _, _ in plan.updates}
                hashes = {i: h for i, h in record.hashes.items() if i in written} if recording else None
                _apply_plan(con, batch.run_id, plan, record=recording, text_hashes=hashes, versions=versions,
                            versions_held=bool(stored_versions))
                if recording:
                    record.hashes = {i: h for i, h in record.hashes.items() if i not in written}  # the rest: re-seen rows
                    history.apply_record(con, batch.run_id, record, versions=versions)
                counts = plan.counts
                # Near-duplicates in the same transaction: a crash between two commits would leave
                # releases that a rerun sees as unchanged and never links.
                changed = [row.release_id for row, _ in plan.inserts] + [row.release_id for row, _, _ in plan.updates]
                if changed and has_table(con, "release_signatures"):  # absent only in files older than migration 3
                    signed = {row.release_id: (row.content_hash, row.minhash) for row in releases if row.minhash is not None}
                    # (The exact level's links named: nearlinks skips its clusters' read for new releases none joins.)
                    exact = {i for link in plan.links if link["kind"] == "exact_duplicate"
                             for i in (link["release_id"], link["other_id"])}
                    link_near_duplicates(con, changed, now=datetime.now(timezone.utc), run_id=batch.run_id,
                                         signatures=signed, exact_linked=exact)
                # Syndication and same-event links read the clusters just settled (govpress/events.py).
                named = {row.release_id: row.names for row in releases if row.names is not None}
                # (A batch sharing no id, text or translation key with what is stored, each text its own: no copy of
                # an older version can be among them, and the syndication step need not look for one.)
                unshared = unmatched and len({row.content_hash for row in releases}) == len(releases)
                events.link_copies_and_events(con, changed, now=datetime.now(timezone.utc), run_id=batch.run_id,
                                              names=named, texts_unshared=unshared)
            else:
                counts = LoadCounts()
            cache = _latest_checks(batch.cache)
            frontier_add = _frontier_adds(batch)
            listed = list(dict.fromkeys(row.release_id for row in batch.listings)) if recording else []
            fresh = _none_stored(con, batch.fetches, cache, frontier_add, batch.source_id, listed, keys)
            if recording:
                history.load_seen(con, batch.run_id, batch.seen)
                counts.removed = history.load_status_events(con, batch.run_id, batch.events, batch.removals)
                history.load_listings(con, batch.run_id, batch.listings, plain="release_listings" in fresh)
            counts.failed = len(batch.failures)
            _load_fetches(con, batch.fetches, plain="fetches" in fresh)
            _load_failures(con, batch.run_id, batch.failures)
            _load_cache(con, cache, plain="http_cache" in fresh)
            _load_frontier(con, batch, frontier_add, plain="frontier" in fresh, keys=keys)
        con.commit()
    except BaseException:
        rollback_quietly(con)
        raise
    if keys is not None:
        keys.stored("fetches", [row.fetch_id for row in batch.fetches])
        keys.stored("http_cache", [row.url for row in cache])
        keys.stored("frontier", [(batch.source_id, row["url"]) for row in frontier_add])
        keys.stored("release_listings", listed)
        keys.loaded(releases)
    return counts, (frozenset(one.tables) if one.tables is not None else None), inserted


# -- runs and sources ----------------------------------------------------------------------------


def upsert_sources(con: duckdb.DuckDBPyConnection, sources: list[Source], run_id: str) -> None:
    """The registry as loaded: one row per source, replaced on every run (removed sources stay)."""
    now = datetime.now(timezone.utc)
    rows = [
        (s.id, s.name, s.country, s.institution, list(s.languages), s.group, s.kind, list(s.start_urls), s.parser,
         s.timezone, s.cadence, s.rate_limit, sorted(s.hosts()), s.model_dump_json(), now, run_id)
        for s in sources
    ]
    rows = list({row[0]: row for row in rows}.values())  # a source given twice: its last row, as one by one
    if not rows:
        return
    con.begin()
    try:
        for first in range(0, len(rows), SOURCES_PER_STATEMENT):
            _upsert_source_rows(con, rows[first:first + SOURCES_PER_STATEMENT])
        con.commit()
    except BaseException:
        rollback_quietly(con)
        raise


SOURCES_PER_STATEMENT = 100
"""Sources one upsert statement carries. ``executemany`` ran the statement once per source (3-4 ms each: 13-16
ms of every run's start for the generated site's four, more for a real registry); one statement with a row of
values per source 7 ms for the four."""


def _upsert_source_rows(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """One ``INSERT ... ON CONFLICT`` for ``rows`` (distinct source ids: a registry's are)."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    con.execute(*inline(
        f"""INSERT INTO sources (source_id, name, country, institution, languages, source_group, kind, start_urls,
                   parser, timezone, cadence, rate_limit, allowed_hosts, config, updated_at, run_id)
               VALUES {values}
               ON CONFLICT (source_id) DO UPDATE SET name = excluded.name, country = excluded.country,
                   institution = excluded.institution, languages = excluded.languages,
                   source_group = excluded.source_group, kind = excluded.kind, start_urls = excluded.start_urls,
                   parser = excluded.parser, timezone = excluded.timezone, cadence = excluded.cadence,
                   rate_limit = excluded.rate_limit, allowed_hosts = excluded.allowed_hosts,
                   config = excluded.config, updated_at = excluded.updated_at, run_id = excluded.run_id""",
        [value for row in rows for value in row],
    ))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def start_run(
    con: duckdb.DuckDBPyConnection, run_id: str, flow: str, parameters: dict, source_ids: list[str], started_at: datetime,
    *, process: tuple[int, str] | None = None,
) -> None:
    """Record a run as 'running'; a retried flow run with the same id is marked running again.

    ``process`` (pid, host): the process running it, written in the same statement as the status, with a first
    heartbeat at ``started_at`` (govpress/store/liveness.py). One statement, so a kill can never leave a
    ``running`` row without its process: such a row looks alive to the next run until it goes stale (15 min),
    and a kill between two autocommitted statements once left exactly that (tests/reliability/
    test_crash_convergence.py).

    On a DuckDB connection the row is looked for first (a run id is new but for a retried flow run): a plain
    insert, or the update a conflict would make. ``ON CONFLICT``'s path cost 4.8-6.2 ms for the one row, the look
    and the insert 2.4-2.7 (every run's start). A lake connection (or a wrapper of one) keeps the one statement."""
    columns = ["run_id", "flow", "started_at", "status", "parameters", "source_ids"]
    values = [run_id, flow, utc(started_at), "running", _json(parameters), list(source_ids)]
    again = "status = 'running', finished_at = NULL"
    if process is not None:
        columns += ["pid", "host", "heartbeat_at"]
        values += [process[0], process[1], utc(started_at)]
        again += ", pid = ?, host = ?, heartbeat_at = ?"
    again_values = values[6:]
    insert = f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if not copies_in(con):
        con.execute(*inline(insert + f" ON CONFLICT (run_id) DO UPDATE SET {again}", values + again_values))
    elif con.execute(*inline("SELECT count(*) FROM runs WHERE run_id = ?", [run_id])).fetchone()[0]:
        con.execute(*inline(f"UPDATE runs SET {again} WHERE run_id = ?", [*again_values, run_id]))
    else:
        con.execute(*inline(insert, values))


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    counts: dict,
    message: str | None,
    per_source: list[dict],
    finished_at: datetime,
) -> None:
    """Close a run with its status, totals (keys of RUN_COUNT_COLUMNS; others are ignored) and per-source summary."""
    unknown = sorted(set(counts) - set(RUN_COUNT_COLUMNS))
    if unknown:
        log.warning("finish_run(%s): ignoring unknown count keys %s", run_id, unknown)
    known = {k: int(v) for k, v in counts.items() if k in RUN_COUNT_COLUMNS}
    assignments = "".join(f", {k} = ?" for k in known)
    updated = con.execute(*inline(
        f"UPDATE runs SET status = ?, finished_at = ?, message = ?, per_source = ?{assignments} WHERE run_id = ?",
        [status, utc(finished_at), message, _json(per_source), *known.values(), run_id],
    )).fetchone()[0]
    if not updated:
        raise KeyError(f"finish_run: no run {run_id!r}; call start_run first")


# -- reads for the pipeline ----------------------------------------------------------------------


def holds_releases(con: duckdb.DuckDBPyConnection, source_id: str) -> bool:
    """Whether ``source_id`` has a release stored; stops at the first one found."""
    return con.execute(*inline("SELECT EXISTS (SELECT 1 FROM releases WHERE source_id = ?)", [source_id])).fetchone()[0]


def known_releases(con: duckdb.DuckDBPyConnection, source_id: str) -> dict[str, KnownRelease]:
    rows = con.execute(*inline(
        """SELECT r.release_id, r.canonical_url, r.content_hash, r.version, r.published_at, r.first_seen_at,
                  r.last_seen_at, r.removed_at, r.archive_key, r.url, r.updated_at, coalesce(r.status, 'live'),
                  l.channel, l.fingerprint
           FROM releases r LEFT JOIN release_listings l USING (release_id)
           WHERE r.source_id = ? ORDER BY r.release_id""",
        [source_id],
    )).fetchall()
    return {r[1]: KnownRelease(*r) for r in rows}


KNOWN_COLUMNS = """r.release_id, r.canonical_url, r.content_hash, r.version, r.published_at, r.first_seen_at,
                  r.last_seen_at, r.removed_at, r.archive_key, r.url, r.updated_at, coalesce(r.status, 'live'),
                  l.channel, l.fingerprint"""


def known_releases_by_id(con: duckdb.DuckDBPyConnection, source_id: str, release_ids: list[str]) -> dict[str, KnownRelease]:
    """The source's stored releases among ``release_ids`` (a point read per id: a quiet run stays O(its links))."""
    if not release_ids:
        return {}
    with registered(con, pa.table({"release_id": pa.array(sorted(set(release_ids)), pa.string())})) as t:
        rows = con.execute(*inline(
            f"""SELECT {KNOWN_COLUMNS}
               FROM releases r LEFT JOIN release_listings l USING (release_id)
               WHERE r.source_id = ? AND r.release_id IN (SELECT release_id FROM {t})""",
            [source_id],
        )).fetchall()
    return {r[1]: KnownRelease(*r) for r in rows}


def recheck_candidates(con: duckdb.DuckDBPyConnection, source_id: str, now: datetime, *, budget: int,
                       window: tuple[datetime, datetime] | None = None) -> dict[str, KnownRelease]:
    """The releases this run's recheck policy can pick (govpress/recheck.py), at most ``budget`` of each kind.

    Two ordered reads with LIMIT, in the policy's own order (ties by release id), so that
    :func:`govpress.recheck.budgeted_checks` over them picks exactly what it would pick over the whole
    archive: the due ones (live before withdrawn, youngest tier, most overdue first) and, for a walked
    window, the live releases dated inside it, newest first (the fall-off candidates). Tiers and
    intervals come from :data:`govpress.recheck.SCHEDULE`; times are compared in integer
    microseconds and ``overdue`` is microseconds over microseconds, as Python computes it, so both
    sides agree to the bit. DuckDB reads a few columns of the source's rows and hands Python at most
    ``2 * budget`` releases: a quiet run over a million archived releases stays a small query.
    """
    from govpress.recheck import DUE_AT, OLDER, SCHEDULE  # the policy's numbers (recheck imports nothing of the store)

    if budget <= 0:
        return {}

    def micros(delta) -> int:
        return delta // timedelta(microseconds=1)

    every = "CASE " + " ".join(f"WHEN age_us < {micros(below)} THEN {micros(step)}" for below, step in SCHEDULE) + \
            f" ELSE {micros(OLDER)} END"
    tier = "CASE " + " ".join(f"WHEN age_us < {micros(below)} THEN {i}" for i, (below, _) in enumerate(SCHEDULE)) + \
           f" ELSE {len(SCHEDULE)} END"
    rows = con.execute(*inline(
        f"""WITH aged AS (
                SELECT r.release_id, coalesce(r.status, 'live') <> 'live' AS gone,
                       epoch_us(p.now) - epoch_us(coalesce(r.published_at, r.first_seen_at)) AS age_us,
                       epoch_us(p.now) - epoch_us(r.last_seen_at) AS seen_us
                FROM releases r, (SELECT ?::TIMESTAMPTZ AS now) p WHERE r.source_id = ?
            ), due AS (
                SELECT release_id, gone, {tier} AS tier, seen_us / ({every}) AS overdue FROM aged
            ), picked AS (
                SELECT release_id FROM due WHERE overdue >= {DUE_AT}
                ORDER BY gone, tier, overdue DESC, release_id LIMIT ?
            )
            SELECT {KNOWN_COLUMNS} FROM releases r LEFT JOIN release_listings l USING (release_id)
            WHERE r.release_id IN (SELECT release_id FROM picked)""",
        [now, source_id, budget],
    )).fetchall()
    found = {r[1]: KnownRelease(*r) for r in rows}
    if window is not None:
        oldest, newest = window
        rows = con.execute(*inline(
            f"""SELECT {KNOWN_COLUMNS} FROM releases r LEFT JOIN release_listings l USING (release_id)
                WHERE r.source_id = ? AND coalesce(r.status, 'live') = 'live'
                  AND r.published_at > ? AND r.published_at <= ?
                ORDER BY r.published_at DESC, r.release_id LIMIT ?""",
            [source_id, oldest, newest, budget],
        )).fetchall()
        found.update((r[1], KnownRelease(*r)) for r in rows)
    return found


def recent_titles(con: duckdb.DuckDBPyConnection, source_id: str, limit: int = 30) -> list[str]:
    """The headlines of a source's most recently seen releases (site-name learning reads them)."""
    rows = con.execute(*inline(
        "SELECT title FROM releases WHERE source_id = ? ORDER BY last_seen_at DESC, release_id LIMIT ?", [source_id, limit]
    )).fetchall()
    return [r[0] for r in rows]


def cached_validators(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, CacheRow]:
    """The cached validators of those of ``urls`` that ``http_cache`` holds, by url.

    The urls are read from their Arrow stream by the one statement (:func:`~govpress.store.arrow.execute_with`:
    the semi-join's build side, read once, the result materialised by ``execute``), not copied into a
    temporary table first: a statement fewer a call (16 calls a 653-page run; 1.4 -> 1.1 ms a call for 40 urls)."""
    if not urls:
        return {}
    table = pa.Table.from_pylist([{"url": u, "purpose": None} for u in set(urls)], schema=URLS_ARROW)
    rows = execute_with(con, table, "SELECT url, etag, last_modified, archive_key, checked_at FROM http_cache "
                                    f"WHERE url IN (SELECT url FROM {STREAM})").fetchall()
    return {r[0]: CacheRow(*r) for r in rows}


DISCOVERY_PURPOSES = ("feed", "sitemap", "listing", "api")


def discovery_validators(con: duckdb.DuckDBPyConnection, source_id: str, first_pages: list[str]) -> dict[str, CacheRow]:
    """Cached validators of the source's discovery pages: its first pages and every page it fetched to discover.

    One read per source, so discovery asks nothing more of the store page by page. The purposes
    are written into the SQL as constants: DuckDB then filters ``fetches`` while scanning it
    (1 ms over a million rows, measured), where a parameter list made it read every row (100 ms).
    """
    purposes = ", ".join(f"'{p}'" for p in DISCOVERY_PURPOSES)  # constants of this module, not input
    urls = set(first_pages)
    urls.update(u for (u,) in con.execute(*inline(
        f"SELECT DISTINCT url FROM fetches WHERE source_id = ? AND purpose IN ({purposes})", [source_id]
    )).fetchall())
    return cached_validators(con, sorted(urls))


def frontier(con: duckdb.DuckDBPyConnection, source_id: str) -> list[tuple[str, str]]:
    """URLs still to fetch for a source, oldest first."""
    return [
        (url, purpose)
        for url, purpose in con.execute(*inline(
            "SELECT url, purpose FROM frontier WHERE source_id = ? ORDER BY added_at, url", [source_id]
        )).fetchall()
    ]


def content_hashes(con: duckdb.DuckDBPyConnection, source_id: str) -> dict[str, str]:
    """release_id -> content_hash of the source's stored releases (what a reparse compares its results with)."""
    return dict(con.execute(*inline("SELECT release_id, content_hash FROM releases WHERE source_id = ?", [source_id])).fetchall())


def archived_pages(con: duckdb.DuckDBPyConnection, source_ids: list[str] | None) -> list[ArchivedPage]:
    """Per (source, url), the latest fetch with outcome 'ok' and an archive key: what a reparse replays."""
    where, params = "", []
    if source_ids is not None:
        where, params = "AND list_contains(?, source_id)", [list(source_ids)]
    rows = con.execute(
        f"""SELECT source_id, url, archive_key, content_type, started_at, purpose FROM (
                SELECT *, row_number() OVER (PARTITION BY source_id, url ORDER BY started_at DESC, fetch_id DESC) AS n
                FROM fetches WHERE outcome = 'ok' AND archive_key IS NOT NULL {where})
            WHERE n = 1 ORDER BY source_id, url""",
        params,
    ).fetchall()
    return [ArchivedPage(*r) for r in rows]


# -- checksums -----------------------------------------------------------------------------------

NOT_CONTENT = {"run_id", "first_seen_at", "last_seen_at", "seen_at"}
CHECKSUM_TABLES = {
    "releases": "release_id",
    "release_versions": "release_id, version",
    "release_links": "release_id, other_id, kind",
}


def content_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """md5 over each table's content columns in key order; bookkeeping columns (NOT_CONTENT) are left out."""
    con.execute("SET TimeZone = 'UTC'")  # timestamps render the same whatever the machine's zone
    out = {}
    for table, key in CHECKSUM_TABLES.items():
        columns = [
            name for (name,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? "
                "ORDER BY column_index", [table],
            ).fetchall()
            if name not in NOT_CONTENT
        ]
        out[table] = con.execute(
            f"SELECT md5(coalesce(string_agg(to_json(x)::VARCHAR, chr(10) ORDER BY {key}), '')) "
            f"FROM (SELECT {', '.join(columns)} FROM {table}) x"
        ).fetchone()[0]
    return out
