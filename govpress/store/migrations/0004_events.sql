-- one event, many publishers: name keys (release_names) and event_candidates
--
-- The same event (a visit, a meeting) is published by several agencies in several languages:
-- the texts differ, but the people and places they name do not. Names are the capitalised words
-- of the title, subtitle and lead (not the first word of a sentence, not acronyms), folded to a
-- script-independent key: transliterated to Latin, digraphs simplified, vowels after the first
-- letter dropped, doubled letters squeezed, cut to 4 characters -- so Асадов, Асадавым, Asadov
-- and Əsədov all become 'asdv', Головченко and Golovchenko 'glvc'. Two releases of different
-- sources published within two days of each other that share at least two such names are event
-- candidates. A heuristic for analysts, with its evidence (shared_names) and a score.

CREATE OR REPLACE MACRO name_translit(w) AS
    replace(replace(replace(replace(replace(
        translate(lower(w), 'абвгдеёжзийклмнопрстуфхцчшщъыьэюяәəışçğöüўіäwß',
                            'abvgdeejziiklmnoprstufhccss_y_euaaaiscgouuiavs'),
        'sh', 's'), 'ch', 'c'), 'zh', 'j'), 'kh', 'h'), 'ts', 'c');

CREATE OR REPLACE MACRO name_squeeze(s) AS
    replace(replace(replace(replace(replace(replace(replace(replace(
        s, 'ss', 's'), 'll', 'l'), 'nn', 'n'), 'mm', 'm'), 'rr', 'r'), 'tt', 't'), 'ff', 'f'), 'kk', 'k');

CREATE OR REPLACE MACRO name_key(w) AS
    left(name_squeeze(left(name_translit(w), 1)
                      || regexp_replace(substr(name_translit(w), 2), '[aeiouy_]', '', 'g')), 4);

CREATE OR REPLACE MACRO name_words(t) AS
    list_filter(regexp_extract_all(regexp_replace(coalesce(t, ''), '(^|[.!?:]\s+)\S+', '\1', 'g'), '\p{Lu}\p{L}{3,}'),
                lambda w: w <> upper(w));

CREATE OR REPLACE VIEW release_names AS
SELECT release_id,
       list_filter(list_distinct(list_transform(name_words(title) || name_words(subtitle) || name_words(lead),
                                                lambda w: name_key(w))),
                   -- titles that every release carries name nobody: Prime Minister, President, Government
                   lambda k: len(k) >= 3 AND NOT list_contains(['prm', 'prmr', 'mnst', 'prsd', 'przd', 'gvrn', 'mnstr'], k)
       ) AS names
FROM releases;

CREATE OR REPLACE VIEW event_candidates AS
SELECT a.release_id,
       b.release_id AS other_id,
       a.source_id,
       b.source_id AS other_source_id,
       a.language,
       b.language AS other_language,
       a.published_at,
       b.published_at AS other_published_at,
       list_intersect(na.names, nb.names) AS shared_names,
       len(list_intersect(na.names, nb.names)) / least(len(na.names), len(nb.names)) AS score
FROM releases a
JOIN release_names na ON na.release_id = a.release_id
JOIN releases b ON b.source_id <> a.source_id AND b.release_id <> a.release_id
                AND b.published_at BETWEEN a.published_at - INTERVAL 2 DAY AND a.published_at + INTERVAL 2 DAY
JOIN release_names nb ON nb.release_id = b.release_id
WHERE len(list_intersect(na.names, nb.names)) >= 2;

COMMENT ON MACRO name_key IS 'Script-independent key of one name: transliterated, vowels after the first letter dropped, 4 characters (Асадов, Asadov, Əsədov -> asdv).';
COMMENT ON VIEW release_names IS 'Per release, the name keys of the people and places in its title, subtitle and lead (see name_key).';
COMMENT ON COLUMN release_names.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_names.names IS 'Distinct name keys, e.g. [asdv, glvc, azrb] for Asadov, Golovchenko, Azerbaijan.';
COMMENT ON VIEW event_candidates IS 'Pairs of releases from different sources, published within two days, naming at least two of the same people or places: candidates for one event told by several publishers and languages (both directions listed). A heuristic: check shared_names.';
COMMENT ON COLUMN event_candidates.release_id IS 'One release of the pair.';
COMMENT ON COLUMN event_candidates.other_id IS 'The other release of the pair (another source).';
COMMENT ON COLUMN event_candidates.source_id IS 'Source of release_id.';
COMMENT ON COLUMN event_candidates.other_source_id IS 'Source of other_id.';
COMMENT ON COLUMN event_candidates.language IS 'Language of release_id (ISO 639-1).';
COMMENT ON COLUMN event_candidates.other_language IS 'Language of other_id (ISO 639-1).';
COMMENT ON COLUMN event_candidates.published_at IS 'Publication time of release_id.';
COMMENT ON COLUMN event_candidates.other_published_at IS 'Publication time of other_id (within two days of published_at).';
COMMENT ON COLUMN event_candidates.shared_names IS 'The name keys both releases carry: the evidence.';
COMMENT ON COLUMN event_candidates.score IS 'Shared names / names of the release with fewer (0..1]; 1 means one release names nobody the other does not.';
