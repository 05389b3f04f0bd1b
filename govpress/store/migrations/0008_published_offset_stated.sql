-- releases.published_offset_stated: whether the page stated the UTC offset of published_at
--
-- published_at is always an instant; this says whether the page gave its offset ("+03:00", "Z",
-- "GMT") or whether the time (or the day, precision 'day') was read in the source's zone from the
-- registry. Rows loaded before this column existed keep NULL (not known) until they are reparsed.

ALTER TABLE releases ADD COLUMN published_offset_stated BOOLEAN;
COMMENT ON COLUMN releases.published_offset_stated IS 'True when the page stated the UTC offset of published_at (+03:00, Z, GMT); false when the time or day was read in the source''s time zone; NULL when there is no date, the parser does not say, or the row predates this column.';
