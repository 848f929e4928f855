"""Recording a dosing session live: start it, append entries, read it back (issue 5, item 3).

Every entry is checked as input first (impossible vitals, bad amounts, times in the future, out
of order, after discharge: `InvalidInput`, nothing stored), then run through the same rule engine
as `mdma-at session replay` over everything recorded before it. A request the rules refuse is
stored and audited as a refused decision with its reasons: it is an answer, not an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.dosing import DosingRules
from mdma_at.domain.dosing.entries import (
    Folded,
    Step,
    check_onset,
    check_payload,
    is_physician,
    step,
)
from mdma_at.domain.dosing.outcomes import session_events
from mdma_at.domain.dosing.recording import ensure_not_in_future
from mdma_at.domain.dosing.records import DosingSession, EntryKind, NewEntry, SessionEntry
from mdma_at.domain.dosing.session import ensure_can_follow
from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.domain.errors import Conflict, InvalidInput, InvalidInputs, NotFound
from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.local_time import local_time
from mdma_at.domain.patients import Patient
from mdma_at.domain.plausibility import SESSION_WEIGHT_KG
from mdma_at.domain.schedule.records import EnrolmentStatus, Visit
from mdma_at.domain.screening import GateReason
from mdma_at.domain.staff import Principal
from mdma_at.domain.times import parse_entered_time
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse
from mdma_at.services.audit import Actor, record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.patients.schedule import hold_at_discharge
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.protocol_settings import effective_protocol, session_rules
from mdma_at.services.records import require_child_of
from mdma_at.services.register.doses import read_kit, take_dose
from mdma_at.services.screening.concomitant import for_session
from mdma_at.services.screening.workup import first_dosing_check
from mdma_at.services.sessions.folds import folded_session
from mdma_at.services.site_time import zone_of_patient

# Which permission each kind of entry needs (domain/access.py): the pre-dose checklist, rule
# overrides and alert acknowledgements are the physician's; the rest is the session team's.
_PERMISSION = {
    EntryKind.CHECKLIST: Action.CONFIRM_PRE_DOSE,
    EntryKind.OVERRIDE: Action.OVERRIDE_SESSION_RULE,
    EntryKind.ACKNOWLEDGE: Action.ACKNOWLEDGE_VITALS_ALERT,
}
_DOSES = (EntryKind.REQUEST_INITIAL, EntryKind.REQUEST_SUPPLEMENTAL)


@dataclass(frozen=True, slots=True)
class SessionFile:
    """A session as read back: the patient, the dosing visit, every entry and the fold, and
    what the patient's records say now for the pre-dose gate (`records_today`)."""

    session: DosingSession
    patient: Patient
    visit: Visit
    entries: tuple[SessionEntry, ...]
    folded: Folded
    rules: DosingRules  # the site's rules as they stood when the session started
    records: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recorded:
    """An entry just stored and what it did (its decision for a request)."""

    entry: SessionEntry
    step: Step


