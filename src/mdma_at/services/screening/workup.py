"""Screening in the clinic: evaluate an intake live, store it with its verdict, the physician's
signature (or override, with a reason), and the gate before the first dosing session.

The verdict is `mdma_at.domain.eligibility.screen` under the protocol's criteria; bad input is
refused by `parse_intake` before anything is opened, so nothing is stored. An `ineligible` verdict
is not an error: it is stored and audited like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.eligibility import Decision, Intake, ScreeningResult, parse_intake, screen
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.events import ScreeningSigned
from mdma_at.domain.screening import (
    ConsentState,
    FirstDosingGate,
    ScreeningRecord,
    decide_signature,
    dosing_consent,
    first_dosing_gate,
)
from mdma_at.domain.staff import Principal
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.audit import record
from mdma_at.services.patients.consent import consent_state
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import require_child_of


def evaluate(data: object, protocol: str = DEFAULT_PROTOCOL) -> tuple[Intake, ScreeningResult]:
    """The verdict of an intake without storing anything (the live form, the API's evaluate).

    Raises:
        InvalidInput: the field and reason from `parse_intake` (or ``protocol``).
    """
    definition = get_protocol(protocol)
    # parse_intake refuses anything but an object itself ("intake: must be an object"); its
    # annotation is narrower than that contract.
    intake = parse_intake(cast(Mapping[str, object], data))
    return intake, screen(intake, definition.eligibility, definition.medications)


def _refuse_the_future(intake: Intake, today: date) -> None:
    """A record has a clock: nothing it says happened may be after today.

    The medication and substance dates are checked first, so that the error names the entry that
    is wrong (a last dose typed with the wrong year) rather than the screening date it pulls along.

    Raises:
        InvalidInput: the first dated field after today, by its dotted path.
    """
    dated = [
        *(
            (f"medications[{i}].last_dose", "last dose", m.last_dose)
            for i, m in enumerate(intake.medications)
        ),
        *(
            (f"substance_use[{i}].last_use", "last use", u.last_use)
            for i, u in enumerate(intake.substance_use)
        ),
        ("screening_date", "screening date", intake.screening_date),
    ]
    for field, what, when in dated:
        if when > today:
            raise InvalidInput(field, f"{what} {when} is in the future (today is {today})")


def record_screening(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    data: object,
    protocol: str = DEFAULT_PROTOCOL,
) -> ScreeningRecord:
    """Store a screening: the intake (canonical form), the verdict with every criterion, who, when.

    Raises:
        InvalidInput: bad intake (field named), or a screening date in the future; nothing stored.
    """
    intake, result = evaluate(data, protocol)
    _refuse_the_future(intake, clock.now().date())
    verdict = result.to_dict()
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.SCREEN)
        stored = uow.screenings.add(
            patient.id,
            protocol,
            intake.screening_date,
            intake.to_dict(),
            verdict,
            result.decision,
            result.earliest_baseline,
            principal.user_id,
            clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "screening_recorded",
            "screening",
            stored.id,
            after={
                "patient": patient.study_id,
                "protocol": protocol,
                "screening_date": intake.screening_date,
                "decision": result.decision,
                "earliest_baseline": result.earliest_baseline,
                "not_met_or_review": [
                    c.id for c in result.criteria if c.status.value in ("not_met", "needs_review")
                ],
            },
        )
        uow.commit()
    return stored


def parse_decision(value: str | None) -> Decision | None:
    """A decision named in a form or request; blank means "as computed".

    Raises:
        InvalidInput: ``decision`` when the value names no decision.
    """
    if value is None or not value.strip():
        return None
    try:
        return Decision(value.strip())
    except ValueError:
        allowed = ", ".join(d.value for d in Decision)
        raise InvalidInput("decision", f"{value!r} is not one of {allowed}") from None


def sign_screening(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    screening_id: int,
    decision: Decision | None = None,
    reason: str = "",
    *,
    patient_id: int | None = None,
) -> ScreeningRecord:
    """A physician signs the verdict, as computed or overridden (an override needs a reason).

    Only the patient's most recent screening can be signed, and only once.

    Args:
        patient_id: the patient the request's path names; another patient's screening is
            "no screening" (None: the path names no patient).

    Raises:
        NotFound: no such screening, or not the screening of `patient_id`; nothing stored.
        InvalidInput: ``reason`` missing for an override; ``decision`` impossible.
        Conflict: already signed, or a newer screening exists.
    """
    with uow:
        screening = uow.screenings.get(screening_id)
        if screening is None:
            raise NotFound(f"no screening {screening_id}")
        require_child_of(screening.patient_id, patient_id, "screening", screening_id)
        patient, actor = load_patient(
            uow,
            clock,
            principal,
            screening.patient_id,
            Action.SIGN_SCREENING,
            missing=f"no screening {screening_id}",
        )
        if screening.signature is not None:
            raise Conflict(
                f"the screening of {screening.screening_date} is already signed by "
                f"{screening.signature.signed_by_name}; record a new screening to change it"
            )
        latest = uow.screenings.latest(patient.id)
        if latest is not None and latest.id != screening.id:
            raise Conflict(
                f"a newer screening ({latest.screening_date}) exists: sign that one instead"
            )
        signed = decide_signature(screening.decision, decision, reason, screening.earliest_baseline)
        stored = uow.screenings.sign(
            screening.id, principal.user_id, clock.now(), signed.decision, signed.override_reason
        )
        record(
            uow,
            clock,
            actor,
            "screening_overridden" if signed.override_reason else "screening_signed",
            "screening",
            screening.id,
            before={"decision": screening.decision},
            after={
                "decision": signed.decision,
                "earliest_baseline": screening.earliest_baseline,
                "patient": patient.study_id,
            },
            reason=signed.override_reason,
        )
        uow.emit(
            ScreeningSigned(
                screening.id, patient.id, signed.decision, signed.override_reason is not None
            )
        )
        uow.commit()
    return stored


def screenings_for(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> tuple[ScreeningRecord, ...]:
    """The patient's screenings, oldest first."""
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        return tuple(uow.screenings.for_patient(patient.id))


def get_screening(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    screening_id: int,
    *,
    patient_id: int | None = None,
) -> ScreeningRecord:
    """One screening; through a patient's path (`patient_id`), only one of that patient's."""
    with uow:
        screening = uow.screenings.get(screening_id)
        if screening is None:
            raise NotFound(f"no screening {screening_id}")
        require_child_of(screening.patient_id, patient_id, "screening", screening_id)
        load_patient(
            uow,
            clock,
            principal,
            screening.patient_id,
            Action.VIEW_PATIENTS,
            missing=f"no screening {screening_id}",
        )
        return screening


def first_dosing_check(uow: UnitOfWork, patient_id: int, day: date) -> FirstDosingGate:
    """The gate before the first dosing session on `day` (no authorisation: the schedule use
    case calling it has authorised its caller; re-entrant in its unit of work)."""
    with uow:
        latest = uow.screenings.latest(patient_id)
        consent = dosing_consent(consent_state(uow, patient_id, day))
    return first_dosing_gate(latest, consent, day)


def first_dosing_status(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, day: date
) -> FirstDosingGate:
    """For the chart and the API: may the first dosing session be held or planned on `day`?"""
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        return first_dosing_check(uow, patient.id, day)


def ensure_first_dosing_allowed(uow: UnitOfWork, patient_id: int, day: date, field: str) -> None:
    """Refuse recording or moving the first dosing session to `day` unless the gate allows it.

    Raises:
        InvalidInput: `field`, when only the day is wrong (before the washout or the screening).
        Conflict: no signed eligible verdict, or no current consent; the message gives every
            reason.
    """
    gate = first_dosing_check(uow, patient_id, day)
    if gate.allowed:
        return
    if gate.only_the_day_is_wrong:
        raise InvalidInput(field, gate.explain())
    raise Conflict(f"Dosing session 1 cannot be scheduled yet: {gate.explain()}")


@dataclass(frozen=True, slots=True)
class ScreeningPanel:
    """What the chart shows of screening and consent."""

    screenings: tuple[ScreeningRecord, ...]
    consent: ConsentState
    gate: FirstDosingGate
    #: The day the first dosing session was held, when it has been (the gate is then history).
    first_dosing_held: date | None = None

    @property
    def latest(self) -> ScreeningRecord | None:
        return self.screenings[-1] if self.screenings else None


def screening_panel(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> ScreeningPanel:
    """The chart's screening and consent card, as of today."""
    today = clock.now().date()
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        screenings = tuple(uow.screenings.for_patient(patient.id))
        state = consent_state(uow, patient.id, today)
        gate = first_dosing_gate(
            screenings[-1] if screenings else None, dosing_consent(state), today
        )
        held = [
            v.held_on
            for e in uow.enrolments.for_patient(patient.id)
            for v in uow.visits.for_enrolment(e.id)
            if v.dosing_number == 1 and v.held_on is not None
        ]
    return ScreeningPanel(screenings, state, gate, held[-1] if held else None)


def awaiting_signature(
    uow: UnitOfWork, principal: Principal
) -> Sequence[tuple[int, str, ScreeningRecord]]:
    """Unsigned screenings at the sites where the principal may sign (the dashboard)."""
    sites = sites_for(principal, Action.SIGN_SCREENING)
    if not sites:
        return ()
    with uow:
        return uow.screenings.unsigned_at(sites)
