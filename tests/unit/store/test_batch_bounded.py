"""A batch's linking reads what the batch touches, not the whole file (bench/bench_growth.py, docs/scale.md).

The statements timed there hash-joined whole tables for a batch of 40 releases: ``releases`` twice
against every version (copies of older versions), against every link (components, syndication,
translations). They now read the batch's rows by their ids (constants: an ART lookup on a key) and
the rest by the ids those rows name. These tests count the rows DuckDB's table scans hand on (its
profiler's ``operator_cardinality``) in a file of a few hundred releases, and check that the results
are the same as through the semi-join form (``keys_in`` above its limit) and with awkward ids. What is
still read whole per batch (a column of hashes, ``release_bands``' buckets) is in docs/scale.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from store_factories import T0, release

from govpress import events
from govpress.store import LoadBatch, Store, arrow, nearlinks

FILLER = 400


def _id(n: int, mark: str = "") -> str:
    """Ids spread over the whole key range (as the real ones, hashes), so a scan's min/max filter prunes nothing."""
    return hashlib.md5(str(n).encode()).hexdigest()[:16] + mark


def _body(n: int) -> str:
    return " ".join(f"word{n}x{k} part{(n * 7 + k) % 97}" for k in range(60))


class Profiled:
    """A connection that keeps every table scan of its statements: (table, rows handed on, columns read)."""

    def __init__(self, con) -> None:
        self._con = con
        self.scans: list[tuple[str, int, set[str]]] = []
        con.execute("PRAGMA enable_profiling = 'no_output'")

    def wide(self, table: str, rows: int) -> list[tuple[str, int, set[str]]]:
        """Scans of ``table`` that handed on more than ``rows`` rows with more than a key and a hash column."""
        return [s for s in self.scans if s[0] == table and s[1] > rows and s[2] - {"release_id", "content_hash"}]

    def rows(self, table: str) -> int:
        return max((s[1] for s in self.scans if s[0] == table), default=0)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, sql, *args):
        result = self._con.execute(sql, *args)
        rows = result.fetchall() if result.description else []
        self._walk(json.loads(self._con.get_profiling_information(format="json")))
        self._rows = rows
        return self

    def fetchall(self):
        return self._rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def _walk(self, node) -> None:
        if node.get("operator_type") == "TABLE_SCAN":
            info = node.get("extra_info", {})
            projections = info.get("Projections", [])
            self.scans.append((str(info.get("Table", "")).rsplit(".", 1)[-1], int(node.get("operator_cardinality", 0)),
                               set([projections] if isinstance(projections, str) else projections)))
        for child in node.get("children", []):
            self._walk(child)


@pytest.fixture()
def store(tmp_path) -> Store:
    """FILLER unrelated releases; an original (an id with a quote), edited, and a copy of its first text by another publisher."""
    s = Store(tmp_path / "g.duckdb")
    s.migrate()
    filler = [release(_id(n), _body(n), title=f"Title {n}", source_id="filler") for n in range(FILLER)]
    for start in range(0, FILLER, 200):
        s.load_batch(LoadBatch(run_id="r1", source_id="filler", releases=filler[start:start + 200]))
    s.load_batch(LoadBatch(run_id="r1", source_id="gov_ru", releases=[release(ORIGINAL, _body(9999), title="Visit")]))
    s.load_batch(LoadBatch(run_id="r2", source_id="gov_ru",
                           releases=[release(ORIGINAL, _body(8888), title="Visit (rewritten)",
                                             seen_at=T0 + timedelta(days=1))]))
    # Found after the edit, still with the first text: a cluster of its own, a copy of an older version.
    s.load_batch(LoadBatch(run_id="r3", source_id="agency_ru",
                           releases=[release(COPY, _body(9999), title="Visit", source_id="agency_ru",
                                             seen_at=T0 + timedelta(days=2))]))
    return s


ORIGINAL = _id(10_001, "o'rig")
COPY = _id(10_002, "-copy")
BATCH = [ORIGINAL, COPY] + [_id(n) for n in range(0, FILLER, 97)]


def test_keys_in_writes_constants_quoted_and_falls_back_to_the_semi_join():
    assert arrow.keys_in("r.release_id", ["a"], "t") == "r.release_id IN (SELECT release_id FROM t)"  # a small file
    with arrow.reads_by_id(True):
        _keys_in_by_id()