def start_session(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    visit_id: int,
    *,
    started_at: object = None,
    childbearing_potential: bool,
    weight_kg: object = None,
    present: Sequence[tuple[str, str]] = (),
    patient_id: int | None = None,
) -> DosingSession:
    """Open the dosing session of a dosing visit (one per visit).

    Args:
        started_at: ISO-8601 time with an offset, or blank for now; never in the future.
        weight_kg: optional, within `SESSION_WEIGHT_KG` (recorded for the PK view; no dose rule
            uses it).
        present: (name, role) of the people in the room at the start, recorded as presence
            entries at the start time.
        patient_id: the patient the form names; another patient's visit is "no visit" (404).

    Raises:
        InvalidInput: a time in the future or without an offset, an impossible weight.
        Conflict: the visit is not a dosing visit, already has a session, or the patient has
            withdrawn.
    """
    weight = _weight(weight_kg)
    people = [(name.strip(), role.strip()) for name, role in present if name.strip()]
    with uow:
        visit = uow.visits.get(visit_id)
        enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
        if visit is None or enrolment is None:
            raise NotFound(f"no visit {visit_id}")
        require_child_of(enrolment.patient_id, patient_id, "visit", visit_id)
        patient, actor = load_patient(
            uow,
            clock,
            principal,
            enrolment.patient_id,
            Action.RUN_SESSION,
            missing=f"no visit {visit_id}",
        )
        if enrolment.status is not EnrolmentStatus.ACTIVE:
            raise Conflict("the patient has withdrawn: no session can start")
        if visit.dosing_number is None:
            raise Conflict(f"{visit.label} is not a dosing session")
        if uow.dosing_sessions.for_visit(visit.id) is not None:
            raise Conflict(f"{visit.label} already has a dosing session")
        now = clock.now()
        at = parse_entered_time(started_at, "started_at") or now
        ensure_not_in_future(at, now, "started_at")
        rules = effective_protocol(uow, patient.site_id, enrolment.protocol, at).dosing
        rules.initial_dose_for(visit.dosing_number)
        session = uow.dosing_sessions.add(
            patient.id,
            visit.id,
            enrolment.protocol,
            visit.dosing_number,
            at,
            principal.user_id,
            childbearing_potential,
            weight,
        )
        record(
            uow,
            clock,
            actor,
            "session_started",
            "dosing_session",
            session.id,
            after={
                "patient": patient.study_id,
                "visit": visit.code,
                "session_number": visit.dosing_number,
                "started_at": stamp(at),
                "childbearing_potential": childbearing_potential,
                "weight_kg": weight,
            },
        )
        for name, role in people:
            _append(
                uow,
                clock,
                actor,
                principal.full_name,
                session,
                NewEntry(at, EntryKind.PRESENCE, {"name": name, "role": role, "change": "arrived"}),
            )
        uow.commit()
    return session


