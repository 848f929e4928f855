"""Repositories of the dosing session (issue 5): the session row and its append-only entries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _patient, _Repository
from mdma_at.domain.dosing.records import (
    DosingSession,
    EntryKind,
    NewEntry,
    SessionEntry,
    SessionStatus,
)
from mdma_at.domain.patients import Patient


class SqlDosingSessions(_Repository):
    def add(
        self,
        patient_id: int,
        visit_id: int,
        protocol: str,
        session_number: int,
        started_at: datetime,
        started_by: int | None,
        childbearing_potential: bool,
        weight_kg: float | None,
    ) -> DosingSession:
        session_id = self._insert(
            t.dosing_sessions,
            patient_id=patient_id,
            visit_id=visit_id,
            protocol=protocol,
            session_number=session_number,
            started_at=started_at,
            started_by=started_by,
            childbearing_potential=childbearing_potential,
            weight_kg=None if weight_kg is None else f"{weight_kg:g}",
            status=SessionStatus.OPEN.value,
        )
        found = self.get(session_id)
        assert found is not None
        return found

    def get(self, session_id: int) -> DosingSession | None:
        row = self._db.execute(
            select(t.dosing_sessions).where(t.dosing_sessions.c.id == session_id)
        ).first()
        return _session(row) if row else None

    def lock(self, session_id: int) -> DosingSession | None:
        """The session, locked until the transaction ends (PostgreSQL row lock; SQLite already
        holds the database's write lock from BEGIN IMMEDIATE), so entries are appended one
        writer at a time and each is checked against everything before it."""
        row = self._db.execute(_LOCKED_SESSION, {"id": session_id}).first()
        return _session(row) if row else None

    def for_visit(self, visit_id: int) -> DosingSession | None:
        row = self._db.execute(
            select(t.dosing_sessions).where(t.dosing_sessions.c.visit_id == visit_id)
        ).first()
        return _session(row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[DosingSession]:
        rows = self._db.execute(
            select(t.dosing_sessions)
            .where(t.dosing_sessions.c.patient_id == patient_id)
            .order_by(t.dosing_sessions.c.started_at)
        )
        return [_session(row) for row in rows]

    def open_at(self, site_ids: frozenset[int]) -> Sequence[tuple[Patient, DosingSession]]:
        """Open sessions of patients at `site_ids`, oldest first, with their patients."""
        s, p = t.dosing_sessions, t.patients
        rows = self._db.execute(
            select(s, p.c.site_id.label("patient_site_id"))
            .join(p, p.c.id == s.c.patient_id)
            .where(s.c.status == SessionStatus.OPEN.value, p.c.site_id.in_(site_ids))
            .order_by(s.c.started_at)
        ).all()
        out = []
        for row in rows:
            patient = self._db.execute(select(p).where(p.c.id == row.patient_id)).first()
            assert patient is not None
            out.append((_patient(patient), _session(row)))
        return out

    def close(self, session_id: int, at: datetime) -> DosingSession:
        self._db.execute(
            update(t.dosing_sessions)
            .where(t.dosing_sessions.c.id == session_id)
            .values(status=SessionStatus.CLOSED.value, closed_at=at)
        )
        found = self.get(session_id)
        assert found is not None
        return found


def _session(row: Any) -> DosingSession:
    return DosingSession(
        id=row.id,
        patient_id=row.patient_id,
        visit_id=row.visit_id,
        protocol=row.protocol,
        session_number=row.session_number,
        started_at=row.started_at,
        started_by=row.started_by,
        childbearing_potential=row.childbearing_potential,
        weight_kg=None if row.weight_kg is None else float(row.weight_kg),
        status=SessionStatus(row.status),
        closed_at=row.closed_at,
    )


class SqlDosingSessionEntries(_Repository):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._appended: set[int] = set()  # one repository per transaction (SqlUnitOfWork)

    def append(
        self,
        session_id: int,
        entry: NewEntry,
        recorded_by: int | None,
        recorded_by_name: str,
        role: str | None,
        recorded_at: datetime,
    ) -> SessionEntry:
        self._appended.add(session_id)
        entry_id = self._insert(
            t.dosing_session_events,
            session_id=session_id,
            t=entry.t,
            kind=entry.kind.value,
            payload=json.dumps(entry.payload, sort_keys=True),
            allowed=entry.allowed,
            reasons=json.dumps(list(entry.reasons)) if entry.allowed is not None else None,
            recorded_by=recorded_by,
            recorded_by_name=recorded_by_name,
            role=role,
            recorded_at=recorded_at,
        )
        return SessionEntry(
            entry_id,
            session_id,
            entry.t,
            entry.kind,
            dict(entry.payload),
            entry.allowed,
            tuple(entry.reasons),
            recorded_by,
            recorded_by_name,
            role,
            recorded_at,
        )

    def for_session(self, session_id: int) -> Sequence[SessionEntry]:
        rows = self._db.execute(
            select(t.dosing_session_events)
            .where(t.dosing_session_events.c.session_id == session_id)
            .order_by(t.dosing_session_events.c.id)
        )
        return [_entry(row) for row in rows]

    def after(self, session_id: int, entry_id: int) -> Sequence[SessionEntry]:
        rows = self._db.execute(_ENTRIES_AFTER, {"session_id": session_id, "after": entry_id})
        return [_entry(row) for row in rows]

    def tally(self, session_id: int) -> tuple[int, int]:
        count, last = self._db.execute(_ENTRY_TALLY, {"session_id": session_id}).one()
        return int(count), int(last)

    def appended_to(self) -> frozenset[int]:
        return frozenset(self._appended)


def _entry(row: Row[Any]) -> SessionEntry:
    # `Row.t` is a SQLAlchemy attribute (a tuple view), so columns are read through the mapping.
    m = row._mapping
    return SessionEntry(
        id=m["id"],
        session_id=m["session_id"],
        t=m["t"],
        kind=EntryKind(m["kind"]),
        payload=json.loads(m["payload"]),
        allowed=m["allowed"],
        reasons=tuple(json.loads(m["reasons"])) if m["reasons"] else (),
        recorded_by=m["recorded_by"],
        recorded_by_name=m["recorded_by_name"],
        role=m["role"],
        recorded_at=m["recorded_at"],
    )


# Every session entry reads these (the kept fold's check, ADR 0203): built once, reused.
_E = t.dosing_session_events
_LOCKED_SESSION = (
    select(t.dosing_sessions).where(t.dosing_sessions.c.id == bindparam("id")).with_for_update()
)
_ENTRIES_AFTER = (
    select(_E)
    .where(_E.c.session_id == bindparam("session_id"), _E.c.id > bindparam("after"))
    .order_by(_E.c.id)
)
_ENTRY_TALLY = select(func.count(), func.coalesce(func.max(_E.c.id), 0)).where(
    _E.c.session_id == bindparam("session_id")
)
