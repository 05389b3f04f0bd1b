"""Syndication and same-event links, materialised in the load transaction for the releases a batch changed.

Called by :func:`govpress.store.load.load_batch` after the near-duplicate level
(:mod:`govpress.store.nearlinks`) has linked and clustered the batch's new and edited releases;
like it, it runs inside the caller's transaction and never begins or commits.

**Publishers.** A publisher is a source's ``institution`` (else its ``group``, else the source
itself): the ru, en and be editions of president.gov.by are one publisher, BelTA another.

**Syndication** (``release_links`` kind ``syndication``). A cluster (``releases.cluster_id``:
exact and near copies of one text) that spans publishers is a text passed from one publisher to
another. Its first release (earliest ``published_at``, undated last, then first seen, then id)
names the first publisher; every member published by ANOTHER publisher gets one syndication
link to that first release, scored by its similarity (1.0 for the same text, else its best
near-duplicate score inside the cluster). A verbatim copy of an OLDER version of another
publisher's release (taken before an edit that split the two apart) keeps its link to that
release, scored 1.0. Copies within one publisher keep only their
exact/near links. The links of every cluster a changed release is in, or was in, are rewritten
whole, so an edit that takes a release out of a cluster takes its syndication link with it.

**Same event** (table ``same_event_links``). Two releases of different publishers, not copies
of each other (not one cluster) and not one release's translations, that name at least
:data:`MIN_SHARED_NAMES` of the same people or places (:mod:`govpress.dedupe.names`: one key
across scripts) and whose event days are at most :data:`DAY_WINDOW` apart. The event day is
the publication day in the source's zone; an undated release (the seed) takes the day of its
nearest dated neighbour (the same source's dated release first seen closest to it) or else the
day it was first fetched, and the link says which (``day_basis``); a release dated by its fetch day
is looked at again when its source gains a dated release. Each release's names and day
are kept in ``release_event_keys`` so that a batch compares its releases with the stored ones of
the window only: a day's releases, not the table. Links are stored in both directions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pyarrow as pa

from govpress.dedupe import names as name_keys
from govpress.store.arrow import (
    PAIRS, SCORED_LINKS, STREAM, all_new, by_id, constants, execute_with, has_table, inline, keys_in, new_in_batch,
    registered, registered_ids,
)
from govpress.store import history

SYNDICATION = "syndication"
MIN_SHARED_NAMES = 2
DAY_WINDOW = 1
"""Days between two event days that may still be one event: the same or adjacent days."""
FEW_KEYS = 40
"""Stored releases up to which a fresh batch's same-event step names them as constants (:func:`link_same_events`): two
lists of constants cost about what a registration and two semi-joins do at some 40 ids (0.8 ms on a 653-release file)."""
KEY_CHUNK = 2_000
"""Releases whose texts are read (and names found) at a time, and linked at a time by :func:`backfill`."""


def _publisher(release: str, source: str) -> str:
    """SQL for the publisher of ``release`` (a releases alias) joined to ``source`` (a sources alias)."""
    return f"coalesce(nullif({source}.institution, ''), {source}.source_group, {release}.source_id)"


_PUBLISHER = _publisher("r", "s")


def _naive_utc(column: str) -> str:
    """SQL for a TIMESTAMPTZ column as naive UTC: DuckDB hands time zones to Python through pytz, 12x slower.

    Members' times are only compared with each other, so all are read this way.
    """
    return f"timezone('UTC', {column})"


_CLUSTERS = pa.schema([("cluster_id", pa.string())])
_HASHES = pa.schema([("content_hash", pa.string())])
_KEYS = pa.schema([("release_id", pa.string()), ("publisher", pa.string()), ("names", pa.list_(pa.string())),
                   ("name_forms", pa.list_(pa.string())), ("event_day", pa.date32()), ("day_basis", pa.string())])
_SAME_EVENT_LINKS = pa.schema([
    ("release_id", pa.string()), ("other_id", pa.string()), ("shared_keys", pa.list_(pa.string())),
    ("shared_names", pa.list_(pa.string())), ("score", pa.float64()), ("event_day", pa.date32()),
    ("day_basis", pa.string()), ("other_event_day", pa.date32()), ("other_day_basis", pa.string()),
    ("first_seen_at", pa.timestamp("us", tz="UTC"))])
# (Every Arrow table here with its schema given: arrow.PAIRS says why.)


def _clusters_of(con: duckdb.DuckDBPyConnection, release_ids: Iterable[str]) -> dict[str, str]:
    """release_id -> cluster_id of the given stored releases (looked up by their ids)."""
    ids = set(release_ids)
    if not ids:
        return {}
    with registered_ids(con, ids) as t:
        return dict(con.execute(f"SELECT release_id, cluster_id FROM releases WHERE {keys_in('release_id', ids, t)}").fetchall())


# -- syndication ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """One release of a cluster, with what deciding the first publisher needs."""

    release_id: str
    cluster_id: str
    publisher: str
    content_hash: str
    url: str
    published_at: datetime | None
    """Naive UTC as the queries here read it (members are only ever ordered among themselves)."""
    first_seen_at: datetime

    @property
    def order(self) -> tuple:
        """First publisher first: earliest published (undated last), then first seen, then id."""
        return (self.published_at is None, self.published_at or self.first_seen_at, self.first_seen_at, self.release_id)


def syndication_links(members: list[Member], near_scores: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """(copy, first release) -> score for one cluster's members of other publishers than the first (pure).

    ``near_scores``: near_duplicate link scores inside the cluster, keyed by (release_id, other_id).
    """
    if len(members) < 2:
        return {}
    first = min(members, key=lambda m: m.order)
    links = {}
    for member in members:
        if member.publisher == first.publisher:
            continue
        if member.content_hash == first.content_hash:
            score = 1.0
        else:
            direct = near_scores.get((member.release_id, first.release_id)) or near_scores.get((first.release_id, member.release_id))
            own = [s for (a, b), s in near_scores.items() if member.release_id in (a, b)]
            score = direct or (max(own) if own else 1.0)  # no near link of its own: an exact twin of a near copy
        links[(member.release_id, first.release_id)] = score
    return links


@dataclass(frozen=True, slots=True)
class _Context:
    """What a fresh batch's linking reads of its releases' clusters in one statement (:func:`_fresh_context`)."""

    rows: list[tuple]
    """(release_id, cluster_id, publisher, content_hash, url, published_at, first_seen_at, source_id, publication
    day in the source's zone) of every member of the batch's releases' clusters (the batch's own among them)."""
    release_ids: frozenset[str]

    def shared(self) -> list[tuple]:
        """The :class:`Member` rows of the clusters of two or more members, in the statement's order."""
        sizes: dict[str, int] = {}
        for row in self.rows:
            sizes[row[1]] = sizes.get(row[1], 0) + 1
        return [row[:7] for row in self.rows if sizes[row[1]] > 1]

    def facts(self) -> dict[str, tuple]:
        """release_id -> (release_id, source_id, publisher, cluster_id, day) of the batch's releases
        (:func:`refresh_event_keys`' facts)."""
        return {row[0]: (row[0], row[7], row[2], row[1], row[8]) for row in self.rows if row[0] in self.release_ids}

    def others(self) -> set[str]:
        """The members that are not the batch's releases (the copies they joined)."""
        return {row[0] for row in self.rows if row[0] not in self.release_ids}


