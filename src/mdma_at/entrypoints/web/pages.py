"""The pages: sign-in, dashboard, patient list, registration, the chart and its forms.

Each handler parses the form, calls one service, and renders or redirects (post/redirect/get).
A form the rules refuse is shown again with the reason, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import AuthenticationFailed, Conflict, InvalidInput, RateLimited
from mdma_at.domain.patients import PatientDetails
from mdma_at.domain.vocabulary import Sex
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import field_errors
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    PostedSession,
    Session,
    WebSession,
    checked_session,
    new_login_csrf,
    reject_csrf,
    set_cookie,
)
from mdma_at.protocols import DEFAULT_PROTOCOL
from mdma_at.services.access import auth
from mdma_at.services.dashboard import dashboard as load_dashboard
from mdma_at.services.patients import registry as patients
from mdma_at.services.patients import schedule
from mdma_at.services.reports.safety import open_clocks

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Day = Annotated[date, Form()]


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, ctx: ContainerDep, next: str = "/", message: str = "") -> Response:
    csrf = new_login_csrf()
    response = page(request, "login.html", csrf_token=csrf, next=_safe(next), message=message)
    set_cookie(response, LOGIN_CSRF_COOKIE, csrf, ctx.settings.secure_cookies, 3600)
    return response


@router.post("/login")
def login(
    request: Request,
    ctx: ContainerDep,
    username: Text,
    password: Text,
    csrf_token: Text = "",
    next: Text = "/",
) -> Response:
    if not csrf_token or csrf_token != request.cookies.get(LOGIN_CSRF_COOKIE):
        reject_csrf(ctx)
    address = auth.client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        ctx.settings.trusted_proxies,
    )
    try:
        result = auth.login(
            ctx.uow(), ctx.clock, ctx.hasher, username, password, address, ctx.auth_policy
        )
    except AuthenticationFailed as failure:
        status = 429 if isinstance(failure, RateLimited) else 401
        return page(
            request,
            "login.html",
            status,
            csrf_token=csrf_token,
            next=_safe(next),
            message=str(failure),
            username=username,
        )
    response = RedirectResponse(_safe(next), status_code=303)
    set_cookie(
        response,
        SESSION_COOKIE,
        result.session_token,
        ctx.settings.secure_cookies,
        ctx.auth_policy.session_max_hours * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.post("/logout", dependencies=[Depends(checked_session)])
def logout(request: Request, ctx: ContainerDep) -> Response:
    auth.logout(ctx.uow(), ctx.clock, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login?message=" + quote("You have signed out."), 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, ctx: ContainerDep, session: Session) -> Response:
    board = load_dashboard(ctx.uow(), ctx.clock, session.principal)
    return page(
        request,
        "dashboard.html",
        session=session,
        board=board,
        today=ctx.clock.now().date(),
        safety_clocks=open_clocks(ctx.uow(), ctx.clock, session.principal),
    )


@router.get("/patients", response_class=HTMLResponse)
def patient_list(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    q: str = "",
    status: str = "",
    site: str = "",
) -> Response:
    """The patient list, searched by study ID or name and filtered by status and site."""
    site_id = int(site) if site.isdigit() else None
    rows = patients.patient_list(ctx.uow(), ctx.clock, session.principal, q, status, site_id)
    allowed = sites_for(session.principal, Action.VIEW_PATIENTS)
    with ctx.uow() as uow:
        sites = [s for s in uow.sites.list() if s.id in allowed]
    template = "_patient_rows.html" if request.headers.get("HX-Request") else "patients.html"
    return page(
        request,
        template,
        session=session,
        rows=rows,
        q=q,
        status=status,
        site=site_id,
        sites=sites,
        statuses=patients.LIST_STATUSES,
    )


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_form(request: Request, ctx: ContainerDep, session: Session) -> Response:
    return _new_patient_page(request, ctx, session)


@router.post("/patients/new")
def register_patient(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    site_id: Annotated[int, Form()],
    study_id: Text,
    name: Text,
    date_of_birth: Day,
    sex: Annotated[Sex, Form()],
    phone: Text = "",
    email: Text = "",
    emergency_contact_name: Text = "",
    emergency_contact_phone: Text = "",
) -> Response:
    details = PatientDetails(
        study_id.strip().upper(),
        name.strip(),
        date_of_birth,
        sex,
        phone.strip(),
        email.strip(),
        emergency_contact_name.strip(),
        emergency_contact_phone.strip(),
    )
    try:
        patient = patients.register_patient(
            ctx.uow(), ctx.clock, session.principal, site_id, details
        )
    except (InvalidInput, Conflict) as refused:
        return _new_patient_page(
            request,
            ctx,
            session,
            error="The patient was not registered: nothing was stored.",
            form=details,
            errors=field_errors(refused),
        )
    warning = schedule.age_warning(details.date_of_birth, ctx.clock.now().date())
    if warning:  # registered, but a minor: say now that enrolment will be refused (ADR 0131)
        return _back_to_chart(patient.id, f"Registered. Warning: {warning}.")
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def _new_patient_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    error: str = "",
    form: PatientDetails | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    allowed = sites_for(session.principal, Action.REGISTER_PATIENT)
    with ctx.uow() as uow:
        sites = [s for s in uow.sites.list() if s.id in allowed]
    return page(
        request,
        "patient_new.html",
        422 if error else 200,
        session=session,
        sites=sites,
        error=error,
        form=form,
        errors=errors or {},
        form_kind="patient",
        field_labels={"study_id": "study ID", "date_of_birth": "date of birth"},
        sexes=list(Sex),
    )


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_chart(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    patient_id: int,
    error: str = "",
    notice: str = "",
) -> Response:
    return _chart_page(request, ctx, session, patient_id, error=error, notice=notice)


def _chart_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    error: str = "",
    notice: str = "",
) -> Response:
    chart = patients.chart(ctx.uow(), ctx.clock, session.principal, patient_id)
    today = ctx.clock.now().date()
    return page(
        request,
        "chart.html",
        422 if error else 200,
        session=session,
        chart=chart,
        error=error,
        notice=notice,
        today=today,
        age_warning=schedule.age_warning(chart.patient.details.date_of_birth, today),
    )


@router.post("/patients/{patient_id}/enrol")
def enrol(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    enrolled_on: Day,
    protocol: Text = DEFAULT_PROTOCOL,
) -> Response:
    def act() -> str:
        schedule.enrol(ctx.uow(), ctx.clock, session.principal, patient_id, protocol, enrolled_on)
        return "Enrolled: every visit is planned with its window."

    return _chart_form(request, ctx, session, patient_id, act)


@router.post("/patients/{patient_id}/visits/{visit_id}/held")
def record_visit(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    visit_id: int,
    held_on: Day,
) -> Response:
    def act() -> str:
        result = schedule.record_visit(
            ctx.uow(), ctx.clock, session.principal, visit_id, held_on, patient_id=patient_id
        )
        deviation = result.deviation
        return f"{result.visit.label} recorded." + (
            f" Protocol deviation recorded: {deviation.description}." if deviation else ""
        )

    return _chart_form(request, ctx, session, patient_id, act)


@router.post("/patients/{patient_id}/visits/{visit_id}/reschedule")
def reschedule_visit(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    visit_id: int,
    planned: Day,
    reason: Text = "",
) -> Response:
    def act() -> str:
        result = schedule.reschedule_visit(
            ctx.uow(),
            ctx.clock,
            session.principal,
            visit_id,
            planned,
            reason,
            patient_id=patient_id,
        )
        moved = len([v for v in result.changed if v.id != result.visit.id])
        notice = f"{result.visit.label} moved to {planned}; {moved} later visit(s) re-planned."
        if result.issues:
            notice += " Cannot fit inside their windows: " + "; ".join(
                issue.reason for issue in result.issues
            )
        return notice

    return _chart_form(request, ctx, session, patient_id, act)


@router.post("/patients/{patient_id}/withdraw")
def withdraw(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    withdrawn_on: Day,
    reason: Text = "",
) -> Response:
    def act() -> str:
        schedule.withdraw(ctx.uow(), ctx.clock, session.principal, patient_id, withdrawn_on, reason)
        return "Withdrawn: records kept, planned visits cancelled."

    return _chart_form(request, ctx, session, patient_id, act)


def _chart_form(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    act: Callable[[], str],
) -> Response:
    """Run a chart form's use case: back to the chart with its notice, or the chart again with
    the reason it was refused (nothing stored)."""
    try:
        notice = act()
    except (InvalidInput, Conflict) as refused:
        return _chart_page(request, ctx, session, patient_id, error=str(refused))
    return _back_to_chart(patient_id, notice)


def _back_to_chart(patient_id: int, notice: str) -> Response:
    return RedirectResponse(f"/patients/{patient_id}?notice={quote(notice)}", status_code=303)


def _safe(target: str) -> str:
    """Only same-site paths after sign-in (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"
