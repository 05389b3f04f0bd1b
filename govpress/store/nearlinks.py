"""Near-duplicate links in the store: MinHash signatures, LSH band buckets, ``near_duplicate`` links, clusters.

The store side of :mod:`govpress.dedupe.neardup`. :func:`link_near_duplicates` runs inside the
caller's transaction (it never begins or commits) on a write connection, for releases that
were just loaded:

1. **Signatures** (``release_signatures``) are computed from each release's title, subtitle,
   lead and body (:func:`govpress.dedupe.neardup.release_text`) and kept with the ``content_hash`` and
   the scheme they were made from, so an unchanged release is never hashed again and a
   changed one (new version) or a new scheme recomputes. Its LSH buckets go to ``release_bands``.
2. **Candidates** are releases sharing a (band, bucket) with one of the given releases: their
   buckets (those just written, still in memory, and the stored ones of the rest) joined to
   ``release_bands`` in SQL. Their similarity (share of equal MinHash values) is computed in
   numpy, from the signatures just written and those read back.
3. **Links**: each candidate pair at or above ``threshold`` whose texts are not identical
   (equal ``content_hash`` is the exact-duplicate level's business) gets one
   ``release_links`` row of kind ``near_duplicate`` from the later release to the earlier
   one, by (published_at, undated last; first_seen_at; release_id), with the similarity as
   score. Links of the given releases that no longer hold (the text was edited) are removed;
   a changed score is updated.
4. **Clusters**: releases joined by near-duplicate links, and by exact-duplicate links whose
   two ends still have the same text, form connected components. In a component with a
   near-duplicate link every member's ``cluster_id`` becomes the release_id of the
   component's earliest release (same order as above), so a syndicated copy, a copy of the
   copy and their exact twins all point at the first publisher. A component of exact copies
   only keeps what the exact level decided (``govpress.store.load``: the first STORED holder),
   unless a removed near link left it pointing outside itself. Only components that contain
   a given release, or that a removed link split, are looked at.

Because links are pairwise facts and the cluster root is a function of the component, the
near-duplicate result does not depend on the order in which releases were loaded (the
exact level's choice of holder does, by its own design), and calling it again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

from govpress.dedupe import neardup
from govpress.store.arrow import (
    PAIRS, SCORED_LINKS, STREAM, all_new, by_id, constants, copies_in, execute_with, inline, keys_in, quote, registered,
    registered_ids,
)

NEAR_DUPLICATE = "near_duplicate"
SIGNATURE_CHUNK = 2_000
"""Releases whose texts are read and hashed at a time: bounds memory on a backfill."""
BANDS_ARROW = pa.schema([("band", pa.int16()), ("bucket", pa.uint64()),
                         ("release_id", pa.dictionary(pa.int32(), pa.string()))])
"""A batch's band rows as :func:`_store_signatures` builds them: ``release_id`` a dictionary of the batch's ids."""
FEW_FACTS = 50
"""Releases up to which :func:`_facts` names them in its statement as constants rather than registering their ids."""
PAIRS_DISTINCT_ABOVE = 1_000
"""Releases a candidate search is given above which DuckDB makes the band join's pairs distinct (``SELECT DISTINCT``);
up to it Python does (a pair comes back once per shared band, twice when both ends are in the batch).

Why: DuckDB's hash aggregate clears a table of some 1.6 MB whatever its rows: a run's batch (at most 200 pages)
finds a few pairs, and the table's fresh pages were 1,650 of a fresh 653-page run's ~9,000 page faults in its loads
(``near_pairs`` 18.0 -> 13.9 ms of thread CPU a run). A backfill's batch of thousands, with its exact copies'
pairs once per band, hands DuckDB's aggregate thousands of rows, which it dedupes for less than Python does."""
GIVEN_CHUNK = 20_000
"""Given signatures (a load batch's, computed by the parse workers) stored at a time: already in memory."""

def backfill_near_duplicates(con: duckdb.DuckDBPyConnection, *, now: datetime, run_id: str,
                             threshold: float = neardup.THRESHOLD) -> int:
    """:func:`link_near_duplicates` over every stored release (after a migration or a scheme change)."""
    ids = [r for (r,) in con.execute("SELECT release_id FROM releases ORDER BY release_id").fetchall()]
    return link_near_duplicates(con, ids, threshold=threshold, now=now, run_id=run_id)


