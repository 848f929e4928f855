"""Registering patients, finding them, and reading the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.patients import Patient, PatientDetails, age_on, validate_patient_details
from mdma_at.domain.schedule.booking import Booking
from mdma_at.domain.schedule.records import (
    Enrolment,
    EnrolmentStatus,
    ProtocolDeviation,
    Visit,
    VisitStatus,
)
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import Actor, guard, record
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import guard_visible


@dataclass(frozen=True, slots=True)
class Chart:
    """What the patient chart shows: the record, each enrolment with its visits, deviations."""

    patient: Patient
    enrolments: tuple[Enrolment, ...]
    visits: dict[int, tuple[Visit, ...]]
    deviations: dict[int, tuple[ProtocolDeviation, ...]]
    bookings: dict[int, Booking] = field(default_factory=dict)  # by visit ID
    rooms: dict[int, str] = field(default_factory=dict)  # room ID -> name, at the patient's site

    @property
    def current(self) -> Enrolment | None:
        return self.enrolments[-1] if self.enrolments else None


def register_patient(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int, details: PatientDetails
) -> Patient:
    validate_patient_details(details, clock.now().date())
    with uow:
        actor = guard(uow, clock, principal, Action.REGISTER_PATIENT, site_id)
        if uow.patients.by_study_id(details.study_id):
            raise Conflict(f"study ID {details.study_id} is already registered")
        patient = uow.patients.add(site_id, details)
        record(
            uow, clock, actor, "patient_registered", "patient", patient.id, after=asdict(details)
        )
        uow.commit()
    return patient


def load_patient(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    patient_id: int,
    action: Action,
    *,
    missing: str | None = None,
) -> tuple[Patient, Actor]:
    """The patient, once `principal` is allowed `action` at the patient's site (denials audited).

    A patient the principal may not see is "no patient", like one that does not exist (404).

    Args:
        missing: for a record reached by its own ID (a screening, a visit, a session), the
            NotFound message of that record ("no screening 3"), so that a hidden patient's
            record reads exactly like a missing record and never names its patient.
    """
    missing = missing or f"no patient {patient_id}"
    patient = uow.patients.get(patient_id)
    if patient is None:
        raise NotFound(missing)
    actor = guard_visible(
        uow, clock, principal, action, patient.site_id, ("patient", patient.id), missing
    )
    return patient, actor


def find_patients(uow: UnitOfWork, principal: Principal, text: str = "") -> Sequence[Patient]:
    """Patients at every site where the principal may view patients, matching study ID or name."""
    with uow:
        return uow.patients.search(sites_for(principal, Action.VIEW_PATIENTS), text.strip())


#: The statuses the patient list filters on: an enrolment's own, or not enrolled at all.
NOT_ENROLLED = "not_enrolled"
LIST_STATUSES = (NOT_ENROLLED, *(s.value for s in EnrolmentStatus))


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of the patient list: who, where, how old, where they stand, what comes next."""

    patient: Patient
    site_code: str
    age: int
    status: str
    next_visit: Visit | None
    next_booking: Booking | None = None  # the next visit's booked time, room and staff


def patient_list(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    text: str = "",
    status: str = "",
    site_id: int | None = None,
) -> tuple[PatientRow, ...]:
    """The patient list with status, age, next planned visit and site, filtered by status and
    site (issue 14, item 2); only sites where the principal may view patients.

    Raises:
        InvalidInput: ``status`` not one of `LIST_STATUSES`.
    """
    if status and status not in LIST_STATUSES:
        raise InvalidInput("status", f"{status!r} is not one of {', '.join(LIST_STATUSES)}")
    today = clock.now().date()
    sites = sites_for(principal, Action.VIEW_PATIENTS)
    if site_id is not None:
        sites = sites & {site_id}
    rows = []
    with uow:
        codes = {site.id: site.code for site in uow.sites.list()}
        for patient in uow.patients.search(sites, text.strip()):
            enrolments = uow.enrolments.for_patient(patient.id)
            current = enrolments[-1] if enrolments else None
            planned = (
                [v for v in uow.visits.for_enrolment(current.id) if v.status is VisitStatus.PLANNED]
                if current is not None and current.status is EnrolmentStatus.ACTIVE
                else []
            )
            upcoming = min(planned, key=lambda v: (v.planned, v.sequence), default=None)
            row = PatientRow(
                patient,
                codes.get(patient.site_id, "?"),
                age_on(patient.details.date_of_birth, today),
                current.status.value if current else NOT_ENROLLED,
                upcoming,
                uow.bookings.for_visit(upcoming.id) if upcoming else None,
            )
            if not status or row.status == status:
                rows.append(row)
    return tuple(rows)


def chart(uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int) -> Chart:
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        enrolments = tuple(uow.enrolments.for_patient(patient.id))
        visits = {e.id: tuple(uow.visits.for_enrolment(e.id)) for e in enrolments}
        deviations = {e.id: tuple(uow.deviations.for_enrolment(e.id)) for e in enrolments}
        every = [v.id for group in visits.values() for v in group]
        bookings = {b.visit_id: b for b in uow.bookings.for_visits(every)}
        rooms = {r.id: r.name for r in uow.bookings.rooms(frozenset({patient.site_id}))}
    return Chart(patient, enrolments, visits, deviations, bookings, rooms)
