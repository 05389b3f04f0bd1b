"""Full-text search over releases (title + subtitle + lead + body_text) with Russian, English and German stemming.

DuckDB's fts extension builds one index per table with one stemmer, and the index does not
follow inserts. So releases are copied by language family into ``search_ru``, ``search_en``,
``search_de`` and ``search_other`` (one row per release: ``release_id``, ``terms``), each
indexed with its stemmer, all rebuilt by :func:`rebuild_search_index` after loads. The tables,
the macros and the first indexes are created by migration 2 (``migrations/0002_search.sql``).

Russian needs one trick: the Snowball stemmer is not idempotent on Russian ("визиты" ->
"визит", but "визит" -> "виз"), so the inflected forms of one word do not meet. Russian
text (and the query) is therefore stemmed twice in SQL by the ``search_normalize_ru`` macro
before indexing with ``stemmer='none'``; both sides then meet on "виз". Accents are NOT
stripped (``strip_accents=1`` would fold й into и); ё is folded into е as Russian writers do.

Analysts query with the table macro (after loading the fts extension, see below)::

    SELECT * FROM search_releases('визит премьер-министра') LIMIT 20;

Scores are BM25 within each language family; across families they are roughly, not exactly,
comparable. In a DuckDB session the extension must be loaded by path (``INSTALL fts`` needs
the internet)::

    LOAD '<site-packages>/duckdb_extension_fts/extensions/v1.5.5/fts.duckdb_extension';
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

# Tokens are runs of letters and digits in any script (fts's default keeps only a-z).
TOKEN_SPLIT = r"[^\p{L}\p{N}]+"


@dataclass(frozen=True, slots=True)
class Family:
    table: str
    languages: tuple[str, ...]
    """ISO 639-1 codes indexed here; the 'other' family takes every other code and NULL."""
    stemmer: str
    stopwords: str
    strip_accents: int
    terms_sql: str
    """SQL expression over releases ``r`` giving the indexed text (the query side is in search_releases())."""


_RAW_TEXT = "concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text)"
FAMILIES: tuple[Family, ...] = (
    # Belarusian and Ukrainian share most inflections with Russian: the Russian stemmer still helps them.
    Family("search_ru", ("ru", "be", "uk"), "none", "none", 0,
           f"search_normalize_ru({_RAW_TEXT})"),
    Family("search_en", ("en",), "english", "english", 1, _RAW_TEXT),
    Family("search_de", ("de",), "german", "none", 0, _RAW_TEXT),
    # Azerbaijani and anything undetected: no stemmer, exact word forms.
    Family("search_other", (), "none", "none", 0, _RAW_TEXT),
)
_STEMMED_LANGUAGES = tuple(code for f in FAMILIES for code in f.languages)


def _family_filter(family: Family) -> str:
    if family.languages:
        return "r.language IN (" + ", ".join(f"'{c}'" for c in family.languages) + ")"
    return "(r.language IS NULL OR r.language NOT IN (" + ", ".join(f"'{c}'" for c in _STEMMED_LANGUAGES) + "))"


def _index_pragma(family: Family) -> str:
    return (
        f"PRAGMA create_fts_index('{family.table}', 'release_id', 'terms', stemmer='{family.stemmer}', "
        f"stopwords='{family.stopwords}', ignore='{TOKEN_SPLIT}', strip_accents={family.strip_accents}, "
        f"lower=1, overwrite=1)"
    )


def rebuild_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Refill the per-family search tables from releases and rebuild their fts indexes, in one transaction."""
    con.begin()
    try:
        refill_and_index(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise


def refill_and_index(con: duckdb.DuckDBPyConnection) -> None:
    """The body of a rebuild, inside the caller's transaction."""
    for family in FAMILIES:
        con.execute(f"DELETE FROM {family.table}")
        con.execute(
            f"INSERT INTO {family.table} SELECT r.release_id, {family.terms_sql} FROM releases r "
            f"WHERE {_family_filter(family)}"
        )
        con.execute(_index_pragma(family))


@dataclass(frozen=True, slots=True)
class SearchHit:
    release_id: str
    source_id: str
    language: str | None
    title: str
    published_at: datetime | None
    score: float


def search_releases(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> list[SearchHit]:
    """The best ``limit`` releases for ``query`` (the same as ``SELECT * FROM search_releases(?)``)."""
    rows = con.execute("SELECT * FROM search_releases(?) LIMIT ?", [query, limit]).fetchall()
    return [SearchHit(*row) for row in rows]
