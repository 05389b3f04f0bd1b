"""Full-text search over releases in Russian, Belarusian, Ukrainian, Azerbaijani, English, German and any other language.

DuckDB's fts extension builds one BM25 index per table and the index does not follow inserts.
Releases are therefore copied by *search family* into one table each (``release_id``,
``terms``), rebuilt by :func:`rebuild_search_index` after loads. The ``terms`` are normalised
in SQL by :data:`MACROS` and indexed with ``stemmer='none'``; the query goes through the same
macros, so both sides always meet on the same forms. Per family (``search_family(language)``):

==========  =================  ==============================================================
family      languages          normalisation of each word (after lower-casing and stopwords)
==========  =================  ==============================================================
``ru``      ru, be, uk         Belarusian/Ukrainian letters folded to Russian ones (і ї -> и,
                               є -> е, ґ -> г, ў -> в, э ё -> е), then DuckDB's Russian Snowball
                               stemmer applied twice (it is not idempotent: "визиты" -> "визит"
                               -> "виз"; twice, every case of a word meets on one form)
``en``      en                 English Snowball stemmer, twice
``de``      de                 German Snowball stemmer, twice
``az``      az                 ə -> e, ğ -> q, then the word is indexed under every stem its
                               endings allow (plural, case and possessive endings, each only
                               where Azerbaijani puts it: after a consonant, or after a vowel
                               with a buffer consonant; up to three endings deep), so that
                               "Bakının" and "Bakı", "Azərbaycanın" and "Azərbaycan" meet.
                               DuckDB has no Azerbaijani stemmer; its Turkish one splits
                               "prezident"/"prezidenti" and "dövlət"/"dövlətə" apart (recall
                               0.50 against 1.00 on the labelled mini-set, measured by
                               ``bench/bench_search.py``)
``other``   everything else,   lower-cased words, no stemming
            and NULL
==========  =================  ==============================================================

Words are runs of letters and digits in any script; an apostrophe inside a word is dropped
(Belarusian "сям'я", Ukrainian "м'ясо", English "minister's"). Accents are not stripped
(``strip_accents=1`` would fold й into и). Stopwords are closed-class words only, kept in the
``search_stopwords`` table and matched on the surface form before stemming
(:mod:`govpress.store.stopwords`): DuckDB's own English list drops content words such as
"greetings".

The index is built set-based: each distinct word of a family is normalised once, however often
it occurs. Scores are BM25 with fts's formula, read from the index tables fts builds (see
:func:`_bm25_hits` for why not ``match_bm25``).

Names cross scripts through one more table, ``search_names``: the capitalised words of each
release (not sentence-initial, at least 4 letters; the ``name_words`` macro of migration 4) as
script-independent keys (``name_key``: Асадов, Асадаў, Asadov, Əsədov and Assadow all become
``asdv``). Every query word is keyed the same way, so "Asadov" finds "Асадовым" and "Лукашенко"
finds "Lukashenko". A name match adds half its BM25 score to the text score; a release found
only by its names ranks below the releases that contain the query's words.

Analysts query with the table macro (after loading the fts extension, see the README)::

    SELECT * FROM search_releases('визит премьер-министра') LIMIT 20;
    SELECT * FROM search_releases('greetings', lang := 'en', since := DATE '2017-12-01');

It returns ``release_id, source_id, language, published_at, title, url, score, snippet``;
``snippet`` is about 30 words of the lead and body around the best cluster of matches, each
matched word wrapped in ⟦ ⟧ (:data:`MARK_OPEN`, :data:`MARK_CLOSE`; characters press releases do
not use). Scores are BM25 within each family; across families they are roughly, not exactly,
comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from govpress.store import search_update
from govpress.store.arrow import quote, registered
from govpress.store.stopwords import STOPWORDS
from govpress.store.transactions import rollback_quietly

TOKEN_SPLIT = r"[^\p{L}\p{N}]+"
"""What separates words for the fts tokenizer (its default keeps only a-z)."""
WORD_OR_GAP = r"[\p{L}\p{N}]+|[^\p{L}\p{N}]+"
"""Words and the runs between them, for snippets (joined back, they give the text unchanged)."""
MARK_OPEN, MARK_CLOSE = "⟦", "⟧"
NAME_WEIGHT = 0.5
"""Share of a names-index score added to a release's text score."""
SNIPPET_WORDS = 30
DEFAULT_MAX_HITS = 100
"""Hits the macro ranks and builds snippets for unless told otherwise (snippets cost per hit)."""
COMMON_TITLE_KEYS = ("prm", "prmr", "mnst", "mnstr", "prsd", "przd", "gvrn")
"""Name keys of titles every release carries (Prime Minister, President, Government): not names."""


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    table: str
    languages: tuple[str, ...]
    """ISO 639-1 codes indexed here; the 'other' family takes every other code and NULL."""


FAMILIES: tuple[Family, ...] = (
    Family("ru", "search_ru", ("ru", "be", "uk")),
    Family("en", "search_en", ("en",)),
    Family("de", "search_de", ("de",)),
    Family("az", "search_az", ("az",)),
    Family("other", "search_other", ()),
)
NAMES_TABLE = "search_names"
_FAMILY_OF = {code: f.name for f in FAMILIES for code in f.languages}

# Azerbaijani endings, folded like the words (ə -> e), by what may stand before them. Azerbaijani spells the
# locative and ablative -da/-də, -dan/-dən after every sound (no Turkish -ta/-tan).
AZ_AFTER_CONSONANT = ("ı", "i", "u", "ü", "a", "e", "ın", "in", "un", "ün", "ımız", "imiz", "umuz", "ümüz")
"""Case and possessive endings that follow a consonant (Prezident-i, Azərbaycan-ın)."""
AZ_AFTER_VOWEL = ("sı", "si", "su", "sü", "nın", "nin", "nun", "nün", "ya", "ye", "nı", "ni", "nu", "nü", "na", "ne",
                  "yla", "yle", "mız", "miz", "muz", "müz", "nda", "nde", "ndan", "nden")
"""Their forms after a vowel, with a buffer consonant (büdcə-si, Bakı-ya, Bakı-nın)."""
AZ_ANYWHERE = ("lar", "ler", "ların", "lerin", "ları", "leri", "da", "de", "dan", "den", "la", "le")
"""Plural, locative, ablative and instrumental endings (səfər-lər, Bakı-da, Minsk-dən)."""
AZ_VOWELS = "aeıioöuü"


