"""The console at the bedside and addenda after discharge, through the web pages on SQLite and
PostgreSQL (issue 13, items 1, 5 and 6): the patient banner and the critical banner at the top,
reasons in words with the rule one click away, every wrong field of a form marked at once, and
addenda that are shown but change no decision. Refusals store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from integration.test_session_recording import CRITICAL, session
from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.entrypoints.api.app import create_app
from mdma_at.services.sessions.recording import load_session, record_entry
from support.clinic import Clinic
from support.db import row_counts
from support.web import signed_in

__all__ = ["session"]  # a fixture, imported to be used here


def _close(ctx: Container, session: DosingSession) -> None:
    """Close the session as an allowed discharge would (the discharge rules have their own
    tests; here only the closed state matters)."""
    with ctx.uow() as uow:
        uow.dosing_sessions.close(session.id, session.started_at + timedelta(hours=8))
        uow.commit()


def _decisions(ctx: Container, clinic: Clinic, session: DosingSession) -> list[object]:
    file = load_session(ctx.uow(), ctx.clock, clinic.coordinator_a, session.id)
    return [(s.decision, s.alerts) for _, s in file.folded.steps]


def test_the_top_of_the_console_names_the_patient_the_critical_reading_and_the_reasons(
    ctx: Container, clinic: Clinic, session: DosingSession
) -> None:
    at = session.started_at + timedelta(minutes=20)  # 00:20 UTC (the test site is on UTC)
    raw = {k: str(v) for k, v in CRITICAL.items()}
    record_entry(ctx.uow(), ctx.clock, clinic.therapist_a, session.id, EntryKind.VITALS, raw, at)
    with TestClient(create_app(ctx)) as client:
        signed_in(client, "t.a")
        console = client.get(f"/sessions/{session.id}").text
        top = client.get(f"/sessions/{session.id}/live?part=top").text
    file = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id)
    banner = console[console.index('id="patient-banner"') :]
    assert file.patient.details.name in banner[:2000]
    assert "61 kg" in banner[:2000]  # the session's weight (the fixture starts it with 61 kg)
    # 182/104 mmHg: systolic ≥ 180 is a hypertensive crisis (ACC/AHA 2017), critical here.
    critical = re.search(
        r'<div class="critical-banner" id="critical-banner" role="alert">(.*?)</div>\s*</div>',
        top,
        re.S,
    )
    assert critical, top
    assert "CRITICAL: blood pressure (systolic) 182/104 mmHg" in critical.group(1)
    assert "at 00:20" in critical.group(1)
    # Reasons as sentences, with the rule's code and source behind a <details>.
    assert "Initial dose not yet: the blood pressure alert from 00:20 is still active" in top
    assert "<summary>Rule</summary><code>critical_alert_active</code>" in top
    assert console.index('id="critical-banner"') < console.index('class="entry vitals-form"')
    for internal in ("DESIGN.md", "ADR 0", "issue 13", "docs/"):
        assert internal not in console, internal


def test_every_wrong_vitals_field_is_marked_at_once_and_nothing_is_stored(
    ctx: Container, clinic: Clinic, session: DosingSession, migrated_database_url: str
) -> None:
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "t.a")
        before = row_counts(migrated_database_url)
        # 400 mmHg is outside the plausible 50–300 and "fast" is not a number: both at once.
        posted = client.post(
            f"/sessions/{session.id}/entries/vitals",
            data={"systolic": "400", "diastolic": "80", "heart_rate": "fast", "csrf_token": csrf},
        )
        after = row_counts(migrated_database_url)
    assert posted.status_code == 422
    assert before == after
    page = posted.text
    assert 'role="alert" id="error-summary"' in page
    for field in ("systolic", "heart_rate"):
        assert re.search(
            rf'id="{field}"[^>]*aria-invalid="true" aria-describedby="err-{field}"', page
        ), field
        assert f'id="err-{field}"' in page
    assert not re.search(r'id="diastolic"[^>]*aria-invalid', page)


def test_an_addendum_after_discharge_is_shown_and_changes_no_decision(
    ctx: Container, clinic: Clinic, session: DosingSession, migrated_database_url: str
) -> None:
    raw = {k: str(v) for k, v in CRITICAL.items()}
    at = session.started_at + timedelta(minutes=20)
    record_entry(ctx.uow(), ctx.clock, clinic.therapist_a, session.id, EntryKind.VITALS, raw, at)
    _close(ctx, session)
    decided = _decisions(ctx, clinic, session)
    url = f"/sessions/{session.id}/entries/addendum"
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "t.a")
        before = row_counts(migrated_database_url)
        # No reason and a time before the session started (00:00 UTC): both refused at once.
        refused = client.post(
            url,
            data={
                "text": "BP rechecked manually",
                "reason": "",
                "at_local": "2026-11-21T23:00",
                "csrf_token": csrf,
            },
        )
        assert row_counts(migrated_database_url) == before
        assert refused.status_code == 422
        assert re.search(r'id="addendum-reason"[^>]*aria-invalid="true"', refused.text)
        assert re.search(r'id="addendum-at"[^>]*aria-invalid="true"', refused.text)
        assert "is before the session started" in refused.text
        posted = client.post(
            url,
            data={
                "text": "BP rechecked manually at 00:25: 170/100",
                "reason": "Paper note found after discharge",
                "at_local": "2026-11-22T00:25",
                "csrf_token": csrf,
            },
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text
        console = client.get(f"/sessions/{session.id}").text
        record = client.get(f"/sessions/{session.id}/record").text
    for page in (console, record):
        assert "Addendum</span> about 22 Nov 2026 00:25:00" in page
        assert "Reason for the late entry: Paper note found after discharge" in page
    assert _decisions(ctx, clinic, session)[: len(decided)] == decided
    file = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id)
    assert file.entries[-1].kind is EntryKind.ADDENDUM
    assert file.folded.steps[-1][1].decision is None and not file.folded.steps[-1][1].alerts


def test_an_addendum_to_an_open_session_is_refused_and_nothing_is_stored(
    ctx: Container, clinic: Clinic, session: DosingSession, migrated_database_url: str
) -> None:
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "t.a")
        before = row_counts(migrated_database_url)
        refused = client.post(
            f"/sessions/{session.id}/entries/addendum",
            data={"text": "late", "reason": "forgot", "csrf_token": csrf},
        )
        assert row_counts(migrated_database_url) == before
    assert refused.status_code == 422
    assert "the session is still open" in refused.text


def test_every_wrong_field_of_the_patient_form_is_marked_at_once_and_nothing_is_stored(
    ctx: Container, clinic: Clinic, migrated_database_url: str
) -> None:
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "c.a")
        before = row_counts(migrated_database_url)
        # A lower-case study ID, a birth date after the fixed clock's day (2026-11-22) and an
        # email without "@": three fields wrong at once.
        posted = client.post(
            "/patients/new",
            data={
                "csrf_token": csrf,
                "site_id": str(clinic.site_a.id),
                "study_id": "x",
                "name": "Someone",
                "date_of_birth": "2030-01-01",
                "sex": "female",
                "email": "nobody",
            },
        )
        assert row_counts(migrated_database_url) == before
    assert posted.status_code == 422
    assert 'role="alert" id="error-summary"' in posted.text
    for field in ("study_id", "date_of_birth", "email"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', posted.text), field
    assert not re.search(r'id="name"[^>]*aria-invalid', posted.text)


def test_a_time_in_the_future_marks_the_time_of_the_entries_and_stores_nothing(
    ctx: Container, clinic: Clinic, session: DosingSession, migrated_database_url: str
) -> None:
    with TestClient(create_app(ctx)) as client:
        csrf = signed_in(client, "t.a")
        before = row_counts(migrated_database_url)
        # 10:00 on the fixed clock's day is an hour after its 09:00 UTC (the site is on UTC).
        posted = client.post(
            f"/sessions/{session.id}/entries/note",
            data={"text": "x", "t_local": "2026-11-22T10:00", "csrf_token": csrf},
        )
        assert row_counts(migrated_database_url) == before
    assert posted.status_code == 422
    assert re.search(r'id="entry-time"[^>]*aria-invalid="true"', posted.text)
    assert 'id="err-entry-time"' in posted.text and "in the future" in posted.text
