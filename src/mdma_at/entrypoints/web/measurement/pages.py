"""Pages of measurement-based care: the due list, the safety alert queue, the chart's measures,
the staff forms for clinician-rated instruments, and the patient's self-report page.

The chart and the dashboard load their measures panels with htmx (`chart_instruments.html`,
`dashboard_instruments.html`), so the foundation's page handlers stay untouched; each panel is
also a full page of its own for browsers without JavaScript.

The self-report page (`/r/{token}`) has no login: the link's token is the credential, so it
needs no CSRF token (a forged post would have to know the secret it forges). It shows nothing
about the patient, sends `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, and its
token opens this page only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.instruments.definitions import (
    AnswerKind,
    DiagnosisRule,
    InstrumentDefinition,
)
from mdma_at.domain.measurement.links import (
    DEFAULT_LINK_DAYS,
    LONGEST_LINK_DAYS,
    SELF_REPORT_INSTRUMENTS,
)
from mdma_at.domain.measurement.records import LinkDelivery
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.entrypoints.permissions import may
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.measurement.charts import CATEGORY_MARK, CATEGORY_TEXT, chart_shape
from mdma_at.entrypoints.web.measurement.qr import qr_svg
from mdma_at.entrypoints.web.rendering import page, templates
from mdma_at.entrypoints.web.session import PostedSession, Session, WebSession
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.services.measurement import measures, safety_alerts, self_report
from mdma_at.services.trials import blinding, raters

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

templates.env.globals["chart_shape"] = chart_shape
templates.env.globals["CATEGORY_MARK"] = CATEGORY_MARK
templates.env.globals["CATEGORY_TEXT"] = CATEGORY_TEXT
templates.env.globals["LINK_DAYS"] = (DEFAULT_LINK_DAYS, LONGEST_LINK_DAYS)
templates.env.globals["SELF_REPORT_CODES"] = [str(code) for code in SELF_REPORT_INSTRUMENTS]
templates.env.globals["INSTRUMENT_NAMES"] = {
    str(d.code): d.name for d in get_protocol(DEFAULT_PROTOCOL).instruments.definitions
}

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


# --- the coordinator's due list --------------------------------------------------------------


@router.get("/measures/due", response_class=HTMLResponse)
def due_list(request: Request, ctx: ContainerDep, session: Session) -> Response:
    clinic = measures.clinic_due(ctx.uow(), ctx.clock, session.principal)
    return page(
        request,
        "instruments_due.html",
        session=session,
        clinic=clinic,
        visit_ids=clinic.visit_ids,
        notice=request.query_params.get("notice", ""),
    )


# --- the blinded rater's list -----------------------------------------------------------------


@router.get("/ratings", response_class=HTMLResponse)
def my_ratings(request: Request, ctx: ContainerDep, session: Session) -> Response:
    """The CAPS-5 ratings due at the rater's sites, each opening its rating form."""
    ratings = measures.ratings_due(ctx.uow(), ctx.clock, session.principal)
    with ctx.uow() as uow:
        assigned = raters.my_assignments(uow, session.principal)
    with ctx.uow() as uow:  # the time points of the blinding assessment, per study
        studies = {a.study: uow.studies.get(a.study) for a in assigned}
    points = {k: blinding.time_points(v) for k, v in studies.items() if v is not None}
    return page(
        request,
        "ratings.html",
        session=session,
        ratings=ratings,
        assigned=assigned,
        time_points=points,
        today=ctx.clock.now().date(),
        notice=request.query_params.get("notice", ""),
        error=request.query_params.get("error", ""),
    )


# --- the physicians' safety alert queue ------------------------------------------------------


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue(request: Request, ctx: ContainerDep, session: Session) -> Response:
    return _queue(request, ctx, session)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    alert_id: int,
    action_taken: Text = "",
    back: Text = "/alerts",
) -> Response:
    try:
        alert = safety_alerts.acknowledge_safety_alert(
            ctx.uow(), ctx.clock, session.principal, alert_id, action_taken
        )
    except (InvalidInput, Conflict) as refused:
        return _queue(request, ctx, session, error=str(refused), failed=alert_id)
    notice = f"Alert acknowledged: {alert.reason}"
    target = back if back.startswith("/") and not back.startswith("//") else "/alerts"
    separator = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{separator}notice={quote(notice)}", status_code=303)


def _queue(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    error: str = "",
    failed: int | None = None,
) -> Response:
    alerts = safety_alerts.open_safety_alerts(ctx.uow(), session.principal)
    return page(
        request,
        "instruments_alerts.html",
        422 if error else 200,
        session=session,
        alerts=alerts,
        error=error,
        failed=failed,
        notice=request.query_params.get("notice", ""),
    )