def _sql_list(words: tuple[str, ...]) -> str:
    return "[" + ", ".join(quote(w) for w in words) + "]::VARCHAR[]"


def _az_strip_once() -> str:
    """SQL: every stem one ending of ``w`` leaves (cut after position i; 2+ letters before a conditioned ending, 3+ before the rest)."""
    vowel = f"contains('{AZ_VOWELS}', w[i])"
    return (f"list_transform(list_filter(range(2, len(w)), lambda i: "
            f"(list_contains({_sql_list(AZ_AFTER_CONSONANT)}, w[i + 1:]) AND NOT {vowel}) "
            f"OR (list_contains({_sql_list(AZ_AFTER_VOWEL)}, w[i + 1:]) AND {vowel}) "
            f"OR (i >= 3 AND list_contains({_sql_list(AZ_ANYWHERE)}, w[i + 1:]))), lambda i: w[:i])")


def _family_term_macros() -> str:
    """search_terms_<family>(txt): the forms of all words of txt. Stopwords are removed where the forms are
    used (index build, search_releases) by the search_stopwords table: list literals of a few hundred words in
    a macro cost tenths of a second to bind on every query."""
    return "\n".join(
        f"CREATE OR REPLACE MACRO search_terms_{fam}(txt) AS flatten(list_transform(search_words(txt), "
        f"lambda w: search_norm_{fam}(w)));"
        for fam in STOPWORDS
    )


def _family_case() -> str:
    branches = " ".join(f"WHEN '{code}' THEN '{fam}'" for code, fam in _FAMILY_OF.items())
    return f"CASE lang {branches} ELSE 'other' END"


MACROS = f"""
CREATE OR REPLACE MACRO search_family(lang) AS {_family_case()};

-- Belarusian -аў/-яў (genitive plural, surnames) is Russian -ов/-ев; other letters map one to one.
CREATE OR REPLACE MACRO search_fold_cyrillic(w) AS
    translate(regexp_replace(regexp_replace(w, 'аў$', 'ов'), 'яў$', 'ев'), 'іїєґўэё', 'ииегвее');

CREATE OR REPLACE MACRO search_az_strip(w) AS {_az_strip_once()};

-- An Azerbaijani word is indexed under every stem its endings allow (up to three endings deep):
-- "Bakının" as bakının, bakın, bakı, bak; "Azərbaycanın" as azerbaycanın, azerbaycan, azerbayca.
CREATE OR REPLACE MACRO search_stems_az(w) AS
    list_transform([search_az_strip(w)], lambda r1:
        list_transform([flatten(list_transform(r1, lambda x: search_az_strip(x)))], lambda r2:
            list_distinct([w] || r1 || r2 || flatten(list_transform(r2, lambda y: search_az_strip(y))))
        )[1]
    )[1];

-- The indexed forms of one lower-cased word, per family: one form, or several for Azerbaijani.
CREATE OR REPLACE MACRO search_norm_ru(w) AS [stem(stem(search_fold_cyrillic(w), 'russian'), 'russian')];
CREATE OR REPLACE MACRO search_norm_en(w) AS [stem(stem(w, 'english'), 'english')];
CREATE OR REPLACE MACRO search_norm_de(w) AS [stem(stem(w, 'german'), 'german')];
CREATE OR REPLACE MACRO search_norm_az(w) AS search_stems_az(replace(replace(w, 'ə', 'e'), 'ğ', 'q'));
CREATE OR REPLACE MACRO search_norm_other(w) AS [w];

CREATE OR REPLACE MACRO search_norm(w, fam) AS
    CASE fam WHEN 'ru' THEN search_norm_ru(w) WHEN 'en' THEN search_norm_en(w) WHEN 'de' THEN search_norm_de(w)
             WHEN 'az' THEN search_norm_az(w) ELSE search_norm_other(w) END;

CREATE OR REPLACE MACRO search_words(txt) AS
    list_filter(regexp_split_to_array(regexp_replace(lower(coalesce(txt, '')), '(\\p{{L}})[''’ʼ](\\p{{L}})', '\\1\\2', 'g'),
                                      '{TOKEN_SPLIT}'),
                lambda w: w <> '');

{_family_term_macros()}
CREATE OR REPLACE MACRO search_terms(txt, fam) AS
    CASE fam WHEN 'ru' THEN search_terms_ru(txt) WHEN 'en' THEN search_terms_en(txt) WHEN 'de' THEN search_terms_de(txt)
             WHEN 'az' THEN search_terms_az(txt) ELSE search_terms_other(txt) END;

-- A cheap first look for snippets: a word can match a query form only if it starts like one
-- (stems are prefixes of the word, up to folded letters), so only those words are normalised.
CREATE OR REPLACE MACRO search_prefix_fold(w) AS translate(w, 'äöüəğіїєґўэё', 'aoueqииегвее');

-- name_key (migration 4) reads Belarusian ў as a vowel; in names it stands for в (Асадаў = Асадов).
CREATE OR REPLACE MACRO search_name_key(w) AS name_key(replace(replace(w, 'ў', 'в'), 'Ў', 'В'));

CREATE OR REPLACE MACRO search_name_keys(words) AS
    list_filter(list_transform(words, lambda w: search_name_key(w)),
                lambda k: len(k) >= 3 AND NOT list_contains({_sql_list(COMMON_TITLE_KEYS)}, k));

CREATE OR REPLACE MACRO search_query_names(q) AS
    search_name_keys(list_filter(search_words(q), lambda w: len(w) >= 4));

CREATE OR REPLACE MACRO search_snippet_hits(toks, qterms, qnames, fam) AS
    list_transform(toks, lambda t:
        regexp_matches(t, '^[\\p{{L}}\\p{{N}}]')
        AND ((list_bool_or(list_transform(qterms, lambda q: starts_with(search_prefix_fold(lower(t)),
                                                                        search_prefix_fold(left(q, 3)))))
              AND list_has_any(qterms, search_norm(lower(t), fam)))
             OR (regexp_matches(t, '^\\p{{Lu}}') AND len(t) >= 4 AND list_contains(qnames, search_name_key(t)))));

CREATE OR REPLACE MACRO search_snippet_start(hits, positions, width) AS
    -- the matched word with the most matches in the window that starts at it (the first on ties)
    CASE WHEN len(positions) = 0 THEN 1
         ELSE positions[list_position(
                  list_transform(positions, lambda p: len(list_filter(hits[p:p + width - 1], lambda h: h))),
                  list_max(list_transform(positions, lambda p: len(list_filter(hits[p:p + width - 1], lambda h: h)))))]
    END;

CREATE OR REPLACE MACRO search_snippet_render(toks, hits, first, width) AS
    CASE WHEN first > 1 THEN '… ' ELSE '' END
    || trim(regexp_replace(array_to_string(
           list_transform(toks[first:first + width - 1],
                          lambda t, i: CASE WHEN hits[first + i - 1] THEN '{MARK_OPEN}' || t || '{MARK_CLOSE}' ELSE t END),
           ''), '\\s+', ' ', 'g'))
    || CASE WHEN first + width - 1 < len(toks) THEN ' …' ELSE '' END;

-- A macro argument is re-evaluated wherever it is used (inside a lambda: per element), so every
-- value used inside a lambda is bound once first: list_transform([value], lambda name: ...)[1].
CREATE OR REPLACE MACRO search_snippet_of(txt, qterms, qnames, fam, words) AS
    list_transform([{{'toks': regexp_extract_all(coalesce(txt, ''), '{WORD_OR_GAP}'),
                      'qterms': coalesce(qterms, []::VARCHAR[]), 'qnames': coalesce(qnames, []::VARCHAR[]),
                      'fam': fam, 'width': 2 * words}}], lambda a:
        list_transform([search_snippet_hits(a.toks, a.qterms, a.qnames, a.fam)], lambda hits:
            list_transform([list_filter(range(1, len(hits) + 1), lambda i: hits[i])], lambda positions:
                list_transform([greatest(1, search_snippet_start(hits, positions, a.width) - a.width // 4)], lambda first:
                    search_snippet_render(a.toks, hits, first, a.width)
                )[1]
            )[1]
        )[1]
    )[1];

CREATE OR REPLACE MACRO search_snippet(txt, q, lang, words := {SNIPPET_WORDS}) AS
    search_snippet_of(txt, search_terms(q, search_family(lang)), search_query_names(q), search_family(lang), words);
"""
"""The normalisation, stopword and snippet macros (created by migration 6)."""

