"""Randomising a participant, and the allocation list for the unblinded statistician.

The arm is computed from the sealed seed at the moment of allocation (stratified permuted blocks,
or minimisation), stored in an append-only row and audited; the audit event names the position
and stratum, never the arm, so the audit trail does not unblind its readers (ADR 0160). What a
blinded caller gets back is a receipt without the arm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.access import Action
from mdma_at.domain.blinding import Blind, Concealed, allocation_blind
from mdma_at.domain.randomisation import (
    Method,
    block_allocation,
    level_counts,
    minimisation_allocation,
    participant_rng,
)
from mdma_at.domain.randomisation.study import Allocation, Participant, Study, stratum_of
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, ScheduleSeal, UnitOfWork
from mdma_at.services.trials.studies import entry_refusals, get_study, refuse, study_actor


@dataclass(frozen=True, slots=True)
class Randomised:
    """What the coordinator learns: that and when the participant was randomised, not the arm."""

    participant_id: int
    position: int
    allocated_at: datetime


def randomisation_refusals(
    uow: UnitOfWork, study: Study, participant: Participant | None, today: datetime
) -> list[str]:
    """Why the participant cannot be randomised now (empty: they can). For the button too."""
    if participant is None:
        return ["not a participant of the study: enrol them first"]
    reasons = entry_refusals(uow, participant.patient_id, today.date())
    if not study.sealed:
        reasons.append(f"the schedule of {study.code} is not sealed by the statistician yet")
    if uow.studies.allocations(study.id, participant.id):
        reasons.append("randomised already: an allocation is irreversible")
    return reasons


def _blocked(study: Study, seed: str, participant: Participant, done: list[Allocation]) -> str:
    stratum = stratum_of(participant.levels, study.factors)
    position = sum(1 for a in done if a.stratum == stratum)
    return block_allocation(
        seed, stratum, position, [arm.code for arm in study.arms], study.block_sizes
    )


def _minimised(
    uow: UnitOfWork, study: Study, seed: str, participant: Participant, done: list[Allocation]
) -> str:
    levels = {p.id: p.levels for p in uow.studies.participants(study.id)}
    counts = level_counts(
        [arm.code for arm in study.arms],
        {f: participant.levels[f] for f in study.factors},
        [(levels[a.participant_id], a.arm) for a in done],
    )
    rng = participant_rng(seed, len(done))
    return minimisation_allocation(rng, [arm.code for arm in study.arms], counts, study.p_best)


def randomise(
    uow: UnitOfWork,
    clock: Clock,
    seal: ScheduleSeal,
    principal: Principal,
    study_id: int,
    patient_id: int,
) -> Randomised:
    """Allocate the participant, irreversibly; returns a receipt without the arm.

    Raises:
        NotFound: no such study or patient.
        Conflict: not a participant, ineligible or unconsented, the schedule not sealed, or
            randomised already: audited as `randomisation_refused` with every reason; nothing
            else stored.
    """
    with uow:
        study = get_study(uow, study_id)
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.RANDOMISE)
        uow.studies.lock(study.id)  # one allocation at a time per study: positions and blocks
        participant = uow.studies.participant_of(study.id, patient.id)
        reasons = randomisation_refusals(uow, study, participant, clock.now())
        if reasons or participant is None:
            refuse(
                uow, clock, actor, "randomisation_refused", ("patient", patient.id), reasons,
                {"study": study.code},
            )  # fmt: skip
        sealed = uow.studies.sealed_seed(study.id)
        assert sealed is not None  # a sealed study has its seed
        seed = seal.open(sealed)
        done = list(uow.studies.allocations(study.id))
        if study.method is Method.BLOCKS:
            arm = _blocked(study, seed, participant, done)
        else:
            arm = _minimised(uow, study, seed, participant, done)
        allocation = uow.studies.add_allocation(
            Allocation(
                0,
                study.id,
                participant.id,
                len(done) + 1,
                stratum_of(participant.levels, study.factors),
                arm,
                clock.now(),
                principal.user_id,
            )
        )
        record(
            uow, clock, actor, "participant_randomised", "patient", patient.id,
            after={"study": study.code, "position": allocation.position,
                   "stratum": allocation.stratum},
        )  # fmt: skip
        uow.commit()
    return Randomised(participant.id, allocation.position, allocation.allocated_at)


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One line of the allocation list (unblinded) and of the analysis flag."""

    position: int
    study_id: str
    stratum: str
    arm: Concealed[str]
    allocated_at: datetime
    emergency_unblinded: bool


def allocation_list(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int
) -> tuple[AllocationLine, ...]:
    """The study's allocations with arms, for the unblinded statistician only (the export is
    audited); `emergency_unblinded` flags participants to treat apart in analyses.

    Raises:
        PermissionDenied: any other role (audited).
    """
    with uow:
        study = get_study(uow, study_id)
        actor = study_actor(uow, clock, principal, study, Action.VIEW_ALLOCATION)
        participants = {p.id: p for p in uow.studies.participants(study.id)}
        unblinded = {
            r.participant_id for r in uow.studies.unblinding_requests(study.id) if r.approved
        }
        lines = []
        for allocation in uow.studies.allocations(study.id):
            patient = uow.patients.get(participants[allocation.participant_id].patient_id)
            assert patient is not None
            lines.append(
                AllocationLine(
                    allocation.position,
                    patient.study_id,
                    allocation.stratum,
                    Concealed(allocation.arm, arm_blind(study)),
                    allocation.allocated_at,
                    allocation.participant_id in unblinded,
                )
            )
        record(uow, clock, actor, "allocation_list_exported", "study", study.id,
               after={"lines": len(lines)})  # fmt: skip
        uow.commit()
    return tuple(lines)


def arm_blind(study: Study) -> Blind:
    """Who may see the study's arms: its unblinded statistician (ADR 0161, 0165)."""
    return allocation_blind(study.site_ids)


def may_see_arms(principal: Principal, study: Study) -> bool:
    """Whether the principal is unblinded for the study (the statistician): what a page lays out
    (an arm column); the arms themselves reach a response only through `disclose`."""
    return arm_blind(study).admits(principal)
