-- near duplicates: release_signatures, release_bands; near_duplicate links and clusters for stored releases
--
-- MinHash signatures of each release's text and their LSH band buckets (govpress/store/nearlinks.py
-- explains the scheme). The data step (0003_near_duplicates.py) signs the releases already stored and
-- links and clusters their near duplicates.

CREATE TABLE IF NOT EXISTS release_signatures (
    release_id   VARCHAR PRIMARY KEY,
    content_hash VARCHAR NOT NULL,
    scheme       VARCHAR NOT NULL,
    minhash      UBIGINT[] NOT NULL,
    computed_at  TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS release_bands (
    band       SMALLINT NOT NULL,
    bucket     UBIGINT NOT NULL,
    release_id VARCHAR NOT NULL,
    PRIMARY KEY (band, bucket, release_id)
);

COMMENT ON TABLE release_signatures IS 'MinHash signature of each release''s current text (title, subtitle, lead, body), used to find near-identical texts (syndicated copies). Recomputed when the text (content_hash) or the scheme changes.';
COMMENT ON COLUMN release_signatures.release_id IS 'The release (releases.release_id).';
COMMENT ON COLUMN release_signatures.content_hash IS 'releases.content_hash of the text the signature was computed from.';
COMMENT ON COLUMN release_signatures.scheme IS 'How the signature was made (permutations, words per shingle, bands, minimum shingles); a signature of another scheme is recomputed.';
COMMENT ON COLUMN release_signatures.minhash IS 'The minimum hash of the text''s 5-word shingles under each of 128 fixed permutations; the share of equal positions between two releases estimates their Jaccard similarity. Empty for texts too short to compare (fewer than 8 shingles): such releases are never near duplicates.';
COMMENT ON COLUMN release_signatures.computed_at IS 'When the signature was computed.';
COMMENT ON COLUMN release_signatures.run_id IS 'The run that computed it.';

COMMENT ON TABLE release_bands IS 'Locality-sensitive hashing index over release_signatures: releases sharing a (band, bucket) are candidate near duplicates, whose similarity is then checked.';
COMMENT ON COLUMN release_bands.band IS 'Band number (0-20): which slice of 6 signature values the bucket hashes.';
COMMENT ON COLUMN release_bands.bucket IS 'Hash of the band''s signature values; equal only within the same band.';
COMMENT ON COLUMN release_bands.release_id IS 'The release (releases.release_id).';

COMMENT ON COLUMN releases.cluster_id IS 'release_id of the first publisher of this text: shared by exact copies and near-identical (syndicated) copies, which point to the earliest member of their group; its own release_id otherwise. unique_releases has one row per cluster.';
COMMENT ON VIEW unique_releases IS 'One row per cluster of identical or near-identical releases (cluster_id): the earliest published member (undated members last, ties by release_id), with the number of copies.';
COMMENT ON COLUMN release_links.score IS 'Similarity from 0 to 1: 1.0 for exact duplicates and for translations known from the site; for near_duplicate the estimated Jaccard similarity of the two texts'' 5-word shingles (at least 0.8).';
