"""Input the record must not take, refused with the field and the reason, nothing stored, in the
API (422 problem+json) and on the page's form (issue 14, item 8; ADR 0131)."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from integration.test_session_recording import session
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.access.auth import issue_api_token
from mdma_at.services.patients import consent
from support.clinic import OPERATOR, Clinic, register
from support.db import row_counts
from support.web import signed_in

__all__ = ["session"]  # a fixture, imported to be used here

# The fixed clock of the tests is 2026-11-22 09:00 UTC (support/clock.py).
TODAY = date(2026, 11, 22)
AE = {"term": "headache", "severity": "mild", "relatedness": "possible"}


def _api(client: TestClient, ctx: Container, username: str) -> dict[str, str]:
    token, _ = issue_api_token(ctx.uow(), ctx.clock, OPERATOR, username, "validation tests")
    return {"Authorization": f"Bearer {token}"}


def _refused(answer: object, field: str, words: str) -> None:
    json = answer.json()  # type: ignore[attr-defined]
    assert answer.status_code == 422, json  # type: ignore[attr-defined]
    assert json["field"] == field and words in json["detail"], json


def test_an_adverse_event_that_began_before_the_session_is_refused(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    url = ctx.settings.database_url
    with TestClient(create_app(ctx)) as client:
        headers = _api(client, ctx, "t.a")
        csrf = signed_in(client, "t.a")
        before = row_counts(url)
        api = client.post(
            f"/api/sessions/{session.id}/entries",
            headers=headers,
            json={
                "kind": "adverse_event",
                "data": {**AE, "onset": "2020-01-01T10:00Z"},
            },
        )
        _refused(api, "onset", "before the session started")
        form = client.post(
            f"/sessions/{session.id}/entries/adverse_event",
            data={"csrf_token": csrf, **AE, "onset_local": "2020-01-01T10:00"},
        )
        assert form.status_code == 422
        # the error summary names the field, then the reason
        assert "<strong>onset</strong>: 2020-01-01T10:00:00Z is before the session started" in (
            form.text
        )
        assert row_counts(url) == before
        # an onset during the session is taken (started 9 h before the clock)
        taken = client.post(
            f"/api/sessions/{session.id}/entries",
            headers=headers,
            json={
                "kind": "adverse_event",
                "data": {**AE, "onset": "2026-11-22T02:00Z"},
            },
        )
        assert taken.status_code == 201, taken.text


def _patient_form(csrf: str, born: str, study_id: str = "HC-0900") -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "site_id": "1",
        "study_id": study_id,
        "name": "Alex Doe",
        "date_of_birth": born,
        "sex": "female",
    }


def test_a_birth_date_in_the_future_or_over_120_years_ago_is_refused(
    ctx: Container, clinic: Clinic
) -> None:
    url = ctx.settings.database_url
    with TestClient(create_app(ctx)) as client:
        headers = _api(client, ctx, "c.a")
        csrf = signed_in(client, "c.a")
        before = row_counts(url)
        # 120 years is the oldest plausible age (domain/plausibility.py AGE_YEARS, inclusive):
        # born 1905-11-22, the patient is 121 on 2026-11-22
        for born, words in (("2026-11-23", "is in the future"), ("1905-11-22", "above 120")):
            body = {**_patient_form(csrf, born), "site_id": clinic.site_a.id}
            del body["csrf_token"]
            _refused(
                client.post("/api/patients", headers=headers, json=body), "date_of_birth", words
            )
            form = client.post("/patients/new", data=_patient_form(csrf, born))
            assert form.status_code == 422
            assert f"{born} " in form.text and words in form.text
            assert 'id="date_of_birth" name="date_of_birth"' in form.text
            assert 'aria-invalid="true"' in form.text
            assert 'name="date_of_birth" type="date" required value="' in form.text
            assert 'aria-invalid="true"' in form.text
        assert row_counts(url) == before


def test_a_minor_is_registered_with_a_warning_and_never_enrolled_on_mapp_v1(
    ctx: Container, clinic: Clinic
) -> None:
    url = ctx.settings.database_url
    with TestClient(create_app(ctx)) as client:
        headers = _api(client, ctx, "c.a")
        csrf = signed_in(client, "c.a")
        # born two days ago (the issue's example): age 0
        registered = client.post(
            "/patients/new", data=_patient_form(csrf, "2026-11-20"), follow_redirects=False
        )
        assert registered.status_code == 303
        chart = client.get(registered.headers["location"])
        # MAPP1/MAPP2 inclusion: 18 years or older (protocols/mapp_v1/eligibility.py)
        assert "Registered. Warning: age 0 on 2026-11-22 is below the minimum age 18" in chart.text
        assert (
            'id="age-warning"' in chart.text
            and 'action="/patients/'
            not in chart.text.split('id="age-warning"')[1].split("</section>")[0]
        )
        patient_id = int(re.findall(r"/patients/(\d+)", registered.headers["location"])[0])
        before = row_counts(url)
        api = client.post(
            f"/api/patients/{patient_id}/enrolments",
            headers=headers,
            json={"protocol": "mapp_v1", "enrolled_on": "2026-11-22"},
        )
        _refused(api, "date_of_birth", "below the minimum age 18 of mapp_v1")
        assert "18 years or older" in api.json()["detail"]  # the criterion's source
        form = client.post(
            f"/patients/{patient_id}/enrol",
            data={"csrf_token": csrf, "protocol": "mapp_v1", "enrolled_on": "2026-11-22"},
        )
        assert form.status_code == 422
        assert "age 0 on 2026-11-22 is below the minimum age 18" in form.text
        assert row_counts(url) == before


def test_an_adult_of_exactly_18_is_enrolled(ctx: Container, clinic: Clinic) -> None:
    with TestClient(create_app(ctx)) as client:
        headers = _api(client, ctx, "c.a")
        csrf = signed_in(client, "c.a")
        # 18th birthday on the day of enrolment: 18 years is the minimum, inclusive (MAPP1/MAPP2)
        registered = client.post(
            "/patients/new", data=_patient_form(csrf, "2008-11-22"), follow_redirects=False
        )
        assert "Warning" not in registered.headers["location"]
        patient_id = int(re.findall(r"/patients/(\d+)", registered.headers["location"])[0])
        enrolled = client.post(
            f"/api/patients/{patient_id}/enrolments",
            headers=headers,
            json={"protocol": "mapp_v1", "enrolled_on": "2026-11-22"},
        )
        assert enrolled.status_code == 201, enrolled.text


def test_consent_on_a_superseded_version_is_refused(ctx: Container, clinic: Clinic) -> None:
    patient = register(ctx, clinic)
    site = clinic.site_a.id
    old, new = (
        consent.publish_consent_document(
            ctx.uow(),
            ctx.clock,
            clinic.coordinator_a,
            site,
            title="Consent",
            version=version,
            effective_on=on,
            text=f"version {version}",
        )
        for version, on in ((1, date(2026, 1, 1)), (2, date(2026, 10, 1)))
    )
    url = ctx.settings.database_url
    with TestClient(create_app(ctx)) as client:
        headers = _api(client, ctx, "t.a")
        csrf = signed_in(client, "t.a")
        before = row_counts(url)
        body = {
            "document_id": old.id,
            "signed_name": "Jordan Reyes",
            "witness_id": clinic.therapist_a.user_id,
        }
        api = client.post(f"/api/patients/{patient.id}/consents", headers=headers, json=body)
        _refused(api, "document_id", "version 1 was superseded by version 2")
        form = client.post(
            f"/patients/{patient.id}/consent/sign",
            data={"csrf_token": csrf, **{k: str(v) for k, v in body.items()}},
        )
        assert form.status_code == 422
        assert "document_id: version 1 was superseded by version 2" in form.text
        assert row_counts(url) == before
        body["document_id"] = new.id
        signed = client.post(f"/api/patients/{patient.id}/consents", headers=headers, json=body)
        assert signed.status_code == 201, signed.text
