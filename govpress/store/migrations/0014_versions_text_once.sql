-- release_versions becomes a view over release_versions_stored, which keeps a version's text only once it is superseded (the current text is in releases)
--
-- A fresh load wrote every text twice, into releases and into release_versions: half of what the
-- load's inserts and checkpoints wrote (docs/scale.md, "What a fresh load writes"). Now the stored
-- row of a release's current version leaves title, subtitle, lead and body_text NULL (body_text is
-- never NULL in a text, so a NULL body_text is the marker), and the loader copies the text from
-- releases into that row just before releases takes a newer version. The view release_versions
-- puts the current text back, so every reader (release_history, the analysts' SQL, exports)
-- sees every version's text as before. DuckDB cannot drop a NOT NULL constraint, so the table is
-- rebuilt; a current version's text is dropped only where it equals the release's text exactly.

CREATE TABLE release_versions_stored (
    release_id         VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    content_hash       VARCHAR NOT NULL,
    title              VARCHAR,
    subtitle           VARCHAR,
    lead               VARCHAR,
    body_text          VARCHAR,
    published_at       TIMESTAMPTZ,
    seen_at            TIMESTAMPTZ NOT NULL,
    archive_key        VARCHAR,
    run_id             VARCHAR NOT NULL,
    diff               JSON,
    paragraphs_added   INTEGER,
    paragraphs_removed INTEGER,
    paragraphs_changed INTEGER,
    PRIMARY KEY (release_id, version)
);

INSERT INTO release_versions_stored
SELECT v.release_id, v.version, v.content_hash,
       CASE WHEN c.release_id IS NULL THEN v.title END,
       CASE WHEN c.release_id IS NULL THEN v.subtitle END,
       CASE WHEN c.release_id IS NULL THEN v.lead END,
       CASE WHEN c.release_id IS NULL THEN v.body_text END,
       v.published_at, v.seen_at, v.archive_key, v.run_id, v.diff, v.paragraphs_added, v.paragraphs_removed,
       v.paragraphs_changed
FROM release_versions v
LEFT JOIN releases c ON c.release_id = v.release_id AND c.version = v.version AND c.title = v.title
     AND c.subtitle IS NOT DISTINCT FROM v.subtitle AND c.lead IS NOT DISTINCT FROM v.lead AND c.body_text = v.body_text
ORDER BY v.release_id, v.version;

DROP TABLE release_versions;

-- The current text is joined on the version too: a text left NULL is only ever filled with its own.
CREATE VIEW release_versions AS
SELECT v.release_id,
       v.version,
       v.content_hash,
       CASE WHEN v.body_text IS NULL THEN r.title ELSE v.title END AS title,
       CASE WHEN v.body_text IS NULL THEN r.subtitle ELSE v.subtitle END AS subtitle,
       CASE WHEN v.body_text IS NULL THEN r.lead ELSE v.lead END AS lead,
       coalesce(v.body_text, r.body_text) AS body_text,
       v.published_at,
       v.seen_at,
       v.archive_key,
       v.run_id,
       v.diff,
       v.paragraphs_added,
       v.paragraphs_removed,
       v.paragraphs_changed
FROM release_versions_stored v
LEFT JOIN releases r ON r.release_id = v.release_id AND r.version = v.version AND v.body_text IS NULL;

COMMENT ON TABLE release_versions_stored IS 'The rows behind the view release_versions, one per version of a release. The current version''s title, subtitle, lead and body_text are NULL here (its text is the release''s own, in releases); the loader fills them in when a newer version supersedes it. Read release_versions instead.';
COMMENT ON COLUMN release_versions_stored.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_versions_stored.version IS 'Version number, 1 for the first text seen; the highest equals releases.version.';
COMMENT ON COLUMN release_versions_stored.content_hash IS 'Hash of this version''s normalised text.';
COMMENT ON COLUMN release_versions_stored.title IS 'Headline of this version once superseded; NULL for the current version (see releases.title).';
COMMENT ON COLUMN release_versions_stored.subtitle IS 'Sub-headline of this version once superseded (NULL also when it had none); NULL for the current version.';
COMMENT ON COLUMN release_versions_stored.lead IS 'Lead of this version once superseded (NULL also when it had none); NULL for the current version.';
COMMENT ON COLUMN release_versions_stored.body_text IS 'Text of this version once superseded; NULL exactly for the current version, whose text is in releases.';
COMMENT ON COLUMN release_versions_stored.published_at IS 'Publication instant the page stated in this version; NULL when none.';
COMMENT ON COLUMN release_versions_stored.seen_at IS 'When this version was first fetched.';
COMMENT ON COLUMN release_versions_stored.archive_key IS 'Key of the archived page this version was parsed from; NULL when not archived.';
COMMENT ON COLUMN release_versions_stored.run_id IS 'The run that stored this version.';
COMMENT ON COLUMN release_versions_stored.diff IS 'Paragraph-level diff from the previous version (see release_versions.diff); NULL for version 1.';
COMMENT ON COLUMN release_versions_stored.paragraphs_added IS 'Paragraphs of subtitle, lead and body this version added; NULL for version 1.';
COMMENT ON COLUMN release_versions_stored.paragraphs_removed IS 'Paragraphs this version removed; NULL for version 1.';
COMMENT ON COLUMN release_versions_stored.paragraphs_changed IS 'Paragraphs this version reworded (typography-only changes not counted); NULL for version 1.';

COMMENT ON VIEW release_versions IS 'Every text a release has had, one row per version; old versions are never overwritten. Join to releases on release_id. (A view since schema version 14: the current version''s text is read from releases, older ones from release_versions_stored.)';
COMMENT ON COLUMN release_versions.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_versions.version IS 'Version number, 1 for the first text seen; the highest equals releases.version.';
COMMENT ON COLUMN release_versions.content_hash IS 'Hash of this version''s normalised text.';
COMMENT ON COLUMN release_versions.title IS 'Headline of this version (as releases.title).';
COMMENT ON COLUMN release_versions.subtitle IS 'Sub-headline or highlights of this version (as releases.subtitle); NULL when none.';
COMMENT ON COLUMN release_versions.lead IS 'Lead of this version, set apart from its body_text and never repeated in it (as releases.lead); NULL when none.';
COMMENT ON COLUMN release_versions.body_text IS 'Text of this version after its lead (the same convention as releases.body_text). A version written by a reparse (runs.flow = ''reparse'' for its run_id) may differ from the previous one only because an older parser followed an older convention.';
COMMENT ON COLUMN release_versions.published_at IS 'Publication instant the page stated in this version; NULL when none.';
COMMENT ON COLUMN release_versions.seen_at IS 'When this version was first fetched.';
COMMENT ON COLUMN release_versions.archive_key IS 'Key of the archived page this version was parsed from; NULL when not archived.';
COMMENT ON COLUMN release_versions.run_id IS 'The run that stored this version.';
COMMENT ON COLUMN release_versions.diff IS 'Paragraph-level diff from the previous version as a JSON list of {part: title|subtitle|lead|body, op: added|removed|changed, at: paragraph index, before, after, typography: true when only quotes, dashes, ё/е, spaces or case differ}; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_added IS 'Paragraphs of subtitle, lead and body this version added; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_removed IS 'Paragraphs this version removed; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_changed IS 'Paragraphs this version reworded (typography-only changes not counted); NULL for version 1.';
