"""Keeping the search index current after a load: only the releases whose text changed are indexed again.

fts's ``create_fts_index`` builds an index whole (about 150 s at 100,000 releases here), and a load
that adds 50 releases should not pay that. Its index is plain tables (``fts_main_<table>``: ``docs``
one row per document with its length, ``terms`` one row per word occurrence, ``dict`` each word with
its document frequency, ``stats`` the document count and mean length), and the search macro scores
BM25 from those tables alone (govpress/store/search.py). So an update edits them as a rebuild would
have written them:

1. ``search_indexed`` remembers, per release, a stamp of the text it was indexed with (DuckDB's
   ``hash`` of language, title, subtitle, lead and body). Releases whose stamp differs, new ones and
   gone ones are *touched*; nothing else is read again.
2. Per search table (whose rows are current by then, below): the touched releases' old documents leave ``docs``/``terms`` and
   lower ``dict.df``; the new documents are tokenised with the index's own ``tokenize`` macro and
   added, ``df`` raised, words no document holds any more dropped, and ``stats`` recomputed.

The search tables' rows themselves are made by a run's loads (govpress/store/search.py ``fill_terms``),
each release's with a stamp in ``search_filled`` (:data:`FILLED_TABLE`), in the load's transaction; before
step 2 the build remakes (the same SQL as a rebuild, restricted to them) the rows of every release whose
stamp there differs (:func:`compare`: loaded outside a run, left pending by a run, edited by other means),
so step 2 only edits the index tables.

The result holds the same documents, lengths, words, frequencies and statistics as a rebuild (only
the internal ids differ), so every score and every search result is the same:
tests/unit/store/test_search_update.py compares both after edits, additions, removals and language
changes. When most releases are touched (a first load, a reparse of everything), the whole index is
built instead (:data:`FULL_SHARE`), which is faster then. Everything runs in the caller's transaction:
a crash leaves the old index and the old stamps, and the next update catches up.
"""

from __future__ import annotations

import logging

import duckdb

from govpress.store.arrow import has_table

log = logging.getLogger("govpress.store.search")

STATE_TABLE = "search_indexed"
STAMP = "hash(r.language, r.title, r.subtitle, r.lead, r.body_text)"
"""What the indexed text depends on (the family follows the language): a change here reindexes the release."""
FULL_SHARE = 0.25
"""Touched share of all releases above which the whole index is rebuilt (bench/bench_search_update.py)."""


