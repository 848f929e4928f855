"""Recording a dosing session through the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from mdma_at.bootstrap import Container
from mdma_at.domain.dosing.records import DosingSession, EntryKind
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.services.measurement import measures, safety_alerts
from mdma_at.services.patients import consent, schedule
from mdma_at.services.screening import workup as screening
from mdma_at.services.sessions.recording import (
    load_session,
    record_entry,
    site_day,
    start_session,
)
from support.clinic import Clinic, register

CHECKLIST = {
    "fasting_hours": 11,
    "cssrs_risk": "none",  # typed: ignored, the gate reads the day's administration (issue 9)
    "providers_present": 2,
    "pregnancy_test": "negative",
    "pregnancy_test_date": "2026-11-22",  # the fixed clock's day: the session day (issue 9)
}
NORMAL = {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.8}
CAUTION = {"systolic": 166, "diastolic": 96, "heart_rate": 118, "temperature_c": 37.4}
CRITICAL = {"systolic": 182, "diastolic": 104, "heart_rate": 118, "temperature_c": 37.4}
NO_RISK = ["no"] * 7
# C-SSRS screener: yes to items 1-3 is moderate risk and raises a safety alert (issue 4 triage).
MODERATE_RISK = ["yes", "yes", "yes", "no", "no", "no", "no"]


def _screener(ctx: Container, clinic: Clinic, patient_id: int, answers: list[str]) -> None:
    """A C-SSRS screener administered today (the fixed clock's day), as the instruments record
    it: what the pre-dose gate reads (issue 9, item 6)."""
    measures.record_clinician_instrument(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        patient_id,
        "cssrs-screen",
        answers,
        completed_on=ctx.clock.now().date(),
    )


def _iso(t: datetime) -> str:
    return t.isoformat()


def _screened_and_consented(ctx: Container, clinic: Clinic, patient_id: int) -> None:
    """A physician-signed eligible screening and current consent (issue 3's records)."""
    document = consent.publish_consent_document(
        ctx.uow(),
        ctx.clock,
        clinic.admin,
        clinic.site_a.id,
        title="Consent to MDMA-assisted therapy",
        version=1,
        effective_on=date(2026, 1, 1),
        reference="ICF v1",
    )
    consent.sign_consent(
        ctx.uow(),
        ctx.clock,
        clinic.coordinator_a,
        patient_id,
        document_id=document.id,
        signed_name="Jordan Reyes",
        witness_id=clinic.therapist_a.user_id,
        signed_at=datetime(2026, 5, 25, 10, 0, tzinfo=UTC),
    )
    intake = {
        "screening_date": "2026-05-25",
        "age": 42,
        "sex": "female",
        "childbearing_potential": True,
        "pregnant": False,
        "breastfeeding": False,
        "pregnancy_test": "negative",
        "vitals": {"systolic": 124, "diastolic": 78, "heart_rate": 72, "temperature_c": 36.7},
        "ecg": {"qtc_ms": 415},
        "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 60},
        "conditions": [],
        "substance_use": [],
        "suicide_risk": "low",
        "medications": [],
    }
    stored = screening.record_screening(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id, intake
    )
    screening.sign_screening(ctx.uow(), ctx.clock, clinic.physician_a, stored.id)


@pytest.fixture
def session(ctx: Container, clinic: Clinic) -> DosingSession:
    patient = register(ctx, clinic)
    _screened_and_consented(ctx, clinic, patient.id)
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
    )
    es1 = next(v for v in visits if v.code == "es1")
    return start_session(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        es1.id,
        started_at=_iso(ctx.clock.now() - timedelta(hours=9)),
        childbearing_potential=True,
        weight_kg="61",
        present=[("T.A", "therapist"), ("DR.A", "physician")],
    )


def _record(ctx, who, session, kind, t, **raw):  # type: ignore[no-untyped-def]
    return record_entry(ctx.uow(), ctx.clock, who, session.id, kind, raw, _iso(t))


def _audit_actions(ctx: Container) -> list[str]:
    with ctx.uow() as uow:
        return [e.content.action for e in uow.audit.events()]


def test_a_whole_session_is_recorded_with_the_rules_decisions(ctx, clinic, session) -> None:
    t0 = session.started_at
    dr, ta = clinic.physician_a, clinic.therapist_a
    _screener(ctx, clinic, session.patient_id, NO_RISK)
    _record(ctx, dr, session, EntryKind.CHECKLIST, t0 + timedelta(minutes=5), **CHECKLIST)
    _record(ctx, ta, session, EntryKind.SUDS, t0 + timedelta(minutes=9), value="30")
    _record(ctx, ta, session, EntryKind.VITALS, t0 + timedelta(minutes=10), **NORMAL)
    dose = t0 + timedelta(minutes=15)
    initial = _record(ctx, ta, session, EntryKind.REQUEST_INITIAL, dose, mg=80)
    assert initial.entry.allowed is True
    assert initial.entry.payload["records"] == {"cssrs_risk": "none", "safety_alert_open": False}
    _record(ctx, ta, session, EntryKind.VITALS, dose + timedelta(minutes=100), **CAUTION)
    refused = _record(
        ctx, ta, session, EntryKind.REQUEST_SUPPLEMENTAL, dose + timedelta(minutes=105), mg=40
    )
    assert refused.entry.allowed is False
    # 166/96: caution systolic (> 160) and not below 160/100 (issue 9 item 2).
    assert [r.split(":")[0] for r in refused.entry.reasons] == [
        "bp_needs_physician",
        "alert_active",
    ]
    _record(
        ctx,
        dr,
        session,
        EntryKind.OVERRIDE,
        dose + timedelta(minutes=106),
        action="supplemental",
        reason="BP settling on recheck; benefit outweighs risk",
    )
    allowed = _record(
        ctx, ta, session, EntryKind.REQUEST_SUPPLEMENTAL, dose + timedelta(minutes=107), mg="40"
    )
    assert allowed.entry.allowed is True
    assert "lifted by physician override" in allowed.entry.reasons[0]
    _record(
        ctx,
        ta,
        session,
        EntryKind.ADVERSE_EVENT,
        dose + timedelta(hours=3),
        term="Euphoric mood",
        category="positive_effect",
        severity="mild",
        relatedness="probable",
        outcome="resolved",
        solicited="on",
    )
    _record(ctx, ta, session, EntryKind.VITALS, dose + timedelta(hours=5, minutes=55), **NORMAL)
    _record(ctx, ta, session, EntryKind.VITALS, dose + timedelta(hours=5, minutes=58), **NORMAL)
    plan = {"physician_signoff": "on", "escort": "on"}
    early = _record(
        ctx, dr, session, EntryKind.REQUEST_DISCHARGE, dose + timedelta(hours=6), **plan
    )
    assert early.entry.allowed is False
    assert any(r.startswith("discharge_too_early") for r in early.entry.reasons)
    recovered = dose + timedelta(hours=7, minutes=55)
    _record(ctx, ta, session, EntryKind.VITALS, recovered, **NORMAL)
    _record(ctx, ta, session, EntryKind.SUDS, recovered, value="10")
    _record(ctx, dr, session, EntryKind.CSSRS, recovered, risk="none")
    done = _record(ctx, dr, session, EntryKind.REQUEST_DISCHARGE, dose + timedelta(hours=8), **plan)
    assert done.entry.allowed is True

    file = load_session(ctx.uow(), ctx.clock, clinic.coordinator_a, session.id)
    assert file.session.closed and file.session.closed_at == dose + timedelta(hours=8)
    decisions = [(e.kind.value, e.allowed) for e in file.entries if e.allowed is not None]
    assert decisions == [
        ("request_initial", True),
        ("request_supplemental", False),
        ("request_supplemental", True),
        ("request_discharge", False),
        ("request_discharge", True),
    ]
    # The fold of what was stored gives the same decisions as were given at the time.
    refolded = [s.decision.allowed for _, s in file.folded.steps if s.decision is not None]
    assert refolded == [allowed for _, allowed in decisions]
    actions = _audit_actions(ctx)
    assert actions.count("session_request_supplemental") == 2
    assert "session_override" in actions and "session_closed" in actions

    with pytest.raises(InvalidInput) as closed:
        _record(ctx, ta, session, EntryKind.NOTE, dose + timedelta(hours=8, minutes=1), text="x")
    assert closed.value.field == "session"


def test_a_therapist_ticking_the_sign_off_does_not_sign_for_the_physician(
    ctx, clinic, session
) -> None:
    t = session.started_at + timedelta(minutes=1)
    out = _record(
        ctx, clinic.therapist_a, session, EntryKind.REQUEST_DISCHARGE, t, physician_signoff="on"
    )
    assert out.entry.payload["physician_signoff"] is False
    assert any(r.startswith("no_physician_signoff") for r in out.entry.reasons)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({**NORMAL, "systolic": 400}, "vitals.systolic", "400 is outside 50–300 mmHg"),
        ({**NORMAL, "diastolic": 130}, "vitals.diastolic", "must be below the systolic"),
        ({**NORMAL, "heart_rate": "fast"}, "vitals.heart_rate", "is not a number"),
        ({**NORMAL, "temperature_c": 46}, "vitals.temperature_c", "outside 30–45 °C"),
    ],
)
def test_impossible_vitals_are_refused_and_nothing_is_stored(
    ctx, clinic, session, raw, field, message
) -> None:
    before = len(_audit_actions(ctx))
    with pytest.raises(InvalidInput) as refused:
        _record(ctx, clinic.therapist_a, session, EntryKind.VITALS, ctx.clock.now(), **raw)
    assert refused.value.field == field and message in refused.value.reason
    assert load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id).entries[2:] == ()
    assert len(_audit_actions(ctx)) == before


