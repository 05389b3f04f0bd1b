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
