"""Booking a visit: its start time, therapy room and the staff who will see the patient.

A visit is planned for a *day* (planning.py); the clinic books it for a time, in a room, with
people (issue 14, item 2). Times are stored in UTC and typed and shown in the site's time zone;
the day a booking falls on is the site's local day, so a visit booked for 08:00 in Vienna is that
day's visit whatever the UTC date. This module is pure: the caller passes the visit, the other
bookings that overlap, the roles of the staff named, and now.

Rules (ADR 0142):
- a booking starts in the future (a visit that has happened is recorded as held, not booked);
- its length is the protocol's for the kind of visit (`BookingRules`), so the end is never typed;
- the room is one of the site's rooms and free for the whole booked time;
- everyone booked holds a role at the site and is free for the whole booked time;
- dosing, preparation and integration visits are booked with the therapist dyad;
- a day outside the visit's window needs a reason (it will be a protocol deviation when held),
  and so does moving the visit to another day or changing an existing booking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.local_time import read_local
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.sources import Source
from mdma_at.domain.staff import Role

#: Visits the therapist dyad holds together (MAPP1/MAPP2's co-therapist model).
DYAD_KINDS = frozenset({VisitKind.DOSING, VisitKind.PREPARATION, VisitKind.INTEGRATION})


@dataclass(frozen=True, slots=True)
class BookingRules:
    """How long each kind of visit is booked for, and how many therapists make the dyad."""

    minutes: Mapping[VisitKind, int]
    minutes_source: Mapping[VisitKind, Source]
    dyad_size: int
    dyad_source: Source

    def length(self, kind: VisitKind) -> timedelta:
        return timedelta(minutes=self.minutes[kind])


@dataclass(frozen=True, slots=True)
class Room:
    """A therapy or assessment room of a site."""

    id: int
    site_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Booking:
    """A visit's booked time (UTC), room and staff (user IDs)."""

    id: int
    visit_id: int
    starts_at: datetime
    ends_at: datetime
    room_id: int
    staff: tuple[int, ...]
    booked_by: int
    booked_at: datetime

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True, slots=True)
class BookingDraft:
    """What the coordinator typed: the start in the site's wall-clock time (no offset)."""

    visit_id: int
    starts_at: datetime
    room_id: int
    staff: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BookedVisit:
    """The facts about the visit that a booking is checked against."""

    kind: VisitKind
    label: str
    planned: date
    window_start: date
    window_end: date
    site_id: int


@dataclass(frozen=True, slots=True)
class Clash:
    """Another booking in the same time: whose visit it is, for the refusal's wording."""

    booking: Booking
    description: str  # e.g. "DEMO-002, Dosing session 1"


@dataclass(frozen=True, slots=True)
class CheckedBooking:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    room_id: int
    staff: tuple[int, ...]
    day: date  # the site's local day of the start
    moves_day: bool  # the visit moves from its planned day to `day`
    outside_window: str | None  # why this day is outside the window, or None
    reason: str


def booked_span(
    typed: datetime, kind: VisitKind, zone: ZoneInfo, rules: BookingRules
) -> tuple[datetime, datetime]:
    """The booked start and end in UTC of a start typed in the site's wall-clock time."""
    starts_at = read_local(typed, zone).astimezone(UTC)
    return starts_at, starts_at + rules.length(kind)


def check_booking(
    draft: BookingDraft,
    *,
    visit: BookedVisit,
    zone: ZoneInfo,
    now: datetime,
    rules: BookingRules,
    room: Room | None,
    roles_at_site: Mapping[int, frozenset[Role]],
    names: Mapping[int, str],
    clashes: Sequence[Clash],
    rebooking: bool,
) -> CheckedBooking:
    """Check a booking; return it in UTC with its end, or refuse naming the field.

    Args:
        roles_at_site: for each user ID in `draft.staff`, the roles they hold at the visit's site.
        names: user ID -> name, for the refusal's wording.
        clashes: the other bookings whose time overlaps the booked time (of any visit at the site).
        rebooking: the visit already has a booking (changing it needs a reason).

    Raises:
        InvalidInput: ``starts_at``, ``room``, ``staff`` or ``reason``; nothing is stored.
    """
    starts_at, ends_at = booked_span(draft.starts_at, visit.kind, zone, rules)
    local = starts_at.astimezone(zone)
    if starts_at <= now:
        raise InvalidInput(
            "starts_at",
            f"{local:%Y-%m-%d %H:%M} has passed: a visit that was held is recorded as held, "
            "not booked",
        )
    if room is None or room.site_id != visit.site_id:
        raise InvalidInput("room", "choose one of the rooms of the patient's site")
    staff = tuple(dict.fromkeys(draft.staff))
    _check_staff(staff, visit, rules, roles_at_site)
    for clash in clashes:
        other = clash.booking
        if other.room_id == room.id:
            raise InvalidInput(
                "room",
                f"{room.name} is booked {_span(other, zone)} for {clash.description}",
            )
        for user_id in staff:
            if user_id in other.staff:
                raise InvalidInput(
                    "staff",
                    f"{names.get(user_id, user_id)} is booked {_span(other, zone)} "
                    f"for {clash.description}",
                )
    day = local.date()
    outside = None
    if not visit.window_start <= day <= visit.window_end:
        outside = (
            f"{day} is outside the window of {visit.label}, {visit.window_start}–{visit.window_end}"
        )
    reason = draft.reason.strip()
    if not reason:
        if outside:
            raise InvalidInput(
                "reason", f"{outside}: give a reason (it will be a protocol deviation when held)"
            )
        if day != visit.planned:
            raise InvalidInput(
                "reason", f"moving {visit.label} from {visit.planned} to {day} needs a reason"
            )
        if rebooking:
            raise InvalidInput("reason", f"changing the booking of {visit.label} needs a reason")
    return CheckedBooking(
        starts_at, ends_at, room.id, staff, day, day != visit.planned, outside, reason
    )


def _check_staff(
    staff: tuple[int, ...],
    visit: BookedVisit,
    rules: BookingRules,
    roles_at_site: Mapping[int, frozenset[Role]],
) -> None:
    if not staff:
        raise InvalidInput("staff", "book at least one member of staff")
    for user_id in staff:
        if not roles_at_site.get(user_id):
            raise InvalidInput("staff", f"user {user_id} holds no role at the patient's site")
    if visit.kind in DYAD_KINDS:
        therapists = [u for u in staff if Role.THERAPIST in roles_at_site[u]]
        if len(therapists) != rules.dyad_size:
            raise InvalidInput(
                "staff",
                f"{visit.label} is held by the therapist dyad: book {rules.dyad_size} "
                f"therapists ({len(therapists)} booked; {rules.dyad_source.citation})",
            )


def _span(booking: Booking, zone: ZoneInfo) -> str:
    start, end = booking.starts_at.astimezone(zone), booking.ends_at.astimezone(zone)
    return f"{start:%H:%M}–{end:%H:%M}"