@pytest.mark.parametrize(
    ("mg", "message"),
    [(0, "must be greater than 0"), ("-5", "greater"), ("forty", "is not a number of mg")],
)
def test_bad_milligrams_are_refused(ctx, clinic, session, mg, message) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        _record(ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, ctx.clock.now(), mg=mg)
    assert refused.value.field == "mg"


def test_a_time_in_the_future_is_refused(ctx, clinic, session) -> None:
    later = ctx.clock.now() + timedelta(minutes=1)
    with pytest.raises(InvalidInput, match="is in the future") as refused:
        _record(ctx, clinic.therapist_a, session, EntryKind.VITALS, later, **NORMAL)
    assert refused.value.field == "t"


def test_an_entry_earlier_than_the_previous_one_is_refused(ctx, clinic, session) -> None:
    now = ctx.clock.now()
    _record(ctx, clinic.therapist_a, session, EntryKind.VITALS, now, **NORMAL)
    with pytest.raises(InvalidInput, match="events must be in time order"):
        _record(
            ctx,
            clinic.therapist_a,
            session,
            EntryKind.NOTE,
            now - timedelta(minutes=1),
            text="late",
        )


def test_an_entry_before_the_session_started_is_refused(ctx, clinic, session) -> None:
    with pytest.raises(InvalidInput, match="before the session started"):
        _record(
            ctx,
            clinic.therapist_a,
            session,
            EntryKind.NOTE,
            session.started_at - timedelta(minutes=1),
            text="early",
        )


