"""A physician records a laboratory panel and an ECG that turn a screening to needs_review, and
keeps the patient's allergies and medication list (issue 14, "Done when", items 3 and 6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in
from support.server import RunningApp, api_client

pytestmark = pytest.mark.browser


def patient_id(app: RunningApp, study_id: str) -> int:
    with api_client(app, "dr.ng", "browser") as api:
        found = api.get("/api/patients", params={"q": study_id}).json()
    return int(next(p["id"] for p in found if p["study_id"] == study_id))


def test_a_lab_panel_and_ecg_turn_a_screening_to_review_and_the_chart_keeps_the_work_up(
    page: Page, own_demo_app: RunningApp
) -> None:
    app = own_demo_app
    pid = patient_id(app, "DEMO-010")  # female, screened eligible and signed in the demo
    sign_in(page, app, "dr.ng")

    # Re-screen: the form starts from the last intake (its panel and tracing included).
    page.goto(f"{app.base_url}/patients/{pid}/screening/new")
    live = page.locator("#live-verdict")
    expect(live.locator("[data-decision]")).to_have_attribute("data-decision", "eligible")
    page.get_by_label("ALT (U/L)", exact=True).fill("88")
    page.get_by_label("QT (ms)", exact=True).fill("420")
    page.get_by_label("ECG heart rate (beats/min)", exact=True).fill("75")
    page.get_by_label("QT correction", exact=True).select_option("fridericia")
    page.get_by_label("QT correction", exact=True).blur()
    expect(live.locator("[data-decision]")).to_have_attribute("data-decision", "needs_review")
    # the site-default ALT range 7–33 U/L (ADR 0143: unverified, attributed to Kratz et al. 2004)
    expect(live.locator('[data-criterion="lab_alt"]')).to_contain_text(
        "ALT 88 U/L is above the reference range 7–33 U/L"
    )
    # RR = 60 000 / 75 = 800 ms; Fridericia 420 / 0.8^(1/3) = 420 / 0.9283 = 452 ms (≤ 460 ms)
    expect(live.locator('[data-criterion="qtc"]')).to_contain_text("QTc 452 ms (Fridericia")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_role("status")).to_contain_text("Screening stored: needs_review")

    # Allergies and the medication list, kept on the chart.
    page.goto(f"{app.base_url}/patients/{pid}/workup")
    expect(page.locator("#allergy-list")).to_contain_text("not recorded")
    page.get_by_label("Allergic to").fill("penicillin")
    page.get_by_label("Reaction").fill("rash")
    page.get_by_role("button", name="Record allergy").click()
    expect(page.get_by_role("status")).to_contain_text("Allergy recorded: penicillin")
    page.get_by_label("Medication", exact=True).fill("sertraline")
    page.get_by_label("Dose").fill("50 mg daily")
    page.get_by_label("Started on").fill("2026-01-05")
    page.get_by_label("Stopped on (optional)").fill("2026-02-01")
    page.get_by_role("button", name="Add medication").click()
    expect(page.get_by_role("status")).to_contain_text("Medication added: sertraline")
    page.get_by_label("Medication", exact=True).fill("Zoloft")
    page.get_by_label("Started on").fill("2026-03-01")
    page.get_by_role("button", name="Add medication").click()
    expect(page.locator("#medication-restarts")).to_contain_text("restarted on 2026-03-01")

    page.get_by_role("link", name="Back to the chart").click()
    card = page.locator("#workup-card")
    expect(card.locator("#allergy-list")).to_contain_text("penicillin")
    expect(card.locator("#current-medications")).to_contain_text("Zoloft")
    expect(card.locator("#medication-restarts")).to_contain_text("sertraline")
