"""The report of a demo database rendered in headless Chromium: every plot has marks, no network request is made.

The demo runs twice (the second time with five edited and three removed pages) so that every
section has data. The screenshot is kept in tests/artifacts/report.png.
"""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from rich.console import Console

from govpress.analysis.report import build_report
from govpress.demo.localsite.generator import DATE_START, generate_site
from govpress.demo.run import run_demo

pytestmark = [pytest.mark.browser, pytest.mark.heavy]  # a demo run and Chromium: minutes

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PLOTS = {"weekly", "hours", "changes", "syndication", "coverage"}
SITE = {"per_source": 60}


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, prefect_api, port_factory) -> Path:
    root = tmp_path_factory.mktemp("report-demo")
    db, site, port = root / "govpress.duckdb", root / "site", port_factory()

    def run(**generator) -> int:
        return run_demo(db=db, site_dir=site, port=port, console=Console(file=io.StringIO(), width=200),
                        generator_options={**SITE, **generator})

    assert run() == 0
    manifest = generate_site(site, **SITE)
    mfa = [r.id for r in manifest.publishers["mfa-en"].releases]
    minfin = [r.id for r in manifest.publishers["minfin"].releases]
    assert run(edited=[mfa[10], mfa[20], mfa[30], minfin[0], minfin[1]], removed=[mfa[40], mfa[41], mfa[50]]) == 0
    return build_report(db, since=DATE_START.date(), until=datetime.now(timezone.utc).date())


def test_the_report_renders_every_plot_with_marks_and_makes_no_request(demo_report: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(demo_report.as_uri(), wait_until="load")
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            drawn = {}
            for figure in page.query_selector_all("figure.plot"):
                boxes = [m.bounding_box() for m in figure.query_selector_all("[id^='mark-']")]
                drawn[figure.get_attribute("data-plot")] = sum(1 for b in boxes if b and b["width"] > 0 and b["height"] > 0)
            empty_notes = page.locator("p.empty").all_inner_texts()
            headings = page.locator("section h2").all_inner_texts()
        finally:
            browser.close()
    assert requests == [demo_report.as_uri()], f"the report made requests: {requests}"
    assert set(drawn) == PLOTS, (drawn, empty_notes)
    assert all(n > 0 for n in drawn.values()), drawn
    assert drawn["changes"] >= 2  # edits and withdrawals both drawn
    assert len(headings) == 8
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