_RAW_TEXT = "concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text)"


def _family_filter(family: Family) -> str:
    if family.languages:
        return "r.language IN (" + ", ".join(f"'{c}'" for c in family.languages) + ")"
    return "(r.language IS NULL OR r.language NOT IN (" + ", ".join(f"'{c}'" for c in _FAMILY_OF) + "))"


NAMES_TERMS_SQL = (
    "array_to_string(search_name_keys(name_words(r.title) || name_words(r.subtitle) || name_words(r.lead) "
    "|| name_words(r.body_text)), ' ')"
)


BM25_K, BM25_B = 1.2, 0.75
"""fts's match_bm25 defaults, used by the scoring below."""


def _bm25_hits(table: str, family: str, weight: float, condition: str) -> str:
    """BM25 of one index for the query terms of ``family``, summed per release (the formula of fts's match_bm25).

    Why not match_bm25: it is a scalar macro evaluated per row of the table, and inside our table
    macro the query is not a literal but the normalised form of ``q``. Handed over as a scalar
    subquery, the run took 72 s on 700 releases; as an expression it is normalised again for
    every row. Reading the index tables (dict, terms, docs, stats, built by create_fts_index)
    scores all families and the names in one set-based query. bench/bench_search.py prints both
    at 100,000 releases; match_bm25 with a literal query (which no macro can give it) is faster.
    """
    schema = f"fts_main_{table}"
    return f"""SELECT docs.name AS release_id,
                   {weight} * log(((st.num_docs - di.df + 0.5) / (di.df + 0.5)) + 1)
                   * (count(*) * ({BM25_K} + 1)) / (count(*) + {BM25_K} * (1 - {BM25_B} + {BM25_B} * docs.len / st.avgdl)) AS score
            FROM query_terms qt
            JOIN {schema}.dict di ON qt.family = '{family}' AND di.term = qt.term
            JOIN {schema}.terms te ON te.termid = di.termid
            JOIN {schema}.docs docs ON docs.docid = te.docid
            CROSS JOIN {schema}.stats st
            WHERE {condition}
            GROUP BY docs.name, di.termid, di.df, docs.len, st.num_docs, st.avgdl"""


def _search_macro() -> str:
    terms = "\n        UNION ALL\n        ".join(
        [f"SELECT DISTINCT '{f.name}' AS family, unnest(search_norm_{f.name}(w)) AS term FROM query_words "
         f"WHERE w NOT IN (SELECT word FROM search_stopwords WHERE family = '{f.name}')" for f in FAMILIES]
        + ["SELECT DISTINCT 'names', unnest(search_query_names(q))"]
    )
    hits = "\n            UNION ALL\n            ".join(
        [_bm25_hits(f.table, f.name, 1.0, f"lang IS NULL OR search_family(lang) = '{f.name}'") for f in FAMILIES]
        + [_bm25_hits(NAMES_TABLE, "names", NAME_WEIGHT, "true")]
    )
    return f"""
CREATE OR REPLACE MACRO search_releases(q, source := NULL, lang := NULL, since := NULL, until := NULL,
                                        max_hits := {DEFAULT_MAX_HITS}) AS TABLE
    WITH query_words AS (
        SELECT unnest(search_words(q)) AS w
    ),
    query_terms AS (
        {terms}
    ),
    query_lists AS (
        SELECT family, list(term) AS terms FROM query_terms GROUP BY family
    ),
    scored AS (
        SELECT release_id, sum(score) AS score FROM (
            {hits}
        ) GROUP BY release_id
    ),
    ranked AS (
        SELECT r.release_id, r.source_id, r.language, r.published_at, r.title, r.url, s.score,
               concat_ws(' ', r.lead, r.body_text) AS text
        FROM scored s JOIN releases r USING (release_id)
        WHERE (source IS NULL OR r.source_id = source)
          AND (lang IS NULL OR r.language = lang)
          AND (since IS NULL OR r.published_at >= CAST(since AS DATE))
          AND (until IS NULL OR r.published_at < CAST(until AS DATE) + INTERVAL 1 DAY)
        ORDER BY s.score DESC, r.release_id
        LIMIT max_hits
    )
    SELECT k.release_id, k.source_id, k.language, k.published_at, k.title, k.url, k.score,
           search_snippet_of(k.text, t.terms, n.terms, search_family(k.language), {SNIPPET_WORDS}) AS snippet
    FROM ranked k
    LEFT JOIN query_lists t ON t.family = search_family(k.language)
    LEFT JOIN (SELECT terms FROM query_lists WHERE family = 'names') n ON true
    ORDER BY k.score DESC, k.release_id
"""