def record_entry(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    session_id: int,
    kind: EntryKind,
    raw: Mapping[str, Any],
    t: object = None,
) -> Recorded:
    """Append one entry to a session, with the rules' decision when it is a request.

    Args:
        kind: what is recorded.
        raw: the entry's fields as entered (numbers may be text from a form).
        t: when it happened: ISO-8601 with an offset, or blank for now. Never in the future,
            never before the previous entry or the start of the session.

    Raises:
        InvalidInput: impossible values, a time in the future / out of order / before the
            session started, an entry after discharge closed the session, a dose without the
            kit it is taken from or from a kit it cannot come from (`services.register.doses`).
            Nothing is stored.
        PermissionDenied: the role does not allow this kind of entry (audited).
    """
    if kind is EntryKind.ADDENDUM:
        return record_addendum(uow, clock, principal, session_id, raw, t)
    check_payload(kind, raw, recorded_by_physician=False)  # bad input before anything else
    kit = read_kit(raw) if kind in _DOSES else None
    entered = parse_entered_time(t)
    with uow:
        session, patient, actor = _locked_session(
            uow, clock, principal, session_id, _PERMISSION.get(kind, Action.RUN_SESSION)
        )
        now = clock.now()
        rules = session_rules(uow, patient, session)
        payload = check_payload(
            kind,
            raw,
            recorded_by_physician=is_physician(actor.role),
            rules=rules,
            today=now.date(),
        )
        at = entered or now
        ensure_not_in_future(at, now)
        if (
            kind is EntryKind.CHECKLIST
            and session.childbearing_potential
            and payload["pregnancy_test"] == "negative"
            and payload["pregnancy_test_date"] is None
        ):
            # Issue 9, item 7: the negative test must be dated the session day, so it needs a date.
            raise InvalidInput(
                "pregnancy_test_date",
                "is required with a negative test when of childbearing potential "
                "(the test must be dated the session day)",
            )
        if kind is EntryKind.CHECKLIST:
            payload.update(records_gate(uow, patient.id, at))
            payload.update(records_today(uow, patient.id, at))
            payload["medications_changed"] = with_medication_list(
                payload["medications_changed"],
                for_session(uow, patient.id, site_day(uow, patient.id, at)),
            )
        if kind is EntryKind.REQUEST_INITIAL:
            payload["records"] = records_today(uow, patient.id, at)
        ensure_can_follow(at, None, session.closed_at if session.closed else None)
        if at < session.started_at:
            raise InvalidInput(
                "t", f"{stamp(at)} is before the session started at {stamp(session.started_at)}"
            )
        if kind is EntryKind.ADVERSE_EVENT:
            check_onset(payload, session.started_at, at)  # issue 14, item 8
        folded = folded_session(uow, session, patient.details.sex.value, rules)
        if kind is EntryKind.CSSRS and folded.state.initial is None:
            raise InvalidInput(
                "kind",
                "before the initial dose the C-SSRS is read from the patient's administrations "
                "(record the screener under Instruments); a screener here is for discharge",
            )
        result = step(folded.state, kind, at, payload, actor.role, rules)
        decision = result.decision
        if kit is not None:
            # The dose's administration is written in this transaction (ADR 0111): a refusal
            # of the kit stores neither the dose nor its ledger entry.
            taken = take_dose(
                uow, clock, principal, session.id, kit, mg=payload["mg"], at=at,
                given=decision is not None and decision.allowed,
            )  # fmt: skip
            if taken is not None:
                payload["kit"] = taken
        entry = _append(
            uow,
            clock,
            actor,
            principal.full_name,
            session,
            NewEntry(
                at,
                kind,
                payload,
                None if decision is None else decision.allowed,
                () if decision is None else tuple(str(r) for r in decision.reasons),
            ),
            alerts=[
                f"{a.alert.parameter} {a.alert.level} {a.alert.value:g}" for a in result.alerts
            ],
        )
        for event in session_events(session, entry, folded.state, result):
            uow.emit(event)
        if result.state.discharged_at is not None:
            uow.dosing_sessions.close(session.id, result.state.discharged_at)
            record(
                uow,
                clock,
                actor,
                "session_closed",
                "dosing_session",
                session.id,
                before={"status": session.status},
                after={"status": "closed", "closed_at": stamp(result.state.discharged_at)},
            )
            site = uow.sites.get(patient.site_id)  # the visit is held on the site's day
            zone = ZoneInfo(site.timezone) if site else UTC
            hold_at_discharge(
                uow, clock, actor, session.visit_id, session.started_at.astimezone(zone).date()
            )
        uow.commit()
    return Recorded(entry, result)


def record_addendum(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    session_id: int,
    raw: Mapping[str, Any],
    t: object = None,
) -> Recorded:
    """Append an addendum to a session closed by discharge (issue 13, item 5).

    `t` is the time the addendum refers to (blank: now); the entry keeps who wrote it and when.
    The fold ignores addenda, so no decision made in the session changes.

    Raises:
        InvalidInput: naming every problem at once (`InvalidInputs`): no text, no reason, a time
            that does not parse, before the session started or in the future, or a session
            still open (record a note instead). Nothing is stored.
    """
    problems: list[tuple[str, str]] = []
    payload: dict[str, Any] = {}
    try:
        payload = check_payload(EntryKind.ADDENDUM, raw, recorded_by_physician=False)
    except InvalidInputs as wrong:
        problems.extend(wrong.problems)
    except InvalidInput as wrong:
        problems.append((wrong.field, wrong.reason))
    entered = None
    try:
        entered = parse_entered_time(t)
    except InvalidInput as wrong:
        problems.append((wrong.field, wrong.reason))
    with uow:
        session, patient, actor = _locked_session(
            uow, clock, principal, session_id, Action.RUN_SESSION
        )
        zone = zone_of_patient(uow, patient.id)
        now = clock.now()
        at = entered or now
        if not session.closed:
            problems.append(
                ("kind", "the session is still open: an addendum follows discharge (add a note)")
            )
        if at < session.started_at:
            started = local_time(session.started_at, zone)
            problems.append(("t", f"is before the session started ({started})"))
        elif at > now:
            problems.append(("t", f"is in the future (now {local_time(now, zone)})"))
        InvalidInputs.raise_all(problems)
        rules = session_rules(uow, patient, session)
        folded = folded_session(uow, session, patient.details.sex.value, rules)
        entry = _append(
            uow,
            clock,
            actor,
            principal.full_name,
            session,
            NewEntry(at, EntryKind.ADDENDUM, payload),
        )
        uow.commit()
    return Recorded(entry, Step(folded.state))


