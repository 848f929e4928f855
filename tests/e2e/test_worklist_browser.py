"""The daily worklist and the booking form in Chromium (issue 14, item 2): a coordinator finds
today's booked dosing session on the worklist, then books a patient's next visit from the chart;
a booking with nobody on it is refused with the field named and nothing stored."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.test_workup_browser import patient_id
from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser

# The demo books each active patient's next visit of the coming week (demo/worklist.py);
# DEMO-009's primary endpoint is 10 days away, so it has no booking yet.
PATIENT = "DEMO-009"
VISIT = "Primary endpoint (18 weeks)"


def test_a_coordinator_reads_the_worklist_and_books_a_visit_from_the_chart(
    page: Page, own_demo_app: RunningApp
) -> None:
    app = own_demo_app
    pid = patient_id(app, PATIENT)
    sign_in(page, app, "c.mensah")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    dosing = page.locator('#worklist-table tr[data-patient="DEMO-004"]')
    expect(dosing).to_contain_text("Dosing session 1")
    expect(dosing.get_by_role("link", name="Change")).to_be_visible()  # she may book

    page.goto(f"{app.base_url}/patients/{pid}")
    page.get_by_role("link", name=f"Book a time for {VISIT}").click()
    expect(page.get_by_role("heading", name=f"Book {VISIT}")).to_be_visible()
    page.get_by_label("Room").select_option(label="Assessment room")
    page.get_by_role("button", name="Book").click()  # nobody ticked
    expect(page.locator("#error-summary")).to_contain_text("book at least one member of staff")
    expect(page.locator("#current-booking")).to_have_count(0)  # nothing stored

    page.get_by_label("Robin Blind").check()
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text(f"{VISIT} booked for")
    expect(page.locator('li.visit[data-code="primary"] .booking')).to_contain_text(
        "Assessment room"
    )
