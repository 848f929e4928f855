"""Session notes and check-ins in Chromium (issue 14, items 2, 4-5): a therapist opens the daily
clinic worklist (today's booked visits with room and staff), completes a day-2 check-in from it,
and writes and signs an integration note, which then takes an addendum instead of an edit."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in
from support.server import RunningApp, api_client

pytestmark = pytest.mark.browser

# Enrolled long ago with no demo session; the API opens its first dosing session two days ago.
PATIENT = "DEMO-009"


def _session_two_days_ago(app: RunningApp) -> None:
    with api_client(app, "t.okafor") as api:
        found = api.get("/api/patients", params={"q": PATIENT}).json()
        chart = api.get(f"/api/patients/{found[0]['id']}").json()
        es1 = next(v for v in chart["enrolments"][-1]["visits"] if v["code"] == "es1")
        # 09:00 UTC two days ago: in the past whatever the time now, and on day -2 in UTC (the
        # demo site's zone)
        started = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(9), UTC)
        response = api.post(
            f"/api/visits/{es1['id']}/session",
            json={"started_at": started.isoformat(), "childbearing_potential": False},
        )
        assert response.status_code == 201, response.text


def test_a_day_two_check_in_from_the_worklist_and_a_signed_integration_note(
    page: Page, own_demo_app: RunningApp
) -> None:
    app = own_demo_app
    _session_two_days_ago(app)
    sign_in(page, app, "t.okafor")

    # The daily worklist: today's dosing session (booked by the demo, demo/worklist.py) with its
    # room and staff, then the check-ins: day 1 was missed, day 2 is due today.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Worklist").click()
    expect(page.get_by_role("heading", name="Clinic worklist")).to_be_visible()
    dosing = page.locator('#worklist-table tr[data-patient="DEMO-004"]')
    expect(dosing).to_contain_text("08:00–16:00")  # 8-hour sessions [S4][S12], from 08:00
    expect(dosing).to_contain_text("Dosing suite 1")
    expect(dosing).to_contain_text("Sam Alvarez, Chidi Okafor, Dr Morgan Ng")
    worklist = page.locator("#check-ins-due")
    expect(worklist.locator(f'tr[data-patient="{PATIENT}"][data-day="1"]')).to_contain_text(
        "missed"
    )
    worklist.get_by_role("link", name=f"Record check-in for {PATIENT}, day 2").click()
    expect(page.get_by_role("heading", name="Check-in after dosing")).to_be_visible()
    page.get_by_label("Mode").select_option("phone")
    page.get_by_label("Distress (SUDS").fill("25")
    page.get_by_label("Sleep last night (hours)").fill("6.5")
    page.get_by_role("button", name="Record the check-in").click()
    expect(page.get_by_role("status")).to_contain_text("Day-2 check-in recorded")
    row = page.locator('#check-ins-table tr[data-session="1"][data-day="2"]')
    expect(row).to_contain_text("done")
    expect(row).to_contain_text("SUDS 25")

    # The integration note of the day after the session: written, signed, locked.
    page.locator("#therapy").get_by_role("link", name="Write note Integration 1.1").click()
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_label("Sam Alvarez").check()  # the co-therapist; the signer is ticked already
    page.get_by_label("Themes").fill("Relief; grief for a colleague; feeling of closeness")
    page.get_by_label("Risks noticed").fill("None noticed")
    page.get_by_label("Plan").fill("Weekly integration; journal the images from the session")
    page.get_by_role("button", name="Sign and lock the note").click()
    expect(page.get_by_role("status")).to_contain_text("Note signed and locked")
    page.locator("#therapy").get_by_role("link", name="Open note Integration 1.1").click()
    expect(page.get_by_text("signed and locked")).to_be_visible()
    expect(page.locator("#note-body")).to_contain_text("Chidi Okafor")
    expect(page.locator("#note-body")).to_contain_text("Sam Alvarez")
    expect(page.get_by_role("button", name="Sign and lock the note")).to_have_count(0)

    # A correction is an addendum with its reason; the note stays as signed.
    page.get_by_text("Add an addendum").click()
    page.get_by_label("Reason for the addendum").fill("Duration mistyped")
    page.get_by_label("Addendum", exact=True).fill("The session lasted 100 minutes.")
    page.get_by_role("button", name="Sign the addendum").click()
    expect(page.get_by_role("status")).to_contain_text("Addendum signed")
    expect(page.locator("#addenda")).to_contain_text("Duration mistyped")
    expect(page.locator("#note-body")).to_contain_text("90 minutes")
