"""Steps in the Prefect UI (Playwright on Debian's Chromium) shared by the browser tests, each with a bounded wait.

Submitting a custom run is the step that once flaked ("the submitted run did not appear in the
API"): the old test waited for a URL pattern the run form's own address already matched
(``/deployments/deployment/<id>/run``), so it went on before the submission had happened and
polled for only 30 s. :func:`submit_custom_run` waits for the form to go away (or reports the
error toast that kept it), then finds the run by deployment and creation time, bounded.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deploy_harness import ARTIFACTS, wait_for_new_run

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SUBMIT_TIMEOUT_MS = 60_000


@contextmanager
def browser_page():
    """A Chromium page (1400x1000, 30 s default waits); skips when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
                    "never `playwright install`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (dev dependency) is missing")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def shot(page, name: str, locator=None) -> Path:
    """A screenshot kept as a test artifact (tests/artifacts/<name>.png)."""
    path = ARTIFACTS / f"{name}.png"
    (locator or page).screenshot(path=str(path), **({} if locator else {"full_page": True}))
    return path


def open_custom_run(page, ui_url: str, deployment: dict) -> None:
    """The deployment's page -> Run -> Custom run, until the form is there and settled.

    The deployment's page by its id: the Deployments list shows ten at a time. The form renders
    before the deployment's parameters have loaded and renders again when they have; a field
    filled in between is wiped. Settled: the network is idle and the parameters' blocks are there.
    """
    page.goto(f"{ui_url}/deployments/deployment/{deployment['id']}")
    page.get_by_text(deployment["name"]).first.wait_for()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("Custom run").click()
    page.get_by_role("button", name="Submit").wait_for()
    page.locator("div.schema-form-property").first.wait_for()
    page.wait_for_load_state("networkidle")


def form_property(page, label: str):
    """One parameter's block in Prefect's schema form, by its label."""
    return page.locator(
        f"div.schema-form-property:has(> .p-label__header .schema-form-property__label:text-is('{label}'))")


def open_picker(page, label: str):
    """Open a select or multi-select field's list of options (the keyboard opens it; a click only focuses)."""
    block = form_property(page, label)
    block.locator("button.p-select-button__control").focus()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option").first.wait_for()
    return page.get_by_role("option")


def chosen(page, label: str) -> str:
    return form_property(page, label).locator("button.p-select-button__control").inner_text()


def pick_options(page, label: str, values: list[str], attempts: int = 3) -> None:
    """Select ``values`` in a multi-select (or the one value of a select), then close the list.

    Checked on the field itself; a pick the form dropped (re-rendered under it) is picked again,
    a bounded number of times.
    """
    for _ in range(attempts):
        missing = [v for v in values if v not in chosen(page, label)]
        if not missing:
            return
        open_picker(page, label)
        for value in missing:
            page.get_by_role("option", name=value, exact=True).click()
        page.keyboard.press("Escape")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(v not in chosen(page, label) for v in values):
            page.wait_for_timeout(200)
    shown = chosen(page, label)
    assert all(v in shown for v in values), f"{label}: picked {values}, the field shows {shown!r}"


def pick_date(page, label: str, day: date) -> None:
    """Switch an optional date to 'date', open the picker, walk to the month, click the day, Apply."""
    block = form_property(page, label)
    switch = block.get_by_role("button", name="date", exact=True)
    if switch.count():
        switch.click()
    block.locator(".p-date-button__control").click()
    picker = page.locator(".p-date-picker").last
    picker.wait_for(timeout=10_000)
    for _ in range(240):  # at most 20 years of clicks
        month = MONTHS.index(picker.locator(".p-date-picker__title-month").inner_text().strip()) + 1
        year = int(picker.locator(".p-date-picker__title-year").inner_text().strip())
        step = (day.year - year) * 12 + (day.month - month)
        if step == 0:
            break
        picker.locator(".p-calendar-header__arrow").nth(0 if step < 0 else 1).click()
    else:
        raise AssertionError(f"could not reach {day:%B %Y} in the date picker")
    picker.locator(".p-calendar-date-picker__date--in-month").get_by_text(str(day.day), exact=True).click()
    assert picker.locator("input").input_value() == day.isoformat()
    page.get_by_role("button", name="Apply", exact=True).click()
    picker.wait_for(state="detached", timeout=10_000)


def field_errors(page) -> list[str]:
    """The messages the form shows under its fields."""
    messages = page.locator(".p-label__message")
    return [m for m in (messages.nth(i).inner_text().strip() for i in range(messages.count())) if m]


def toasts(page) -> list[str]:
    found = page.locator(".p-toast, [role=alert], [role=status]")
    return [found.nth(i).inner_text().strip() for i in range(found.count())]


def record_api_errors(page) -> list[str]:
    """Collect the API calls that answered 4xx/5xx while the page runs (for failure messages)."""
    errors: list[str] = []

    def seen(response) -> None:
        if "/api/" in response.url and response.status >= 400:
            try:
                body = response.text()[:300]
            except Exception:  # noqa: BLE001 - a body that went away: the status says enough
                body = ""
            errors.append(f"{response.request.method} {response.url} -> {response.status} {body}")

    page.on("response", seen)
    page.on("console", lambda message: errors.append(f"console {message.type}: {message.text[:300]}")
            if message.type == "error" else None)
    return errors


def submit_custom_run(page, client, deployment_id: str, name: str) -> dict:
    """Submit the custom-run form and return the run it created (bounded waits, a screenshot on failure).

    The form's address is ``/deployments/deployment/<id>/run``; after a successful Submit the UI
    leaves it. Waiting for the address to *leave* the form (not to match the deployment's prefix,
    which the form's own address matches) is what makes the wait real.
    """
    submitted = datetime.now(timezone.utc) - timedelta(seconds=2)  # the server stamps the run; same clock
    errors = record_api_errors(page)
    for attempt in range(1, SUBMIT_ATTEMPTS + 1):
        page.get_by_role("button", name="Submit").click()
        try:
            page.wait_for_url(lambda url: not re.search(r"/deployments/deployment/[^/?]+/run", url),
                              timeout=SUBMIT_TIMEOUT_MS)
            break
        except Exception as exc:
            busy = any("create_flow_run -> 503" in e for e in errors)
            if busy and attempt < SUBMIT_ATTEMPTS and not runs_since(client, deployment_id, submitted):
                continue  # the server was busy (503: retry later) and created nothing: submit again, as a person would
            shot(page, f"{name}-submit-failed")
            raise AssertionError(f"the form did not submit: field errors {field_errors(page)}, toasts {toasts(page)}, "
                                 f"API errors {errors}") from exc
    return wait_for_new_run(client, deployment_id, submitted)


SUBMIT_ATTEMPTS = 3
"""A Submit answered 503 (the server's database busy) is clicked again, at most this many times in all."""


def runs_since(client, deployment_id: str, since: datetime) -> list[dict]:
    from deploy_harness import runs_of

    return runs_of(client, deployment_id, since)


def refused_submission(page, client, deployment_id: str, wait_s: float = 5.0) -> list[str]:
    """Click Submit on a form that must refuse; returns the messages under the fields. No run may appear."""
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    page.get_by_role("button", name="Submit").click()
    deadline = time.monotonic() + 30
    while not field_errors(page) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    page.wait_for_timeout(wait_s * 1000)  # a run the form let through would show up by now
    from deploy_harness import runs_of

    assert runs_of(client, deployment_id, before) == [], "the refused form created a run"
    assert re.search(r"/deployments/deployment/[^/?]+/run", page.url), "the form went away"
    return field_errors(page)
