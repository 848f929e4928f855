"""Screening and consent pages (issue 3): the screening form with a live verdict, the verdict and
the physician's signature, and the consent page.

The form re-evaluates on every change (htmx, nothing stored) and stores on submit. A form the rules
refuse is shown again with the reason and the field marked (422), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.eligibility import (
    SCREENING_SEX_ORDER,
    Decision,
    DrugScreen,
    QtCorrection,
    SudSeverity,
)
from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.local_time import read_local
from mdma_at.domain.screening.consent import document_in_effect
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.screening.form import (
    MEDICATION_ROWS,
    SUBSTANCE_ROWS,
    FormValues,
    blank_form,
    form_from_intake,
    intake_from_form,
)
from mdma_at.entrypoints.web.session import (
    PostedSession,
    Session,
    WebSession,
    checked_session,
)
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.patients import consent
from mdma_at.services.patients import registry as patients
from mdma_at.services.screening import workup as screening
from mdma_at.services.site_time import zone_of_patient

router = APIRouter(include_in_schema=False)


def _form_context(values: FormValues, ticked: list[str]) -> dict[str, Any]:
    return {
        "values": values,
        "ticked": ticked,
        "conditions": get_protocol(DEFAULT_PROTOCOL).eligibility.conditions,
        "sexes": [s.value for s in SCREENING_SEX_ORDER],
        "risks": [r.value for r in CssrsRisk],
        "severities": [s.value for s in SudSeverity],
        "tests": [t.value for t in PregnancyTest],
        "analytes": get_protocol(DEFAULT_PROTOCOL).eligibility.labs.analytes,
        "drug_screens": [d.value for d in DrugScreen],
        "corrections": [c.value for c in QtCorrection],
        "substance_rows": range(SUBSTANCE_ROWS),
        "medication_rows": range(MEDICATION_ROWS),
    }


async def _posted(request: Request) -> tuple[dict[str, Any], list[str]]:
    """The form's fields and its ticked conditions, read on the event loop so that the handler
    itself (database, scoring) can be a plain function run in the thread pool."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "conditions"}
    ticked = [v for v in form.getlist("conditions") if isinstance(v, str)]
    return values, ticked


Posted = Annotated[tuple[dict[str, Any], list[str]], Depends(_posted)]


def _evaluate(values: Mapping[str, Any], ticked: list[str]) -> dict[str, Any]:
    """The verdict, or the refusal with the field as the physician sees it."""
    rows = None
    try:
        data, rows = intake_from_form(values, ticked)
        _, result = screening.evaluate(data)
    except InvalidInput as refused:
        field = rows.field(refused.field) if rows else refused.field
        return {"verdict": None, "error_field": field, "error": f"{field}: {refused.reason}"}
    return {"verdict": result.to_dict(), "error_field": "", "error": ""}


def _screening_form(
    request: Request,
    session: WebSession,
    chart: patients.Chart,
    values: FormValues,
    ticked: list[str],
    status: int = 200,
    error: str = "",
    error_field: str = "",
) -> HTMLResponse:
    live = _evaluate(values, ticked) if not error else {"verdict": None}
    return page(
        request,
        "screening_form.html",
        status,
        session=session,
        chart=chart,
        error=error,
        error_field=error_field,
        live=live,
        **_form_context(values, ticked),
    )


@router.get("/screening/awaiting", response_class=HTMLResponse)
def awaiting_signature(request: Request, ctx: ContainerDep, session: Session) -> Response:
    """The dashboard's card (htmx): unsigned screenings where the user may sign."""
    awaiting = screening.awaiting_signature(ctx.uow(), session.principal)
    may_sign = bool(sites_for(session.principal, Action.SIGN_SCREENING))
    return page(request, "_screening_awaiting.html", awaiting=awaiting, may_sign=may_sign)


@router.get("/patients/{patient_id}/screening/panel", response_class=HTMLResponse)
def screening_panel(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int
) -> Response:
    """The chart's card (htmx): latest verdict and signature, consent, the first-dosing gate."""
    panel = screening.screening_panel(ctx.uow(), ctx.clock, session.principal, patient_id)
    return page(
        request, "_screening_panel.html", session=session, screening=panel, patient_id=patient_id
    )