@router.get("/dashboard/measures", response_class=HTMLResponse)
def dashboard_panel(request: Request, ctx: ContainerDep, session: Session) -> Response:
    """The dashboard's panel: open safety alerts and the count of overdue questionnaires."""
    alerts = safety_alerts.open_safety_alerts(ctx.uow(), session.principal)
    clinic = measures.clinic_due(ctx.uow(), ctx.clock, session.principal)
    return page(
        request, "instruments_dashboard_panel.html", session=session, alerts=alerts, clinic=clinic
    )


# --- the chart: trajectories, alerts, links, forms -------------------------------------------


@router.get("/patients/{patient_id}/measures", response_class=HTMLResponse)
def patient_measures(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, notice: str = ""
) -> Response:
    """The measures panel (an htmx fragment inside the chart, or a page of its own)."""
    fragment = bool(request.headers.get("HX-Request"))
    try:
        found = measures.patient_measures(ctx.uow(), ctx.clock, session.principal, patient_id)
    except PermissionDenied as denied:
        if not fragment:
            raise
        return HTMLResponse(f'<p class="muted">{denied}: outcome measures are not shown.</p>')
    return page(
        request,
        "instruments_panel.html" if fragment else "instruments_measures.html",
        session=session,
        m=found,
        notice=notice,
        today=ctx.clock.now().date(),
        now=ctx.clock.now(),
    )


@router.post("/patients/{patient_id}/self-report-links")
def issue_link(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    visit_id: Text = "",
    days_valid: Text = "",
    reason: Text = "",
) -> Response:
    try:
        issued = self_report.issue_self_report_link(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            visit_id=_optional_int("visit_id", visit_id),
            days_valid=_optional_int("days_valid", days_valid),
            reason=reason,
        )
    except (InvalidInput, Conflict) as refused:
        field = refused.field if isinstance(refused, InvalidInput) else ""
        return _measures_page(request, ctx, session, patient_id, str(refused), field, reason)
    return _issued_page(request, ctx, session, issued, 201)


@router.post("/patients/{patient_id}/self-report-links/{link_id}/send")
def send_link(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    link_id: int,
    token: Text = "",
) -> Response:
    """Email the link to the patient; the page shows the link again with what became of it."""
    self_report.require_link_of(ctx.uow(), link_id, patient_id)  # another patient's: 404
    try:
        issued, delivery = self_report.send_self_report_link(
            ctx.uow(),
            ctx.clock,
            session.principal,
            link_id,
            token,
            ctx.mailer,
            _link_url(request, token),
        )
    except (InvalidInput, Conflict) as refused:
        return _measures_page(request, ctx, session, patient_id, str(refused))
    return _issued_page(request, ctx, session, issued, 200, delivery)


def _issued_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    issued: self_report.IssuedLink,
    status: int,
    delivery: LinkDelivery | None = None,
) -> Response:
    url = _link_url(request, issued.token)
    response = page(
        request,
        "instruments_link_issued.html",
        status,
        session=session,
        issued=issued,
        url=url,
        qr=qr_svg(url),
        patient_id=issued.link.patient_id,
        mailer_ready=ctx.mailer is not None,
        delivery=delivery,
    )
    response.headers.update(PRIVATE)
    return response


