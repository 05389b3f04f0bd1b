-- coverage: per source, the publication-day ranges known to be complete, and the gaps between them
--
-- A range is complete when discovery walked the source's feed or listing continuously over its
-- days and the run fetched or tried every release listed there that it did not hold
-- (govpress/coverage.py). Ranges are stored merged: a source's rows never overlap or touch.
-- Discovery stops at held releases only inside a complete range, and scheduled runs walk into a
-- gap below one, a few pages per run, from resume_url.

CREATE TABLE IF NOT EXISTS coverage_ranges (
    source_id VARCHAR NOT NULL,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    resume_url VARCHAR,
    resume_purpose VARCHAR,
    run_id VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_id, first_day)
);

COMMENT ON TABLE coverage_ranges IS 'Per source, the publication-day ranges whose releases are all known (discovery walked them whole and every listed release was fetched or tried); merged, so a source''s ranges never overlap or touch. See the coverage view.';
COMMENT ON COLUMN coverage_ranges.source_id IS 'The source (sources.source_id).';
COMMENT ON COLUMN coverage_ranges.first_day IS 'First publication day of the range (inclusive, the day as the listing shows it).';
COMMENT ON COLUMN coverage_ranges.last_day IS 'Last publication day of the range (inclusive): the run''s until, or the day it ran.';
COMMENT ON COLUMN coverage_ranges.resume_url IS 'Discovery page to continue from to walk below first_day (where a walk stopped at its page limit); NULL when nothing is known below.';
COMMENT ON COLUMN coverage_ranges.resume_purpose IS 'The channel resume_url belongs to (feed, listing).';
COMMENT ON COLUMN coverage_ranges.run_id IS 'The run that last changed this source''s coverage (runs.run_id).';
COMMENT ON COLUMN coverage_ranges.recorded_at IS 'When that run recorded it.';

CREATE OR REPLACE VIEW coverage AS
WITH ordered AS (
    SELECT source_id, first_day, last_day,
           lag(last_day) OVER (PARTITION BY source_id ORDER BY first_day) AS previous_last
    FROM coverage_ranges
)
SELECT source_id, 'complete' AS kind, first_day, last_day, CAST(last_day - first_day + 1 AS INTEGER) AS days
FROM coverage_ranges
UNION ALL
SELECT source_id, 'gap' AS kind, CAST(previous_last + 1 AS DATE), CAST(first_day - 1 AS DATE),
       CAST(first_day - previous_last - 1 AS INTEGER)
FROM ordered
WHERE previous_last IS NOT NULL AND first_day > previous_last + 1;

COMMENT ON VIEW coverage IS 'Per source, its complete publication-day ranges (kind complete) and the days between two of them (kind gap), where releases may be missing; scheduled runs fill gaps a few discovery pages per run, a backfill at once.';
COMMENT ON COLUMN coverage.source_id IS 'The source (sources.source_id).';
COMMENT ON COLUMN coverage.kind IS 'complete: every release published on these days is known; gap: between two complete ranges, not walked yet.';
COMMENT ON COLUMN coverage.first_day IS 'First day of the range (inclusive).';
COMMENT ON COLUMN coverage.last_day IS 'Last day of the range (inclusive).';
COMMENT ON COLUMN coverage.days IS 'Days in the range.';
