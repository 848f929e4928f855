"""Booking a visit for a time, a room and its staff, and changing that booking (issue 14, item 2;
ADR 0142). A booking on another day moves the visit there, through the schedule's own move."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from mdma_at.domain.access import Action
from mdma_at.domain.errors import Conflict
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.booking import (
    DYAD_KINDS,
    BookedVisit,
    Booking,
    BookingDraft,
    Clash,
    Room,
    booked_span,
    check_booking,
)
from mdma_at.domain.schedule.records import Visit, VisitStatus
from mdma_at.domain.staff import Principal, Role, StaffMember
from mdma_at.protocols import get_protocol
from mdma_at.services.audit import record
from mdma_at.services.patients.schedule import Replanned, load_visit, move_visit
from mdma_at.services.ports import Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class Booked:
    booking: Booking
    moved: Replanned | None  # the visit moved to the booking's day, and what was re-planned
    outside_window: str | None  # the warning: held on this day, it will be a deviation


def book_visit(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    draft: BookingDraft,
    *,
    patient_id: int | None = None,
) -> Booked:
    """Book (or re-book) a planned visit: start in the site's time, room and staff.

    Through a patient's path (`patient_id`), another patient's visit is "no visit" (404).

    Raises:
        InvalidInput: ``starts_at``, ``room``, ``staff``, ``reason`` (see `check_booking`), or
            ``starts_at`` when the new day is before the visit it follows or the first dosing
            session is not yet allowed on it; nothing is stored.
        Conflict: the visit is no longer planned, or the patient has withdrawn.
    """
    with uow:
        visit, enrolment, actor = load_visit(
            uow, clock, principal, draft.visit_id, Action.BOOK_VISIT, patient_id
        )
        if visit.status is not VisitStatus.PLANNED:
            raise Conflict(f"{visit.label} is {visit.status.value}; only planned visits are booked")
        patient = uow.patients.get(enrolment.patient_id)
        site = uow.sites.get(patient.site_id) if patient else None
        assert patient is not None and site is not None
        zone = ZoneInfo(site.timezone)
        rules = get_protocol(enrolment.protocol).bookings
        existing = uow.bookings.for_visit(visit.id)
        span = booked_span(draft.starts_at, visit.kind, zone, rules)
        clashes = [
            Clash(other, _describe(uow, other.visit_id))
            for other in uow.bookings.overlapping(*span)
            if other.visit_id != visit.id
        ]
        checked = check_booking(
            draft,
            visit=BookedVisit(
                visit.kind,
                visit.label,
                visit.planned,
                visit.window_start,
                visit.window_end,
                site.id,
            ),
            zone=zone,
            now=clock.now(),
            rules=rules,
            room=uow.bookings.room(draft.room_id),
            roles_at_site={
                user_id: uow.staff.roles(user_id).get(site.id, frozenset())
                for user_id in draft.staff
            },
            names={u: m.full_name for u in draft.staff if (m := uow.staff.get(u)) is not None},
            clashes=clashes,
            rebooking=existing is not None,
        )
        moved = None
        if checked.moves_day:
            moved = move_visit(
                uow, clock, actor, visit, enrolment, checked.day, checked.reason, "starts_at"
            )
        booking = uow.bookings.book(
            visit.id,
            checked.starts_at,
            checked.ends_at,
            checked.room_id,
            checked.staff,
            principal.user_id,
            clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "visit_booked",
            "visit",
            visit.id,
            before=_audited(existing),
            after={**(_audited(booking) or {}), "outside_window": checked.outside_window},
            reason=checked.reason or None,
        )
        uow.commit()
    return Booked(booking, moved, checked.outside_window)


def _describe(uow: UnitOfWork, visit_id: int) -> str:
    """'DEMO-002, Dosing session 1': whose visit holds the room or the person."""
    visit = uow.visits.get(visit_id)
    enrolment = uow.enrolments.get(visit.enrolment_id) if visit else None
    patient = uow.patients.get(enrolment.patient_id) if enrolment else None
    if visit is None or patient is None:
        return f"visit {visit_id}"
    return f"{patient.study_id}, {visit.label}"


def _audited(booking: Booking | None) -> dict[str, object] | None:
    if booking is None:
        return None
    return {
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "room": booking.room_id,
        "staff": list(booking.staff),
    }


@dataclass(frozen=True, slots=True)
class BookingForm:
    """What the booking form offers: the visit, its booking if any, the rooms and the staff of
    the patient's site (with their roles there), and how long the visit is booked for."""

    patient: Patient
    visit: Visit
    booking: Booking | None
    rooms: tuple[Room, ...]
    staff: tuple[tuple[StaffMember, frozenset[Role]], ...]
    minutes: int
    dyad: bool
    dyad_size: int
    zone: ZoneInfo


def booking_form(
    uow: UnitOfWork, clock: Clock, principal: Principal, patient_id: int, visit_id: int
) -> BookingForm:
    """The booking form of one of the patient's visits (404 for another patient's visit)."""
    with uow:
        visit, enrolment, _ = load_visit(
            uow, clock, principal, visit_id, Action.BOOK_VISIT, patient_id
        )
        patient = uow.patients.get(enrolment.patient_id)
        site = uow.sites.get(patient.site_id) if patient else None
        assert patient is not None and site is not None
        rules = get_protocol(enrolment.protocol).bookings
        staff = tuple(
            (member, roles)
            for member in uow.staff.list()
            if member.active and (roles := uow.staff.roles(member.id).get(site.id, frozenset()))
        )
        return BookingForm(
            patient,
            visit,
            uow.bookings.for_visit(visit.id),
            tuple(uow.bookings.rooms(frozenset({site.id}))),
            staff,
            rules.minutes[visit.kind],
            visit.kind in DYAD_KINDS,
            rules.dyad_size,
            ZoneInfo(site.timezone),
        )
