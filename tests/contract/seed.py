"""A little clinic written straight through the repositories (no use case in between), so each
contract test states the rows it starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from mdma_at.domain.audit import AuditContent, utc_stamp
from mdma_at.domain.patients import Patient, PatientDetails
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.planning import PlannedVisit
from mdma_at.domain.schedule.records import Enrolment, Visit
from mdma_at.domain.staff import Role, Site, StaffMember
from mdma_at.domain.vocabulary import Sex
from mdma_at.services.ports import UnitOfWork

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    site_a: Site
    site_b: Site
    therapist: StaffMember  # at site A
    physician: StaffMember  # at site A
    patient: Patient  # at site A
    other: Patient  # at site B


def details(study_id: str, name: str = "Jordan Reyes") -> PatientDetails:
    return PatientDetails(study_id, name, date(1984, 3, 12), Sex.FEMALE)


def seed(uow: UnitOfWork) -> Seed:
    """Two sites, two staff at site A, a patient at each site; committed, and audited as the
    services audit every write (so the append-only rows written later are sealed by an event)."""
    site_a = uow.sites.add("SITE-A", "Harbour Clinic")
    site_b = uow.sites.add("SITE-B", "Hillside Clinic")
    therapist = uow.staff.add("t.a", "Tess Archer", "hash-t")
    physician = uow.staff.add("dr.a", "Dana Reid", "hash-d")
    uow.staff.grant(therapist.id, site_a.id, Role.THERAPIST)
    uow.staff.grant(physician.id, site_a.id, Role.PHYSICIAN)
    patient = uow.patients.add(site_a.id, details("HC-0002"))
    other = uow.patients.add(site_b.id, details("HC-0001", "Sam Okafor"))
    audit(uow, "seeded")
    uow.commit()
    return Seed(site_a, site_b, therapist, physician, patient, other)


def audit(uow: UnitOfWork, action: str, at: datetime = T0) -> None:
    uow.audit.append(
        AuditContent(
            utc_stamp(at), None, "test", None, None, action, "test", None, None, None, None
        )
    )


def planned(
    code: str, sequence: int, planned_on: date, kind: VisitKind = VisitKind.DOSING
) -> PlannedVisit:
    return PlannedVisit(
        code,
        kind,
        code.upper(),
        sequence,
        1 if kind is VisitKind.DOSING else None,
        planned_on,
        planned_on - timedelta(days=3),
        planned_on + timedelta(days=3),
        planned_on,
    )


def enrol(uow: UnitOfWork, patient: Patient) -> tuple[Enrolment, Visit]:
    enrolment = uow.enrolments.add(patient.id, "mapp_v1", date(2026, 11, 1))
    visit = uow.visits.add_planned(enrolment.id, planned("es1", 5, date(2026, 11, 22)))
    return enrolment, visit
