"""Full-text search: Russian and English stemming, й kept apart from и, the search_releases() macro."""

from __future__ import annotations

from dataclasses import replace

from pathlib import Path

import pytest
from store_factories import Recorder, at, batch, release

from govpress.store import Store, search_releases


def load_and_index(store: Store) -> Store:
    store.load_batch(batch(
        release("ru_visit", "Состоялся визит главы правительства в Баку.",
                title="Визит премьер-министра", published_at=at(1)),
        release("ru_budget", "Правительство обсудило бюджет на следующий год.",
                title="Заседание правительства", published_at=at(2)),
        release("ru_district", "В новом районе открыли школу.", title="Школа", published_at=at(3)),
        release("en_visit", "The Prime Minister visited Baku and met the President.",
                title="Prime Minister visits Baku", source_id="gov_en", language="en", published_at=at(4)),
        release("de_besuch", "Der Ministerpräsident besuchte Baku.", title="Besuche in Baku",
                source_id="gov_de", language="de", published_at=at(5)),
        release("az_sefer", "Baş nazir Bakıya səfər etdi.", title="Səfər", source_id="gov_az", language="az"),
    ))
    store.rebuild_search_index()
    return store


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One indexed database shared by the read-only tests of this module."""
    store = Store(tmp_path_factory.mktemp("search") / "govpress.duckdb")
    store.migrate()
    return load_and_index(store)


def hits(store: Store, query: str) -> list[str]:
    with store.reader() as con:
        return [hit.release_id for hit in search_releases(con, query)]


def test_russian_inflected_query_finds_the_base_form(indexed: Store) -> None:
    assert hits(indexed, "визиты") == ["ru_visit"]
    assert hits(indexed, "визитов премьер-министров") == ["ru_visit"]


def test_russian_stemming_matches_other_cases(indexed: Store) -> None:
    assert set(hits(indexed, "правительством")) == {"ru_budget", "ru_visit"}


def test_short_i_is_not_folded_into_i(indexed: Store) -> None:
    assert hits(indexed, "районах") == ["ru_district"]
    assert hits(indexed, "раионах") == []  # with strip_accents=1 й would fold into и and this would match


def test_english_inflected_query_finds_the_release(indexed: Store) -> None:
    assert hits(indexed, "visiting ministers") == ["en_visit"]


def test_german_and_unstemmed_languages_are_searchable(indexed: Store) -> None:
    assert hits(indexed, "Besuch") == ["de_besuch"]
    assert hits(indexed, "səfər") == ["az_sefer"]


def test_the_macro_returns_ranked_rows_with_source_and_date(indexed: Store) -> None:
    with indexed.reader() as con:
        rows = con.execute("SELECT * FROM search_releases('Baku')").fetchall()
        columns = [d[0] for d in con.description]
    assert columns == ["release_id", "source_id", "language", "published_at", "title", "url", "score", "snippet"]
    # Azerbaijani "Bakıya" (to Baku) meets "Baku" on the stem "bak" of the suffix stripper.
    assert {(r[0], r[1], r[2]) for r in rows} == {("en_visit", "gov_en", "en"), ("de_besuch", "gov_de", "de"),
                                                  ("az_sefer", "gov_az", "az")}
    snippets = {r[0]: r[7] for r in rows}
    assert "⟦Baku⟧" in snippets["en_visit"] and "⟦Baku⟧" in snippets["de_besuch"] and "⟦Bakıya⟧" in snippets["az_sefer"]
    scores = [r[6] for r in rows]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_index_follows_a_rebuild_not_each_insert(store: Store) -> None:
    indexed = load_and_index(store)
    indexed.load_batch(batch(release("ru_new", "Новый визит в Минск.", title="Визит", published_at=at(9))))
    assert hits(indexed, "визиты") == ["ru_visit"]
    indexed.rebuild_search_index()
    assert set(hits(indexed, "визиты")) == {"ru_visit", "ru_new"}


def test_a_release_s_terms_are_stored_in_one_order_whatever_duckdb_s_threads(store: Store) -> None:
    # Many releases with long texts, so the refill's join runs on several threads: before, string_agg
    # took the terms in the join's order and two identical runs stored them differently.
    words = [f"w{n:04d}x" for n in range(3_000)]
    texts = {f"r{k:03d}": " ".join(words[k:] + words[:k]) for k in range(0, 3_000, 60)}
    store.load_batch(batch(*(release(rid, text, title="", source_id="gov_xx", language="xx") for rid, text in texts.items())))
    store.rebuild_search_index()
    with store.reader() as con:
        stored = dict(con.execute("SELECT release_id, terms FROM search_other").fetchall())
    assert stored == {rid: " ".join(sorted(text.split())) for rid, text in texts.items()}


def test_a_file_left_after_a_whole_rebuild_opens_again(store: Store) -> None:
    # A session closes without a checkpoint, so a whole rebuild can stay in the WAL (as it does when a run is
    # killed before its snapshot). create_fts_index's overwrite dropped the old index with CASCADE, which
    # DuckDB 1.5.5 could not replay over an index it had itself replayed and checkpointed: the file then
    # refused to open ("Cannot drop entry fts_main_search_ru because there are entries that depend on it").
    import duckdb

    with store.session():
        load_and_index(store)
    with store.session():
        with store.writer() as con:
            con.execute("CHECKPOINT")
        store.rebuild_search_index(full=True)
    reopened = duckdb.connect(str(store.path))  # a new database instance: it replays the WAL
    try:
        assert reopened.execute("SELECT count(*) FROM fts_main_search_ru.docs").fetchone() == (3,)
    finally:
        reopened.close()
    assert hits(store, "визиты") == ["ru_visit"]


@pytest.mark.heavy  # 20,000 synthetic releases signed, loaded and indexed: 15-30 s
def test_a_rebuild_of_twenty_thousand_long_releases_fits_the_writers_memory() -> None:
    # Sorting each release's terms made a slice of 10,000 releases run out of the rebuild's memory limit
    # (half the writer's 512MB): the slices are smaller since.
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-m", "bench.bench_load", "--n", "20000", "--batch-size", "5000",
                           "--repeat", "1", "--json"], cwd=root, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    assert '"index_docs_per_s"' in done.stdout


def test_a_whole_rebuild_drops_each_index_piecewise_without_listing_every_function(store: Store) -> None:
    # duckdb_functions() lists every DuckDB function whatever the filter (10-20 ms): the macros are fts's own,
    # dropped by name (search.FTS_MACROS), the tables read from duckdb_tables().
    from govpress.store import search

    load_and_index(store)
    with store.writer(fts=True) as con:
        recorder = Recorder(con)
        con.begin()
        search.refill_and_index(recorder)
        con.commit()
    assert not any("duckdb_functions()" in sql for sql in recorder.sent)
    sent = "\n".join(recorder.sent)
    for table in [f.table for f in search.FAMILIES] + [search.NAMES_TABLE]:  # every index dropped piecewise
        assert f"DROP MACRO IF EXISTS fts_main_{table}.match_bm25;" in sent
        assert f"DROP TABLE fts_main_{table}.terms;" in sent and f"DROP SCHEMA IF EXISTS fts_main_{table};" in sent
    assert hits(store, "визиты") == ["ru_visit"]


def test_fts_makes_the_macros_the_drop_knows(store: Store) -> None:
    # A DuckDB upgrade whose fts makes another macro would leave it behind the piecewise drop (and DROP SCHEMA
    # would then fail): this says so first.
    from govpress.store import search

    load_and_index(store)
    with store.reader() as con:
        for table in [f.table for f in search.FAMILIES] + [search.NAMES_TABLE]:
            made = {name for (name,) in con.execute(
                "SELECT DISTINCT function_name FROM duckdb_functions() WHERE schema_name = ?", [f"fts_main_{table}"]
            ).fetchall()}
            assert made == set(search.FTS_MACROS), table


def test_a_runs_rebuild_leaves_an_empty_familys_empty_index_alone(store: Store) -> None:
    # A fresh file's indexes are built empty by its schema; its first rebuild built the empty ones again
    # (drop and create_fts_index, 6-10 ms each). An index that holds documents is still rebuilt when its
    # family is left with none.
    from govpress.store import search

    def rebuild(full: bool = False) -> str:
        with store.writer(fts=True) as con:
            recorder = Recorder(con)
            search.rebuild_search_index(recorder, full=full)
        return "\n".join(recorder.sent)

    store.load_batch(batch(release("ru_only", "Визит в Баку.", title="Визит")))
    sent = rebuild()
    # One catalogue read for the indexes, their rows counted with the releases, the stamps' table made sure of once.
    assert sent.count("duckdb_tables()") == 1 and "duckdb_schemas()" not in sent
    assert sent.count("CREATE TABLE IF NOT EXISTS search_indexed") == 1
    # (A run's build fills an index where it stands: test_a_runs_whole_build_fills_each_index_as_fts_builds_it.)
    assert "INSERT INTO fts_main_search_ru.docs" in sent and "INSERT INTO fts_main_search_names.docs" in sent
    for family in search.FAMILIES[1:]:
        assert f"fts_main_{family.table}." not in sent.replace(f"FROM fts_main_{family.table}.docs", "")
    with store.reader() as con:
        for family in search.FAMILIES[1:]:  # their indexes exist, empty
            assert con.execute(f"SELECT count(*) FROM fts_main_{family.table}.docs").fetchone() == (0,)
    assert hits(store, "визиты") == ["ru_only"] and hits(store, "Besuch") == []

    store.load_batch(batch(release("de_one", "Der Minister besuchte Baku.", title="Besuch", source_id="gov_de",
                                   language="de")))
    assert "INSERT INTO fts_main_search_de.docs" in rebuild(full=True)
    assert hits(store, "besuchte") == ["de_one"]
    # The German release becomes Russian: the German index held a document, so it is built again, empty.
    store.load_batch(batch(release("de_one", "Министр посетил Баку.", title="Визит министра", source_id="gov_de",
                                   language="ru")))
    assert "DELETE FROM fts_main_search_de.docs" in rebuild(full=True)
    with store.reader() as con:
        assert con.execute("SELECT count(*) FROM fts_main_search_de.docs").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM search_de").fetchone() == (0,)
    assert hits(store, "besuchte") == [] and set(hits(store, "министр")) == {"de_one"}


def test_a_family_without_releases_is_not_normalised(store: Store) -> None:
    # A fresh file's migration built every family's rows from no releases: a statement of the refill's
    # macros each (0.03 s of the migration), for nothing.
    from govpress.store import search

    store.load_batch(batch(release("ru_only", "Визит в Баку.", title="Визит")))
    with store.writer(fts=True) as con:
        recorder = Recorder(con)
        con.begin()
        search.refill_and_index(recorder)
        con.commit()
    inserts = [sql for sql in recorder.sent if sql.lstrip().startswith("INSERT INTO search_")]
    assert [sql.split()[2] for sql in inserts] == ["search_ru", "search_names", "search_indexed"]
    with store.reader() as con:
        for family in search.FAMILIES[1:]:  # their indexes exist, empty
            assert con.execute(f"SELECT count(*) FROM fts_main_{family.table}.docs").fetchone() == (0,)


def test_a_names_insert_finds_its_words_in_one_call_with_the_cheaper_patterns() -> None:
    # What each gives is compared by the two tests below. DuckDB compiles a call's regular expressions once per statement: one call over the four texts in a lambda, not
    # one per text. The patterns are name_words' steps without a capture group and without \p{L}{3,} (4-6 ms to
    # compile, ~40% slower to match); what they give is compared with the macro in the next test.
    from govpress.store import search

    for sql in (search._names_sql(), search._names_sql(touched_only=True, slices=2, number=1)):
        assert sql.count("regexp_extract_all(") == 1 and sql.count("regexp_replace(") == 1
        assert "name_words(" not in sql and r"\p{L}{3,}" not in sql and r"(^|" not in sql
        # a release without names keeps its row by a NULL word at the end of its words, not by a join back by id
        assert "unnest(ws || [NULL])" in sql and "USING (release_id)" not in sql


def test_the_names_words_are_name_words_of_each_text() -> None:
    # search.NAME_WORDS_SQL writes out migration 4's name_words (a sentence's first word dropped, then the runs of a
    # capital and three letters or more, not all capitals) with other patterns: the same words in the same order,
    # on texts made to tell them apart and on random texts of letters, capitals and sentence marks.
    import random

    import duckdb
    import pyarrow as pa

    from govpress.store import search

    con = duckdb.connect()
    macros = (Path(search.__file__).parent / "fresh_schema.sql").read_text()
    for name in ("name_translit", "name_squeeze", "name_key", "name_words"):
        start = macros.index(f"CREATE OR REPLACE MACRO {name}(")
        con.execute(macros[start:macros.index(";", start) + 1])
    made = ["", "   ", "Встреча. Президент Асадов встретил Лукашенко.", "Асадов встретил Лукашенко",
            "  Асадов встретил Лукашенко", "Вопрос: Кто? Асадов! Лукашенко: Минск", "Итог.\nАсадов прибыл.\tМинск",
            "abcDefgh McDonald iPhone eBay ABCdef AbCd ABcd", "Ab Abc Abcd ABc aBcd aBCDe ABCDEFG ǅemal Ǆemal",
            "ЛУКАШЕНКО АСАДОВ встретили Əsədov, Асадаў и Łukaszenkę", "Baku.Asadov met Aliyev.Bakı",
            "COVID19 Covid19abc Abc1defg Xyzw2Qrst", "Premier-Minister Jean-Claude Juncker’s O'Brien",
            "Mr. Smith met Dr. Jones. Then Brown:\u00a0Green", "Ŝtefan S\u0302tefan Zoë Zoe\u0308y", ".. Asadov. . Aliyev",
            ": Abcd", "Abcd.", "x\n\nAbcd\r\nEfgh\fIjkl\vMnop Qrst", "«Асадов» (Лукашенко) [Минск] Баку"]
    rng = random.Random(14)
    alphabet = "aAbBcDeЕжЖzZəƏİıǅ  \n.!?:,-'’1\u0302\u00a0Ŝ"
    texts = made + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    rows = pa.table({"n": list(range(len(texts))), "title": texts, "subtitle": [None] + texts[1:],
                     "lead": texts[::-1], "body_text": [t + " Zyxw " + t for t in texts]})
    con.register("rows", rows)
    got = con.execute(f"""
        SELECT list({search.NAME_WORDS_SQL} ORDER BY n),
               list(name_words(r.title) || name_words(r.subtitle) || name_words(r.lead) || name_words(r.body_text)
                    ORDER BY n)
        FROM rows r""").fetchone()
    assert got[0] == got[1]
    assert sum(len(words) for words in got[1]) > 3000  # the random texts hold names as well


def test_names_keyed_once_per_word_equal_the_keys_of_each_release(store: Store) -> None:
    # The names table is filled set-based (each distinct word keyed once); its rows must be what
    # NAMES_TERMS_SQL gives release by release: the keys in the words' order, repeats kept, titles and
    # short keys left out, '' for a release without names.
    from govpress.store import search

    store.load_batch(batch(
        release("a", "Встреча. Президент Асадов встретил Лукашенко. Асадов и Лукашенко обсудили. Премьер-министр ушёл.",
                title="Асадов в Минске", lead="Визит Асадова"),
        release("b", "no names here at all", title="", source_id="gov_en", language="en"),
        release("c", "Prime Minister Asadov met President Aliyev in Baku. Asadov left Baku.",
                title="Asadov Visits Baku", source_id="gov_en", language="en"),
        replace(release("d", "Der Ministerpräsident Scholz besuchte Baku und Scholz sprach.", title="Besuch",
                        source_id="gov_de", language="de", lead="Olaf Scholz reiste."), subtitle="Kanzler Scholz in Baku"),
        release("e", "ЛУКАШЕНКО АСАДОВ. Бо Ли Ан были здесь.", title="Асадаў у Мінску", language="be"),
    ))
    store.rebuild_search_index(full=True)
    with store.reader() as con:
        stored = dict(con.execute(f"SELECT release_id, terms FROM {search.NAMES_TABLE}").fetchall())
        expected = dict(con.execute(f"SELECT r.release_id, {search.NAMES_TERMS_SQL} FROM releases r").fetchall())
    assert stored == expected
    assert stored["b"] == "" and stored["a"].split().count("asdv") >= 2


def test_every_familys_rows_are_normalised_in_one_statement_per_slice(store: Store) -> None:
    # Each statement that calls search_words compiles its regular expressions again (a few ms however few rows
    # it fills): a whole rebuild and an update in place fill all families with one such statement per slice,
    # not one per family and slice.
    from govpress.store import search

    load_and_index(store)  # releases in four families; the first build
    store.load_batch(batch(
        release("ru_more", "Министр посетил школу.", title="Школа"),
        release("en_more", "The minister opened a school.", title="School", source_id="gov_en", language="en"),
        release("xx_more", "Lorem ipsum dolor.", title="Lorem", source_id="gov_xx", language=None),
    ))
    for full in (False, True):  # three touched of nine: in place; then whole
        with store.writer(fts=True) as con:
            recorder = Recorder(con)
            search.rebuild_search_index(recorder, full=full)
        normalising = [sql for sql in recorder.sent if "search_words(" in sql or "regexp_split_to_array(" in sql]
        assert len(normalising) == 1, (full, normalising)
    assert hits(store, "school") == ["en_more"] and hits(store, "ipsum") == ["xx_more"]
    assert set(hits(store, "школа")) == {"ru_district", "ru_more"}


def test_lower_casing_each_word_after_the_split_gives_search_words_words_for_every_character(store: Store) -> None:
    # search._stage_sql splits the text as it is and lower-cases each distinct word, where search_words lower-cases
    # the text first. The same words because, for every character of Unicode, DuckDB's lower gives one character,
    # inside [\p{L}\p{N}] exactly when the character is (so the split and the apostrophe rule, which look only at
    # those classes, act at the same places), and leaves the three apostrophes alone; and lower maps each character
    # on its own (a Greek final sigma too). Checked on texts as well, against the macro itself.
    from govpress.store import search

    staged = search._stage_sql()
    assert "search_words(" not in staged and "lower(v)" in staged
    joined = search.JOINED_APOSTROPHE.replace("'", "''")
    with store.writer(fts=True) as con:  # the file's own search_words
        (macro,) = con.execute("SELECT macro_definition FROM duckdb_functions() WHERE function_name = 'search_words'"
                               ).fetchone()
        assert joined in macro and search.TOKEN_SPLIT in macro  # the macro's own patterns (as SQL literals)
        checked, longer, moved, apostrophes = con.execute(rf"""
            SELECT count(*), count(*) FILTER (WHERE length(lower(c)) <> 1 OR chr(unicode(lower(c))) <> lower(c)),
                   count(*) FILTER (WHERE regexp_matches(c, '[\p{{L}}\p{{N}}]') <> regexp_matches(lower(c), '[\p{{L}}\p{{N}}]')),
                   count(*) FILTER (WHERE c IN ('''', '’', 'ʼ') AND lower(c) <> c)
            FROM (SELECT chr(i::INTEGER) AS c FROM range(1, 1114112) t(i) WHERE i NOT BETWEEN 55296 AND 57343)""").fetchone()
        assert checked == 1114111 - 2048 and longer == 0 and moved == 0 and apostrophes == 0
        texts = ["O'BRIEN met O'Brien, ΟΔΟΣ ΟΔΌΣ Σ σς", "İSTANBUL İstanbul ǅemal ǄEMAL Ⅻ ⅻ 2024", "a'B'c DON’T Don'T ʼA",
                 "СЯМ'Я Сям'я МІНСК ў ГОМЕЛІ", "ẞ STRASSE Straße", "", "   ,,, ", "ΑΘΗΝΑ'Σ x''y"]
        for text in texts:
            words, split_first = con.execute(rf"""
                SELECT search_words($t),
                       list_transform(list_filter(regexp_split_to_array(regexp_replace($t, '{joined}', '\1\2', 'g'),
                                                                        '{search.TOKEN_SPLIT}'), lambda v: v <> ''),
                                      lambda v: lower(v))""", {"t": text}).fetchone()
            assert split_first == words, text


def test_the_staged_rows_of_all_families_equal_each_familys_own_refill(store: Store) -> None:
    # search._stage_sql makes every family's rows at once (search_family, search_norm's CASE, one anti-join on
    # the stopwords of each family): row for row what the per-family SQL (_refill_sql) makes, stopwords and
    # NULL languages included.
    from govpress.store import search

    load_and_index(store)
    store.load_batch(batch(
        release("be_one", "Сям'я Асадаў была ў Мінску і ў Гомелі.", title="Візіт", language="be"),
        release("uk_one", "М'ясо та хліб для родини.", title="Хліб", language="uk"),
        release("en_stop", "the and of to", title="The", source_id="gov_en", language="en"),
        release("null_one", "Lorem ipsum and the dolor.", title="Lorem", source_id="gov_xx", language=None),
        release("fr_one", "Le ministre a visité Bakou.", title="Visite", source_id="gov_fr", language="fr"),
        release("az_two", "Azərbaycanın Prezidenti Bakının məktəblərində oldu.", title="Səfərlər",
                source_id="gov_az", language="az"),
        # Capitals next to apostrophes, a word with İ, Greek capitals with a final sigma, letter numbers and
        # digits: the staged rows lower-case each word after the split.
        release("en_caps", "O'BRIEN met O'Brien, ΟΔΟΣ and ΟΔΌΣ; İSTANBUL Ⅻ 2024 a'B'c DON’T Don'T.", title="MIXED Case",
                source_id="gov_en", language="en"),
        release("ru_caps", "СЯМ'Я и Сям'я, МІНСК ў ГОМЕЛІ, ПРЕЗИДЕНТ.", title="ВІЗІТ", language="ru"),
    ))
    with store.writer(fts=True) as con:
        con.begin()
        for table in [f.table for f in search.FAMILIES]:
            con.execute(f"DELETE FROM {table}")
        for family in search.FAMILIES:
            con.execute(search._refill_sql(family))
        own = {f.table: sorted(con.execute(f"SELECT release_id, terms FROM {f.table}").fetchall())
               for f in search.FAMILIES}
        con.execute(search._stage_sql())
        staged = {f.table: sorted(con.execute(f"SELECT release_id, terms FROM {search.STAGED_TABLE} WHERE family = ?",
                                              [f.name]).fetchall()) for f in search.FAMILIES}
        con.rollback()
    assert all(own[f.table] for f in search.FAMILIES)  # every family holds rows
    assert staged == own


def test_the_staged_words_skip_the_apostrophe_rule_without_an_apostrophe_and_carry_the_rowid() -> None:
    # The apostrophe rule's regular expression scanned every text (~5 ms of a 653-release build), and each of the
    # 133,000 words carried its release's 16-character id through the materialised words, their join and their
    # grouping. Now the rule runs only on a text holding one of its apostrophes, and the id is joined back once per
    # release; the rows are compared with each family's own refill (texts with and without apostrophes) above.
    from govpress.store import search

    for staged in (search._stage_sql(), search._stage_sql(touched_only=True, slices=3, number=2)):
        assert "CASE WHEN contains(t, '''') OR contains(t, '’') OR contains(t, 'ʼ')" in staged
        assert "r.rowid AS rid" in staged and "k.release_id" not in staged
    # a slice of the touched releases: the texts read, and the ids joined back, from the same releases
    sliced = search._stage_sql(touched_only=True, slices=3, number=2)
    assert sliced.count(search.TOUCHED_ONLY) == 2 and sliced.count(search._slice_filter(3, 2)) == 2


def test_a_whole_build_normalises_only_the_families_that_hold_releases(store: Store) -> None:
    # Binding search_norm's CASE over all five families (the Azerbaijani stems' nested lambdas most) was ~1.2 ms of
    # every build; a whole rebuild writes out only its families' macros. A release of a family left out stops the
    # statement instead of losing its words.
    import duckdb

    from govpress.store import search

    store.load_batch(batch(release("ru_only", "Визит в Баку.", title="Визит"),
                           release("en_only", "A visit to Baku.", title="Visit", source_id="gov_en", language="en")))
    with store.writer(fts=True) as con:
        recorder = Recorder(con)
        con.begin()
        search.refill_and_index(recorder)
        con.commit()
        (staged,) = [sql for sql in recorder.sent if search.STAGED_TABLE in sql and "CREATE" in sql]
        assert "search_norm_ru(" in staged and "search_norm_en(" in staged
        assert "search_norm(" not in staged and "search_norm_az(" not in staged
        con.begin()
        with pytest.raises(duckdb.Error, match="search family not staged: en"):
            con.execute(search._stage_sql(families=search.FAMILIES[:1]))
        con.rollback()
    assert hits(store, "визиты") == ["ru_only"] and hits(store, "visiting") == ["en_only"]
    assert "search_norm(" in search._stage_sql(touched_only=True)  # an update in place: every family


def _index_rows(con, tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of each index's tables and of its search table, in their stored order (rowid of the search table)."""
    out = {}
    for table in tables:
        out[table] = con.execute(f"SELECT rowid, * FROM {table}").fetchall()
        for part in ("docs", "terms", "dict", "stats", "fields", "stopwords"):
            out[f"{table}.{part}"] = con.execute(f"SELECT * FROM fts_main_{table}.{part}").fetchall()
    return out


def test_the_fill_sends_no_stem_call_since_fts_stemmer_none_returns_each_word_as_it_is(store: Store) -> None:
    # fts's create_fts_index wraps each word in stem(w, 'none'); the fill leaves that call out (one call per word
    # occurrence). That holds because the stemmer 'none' is the identity: checked here on words of every script the
    # families index, and on characters the split does not list (the comparison with fts's build is the test below).
    from govpress.store import search

    assert all("stem(" not in search._fill_index_sql(table, split=split)
               for table in ("search_ru", "search_names") for split in (True, False))
    words = ["визит", "сям'я", "м'ясо", "ўзнагарода", "azərbaycanın", "straße", "greetings", "ⅻ", "kʰa", "12", "x"]
    with store.writer(fts=True) as con:
        assert con.execute("SELECT list(stem(w, 'none') = w) FROM unnest($w::VARCHAR[]) AS t(w)",
                           {"w": words}).fetchone()[0] == [True] * len(words)


def test_a_runs_whole_build_fills_each_index_as_fts_builds_it(store: Store) -> None:
    # A run's whole build fills the existing indexes where they stand instead of dropping them and running
    # create_fts_index: over the same search tables, the same rows in the same stored order, with the same ids.
    # (The refill's own row order may differ from one build to the next: a hash aggregate's.) The "other"
    # family's release holds a letter number (Ⅻ, lower-cased ⅻ) and a modifier letter (ʰ), characters the
    # split does not list, so its index is tokenised by the index's own macro; the others' words are split at spaces.
    from govpress.store import search

    load_and_index(store)
    store.load_batch(batch(
        release("xx_odd", "Chapter Ⅻ of the kʰa treaty, Ⅻ again.", title="Ⅻ", source_id="gov_xx", language="xx"),
        release("ru_more", "Премьер-министр посетил Минск и Баку.", title="Визит", published_at=at(6)),
    ))
    store.rebuild_search_index()
    tables = [f.table for f in search.FAMILIES] + [search.NAMES_TABLE]
    with store.writer(fts=True) as con:
        con.begin()
        search._drop_indexes(con, tables)
        for table in tables:
            con.execute(search._index_pragma(table))
        by_fts = _index_rows(con, tables)
        con.rollback()
        con.begin()
        split = search._split_by_spaces(con, tables)
        for table in tables:
            con.execute(search._fill_index_sql(table, split=table in split))
        in_place = _index_rows(con, tables)
        con.rollback()
    assert split == set(tables) - {"search_other"}
    assert all(by_fts[f"{table}.docs"] and by_fts[f"{table}.dict"] for table in tables)
    assert in_place == by_fts
    with store.writer(fts=True) as con:  # and a run's whole build is that fill
        recorder = Recorder(con)
        search.rebuild_search_index(recorder, full=True)
    sent = "\n".join(recorder.sent)
    assert "create_fts_index" not in sent and "DROP TABLE fts_main_" not in sent and "DROP SCHEMA" not in sent
    assert "fts_main_search_other.tokenize(" in sent and "fts_main_search_ru.tokenize(" not in sent
    assert hits(store, "ⅻ") == ["xx_odd"] and hits(store, "kʰa") == ["xx_odd"]
    assert set(hits(store, "визиты")) == {"ru_visit", "ru_more"}


def test_a_run_builds_an_index_that_is_missing_a_table_with_fts(store: Store) -> None:
    # Only an index holding all of fts's tables is filled where it stands; one missing any is built by fts.
    from govpress.store import search

    load_and_index(store)
    with store.writer(fts=True) as con:
        con.execute("DROP TABLE fts_main_search_ru.fields")
        recorder = Recorder(con)
        search.rebuild_search_index(recorder, full=True)
    sent = "\n".join(recorder.sent)
    assert "create_fts_index('search_ru'" in sent and "INSERT INTO fts_main_search_ru." not in sent
    assert "create_fts_index('search_en'" not in sent and "INSERT INTO fts_main_search_en.docs" in sent
    with store.reader() as con:
        assert con.execute("SELECT count(*) FROM fts_main_search_ru.fields").fetchone() == (1,)
    assert hits(store, "визиты") == ["ru_visit"] and hits(store, "visiting") == ["en_visit"]


def test_the_words_split_at_spaces_are_the_ones_fts_tokenize_gives_for_every_such_character() -> None:
    # search._split_by_spaces: for every character search.NOT_SIMPLE lets through but the space (looked for over
    # all of Unicode), DuckDB's lower is the identity and none is outside [\p{L}\p{N}] or \s, so fts's tokenize
    # (lower, those runs replaced by a space, split on \s+) keeps a text of them and spaces as the words between
    # its spaces.
    import duckdb

    from govpress.store import search

    con = duckdb.connect()
    try:
        checked, changed, split = con.execute(rf"""
            SELECT count(*), count(*) FILTER (WHERE lower(c) <> c),
                   count(*) FILTER (WHERE regexp_matches(c, '{search.TOKEN_SPLIT}') OR regexp_matches(c, '\s'))
            FROM (SELECT chr(CASE WHEN i BETWEEN 55296 AND 57343 THEN 32 ELSE i END::INTEGER) AS c
                  FROM range(1, 1114112) t(i))
            WHERE NOT regexp_matches(c, '{search.NOT_SIMPLE}') AND c <> ' '""").fetchone()
        assert checked == 26 + 10 + 24 + 8 + 32 + 6 + 4 and changed == 0 and split == 0  # the characters listed
    finally:
        con.close()
