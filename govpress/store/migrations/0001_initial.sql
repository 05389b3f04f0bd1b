-- tables, views and comments
--
-- Schema version 1: the tables, the analyst views, and what every table, view and column means.
-- Migrations after this one add files; they never edit this one.

-- == Tables ===========================================================================================

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    applied_at  TIMESTAMPTZ NOT NULL,
    description VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sources (
    source_id     VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    country       VARCHAR NOT NULL,
    institution   VARCHAR NOT NULL,
    languages     VARCHAR[] NOT NULL,
    source_group  VARCHAR,
    kind          VARCHAR NOT NULL,
    start_urls    VARCHAR[] NOT NULL,
    parser        VARCHAR NOT NULL,
    timezone      VARCHAR NOT NULL,
    cadence       VARCHAR NOT NULL,
    rate_limit    DOUBLE NOT NULL,
    allowed_hosts VARCHAR[] NOT NULL,
    config        JSON NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id       VARCHAR PRIMARY KEY,
    flow         VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    status       VARCHAR NOT NULL,
    parameters   JSON NOT NULL,
    source_ids   VARCHAR[] NOT NULL,
    discovered   INTEGER NOT NULL DEFAULT 0,
    fetched      INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    new          INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    duplicate    INTEGER NOT NULL DEFAULT 0,
    removed      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    message      VARCHAR,
    per_source   JSON
);

CREATE TABLE IF NOT EXISTS fetches (
    fetch_id      VARCHAR PRIMARY KEY,
    run_id        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,
    purpose       VARCHAR NOT NULL,
    status        INTEGER,
    outcome       VARCHAR NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    elapsed_ms    DOUBLE,
    bytes         BIGINT,
    content_type  VARCHAR,
    charset       VARCHAR,
    etag          VARCHAR,
    last_modified VARCHAR,
    attempts      INTEGER NOT NULL DEFAULT 1,
    error         VARCHAR,
    archive_key   VARCHAR
);

