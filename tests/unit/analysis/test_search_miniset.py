"""Search quality on the labelled mini-set: recall and precision per language, printed and asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_factories import load, release
from search_miniset import DOCS, LANGUAGES, QUERIES, misses, score

from govpress.store import Store, search_releases

# What this search reaches on the mini-set (measured; see the printed table). The corpus is fixed,
# so a change to the normalisation that lowers any of these is a regression, not noise. Below 1.0:
# the short name Баку/Baku does not cross scripts (too few consonants for a key), and "Баку" also
# finds Belarusian "Бакі" (sides), which the Russian stemmer cuts to the same "бак".
MIN_RECALL = {"ru": 0.84, "be": 1.0, "uk": 1.0, "az": 1.0, "en": 0.95, "de": 1.0}
MIN_PRECISION = {"ru": 0.94, "be": 1.0, "uk": 1.0, "az": 1.0, "en": 1.0, "de": 1.0}


@pytest.fixture(scope="module")
def miniset(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("miniset") / "govpress.duckdb")
    store.migrate()
    for doc in DOCS:
        load(store, f"gov_{doc.language}",
             release(doc.release_id, doc.body, title=doc.title, source_id=f"gov_{doc.language}", language=doc.language))
    store.rebuild_search_index()
    return store


def run_queries(store: Store) -> dict:
    with store.reader() as con:
        return {q: {h.release_id for h in search_releases(con, q.text, 50, language=q.language if q.filter_language else None)}
                for q in QUERIES}


def test_recall_and_precision_per_language(miniset: Store, capsys) -> None:
    results = run_queries(miniset)
    scores = score(results)
    with capsys.disabled():
        print("\nsearch mini-set    queries  relevant  found  recall  precision")
        for language in LANGUAGES:
            s = scores[language]
            print(f"  {language}               {s.queries:5d}  {s.relevant:8d}  {s.found:5d}  {s.recall:6.2f}  {s.precision:9.2f}")
        for line in misses(results):
            print("  ", line)
    for language in LANGUAGES:
        assert scores[language].recall >= MIN_RECALL[language], (language, misses(results))
        assert scores[language].precision >= MIN_PRECISION[language], (language, misses(results))


def test_the_mini_set_covers_inflections_and_names_in_two_scripts_in_every_language() -> None:
    for language in LANGUAGES:
        mine = [q for q in QUERIES if q.language == language]
        assert sum(q.filter_language for q in mine) >= 4, language  # inflected forms
        names = [q for q in mine if not q.filter_language]
        assert names, language
        # every name query expects releases in more than one script
        scripts = {("cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in d.title + d.body) else "latin")
                   for q in names for d in DOCS if d.release_id in q.expected}
        assert scripts == {"cyrillic", "latin"}, language


def test_english_greetings_is_not_a_stopword(miniset: Store) -> None:
    with miniset.reader() as con:
        hits = search_releases(con, "greetings", language="en")
    assert {h.release_id for h in hits} == {"en1", "en2"}
    assert all("⟦greetings⟧" in h.snippet for h in hits)
