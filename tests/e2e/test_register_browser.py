"""The register in the browser (issue 15, "done when"): the pharmacist receives stock and
dispenses it to a session, the therapist gives the dose from the console out of that dispensing,
the pharmacist wastes the remainder with a witness who signs with their own password, reconciles
the session and counts the kit with no difference; the printable report shows it all."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser

# Enrolled long ago, no session yet; its open PHQ-9 item-9 alert holds the initial dose until the
# physician acknowledges it (demo/instruments.py), as in test_session_browser.py.
PATIENT = "DEMO-009"
KIT = "E2E-K-1"


def _page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(timezone_id="UTC")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def pharmacist(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


@pytest.fixture
def therapist(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


@pytest.fixture
def physician(browser: Browser) -> Iterator[Page]:
    yield from _page(browser)


def _start_session(therapist: Page, physician: Page, app: RunningApp) -> str:
    """DEMO-009's first dosing session, started 10 min ago, ready for its initial dose now:
    the day's C-SSRS, the checklist, distress and vitals, its safety alert acknowledged."""
    started = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    sign_in(therapist, app, "t.okafor")
    therapist.goto(f"{app.base_url}/patients")
    therapist.get_by_label("Search by study ID or name").fill(PATIENT)
    therapist.get_by_role("link", name=PATIENT).click()
    chart = therapist.url
    card = therapist.locator("#chart-sessions")
    card.get_by_text("Start the session").first.click()
    start = card.locator("form.session-start").first
    start.get_by_label("Started at (blank = now)").fill(started.strftime("%Y-%m-%dT%H:%M"))
    start.get_by_label("No", exact=True).check()
    start.get_by_role("button", name="Start the dosing session").click()
    expect(therapist.locator("#console-title")).to_contain_text("Dosing session 1")
    console = therapist.url

    sign_in(physician, app, "dr.ng")
    physician.goto(f"{chart}/measures/cssrs-screen/new")
    physician.get_by_label("Administered on").fill(started.date().isoformat())
    for item in ("1", "2", "3", "4", "5", "6", "6b"):
        physician.get_by_label(f"Item {item}", exact=True).select_option("no")
    physician.get_by_role("button", name="Record", exact=False).first.click()
    expect(physician.get_by_role("status")).to_be_visible()
    physician.goto(f"{app.base_url}/alerts")
    queued = physician.locator(".alert-queue li", has_text=PATIENT)
    queued.get_by_label("Action taken").fill("Saw the patient this morning: no plan or intent")
    queued.get_by_role("button", name="Acknowledge").click()
    expect(physician.get_by_role("status")).to_contain_text("Alert acknowledged")
    physician.goto(console)
    physician.get_by_label("Hours fasted").fill("11")
    physician.get_by_label("Providers present").fill("2")
    physician.get_by_role("button", name="Confirm the pre-dose checklist").click()
    expect(physician.get_by_role("status")).to_contain_text("Pre-dose checklist recorded")
    return console