CREATE TABLE IF NOT EXISTS releases (
    release_id          VARCHAR PRIMARY KEY,
    source_id           VARCHAR NOT NULL,
    url                 VARCHAR NOT NULL,
    canonical_url       VARCHAR NOT NULL,
    language            VARCHAR,
    title               VARCHAR NOT NULL,
    subtitle            VARCHAR,
    lead                VARCHAR,
    body_text           VARCHAR NOT NULL,
    published_at        TIMESTAMPTZ,
    published_precision VARCHAR,
    updated_at          TIMESTAMPTZ,
    place               VARCHAR,
    tags                VARCHAR[],
    kind                VARCHAR,
    translation_key     VARCHAR,
    content_hash        VARCHAR NOT NULL,
    version             INTEGER NOT NULL,
    cluster_id          VARCHAR NOT NULL,
    parser              VARCHAR NOT NULL,
    parser_version      VARCHAR NOT NULL,
    archive_key         VARCHAR,
    first_seen_at       TIMESTAMPTZ NOT NULL,
    last_seen_at        TIMESTAMPTZ NOT NULL,
    removed_at          TIMESTAMPTZ,
    run_id              VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS release_versions (
    release_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    title        VARCHAR NOT NULL,
    subtitle     VARCHAR,
    lead         VARCHAR,
    body_text    VARCHAR NOT NULL,
    published_at TIMESTAMPTZ,
    seen_at      TIMESTAMPTZ NOT NULL,
    archive_key  VARCHAR,
    run_id       VARCHAR NOT NULL,
    PRIMARY KEY (release_id, version)
);

CREATE TABLE IF NOT EXISTS release_links (
    release_id    VARCHAR NOT NULL,
    other_id      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    score         DOUBLE NOT NULL,
    other_url     VARCHAR,
    first_seen_at TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    PRIMARY KEY (release_id, other_id, kind)
);

CREATE TABLE IF NOT EXISTS parse_failures (
    source_id   VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    archive_key VARCHAR NOT NULL,
    parser      VARCHAR NOT NULL,
    error       VARCHAR NOT NULL,
    failed_at   TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (url, archive_key, parser)
);

CREATE TABLE IF NOT EXISTS removals (
    release_id  VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    status      INTEGER,
    detected_at TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (release_id, detected_at)
);

CREATE TABLE IF NOT EXISTS frontier (
    source_id   VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    purpose     VARCHAR NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR NOT NULL,
    PRIMARY KEY (source_id, url)
);

CREATE TABLE IF NOT EXISTS http_cache (
    url           VARCHAR PRIMARY KEY,
    etag          VARCHAR,
    last_modified VARCHAR,
    archive_key   VARCHAR,
    checked_at    TIMESTAMPTZ NOT NULL
);

-- == Views ============================================================================================

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

-- == Comments =========================================================================================
-- Read them in SQL: SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main';
-- Conventions: every TIMESTAMPTZ is an instant (shown in your session's TimeZone; SET TimeZone = 'UTC' to read UTC);
-- ids are stable across reruns; run_id names the flow run that last wrote the row (see runs).

COMMENT ON TABLE schema_version IS 'One row per applied schema migration; max(version) is the schema version of this file.';
COMMENT ON COLUMN schema_version.version IS 'Migration number, 1, 2, ... applied in order and never edited.';
COMMENT ON COLUMN schema_version.applied_at IS 'When the migration was applied to this file.';
COMMENT ON COLUMN schema_version.description IS 'What the migration created or changed.';

COMMENT ON TABLE sources IS 'The source registry (sources.toml) as last loaded: one row per language edition of a publisher''s channel. Sources removed from the registry stay here.';
COMMENT ON COLUMN sources.source_id IS 'Stable source id, e.g. kremlin_ru; releases.source_id and fetches.source_id refer to it.';
COMMENT ON COLUMN sources.name IS 'Human name of the source.';
COMMENT ON COLUMN sources.country IS 'ISO 3166-1 alpha-2 country code of the publisher (EU or UN for those bodies).';
COMMENT ON COLUMN sources.institution IS 'The publishing institution (president, government, ministry, parliament ...).';
COMMENT ON COLUMN sources.languages IS 'ISO 639-1 codes the source publishes in; the first is this edition''s language.';
COMMENT ON COLUMN sources.source_group IS 'Sources sharing a group are language editions of one site; NULL when the source has no sibling editions.';
COMMENT ON COLUMN sources.kind IS 'Discovery channel: feed, sitemap, listing, json or files.';
COMMENT ON COLUMN sources.start_urls IS 'Where discovery starts: feed, sitemap or listing URLs (paths or globs for kind files).';
COMMENT ON COLUMN sources.parser IS 'Parser module used for the release pages (generic unless the site needs its own).';
COMMENT ON COLUMN sources.timezone IS 'IANA time zone of the site: naive times on its pages are read in it, and daily_counts uses it for the day.';
COMMENT ON COLUMN sources.cadence IS 'Cron expression of the scheduled ingest.';
COMMENT ON COLUMN sources.rate_limit IS 'Polite request rate per host, in requests per second.';
COMMENT ON COLUMN sources.allowed_hosts IS 'Host names the fetcher may contact for this source (redirects elsewhere are refused).';
COMMENT ON COLUMN sources.config IS 'The full registry entry as JSON, including settings without their own column.';
COMMENT ON COLUMN sources.updated_at IS 'When this row was last written from the registry.';
COMMENT ON COLUMN sources.run_id IS 'The run that last wrote this row (runs.run_id).';

COMMENT ON TABLE runs IS 'One row per flow run with its parameters and totals; status running means it has not finished (or died: see finished_at NULL on old rows).';
COMMENT ON COLUMN runs.run_id IS 'Flow run id (the Prefect flow run id when run under Prefect).';
COMMENT ON COLUMN runs.flow IS 'Name of the flow, e.g. ingest or reparse.';
COMMENT ON COLUMN runs.started_at IS 'When the run started.';
COMMENT ON COLUMN runs.finished_at IS 'When the run finished; NULL while running or when the process died before finishing.';
COMMENT ON COLUMN runs.status IS 'running, completed, partial (some sources failed) or failed.';
COMMENT ON COLUMN runs.parameters IS 'The run''s parameters as JSON, as given in the UI or on the command line.';
COMMENT ON COLUMN runs.source_ids IS 'Sources the run covered.';
COMMENT ON COLUMN runs.discovered IS 'Release URLs found by discovery (feeds, sitemaps, listings) in this run.';
COMMENT ON COLUMN runs.fetched IS 'HTTP requests that returned a body in this run.';
COMMENT ON COLUMN runs.not_modified IS 'Conditional requests answered 304 Not Modified in this run.';
COMMENT ON COLUMN runs.new IS 'Releases stored for the first time in this run (exact duplicates not included).';
COMMENT ON COLUMN runs.updated IS 'Releases whose text changed in this run (a new version was stored).';
COMMENT ON COLUMN runs.unchanged IS 'Releases seen again with text already stored.';
COMMENT ON COLUMN runs.duplicate IS 'New releases whose text equals another release''s (stored and linked as exact_duplicate).';
COMMENT ON COLUMN runs.removed IS 'Releases first found removed (404/410 or gone from their listing) in this run.';
COMMENT ON COLUMN runs.failed IS 'Pages that failed to parse in this run (see parse_failures).';
COMMENT ON COLUMN runs.message IS 'Human summary or the error that ended the run; NULL when there is nothing to say.';
COMMENT ON COLUMN runs.per_source IS 'JSON list with one object of counts and notes per source; NULL while running.';

COMMENT ON TABLE fetches IS 'Every HTTP exchange (and every skipped request) with its outcome and timing. One row per request as finally answered after retries.';
COMMENT ON COLUMN fetches.fetch_id IS 'Stable id of the request (run, url, purpose): reloading a batch adds no rows.';
COMMENT ON COLUMN fetches.run_id IS 'The run that made the request.';
COMMENT ON COLUMN fetches.source_id IS 'The source the request was made for (sources.source_id).';
COMMENT ON COLUMN fetches.url IS 'The URL requested.';
COMMENT ON COLUMN fetches.final_url IS 'The URL after redirects; NULL when no response arrived.';
COMMENT ON COLUMN fetches.purpose IS 'Why it was fetched: feed, sitemap, listing, release, robots, api or file.';
COMMENT ON COLUMN fetches.status IS 'HTTP status of the final response; NULL when no response arrived (network error, skipped).';
COMMENT ON COLUMN fetches.outcome IS 'ok (body archived), not_modified (304), gone (404/410), blocked (403 or an anti-bot/challenge page, evidence archived), http_error (other 4xx/5xx after retries), network_error, timeout, too_large (size or decompression cap), refused (host or address not allowed, redirect off the source), robots (robots.txt disallows), circuit_open (host failing repeatedly, skipped for this run).';
COMMENT ON COLUMN fetches.started_at IS 'When the first attempt started.';
COMMENT ON COLUMN fetches.elapsed_ms IS 'Milliseconds from the first attempt to the end of the body, retries and waits included; NULL when skipped.';
COMMENT ON COLUMN fetches.bytes IS 'Size of the response body in bytes as received (after transfer decoding); NULL when there was no body.';
COMMENT ON COLUMN fetches.content_type IS 'Content-Type header of the response, charset parameter included; NULL when absent.';
COMMENT ON COLUMN fetches.charset IS 'Character set the body was decoded with (declared or detected, e.g. windows-1251); NULL when not decoded.';
COMMENT ON COLUMN fetches.etag IS 'ETag header of the response; NULL when the server sent none.';
COMMENT ON COLUMN fetches.last_modified IS 'Last-Modified header as sent by the server (HTTP date text); NULL when absent.';
COMMENT ON COLUMN fetches.attempts IS 'Number of attempts made (1 = no retry).';
COMMENT ON COLUMN fetches.error IS 'Error text for outcomes other than ok and not_modified; NULL otherwise.';
COMMENT ON COLUMN fetches.archive_key IS 'Key of the archived body (replayed by reparse); NULL when nothing was archived.';

COMMENT ON TABLE releases IS 'One row per release (its latest version). release_id is stable across reruns; earlier texts are in release_versions, duplicates and translations in release_links. Removed pages keep their row (see removed_at).';
COMMENT ON COLUMN releases.release_id IS 'Stable id derived from the canonical URL; the same page always has the same id.';
COMMENT ON COLUMN releases.source_id IS 'The source that published it (sources.source_id).';
COMMENT ON COLUMN releases.url IS 'The URL the release was fetched from.';
COMMENT ON COLUMN releases.canonical_url IS 'Normalised canonical URL (rel=canonical when trusted, tracking parameters removed); release_id is derived from it.';
COMMENT ON COLUMN releases.language IS 'ISO 639-1 language of the text (detected and checked against the source); NULL when it could not be told.';
COMMENT ON COLUMN releases.title IS 'Headline, whitespace-normalised, Unicode NFC.';
COMMENT ON COLUMN releases.subtitle IS 'Sub-headline; NULL when the page has none.';
COMMENT ON COLUMN releases.lead IS 'Lead paragraph shown apart from the body; NULL when the page has none (then the body starts with it).';
COMMENT ON COLUMN releases.body_text IS 'Full text: paragraphs separated by one blank line, Unicode NFC, navigation and boilerplate removed, words split across lines rejoined.';
COMMENT ON COLUMN releases.published_at IS 'Publication instant as stated by the site, read in the source''s time zone when the page gives none; NULL when the page states no date. See published_precision.';
COMMENT ON COLUMN releases.published_precision IS 'How precise published_at is: day (time unknown, set to 00:00 local), minute or second; NULL when published_at is NULL.';
COMMENT ON COLUMN releases.updated_at IS 'Last-modified instant the page states ("updated ..."); NULL when it states none.';
COMMENT ON COLUMN releases.place IS 'Place line of the release (e.g. Moscow, Baku) when the site gives one; NULL otherwise.';
COMMENT ON COLUMN releases.tags IS 'Topics or keywords the site attaches; an empty list when none.';
COMMENT ON COLUMN releases.kind IS 'Type the site gives it: news, transcript, statement, ...; NULL when it does not say.';
COMMENT ON COLUMN releases.translation_key IS 'Key shared by all language versions of one release (e.g. kremlin:57063); NULL when unknown. Linked pairs are in release_links kind translation.';
COMMENT ON COLUMN releases.content_hash IS 'Hash of the normalised text (title, lead, body): equal hashes mean identical text (exact duplicates), a changed hash a new version.';
COMMENT ON COLUMN releases.version IS 'Version number of the current text, 1 for the first; every version is kept in release_versions.';
COMMENT ON COLUMN releases.cluster_id IS 'release_id of the first publisher of this text: equal for exact copies, its own release_id otherwise. unique_releases has one row per cluster.';
COMMENT ON COLUMN releases.parser IS 'Name of the parser that produced the current version.';
COMMENT ON COLUMN releases.parser_version IS 'Version of that parser; a reparse with a newer parser may create a new version.';
COMMENT ON COLUMN releases.archive_key IS 'Key of the archived page the current version was parsed from; NULL for documents that were not archived.';
COMMENT ON COLUMN releases.first_seen_at IS 'When govpress first fetched this release (not when it was published).';
COMMENT ON COLUMN releases.last_seen_at IS 'Latest fetch (or archived fetch) at which the page still showed this release.';
COMMENT ON COLUMN releases.removed_at IS 'When the page was found gone (404/410 or dropped from its listing); NULL while it is online. Cleared when seen again later.';
COMMENT ON COLUMN releases.run_id IS 'The run that stored the current version.';

COMMENT ON TABLE release_versions IS 'Every text a release has had, one row per version; old versions are never overwritten. Join to releases on release_id.';
COMMENT ON COLUMN release_versions.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_versions.version IS 'Version number, 1 for the first text seen; the highest equals releases.version.';
COMMENT ON COLUMN release_versions.content_hash IS 'Hash of this version''s normalised text.';
COMMENT ON COLUMN release_versions.title IS 'Headline of this version.';
COMMENT ON COLUMN release_versions.subtitle IS 'Sub-headline of this version; NULL when none.';
COMMENT ON COLUMN release_versions.lead IS 'Lead paragraph of this version; NULL when none.';
COMMENT ON COLUMN release_versions.body_text IS 'Full text of this version (same normalisation as releases.body_text).';
COMMENT ON COLUMN release_versions.published_at IS 'Publication instant the page stated in this version; NULL when none.';
COMMENT ON COLUMN release_versions.seen_at IS 'When this version was first fetched.';
COMMENT ON COLUMN release_versions.archive_key IS 'Key of the archived page this version was parsed from; NULL when not archived.';
COMMENT ON COLUMN release_versions.run_id IS 'The run that stored this version.';

COMMENT ON TABLE release_links IS 'Directed links between releases: exact_duplicate (same text; other_id is the first holder), near_duplicate / syndication (similar text), translation (same release in another language, stored in both directions).';
COMMENT ON COLUMN release_links.release_id IS 'The release the link starts from.';
COMMENT ON COLUMN release_links.other_id IS 'The release it points to (for duplicates: the earlier publisher).';
COMMENT ON COLUMN release_links.kind IS 'exact_duplicate, near_duplicate, syndication or translation.';
COMMENT ON COLUMN release_links.score IS 'Similarity from 0 to 1; 1.0 for exact duplicates and for translations known from the site.';
COMMENT ON COLUMN release_links.other_url IS 'URL of the other release, for reading without a join; NULL when unknown.';
COMMENT ON COLUMN release_links.first_seen_at IS 'When the link was first found.';
COMMENT ON COLUMN release_links.run_id IS 'The run that found the link.';

COMMENT ON TABLE parse_failures IS 'Pages that did not become a release, with the error; the run went on. A reparse with a fixed parser adds a new row (the key includes the parser).';
COMMENT ON COLUMN parse_failures.source_id IS 'The source of the page.';
COMMENT ON COLUMN parse_failures.url IS 'The page URL.';
COMMENT ON COLUMN parse_failures.archive_key IS 'Key of the archived page that failed (replay it to debug).';
COMMENT ON COLUMN parse_failures.parser IS 'Parser name and version that failed.';
COMMENT ON COLUMN parse_failures.error IS 'The parse error (BlockedPage errors mean an anti-bot or access page).';
COMMENT ON COLUMN parse_failures.failed_at IS 'When the parse failed.';
COMMENT ON COLUMN parse_failures.run_id IS 'The run in which it failed first.';

COMMENT ON TABLE removals IS 'Each time a stored release was found gone; the release row itself is kept and gets removed_at.';
COMMENT ON COLUMN removals.release_id IS 'The removed release (releases.release_id).';
COMMENT ON COLUMN removals.url IS 'The URL that was found gone.';
COMMENT ON COLUMN removals.status IS 'HTTP status that showed it (404, 410); NULL when it vanished from its listing or feed.';
COMMENT ON COLUMN removals.detected_at IS 'When the removal was detected.';
COMMENT ON COLUMN removals.run_id IS 'The run that detected it.';

COMMENT ON TABLE frontier IS 'URLs discovered but not yet fetched (the crawl backlog carried to the next run), per source.';
COMMENT ON COLUMN frontier.source_id IS 'The source the URL belongs to.';
COMMENT ON COLUMN frontier.url IS 'The URL still to fetch.';
COMMENT ON COLUMN frontier.purpose IS 'What it is expected to be: release, listing, sitemap, feed.';
COMMENT ON COLUMN frontier.added_at IS 'When it was added to the frontier.';
COMMENT ON COLUMN frontier.run_id IS 'The run that added it.';

COMMENT ON TABLE http_cache IS 'Validators for conditional GET: the next request for url sends If-None-Match / If-Modified-Since, and a 304 reuses archive_key.';
COMMENT ON COLUMN http_cache.url IS 'The URL.';
COMMENT ON COLUMN http_cache.etag IS 'Last ETag the server sent; NULL when none.';
COMMENT ON COLUMN http_cache.last_modified IS 'Last Last-Modified header the server sent (HTTP date text); NULL when none.';
COMMENT ON COLUMN http_cache.archive_key IS 'Archived body those validators describe; NULL when not archived.';
COMMENT ON COLUMN http_cache.checked_at IS 'When the URL was last requested.';

COMMENT ON VIEW unique_releases IS 'One row per cluster of identical releases (cluster_id): the earliest published member (undated members last, ties by release_id), with the number of copies.';
COMMENT ON COLUMN unique_releases.cluster_id IS 'The cluster (releases.cluster_id).';
COMMENT ON COLUMN unique_releases.release_id IS 'The representative: the earliest published member of the cluster.';
COMMENT ON COLUMN unique_releases.source_id IS 'Source of the representative.';
COMMENT ON COLUMN unique_releases.url IS 'URL of the representative.';
COMMENT ON COLUMN unique_releases.language IS 'ISO 639-1 language of the representative; NULL when unknown.';
COMMENT ON COLUMN unique_releases.title IS 'Headline of the representative.';
COMMENT ON COLUMN unique_releases.lead IS 'Lead paragraph of the representative; NULL when none.';
COMMENT ON COLUMN unique_releases.body_text IS 'Full text of the representative.';
COMMENT ON COLUMN unique_releases.published_at IS 'Publication instant of the representative; NULL when no member states a date.';
COMMENT ON COLUMN unique_releases.published_precision IS 'Precision of published_at: day, minute or second; NULL when published_at is NULL.';
COMMENT ON COLUMN unique_releases.first_seen_at IS 'When govpress first fetched the representative.';
COMMENT ON COLUMN unique_releases.removed_at IS 'When the representative''s page was found gone; NULL while online (other copies may still be online).';
COMMENT ON COLUMN unique_releases.n_copies IS 'Number of releases in the cluster, the representative included (1 = no copies).';

COMMENT ON VIEW daily_counts IS 'Releases per source per day of publication, the day taken in the source''s time zone (sources.timezone). Releases without published_at are not counted.';
COMMENT ON COLUMN daily_counts.source_id IS 'The source.';
COMMENT ON COLUMN daily_counts.day IS 'Calendar day of publication in the source''s time zone.';
COMMENT ON COLUMN daily_counts.releases IS 'Releases published that day (removed ones and duplicates included).';

COMMENT ON VIEW source_health IS 'One row per source: last run, last successful fetch, fetch failures over the last 7 days (counted back from now), parse failures and stored releases. Look here first when a source goes quiet.';
COMMENT ON COLUMN source_health.source_id IS 'The source.';
COMMENT ON COLUMN source_health.name IS 'Human name of the source.';
COMMENT ON COLUMN source_health.last_run_id IS 'Latest run that covered the source; NULL when never run.';
COMMENT ON COLUMN source_health.last_run_at IS 'When that run started; NULL when never run.';
COMMENT ON COLUMN source_health.last_run_status IS 'Status of that run (running, completed, partial, failed); NULL when never run.';
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

COMMENT ON VIEW release_translations IS 'Releases that have other-language versions, each with the list of them (from release_links kind translation). Releases without translations are not listed.';
COMMENT ON COLUMN release_translations.release_id IS 'The release.';
COMMENT ON COLUMN release_translations.language IS 'Its ISO 639-1 language.';
COMMENT ON COLUMN release_translations.title IS 'Its headline.';
COMMENT ON COLUMN release_translations.translations IS 'List of {release_id, language, title, url} of its other-language versions, ordered by language.';
