-- frontier.attempts: failing pages are retried a bounded number of runs
--
-- A page that keeps failing (5xx, challenge, timeout, unparseable) stays in the frontier for the
-- next runs; this counts those runs, and the loader drops the page at MAX_FRONTIER_ATTEMPTS (8).

ALTER TABLE frontier ADD COLUMN attempts INTEGER DEFAULT 0;
UPDATE frontier SET attempts = 0 WHERE attempts IS NULL;
COMMENT ON COLUMN frontier.attempts IS 'Runs that tried this page and left it here (failed again); at 8 it is dropped (its fetches and parse_failures stay).';
