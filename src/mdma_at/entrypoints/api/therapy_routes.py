"""The API of therapy notes and check-ins (issue 14, items 4-5): each route parses, calls one
service, renders."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from mdma_at.domain.check_ins import CheckInDraft
from mdma_at.domain.therapy_notes import AddendumDraft, NoteDraft
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep, api_principal
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.therapy_schemas import (
    AddendumCreate,
    AddendumRead,
    CheckInCreate,
    CheckInDueRead,
    CheckInRead,
    TherapyNoteCreate,
    TherapyNoteRead,
)
from mdma_at.services.therapy import check_ins, notes

router = APIRouter(prefix="/api", tags=["therapy"], responses=problem_responses())


@router.get("/patients/{patient_id}/therapy-notes")
def list_notes(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> list[TherapyNoteRead]:
    """The signed notes of the patient's preparation and integration sessions."""
    found = notes.patient_notes(ctx.uow(), ctx.clock, principal, patient_id)
    return [TherapyNoteRead.of(s.note) for s in found.slots if s.note is not None]


@router.post("/patients/{patient_id}/therapy-notes", status_code=201)
def write_note(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: TherapyNoteCreate
) -> TherapyNoteRead:
    """A therapist writes and signs a session note; it is locked once stored (422 naming the
    field on bad input; 409 when the visit has a note: add an addendum)."""
    draft = NoteDraft(
        body.visit_id,
        body.session_on,
        body.themes,
        body.risks,
        body.plan,
        tuple(body.present),
        body.duration_minutes,
    )
    return TherapyNoteRead.of(notes.write_note(ctx.uow(), ctx.clock, principal, patient_id, draft))


def _note_of_patient(ctx: ContainerDep, patient_id: int, note_id: int) -> None:
    """Another patient's note is 404 before the body is read (a dependency runs first)."""
    notes.require_note_of(ctx.uow(), note_id, patient_id)


@router.post(
    "/patients/{patient_id}/therapy-notes/{note_id}/addenda",
    status_code=201,
    # the caller's role first (403 depends on the role alone), then the note's parent (404)
    dependencies=[Depends(api_principal), Depends(_note_of_patient)],
)
def add_addendum(
    ctx: ContainerDep,
    principal: ApiPrincipal,
    patient_id: int,
    note_id: int,
    body: AddendumCreate,
) -> AddendumRead:
    """A signed correction of a locked note, with its reason."""
    addendum = notes.add_addendum(
        ctx.uow(),
        ctx.clock,
        principal,
        note_id,
        AddendumDraft(note_id, body.reason, body.text),
        patient_id=patient_id,
    )
    return AddendumRead.of(addendum)


@router.get("/check-ins/due")
def list_due_check_ins(ctx: ContainerDep, principal: ApiPrincipal) -> list[CheckInDueRead]:
    """Check-ins after dosing due today or missed while the contact days run."""
    today = ctx.clock.now().date()
    return [
        CheckInDueRead(
            patient_id=d.patient.id,
            study_id=d.patient.study_id,
            session_id=d.contact.session_id,
            session_number=d.contact.session_number,
            day=d.contact.day,
            on=d.contact.on,
            overdue=d.overdue(today),
        )
        for d in check_ins.clinic_check_ins(ctx.uow(), ctx.clock, principal)
    ]


@router.get("/patients/{patient_id}/check-ins")
def list_check_ins(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> list[CheckInRead]:
    found = check_ins.patient_check_ins(ctx.uow(), ctx.clock, principal, patient_id)
    return [CheckInRead.of(c) for c in found.check_ins]


@router.post("/patients/{patient_id}/check-ins", status_code=201)
def record_check_in(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: CheckInCreate
) -> CheckInRead:
    """A day's contact after a dosing session; a C-SSRS screener is required when indicated
    and a positive one opens a safety alert (422 naming the field; nothing stored)."""
    draft = CheckInDraft(
        body.on,
        body.mode,
        body.suds,
        body.sleep_hours,
        body.suicidal_thoughts,
        body.ae_term,
        body.ae_severity,
        body.notes,
    )
    recorded = check_ins.record_check_in(
        ctx.uow(), ctx.clock, principal, patient_id, draft, body.cssrs_answers
    )
    return CheckInRead.of(recorded.check_in, [a.id for a in recorded.alerts])
