-- analyst side: daily/weekly/monthly counts (unique and total, zero-filled), source_runs and source_health from each source's own status, data_dictionary, cadence_interval, true comments; multilingual search with snippets (data step)
--
-- daily_counts (replacing migration 1's), weekly_counts and monthly_counts count every release
-- (releases) and one per story (unique_releases: the release unique_releases shows for its
-- cluster, so exact and near copies count once), per source and per day/week/month of
-- publication in the source's own time zone, with zero rows for the quiet periods from the
-- source's first publication to today. source_health (replacing migration 1's) reads each
-- source's OWN status out of runs.per_source instead of the whole run's status, and says how
-- stale the source is against its cadence and its own publishing rhythm.

-- The usual time between two scheduled runs of a cron expression; NULL for patterns it does not know.
CREATE OR REPLACE MACRO cadence_interval(cron) AS (
    WITH f AS (SELECT string_split(trim(regexp_replace(cron, '\s+', ' ', 'g')), ' ') AS f)
    SELECT CASE
        WHEN len(f) <> 5 OR f[4] <> '*' THEN NULL
        -- every N minutes / every minute
        WHEN f[1] = '*' AND f[2] = '*' AND f[3] = '*' AND f[5] = '*' THEN INTERVAL 1 MINUTE
        WHEN regexp_full_match(f[1], '\*/\d+') AND f[2] = '*' AND f[3] = '*' AND f[5] = '*'
            THEN to_minutes(CAST(split_part(f[1], '/', 2) AS BIGINT))
        -- at listed minutes of every hour
        WHEN regexp_full_match(f[1], '\d+(,\d+)*') AND f[2] = '*' AND f[3] = '*' AND f[5] = '*'
            THEN to_minutes(60 // len(string_split(f[1], ',')))
        -- every N hours
        WHEN regexp_full_match(f[1], '\d+') AND regexp_full_match(f[2], '\*/\d+') AND f[3] = '*' AND f[5] = '*'
            THEN to_hours(CAST(split_part(f[2], '/', 2) AS BIGINT))
        -- at listed hours of every day
        WHEN regexp_full_match(f[1], '\d+') AND regexp_full_match(f[2], '\d+(,\d+)*') AND f[3] = '*' AND f[5] = '*'
            THEN to_minutes(24 * 60 // len(string_split(f[2], ',')))
        -- on weekdays (a range or list of days): a day apart as a rule
        WHEN regexp_full_match(f[1], '\d+') AND regexp_full_match(f[2], '\d+') AND f[3] = '*'
             AND regexp_full_match(f[5], '\d-\d|\d(,\d)+') THEN INTERVAL 1 DAY
        -- one day of the week
        WHEN regexp_full_match(f[1], '\d+') AND regexp_full_match(f[2], '\d+') AND f[3] = '*'
             AND regexp_full_match(f[5], '\d') THEN INTERVAL 7 DAY
        -- one day of the month
        WHEN regexp_full_match(f[1], '\d+') AND regexp_full_match(f[2], '\d+') AND regexp_full_match(f[3], '\d+')
             AND f[5] = '*' THEN INTERVAL 1 MONTH
        ELSE NULL
    END FROM f
);

-- Each dated release with its publication instant in the source's zone and whether it is its story's representative.
CREATE OR REPLACE VIEW release_local_times AS
SELECT r.release_id,
       r.source_id,
       coalesce(s.timezone, 'UTC') AS timezone,
       timezone(coalesce(s.timezone, 'UTC'), r.published_at) AS local_time,
       r.published_precision,
       u.release_id IS NOT NULL AS is_unique
FROM releases r
LEFT JOIN sources s USING (source_id)
LEFT JOIN unique_releases u ON u.release_id = r.release_id
WHERE r.published_at IS NOT NULL;

CREATE OR REPLACE VIEW daily_counts AS
WITH spans AS (
    SELECT source_id,
           min(local_time)::DATE AS first_day,
           greatest(max(local_time)::DATE, timezone(any_value(timezone), now())::DATE) AS last_day
    FROM release_local_times GROUP BY source_id
),
periods AS (
    SELECT source_id, CAST(unnest(generate_series(first_day, last_day, INTERVAL 1 DAY)) AS DATE) AS day FROM spans
),
counts AS (
    SELECT source_id, local_time::DATE AS day, count(*) AS releases, count(*) FILTER (WHERE is_unique) AS unique_releases
    FROM release_local_times GROUP BY ALL
)
SELECT p.source_id, p.day, coalesce(c.releases, 0) AS releases, coalesce(c.unique_releases, 0) AS unique_releases
FROM periods p LEFT JOIN counts c USING (source_id, day);

CREATE OR REPLACE VIEW weekly_counts AS
WITH spans AS (
    SELECT source_id,
           date_trunc('week', min(local_time))::DATE AS first_week,
           date_trunc('week', greatest(max(local_time), timezone(any_value(timezone), now())))::DATE AS last_week
    FROM release_local_times GROUP BY source_id
),
periods AS (
    SELECT source_id, CAST(unnest(generate_series(first_week, last_week, INTERVAL 7 DAY)) AS DATE) AS week FROM spans
),
counts AS (
    SELECT source_id, date_trunc('week', local_time)::DATE AS week, count(*) AS releases,
           count(*) FILTER (WHERE is_unique) AS unique_releases
    FROM release_local_times GROUP BY ALL
)
SELECT p.source_id, p.week, coalesce(c.releases, 0) AS releases, coalesce(c.unique_releases, 0) AS unique_releases
FROM periods p LEFT JOIN counts c USING (source_id, week);

CREATE OR REPLACE VIEW monthly_counts AS
WITH spans AS (
    SELECT source_id,
           date_trunc('month', min(local_time))::DATE AS first_month,
           date_trunc('month', greatest(max(local_time), timezone(any_value(timezone), now())))::DATE AS last_month
    FROM release_local_times GROUP BY source_id
),
periods AS (
    SELECT source_id, CAST(unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS month FROM spans
),
counts AS (
    SELECT source_id, date_trunc('month', local_time)::DATE AS month, count(*) AS releases,
           count(*) FILTER (WHERE is_unique) AS unique_releases
    FROM release_local_times GROUP BY ALL
)
SELECT p.source_id, p.month, coalesce(c.releases, 0) AS releases, coalesce(c.unique_releases, 0) AS unique_releases
FROM periods p LEFT JOIN counts c USING (source_id, month);

-- One row per (fetching run, source) with the source's own outcome from runs.per_source.
CREATE OR REPLACE VIEW source_runs AS
WITH covered AS (
    SELECT run_id, flow, started_at, finished_at, unnest(source_ids) AS source_id FROM runs
),
outcomes AS (
    SELECT run_id,
           unnest(from_json(per_source,
                            '[{"source_id": "VARCHAR", "status": "VARCHAR", "message": "VARCHAR", "new": "BIGINT", "unfinished": "BIGINT"}]')) AS o
    FROM runs WHERE per_source IS NOT NULL
)
SELECT c.run_id, c.flow, c.started_at, c.finished_at, c.source_id,
       CASE WHEN o.o IS NOT NULL THEN o.o.status
            -- No outcome yet: the run is still going, or it died (a flow times out after 4 hours).
            WHEN c.finished_at IS NULL AND c.started_at > now() - INTERVAL 6 HOUR THEN 'running'
            WHEN c.finished_at IS NULL THEN 'abandoned'
       END AS status,
       nullif(o.o.message, '') AS message,
       o.o.new AS new,
       o.o.unfinished AS unfinished
FROM covered c
LEFT JOIN outcomes o ON o.run_id = c.run_id AND o.o.source_id = c.source_id;

CREATE OR REPLACE VIEW source_health AS
WITH fetching_runs AS (
    SELECT * FROM source_runs WHERE flow IN ('ingest', 'backfill')
),
last_run AS (
    SELECT * FROM fetching_runs QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY started_at DESC, run_id DESC) = 1
),
last_success AS (
    SELECT source_id, max(coalesce(finished_at, started_at)) AS last_success_at FROM fetching_runs
    WHERE status = 'ok' GROUP BY source_id
),
last_failure AS (
    SELECT source_id, started_at AS last_failure_at, message AS last_failure_reason FROM fetching_runs
    WHERE status IN ('failed', 'blocked', 'abandoned')
    QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY started_at DESC, run_id DESC) = 1
),
run_rates AS (
    SELECT source_id,
           count(*) FILTER (WHERE started_at >= now() - INTERVAL 7 DAY AND status <> 'running') AS runs_7d,
           count(*) FILTER (WHERE started_at >= now() - INTERVAL 7 DAY AND status IN ('failed', 'blocked', 'abandoned')) AS failed_runs_7d,
           count(*) FILTER (WHERE started_at >= now() - INTERVAL 30 DAY AND status <> 'running') AS runs_30d,
           count(*) FILTER (WHERE started_at >= now() - INTERVAL 30 DAY AND status IN ('failed', 'blocked', 'abandoned')) AS failed_runs_30d,
           count(*) FILTER (WHERE started_at >= now() - INTERVAL 7 DAY AND status = 'unfinished') AS unfinished_runs_7d
    FROM fetching_runs GROUP BY source_id
),
recent_fetches AS (
    SELECT source_id,
           count(*) AS fetches_7d,
           count(*) FILTER (WHERE outcome NOT IN ('ok', 'not_modified', 'gone')) AS failed_fetches_7d,
           count(*) FILTER (WHERE outcome = 'blocked') AS blocked_7d
    FROM fetches WHERE started_at >= now() - INTERVAL 7 DAY GROUP BY source_id
),
last_ok AS (
    SELECT source_id, max(started_at) AS last_ok_fetch_at FROM fetches WHERE outcome = 'ok' GROUP BY source_id
),
failures AS (
    SELECT source_id, count(*) AS parse_failures,
           count(*) FILTER (WHERE failed_at >= now() - INTERVAL 7 DAY) AS parse_failures_7d
    FROM parse_failures GROUP BY source_id
),
backlog AS (
    SELECT source_id, count(*) AS frontier_pages FROM frontier GROUP BY source_id
),
stored AS (
    SELECT source_id, count(*) AS releases, count(*) FILTER (WHERE removed_at IS NOT NULL) AS removed,
           max(published_at) AS latest_published_at, max(first_seen_at) AS last_new_release_at
    FROM releases GROUP BY source_id
),
gaps AS (
    -- The source's publishing rhythm: the median gap between its last 50 dated releases.
    SELECT source_id, to_seconds(median(epoch(gap))) AS typical_gap FROM (
        SELECT source_id, published_at - lag(published_at) OVER (PARTITION BY source_id ORDER BY published_at) AS gap
        FROM releases WHERE published_at IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY published_at DESC) <= 50
    ) WHERE gap IS NOT NULL GROUP BY source_id
),
facts AS (
    SELECT s.source_id, s.name, s.cadence,
           cadence_interval(s.cadence) AS poll_interval,
           lr.run_id AS last_run_id, lr.started_at AS last_run_at, lr.status AS last_status,
           lr.message AS last_message,
           ls.last_success_at,
           lf.last_failure_at, lf.last_failure_reason,
           coalesce(rr.runs_7d, 0) AS runs_7d,
           coalesce(rr.failed_runs_7d, 0) AS failed_runs_7d,
           CASE WHEN coalesce(rr.runs_7d, 0) = 0 THEN NULL ELSE round(rr.failed_runs_7d / rr.runs_7d, 4) END AS failure_rate_7d,
           coalesce(rr.runs_30d, 0) AS runs_30d,
           CASE WHEN coalesce(rr.runs_30d, 0) = 0 THEN NULL ELSE round(rr.failed_runs_30d / rr.runs_30d, 4) END AS failure_rate_30d,
           coalesce(rr.unfinished_runs_7d, 0) AS unfinished_runs_7d,
           coalesce(bl.frontier_pages, 0) AS frontier_pages,
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
           st.latest_published_at,
           st.last_new_release_at,
           now() - st.latest_published_at AS staleness,
           g.typical_gap
    FROM sources s
    LEFT JOIN last_run lr ON lr.source_id = s.source_id
    LEFT JOIN last_success ls ON ls.source_id = s.source_id
    LEFT JOIN last_failure lf ON lf.source_id = s.source_id
    LEFT JOIN run_rates rr ON rr.source_id = s.source_id
    LEFT JOIN backlog bl ON bl.source_id = s.source_id
    LEFT JOIN recent_fetches rf ON rf.source_id = s.source_id
    LEFT JOIN last_ok lo ON lo.source_id = s.source_id
    LEFT JOIN failures f ON f.source_id = s.source_id
    LEFT JOIN stored st ON st.source_id = s.source_id
    LEFT JOIN gaps g ON g.source_id = s.source_id
),
judged AS (
    SELECT *,
           -- Polled less often than the cadence says: no successful run for 3 of its intervals (or never, after runs).
           last_run_id IS NOT NULL AND poll_interval IS NOT NULL
               AND (last_success_at IS NULL OR last_success_at < now() - 3 * poll_interval) AS overdue,
           -- Quiet for much longer than its own rhythm: no publication for 4 typical gaps (at least a week), or none dated.
           releases > 0 AND (latest_published_at IS NULL
               OR staleness > greatest(INTERVAL 7 DAY, coalesce(4 * typical_gap, INTERVAL 7 DAY))) AS stale
    FROM facts
)
SELECT *,
       CASE WHEN last_run_id IS NULL THEN 'never run'
            WHEN last_status IN ('blocked', 'failed', 'abandoned') THEN last_status
            WHEN overdue THEN 'overdue'
            WHEN last_status = 'unfinished' OR frontier_pages > 0 THEN 'unfinished'
            WHEN stale THEN 'stale'
            WHEN last_status = 'running' THEN 'running'
            ELSE 'ok' END AS health
