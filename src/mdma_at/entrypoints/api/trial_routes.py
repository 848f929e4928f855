"""The trials API (issue 16). Thin: each route calls one service in `services.trials`.

Blinded roles never receive an arm: the read models conceal every arm (and the study's list of
arms), and the response leaves them out for anyone the blind does not admit (`domain.blinding`,
ADR 0165); the allocation list answers 403 to anyone but the unblinded statistician, and a
randomisation answers with a receipt without the arm. Refusals of clinical rules answer 409 with
the reasons (audited); bad input 422 naming the field; nothing else is stored (docs/trials.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from mdma_at.domain.randomisation import Method
from mdma_at.domain.randomisation.study import Arm, Study
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.services.trials import (
    blinding,
    randomise,
    raters,
    retention,
    studies,
    unblinding,
    view,
)

router = APIRouter(prefix="/api/studies", tags=["trials"], responses=problem_responses())

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)
#: A record number the databases can hold (PostgreSQL INTEGER); larger names no record.
RecordId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ArmIn(BaseModel):
    model_config = _STRICT
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)


class StudyIn(BaseModel):
    model_config = _STRICT
    code: str = Field(max_length=200)
    title: str = Field(max_length=200)
    site_ids: list[RecordId] = Field(max_length=100)
    designated_physician: str = Field(max_length=64)
    target_size: int
    arms: list[ArmIn] = Field(
        default_factory=lambda: [
            ArmIn(code="mdma", name="MDMA-AT"),
            ArmIn(code="placebo", name="Placebo with therapy"),
        ],
        max_length=10,
    )
    method: Method = Method.BLOCKS
    block_sizes: list[int] = Field(default_factory=lambda: [2, 4], max_length=10)
    factors: list[str] = Field(default_factory=lambda: ["site", "caps5_band"], max_length=5)
    p_best: float = 0.8


class SeedIn(BaseModel):
    model_config = _STRICT
    seed: str = Field(max_length=1024)


class PatientIn(BaseModel):
    model_config = _STRICT
    patient_id: RecordId


class ReasonIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(max_length=4000)


def study_json(study: Study) -> dict[str, Any]:
    """The study; its arms concealed (left out for a blinded reader)."""
    return {
        "id": study.id,
        "code": study.code,
        "title": study.title,
        "protocol": study.protocol,
        "arms": view.study_arms(study).map(
            lambda arms: [{"code": a.code, "name": a.name} for a in arms]
        ),
        "site_ids": list(study.site_ids),
        "target_size": study.target_size,
        "method": study.method.value,
        "block_sizes": list(study.block_sizes),
        "factors": list(study.factors),
        "schedule_sealed": study.sealed,
        "seed_commitment": study.seed_commitment,
    }


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@router.get("")
def list_studies(ctx: ContainerDep, principal: ApiPrincipal) -> list[dict[str, Any]]:
    return [study_json(s) for s in view.studies_for(ctx.uow(), principal)]


@router.post("", status_code=201)
def create_study(ctx: ContainerDep, principal: ApiPrincipal, body: StudyIn) -> dict[str, Any]:
    values = body.model_dump(exclude={"arms"})
    arms = [Arm(a.code, a.name) for a in body.arms]
    return study_json(studies.create_study(ctx.uow(), ctx.clock, principal, arms=arms, **values))


@router.get("/{study_id}")
def get_study(ctx: ContainerDep, principal: ApiPrincipal, study_id: int) -> dict[str, Any]:
    shown = view.study_view(ctx.uow(), ctx.clock, principal, study_id)
    return {
        **study_json(shown.study),
        "participants": [
            {
                "patient_id": row.patient_id,
                "study_id": row.study_id,
                "stratum": row.stratum,
                "joined_at": _stamp(row.joined_at),
                "randomised_at": _stamp(row.randomised_at),
                "position": row.position,
                "randomisation_refusals": list(row.refusals),
                "emergency_unblinded": row.emergency_unblinded,
                # concealed: a blinded reader sees no such field; null before randomisation
                **({"arm": row.arm} if row.arm is not None or shown.arms_visible else {}),
            }
            for row in shown.rows
        ],
    }


@router.post("/{study_id}/schedule-seal")
def seal_schedule(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, body: SeedIn
) -> dict[str, Any]:
    return study_json(
        studies.seal_schedule(
            ctx.uow(), ctx.clock, ctx.schedule_seal, principal, study_id, body.seed
        )
    )


@router.post("/{study_id}/participants", status_code=201)
def join(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, body: PatientIn
) -> dict[str, Any]:
    joined = studies.join_study(ctx.uow(), ctx.clock, principal, study_id, body.patient_id)
    return {"participant_id": joined.id, "patient_id": joined.patient_id,
            "levels": dict(joined.levels)}  # fmt: skip


@router.post("/{study_id}/participants/{patient_id}/randomisation", status_code=201)
def randomise_participant(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, patient_id: int
) -> dict[str, Any]:
    done = randomise.randomise(
        ctx.uow(), ctx.clock, ctx.schedule_seal, principal, study_id, patient_id
    )
    return {"participant_id": done.participant_id, "position": done.position,
            "randomised_at": _stamp(done.allocated_at)}  # fmt: skip


@router.get("/{study_id}/allocations")
def allocations(ctx: ContainerDep, principal: ApiPrincipal, study_id: int) -> list[dict[str, Any]]:
    lines = randomise.allocation_list(ctx.uow(), ctx.clock, principal, study_id)
    return [
        {"position": x.position, "study_id": x.study_id, "stratum": x.stratum, "arm": x.arm,
         "randomised_at": _stamp(x.allocated_at), "emergency_unblinded": x.emergency_unblinded}
        for x in lines
    ]  # fmt: skip


@router.post("/{study_id}/participants/{patient_id}/unblinding-requests", status_code=201)
def request_unblinding(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, patient_id: int, body: ReasonIn
) -> dict[str, Any]:
    request = unblinding.request_unblinding(
        ctx.uow(), ctx.clock, principal, study_id, patient_id, body.reason
    )
    return {"request_id": request.id, "requested_at": _stamp(request.requested_at)}


@router.post("/{study_id}/unblinding-requests/{request_id}/approval")
def approve_unblinding(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, request_id: int
) -> dict[str, Any]:
    """For the designated physician only: approves and reveals the arm to them."""
    reveal = unblinding.approve_unblinding(ctx.uow(), ctx.clock, principal, study_id, request_id)
    return {"request_id": reveal.request_id, "study_id": reveal.study_id,
            "arm": reveal.arm.map(lambda arm: {"code": arm.code, "name": arm.name})}  # fmt: skip


# --- independent raters, the blinding assessment, retention (issue 16, items 4, 5, 7) --------


class RaterIn(BaseModel):
    model_config = _STRICT
    visit_id: RecordId
    rater: str = Field(max_length=64, description="the rater's username")


class GuessIn(BaseModel):
    model_config = _STRICT
    time_point: str = Field(max_length=32, description="es1, es2, es3 or primary (mapp_v1)")
    respondent: str = Field(max_length=16, description="participant, therapist or rater")
    guess: str = Field(max_length=16, description="active, placebo or dont_know")
    confidence: str = Field(
        "", max_length=16, description="strong or somewhat; empty for dont_know"
    )


@router.post("/{study_id}/participants/{patient_id}/rater-assignments", status_code=201)
def assign_rater(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, patient_id: int, body: RaterIn
) -> dict[str, Any]:
    """Assign a participant's CAPS-5 at a visit to a rater off their therapy team (409 if on it)."""
    done = raters.assign_rater(
        ctx.uow(), ctx.clock, principal, study_id, patient_id, body.visit_id, body.rater
    )
    return {"assignment_id": done.id, "visit_id": done.visit_id,
            "assigned_at": _stamp(done.assigned_at)}  # fmt: skip


