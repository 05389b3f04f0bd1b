-- release_local_times dates a release whose page states no date by what its feed or listing showed
--
-- Some ministries print the date only in their news list: their pages give no published_at, and the
-- counts (daily_counts, weekly_counts, monthly_counts), the analysis report and the exports left those
-- releases out without a word. The view now takes the page's date, else the date the release's channel
-- showed it with (release_listings.published_at), and says which in dated_by. A listing's date counts as a
-- day: the time of day a list shows is the list's, so publishing hours read only page-dated rows.

CREATE OR REPLACE VIEW release_local_times AS
SELECT r.release_id,
       r.source_id,
       coalesce(s.timezone, 'UTC') AS timezone,
       timezone(coalesce(s.timezone, 'UTC'), coalesce(r.published_at, l.published_at)) AS local_time,
       CASE WHEN r.published_at IS NOT NULL THEN r.published_precision ELSE 'day' END AS published_precision,
       u.release_id IS NOT NULL AS is_unique,
       CASE WHEN r.published_at IS NOT NULL THEN 'page' ELSE 'listing' END AS dated_by
FROM releases r
LEFT JOIN sources s USING (source_id)
LEFT JOIN release_listings l ON r.published_at IS NULL AND l.release_id = r.release_id
LEFT JOIN unique_releases u ON u.release_id = r.release_id
WHERE r.published_at IS NOT NULL OR l.published_at IS NOT NULL;

COMMENT ON VIEW release_local_times IS 'Each dated release with its publication time on the wall clock of its source''s time zone, and whether it represents its story (the row unique_releases shows). Dated by its page, else by the date its feed or listing showed (dated_by). The base of daily_counts, weekly_counts and monthly_counts.';
COMMENT ON COLUMN release_local_times.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_local_times.source_id IS 'Its source.';
COMMENT ON COLUMN release_local_times.timezone IS 'The source''s IANA time zone (sources.timezone; UTC when the source row is missing).';
COMMENT ON COLUMN release_local_times.local_time IS 'published_at on the wall clock of that zone (a TIMESTAMP without zone); for a release whose page states no date, the date its feed or listing showed (release_listings.published_at).';
COMMENT ON COLUMN release_local_times.published_precision IS 'day, minute or second: with day the time of day is unknown (00:00), so do not read publishing hours from such rows. Always day when dated_by is listing.';
COMMENT ON COLUMN release_local_times.is_unique IS 'True for the representative of its cluster (first publisher); false for exact or near copies of another release.';
COMMENT ON COLUMN release_local_times.dated_by IS 'page: the release''s own page states its date (releases.published_at); listing: it does not, and the date is the one its feed, sitemap, listing or JSON index showed.';
COMMENT ON VIEW daily_counts IS 'Releases per source per day of publication in the source''s time zone, every day from the source''s first publication to today (zero rows for quiet days). A release whose page states no date counts on the day its feed or listing showed (release_local_times.dated_by); releases dated by neither are not counted; sources with no dated release have no rows.';