def ensure_state(con: duckdb.DuckDBPyConnection) -> None:
    """The stamps table (created on first use: it is part of the index, like fts's own tables)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (release_id VARCHAR PRIMARY KEY, stamp UBIGINT NOT NULL)")
    con.execute(f"COMMENT ON TABLE {STATE_TABLE} IS 'Per release, a hash of the text the search index holds for it "
                "(language, title, subtitle, lead, body_text): a release whose hash moved is indexed again after the "
                "next load, the others are left alone. Internal to the search index.'")
    con.execute(f"COMMENT ON COLUMN {STATE_TABLE}.release_id IS 'The release (releases.release_id) as last indexed.'")
    con.execute(f"COMMENT ON COLUMN {STATE_TABLE}.stamp IS 'hash(language, title, subtitle, lead, body_text) of the "
                "release when it was indexed.'")


def record_all(con: duckdb.DuckDBPyConnection, *, refilled: bool = True) -> None:
    """After a whole rebuild: every release is indexed as it stands (and its search rows made from it, when
    ``refilled``; otherwise they were current already and their stamps are the index's)."""
    ensure_state(con)
    con.execute(f"DELETE FROM {STATE_TABLE}")
    if refilled:
        con.execute(f"INSERT INTO {STATE_TABLE} SELECT r.release_id, {STAMP} FROM releases r")
        if has_table(con, FILLED_TABLE):  # (absent, it starts as this table's copy: ensure_filled)
            con.execute(f"DELETE FROM {FILLED_TABLE}")
            con.execute(f"INSERT INTO {FILLED_TABLE} SELECT release_id, stamp FROM {STATE_TABLE}")
    else:
        con.execute(f"INSERT INTO {STATE_TABLE} SELECT release_id, stamp FROM {FILLED_TABLE}")


def record_filled(con: duckdb.DuckDBPyConnection, ids_sql: str, *, held: bool = True) -> None:
    """The search rows of the releases ``ids_sql`` (a query of release ids) were made as they stand now.
    ``held`` False: none of them has a stamp yet (a load's new releases), so none is deleted first."""
    if held:
        con.execute(f"DELETE FROM {FILLED_TABLE} WHERE release_id IN ({ids_sql})")
    con.execute(f"INSERT INTO {FILLED_TABLE} SELECT r.release_id, {STAMP} FROM releases r "
                f"WHERE r.release_id IN ({ids_sql})")


def touched(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the temp table ``search_touched`` with releases new, changed or gone since indexed; their count."""
    ensure_state(con)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE search_touched AS
        SELECT coalesce(cur.release_id, old.release_id) AS release_id
        FROM (SELECT r.release_id, {STAMP} AS stamp FROM releases r) cur
        FULL OUTER JOIN {STATE_TABLE} old ON old.release_id = cur.release_id
        WHERE cur.stamp IS DISTINCT FROM old.stamp""")
    return con.execute("SELECT count(*) FROM search_touched").fetchone()[0]


FILLED_TABLE = "search_filled"
"""Per release, a stamp of the text its rows in the search tables (search_ru ... search_names) were made from."""


def ensure_filled(con: duckdb.DuckDBPyConnection, *, exists: bool | None = None) -> None:
    """The filled-stamps table, created on first use like :data:`STATE_TABLE`.

    A file written before it existed had its search tables changed only together with ``search_indexed``
    (a rebuild or an update, in one transaction), so the rows they hold are what ``search_indexed`` says:
    the new table starts as its copy. ``exists``: whether the caller knows the table is there (one catalogue read).
    """
    if exists if exists is not None else has_table(con, FILLED_TABLE):
        return
    ensure_state(con)
    con.execute(f"CREATE TABLE {FILLED_TABLE} (release_id VARCHAR NOT NULL, stamp UBIGINT NOT NULL)")
    con.execute(f"COMMENT ON TABLE {FILLED_TABLE} IS 'Per release, a hash of the text its rows in the search tables "
                "(search_ru ... search_names) were made from: written by each load with the rows (a run''s loads fill "
                "those tables as they go), checked by the index build, which makes the missing or stale rows first. "
                "Internal to the search index.'")
    con.execute(f"COMMENT ON COLUMN {FILLED_TABLE}.release_id IS 'The release (releases.release_id).'")
    con.execute(f"COMMENT ON COLUMN {FILLED_TABLE}.stamp IS 'hash(language, title, subtitle, lead, body_text) of the "
                "release when its search rows were made.'")
    con.execute(f"INSERT INTO {FILLED_TABLE} SELECT release_id, stamp FROM {STATE_TABLE}")


def compare(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """One pass over the releases' stamps against both stamp tables: fills the temp tables ``search_touched``
    (releases new, changed or gone since indexed, as :func:`touched`) and ``search_stale`` (since their search
    rows were made); returns their counts."""
    ensure_filled(con)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE search_state AS
        SELECT coalesce(cur.release_id, old.release_id, fil.release_id) AS release_id,
               cur.stamp IS DISTINCT FROM old.stamp AS touched, cur.stamp IS DISTINCT FROM fil.stamp AS stale
        FROM (SELECT r.release_id, {STAMP} AS stamp FROM releases r) cur
        FULL OUTER JOIN {STATE_TABLE} old ON old.release_id = cur.release_id
        FULL OUTER JOIN {FILLED_TABLE} fil ON fil.release_id = coalesce(cur.release_id, old.release_id)
        WHERE cur.stamp IS DISTINCT FROM old.stamp OR cur.stamp IS DISTINCT FROM fil.stamp""")
    con.execute("CREATE OR REPLACE TEMP TABLE search_touched AS SELECT release_id FROM search_state WHERE touched")
    con.execute("CREATE OR REPLACE TEMP TABLE search_stale AS SELECT release_id FROM search_state WHERE stale")
    return con.execute("SELECT count(*) FILTER (WHERE touched), count(*) FILTER (WHERE stale) FROM search_state").fetchone()


def index_exists(con: duckdb.DuckDBPyConnection, tables: list[str]) -> bool:
    schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables() WHERE table_name = 'stats'").fetchall()}
    return all(f"fts_main_{t}" in schemas for t in tables)


def update_table(con: duckdb.DuckDBPyConnection, table: str, insert_sql: str | list[str] | None) -> None:
    """Bring one search table and its fts index up to date for the touched releases.

    ``insert_sql`` inserts the table's rows for the touched releases that still exist (the rebuild's
    SQL restricted to ``search_touched``), in one statement or in several (slices of them); None when the
    table's rows are current already (made by the loads: govpress/store/search.py ``fill_terms``).
    """
    s = f"fts_main_{table}"
    if insert_sql is not None:
        con.execute(f"DELETE FROM {table} WHERE release_id IN (SELECT release_id FROM search_touched)")
        for statement in [insert_sql] if isinstance(insert_sql, str) else insert_sql:
            con.execute(statement)
    # Old documents out: each word they held loses one document from its frequency.
    con.execute(f"CREATE OR REPLACE TEMP TABLE search_old_docs AS "
                f"SELECT docid FROM {s}.docs WHERE name IN (SELECT release_id FROM search_touched)")
    con.execute(f"""UPDATE {s}.dict SET df = {s}.dict.df - o.n
                    FROM (SELECT termid, count(DISTINCT docid) AS n FROM {s}.terms
                          WHERE docid IN (SELECT docid FROM search_old_docs) GROUP BY termid) o
                    WHERE {s}.dict.termid = o.termid""")
    con.execute(f"DELETE FROM {s}.terms WHERE docid IN (SELECT docid FROM search_old_docs)")
    con.execute(f"DELETE FROM {s}.docs WHERE docid IN (SELECT docid FROM search_old_docs)")
    # New documents in, tokenised by the index's own macro (what create_fts_index applies).
    con.execute(f"""CREATE OR REPLACE TEMP TABLE search_new_docs AS
        SELECT (SELECT coalesce(max(docid), -1) FROM {s}.docs) + row_number() OVER (ORDER BY release_id) AS docid,
               release_id, terms
        FROM {table} WHERE release_id IN (SELECT release_id FROM search_touched)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE search_new_tokens AS
        SELECT docid, term FROM (SELECT docid, unnest({s}.tokenize(terms)) AS term FROM search_new_docs) WHERE term <> ''""")
    con.execute(f"""INSERT INTO {s}.docs
        SELECT d.docid, d.release_id, count(t.term) FROM search_new_docs d LEFT JOIN search_new_tokens t USING (docid)
        GROUP BY d.docid, d.release_id""")
    con.execute(f"""INSERT INTO {s}.dict
        SELECT (SELECT coalesce(max(termid), -1) FROM {s}.dict) + row_number() OVER (ORDER BY term), term, 0
        FROM (SELECT DISTINCT term FROM search_new_tokens WHERE term NOT IN (SELECT term FROM {s}.dict))""")
    con.execute(f"""UPDATE {s}.dict SET df = {s}.dict.df + n.n
                    FROM (SELECT term, count(DISTINCT docid) AS n FROM search_new_tokens GROUP BY term) n
                    WHERE {s}.dict.term = n.term""")
    con.execute(f"INSERT INTO {s}.terms SELECT t.docid, 0, d.termid FROM search_new_tokens t JOIN {s}.dict d USING (term)")
    con.execute(f"DELETE FROM {s}.dict WHERE df <= 0")
    con.execute(f"DELETE FROM {s}.stats")
    con.execute(f"INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(docid) FROM {s}.docs")


def mark_indexed(con: duckdb.DuckDBPyConnection) -> None:
    """The touched releases are indexed as they stand now (gone ones leave the stamps table)."""
    con.execute(f"DELETE FROM {STATE_TABLE} WHERE release_id IN (SELECT release_id FROM search_touched)")
    con.execute(f"INSERT INTO {STATE_TABLE} SELECT r.release_id, {STAMP} FROM releases r "
                "WHERE r.release_id IN (SELECT release_id FROM search_touched)")
