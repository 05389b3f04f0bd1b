"""The search index updated in place after a load holds what a full rebuild would, and finds exactly the same.

govpress/store/search_update.py reindexes only the releases whose text changed. Here the labelled
mini-set (with filler releases made of its own words, so frequencies and ties are realistic) is
indexed, then releases are added, edited, moved to another language and removed; the updated index
is compared table by table with a full rebuild, and every mini-set query with its scores.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from analysis_factories import load, release
from search_miniset import DOCS, QUERIES

from govpress.store import Store, search_releases
from govpress.store.search import FAMILIES, NAMES_TABLE

HELD_BACK = 6
"""Mini-set releases loaded only after the first index: the update adds them."""


def filler(n: int):
    """A release made of another mini-set release's words, reordered (same language, same names)."""
    doc = DOCS[n % len(DOCS)]
    words = (doc.body + " " + doc.title).split()
    body = " ".join(words[n % 5:] + words[: n % 5]) + f" marker{n}"  # one word of its own: it leaves with it
    return release(f"fill_{n}", body, title=" ".join(reversed(doc.title.split())), source_id=f"gov_{doc.language}",
                   language=doc.language)


def load_grouped(store: Store, rows, run_id: str = "run-load") -> None:
    """One batch per source (as a run loads them)."""
    for source_id in sorted({r.source_id for r in rows}):
        load(store, source_id, *[r for r in rows if r.source_id == source_id], run_id=run_id)


def load_docs(store: Store, docs) -> None:
    load_grouped(store, [release(doc.release_id, doc.body, title=doc.title, source_id=f"gov_{doc.language}",
                                 language=doc.language) for doc in docs])


def index_contents(store: Store) -> dict:
    """Each index as a rebuild-independent value: documents with lengths, word occurrences, frequencies, statistics."""
    out = {}
    with store.reader() as con:
        for table in [f.table for f in FAMILIES] + [NAMES_TABLE]:
            s = f"fts_main_{table}"
            out[table] = {
                "rows": sorted(con.execute(f"SELECT release_id, terms FROM {table}").fetchall()),
                "docs": sorted(con.execute(f"SELECT name, len FROM {s}.docs").fetchall()),
                "terms": sorted(con.execute(f"SELECT d.name, w.term, count(*) FROM {s}.terms t JOIN {s}.docs d USING (docid) "
                                            f"JOIN {s}.dict w USING (termid) GROUP BY ALL").fetchall()),
                "dict": sorted(con.execute(f"SELECT term, df FROM {s}.dict").fetchall()),
                "stats": con.execute(f"SELECT num_docs, avgdl FROM {s}.stats").fetchall(),
            }
    return out


def answers(store: Store) -> dict:
    with store.reader() as con:
        return {q.text: [(h.release_id, h.score, h.snippet) for h in search_releases(
                    con, q.text, 50, language=q.language if q.filter_language else None)] for q in QUERIES}


def test_an_updated_index_equals_a_rebuilt_one_and_answers_every_query_the_same(tmp_path: Path) -> None:
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    load_docs(store, DOCS[HELD_BACK:])
    load_grouped(store, [filler(n) for n in range(70)])
    total = len(DOCS) - HELD_BACK + 70
    assert store.rebuild_search_index() == total  # all new since the migration indexed an empty table: built whole

    load_docs(store, DOCS[:HELD_BACK])  # new releases
    edited = [filler(n) for n in (3, 17, 40)]
    # A new version of each: one word gone, more words.
    load_grouped(store, [replace(fill, body_text=fill.body_text.split(" ", 1)[1] + " " + DOCS[0].title,
                                 content_hash="edited") for fill in edited], run_id="run-edit")
    with store.writer() as con:
        con.execute("UPDATE releases SET language = 'de' WHERE release_id = 'fill_1'")  # a reparse moved its family
        gone = con.execute("SELECT release_id FROM releases WHERE release_id = 'fill_2'").fetchall()
        con.execute("DELETE FROM release_versions_stored WHERE release_id = 'fill_2'")
        con.execute("DELETE FROM releases WHERE release_id = 'fill_2'")
    assert gone
    touched = HELD_BACK + len(edited) + 2
    assert store.rebuild_search_index() == touched < total  # in place, not rebuilt
    updated, found = index_contents(store), answers(store)

    assert store.rebuild_search_index() == 0  # nothing changed since: nothing to do
    assert store.rebuild_search_index(full=True) == total + HELD_BACK - 1
    rebuilt = index_contents(store)
    for table in rebuilt:
        assert updated[table] == rebuilt[table], table
    rebuilt_found = answers(store)
    for query, hits in found.items():  # same releases, order and snippets; scores to the last bits of a float sum
        assert [(r, snip) for r, _, snip in hits] == [(r, snip) for r, _, snip in rebuilt_found[query]], query
        assert [score for _, score, _ in hits] == pytest.approx([score for _, score, _ in rebuilt_found[query]], rel=1e-12)
    assert sum(bool(v) for v in found.values()) >= len(QUERIES) - 2  # the queries do find things
    de = next(f.table for f in FAMILIES if f.name == "de")
    assert "fill_1" in {r for r, _ in updated[de]["rows"]}  # moved with its language
    assert "fill_2" not in {r for t in updated.values() for r, _ in t["docs"]}  # gone from every index