def _reads_context(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> bool:
    """Whether :func:`link_copies_and_events` reads the batch's clusters once (:func:`_fresh_context`): its releases all
    new in the batch (arrow.all_new), in a small file (not arrow.by_id: there each step reads by id)."""
    return not by_id() and all_new(con, release_ids)


def _fresh_context(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> _Context:
    """The members of the clusters of a batch's releases, all new in the batch, with what syndication and event keys
    need of them (:class:`_Context`), in one statement.

    Why: the syndication step read the members of the shared clusters, the event keys the releases' own facts and the
    excluded releases the members again, three statements a batch (1.2-2.5 ms each on a 653-release file). A new
    release's cluster is the one the load just settled; the members' rows come back in the order the syndication
    read gave them (its shared clusters are filtered here in Python).
    """
    with registered_ids(con, release_ids) as ids:
        rows = con.execute(
            f"""SELECT r.release_id, r.cluster_id, {_PUBLISHER}, r.content_hash, r.url, {_naive_utc("r.published_at")},
                       {_naive_utc("r.first_seen_at")}, r.source_id,
                       timezone(coalesce(s.timezone, 'UTC'), r.published_at)::DATE
                FROM releases r LEFT JOIN sources s USING (source_id)
                WHERE r.cluster_id IN (SELECT cluster_id FROM releases WHERE release_id IN (SELECT release_id FROM {ids}))"""
        ).fetchall()
    return _Context(rows, frozenset(release_ids))


def link_syndication(con: duckdb.DuckDBPyConnection, release_ids: list[str], *, now: datetime, run_id: str,
                     context: _Context | None = None, texts_unshared: bool = False) -> int:
    """Rewrite the syndication links of every cluster the given releases are in or were in; returns links written.

    ``context``: the batch's clusters as :func:`_fresh_context` read them (its releases all new, a small file).
    ``texts_unshared``: the caller knows that no other stored release, nor any version of one, holds the text of one
    of ``release_ids`` (each new, with a text of its own: load.StoredKeys), so none copies an older version of
    another or is copied (:func:`_copies_of_older_versions` would find no pair: its statement is not sent)."""
    if context is not None:
        # New in this batch: no syndication link of theirs yet (arrow.all_new), so their clusters are the clusters
        # of their own rows. Only clusters of two or more members can hold a link (a cluster of one is one of the
        # batch's own releases, none has a link to drop).
        rows = context.shared()
        near = []
        if needs_scores(rows):
            with registered_ids(con, release_ids) as ids:
                near = _near_inside(con, f"SELECT cluster_id FROM releases WHERE release_id IN (SELECT release_id FROM {ids})")
        # (No early return on no rows: a release of a cluster of its own may still copy an older version.)
        return _write_syndication(con, release_ids, rows, near, now=now, run_id=run_id, texts_unshared=texts_unshared)
    if not by_id() and all_new(con, release_ids):
        # New in this batch: no syndication link of theirs yet (arrow.all_new), so their clusters are the
        # clusters of their own rows, read inside the members' and near links' statements (one read fewer).
        # Only clusters of two or more members can hold a link; a cluster of one is one of the batch's own
        # releases (none has a link to drop), so its row is left out of the read: most of a fresh batch's.
        with registered_ids(con, release_ids) as ids:
            rows, near = _cluster_rows(con, f"SELECT cluster_id FROM releases WHERE release_id IN (SELECT release_id FROM {ids})",
                                       shared_only=True)
        # (No early return on no rows: a release of a cluster of its own may still copy an older version.)
        return _write_syndication(con, release_ids, rows, near, now=now, run_id=run_id, texts_unshared=texts_unshared)
    with registered_ids(con, release_ids) as ids:
        if all_new(con, release_ids):  # new in this batch: no syndication link of theirs yet (arrow.all_new)
            clusters = {c for (c,) in con.execute(
                f"SELECT cluster_id FROM releases WHERE {keys_in('release_id', release_ids, ids)}").fetchall()}
        else:
            clusters = {c for (c,) in con.execute(*inline(
                f"""SELECT cluster_id FROM releases WHERE {keys_in('release_id', release_ids, ids)}
                    UNION SELECT r.cluster_id FROM release_links l JOIN releases r ON r.release_id = l.other_id
                    WHERE l.kind = ? AND {keys_in('l.release_id', release_ids, ids)}
                    UNION SELECT r.cluster_id FROM release_links l JOIN releases r ON r.release_id = l.release_id
                    WHERE l.kind = ? AND {keys_in('l.other_id', release_ids, ids)}""",
                [SYNDICATION, SYNDICATION])).fetchall()}
    if not clusters:
        return 0
    table = pa.Table.from_pydict({"cluster_id": sorted(clusters)}, schema=_CLUSTERS)
    if by_id():
        with registered(con, table) as c:
            # The members found by their cluster column alone, then read by id (selecting every column with the
            # filter made DuckDB read them all for every stored release).
            member_ids = [i for (i,) in con.execute(
                f"""SELECT release_id FROM releases WHERE {keys_in("cluster_id", clusters, c, "cluster_id")}""").fetchall()]
        rows = [(m.release_id, m.cluster_id, m.publisher, m.content_hash, m.url, m.published_at, m.first_seen_at)
                for m in _members(con, set(member_ids)).values()]
        # The near links inside those clusters: both ends members, of one cluster. Read by the members' ids
        # (joining releases twice to the links scanned the whole table per batch).
        cluster_of = {row[0]: row[1] for row in rows}
        if not needs_scores(rows):
            return _write_syndication(con, release_ids, rows, [], now=now, run_id=run_id, texts_unshared=texts_unshared)
        with registered_ids(con, cluster_of) as m:
            near = [(a, b, score) for a, b, score in con.execute(
                f"""SELECT release_id, other_id, score FROM release_links WHERE kind = 'near_duplicate'
                    AND {keys_in("release_id", cluster_of, m)} AND {keys_in("other_id", cluster_of, m)}""").fetchall()
                    if cluster_of[a] == cluster_of[b]]
    else:
        with registered(con, table) as c:
            rows, near = _cluster_rows(con, f"SELECT cluster_id FROM {c}")
    return _write_syndication(con, release_ids, rows, near, now=now, run_id=run_id, texts_unshared=texts_unshared)


def _cluster_rows(con: duckdb.DuckDBPyConnection, clusters: str, *, shared_only: bool = False
                  ) -> tuple[list[tuple], list[tuple]]:
    """The members (as :class:`Member` rows) and inner near links of the clusters the subquery ``clusters`` names.

    The near links only where :func:`needs_scores` says a score can be read (a statement fewer in most batches).
    ``shared_only``: the members of clusters of two or more members only (a cluster of one has no syndication link).
    """
    members = clusters
    if shared_only:
        # The clusters of two or more counted by a grouped read of their cluster column, then their members read:
        # the rows a count(*) window over the members' joined rows kept (QUALIFY), in 2.0-2.5 against 3.3-4.2 ms a
        # statement on a 653-release file (the window sorted every member's row with its columns).
        members = f"SELECT cluster_id FROM releases WHERE cluster_id IN ({clusters}) GROUP BY cluster_id HAVING count(*) > 1"
    rows = con.execute(
        f"""SELECT r.release_id, r.cluster_id, {_PUBLISHER}, r.content_hash, r.url, {_naive_utc("r.published_at")},
                   {_naive_utc("r.first_seen_at")} FROM releases r LEFT JOIN sources s USING (source_id)
            WHERE r.cluster_id IN ({members})""").fetchall()
    if not needs_scores(rows):
        return rows, []
    return rows, _near_inside(con, clusters)


def _near_inside(con: duckdb.DuckDBPyConnection, clusters: str) -> list[tuple]:
    """The near links (release_id, other_id, score) inside the clusters the subquery ``clusters`` names."""
    return con.execute(
        f"""SELECT l.release_id, l.other_id, l.score FROM release_links l
            JOIN releases a ON a.release_id = l.release_id JOIN releases b ON b.release_id = l.other_id
            WHERE l.kind = 'near_duplicate' AND a.cluster_id = b.cluster_id
              AND a.cluster_id IN ({clusters})""").fetchall()


def needs_scores(rows: Iterable[tuple]) -> bool:
    """Whether any cluster of these member rows (release_id, cluster_id, publisher, content_hash, ...) spans two
    publishers and two texts (pure).

    Only then can :func:`syndication_links` read a near-duplicate score: a cluster of one publisher (or of one
    release) has no syndication link, and in a cluster of one text every link is a copy of the first release's
    text, scored 1.0. So a batch whose clusters are all single-publisher, or exact copies only, reads no near
    links: in a fresh run most batches (none of their new releases copies another publisher's, or only verbatim).
    """
    publisher_of: dict[str, str] = {}
    text_of: dict[str, str] = {}
    publishers: set[str] = set()  # clusters of two publishers or more
    texts: set[str] = set()  # clusters of two texts or more
    for row in rows:
        cluster = row[1]
        if publisher_of.setdefault(cluster, row[2]) != row[2]:
            publishers.add(cluster)
        if text_of.setdefault(cluster, row[3]) != row[3]:
            texts.add(cluster)
    return not publishers.isdisjoint(texts)


def _write_syndication(con: duckdb.DuckDBPyConnection, release_ids: list[str], rows: list[tuple], near: list[tuple],
                       *, now: datetime, run_id: str, texts_unshared: bool = False) -> int:
    """:func:`link_syndication`'s links from its clusters' members and near links."""
    members: dict[str, list[Member]] = {}
    for row in rows:
        members.setdefault(row[1], []).append(Member(*row))
    scores = {(a, b): s for a, b, s in near}
    urls = {row[0]: row[4] for row in rows}
    wanted: dict[tuple[str, str], float] = {}
    for group in members.values():
        wanted.update(syndication_links(group, scores))
    older = [] if texts_unshared else _copies_of_older_versions(con, release_ids)
    urls.update({m.release_id: m.url for pair in older for m in pair})
    copying = {copy for copy, _ in wanted}
    for copy, original in sorted(older, key=lambda pair: pair[1].order):
        if copy.release_id not in copying and copy.publisher != original.publisher and original.order < copy.order:
            wanted[(copy.release_id, original.release_id)] = 1.0
            copying.add(copy.release_id)
    everyone = set(urls) | set(release_ids)
    existing: dict[tuple[str, str], float] = {}
    fresh = all_new(con, everyone)  # clusters of releases new in this batch only: none has a link yet
    if not fresh:
        with registered_ids(con, everyone) as ids:
            existing = {(a, b): s for a, b, s in con.execute(*inline(
                f"""SELECT release_id, other_id, score FROM release_links WHERE kind = ?
                    AND ({keys_in('release_id', everyone, ids)} OR {keys_in('other_id', everyone, ids)})""",
                [SYNDICATION])).fetchall()}
    gone = [pair for pair in existing if pair not in wanted]
    changed = {pair: s for pair, s in wanted.items() if existing.get(pair) != s}
    if gone:
        t = pa.Table.from_pydict({"release_id": [a for a, _ in gone], "other_id": [b for _, b in gone]}, schema=PAIRS)
        execute_with(con, t, *inline(f"DELETE FROM release_links WHERE kind = ? AND (release_id, other_id) IN "
                                     f"(SELECT (release_id, other_id) FROM {STREAM})", [SYNDICATION]))
    if changed:
        t = pa.Table.from_pydict({
            "release_id": [a for a, _ in changed], "other_id": [b for _, b in changed],
            "score": list(changed.values()), "other_url": [urls.get(b) for _, b in changed]}, schema=SCORED_LINKS)
        upsert = "" if fresh else "ON CONFLICT (release_id, other_id, kind) DO UPDATE SET score = excluded.score"
        execute_with(con, t, *inline(
            f"""INSERT INTO release_links (release_id, other_id, kind, score, other_url, first_seen_at, run_id)
                SELECT release_id, other_id, ?, score, other_url, ?, ? FROM {STREAM} {upsert}""",
            [SYNDICATION, now, run_id]))
    return len(changed)


def _copies_of_older_versions(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> list[tuple[Member, Member]]:
    """(copy, original) where the copy's text is an older version of another cluster's release: a verbatim copy
    taken before the original was edited (the edit split them apart, the copy is still the original's text).

    One row per (copy, version of the original) whose hashes match, copy or original among ``release_ids``.
    Bounded by the batch, not the file: the pairs come from the given releases' own rows (their current
    hashes against the versions, their versions' hashes against the releases), and the two ends' facts
    are read by their ids. One query joining ``releases`` twice to every version (the given ids an OR
    over both ends) hash-joined whole tables: 0.9 s a batch at a million releases (bench/bench_growth.py).
    """
    versions = history.versions_table(con)  # only the versions' hashes are read: the table, not the view that adds texts
    if not by_id():  # a small file: one statement is the cheaper
        return _copies_of_older_versions_joined(con, versions, release_ids)
    batch = set(release_ids)
    with registered_ids(con, batch) as ids:
        mine = con.execute(f"SELECT release_id, content_hash FROM releases WHERE {keys_in('release_id', batch, ids)}").fetchall()
        theirs = con.execute(
            f"SELECT release_id, content_hash FROM {versions} WHERE {keys_in('release_id', batch, ids)}").fetchall()
    # The versions holding the given releases' texts, and the releases holding the given releases' older texts.
    holding_versions = _by_hash(con, versions, {h for _, h in mine})
    holding_releases = _by_hash(con, "releases", {h for _, h in theirs})
    pairs = [(copy, original) for copy, text in mine for original in holding_versions.get(text, []) if original != copy]
    pairs += [(copy, original) for original, text in theirs for copy in holding_releases.get(text, [])
              if copy != original and copy not in batch]
    if not pairs:
        return []
    members = _members(con, {i for pair in pairs for i in pair})
    return [(members[c], members[o]) for c, o in pairs
            if c in members and o in members and members[o].cluster_id != members[c].cluster_id]


def _copies_of_older_versions_joined(con: duckdb.DuckDBPyConnection, versions: str,
                                     release_ids: list[str]) -> list[tuple[Member, Member]]:
    """:func:`_copies_of_older_versions` by whole tables joined (for a small file): the pairs in one statement, then
    their ends' facts by id (:func:`_members`) when there is a pair."""
    with registered_ids(con, release_ids) as ids:
        # The pairs alone first (almost always none): the members' columns, with their sources joined, cost a
        # statement twice as dear even when no row comes back (4 against 1.5 ms on a 653-release file).
        pairs = con.execute(
            f"""SELECT c.release_id, o.release_id
                FROM releases c
                JOIN {versions} v ON v.content_hash = c.content_hash AND v.release_id <> c.release_id
                JOIN releases o ON o.release_id = v.release_id AND o.cluster_id <> c.cluster_id
                WHERE c.release_id IN (SELECT release_id FROM {ids}) OR o.release_id IN (SELECT release_id FROM {ids})"""
        ).fetchall()
    if not pairs:
        return []
    members = _members(con, {i for pair in pairs for i in pair})
    return [(members[c], members[o]) for c, o in pairs]


def _by_hash(con: duckdb.DuckDBPyConnection, table: str, hashes: set[str]) -> dict[str, list[str]]:
    """content_hash -> the release_id of every row of ``table`` (releases, or the versions' table) with that hash."""
    out: dict[str, list[str]] = {}
    if not hashes:
        return out
    with registered(con, pa.Table.from_pydict({"content_hash": sorted(hashes)}, schema=_HASHES)) as t:
        for release_id, content_hash in con.execute(
                f"SELECT release_id, content_hash FROM {table} WHERE {keys_in('content_hash', hashes, t, 'content_hash')}"
        ).fetchall():
            out.setdefault(content_hash, []).append(release_id)
    return out


def _members(con: duckdb.DuckDBPyConnection, release_ids: set[str]) -> dict[str, Member]:
    """release_id -> :class:`Member` of the given stored releases."""
    with registered_ids(con, release_ids) as ids:
        rows = con.execute(
            f"""SELECT r.release_id, r.cluster_id, {_PUBLISHER}, r.content_hash, r.url, {_naive_utc("r.published_at")},
                       {_naive_utc("r.first_seen_at")} FROM releases r LEFT JOIN sources s ON s.source_id = r.source_id
                WHERE {keys_in("r.release_id", release_ids, ids)}""").fetchall()
    return {row[0]: Member(*row) for row in rows}


# -- event keys: names and the event day ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventKey:
    """What same-event matching compares: a release's publisher, names and event day."""

    release_id: str
    source_id: str
    publisher: str
    cluster_id: str
    names: dict[str, str]
    """name key -> the form the release wrote."""
    event_day: date
    day_basis: str
    """published, neighbour (an undated release: its nearest dated neighbour's day) or fetched (its first fetch's day)."""


def _day_of_undated(con: duckdb.DuckDBPyConnection, release_id: str) -> tuple[date, str]:
    """The nearest dated neighbour's publication day in the source's zone, else the first fetch's day."""
    row = con.execute(
        """SELECT timezone(coalesce(s.timezone, 'UTC'), n.published_at)::DATE FROM releases u
           JOIN releases n ON n.source_id = u.source_id AND n.published_at IS NOT NULL AND n.release_id <> u.release_id
           LEFT JOIN sources s ON s.source_id = u.source_id
           WHERE u.release_id = ?
           ORDER BY abs(epoch(n.first_seen_at) - epoch(u.first_seen_at)), n.release_id LIMIT 1""",
        [release_id]).fetchone()
    if row:
        return row[0], "neighbour"
    (day,) = con.execute(
        """SELECT timezone(coalesce(s.timezone, 'UTC'), r.first_seen_at)::DATE FROM releases r
           LEFT JOIN sources s USING (source_id) WHERE r.release_id = ?""", [release_id]).fetchone()
    return day, "fetched"


def refresh_event_keys(con: duckdb.DuckDBPyConnection, release_ids: list[str], *, now: datetime, run_id: str,
                       names: Mapping[str, dict[str, str]] | None = None,
                       facts: Mapping[str, tuple] | None = None) -> list[EventKey]:
    """Compute and store the names and event day of the given releases (always: cheap, and a neighbour may have come).

    ``names``: release_id -> names already found in the release's stored text (by the parse workers,
    :func:`govpress.dedupe.keys.text_keys`); the text of those is not read back. ``facts``: release_id ->
    (release_id, source_id, publisher, cluster_id, publication day in the source's zone) of some of them as stored
    (:meth:`_Context.facts`): only the others' are read.
    """
    names = names or {}
    facts = facts or {}
    keys: list[EventKey] = []
    ordered = sorted(set(release_ids))
    if not ordered:
        return keys
    # The keys' facts in one statement over the ids as given (a load's batch: registered by an earlier step
    # already); only the texts, read where no names were given, go a chunk at a time (they bound the memory).
    # Three statements a fresh batch of 5,000 read the same rows before, a registration of ids each.
    unread = [r for r in ordered if r not in facts]
    rows = []
    if unread:
        with registered_ids(con, unread) as ids:
            rows = con.execute(
                f"""SELECT r.release_id, r.source_id, {_PUBLISHER}, r.cluster_id,
                           timezone(coalesce(s.timezone, 'UTC'), r.published_at)::DATE
                    FROM releases r LEFT JOIN sources s USING (source_id)
                    WHERE {keys_in('r.release_id', unread, ids)} ORDER BY r.release_id""").fetchall()
    if facts:
        # (In release_id order, as the statement gave them; UTF-8 byte order is code-point order.)
        rows = sorted(rows + [facts[r] for r in ordered if r in facts], key=lambda row: row[0])
    found = dict(names)
    unnamed = [r for r in ordered if r not in names]
    for start in range(0, len(unnamed), KEY_CHUNK):
        chunk = unnamed[start:start + KEY_CHUNK]
        with registered_ids(con, chunk) as ids:
            found.update({release_id: name_keys.release_names((title, subtitle, lead), body)
                          for release_id, title, subtitle, lead, body in con.execute(
                              f"""SELECT release_id, title, subtitle, lead, body_text FROM releases
                                  WHERE {keys_in('release_id', chunk, ids)}""").fetchall()})
    for release_id, source_id, publisher, cluster_id, day in rows:
        basis = "published"
        if day is None:
            day, basis = _day_of_undated(con, release_id)
        keys.append(EventKey(release_id, source_id, publisher, cluster_id, found[release_id], day, basis))
    if keys:
        table = pa.Table.from_pydict({
            "release_id": [k.release_id for k in keys],
            "publisher": [k.publisher for k in keys],
            "names": [list(k.names) for k in keys],
            "name_forms": [list(k.names.values()) for k in keys],
            "event_day": [k.event_day for k in keys],
            "day_basis": [k.day_basis for k in keys],
        }, schema=_KEYS)
        # Releases new in this batch have no key stored yet (arrow.all_new; one key each): a plain insert.
        upsert = "" if all_new(con, [k.release_id for k in keys]) else """
                    ON CONFLICT (release_id) DO UPDATE SET publisher = excluded.publisher, names = excluded.names,
                        name_forms = excluded.name_forms, event_day = excluded.event_day,
                        day_basis = excluded.day_basis, computed_at = excluded.computed_at, run_id = excluded.run_id"""
        execute_with(con, table, *inline(
            f"""INSERT INTO release_event_keys (release_id, publisher, names, name_forms, event_day, day_basis, computed_at, run_id)
                SELECT release_id, publisher, names, name_forms, event_day, day_basis, ?, ? FROM {STREAM} {upsert}""",
            [now, run_id]))
    return keys


# -- same-event links ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventLink:
    """One direction of a same-event pair, with its evidence."""

    release_id: str
    other_id: str
    shared_keys: list[str]
    shared_names: list[str]
    """The names as each release wrote them: 'Асадов = Asadov'."""
    score: float
    day: date
    day_basis: str
    other_day: date
    other_day_basis: str


def _evidence(keys: list[str], names: list[str], *rest: object) -> tuple:
    """A link's evidence as compared with its stored row: the names in any order (the order they were found in
    depends on which release of the pair was loaded last), the score and the days."""
    return (sorted(keys), sorted(names), *rest)


def event_pairs(mine: EventKey, others: Iterable[EventKey], excluded: set[tuple[str, str]]) -> list[EventLink]:
    """Links (both directions) between ``mine`` and the candidates that tell the same event (pure).

    ``excluded``: (cluster_id, cluster_id) pairs joined by a translation link: one text in two
    languages (an edition, or a copy of an edition) is not a second report of the event.
    """
    return [link for other, pair in _event_pairs(mine, others) if (mine.cluster_id, other.cluster_id) not in excluded
            for link in pair]


def _event_pairs(mine: EventKey, others: Iterable[EventKey]) -> Iterator[tuple[EventKey, tuple[EventLink, EventLink]]]:
    """:func:`event_pairs` before its translations are left out: (the candidate, its two links) in order (pure)."""
    for other in others:
        if (other.release_id == mine.release_id or other.publisher == mine.publisher
                or other.cluster_id == mine.cluster_id or abs((other.event_day - mine.event_day).days) > DAY_WINDOW):
            continue
        shared = name_keys.shared_names(mine.names, other.names)
        if len(shared) < MIN_SHARED_NAMES:
            continue
        score = round(len(shared) / min(len(mine.names), len(other.names)), 4)
        keys = [k for k, _, _ in shared]
        yield other, (EventLink(mine.release_id, other.release_id, keys, [f"{a} = {b}" for _, a, b in shared], score,
                                mine.event_day, mine.day_basis, other.event_day, other.day_basis),
                      EventLink(other.release_id, mine.release_id, keys, [f"{b} = {a}" for _, a, b in shared], score,
                                other.event_day, other.day_basis, mine.event_day, mine.day_basis))


def _by_day(keys: list[EventKey]) -> dict[date, list[int]]:
    """event day -> the positions of the keys of that day, in order."""
    out: dict[date, list[int]] = {}
    for i, key in enumerate(keys):
        out.setdefault(key.event_day, []).append(i)
    return out


def _in_window(keys: list[EventKey], on_day: dict[date, list[int]], day: date) -> list[EventKey]:
    """The keys (as :func:`_by_day` placed them) whose event day is within :data:`DAY_WINDOW` of ``day``, in their order.

    What :func:`event_pairs` would keep of them by the day alone, without its per-pair test over the whole window
    of a batch's days (a fresh run's batch compared some 18,000 pairs to link 190).
    """
    spans = [on_day.get(day + timedelta(days=o), ()) for o in range(-DAY_WINDOW, DAY_WINDOW + 1)]
    return [keys[i] for i in sorted(i for span in spans for i in span)]


def _stored_keys(con: duckdb.DuckDBPyConnection, days: set[date], but: str | None = None) -> list[EventKey]:
    """The stored event keys of the window around the given days (``but``: except those of that publisher)."""
    window = sorted({d + timedelta(days=o) for d in days for o in range(-DAY_WINDOW, DAY_WINDOW + 1)})
    table = pa.Table.from_pydict({"day": window}, schema=pa.schema([("day", pa.date32())]))
    # The days read by the one statement from their own C stream (arrow.execute_with): no temporary table.
    rows = execute_with(con, table, *inline(
        f"""SELECT k.release_id, r.source_id, k.publisher, r.cluster_id, k.names, k.name_forms, k.event_day, k.day_basis
            FROM release_event_keys k JOIN releases r USING (release_id)
            WHERE k.event_day IN (SELECT day FROM {STREAM}) AND len(k.names) >= ?
            {"AND k.publisher <> ?" if but is not None else ""}""",
        [MIN_SHARED_NAMES] + ([but] if but is not None else []))).fetchall()
    return [EventKey(rid, src, pub, cluster, dict(zip(keys, forms, strict=True)), day, basis)
            for rid, src, pub, cluster, keys, forms, day, basis in rows]


def _translations(con: duckdb.DuckDBPyConnection, involved: set[str]) -> set[tuple[str, str]]:
    """(cluster_id, cluster_id) pairs joined by a translation link, from the clusters of the ``involved`` releases.

    A copy of a release and that release's translation are one text in two languages, not two reports:
    translations are excluded cluster to cluster.
    """
    if by_id():
        # (Each step read by ids or cluster ids: the join of releases twice to the links scanned the file per batch.)
        clusters = set(_clusters_of(con, involved).values())
        with registered(con, pa.Table.from_pydict({"cluster_id": sorted(clusters)}, schema=_CLUSTERS)) as c:
            linked = con.execute(
                f"""SELECT a.cluster_id, l.other_id FROM release_links l
                    JOIN (SELECT release_id, cluster_id FROM releases WHERE {keys_in("cluster_id", clusters, c, "cluster_id")}) a
                      ON a.release_id = l.release_id
                    WHERE l.kind = 'translation'""").fetchall()
        other_clusters = _clusters_of(con, {o for _, o in linked})
        return {(a, other_clusters[o]) for a, o in linked if o in other_clusters}
    with registered_ids(con, involved) as t:
        return {(a, b) for a, b in con.execute(
            f"""SELECT a.cluster_id, b.cluster_id FROM release_links l
                JOIN releases a ON a.release_id = l.release_id JOIN releases b ON b.release_id = l.other_id
                WHERE l.kind = 'translation' AND a.cluster_id IN
                    (SELECT cluster_id FROM releases WHERE release_id IN (SELECT release_id FROM {t}))""").fetchall()}


def link_same_events(con: duckdb.DuckDBPyConnection, keys: list[EventKey], *, now: datetime, run_id: str) -> int:
    """Make the same_event_links touching the given releases equal what their names and days say; returns how many they
    have (written or kept as they were)."""
    if not keys:
        return 0
    ids = {k.release_id for k in keys}
    if not any(len(k.names) >= MIN_SHARED_NAMES for k in keys):
        # No key can pair (too few names): no candidate or translation to read, only the links they had to drop.
        candidates: list[EventKey] = []
    else:
        # The keys that look for pairs all of one publisher (a source's batch): the window's keys of that publisher
        # left out in SQL, as event_pairs leaves them (a pair is of two publishers): their rows, names lists, were
        # most of the read's cost.
        publishers = {k.publisher for k in keys if len(k.names) >= MIN_SHARED_NAMES}
        candidates = _stored_keys(con, {k.event_day for k in keys}, but=publishers.pop() if len(publishers) == 1 else None)
    current = {k.release_id: k for k in keys}
    candidates = [current.get(c.release_id, c) for c in candidates]
    on_day = _by_day(candidates)
    # The pairs found first, then the translations read only when there is a pair for them to leave out
    # (event_pairs' own rule, applied after): most fresh batches of one language pair nothing (1.2-1.6 ms a read).
    paired = [(key, list(_event_pairs(key, _in_window(candidates, on_day, key.event_day))))
              for key in keys if len(key.names) >= MIN_SHARED_NAMES]
    # The translations of the keys' own clusters only: a pair is looked up by (a key's cluster, a candidate's),
    # so those of the candidates' clusters would be read for nothing.
    translations = _translations(con, ids) if any(pairs for _, pairs in paired) else set()
    found: dict[tuple[str, str], EventLink] = {}
    for key, pairs in paired:
        for other, links in pairs:
            if (key.cluster_id, other.cluster_id) not in translations:
                for link in links:
                    found[(link.release_id, link.other_id)] = link
    stored: dict[tuple[str, str], tuple] = {}
    # Releases new in this batch have no same-event link stored yet (arrow.all_new): the links of the others only.
    new = new_in_batch(con)
    old = sorted(i for i in ids if i not in new)
    if old:
        # (first_seen_at as naive UTC, _naive_utc: it is only written back, into a UTC column, where pyarrow takes a
        # naive time as UTC; read aware, it made DuckDB import pytz, ~5 ms of CPU a run.)
        columns = f"""SELECT release_id, other_id, shared_keys, shared_names, score, event_day, day_basis, other_event_day,
                             other_day_basis, {_naive_utc('first_seen_at')} FROM same_event_links"""
        if new and len(old) <= FEW_KEYS and not any("\x00" in i for i in old):
            # A fresh batch's few stored ones (its waiting and excluded releases) as constants: no registration.
            listed = constants(old)
            rows = con.execute(f"{columns} WHERE release_id IN ({listed}) OR other_id IN ({listed})").fetchall()
        else:
            with registered_ids(con, ids) as t:
                rows = con.execute(
                    f"{columns} WHERE {keys_in('release_id', ids, t)} OR {keys_in('other_id', ids, t)}").fetchall()
        stored = {(row[0], row[1]): row[2:] for row in rows}
    # Only the pairs that went or changed are deleted, and only the new or changed ones written: a batch's
    # re-linking (its releases' clusters and translations) finds mostly the links it already has, and
    # deleting and re-inserting thousands of the same keys in one transaction crashed DuckDB 1.5.5 at commit
    # ("Failed to append to PRIMARY_same_event_links...": bench/probe_edit_crash.py).
    links = [x for x in found.values() if (x.release_id, x.other_id) not in stored
             or _evidence(x.shared_keys, x.shared_names, x.score, x.day, x.day_basis, x.other_day, x.other_day_basis)
             != _evidence(*stored[(x.release_id, x.other_id)][:-1])]
    gone = [pair for pair in stored if pair not in found] + [(x.release_id, x.other_id) for x in links
                                                             if (x.release_id, x.other_id) in stored]
    if gone:
        execute_with(con, pa.Table.from_pydict({"release_id": [a for a, _ in gone], "other_id": [b for _, b in gone]},
                                               schema=PAIRS),
                     f"""DELETE FROM same_event_links WHERE (release_id, other_id) IN
                             (SELECT (release_id, other_id) FROM {STREAM})""")
    if links:
        table = pa.Table.from_pydict({
            "release_id": [x.release_id for x in links], "other_id": [x.other_id for x in links],
            "shared_keys": [x.shared_keys for x in links], "shared_names": [x.shared_names for x in links],
            "score": [x.score for x in links], "event_day": [x.day for x in links],
            "day_basis": [x.day_basis for x in links], "other_event_day": [x.other_day for x in links],
            "other_day_basis": [x.other_day_basis for x in links],
            "first_seen_at": pa.array([stored[(x.release_id, x.other_id)][-1] if (x.release_id, x.other_id) in stored
                                       else now for x in links], pa.timestamp("us", tz="UTC")),
        }, schema=_SAME_EVENT_LINKS)
        # first_seen_at survives a rewrite of the same pair: when the link was first made.
        execute_with(con, table, *inline(
            f"""INSERT INTO same_event_links (release_id, other_id, shared_keys, shared_names, score, event_day,
                    day_basis, other_event_day, other_day_basis, first_seen_at, run_id)
                SELECT release_id, other_id, shared_keys, shared_names, score, event_day, day_basis,
                       other_event_day, other_day_basis, first_seen_at, ? FROM {STREAM}""",
            [run_id]))
    return len(found)


# -- the one call --------------------------------------------------------------------------------


def link_copies_and_events(con: duckdb.DuckDBPyConnection, release_ids: list[str], *, now: datetime, run_id: str,
                           names: Mapping[str, dict[str, str]] | None = None, texts_unshared: bool = False) -> None:
    """Syndication links, event keys and same-event links for just-loaded (new or edited) releases.

    ``names``: the names the parse workers found in some of those releases' texts (see :func:`refresh_event_keys`).
    ``texts_unshared``: no other release or version holds one of their texts (:func:`link_syndication`).

    Files older than migration 13 (stepped through the migrations by their tests) have neither
    table: nothing is linked there.
    """
    ids = sorted(set(release_ids))
    if not ids or not has_table(con, "same_event_links"):
        return
    # A batch of new releases in a small file reads its clusters' members once for the steps below (_fresh_context).
    context = _fresh_context(con, ids) if _reads_context(con, ids) else None
    link_syndication(con, ids, now=now, run_id=run_id, context=context, texts_unshared=texts_unshared)
    given = {i: names[i] for i in ids if names and i in names}  # only texts just written: they are the stored ones
    if context is None:
        waiting, excluded = _waiting_and_excluded(con, ids)
    else:
        waiting, excluded = _waiting_and_excluded_fresh(con, ids, context)
    keys = refresh_event_keys(con, ids + waiting, now=now, run_id=run_id, names=given,
                              facts=context.facts() if context is not None else None)
    known = {k.release_id for k in keys}
    link_same_events(con, keys + _stored_keys_of(con, [r for r in excluded if r not in known]), now=now, run_id=run_id)


def _excluded_sql(release_ids: list[str], ids: str) -> str:
    """The query of the stored releases whose same-event links the loaded ones may have changed, beyond their own
    (pairs excluded now); ``ids``: the loaded releases' registered table. Unordered; the loaded releases left out.

    A loaded release that joins a cluster, or brings a translation, makes the cluster's other members and its
    translations' clusters one text in two languages: a link between two of them, made when they met
    before (the original loaded last), no longer holds. Without this, the links depended on the load order
    of the sources' batches (tests/unit/store/test_events.py).
    """
    # (The clusters' subquery written twice rather than as a CTE with DISTINCTs and a UNION: the same rows,
    # 3.7 against 4.5 ms a statement on a 653-release file; DuckDB clears a hash table per aggregate.)
    clusters = f"SELECT cluster_id FROM releases WHERE {keys_in('release_id', release_ids, ids)}"
    # The loaded releases themselves left out in SQL: every one of them is in its own cluster, so they were most
    # of the rows read back, sorted and dropped (a fresh batch's 5,000).
    return f"""SELECT release_id FROM releases
               WHERE (cluster_id IN ({clusters})
                      OR cluster_id IN (SELECT b.cluster_id FROM release_links l JOIN releases m ON m.release_id = l.release_id
                                        JOIN releases b ON b.release_id = l.other_id
                                        WHERE l.kind = 'translation' AND m.cluster_id IN ({clusters})))
                 AND release_id NOT IN (SELECT release_id FROM {ids})"""


def _waiting_and_excluded(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> tuple[list[str], list[str]]:
    """(the undated releases waiting for a dated neighbour, :func:`_waiting_sql`; the releases whose links the loaded
    ones may have changed, :func:`_excluded_sql`, in order) in one statement.

    Both read what the loaded releases' event keys do not change (the waiting ones the keys stored before this
    batch's, the excluded ones clusters and translation links), so they are read together before the keys are
    refreshed: a statement fewer a batch with releases (1.5-2 ms each)."""
    with registered_ids(con, release_ids) as t:
        rows = con.execute(
            f"""SELECT 0, release_id FROM ({_waiting_sql(t)})
                UNION ALL SELECT 1, release_id FROM ({_excluded_sql(release_ids, t)})""").fetchall()
    # (Excluded in release_id order, as its own statement read them: they are linked in that order.)
    return [r for kind, r in rows if kind == 0], sorted(r for kind, r in rows if kind == 1)


def _waiting_and_excluded_fresh(con: duckdb.DuckDBPyConnection, release_ids: list[str],
                                context: _Context) -> tuple[list[str], list[str]]:
    """:func:`_waiting_and_excluded` for a batch of new releases, from what :func:`_fresh_context` read.

    The same two sets: the excluded ones are the other members of the batch's clusters (read already) and the members
    of the clusters their translation links reach; the waiting ones are looked for only in the sources with a dated
    release in the batch (known already), by constants. Why: the two subqueries of the batch's clusters and the
    sources' joined again made that statement the dearest of the linking (2.4 ms a batch on a 653-release file).
    """
    batch = set(release_ids)
    members = sorted(context.others())
    dated = sorted({row[7] for row in context.rows if row[0] in batch and row[5] is not None})
    if any("\x00" in v for v in members + dated):  # (no SQL constant for a NUL)
        return _waiting_and_excluded(con, release_ids)
    with registered_ids(con, release_ids) as ids:
        # The translation links of the clusters' members: the batch's own (its registered ids) and the others'.
        linked = f"l.release_id IN (SELECT release_id FROM {ids})"
        if members:
            linked = f"({linked} OR l.release_id IN ({constants(members)}))"
        sql = f"""SELECT 1, release_id FROM releases
                  WHERE cluster_id IN (SELECT b.cluster_id FROM release_links l JOIN releases b ON b.release_id = l.other_id
                                       WHERE l.kind = 'translation' AND {linked})"""
        if dated:
            # (The batch's releases, new, have no key yet: none of them is among these.)
            sql = f"""SELECT 0, k.release_id FROM release_event_keys k JOIN releases u USING (release_id)
                      WHERE k.day_basis = 'fetched' AND u.source_id IN ({constants(dated)})
                      UNION ALL {sql}"""
        rows = con.execute(sql).fetchall()
    waiting = [r for kind, r in rows if kind == 0 and r not in batch]
    return waiting, sorted(({r for kind, r in rows if kind == 1} | set(members)) - batch)


def _stored_keys_of(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> list[EventKey]:
    """The stored event keys of the given releases (with their clusters as they are now)."""
    if not release_ids:
        return []
    with registered_ids(con, release_ids) as t:
        rows = con.execute(
            f"""SELECT k.release_id, r.source_id, k.publisher, r.cluster_id, k.names, k.name_forms, k.event_day, k.day_basis
                FROM release_event_keys k JOIN releases r USING (release_id)
                WHERE k.release_id IN (SELECT release_id FROM {t})""").fetchall()
    # (Left as a semi-join: the order of these rows decides which side of a pair seen twice writes its names
    # first, and an index lookup would change that order; a few rows a batch.)
    return [EventKey(rid, src, pub, cluster, dict(zip(keys, forms, strict=True)), day, basis)
            for rid, src, pub, cluster, keys, forms, day, basis in rows]


def _waiting_sql(ids: str) -> str:
    """The query of the undated releases dated by their fetch day for want of a dated neighbour, in sources that
    just gained one; ``ids``: the loaded releases' registered table."""
    return f"""SELECT k.release_id FROM release_event_keys k JOIN releases u USING (release_id)
               WHERE k.day_basis = 'fetched' AND u.release_id NOT IN (SELECT release_id FROM {ids})
                 AND u.source_id IN (SELECT source_id FROM releases WHERE published_at IS NOT NULL
                                     AND release_id IN (SELECT release_id FROM {ids}))"""


def backfill(con: duckdb.DuckDBPyConnection, *, now: datetime, run_id: str) -> None:
    """:func:`link_copies_and_events` over every stored release, a chunk at a time (migration 13)."""
    ids = [r for (r,) in con.execute("SELECT release_id FROM releases ORDER BY release_id").fetchall()]
    for start in range(0, len(ids), KEY_CHUNK):
        link_syndication(con, ids[start:start + KEY_CHUNK], now=now, run_id=run_id)
    keys = refresh_event_keys(con, ids, now=now, run_id=run_id)
    for start in range(0, len(keys), KEY_CHUNK):
        link_same_events(con, keys[start:start + KEY_CHUNK], now=now, run_id=run_id)
