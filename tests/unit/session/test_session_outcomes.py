"""What a session entry caused, as domain events (ADR 0009): compared between the state before
the entry and after it, so the paging and the register hear of each thing once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from mdma_at.domain.dosing.entries import Step, begin, check_payload, step
from mdma_at.domain.dosing.outcomes import session_events
from mdma_at.domain.dosing.records import DosingSession, EntryKind, SessionEntry, SessionStatus
from mdma_at.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    AlertResolved,
    DomainEvent,
    DoseGiven,
    PhysicianCalled,
    SessionDischarged,
)
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.protocols import get_protocol

RULES = get_protocol("mapp_v1").dosing
T0 = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
SESSION = DosingSession(4, 9, 1, "mapp_v1", 1, T0, None, False, 61.0, SessionStatus.OPEN)
CHECKLIST = {
    "consent_current": "on",
    "eligibility_signed": "on",
    "washout_complete": "on",
    "fasting_hours": "11",
    "cssrs_risk": "none",
    "providers_present": "2",
}
NORMAL = {"systolic": "124", "diastolic": "78", "heart_rate": "72", "temperature_c": "36.8"}
# DESIGN.md §4, in-session alerts: systolic ≥ 180 is a hypertensive crisis (ACC/AHA 2017), critical.
CRITICAL = {"systolic": "182", "diastolic": "104", "heart_rate": "88", "temperature_c": "36.9"}
# DESIGN.md §4: systolic 166 is above the caution limit (> 160, Vizeli & Liechti 2017) and below
# the critical one (≥ 180); diastolic 96 and heart rate 118 are inside their caution limits.
CAUTION = {"systolic": "166", "diastolic": "96", "heart_rate": "118", "temperature_c": "37.4"}


def _run(*entries: tuple[int, EntryKind, dict[str, object], str]) -> list[list[DomainEvent]]:
    """The events of each entry, folded one after the other as `record_entry` does."""
    state = begin(SESSION, "male", RULES)
    out = []
    for n, (minutes, kind, raw, role) in enumerate(entries, start=1):
        payload = check_payload(kind, raw, recorded_by_physician=role == "physician")
        t = T0 + timedelta(minutes=minutes)
        entry = SessionEntry(n, SESSION.id, t, kind, payload, None, (), None, "x", role, t)
        result = step(state, kind, t, payload, role, RULES)
        out.append(list(session_events(SESSION, entry, state, result)))
        state = result.state
    return out


def test_a_critical_reading_raises_a_critical_alert_and_each_new_one_raises_it_again() -> None:
    normal, first, second = _run(
        (10, EntryKind.VITALS, NORMAL, "therapist"),
        (20, EntryKind.VITALS, CRITICAL, "therapist"),
        (25, EntryKind.VITALS, CRITICAL, "therapist"),
    )
    assert normal == []
    (raised,) = first
    assert isinstance(raised, AlertRaised) and raised.critical
    assert (raised.session_id, raised.patient_id, raised.entry_id) == (4, 9, 2)
    assert raised.t == T0 + timedelta(minutes=20) and "systolic 182" in raised.readings
    assert [type(e) for e in second] == [AlertRaised]  # a new critical reading pages again


def test_a_caution_reading_raises_a_caution_alert_that_pages_nobody() -> None:
    ((raised,),) = _run((10, EntryKind.VITALS, CAUTION, "therapist"))
    assert isinstance(raised, AlertRaised) and raised.level is AlertLevel.CAUTION
    assert not raised.critical


def test_acknowledging_then_two_normal_readings_resolve_the_alert_once() -> None:
    # Two consecutive readings inside the caution limits clear an alert (DESIGN.md §4).
    _, acknowledged, one, two, three = _run(
        (20, EntryKind.VITALS, CRITICAL, "therapist"),
        (22, EntryKind.ACKNOWLEDGE, {"note": "seen"}, "physician"),
        (25, EntryKind.VITALS, NORMAL, "therapist"),
        (30, EntryKind.VITALS, NORMAL, "therapist"),
        (35, EntryKind.VITALS, NORMAL, "therapist"),
    )
    assert [type(e) for e in acknowledged] == [AlertAcknowledged]
    assert one == [] and three == []
    assert [type(e) for e in two] == [AlertResolved]


def test_an_escalation_calls_the_physician_with_its_note() -> None:
    ((called,),) = _run((30, EntryKind.ESCALATE, {"note": "patient agitated"}, "therapist"))
    assert called == PhysicianCalled(4, 9, 1, T0 + timedelta(minutes=30), "patient agitated")


def test_an_allowed_initial_dose_is_given_and_a_refused_one_is_not() -> None:
    *_, given = _run(
        (5, EntryKind.CHECKLIST, CHECKLIST, "physician"),
        (10, EntryKind.VITALS, NORMAL, "therapist"),
        (12, EntryKind.REQUEST_INITIAL, {"mg": "80"}, "therapist"),
    )
    assert given == [DoseGiven(4, 9, 3, T0 + timedelta(minutes=12), "initial", 80.0)]
    # Without the pre-dose checklist the rules refuse the request: nothing was given.
    *_, refused = _run(
        (10, EntryKind.VITALS, NORMAL, "therapist"),
        (12, EntryKind.REQUEST_INITIAL, {"mg": "80"}, "therapist"),
    )
    assert refused == []


def test_a_discharge_that_closes_the_session_is_an_event() -> None:
    before = begin(SESSION, "male", RULES)
    at = T0 + timedelta(hours=8)
    entry = SessionEntry(
        5, SESSION.id, at, EntryKind.REQUEST_DISCHARGE, {}, True, (), None, "x", "physician", at
    )
    after = Step(replace(before, discharged_at=at, last_event_at=at))
    assert session_events(SESSION, entry, before, after) == (SessionDischarged(4, 9, 5, at),)
