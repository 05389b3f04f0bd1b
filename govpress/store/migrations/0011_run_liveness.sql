-- runs record their process (pid, host) and a heartbeat; a run whose process is gone is marked crashed by the next run
--
-- A run killed hard (SIGKILL, a power cut, a full disk that also refused its last write) never
-- closes its row. The next run compares each 'running' row's process with the machine it runs on
-- (pid and host) and its heartbeat with the clock, and marks the dead ones 'crashed' with the
-- reason (govpress/store/liveness.py), each of its sources abandoned. The fetch outcome vocabulary gains the refusals and the
-- malformed responses of issue 11.

ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN heartbeat_at TIMESTAMPTZ;
UPDATE runs SET heartbeat_at = coalesce(finished_at, started_at) WHERE heartbeat_at IS NULL;

COMMENT ON TABLE runs IS 'One row per flow run with its parameters and totals. A run still marked running is either running now or died before it could finish: the next run marks a dead one crashed (its process is gone or its heartbeat stopped).';
COMMENT ON COLUMN runs.status IS 'running, completed, partial (some sources failed), failed, or crashed (its process died before finishing; marked by a later run, the reason in message).';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished; NULL while running, and for a crashed run (it never finished: see heartbeat_at).';
COMMENT ON COLUMN runs.pid IS 'Process id of the process that ran it (on host); NULL for runs recorded before schema version 7.';
COMMENT ON COLUMN runs.host IS 'Host name of the machine that ran it; a later run on the same host checks whether pid is still alive.';
COMMENT ON COLUMN runs.heartbeat_at IS 'Last sign of life: updated every minute while the run works; a running row whose heartbeat is older than 15 minutes is crashed.';
COMMENT ON COLUMN fetches.outcome IS 'ok (body archived), not_modified (304), gone (404/410), blocked (403 or an anti-bot/challenge page, evidence archived), http_error (other 4xx/5xx after retries, or a malformed response such as a head over 100 KiB, not retried), network_error, timeout, too_large (size or decompression cap), refused (host, address or port not allowed, a redirect leaving them, or a discovery page its reader refused: a DTD or entity bomb, unreadable XML), robots (robots.txt disallows), circuit_open (host failing repeatedly, skipped for this run).';
COMMENT ON COLUMN source_runs.status IS 'The source''s own outcome: ok, unfinished (pages left for the next run: host failing), blocked (anti-bot or access page), failed; running while its run has not finished; abandoned when its run died (marked crashed by a later run: its process was gone) or started over 6 hours ago and never finished; NULL when a finished run recorded no outcome for the source.';
