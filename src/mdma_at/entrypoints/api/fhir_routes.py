"""FHIR for the hospital's EHR (issue 17, item 1): a patient's `$everything` as a Bundle.

`GET /api/fhir/Patient/{patient_id}/$everything[?start=YYYY-MM-DD&end=YYYY-MM-DD]` answers a
searchset Bundle (application/fhir+json) of what the caller may read of that patient; `start`
and `end` are the operation's own parameters (the period of care). Another site's patient is 404
(ADR 0100); a bad date or an end before the start is 422 naming the parameter.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.interop.fhir.export import everything_bundle
from mdma_at.services.exports.records import export_window, patient_export

router = APIRouter(prefix="/api/fhir", tags=["fhir"], responses=problem_responses())

FHIR_JSON = "application/fhir+json"


@router.get(
    "/Patient/{patient_id}/$everything",
    response_class=Response,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "a searchset Bundle"}},
)
def patient_everything(
    ctx: ContainerDep,
    principal: ApiPrincipal,
    patient_id: int,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    """Everything the caller may read of the patient, as FHIR R4 resources (audited)."""
    now = ctx.clock.now()
    window = export_window(start, end, now.date(), fields=("start", "end"))
    record = patient_export(ctx.uow(), ctx.clock, principal, patient_id, window)
    body = json.dumps(everything_bundle(record, now))
    return Response(body, media_type=FHIR_JSON)