MACRO_COMMENT = (
    "Full-text search over releases: SELECT * FROM search_releases(''визит премьер-министра'') "
    "or search_releases(''greetings'', source := ''kremlin_en'', lang := ''en'', since := ''2017-12-01'', "
    "until := ''2017-12-31'', max_hits := 100). Ranked rows of release_id, source_id, language, published_at, "
    "title, url, score (BM25, higher is better) and snippet (about 30 words around the matches, each match in "
    "⟦ ⟧). Word forms meet by stemming (ru/be/uk: Russian stemmer after folding letters; en, de: Snowball; "
    "az: suffix stripping; others: exact words); names also match across scripts (Asadov = Асадов). "
    "Needs the fts extension loaded; the index is rebuilt after each load (publish flow)."
)


def install_search(con: duckdb.DuckDBPyConnection) -> None:
    """Migration 6: the multilingual search (replacing migration 2's), indexed over what is stored.

    Needs fts loaded and migration 4's ``name_key``/``name_words`` macros.
    """
    con.execute("DROP MACRO TABLE IF EXISTS search_releases")
    con.execute("DROP MACRO IF EXISTS search_normalize_ru")
    con.execute(MACROS)
    con.execute("CREATE TABLE IF NOT EXISTS search_stopwords (family VARCHAR NOT NULL, word VARCHAR NOT NULL, "
                "PRIMARY KEY (family, word))")
    con.execute("DELETE FROM search_stopwords")
    # As an Arrow table: executemany (an INSERT per word, each value converted by DuckDB's Python
    # layer) took 0.5 s for these ~400 words, most of what creating a fresh database cost.
    pairs = [(fam, w) for fam, words in STOPWORDS.items() for w in words]
    words = pa.table({"family": [fam for fam, _ in pairs], "word": [w for _, w in pairs]})
    with registered(con, words) as name:
        con.execute(f"INSERT INTO search_stopwords SELECT family, word FROM {name}")
    con.execute("COMMENT ON TABLE search_stopwords IS 'Words left out of the full-text index, per search family: "
                "closed-class words only (articles, pronouns, prepositions, conjunctions, particles, auxiliaries), "
                "matched before stemming, so no content word is dropped (DuckDB''s own English list drops "
                "greetings). From govpress/store/stopwords.py.'")
    con.execute("COMMENT ON COLUMN search_stopwords.family IS 'Search family: ru (ru, be, uk), en, de or az.'")
    con.execute("COMMENT ON COLUMN search_stopwords.word IS 'The word, lower-cased as written.'")
    for family in FAMILIES:
        languages = ", ".join(family.languages) if family.languages else "every language not indexed elsewhere, and NULL"
        _create_search_table(
            con, family.table,
            f"Full-text search copy of releases in: {languages} (search family {family.name}). Rebuilt after each "
            "load by rebuild_search_index(); query it through search_releases(q), not directly.",
            f"Indexed words of title, subtitle, lead and body_text: lower-cased, stopwords removed, normalised by "
            f"search_norm(word, ''{family.name}'').",
        )
    _create_search_table(
        con, NAMES_TABLE,
        "Names of each release (capitalised words, not sentence-initial) as script-independent keys "
        "(name_key: Асадов, Asadov, Əsədov -> asdv), so that search_releases() finds a name in any script. "
        "Rebuilt after each load.",
        "Name keys of the capitalised words of title, subtitle, lead and body_text.",
    )
    refill_and_index(con)
    con.execute(_search_macro())
    con.execute(f"COMMENT ON MACRO TABLE search_releases IS '{MACRO_COMMENT}'")
    for name, text in MACRO_COMMENTS.items():
        con.execute(f"COMMENT ON MACRO {name} IS '{text}'")


MACRO_COMMENTS = {
    "search_snippet": "search_snippet(text, query, language[, words := 30]): about that many words of text around "
                      "the best cluster of query matches, each match wrapped in ⟦ ⟧ (what search_releases returns).",
    "search_terms": "search_terms(text, family): the forms of the words of text for a search family (ru, en, de, "
                    "az, other), stopwords included: what the index holds (less the words of search_stopwords) "
                    "and what a query is matched on.",
    "search_norm": "search_norm(word, family): the forms a lower-cased word is indexed under (one; several for az).",
    "search_family": "search_family(language): the search family of an ISO 639-1 code: ru for ru/be/uk, en, de, "
                     "az, other for the rest and NULL.",
}


def _create_search_table(con: duckdb.DuckDBPyConnection, table: str, comment: str, terms_comment: str) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (release_id VARCHAR NOT NULL, terms VARCHAR NOT NULL)")
    con.execute(f"COMMENT ON TABLE {table} IS '{comment}'")
    con.execute(f"COMMENT ON COLUMN {table}.release_id IS 'The release (releases.release_id).'")
    con.execute(f"COMMENT ON COLUMN {table}.terms IS '{terms_comment}'")


def rebuild_search_index(con: duckdb.DuckDBPyConnection, *, full: bool = False, in_place: bool = True) -> int:
    """Bring the search tables and their fts indexes up to date with releases, in one transaction.

    Only the releases whose text changed since they were indexed are indexed again
    (govpress/store/search_update.py: same index, same results as a rebuild); the whole index is built
    when ``full``, when there is none yet, or when most releases changed. Returns the releases indexed.
    ``in_place``: a whole build fills the existing indexes where they stand (:func:`refill_and_index`); a lake
    passes False.
    """
    con.begin()
    try:
        count = _update_or_rebuild(con, full, in_place)
        con.commit()
        return count
    except BaseException:
        rollback_quietly(con)
        raise


def _update_or_rebuild(con: duckdb.DuckDBPyConnection, full: bool, in_place: bool = True) -> int:
    tables = [f.table for f in FAMILIES] + [NAMES_TABLE]
    changed = search_update.touched(con)
    total = con.execute("SELECT count(*) FROM releases").fetchone()[0]
    # The indexes' tables read once, for both questions: is there an index of every table, and which can be
    # filled where they stand (refill_and_index).
    indexed = _index_tables(con, tables)
    if full or not all("stats" in indexed.get(t, ()) for t in tables) \
            or changed > search_update.FULL_SHARE * max(total, 1):
        refill_and_index(con, keep_empty=True, in_place=in_place, indexed=indexed, state_ensured=True)
        return total
    if changed:
        slices = refill_slices(changed)
        for family in FAMILIES:
            con.execute(f"DELETE FROM {family.table} WHERE release_id IN (SELECT release_id FROM search_touched)")
        for number in range(slices):  # every family's rows in one statement per slice, then moved to their tables
            con.execute(_stage_sql(touched_only=True, slices=slices, number=number))
            for family in FAMILIES:
                con.execute(_from_staged_sql(family))
        con.execute(f"DROP TABLE IF EXISTS {STAGED_TABLE}")
        for family in FAMILIES:
            search_update.update_table(con, family.table, None)
        search_update.update_table(con, NAMES_TABLE, [_names_sql(touched_only=True, slices=slices, number=n)
                                                      for n in range(slices)])
        search_update.mark_indexed(con)
    return changed