def test_a_rebuild_by_slices_holds_what_one_statement_per_family_does(tmp_path: Path) -> None:
    from govpress.store.search import refill_and_index, refill_slices

    assert [refill_slices(n, 10) for n in (0, 1, 10, 11, 95)] == [1, 1, 1, 2, 10]
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    load_docs(store, DOCS)
    load_grouped(store, [filler(n) for n in range(70)])
    contents = {}
    for per_slice in (10**9, 7):  # one statement per family; then slices of 7 releases (a dozen per family)
        with store.writer(fts=True) as con:
            con.begin()
            refill_and_index(con, per_slice)
            con.commit()
        contents[per_slice] = index_contents(store)
    whole, sliced = contents[10**9], contents[7]
    assert whole["search_ru"]["rows"] and whole["search_en"]["rows"]
    for table in whole:  # the terms of a release come in some order: compared as bags
        assert {r: sorted(t.split()) for r, t in sliced[table]["rows"]} == {r: sorted(t.split()) for r, t in whole[table]["rows"]}
        for part in ("docs", "terms", "dict", "stats"):
            assert sliced[table][part] == whole[table][part], (table, part)


# -- a run's loads make the search rows as they go (search.fill_terms) --------------------------------


def search_rows(store: Store) -> dict:
    """The search tables' rows and the filled stamps, as they stand (no index build)."""
    from govpress.store.search_update import FILLED_TABLE

    with store.reader(fts=False) as con:
        out = {table: sorted(con.execute(f"SELECT release_id, terms FROM {table}").fetchall())
               for table in [f.table for f in FAMILIES] + [NAMES_TABLE]}
        has_filled = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [FILLED_TABLE]).fetchone()[0]
        out["filled"] = sorted(con.execute(f"SELECT release_id FROM {FILLED_TABLE}").fetchall()) if has_filled else []
    return out


class Recorder:
    """A DuckDB connection that records the SQL sent through ``execute``."""

    def __init__(self, con) -> None:
        self.con, self.sent = con, []

    def execute(self, sql: str, *args):
        self.sent.append(sql)
        return self.con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.con, name)


def built_statements(store: Store) -> list[str]:
    """The statements of the index build a run ends with (Store.rebuild_search_index), recorded."""
    from govpress.store import search
    from govpress.store.connection import memory_limit, publish_memory_limit

    with store.writer(fts=True) as con, memory_limit(con, publish_memory_limit()):
        recorder = Recorder(con)
        search.rebuild_search_index(recorder)
    return recorder.sent


def whole_rebuild(tmp_path: Path, store: Store) -> tuple[dict, dict]:
    """Contents and answers of a whole rebuild over a copy of ``store``'s file."""
    import shutil

    copy = Store(tmp_path / "whole" / "govpress.duckdb")
    copy.path.parent.mkdir()
    shutil.copyfile(store.path, copy.path)
    wal = store.path.with_name(store.path.name + ".wal")  # (a session leaves its writes there)
    if wal.exists():
        shutil.copyfile(wal, copy.path.with_name(copy.path.name + ".wal"))
    copy.rebuild_search_index(full=True)
    return index_contents(copy), answers(copy)


def same_index(updated: tuple[dict, dict], rebuilt: tuple[dict, dict]) -> None:
    (contents, found), (whole, whole_found) = updated, rebuilt
    for table in whole:
        assert contents[table] == whole[table], table
    for query, hits in found.items():
        assert [(r, snip) for r, _, snip in hits] == [(r, snip) for r, _, snip in whole_found[query]], query
        assert [score for _, score, _ in hits] == pytest.approx([score for _, score, _ in whole_found[query]], rel=1e-12)


def test_a_runs_loads_make_the_search_rows_and_the_build_only_indexes_them(tmp_path: Path) -> None:
    # The end of a run was the refill of every family (the normalisation macros over all new releases) and the
    # fts builds, with nothing else running. The loads now make each batch's rows in their transaction.
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    with store.session():
        store._shared.search_rows.fill_at = 1  # every load makes its rows (a run: once search.FILL_AT wait)
        load_docs(store, DOCS)
        load_grouped(store, [filler(n) for n in range(70)])
        before = search_rows(store)
        assert len(before["filled"]) == len(DOCS) + 70  # every release's rows made by the loads
        assert sum(len(before[f.table]) for f in FAMILIES) == len(before[NAMES_TABLE]) == len(DOCS) + 70
        assert hits_of(store, DOCS[0].title) == []  # the index itself follows the build, not each load
        sent = built_statements(store)
    refills = [sql for sql in sent if sql.lstrip().startswith("INSERT INTO search_") and "search_indexed" not in sql]
    assert refills == []  # nothing normalised again
    assert any("create_fts_index('search_ru'" in sql for sql in sent)
    assert search_rows(store) == before
    same_index((index_contents(store), answers(store)), whole_rebuild(tmp_path, store))


