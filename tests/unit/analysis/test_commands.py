"""govpress report, search and export from the command line; the report file server."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from corpus import fill
from typer.testing import CliRunner

from govpress.analysis.commands import highlighted
from govpress.analysis.fileserver import ReportServer
from govpress.cli import app
from govpress.store import Store

runner = CliRunner()


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    store.rebuild_search_index()
    return store


def test_search_prints_ranked_hits_with_snippets_and_filters(filled: Store) -> None:
    done = runner.invoke(app, ["search", "delegation", "--db", str(filled.path), "--format", "json"])
    assert done.exit_code == 0, done.output
    hits = [json.loads(line) for line in done.output.splitlines()]
    assert {h["release_id"] for h in hits} == {"orig", "copy"}
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all("⟦delegation⟧" in h["snippet"] and h["url"].startswith("https://gov.example/") for h in hits)
    only = runner.invoke(app, ["search", "delegation", "--db", str(filled.path), "--source", "agency_en", "--format", "json"])
    assert [json.loads(line)["release_id"] for line in only.output.splitlines()] == ["copy"]
    table = runner.invoke(app, ["search", "визиты", "--db", str(filled.path), "--lang", "ru"])
    assert table.exit_code == 0 and "Визит" in table.output and "gov.example/site_ru/s1" in table.output
    none = runner.invoke(app, ["search", "визиты", "--db", str(filled.path), "--since", "2030-01-01"])
    assert none.exit_code == 1 and "No release matches" in none.output


def test_bad_input_gets_a_clear_error(filled: Store, tmp_path) -> None:
    bad_date = runner.invoke(app, ["search", "x", "--db", str(filled.path), "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    missing = runner.invoke(app, ["report", "--db", str(tmp_path / "nope.duckdb")])
    assert missing.exit_code == 2 and "does not exist yet" in missing.output
    backwards = runner.invoke(app, ["report", "--db", str(filled.path), "--since", "2024-05-01", "--until", "2024-04-01"])
    assert backwards.exit_code == 2 and "after" in backwards.output
    wrong = runner.invoke(app, ["export", "--db", str(filled.path), "--out", str(tmp_path / "x"), "--format", "xlsx"])
    assert wrong.exit_code == 2 and "parquet, csv or warc" in wrong.output


def test_report_and_export_commands_write_their_files(filled: Store, tmp_path) -> None:
    done = runner.invoke(app, ["report", "--db", str(filled.path), "--out", str(tmp_path / "r.html"),
                               "--since", "2024-03-01", "--until", "2024-03-31", "--source", "minfin"])
    assert done.exit_code == 0, done.output
    assert "Report written" in done.output and (tmp_path / "r.html").read_text().count('data-plot="') >= 3
    exported = runner.invoke(app, ["export", "--db", str(filled.path), "--out", str(tmp_path / "csv"), "--format", "csv"])
    assert exported.exit_code == 0 and (tmp_path / "csv" / "weekly_counts.csv").exists()


def test_snippet_marks_become_highlights_and_markup_in_text_stays_text() -> None:
    text = highlighted("a [bold]b[/bold] ⟦match⟧ c")
    assert text.plain == "a [bold]b[/bold] match c"
    assert [(text.plain[s.start:s.end], str(s.style)) for s in text.spans] == [("match", "bold black on yellow")]


def test_the_report_server_serves_the_report_only(tmp_path) -> None:
    report = tmp_path / "report.html"
    with ReportServer(report, port=0) as server:
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url, timeout=5)
        assert missing.value.code == 404
        report.write_text("<html>first</html>", encoding="utf-8")
        assert urllib.request.urlopen(server.url, timeout=5).read() == b"<html>first</html>"
        report.write_text("<html>second</html>", encoding="utf-8")  # re-read at each request
        assert urllib.request.urlopen(server.url + "report.html", timeout=5).read() == b"<html>second</html>"
        with pytest.raises(urllib.error.HTTPError) as other:
            urllib.request.urlopen(server.url + "../govpress.duckdb", timeout=5)
        assert other.value.code == 404
        assert server.url.startswith("http://127.0.0.1:")


def test_a_taken_port_moves_the_report_server_to_a_free_one(tmp_path) -> None:
    with ReportServer(tmp_path / "report.html", port=0) as first:
        port = int(first.url.rsplit(":", 1)[1].strip("/"))
        with ReportServer(tmp_path / "report.html", port=port) as second:
            assert second.url != first.url
        with pytest.raises(OSError):
            ReportServer(tmp_path / "report.html", port=port, any_port_if_taken=False)
