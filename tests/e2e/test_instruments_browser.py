"""Measurement-based care in Chromium: a patient's self-report link, the chart's trajectory,
and the safety loop from a PHQ-9 answer to a physician's acknowledgement."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from support.browser import sign_in
from support.server import RunningApp

pytestmark = pytest.mark.browser

# PCL-5 ratings in item order (0 "Not at all" ... 4 "Extremely")
PCL5 = [3, 3, 2, 1, 0, 3, 2, 2, 1, 2, 3, 0, 1, 2, 3, 2, 1, 0, 2, 1]
PCL5_TOTAL = sum(PCL5)  # 34
PCL5_LABELS = ["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"]
PHQ_LABELS = ["Not at all", "Several days", "More than half the days", "Nearly every day"]


@pytest.fixture
def patient_page(browser: Browser) -> Iterator[Page]:
    """The patient's own phone: a separate context with no staff session."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        yield context.new_page()
    finally:
        context.close()


def open_chart(page: Page, study_id: str) -> None:
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name=study_id).click()
    expect(page.locator("#chart-title")).to_contain_text(study_id)
    expect(page.get_by_role("heading", name="Trajectories")).to_be_visible()  # panel loaded


def issue_link(page: Page, reason: str = "") -> str:
    """Issue a link from the chart; `reason` when nothing is due (issue 14, item 7)."""
    if reason:
        page.get_by_label("Reason for this link").fill(reason)
    page.get_by_role("button", name="Create self-report link").click()
    expect(page.get_by_role("heading", name="Self-report link created")).to_be_visible()
    url = page.get_by_label("Link", exact=True).input_value()
    assert re.search(r"/r/[A-Za-z0-9_-]{43}$", url), url
    # issue 14, item 7: the link names its visit and questionnaires, and reaches the patient by
    # a copy button, a QR code (inline SVG drawn by segno) or, with SMTP configured, by email
    facts = page.locator("dl.link-facts")
    expect(facts).to_contain_text("PHQ-9, GAD-7, PCL-5")
    if reason:
        expect(facts).to_contain_text(reason)
    else:  # something is due: the link counts for the most urgent visit
        expect(facts).not_to_contain_text("no visit")
    expect(page.locator("figure.link-qr svg")).to_be_visible()
    page.get_by_role("button", name="Copy link").click()
    copied = page.locator('[data-copy-status="link-url"]')
    expect(copied).to_have_text(re.compile(r"Copied|press Ctrl\+C"))  # no clipboard grant: by hand
    expect(page.locator("main")).to_contain_text("no SMTP server is configured")  # demo: no SMTP
    return url


def answer(page: Page, instrument: str, ratings: list[int], labels: list[str]) -> None:
    questions = page.locator(f"[data-instrument={instrument}] fieldset.question")
    expect(questions).to_have_count(len(ratings))
    for number, rating in enumerate(ratings):
        questions.nth(number).get_by_label(labels[rating], exact=True).check()


def test_a_patient_fills_a_pcl5_through_a_link_and_the_chart_shows_score_and_trajectory(
    page: Page, patient_page: Page, demo_app: RunningApp
) -> None:
    sign_in(page, demo_app, "c.mensah")
    open_chart(page, "DEMO-002")
    url = issue_link(page)

    patient_page.goto(url)
    expect(patient_page.get_by_role("heading", name="Your questionnaires")).to_be_visible()
    expect(
        patient_page.get_by_text("Repeated, disturbing dreams of the stressful experience?")
    ).to_be_visible()
    expect(patient_page.locator("body")).not_to_contain_text("DEMO-002")  # nothing identifying
    answer(patient_page, "pcl5", PCL5, PCL5_LABELS)
    patient_page.get_by_role("button", name="Send my answers").click()
    expect(patient_page.get_by_role("status")).to_contain_text("Your answers were sent")

    patient_page.goto(url)  # single use
    expect(patient_page.get_by_role("alert")).to_contain_text("already been used")

    page.goto(f"{demo_app.base_url}/")
    open_chart(page, "DEMO-002")
    pcl5 = page.locator("figure.trajectory[data-instrument=pcl5]")
    expect(pcl5).to_contain_text("latest")
    expect(pcl5.locator("figcaption")).to_contain_text(f": {PCL5_TOTAL}")
    expect(pcl5.locator("svg circle.point")).to_have_count(1)
    expect(pcl5.locator("table.scores tbody tr")).to_contain_text(str(PCL5_TOTAL))
    expect(pcl5.locator("table.scores")).to_contain_text("above cut-off")


def test_a_phq9_item9_answer_raises_an_alert_that_a_physician_acknowledges(
    page: Page, patient_page: Page, demo_app: RunningApp
) -> None:
    sign_in(page, demo_app, "c.mensah")
    open_chart(page, "DEMO-003")
    url = issue_link(page, reason="Low mood reported on the phone today")  # nothing due

    patient_page.goto(url)
    answer(patient_page, "phq9", [1, 1, 2, 1, 0, 1, 1, 0, 2], PHQ_LABELS)
    patient_page.get_by_role("button", name="Send my answers").click()
    expect(patient_page.get_by_role("status")).to_contain_text("Your answers were sent")

    page.context.clear_cookies()
    sign_in(page, demo_app, "dr.ng")
    open_alerts = page.get_by_role("list", name="Open safety alerts")
    ours = open_alerts.locator("li", has_text="DEMO-003")
    expect(ours).to_contain_text("item 9 = 2")
    page.get_by_role("link", name="Open the safety alert queue").click()
    queued = page.locator(".alert-queue li", has_text="DEMO-003")
    queued.get_by_role("button", name="Acknowledge").click()  # empty: the browser refuses
    expect(queued).to_be_visible()
    queued.get_by_label("Action taken").fill("Phoned the patient: no plan or intent; safety plan")
    queued.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_contain_text("Alert acknowledged")
    expect(page.locator(".alert-queue li", has_text="DEMO-003")).to_have_count(0)

    open_chart(page, "DEMO-003")
    page.get_by_text("Acknowledged safety alerts").click()
    expect(page.locator(".closed-alerts")).to_contain_text("Phoned the patient")
    expect(page.get_by_role("region", name="Open safety alerts")).to_have_count(0)


def test_an_unknown_link_is_refused_with_the_reason(
    patient_page: Page, demo_app: RunningApp
) -> None:
    response = patient_page.goto(f"{demo_app.base_url}/r/not-a-real-token")
    assert response is not None and response.status == 410
    expect(patient_page.get_by_role("alert")).to_contain_text("This link is not valid")
