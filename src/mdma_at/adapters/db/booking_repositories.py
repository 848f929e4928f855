"""The sites' rooms and the visits' bookings (issue 14, item 2; ADR 0142)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.domain.schedule.booking import Booking, Room


class SqlBookings(_Repository):
    def add_room(self, site_id: int, name: str) -> Room:
        return Room(self._insert(t.rooms, site_id=site_id, name=name), site_id, name)

    def room(self, room_id: int) -> Room | None:
        row = self._db.execute(select(t.rooms).where(t.rooms.c.id == room_id)).first()
        return Room(row.id, row.site_id, row.name) if row else None

    def rooms(self, site_ids: frozenset[int]) -> Sequence[Room]:
        c = t.rooms.c
        rows = self._db.execute(
            select(t.rooms).where(c.site_id.in_(site_ids)).order_by(c.site_id, c.name)
        )
        return [Room(r.id, r.site_id, r.name) for r in rows]

    def book(
        self,
        visit_id: int,
        starts_at: datetime,
        ends_at: datetime,
        room_id: int,
        staff: Sequence[int],
        booked_by: int,
        at: datetime,
    ) -> Booking:
        values = {
            "starts_at": starts_at,
            "ends_at": ends_at,
            "room_id": room_id,
            "staff": ",".join(str(user_id) for user_id in staff),
            "booked_by": booked_by,
            "booked_at": at,
        }
        if self.for_visit(visit_id) is None:
            self._insert(t.visit_bookings, visit_id=visit_id, **values)
        else:
            c = t.visit_bookings.c
            self._db.execute(update(t.visit_bookings).where(c.visit_id == visit_id).values(values))
        booking = self.for_visit(visit_id)
        assert booking is not None
        return booking

    def for_visit(self, visit_id: int) -> Booking | None:
        c = t.visit_bookings.c
        row = self._db.execute(select(t.visit_bookings).where(c.visit_id == visit_id)).first()
        return _booking(row) if row else None

    def for_visits(self, visit_ids: Sequence[int]) -> Sequence[Booking]:
        c = t.visit_bookings.c
        rows = self._db.execute(
            select(t.visit_bookings).where(c.visit_id.in_(visit_ids)).order_by(c.starts_at, c.id)
        )
        return [_booking(row) for row in rows]

    def overlapping(self, starts_at: datetime, ends_at: datetime) -> Sequence[Booking]:
        c = t.visit_bookings.c
        rows = self._db.execute(
            select(t.visit_bookings)
            .where(c.starts_at < ends_at, c.ends_at > starts_at)
            .order_by(c.starts_at, c.id)
        )
        return [_booking(row) for row in rows]


def _booking(row: Any) -> Booking:
    return Booking(
        row.id,
        row.visit_id,
        row.starts_at,
        row.ends_at,
        row.room_id,
        tuple(int(user_id) for user_id in row.staff.split(",") if user_id),
        row.booked_by,
        row.booked_at,
    )
