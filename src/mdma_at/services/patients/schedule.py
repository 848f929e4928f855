"""Enrolment on a protocol, and keeping the visit schedule: held visits, moves, withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.patients import age_on
from mdma_at.domain.schedule.planning import (
    PlannedVisit,
    PlanningIssue,
    SchedulePlan,
    plan_schedule,
    window_deviation,
)
from mdma_at.domain.schedule.records import (
    Enrolment,
    EnrolmentStatus,
    ProtocolDeviation,
    Visit,
    VisitStatus,
)
from mdma_at.domain.staff import Principal
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.protocols.base import Protocol
from mdma_at.services.audit import Actor, record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import require_child_of
from mdma_at.services.screening.workup import ensure_first_dosing_allowed

OUT_OF_WINDOW = "visit_out_of_window"


@dataclass(frozen=True, slots=True)
class VisitRecorded:
    visit: Visit
    deviation: ProtocolDeviation | None


@dataclass(frozen=True, slots=True)
class Replanned:
    """The moved visit, every later visit re-planned, and those that cannot fit their windows."""

    visit: Visit
    changed: tuple[Visit, ...]
    issues: tuple[PlanningIssue, ...]


def enrol(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    protocol_name: str,
    enrolled_on: date,
) -> tuple[Enrolment, tuple[Visit, ...]]:
    """Enrol a patient and generate every visit of the protocol with its target and window."""
    protocol = get_protocol(protocol_name)
    if enrolled_on > clock.now().date():
        raise InvalidInput("enrolled_on", f"{enrolled_on} is in the future")
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.ENROL)
        _check_age(patient.details.date_of_birth, enrolled_on, protocol)
        if any(e.status is EnrolmentStatus.ACTIVE for e in uow.enrolments.for_patient(patient.id)):
            raise Conflict(f"{patient.study_id} is already enrolled")
        enrolment = uow.enrolments.add(patient.id, protocol.name, enrolled_on)
        plan = plan_schedule(protocol.schedule, enrolled_on)
        visits = tuple(uow.visits.add_planned(enrolment.id, v) for v in plan.visits)
        record(
            uow,
            clock,
            actor,
            "enrolled",
            "enrolment",
            enrolment.id,
            after={
                "patient": patient.study_id,
                "protocol": protocol.name,
                "enrolled_on": enrolled_on,
                "visits": len(visits),
            },
        )
        uow.commit()
    return enrolment, visits


def _check_age(date_of_birth: date, enrolled_on: date, protocol: Protocol) -> None:
    """The protocol's minimum age on the day of enrolment (issue 14, item 8): a minor may be
    registered, never enrolled on a protocol for adults.

    Raises:
        InvalidInput: ``date_of_birth``, with the protocol's criterion and its source.
    """
    minimum = protocol.eligibility.minimum_age_years
    years = age_on(date_of_birth, enrolled_on)
    if years < minimum.value:
        raise InvalidInput(
            "date_of_birth",
            f"age {years} on {enrolled_on} is below the minimum age {minimum.value} of "
            f"{protocol.name} ({minimum.source}): cannot be enrolled",
        )


def age_warning(date_of_birth: date, on: date, protocol_name: str = DEFAULT_PROTOCOL) -> str:
    """Why a patient of this birth date could not be enrolled on `on`, or "" (the warning shown
    when a minor is registered: registration is allowed, enrolment is not; ADR 0131)."""
    try:
        _check_age(date_of_birth, on, get_protocol(protocol_name))
    except InvalidInput as refused:
        return refused.reason
    return ""


def record_visit(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    visit_id: int,
    held_on: date,
    *,
    patient_id: int | None = None,
) -> VisitRecorded:
    """Record that a visit was held; outside its window, a protocol deviation is recorded too.

    Through a patient's path (`patient_id`), another patient's visit is "no visit" (404).
    """
    if held_on > clock.now().date():
        raise InvalidInput("held_on", f"{held_on} is in the future")
    with uow:
        visit, enrolment, actor = load_visit(
            uow, clock, principal, visit_id, Action.RECORD_VISIT, patient_id
        )
        if visit.status is not VisitStatus.PLANNED:
            raise Conflict(f"{visit.label} is {visit.status.value}; it cannot be recorded again")
        if held_on < enrolment.enrolled_on:
            raise InvalidInput(
                "held_on", f"{held_on} is before enrolment on {enrolment.enrolled_on}"
            )
        previous = _previous(uow, visit)
        if previous is not None and previous.held_on and held_on < previous.held_on:
            raise InvalidInput(
                "held_on", f"{held_on} is before {previous.label}, held on {previous.held_on}"
            )
        if visit.dosing_number == 1:  # signed eligible verdict, washout over, current consent
            ensure_first_dosing_allowed(uow, enrolment.patient_id, held_on, "held_on")
        recorded = _hold(uow, clock, actor, visit, enrolment, held_on)
        uow.commit()
    return recorded


def hold_at_discharge(
    uow: UnitOfWork, clock: Clock, actor: Actor, visit_id: int, held_on: date
) -> VisitRecorded | None:
    """The dosing visit of a session just discharged is held that day, inside the discharge's
    own unit of work (issue 14, item 2): no one has to mark it by hand, and it leaves "Today's
    visits". Outside its window a deviation is recorded, and later visits are re-planned, as for
    a visit recorded by hand. A visit no longer planned (recorded or cancelled) is left alone."""
    visit = uow.visits.get(visit_id)
    enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
    if visit is None or enrolment is None or visit.status is not VisitStatus.PLANNED:
        return None
    return _hold(uow, clock, actor, visit, enrolment, held_on, "the dosing session was discharged")


def _hold(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    visit: Visit,
    enrolment: Enrolment,
    held_on: date,
    reason: str | None = None,
) -> VisitRecorded:
    held = uow.visits.mark_held(visit.id, held_on)
    record(
        uow,
        clock,
        actor,
        "visit_held",
        "visit",
        visit.id,
        before={"status": visit.status, "planned": visit.planned},
        after={"status": held.status, "held_on": held_on},
        reason=reason,
    )
    deviation = _deviation_if_outside(uow, clock, actor, held, held_on)
    _replan(uow, enrolment)
    return VisitRecorded(held, deviation)


def reschedule_visit(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    visit_id: int,
    new_date: date,
    reason: str,
    *,
    patient_id: int | None = None,
) -> Replanned:
    """Move a planned visit (typically a dosing session) and re-plan every later visit.

    Through a patient's path (`patient_id`), another patient's visit is "no visit" (404).
    """
    if not reason.strip():
        raise InvalidInput("reason", "moving a visit needs a reason")
    with uow:
        visit, enrolment, actor = load_visit(
            uow, clock, principal, visit_id, Action.RESCHEDULE_VISIT, patient_id
        )
        if visit.status is not VisitStatus.PLANNED:
            raise Conflict(f"{visit.label} is {visit.status.value}; only planned visits move")
        if uow.bookings.for_visit(visit.id) is not None:
            raise InvalidInput(
                "date", f"{visit.label} is booked for a time: change its booking to move it"
            )
        replanned = move_visit(uow, clock, actor, visit, enrolment, new_date, reason, "date")
        uow.commit()
    return replanned


def move_visit(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    visit: Visit,
    enrolment: Enrolment,
    new_date: date,
    reason: str,
    field: str,
) -> Replanned:
    """Move a planned visit to `new_date` and re-plan every later visit, inside the caller's unit
    of work (the date form and the booking form both move visits through here).

    Raises:
        InvalidInput: `field`, when the day is before the visit it follows or the first dosing
            session is not yet allowed on it.
    """
    previous = _previous(uow, visit)
    if previous is not None:
        previous_day = previous.held_on or previous.planned
        if new_date < previous_day:
            raise InvalidInput(
                field,
                f"{new_date} is before the visit it follows, {previous.label} on {previous_day}",
            )
    if visit.dosing_number == 1:  # signed eligible verdict, washout over, current consent
        ensure_first_dosing_allowed(uow, enrolment.patient_id, new_date, field)
    before = {v.code: v.planned for v in uow.visits.for_enrolment(enrolment.id)}
    plan = _replan(uow, enrolment, moved=(visit.code, new_date))
    after_visits = uow.visits.for_enrolment(enrolment.id)
    changed = tuple(v for v in after_visits if v.planned != before[v.code])
    moved = next(v for v in after_visits if v.id == visit.id)
    record(
        uow,
        clock,
        actor,
        "visit_rescheduled",
        "visit",
        visit.id,
        before={"planned": visit.planned},
        after={
            "planned": new_date,
            "replanned": {v.code: v.planned for v in changed if v.id != visit.id},
            "cannot_fit": [issue.code for issue in plan.issues],
        },
        reason=reason.strip(),
    )
    return Replanned(moved, changed, plan.issues)


def withdraw(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    on: date,
    reason: str,
) -> Enrolment:
    """End participation: every record is kept; planned visits are cancelled."""
    if not reason.strip():
        raise InvalidInput("reason", "withdrawal needs a reason")
    if on > clock.now().date():
        raise InvalidInput("withdrawn_on", f"{on} is in the future")
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.WITHDRAW)
        active = [
            e for e in uow.enrolments.for_patient(patient.id) if e.status is EnrolmentStatus.ACTIVE
        ]
        if not active:
            raise Conflict(f"{patient.study_id} has no active enrolment")
        enrolment = active[0]
        if on < enrolment.enrolled_on:
            raise InvalidInput(
                "withdrawn_on", f"{on} is before enrolment on {enrolment.enrolled_on}"
            )
        withdrawn = uow.enrolments.withdraw(enrolment.id, on, reason.strip())
        cancelled = [
            uow.visits.set_status(v.id, VisitStatus.CANCELLED).code
            for v in uow.visits.for_enrolment(enrolment.id)
            if v.status is VisitStatus.PLANNED
        ]
        record(
            uow,
            clock,
            actor,
            "withdrawn",
            "enrolment",
            enrolment.id,
            before={"status": enrolment.status},
            after={"status": withdrawn.status, "withdrawn_on": on, "cancelled": cancelled},
            reason=reason.strip(),
        )
        uow.commit()
    return withdrawn


def load_visit(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    visit_id: int,
    action: Action,
    patient_id: int | None,
) -> tuple[Visit, Enrolment, Actor]:
    visit = uow.visits.get(visit_id)
    enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
    if visit is None or enrolment is None:
        raise NotFound(f"no visit {visit_id}")
    require_child_of(enrolment.patient_id, patient_id, "visit", visit_id)
    _, actor = load_patient(
        uow, clock, principal, enrolment.patient_id, action, missing=f"no visit {visit_id}"
    )
    if enrolment.status is not EnrolmentStatus.ACTIVE:
        raise Conflict("the patient has withdrawn: the schedule is closed")
    return visit, enrolment, actor


def _previous(uow: UnitOfWork, visit: Visit) -> Visit | None:
    earlier = [
        v
        for v in uow.visits.for_enrolment(visit.enrolment_id)
        if v.sequence < visit.sequence and v.status is not VisitStatus.CANCELLED
    ]
    return earlier[-1] if earlier else None


def _deviation_if_outside(
    uow: UnitOfWork, clock: Clock, actor: Actor, visit: Visit, held_on: date
) -> ProtocolDeviation | None:
    description = window_deviation(visit.label, visit.window_start, visit.window_end, held_on)
    if description is None:
        return None
    deviation = uow.deviations.add(
        visit.enrolment_id, visit.id, OUT_OF_WINDOW, description, clock.now()
    )
    record(
        uow,
        clock,
        actor,
        "protocol_deviation",
        "deviation",
        deviation.id,
        after={"visit": visit.code, "kind": OUT_OF_WINDOW, "description": description},
    )
    return deviation


def _replan(
    uow: UnitOfWork, enrolment: Enrolment, moved: tuple[str, date] | None = None
) -> SchedulePlan:
    """Re-plan every visit not yet held from what has happened and what was moved."""
    visits = uow.visits.for_enrolment(enrolment.id)
    held = {v.code: v.held_on for v in visits if v.held_on is not None}
    rescheduled = {v.code: v.planned for v in visits if v.rescheduled and v.held_on is None}
    if moved is not None:
        rescheduled[moved[0]] = moved[1]
    plan = plan_schedule(
        get_protocol(enrolment.protocol).schedule,
        enrolment.enrolled_on,
        held=held,
        rescheduled=rescheduled,
    )
    by_code = {v.code: v for v in visits}
    for planned in plan.visits:
        stored = by_code[planned.code]
        by_hand = planned.code in rescheduled
        unchanged = (*_dates(stored), stored.rescheduled) == (*_dates(planned), by_hand)
        if stored.status is VisitStatus.PLANNED and not unchanged:  # else nothing to write
            uow.visits.replan(stored.id, planned, rescheduled=by_hand)
    return plan


def _dates(visit: Visit | PlannedVisit) -> tuple[date, ...]:
    """What re-planning writes of a visit, but for whether it was moved by hand."""
    return (visit.target, visit.window_start, visit.window_end, visit.planned)
