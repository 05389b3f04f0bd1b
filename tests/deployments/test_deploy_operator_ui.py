"""The operator's view in the Prefect UI (issue 12), driven in Debian's Chromium with Playwright.

The source picker lists the registry's ids; a reversed date range is refused in the form; a run
with one failing and one working local source shows the failing source's task Failed, the report
headline "1 ok, 1 failed" and a picture; rerun-failed on it runs only the failed source; an
analyst's lock on the database shows in the run's log. Screenshots go to tests/artifacts/.

Sources: demo_mfa_en works; demo_belta_ru is broken on purpose (its feed and listing answer 410
through the local site server's ``gone`` set) and healed before the rerun. Neither is one the other
deployment tests count rows of. The module runs before test_deploy_server.py, whose last test
replaces the served deployments with work-pool ones.
"""

from __future__ import annotations

import time
from datetime import date

import duckdb
import pytest

from govpress.registry import load_registry

from deploy_harness import RUN_TIMEOUT, TIMINGS, run_logs, task_states, wait_for_new_run, wait_for_run
from ui_steps import (
    browser_page, form_property, open_custom_run, open_picker, pick_date, pick_options, refused_submission, shot,
    submit_custom_run,
)

pytestmark = [pytest.mark.browser, pytest.mark.heavy]  # a Prefect server, served deployments and Chromium: minutes

WORKING = "demo_mfa_en"
FAILING = "demo_belta_ru"
FAILING_PATHS = ("/fixtures/sites/belta/rss_ru.xml", "/fixtures/sites/belta/all_news.html")
LOCKED = "demo_president_by_ru"


def ids_of(demo_site) -> list[str]:
    return [s.id for s in load_registry(demo_site.registry).source]


def test_the_source_picker_lists_the_registry_ids(served, prefect_server, demo_site):
    registry = load_registry(demo_site.registry).source
    with browser_page() as page:
        open_custom_run(page, prefect_server.ui_url, served.deployments["ingest-manual"])
        options = open_picker(page, "sources (Optional)")
        assert [options.nth(i).inner_text().strip() for i in range(options.count())] == ids_of(demo_site)
        help_text = form_property(page, "sources (Optional)").locator(".p-label__description").first.inner_text()
        for source in registry:  # one line per id, with what it is
            assert f"{source.id}: {source.name}" in help_text.replace(" : ", ": "), source.id
        shot(page, "ui-source-picker")
        page.keyboard.press("Escape")

        open_custom_run(page, prefect_server.ui_url, served.deployments["backfill"])
        options = open_picker(page, "source")
        assert [options.nth(i).inner_text().strip() for i in range(options.count())] == ids_of(demo_site)
        shot(page, "ui-backfill-source-select")


def test_a_reversed_date_range_and_a_bad_bound_are_refused_in_the_form(served, prefect_server):
    deployment_id = served.deployments["ingest-manual"]["id"]
    with browser_page() as page, prefect_server.client() as client:
        open_custom_run(page, prefect_server.ui_url, served.deployments["ingest-manual"])
        pick_options(page, "sources (Optional)", [WORKING])
        pick_date(page, "Since (Optional)", date(2024, 10, 20))
        pick_date(page, "Until (Optional)", date(2024, 10, 10))
        form_property(page, "max_pages (Optional)").locator("input").fill("-1")
        messages = refused_submission(page, client, deployment_id)
        shot(page, "ui-reversed-range-refused", form_property(page, "dates (Optional)"))
        shot(page, "ui-reversed-range-refused-form")
    assert "'2024-10-10' is not one of ['a day on or after since']" in messages
    assert "-1 is less than the minimum of 0" in messages


@pytest.fixture(scope="module")
def failed_run(served, prefect_server, demo_site):
    """A run from the UI with one working and one broken source (the broken one heals after this fixture)."""
    since, until, _ = demo_site.window("mfa-en", count=5)
    deployment_id = served.deployments["ingest-manual"]["id"]
    demo_site.server.gone.update(FAILING_PATHS)
    try:
        with browser_page() as page, prefect_server.client() as client:
            open_custom_run(page, prefect_server.ui_url, served.deployments["ingest-manual"])
            pick_options(page, "sources (Optional)", [WORKING, FAILING])
            pick_date(page, "Since (Optional)", since)
            pick_date(page, "Until (Optional)", until)
            shot(page, "ui-failing-run-form")
            started = time.monotonic()
            run = submit_custom_run(page, client, deployment_id, "ui-failing-run")
            assert run["parameters"]["sources"] == [WORKING, FAILING]
            assert run["parameters"]["dates"] == {"since": since.isoformat(), "until": until.isoformat()}
            run = wait_for_run(client, run["id"])
            TIMINGS["ui_failing_run_submit_to_end_s"] = round(time.monotonic() - started, 1)
    finally:
        demo_site.server.gone.difference_update(FAILING_PATHS)
    return run


def test_a_failing_source_fails_its_task_and_the_run_names_it(failed_run, served, prefect_server):
    assert failed_run["state_type"] == "FAILED", served.log_tail()
    message = failed_run["state"]["message"]
    assert message.startswith(f"1 of 2 sources failed: {FAILING} (failed: "), message
    with prefect_server.client() as client:
        states = task_states(client, failed_run["id"], expect={f"source {FAILING}", f"source {WORKING}"})
    assert states[f"source {FAILING}"] == ("FAILED", "Failed")
    assert states[f"source {WORKING}"] == ("COMPLETED", "Completed")
    assert all(state == "COMPLETED" for name, (state, _) in states.items() if not name.startswith(f"source {FAILING}"))

    with browser_page() as page:
        page.goto(f"{prefect_server.ui_url}/runs/flow-run/{failed_run['id']}")
        page.get_by_text(message[:40]).first.wait_for()  # the state message, on the run's page
        page.get_by_text("Task Runs", exact=True).first.click()
        row = page.locator(".state-list-item, .flow-run-list-item, .task-run-list-item, li, tr").filter(
            has_text=f"source {FAILING}").first
        row.wait_for()
        assert "Failed" in row.inner_text()
        shot(page, "ui-failing-source-task-failed")


