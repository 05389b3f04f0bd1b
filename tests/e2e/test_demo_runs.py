"""`govpress demo` end to end through the real Prefect flow: idempotent reruns, edits and removals.

The generated site is smaller than the demo's default (60 releases per edition) to keep the
suite fast; the README command test runs the full-size demo.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import duckdb
import pytest

from govpress.demo.localsite.generator import generate_site
from govpress.demo.reliability import DEMO_TEMPLATE
from govpress.demo.run import run_demo
from govpress.store import Store

# The whole demo, twice: half a minute and more of two cores, run with -m heavy.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.heavy]

SITE = {"per_source": 60}
GENERATED_IDS = frozenset(s["id"] for s in tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))["source"])
"""The generated site's sources (constructed and real pages have demo_ ids of their own too)."""


def table_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("releases", "release_versions", "release_links", "removals", "parse_failures")}
    finally:
        con.close()


def last_run_counts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT new, updated, duplicate, removed, failed, status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    return dict(zip(("new", "updated", "duplicate", "removed", "failed", "status"), row))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, prefect_api, port_factory):
    """One demo run on a fresh database; the tests below run it again and compare."""
    import io

    from rich.console import Console

    root = tmp_path_factory.mktemp("demo")
    db, site, port = root / "govpress.duckdb", root / "site", port_factory()

    def run(port: int = port, **generator):
        return run_demo(db=db, site_dir=site, port=port, console=Console(file=io.StringIO(), width=200),
                        generator_options={**SITE, **generator})

    assert run() == 0
    return db, site, run


def test_first_demo_run_loads_every_generated_release_and_real_page(demo_db):
    db, site, _ = demo_db
    manifest_releases = len(generate_site(site, **SITE).releases())
    con = duckdb.connect(str(db), read_only=True)
    try:
        generated = con.execute("SELECT count(*) FROM releases WHERE list_contains(?, source_id)",
                                [sorted(GENERATED_IDS - {"demo_seed"})]).fetchone()[0]
        statuses = con.execute("SELECT status FROM runs").fetchall()
        translations = con.execute("SELECT count(*) FROM release_links WHERE kind = 'translation'").fetchone()[0]
        robots = con.execute("SELECT count(*) FROM fetches WHERE purpose = 'robots' AND outcome = 'ok'").fetchone()[0]
        near = con.execute("SELECT r.url, o.url FROM release_links l JOIN releases r USING (release_id) "
                           "JOIN releases o ON o.release_id = l.other_id WHERE l.kind = 'near_duplicate'").fetchall()
    finally:
        con.close()
    assert generated == manifest_releases
    assert statuses == [("completed",)]
    assert translations > 0
    assert robots == 1  # every exchange is recorded, robots.txt too (one host: the local server)
    # The generator's syndicated copies (agency-ru reprinting minfin) cluster with their first publisher.
    copies = {(r.path, r.copy_of) for r in generate_site(site, **SITE).publishers["agency-ru"].releases if r.copy_of}
    assert copies and len(near) == len(copies)
    assert all("/agency/ru/" in copy and "/minfin/" in first for copy, first in near)


def test_second_demo_run_adds_nothing(demo_db):
    db, _, run = demo_db
    before_sum, before_counts = Store(db).checksum(), table_counts(db)
    assert run() == 0
    assert Store(db).checksum() == before_sum
    assert table_counts(db) == before_counts
    counts = last_run_counts(db)
    assert (counts["new"], counts["updated"], counts["duplicate"], counts["removed"]) == (0, 0, 0, 0)


def test_five_edits_and_six_removals_between_runs_on_another_port(demo_db, port_factory):
    db, site, run = demo_db
    manifest = generate_site(site, **SITE)
    mfa = [r.id for r in manifest.publishers["mfa-en"].releases]
    minfin = [r.id for r in manifest.publishers["minfin"].releases]
    agency = {lang: [r.id for r in manifest.publishers[f"agency-{lang}"].releases] for lang in ("ru", "en")}
    edited = [mfa[10], mfa[20], mfa[30], minfin[0], minfin[1]]  # minfin: newest, on the feed's first page
    # The sitemap is complete: its missing pages get checked. The feed, the listing and the JSON index show
    # their newest releases: one that falls off inside what they show gets checked too.
    removed = [mfa[40], mfa[41], mfa[50], minfin[3], agency["ru"][2], agency["en"][4]]
    con = duckdb.connect(str(db), read_only=True)
    before = dict(con.execute("SELECT release_id, content_hash FROM releases").fetchall())
    versions_before = con.execute("SELECT count(*) FROM release_versions").fetchone()[0]
    con.close()

    # A new port: the stored URLs name the old one; the checks must reach the site where it is now.
    assert run(port=port_factory(), edited=edited, removed=removed) == 0

    con = duckdb.connect(str(db), read_only=True)
    try:
        after = dict(con.execute("SELECT release_id, content_hash FROM releases").fetchall())
        new_versions = con.execute("SELECT release_id, version FROM release_versions WHERE version > 1").fetchall()
        versions_after = con.execute("SELECT count(*) FROM release_versions").fetchone()[0]
        removed_rows = con.execute("SELECT url FROM releases WHERE removed_at IS NOT NULL ORDER BY url").fetchall()
        removal_log = con.execute("SELECT count(*) FROM removals").fetchone()[0]
    finally:
        con.close()
    assert versions_after - versions_before == 5
    assert len(new_versions) == 5 and all(v == 2 for _, v in new_versions)
    changed = {rid for rid in before if before[rid] != after[rid]}
    assert changed == {rid for rid, _ in new_versions}
    assert set(after) == set(before)  # removed releases keep their rows
    removed_paths = {manifest_path for manifest_path in generate_site(site, **SITE, edited=edited, removed=removed).removed.values()}
    assert {u.split("/", 3)[3] for (u,) in removed_rows} == {p.lstrip("/") for p in removed_paths}
    assert removal_log == 6
    counts = last_run_counts(db)
    assert (counts["new"], counts["updated"], counts["removed"], counts["status"]) == (0, 5, 6, "completed")


