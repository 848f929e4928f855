"""API of the daily clinic worklist and visit bookings (issue 14, item 2; ADR 0142)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from mdma_at.domain.schedule.booking import Booking, BookingDraft
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.entrypoints.api.schemas import RecordId, Strict, VisitRead
from mdma_at.services.patients import bookings
from mdma_at.services.worklist import worklist

router = APIRouter(prefix="/api", tags=["worklist"], responses=problem_responses())


class BookingCreate(Strict):
    starts_at: datetime = Field(
        description="the start in the site's wall-clock time (no offset), or with an offset"
    )
    room_id: RecordId
    staff: list[RecordId] = Field(max_length=10, description="user IDs of the staff booked")
    reason: str = Field(
        default="",
        max_length=2000,
        description="needed to move the day, re-book, or book outside the visit's window",
    )


class BookingRead(BaseModel):
    visit_id: int
    starts_at: datetime
    ends_at: datetime
    room_id: int
    staff: list[int]

    @classmethod
    def of(cls, booking: Booking) -> BookingRead:
        return cls(
            visit_id=booking.visit_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            room_id=booking.room_id,
            staff=list(booking.staff),
        )


class BookedRead(BaseModel):
    booking: BookingRead
    moved_to: date | None
    outside_window: str | None


class WorklistVisitRead(BaseModel):
    patient_id: int
    study_id: str
    visit: VisitRead
    booking: BookingRead | None
    room: str
    staff: list[str]


class WorklistRead(BaseModel):
    today: date
    visits: list[WorklistVisitRead]
    sessions_in_progress: list[int]
    check_ins_due: list[dict[str, object]]


@router.post("/visits/{visit_id}/booking", status_code=201)
def book_visit(
    ctx: ContainerDep, principal: ApiPrincipal, visit_id: int, body: BookingCreate
) -> BookedRead:
    """Book (or re-book) a planned visit for a time, a room and its staff."""
    draft = BookingDraft(visit_id, body.starts_at, body.room_id, tuple(body.staff), body.reason)
    booked = bookings.book_visit(ctx.uow(), ctx.clock, principal, draft)
    return BookedRead(
        booking=BookingRead.of(booked.booking),
        moved_to=booked.moved.visit.planned if booked.moved else None,
        outside_window=booked.outside_window,
    )


@router.get("/worklist")
def get_worklist(ctx: ContainerDep, principal: ApiPrincipal) -> WorklistRead:
    """Today's visits in time order with room and staff, sessions in progress, check-ins due."""
    w = worklist(ctx.uow(), ctx.clock, principal)
    return WorklistRead(
        today=w.today,
        visits=[
            WorklistVisitRead(
                patient_id=row.patient.id,
                study_id=row.patient.study_id,
                visit=VisitRead.of(row.visit),
                booking=BookingRead.of(row.booking) if row.booking else None,
                room=row.room,
                staff=list(row.staff),
            )
            for row in w.visits
        ],
        sessions_in_progress=[s.id for _, s in w.in_progress],
        check_ins_due=[
            {
                "patient_id": d.patient.id,
                "study_id": d.patient.study_id,
                "session_number": d.contact.session_number,
                "day": d.contact.day,
                "on": d.contact.on,
                "missed": d.overdue(w.today),
            }
            for d in w.check_ins
        ],
    )
