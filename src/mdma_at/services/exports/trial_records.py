"""The patient records an export reads, gathered in one transaction through the repositories.

A `PatientRecord` holds the domain records as stored; the output shapes (SDTM datasets, research
tables) are pure functions of it in `mdma_at.interop`. The arm is already cut by `visible_arm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.dosing.records import DosingSession, SessionEntry
from mdma_at.domain.measurement.records import Administration, StoredAnswer
from mdma_at.domain.patients import Patient
from mdma_at.domain.randomisation.study import Arm
from mdma_at.domain.schedule.records import Enrolment, Visit
from mdma_at.domain.screening import ConsentSignature, ConsentWithdrawal, ScreeningRecord
from mdma_at.domain.staff import Site
from mdma_at.domain.washout import ConcomitantMedication
from mdma_at.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class Trial:
    """The patient's place in a study: when they joined, when (if) randomised, and the arm only
    for the unblinded; `randomised` alone reveals nothing of the arm."""

    joined_at: datetime
    randomised_at: datetime | None
    arm: Arm | None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    patient: Patient
    site: Site
    enrolments: tuple[Enrolment, ...]
    visits: tuple[Visit, ...]
    sessions: tuple[tuple[DosingSession, tuple[SessionEntry, ...]], ...]
    administrations: tuple[tuple[Administration, tuple[StoredAnswer, ...]], ...]
    screenings: tuple[ScreeningRecord, ...]
    medications: tuple[ConcomitantMedication, ...]
    consents: tuple[ConsentSignature, ...]
    withdrawals: tuple[ConsentWithdrawal, ...]
    trial: Trial | None


def patient_record(
    uow: UnitOfWork, patient: Patient, site: Site, trial: Trial | None
) -> PatientRecord:
    """Everything an export reads of one patient (inside the caller's transaction)."""
    enrolments = tuple(uow.enrolments.for_patient(patient.id))
    visits = tuple(v for e in enrolments for v in uow.visits.for_enrolment(e.id))
    sessions = tuple(
        (s, tuple(uow.session_entries.for_session(s.id)))
        for s in uow.dosing_sessions.for_patient(patient.id)
    )
    administrations = tuple(
        (a, tuple(uow.administrations.answers(a.id)))
        for a in uow.administrations.for_patient(patient.id)
    )
    return PatientRecord(
        patient,
        site,
        enrolments,
        visits,
        sessions,
        administrations,
        tuple(uow.screenings.for_patient(patient.id)),
        tuple(uow.medications.for_patient(patient.id)),
        tuple(uow.consents.signatures(patient.id)),
        tuple(uow.consents.withdrawals(patient.id)),
        trial,
    )
