"""Measurement-based care over real HTTP: the API, the pages' refusals, the public link page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.server import RunningApp, api_client

TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture(scope="module")
def api(demo_app: RunningApp, api_token: str) -> Iterator[httpx.Client]:
    """The coordinator's API client."""
    with httpx.Client(
        base_url=demo_app.base_url, headers={"Authorization": f"Bearer {api_token}"}
    ) as client:
        yield client


@pytest.fixture(scope="module")
def physician_api(demo_app: RunningApp) -> Iterator[httpx.Client]:
    with api_client(demo_app, "dr.ng", "e2e measures") as client:
        yield client


def patient_id(api: httpx.Client, study_id: str) -> int:
    (found,) = api.get("/api/patients", params={"q": study_id}).json()
    return int(found["id"])


def signed_in(app: RunningApp, username: str) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url)
    form = client.get("/login").text
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": csrf_of(form)},
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_demo_has_an_open_safety_alert_and_an_overdue_questionnaire(api: httpx.Client) -> None:
    alerts = api.get("/api/alerts").json()
    assert any(a["study_id"] == "DEMO-009" and a["code"] == "phq9_item9_positive" for a in alerts)
    due = api.get("/api/measures/due").json()
    assert any(
        d["study_id"] == "DEMO-008" and d["instrument"] == "gad7" and d["status"] == "overdue"
        for d in due
    )
    history = api.get(f"/api/patients/{patient_id(api, 'DEMO-011')}/administrations").json()
    assert {h["instrument"] for h in history} == {"pcl5", "phq9", "gad7", "cssrs-screen", "caps5"}
    assert all(h["version"] for h in history)


