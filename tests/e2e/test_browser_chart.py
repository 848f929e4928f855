"""A person's path through the pages, in headless Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser


def test_a_coordinator_signs_in_finds_a_patient_and_opens_the_chart(
    page: Page, demo_app: RunningApp
) -> None:
    sign_in(page, demo_app, "c.mensah")
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Search by study ID or name").fill("DEMO-007")
    expect(page.locator("#patient-rows tbody tr")).to_have_count(1)
    page.get_by_role("link", name="DEMO-007").click()
    expect(page.locator("#chart-title")).to_contain_text("DEMO-007")
    timeline = page.get_by_role("list", name="Visits in protocol order")
    expect(timeline.locator("li.visit")).to_have_count(22)
    expect(timeline.locator("li.visit.held").first).to_be_visible()


def test_an_overdue_visit_recorded_today_records_a_protocol_deviation(
    page: Page, own_demo_app: RunningApp
) -> None:
    # Its own clinic: recording the demo's only overdue visit changes what other tests read.
    sign_in(page, own_demo_app, "c.mensah")
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="DEMO-006").click()  # the demo leaves one visit overdue
    overdue = page.locator("li.visit", has=page.locator(".badge", has_text="overdue"))
    overdue.get_by_text("Record or move").click()
    overdue.get_by_label("Held on").fill("2020-01-01")
    overdue.get_by_role("button", name="Record as held").click()
    expect(page.get_by_role("alert")).to_contain_text("before enrolment")

    overdue = page.locator("li.visit", has=page.locator(".badge", has_text="overdue"))
    overdue.get_by_text("Record or move").click()
    overdue.get_by_label("Held on").fill(datetime.now(UTC).date().isoformat())
    overdue.get_by_role("button", name="Record as held").click()
    expect(page.get_by_role("status")).to_contain_text("Protocol deviation recorded")
    expect(page.get_by_role("heading", name="Protocol deviations")).to_be_visible()