def readme_sql_statements() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    # Blocks fenced ```sql run on the demo's DuckDB file; ```sql lake ones need a DuckLake catalogue.
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README has no SQL cookbook"
    statements = []
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.lstrip().startswith("--")]
        statements += [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
    return statements


def test_every_readme_cookbook_query_runs_and_returns_rows(demo_db):
    db, _, _ = demo_db
    statements = readme_sql_statements()
    assert len(statements) >= 8
    with Store(db).reader() as con:
        for statement in statements:
            rows = con.execute(statement).fetchall()
            if "FROM parse_failures" in statement:
                continue  # the demo site parses cleanly; tests/e2e/test_pipeline_local.py fills this table
            assert rows, f"README query returned nothing on the demo database:\n{statement}"


def test_the_run_report_charts_the_run_range_as_a_picture_and_names_failed_pages(demo_db):
    import base64
    from datetime import date
    from xml.etree import ElementTree

    from govpress.pipeline import SourceOutcome
    from govpress.report import Failure, ReportData, chart_range, render_report, report_data

    db, _, _ = demo_db
    first, last = chart_range(date(2026, 9, 1), date(2026, 10, 31), date(2030, 1, 1))  # the run's own range
    assert (first, last) == (date(2026, 9, 1), date(2026, 10, 31))
    with Store(db).reader() as con:
        run_id = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        expected = con.execute("SELECT coalesce(sum(releases), 0) FROM daily_counts WHERE source_id = 'demo_minfin' "
                               "AND day BETWEEN DATE '2026-09-01' AND DATE '2026-10-31'").fetchone()[0]
    assert expected > 0
    data = report_data(Store(db), run_id, ["demo_minfin", "demo_mfa_en"], first, last)
    assert sum(data.daily["demo_minfin"].values()) == expected
    assert all(first <= day <= last for day in data.daily["demo_minfin"])
    outcomes = [SourceOutcome(source_id="demo_minfin"), SourceOutcome(source_id="demo_mfa_en", status="failed", message="boom")]
    text = render_report(run_id, "headline", outcomes, data)
    assert "**demo_mfa_en** (failed): boom" in text and f"| demo_minfin | {expected} |" in text
    picture = re.search(r"!\[Releases per day, 2026-09-01 \.\. 2026-10-31\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    assert picture, text[:500]
    svg = ElementTree.fromstring(base64.b64decode(picture[1]))
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.find("{http://www.w3.org/2000/svg}title") is not None]
    assert sum(int(r.find("{http://www.w3.org/2000/svg}title").text.rsplit(": ", 1)[1]) for r in bars
               if r.find("{http://www.w3.org/2000/svg}title").text.startswith("demo_minfin ")) == expected

    failed = ReportData(first_day=first, last_day=last, daily={},
                        failures=[Failure("demo_mfa_en", "http://127.0.0.1/x", "http_error: HTTP 503")])
    assert "[http://127.0.0.1/x](http://127.0.0.1/x) — http_error: HTTP 503" in render_report(run_id, "h", outcomes, failed)


def test_one_event_published_by_several_agencies_in_several_languages_is_found(demo_db):
    """The seed's event (Asadov in Minsk, 2-3 October 2024) as BelTA and president.gov.by tell it."""
    from govpress.dedupe.names import keys_match

    db, _, _ = demo_db
    with Store(db).reader() as con:
        pairs = con.execute(
            "SELECT other_source_id, shared_keys FROM event_candidates WHERE source_id = 'demo_belta_ru' ORDER BY 1"
        ).fetchall()
        names = con.execute("SELECT names FROM release_names JOIN releases USING (release_id) "
                            "WHERE source_id IN ('demo_belta_ru', 'demo_belta_en', 'demo_president_by_be')").fetchall()
    others = {source for source, _ in pairs}
    assert {"demo_president_by_ru", "demo_president_by_be", "demo_president_by_en"} <= others
    assert "demo_belta_en" not in others  # BelTA's own editions are translations, not other reports of the event
    assert all("asd" in shared for _, shared in pairs)  # Асадов / Asadov / Асадавым: one key
    assert all(any(keys_match(k, "asd") for k in n) for (n,) in names)  # Асадавым keeps its ending: asdm
    assert others.isdisjoint({"demo_minfin", "demo_mfa_en", "demo_agency_ru", "demo_agency_en"})  # generated releases are other events
