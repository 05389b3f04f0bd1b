-- a faithful record: what listings showed, release status and events, version diffs, release_history
--
-- release_listings keeps, per release, what its feed, sitemap, listing or JSON index last showed (a
-- fingerprint of the entry): when it moves, the page is refetched in the same run. release_events is the
-- timeline of what happened to a release (withdrawn on 404/410, redirected elsewhere, restored, retitled,
-- edited, trivial_edit), with the HTTP evidence; releases.status says where it stands now. The old
-- removals table becomes a view over the withdrawal events. Every version stores a paragraph-level diff
-- from the one before it, and release_history lists versions and typography-only edits side by side.

ALTER TABLE releases ADD COLUMN status VARCHAR DEFAULT 'live';
UPDATE releases SET status = CASE WHEN removed_at IS NULL THEN 'live' ELSE 'withdrawn' END;
ALTER TABLE releases ADD COLUMN text_hash VARCHAR;

ALTER TABLE release_versions ADD COLUMN diff JSON;
ALTER TABLE release_versions ADD COLUMN paragraphs_added INTEGER;
ALTER TABLE release_versions ADD COLUMN paragraphs_removed INTEGER;
ALTER TABLE release_versions ADD COLUMN paragraphs_changed INTEGER;

CREATE TABLE IF NOT EXISTS release_listings (
    release_id      VARCHAR PRIMARY KEY,
    source_id       VARCHAR NOT NULL,
    channel         VARCHAR NOT NULL,
    url             VARCHAR NOT NULL,
    title           VARCHAR,
    published_at    TIMESTAMPTZ,
    lastmod         TIMESTAMPTZ,
    fingerprint     VARCHAR,
    first_listed_at TIMESTAMPTZ NOT NULL,
    listed_at       TIMESTAMPTZ NOT NULL,
    run_id          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS release_events (
    release_id   VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    detected_at  TIMESTAMPTZ NOT NULL,
    version      INTEGER,
    http_status  INTEGER,
    url          VARCHAR,
    final_url    VARCHAR,
    evidence     VARCHAR,
    title_before VARCHAR,
    title_after  VARCHAR,
    diff         JSON,
    archive_key  VARCHAR,
    run_id       VARCHAR NOT NULL,
    PRIMARY KEY (release_id, kind, detected_at)
);

-- Every removal recorded so far was a 404/410 (or a vanished file): a withdrawal.
INSERT OR IGNORE INTO release_events (release_id, kind, detected_at, version, http_status, url, evidence, run_id)
SELECT m.release_id, 'withdrawn', m.detected_at, r.version, m.status, m.url,
       CASE WHEN m.status IS NULL THEN 'gone (recorded before events existed)' ELSE 'HTTP ' || m.status END,
       m.run_id
FROM removals m LEFT JOIN releases r USING (release_id);

DROP TABLE removals;

CREATE OR REPLACE VIEW removals AS
SELECT release_id, coalesce(final_url, url) AS url, http_status AS status, detected_at, run_id, kind
FROM release_events
WHERE kind IN ('withdrawn', 'redirected');

-- One row per text a release has had (trivial = false) and per typography-only change seen on its page
-- (trivial = true: no new version; the text keeps the version's wording).
CREATE OR REPLACE VIEW release_history AS
SELECT v.release_id,
       r.source_id,
       v.version,
       v.seen_at,
       lag(v.title) OVER (PARTITION BY v.release_id ORDER BY v.version) AS title_before,
       v.title AS title_after,
       v.paragraphs_added,
       v.paragraphs_removed,
       v.paragraphs_changed,
       false AS trivial,
       v.diff,
       v.archive_key
FROM release_versions v
JOIN releases r USING (release_id)
UNION ALL
SELECT e.release_id,
       r.source_id,
       e.version,
       e.detected_at AS seen_at,
       e.title_before,
       e.title_after,
       0 AS paragraphs_added,
       0 AS paragraphs_removed,
       len(list_filter(json_extract_string(e.diff, '$[*].part'), p -> p <> 'title')) AS paragraphs_changed,
       true AS trivial,
       e.diff,
       e.archive_key
FROM release_events e
JOIN releases r USING (release_id)
WHERE e.kind = 'trivial_edit';

-- Which releases are still watched, and when each is next looked at (the policy of govpress/recheck.py;
-- tests/unit/store/test_history.py checks that both agree).
CREATE OR REPLACE VIEW release_watch AS
WITH aged AS (
    SELECT r.release_id, r.source_id, r.url, r.status, r.last_seen_at,
           now() - coalesce(r.published_at, r.first_seen_at) AS age,
           s.kind AS channel, coalesce(TRY_CAST(s.config->>'recheck_budget' AS INTEGER), 20) AS recheck_budget
    FROM releases r LEFT JOIN sources s USING (source_id)
)
SELECT release_id, source_id, url, status, channel, last_seen_at,
       CASE WHEN age < INTERVAL 1 DAY THEN INTERVAL 1 HOUR
            WHEN age < INTERVAL 7 DAY THEN INTERVAL 1 DAY
            WHEN age < INTERVAL 91 DAY THEN INTERVAL 7 DAY
            ELSE INTERVAL 30 DAY END AS recheck_every,
       last_seen_at + 0.9 * (CASE WHEN age < INTERVAL 1 DAY THEN INTERVAL 1 HOUR
                                  WHEN age < INTERVAL 7 DAY THEN INTERVAL 1 DAY
                                  WHEN age < INTERVAL 91 DAY THEN INTERVAL 7 DAY
                                  ELSE INTERVAL 30 DAY END) AS due_at,
       recheck_budget
FROM aged;

COMMENT ON VIEW release_watch IS 'Every stored release with the recheck the policy gives it now (hourly in its first day, daily in its first week, weekly in its first quarter, then a monthly sample): when it becomes due. A run checks due releases within its source''s recheck_budget, youngest tier and most overdue first; releases of files sources are read on every run.';
COMMENT ON COLUMN release_watch.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_watch.source_id IS 'Its source.';
COMMENT ON COLUMN release_watch.url IS 'The URL it was discovered under (checked on the source''s current origin).';
COMMENT ON COLUMN release_watch.status IS 'live, withdrawn or redirected (withdrawn ones are still checked, after the live ones, for a restore).';
COMMENT ON COLUMN release_watch.channel IS 'The source''s discovery channel (feed, sitemap, listing, json, files).';
COMMENT ON COLUMN release_watch.last_seen_at IS 'When its page last answered.';
COMMENT ON COLUMN release_watch.recheck_every IS 'The recheck interval of its age, from now.';
COMMENT ON COLUMN release_watch.due_at IS 'From when a run rechecks it (90% of the interval after last_seen_at), budget permitting.';
COMMENT ON COLUMN release_watch.recheck_budget IS 'Requests per run its source may spend on such checks.';

COMMENT ON COLUMN releases.status IS 'Where the page stands: live, withdrawn (it answered 404/410, or the file is gone) or redirected (it now redirects to another page). Rows are never deleted; release_events says when and why.';
COMMENT ON COLUMN releases.text_hash IS 'Hash of the exact text last seen on the page (content_hash folds typography away): a change here alone is a trivial_edit event, not a version.';
COMMENT ON COLUMN releases.removed_at IS 'When the page was first found withdrawn or redirected (see status and release_events); NULL while it is live. Cleared when it is seen again later (a restored event).';

COMMENT ON COLUMN release_versions.diff IS 'Paragraph-level diff from the previous version as a JSON list of {part: title|subtitle|lead|body, op: added|removed|changed, at: paragraph index, before, after, typography: true when only quotes, dashes, ё/е, spaces or case differ}; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_added IS 'Paragraphs of subtitle, lead and body this version added; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_removed IS 'Paragraphs this version removed; NULL for version 1.';
COMMENT ON COLUMN release_versions.paragraphs_changed IS 'Paragraphs this version reworded (typography-only changes not counted); NULL for version 1.';

COMMENT ON TABLE release_listings IS 'Per release, what its discovery channel last showed: when the fingerprint moves the page is refetched in the same run. Written only when an entry is new or changed.';
COMMENT ON COLUMN release_listings.release_id IS 'The release (releases.release_id; the listing may be seen before the release is stored).';
COMMENT ON COLUMN release_listings.source_id IS 'The source whose discovery listed it.';
COMMENT ON COLUMN release_listings.channel IS 'The channel that showed it: feed, sitemap, listing or json (a feed''s listing fallback is listing).';
COMMENT ON COLUMN release_listings.url IS 'The link as listed.';
COMMENT ON COLUMN release_listings.title IS 'The title the channel showed; NULL when it shows none (sitemaps).';
COMMENT ON COLUMN release_listings.published_at IS 'The publication time the channel showed; NULL when none.';
COMMENT ON COLUMN release_listings.lastmod IS 'The modification time the channel showed (sitemap lastmod, Atom updated); NULL when none.';
COMMENT ON COLUMN release_listings.fingerprint IS 'Hash of the entry as shown (title, dates, summary, counters left out), folded like content_hash so typography does not count.';
COMMENT ON COLUMN release_listings.first_listed_at IS 'The run time at which discovery first listed it.';
COMMENT ON COLUMN release_listings.listed_at IS 'The run time at which the entry took its present form.';
COMMENT ON COLUMN release_listings.run_id IS 'The run that wrote the present form.';

COMMENT ON TABLE release_events IS 'What happened to each release, in time: withdrawn (404/410 or file gone), redirected (the page now leads elsewhere), restored (seen again after either), retitled and edited (a new version; the diff is in release_versions), trivial_edit (typography or spacing only: no new version). Never declared without a response seen.';
COMMENT ON COLUMN release_events.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_events.kind IS 'withdrawn, redirected, restored, retitled, edited or trivial_edit.';
COMMENT ON COLUMN release_events.detected_at IS 'The run time at which govpress saw it.';
COMMENT ON COLUMN release_events.version IS 'The release version the event concerns (the new one for retitled and edited, the current one otherwise).';
COMMENT ON COLUMN release_events.http_status IS 'HTTP status that showed it (404, 410, 200 for a restore or an edit); NULL for local files and for a redirect refused off the site.';
COMMENT ON COLUMN release_events.url IS 'The URL that was requested.';
COMMENT ON COLUMN release_events.final_url IS 'Where a redirect led; NULL for other kinds.';
COMMENT ON COLUMN release_events.evidence IS 'What was seen, in words: the status line, the redirect chain, what changed.';
COMMENT ON COLUMN release_events.title_before IS 'Headline before a retitle, edit or trivial edit; NULL for other kinds.';
COMMENT ON COLUMN release_events.title_after IS 'Headline after it; NULL for other kinds.';
COMMENT ON COLUMN release_events.diff IS 'For trivial_edit: the paragraphs whose typography changed (same JSON shape as release_versions.diff); NULL otherwise.';
COMMENT ON COLUMN release_events.archive_key IS 'Archived response that shows it (the page, or the redirect target); NULL when nothing was archived (404/410 bodies are not kept).';
COMMENT ON COLUMN release_events.run_id IS 'The run that saw it.';

COMMENT ON VIEW removals IS 'Releases found withdrawn (404/410, file gone) or redirected elsewhere: the withdrawal events of release_events. The release rows are kept (releases.status, removed_at).';
COMMENT ON COLUMN removals.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN removals.url IS 'The URL found gone, or for a redirect where it now leads.';
COMMENT ON COLUMN removals.status IS 'HTTP status that showed it (404, 410; the final status for a redirect); NULL for local files.';
COMMENT ON COLUMN removals.detected_at IS 'When it was detected.';
COMMENT ON COLUMN removals.run_id IS 'The run that detected it.';
COMMENT ON COLUMN removals.kind IS 'withdrawn or redirected.';

COMMENT ON VIEW release_history IS 'Every text a release has had (trivial = false, one row per version with its paragraph diff) and every typography-only change seen on its page (trivial = true: quotes, dashes, ё/е, spaces, case; no new version), in time order per release.';
COMMENT ON COLUMN release_history.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_history.source_id IS 'Its source.';
COMMENT ON COLUMN release_history.version IS 'The version this row is (trivial = false) or the version whose page changed trivially (trivial = true).';
COMMENT ON COLUMN release_history.seen_at IS 'When the text was first fetched.';
COMMENT ON COLUMN release_history.title_before IS 'Headline of the previous version (NULL for version 1), or before the trivial change.';
COMMENT ON COLUMN release_history.title_after IS 'Headline of this version, or after the trivial change.';
COMMENT ON COLUMN release_history.paragraphs_added IS 'Paragraphs added by this version; NULL for version 1; 0 for trivial rows.';
COMMENT ON COLUMN release_history.paragraphs_removed IS 'Paragraphs removed by this version; NULL for version 1; 0 for trivial rows.';
COMMENT ON COLUMN release_history.paragraphs_changed IS 'Paragraphs reworded by this version (NULL for version 1), or whose typography changed (trivial rows).';
COMMENT ON COLUMN release_history.trivial IS 'true for a typography-only change (not a version), false for a version.';
COMMENT ON COLUMN release_history.diff IS 'The paragraph diff as JSON (see release_versions.diff).';
COMMENT ON COLUMN release_history.archive_key IS 'Archived page that showed this text.';
