-- syndication links across publishers, same_event_links and release_event_keys materialised at load time; event_candidates and release_names read them
--
-- govpress/events.py computes both for the releases each batch changes (the data step, for those
-- already stored). A copy of a release on another publisher's site gets a release_links row of
-- kind 'syndication' pointing at the first publisher's release. Releases of different publishers
-- that name the same people and places (govpress/dedupe/names.py: one key across Cyrillic and
-- the Latin transliterations) on the same or adjacent days are same_event_links, with their
-- evidence. event_candidates (migration 4) becomes a view of that table.

CREATE TABLE IF NOT EXISTS release_event_keys (
    release_id  VARCHAR PRIMARY KEY,
    publisher   VARCHAR NOT NULL,
    names       VARCHAR[] NOT NULL,
    name_forms  VARCHAR[] NOT NULL,
    event_day   DATE NOT NULL,
    day_basis   VARCHAR NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS same_event_links (
    release_id      VARCHAR NOT NULL,
    other_id        VARCHAR NOT NULL,
    shared_keys     VARCHAR[] NOT NULL,
    shared_names    VARCHAR[] NOT NULL,
    score           DOUBLE NOT NULL,
    event_day       DATE NOT NULL,
    day_basis       VARCHAR NOT NULL,
    other_event_day DATE NOT NULL,
    other_day_basis VARCHAR NOT NULL,
    first_seen_at   TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (release_id, other_id)
);

CREATE OR REPLACE VIEW release_names AS
SELECT release_id, names FROM release_event_keys;

CREATE OR REPLACE VIEW event_candidates AS
SELECT l.release_id,
       l.other_id,
       a.source_id,
       b.source_id AS other_source_id,
       a.language,
       b.language AS other_language,
       a.published_at,
       b.published_at AS other_published_at,
       l.shared_names,
       l.score,
       l.shared_keys,
       l.event_day,
       l.day_basis,
       l.other_event_day,
       l.other_day_basis
FROM same_event_links l
JOIN releases a ON a.release_id = l.release_id
JOIN releases b ON b.release_id = l.other_id;

COMMENT ON TABLE release_event_keys IS 'Per release, what same-event matching compares: its publisher, the names in its title, subtitle and lead (one key across scripts) and its event day. Recomputed whenever the release is loaded new or edited.';
COMMENT ON COLUMN release_event_keys.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_event_keys.publisher IS 'Who published it: the source''s institution, else its group, else the source id. Language editions of one site are one publisher.';
COMMENT ON COLUMN release_event_keys.names IS 'Name keys (consonant skeletons after transliteration: Головченко, Golowtschenko, Halouchanka -> hlcnk; Асадов, Asadow, Assad -> asd); words of office (Prime Minister, Президент) left out.';
COMMENT ON COLUMN release_event_keys.name_forms IS 'The same names as the release wrote them, in the order of names.';
COMMENT ON COLUMN release_event_keys.event_day IS 'The day the release speaks of: its publication day in the source''s time zone; for an undated release see day_basis.';
COMMENT ON COLUMN release_event_keys.day_basis IS 'published (its own date), neighbour (undated: the publication day of the same source''s dated release first seen closest to it) or fetched (undated without a dated neighbour: the day it was first fetched).';
COMMENT ON COLUMN release_event_keys.computed_at IS 'When the keys were computed.';
COMMENT ON COLUMN release_event_keys.run_id IS 'The run that computed them.';

COMMENT ON TABLE same_event_links IS 'Releases of different publishers telling the same event: not copies of one text (those are syndication) and not one publisher''s editions (translation), naming at least two of the same people or places with event days at most one day apart. Materialised at load time for the releases each batch changed; both directions stored.';
COMMENT ON COLUMN same_event_links.release_id IS 'One release of the pair.';
COMMENT ON COLUMN same_event_links.other_id IS 'The other release (another publisher).';
COMMENT ON COLUMN same_event_links.shared_keys IS 'The name keys both carry (see release_event_keys.names): the evidence.';
COMMENT ON COLUMN same_event_links.shared_names IS 'The shared names as each wrote them, ''form in release_id = form in other_id'' (e.g. ''Головченко = Halouchanka'').';
COMMENT ON COLUMN same_event_links.score IS 'Shared names / names of the release with fewer, 0..1; 1 means one names nobody the other does not.';
COMMENT ON COLUMN same_event_links.event_day IS 'Event day of release_id (release_event_keys.event_day).';
COMMENT ON COLUMN same_event_links.day_basis IS 'Where event_day comes from: published, neighbour or fetched (undated releases).';
COMMENT ON COLUMN same_event_links.other_event_day IS 'Event day of other_id.';
COMMENT ON COLUMN same_event_links.other_day_basis IS 'Where other_event_day comes from: published, neighbour or fetched.';
COMMENT ON COLUMN same_event_links.first_seen_at IS 'When the pair was first linked.';
COMMENT ON COLUMN same_event_links.run_id IS 'The run that last wrote the link.';

COMMENT ON MACRO name_key IS 'The SQL name key of migration 4 (Асадов, Asadov, Əsədov -> asdv), used by search; same-event links use the finer transliteration key of govpress/dedupe/names.py (release_event_keys.names).';
COMMENT ON VIEW release_names IS 'Per release, the name keys of the people and places in its title, subtitle and lead (release_event_keys.names).';
COMMENT ON COLUMN release_names.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_names.names IS 'Distinct name keys, e.g. [asd, hlcnk, mnsk] for Asadov, Golovchenko, Minsk.';
COMMENT ON VIEW event_candidates IS 'same_event_links with both releases'' sources, languages and dates: one event told by several publishers and languages (both directions listed).';
COMMENT ON COLUMN event_candidates.release_id IS 'One release of the pair.';
COMMENT ON COLUMN event_candidates.other_id IS 'The other release of the pair (another publisher).';
COMMENT ON COLUMN event_candidates.source_id IS 'Source of release_id.';
COMMENT ON COLUMN event_candidates.other_source_id IS 'Source of other_id.';
COMMENT ON COLUMN event_candidates.language IS 'Language of release_id (ISO 639-1).';
COMMENT ON COLUMN event_candidates.other_language IS 'Language of other_id (ISO 639-1).';
COMMENT ON COLUMN event_candidates.published_at IS 'Publication time of release_id; NULL when undated (see day_basis).';
COMMENT ON COLUMN event_candidates.other_published_at IS 'Publication time of other_id; NULL when undated.';
COMMENT ON COLUMN event_candidates.shared_names IS 'The shared names as each release wrote them (same_event_links.shared_names): the evidence.';
COMMENT ON COLUMN event_candidates.score IS 'Shared names / names of the release with fewer (0..1].';
COMMENT ON COLUMN event_candidates.shared_keys IS 'The shared name keys.';
COMMENT ON COLUMN event_candidates.event_day IS 'Event day of release_id.';
COMMENT ON COLUMN event_candidates.day_basis IS 'published, neighbour or fetched: how event_day was found.';
COMMENT ON COLUMN event_candidates.other_event_day IS 'Event day of other_id.';
COMMENT ON COLUMN event_candidates.other_day_basis IS 'published, neighbour or fetched: how other_event_day was found.';

COMMENT ON COLUMN release_links.kind IS 'exact_duplicate (same normalised text), near_duplicate (a lightly edited copy: estimated Jaccard similarity of 5-word shingles at least 0.8), syndication (an exact or near copy on ANOTHER publisher''s site; other_id is the first publisher''s release) or translation. Same-event links are in same_event_links.';
COMMENT ON TABLE release_links IS 'Directed links between releases: exact_duplicate (same text; other_id is the first holder), near_duplicate (similar text; other_id is the earlier release), syndication (a copy on another publisher''s site, beside its exact/near link; other_id is the earliest release of the copy''s cluster, the first publisher''s), translation (same release in another language, stored in both directions).';
COMMENT ON COLUMN release_links.score IS 'Similarity from 0 to 1: 1.0 for exact duplicates and for translations known from the site; for near_duplicate the estimated Jaccard similarity of the two texts'' 5-word shingles (at least 0.8); for syndication 1.0 for the same text, else the copy''s near-duplicate similarity.';
