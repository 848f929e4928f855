"""Screening and consent over real HTTP: the API and the form refuse bad intakes with 422 naming
the field and store nothing; the demo clinic has a patient in every decision state."""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import pytest

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.server import RunningApp

INTAKE: dict[str, Any] = {
    "screening_date": "2026-09-14",
    "age": 36,
    "sex": "male",
    "childbearing_potential": False,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_test": None,
    "vitals": {"systolic": 131, "diastolic": 84, "heart_rate": 68, "temperature_c": 36.6},
    "ecg": {"qtc_ms": 418},
    "ptsd": {"caps5_total": 44, "meets_dsm5": True, "duration_months": 84},
    "conditions": [{"code": "hypertension", "controlled": True}],
    "substance_use": [],
    "suicide_risk": "low",
    "medications": [{"name": "paroxetine", "last_dose": "2026-09-01"}],
}

#: (what is wrong, the intake path, its value, the field named in the 422)
BAD: list[tuple[str, str, object, str]] = [
    ("negative age", "age", -3, "age"),
    ("implausible age", "age", 131, "age"),
    ("diastolic at the systolic", "vitals.diastolic", 131, "vitals.diastolic"),
    ("diastolic above the systolic", "vitals.diastolic", 150, "vitals.diastolic"),
    ("QTc below 250 ms", "ecg.qtc_ms", 249, "ecg.qtc_ms"),
    ("QTc above 700 ms", "ecg.qtc_ms", 701, "ecg.qtc_ms"),
    (
        "last dose after screening",
        "medications.0.last_dose",
        "2026-09-15",
        "medications[0].last_dose",
    ),
    ("malformed date", "screening_date", "14/09/2026", "screening_date"),
]


