"""Every nested route checks its chain of parents (issue 10, item 1).

A record reached through a parent that is not its own (`/patients/13/screenings/3` where screening
3 is another patient's) is 404, and nothing is stored: not the write, not even an audit event. The
routes are found by walking the application's route table, so a nested route added later is
covered without editing this file (or fails here until its parent relation is named below).

Regression: `POST /patients/13/screenings/3/sign` on another patient's screening signed it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from mdma_at.bootstrap import bootstrap
from mdma_at.config import Settings
from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.entrypoints.api.app import create_app
from support.server import RunningApp, api_token

#: child path parameter -> (its parent parameter, SQL giving (child id, parent id) rows)
PARENT_OF: dict[str, tuple[str, str]] = {
    "screening_id": ("patient_id", "SELECT id, patient_id FROM screenings ORDER BY id"),
    "visit_id": (
        "patient_id",
        "SELECT v.id, e.patient_id FROM visits v JOIN enrolments e ON e.id = v.enrolment_id"
        " WHERE v.status = 'planned' AND e.status = 'active' ORDER BY v.id",
    ),
    "session_id": ("patient_id", "SELECT id, patient_id FROM dosing_sessions ORDER BY id"),
    "administration_id": (
        "patient_id",
        "SELECT id, patient_id FROM instrument_administrations ORDER BY id",
    ),
    "alert_id": ("patient_id", "SELECT id, patient_id FROM instrument_alerts ORDER BY id"),
    "signature_id": ("patient_id", "SELECT id, patient_id FROM consent_signatures ORDER BY id"),
    "document_id": ("site_id", "SELECT id, site_id FROM consent_documents ORDER BY id"),
    "note_id": ("patient_id", "SELECT id, patient_id FROM therapy_notes ORDER BY id"),
    "course_id": ("patient_id", "SELECT id, patient_id FROM concomitant_medications ORDER BY id"),
    "link_id": ("patient_id", "SELECT id, patient_id FROM questionnaire_links ORDER BY id"),
}

#: names ending in _id that name no stored record's key
NOT_RECORDS = {"study_id"}

#: valid values for the other fields of the forms and bodies, so that only the parent is wrong
TODAY = date.today().isoformat()
SAMPLE: dict[str, str] = {
    "held_on": TODAY,
    "planned": TODAY,
    "reason": "nested-route test",
    "decision": "",
    "childbearing_potential": "no",
    "kind": "vitals",
    "instrument": "caps5",
}

#: tables whose rows change with every signed-in request (sessions, throttling), not clinical data
VOLATILE = {"login_sessions", "login_attempts", "api_tokens", "alembic_version"}


def parameters(dependant: Dependant, kind: str) -> list[str]:
    """The names of a route's path or body (form) parameters, its dependencies' included."""
    names = [p.name for p in getattr(dependant, kind)]
    for sub in dependant.dependencies:
        names += parameters(sub, kind)
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Nested:
    path_format: str
    methods: frozenset[str]
    dependant: Dependant
    child: str
    parent: str
    #: a record named by the path is not there (404); one named in a form is bad input (422)
    child_in_path: bool


def nested_routes(app: FastAPI) -> list[Nested]:
    """Every route that names a record (`child`, in the path) and its parent (in the path or as
    a form field), with its full path (routers' prefixes included)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        path = parameters(route.dependant, "path_params")
        body = parameters(route.dependant, "body_params")
        path_ids = [name for name in path if name.endswith("_id")]
        named = {name for name in [*path, *body] if name.endswith("_id")} - NOT_RECORDS
        if not path_ids or len(named) < 2:
            continue
        pairs = [(c, PARENT_OF[c][0]) for c in sorted(named & PARENT_OF.keys())]
        pairs = [(child, parent) for child, parent in pairs if parent in named]
        assert pairs, f"{context.path}: name the parent relation of {sorted(named)} in PARENT_OF"
        for child, parent in pairs:
            found.append(
                Nested(
                    context.path_format,
                    frozenset(context.methods or ()),
                    route.dependant,
                    child,
                    parent,
                    child in path_ids,
                )
            )
    return found


@pytest.fixture(scope="module")
def app_routes(demo_app: RunningApp) -> list[Nested]:
    container = bootstrap(Settings(database_url=demo_app.database_url))
    try:
        return nested_routes(create_app(container))
    finally:
        container.engine.dispose()


@pytest.fixture(scope="module")
def database(demo_app: RunningApp) -> Iterator[sqlite3.Connection]:
    path = demo_app.database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def snapshot(database: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table that holds records (the audit chain included)."""
    tables = [
        name
        for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name not in VOLATILE and not name.startswith("sqlite_")
    ]
    return {t: database.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def mismatch(database: sqlite3.Connection, child: str) -> tuple[int, int]:
    """A child record and a parent that is not its own (of the same site, so the caller may act
    on both)."""
    parent, query = PARENT_OF[child]
    rows = database.execute(query).fetchall()
    assert rows, f"the demo clinic has no {child} to test with"
    child_id, own_parent = rows[0]
    if parent == "patient_id":
        other = database.execute(
            "SELECT id FROM patients WHERE id != ? AND site_id ="
            " (SELECT site_id FROM patients WHERE id = ?) ORDER BY id",
            (own_parent, own_parent),
        ).fetchone()
    else:
        other = database.execute("SELECT id FROM sites WHERE id != ?", (own_parent,)).fetchone()
    assert other, f"no second {parent} to mismatch with"
    return child_id, other[0]


def physician_client(app: RunningApp, username: str = "dr.ng") -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=app.base_url)
    form = client.get("/login").text
    login_csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert login_csrf
    signed = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": login_csrf.group(1)},
    )
    assert signed.status_code == 303, signed.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert csrf
    return client, csrf.group(1)


def test_the_walk_finds_the_nested_routes(app_routes: list[Nested]) -> None:
    paths = {route.path_format for route in app_routes}
    # the routes of the security review, as of issue 10
    assert "/patients/{patient_id}/screenings/{screening_id}/sign" in paths
    assert "/patients/{patient_id}/screenings/{screening_id}" in paths
    assert "/patients/{patient_id}/visits/{visit_id}/held" in paths


def test_every_nested_route_refuses_a_child_of_another_parent(
    demo_app: RunningApp,
    app_routes: list[Nested],
    database: sqlite3.Connection,
) -> None:
    # The physician walks every route; a route only a therapist may use (a note's addendum: the
    # role is checked before the parent, and a 403 tells nothing about the record) is walked by
    # a therapist of the same site.
    callers = []
    for username in ("dr.ng", "t.alvarez"):
        client, csrf = physician_client(demo_app, username)
        token = api_token(demo_app, username, "nested routes")
        callers.append((client, csrf, {"Authorization": f"Bearer {token}"}))
    refused = []
    for route in app_routes:
        child_id, wrong_parent = mismatch(database, route.child)
        values = {**SAMPLE, route.child: str(child_id), route.parent: str(wrong_parent)}
        names = parameters(route.dependant, "path_params")
        path = route.path_format.format(**{name: values[name] for name in names})
        fields = {name: values.get(name, "") for name in parameters(route.dependant, "body_params")}
        for method in sorted(route.methods):
            for client, csrf, bearer in callers:
                before = snapshot(database)  # a 403 is audited: compare from the last attempt
                if path.startswith("/api"):
                    body = {k: v for k, v in fields.items() if k != "csrf_token"}
                    response = client.request(
                        method, path, headers=bearer, json=body if method != "GET" else None
                    )
                elif method == "GET":
                    response = client.get(path)
                else:
                    response = client.request(method, path, data={**fields, "csrf_token": csrf})
                if response.status_code != 403:
                    break
            expected = 404 if route.child_in_path else 422
            assert response.status_code == expected, (method, path, route.child, response.text)
            assert snapshot(database) == before, f"{method} {path} stored something"
            refused.append(f"{method} {path}")
    assert len(refused) >= 4, refused


def test_signing_another_patients_screening_signs_nothing(
    demo_app: RunningApp, database: sqlite3.Connection
) -> None:
    """The review's reproduction: POST /patients/13/screenings/3/sign (3 is another patient's)."""
    screening_id, other_patient = mismatch(database, "screening_id")
    client, csrf = physician_client(demo_app)
    before = snapshot(database)
    response = client.post(
        f"/patients/{other_patient}/screenings/{screening_id}/sign",
        data={"csrf_token": csrf, "decision": ""},
    )
    assert response.status_code == 404
    assert snapshot(database) == before
    assert client.get(f"/patients/{other_patient}/screenings/{screening_id}").status_code == 404
