"""The JSON API over real HTTP: bearer tokens, problem details, site isolation."""

from __future__ import annotations

import httpx
import pytest

from support.server import RunningApp, api_client


@pytest.fixture(scope="module")
def api(demo_app: RunningApp, api_token: str):  # type: ignore[no-untyped-def]
    with httpx.Client(
        base_url=demo_app.base_url, headers={"Authorization": f"Bearer {api_token}"}
    ) as client:
        yield client


def test_anonymous_api_requests_get_401_problem_details(demo_app: RunningApp) -> None:
    response = httpx.get(f"{demo_app.base_url}/api/patients")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 401 and problem["type"].endswith("/unauthenticated")
    assert problem["instance"] == "/api/patients"


def test_a_wrong_token_gets_401(demo_app: RunningApp) -> None:
    response = httpx.get(
        f"{demo_app.base_url}/api/me", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401


def test_the_api_is_documented_at_openapi_json(demo_app: RunningApp) -> None:
    # The app builds the schema on the first request: httpx's default 5 s read timeout was
    # exceeded under a load average of 12 (a liveness limit, not a speed assertion).
    spec = httpx.get(f"{demo_app.base_url}/openapi.json", timeout=60).json()
    assert "/api/patients" in spec["paths"]
    assert "/login" not in spec["paths"]


def test_a_token_lists_the_demo_patients(api: httpx.Client) -> None:
    me = api.get("/api/me").json()
    assert me["username"] == "c.mensah"
    patients = api.get("/api/patients").json()
    # other tests register patients in the shared clinic; the demo's own are DEMO-001 to -012
    assert sorted(p["study_id"] for p in patients if p["study_id"].startswith("DEMO-")) == [
        f"DEMO-{n:03d}" for n in range(1, 13)
    ]
    assert api.get("/api/patients", params={"q": "demo-00"}).json()[0]["study_id"] == "DEMO-001"


def test_register_enrol_and_read_the_chart(api: httpx.Client) -> None:
    site_id = int(next(iter(api.get("/api/me").json()["roles"])))
    created = api.post(
        "/api/patients",
        json={
            "site_id": site_id,
            "study_id": "API-0001",
            "name": "Robin Example",
            "date_of_birth": "1985-02-03",
            "sex": "other",
        },
    )
    assert created.status_code == 201, created.text
    patient_id = created.json()["id"]
    enrolled = api.post(
        f"/api/patients/{patient_id}/enrolments",
        json={"protocol": "mapp_v1", "enrolled_on": "2026-01-05"},
    )
    assert enrolled.status_code == 201
    chart = api.get(f"/api/patients/{patient_id}").json()
    visits = chart["enrolments"][0]["visits"]
    assert len(visits) == 22 and visits[0]["window_start"] == "2026-01-05"


def test_a_duplicate_study_id_is_a_409_and_stores_nothing(api: httpx.Client) -> None:
    site_id = int(next(iter(api.get("/api/me").json()["roles"])))
    body = {
        "site_id": site_id,
        "study_id": "DEMO-001",
        "name": "Dup",
        "date_of_birth": "1980-01-01",
        "sex": "male",
    }
    response = api.post("/api/patients", json=body)
    assert response.status_code == 409
    assert "already registered" in response.json()["detail"]
    assert len(api.get("/api/patients", params={"q": "DEMO-001"}).json()) == 1


def test_a_malformed_date_is_a_422_naming_the_field(api: httpx.Client) -> None:
    site_id = int(next(iter(api.get("/api/me").json()["roles"])))
    response = api.post(
        "/api/patients",
        json={
            "site_id": site_id,
            "study_id": "API-0002",
            "name": "X",
            "date_of_birth": "1985-13-40",
            "sex": "male",
        },
    )
    assert response.status_code == 422
    assert response.json()["field"] == "date_of_birth"


def test_an_enrolment_date_in_the_future_is_a_422(api: httpx.Client) -> None:
    response = api.post(
        "/api/patients/1/enrolments", json={"protocol": "mapp_v1", "enrolled_on": "2099-01-01"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "enrolled_on"


def test_a_patient_of_another_site_is_not_there_on_every_route(demo_app: RunningApp) -> None:
    """404, never 403: the answer must not tell whether the patient exists (issue 10, item 7)."""
    with api_client(demo_app, "t.other", "isolation test") as other:
        assert other.get("/api/patients").json() == []
        assert other.get("/api/patients/1").status_code == 404
        assert other.post("/api/visits/1/held", json={"held_on": "2026-01-01"}).status_code == 404
        # a therapist may never withdraw a patient: refused by role before any record is looked
        # up, alike for a patient that exists and one that does not (ADR 0130)
        withdrawal = {"withdrawn_on": "2026-01-01", "reason": "x"}
        refusals = {
            other.post(f"/api/patients/{pid}/withdrawal", json=withdrawal).status_code
            for pid in (1, 999999)
        }
        assert refusals == {403}
        move = {"planned": "2026-01-01", "reason": "x"}
        moves = {
            other.post(f"/api/visits/{v}/reschedule", json=move).status_code for v in (1, 999999)
        }
        assert moves == {403}  # by role, like the withdrawal


def test_an_existing_and_a_missing_patient_read_the_same_to_an_outsider(
    demo_app: RunningApp,
) -> None:
    with api_client(demo_app, "t.other", "existence probe") as other:
        existing, missing = other.get("/api/patients/1"), other.get("/api/patients/999999")
        sessions = other.get("/api/patients/1/sessions"), other.get("/api/patients/999999/sessions")
    assert existing.status_code == missing.status_code == 404
    assert existing.json()["detail"] == "no patient 1"
    assert missing.json()["detail"] == "no patient 999999"
    assert {r.status_code for r in sessions} == {404}


def test_every_operation_documents_its_problem_responses(demo_app: RunningApp) -> None:
    """Issue 10, item 8: the OpenAPI document names every error an operation can answer, as
    problem+json, and the schemas carry the field limits (here: a patient's name)."""
    document = httpx.get(f"{demo_app.base_url}/openapi.json").json()
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "409", "413", "422", "500"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    patient = document["components"]["schemas"]["PatientCreate"]["properties"]
    assert patient["name"]["maxLength"] == 200  # patients.name is VARCHAR(200)
    assert patient["site_id"]["maximum"] == 2**31 - 1  # PostgreSQL INTEGER
