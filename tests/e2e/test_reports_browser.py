"""The reports in the browser (issue 17, "done when"): each report opens for the demo clinic and
shows every section; a serious adverse event's clocks show on the dashboard until its CIOMS
report is marked submitted; the PDF is a PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from e2e.axe import serious_violations
from support.browser import sign_in
from support.server import RunningApp, api_client

pytestmark = pytest.mark.browser

TODAY = datetime.now(UTC).date()
PERIOD = f"start={(TODAY - timedelta(days=365)).isoformat()}&end={TODAY.isoformat()}"
SERIOUS = {
    "term": "Chest pain or tightness",
    "category": "cardiovascular",
    "severity": "severe",
    "serious": True,
    "relatedness": "possible",
    "outcome": "resolving",
}
# Every section of each report, by the id or class the documents give them.
SECTIONS = {
    "authorised-prescriber": (
        "#ap-summary", "#ap-patients", "#ap-adverse-events", "#ap-deviations",
        "#ap-withdrawals", "#ap-declaration",
    ),
    "session-monitoring": (
        ".monitoring-form .mf-patient", ".monitoring-form .mf-doses",
        ".monitoring-form .mf-monitoring", ".monitoring-form .mf-vitals",
        ".monitoring-form .mf-adverse-events", ".monitoring-form .mf-discharge",
    ),
    "expedited-safety": (
        ".cioms .cioms-clocks", ".cioms .cioms-reaction", ".cioms .cioms-suspect-drug",
        ".cioms .cioms-concomitant", ".cioms .cioms-reporter",
    ),
    "annual-progress": (
        "#pr-recruitment", "#pr-treatment", "#pr-safety", "#pr-deviations", "#pr-studies",
        "#pr-declaration",
    ),
}  # fmt: skip


def _serious_event(app: RunningApp) -> None:
    """The therapist charts a serious event in DEMO-005's session in progress (demo/sessions.py)."""
    with api_client(app, "t.alvarez", "reports e2e") as therapist:
        patient = therapist.get("/api/patients", params={"q": "DEMO-005"}).json()[0]
        sessions = therapist.get(f"/api/patients/{patient['id']}/sessions").json()
        running = next(s for s in sessions if s["status"] == "open")
        charted = therapist.post(
            f"/api/sessions/{running['id']}/entries",
            json={"kind": "adverse_event", "data": SERIOUS},
        )
        assert charted.status_code == 201, charted.text


def test_each_report_opens_with_every_section(own_demo_app: RunningApp, page: Page) -> None:
    _serious_event(own_demo_app)
    sign_in(page, own_demo_app, "c.mensah")
    clocks = page.locator("#dashboard-safety-reports .safety-clock")
    expect(clocks).to_have_count(1)
    expect(clocks).to_contain_text("Chest pain or tightness")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports for regulators")).to_be_visible()
    assert serious_violations(page) == []
    for name, sections in SECTIONS.items():
        page.goto(f"{own_demo_app.base_url}/reports/{name}?{PERIOD}")
        expect(page.locator("#report-generated")).to_contain_text("Ama Mensah (c.mensah)")
        for section in sections:
            expect(page.locator(section).first).to_be_visible()
        assert serious_violations(page) == [], name
    # the coordinator is blind to what a kit holds (ADR 0110): the demo's doses came from the
    # active kit DEMO-K-001, lot L-2611-A (demo/register.py)
    page.goto(f"{own_demo_app.base_url}/reports/session-monitoring?{PERIOD}")
    doses = page.locator(".mf-doses").first
    expect(doses).to_contain_text("DEMO-K-001")
    expect(doses).to_contain_text("withheld (blinded)")
    expect(page.locator("body")).not_to_contain_text("L-2611-A")
    # the CIOMS form of the event above: mark it submitted, and its clocks leave the dashboard
    page.goto(f"{own_demo_app.base_url}/reports/expedited-safety?{PERIOD}")
    form = page.locator(".cioms form").first
    form.get_by_label("Submitted on").fill(TODAY.isoformat())
    form.get_by_label("To").fill("TGA")
    form.get_by_label("Reference").fill("AER-E2E-1")
    form.get_by_role("button", name="Mark submitted").click()
    expect(page.locator(".cioms-submitted").first).to_contain_text("AER-E2E-1")
    page.goto(own_demo_app.base_url + "/")
    expect(clocks).to_have_count(0)
    pdf = page.request.get(f"{own_demo_app.base_url}/reports/annual-progress/pdf?{PERIOD}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_a_therapist_is_not_offered_the_reports(demo_app: RunningApp, page: Page) -> None:
    sign_in(page, demo_app, "t.okafor")
    expect(page.get_by_role("link", name="Reports", exact=True)).to_have_count(0)
    expect(page.locator("#dashboard-safety-reports")).to_have_count(0)