def test_only_a_physician_may_override_and_the_denial_is_audited(ctx, clinic, session) -> None:
    with pytest.raises(PermissionDenied):
        _record(
            ctx,
            clinic.therapist_a,
            session,
            EntryKind.OVERRIDE,
            ctx.clock.now(),
            action="supplemental",
            reason="x",
        )
    assert _audit_actions(ctx)[-1] == "access_denied"


def test_a_refused_request_is_a_stored_decision_not_an_error(ctx, clinic, session) -> None:
    out = _record(
        ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, ctx.clock.now(), mg=80
    )
    assert out.entry.allowed is False
    codes = {r.split(":")[0] for r in out.entry.reasons}
    assert {"consent_not_current", "vitals_missing", "providers_too_few"} <= codes
    assert _audit_actions(ctx)[-1] == "session_request_initial"


def test_a_visit_has_one_session(ctx, clinic, session) -> None:
    with pytest.raises(Conflict, match="already has a dosing session"):
        start_session(
            ctx.uow(), ctx.clock, clinic.therapist_a, session.visit_id, childbearing_potential=False
        )


def test_two_writers_at_once_lose_nothing(ctx, clinic, session) -> None:
    errors: list[BaseException] = []

    def writer(who) -> None:  # type: ignore[no-untyped-def]
        try:
            for _ in range(8):
                record_entry(ctx.uow(), ctx.clock, who, session.id, EntryKind.VITALS, NORMAL)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=writer, args=(p,)) for p in (clinic.therapist_a, clinic.physician_a)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id).entries
    assert sum(e.kind is EntryKind.VITALS for e in entries) == 16


