-- full-text search: per-language search tables, fts indexes, search_releases()
--
-- Releases are copied by language family into search_ru, search_en, search_de and search_other,
-- each indexed with its own stemmer (govpress/store/search.py explains why, and rebuilds them after
-- each load). A file of version 1 may already hold releases: they are copied in before indexing.

-- Russian text and queries are stemmed twice (the Snowball stemmer is not idempotent on Russian).
CREATE OR REPLACE MACRO search_normalize_ru(txt) AS
    array_to_string(
        list_filter(
            list_transform(regexp_split_to_array(replace(lower(txt), 'ё', 'е'), '[^\p{L}\p{N}]+'),
                           lambda w: stem(stem(w, 'russian'), 'russian')),
            lambda w: w <> ''),
        ' ');

CREATE TABLE IF NOT EXISTS search_ru (release_id VARCHAR NOT NULL, terms VARCHAR NOT NULL);
COMMENT ON TABLE search_ru IS 'Full-text search copy of releases in: ru, be, uk (stemmer none). Rebuilt after each load by rebuild_search_index(); query it through search_releases(q), not directly.';
COMMENT ON COLUMN search_ru.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN search_ru.terms IS 'Indexed text: title, subtitle, lead and body_text, lower-cased and stemmed twice with the Russian stemmer (search_normalize_ru).';

CREATE TABLE IF NOT EXISTS search_en (release_id VARCHAR NOT NULL, terms VARCHAR NOT NULL);
COMMENT ON TABLE search_en IS 'Full-text search copy of releases in: en (stemmer english). Rebuilt after each load by rebuild_search_index(); query it through search_releases(q), not directly.';
COMMENT ON COLUMN search_en.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN search_en.terms IS 'Indexed text: title, subtitle, lead and body_text.';

CREATE TABLE IF NOT EXISTS search_de (release_id VARCHAR NOT NULL, terms VARCHAR NOT NULL);
COMMENT ON TABLE search_de IS 'Full-text search copy of releases in: de (stemmer german). Rebuilt after each load by rebuild_search_index(); query it through search_releases(q), not directly.';
COMMENT ON COLUMN search_de.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN search_de.terms IS 'Indexed text: title, subtitle, lead and body_text.';

CREATE TABLE IF NOT EXISTS search_other (release_id VARCHAR NOT NULL, terms VARCHAR NOT NULL);
COMMENT ON TABLE search_other IS 'Full-text search copy of releases in: every language not indexed elsewhere, and NULL (stemmer none). Rebuilt after each load by rebuild_search_index(); query it through search_releases(q), not directly.';
COMMENT ON COLUMN search_other.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN search_other.terms IS 'Indexed text: title, subtitle, lead and body_text.';

-- What a version-1 file already holds, each release in its language family's table.
INSERT INTO search_ru SELECT r.release_id, search_normalize_ru(concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text)) FROM releases r WHERE r.language IN ('ru', 'be', 'uk');
INSERT INTO search_en SELECT r.release_id, concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text) FROM releases r WHERE r.language IN ('en');
INSERT INTO search_de SELECT r.release_id, concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text) FROM releases r WHERE r.language IN ('de');
INSERT INTO search_other SELECT r.release_id, concat_ws(' ', r.title, r.subtitle, r.lead, r.body_text) FROM releases r WHERE (r.language IS NULL OR r.language NOT IN ('ru', 'be', 'uk', 'en', 'de'));

-- DuckDB binds a macro's functions when the macro is created, so the indexes come first:
-- search_releases() calls their match_bm25.
PRAGMA create_fts_index('search_ru', 'release_id', 'terms', stemmer='none', stopwords='none', ignore='[^\p{L}\p{N}]+', strip_accents=0, lower=1, overwrite=1);
PRAGMA create_fts_index('search_en', 'release_id', 'terms', stemmer='english', stopwords='english', ignore='[^\p{L}\p{N}]+', strip_accents=1, lower=1, overwrite=1);
PRAGMA create_fts_index('search_de', 'release_id', 'terms', stemmer='german', stopwords='none', ignore='[^\p{L}\p{N}]+', strip_accents=0, lower=1, overwrite=1);
PRAGMA create_fts_index('search_other', 'release_id', 'terms', stemmer='none', stopwords='none', ignore='[^\p{L}\p{N}]+', strip_accents=0, lower=1, overwrite=1);

CREATE OR REPLACE MACRO search_releases(q) AS TABLE
    SELECT r.release_id, r.source_id, r.language, r.title, r.published_at, h.score
    FROM (
        SELECT release_id, fts_main_search_ru.match_bm25(release_id, search_normalize_ru(q)) AS score FROM search_ru
        UNION ALL
        SELECT release_id, fts_main_search_en.match_bm25(release_id, q) AS score FROM search_en
        UNION ALL
        SELECT release_id, fts_main_search_de.match_bm25(release_id, q) AS score FROM search_de
        UNION ALL
        SELECT release_id, fts_main_search_other.match_bm25(release_id, q) AS score FROM search_other
    ) h
    JOIN releases r USING (release_id)
    WHERE h.score IS NOT NULL
    ORDER BY h.score DESC, r.release_id;