# -- Arrow plumbing ------------------------------------------------------------------------------


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- 1. signatures and bands ---------------------------------------------------------------------


def refresh_signatures(con: duckdb.DuckDBPyConnection, release_ids: list[str], *, now: datetime, run_id: str,
                       given: Mapping[str, tuple[str, np.ndarray]] | None = None) -> int:
    """Compute and store signatures and bands of the given releases whose stored one is missing or stale; returns how many.

    ``given``: release_id -> (content_hash, signature) already computed under the current scheme
    (by the parse workers) for releases just written with that hash: stored as they are, with no
    text read back or hashed here.
    """
    return _refresh(con, release_ids, now=now, run_id=run_id, given=given).count


@dataclass(slots=True)
class _Refreshed:
    """What :func:`_refresh` stored from signatures it was given, kept for the candidate search."""

    count: int = 0
    bands: pa.Table | None = None
    """The (band, bucket, release_id) rows of the given signatures, as written to release_bands."""
    signatures: dict[str, np.ndarray] | None = None
    """release_id -> the given (non-empty) signature, as written to release_signatures."""
    ready: set[str] = field(default_factory=set)
    """The releases whose bands are all in ``bands`` (none for an empty signature)."""


def _refresh(con: duckdb.DuckDBPyConnection, release_ids: list[str], *, now: datetime, run_id: str,
             given: Mapping[str, tuple[str, np.ndarray]] | None = None) -> _Refreshed:
    given = given or {}
    out = _Refreshed()
    ready = sorted(i for i in set(release_ids) if i in given)
    if ready and len(ready) <= GIVEN_CHUNK:
        # One batch's given signatures in one go; their bands and values stay in memory for near_pairs.
        out.bands = _store_signatures(con, [(i, *given[i]) for i in ready], now=now, run_id=run_id)
        out.signatures = {i: given[i][1] for i in ready if len(given[i][1])}
        out.ready = set(ready)
        out.count += len(ready)
    else:
        for chunk in _chunks(ready, GIVEN_CHUNK):
            _store_signatures(con, [(i, *given[i]) for i in chunk], now=now, run_id=run_id)
            out.count += len(chunk)
    for chunk in _chunks(sorted(set(release_ids) - set(ready)), SIGNATURE_CHUNK):
        with registered_ids(con, chunk) as ids:
            stale = con.execute(*inline(
                f"""SELECT r.release_id, r.content_hash, r.title, r.subtitle, r.lead, r.body_text
                    FROM releases r LEFT JOIN release_signatures s USING (release_id)
                    WHERE {keys_in('r.release_id', chunk, ids)}
                      AND (s.release_id IS NULL OR s.content_hash <> r.content_hash OR s.scheme <> ?)
                    ORDER BY r.release_id""",
                [neardup.SCHEME]),
            ).fetchall()
        if stale:
            computed = [(release_id, content_hash, neardup.signature(neardup.release_text(title, subtitle, lead, body)))
                        for release_id, content_hash, title, subtitle, lead, body in stale]
            _store_signatures(con, computed, now=now, run_id=run_id)
            out.count += len(stale)
    return out