def hits_of(store: Store, query: str) -> list[str]:
    with store.reader() as con:
        return [hit.release_id for hit in search_releases(con, query, 5)]


def test_rows_a_run_left_pending_or_that_changed_outside_a_load_are_made_by_the_build(tmp_path: Path) -> None:
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    load_docs(store, DOCS[HELD_BACK:])  # outside a session: no rows made by the loads
    assert search_rows(store)["filled"] == []
    store.rebuild_search_index()
    with store.session():
        shared = store._shared
        shared.search_rows.fill_at = 4  # loads make rows once 4 releases wait for them
        load_grouped(store, [filler(n) for n in range(3)])  # one batch of 3: left pending
        pending = dict(shared.search_rows.pending)
        assert sorted(pending) == ["fill_0", "fill_1", "fill_2"]
        load_docs(store, DOCS[:HELD_BACK])  # these batches make the pending rows with theirs
        load_grouped(store, [filler(3)])  # pending again
        assert list(shared.search_rows.pending) == ["fill_3"]
        assert "fill_0" in {r for (r,) in search_rows(store)["filled"]}
        edited = [replace(filler(n), body_text="Visit of the President to Minsk", language="en",
                          content_hash=f"edited{n}") for n in (1, 2, 4)]
        load_grouped(store, edited, run_id="run-edit")  # fill_1 and fill_2 change language and text; fill_4 new
        with store.writer() as con:  # a release edited by hand: the loads never saw it
            con.execute("UPDATE releases SET body_text = body_text || ' extra words' WHERE release_id = ?", [DOCS[-1].release_id])
        store.rebuild_search_index()
    rows = search_rows(store)
    en = next(f.table for f in FAMILIES if f.name == "en")
    assert {"fill_1", "fill_2", "fill_4"} <= {r for r, _ in rows[en]}
    assert all(r not in {"fill_1", "fill_2"} for f in FAMILIES if f.table != en for r, _ in rows[f.table])
    same_index((index_contents(store), answers(store)), whole_rebuild(tmp_path, store))
    assert store.rebuild_search_index() == 0


def test_a_load_that_fails_leaves_its_releases_pending_and_no_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from govpress.store import load as loader

    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    with store.session():
        store._shared.search_rows.fill_at = 1
        load_docs(store, DOCS[:3])
        before, pending = search_rows(store), dict(store._shared.search_rows.pending)

        def crash(*args, **kwargs):
            raise RuntimeError("disk gone")

        monkeypatch.setattr(loader, "_load_fetches", crash)  # the batch's last step: after its rows were made
        with pytest.raises(RuntimeError):
            load_grouped(store, [filler(n) for n in range(5)])
        monkeypatch.undo()
        assert search_rows(store) == before and store._shared.search_rows.pending == pending
        load_grouped(store, [filler(n) for n in range(5)])  # the rerun of the batch
        store.rebuild_search_index()
    same_index((index_contents(store), answers(store)), whole_rebuild(tmp_path, store))


def test_a_file_older_than_the_filled_stamps_keeps_its_rows(tmp_path: Path) -> None:
    # A file indexed before search_filled existed: its rows are what search_indexed says, and the first load
    # that makes rows starts the stamps from there (no release's rows made twice, none left stale).
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    load_docs(store, DOCS)
    store.rebuild_search_index()
    with store.writer() as con:
        con.execute("DROP TABLE search_filled")
    with store.session():
        store._shared.search_rows.fill_at = 1
        load_grouped(store, [replace(filler(n), content_hash="again") for n in range(4)])
        load_grouped(store, [replace(release(DOCS[0].release_id, DOCS[0].body + " Minsk", title=DOCS[0].title,
                                             source_id=f"gov_{DOCS[0].language}", language=DOCS[0].language))])
        rows = search_rows(store)
        assert sum(len(rows[f.table]) for f in FAMILIES) == len(rows[NAMES_TABLE]) == len(rows["filled"]) == len(DOCS) + 4
        sent = built_statements(store)
    assert not [sql for sql in sent if "INSERT INTO search_" in sql and "search_indexed" not in sql]
    same_index((index_contents(store), answers(store)), whole_rebuild(tmp_path, store))


def test_search_rows_held_twice_are_made_again_by_the_build(tmp_path: Path) -> None:
    # govpress never deletes a release, so a load takes a release not stored before to have no search rows. One
    # deleted by hand and loaded again before a build would keep its old rows and stamp beside the new ones:
    # as many more rows as stamps, which the row count alone let through to the index.
    store = Store(tmp_path / "govpress.duckdb")
    store.migrate()
    twice = DOCS[0]
    with store.session():
        store._shared.search_rows.fill_at = 1
        load_docs(store, DOCS)
        family = next(f.table for f in FAMILIES if twice.language in f.languages)
        with store.writer() as con:
            for table in (family, NAMES_TABLE, "search_filled"):
                con.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE release_id = ?", [twice.release_id])
        store.rebuild_search_index()
    contents = index_contents(store)
    assert sum(r == twice.release_id for t in contents.values() for r, _ in t["docs"]) == 2  # its family's and the names'
    same_index((contents, answers(store)), whole_rebuild(tmp_path, store))
