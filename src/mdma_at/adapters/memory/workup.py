"""The work-up's repositories in memory (issue 14): the concomitant-medication list and
allergies, as adapters/db/workup_repositories.py keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from mdma_at.adapters.memory.clinical import _full_name
from mdma_at.adapters.memory.repositories import _Repository
from mdma_at.adapters.memory.store import Row
from mdma_at.domain.allergies import AllergyEntry
from mdma_at.domain.washout import ConcomitantMedication


class MemoryConcomitantMedications(_Repository):
    def add(self, patient_id: int, name: str, dose: str, started_on: date,
            stopped_on: date | None, recorded_by: int,
            recorded_at: datetime) -> ConcomitantMedication:  # fmt: skip
        course_id = self._tx.insert(
            "concomitant_medications",
            {
                "patient_id": patient_id,
                "name": name,
                "dose": dose,
                "started_on": started_on,
                "stopped_on": stopped_on,
                "recorded_by": recorded_by,
                "recorded_at": recorded_at,
            },
        )
        found = self.get(course_id)
        assert found is not None
        return found

    def stop(self, course_id: int, stopped_on: date) -> ConcomitantMedication:
        self._tx.update("concomitant_medications", course_id, stopped_on=stopped_on)
        found = self.get(course_id)
        assert found is not None
        return found

    def get(self, course_id: int) -> ConcomitantMedication | None:
        row = self._tx.get("concomitant_medications", course_id)
        return self._course(row) if row is not None else None

    def for_patient(self, patient_id: int) -> Sequence[ConcomitantMedication]:
        """In the order they were started (then recorded)."""
        rows = self._tx.where("concomitant_medications", lambda r: r["patient_id"] == patient_id)
        return [self._course(r) for r in sorted(rows, key=lambda r: (r["started_on"], r["id"]))]

    def _course(self, row: Row) -> ConcomitantMedication:
        return ConcomitantMedication(
            row["id"],
            row["patient_id"],
            row["name"],
            row["dose"],
            row["started_on"],
            row["stopped_on"],
            _full_name(self, row["recorded_by"]),
            row["recorded_at"],
        )


class MemoryAllergies(_Repository):
    def add(self, patient_id: int, code: str | None, substance: str, reaction: str,
            recorded_by: int, recorded_at: datetime) -> AllergyEntry:  # fmt: skip
        entry_id = self._tx.insert(
            "patient_allergies",
            {
                "patient_id": patient_id,
                "code": code,
                "substance": substance,
                "reaction": reaction,
                "recorded_by": recorded_by,
                "recorded_at": recorded_at,
            },
        )
        return next(e for e in self.for_patient(patient_id) if e.id == entry_id)

    def for_patient(self, patient_id: int) -> Sequence[AllergyEntry]:
        """Oldest first."""
        rows = self._tx.where("patient_allergies", lambda r: r["patient_id"] == patient_id)
        return [
            AllergyEntry(
                r["id"],
                r["patient_id"],
                r["code"],
                r["substance"],
                r["reaction"],
                _full_name(self, r["recorded_by"]),
                r["recorded_at"],
            )
            for r in sorted(rows, key=lambda r: r["id"])
        ]