@router.get("/patients/{patient_id}/screening/new", response_class=HTMLResponse)
def new_screening(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int
) -> Response:
    chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
    found = screening.screenings_for(ctx.uow(), ctx.clock, session.principal, patient_id)
    today = ctx.clock.now().date()
    if found:  # start from the last screening: a re-screening changes what has changed
        values, ticked = form_from_intake(found[-1].intake)
        values["screening_date"] = today.isoformat()
    else:
        details = chart.patient.details
        values, ticked = blank_form(today, details.sex.value, details.date_of_birth)
    return _screening_form(request, session, chart, values, ticked)


@router.post(
    "/patients/{patient_id}/screening/evaluate",
    response_class=HTMLResponse,
    dependencies=[Depends(checked_session)],
)
def evaluate_screening(request: Request, posted: Posted) -> Response:
    """The live verdict (htmx): nothing is stored; bad input is shown, not stored."""
    values, ticked = posted
    return page(request, "_screening_live.html", live=_evaluate(values, ticked))


@router.post("/patients/{patient_id}/screening")
def store_screening(
    request: Request, ctx: ContainerDep, session: PostedSession, patient_id: int, posted: Posted
) -> Response:
    values, ticked = posted
    rows = None
    try:
        data, rows = intake_from_form(values, ticked)
        stored = screening.record_screening(
            ctx.uow(), ctx.clock, session.principal, patient_id, data
        )
    except InvalidInput as refused:
        field = rows.field(refused.field) if rows else refused.field
        chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
        return _screening_form(
            request,
            session,
            chart,
            values,
            ticked,
            422,
            error=f"Not stored. {field}: {refused.reason}",
            error_field=field,
        )
    notice = f"Screening stored: {stored.decision.value}. A physician signs the verdict below."
    return RedirectResponse(
        f"/patients/{patient_id}/screenings/{stored.id}?notice={quote(notice)}", status_code=303
    )


def _screening_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    screening_id: int,
    error: str = "",
    notice: str = "",
) -> HTMLResponse:
    record = screening.get_screening(
        ctx.uow(), ctx.clock, session.principal, screening_id, patient_id=patient_id
    )
    chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
    latest = screening.screenings_for(ctx.uow(), ctx.clock, session.principal, patient_id)[-1]
    return page(
        request,
        "screening_view.html",
        422 if error else 200,
        session=session,
        chart=chart,
        record=record,
        is_latest=latest.id == record.id,
        decisions=[d.value for d in Decision],
        error=error,
        notice=notice,
    )


@router.get("/patients/{patient_id}/screenings/{screening_id}", response_class=HTMLResponse)
def view_screening(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    patient_id: int,
    screening_id: int,
    notice: str = "",
) -> Response:
    return _screening_page(request, ctx, session, patient_id, screening_id, notice=notice)


@router.post("/patients/{patient_id}/screenings/{screening_id}/sign")
def sign_screening(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    screening_id: int,
    posted: Posted,
) -> Response:
    values, _ = posted
    try:
        decision = screening.parse_decision(values.get("decision"))
        signed = screening.sign_screening(
            ctx.uow(),
            ctx.clock,
            session.principal,
            screening_id,
            decision,
            values.get("reason", ""),
            patient_id=patient_id,
        )
    except (InvalidInput, Conflict) as refused:
        return _screening_page(
            request, ctx, session, patient_id, screening_id, f"Not signed. {refused}"
        )
    what = "Override signed" if signed.signature and signed.signature.overridden else "Signed"
    notice = f"{what}: {signed.final_decision.value}."
    return RedirectResponse(f"/patients/{patient_id}?notice={quote(notice)}", status_code=303)


def _consent_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    error: str = "",
    notice: str = "",
) -> HTMLResponse:
    chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
    today = ctx.clock.now().date()
    state, signatures, withdrawals = consent.patient_consent(
        ctx.uow(), ctx.clock, session.principal, patient_id, today
    )
    documents = consent.consent_documents(
        ctx.uow(), ctx.clock, session.principal, chart.patient.site_id
    )
    witnesses = consent.witnesses(ctx.uow(), ctx.clock, session.principal, chart.patient.site_id)
    return page(
        request,
        "consent.html",
        422 if error else 200,
        session=session,
        chart=chart,
        state=state,
        signatures=signatures,
        withdrawals=withdrawals,
        documents=documents,
        # only the version in effect today can be signed (issue 14, item 8)
        signable=document_in_effect(documents, today),
        by_id={d.id: d for d in documents},
        witnesses=witnesses,
        now=ctx.clock.now().strftime("%Y-%m-%dT%H:%M"),
        error=error,
        notice=notice,
    )