# Which of the screening gate's reasons (services.screening) refuse which checklist item.
_NOT_SIGNED = {
    GateReason.NO_SCREENING,
    GateReason.NOT_SIGNED,
    GateReason.NOT_CLEARED,
    GateReason.BEFORE_SCREENING,
}


def records_gate(uow: UnitOfWork, patient_id: int, at: datetime) -> dict[str, Any]:
    """Consent, signed eligibility and washout on the day of `at`, from the screening and consent
    records (issue 3's gate), never from what was ticked: the records are the source of truth.

    Returns the three checklist items and `from_records`, the gate's reasons (empty when all
    three are satisfied), for the record and the audit trail.
    """
    gate = first_dosing_check(uow, patient_id, site_day(uow, patient_id, at))
    codes = {code for code, _ in gate.refusals}
    return {
        "consent_current": GateReason.NO_CURRENT_CONSENT not in codes,
        "eligibility_signed": not codes & _NOT_SIGNED,
        "washout_complete": GateReason.BEFORE_WASHOUT not in codes,
        "from_records": [message for _, message in gate.refusals],
    }


def with_medication_list(
    typed: list[dict[str, str]], listed: Sequence[MedicationUse]
) -> list[dict[str, str]]:
    """The checklist's medications: what was typed, and what the concomitant-medication list says
    on the session day (ADR 0137), stored with the entry so that a replay reads what the list said
    then. One entry per name (case-insensitive), keeping the later last dose."""
    merged: dict[str, dict[str, str]] = {}
    rows = [*typed, *({"name": m.name, "last_dose": m.last_dose.isoformat()} for m in listed)]
    for row in rows:
        key = row["name"].strip().casefold()
        if key not in merged or row["last_dose"] > merged[key]["last_dose"]:
            merged[key] = row
    return list(merged.values())


def site_day(uow: UnitOfWork, patient_id: int, at: datetime) -> date:
    """The day of `at` at the patient's site: the day staff wrote on a screener or a consent
    (a 09:00 session in Sydney is the previous day in UTC)."""
    patient = uow.patients.get(patient_id)
    site = uow.sites.get(patient.site_id) if patient else None
    return at.astimezone(ZoneInfo(site.timezone) if site else UTC).date()


def records_today(uow: UnitOfWork, patient_id: int, at: datetime) -> dict[str, Any]:
    """What the pre-dose gate reads from the patient's records on the day of `at` (issue 9,
    item 6), never a typed value: the risk of the latest C-SSRS screener completed that day
    (None when there is none, or its risk was left undetermined by blanks) and whether a
    safety alert from the instruments is still unacknowledged."""
    day = site_day(uow, patient_id, at)
    screeners = [
        a
        for a in uow.administrations.for_patient(patient_id)
        if a.instrument == InstrumentCode.CSSRS_SCREEN.value and a.completed_on == day
    ]
    latest = max(screeners, key=lambda a: (a.recorded_at, a.id), default=None)
    risk = latest.score.severity if latest is not None else None
    return {
        "cssrs_risk": risk if risk in {r.value for r in CssrsRisk} else None,
        "safety_alert_open": any(a.is_open for a in uow.safety_alerts.for_patient(patient_id)),
    }


