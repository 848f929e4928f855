"""A whole dosing session in two browsers: the therapist and the physician, side by side.

Vitals, a critical alert that blocks the supplemental dose, a physician override, an adverse
event, discharge refused at 6 h and allowed at 8 h. The session starts 8 h 20 min in the past and
every entry carries its entered time, as when charting from a paper sheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from mdma_at.services.demo import DEMO_PASSWORD
from support.server import RunningApp

pytestmark = pytest.mark.browser

PATIENT = "DEMO-009"  # enrolled long ago; the demo records no session for it


def _browser_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="UTC")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def therapist(browser: Browser) -> Iterator[Page]:
    yield from _browser_page(browser)


@pytest.fixture
def physician(browser: Browser) -> Iterator[Page]:
    yield from _browser_page(browser)


def sign_in(page: Page, app: RunningApp, username: str) -> None:
    page.goto(f"{app.base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Clinic dashboard")).to_be_visible()


def at(page: Page, t: datetime) -> None:
    """Set the console's time of the entries (the browser runs in UTC)."""
    field = page.locator("#entry-time")
    field.fill(t.strftime("%Y-%m-%dT%H:%M:%S"))
    field.dispatch_event("change")


def vitals(page: Page, sbp: int, dbp: int, hr: int, temp: float) -> None:
    form = page.locator("form.vitals-form")
    form.get_by_label("Systolic (mmHg)").fill(str(sbp))
    form.get_by_label("Diastolic (mmHg)").fill(str(dbp))
    form.get_by_label("Heart rate (/min)").fill(str(hr))
    form.get_by_label("Temperature (°C)").fill(str(temp))
    form.get_by_role("button", name="Record vital signs").click()
    expect(page.get_by_role("status")).to_contain_text("Vital signs recorded")


def discharge(page: Page) -> None:
    page.get_by_label("Physician sign-off").check()
    page.get_by_label("Discharged to an adult escort").check()
    page.get_by_role("button", name="Request discharge").click()


def test_a_whole_session_from_first_vitals_to_discharge(
    therapist: Page, physician: Page, demo_app: RunningApp
) -> None:
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=8, minutes=20)
    dose = t0 + timedelta(minutes=15)

    # The therapist starts the first dosing session from the chart, 8 h 20 min ago.
    sign_in(therapist, demo_app, "t.okafor")
    therapist.goto(f"{demo_app.base_url}/patients")
    therapist.get_by_label("Search by study ID or name").fill(PATIENT)
    therapist.get_by_role("link", name=PATIENT).click()
    card = therapist.locator("#chart-sessions")
    card.get_by_text("Start the session").first.click()
    start = card.locator("form.session-start").first
    start.get_by_label("Started at (blank = now)").fill(t0.strftime("%Y-%m-%dT%H:%M"))
    start.get_by_label("No", exact=True).check()
    start.get_by_role("button", name="Start the dosing session").click()
    expect(therapist.locator("#console-title")).to_contain_text("Dosing session 1")
    console = therapist.url

    # The physician opens the same console and confirms the facts of the day.
    sign_in(physician, demo_app, "dr.ng")
    physician.goto(console)
    at(physician, t0 + timedelta(minutes=5))
    # Consent, the signed eligible screening and the washout come from the demo's records.
    expect(physician.locator("#records-gate")).to_contain_text("Consent current")
    physician.get_by_label("Hours fasted").fill("11")
    physician.get_by_label("C-SSRS risk today").select_option("none")
    physician.get_by_label("Providers present").fill("2")
    physician.get_by_role("button", name="Confirm the pre-dose checklist").click()
    expect(physician.get_by_role("status")).to_contain_text("Pre-dose checklist recorded")

    # Pre-dose vitals; the physician's console shows them without reloading, within 5 s.
    at(therapist, t0 + timedelta(minutes=10))
    vitals(therapist, 122, 78, 70, 36.8)
    expect(physician.locator("#live .session-log")).to_contain_text("BP 122/78 mmHg", timeout=5000)

    at(therapist, dose)
    therapist.get_by_role("button", name="Give initial dose (80 mg)").click()
    expect(therapist.get_by_role("status")).to_contain_text("Initial dose: allowed")

    # 1 h 30 min after the dose: a critical blood pressure. The supplemental dose is refused.
    at(therapist, dose + timedelta(minutes=90))
    vitals(therapist, 184, 112, 132, 37.6)
    expect(therapist.locator("#active-alerts")).to_contain_text("systolic critical")
    at(therapist, dose + timedelta(minutes=95))
    supplemental = therapist.get_by_role("button", name="Give supplemental dose (40 mg)")
    expect(supplemental).to_be_disabled()
    expect(therapist.locator("#why-supplemental")).to_contain_text("alert_active")

    # The physician overrides with a reason; the therapist's button comes alive by itself.
    at(physician, dose + timedelta(minutes=97))
    physician.get_by_label("Request to override").select_option("supplemental")
    physician.get_by_label("Reason").fill("Rechecked manually 150/95, patient calm; benefit")
    physician.get_by_role("button", name="Record the override").click()
    expect(physician.get_by_role("status")).to_contain_text("Physician override recorded")
    at(therapist, dose + timedelta(minutes=100))
    expect(supplemental).to_be_enabled(timeout=5000)
    supplemental.click()
    expect(therapist.get_by_role("status")).to_contain_text("Supplemental dose: allowed")

    # An adverse event the FDA found uncollected: a "positive" effect.
    at(therapist, dose + timedelta(hours=2, minutes=30))
    ae = therapist.locator("form.ae-form")
    ae.get_by_label("Category").select_option("positive_effect")
    ae.get_by_label("Term").fill("Euphoric mood")
    ae.get_by_label("Severity").select_option("mild")
    ae.get_by_label("Relatedness to MDMA").select_option("probable")
    ae.get_by_role("button", name="Record the adverse event").click()
    expect(therapist.get_by_role("status")).to_contain_text("Adverse event recorded")

    # Two normal readings clear the alert; discharge at 6 h is refused, at 8 h allowed.
    at(therapist, dose + timedelta(hours=5, minutes=50))
    vitals(therapist, 128, 80, 78, 36.9)
    at(therapist, dose + timedelta(hours=5, minutes=55))
    vitals(therapist, 126, 80, 76, 36.8)
    at(physician, dose + timedelta(hours=6))
    discharge(physician)
    expect(physician.get_by_role("status")).to_contain_text("Discharge: refused")
    expect(physician.get_by_role("status")).to_contain_text("discharge_too_early")
    at(physician, dose + timedelta(hours=8))
    discharge(physician)
    expect(physician.get_by_role("status")).to_contain_text("Discharge: allowed")
    expect(physician.locator("#session-closed")).to_be_visible()
    expect(therapist.locator("#session-closed")).to_be_visible(timeout=5000)

    # The printable record for the chart.
    physician.get_by_role("link", name="Session record").click()
    expect(physician.locator("#record-title")).to_contain_text(PATIENT)
    expect(physician.locator("#record-vitals tbody tr")).to_have_count(4)
    expect(physician.locator("#record-aes")).to_contain_text("Euphoric mood")
    expect(physician.locator("main")).to_contain_text("lifted by physician override")
    expect(physician.locator("#vitals-chart canvas").first).to_be_attached()
