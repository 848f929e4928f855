"""Allergies on the chart (issue 14, item 3; ADR 0136): a free-text list or "none known"."""

from __future__ import annotations

from mdma_at.domain.access import Action
from mdma_at.domain.allergies import NONE_KNOWN, AllergyEntry, AllergyList, check_allergy
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork


def allergy_list(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int
) -> AllergyList:
    with uow:
        patient, _ = load_patient(uow, clock, principal, patient_id, Action.VIEW_PATIENTS)
        return AllergyList(tuple(uow.allergies.for_patient(patient.id)))


def add_allergy(uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int,
                substance: str = "", reaction: str = "",
                none_known: bool = False) -> AllergyEntry:  # fmt: skip
    """Record an allergy, or that the patient has no known allergies.

    Raises:
        InvalidInput: ``substance`` empty for an allergy or given with none known; ``none_known``
            when allergies are already recorded; a text too long. Nothing stored.
    """
    with uow:
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.RECORD_ALLERGY)
        existing = uow.allergies.for_patient(patient.id)
        substance, reaction = check_allergy(substance, reaction, none_known, existing)
        entry = uow.allergies.add(
            patient.id,
            NONE_KNOWN if none_known else None,
            substance,
            reaction,
            principal.user_id,
            clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "allergy_recorded",
            "allergy",
            entry.id,
            after={
                "patient": patient.study_id,
                "code": entry.code,
                "substance": substance,
                "reaction": reaction,
            },
        )
        uow.commit()
    return entry