FROM judged;

-- Every govpress table and view with its columns and comments (DuckDB's own catalog rows left out).
CREATE OR REPLACE VIEW data_dictionary AS
SELECT c.table_name AS object_name,
       CASE WHEN v.view_name IS NOT NULL THEN 'view' ELSE 'table' END AS object_kind,
       coalesce(t.comment, v.comment) AS object_comment,
       c.column_index,
       c.column_name,
       c.data_type,
       c.comment AS column_comment
FROM duckdb_columns() c
LEFT JOIN duckdb_tables() t ON t.database_name = c.database_name AND t.schema_name = c.schema_name AND t.table_name = c.table_name
LEFT JOIN duckdb_views() v ON v.database_name = c.database_name AND v.schema_name = c.schema_name AND v.view_name = c.table_name
WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT c.internal;

COMMENT ON MACRO cadence_interval IS 'cadence_interval(cron): the usual time between two runs of a 5-field cron expression (*/15 * * * * -> 15 minutes, 0 * * * * -> 1 hour, 30 6 * * * -> 1 day, 0 9 * * 1-5 -> 1 day, 0 9 * * 1 -> 7 days, 0 9 1 * * -> 1 month); NULL for other patterns.';

COMMENT ON VIEW release_local_times IS 'Each dated release with its publication time on the wall clock of its source''s time zone, and whether it represents its story (the row unique_releases shows). The base of daily_counts, weekly_counts and monthly_counts.';
COMMENT ON COLUMN release_local_times.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_local_times.source_id IS 'Its source.';
COMMENT ON COLUMN release_local_times.timezone IS 'The source''s IANA time zone (sources.timezone; UTC when the source row is missing).';
COMMENT ON COLUMN release_local_times.local_time IS 'published_at on the wall clock of that zone (a TIMESTAMP without zone).';
COMMENT ON COLUMN release_local_times.published_precision IS 'day, minute or second: with day the time of day is unknown (00:00), so do not read publishing hours from such rows.';
COMMENT ON COLUMN release_local_times.is_unique IS 'True for the representative of its cluster (first publisher); false for exact or near copies of another release.';

COMMENT ON VIEW daily_counts IS 'Releases per source per day of publication in the source''s time zone, every day from the source''s first publication to today (zero rows for quiet days). Releases without published_at are not counted; sources with no dated release have no rows.';
COMMENT ON COLUMN daily_counts.source_id IS 'The source.';
COMMENT ON COLUMN daily_counts.day IS 'Calendar day of publication in the source''s time zone.';
COMMENT ON COLUMN daily_counts.releases IS 'Releases published that day, copies and removed ones included.';
COMMENT ON COLUMN daily_counts.unique_releases IS 'Stories published that day: releases that are not an exact or near copy of an earlier one (the rows unique_releases shows). releases - unique_releases are copies.';

COMMENT ON VIEW weekly_counts IS 'Releases per source per ISO week (Monday to Sunday) of publication in the source''s time zone, every week from the source''s first publication to this week (zero rows for quiet weeks).';
COMMENT ON COLUMN weekly_counts.source_id IS 'The source.';
COMMENT ON COLUMN weekly_counts.week IS 'Monday of the week, in the source''s time zone.';
COMMENT ON COLUMN weekly_counts.releases IS 'Releases published that week, copies and removed ones included.';
COMMENT ON COLUMN weekly_counts.unique_releases IS 'Stories published that week (copies of an earlier release not counted).';

COMMENT ON VIEW monthly_counts IS 'Releases per source per calendar month of publication in the source''s time zone, every month from the source''s first publication to this month (zero rows for quiet months).';
COMMENT ON COLUMN monthly_counts.source_id IS 'The source.';
COMMENT ON COLUMN monthly_counts.month IS 'First day of the month, in the source''s time zone.';
COMMENT ON COLUMN monthly_counts.releases IS 'Releases published that month, copies and removed ones included.';
COMMENT ON COLUMN monthly_counts.unique_releases IS 'Stories published that month (copies of an earlier release not counted).';

COMMENT ON VIEW source_runs IS 'One row per run and source with the source''s own outcome, unnested from runs.per_source (a run''s status says only whether all its sources went well).';
COMMENT ON COLUMN source_runs.run_id IS 'The run (runs.run_id).';
COMMENT ON COLUMN source_runs.flow IS 'ingest, backfill or reparse.';
COMMENT ON COLUMN source_runs.started_at IS 'When the run started.';
COMMENT ON COLUMN source_runs.finished_at IS 'When the run finished; NULL while running or when it died.';
COMMENT ON COLUMN source_runs.source_id IS 'The source.';
COMMENT ON COLUMN source_runs.status IS 'The source''s own outcome: ok, unfinished (pages left for the next run: host failing), blocked (anti-bot or access page), failed; running while its run has not finished, abandoned when that run started over 6 hours ago and never finished; NULL when a finished run recorded no outcome for the source.';
COMMENT ON COLUMN source_runs.message IS 'What went wrong for this source in this run; NULL when nothing.';
COMMENT ON COLUMN source_runs.new IS 'Releases stored for the first time for this source in this run; NULL without an outcome.';
COMMENT ON COLUMN source_runs.unfinished IS 'Pages left in the frontier for the next run; NULL without an outcome.';

COMMENT ON VIEW source_health IS 'One row per source: its own last status, last success and failure, failure rates over 7 and 30 days, fetch errors and blocks, backlog, and staleness against its cadence and its publishing rhythm, summed up in health. Counted back from now; fetching runs only (ingest, backfill).';
COMMENT ON COLUMN source_health.source_id IS 'The source.';
COMMENT ON COLUMN source_health.name IS 'Human name of the source.';
COMMENT ON COLUMN source_health.cadence IS 'Cron expression of its scheduled ingest (sources.cadence).';
COMMENT ON COLUMN source_health.poll_interval IS 'Usual time between two scheduled runs (cadence_interval(cadence)); NULL for a cron pattern it cannot read.';
COMMENT ON COLUMN source_health.last_run_id IS 'Latest ingest or backfill run that covered the source; NULL when never run.';
COMMENT ON COLUMN source_health.last_run_at IS 'When that run started; NULL when never run.';
COMMENT ON COLUMN source_health.last_status IS 'The source''s own outcome in that run (see source_runs.status): ok, unfinished, blocked, failed, running or abandoned.';
COMMENT ON COLUMN source_health.last_message IS 'What that run said about the source; NULL when nothing.';
COMMENT ON COLUMN source_health.last_success_at IS 'When the latest run in which the source ended ok finished; NULL when none did.';
COMMENT ON COLUMN source_health.last_failure_at IS 'Start of the latest run in which the source failed, was blocked or was abandoned; NULL when none.';
COMMENT ON COLUMN source_health.last_failure_reason IS 'The message of that run for the source (the reason of the last failure); NULL when none or not given.';
COMMENT ON COLUMN source_health.runs_7d IS 'Finished (or abandoned) runs covering the source that started in the last 7 days.';
COMMENT ON COLUMN source_health.failed_runs_7d IS 'Of those, runs in which the source failed, was blocked or was abandoned.';
COMMENT ON COLUMN source_health.failure_rate_7d IS 'failed_runs_7d / runs_7d, from 0 to 1; NULL without runs.';
COMMENT ON COLUMN source_health.runs_30d IS 'Finished (or abandoned) runs covering the source that started in the last 30 days.';
COMMENT ON COLUMN source_health.failure_rate_30d IS 'Share of those runs in which the source failed, was blocked or was abandoned; NULL without runs.';
COMMENT ON COLUMN source_health.unfinished_runs_7d IS 'Runs in the last 7 days that left the source unfinished (its host failing; pages kept for the next run).';
COMMENT ON COLUMN source_health.frontier_pages IS 'Pages of the source waiting in the frontier for a later run (the backlog).';
COMMENT ON COLUMN source_health.last_ok_fetch_at IS 'Start of the latest fetch with outcome ok; NULL when none ever succeeded.';
COMMENT ON COLUMN source_health.fetches_7d IS 'Requests made in the last 7 days (all outcomes).';
COMMENT ON COLUMN source_health.failed_fetches_7d IS 'Requests in the last 7 days whose outcome was a failure (anything but ok, not_modified and gone).';
COMMENT ON COLUMN source_health.fetch_error_rate_7d IS 'failed_fetches_7d / fetches_7d, from 0 to 1; NULL when there were no requests.';
COMMENT ON COLUMN source_health.blocked_7d IS 'Requests in the last 7 days answered by an anti-bot or access page (outcome blocked).';
COMMENT ON COLUMN source_health.parse_failures IS 'Pages that failed to parse, all time.';
COMMENT ON COLUMN source_health.parse_failures_7d IS 'Pages that failed to parse in the last 7 days.';
COMMENT ON COLUMN source_health.releases IS 'Releases stored for the source, removed ones included.';
COMMENT ON COLUMN source_health.removed IS 'Stored releases whose page is gone (removed_at set).';
COMMENT ON COLUMN source_health.latest_published_at IS 'Newest publication instant stored for the source; NULL when none is dated.';
COMMENT ON COLUMN source_health.last_new_release_at IS 'When govpress last stored a release of this source it had not seen before (max first_seen_at).';
COMMENT ON COLUMN source_health.staleness IS 'Time since latest_published_at (now minus it); NULL when nothing is dated.';
COMMENT ON COLUMN source_health.typical_gap IS 'Median time between consecutive publications over the source''s last 50 dated releases; NULL with fewer than two.';
COMMENT ON COLUMN source_health.overdue IS 'True when the source has runs but none ended ok within 3 poll_intervals: it is not being collected as often as its cadence says.';
COMMENT ON COLUMN source_health.stale IS 'True when the source has releases but published nothing for more than 4 typical gaps (at least 7 days), or none is dated: quiet far beyond its own rhythm (site changed, feed frozen, or really quiet).';
COMMENT ON COLUMN source_health.health IS 'One word: never run, blocked, failed, abandoned (its last run), overdue, unfinished (backlog left), stale, running or ok, the first that applies in that order.';

COMMENT ON VIEW data_dictionary IS 'Every govpress table and view with each column''s type and comment (DuckDB''s own catalog views left out): SELECT * FROM data_dictionary ORDER BY object_name, column_index.';
COMMENT ON COLUMN data_dictionary.object_name IS 'Table or view name.';
COMMENT ON COLUMN data_dictionary.object_kind IS 'table or view.';
COMMENT ON COLUMN data_dictionary.object_comment IS 'What the table or view holds.';
COMMENT ON COLUMN data_dictionary.column_index IS 'Position of the column (1 = first).';
COMMENT ON COLUMN data_dictionary.column_name IS 'Column name.';
COMMENT ON COLUMN data_dictionary.data_type IS 'DuckDB type of the column.';
COMMENT ON COLUMN data_dictionary.column_comment IS 'What the column means.';

-- Comments of earlier migrations that named values the code never writes.
COMMENT ON COLUMN release_links.kind IS 'exact_duplicate (same normalised text), near_duplicate (a syndicated or lightly edited copy: estimated Jaccard similarity of 5-word shingles at least 0.8) or translation.';
COMMENT ON TABLE release_links IS 'Directed links between releases: exact_duplicate (same text; other_id is the first holder), near_duplicate (similar text, a syndicated copy; other_id is the earlier publisher), translation (same release in another language, stored in both directions).';
COMMENT ON COLUMN frontier.purpose IS 'Why the page is to be fetched (govpress.plan.Reason): new, changed (listed lastmod moved), recheck (due for a conditional GET), refetch (asked for), removal_check (missing from a complete listing).';
COMMENT ON TABLE frontier IS 'Pages planned but not yet fetched, or that failed and are retried by the next runs (at most 8), per source: the crawl backlog.';
COMMENT ON COLUMN unique_releases.n_copies IS 'Number of releases in the cluster, the representative included: exact and near (syndicated) copies count; 1 = no copies.';
COMMENT ON COLUMN unique_releases.release_id IS 'The representative: the earliest published member of the cluster (which may differ from cluster_id when the first stored holder was published later).';
