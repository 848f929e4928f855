"""The sites' rooms and the visits' bookings in memory, as adapters/db/booking_repositories.py
keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mdma_at.adapters.memory.repositories import _Repository
from mdma_at.adapters.memory.store import Row
from mdma_at.domain.schedule.booking import Booking, Room


class MemoryBookings(_Repository):
    def add_room(self, site_id: int, name: str) -> Room:
        return Room(self._tx.insert("rooms", {"site_id": site_id, "name": name}), site_id, name)

    def room(self, room_id: int) -> Room | None:
        row = self._tx.get("rooms", room_id)
        return Room(row["id"], row["site_id"], row["name"]) if row is not None else None

    def rooms(self, site_ids: frozenset[int]) -> Sequence[Room]:
        rows = self._tx.where("rooms", lambda r: r["site_id"] in site_ids)
        return [
            Room(r["id"], r["site_id"], r["name"])
            for r in sorted(rows, key=lambda r: (r["site_id"], r["name"]))
        ]

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
            "staff": tuple(staff),
            "booked_by": booked_by,
            "booked_at": at,
        }
        existing = self._tx.first("visit_bookings", visit_id=visit_id)
        if existing is None:
            self._tx.insert("visit_bookings", {"visit_id": visit_id, **values})
        else:
            self._tx.update("visit_bookings", existing["id"], **values)
        booking = self.for_visit(visit_id)
        assert booking is not None
        return booking

    def for_visit(self, visit_id: int) -> Booking | None:
        row = self._tx.first("visit_bookings", visit_id=visit_id)
        return _booking(row) if row is not None else None

    def for_visits(self, visit_ids: Sequence[int]) -> Sequence[Booking]:
        wanted = set(visit_ids)
        return _sorted(self._tx.where("visit_bookings", lambda r: r["visit_id"] in wanted))

    def overlapping(self, starts_at: datetime, ends_at: datetime) -> Sequence[Booking]:
        return _sorted(
            self._tx.where(
                "visit_bookings", lambda r: r["starts_at"] < ends_at and r["ends_at"] > starts_at
            )
        )


def _sorted(rows: list[Row]) -> list[Booking]:
    return [_booking(r) for r in sorted(rows, key=lambda r: (r["starts_at"], r["id"]))]


def _booking(row: Row) -> Booking:
    return Booking(
        row["id"],
        row["visit_id"],
        row["starts_at"],
        row["ends_at"],
        row["room_id"],
        tuple(row["staff"]),
        row["booked_by"],
        row["booked_at"],
    )
