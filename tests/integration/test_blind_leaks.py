"""No route leaks the blind: every page and API route, as every blinded role (issue 16, item 3
and its Done-when; ADR 0165).

On the demo clinic with a randomised study (every eligible patient randomised, one emergency-
unblinded to the designated physician) and its register of active and placebo kits, each blinded
person walks every GET route of the app's route table (pages and API alike) for every randomised
participant and every patient with a dosing session, and calls every API write route with an
empty body; the patient opens their questionnaire link. No response may carry an arm's code or
name, a kit's contents, lot, supplier or label strength, or a field that holds one. The unblinded
statistician and pharmacist are the controls: each does receive what the detector looks for, so a
detector that finds nothing is not a broken detector.

One SQLite database, in-process (TestClient): the template (a copy of the seeded demo clinic,
ADR 0071, with the blinded study) is made once per module and copied per test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.testclient import TestClient

from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.entrypoints.api.app import create_app
from mdma_at.entrypoints.permissions import route_keys
from mdma_at.entrypoints.web.reports.documents import REPORTS
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.measurement.self_report import issue_self_report_link
from support.blind_study import (
    BlindStudy,
    principal,
    randomise_a_blinded_study,
    without_guess_forms,
)
from support.clinic import OPERATOR
from support.seeded_demo import SeededDemo, demo_copy

#: blinded for the arms: everyone but the statistician (ADR 0161); for the kits: everyone but
#: the pharmacist (ADR 0110). The brief's four (rater, therapist, patient, coordinator) and the
#: physician and administrator, who are blinded as well.
BLINDED_TO_KITS = ("r.blind", "t.alvarez", "c.mensah", "dr.ng", "admin", "s.stat")
BLINDED_TO_ARMS = ("r.blind", "t.alvarez", "c.mensah", "dr.ng", "admin", "p.lindqvist")
#: JSON fields that hold an allocation or a kit's contents (their values are checked as well)
ARM_FIELDS = frozenset({"arm", "arms", "allocation", "allocations"})
KIT_FIELDS = frozenset({"contents", "lot", "supplier", "strength"})
#: table headings of the unblinded pages' columns
ARM_HEADINGS = ("Arm",)
KIT_HEADINGS = ("Contents", "Lot", "Strength", "Supplier")
#: routes that describe the API, not records: their field names and enumerations ("active",
#: "placebo" as a receipt's contents) are the schema's, so only this clinic's values are sought
SCHEMA_ROUTES = frozenset({"/openapi.json", "/api/docs"})
#: the register's vocabulary rather than a record's value
WORDS = frozenset({"placebo"})
#: pages whose own text uses that vocabulary: the trial report (for the statistician, who is
#: blinded to kits only) names MAPP2's placebo arm beside the study; it holds no kit at all
VOCABULARY_ROUTES = frozenset({"/studies/{study_id}/report"})
#: the designated physician's approval answers with the arm to that physician alone (ADR 0164)
REVEAL_ROUTE = "/api/studies/{study_id}/unblinding-requests/{request_id}/approval"


@dataclass(frozen=True)
class Template:
    clinic: SeededDemo
    study: BlindStudy
    link_tokens: dict[int, str]
    api_tokens: dict[str, str]
    sessions: dict[int, tuple[int, ...]]  # patient -> dosing sessions
    visits: dict[int, int]  # patient -> a visit
    screenings: dict[int, int]  # patient -> latest screening


@pytest.fixture(scope="module")
def template(
    seeded_demo_sqlite_without_study: SeededDemo, tmp_path_factory: pytest.TempPathFactory
) -> Template:
    """A copy of the seeded demo clinic (ADR 0071; without the demo's own study, whose title
    names its placebo arm) with the blinded study randomised, the patients' links and everyone's
    API tokens: made once per module, copied per test."""
    directory = tmp_path_factory.mktemp("blind-template")
    with demo_copy(seeded_demo_sqlite_without_study, directory) as app:
        study = randomise_a_blinded_study(app)
        coordinator = principal(app, "c.mensah")
        with app.uow() as uow:
            supplied = {m.session_id for m in uow.register.movements() if m.session_id is not None}
            with_kits = sorted(
                p.id
                for p in uow.patients.search(frozenset({study.site_id}))
                if any(s.id in supplied for s in uow.dosing_sessions.for_patient(p.id))
            )
        assert with_kits, "the demo register supplies a demo dosing session"
        # the emergency-unblinded participant and another, and a patient whose sessions hold
        # kits: each route about one patient is walked for these
        patients = sorted({*study.patient_ids[:2], with_kits[0]})
        link_tokens, sessions, visits, screenings = {}, {}, {}, {}
        for patient_id in patients:
            issued = issue_self_report_link(
                app.uow(), app.clock, coordinator, patient_id, reason="blind leak test"
            )
            link_tokens[patient_id] = issued.token
            with app.uow() as uow:
                sessions[patient_id] = tuple(
                    s.id for s in uow.dosing_sessions.for_patient(patient_id)
                )
                enrolments = uow.enrolments.for_patient(patient_id)
                planned = [v for e in enrolments for v in uow.visits.for_enrolment(e.id)]
                if planned:
                    visits[patient_id] = planned[0].id
                latest = uow.screenings.latest(patient_id)
                if latest is not None:
                    screenings[patient_id] = latest.id
        api_tokens = {
            username: issue_api_token(app.uow(), app.clock, OPERATOR, username, "leak test")[0]
            for username in {*BLINDED_TO_ARMS, *BLINDED_TO_KITS}
        }
    return Template(
        SeededDemo(directory), study, link_tokens, api_tokens, sessions, visits, screenings
    )


@pytest.fixture
def clinic_app(template: Template, tmp_path: Path) -> Iterator[FastAPI]:
    with demo_copy(template.clinic, tmp_path) as app:
        yield create_app(app)


def _signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app)
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


@dataclass(frozen=True)
class Hidden:
    """What one blind hides: values (matched in any case), JSON fields, table headings."""

    values: tuple[str, ...]
    fields: frozenset[str]
    headings: tuple[str, ...]


def hidden(template: Template, blind: str) -> Hidden:
    study = template.study
    if blind == "arms":
        return Hidden(study.arm_values, ARM_FIELDS, ARM_HEADINGS)
    return Hidden(study.kit_values, KIT_FIELDS, KIT_HEADINGS)


def leaks(path: str, body: str, content_type: str, blind: Hidden) -> list[str]:
    """What in one response reveals what the blind hides."""
    if "html" in content_type:
        body = without_guess_forms(body)
    text = body.lower()
    if path in SCHEMA_ROUTES:
        return [repr(v) for v in blind.values if v not in WORDS and v.lower() in text]
    words = WORDS if path in VOCABULARY_ROUTES else frozenset()
    found = [repr(v) for v in blind.values if v not in words and v.lower() in text]
    if "json" in content_type:
        found += [f"field {k!r}" for k in sorted(set(_keys(json.loads(body))) & blind.fields)]
    if "html" in content_type:
        found += [f"heading {h!r}" for h in blind.headings if re.search(rf">\s*{h}\s*<", body)]
    return found


def _urls(app: FastAPI, template: Template, method: str) -> Iterator[tuple[str, str]]:
    """(route, URL) for every route of `method` in the app's route table, once per patient for
    the routes about one patient; a path parameter without a value fails the test, so a route
    added with a new kind of record has to be added here too."""
    study = template.study
    for (m, path), _ in sorted(route_keys(app), key=lambda r: r[0]):
        if m != method or path.startswith("/static"):
            continue
        if method == "POST" and not path.startswith("/api/"):
            continue  # a page's form answers with a redirect to a page the GET walk reads
        if path == "/reports/{name}/pdf":
            continue  # the PDF is Chromium's print of /reports/{name}, which the walk reads
        names = re.findall(r"\{([a-z_]+)\}", path)
        if not names:
            yield path, path
            continue
        for patient_id, token in template.link_tokens.items():
            values: dict[str, list[str]] = {
                "patient_id": [str(patient_id)],
                "study_id": [str(study.study_id)],
                "site_id": [str(study.site_id)],
                "instrument": ["caps5"],
                "token": [token],
                "session_id": [str(s) for s in template.sessions[patient_id]],
                "visit_id": [str(template.visits[patient_id])]
                if patient_id in template.visits
                else [],
                "screening_id": [str(template.screenings[patient_id])]
                if patient_id in template.screenings
                else [],
                # every report over a period that holds the whole demo clinic
                "name": [f"{name}?start=2020-01-01&end=2030-12-31" for name in REPORTS],
            }
            if method == "POST":  # write routes: any record number; their answer is checked
                values = {n: (values.get(n) or ["1"])[:1] for n in names}
            missing = [n for n in names if n not in values]
            assert not missing, f"{path}: give the leak test a value for {missing}"
            urls = [path]
            for name in names:
                urls = [u.replace("{" + name + "}", v) for u in urls for v in values[name]]
            yield from ((path, url) for url in urls)
            if method == "POST" or ("patient_id" not in names and "token" not in names):
                break  # the same URL for every patient, or one patient is enough to write to


def _walk(app: FastAPI, template: Template, username: str, method: str) -> tuple[list[str], int]:
    """Every route of `method` as `username` (signed in on the pages, by token in the API)."""
    client = _signed_in(app, username)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert csrf
    bearer = {"Authorization": f"Bearer {template.api_tokens[username]}"}
    found, answered = [], 0
    with client:
        for path, url in _urls(app, template, method):
            if path == "/logout" or (path == REVEAL_ROUTE and username == "dr.ng"):
                continue
            if method == "GET":
                headers = bearer if path.startswith("/api/") else {}
                response = client.get(url, headers=headers, follow_redirects=False)
            elif path.startswith("/api/"):
                response = client.post(url, headers=bearer, json={})
            else:
                response = client.post(
                    url, data={"csrf_token": csrf.group(1)}, follow_redirects=False
                )
            answered += response.status_code == 200
            kind = response.headers.get("content-type", "")
            for blind, who in (("arms", BLINDED_TO_ARMS), ("kits", BLINDED_TO_KITS)):
                if username in who:
                    found += [
                        f"{username} {method} {url}: {leak}"
                        for leak in leaks(path, response.text, kind, hidden(template, blind))
                    ]
    return found, answered


@pytest.mark.parametrize("username", sorted({*BLINDED_TO_ARMS, *BLINDED_TO_KITS}))
def test_no_page_or_api_route_reveals_an_arm_or_a_kit_to_a_blinded_role(
    clinic_app: FastAPI, template: Template, username: str
) -> None:
    read, answered = _walk(clinic_app, template, username, "GET")
    assert answered > 10  # the walk reached the records, not only refusals
    # then every API write with an empty body: refusals and errors must not carry them either
    written, _ = _walk(clinic_app, template, username, "POST")
    assert read + written == [], "\n".join(read + written)


def test_the_patient_s_link_reveals_nothing(clinic_app: FastAPI, template: Template) -> None:
    with TestClient(clinic_app) as anonymous:
        for token in template.link_tokens.values():
            response = anonymous.get(f"/r/{token}")
            assert response.status_code == 200
            kind = response.headers["content-type"]
            for blind in ("arms", "kits"):
                assert leaks("/r/{token}", response.text, kind, hidden(template, blind)) == []


def test_the_detector_finds_what_the_unblinded_receive(
    clinic_app: FastAPI, template: Template
) -> None:
    study = template.study
    statistician = _signed_in(clinic_app, "s.stat")
    with statistician:
        page = statistician.get(f"/studies/{study.study_id}")
        kind = page.headers["content-type"]
        assert leaks("/studies/{study_id}", page.text, kind, hidden(template, "arms"))
    pharmacist = _signed_in(clinic_app, "p.lindqvist")
    with pharmacist:
        page = pharmacist.get("/register")
        kind = page.headers["content-type"]
        assert leaks("/register", page.text, kind, hidden(template, "kits"))
    with TestClient(clinic_app) as client:
        bearer = {"Authorization": f"Bearer {template.api_tokens['p.lindqvist']}"}
        stock = client.get(f"/api/register/sites/{study.site_id}/stock", headers=bearer)
        assert {"field 'contents'", "field 'lot'"} <= set(
            leaks(
                "/api/register/sites/{site_id}/stock",
                stock.text,
                "application/json",
                hidden(template, "kits"),
            )
        )


def test_every_route_of_the_app_answers_through_disclose(clinic_app: FastAPI) -> None:
    endpoints = [
        (getattr(route, "path", "?"), route.dependant.call)
        for route in routing.iter_route_contexts(clinic_app.routes)
        if getattr(route, "dependant", None) is not None
    ]
    assert len(endpoints) > 100  # the pages and the API, not an empty walk
    assert [path for path, call in endpoints if not getattr(call, "__discloses__", False)] == []


def test_the_arm_reaches_the_approving_physician_through_the_same_layer(
    clinic_app: FastAPI, template: Template
) -> None:
    study = template.study
    patient_id = study.patient_ids[1]

    def bearer(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {template.api_tokens[username]}"}

    with TestClient(clinic_app) as client:
        asked = client.post(
            f"/api/studies/{study.study_id}/participants/{patient_id}/unblinding-requests",
            headers=bearer("t.alvarez"),
            json={"reason": "suspected serotonin syndrome"},
        )
        assert asked.status_code == 201, asked.text
        approval = f"/api/studies/{study.study_id}/unblinding-requests/{asked.json()['request_id']}"
        refused = client.post(f"{approval}/approval", headers=bearer("t.alvarez"))
        assert refused.status_code == 403
        assert leaks(approval, refused.text, "application/json", hidden(template, "arms")) == []
        revealed = client.post(f"{approval}/approval", headers=bearer("dr.ng"))
        assert revealed.status_code == 200, revealed.text
        arm = revealed.json()["arm"]
        assert (arm["code"], arm["name"]) in zip(
            study.arm_values[::2], study.arm_values[1::2], strict=True
        )
