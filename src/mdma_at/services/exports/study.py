"""A study's records for its SDTM datasets (issue 17, item 2), as the user who asks.

The user needs `EXPORT_SDTM` at one of the study's sites; they receive the participants of the
sites where they hold it, the arm only if they are unblinded (`visible_arm`). The export is
audited (``sdtm_exported``) before anything leaves; a denial is audited as every denial is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.randomisation.study import Study
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.exports.redaction import visible_arm
from mdma_at.services.exports.trial_records import PatientRecord, Trial, patient_record
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.studies import study_actor


@dataclass(frozen=True, slots=True)
class StudyExport:
    study: Study
    records: tuple[PatientRecord, ...]
    exported_by: str
    exported_at: datetime


def study_export(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_code: str
) -> StudyExport:
    """The participants' records of the study coded `study_code`.

    Raises:
        InvalidInput: ``study``, no study has that code.
        PermissionDenied: the user may not export it (audited).
    """
    with uow:
        study = uow.studies.by_code(study_code.strip())
        if study is None:
            raise InvalidInput("study", f"no study {study_code!r}")
        actor = study_actor(uow, clock, principal, study, Action.EXPORT_SDTM)
        allocations = {a.participant_id: a for a in uow.studies.allocations(study.id)}
        allowed = sites_for(principal, Action.EXPORT_SDTM)
        records = []
        for participant in uow.studies.participants(study.id):
            patient = uow.patients.get(participant.patient_id)
            if patient is None or patient.site_id not in allowed:
                continue
            site = uow.sites.get(patient.site_id)
            assert site is not None
            allocation = allocations.get(participant.id)
            trial = Trial(
                participant.joined_at,
                allocation.allocated_at if allocation else None,
                visible_arm(principal, study, allocation),
            )
            records.append(patient_record(uow, patient, site, trial))
        record(
            uow, clock, actor, "sdtm_exported", "study", study.id,
            after={"study": study.code, "participants": len(records),
                   "arms": any(r.trial is not None and r.trial.arm for r in records)},
        )  # fmt: skip
        uow.commit()
        return StudyExport(study, tuple(records), principal.username, clock.now())