def _store_signatures(con: duckdb.DuckDBPyConnection, signed: list[tuple[str, str, np.ndarray]], *,
                      now: datetime, run_id: str) -> pa.Table:
    """Upsert (release_id, content_hash, signature) rows and make their band buckets match; returns the bucket rows."""
    # The list column from one flat array and its offsets: pa.array over a list of numpy arrays walks
    # every value in Python (a tenth of a fresh load's Python time).
    lengths = np.fromiter((len(sig) for _, _, sig in signed), dtype=np.int32, count=len(signed))
    offsets = np.zeros(len(signed) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat = (np.concatenate([np.asarray(sig, dtype=np.uint64) for _, _, sig in signed])
            if offsets[-1] else np.zeros(0, dtype=np.uint64))
    release_ids = pa.array([r for r, _, _ in signed], pa.string())
    signatures = pa.Table.from_pydict(
        {"release_id": release_ids, "content_hash": [h for _, h, _ in signed],
         "minhash": pa.ListArray.from_arrays(_arrow(offsets, pa.int32()), _arrow(flat, pa.uint64()))},
        schema=pa.schema([("release_id", pa.string()), ("content_hash", pa.string()),
                          ("minhash", pa.list_(pa.uint64()))]),
    )
    # Buckets of every non-empty signature at once (short texts have none: never near duplicates).
    banded = np.flatnonzero(lengths)
    if len(banded):
        width = lengths[banded]
        if len(banded) == len(signed) and (width == width[0]).all():
            matrix = neardup.band_matrix(flat.reshape(len(signed), int(width[0])))  # every signature, as stored
        else:
            matrix = neardup.band_matrix(np.vstack([signed[i][2] for i in banded]))
        per_release = matrix.shape[1]
        # Each id once per band as a dictionary column: the batch's ids array with each release's index repeated.
        # Spelling the strings out (105,000 for 5,000 releases, from the array's bytes with numpy) was 20-30 ms
        # a batch, most of it page faults on its byte-sized index arrays; DuckDB reads the same strings either way.
        band_rows = {
            "band": _arrow(np.tile(np.arange(per_release, dtype=np.int16), len(banded)), pa.int16()),
            "bucket": _arrow(matrix.ravel(), pa.uint64()),
            "release_id": pa.DictionaryArray.from_arrays(
                _arrow(np.repeat(banded.astype(np.int32), per_release), pa.int32()), release_ids),
        }
    else:
        band_rows = {"band": [], "bucket": [],
                     "release_id": pa.DictionaryArray.from_arrays(pa.array([], pa.int32()), release_ids)}
    buckets = pa.Table.from_pydict(band_rows, schema=BANDS_ARROW)
    signed_ids = [release_id for release_id, _, _ in signed]
    insert = """INSERT INTO release_signatures (release_id, content_hash, scheme, minhash, computed_at, run_id)
                SELECT release_id, content_hash, ?, minhash, ?, ? FROM {table} {upsert}"""
    if all_new(con, signed_ids):
        # Releases new in this batch have no signature and no bucket yet (arrow.all_new): nothing to ask or
        # delete, and a plain insert, which reads the signatures once: from their own stream, not a copy.
        execute_with(con, signatures, *inline(insert.format(table=STREAM, upsert=""), [neardup.SCHEME, now, run_id]))
    else:
        with registered(con, signatures) as sigs:
            # Buckets are rewritten whole, and only for releases that had a signature (a changed text).
            signed_before = con.execute(
                f"SELECT count(*) FROM release_signatures WHERE {keys_in('release_id', signed_ids, sigs)}"
            ).fetchone()[0]
            if signed_before:
                con.execute(f"DELETE FROM release_bands WHERE {keys_in('release_id', signed_ids, sigs)}")
            # None signed before: a plain insert, without an upsert's probe of the key per row.
            upsert = """ON CONFLICT (release_id) DO UPDATE SET content_hash = excluded.content_hash,
                        scheme = excluded.scheme, minhash = excluded.minhash,
                        computed_at = excluded.computed_at, run_id = excluded.run_id""" if signed_before else ""
            con.execute(*inline(insert.format(table=sigs, upsert=upsert), [neardup.SCHEME, now, run_id]))
    with without_fsst(con, buckets.num_rows):
        execute_with(con, buckets,
                     f"INSERT INTO release_bands (band, bucket, release_id) SELECT band, bucket, release_id FROM {STREAM}")
    return buckets


def _arrow(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    """``pa.array(values, kind)`` of a one-dimensional numpy array of numbers (no nulls), made from its buffer:
    ``pa.array`` of a numpy array imports ``numpy.ma`` to ask whether it is masked (7-10 ms of the run's main
    process, once)."""
    values = np.ascontiguousarray(values, dtype=kind.to_pandas_dtype())
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def _list_values(lists: pa.ChunkedArray) -> np.ndarray:
    """The values of a list column without nulls, in order, as one numpy array.

    What ``lists.combine_chunks().flatten()`` gives, read from each chunk's offsets and child array: a list
    array's ``flatten`` imports ``pyarrow.compute`` (50-60 ms, once a process: inside a load's first near-duplicate
    step that reads stored signatures back).
    """
    parts = []
    for chunk in lists.chunks:
        width = np.int64 if pa.types.is_large_list(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        if len(chunk):
            parts.append(chunk.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_numpy(zero_copy_only=False))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


@contextmanager
def without_fsst(con: duckdb.DuckDBPyConnection, rows: int | None = None) -> Iterator[None]:
    """DuckDB's FSST string compression left out of the block's writes (the setting as it was again after it).

    ``rows``: the rows the block inserts. Fewer than a row group of the run's writer (connection.WRITER_ROW_GROUP,
    the smallest a store's connection uses) fill none, so the insert compresses nothing itself (DuckDB writes a row
    group as the insert fills it; the rest is compressed at the commit or a checkpoint, under the setting then):
    then the setting is left as it is, three statements fewer (read, set, reset; ~0.4 ms a batch of a run).

    For ``release_bands``: its ``release_id`` repeats each id once per band (21 times), so DuckDB always
    stores it as a dictionary; but before choosing, it trained an FSST symbol table on every row group
    it wrote (4,096 rows each with the run's writer): 60% of the bands insert's CPU, for nothing.
    ``band`` and ``bucket`` are integers, which FSST never compresses. The stored rows and their
    compression are the same (tests/unit/store/test_nearlinks.py).
    """
    from govpress.store.connection import WRITER_ROW_GROUP  # (here: connection imports this module's loader)

    if rows is not None and rows < WRITER_ROW_GROUP:
        yield
        return
    (before,) = con.execute("SELECT current_setting('disabled_compression_methods')").fetchone()
    methods = [m.strip() for m in (before or "").split(",") if m.strip()]
    if "fsst" in (m.lower() for m in methods):
        yield
        return
    con.execute(f"SET disabled_compression_methods = '{','.join([*methods, 'fsst'])}'")
    try:
        yield
    finally:
        if methods:
            con.execute(f"SET disabled_compression_methods = '{','.join(methods)}'")
        else:
            con.execute("RESET disabled_compression_methods")


# -- 2. and 3. candidates and links --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """What ordering and linking need to know about one release."""

    release_id: str
    url: str
    content_hash: str
    published_at: datetime | None
    """Naive UTC, as :func:`_facts` reads it (only ever compared with other facts' times)."""
    first_seen_at: datetime
    cluster_id: str

    @property
    def order(self) -> tuple:
        """Earliest publisher first: published_at (undated last), then first_seen_at, then release_id."""
        return (self.published_at is None, self.published_at or self.first_seen_at, self.first_seen_at, self.release_id)


def _facts(con: duckdb.DuckDBPyConnection, ids: Iterable[str],
           read: dict[str, _Facts | None] | None = None) -> dict[str, _Facts]:
    """The facts of the stored releases among ``ids``.

    ``read``: the facts read so far by the caller's steps (None for a release not stored), with no statement
    since that changes ``releases``: only the others are read, and added to it. Why: one linking step
    (:func:`link_near_duplicates`) asked for the facts three times, the later two of mostly the same releases
    (a statement and a registration each, 2-3 ms a batch that found pairs)."""
    ids = set(ids)
    wanted = ids if read is None else ids - read.keys()
    rows = []
    if wanted:  # no statement for nothing (a batch that joined nobody: recluster's facts)
        # Times as naive UTC: DuckDB hands a TIMESTAMPTZ to Python through pytz, 12x slower (most of this read).
        columns = """SELECT release_id, url, content_hash, timezone('UTC', published_at), timezone('UTC', first_seen_at),
                            cluster_id FROM releases"""
        if len(wanted) <= FEW_FACTS and not any("\x00" in i for i in wanted):
            # A few (a batch's pairs' ends) named as constants: no registration of their ids (0.3-0.4 ms).
            rows = con.execute(f"{columns} WHERE release_id IN ({constants(wanted)})").fetchall()
        else:
            with registered_ids(con, wanted) as t:
                rows = con.execute(f"{columns} WHERE {keys_in('release_id', wanted, t)}").fetchall()
    found = {r[0]: _Facts(*r) for r in rows}
    if read is None:
        return found
    read.update(dict.fromkeys(wanted))
    read.update(found)
    return {i: read[i] for i in ids if read[i] is not None}


def near_pairs(con: duckdb.DuckDBPyConnection, release_ids: list[str], threshold: float, *,
               refreshed: _Refreshed | None = None, facts: dict[str, _Facts | None] | None = None
               ) -> dict[tuple[str, str], float]:
    """(later, earlier) -> similarity for every pair of a given release with any stored one at or above ``threshold``.

    Pairs of identical texts (equal content_hash) are left to the exact-duplicate level.
    ``refreshed``: the bands and signatures just stored for some of the releases (a load's given
    ones), used as they are in memory instead of being read back. ``facts``: the releases' facts read so far
    (:func:`_facts`' ``read``).
    """
    mem_bands = refreshed.bands if refreshed is not None and refreshed.bands is not None else None
    # Bands of the releases not in memory: those signed earlier, or just now from their stored text.
    others = sorted(set(release_ids) - (refreshed.ready if refreshed is not None else set()))
    # On a DuckDB connection the bands in memory are read by the statement from their own C stream
    # (arrow.execute_with), the join's build side: copying them into a temporary table first cost a third
    # more (22.7 against 15.5 ms a fresh batch of 5,000).
    stream = mem_bands is not None and copies_in(con)
    # The ids of ``others`` registered only when read (a batch whose bands are all in memory has none).
    with (registered_ids(con, others) if others or mem_bands is None else nullcontext()) as ids, \
            (registered(con, mem_bands) if mem_bands is not None and not stream else nullcontext()) as mem:
        # One scan of release_bands, joined to the given releases' buckets (a self-join scanned it twice).
        probe = []
        copy = mem_bands is not None and not copies_in(con)
        if copy:
            # Copied into DuckDB first (a lake session's registered Arrow view): joined straight from Arrow,
            # DuckDB pushed the stored side's bucket range into pyarrow's scanner as Python ints, which
            # overflow past 2**63 (every other bucket): "OverflowError: Python int too large to convert to C long".
            # A DuckDB connection reads them from their C stream, in which DuckDB pushes nothing down (``stream``).
            con.execute(f"CREATE OR REPLACE TEMP TABLE _govpress_batch_bands AS SELECT band, bucket, release_id FROM {mem}")
            probe.append("SELECT band, bucket, release_id FROM _govpress_batch_bands")
        elif stream:
            probe.append(f"SELECT band, bucket, release_id FROM {STREAM}")
        if others or not probe:
            probe.append(f"SELECT band, bucket, release_id FROM release_bands WHERE {keys_in('release_id', others, ids)}")
        # A run's batch makes its pairs distinct here rather than by a DISTINCT (PAIRS_DISTINCT_ABOVE).
        distinct = len(release_ids) > PAIRS_DISTINCT_ABOVE
        sql = f"""SELECT {"DISTINCT " if distinct else ""}least(a.release_id, b.release_id), greatest(a.release_id, b.release_id)
                  FROM ({' UNION ALL '.join(probe)}) a
                  JOIN release_bands b ON a.band = b.band AND a.bucket = b.bucket AND a.release_id <> b.release_id"""
        candidates = (execute_with(con, mem_bands, sql) if stream else con.execute(sql)).fetchall()
        if not distinct:  # (sorted: an order that depends on the pairs alone)
            candidates = sorted(set(candidates))
        if copy:
            con.execute("DROP TABLE _govpress_batch_bands")
    if not candidates:
        return {}
    involved = sorted({i for pair in candidates for i in pair})
    known = refreshed.signatures if refreshed is not None and refreshed.signatures is not None else {}
    unknown = [i for i in involved if i not in known]
    names: list[str] = []
    matrix = None
    if unknown:  # (every end's signature in memory: a batch pairing only inside itself reads none back)
        stored = _stored_signatures(con, unknown)
        names = stored.column("release_id").to_pylist()
        matrix = _list_values(stored.column("minhash")).reshape(len(names), -1) if names else None
    held = [i for i in involved if i in known]
    if held:  # the signatures just stored, beside those read back
        kept = np.vstack([np.asarray(known[i], dtype=np.uint64) for i in held])
        matrix = kept if matrix is None else np.vstack([matrix, kept])
        names += held
    if matrix is None:
        return {}
    position = {name: i for i, name in enumerate(names)}
    pairs = [(a, b) for a, b in candidates if a in position and b in position]
    if not pairs:
        return {}
    scores = neardup.similarities(matrix[[position[a] for a, _ in pairs]], matrix[[position[b] for _, b in pairs]])
    facts = _facts(con, involved, facts)
    found: dict[tuple[str, str], float] = {}
    for (a, b), score in zip(pairs, scores, strict=True):
        if score < threshold or a not in facts or b not in facts or facts[a].content_hash == facts[b].content_hash:
            continue
        earlier, later = sorted((facts[a], facts[b]), key=lambda f: f.order)
        found[(later.release_id, earlier.release_id)] = float(score)
    return found


def _stored_signatures(con: duckdb.DuckDBPyConnection, release_ids: list[str]) -> pa.Table:
    """(release_id, minhash) of the given releases' stored non-empty signatures of the current scheme.

    A few (a batch's pairs' stored ends, :data:`FEW_FACTS` at most) are named in the statement as constants, as
    :func:`_facts` names them: no registration of their ids, a statement fewer (0.4-0.6 ms) in a batch that pairs
    with stored releases."""
    def read(ids_in: str) -> pa.Table:
        stored = con.execute(f"""SELECT release_id, minhash FROM release_signatures
                                 WHERE {ids_in} AND scheme = {quote(neardup.SCHEME)} AND len(minhash) > 0""").arrow()
        # (DuckDB may stream it: read here, while registered ids are.)
        return stored.read_all() if isinstance(stored, pa.RecordBatchReader) else stored

    if len(release_ids) <= FEW_FACTS and not any("\x00" in i for i in release_ids):
        return read(f"release_id IN ({constants(release_ids)})")
    with registered_ids(con, release_ids) as ids:
        return read(keys_in("release_id", release_ids, ids))


def _write_links(
    con: duckdb.DuckDBPyConnection, release_ids: list[str], found: dict[tuple[str, str], float],
    *, now: datetime, run_id: str, facts: dict[str, _Facts | None] | None = None,
) -> tuple[int, set[str]]:
    """Make the near_duplicate links touching ``release_ids`` equal ``found``; returns (links added or rescored, ends of removed links).

    ``facts``: the releases' facts read so far (:func:`_facts`' ``read``)."""
    existing: dict[tuple[str, str], float] = {}
    fresh = all_new(con, release_ids)  # releases new in this batch: no link of theirs is stored (arrow.all_new)
    if not fresh:
        with registered_ids(con, release_ids) as ids:
            existing = {
                (a, b): score for a, b, score in con.execute(*inline(
                    f"""SELECT release_id, other_id, score FROM release_links WHERE kind = ?
                          AND ({keys_in('release_id', release_ids, ids)} OR {keys_in('other_id', release_ids, ids)})""",
                    [NEAR_DUPLICATE]),
                ).fetchall()
            }
    gone = [pair for pair in existing if pair not in found]
    wanted = {pair: score for pair, score in found.items() if existing.get(pair) != score}
    if gone:
        table = pa.Table.from_pydict({"release_id": [a for a, _ in gone], "other_id": [b for _, b in gone]}, schema=PAIRS)
        # Each of these tables is read by one statement: from its own C stream (arrow.execute_with), not copied
        # into a temporary table first (a statement fewer each).
        execute_with(con, table, *inline(
            f"DELETE FROM release_links WHERE kind = ? AND (release_id, other_id) IN (SELECT (release_id, other_id) FROM {STREAM})",
            [NEAR_DUPLICATE]),
        )
    if wanted:
        urls = {f.release_id: f.url for f in _facts(con, {b for _, b in wanted}, facts).values()}
        table = pa.Table.from_pydict({
            "release_id": [a for a, _ in wanted], "other_id": [b for _, b in wanted],
            "score": list(wanted.values()), "other_url": [urls.get(b) for _, b in wanted],
        }, schema=SCORED_LINKS)
        # Every pair found has one end among ``release_ids``: with those all new, a plain insert.
        upsert = "" if fresh else "ON CONFLICT (release_id, other_id, kind) DO UPDATE SET score = excluded.score"
        execute_with(con, table, *inline(
            f"""INSERT INTO release_links (release_id, other_id, kind, score, other_url, first_seen_at, run_id)
                SELECT release_id, other_id, ?, score, other_url, ?, ? FROM {STREAM} {upsert}""",
            [NEAR_DUPLICATE, now, run_id]),
        )
    return len(wanted), {i for pair in gone for i in pair}


# -- 4. clusters ---------------------------------------------------------------------------------


def _component_edges(
    con: duckdb.DuckDBPyConnection, seeds: set[str], pointing: set[str] | None = None
) -> tuple[set[str], list[tuple[str, str]], set[tuple[str, str]]]:
    """The seeds' components: (releases, links that join, near links).

    Near links and exact links whose two ends still share a text join releases. An exact link
    whose ends no longer share a text (one was edited) joins nothing, but is still walked: the
    release at its other end may hold a cluster_id that the edit made stale.

    ``pointing``: when given, filled with the seeds whose cluster_id is not their own release_id,
    read by the first step's statement (what :func:`recluster` asks of the seeds no link joins).
    """
    nodes, frontier, edges, near = set(seeds), set(seeds), set(), set()
    while frontier:
        # The links first, then their ends' texts, in a small file too: the one statement joining releases twice
        # to the links cost 1.4 ms a batch on a 653-release file, where the links alone cost 0.7 and most batches
        # of new releases have no link to look up the ends of (a statement fewer).
        rows = _component_links(con, frontier, pointing)
        pointing = None  # (the seeds: the first step's frontier)
        edges.update((a, b) for a, b, kind, same_text in rows if kind == NEAR_DUPLICATE or same_text)
        near.update((a, b) for a, b, kind, _ in rows if kind == NEAR_DUPLICATE)
        reached = {i for a, b, _, _ in rows for i in (a, b)}
        frontier = reached - nodes
        nodes |= reached
    return nodes, sorted(edges), near


def _component_links(con: duckdb.DuckDBPyConnection, frontier: set[str], pointing: set[str] | None = None
                     ) -> list[tuple[str, str, str, bool]]:
    """(release_id, other_id, kind, same text) of the near and exact links touching ``frontier``, read by id.

    ``pointing``: when given, filled with the releases of ``frontier`` whose cluster_id is not their own release_id,
    read by the same statement (rows of their own, the kind NULL: a statement fewer than recluster's own read).
    """
    with registered_ids(con, frontier) as f:
        sql = f"""SELECT release_id, other_id, kind FROM release_links WHERE kind IN (?, 'exact_duplicate')
                  AND ({keys_in("release_id", frontier, f)} OR {keys_in("other_id", frontier, f)})"""
        if pointing is not None:
            sql += f""" UNION ALL SELECT release_id, NULL, NULL FROM releases
                        WHERE {keys_in("release_id", frontier, f)} AND cluster_id <> release_id"""
        links = con.execute(*inline(sql, [NEAR_DUPLICATE])).fetchall()
    if pointing is not None:
        pointing.update(a for a, _, kind in links if kind is None)
        links = [link for link in links if link[2] is not None]
    # The ends' texts looked up by id (joining releases twice to the links scanned it whole per step).
    hashes = _content_hashes(con, {i for a, b, _ in links for i in (a, b)})
    return [(a, b, kind, hashes[a] is not None and hashes[a] == hashes[b])
            for a, b, kind in links if a in hashes and b in hashes]


def _content_hashes(con: duckdb.DuckDBPyConnection, ids: set[str]) -> dict[str, str | None]:
    """release_id -> content_hash of the given stored releases."""
    if not ids:
        return {}
    if len(ids) <= FEW_FACTS and not any("\x00" in i for i in ids):  # a few: as constants, no registration
        return dict(con.execute(f"SELECT release_id, content_hash FROM releases WHERE release_id IN ({constants(ids)})").fetchall())
    with registered_ids(con, ids) as t:
        return dict(con.execute(f"SELECT release_id, content_hash FROM releases WHERE {keys_in('release_id', ids, t)}").fetchall())


def _roots(nodes: set[str], edges: list[tuple[str, str]], facts: dict[str, _Facts]) -> dict[str, str]:
    """release_id -> release_id of the earliest release of its connected component (union-find)."""
    parent = {n: n for n in nodes}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            # Keep the earlier release as the representative, so the root IS the component's first publisher.
            first, second = (ra, rb) if facts[ra].order <= facts[rb].order else (rb, ra)
            parent[second] = first
    return {n: find(n) for n in nodes}


def cluster_assignments(
    facts: dict[str, _Facts], edges: list[tuple[str, str]], near_edges: set[tuple[str, str]]
) -> dict[str, str]:
    """release_id -> the cluster_id it should have, for the releases whose cluster_id must change (pure).

    A component with a near_duplicate link points at its earliest release. A component of
    exact copies only keeps the cluster the exact-duplicate level gave it (the first STORED
    holder of the text), unless a member points outside the component (a near link that
    joined it to another release is gone): then it, too, points at its earliest release.
    """
    roots = _roots(set(facts), edges, facts)
    members: dict[str, set[str]] = {}
    for node, root in roots.items():
        members.setdefault(root, set()).add(node)
    near_roots = {roots[a] for a, _ in near_edges if a in roots}
    out: dict[str, str] = {}
    for root, group in members.items():
        if root not in near_roots and all(facts[m].cluster_id in group for m in group):
            continue
        out.update({m: root for m in group if facts[m].cluster_id != root})
    return out


def recluster(con: duckdb.DuckDBPyConnection, seeds: set[str], facts: dict[str, _Facts | None] | None = None) -> int:
    """Fix cluster_id in the components of the seeds (see :func:`cluster_assignments`); returns rows changed.

    A release joined to nobody is a component of its own, whose cluster is itself: only those
    pointing elsewhere change, found in SQL. The facts (and the component rule) are read for the
    releases that links join, a few of a fresh batch, not for all of it. ``facts``: the releases' facts read so far
    (:func:`_facts`' ``read``; the update below changes them, so the caller reads none after it).
    """
    pointing: set[str] = set()
    nodes, edges, near_edges = _component_edges(con, seeds, pointing)
    joined = {i for edge in edges for i in edge}
    facts = _facts(con, joined, facts)
    edges = [(a, b) for a, b in edges if a in facts and b in facts]
    changes = cluster_assignments(facts, edges, near_edges)
    # The releases no link joins whose cluster is not their own: the seeds' as the components' first statement read
    # them, the others' (reached by a link that joins nothing) read here.
    changes.update({i: i for i in sorted(pointing - joined)})
    unread = nodes - joined - seeds
    if unread:
        with registered_ids(con, unread) as alone:
            changes.update({i: i for (i,) in con.execute(
                f"""SELECT release_id FROM releases WHERE {keys_in('release_id', unread, alone)}
                    AND cluster_id <> release_id""").fetchall()})
    if not changes:
        return 0
    table = pa.Table.from_pydict({"release_id": list(changes), "cluster_id": list(changes.values())},
                                 schema=pa.schema([("release_id", pa.string()), ("cluster_id", pa.string())]))
    # (One statement reads the table: from its own C stream, arrow.execute_with.)
    return int(execute_with(
        con, table, f"""UPDATE releases SET cluster_id = t.cluster_id FROM {STREAM} t WHERE releases.release_id = t.release_id"""
    ).fetchone()[0])


# -- the one call --------------------------------------------------------------------------------


def link_near_duplicates(
    con: duckdb.DuckDBPyConnection,
    release_ids: list[str],
    *,
    threshold: float = neardup.THRESHOLD,
    now: datetime,
    run_id: str,
    signatures: Mapping[str, tuple[str, np.ndarray]] | None = None,
    exact_linked: Collection[str] | None = None,
) -> int:
    """Signatures, near_duplicate links and clusters for just-loaded releases; returns links added or rescored.

    ``signatures``: those the parse workers computed (see :func:`refresh_signatures`). ``exact_linked``: the releases
    at either end of the exact_duplicate links the load wrote in this transaction, when the caller knows them
    (the load's plan); None when not known.

    Runs in the caller's transaction (no BEGIN/COMMIT here): wrap it with the load that wrote
    the releases, or in a transaction of its own. Idempotent and independent of load order.
    Ids that are not stored are ignored.
    """
    ids = sorted(set(release_ids))
    if not ids:
        return 0
    refreshed = _refresh(con, ids, now=now, run_id=run_id, given=signatures)
    # The releases' facts read once for the three steps: none of them changes ``releases`` before recluster's update.
    facts: dict[str, _Facts | None] = {}
    found = near_pairs(con, ids, threshold, refreshed=refreshed, facts=facts)
    written, split = _write_links(con, ids, found, now=now, run_id=run_id, facts=facts)
    if not found and exact_linked is not None and exact_linked.isdisjoint(ids) and all_new(con, ids):
        # New releases that no link joins: each is its own cluster. A link naming a release new in this batch was
        # written in this transaction (arrow.all_new): none near (no pair found), none exact (the load's plan), and
        # the exact level gives a release another's cluster only with its link. So recluster would find no link and
        # no release pointing elsewhere (1.1-1.6 ms a batch: its statement and the batch's ids registered).
        return written
    recluster(con, set(ids) | split | {i for pair in found for i in pair}, facts)
    return written
