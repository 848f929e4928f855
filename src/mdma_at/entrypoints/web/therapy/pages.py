"""Pages of the non-drug course of care: session notes and check-ins (issue 14, items 4-5).

The chart, the dashboard and the due list load their panels with htmx (`chart_therapy.html`,
`dashboard_therapy.html`, `therapy_due_panel.html`), as the measures panels do, so the
foundation's handlers stay untouched; each panel is also a page of its own without JavaScript.
Forms read their fields as text and parse them here, so a typing error comes back as the form
with the field named (422), never as a bare validation error; nothing is stored.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckInDraft, ContactMode
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.instruments.cssrs import LABELS as CSSRS_LABELS
from mdma_at.domain.therapy_notes import AddendumDraft, NoteDraft
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session, WebSession
from mdma_at.services.therapy import check_ins, notes

router = APIRouter(include_in_schema=False)
_E = TypeVar("_E", bound=StrEnum)

MODES = {ContactMode.PHONE: "Phone", ContactMode.VIDEO: "Video", ContactMode.IN_PERSON: "In person"}


# --- panels: chart, dashboard, due list ------------------------------------------------------


@router.get("/patients/{patient_id}/therapy", response_class=HTMLResponse)
def therapy_panel(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int
) -> Response:
    """The chart's notes and check-ins (an htmx fragment, or a page of its own)."""
    fragment = bool(request.headers.get("HX-Request"))
    try:
        found = notes.patient_notes(ctx.uow(), ctx.clock, session.principal, patient_id)
        contacts = check_ins.patient_check_ins(ctx.uow(), ctx.clock, session.principal, patient_id)
    except PermissionDenied as denied:
        if not fragment:
            raise
        return HTMLResponse(f'<p class="muted">{denied}: therapy notes are not shown.</p>')
    return page(
        request,
        "therapy_panel.html" if fragment else "therapy_page.html",
        session=session,
        n=found,
        c=contacts,
        today=ctx.clock.now().date(),
    )


@router.get("/check-ins/due", response_class=HTMLResponse)
def due_check_ins(request: Request, ctx: ContainerDep, session: Session) -> Response:
    """Check-ins due today or missed while the contact days run (fragment or page)."""
    due = check_ins.clinic_check_ins(ctx.uow(), ctx.clock, session.principal)
    fragment = bool(request.headers.get("HX-Request"))
    return page(
        request,
        "therapy_due_panel.html" if fragment else "therapy_due.html",
        session=session,
        due=due,
        today=ctx.clock.now().date(),
    )


# --- the note of one visit -------------------------------------------------------------------


@router.get("/patients/{patient_id}/visits/{visit_id}/note", response_class=HTMLResponse)
def note_page(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, visit_id: int
) -> Response:
    return _note_page(request, ctx, session, patient_id, visit_id)


@router.post("/patients/{patient_id}/visits/{visit_id}/note")
def sign_note(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    visit_id: int,
    values: FormFields,
) -> Response:
    # a visit of another patient (or none) in the path is "no visit", before anything is checked
    found = notes.patient_notes(ctx.uow(), ctx.clock, session.principal, patient_id)
    if found.slot(visit_id) is None:
        raise NotFound(f"no preparation or integration visit {visit_id}")
    try:
        draft = NoteDraft(
            visit_id,
            _day("session_on", values.get("session_on", "")),
            values.get("themes", ""),
            values.get("risks", ""),
            values.get("plan", ""),
            tuple(
                _int("present", key.removeprefix("present-"))
                for key in values
                if key.startswith("present-")
            ),
            _int("duration_minutes", values.get("duration_minutes", "")),
        )
        note = notes.write_note(ctx.uow(), ctx.clock, session.principal, patient_id, draft)
    except (InvalidInput, Conflict) as refused:
        field = refused.field if isinstance(refused, InvalidInput) else ""
        return _note_page(request, ctx, session, patient_id, visit_id, values, str(refused), field)
    return _back(patient_id, f"Note signed and locked (note {note.id}).")


