"""The HTML report: every section drawn from a constructed corpus, stated as empty when it has no data, no network."""

from __future__ import annotations

import re
from datetime import date

import pytest
from corpus import UNTIL, fill

from govpress.analysis.report import build_report
from govpress.store import Store

SECTION_IDS = ("weekly", "hours", "changes", "syndication", "coverage", "health", "clusters", "terms")


@pytest.fixture
def filled(store: Store) -> Store:
    return fill(store)


def section(page: str, key: str) -> str:
    match = re.search(rf'<section id="{key}">(.*?)</section>', page, flags=re.S)
    assert match, f"no section {key}"
    return match.group(1)


def marks(svg_html: str) -> list[str]:
    return re.findall(r'id="(mark-[^"]+)"', svg_html)


def test_every_section_has_data_from_the_corpus(filled: Store, tmp_path) -> None:
    path = build_report(filled.path, tmp_path / "r.html", since=date(2024, 3, 1), until=UNTIL)
    page = path.read_text(encoding="utf-8")
    for key in SECTION_IDS:
        assert 'class="empty"' not in section(page, key), key
    for key in ("weekly", "hours", "changes", "syndication", "coverage"):
        body = section(page, key)
        assert f'<figure class="plot" data-plot="{key}"><svg' in body and marks(body), key
    # syndication: agency_en copied minfin, 5 hours later
    assert re.search(r"<td>agency_en</td><td>minfin</td><td class=\"num\">1</td><td>5.0 h \(1 dated\)</td>", page)
    assert "1 edits and 1 withdrawals" in section(page, "changes")
    assert "<td>site</td><td class=\"num\">2</td><td>en 50% (1), ru 100% (2)</td>" in section(page, "coverage")
    assert "HTTP 503 on the feed" in section(page, "health") and ">failed<" in section(page, "health")
    assert "Talks on trade" in section(page, "clusters")
    assert "budget" in section(page, "terms")


def test_an_empty_window_says_so_in_every_section_and_draws_nothing(filled: Store, tmp_path) -> None:
    page = build_report(filled.path, tmp_path / "r.html", since=date(2020, 1, 1), until=date(2020, 1, 31)).read_text()
    for key in ("weekly", "hours", "changes", "syndication", "coverage", "clusters", "terms"):
        assert 'class="empty"' in section(page, key), key
    assert "<svg" not in page
    assert "No dated releases published in 2020-01-01 .. 2020-01-31." in page


def test_the_source_filter_keeps_other_sources_out(filled: Store, tmp_path) -> None:
    page = build_report(filled.path, tmp_path / "r.html", since=date(2024, 3, 1), until=UNTIL, sources=["site_ru"]).read_text()
    assert "site_ru" in section(page, "weekly") and "minfin" not in section(page, "weekly")
    assert "minfin" not in section(page, "health")


def test_the_file_is_self_contained(filled: Store, tmp_path) -> None:
    page = build_report(filled.path, tmp_path / "r.html", since=date(2024, 3, 1), until=UNTIL).read_text()
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r'\b(?:src|xlink:href|href)="(?!#|data:)(?!https://gov\.example/)', page)
    assert not re.search(r"url\((?!#)", page)


def test_default_output_is_beside_the_database_and_bad_windows_are_refused(filled: Store) -> None:
    path = build_report(filled.path)
    assert path == filled.path.with_name("report.html") and path.stat().st_size > 0
    with pytest.raises(ValueError, match="after"):
        build_report(filled.path, since=date(2024, 5, 1), until=date(2024, 4, 1))
    with pytest.raises(FileNotFoundError):
        build_report(filled.path.with_name("missing.duckdb"))
