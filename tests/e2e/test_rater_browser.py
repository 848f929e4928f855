"""The blinded rater in Chromium: from signing in, through their own list, to a stored CAPS-5
rating, without meeting a page that refuses them (issue 14, "Done when")."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.server import RunningApp

pytestmark = pytest.mark.browser

CAPS5 = [2] * 20  # 20 items rated 0-4; total 40 (CAPS-5 scoring: the sum of items 1-20)


def test_a_rater_signs_in_opens_their_list_and_records_a_caps5(
    page: Page, own_demo_app: RunningApp
) -> None:
    page.goto(f"{own_demo_app.base_url}/login")
    page.get_by_label("Username").fill("r.blind")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Dashboard", "My ratings"])
    nav.get_by_role("link", name="My ratings").click()
    expect(page.get_by_role("heading", name="My ratings")).to_be_visible()
    rows = page.locator("#ratings-table tbody tr")
    first = rows.first
    study_id = first.get_attribute("data-patient")
    assert study_id
    before = rows.count()
    first.get_by_role("link", name="Rate CAPS-5").click()
    expect(page.get_by_role("heading", name="CAPS-5")).to_contain_text(study_id)
    expect(page.get_by_role("link", name="← My ratings")).to_be_visible()
    for number, rating in enumerate(CAPS5, start=1):
        page.locator(f"#item-{number}").fill(str(rating))
    page.get_by_role("button", name="Record CAPS-5").click()
    expect(page.get_by_role("heading", name="My ratings")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("CAPS-5 recorded: total 40")
    expect(page.locator(f'#ratings-table tr[data-patient="{study_id}"]')).to_have_count(0)
    expect(rows).to_have_count(before - 1)
