"""A whole dosing session in two browsers: the therapist and the physician, side by side.

The day's C-SSRS from the record and an open safety alert that holds the initial dose until the
physician acknowledges it in the safety loop (issue 9, item 6); a critical alert that no override
lifts, and an acknowledgement that stops the paging but not the alert (items 1-2); an adverse
event; discharge refused at 6 h, refused with stale vitals after 8 h, and allowed after a fresh
reading near the pre-dose baseline (item 4). The session starts 9 h in the past and every entry
carries its entered time, as when charting from a paper sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser

# Enrolled long ago; the demo records no session for it, and leaves its PHQ-9 item-9 safety
# alert open (demo/instruments.py).
PATIENT = "DEMO-009"


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


def at(page: Page, t: datetime) -> None:
    """Set the console's time of the entries (the browser runs in UTC)."""
    field = page.locator("#entry-time")
    field.fill(t.strftime("%Y-%m-%dT%H:%M:%S"))
    field.dispatch_event("change")


def vitals(page: Page, sbp: int, dbp: int, hr: int, temp: float) -> None:
    form = page.locator("form.vitals-form")
    form.get_by_label("SpO2 (%)").fill("98")
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


def suds(page: Page, value: int) -> None:
    page.locator("#suds-form").get_by_label("SUDS").fill(str(value))
    page.get_by_role("button", name="Record distress").click()
    expect(page.get_by_role("status")).to_contain_text("Distress (SUDS) recorded")