def _append(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    name: str,
    session: DosingSession,
    new: NewEntry,
    alerts: Sequence[str] = (),
) -> SessionEntry:
    """`name`: the recorder's full name, as the chart names people (the audit trail keeps the
    login); the principal's, read with it at the start of the request."""
    entry = uow.session_entries.append(
        session.id, new, actor.user_id, name, actor.role, clock.now()
    )
    after: dict[str, Any] = {"entry": entry.id, "t": stamp(new.t), **new.payload}
    if new.allowed is not None:
        after["allowed"] = new.allowed
        after["reasons"] = list(new.reasons)
    if alerts:
        after["alerts"] = list(alerts)
    reason = (
        new.payload.get("reason") if new.kind in (EntryKind.OVERRIDE, EntryKind.ADDENDUM) else None
    )
    record(
        uow,
        clock,
        actor,
        f"session_{new.kind.value}",
        "dosing_session",
        session.id,
        after=after,
        reason=reason,
    )
    return entry


def load_session(
    uow: UnitOfWork, clock: Clock, principal: Principal, session_id: int
) -> SessionFile:
    """A session with every entry and the rules' state folded from them (read-only)."""
    with uow:
        session = uow.dosing_sessions.get(session_id)
        if session is None:
            raise NotFound(f"no dosing session {session_id}")
        patient, _ = load_patient(
            uow,
            clock,
            principal,
            session.patient_id,
            Action.VIEW_SESSION,
            missing=f"no dosing session {session_id}",
        )
        visit = uow.visits.get(session.visit_id)
        assert visit is not None
        # the session day's records, which its pre-dose checklist reads (for a session recorded
        # after the fact too, whose day is not today)
        records = records_today(uow, patient.id, session.started_at)
        rules = session_rules(uow, patient, session)
        folded = folded_session(uow, session, patient.details.sex.value, rules)
    entries = tuple(entry for entry, _ in folded.steps)
    return SessionFile(session, patient, visit, entries, folded, rules, records)


@dataclass(frozen=True, slots=True)
class PatientSessions:
    """The dosing visits of a patient's current enrolment, each with its session if started."""

    patient: Patient
    visits: tuple[tuple[Visit, DosingSession | None], ...]
    can_start: bool


def sessions_for_patient(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> PatientSessions:
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_SESSION)
        sessions = {s.visit_id: s for s in uow.dosing_sessions.for_patient(patient.id)}
        rows: list[tuple[Visit, DosingSession | None]] = []
        active = False
        for enrolment in uow.enrolments.for_patient(patient.id):
            active = active or enrolment.status is EnrolmentStatus.ACTIVE
            for visit in uow.visits.for_enrolment(enrolment.id):
                if visit.dosing_number is not None:
                    rows.append((visit, sessions.get(visit.id)))
    can_start = active and patient.site_id in sites_for(principal, Action.RUN_SESSION)
    return PatientSessions(patient, tuple(rows), can_start)


def open_sessions(uow: UnitOfWork, principal: Principal) -> Sequence[tuple[Patient, DosingSession]]:
    """Sessions in progress at the sites where the principal may view sessions."""
    with uow:
        return uow.dosing_sessions.open_at(sites_for(principal, Action.VIEW_SESSION))


def _weight(value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        weight = float(value) if isinstance(value, str | int | float) else float("nan")
    except ValueError:
        raise InvalidInput("weight_kg", f"{value!r} is not a number of kg") from None
    low, high = SESSION_WEIGHT_KG
    if isinstance(value, bool) or not low <= weight <= high:
        raise InvalidInput("weight_kg", f"{value!s} is outside {low:g}–{high:g} kg")
    return weight


def _locked_session(
    uow: UnitOfWork, clock: Clock, principal: Principal, session_id: int, action: Action
) -> tuple[DosingSession, Patient, Actor]:
    """The session, locked until the transaction ends (entries are folded in order), with its
    patient, checked for `action`; a session the caller may not see is "no dosing session"."""
    session = uow.dosing_sessions.lock(session_id)
    if session is None:
        raise NotFound(f"no dosing session {session_id}")
    patient, actor = load_patient(
        uow, clock, principal, session.patient_id, action, missing=f"no dosing session {session_id}"
    )
    return session, patient, actor
