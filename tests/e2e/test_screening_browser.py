"""A physician screens a patient in the browser, signs the verdict, and only then can the first
dosing session be scheduled (issue 3, "Done when")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser


@pytest.fixture
def enrolled_and_consented(demo_app: RunningApp, api_token: str) -> int:
    """A new patient, enrolled 24 days ago (dosing session 1 planned in a week), who has signed
    the site's current consent form: everything but the screening."""
    today = datetime.now(UTC).date()
    with httpx.Client(
        base_url=demo_app.base_url, headers={"Authorization": f"Bearer {api_token}"}
    ) as api:
        me = api.get("/api/me").json()
        site_id = int(next(iter(me["roles"])))
        patient = api.post(
            "/api/patients",
            json={
                "site_id": site_id,
                "study_id": "SCR-0001",
                "name": "Sasha Lindgren",
                "date_of_birth": "1980-04-02",
                "sex": "male",
            },
        )
        assert patient.status_code == 201, patient.text
        pid = int(patient.json()["id"])
        enrolled = api.post(
            f"/api/patients/{pid}/enrolments",
            json={"protocol": "mapp_v1", "enrolled_on": (today - timedelta(days=24)).isoformat()},
        )
        assert enrolled.status_code == 201, enrolled.text
        document = api.get(f"/api/sites/{site_id}/consent-documents").json()[-1]
        signed = api.post(
            f"/api/patients/{pid}/consents",
            json={
                "document_id": document["id"],
                "signed_name": "Sasha Lindgren",
                "witness_id": me["id"],
            },
        )
        assert signed.status_code == 201, signed.text
    return pid


def move_first_dosing_session(page: Page, to: str) -> None:
    es1 = page.locator('li.visit[data-code="es1"]')
    es1.get_by_text("Record or move").click()
    es1.get_by_label("Move to").fill(to)
    es1.get_by_label("Reason").fill("clinic availability")
    es1.get_by_role("button", name="Move and re-plan").click()


def test_a_physician_screens_signs_and_only_then_schedules_the_first_dosing_session(
    page: Page, demo_app: RunningApp, enrolled_and_consented: int
) -> None:
    pid = enrolled_and_consented
    new_date = (datetime.now(UTC).date() + timedelta(days=8)).isoformat()
    sign_in(page, demo_app, "dr.ng")
    page.goto(f"{demo_app.base_url}/patients/{pid}")
    card = page.locator("#screening-card")
    expect(card).to_contain_text("not screened")
    expect(card.locator("#first-dosing")).to_contain_text("no screening is recorded")

    # Before any screening, the first dosing session cannot be moved.
    move_first_dosing_session(page, new_date)
    expect(page.get_by_role("alert")).to_contain_text("no screening is recorded")

    # Screen: the verdict updates live as the intake is typed; nothing is stored until saved.
    # The chart's cards load after the page (htmx, on load) and move what is below them: wait
    # for them, or the press can land where the link was a moment before.
    page.wait_for_load_state("networkidle")
    page.locator("#screening-card").get_by_role("link", name="Screen", exact=True).click()
    expect(page.get_by_label("Age (years)")).to_have_value("46")
    for label, value in {
        "Systolic (mmHg)": "126",
        "Diastolic (mmHg)": "80",
        "Heart rate (beats/min)": "70",
        "Temperature (°C)": "36.6",
        "QTc (ms)": "470",
        "CAPS-5 total (0–80)": "42",
        "Symptoms for (months)": "48",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    for label, value in {
        "Childbearing potential": "no",
        "Pregnant": "no",
        "Breastfeeding": "no",
        "Meets DSM-5 PTSD": "yes",
        "Suicide risk": "low",
    }.items():
        page.get_by_label(label, exact=True).select_option(value)
    live = page.locator("#live-verdict")
    expect(live.locator("[data-decision]")).to_have_attribute("data-decision", "ineligible")
    expect(live.locator('[data-criterion="qtc"]')).to_contain_text("470")
    page.get_by_label("QTc (ms)", exact=True).fill("421")
    page.get_by_label("QTc (ms)", exact=True).blur()
    expect(live.locator("[data-decision]")).to_have_attribute("data-decision", "eligible")
    page.get_by_role("button", name="Save screening").click()
    expect(page.get_by_role("status")).to_contain_text("Screening stored: eligible")

    # Stored but not signed: still refused, with the reason.
    page.get_by_role("link", name="Back to the chart").click()
    expect(page.locator("#first-dosing")).to_contain_text("not signed by a physician yet")
    move_first_dosing_session(page, new_date)
    expect(page.get_by_role("alert")).to_contain_text("not signed by a physician yet")

    # The physician signs the verdict as computed; now the session can be scheduled.
    page.locator("#screening-card").get_by_role("link", name="View and sign the verdict").click()
    page.get_by_role("button", name="Sign the verdict").click()
    expect(page.get_by_role("status")).to_contain_text("Signed: eligible")
    expect(page.locator("#first-dosing")).to_contain_text("cleared")
    move_first_dosing_session(page, new_date)
    expect(page.get_by_role("status")).to_contain_text("Dosing session 1 moved to")
