"""Therapy notes and check-ins over real HTTP (issue 14, items 4-5): bad input refused by name
with problem+json, and nothing stored.

The refusals store nothing and read only what the demo seeds and no other test changes on the
shared clinic (DEMO-008's completed session and its integration visit): they use ``demo_app``.
The one check-in that is stored gets a clinic of its own, since the refusals on day 4 read that
day's check-in as missing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from support.db import last_audit_action, row_counts
from support.server import RunningApp, api_client

# The demo's completed dosing session is DEMO-008's first; the demo leaves its day-4 check-in
# unrecorded (demo/therapy.py).
PATIENT = "DEMO-008"


@pytest.fixture(scope="module")
def app(demo_app: RunningApp) -> RunningApp:
    return demo_app


@pytest.fixture(scope="module")
def therapist(app: RunningApp) -> Iterator[httpx.Client]:
    with api_client(app, "t.alvarez") as client:
        yield client


def _patient(client: httpx.Client) -> dict[str, Any]:
    found = client.get("/api/patients", params={"q": PATIENT}).json()
    chart = client.get(f"/api/patients/{found[0]['id']}").json()
    return {
        "id": found[0]["id"],
        "visits": {v["code"]: v for v in chart["enrolments"][-1]["visits"]},
    }


def _session_day(client: httpx.Client, patient_id: int) -> date:
    sessions = client.get(f"/api/patients/{patient_id}/sessions").json()
    return date.fromisoformat(sessions[0]["started_at"][:10])


def _check_in(on: date, **changes: object) -> dict[str, object]:
    return {"on": on.isoformat(), "mode": "phone", "suds": 20, "sleep_hours": 7, **changes}


@pytest.mark.parametrize(
    ("day", "changes", "field"),
    [
        (4, {"suds": 101}, "suds"),
        (4, {"suds": -1}, "suds"),
        (0, {}, "on"),  # the session's own day: no dosing session before it
        (-3, {}, "on"),
        (4, {"suicidal_thoughts": True}, "cssrs"),  # indicated, and no screener given
    ],
)
def test_a_bad_check_in_is_refused_by_name_and_nothing_is_stored(
    app: RunningApp, therapist: httpx.Client, day: int, changes: dict[str, object], field: str
) -> None:
    patient = _patient(therapist)
    on = _session_day(therapist, patient["id"]) + timedelta(days=day)
    before = row_counts(app.database_url)
    response = therapist.post(
        f"/api/patients/{patient['id']}/check-ins", json=_check_in(on, **changes)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert row_counts(app.database_url) == before


def test_the_missed_day_four_check_in_is_recorded(own_demo_app: RunningApp) -> None:
    with api_client(own_demo_app, "t.alvarez") as therapist:
        _record_the_missed_day_four_check_in(therapist)


def _record_the_missed_day_four_check_in(therapist: httpx.Client) -> None:
    patient = _patient(therapist)
    on = _session_day(therapist, patient["id"]) + timedelta(days=4)
    response = therapist.post(
        f"/api/patients/{patient['id']}/check-ins",
        json=_check_in(on, ae_term="Jaw tightness", ae_severity="mild"),
    )
    assert response.status_code == 201, response.text
    assert (response.json()["day"], response.json()["screener_indicated"]) == (4, False)
    days = [c["day"] for c in therapist.get(f"/api/patients/{patient['id']}/check-ins").json()]
    assert sorted(days) == [1, 2, 3, 4, 5, 6, 7]  # the demo's six and this one


def test_a_note_with_no_duration_is_refused_and_a_physician_may_not_sign_one(
    app: RunningApp, therapist: httpx.Client
) -> None:
    patient = _patient(therapist)
    int1 = patient["visits"]["es1_int1"]
    me = therapist.get("/api/me").json()
    body = {
        "visit_id": int1["id"],
        "session_on": int1["held_on"] or int1["planned"],
        "themes": "Relief",
        "risks": "none noticed",
        "plan": "Weekly integration",
        "present": [me["id"]],
        "duration_minutes": 0,
    }
    before = row_counts(app.database_url)
    refused = therapist.post(f"/api/patients/{patient['id']}/therapy-notes", json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "duration_minutes"
    assert row_counts(app.database_url) == before
    with api_client(app, "dr.ng") as physician:
        before = row_counts(app.database_url, ignore=("audit_events",))
        denied = physician.post(
            f"/api/patients/{patient['id']}/therapy-notes", json={**body, "duration_minutes": 90}
        )
        assert denied.status_code == 403, denied.text
        assert row_counts(app.database_url, ignore=("audit_events",)) == before
        assert last_audit_action(app.database_url) == "access_denied"
