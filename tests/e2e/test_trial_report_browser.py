"""The statistician opens the trial report from the study page and finds every section; a blinded
role gets 403, no link to it, and never the arms (issue 19, items 3 and 6).

Reading only, on the shared demo clinic: the report's sections and refusals hold whatever other
tests record there (randomising is done in clinics of their own)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from integration.test_trial_report import SECTIONS  # the report's section headings, once
from mdma_at.demo.trial import STUDY_CODE
from support.browser import sign_in
from support.server import RunningApp, container_of

pytestmark = pytest.mark.browser

#: the demo study's arm names (demo/trial.py through create_study's defaults)
ARM_NAMES = ("MDMA-AT", "Placebo with therapy")


def _study_id(app: RunningApp) -> int:
    with container_of(app) as container, container.uow() as uow:
        study = uow.studies.by_code(STUDY_CODE)
    assert study is not None
    return study.id


def test_the_statistician_opens_the_report_and_finds_every_section(
    demo_app: RunningApp, page: Page
) -> None:
    sign_in(page, demo_app, "s.stat")
    page.get_by_role("link", name="Studies").click()
    page.get_by_role("link", name=STUDY_CODE).click()
    expect(page.locator("#study-dashboard")).to_contain_text("randomised of a target of")
    page.get_by_role("link", name="Trial report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Trial report: {STUDY_CODE}")
    for heading in SECTIONS:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert page.locator("svg.figure").count() >= 1


@pytest.mark.parametrize("username", ["c.mensah", "r.blind"])
def test_a_blinded_role_gets_no_report_and_no_arm(
    demo_app: RunningApp, page: Page, username: str
) -> None:
    study_id = _study_id(demo_app)
    sign_in(page, demo_app, username)
    response = page.goto(f"{demo_app.base_url}/studies/{study_id}/report")
    assert response is not None and response.status in (403, 404)
    for name in ARM_NAMES:
        assert name not in page.content()
    if username == "c.mensah":  # the coordinator's study page offers no link to it
        page.goto(f"{demo_app.base_url}/studies/{study_id}")
        expect(page.locator("#study-dashboard")).to_be_visible()
        assert page.locator("#trial-report-link").count() == 0
