"""Emergency unblinding: a request with a reason, approval by the study's designated physician,
the arm revealed to that physician only, every step audited, and the participant flagged for the
analyses (`AllocationLine.emergency_unblinded`).

The audit events never carry the arm: the trail is read by administrators, who stay blinded.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.access import Action
from mdma_at.domain.blinding import Concealed, allocation_blind
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.randomisation.study import Arm, UnblindingRequest, check_reason
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.patients.registry import load_patient
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.trials.studies import get_study, refuse


def request_unblinding(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    study_id: int,
    patient_id: int,
    reason: str,
) -> UnblindingRequest:
    """Ask for a randomised participant's arm to be revealed to the designated physician.

    Raises:
        InvalidInput: ``reason`` blank or too long (the refusal is audited, nothing else stored).
        PermissionDenied: a role that may not ask (audited).
        Conflict: not randomised, or a request is already waiting or approved.
    """
    with uow:
        study = get_study(uow, study_id)
        patient, actor = load_patient(uow, clock, principal, patient_id, Action.REQUEST_UNBLINDING)
        try:
            text = check_reason(reason)
        except InvalidInput as error:
            record(
                uow, clock, actor, "unblinding_refused", "patient", patient.id,
                after={"study": study.code}, reason=error.reason,
            )  # fmt: skip
            uow.commit()
            raise
        participant = uow.studies.participant_of(study.id, patient.id)
        allocated = {a.participant_id for a in uow.studies.allocations(study.id)}
        if participant is None or participant.id not in allocated:
            refuse(
                uow, clock, actor, "unblinding_refused", ("patient", patient.id),
                [f"{patient.study_id} is not randomised in {study.code}: nothing to unblind"],
            )  # fmt: skip
        if any(
            r.participant_id == participant.id for r in uow.studies.unblinding_requests(study.id)
        ):
            raise Conflict(f"an unblinding of {patient.study_id} is already requested")
        request = uow.studies.add_unblinding_request(
            participant.id, text, principal.user_id, clock.now()
        )
        record(
            uow, clock, actor, "unblinding_requested", "patient", patient.id,
            after={"study": study.code, "request": request.id}, reason=text,
        )  # fmt: skip
        uow.commit()
    return request


@dataclass(frozen=True, slots=True)
class Reveal:
    """The arm, for the designated physician's eyes only."""

    request_id: int
    study_id: str
    #: for the approving physician alone (ADR 0164), through `disclose`
    arm: Concealed[Arm]


def approve_unblinding(
    uow: UnitOfWork, clock: Clock, principal: Principal, study_id: int, request_id: int
) -> Reveal:
    """The designated physician approves, and alone is shown the arm (again on each call).

    Raises:
        NotFound: no such request in the study.
        PermissionDenied: not a physician at the participant's site (audited).
        Conflict: a physician who is not the study's designated physician (audited).
    """
    with uow:
        study = get_study(uow, study_id)
        request = next(
            (r for r in uow.studies.unblinding_requests(study.id) if r.id == request_id), None
        )
        participant = uow.studies.participant(request.participant_id) if request else None
        if request is None or participant is None:
            raise NotFound(f"no unblinding request {request_id}")
        patient, actor = load_patient(
            uow, clock, principal, participant.patient_id, Action.APPROVE_UNBLINDING,
            missing=f"no unblinding request {request_id}",
        )  # fmt: skip
        if principal.user_id != study.designated_physician_id:
            refuse(
                uow, clock, actor, "unblinding_refused", ("unblinding_request", request.id),
                [f"only the designated physician of {study.code} approves an unblinding"],
            )  # fmt: skip
        if not request.approved:
            uow.studies.approve_unblinding(request.id, principal.user_id, clock.now())
        record(
            uow, clock, actor,
            "unblinding_revealed" if request.approved else "unblinding_approved",
            "unblinding_request", request.id,
            after={"study": study.code, "patient": patient.study_id,
                   "revealed_to": principal.username},
        )  # fmt: skip
        uow.commit()
        allocation = uow.studies.allocations(study.id, participant.id)[0]
    arm = next(a for a in study.arms if a.code == allocation.arm)
    blind = allocation_blind(study.site_ids, [principal.user_id])
    return Reveal(request.id, patient.study_id, Concealed(arm, blind))
