"""Who is on the couch: the patient banner at the top of the console (issue 13, item 1).

The name, study ID, age, sex and weight come from the patient and the session; medications from
the latest screening (as recorded there, with the last dose) and from the session's pre-dose
checklist (started or changed since the last session). Nothing here records allergies yet, and
the banner says so rather than showing an empty list that reads as "none".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.dosing.session_facts import GivenDose
from mdma_at.domain.patients import age_on
from mdma_at.services.ports import UnitOfWork
from mdma_at.services.sessions.recording import SessionFile


@dataclass(frozen=True, slots=True)
class Medication:
    name: str
    last_dose: str  # ISO date, as recorded
    where: str  # "screening" or "this session's checklist"


@dataclass(frozen=True, slots=True)
class PatientBanner:
    name: str
    study_id: str
    age: int
    sex: str
    weight_kg: float | None
    medications: tuple[Medication, ...]
    screened_on: date | None  # the screening the medications come from, when there is one
    doses: tuple[tuple[str, GivenDose], ...]  # ("Initial", dose), ("Supplemental", dose)


def patient_banner(uow: UnitOfWork, file: SessionFile, today: date) -> PatientBanner:
    """The banner for a session already loaded (and so already authorised) as `file`."""
    details = file.patient.details
    with uow:
        screening = uow.screenings.latest(file.patient.id)
    medications: list[Medication] = []
    screened_on = None
    if screening is not None:
        screened_on = screening.screening_date
        listed = screening.intake.get("medications")
        for m in listed if isinstance(listed, list) else []:
            if isinstance(m, dict):
                medications.append(
                    Medication(str(m.get("name")), str(m.get("last_dose")), "screening")
                )
    state = file.folded.state
    for change in state.checklist.medications_changed:
        medications.append(
            Medication(change.name, change.last_dose.isoformat(), "this session's checklist")
        )
    doses = tuple(
        (label, dose)
        for label, dose in (("Initial", state.initial), ("Supplemental", state.supplemental))
        if dose is not None
    )
    return PatientBanner(
        name=details.name,
        study_id=details.study_id,
        age=age_on(details.date_of_birth, today),
        sex=details.sex.value,
        weight_kg=file.session.weight_kg,
        medications=tuple(medications),
        screened_on=screened_on,
        doses=doses,
    )
