-- release_bands without its primary key: a fresh load spent most of its time keeping that index
--
-- The loader rewrites a release's LSH buckets whole (deletes them when its text changed, then
-- inserts the new ones), so the key guarded nothing that the loader does not already ensure, and
-- the candidate search joins the table by hash, not through the index. Measured on 105,000
-- bucket rows (5,000 releases): insert 1.33 s with the key, 0.17 s without; checkpoint 0.65 s
-- and 0.14 s. DuckDB cannot drop a constraint, so the table is rebuilt.

CREATE TABLE release_bands_unkeyed (
    band       SMALLINT NOT NULL,
    bucket     UBIGINT NOT NULL,
    release_id VARCHAR NOT NULL
);
INSERT INTO release_bands_unkeyed SELECT DISTINCT band, bucket, release_id FROM release_bands;
DROP TABLE release_bands;
ALTER TABLE release_bands_unkeyed RENAME TO release_bands;

COMMENT ON TABLE release_bands IS 'Locality-sensitive hashing index over release_signatures: releases sharing a (band, bucket) are candidate near duplicates, whose similarity is then checked. One row per (band, bucket, release), rewritten whole when the release''s text changes.';
COMMENT ON COLUMN release_bands.band IS 'Band number (0-20): which slice of 6 signature values the bucket hashes.';
COMMENT ON COLUMN release_bands.bucket IS 'Hash of the band''s signature values; equal only within the same band.';
COMMENT ON COLUMN release_bands.release_id IS 'The release (releases.release_id).';