def test_the_report_counts_sources_and_pages_apart_and_shows_a_picture(failed_run, prefect_server):
    with prefect_server.client() as client:
        artifacts = client.post("artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [failed_run["id"]]}}})
        artifacts = artifacts.raise_for_status().json()
    assert sorted(a["key"] for a in artifacts if a["key"]) == ["ingest-report", "ingest-summary"]
    assert all(a["key"] for a in artifacts), f"unnamed artifacts: {[a for a in artifacts if not a['key']]}"
    report = next(a for a in artifacts if a["key"] == "ingest-report")
    assert report["description"].startswith("ingest: 2 sources (1 ok, 1 failed); pages: ")

    with browser_page() as page:
        page.goto(f"{prefect_server.ui_url}/artifacts/artifact/{report['id']}")
        page.get_by_role("heading", name="ingest: 2 sources (1 ok, 1 failed)").first.wait_for()
        picture = page.locator("img[src^='data:image/svg+xml']").first
        picture.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=picture.element_handle())
        assert picture.get_attribute("alt").startswith("Releases per ")
        shot(page, "ui-report-headline-and-chart")


def test_rerun_failed_runs_only_the_failed_source(failed_run, served, prefect_server, demo_site):
    deployment_id = served.deployments["rerun-failed"]["id"]
    with browser_page() as page, prefect_server.client() as client:
        open_custom_run(page, prefect_server.ui_url, served.deployments["rerun-failed"])
        form_property(page, "flow_run_id").locator("input, textarea").first.fill(failed_run["id"])
        rerun = submit_custom_run(page, client, deployment_id, "ui-rerun-failed")
        rerun = wait_for_run(client, rerun["id"], timeout=RUN_TIMEOUT)
        assert rerun["state_type"] == "COMPLETED", served.log_tail()
        ingest_flow = client.post("flows/filter", json={"flows": {"name": {"any_": ["ingest"]}}}).json()[0]["id"]
        subflows = [r for r in client.post("flow_runs/filter", json={
            "flows": {"id": {"any_": [ingest_flow]}}, "sort": "EXPECTED_START_TIME_DESC", "limit": 20}).json()
            if r["parent_task_run_id"] and r["expected_start_time"] >= rerun["expected_start_time"]]
        assert len(subflows) == 1, [r["name"] for r in subflows]
        again = subflows[0]
        assert again["parameters"]["sources"] == [FAILING]  # only the failed source ...
        assert again["parameters"]["dates"] == failed_run["parameters"]["dates"]  # ... with the same parameters
        assert again["state_type"] == "COMPLETED"
        assert {n for n in task_states(client, again["id"], expect={f"source {FAILING}"}) if n.startswith("source ")} == {f"source {FAILING}"}
        page.goto(f"{prefect_server.ui_url}/runs/flow-run/{rerun['id']}")
        page.get_by_text(f"rerun failed sources of {failed_run['id']}").first.wait_for()
        page.get_by_text("Subflow Runs", exact=True).first.click()
        page.get_by_text(again["name"]).first.wait_for()
        shot(page, "ui-rerun-failed")
    con = duckdb.connect(str(demo_site.db), read_only=True)
    try:
        # The healed source was read this time (its pages' dates may all fall outside the window: no
        # release need load); in the failed run its feed answered 404.
        assert con.execute("SELECT count(*) FROM fetches WHERE source_id = ? AND purpose = 'feed' AND outcome = 'ok'",
                           [FAILING]).fetchone()[0] > 0
    finally:
        con.close()


def test_an_analyst_lock_during_a_run_shows_in_the_run_log(served, prefect_server, demo_site):
    deployment_id = served.deployments["ingest-manual"]["id"]
    analyst = duckdb.connect(str(demo_site.db), read_only=True)  # an analyst's session on the live file
    try:
        with prefect_server.client() as client:
            from datetime import datetime, timedelta, timezone

            since = datetime.now(timezone.utc) - timedelta(seconds=2)
            created = client.post(f"deployments/{deployment_id}/create_flow_run",
                                  json={"parameters": {"sources": [LOCKED]}}).raise_for_status().json()
            assert wait_for_new_run(client, deployment_id, since)["id"] == created["id"]
            deadline = time.monotonic() + RUN_TIMEOUT
            waits: list[str] = []
            while not waits and time.monotonic() < deadline:
                waits = [log["message"] for log in run_logs(client, created["id"]) if "locked by another process" in log["message"]]
                time.sleep(0.5)
            assert waits, f"no lock wait in the run's log:\n{served.log_tail()}"
    finally:
        analyst.close()
    with browser_page() as page, prefect_server.client() as client:
        run = wait_for_run(client, created["id"])
        assert run["state_type"] == "COMPLETED", served.log_tail()
        page.goto(f"{prefect_server.ui_url}/runs/flow-run/{run['id']}")
        entry = page.get_by_text("is locked by another process").first
        entry.wait_for()
        entry.scroll_into_view_if_needed()
        shot(page, "ui-lock-wait-in-run-log")
