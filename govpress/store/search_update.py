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
2. Per search table: the touched releases' rows are deleted and the changed ones re-normalised
   (the same SQL as a rebuild, restricted to them); their old documents leave ``docs``/``terms`` and
   lower ``dict.df``; the new documents are tokenised with the index's own ``tokenize`` macro and
   added, ``df`` raised, words no document holds any more dropped, and ``stats`` recomputed.

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


def record_all(con: duckdb.DuckDBPyConnection, *, ensured: bool = False) -> None:
    """After a whole rebuild: every release is indexed as it stands. ``ensured``: :func:`ensure_state` ran in this
    transaction already (:func:`touched`), so its four statements are not sent again."""
    if not ensured:
        ensure_state(con)
    con.execute(f"DELETE FROM {STATE_TABLE}")
    con.execute(f"INSERT INTO {STATE_TABLE} SELECT r.release_id, {STAMP} FROM releases r")


def touched(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the temp table ``search_touched`` with releases new, changed or gone since indexed; their count."""
    ensure_state(con)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE search_touched AS
        SELECT coalesce(cur.release_id, old.release_id) AS release_id
        FROM (SELECT r.release_id, {STAMP} AS stamp FROM releases r) cur
        FULL OUTER JOIN {STATE_TABLE} old ON old.release_id = cur.release_id
        WHERE cur.stamp IS DISTINCT FROM old.stamp""")
    return con.execute("SELECT count(*) FROM search_touched").fetchone()[0]


def index_exists(con: duckdb.DuckDBPyConnection, tables: list[str]) -> bool:
    schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables() WHERE table_name = 'stats'").fetchall()}
    return all(f"fts_main_{t}" in schemas for t in tables)


def update_table(con: duckdb.DuckDBPyConnection, table: str, insert_sql: str | list[str] | None) -> None:
    """Bring one search table and its fts index up to date for the touched releases.

    ``insert_sql`` inserts the table's rows for the touched releases that still exist (the rebuild's
    SQL restricted to ``search_touched``), in one statement or in several (slices of them); ``None``: the
    caller has made those rows already (deleted the touched releases' old rows and inserted the new ones,
    as the families' update does, govpress/store/search.py), only the fts index is brought up to date.
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