def test_a_cssrs_high_risk_screen_over_the_api_raises_an_alert_a_physician_acknowledges(
    api: httpx.Client, physician_api: httpx.Client
) -> None:
    demo_005 = patient_id(api, "DEMO-005")
    created = physician_api.post(
        f"/api/patients/{demo_005}/administrations",
        json={
            "instrument": "cssrs-screen",
            "answers": ["yes", "yes", "no", "no", "yes", "no", "no"],
            "completed_on": TODAY,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["score"]["severity"] == "high"
    (alert,) = body["alerts"]
    assert alert["code"] == "cssrs_high_risk"

    refused = api.post(f"/api/alerts/{alert['id']}/acknowledgement", json={"action_taken": "x"})
    assert refused.status_code == 403  # a coordinator does not close safety alerts
    empty = physician_api.post(
        f"/api/alerts/{alert['id']}/acknowledgement", json={"action_taken": ""}
    )
    assert empty.status_code == 422
    done = physician_api.post(
        f"/api/alerts/{alert['id']}/acknowledgement",
        json={"action_taken": "Same-day review; safety plan; family informed with consent"},
    )
    assert done.status_code == 200
    assert done.json()["acknowledged_by"] == "Dr Morgan Ng"
    again = physician_api.post(
        f"/api/alerts/{alert['id']}/acknowledgement", json={"action_taken": "again"}
    )
    assert again.status_code == 409
    assert all(a["id"] != alert["id"] for a in api.get("/api/alerts").json())


def test_a_caps5_item_out_of_range_is_a_422_naming_the_item(
    api: httpx.Client, physician_api: httpx.Client
) -> None:
    demo_005 = patient_id(api, "DEMO-005")
    before = len(physician_api.get(f"/api/patients/{demo_005}/administrations").json())
    answers = ["2"] * 20
    answers[6] = "7"
    response = physician_api.post(
        f"/api/patients/{demo_005}/administrations",
        json={"instrument": "caps5", "answers": answers, "completed_on": TODAY},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "items[7]"
    assert "7 is outside 0–4" in problem["detail"]
    assert len(physician_api.get(f"/api/patients/{demo_005}/administrations").json()) == before


def test_the_clinician_form_refuses_an_item_with_422_naming_it(demo_app: RunningApp) -> None:
    client = signed_in(demo_app, "dr.ng")
    demo_004 = 4
    form = client.get(f"/patients/{demo_004}/measures/caps5/new")
    assert form.status_code == 200
    data = {f"item-{n}": "2" for n in range(1, 21)}
    data.update({"item-12": "9", "completed_on": TODAY, "csrf_token": csrf_of(form.text)})
    response = client.post(f"/patients/{demo_004}/measures/caps5/new", data=data)
    assert response.status_code == 422
    assert "items[12]: 9 is outside 0–4" in response.text
    assert 'id="item-12" name="item-12" inputmode="numeric" value="9" aria-invalid="true"' in (
        response.text
    )
    forged = client.post(
        f"/patients/{demo_004}/measures/caps5/new", data={**data, "csrf_token": "forged"}
    )
    assert forged.status_code == 403


def test_the_self_report_page_leaks_nothing_and_refuses_bad_answers_without_using_the_link(
    demo_app: RunningApp, api: httpx.Client
) -> None:
    demo_007 = patient_id(api, "DEMO-007")
    link = api.post(f"/api/patients/{demo_007}/self-report-links", json={"days_valid": 2})
    assert link.status_code == 201
    path = link.json()["path"]
    with httpx.Client(base_url=demo_app.base_url) as patient:
        page = patient.get(path)
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "DEMO-007" not in page.text and "Drew Haddad" not in page.text
        assert "csrf_token" not in page.text
        assert 'href="/' not in page.text.replace('href="/static/app.css"', "")
        bad = patient.post(path, data={"gad7-1": "7"})
        assert bad.status_code == 422
        assert "GAD-7 question 1: 7 is outside 0–3" in bad.text
        empty = patient.post(path, data={})
        assert empty.status_code == 422 and "No questions were answered." in empty.text
        good = patient.post(path, data={f"gad7-{n}": "1" for n in range(1, 8)})
        assert good.status_code == 200 and "Thank you" in good.text
        reused = patient.post(path, data={f"gad7-{n}": "1" for n in range(1, 8)})
        assert reused.status_code == 410 and "already been used" in reused.text
        assert patient.get("/patients/1").status_code in (303, 307, 401)  # no staff access


def test_a_link_for_a_visit_of_another_patient_is_refused(api: httpx.Client) -> None:
    demo_007 = patient_id(api, "DEMO-007")
    response = api.post(f"/api/patients/{demo_007}/self-report-links", json={"visit_id": 1})
    assert response.status_code == 422
    assert response.json()["field"] == "visit_id"


@pytest.mark.parametrize(
    "path",
    [
        "/patients/4/self-report-links",
        "/patients/4/measures/cssrs-screen/new",
        "/alerts/1/acknowledge",
    ],
)
def test_every_staff_form_post_of_the_measures_needs_the_csrf_token(
    demo_app: RunningApp, path: str
) -> None:
    client = signed_in(demo_app, "dr.ng")
    before = client.get("/patients/4/measures").text.count("<tr>")
    response = client.post(
        path,
        data={
            "csrf_token": "forged",
            "action_taken": "forged",
            "completed_on": TODAY,
            **{f"item-{n}": "yes" for n in range(1, 8)},
        },
    )
    assert response.status_code == 403
    assert "security token" in response.text
    assert client.get("/patients/4/measures").text.count("<tr>") == before


def test_the_due_page_lists_the_overdue_gad7_and_issues_a_link_for_its_visit(
    demo_app: RunningApp,
) -> None:
    client = signed_in(demo_app, "c.mensah")
    html = client.get("/measures/due").text
    row = re.search(r'<tr data-patient="DEMO-008" data-instrument="gad7">(.*?)</tr>', html, re.S)
    assert row, "DEMO-008's GAD-7 is on the due page"
    assert "overdue" in row.group(1) and "Dosing session 3" in row.group(1)
    form = re.search(
        r'action="/patients/(\d+)/self-report-links".*?name="visit_id" value="(\d+)"',
        row.group(1),
        re.S,
    )
    assert form
    issued = client.post(
        f"/patients/{form.group(1)}/self-report-links",
        data={"csrf_token": csrf_of(html), "visit_id": form.group(2)},
    )
    assert issued.status_code == 201
    assert re.search(r'value="http://[^"]+/r/[A-Za-z0-9_-]{43}"', issued.text)
