"""The daily clinic worklist and the booking form of a visit (issue 14, item 2; ADR 0142).

The form reads its fields as text and parses them here, so a typing error comes back as the form
with the field named (422), never as a bare validation error; nothing is stored.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.local_time import local_time
from mdma_at.domain.schedule.booking import BookingDraft
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.entrypoints.web.forms import FormFields, field_errors
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session, WebSession
from mdma_at.services.patients import bookings
from mdma_at.services.worklist import worklist

router = APIRouter(include_in_schema=False)


@router.get("/worklist", response_class=HTMLResponse)
def worklist_page(
    request: Request, ctx: ContainerDep, session: Session, notice: str = ""
) -> Response:
    """Today's visits in time order with room and staff, sessions in progress, check-ins due."""
    return page(
        request,
        "worklist.html",
        session=session,
        w=worklist(ctx.uow(), ctx.clock, session.principal),
        notice=notice,
    )


@router.get("/patients/{patient_id}/visits/{visit_id}/booking", response_class=HTMLResponse)
def booking_page(
    request: Request, ctx: ContainerDep, session: Session, patient_id: int, visit_id: int
) -> Response:
    return _booking_page(request, ctx, session, patient_id, visit_id)


@router.post("/patients/{patient_id}/visits/{visit_id}/booking")
def book(
    request: Request,
    ctx: ContainerDep,
    session: PostedSession,
    patient_id: int,
    visit_id: int,
    values: FormFields,
) -> Response:
    try:
        draft = BookingDraft(
            visit_id,
            _start(values.get("starts_at", "")),
            _room(values.get("room", "")),
            tuple(
                _record_id("staff", key.removeprefix("staff-"))
                for key in values
                if key.startswith("staff-")
            ),
            values.get("reason", ""),
        )
        booked = bookings.book_visit(
            ctx.uow(), ctx.clock, session.principal, draft, patient_id=patient_id
        )
    except (InvalidInput, Conflict) as refused:
        return _booking_page(request, ctx, session, patient_id, visit_id, values, refused)
    form = bookings.booking_form(ctx.uow(), ctx.clock, session.principal, patient_id, visit_id)
    notice = (
        f"{form.visit.label} booked for "
        f"{local_time(booked.booking.starts_at, form.zone)}, {_room_name(form, booked)}."
    )
    if booked.moved is not None:
        later = [v for v in booked.moved.changed if v.id != visit_id]
        notice += f" Moved to {booked.moved.visit.planned}; {len(later)} later visit(s) re-planned."
    if booked.outside_window:
        notice += f" Warning: {booked.outside_window}; held then, it is a protocol deviation."
    back = values.get("back", "")
    target = "/worklist" if back == "worklist" else f"/patients/{patient_id}"
    return RedirectResponse(f"{target}?notice={quote(notice)}", status_code=303)


def _room_name(form: bookings.BookingForm, booked: bookings.Booked) -> str:
    return next((r.name for r in form.rooms if r.id == booked.booking.room_id), "")


def _start(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("starts_at", f"{text!r} is not a date and time") from None


def _room(text: str) -> int:
    if not text.strip():
        raise InvalidInput("room", "choose one of the rooms of the patient's site")
    return _record_id("room", text)


def _record_id(field: str, text: str) -> int:
    """A room's or a person's ID as posted; beyond what the database stores is refused here."""
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_RECORD_ID:
        raise InvalidInput(field, f"{text!r} is not one of the choices offered")
    return int(text)


def _booking_page(
    request: Request,
    ctx: ContainerDep,
    session: WebSession,
    patient_id: int,
    visit_id: int,
    values: dict[str, str] | None = None,
    refused: InvalidInput | Conflict | None = None,
) -> Response:
    form = bookings.booking_form(ctx.uow(), ctx.clock, session.principal, patient_id, visit_id)
    if values is None:
        values = {"back": request.query_params.get("back", "")}
        if form.booking is not None:
            values["starts_at"] = local_time(form.booking.starts_at, form.zone, "%Y-%m-%dT%H:%M")
            values["room"] = str(form.booking.room_id)
            values.update({f"staff-{user_id}": "on" for user_id in form.booking.staff})
        else:
            values["starts_at"] = f"{form.visit.planned.isoformat()}T09:00"
    return page(
        request,
        "visit_booking.html",
        422 if refused else 200,
        session=session,
        f=form,
        zone=form.zone,
        values=values,
        error=f"Not booked: nothing was stored. {refused}" if refused else "",
        errors=field_errors(refused) if refused else {},
        form_kind="booking",
    )