def with_value(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(INTAKE)
    target: Any = data
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[last] = value
    return data


@pytest.fixture(scope="module")
def api(demo_app: RunningApp, api_token: str):  # type: ignore[no-untyped-def]
    with httpx.Client(
        base_url=demo_app.base_url, headers={"Authorization": f"Bearer {api_token}"}
    ) as client:
        yield client


def patient_id(api: httpx.Client, study_id: str) -> int:
    found = api.get("/api/patients", params={"q": study_id}).json()
    return int(next(p["id"] for p in found if p["study_id"] == study_id))


def test_the_api_refuses_every_bad_intake_with_422_naming_the_field_and_stores_nothing(
    api: httpx.Client,
) -> None:
    pid = patient_id(api, "DEMO-005")
    before = api.get(f"/api/patients/{pid}/screenings").json()
    for what, path, value, field in BAD:
        response = api.post(f"/api/patients/{pid}/screenings", json=with_value(path, value))
        assert response.status_code == 422, what
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field, what
    malformed = api.post(
        f"/api/patients/{pid}/screenings",
        content=b'{"age": 41,',
        headers={"content-type": "application/json"},
    )
    assert malformed.status_code == 422 and malformed.json()["field"] == "intake"
    assert "malformed JSON" in malformed.json()["detail"]
    assert api.get(f"/api/patients/{pid}/screenings").json() == before


def test_the_api_stores_a_screening_with_every_criterion_and_evaluates_without_storing(
    api: httpx.Client,
) -> None:
    pid = patient_id(api, "DEMO-001")
    count = len(api.get(f"/api/patients/{pid}/screenings").json())
    live = api.post("/api/screening/evaluate", json=INTAKE)
    assert live.status_code == 200 and live.json()["decision"] == "eligible"
    assert len(api.get(f"/api/patients/{pid}/screenings").json()) == count
    stored = api.post(f"/api/patients/{pid}/screenings", json=INTAKE)
    assert stored.status_code == 201, stored.text
    body = stored.json()
    assert body["decision"] == "eligible" and body["signature"] is None
    assert body["verdict"]["criteria"] == live.json()["criteria"]
    assert body["recorded_by_name"] == "Ama Mensah"
    # a coordinator may not sign: only a physician
    refused = api.post(f"/api/screenings/{body['id']}/signature", json={})
    assert refused.status_code == 403


def test_the_demo_clinic_has_a_screened_patient_in_every_decision_state(api: httpx.Client) -> None:
    expected = {
        "DEMO-002": ("eligible_after_washout", True),
        "DEMO-003": ("needs_review", False),
        "DEMO-004": ("eligible", True),  # a review overridden by the physician
        "DEMO-006": ("eligible", True),
    }
    for study_id, (decision, is_signed) in expected.items():
        latest = api.get(f"/api/patients/{patient_id(api, study_id)}/screenings").json()[-1]
        assert (latest["final_decision"], latest["signature"] is not None) == (
            decision,
            is_signed,
        ), study_id
    failure = api.get(f"/api/patients/{patient_id(api, 'DEMO-001')}/screenings").json()[0]
    assert failure["final_decision"] == "ineligible"
    overridden = api.get(f"/api/patients/{patient_id(api, 'DEMO-004')}/screenings").json()[-1]
    assert overridden["decision"] == "needs_review" and overridden["signature"]["overridden"]
    statuses = {
        sid: api.get(f"/api/patients/{patient_id(api, sid)}/consent").json()["status"]
        for sid in ("DEMO-001", "DEMO-002", "DEMO-007", "DEMO-012")
    }
    assert statuses == {
        "DEMO-001": "none",
        "DEMO-002": "current",
        "DEMO-007": "outdated",
        "DEMO-012": "withdrawn",
    }


def test_the_dosing_console_query_says_whether_consent_allows_a_session(api: httpx.Client) -> None:
    outdated = api.get(
        f"/api/patients/{patient_id(api, 'DEMO-007')}/dosing-consent", params={"on": "2026-12-01"}
    ).json()
    assert outdated["allowed"] is False and outdated["status"] == "outdated"
    current = api.get(
        f"/api/patients/{patient_id(api, 'DEMO-006')}/dosing-consent", params={"on": "2026-12-01"}
    ).json()
    assert current["allowed"] is True


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_form_refuses_a_bad_intake_with_422_naming_the_field_and_stores_nothing(
    demo_app: RunningApp, api: httpx.Client
) -> None:
    pid = patient_id(api, "DEMO-008")
    before = api.get(f"/api/patients/{pid}/screenings").json()
    with httpx.Client(base_url=demo_app.base_url) as client:
        login = client.get("/login")
        client.post(
            "/login",
            data={
                "username": "dr.ng",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf_of(login.text),
            },
        )
        form = client.get(f"/patients/{pid}/screening/new")
        assert form.status_code == 200
        fields = {
            "csrf_token": csrf_of(form.text),
            "screening_date": "2026-09-14",
            "age": "36",
            "sex": "male",
            "childbearing_potential": "no",
            "pregnant": "no",
            "breastfeeding": "no",
            "vitals.systolic": "120",
            "vitals.diastolic": "80",
            "vitals.heart_rate": "70",
            "vitals.temperature_c": "36.6",
            "ecg.qtc_ms": "420",
            "ptsd.caps5_total": "40",
            "ptsd.meets_dsm5": "yes",
            "ptsd.duration_months": "40",
            "suicide_risk": "low",
        }
        cases = [
            ({"age": "-3"}, "age"),
            ({"age": "131"}, "age"),
            ({"vitals.diastolic": "120"}, "vitals.diastolic"),
            ({"ecg.qtc_ms": "701"}, "ecg.qtc_ms"),
            ({"ecg.qtc_ms": "249"}, "ecg.qtc_ms"),
            (
                {"medications[3].name": "sertraline", "medications[3].last_dose": "2026-09-15"},
                "medications[3].last_dose",
            ),
            ({"screening_date": "2026-02-30"}, "screening_date"),
            ({"vitals.systolic": "12o"}, "vitals.systolic"),
        ]
        for change, field in cases:
            response = client.post(f"/patients/{pid}/screening", data={**fields, **change})
            assert response.status_code == 422, change
            assert f"{field}:" in response.text, change
            assert f'name="{field}"' in response.text
            marked = re.search(rf'name="{re.escape(field)}"[^>]*aria-invalid="true"', response.text)
            assert marked, f"{field} is marked invalid"
        stored = client.post(f"/patients/{pid}/screening", data=fields)
        assert stored.status_code == 303
    after = api.get(f"/api/patients/{pid}/screenings").json()
    assert len(after) == len(before) + 1


def test_the_first_dosing_query_names_the_washout_date_and_the_missing_signature(
    api: httpx.Client,
) -> None:
    washout = api.get(
        f"/api/patients/{patient_id(api, 'DEMO-002')}/first-dosing", params={"on": "2026-01-01"}
    ).json()
    assert washout["allowed"] is False
    assert "before_washout" in {r["code"] for r in washout["refusals"]}
    review = api.get(
        f"/api/patients/{patient_id(api, 'DEMO-003')}/first-dosing", params={"on": "2099-01-01"}
    ).json()
    assert [r["code"] for r in review["refusals"]] == ["not_signed"]


def test_a_physician_sees_the_screenings_awaiting_signature_on_the_dashboard(
    demo_app: RunningApp,
) -> None:
    with httpx.Client(base_url=demo_app.base_url) as client:
        login = client.get("/login")
        client.post(
            "/login",
            data={
                "username": "dr.ng",
                "password": DEMO_PASSWORD,
                "csrf_token": csrf_of(login.text),
            },
        )
        assert 'hx-get="/screening/awaiting"' in client.get("/").text
        card = client.get("/screening/awaiting")
    assert card.status_code == 200 and "DEMO-003" in card.text


def test_issue_9_and_10_bad_intakes_are_refused_and_nothing_is_stored(api: httpx.Client) -> None:
    """A NaN temperature (issue 10: stored as eligible), a medication without a name, and a last
    dose in the future while recording (issue 9): 422 naming the field, nothing stored."""
    import json

    pid = patient_id(api, "DEMO-005")
    before = api.get(f"/api/patients/{pid}/screenings").json()
    for token in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps(INTAKE).replace('"temperature_c": 36.6', f'"temperature_c": {token}')
        assert token in body
        for url in (f"/api/patients/{pid}/screenings", "/api/screening/evaluate"):
            response = api.post(url, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 422, (token, url, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["field"] == "vitals.temperature_c"
            assert "not a finite number" in response.json()["detail"]
    nameless = with_value("medications.0.name", "")
    response = api.post(f"/api/patients/{pid}/screenings", json=nameless)
    assert response.status_code == 422 and response.json()["field"] == "medications[0].name"
    missing_name = copy.deepcopy(INTAKE)
    del missing_name["medications"][0]["name"]
    response = api.post(f"/api/patients/{pid}/screenings", json=missing_name)
    assert response.status_code == 422 and response.json()["field"] == "medications[0].name"
    # A last dose that is before the screening date but after today: the record has a clock, and
    # names the medication, not the screening date it pulls along.
    future = copy.deepcopy(INTAKE)
    future["screening_date"] = "2099-01-02"
    future["medications"][0]["last_dose"] = "2099-01-01"
    response = api.post(f"/api/patients/{pid}/screenings", json=future)
    assert response.status_code == 422
    assert response.json()["field"] == "medications[0].last_dose"
    assert "in the future" in response.json()["detail"]
    assert api.get(f"/api/patients/{pid}/screenings").json() == before