def _link_url(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/r/{token}"


@router.get("/patients/{patient_id}/measures/{instrument}/new", response_class=HTMLResponse)
def clinician_form(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    patient_id: int,
    instrument: str,
    visit_id: str = "",
) -> Response:
    """The rating form; `visit_id` preselects the visit (from the rater's list)."""
    values = {"completed_on": ctx.clock.now().date().isoformat(), "visit_id": visit_id}
    return _clinician_form(request, ctx, session, patient_id, instrument, values)


@router.post("/patients/{patient_id}/measures/{instrument}/new")
def record_clinician_form(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    instrument: str,
    values: FormFields,
) -> Response:
    sheet = measures.rating_sheet(ctx.uow(), ctx.clock, session.principal, patient_id, instrument)
    definition = sheet.definition
    answers = [values.get(f"item-{item.number}", "") for item in definition.items]
    try:
        completed_on = _day("completed_on", values.get("completed_on", ""))
        stored = measures.record_clinician_instrument(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            instrument,
            answers,
            completed_on=completed_on,
            visit_id=_optional_int("visit_id", values.get("visit_id", "")),
            criterion_f=_yes_no(values.get("criterion_f", "")),
            criterion_g=_yes_no(values.get("criterion_g", "")),
        )
    except (InvalidInput, Conflict) as refused:
        field = refused.field if isinstance(refused, InvalidInput) else ""
        return _clinician_form(
            request, ctx, session, patient_id, instrument, values, str(refused), field
        )
    result = stored.administration.score
    notice = f"{definition.name} recorded: " + _summary(definition, result.total, result.severity)
    if stored.alerts:
        notice += " Safety alert raised for the physician: " + "; ".join(
            a.reason for a in stored.alerts
        )
    # back where the rating came from: the chart, or the blinded rater's own list
    back = f"/patients/{patient_id}" if may(session.principal, "view_patients") else "/ratings"
    return RedirectResponse(f"{back}?notice={quote(notice)}", status_code=303)


def _clinician_form(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    instrument: str,
    values: dict[str, str] | None = None,
    error: str = "",
    field: str = "",
) -> Response:
    sheet = measures.rating_sheet(ctx.uow(), ctx.clock, session.principal, patient_id, instrument)
    definition = sheet.definition
    today = ctx.clock.now().date()
    return page(
        request,
        "instruments_form.html",
        422 if error else 200,
        session=session,
        sheet=sheet,
        definition=definition,
        yes_no=definition.answer_kind is AnswerKind.YES_NO,
        f_and_g=definition.diagnosis_rule is DiagnosisRule.DSM5_WITH_F_AND_G,
        values=values or {"completed_on": today.isoformat()},
        error=error,
        field=field,
        today=today,
    )


def _measures_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    error: str,
    field: str = "",
    reason: str = "",
) -> Response:
    found = measures.patient_measures(ctx.uow(), ctx.clock, session.principal, patient_id)
    return page(
        request,
        "instruments_measures.html",
        422,
        session=session,
        m=found,
        error=error,
        field=field,
        reason=reason,
        today=ctx.clock.now().date(),
        now=ctx.clock.now(),
    )


# --- the patient's self-report page (no login) -----------------------------------------------


@router.get("/r/{token}", response_class=HTMLResponse)
def self_report_form(request: Request, ctx: ContainerDep, token: str) -> Response:
    opened = self_report.open_self_report(ctx.uow(), ctx.clock, token)
    if not opened.verdict.usable:
        return _refused(request, opened.verdict.reason)
    return _self_report_page(request, token, opened.instruments)


@router.post("/r/{token}")
def self_report_submit(
    request: Request, ctx: ContainerDep, token: str, values: FormFields
) -> Response:
    opened = self_report.open_self_report(ctx.uow(), ctx.clock, token)
    answers = {
        str(d.code): [values.get(f"{d.code}-{item.number}", "") for item in d.items]
        for d in opened.instruments
    }
    try:
        result = self_report.submit_self_report(ctx.uow(), ctx.clock, token, answers)
    except InvalidInput as refused:
        return _self_report_page(
            request, token, opened.instruments, values, _patient_message(refused), refused.field
        )
    if not result.verdict.usable:
        return _refused(request, result.verdict.reason)
    response = templates.TemplateResponse(request, "self_report_done.html", {})
    response.headers.update(PRIVATE)
    return response


def _self_report_page(
    request: Request,
    token: str,
    instruments: tuple[InstrumentDefinition, ...],
    values: dict[str, str] | None = None,
    error: str = "",
    field: str = "",
) -> Response:
    response = templates.TemplateResponse(
        request,
        "self_report.html",
        {
            "token": token,
            "instruments": instruments,
            "values": values or {},
            "error": error,
            "field": field,
        },
        status_code=422 if error else 200,
    )
    response.headers.update(PRIVATE)
    return response


def _refused(request: Request, reason: str) -> Response:
    response = templates.TemplateResponse(
        request, "self_report_refused.html", {"reason": reason}, status_code=410
    )
    response.headers.update(PRIVATE)
    return response


def _patient_message(refused: InvalidInput) -> str:
    """The error in the patient's words: which questionnaire and question, and why."""
    code, _, rest = refused.field.partition(".")
    names = {"phq9": "PHQ-9", "gad7": "GAD-7", "pcl5": "PCL-5"}
    if rest.startswith("items["):
        return f"{names.get(code, code)} question {rest[6:-1]}: {refused.reason}"
    return refused.reason[:1].upper() + refused.reason[1:] + "."


# --- small parsers ---------------------------------------------------------------------------


def _optional_int(field: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a number") from None
    if not 1 <= number <= MAX_RECORD_ID:  # beyond what the database stores
        raise InvalidInput(field, f"{number} is out of range")
    return number


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _yes_no(text: str) -> bool | None:
    return {"yes": True, "no": False}.get(text.strip().lower())


def _summary(definition: InstrumentDefinition, total: int | None, severity: str | None) -> str:
    if definition.code == "cssrs-screen":
        return f"risk {severity or 'undetermined'}."
    shown = "no total (too many items missing)" if total is None else f"total {total}"
    return shown + (f", {severity.replace('_', ' ')}." if severity else ".")