def test_session_entries_are_append_only_in_the_database(ctx, clinic, session) -> None:
    with ctx.engine.connect() as db, pytest.raises(Exception, match="append-only"):
        db.execute(text("UPDATE dosing_session_events SET kind = 'note'"))


def test_the_console_answers_as_of_the_entry_time_and_draws_the_band(ctx, clinic, session) -> None:
    from mdma_at.services.sessions.view import console_view

    t0 = session.started_at
    dr, ta = clinic.physician_a, clinic.therapist_a
    _screener(ctx, clinic, session.patient_id, NO_RISK)
    _record(ctx, dr, session, EntryKind.CHECKLIST, t0 + timedelta(minutes=5), **CHECKLIST)
    _record(ctx, ta, session, EntryKind.VITALS, t0 + timedelta(minutes=10), **NORMAL)
    dose = t0 + timedelta(minutes=15)
    _record(ctx, ta, session, EntryKind.REQUEST_INITIAL, dose, mg=80)
    # 15 min after the dose, 158 mmHg is under every limit but above the expected band.
    _record(
        ctx,
        ta,
        session,
        EntryKind.VITALS,
        dose + timedelta(minutes=15),
        **{**NORMAL, "systolic": 158},
    )
    file = load_session(ctx.uow(), ctx.clock, ta, session.id)
    view = console_view(file, ctx.clock.now(), dose + timedelta(minutes=95))
    supplemental = view.buttons["supplemental"]
    assert supplemental.enabled is False
    assert "vitals_stale" in supplemental.codes  # the reading is 80 min old at 1:35
    assert view.session_clock == "T+1:35:00"
    flagged = [row for row in view.vitals if row.above_band]
    assert [row.above_band[0].parameter.value for row in flagged] == ["systolic"]
    assert view.chart["sbp_high"] and len(view.chart["x"]) == len(view.chart["systolic"])
    too_early = console_view(file, ctx.clock.now(), dose)
    assert too_early.buttons["supplemental"].blocked is not None  # before the last entry


def test_consent_eligibility_and_washout_come_from_the_records_not_the_form(ctx, clinic) -> None:
    patient = register(ctx, clinic, "HC-0002")  # never screened, never consented
    _, visits = schedule.enrol(
        ctx.uow(), ctx.clock, clinic.coordinator_a, patient.id, "mapp_v1", date(2026, 6, 1)
    )
    es1 = next(v for v in visits if v.code == "es1")
    unscreened = start_session(
        ctx.uow(),
        ctx.clock,
        clinic.therapist_a,
        es1.id,
        started_at=(ctx.clock.now() - timedelta(hours=1)).isoformat(),
        childbearing_potential=False,
    )
    t = ctx.clock.now() - timedelta(minutes=20)
    ticked = {**CHECKLIST, "consent_current": "on", "eligibility_signed": "on"}
    out = _record(ctx, clinic.physician_a, unscreened, EntryKind.CHECKLIST, t, **ticked)
    assert out.entry.payload["consent_current"] is False
    assert out.entry.payload["eligibility_signed"] is False
    assert out.entry.payload["from_records"]
    _record(
        ctx, clinic.therapist_a, unscreened, EntryKind.VITALS, t + timedelta(minutes=5), **NORMAL
    )
    refused = _record(
        ctx,
        clinic.therapist_a,
        unscreened,
        EntryKind.REQUEST_INITIAL,
        t + timedelta(minutes=6),
        mg=80,
    )
    codes = {r.split(":")[0] for r in refused.entry.reasons}
    assert {"consent_not_current", "eligibility_not_signed"} <= codes


