-- govpress analyst views (part of schema version 1). Comments for every view and column are in comments.sql.

-- One row per cluster of identical (exact-duplicate) releases: the earliest published member,
-- ties and undated members broken by release_id.
CREATE OR REPLACE VIEW unique_releases AS
WITH ranked AS (
    SELECT r.*,
           count(*) OVER (PARTITION BY cluster_id) AS n_copies,
           row_number() OVER (PARTITION BY cluster_id ORDER BY published_at ASC NULLS LAST, release_id) AS rank_in_cluster
    FROM releases r
)
SELECT cluster_id, release_id, source_id, url, language, title, lead, body_text, published_at,
       published_precision, first_seen_at, removed_at, n_copies
FROM ranked
WHERE rank_in_cluster = 1;

-- Releases per source per calendar day of publication in the source's own time zone.
CREATE OR REPLACE VIEW daily_counts AS
SELECT r.source_id,
       CAST(timezone(coalesce(s.timezone, 'UTC'), r.published_at) AS DATE) AS day,
       count(*) AS releases
FROM releases r
LEFT JOIN sources s USING (source_id)
WHERE r.published_at IS NOT NULL
GROUP BY ALL;

-- Per source: is it being fetched, does it answer, does it parse.
CREATE OR REPLACE VIEW source_health AS
WITH last_runs AS (
    SELECT s.source_id, r.run_id, r.started_at, r.status,
           row_number() OVER (PARTITION BY s.source_id ORDER BY r.started_at DESC) AS n
    FROM sources s JOIN runs r ON list_contains(r.source_ids, s.source_id)
),
recent_fetches AS (
    SELECT source_id,
           count(*) AS fetches_7d,
           count(*) FILTER (WHERE outcome NOT IN ('ok', 'not_modified', 'gone')) AS failed_fetches_7d,
           count(*) FILTER (WHERE outcome = 'blocked') AS blocked_7d
    FROM fetches
    WHERE started_at >= now() - INTERVAL 7 DAY
    GROUP BY source_id
),
last_ok AS (
    SELECT source_id, max(started_at) AS last_ok_fetch_at FROM fetches WHERE outcome = 'ok' GROUP BY source_id
),
failures AS (
    SELECT source_id, count(*) AS parse_failures,
           count(*) FILTER (WHERE failed_at >= now() - INTERVAL 7 DAY) AS parse_failures_7d
    FROM parse_failures GROUP BY source_id
),
stored AS (
    SELECT source_id, count(*) AS releases, count(*) FILTER (WHERE removed_at IS NOT NULL) AS removed,
           max(published_at) AS latest_published_at
    FROM releases GROUP BY source_id
)
SELECT s.source_id,
       s.name,
       lr.run_id AS last_run_id,
       lr.started_at AS last_run_at,
       lr.status AS last_run_status,
       lo.last_ok_fetch_at,
       coalesce(rf.fetches_7d, 0) AS fetches_7d,
       coalesce(rf.failed_fetches_7d, 0) AS failed_fetches_7d,
       CASE WHEN coalesce(rf.fetches_7d, 0) = 0 THEN NULL
            ELSE round(rf.failed_fetches_7d / rf.fetches_7d, 4) END AS fetch_error_rate_7d,
       coalesce(rf.blocked_7d, 0) AS blocked_7d,
       coalesce(f.parse_failures, 0) AS parse_failures,
       coalesce(f.parse_failures_7d, 0) AS parse_failures_7d,
       coalesce(st.releases, 0) AS releases,
       coalesce(st.removed, 0) AS removed,
       st.latest_published_at
FROM sources s
LEFT JOIN last_runs lr ON lr.source_id = s.source_id AND lr.n = 1
LEFT JOIN recent_fetches rf ON rf.source_id = s.source_id
LEFT JOIN last_ok lo ON lo.source_id = s.source_id
LEFT JOIN failures f ON f.source_id = s.source_id
LEFT JOIN stored st ON st.source_id = s.source_id;

-- Each release with the list of its other-language versions.
CREATE OR REPLACE VIEW release_translations AS
SELECT r.release_id,
       r.language,
       r.title,
       list({'release_id': o.release_id, 'language': o.language, 'title': o.title, 'url': o.url}
            ORDER BY o.language, o.release_id) AS translations
FROM releases r
JOIN release_links l ON l.release_id = r.release_id AND l.kind = 'translation'
JOIN releases o ON o.release_id = l.other_id
GROUP BY r.release_id, r.language, r.title;
