"""The run report's pure parts: the headline (sources by status, pages apart), the chart's range, the SVG picture."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest

from govpress.charts import bins_for, binned, data_uri, releases_chart
from govpress.pipeline import SourceOutcome
from govpress.report import Gap, ReportData, chart_range, headline, render_report, source_tally

SVG = "{http://www.w3.org/2000/svg}"


def outcome(source_id: str, status: str = "ok", **counts) -> SourceOutcome:
    return SourceOutcome(source_id=source_id, status=status, **counts)


def test_the_headline_counts_sources_by_status_and_pages_apart():
    outcomes = [outcome("a", new=12, unchanged=3), outcome("b", "failed", message="down", failed=1)]
    assert headline("ingest", outcomes) == ("ingest: 2 sources (1 ok, 1 failed); pages: 12 new, 0 updated, "
                                            "3 unchanged, 0 duplicates, 0 removed, 1 failed")


def test_a_run_whose_only_source_failed_says_so():
    """The issue's report: "1 sources: ... 0 failed" for a run whose only source failed (it counted pages)."""
    line = headline("ingest", [outcome("a", "failed", message="timeout")])
    assert line.startswith("ingest: 1 source (0 ok, 1 failed); pages:")


def test_blocked_and_unfinished_show_when_there_are_any():
    assert source_tally([outcome("a"), outcome("b", "blocked"), outcome("c", "unfinished"), outcome("d", "unfinished")]) \
        == "1 ok, 0 failed, 1 blocked, 2 unfinished"
    assert source_tally([outcome("a"), outcome("b")]) == "2 ok, 0 failed"


@pytest.mark.parametrize(("since", "until", "today", "expected"), [
    (None, None, date(2024, 10, 31), (date(2024, 10, 2), date(2024, 10, 31))),
    (date(2024, 1, 1), date(2024, 12, 31), date(2026, 1, 1), (date(2024, 1, 1), date(2024, 12, 31))),
    (date(2024, 1, 1), None, date(2024, 3, 1), (date(2024, 1, 1), date(2024, 3, 1))),
    (None, date(2024, 6, 30), date(2026, 1, 1), (date(2024, 6, 1), date(2024, 6, 30))),
    (date(2030, 1, 1), None, date(2026, 1, 1), (date(2030, 1, 1), date(2030, 1, 1))),
])
def test_the_chart_covers_the_run_range(since, until, today, expected):
    assert chart_range(since, until, today) == expected


def test_long_ranges_are_binned_by_week_then_thirty_days():
    assert bins_for(date(2024, 1, 1), date(2024, 4, 29)).days == 1  # 120 days
    assert bins_for(date(2024, 1, 1), date(2024, 4, 30)).days == 7
    assert bins_for(date(2020, 1, 1), date(2024, 12, 31)).days == 30
    bins = bins_for(date(2024, 1, 1), date(2024, 12, 31))
    counts = binned({date(2024, 1, 1): 2, date(2024, 1, 7): 1, date(2024, 1, 8): 5, date(2023, 12, 31): 9}, bins)
    assert counts[:2] == [3, 5] and sum(counts) == 8  # a day before the range is left out
    with pytest.raises(ValueError):
        bins_for(date(2024, 2, 1), date(2024, 1, 1))


def parse_svg(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def bar_values(svg: ElementTree.Element) -> dict[str, int]:
    """Per source, the sum of the values its bars' tooltips state."""
    totals: dict[str, int] = {}
    for rect in svg.iter(f"{SVG}rect"):
        title = rect.find(f"{SVG}title")
        if title is not None:
            name, value = title.text.rsplit(": ", 1)
            source = name.rsplit(" ", 1)[0]
            totals[source] = totals.get(source, 0) + int(value)
    return totals


def test_the_chart_is_well_formed_svg_with_one_row_per_source():
    first = date(2024, 10, 1)
    series = {"b": {first + timedelta(days=d): d for d in range(10)}, "a & co": {first: 4}}
    svg = releases_chart(series, first, first + timedelta(days=29))
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg"
    assert bar_values(root) == {"a & co": 4, "b": 45}
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "a & co" in texts and "45" in texts and "2024-10-01" in texts and "2024-10-30" in texts
    assert base64.b64decode(data_uri(svg).removeprefix("data:image/svg+xml;base64,")).decode() == svg


def test_an_empty_range_still_draws_its_rows():
    root = parse_svg(releases_chart({"a": {}}, date(2024, 10, 1), date(2024, 10, 1)))
    assert bar_values(root) == {}
    assert "a" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_report_embeds_the_picture_and_lists_gaps():
    data = ReportData(first_day=date(2024, 10, 1), last_day=date(2024, 10, 30), daily={"a": {date(2024, 10, 3): 2}},
                      gaps=[Gap("a", date(2024, 9, 8), date(2024, 9, 20))])
    text = render_report("r1", "ingest: 1 source (1 ok, 0 failed)", [outcome("a")], data)
    assert "![Releases per day, 2024-10-01 .. 2024-10-30](data:image/svg+xml;base64," in text
    assert "| a | 2 |" in text
    assert "- **a**: 2024-09-08 .. 2024-09-20 (13 days)" in text
    none = ReportData(first_day=date(2024, 10, 1), last_day=date(2024, 10, 30), daily={"a": {}})
    assert "None: every source's complete ranges join up" in render_report("r1", "h", [outcome("a")], none)
