"""The study page's and API's read model: participants with their randomisation state, and the
arm only for the unblinded (the statistician). Blinded roles get `arm=None` from here, so no page
or route built on it can show the arm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.access import Action
from mdma_at.domain.blinding import Concealed
from mdma_at.domain.randomisation.study import Arm, Study, stratum_of
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.randomise import arm_blind, may_see_arms, randomisation_refusals
from mdma_at.services.trials.studies import get_study, study_actor


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    patient_id: int
    study_id: str
    stratum: str
    joined_at: datetime
    randomised_at: datetime | None
    position: int | None
    #: why the randomise button is refused now (empty: it may be pressed)
    refusals: tuple[str, ...]
    emergency_unblinded: bool
    arm: Concealed[str] | None  # None: not randomised yet


@dataclass(frozen=True, slots=True)
class StudyView:
    study: Study
    #: the study's arms (codes and names): what an arm on any page would be matched against
    arms: Concealed[tuple[Arm, ...]]
    rows: tuple[ParticipantRow, ...]
    #: whether the reader is unblinded, for the layout (an arm column); never the arms
    arms_visible: bool


def study_view(uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int) -> StudyView:
    """The study with the participants at the sites where the principal may view the study."""
    with uow:
        study = get_study(uow, study_id)
        study_actor(uow, clock, principal, study, Action.VIEW_STUDY)
        unblinded = may_see_arms(principal, study)
        allocations = {a.participant_id: a for a in uow.studies.allocations(study.id)}
        flagged = {
            r.participant_id for r in uow.studies.unblinding_requests(study.id) if r.approved
        }
        rows = []
        for participant in uow.studies.participants(study.id):
            patient = uow.patients.get(participant.patient_id)
            if patient is None or not principal.roles_at(patient.site_id):
                continue
            allocation = allocations.get(participant.id)
            rows.append(
                ParticipantRow(
                    patient.id,
                    patient.study_id,
                    stratum_of(participant.levels, study.factors),
                    participant.joined_at,
                    allocation.allocated_at if allocation else None,
                    allocation.position if allocation else None,
                    tuple(randomisation_refusals(uow, study, participant, clock.now())),
                    participant.id in flagged,
                    Concealed(allocation.arm, arm_blind(study)) if allocation else None,
                )
            )
    return StudyView(study, study_arms(study), tuple(rows), unblinded)


def study_arms(study: Study) -> Concealed[tuple[Arm, ...]]:
    """The study's arms, concealed like any allocation: a blinded reader gets none, so no arm's
    code or name appears in anything they read (ADR 0165)."""
    return Concealed(study.arms, arm_blind(study))


def studies_for(uow: UnitOfWork, principal: Principal) -> tuple[Study, ...]:
    """Studies at the sites where the principal holds a role."""
    with uow:
        return tuple(
            s for s in uow.studies.list() if any(principal.roles_at(x) for x in s.site_ids)
        )