def _posted(page: Page, notice: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(notice)


def test_receive_dispense_administer_waste_and_reconcile_to_zero(
    pharmacist: Page, therapist: Page, physician: Page, own_demo_app: RunningApp
) -> None:
    app = own_demo_app  # its own clinic: it acknowledges DEMO-009's alert and moves the stock
    console = _start_session(therapist, physician, app)

    # The pharmacist receives a kit of 10 capsules.
    sign_in(pharmacist, app, "p.lindqvist")
    pharmacist.goto(f"{app.base_url}/register")
    receive = pharmacist.locator("#receive")
    receive.get_by_label("Kit number").fill(KIT)
    receive.get_by_label("Supplier").fill("Lipomed AG")
    receive.get_by_label("Lot").fill("L-E2E-1")
    receive.get_by_label("Expiry (last day of use)").fill(
        (datetime.now(UTC).date() + timedelta(days=200)).isoformat()
    )
    receive.get_by_label("Form").select_option("capsule")
    receive.get_by_label("Strength (as labelled)").fill("80 mg MDMA HCl")
    receive.get_by_label("Contents").select_option("active")
    receive.get_by_label("Location").fill("Safe 2")
    receive.get_by_label("Quantity").fill("10")
    receive.get_by_label("Unit").select_option("unit")
    receive.get_by_role("button", name="Receive").click()
    _posted(pharmacist, f"Kit {KIT} received.")
    row = pharmacist.locator("#stock tr", has_text=KIT)
    container = (row.get_attribute("id") or "").removeprefix("kit-")
    expect(row).to_contain_text("10 unit")

    # ... and dispenses 2 capsules to today's session of DEMO-009.
    option = pharmacist.locator("#d-session option", has_text=PATIENT)
    dispense = pharmacist.locator("#dispense")
    dispense.get_by_label("Container ID").fill(container)
    dispense.get_by_label("Dosing session").select_option(option.get_attribute("value"))
    dispense.get_by_label("Quantity").fill("2")
    dispense.get_by_label("Unit").select_option("unit")
    dispense.get_by_role("button", name="Dispense").click()
    _posted(pharmacist, "recorded.")
    today = pharmacist.locator("#today tr", has_text=PATIENT).first
    expect(today).to_contain_text("in progress")
    expect(row).to_contain_text("8 unit")  # 10 received - 2 dispensed

    # The therapist records vitals and gives the initial dose from the console: the kit selector
    # offers the dispensing by kit number (blinded: no lot), one capsule taken.
    therapist.goto(console)
    form = therapist.locator("form.vitals-form")
    form.get_by_label("Systolic (mmHg)").fill("122")
    form.get_by_label("Diastolic (mmHg)").fill("78")
    form.get_by_label("Heart rate (/min)").fill("70")
    form.get_by_label("Temperature (°C)").fill("36.8")
    form.get_by_role("button", name="Record vital signs").click()
    _posted(therapist, "Vital signs recorded")
    therapist.locator("#suds-form").get_by_label("SUDS").fill("30")
    therapist.get_by_role("button", name="Record distress").click()
    _posted(therapist, "Distress (SUDS) recorded")
    kit = therapist.locator("#dose-kit-select-initial")
    expect(kit).to_contain_text(f"kit {KIT}")
    expect(kit).not_to_contain_text("L-E2E-1")
    initial = therapist.get_by_role("button", name="Give initial dose (80 mg)")
    expect(initial).to_be_enabled(timeout=5000)
    initial.click()
    _posted(therapist, "Initial dose: allowed")
    log = therapist.locator("#live .session-log")
    expect(log).to_contain_text(f"80 mg · kit {KIT} (1 unit")

    # The pharmacist wastes the remaining capsule; Dr Ng witnesses with their own password.
    pharmacist.goto(f"{app.base_url}/register")
    today = pharmacist.locator("#today tr", has_text=PATIENT).first
    expect(today).to_contain_text("1")  # still held
    waste = pharmacist.locator("form.inline-waste", has_text=f"kit {KIT}")
    expect(waste.get_by_label("Quantity to waste")).to_have_value("1")
    waste.get_by_label("Reason").fill("supplemental dose not needed")
    waste.get_by_label("Witness username").fill("p.lindqvist")  # herself: refused
    waste.get_by_label("Witness password").fill(DEMO_PASSWORD)
    waste.get_by_role("button", name="Waste, witnessed").click()
    expect(pharmacist.get_by_role("alert")).to_contain_text("witness")
    waste = pharmacist.locator("form.inline-waste", has_text=f"kit {KIT}")
    waste.get_by_label("Reason").fill("supplemental dose not needed")
    waste.get_by_label("Witness username").fill("dr.ng")
    waste.get_by_label("Witness password").fill(DEMO_PASSWORD)
    waste.get_by_role("button", name="Waste, witnessed").click()
    _posted(pharmacist, "recorded, witnessed.")

    # Reconciled: 2 dispensed = 1 administered + 0 returned + 1 wasted.
    pharmacist.get_by_role("button", name=f"Reconcile session 1 of {PATIENT}").click()
    _posted(pharmacist, "2 dispensed = 1 administered + 0 returned + 1 wasted.")
    expect(pharmacist.locator("#today tr", has_text=PATIENT).first).to_contain_text("reconciled")

    # The count agrees with the books: 10 - 2 = 8 on the shelf, zero difference.
    count = pharmacist.locator("#count")
    count.get_by_label("Container ID").fill(container)
    count.get_by_label("Found").fill("8")
    count.get_by_role("button", name="Record count").click()
    _posted(pharmacist, "agrees with the books (8)")

    # The printable report: opening 0, the four entries, closing 8, who did what.
    pharmacist.get_by_role("button", name="Printable report").click()
    expect(pharmacist.locator("#report-title")).to_contain_text("Controlled-substance register")
    section = pharmacist.locator("section.kit", has_text=f"Kit {KIT}")
    for kind in ("receive", "dispense", "administer", "waste"):
        expect(section.locator(f"tr.movement-{kind}")).to_have_count(1)
    expect(section.locator("tr.closing")).to_contain_text("8 unit")
    expect(section.locator("tr.movement-waste")).to_contain_text("witness dr.ng")