def _drop_index(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The fts index of ``table`` dropped object by object (:func:`_drop_indexes` of one table)."""
    _drop_indexes(con, [table])


FTS_MACROS = ("match_bm25", "tokenize")
"""The macros ``create_fts_index`` makes in an index's schema (fts of DuckDB 1.5.5; tests/unit/store/test_search.py
compares them with ``duckdb_functions()`` after a build, so a DuckDB upgrade whose fts makes others fails there)."""


def _drop_indexes(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """The fts indexes of ``tables`` dropped object by object, before ``create_fts_index`` builds them again.

    ``overwrite=1`` alone drops the index's schema with CASCADE, and DuckDB 1.5.5 logs that drop so
    that it cannot replay it: a file whose WAL held a rebuild (a session closes without a checkpoint,
    and a run killed before its snapshot's checkpoint leaves one) failed to open with "Cannot drop entry
    fts_main_... because there are entries that depend on it" (bench/probe_edit_crash.py,
    tests/unit/store/test_search.py). Its macros and tables dropped one by one, then the empty
    schema, replay in order.

    The macros are fts's own (:data:`FTS_MACROS`), dropped by name: ``duckdb_functions()`` lists all of
    DuckDB's functions whatever the filter (10-20 ms a call here, once per whole build and per fresh
    file before). The tables are read from the catalogue (``duckdb_tables()``, about 1 ms).
    """
    schemas = [f"fts_main_{table}" for table in tables]
    if not schemas:
        return
    listed = "[" + ", ".join(quote(s) for s in schemas) + "]"
    present = {s for (s,) in con.execute(
        f"SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
        f"AND list_contains({listed}, schema_name)").fetchall()}
    if not present:
        return
    in_schemas = "[" + ", ".join(quote(s) for s in sorted(present)) + "]"
    held: dict[str, list[str]] = {}
    for schema, name in con.execute(
            f"SELECT schema_name, table_name FROM duckdb_tables() WHERE list_contains({in_schemas}, schema_name) "
            f"AND database_name = current_database() ORDER BY ALL").fetchall():
        held.setdefault(schema, []).append(name)
    drops: list[str] = []
    for schema in schemas:
        if schema not in present:
            continue
        drops += [f"DROP MACRO IF EXISTS {schema}.{name};" for name in FTS_MACROS]
        drops += [f"DROP TABLE {schema}.{name};" for name in held.get(schema, [])]
        drops.append(f"DROP SCHEMA IF EXISTS {schema};")
    con.execute("\n".join(drops))  # one call: each statement still runs (and is logged) on its own, in order


def _index_tables(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, set[str]]:
    """The tables each of ``tables``' fts index schemas holds (one catalogue read; an index with none is left out):
    whether each index exists, which are empty (:func:`refill_and_index`'s ``keep_empty``) and which can be filled
    where they stand (its ``in_place``)."""
    if not tables:
        return {}
    listed = "[" + ", ".join(quote(f"fts_main_{t}") for t in tables) + "]"
    held: dict[str, set[str]] = {}
    for schema, name in con.execute(
            f"SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
            f"AND list_contains({listed}, schema_name)").fetchall():
        held.setdefault(schema.removeprefix("fts_main_"), set()).add(name)
    return held


def _index_pragma(table: str) -> str:
    return (
        f"PRAGMA create_fts_index('{table}', 'release_id', 'terms', stemmer='none', stopwords='none', "
        f"ignore='{TOKEN_SPLIT}', strip_accents=0, lower=1, overwrite=1)"
    )


INDEX_TABLES = frozenset({"docs", "terms", "dict", "stats", "fields", "stopwords"})
"""The tables ``create_fts_index`` makes in an index's schema (fts of DuckDB 1.5.5), which :func:`_fill_index_sql`
fills; tests/unit/store/test_search.py compares them with what a build makes."""

NOT_SIMPLE = "[^ 0-9a-zß-öø-ÿа-яёєіїўґəışğ]"
"""A character other than the space, an ASCII digit or a lower-case letter of the scripts the search families use
(Latin-1's, the Russian, Belarusian and Ukrainian Cyrillic, Azerbaijani's ə ı ş ğ): :func:`_split_by_spaces`.
Listed rather than ``[^\\p{Ll}\\p{Lo}\\p{Nd} ]``, whose Unicode classes cost DuckDB's regular expression compiler
about 5 ms a statement (the check 7 -> 2.2 ms on a 12-page run's build); a text with any other character is
tokenised by fts's macro, the same words."""


def _split_by_spaces(con: duckdb.DuckDBPyConnection, tables: list[str]) -> set[str]:
    """Those of ``tables`` whose every ``terms`` value the index's ``tokenize`` macro splits into the words between
    its spaces (what ``string_split(terms, ' ')`` gives, once the empty words are dropped): none of them holds a
    :data:`NOT_SIMPLE` character. One statement for all of them.

    Why: ``tokenize`` lower-cases its text, replaces every run of characters outside ``[\\p{L}\\p{N}]`` by a
    space and splits on ``\\s+``: two passes of Unicode regular expressions over every indexed word (26-32 ms of
    a 653-release build's Russian index) and two compiles of them per statement (about 2.5 ms each, whatever
    the rows). The ``terms`` are words the refill made (lower-cased letters and digits, :data:`MACROS`) joined by
    spaces. For every character :data:`NOT_SIMPLE` lets through but the space, DuckDB's ``lower`` is the identity
    and none is outside ``[\\p{L}\\p{N}]`` or ``\\s`` (tests/unit/store/test_search.py checks each), so
    ``tokenize`` keeps such a value's words as they are, in order. A table with any other character is
    tokenised by the macro itself."""
    if not tables:
        return set()
    rows = " UNION ALL ".join(f"SELECT {quote(t)} AS t, terms FROM {t}" for t in tables)
    (odd,) = con.execute(
        f"SELECT list(DISTINCT t) FILTER (WHERE regexp_matches(terms, '{NOT_SIMPLE}')) FROM ({rows})").fetchone()
    return set(tables) - set(odd or [])


FILL_TERMS_TABLE = "search_fts_terms"
"""Temp table of one index's word occurrences while :func:`_fill_index_sql` fills it."""


def _fill_index_sql(table: str, *, split: bool) -> str:
    """The statements that make ``table``'s existing fts index what ``create_fts_index`` (:func:`_index_pragma`)
    builds, row for row and in the same order, by emptying its tables and filling them again.

    ``create_fts_index`` drops the index's schema and makes it again, then adds columns and fills them by
    correlated ``UPDATE`` s, some 18 statements. Here the schema, its ``fields`` and ``stopwords`` and its macros
    stay (made with the same parameters: :func:`refill_and_index`'s ``in_place``), and ``docs``, ``terms``,
    ``dict`` and ``stats`` get fts's own rows: the documents' ``rowid`` s as ``docid``, fts's word filter, its
    ``termid`` order (its ``DISTINCT ... ORDER BY docid, term`` numbered by ``row_number()``, written as the
    aggregate DuckDB plans it as, which also counts the ``df``: ~1 ms an index at 653 releases), its ``df``
    and ``avgdl`` expressions (fts's ``stem(w, 'none')`` around each word left out: with the stemmer ``none`` it
    returns the word as it is, and was 0.8 ms of a 653-release build's Russian index, 53,567 calls).
    ``split``: the words are the runs between the spaces of ``terms``
    (:func:`_split_by_spaces`); else the index's ``tokenize`` macro splits them, as fts does.
    tests/unit/store/test_search.py compares every table of both builds, in their stored order."""
    s = f"fts_main_{table}"
    t = FILL_TERMS_TABLE
    words = "string_split(fts_ii.terms, ' ')" if split else f"{s}.tokenize(fts_ii.terms)"
    return ";\n".join([
        f"DELETE FROM {s}.docs", f"DELETE FROM {s}.terms", f"DELETE FROM {s}.dict", f"DELETE FROM {s}.stats",
        f"""CREATE OR REPLACE TEMP TABLE {t} AS
            SELECT t.w AS term, t.docid AS docid, t.fieldid AS fieldid FROM (
                SELECT unnest({words}) AS w, rowid AS docid,
                       (SELECT fieldid FROM {s}.fields WHERE field = 'terms') AS fieldid
                FROM {table} AS fts_ii) AS t
            WHERE t.w NOT NULL AND len(t.w) > 0 AND t.w NOT IN (SELECT sw FROM {s}.stopwords)""",
        f"""INSERT INTO {s}.docs
            SELECT d.rowid, d.release_id, coalesce(n.len, 0) FROM {table} d
            LEFT JOIN (SELECT docid, count(term) AS len FROM {t} GROUP BY docid) n ON n.docid = d.rowid
            ORDER BY d.rowid""",
        # fts's numbering: its DISTINCT term ... ORDER BY docid, term is, as DuckDB plans it, a GROUP BY term
        # ordered by first(docid), term; here in the same aggregate as the df (fts groups the terms twice)
        f"""INSERT INTO {s}.dict
            SELECT row_number() OVER (ORDER BY first_doc, term) - 1 AS termid, term, df FROM (
                SELECT term, first(docid) AS first_doc, count(DISTINCT docid) AS df FROM {t} GROUP BY term)
            ORDER BY termid""",
        f"""INSERT INTO {s}.terms
            SELECT o.docid, o.fieldid, d.termid FROM {t} o JOIN {s}.dict d USING (term) ORDER BY o.rowid""",
        f"INSERT INTO {s}.stats SELECT COUNT(docs.docid), SUM(docs.len) / COUNT(docs.len) FROM {s}.docs AS docs",
        f"DROP TABLE {t}",
    ])


TOUCHED_ONLY = " AND r.release_id IN (SELECT release_id FROM search_touched)"
"""Restricts a refill to the releases an incremental update reindexes (govpress/store/search_update.py)."""


REFILL_SLICE = 2_500
"""Releases a rebuild (or an update in place) indexes per statement. One statement over a family's every release
held all their words and index rows at once: at 96,301 releases its native memory went past the writer's
DuckDB limit by a few hundred MB (the peak of a backfill), and under a 256MB limit it failed; a slice
of this size keeps each statement's working set bounded whatever the corpus (docs/scale.md). 2,500, not
10,000, since each release's terms are sorted (a list per release, :func:`_refill_sql`): 10,000 synthetic
releases of bench_load.py per slice ran out of the 244 MB the rebuild has; 2,500 took no longer
(20,000 releases: 6.5 s against 6.9 s with the unsorted terms and 10,000 per slice)."""


def refill_slices(releases: int, per_slice: int = REFILL_SLICE) -> int:
    """How many slices a rebuild splits ``releases`` of one family into: at most ``per_slice`` each, on average."""
    return max(1, -(-releases // per_slice))


def _slice_filter(slices: int, number: int) -> str:
    """Slice ``number`` of ``slices`` by a hash of the release id: disjoint, together every release."""
    return f" AND hash(r.release_id) % {slices} = {number}" if slices > 1 else ""


def _refill_sql(family: Family, *, touched_only: bool = False, slices: int = 1, number: int = 0) -> str:
    """Index rows of one family, set-based: each distinct word is normalised once, not once per occurrence
    (a corpus has far fewer distinct words than words: Zipf), stopwords removed by an anti-join.
    The build makes every family's rows at once (:func:`_stage_sql`, the same rows); this one family's
    form is what tests compare them with.

    ``slices``/``number``: only the releases of that slice (:func:`refill_slices`); a release's row
    depends on its own text alone, so the slices' rows together are the whole refill's.

    A release's terms are stored sorted: ``string_agg`` took them in the join's order, which changed
    with DuckDB's threads, so two identical runs stored the same words in different orders (BM25, a
    bag of words, never saw it; the tables did). Sorting each release's list keeps the refill's memory
    as it was; ``string_agg(... ORDER BY position)`` ran out of the build's memory limit."""
    return f"""
INSERT INTO {family.table}
WITH words AS (
    SELECT r.release_id, unnest(search_words({_RAW_TEXT})) AS w FROM releases r
    WHERE {_family_filter(family)}{TOUCHED_ONLY if touched_only else ""}{_slice_filter(slices, number)}
),
kept AS (
    SELECT release_id, w FROM words WHERE w NOT IN (SELECT word FROM search_stopwords WHERE family = '{family.name}')
),
forms AS (
    SELECT w, unnest(search_norm_{family.name}(w)) AS term FROM (SELECT DISTINCT w FROM kept)
)
SELECT k.release_id, array_to_string(list_sort(list(f.term)), ' ') FROM kept k JOIN forms f USING (w)
GROUP BY k.release_id"""


STAGED_TABLE = "search_staged"
"""Temp table of one slice's index rows of every family (``family``, ``release_id``, ``terms``), :func:`_stage_sql`."""


JOINED_APOSTROPHE = "(\\p{L})['’ʼ](\\p{L})"
"""An apostrophe between two letters, which ``search_words`` drops (:data:`MACROS`; ``'`` doubled for SQL below)."""


def _stage_sql(*, touched_only: bool = False, slices: int = 1, number: int = 0,
               families: tuple[Family, ...] = FAMILIES) -> str:
    """:func:`_refill_sql` of every family at once, into :data:`STAGED_TABLE` (replaced): the family of each
    release by ``search_family``, its words' forms by ``search_norm`` (a CASE over the families' macros).

    One statement, not one per family: each statement costs DuckDB a few ms however few rows it fills (2-3 ms
    measured on a quiet machine, 7-10 at load 11-13, most of it compiling ``search_words``' regular expressions);
    five families made five per slice, and an update in place ran all five even for families with nothing touched.

    The words are ``search_words``' own, lower-cased after the split rather than before it, and only once per
    distinct word (``lower`` over a 653-release build's 950,000 characters was 7.8 ms, over its ~2,600 distinct
    words well under 1; the stopwords are looked up once per distinct word too, not per occurrence). The same words:
    DuckDB's ``lower`` maps each character to one character on its own (no context), keeps the three apostrophes
    as they are and keeps every character inside or outside ``[\\p{L}\\p{N}]`` as it was, so the apostrophes
    dropped and the places the text is split at are the same before and after it
    (tests/unit/store/test_search.py checks each character of Unicode). Rows equal to the per-family SQL's
    (tests/unit/store/test_search.py compares them).

    Two cuts of the per-occurrence work (133,000 words at 653 releases): the apostrophe rule runs only on a text
    that holds one of its three apostrophes (``contains``, no regular expression; most texts hold none, and the
    rule's scan of every text was ~5 ms), and each word carries its release's ``rowid`` rather than its id (16
    characters, stored apart from the row), joined back once per release at the end. The same rows; their order in
    the staged table may differ, which nothing reads (the search tables' ``rowid`` s, fts's document numbers, follow
    it; no score or result depends on them).

    ``families``: those that hold releases (a whole rebuild knows them from its counts), whose normalisation
    alone is written out instead of ``search_norm``'s CASE over all five: binding the others' macros (the
    Azerbaijani stems' nested lambdas most) was ~1.2 ms of every build however few its releases. A release of
    another family would stop the statement (``error``) rather than lose its words."""
    joined = JOINED_APOSTROPHE.replace("'", "''")
    if families == FAMILIES:
        norm = "search_norm(l.w, l.family)"
    else:
        branches = " ".join(f"WHEN '{f.name}' THEN search_norm_{f.name}(l.w)" for f in families)
        norm = f"CASE l.family {branches} ELSE error('search family not staged: ' || l.family) END"

    where = f"true{TOUCHED_ONLY if touched_only else ''}{_slice_filter(slices, number)}"
    return f"""
CREATE OR REPLACE TEMP TABLE {STAGED_TABLE} AS
WITH texts AS (
    SELECT r.rowid AS rid, search_family(r.language) AS family, coalesce({_RAW_TEXT}, '') AS t
    FROM releases r WHERE {where}
),
words AS MATERIALIZED (
    SELECT rid, family,
           unnest(regexp_split_to_array(
               CASE WHEN contains(t, '''') OR contains(t, '’') OR contains(t, 'ʼ')
                    THEN regexp_replace(t, '{joined}', '\\1\\2', 'g') ELSE t END,
               '{TOKEN_SPLIT}')) AS v
    FROM texts
),
forms AS (
    SELECT l.family, l.v, unnest({norm}) AS term
    FROM (SELECT family, v, lower(v) AS w FROM (SELECT DISTINCT family, v FROM words WHERE v <> '')) l
    ANTI JOIN search_stopwords s ON s.family = l.family AND s.word = l.w
),
staged AS (
    SELECT k.family, k.rid, array_to_string(list_sort(list(f.term)), ' ') AS terms
    FROM words k JOIN forms f USING (family, v)
    GROUP BY k.family, k.rid
)
SELECT s.family, r.release_id, s.terms FROM staged s JOIN releases r ON r.rowid = s.rid WHERE {where}"""


def _from_staged_sql(family: Family) -> str:
    """The rows of ``family`` from :data:`STAGED_TABLE` into its table."""
    return f"INSERT INTO {family.table} SELECT release_id, terms FROM {STAGED_TABLE} WHERE family = '{family.name}'"


def refill_and_index(con: duckdb.DuckDBPyConnection, per_slice: int = REFILL_SLICE, *, keep_empty: bool = False,
                     in_place: bool = False, indexed: dict[str, set[str]] | None = None,
                     state_ensured: bool = False) -> None:
    """The body of a rebuild, inside the caller's transaction (each family filled by slices of ``per_slice``).

    ``keep_empty`` (a run's rebuild, not a migration): a family that holds no release, whose table and index
    are empty already, is left as it is instead of its empty index being dropped and built again (6-10 ms
    each: three of the five families on the generated site, every fresh file's first build). Only for
    indexes built with today's parameters: every file at the latest schema version has them (a migration
    that changes them builds them again, with ``keep_empty`` off).

    ``in_place`` (with ``keep_empty``; not on a lake, whose dialect builds fts's index apart): an index whose
    schema holds all of fts's tables is filled again where it stands (:func:`_fill_index_sql`: the same rows),
    not dropped and built by ``create_fts_index``; an index missing any of them is built as before.
    ``indexed``: :func:`_index_tables` of every search table, when the caller has just read it.
    ``state_ensured``: the caller's transaction made sure of ``search_indexed`` already (search_update.touched).
    """
    counts = [(family.table, f"SELECT count(*) FROM releases r WHERE {_family_filter(family)}") for family in FAMILIES]
    counts.append((NAMES_TABLE, "SELECT count(*) FROM releases"))
    tables = [table for table, _ in counts]
    if indexed is None:
        indexed = _index_tables(con, tables) if keep_empty else {}
    # With keep_empty, the rows of each existing index (its table's and its documents) are counted in the same
    # statement as the releases: a family with no release whose table and index hold none is left as it is.
    probed = [table for table in tables if keep_empty and "docs" in indexed.get(table, ())]
    values = con.execute("SELECT " + ", ".join(
        [f"({count})" for _, count in counts]
        + [f"(SELECT count(*) FROM {t}) + (SELECT count(*) FROM fts_main_{t}.docs)" for t in probed])).fetchone()
    held = dict(zip(tables, values))
    kept = {table for table, rows in zip(probed, values[len(tables):]) if not held[table] and not rows}
    refilled = {table for table in held if table not in kept and INDEX_TABLES <= indexed.get(table, set())
                } if keep_empty and in_place else set()
    _drop_indexes(con, [table for table in held if table not in kept and table not in refilled])
    for table in held:
        if table not in kept:
            con.execute(f"DELETE FROM {table}")
    # Every family's rows in one statement per slice (search_words' regular expressions compiled once per
    # slice, not once per family and slice), then moved to their tables; only families that hold releases.
    filled = [family for family in FAMILIES if held[family.table]]
    slices = refill_slices(sum(held[family.table] for family in filled), per_slice) if filled else 0
    for number in range(slices):
        con.execute(_stage_sql(slices=slices, number=number, families=tuple(filled)))
        for family in filled:
            con.execute(_from_staged_sql(family))
    if slices:
        con.execute(f"DROP TABLE IF EXISTS {STAGED_TABLE}")
    names_slices = refill_slices(held[NAMES_TABLE], per_slice) if held[NAMES_TABLE] else 0
    for number in range(names_slices):
        con.execute(_names_sql(slices=names_slices, number=number))
    split = _split_by_spaces(con, [table for table in held if table in refilled])
    for table in held:
        if table in refilled:
            con.execute(_fill_index_sql(table, split=table in split))
        elif table not in kept:
            con.execute(_index_pragma(table))
    search_update.record_all(con, ensured=state_ensured)


NAME_WORDS_SQL = (
    "flatten(list_transform([r.title, r.subtitle, r.lead, r.body_text], lambda t: list_filter(regexp_extract_all("
    r"regexp_replace(coalesce(t, ''), '(?:^|[.!?:]\s+)\S+', ' ', 'g'), '\p{Lu}\p{L}+'), "
    "lambda w: len(w) >= 4 AND w <> upper(w))))"
)
r"""A release's capitalised words, its title's first: ``name_words`` (migration 4's macro) of each text, in order, as
:data:`NAMES_TERMS_SQL`'s four calls give them. One call in a lambda: DuckDB compiles a call's regular expressions
once per statement, so four calls were a fixed ~20 ms of every index build.

The macro's own steps written out with two cheaper patterns, the same words (tests/unit/store/test_search.py compares
them with the macro): a sentence's first word goes by ``(?:^|[.!?:]\s+)\S+`` replaced by a space, not
``(^|[.!?:]\s+)\S+`` by ``\1`` (a capture group made RE2 find each match's groups on top of the match; the runs of
letters left are the same, since what either puts in the word's place holds no letter and the word is followed by
a space or the end); and the words are runs ``\p{Lu}\p{L}+`` of four letters or more, not ``\p{Lu}\p{L}{3,}`` (the
class thrice made a larger program: 4-6 ms to compile, and its matching was ~40% slower). The same runs: either
pattern's match starts at the first capital of a run of letters that has enough letters from there on, a later
capital of the run has fewer, and both take the run to its end. 653 releases: the words 19 -> 14 ms, a 12-release
build's names insert 11 -> 7 ms (perf-index27)."""


def _names_sql(*, touched_only: bool = False, slices: int = 1, number: int = 0) -> str:
    """Rows of the names table, set-based: each distinct word keyed once (what :data:`NAMES_TERMS_SQL` gives per row).

    ``search_name_key`` (a transliteration, a dozen string functions) on every capitalised word was
    about half of the names insert, and a corpus repeats its names: 653 releases of the generated
    site hold 13,455 such words, 372 distinct. The keys come back in the words' order, the short and
    common ones left out as ``search_name_keys`` does (tests/unit/store/test_search.py compares both).
    ``slices``/``number`` as :func:`_refill_sql`'s.

    Each release's words end with a NULL, which no key joins: a release without a name still has a row to group
    (an empty list, then ``''``), without joining the releases back to their words by id (~3.5 ms of a 653-release
    build, perf-index27).
    """
    where = "true" + (TOUCHED_ONLY if touched_only else "") + _slice_filter(slices, number)
    return f"""
INSERT INTO {NAMES_TABLE}
WITH words AS MATERIALIZED (
    SELECT r.release_id, {NAME_WORDS_SQL} AS ws FROM releases r WHERE {where}
),
keys AS (
    SELECT w, search_name_key(w) AS k FROM (SELECT DISTINCT unnest(ws) AS w FROM words)
),
occurrences AS (
    SELECT release_id, unnest(ws || [NULL]) AS w, unnest(range(len(ws) + 1)) AS position FROM words
)
SELECT o.release_id,
       coalesce(array_to_string(list(k.k ORDER BY o.position)
                                FILTER (WHERE len(k.k) >= 3 AND NOT list_contains({_sql_list(COMMON_TITLE_KEYS)}, k.k)),
                                ' '), '')
FROM occurrences o LEFT JOIN keys k USING (w)
GROUP BY o.release_id"""


@dataclass(frozen=True, slots=True)
class SearchHit:
    release_id: str
    source_id: str
    language: str | None
    published_at: datetime | None
    title: str
    url: str
    score: float
    snippet: str


def search_releases(
    con: duckdb.DuckDBPyConnection,
    query: str,
    limit: int = 20,
    *,
    source: str | None = None,
    language: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[SearchHit]:
    """The best ``limit`` releases for ``query`` (the ``search_releases`` macro with the same filters)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    rows = con.execute(
        "SELECT * FROM search_releases($q, source := $source, lang := $lang, since := $since, until := $until, "
        "max_hits := $limit)",
        {"q": query, "source": source, "lang": language, "since": since, "until": until, "limit": limit},
    ).fetchall()
    return [SearchHit(*row) for row in rows]
