"""The coordinator randomises a participant on the study page in the browser; neither the
coordinator's page nor the rater sees the arm (issue 16, Done-when, the parts of items 1-2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in
from support.server import RunningApp, container_of
from support.trial_seed import set_up_study

pytestmark = pytest.mark.browser


def test_the_coordinator_randomises_and_no_blinded_view_shows_the_arm(
    own_demo_app: RunningApp, page: Page
) -> None:
    with container_of(own_demo_app) as container:  # the server's own secret (ADR 0160)
        study_id, patient_id = set_up_study(container)
    sign_in(page, own_demo_app, "c.mensah")
    page.get_by_role("link", name="Studies").click()
    page.get_by_role("link", name="DEMO-RCT").click()
    row = page.locator(f"#participant-{patient_id}")
    row.get_by_role("button", name="Randomise").click()
    expect(page.get_by_role("status")).to_have_text("Randomised: allocation number 1.")
    expect(row).to_contain_text("No. 1")
    participants = page.locator("#participants").inner_text()
    for revealing in ("mdma", "placebo", "MDMA-AT", "Arm"):
        assert revealing not in participants

    page.context.clear_cookies()
    sign_in(page, own_demo_app, "r.blind")
    response = page.goto(f"{own_demo_app.base_url}/studies/{study_id}")
    assert response is not None and response.status == 403
    assert "placebo" not in page.content().lower()