def _keys_in_by_id():
    assert arrow.keys_in("r.release_id", ["b", "a'x", None, "b"], "t") == "r.release_id IN ('a''x', 'b')"
    assert arrow.keys_in("r.release_id", [], "t") == "FALSE"
    many = [str(n) for n in range(arrow.LITERAL_KEYS_MAX + 1)]
    assert arrow.keys_in("c", many, "t", "cluster_id") == "c IN (SELECT cluster_id FROM t)"
    assert arrow.keys_in("c", ["a\x00b"], "t") == "c IN (SELECT release_id FROM t)"


def test_copies_of_older_versions_read_by_the_batch_and_found_as_before(store, monkeypatch):
    with store.writer() as con, arrow.reads_by_id(True):
        profiled = Profiled(con)
        pairs = events._copies_of_older_versions(profiled, BATCH)
        found = sorted((c.release_id, o.release_id) for c, o in pairs)
        assert found == [(COPY, ORIGINAL)]  # the copy still holds the original's first text
        # Without the fix one query joined releases twice to every version: every release went through with
        # its facts. Now the batch's rows are index lookups, and what scans a table reads a hash column only.
        assert not profiled.wide("releases", FILLER // 4) and not profiled.wide("release_versions_stored", FILLER // 4)
        monkeypatch.setattr(arrow, "LITERAL_KEYS_MAX", 0)  # the semi-join form: the same pairs
        assert sorted((c.release_id, o.release_id) for c, o in events._copies_of_older_versions(con, BATCH)) == found
        assert sorted((c.release_id, o.release_id) for c, o in events._copies_of_older_versions(con, [ORIGINAL])) == found
        assert sorted((c.release_id, o.release_id) for c, o in events._copies_of_older_versions(con, [COPY])) == found
        with arrow.reads_by_id(False):  # a small file's single statement: the same pairs
            assert sorted((c.release_id, o.release_id) for c, o in events._copies_of_older_versions(con, BATCH)) == found


def test_components_read_links_and_texts_by_id(store, monkeypatch):
    with store.writer() as con, arrow.reads_by_id(True):
        # A batch's links name more releases than DuckDB turns into a filter inside the scan (50).
        pairs = [(_id(2 * k + 1), _id(2 * k)) for k in range(60)]
        con.execute("""INSERT INTO release_links (release_id, other_id, kind, score, other_url, first_seen_at, run_id)
                       VALUES (?, ?, 'exact_duplicate', 1.0, 'u', now(), 'r')""", [COPY, ORIGINAL])
        con.executemany("""INSERT INTO release_links (release_id, other_id, kind, score, other_url, first_seen_at, run_id)
                           VALUES (?, ?, 'near_duplicate', 0.9, 'u', now(), 'r')""", pairs)
        seeds = {ORIGINAL} | {a for a, _ in pairs}
        profiled = Profiled(con)
        nodes, edges, near = nearlinks._component_edges(profiled, seeds)
        assert (COPY, ORIGINAL) not in edges and {COPY, ORIGINAL} <= nodes  # walked, but their texts differ
        assert edges == sorted(pairs) and near == set(pairs)
        # Each step reads the ends by id (DuckDB also narrowed the old join's scan here, by the links' ids: the
        # million-release bench is where the join cost 0.1 s a step).
        assert 0 < profiled.rows("releases") < FILLER // 2
        monkeypatch.setattr(arrow, "LITERAL_KEYS_MAX", 0)
        assert nearlinks._component_edges(con, seeds) == (nodes, edges, near)
        with arrow.reads_by_id(False):
            assert nearlinks._component_edges(con, seeds) == (nodes, edges, near)


def test_a_batch_with_quoted_ids_links_as_the_semi_join_does(tmp_path, monkeypatch):
    """Near duplicates, syndication and clusters of releases whose ids need quoting, both ways."""
    def load(folder, above):
        monkeypatch.setattr(arrow, "BY_ID_ABOVE", above)  # -1: every load reads by id
        s = Store(tmp_path / folder / "q.duckdb")
        s.migrate()
        base = _body(1)
        rows = [release("it's-1", base, title="Visit", source_id="gov_ru"),
                release("it's-2", base + " One more sentence here.", title="Visit", source_id="agency_ru",
                        seen_at=T0 + timedelta(hours=1)),
                release("it's-3", base, title="Visit", source_id="outlet_ru", seen_at=T0 + timedelta(hours=2))]
        for row in rows:
            s.load_batch(LoadBatch(run_id="r1", source_id=row.source_id, releases=[row]))
        with s.writer() as con:
            return (sorted(con.execute("SELECT release_id, other_id, kind FROM release_links").fetchall()),
                    sorted(con.execute("SELECT release_id, cluster_id FROM releases").fetchall()))

    literal, semi = load("literal", -1), load("semi", 10**9)
    assert literal == semi
    assert ("it's-3", "it's-1", "syndication") in literal[0]
