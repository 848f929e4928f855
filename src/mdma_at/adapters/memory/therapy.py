"""The therapy notes, their addenda and the check-ins in memory (issue 14, items 4-5), as
adapters/db/therapy_repositories.py keeps them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from mdma_at.adapters.memory.repositories import _Repository, patient_of
from mdma_at.adapters.memory.store import Row
from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckIn, CheckInDraft, ContactMode
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.patients import Patient
from mdma_at.domain.therapy_notes import Addendum, AddendumDraft, NoteDraft, TherapyNote


class MemoryTherapyNotes(_Repository):
    def add(self, patient_id: int, draft: NoteDraft, signed_by: int, at: datetime) -> TherapyNote:
        values = {
            "patient_id": patient_id,
            "visit_id": draft.visit_id,
            "session_on": draft.session_on,
            "themes": draft.themes,
            "risks": draft.risks,
            "plan": draft.plan,
            "present": tuple(draft.present),
            "duration_minutes": draft.duration_minutes,
            "signed_by": signed_by,
            "signed_at": at,
        }
        note = self.get(self._tx.insert("therapy_notes", values))
        assert note is not None
        return note

    def get(self, note_id: int) -> TherapyNote | None:
        row = self._tx.get("therapy_notes", note_id)
        return _note(row) if row is not None else None

    def for_visit(self, visit_id: int) -> TherapyNote | None:
        row = self._tx.first("therapy_notes", visit_id=visit_id)
        return _note(row) if row is not None else None

    def for_patient(self, patient_id: int) -> Sequence[TherapyNote]:
        rows = self._tx.where("therapy_notes", lambda r: r["patient_id"] == patient_id)
        return [_note(r) for r in sorted(rows, key=lambda r: r["id"])]

    def add_addendum(self, draft: AddendumDraft, signed_by: int, at: datetime) -> Addendum:
        values = {
            "note_id": draft.note_id,
            "reason": draft.reason,
            "text": draft.text,
            "signed_by": signed_by,
            "signed_at": at,
        }
        addendum_id = self._tx.insert("therapy_note_addenda", values)
        return Addendum(addendum_id, draft.note_id, draft.reason, draft.text, signed_by, at)

    def addenda(self, note_ids: Sequence[int]) -> Sequence[Addendum]:
        wanted = set(note_ids)
        rows = self._tx.where("therapy_note_addenda", lambda r: r["note_id"] in wanted)
        return [
            Addendum(r["id"], r["note_id"], r["reason"], r["text"], r["signed_by"], r["signed_at"])
            for r in sorted(rows, key=lambda r: r["id"])
        ]


def _note(row: Row) -> TherapyNote:
    return TherapyNote(
        row["id"],
        row["patient_id"],
        row["visit_id"],
        row["session_on"],
        row["themes"],
        row["risks"],
        row["plan"],
        tuple(row["present"]),
        row["duration_minutes"],
        row["signed_by"],
        row["signed_at"],
    )


class MemoryCheckIns(_Repository):
    def add(
        self,
        patient_id: int,
        session_id: int,
        day: int,
        draft: CheckInDraft,
        *,
        indication: str | None,
        administration_id: int | None,
        recorded_by: int,
        recorded_at: datetime,
    ) -> CheckIn:
        values = {
            "patient_id": patient_id,
            "session_id": session_id,
            "day": day,
            "contact_on": draft.on,
            "mode": draft.mode.value,
            "suds": draft.suds,
            "sleep_hours": float(f"{draft.sleep_hours:g}"),  # as the SQL column keeps it
            "suicidal_thoughts": draft.suicidal_thoughts,
            "ae_term": draft.ae_term,
            "ae_severity": draft.ae_severity.value if draft.ae_severity else None,
            "notes": draft.notes,
            "screener_indicated": indication is not None,
            "indication": indication or "",
            "administration_id": administration_id,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        row = self._tx.get("check_ins", self._tx.insert("check_ins", values))
        assert row is not None
        return _check_in(row)

    def for_patient(self, patient_id: int) -> Sequence[CheckIn]:
        rows = self._tx.where("check_ins", lambda r: r["patient_id"] == patient_id)
        return [_check_in(r) for r in sorted(rows, key=lambda r: (r["contact_on"], r["id"]))]

    def sessions_since(
        self, site_ids: frozenset[int], since: date
    ) -> Sequence[tuple[Patient, DosingSession]]:
        """Dosing sessions started on or after `since` of patients at `site_ids`."""
        start = datetime.combine(since, time.min, UTC)
        out = []
        for row in sorted(self._tx.rows("dosing_sessions"), key=lambda r: r["started_at"]):
            patient = patient_of(self._tx, row["patient_id"])
            if patient.site_id in site_ids and row["started_at"] >= start:
                out.append((patient, DosingSession(**row)))
        return out

    def done_for(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, int, int]]:
        """(patient ID, check-in ID, session ID, day) of the patients' check-ins."""
        wanted = set(patient_ids)
        rows = self._tx.where("check_ins", lambda r: r["patient_id"] in wanted)
        return [(r["patient_id"], r["id"], r["session_id"], r["day"]) for r in rows]


def _check_in(row: Row) -> CheckIn:
    return CheckIn(
        row["id"],
        row["patient_id"],
        row["session_id"],
        row["day"],
        row["contact_on"],
        ContactMode(row["mode"]),
        row["suds"],
        float(row["sleep_hours"]),
        row["suicidal_thoughts"],
        row["ae_term"],
        AeSeverity(row["ae_severity"]) if row["ae_severity"] else None,
        row["notes"],
        row["screener_indicated"],
        row["indication"],
        row["administration_id"],
        row["recorded_by"],
        row["recorded_at"],
    )
