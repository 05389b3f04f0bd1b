"""Exports: Parquet partitioned by source and month reads back whole; CSV per table; WARC records replay the archive."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import pytest
from corpus import fill

from govpress.analysis.export import EXPORTS, export_tables, export_warc
from govpress.archive import Archive
from govpress.store import Store


@pytest.fixture
def filled(store: Store) -> Store:
    return fill(store)


def test_parquet_is_partitioned_by_source_and_month_and_reads_back_whole(filled: Store, tmp_path) -> None:
    result = export_tables(filled.path, tmp_path / "out", "parquet")
    releases = tmp_path / "out" / "releases"
    assert (releases / "source_id=minfin" / "month=2024-03").is_dir()
    assert {p.name for p in releases.iterdir()} == {"source_id=agency_en", "source_id=minfin", "source_id=site_en",
                                                    "source_id=site_ru"}
    con = duckdb.connect()
    for item in EXPORTS:
        back = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/out/{item.name}/**/*.parquet', "
                           "hive_partitioning = true)").fetchone()[0]
        assert back == result.rows[item.name], item.name
    with filled.reader(fts=False) as db:
        assert result.rows["releases"] == db.execute("SELECT count(*) FROM releases").fetchone()[0] == 15
    titles = con.execute(f"SELECT title FROM read_parquet('{tmp_path}/out/releases/**/*.parquet', hive_partitioning = true) "
                         "WHERE source_id = 'agency_en'").fetchall()
    assert titles == [("Talks on trade",)]


def test_since_and_source_filter_every_table_and_a_rerun_replaces_files(filled: Store, tmp_path) -> None:
    export_tables(filled.path, tmp_path / "out", "parquet")
    result = export_tables(filled.path, tmp_path / "out", "parquet", since=date(2024, 3, 10), sources=["minfin"])
    assert result.rows["releases"] == 4  # m6..m9 published from the 10th
    assert result.rows["removals"] == 0 and result.rows["sources"] == 1 and result.rows["runs"] == 1
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/out/releases/**/*.parquet')").fetchone()[0] == 4


def test_csv_writes_one_file_per_table_or_view(filled: Store, tmp_path) -> None:
    result = export_tables(filled.path, tmp_path / "csv", "csv", sources=["site_ru", "site_en"])
    assert result.files == len(EXPORTS)
    lines = (tmp_path / "csv" / "releases.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("release_id,source_id,") and len(lines) == 4
    assert "Визит в Баку." in "\n".join(lines)


def test_warc_holds_each_archived_body_with_its_fetch_metadata(store: Store, tmp_path) -> None:
    from analysis_factories import fetch, load, release
    from warcio.archiveiterator import ArchiveIterator

    archive = Archive(store.path.parent / "archive")
    key = archive.put(b"<html><title>One</title></html>")
    row = fetch("w1", source_id="minfin", started_at=datetime(2024, 3, 1, tzinfo=timezone.utc))
    row.archive_key = key
    missing = fetch("w2", source_id="minfin", started_at=row.started_at)
    missing.archive_key = "sha256:" + "0" * 64
    load(store, "minfin", release("r", source_id="minfin"), fetches=[row, missing])
    result = export_warc(store.path, tmp_path / "warc")
    assert result.rows["records"] == 1 and len(result.skipped) == 1 and "w2" in result.skipped[0]
    with open(tmp_path / "warc" / "govpress.warc.gz", "rb") as fh:
        records = [(r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode(),
                    r.rec_headers.get_header("WARC-Date"), r.content_stream().read())
                   for r in ArchiveIterator(fh) if r.rec_type == "response"]
    assert records == [(row.url, "200", "2024-03-01T00:00:00Z", b"<html><title>One</title></html>")]