def test_replaying_a_recorded_session_gives_the_decisions_given_live(ctx, clinic, session) -> None:
    from mdma_at.domain.dosing.replay import as_contract, replay
    from mdma_at.domain.dosing.timeline import parse_timeline
    from mdma_at.protocols import get_protocol
    from mdma_at.services.sessions.timeline import replay_timeline

    test_a_whole_session_is_recorded_with_the_rules_decisions(ctx, clinic, session)
    file = load_session(ctx.uow(), ctx.clock, clinic.physician_a, session.id)
    document = replay_timeline(file)
    replayed = as_contract(replay(parse_timeline(document, lambda n: get_protocol(n).dosing)))
    live = [(e.allowed, list(e.reasons)) for e in file.entries if e.allowed is not None]
    # Stored reasons read "<code>: <message>... [<source>]"; the replay gives them structured.
    assert [
        (d["allowed"], [f"{r['code']}: {r['message']}" for r in d["reasons"]])
        for d in replayed["decisions"]
    ] == [(allowed, [r.split(" (lifted by")[0].split(" [")[0] for r in rs]) for allowed, rs in live]
    assert document["pre_dose"]["cssrs_risk"] == "none"  # the record at the request


# --- Issue 9: the records gate the initial dose; per-session checks; bad input stores nothing --


def _ready(ctx, clinic, session):  # type: ignore[no-untyped-def]
    """Checklist and a fresh reading, 20 and 15 min before now."""
    now = ctx.clock.now()
    _record(
        ctx,
        clinic.physician_a,
        session,
        EntryKind.CHECKLIST,
        now - timedelta(minutes=20),
        **CHECKLIST,
    )
    _record(
        ctx, clinic.therapist_a, session, EntryKind.VITALS, now - timedelta(minutes=15), **NORMAL
    )


def _codes(out) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.split(":")[0] for r in out.entry.reasons}


def test_without_a_c_ssrs_administration_today_the_typed_value_does_not_count(
    ctx, clinic, session
) -> None:
    _ready(ctx, clinic, session)
    out = _record(
        ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, ctx.clock.now(), mg=80
    )
    assert out.entry.allowed is False and _codes(out) == {"cssrs_missing"}


def test_an_open_safety_alert_refuses_the_initial_dose_until_acknowledged(
    ctx, clinic, session
) -> None:
    # Reproduced case 5 of issue 9: an open suicide-risk alert did not block the initial dose.
    _screener(ctx, clinic, session.patient_id, MODERATE_RISK)
    _ready(ctx, clinic, session)
    now = ctx.clock.now()
    override = {"action": "initial", "reason": "reviewed"}
    _record(
        ctx, clinic.physician_a, session, EntryKind.OVERRIDE, now - timedelta(minutes=2), **override
    )
    refused = _record(
        ctx,
        clinic.therapist_a,
        session,
        EntryKind.REQUEST_INITIAL,
        now - timedelta(minutes=1),
        mg=80,
    )
    assert refused.entry.allowed is False and _codes(refused) == {"safety_alert_open"}
    with ctx.uow() as uow:
        (alert,) = [a for a in uow.safety_alerts.for_patient(session.patient_id) if a.is_open]
    safety_alerts.acknowledge_safety_alert(
        ctx.uow(), ctx.clock, clinic.physician_a, alert.id, "called the patient; safety plan"
    )
    allowed = _record(ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, now, mg=80)
    assert allowed.entry.allowed is True  # moderate risk today does not refuse the dose


def test_a_new_medication_needing_a_washout_refuses_the_initial_dose(ctx, clinic, session) -> None:
    # Paroxetine t½ 21 h (Paxil label §12.3): 5 × 21 h + 7 d → 12 days of washout (MAPP1 rule).
    _screener(ctx, clinic, session.patient_id, NO_RISK)
    now = ctx.clock.now()
    last = (now - timedelta(days=3)).date().isoformat()
    checklist = {**CHECKLIST, "medications_changed": f"paroxetine, {last}"}
    _record(
        ctx,
        clinic.physician_a,
        session,
        EntryKind.CHECKLIST,
        now - timedelta(minutes=20),
        **checklist,
    )
    _record(
        ctx, clinic.therapist_a, session, EntryKind.VITALS, now - timedelta(minutes=15), **NORMAL
    )
    out = _record(ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, now, mg=80)
    assert out.entry.allowed is False and _codes(out) == {"medication_washout"}
    clear_on = (now - timedelta(days=3) + timedelta(days=12)).date().isoformat()
    assert clear_on in out.entry.reasons[0]


