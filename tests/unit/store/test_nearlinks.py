"""Near-duplicate links and clusters in the store (govpress.store.nearlinks): links, clusters, order, idempotency, migration."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from store_factories import at, batch, duckdb_statements, release, table_rows

from govpress.dedupe import neardup
from govpress.demo.localsite.generator import generate_site
from govpress.store import LATEST_VERSION, ReleaseRow, Store, load_fts
from govpress.store import load, migrations
from govpress.store.nearlinks import cluster_assignments, link_near_duplicates
from neardup_corpus import ORIGINAL, PARAGRAPHS  # noqa: F401  (shared text)

NOW = datetime(2024, 3, 2, 12, 0, tzinfo=timezone.utc)



def edited(text: str, index: int, replacement: str) -> str:
    paragraphs = text.split("\n\n")
    paragraphs[index] = replacement
    return "\n\n".join(paragraphs)


# A syndicated copy (one paragraph rewritten), and a copy of the copy that drifted further (J to ORIGINAL < 0.8).
COPY = edited(ORIGINAL, 3, "Министр подчеркнул, что ведомство продолжит работу по повышению эффективности расходов бюджета.")
COPY_OF_COPY = edited(COPY, 9, "Кроме того, участники затронули вопросы цифровизации налогового администрирования и таможни.")
UNRELATED = "\n\n".join(
    f"Президент подписал указ номер {n} о проведении национальной переписи населения в следующем году в регионе {n}."
    for n in range(12)
)


def ministry(release_id: str = "minfin-1", body: str = ORIGINAL, **kwargs) -> ReleaseRow:
    return release(release_id, body, title="Встреча с делегацией ЕБРР", source_id="minfin", **kwargs)


def agency(release_id: str, body: str, **kwargs) -> ReleaseRow:
    return release(release_id, body, title="Встреча с делегацией ЕБРР", source_id="agency", **kwargs)


def near_link_count(store: Store) -> int:
    return table_rows(store, "SELECT count(*) FROM release_links WHERE kind = 'near_duplicate'")[0][0]


def load_and_link(store: Store, *rows: ReleaseRow, run_id: str = "run-1") -> int:
    """What the loader does: load a batch, linking its new and changed releases in the same transaction.

    Returns the near-duplicate links the load added; a second explicit linking pass must add none.
    """
    before = near_link_count(store)
    store.load_batch(batch(*rows, run_id=run_id, source_id=rows[0].source_id))
    added = near_link_count(store) - before
    assert link(store, [r.release_id for r in rows], run_id=run_id) == 0
    return added


def link(store: Store, ids: list[str], run_id: str = "run-1", **kwargs) -> int:
    with store.writer() as con:
        con.begin()
        written = link_near_duplicates(con, ids, now=NOW, run_id=run_id, **kwargs)
        con.commit()
    return written


def links(store: Store) -> list[tuple]:
    """The near-duplicate level's links (syndication links across publishers are govpress/events.py's, tested there)."""
    return table_rows(store, "SELECT release_id, other_id, kind FROM release_links WHERE kind <> 'syndication' ORDER BY ALL")


def clusters(store: Store) -> dict[str, str]:
    return dict(table_rows(store, "SELECT release_id, cluster_id FROM releases ORDER BY release_id"))


def test_texts_used_here_are_what_they_claim() -> None:
    # The fixtures' premises, checked with the exact Jaccard similarity rather than assumed.
    assert neardup.jaccard(ORIGINAL, COPY) > 0.82
    assert neardup.jaccard(COPY, COPY_OF_COPY) > 0.82
    assert neardup.jaccard(ORIGINAL, COPY_OF_COPY) < 0.76
    assert neardup.jaccard(ORIGINAL, UNRELATED) < 0.05


def test_a_syndicated_copy_links_to_the_first_publisher_and_joins_its_cluster(store: Store) -> None:
    assert load_and_link(store, ministry(published_at=at(0))) == 0
    assert load_and_link(store, agency("agency-1", COPY, published_at=at(2)), agency("agency-2", UNRELATED)) == 1

    row = table_rows(store, "SELECT release_id, other_id, kind, score, other_url, run_id FROM release_links WHERE kind <> 'syndication'")
    assert len(row) == 1
    release_id, other_id, kind, score, other_url, run_id = row[0]
    assert (release_id, other_id, kind, other_url, run_id) == (
        "agency-1", "minfin-1", "near_duplicate", "https://gov.example/minfin/minfin-1", "run-1")
    assert neardup.THRESHOLD <= score < 1.0
    assert clusters(store) == {"agency-1": "minfin-1", "agency-2": "agency-2", "minfin-1": "minfin-1"}
    # The analyst's view collapses the copy into its first publisher.
    assert table_rows(store, "SELECT cluster_id, release_id, source_id, n_copies FROM unique_releases ORDER BY ALL") == [
        ("agency-2", "agency-2", "agency", 1), ("minfin-1", "minfin-1", "minfin", 2)]
    assert table_rows(store, "SELECT count(*), count(*) FILTER (WHERE len(minhash) = 128) FROM release_signatures") == [(3, 3)]
    assert table_rows(store, "SELECT count(DISTINCT release_id), count(*) FROM release_bands") == [(3, 3 * neardup.BANDS)]


def test_the_earlier_publication_wins_whatever_was_loaded_first(store: Store) -> None:
    load_and_link(store, agency("agency-1", COPY, published_at=at(5)))
    load_and_link(store, ministry(published_at=at(1)))
    assert links(store) == [("agency-1", "minfin-1", "near_duplicate")]
    assert clusters(store) == {"agency-1": "minfin-1", "minfin-1": "minfin-1"}


def test_undated_releases_come_after_dated_ones(store: Store) -> None:
    load_and_link(store, ministry(published_at=None, seen_at=at(0)), agency("agency-1", COPY, published_at=at(9)))
    assert links(store) == [("minfin-1", "agency-1", "near_duplicate")]
    assert clusters(store)["minfin-1"] == "agency-1"


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_links_and_clusters_do_not_depend_on_load_order(tmp_path: Path, migrated_template: Path, order: tuple) -> None:
    rows = [ministry(published_at=at(0)), agency("agency-1", COPY, published_at=at(1)),
            release("paper-1", COPY_OF_COPY, title="Встреча с делегацией ЕБРР", source_id="paper", published_at=at(2))]
    reference = Store(tmp_path / "reference.duckdb")
    reference.path.write_bytes(migrated_template.read_bytes())
    for row in rows:
        load_and_link(reference, row)
    store = Store(tmp_path / "permuted.duckdb")
    store.path.write_bytes(migrated_template.read_bytes())
    for index in order:
        load_and_link(store, rows[index])

    # The copy of the copy is linked to the copy only (too far from the original) but still clusters with it.
    assert links(store) == [("agency-1", "minfin-1", "near_duplicate"), ("paper-1", "agency-1", "near_duplicate")]
    assert set(clusters(store).values()) == {"minfin-1"}
    assert store.checksum() == reference.checksum()


def test_linking_twice_changes_nothing(store: Store) -> None:
    load_and_link(store, ministry(published_at=at(0)), agency("agency-1", COPY, published_at=at(1)))
    before = store.checksum()
    computed = table_rows(store, "SELECT release_id, computed_at, run_id FROM release_signatures ORDER BY 1")
    assert link(store, ["minfin-1", "agency-1"], run_id="run-2") == 0
    assert store.checksum() == before
    assert table_rows(store, "SELECT release_id, computed_at, run_id FROM release_signatures ORDER BY 1") == computed
    assert table_rows(store, "SELECT DISTINCT run_id FROM release_links") == [("run-1",)]


def test_exact_copies_stay_exact_and_join_the_near_cluster(store: Store) -> None:
    load_and_link(store, ministry(published_at=at(0)))
    load_and_link(store, agency("agency-1", COPY, published_at=at(1)))
    # An exact copy of the agency's text on a third site: the exact level links it, this level adds a near link
    # to the original (its text is as near as the agency's) and nothing between the identical pair.
    load_and_link(store, release("paper-1", COPY, title="Встреча с делегацией ЕБРР", source_id="paper", published_at=at(2)))
    assert links(store) == [
        ("agency-1", "minfin-1", "near_duplicate"),
        ("paper-1", "agency-1", "exact_duplicate"),
        ("paper-1", "minfin-1", "near_duplicate"),
    ]
    assert set(clusters(store).values()) == {"minfin-1"}
    assert table_rows(store, "SELECT cluster_id, n_copies FROM unique_releases") == [("minfin-1", 3)]


def test_an_exact_only_cluster_keeps_the_exact_levels_choice(store: Store) -> None:
    # The exact level makes the first STORED holder the cluster (govpress.store.load); linking must not undo that.
    load_and_link(store, ministry("minfin-1", published_at=at(5)))
    load_and_link(store, agency("agency-1", ORIGINAL, published_at=at(1)))
    assert links(store) == [("agency-1", "minfin-1", "exact_duplicate")]
    assert clusters(store) == {"agency-1": "minfin-1", "minfin-1": "minfin-1"}


def test_an_edit_that_ends_the_likeness_removes_the_link_and_splits_the_cluster(store: Store) -> None:
    load_and_link(store, ministry(published_at=at(0)))
    load_and_link(store, agency("agency-1", COPY, published_at=at(1)))
    load_and_link(store, release("paper-1", COPY_OF_COPY, title="Встреча с делегацией ЕБРР", source_id="paper",
                                 published_at=at(2)))
    assert set(clusters(store).values()) == {"minfin-1"}

    # The agency replaces its page with another story: a new version of agency-1.
    load_and_link(store, agency("agency-1", UNRELATED, published_at=at(1), seen_at=at(30)), run_id="run-2")
    assert links(store) == []
    assert clusters(store) == {"agency-1": "agency-1", "minfin-1": "minfin-1", "paper-1": "paper-1"}
    assert table_rows(store, "SELECT content_hash = (SELECT content_hash FROM releases WHERE release_id = 'agency-1') "
                             "FROM release_signatures WHERE release_id = 'agency-1'") == [(True,)]
    # The old text's buckets are gone: only the new text's remain.
    assert table_rows(store, "SELECT count(*) FROM release_bands WHERE release_id = 'agency-1'") == [(neardup.BANDS,)]


def test_an_exact_copy_left_behind_by_an_edit_becomes_its_own_cluster(store: Store) -> None:
    load_and_link(store, ministry(published_at=at(0)))
    load_and_link(store, agency("agency-1", ORIGINAL, published_at=at(1)))
    assert clusters(store) == {"agency-1": "minfin-1", "minfin-1": "minfin-1"}
    # The ministry rewrites its page; the agency still holds the old text, of which it is now the only holder.
    load_and_link(store, ministry(body=UNRELATED, published_at=at(0), seen_at=at(30)), run_id="run-2")
    assert clusters(store) == {"agency-1": "agency-1", "minfin-1": "minfin-1"}


def test_short_texts_are_never_near_duplicates(store: Store) -> None:
    load_and_link(store, ministry(body="Фоторепортаж с заседания.", published_at=at(0)),
                  agency("agency-1", "Фоторепортаж с заседания правительства.", published_at=at(1)))
    assert links(store) == []
    assert table_rows(store, "SELECT count(*) FILTER (WHERE len(minhash) = 0) FROM release_signatures") == [(2,)]
    assert table_rows(store, "SELECT count(*) FROM release_bands") == [(0,)]


def test_a_higher_threshold_drops_weaker_links(store: Store) -> None:
    load_and_link(store, ministry(published_at=at(0)), agency("agency-1", COPY, published_at=at(1)))
    score = table_rows(store, "SELECT score FROM release_links WHERE kind = 'near_duplicate'")[0][0]
    link(store, ["agency-1"], threshold=min(1.0, score + 0.01))
    assert links(store) == []
    assert clusters(store)["agency-1"] == "agency-1"


def test_it_runs_in_the_callers_transaction(store: Store) -> None:
    store.load_batch(batch(ministry(published_at=at(0)), agency("agency-1", COPY, published_at=at(1))))
    with store.writer() as con:  # undo what the load linked, to watch the linker alone
        con.execute("DELETE FROM release_links; DELETE FROM release_bands; DELETE FROM release_signatures;"
                    "UPDATE releases SET cluster_id = release_id")
    with store.writer() as con:
        con.begin()
        assert link_near_duplicates(con, ["minfin-1", "agency-1", "not-stored"], now=NOW, run_id="run-1") == 1
        con.rollback()
    assert links(store) == []
    assert table_rows(store, "SELECT count(*) FROM release_signatures") == [(0,)]
    assert clusters(store)["agency-1"] == "agency-1"


def test_cluster_assignments_pick_the_earliest_of_each_near_component() -> None:
    from govpress.store.nearlinks import _Facts

    def fact(rid: str, hour: float | None, cluster: str) -> _Facts:
        return _Facts(rid, f"u/{rid}", f"h-{rid}", at(hour) if hour is not None else None, at(0), cluster)

    facts = {f.release_id: f for f in [fact("a", 3, "a"), fact("b", 1, "b"), fact("c", None, "c"),
                                       fact("x", 0, "y"), fact("y", 2, "y"), fact("z", 4, "a")]}
    edges = [("a", "b"), ("c", "a"), ("x", "y")]
    changes = cluster_assignments(facts, edges, near_edges={("a", "b"), ("c", "a")})
    # {a, b, c} has near links: b (earliest) is the root. {x, y} is exact-only and consistent: left alone.
    # z points at a, outside its own (single) component: back to itself.
    assert changes == {"a": "b", "c": "b", "z": "z"}


def test_a_file_from_before_near_duplicates_is_backfilled_on_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    load_fts(con)
    assert migrations.migrate(con, target=2) == 2
    load.load_batch(con, batch(ministry(published_at=at(0)), agency("agency-1", COPY, published_at=at(1)),
                               agency("agency-2", UNRELATED, published_at=at(2))))
    con.close()

    store = Store(path)
    assert store.migrate() == LATEST_VERSION >= 3
    assert links(store) == [("agency-1", "minfin-1", "near_duplicate")]
    assert clusters(store) == {"agency-1": "minfin-1", "agency-2": "agency-2", "minfin-1": "minfin-1"}
    assert table_rows(store, "SELECT DISTINCT run_id FROM release_links WHERE kind <> 'syndication'") == [("schema-migration-3",)]
    assert table_rows(store, "SELECT count(*) FROM release_signatures") == [(3,)]
    comments = table_rows(store, """
        SELECT table_name, column_name, comment FROM duckdb_columns()
        WHERE table_name IN ('release_signatures', 'release_bands')""")
    assert len(comments) == 9 and all((c or "").strip() for _, _, c in comments)
    assert all((c or "").strip() for (c,) in table_rows(
        store, "SELECT comment FROM duckdb_tables() WHERE table_name IN ('release_signatures', 'release_bands')"))


def test_the_generated_sites_syndicated_copies_are_found_and_nothing_else(tmp_path: Path, store: Store) -> None:
    manifest = generate_site(tmp_path / "site", per_source=40)
    expected = {(r.id, r.copy_of) for r in manifest.releases() if r.copy_of}
    assert len(expected) >= 3
    for name, publisher in manifest.publishers.items():
        rows = [
            # Ministry pages show the lead apart; agency pages open their body with a dateline and the lead.
            release(r.id, r.body_text, title=r.title, lead=r.lead if name in ("minfin", "mfa-en") else None,
                    source_id=name, language=r.language, published_at=r.published,
                    translation_key=r.translation_key)
            for r in publisher.releases
        ]
        load_and_link(store, *rows)
    assert set(table_rows(store, "SELECT release_id, other_id FROM release_links WHERE kind = 'near_duplicate'")) == expected
    clustered = dict(table_rows(store, "SELECT release_id, cluster_id FROM releases WHERE release_id <> cluster_id"))
    assert clustered == dict(expected)
    assert table_rows(store, "SELECT min(score) >= 0.8 FROM release_links WHERE kind = 'near_duplicate'") == [(True,)]


def test_a_batch_with_signatures_from_the_workers_links_into_a_small_store(store: Store) -> None:
    # The parse workers' signatures go to near_pairs as in-memory buckets (Arrow), joined to the stored
    # ones; buckets fill all 64 bits. (Joined straight from Arrow, DuckDB once pushed stored buckets into
    # pyarrow's scanner as Python ints, which overflowed: tests/e2e/test_coverage_runs.py caught it.)
    load_and_link(store, ministry(published_at=at(0)))
    stored = table_rows(store, "SELECT max(bucket) FROM release_bands")[0][0]
    assert stored >= 2**63, "the stored buckets must need the 64th bit for this test"
    rows = [agency("agency-0", COPY, published_at=at(2))] + [
        agency(f"agency-{n}", UNRELATED.replace("указ номер", f"указ {n} номер"), published_at=at(2)) for n in range(1, 40)]
    for row in rows:  # as the parse workers hand them over
        row.minhash = neardup.signature(neardup.release_text(row.title, row.subtitle, row.lead, row.body_text))
    store.load_batch(batch(*rows, run_id="run-2", source_id="agency"))
    assert ("agency-0", "minfin-1", "near_duplicate") in links(store)
    assert table_rows(store, "SELECT count(DISTINCT release_id) FROM release_bands")[0][0] == 41


def test_the_bands_are_written_without_fsst_and_their_ids_still_compressed(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # release_bands.release_id repeats each id once per band: DuckDB stores it as a dictionary, so the
    # bands insert leaves FSST out of its compression analysis (which trained a symbol table per row
    # group for nothing). The setting is the connection's own again after the insert.
    from govpress.store import nearlinks

    during: list[str] = []
    real_refresh = nearlinks._refresh

    def spy(con, *args, **kwargs):
        class Spy:
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *params):
                if sql.startswith("INSERT INTO release_bands"):
                    during.append(con.execute("SELECT current_setting('disabled_compression_methods')").fetchone()[0])
                con.execute(sql, *params)
                return self

            def fetchone(self):
                return con.fetchone()

            def fetchall(self):
                return con.fetchall()

        return real_refresh(Spy(), *args, **kwargs)

    monkeypatch.setattr(nearlinks, "_refresh", spy)
    from govpress.store.connection import WRITER_ROW_GROUP

    # At least one full row group of the session's writer (neardup.BANDS bucket rows a release).
    rows = [agency(f"agency-{n}", UNRELATED.replace("указ номер", f"указ {n} номер"), published_at=at(2))
            for n in range(WRITER_ROW_GROUP // neardup.BANDS + 1)]
    for row in rows:
        row.minhash = neardup.signature(neardup.release_text(row.title, row.subtitle, row.lead, row.body_text))
    with store.session():
        store.load_batch(batch(*rows, source_id="agency"))
        with store.writer() as con:
            assert con.execute("SELECT current_setting('disabled_compression_methods')").fetchone()[0] == ""
    assert [d.lower() for d in during] == ["fsst"]
    with duckdb.connect(str(store.path), read_only=True) as con:
        rows_by_method = dict(con.execute(
            "SELECT compression, sum(count) FROM pragma_storage_info('release_bands') "
            "WHERE column_name = 'release_id' AND segment_type = 'VARCHAR' GROUP BY compression").fetchall())
    # Left without FSST, the ids are still compressed (a dictionary), never stored uncompressed. Which
    # write compresses the full row group varies from run to run: the insert itself (optimistically,
    # FSST left out: a dictionary) or, in about 2 of 10 runs here, the commit's checkpoint, with the
    # connection's own methods (then FSST); the rows beyond it are always the checkpoint's.
    assert set(rows_by_method) <= {"Dictionary", "FSST"}, rows_by_method
    assert sum(rows_by_method.values()) == len(rows) * neardup.BANDS


def test_bands_fewer_than_a_row_group_leave_the_setting_alone_and_are_stored_as_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # perf-store24: an insert of fewer rows than a row group of the run's writer fills none, so it compresses
    # nothing itself (the commit or a checkpoint does, under the connection's own setting): a run's batch sends
    # no read, SET or RESET of disabled_compression_methods, and the bands end stored as with them.
    from govpress.store import nearlinks

    def bands(store: Store) -> tuple[list, list]:
        store.migrate()
        rows = [agency(f"agency-{n}", UNRELATED.replace("указ номер", f"указ {n} номер"), published_at=at(2))
                for n in range(40)]
        for row in rows:
            row.minhash = neardup.signature(neardup.release_text(row.title, row.subtitle, row.lead, row.body_text))
        with store.session():
            store.load_batch(batch(*rows, source_id="agency"))
            with store.writer() as con:
                con.execute("CHECKPOINT")
        with duckdb.connect(str(store.path), read_only=True) as con:
            return (con.execute("SELECT column_name, segment_type, compression, count FROM "
                                "pragma_storage_info('release_bands') ORDER BY ALL").fetchall(),
                    con.execute("SELECT * FROM release_bands ORDER BY ALL").fetchall())

    sent = duckdb_statements(monkeypatch)
    left = bands(Store(tmp_path / "left.duckdb"))
    assert not [s for s in sent if "disabled_compression_methods" in s]
    real = nearlinks.without_fsst
    monkeypatch.setattr(nearlinks, "without_fsst", lambda con, rows=None: real(con))
    sent.clear()
    assert bands(Store(tmp_path / "set.duckdb")) == left
    assert [s for s in sent if "disabled_compression_methods" in s]
    assert len(left[1]) == 40 * neardup.BANDS


def test_list_values_are_what_arrows_flatten_gives() -> None:
    # The signatures read back are flattened from each chunk's offsets and child array (a list array's flatten
    # imports pyarrow.compute): the same values in the same order, for sliced chunks, empty lists and chunks, both
    # offset widths.
    import numpy as np
    import pyarrow as pa

    from govpress.store.nearlinks import _list_values

    rng = np.random.default_rng(7)
    for kind in (pa.list_(pa.uint64()), pa.large_list(pa.uint64())):
        for _ in range(200):
            chunks = []
            for _ in range(rng.integers(0, 4)):
                count, width = int(rng.integers(0, 6)), int(rng.integers(0, 4))
                chunk = pa.array([list(rng.integers(0, 2**63, width).astype(np.uint64)) for _ in range(count)], kind)
                if count > 2 and rng.random() < 0.5:
                    chunk = chunk.slice(1, count - 2)
                chunks.append(chunk)
            lists = pa.chunked_array(chunks, type=kind)
            expected = lists.combine_chunks().flatten().to_numpy(zero_copy_only=False) if len(lists) else []
            values = _list_values(lists)
            assert values.dtype == np.uint64 and values.tolist() == list(expected)


def test_the_band_rows_name_each_release_once_per_band() -> None:
    # The band rows' ids are a dictionary of the batch's ids (not the strings spelled out once per band): read as
    # strings they are each signed release's id BANDS times over, in the order of the buckets, and a release
    # without a signature has none.
    import numpy as np

    from govpress.store import nearlinks

    signed = [("r1", "h1", np.arange(neardup.NUM_PERM, dtype=np.uint64)), ("r2", "h2", np.zeros(0, dtype=np.uint64)),
              ("релиз-3", "h3", np.arange(neardup.NUM_PERM, dtype=np.uint64) * 3)]
    con = duckdb.connect()
    con.execute("CREATE TABLE release_signatures (release_id VARCHAR, content_hash VARCHAR, scheme VARCHAR, "
                "minhash UBIGINT[], computed_at TIMESTAMPTZ, run_id VARCHAR)")
    con.execute("CREATE TABLE release_bands (band SMALLINT, bucket UBIGINT, release_id VARCHAR)")
    buckets = nearlinks._store_signatures(con, signed, now=datetime(2025, 1, 1, tzinfo=timezone.utc), run_id="r")
    ids = buckets.column("release_id").to_pylist()
    assert ids == ["r1"] * neardup.BANDS + ["релиз-3"] * neardup.BANDS
    expected = neardup.band_matrix(np.vstack([signed[0][2], signed[2][2]])).ravel().tolist()
    assert buckets.column("bucket").to_pylist() == expected
    assert buckets.column("band").to_pylist() == list(range(neardup.BANDS)) * 2
    assert con.execute("SELECT band, bucket, release_id FROM release_bands ORDER BY release_id, band").fetchall() == \
        sorted(zip(buckets.column("band").to_pylist(), expected, ids), key=lambda r: (r[2], r[0]))


def test_the_components_links_and_the_seeds_pointing_elsewhere_are_what_the_joined_reads_give(store: Store) -> None:
    # perf-link23: a small file's components read their links without the ends joined (the ends' texts looked up
    # by id), and the seeds whose cluster is another release's by the first step's statement: the same answers as
    # the one joined statement and recluster's own read.
    from govpress.store import arrow, nearlinks

    load_and_link(store, ministry(published_at=at(0)))
    load_and_link(store, agency("agency-1", ORIGINAL, published_at=at(1)))  # an exact copy: points at minfin-1
    load_and_link(store, release("paper-1", COPY, title="Встреча с делегацией ЕБРР", source_id="paper", published_at=at(2)))
    load_and_link(store, release("other-1", UNRELATED, title="Указ", source_id="paper", published_at=at(3)))
    with store.writer() as con:
        # An exact link whose ends no longer share a text (walked, joins nothing).
        con.execute("UPDATE releases SET content_hash = 'edited' WHERE release_id = 'agency-1'")
        for seeds in ({"agency-1"}, {"paper-1", "other-1"}, {"minfin-1", "agency-1", "paper-1", "other-1"}):
            joined = sorted(con.execute(
                """SELECT l.release_id, l.other_id, l.kind, a.content_hash = b.content_hash FROM release_links l
                   JOIN releases a ON a.release_id = l.release_id JOIN releases b ON b.release_id = l.other_id
                   WHERE l.kind IN ('near_duplicate', 'exact_duplicate')
                     AND (l.release_id IN ? OR l.other_id IN ?)""", [sorted(seeds), sorted(seeds)]).fetchall())
            elsewhere = {i for (i,) in con.execute(
                "SELECT release_id FROM releases WHERE release_id IN ? AND cluster_id <> release_id", [sorted(seeds)]
            ).fetchall()}
            for by_id in (False, True):
                with arrow.reads_by_id(by_id):
                    pointing: set[str] = set()
                    assert sorted(nearlinks._component_links(con, seeds, pointing)) == joined
                    assert pointing == elsewhere
        assert elsewhere == {"agency-1", "paper-1"}  # the exact copy and the near one point at minfin-1


def test_new_releases_no_link_joins_are_not_reclustered_and_an_exact_copy_still_is(store: Store, monkeypatch) -> None:
    # perf-link23: the load names the releases its exact level linked; a batch of new releases with none of them and
    # no near pair found skips recluster's reads (each is its own cluster, nothing points elsewhere).
    from govpress.store import nearlinks

    seeds = []
    recluster = nearlinks.recluster
    monkeypatch.setattr(nearlinks, "recluster", lambda con, ids, facts=None: seeds.append(set(ids)) or recluster(con, ids, facts))
    load_and_link(store, ministry(published_at=at(0)))
    load_and_link(store, release("other-1", UNRELATED, title="Указ", source_id="paper", published_at=at(3)))
    assert seeds == [{"minfin-1"}, {"other-1"}]  # (load_and_link's own second pass: a call without the plan)
    seeds.clear()
    weather = "\n\n".join(f"Синоптики обещают в области {n} дожди, ветер до {n + 5} метров в секунду и похолодание."
                           for n in range(12))
    store.load_batch(batch(release("other-2", weather, title="Погода", source_id="paper", published_at=at(4)),
                           source_id="paper"))
    assert seeds == []  # nothing joins it: not reclustered
    store.load_batch(batch(agency("agency-1", ORIGINAL, published_at=at(1)), source_id="agency"))  # an exact copy
    store.load_batch(batch(agency("agency-2", COPY, published_at=at(2)), source_id="agency"))  # a near one
    assert seeds == [{"agency-1"}, {"agency-1", "agency-2", "minfin-1"}]
    assert clusters(store) == {"agency-1": "minfin-1", "agency-2": "minfin-1", "minfin-1": "minfin-1",
                               "other-1": "other-1", "other-2": "other-2"}


@pytest.mark.parametrize(("few", "distinct_above"), [(50, 1_000), (0, 1_000), (50, 0)])
def test_a_batch_pairing_with_stored_releases_sends_no_distinct_and_names_their_signatures(
        store: Store, monkeypatch: pytest.MonkeyPatch, few: int, distinct_above: int) -> None:
    # perf-load27: a run's batch makes the band join's pairs distinct in Python (DuckDB's hash aggregate cleared a
    # table of ~1.6 MB for a batch's few rows; a big batch keeps the DISTINCT), and the few stored ends' signatures
    # are read by constants, not by a registration of their ids (with more than FEW_FACTS of them, as before).
    # The links are what they were.
    from govpress.store import nearlinks

    monkeypatch.setattr(nearlinks, "FEW_FACTS", few)
    monkeypatch.setattr(nearlinks, "PAIRS_DISTINCT_ABOVE", distinct_above)
    load_and_link(store, ministry(published_at=at(0)), ministry("minfin-2", COPY_OF_COPY, published_at=at(1)))
    rows = [agency("agency-0", COPY, published_at=at(2)), agency("agency-1", COPY, published_at=at(3))] + [
        agency(f"agency-{n}", UNRELATED.replace("указ номер", f"указ {n} номер"), published_at=at(2)) for n in range(2, 12)]
    for row in rows:  # as the parse workers hand them over: their bands are joined from memory
        row.minhash = neardup.signature(neardup.release_text(row.title, row.subtitle, row.lead, row.body_text))
    sent = duckdb_statements(monkeypatch)
    store.load_batch(batch(*rows, run_id="run-2", source_id="agency"))
    assert bool([s for s in sent if "DISTINCT" in s and "release_bands" in s]) == (distinct_above == 0)
    read = [s for s in sent if "FROM release_signatures" in s and "minhash" in s]
    assert len(read) == 1
    assert ("IN ('minfin-1', 'minfin-2')" in read[0]) == bool(few)
    assert links(store) == [("agency-0", "minfin-1", "near_duplicate"), ("agency-0", "minfin-2", "near_duplicate"),
                            ("agency-1", "agency-0", "exact_duplicate"), ("agency-1", "minfin-1", "near_duplicate"),
                            ("agency-1", "minfin-2", "near_duplicate")]
    assert set(clusters(store).values()) == {"minfin-1"} | {f"agency-{n}" for n in range(2, 12)}