@router.get("/patients/{patient_id}/consent", response_class=HTMLResponse)
def consent_page(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, notice: str = ""
) -> Response:
    return _consent_page(request, ctx, session, patient_id, notice=notice)


def _typed(text: str, field: str, zone: ZoneInfo) -> datetime | None:
    """A ``datetime-local`` value read in the site's zone (issue 13); blank means now."""
    if not text.strip():
        return None
    try:
        return read_local(datetime.fromisoformat(text.strip()), zone)
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a date and time") from None


def _int(text: str, field: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(field, "choose one") from None
    if not 1 <= number <= MAX_RECORD_ID:  # beyond what the database stores
        raise InvalidInput(field, f"{number} is out of range")
    return number


@router.post("/patients/{patient_id}/consent/sign")
def sign_consent(
    request: Request, ctx: ContainerDep, session: PostedSession, patient_id: int, posted: Posted
) -> Response:
    values, _ = posted
    try:
        consent.sign_consent(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            document_id=_int(values.get("document_id", ""), "document_id"),
            signed_name=values.get("signed_name", ""),
            witness_id=_int(values.get("witness_id", ""), "witness_id"),
            signed_at=_typed(
                values.get("signed_at", ""), "signed_at", zone_of_patient(ctx.uow(), patient_id)
            ),
        )
    except (InvalidInput, Conflict) as refused:
        return _consent_page(request, ctx, session, patient_id, f"Not recorded. {refused}")
    notice = "Consent signature recorded."
    return RedirectResponse(f"/patients/{patient_id}?notice={quote(notice)}", status_code=303)


@router.post("/patients/{patient_id}/consent/withdraw")
def withdraw_consent(
    request: Request, ctx: ContainerDep, session: PostedSession, patient_id: int, posted: Posted
) -> Response:
    values, _ = posted
    try:
        consent.withdraw_consent(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            values.get("reason", ""),
            _typed(
                values.get("withdrawn_at", ""),
                "withdrawn_at",
                zone_of_patient(ctx.uow(), patient_id),
            ),
        )
    except (InvalidInput, Conflict) as refused:
        return _consent_page(request, ctx, session, patient_id, f"Not recorded. {refused}")
    notice = "Withdrawal of consent recorded: no dosing session may start."
    return RedirectResponse(f"/patients/{patient_id}?notice={quote(notice)}", status_code=303)


def _documents_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    site_id: int,
    error: str = "",
    form: Mapping[str, Any] | None = None,
    notice: str = "",
) -> HTMLResponse:
    documents = consent.consent_documents(ctx.uow(), ctx.clock, session.principal, site_id)
    with ctx.uow() as uow:
        site = uow.sites.get(site_id)
    return page(
        request,
        "consent_documents.html",
        422 if error else 200,
        session=session,
        site=site,
        documents=documents,
        may_publish=site_id in sites_for(session.principal, Action.PUBLISH_CONSENT_DOCUMENT),
        error=error,
        notice=notice,
        form=form,
    )


@router.get("/sites/{site_id}/consent-documents", response_class=HTMLResponse)
def consent_documents(
    request: Request, ctx: ContainerDep, session: Session, site_id: int, notice: str = ""
) -> Response:
    return _documents_page(request, ctx, session, site_id, notice=notice)


@router.post("/sites/{site_id}/consent-documents")
def publish_consent_document(
    request: Request, ctx: ContainerDep, session: PostedSession, site_id: int, posted: Posted
) -> Response:
    values, _ = posted
    try:
        version = _int(values.get("version", ""), "version")
        try:
            effective_on = date.fromisoformat(values.get("effective_on", "").strip())
        except ValueError:
            raise InvalidInput("effective_on", "give a date (YYYY-MM-DD)") from None
        document = consent.publish_consent_document(
            ctx.uow(),
            ctx.clock,
            session.principal,
            site_id,
            title=values.get("title", ""),
            version=version,
            effective_on=effective_on,
            text=values.get("text", ""),
            reference=values.get("reference", ""),
        )
    except (InvalidInput, Conflict) as refused:
        return _documents_page(request, ctx, session, site_id, f"Not published. {refused}", values)
    notice = f"Version {document.version} published, effective {document.effective_on}."
    return RedirectResponse(
        f"/sites/{site_id}/consent-documents?notice={quote(notice)}", status_code=303
    )