@router.post("/{study_id}/participants/{patient_id}/blinding-guesses", status_code=201)
def record_guess(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int, patient_id: int, body: GuessIn
) -> dict[str, Any]:
    """One person's guess of the arm at a time point (one per person per time point: 409)."""
    stored = blinding.record_guess(
        ctx.uow(), ctx.clock, principal, study_id, patient_id, time_point=body.time_point,
        respondent=body.respondent, guess=body.guess, confidence=body.confidence,
    )  # fmt: skip
    return {
        "guess_id": stored.id,
        "time_point": stored.time_point,
        "respondent": stored.respondent_key,
        "recorded_at": _stamp(stored.recorded_at),
    }


@router.get("/{study_id}/retention")
def retention_by_visit(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int
) -> list[dict[str, Any]]:
    """Participants expected and seen at each scheduled visit: counts only, no arm."""
    rows = retention.retention_by_visit(ctx.uow(), ctx.clock, principal, study_id)
    return [{"visit": r.code, "label": r.label, "expected": r.expected, "seen": r.seen,
             "blinded": r.blinded, "follow_up": r.follow_up} for r in rows]  # fmt: skip


@router.get("/{study_id}/blinding-index")
def blinding_index(
    ctx: ContainerDep, principal: ApiPrincipal, study_id: int
) -> list[dict[str, Any]]:
    """Bang's index per arm at each time point and respondent: the statistician only (403)."""
    lines = blinding.guess_lines(ctx.uow(), ctx.clock, principal, study_id)
    with ctx.uow() as uow:
        study = uow.studies.get(study_id)
    assert study is not None  # guess_lines found it
    # Imported here: pandas and scipy are half of the app's start-up (≈ 5 s of CPU), and only
    # the statistician's blinding index needs them (ADR 0070).
    from mdma_at.analysis.blinding_assessment import blinding_by_time_point

    groups = blinding_by_time_point(
        lines, blinding.time_points(study), blinding.ACTIVE, blinding.PLACEBO
    )
    return [{"time_point": g.time_point, "respondent": g.respondent, "n": g.n, "arms": g.arms,
             "missing": g.missing or None} for g in groups]  # fmt: skip
