"""The work-up over real HTTP (issue 14): laboratory panels and ECGs refused with 422 naming the
field, the medication list and allergies through the API, and the demo clinic's work-up."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from support.cli import mdma_at_in_process
from support.db import row_counts
from support.server import RunningApp, api_client

INTAKE: dict[str, Any] = {
    "screening_date": "2026-09-14", "age": 36, "sex": "male", "childbearing_potential": False,
    "pregnant": False, "breastfeeding": False, "pregnancy_test": None,
    "vitals": {"systolic": 131, "diastolic": 84, "heart_rate": 68, "temperature_c": 36.6},
    "ecg": {"qt_ms": 400, "rr_ms": 1000, "correction": "bazett"},
    "ptsd": {"caps5_total": 44, "meets_dsm5": True, "duration_months": 84},
    "conditions": [], "substance_use": [], "suicide_risk": "low", "medications": [],
    "labs": {
        "alt": 20, "ast": 22, "bilirubin": 9, "creatinine": 80, "egfr": 95, "sodium": 140,
        "potassium": 4.1, "tsh": 1.8, "urine_drug_screen": "negative",
    },
}  # fmt: skip

#: (the intake's changed part, the field named in the 422)
BAD: list[tuple[dict[str, Any], str]] = [
    ({"labs": {**INTAKE["labs"], "alt": "88 U/L"}}, "labs.alt"),
    ({"labs": {**INTAKE["labs"], "sodium": 400}}, "labs.sodium"),  # physiological limit 90–200
    ({"labs": {**INTAKE["labs"], "ldl": 3.1}}, "labs.ldl"),
    ({"ecg": {"qtc_ms": 720}}, "ecg.qtc_ms"),
    ({"ecg": {"qtc_ms": 430, "correction": "framingham"}}, "ecg.correction"),
    # QT 690 ms at RR 640 ms by Bazett: 690 / 0.8 = 862 ms, above 700 ms
    ({"ecg": {"qt_ms": 690, "rr_ms": 640, "correction": "bazett"}}, "ecg.qtc_ms"),
]


@pytest.fixture
def api(own_demo_app: RunningApp):  # type: ignore[no-untyped-def]
    """A clinic of this test's own: the work-up test records screenings, medications and
    allergies."""
    with api_client(own_demo_app, "dr.ng", "work-up") as client:
        yield client


@pytest.fixture(scope="module")
def shared_api(demo_app: RunningApp):  # type: ignore[no-untyped-def]
    """The shared clinic, for reading what the demo seeds and no test changes (DEMO-003's and
    DEMO-006's screenings and medications)."""
    with api_client(demo_app, "dr.ng", "work-up") as client:
        yield client


def patient_id(api: httpx.Client, study_id: str) -> int:
    found = api.get("/api/patients", params={"q": study_id}).json()
    return int(next(p["id"] for p in found if p["study_id"] == study_id))


def test_the_work_up_over_the_api(api: httpx.Client, own_demo_app: RunningApp) -> None:
    url = own_demo_app.database_url
    pid = patient_id(api, "DEMO-009")

    # Bad laboratory values and ECGs: 422 naming the field, nothing stored anywhere.
    before = row_counts(url)
    for change, field in BAD:
        response = api.post(f"/api/patients/{pid}/screenings", json={**INTAKE, **change})
        assert response.status_code == 422, (field, response.text)
        assert response.json()["field"] == field
    nan = api.post(
        f"/api/patients/{pid}/screenings",
        content=b'{"labs": {"alt": NaN}}',
        headers={"content-type": "application/json"},
    )
    assert nan.status_code == 422
    for body in (
        {"name": "", "started_on": "2026-01-01"},
        {"name": "sertraline", "started_on": "2026-03-01", "stopped_on": "2026-02-01"},
        {"name": "sertraline", "started_on": "2999-01-01"},
    ):
        assert api.post(f"/api/patients/{pid}/medications", json=body).status_code == 422
    assert api.post(f"/api/patients/{pid}/allergies", json={"substance": " "}).status_code == 422
    assert row_counts(url) == before

    # An out-of-range ALT turns the verdict to review, naming analyte, value, unit and range.
    raised = copy.deepcopy(INTAKE)
    raised["labs"]["alt"] = 88
    stored = api.post(f"/api/patients/{pid}/screenings", json=raised)
    assert stored.status_code == 201, stored.text
    verdict = stored.json()["verdict"]
    assert verdict["decision"] == "needs_review"
    alt = next(c for c in verdict["criteria"] if c["id"] == "lab_alt")
    # the site-default ALT range 7–33 U/L (ADR 0143: unverified, attributed to Kratz et al. 2004)
    assert "ALT 88 U/L is above the reference range 7–33 U/L" in alt["reason"]
    # QT 400 ms at RR 1000 ms: by either formula QTc = QT (RR = 1 s)
    assert stored.json()["intake"]["ecg"]["qtc_ms"] == 400

    # The medication list: a course added, stopped, restarted → a restart warning.
    added = api.post(
        f"/api/patients/{pid}/medications",
        json={"name": "sertraline", "dose": "50 mg", "started_on": "2026-01-05"},
    )
    assert added.status_code == 201, added.text
    stopped = api.post(
        f"/api/patients/{pid}/medications/{added.json()['id']}/stop",
        json={"stopped_on": "2026-09-01"},
    )
    assert stopped.status_code == 200, stopped.text
    again = api.post(
        f"/api/patients/{pid}/medications/{added.json()['id']}/stop",
        json={"stopped_on": "2026-09-02"},
    )
    assert again.status_code == 409
    api.post(
        f"/api/patients/{pid}/medications", json={"name": "Zoloft", "started_on": "2026-09-20"}
    )
    listed = api.get(f"/api/patients/{pid}/medications").json()
    assert [w["restarted_on"] for w in listed["restart_warnings"]] == ["2026-09-20"]
    # sertraline washout 29 days from 2026-09-01 (5 × 104 h + 7 days, rounded up)
    assert {w["clear_on"] for w in listed["washouts"]} == {"2026-09-30"}

    # Allergies: the demo's DEMO-009 has codeine; "none known" now contradicts it.
    assert [a["substance"] for a in api.get(f"/api/patients/{pid}/allergies").json()] == ["codeine"]
    refused = api.post(f"/api/patients/{pid}/allergies", json={"none_known": True})
    assert refused.status_code == 422 and refused.json()["field"] == "none_known"


def test_the_demo_clinic_has_a_work_up_to_show(shared_api: httpx.Client) -> None:
    api = shared_api
    review = api.get(f"/api/patients/{patient_id(api, 'DEMO-003')}/screenings").json()[-1]
    statuses = {c["id"]: c["status"] for c in review["verdict"]["criteria"]}
    assert statuses["lab_alt"] == "needs_review"
    medications = api.get(f"/api/patients/{patient_id(api, 'DEMO-003')}/medications").json()
    assert medications["restart_warnings"]
    eligible = api.get(f"/api/patients/{patient_id(api, 'DEMO-006')}/screenings").json()[-1]
    assert eligible["intake"]["ecg"]["correction"] == "fridericia"
    assert eligible["final_decision"] == "eligible"


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"labs": {"alt": 20_000}}, "error: labs.alt: 20000 U/L is outside the physiological"),
        ({"ecg": {"qtc_ms": 249}}, "error: ecg.qtc_ms: 249 ms is outside the plausible 250–700"),
        ({"ecg": {"qtc_ms": 430, "correction": "hodges"}}, "error: ecg.correction: 'hodges'"),
    ],
)
def test_the_screen_command_refuses_impossible_labs_and_ecgs_with_exit_2(
    change: dict[str, Any], line: str
) -> None:
    done = mdma_at_in_process("screen", "-", "--json", stdin=json.dumps({**INTAKE, **change}))
    assert done.returncode == 2
    assert done.stderr.strip().startswith(line)
    assert done.stdout == ""
