"""Daily check-ins after each dosing session: recording one, and what is due (ADR 0139).

A check-in belongs to the latest dosing session before its day (day 1 = the day after). When the
protocol's rule says a C-SSRS screener is indicated (suicidal thoughts reported, or distress above
its threshold), the check-in is refused without one; the screener is stored as an instrument
administration through `measures.store_score`, so a positive screen opens a safety alert in the
physicians' queue exactly as a screener entered on its own does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.check_ins import (
    CheckIn,
    CheckInDraft,
    CheckInRules,
    ContactDay,
    DosingDay,
    check_check_in,
    contact_day,
    contact_days,
    screener_indication,
)
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.measurement.records import EnteredThrough, SafetyAlert
from mdma_at.domain.patients import Patient
from mdma_at.domain.staff import Principal
from mdma_at.protocols import DEFAULT_PROTOCOL, PROTOCOLS, get_protocol
from mdma_at.services.audit import record
from mdma_at.services.measurement.measures import library_for, score_texts, store_score
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.site_time import zone_of_site


@dataclass(frozen=True, slots=True)
class Recorded:
    check_in: CheckIn
    alerts: tuple[SafetyAlert, ...]  # raised by the C-SSRS screener, if one was given


@dataclass(frozen=True, slots=True)
class PatientCheckIns:
    patient: Patient
    today: date
    days: tuple[ContactDay, ...]
    check_ins: tuple[CheckIn, ...]
    rules: CheckInRules
    may_record: bool


@dataclass(frozen=True, slots=True)
class DueCheckIn:
    """A check-in whose day has come while the session's contact days are still running."""

    patient: Patient
    contact: ContactDay

    def overdue(self, today: date) -> bool:
        return self.contact.on < today


def rules_for(uow: UnitOfWork, patient_id: int) -> CheckInRules:
    enrolments = uow.enrolments.for_patient(patient_id)
    return get_protocol(enrolments[-1].protocol if enrolments else DEFAULT_PROTOCOL).check_ins


def _dosing_days(sessions: Sequence[DosingSession], zone: ZoneInfo) -> list[DosingDay]:
    """Each session on the day it started at the patient's site."""
    return [
        DosingDay(s.id, s.session_number, s.started_at.astimezone(zone).date()) for s in sessions
    ]


def record_check_in(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    draft: CheckInDraft,
    cssrs_answers: Sequence[str] | None = None,
) -> Recorded:
    """Record a day's contact after a dosing session, with its screener when indicated.

    `cssrs_answers` are the screener's answers in item order (yes/no; empty = not asked), or
    None when no screener was done.

    Raises:
        InvalidInput: ``on`` (future, no dosing session before it, past the last contact day),
            ``suds``, ``sleep_hours``, ``ae_term``/``ae_severity``, ``cssrs`` (indicated but
            missing) or ``items[n]``; nothing stored.
        PermissionDenied: not a physician or therapist at the patient's site (audited).
        Conflict: that day's check-in is already recorded.
    """
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.RECORD_CHECK_IN)
        rules = rules_for(uow, patient.id)
        checked = check_check_in(draft, clock.now().date(), rules)
        zone = zone_of_site(uow, patient.site_id)
        dosing = _dosing_days(uow.dosing_sessions.for_patient(patient.id), zone)
        session, day = contact_day(dosing, checked.on, rules)
        indication = screener_indication(checked.suds, checked.suicidal_thoughts, rules)
        given = cssrs_answers is not None and any(a.strip() for a in cssrs_answers)
        if indication is not None and not given:
            raise InvalidInput("cssrs", f"a C-SSRS screener is indicated: {indication}")
        if any(
            c.session_id == session.session_id and c.day == day
            for c in uow.check_ins.for_patient(patient.id)
        ):
            raise Conflict(
                f"the day-{day} check-in after dosing session {session.session_number} is "
                "already recorded"
            )
        stored = None
        if given:
            assert cssrs_answers is not None
            definition = library_for(uow, patient.id).get(InstrumentCode.CSSRS_SCREEN)
            scored = score_texts(definition, cssrs_answers)
            stored = store_score(
                uow,
                clock,
                actor,
                patient,
                None,
                definition,
                scored,
                completed_on=checked.on,
                entered_through=EnteredThrough.STAFF,
            )
        check_in = uow.check_ins.add(
            patient.id,
            session.session_id,
            day,
            checked,
            indication=indication,
            administration_id=stored.administration.id if stored else None,
            recorded_by=principal.user_id,
            recorded_at=clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "check_in_recorded",
            "check_in",
            check_in.id,
            after={
                "patient": patient.study_id,
                "session_id": session.session_id,
                "day": day,
                "on": checked.on,
                "mode": checked.mode,
                "suds": checked.suds,
                "sleep_hours": checked.sleep_hours,
                "suicidal_thoughts": checked.suicidal_thoughts,
                "ae_term": checked.ae_term,
                "ae_severity": checked.ae_severity,
                "screener_indication": indication,
                "administration_id": check_in.administration_id,
            },
        )
        uow.commit()
    return Recorded(check_in, stored.alerts if stored else ())


def patient_check_ins(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> PatientCheckIns:
    """Every contact day after the patient's dosing sessions, with the check-ins recorded."""
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_CHECK_INS)
        rules = rules_for(uow, patient.id)
        zone = zone_of_site(uow, patient.site_id)
        dosing = _dosing_days(uow.dosing_sessions.for_patient(patient.id), zone)
        recorded = tuple(uow.check_ins.for_patient(patient.id))
    days = contact_days(dosing, [(c.id, c.session_id, c.day) for c in recorded], rules)
    return PatientCheckIns(
        patient,
        clock.now().date(),
        tuple(days),
        recorded,
        rules,
        patient.site_id in sites_for(principal, Action.RECORD_CHECK_IN),
    )


def clinic_check_ins(uow: UnitOfWork, clock: Clock, principal: Principal) -> tuple[DueCheckIn, ...]:
    """Check-ins due today or missed on an earlier day, while the session's contact days run;
    missed ones first. Once the days are over a missed check-in stays on the chart only."""
    today = clock.now().date()
    sites = sites_for(principal, Action.VIEW_CHECK_INS)
    with uow:
        # the longest contact period of any protocol, plus a day for time zones
        longest = max(protocol.check_ins.days for protocol in PROTOCOLS.values())
        found = uow.check_ins.sessions_since(sites, today - timedelta(days=longest + 1))
        patients = {p.id: p for p, _ in found}
        done = uow.check_ins.done_for(list(patients))
        every = {p.id: uow.dosing_sessions.for_patient(p.id) for p in patients.values()}
        zones = {p.id: zone_of_site(uow, p.site_id) for p in patients.values()}
        rules = {p.id: rules_for(uow, p.id) for p in patients.values()}
    due: list[DueCheckIn] = []
    for patient in patients.values():
        days = contact_days(
            _dosing_days(every[patient.id], zones[patient.id]),
            [(c, s, d) for p, c, s, d in done if p == patient.id],
            rules[patient.id],
        )
        last: dict[int, date] = {}
        for contact in days:
            last[contact.session_id] = max(last.get(contact.session_id, contact.on), contact.on)
        due.extend(
            DueCheckIn(patient, contact)
            for contact in days
            if not contact.done and contact.on <= today <= last[contact.session_id]
        )
    due.sort(key=lambda d: (d.contact.on, d.patient.study_id))
    return tuple(due)
