"""Coverage end to end on the local site: a manual run for a past week, then scheduled runs fill the gap below.

The generated agency's Russian edition lists 170 releases, 15 a page, newest first. The manual
run collects one past week deep in the listing; the scheduled runs (no dates) may read 2 listing
pages plus a gap budget each. The issue's failure: the scheduled runs stopped at the held week
and never collected what lies between it and the newest pages, silently.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from govpress.demo.run import prepare_site, render_registry, start_server
from govpress.plan import RunParams
from govpress.run import ingest_sources

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOURCE = "demo_agency_ru"
PER_PAGE = 15


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("coverage")
    manifest = prepare_site(root / "site", per_source=170)
    server = start_server(root / "site", pages=None, seed=None)
    server.start()
    try:
        text = render_registry(server.base_url, pages=None, seed=None)
        block = next(b for b in re.split(r"(?m)^(?=\[\[source\]\])", text) if f'id = "{SOURCE}"' in b)
        registry = root / "sources.toml"
        registry.write_text(text.split("[[source]]", 1)[0] + block, encoding="utf-8")
        yield root, registry, manifest
    finally:
        server.stop()


def ingest(db: Path, registry: Path, params: RunParams) -> str:
    result = asyncio.run(ingest_sources(db=db, sources_file=registry, source_ids=[SOURCE], params=params))
    assert result.status == "completed", result.message
    return result.run_id


def query(db: Path, sql: str, *args) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(args)).fetchall()
    finally:
        con.close()


def listing_requests(db: Path, run_id: str) -> int:
    return query(db, "SELECT count(*) FROM fetches WHERE run_id = ? AND purpose = 'listing'", run_id)[0][0]


def coverage(db: Path) -> list[tuple]:
    return query(db, "SELECT kind, first_day, last_day FROM coverage WHERE source_id = ? ORDER BY first_day", SOURCE)


def held_days(db: Path) -> set:
    return {row[0] for row in query(db, "SELECT CAST(timezone('Europe/Minsk', published_at) AS DATE) FROM releases "
                                        "WHERE source_id = ?", SOURCE)}


@pytest.mark.parametrize("gap_pages", [10, 2])
def test_a_manual_past_week_then_scheduled_runs_fill_the_gap_below(site, tmp_path, gap_pages):
    root, registry, manifest = site
    releases = sorted(manifest.publishers["agency-ru"].releases, key=lambda r: r.published, reverse=True)
    week = releases[6 * PER_PAGE + 2].published.date()  # on page 7 of the listing
    since, until = week - timedelta(days=6), week
    db = tmp_path / "govpress.duckdb"
    days = [r.published.date() for r in releases]

    ingest(db, registry, RunParams(since=since, until=until))
    assert held_days(db) == {d for d in days if since <= d <= until}
    assert coverage(db) == [("complete", since, until)]

    # A scheduled run: 2 listing pages, then the gap budget. The old rule stopped at page 2 for good.
    scheduled = RunParams(max_pages=2, gap_pages=gap_pages)
    first = ingest(db, registry, scheduled)
    assert listing_requests(db, first) <= 2 + gap_pages
    runs = [first]
    while [k for k, *_ in coverage(db)].count("gap") and len(runs) < 6:
        runs.append(ingest(db, registry, scheduled))
        # Later runs jump to where the last one stopped: page 1, then the gap budget.
        assert listing_requests(db, runs[-1]) <= 1 + gap_pages

    kinds = coverage(db)
    assert [k for k, *_ in kinds] == ["complete"], f"a gap is left after {len(runs)} runs: {kinds}"
    assert kinds[0][1] == since
    # Every release from the week on is loaded (and those older ones the last page read listed).
    assert held_days(db) >= {d for d in days if d >= since}
    if gap_pages == 10:
        assert len(runs) == 1  # 2 + 10 pages reach page 7 in one run
    else:
        assert len(runs) > 1  # 2 + 2 pages do not: the next runs resume below

    # Quiet from now on: page 1 is held inside the complete range.
    quiet = ingest(db, registry, scheduled)
    assert listing_requests(db, quiet) == 1
    assert [k for k, *_ in coverage(db)] == ["complete"]