def test_a_pregnancy_test_from_another_day_does_not_count(ctx, clinic, session) -> None:
    _screener(ctx, clinic, session.patient_id, NO_RISK)
    now = ctx.clock.now()
    yesterday = (now - timedelta(days=1)).date().isoformat()
    checklist = {**CHECKLIST, "pregnancy_test_date": yesterday}
    _record(
        ctx,
        clinic.physician_a,
        session,
        EntryKind.CHECKLIST,
        now - timedelta(minutes=20),
        **checklist,
    )
    _record(
        ctx, clinic.therapist_a, session, EntryKind.VITALS, now - timedelta(minutes=15), **NORMAL
    )
    out = _record(ctx, clinic.therapist_a, session, EntryKind.REQUEST_INITIAL, now, mg=80)
    assert out.entry.allowed is False and _codes(out) == {"pregnancy_test_not_today"}


@pytest.mark.parametrize(
    ("kind", "raw", "field", "message"),
    [
        (EntryKind.VITALS, {**NORMAL, "spo2": 49}, "vitals.spo2", "49 is outside 50–100 %"),
        (EntryKind.VITALS, {**NORMAL, "spo2": "101"}, "vitals.spo2", "101 is outside 50–100 %"),
        (EntryKind.SUDS, {"value": "101"}, "value", "101 is outside the SUDS scale 0–100"),
        (EntryKind.SUDS, {"value": "-1"}, "value", "-1 is outside the SUDS scale 0–100"),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "pregnancy_test_date": ""},
            "pregnancy_test_date",
            "is required with a negative test when of childbearing potential "
            "(the test must be dated the session day)",
        ),
        (
            EntryKind.CSSRS,
            {"risk": "extreme"},
            "risk",
            "'extreme' is not a C-SSRS risk (none, low, moderate, high)",
        ),
        (
            EntryKind.CHECKLIST,
            {**CHECKLIST, "medications_changed": [{"name": "", "last_dose": "2026-11-01"}]},
            "medications_changed[0].name",
            "is required (the medication's name)",
        ),
        (
            EntryKind.CHECKLIST,
            {
                **CHECKLIST,
                "medications_changed": [{"name": "sertraline", "last_dose": "2026-11-23"}],
            },
            "medications_changed[0].last_dose",
            "2026-11-23 is in the future (today 2026-11-22)",
        ),
    ],
)
def test_issue_9_bad_input_is_refused_and_nothing_is_stored(
    ctx, clinic, session, kind, raw, field, message
) -> None:
    before = len(_audit_actions(ctx))
    who = clinic.physician_a
    with pytest.raises(InvalidInput) as refused:
        _record(ctx, who, session, kind, ctx.clock.now(), **raw)
    assert (refused.value.field, refused.value.reason) == (field, message)
    # Only the two presence entries of the session's start are stored; the audit is unchanged.
    entries = load_session(ctx.uow(), ctx.clock, who, session.id).entries
    assert [e.kind for e in entries] == [EntryKind.PRESENCE, EntryKind.PRESENCE]
    assert len(_audit_actions(ctx)) == before


def test_before_the_initial_dose_the_discharge_checklist_shows_nothing_met(
    ctx, clinic, session
) -> None:
    from mdma_at.services.sessions.view import console_view

    # Issue 9 item 4: "Before the initial dose the checklist shows nothing as met".
    _ready(ctx, clinic, session)
    file = load_session(ctx.uow(), ctx.clock, clinic.therapist_a, session.id)
    view = console_view(file, ctx.clock.now())
    assert view.discharge_checklist and not any(ok for _, ok in view.discharge_checklist)
    # The labels take their numbers from the protocol (8 h, 30 min, 60 min, SUDS).
    labels = [label for label, _ in view.discharge_checklist]
    assert labels[0] == "At least 8 h after the initial dose"
    assert labels[1] == "A reading within 30 min and a temperature within 1 h"


def test_the_gate_reads_the_records_of_the_sites_day_not_the_utc_day(ctx, clinic) -> None:
    # A 09:30 session in Sydney is 22:30 UTC the day before: the screener and consent its gate
    # reads are those staff dated on the Sydney day (tz database: Australia/Sydney is UTC+11
    # under daylight saving, first Sunday in October to first Sunday in April).
    patient = register(ctx, clinic)
    at = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)
    with ctx.uow() as uow:
        assert site_day(uow, patient.id, at) == date(2026, 11, 22)  # the clinic's site: UTC
        uow.sites.update(clinic.site_a.id, timezone="Australia/Sydney")
        assert site_day(uow, patient.id, at) == date(2026, 11, 23)
