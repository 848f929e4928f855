"""Screening and consent under /api (issue 3). Each route parses, calls one service, renders.

The intake is read from the raw body so that malformed JSON is reported like every other bad
intake: 422 with ``field: "intake"``, nothing stored.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from mdma_at.domain.errors import InvalidInput
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep, api_principal
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.screening_schemas import (
    ConsentDocumentCreate,
    ConsentDocumentRead,
    ConsentRead,
    ConsentSignatureCreate,
    ConsentSignatureRead,
    ConsentWithdrawalCreate,
    ConsentWithdrawalRead,
    DosingConsentRead,
    FirstDosingRead,
    ScreeningRead,
    ScreeningSign,
)
from mdma_at.services.patients import consent
from mdma_at.services.screening import workup as screening

router = APIRouter(prefix="/api", tags=["screening"], responses=problem_responses())

_INTAKE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The screening intake (docs/screening.md); unknown fields are refused.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


async def _intake(request: Request) -> object:
    """The raw body as JSON, read on the event loop (the RequestLimits middleware has bounded its
    size and depth and refused NaN); the handlers then run in the thread pool."""
    raw = await request.body()
    try:
        return json.loads(raw, parse_constant=_not_a_number)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput("intake", f"malformed JSON: {error}") from None


def _not_a_number(constant: str) -> object:
    raise InvalidInput("intake", f"{constant} is not a number (send a finite number)")


Intake = Annotated[object, Depends(_intake)]


@router.post(
    "/screening/evaluate", openapi_extra=_INTAKE_BODY, dependencies=[Depends(api_principal)]
)
def evaluate_intake(data: Intake) -> dict[str, Any]:
    """The verdict of an intake (the `mdma-at screen --json` contract); nothing is stored."""
    _, result = screening.evaluate(data)
    return result.to_dict()


@router.post("/patients/{patient_id}/screenings", status_code=201, openapi_extra=_INTAKE_BODY)
def record_screening(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, data: Intake
) -> ScreeningRead:
    """Store a screening with its verdict (every criterion, who, when); bad input: 422, nothing
    stored."""
    stored = screening.record_screening(ctx.uow(), ctx.clock, principal, patient_id, data)
    return ScreeningRead.of(stored)


@router.get("/patients/{patient_id}/screenings")
def list_screenings(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int
) -> list[ScreeningRead]:
    """The patient's screenings, oldest first; the last one is the one that counts."""
    found = screening.screenings_for(ctx.uow(), ctx.clock, principal, patient_id)
    return [ScreeningRead.of(s) for s in found]


@router.get("/screenings/{screening_id}")
def read_screening(ctx: ContainerDep, principal: ApiPrincipal, screening_id: int) -> ScreeningRead:
    return ScreeningRead.of(screening.get_screening(ctx.uow(), ctx.clock, principal, screening_id))


@router.post("/screenings/{screening_id}/signature")
def sign_screening(
    ctx: ContainerDep, principal: ApiPrincipal, screening_id: int, body: ScreeningSign
) -> ScreeningRead:
    """A physician signs the verdict; another decision (an override) needs a reason (audited)."""
    signed = screening.sign_screening(
        ctx.uow(),
        ctx.clock,
        principal,
        screening_id,
        screening.parse_decision(body.decision),
        body.reason,
    )
    return ScreeningRead.of(signed)


@router.get("/patients/{patient_id}/first-dosing")
def first_dosing(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, on: date
) -> FirstDosingRead:
    """May the first dosing session be held or planned on `on`? Every refusal with its reason."""
    return FirstDosingRead.of(
        screening.first_dosing_status(ctx.uow(), ctx.clock, principal, patient_id, on)
    )


@router.post("/sites/{site_id}/consent-documents", status_code=201)
def publish_consent_document(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int, body: ConsentDocumentCreate
) -> ConsentDocumentRead:
    """Publish a new version of the site's consent document (earlier signers must re-consent)."""
    document = consent.publish_consent_document(
        ctx.uow(),
        ctx.clock,
        principal,
        site_id,
        title=body.title,
        version=body.version,
        effective_on=body.effective_on,
        text=body.text,
        reference=body.reference,
    )
    return ConsentDocumentRead.of(document)


@router.get("/sites/{site_id}/consent-documents")
def list_consent_documents(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int
) -> list[ConsentDocumentRead]:
    documents = consent.consent_documents(ctx.uow(), ctx.clock, principal, site_id)
    return [ConsentDocumentRead.of(d) for d in documents]


@router.post("/patients/{patient_id}/consents", status_code=201)
def sign_consent(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: ConsentSignatureCreate
) -> ConsentSignatureRead:
    """Record the patient's signature (typed name, time) on a version, with a staff witness."""
    signature = consent.sign_consent(
        ctx.uow(),
        ctx.clock,
        principal,
        patient_id,
        document_id=body.document_id,
        signed_name=body.signed_name,
        witness_id=body.witness_id,
        signed_at=body.signed_at,
    )
    return ConsentSignatureRead.of(signature)


@router.post("/patients/{patient_id}/consent-withdrawal", status_code=201)
def withdraw_consent(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, body: ConsentWithdrawalCreate
) -> ConsentWithdrawalRead:
    """Record the withdrawal of consent: records are kept, no dosing session may start."""
    withdrawal = consent.withdraw_consent(
        ctx.uow(), ctx.clock, principal, patient_id, body.reason, body.withdrawn_at
    )
    return ConsentWithdrawalRead.of(withdrawal)


@router.get("/patients/{patient_id}/consent")
def read_consent(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, on: date | None = None
) -> ConsentRead:
    """Consent status on `on` (default today): current, none, withdrawn or outdated."""
    day = on or ctx.clock.now().date()
    state, signatures, withdrawals = consent.patient_consent(
        ctx.uow(), ctx.clock, principal, patient_id, day
    )
    return ConsentRead.of(state, signatures, withdrawals)


@router.get("/patients/{patient_id}/dosing-consent")
def dosing_consent(
    ctx: ContainerDep, principal: ApiPrincipal, patient_id: int, on: date
) -> DosingConsentRead:
    """May a dosing session start on `on` as far as consent goes (the dosing console asks)."""
    return DosingConsentRead.of(
        consent.dosing_consent(ctx.uow(), ctx.clock, principal, patient_id, on)
    )
