"""The coordinator randomises a participant in Chromium; signed in as the blinded rater, that
participant's pages reveal nothing of the arm or the kits (issue 16, Done-when; ADR 0165)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from support.blind_study import set_up_blinded_study, without_guess_forms
from support.browser import sign_in
from support.server import RunningApp, container_of

pytestmark = pytest.mark.browser


def test_the_rater_sees_nothing_of_the_arm_or_kit_of_a_participant_just_randomised(
    own_demo_app: RunningApp, page: Page
) -> None:
    with container_of(own_demo_app) as container:  # the server's own secret (ADR 0160)
        study = set_up_blinded_study(container)
    patient_id = study.patient_ids[0]

    sign_in(page, own_demo_app, "c.mensah")
    page.get_by_role("link", name="Studies").click()
    page.get_by_role("link", name="BLIND-1").click()
    row = page.locator(f"#participant-{patient_id}")
    row.get_by_role("button", name="Randomise").click()
    expect(page.get_by_role("status")).to_have_text("Randomised: allocation number 1.")
    expect(row).to_contain_text("No. 1")

    page.context.clear_cookies()
    sign_in(page, own_demo_app, "r.blind")
    base = own_demo_app.base_url
    rating = f"{base}/patients/{patient_id}/measures/caps5/new"
    shown = []
    for url in (
        f"{base}/ratings",
        rating,
        f"{base}/patients/{patient_id}",
        f"{base}/patients/{patient_id}/measures",
        f"{base}/patients/{patient_id}/sessions",
        f"{base}/studies/{study.study_id}",
        f"{base}/register",
        f"{base}/api/studies/{study.study_id}",
    ):
        response = page.goto(url)
        assert response is not None
        shown.append((url, response.status, without_guess_forms(page.content())))
    # the rating page is the rater's own work on this participant: it opens, and shows them
    assert [status for url, status, _ in shown if url == rating] == [200]
    for url, _, html in shown:
        for value in (*study.arm_values, *study.kit_values):
            assert value.lower() not in html.lower(), f"{url} shows {value!r}"
        for heading in ("Arm", "Contents", "Lot"):
            assert not re.search(rf">\s*{heading}\s*<", html), f"{url} has a {heading} column"
