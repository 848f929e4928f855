"""Repositories of the therapy notes, their addenda and the check-ins (issue 14, items 4-5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _AttrRow, _patient, _Repository
from mdma_at.adapters.db.session_repositories import _session
from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.check_ins import CheckIn, CheckInDraft, ContactMode
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.patients import Patient
from mdma_at.domain.therapy_notes import Addendum, AddendumDraft, NoteDraft, TherapyNote


class SqlTherapyNotes(_Repository):
    def add(self, patient_id: int, draft: NoteDraft, signed_by: int, at: datetime) -> TherapyNote:
        note_id = self._insert(
            t.therapy_notes,
            patient_id=patient_id,
            visit_id=draft.visit_id,
            session_on=draft.session_on,
            themes=draft.themes,
            risks=draft.risks,
            plan=draft.plan,
            present=",".join(str(user_id) for user_id in draft.present),
            duration_minutes=draft.duration_minutes,
            signed_by=signed_by,
            signed_at=at,
        )
        note = self.get(note_id)
        assert note is not None
        return note

    def get(self, note_id: int) -> TherapyNote | None:
        c = t.therapy_notes.c
        row = self._db.execute(select(t.therapy_notes).where(c.id == note_id)).first()
        return _note(row) if row else None

    def for_visit(self, visit_id: int) -> TherapyNote | None:
        c = t.therapy_notes.c
        row = self._db.execute(select(t.therapy_notes).where(c.visit_id == visit_id)).first()
        return _note(row) if row else None

    def for_patient(self, patient_id: int) -> Sequence[TherapyNote]:
        c = t.therapy_notes.c
        rows = self._db.execute(
            select(t.therapy_notes).where(c.patient_id == patient_id).order_by(c.id)
        )
        return [_note(row) for row in rows]

    def add_addendum(self, draft: AddendumDraft, signed_by: int, at: datetime) -> Addendum:
        addendum_id = self._insert(
            t.therapy_note_addenda,
            note_id=draft.note_id,
            reason=draft.reason,
            text=draft.text,
            signed_by=signed_by,
            signed_at=at,
        )
        return Addendum(addendum_id, draft.note_id, draft.reason, draft.text, signed_by, at)

    def addenda(self, note_ids: Sequence[int]) -> Sequence[Addendum]:
        c = t.therapy_note_addenda.c
        rows = self._db.execute(
            select(t.therapy_note_addenda).where(c.note_id.in_(note_ids)).order_by(c.id)
        )
        return [Addendum(r.id, r.note_id, r.reason, r.text, r.signed_by, r.signed_at) for r in rows]


def _note(row: Any) -> TherapyNote:
    return TherapyNote(
        row.id,
        row.patient_id,
        row.visit_id,
        row.session_on,
        row.themes,
        row.risks,
        row.plan,
        tuple(int(user_id) for user_id in row.present.split(",") if user_id),
        row.duration_minutes,
        row.signed_by,
        row.signed_at,
    )


class SqlCheckIns(_Repository):
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
        check_in_id = self._insert(
            t.check_ins,
            patient_id=patient_id,
            session_id=session_id,
            day=day,
            contact_on=draft.on,
            mode=draft.mode.value,
            suds=draft.suds,
            sleep_hours=f"{draft.sleep_hours:g}",
            suicidal_thoughts=draft.suicidal_thoughts,
            ae_term=draft.ae_term,
            ae_severity=draft.ae_severity.value if draft.ae_severity else None,
            notes=draft.notes,
            screener_indicated=indication is not None,
            indication=indication or "",
            administration_id=administration_id,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        found = self._db.execute(select(t.check_ins).where(t.check_ins.c.id == check_in_id))
        return _check_in(found.one())

    def for_patient(self, patient_id: int) -> Sequence[CheckIn]:
        c = t.check_ins.c
        rows = self._db.execute(
            select(t.check_ins).where(c.patient_id == patient_id).order_by(c.contact_on, c.id)
        )
        return [_check_in(row) for row in rows]

    def sessions_since(
        self, site_ids: frozenset[int], since: date
    ) -> Sequence[tuple[Patient, DosingSession]]:
        """Dosing sessions started on or after `since` of patients at `site_ids`, with their
        patients (whose check-in days may still be open)."""
        s, p = t.dosing_sessions, t.patients
        rows = self._db.execute(
            select(s, *[col.label(f"p_{col.name}") for col in p.c])
            .join(p, p.c.id == s.c.patient_id)
            .where(
                p.c.site_id.in_(site_ids), s.c.started_at >= datetime.combine(since, time.min, UTC)
            )
            .order_by(s.c.started_at)
        ).all()
        out = []
        for row in rows:
            patient_row = {col.name: getattr(row, f"p_{col.name}") for col in p.c}
            out.append((_patient(_AttrRow(patient_row)), _session(row)))
        return out

    def done_for(self, patient_ids: Sequence[int]) -> Sequence[tuple[int, int, int, int]]:
        """(patient ID, check-in ID, session ID, day) of the patients' check-ins."""
        c = t.check_ins.c
        rows = self._db.execute(
            select(c.patient_id, c.id, c.session_id, c.day).where(c.patient_id.in_(patient_ids))
        )
        return [(r.patient_id, r.id, r.session_id, r.day) for r in rows]


def _check_in(row: Any) -> CheckIn:
    return CheckIn(
        row.id,
        row.patient_id,
        row.session_id,
        row.day,
        row.contact_on,
        ContactMode(row.mode),
        row.suds,
        float(row.sleep_hours),
        row.suicidal_thoughts,
        row.ae_term,
        AeSeverity(row.ae_severity) if row.ae_severity else None,
        row.notes,
        row.screener_indicated,
        row.indication,
        row.administration_id,
        row.recorded_by,
        row.recorded_at,
    )
