"""The work-up under /api (issue 14): the concomitant-medication list and allergies.

Thin: each route calls one use case of `services.screening.concomitant` or `.allergies`; their
refusals (field and reason) become 422 problem+json, nothing stored.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from mdma_at.domain.allergies import AllergyEntry
from mdma_at.domain.washout import ConcomitantMedication
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep, api_principal
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.schemas import Strict
from mdma_at.services.screening import allergies, concomitant

router = APIRouter(prefix="/api", tags=["work-up"], responses=problem_responses())


class MedicationCreate(Strict):
    name: str
    dose: str = ""
    started_on: date
    stopped_on: date | None = None


class MedicationStop(Strict):
    stopped_on: date


class MedicationRead(BaseModel):
    id: int
    patient_id: int
    name: str
    dose: str
    started_on: date
    stopped_on: date | None
    recorded_by_name: str
    recorded_at: datetime

    @classmethod
    def of(cls, c: ConcomitantMedication) -> MedicationRead:
        return cls(
            id=c.id,
            patient_id=c.patient_id,
            name=c.name,
            dose=c.dose,
            started_on=c.started_on,
            stopped_on=c.stopped_on,
            recorded_by_name=c.recorded_by_name,
            recorded_at=c.recorded_at,
        )


class WashoutRead(BaseModel):
    medication: str
    name: str
    last_dose: date
    clear_on: date
    days: int


class RestartRead(BaseModel):
    generic: str
    name: str
    stopped_on: date
    restarted_on: date
    message: str


class MedicationListRead(BaseModel):
    medications: list[MedicationRead]
    washouts: list[WashoutRead]
    restart_warnings: list[RestartRead]


class AllergyCreate(Strict):
    substance: str = ""
    reaction: str = ""
    none_known: bool = False


class AllergyRead(BaseModel):
    id: int
    code: str | None
    substance: str
    reaction: str
    recorded_by_name: str
    recorded_at: datetime

    @classmethod
    def of(cls, a: AllergyEntry) -> AllergyRead:
        return cls(
            id=a.id,
            code=a.code,
            substance=a.substance,
            reaction=a.reaction,
            recorded_by_name=a.recorded_by_name,
            recorded_at=a.recorded_at,
        )


@router.get("/patients/{patient_id}/medications")
def list_medications(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> MedicationListRead:
    """Every course, the washout of each stopped one that needs it, and restart warnings."""
    found = concomitant.medication_list(ctx.uow(), ctx.clock, principal, patient_id)
    return MedicationListRead(
        medications=[MedicationRead.of(c) for c in found.courses],
        washouts=[
            WashoutRead(
                medication=w.entry.generic,
                name=w.name,
                last_dose=w.last_dose,
                clear_on=w.clear_on,
                days=w.days,
            )
            for w in found.washouts
        ],
        restart_warnings=[
            RestartRead(
                generic=w.generic,
                name=w.name,
                stopped_on=w.stopped_on,
                restarted_on=w.restarted_on,
                message=w.message(),
            )
            for w in found.restarts
        ],
    )


@router.post("/patients/{patient_id}/medications", status_code=201)
def add_medication(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: MedicationCreate
) -> MedicationRead:
    """Add a course (a restart is a new course); bad input: 422, nothing stored."""
    course = concomitant.add_medication(
        ctx.uow(),
        ctx.clock,
        principal,
        patient_id,
        body.name,
        body.dose,
        body.started_on,
        body.stopped_on,
    )
    return MedicationRead.of(course)


def _course_of_patient(ctx: ContainerDep, patient_id: int, course_id: int) -> None:
    """Another patient's course is 404 before the body is read (after the caller's role)."""
    concomitant.require_course_of(ctx.uow(), course_id, patient_id)


@router.post(
    "/patients/{patient_id}/medications/{course_id}/stop",
    dependencies=[Depends(api_principal), Depends(_course_of_patient)],
)
def stop_medication(
    ctx: ContainerDep,
    principal: ApiPrincipal,
    patient_id: int,
    course_id: int,
    body: MedicationStop,
) -> MedicationRead:
    """Stop a course; its washout starts that day. Already stopped: 409."""
    course = concomitant.stop_medication(
        ctx.uow(), ctx.clock, principal, patient_id, course_id, body.stopped_on
    )
    return MedicationRead.of(course)


@router.get("/patients/{patient_id}/allergies")
def list_allergies(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> list[AllergyRead]:
    found = allergies.allergy_list(ctx.uow(), ctx.clock, principal, patient_id)
    return [AllergyRead.of(a) for a in found.entries]


@router.post("/patients/{patient_id}/allergies", status_code=201)
def add_allergy(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: AllergyCreate
) -> AllergyRead:
    """An allergy, or ``{"none_known": true}``; bad input: 422, nothing stored."""
    entry = allergies.add_allergy(
        ctx.uow(),
        ctx.clock,
        principal,
        patient_id,
        body.substance,
        body.reaction,
        none_known=body.none_known,
    )
    return AllergyRead.of(entry)
