"""The concomitant-medication list, kept from screening on (issue 14, item 6; ADR 0137).

Each course has a start and, once stopped, a stop date; a restart is a new course. The list feeds
the per-session medication check (the pre-dose checklist reads it when it is recorded), the
washout planner, and a warning for a serotonergic drug restarted after its washout began.
Bad input is refused before anything is opened: nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.staff import Principal
from mdma_at.domain.vocabulary import MedicationUse
from mdma_at.domain.washout import (
    ConcomitantMedication,
    MedicationTable,
    RestartWarning,
    WashoutPlan,
    in_use_for_session,
    restarted_serotonergic,
    stopped_washouts,
)
from mdma_at.domain.washout.concomitant import check_course, check_stop
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import require_child_of


def _table(uow: UnitOfWork, patient_id: int) -> MedicationTable:
    """The medication table of the patient's current programme (the default before enrolment)."""
    enrolments = uow.enrolments.for_patient(patient_id)
    protocol = enrolments[-1].protocol if enrolments else DEFAULT_PROTOCOL
    return get_protocol(protocol).medications


@dataclass(frozen=True, slots=True)
class MedicationList:
    """What the chart shows: every course, the washouts of stopped ones, restart warnings."""

    courses: tuple[ConcomitantMedication, ...]
    washouts: tuple[WashoutPlan, ...]
    restarts: tuple[RestartWarning, ...]
    today: date

    @property
    def current(self) -> tuple[ConcomitantMedication, ...]:
        return tuple(c for c in self.courses if c.taken_on(self.today))

    @property
    def stopped(self) -> tuple[ConcomitantMedication, ...]:
        return tuple(c for c in self.courses if not c.taken_on(self.today))


def medication_list(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> MedicationList:
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        return _list(uow, patient.id, clock.now().date())


def _list(uow: UnitOfWork, patient_id: int, today: date) -> MedicationList:
    courses = tuple(uow.medications.for_patient(patient_id))
    table = _table(uow, patient_id)
    return MedicationList(
        courses, stopped_washouts(courses, table), restarted_serotonergic(courses, table), today
    )


def restart_warnings(uow: UnitOfWork, patient_id: int) -> tuple[RestartWarning, ...]:
    """For the dosing console (no authorisation: its caller has authorised the session view)."""
    with uow:
        courses = uow.medications.for_patient(patient_id)
        return restarted_serotonergic(courses, _table(uow, patient_id))


def for_session(uow: UnitOfWork, patient_id: int, day: date) -> tuple[MedicationUse, ...]:
    """What the per-session medication check reads from the list on `day` (no authorisation:
    the session's use case has authorised its caller; re-entrant in its unit of work)."""
    with uow:
        return in_use_for_session(
            uow.medications.for_patient(patient_id), day, _table(uow, patient_id)
        )


def add_medication(uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int,
                   name: str, dose: str, started_on: date,
                   stopped_on: date | None = None) -> ConcomitantMedication:  # fmt: skip
    """Add a course to the list (a restart is a new course).

    Raises:
        InvalidInput: ``name``, ``dose``, ``started_on``, ``stopped_on`` (see `check_course`).
    """
    name, dose = check_course(name, dose, started_on, stopped_on, clock.now().date())
    with uow:
        patient, actor = load_patient(
            uow, clock, principal, patient_id, Action.RECORD_CONCOMITANT_MEDICATION
        )
        course = uow.medications.add(
            patient.id, name, dose, started_on, stopped_on, principal.user_id, clock.now()
        )
        record(
            uow,
            clock,
            actor,
            "concomitant_medication_added",
            "concomitant_medication",
            course.id,
            after={
                "patient": patient.study_id,
                "name": name,
                "dose": dose,
                "started_on": started_on,
                "stopped_on": stopped_on,
            },
        )
        uow.commit()
    return course


def require_course_of(uow: UnitOfWork, course_id: int, patient_id: int) -> None:
    """A course reached through a patient must be that patient's: else NotFound, like a course
    that does not exist, before anything else is read or checked (ADR 0100)."""
    with uow:
        course = uow.medications.get(course_id)
    if course is None:
        raise NotFound(f"no medication {course_id}")
    require_child_of(course.patient_id, patient_id, "medication", course_id)


def stop_medication(uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int,
                    course_id: int, stopped_on: date) -> ConcomitantMedication:  # fmt: skip
    """Record the stop of a course; its washout starts on that day.

    Raises:
        NotFound: no such course of this patient.
        Conflict: the course is already stopped (a restart is a new course).
        InvalidInput: ``stopped_on`` before the start or after today.
    """
    with uow:
        course = uow.medications.get(course_id)
        if course is None:
            raise NotFound(f"no medication {course_id}")
        require_child_of(course.patient_id, patient_id, "medication", course_id)
        patient, actor = load_patient(
            uow,
            clock,
            principal,
            course.patient_id,
            Action.RECORD_CONCOMITANT_MEDICATION,
            missing=f"no medication {course_id}",
        )
        if course.stopped_on is not None:
            raise Conflict(
                f"{course.name} was already stopped on {course.stopped_on}; "
                "a restart is recorded as a new course"
            )
        check_stop(course.started_on, stopped_on, clock.now().date())
        stopped = uow.medications.stop(course.id, stopped_on)
        record(
            uow,
            clock,
            actor,
            "concomitant_medication_stopped",
            "concomitant_medication",
            course.id,
            before={"stopped_on": None},
            after={"patient": patient.study_id, "name": course.name, "stopped_on": stopped_on},
        )
        uow.commit()
    return stopped


def parse_day(value: object, field: str, *, required: bool = True) -> date | None:
    """A date from a form or request (``YYYY-MM-DD``); blank is None unless required.

    Raises:
        InvalidInput: `field`, naming the value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(field, "is required (YYYY-MM-DD)")
        return None
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date in the form YYYY-MM-DD") from None
