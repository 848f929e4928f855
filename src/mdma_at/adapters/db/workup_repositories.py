"""Repositories of the work-up (issue 14): the concomitant-medication list and allergies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.domain.allergies import AllergyEntry
from mdma_at.domain.washout import ConcomitantMedication


class SqlConcomitantMedications(_Repository):
    def add(self, patient_id: int, name: str, dose: str, started_on: date,
            stopped_on: date | None, recorded_by: int,
            recorded_at: datetime) -> ConcomitantMedication:  # fmt: skip
        course_id = self._insert(
            t.concomitant_medications,
            patient_id=patient_id,
            name=name,
            dose=dose,
            started_on=started_on,
            stopped_on=stopped_on,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        found = self.get(course_id)
        assert found is not None
        return found

    def stop(self, course_id: int, stopped_on: date) -> ConcomitantMedication:
        c = t.concomitant_medications.c
        self._db.execute(
            update(t.concomitant_medications).where(c.id == course_id).values(stopped_on=stopped_on)
        )
        found = self.get(course_id)
        assert found is not None
        return found

    def get(self, course_id: int) -> ConcomitantMedication | None:
        found = self._select(t.concomitant_medications.c.id == course_id)
        return found[0] if found else None

    def for_patient(self, patient_id: int) -> Sequence[ConcomitantMedication]:
        """In the order they were started (then recorded)."""
        return self._select(t.concomitant_medications.c.patient_id == patient_id)

    def _select(self, condition: Any) -> list[ConcomitantMedication]:
        c = t.concomitant_medications.c
        query = (
            select(t.concomitant_medications, t.users.c.full_name.label("recorded_by_name"))
            .join(t.users, t.users.c.id == c.recorded_by)
            .where(condition)
            .order_by(c.started_on, c.id)
        )
        return [_course(row) for row in self._db.execute(query)]


def _course(row: Row[Any]) -> ConcomitantMedication:
    return ConcomitantMedication(
        row.id,
        row.patient_id,
        row.name,
        row.dose,
        row.started_on,
        row.stopped_on,
        row.recorded_by_name,
        row.recorded_at,
    )


class SqlAllergies(_Repository):
    def add(self, patient_id: int, code: str | None, substance: str, reaction: str,
            recorded_by: int, recorded_at: datetime) -> AllergyEntry:  # fmt: skip
        entry_id = self._insert(
            t.patient_allergies,
            patient_id=patient_id,
            code=code,
            substance=substance,
            reaction=reaction,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        return next(e for e in self.for_patient(patient_id) if e.id == entry_id)

    def for_patient(self, patient_id: int) -> Sequence[AllergyEntry]:
        """Oldest first."""
        a = t.patient_allergies.c
        query = (
            select(t.patient_allergies, t.users.c.full_name.label("recorded_by_name"))
            .join(t.users, t.users.c.id == a.recorded_by)
            .where(a.patient_id == patient_id)
            .order_by(a.id)
        )
        return [
            AllergyEntry(
                row.id,
                row.patient_id,
                row.code,
                row.substance,
                row.reaction,
                row.recorded_by_name,
                row.recorded_at,
            )
            for row in self._db.execute(query)
        ]