def test_a_whole_session_from_first_vitals_to_discharge(
    therapist: Page, physician: Page, own_demo_app: RunningApp
) -> None:
    # Its own clinic: the session acknowledges DEMO-009's safety alert, which other tests read.
    demo_app = own_demo_app
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=9)
    dose = t0 + timedelta(minutes=15)

    # The therapist starts the first dosing session from the chart, 9 h ago.
    sign_in(therapist, demo_app, "t.okafor")
    therapist.goto(f"{demo_app.base_url}/patients")
    therapist.get_by_label("Search by study ID or name").fill(PATIENT)
    therapist.get_by_role("link", name=PATIENT).click()
    chart = therapist.url
    card = therapist.locator("#chart-sessions")
    card.get_by_text("Start the session").first.click()
    start = card.locator("form.session-start").first
    start.get_by_label("Started at (blank = now)").fill(t0.strftime("%Y-%m-%dT%H:%M"))
    start.get_by_label("No", exact=True).check()
    start.get_by_role("button", name="Start the dosing session").click()
    expect(therapist.locator("#console-title")).to_contain_text("Dosing session 1")
    console = therapist.url

    # The day's C-SSRS screener is an administration in the record (issue 9, item 6).
    sign_in(physician, demo_app, "dr.ng")
    physician.goto(f"{chart}/measures/cssrs-screen/new")
    physician.get_by_label("Administered on").fill(t0.date().isoformat())
    for item in ("1", "2", "3", "4", "5", "6", "6b"):
        physician.get_by_label(f"Item {item}", exact=True).select_option("no")
    physician.get_by_role("button", name=re.compile("^Record")).click()
    expect(physician.get_by_role("status")).to_be_visible()

    # The physician opens the same console and confirms the facts of the day.
    physician.goto(console)
    at(physician, t0 + timedelta(minutes=5))
    # Consent, the signed eligible screening and the washout come from the demo's records.
    expect(physician.locator("#records-gate")).to_contain_text("Consent current")
    expect(physician.locator("#records-cssrs")).to_contain_text(
        "C-SSRS today, from the record: none"
    )
    physician.get_by_label("Hours fasted").fill("11")
    physician.get_by_label("Providers present").fill("2")
    physician.get_by_role("button", name="Confirm the pre-dose checklist").click()
    expect(physician.get_by_role("status")).to_contain_text("Pre-dose checklist recorded")

    # Pre-dose distress and vitals; the physician's console shows them without reloading.
    at(therapist, t0 + timedelta(minutes=9))
    suds(therapist, 30)
    at(therapist, t0 + timedelta(minutes=10))
    vitals(therapist, 122, 78, 70, 36.8)
    expect(physician.locator("#live .session-log")).to_contain_text("BP 122/78 mmHg", timeout=5000)

    # The patient's open PHQ-9 item-9 alert holds the initial dose, override or not, until the
    # physician acknowledges it in the safety loop.
    at(therapist, dose)
    initial = therapist.get_by_role("button", name="Give initial dose (80 mg)")
    expect(initial).to_be_disabled()
    expect(therapist.locator("#why-initial")).to_contain_text("safety_alert_open")
    physician.goto(f"{demo_app.base_url}/alerts")
    queued = physician.locator(".alert-queue li", has_text=PATIENT)
    queued.get_by_label("Action taken").fill("Saw the patient this morning: no plan or intent")
    queued.get_by_role("button", name="Acknowledge").click()
    expect(physician.get_by_role("status")).to_contain_text("Alert acknowledged")
    physician.goto(console)
    expect(initial).to_be_enabled(timeout=5000)
    initial.click()
    expect(therapist.get_by_role("status")).to_contain_text("Initial dose: allowed")

    # 1 h 30 min after the dose: a critical blood pressure. No notifier is configured on this
    # server, so the console says plainly that nobody was paged (issue 13, item 3).
    at(therapist, dose + timedelta(minutes=90))
    vitals(therapist, 184, 112, 132, 37.6)
    alerts = therapist.locator("#active-alerts")
    expect(alerts).to_contain_text("systolic high · critical")
    expect(alerts).to_contain_text("hard stop")
    at(physician, dose + timedelta(minutes=91))
    expect(physician.locator("#paging")).to_contain_text("Nobody has been paged", timeout=5000)

    # The physician acknowledges: the paging stops, the alert does not. The button is the same
    # element after a poll lands (ADR 0069): a press that straddles a poll is not lost.
    acknowledge = physician.get_by_role(
        "button", name="Acknowledge alerts: stop paging (physician)"
    )
    before_poll = acknowledge.element_handle()
    physician.evaluate(
        "() => new Promise(done => document.getElementById('live')"
        ".addEventListener('htmx:afterSwap', done, {once: true}))"
    )
    assert before_poll.evaluate("button => button.isConnected")
    acknowledge.click()
    expect(physician.get_by_role("status")).to_contain_text("Alerts acknowledged recorded")
    expect(physician.locator("#paging")).to_contain_text("paging stopped")
    expect(physician.locator("#active-alerts")).to_contain_text("systolic high · critical")

    # An override with a reason does not lift a critical alert: the button stays disabled.
    at(physician, dose + timedelta(minutes=92))
    physician.get_by_label("Request to override").select_option("supplemental")
    physician.get_by_label("Reason").fill("Rechecked manually 150/95, patient calm; benefit")
    physician.get_by_role("button", name="Record the override").click()
    expect(physician.get_by_role("status")).to_contain_text("Physician override recorded")
    at(therapist, dose + timedelta(minutes=95))
    supplemental = therapist.get_by_role("button", name="Give supplemental dose (40 mg)")
    expect(supplemental).to_be_disabled()
    critical = therapist.locator('#why-supplemental li[data-code="critical_alert_active"]')
    expect(critical).to_have_attribute("data-liftable", "never")

    # Two readings inside both caution limits clear the alert; the dose is then allowed.
    at(therapist, dose + timedelta(minutes=100))
    vitals(therapist, 150, 92, 104, 37.2)
    at(therapist, dose + timedelta(minutes=105))
    vitals(therapist, 148, 90, 100, 37.1)
    expect(therapist.locator("#active-alerts")).to_contain_text("No active alert")
    at(therapist, dose + timedelta(minutes=107))
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

    # Discharge at 6 h is refused: too early.
    at(therapist, dose + timedelta(hours=5, minutes=50))
    vitals(therapist, 128, 80, 78, 36.9)
    at(therapist, dose + timedelta(hours=5, minutes=55))
    vitals(therapist, 126, 80, 76, 36.8)
    at(physician, dose + timedelta(hours=6))
    discharge(physician)
    expect(physician.get_by_role("status")).to_contain_text("Discharge: refused")
    expect(physician.get_by_role("status")).to_contain_text("discharge_too_early")

    # After 8 h, with distress and the C-SSRS screener recorded, the last reading is stale.
    at(therapist, dose + timedelta(hours=8, minutes=20))
    suds(therapist, 10)
    at(physician, dose + timedelta(hours=8, minutes=22))
    physician.get_by_label("C-SSRS screener at discharge: risk").select_option("none")
    physician.get_by_role("button", name="Record the screener").click()
    expect(physician.get_by_role("status")).to_contain_text("C-SSRS screener recorded")
    at(physician, dose + timedelta(hours=8, minutes=25))
    expect(physician.locator("#discharge-checklist li.no").first).to_be_visible()
    discharge(physician)
    expect(physician.get_by_role("status")).to_contain_text("Discharge: refused")
    expect(physician.get_by_role("status")).to_contain_text("vitals_stale")

    # A fresh reading near the pre-dose baseline: discharge is allowed.
    at(therapist, dose + timedelta(hours=8, minutes=30))
    vitals(therapist, 124, 80, 74, 36.8)
    at(physician, dose + timedelta(hours=8, minutes=32))
    expect(physician.locator("#discharge-checklist li.no")).to_have_count(0, timeout=5000)
    discharge(physician)
    expect(physician.get_by_role("status")).to_contain_text("Discharge: allowed")
    expect(physician.locator("#session-closed")).to_be_visible()
    expect(therapist.locator("#session-closed")).to_be_visible(timeout=5000)

    # The printable record for the chart.
    physician.get_by_role("link", name="Session record").click()
    expect(physician.locator("#record-title")).to_contain_text(PATIENT)
    expect(physician.locator("#record-vitals tbody tr")).to_have_count(7)
    expect(physician.locator("#record-aes")).to_contain_text("Euphoric mood")
    expect(physician.locator("main")).to_contain_text("vitals_stale")
    expect(physician.locator("#vitals-chart canvas").first).to_be_attached()
