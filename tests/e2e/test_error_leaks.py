"""Errors tell nothing the caller may not read (issue 10, item 7).

- Someone who may not see a patient gets the same 404 whether the patient exists or not, and a
  record reached by its own ID (a screening, a visit, a session) reads like a missing record,
  without naming its patient.
- A rater enters a CAPS-5 without seeing who the patient is: a refusal does not name the patient
  (the review's rater learned another patient's study ID from a 422).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest

from support.server import RunningApp, api_client


def client_of(app: RunningApp, username: str) -> httpx.Client:
    return api_client(app, username, "leak tests")


@pytest.fixture(scope="module")
def database(demo_app: RunningApp) -> Iterator[sqlite3.Connection]:
    path = demo_app.database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def first(database: sqlite3.Connection, query: str) -> int:
    row = database.execute(query).fetchone()
    assert row, query
    return int(row[0])


@pytest.mark.parametrize(
    ("what", "path", "query"),
    [
        ("patient", "/api/patients/{}", "SELECT id FROM patients"),
        ("screening", "/api/screenings/{}", "SELECT id FROM screenings"),
        ("dosing session", "/api/sessions/{}", "SELECT id FROM dosing_sessions"),
    ],
)
def test_an_outsider_cannot_tell_a_hidden_record_from_a_missing_one(
    demo_app: RunningApp, database: sqlite3.Connection, what: str, path: str, query: str
) -> None:
    existing = first(database, query)
    missing = existing + 10**6
    with client_of(demo_app, "t.other") as outsider:
        hidden, absent = outsider.get(path.format(existing)), outsider.get(path.format(missing))
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["detail"] == f"no {what} {existing}"
    assert absent.json()["detail"] == f"no {what} {missing}"
    assert hidden.json()["title"] == absent.json()["title"]


def test_an_outsider_writing_to_a_hidden_visit_gets_the_missing_visits_answer(
    demo_app: RunningApp, database: sqlite3.Connection
) -> None:
    visit = first(database, "SELECT id FROM visits WHERE status = 'planned'")
    with client_of(demo_app, "t.other") as outsider:
        events = first(database, "SELECT count(*) FROM audit_events")
        answer = outsider.post(
            f"/api/visits/{visit}/session", json={"childbearing_potential": False}
        )
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"no visit {visit}"
    # the refusal is audited (a probe is worth knowing about), and nothing else is stored
    assert first(database, "SELECT count(*) FROM audit_events") == events + 1
    assert first(database, f"SELECT count(*) FROM dosing_sessions WHERE visit_id = {visit}") == 0


def test_a_raters_refusal_does_not_name_the_patient(
    demo_app: RunningApp, database: sqlite3.Connection
) -> None:
    patient, study_id = database.execute("SELECT id, study_id FROM patients ORDER BY id").fetchone()
    others_visit = first(
        database,
        "SELECT v.id FROM visits v JOIN enrolments e ON e.id = v.enrolment_id"
        f" WHERE e.patient_id != {patient} ORDER BY v.id",
    )
    before = first(database, "SELECT count(*) FROM instrument_administrations")
    with client_of(demo_app, "r.blind") as rater:
        refused = rater.post(
            f"/api/patients/{patient}/administrations",
            json={
                "instrument": "caps5",
                "answers": ["1"] * 20,
                "completed_on": "2026-01-05",
                "visit_id": others_visit,
            },
        )
    assert refused.status_code == 422 and refused.json()["field"] == "visit_id"
    every_study_id = [s for (s,) in database.execute("SELECT study_id FROM patients")]
    assert study_id in every_study_id
    assert not [s for s in every_study_id if s in refused.text], refused.text
    assert first(database, "SELECT count(*) FROM instrument_administrations") == before