@router.post("/patients/{patient_id}/therapy-notes/{note_id}/addenda")
def sign_addendum(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    note_id: int,
    values: FormFields,
) -> Response:
    visit_id = _int("visit_id", values.get("visit_id", "0"))
    try:
        notes.add_addendum(
            ctx.uow(),
            ctx.clock,
            session.principal,
            note_id,
            AddendumDraft(note_id, values.get("reason", ""), values.get("text", "")),
            patient_id=patient_id,
        )
    except InvalidInput as refused:
        return _note_page(
            request, ctx, session, patient_id, visit_id, values, str(refused), refused.field
        )
    return RedirectResponse(
        f"/patients/{patient_id}/visits/{visit_id}/note?notice={quote('Addendum signed.')}", 303
    )


def _note_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    visit_id: int,
    values: dict[str, str] | None = None,
    error: str = "",
    field: str = "",
) -> Response:
    found = notes.patient_notes(ctx.uow(), ctx.clock, session.principal, patient_id)
    slot = found.slot(visit_id)
    if slot is None:
        raise NotFound(f"no preparation or integration visit {visit_id}")
    today = ctx.clock.now().date()
    default_day = min(slot.visit.held_on or slot.visit.planned, today)
    return page(
        request,
        "therapy_note.html",
        422 if error else 200,
        session=session,
        n=found,
        slot=slot,
        values=values
        or {
            "session_on": default_day.isoformat(),
            "duration_minutes": "",
            f"present-{session.principal.user_id}": "on",
        },
        error=error,
        field=field,
        notice=request.query_params.get("notice", ""),
        today=today,
    )


# --- check-ins -------------------------------------------------------------------------------


@router.get("/patients/{patient_id}/check-ins/new", response_class=HTMLResponse)
def check_in_form(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, on: str = ""
) -> Response:
    return _check_in_form(request, ctx, session, patient_id, {"on": on})


@router.post("/patients/{patient_id}/check-ins")
def record_check_in(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    values: FormFields,
) -> Response:
    answers = [values.get(f"cssrs-{label}", "") for label in CSSRS_LABELS]
    try:
        severity = values.get("ae_severity", "")
        draft = CheckInDraft(
            _day("on", values.get("on", "")),
            _choice("mode", values.get("mode", ""), ContactMode),
            _int("suds", values.get("suds", "")),
            _hours("sleep_hours", values.get("sleep_hours", "")),
            values.get("suicidal_thoughts", "") == "yes",
            values.get("ae_term", ""),
            _choice("ae_severity", severity, AeSeverity) if severity else None,
            values.get("notes", ""),
        )
        recorded = check_ins.record_check_in(
            ctx.uow(),
            ctx.clock,
            session.principal,
            patient_id,
            draft,
            answers if any(a for a in answers) else None,
        )
    except (InvalidInput, Conflict) as refused:
        field = refused.field if isinstance(refused, InvalidInput) else ""
        return _check_in_form(request, ctx, session, patient_id, values, str(refused), field)
    notice = f"Day-{recorded.check_in.day} check-in recorded."
    if recorded.alerts:
        notice += " Safety alert raised for the physician: " + "; ".join(
            a.reason for a in recorded.alerts
        )
    return _back(patient_id, notice)


def _check_in_form(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    values: dict[str, str],
    error: str = "",
    field: str = "",
) -> Response:
    contacts = check_ins.patient_check_ins(ctx.uow(), ctx.clock, session.principal, patient_id)
    today = ctx.clock.now().date()
    if not values.get("on"):
        values = {**values, "on": today.isoformat()}
    return page(
        request,
        "therapy_check_in.html",
        422 if error else 200,
        session=session,
        c=contacts,
        values=values,
        modes=MODES,
        severities=list(AeSeverity),
        cssrs_labels=CSSRS_LABELS,
        error=error,
        field=field,
        today=today,
    )


# --- parsing the typed fields ----------------------------------------------------------------


def _back(patient_id: int, notice: str) -> Response:
    return RedirectResponse(f"/patients/{patient_id}?notice={quote(notice)}", status_code=303)


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _int(field: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a whole number") from None


def _hours(field: str, text: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a number of hours") from None
    if not math.isfinite(value):
        raise InvalidInput(field, f"{text!r} is not a number of hours")
    return value


def _choice(field: str, text: str, kind: type[_E]) -> _E:
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput(field, f"{text!r} is not one of {allowed}") from None
