-- govpress schema, version 1. Applied by flows.store.migrations; later versions add files, never edit this one.

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
