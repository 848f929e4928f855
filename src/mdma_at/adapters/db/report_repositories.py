"""The submissions of expedited safety reports (issue 17, item 4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.services.ports import SafetyReportSubmission


class SqlSafetyReports(_Repository):
    def add(
        self, entry_id: int, submitted_on: date, submitted_to: str, reference: str,
        recorded_by: int, recorded_at: datetime,
    ) -> SafetyReportSubmission:  # fmt: skip
        values = {
            "entry_id": entry_id,
            "submitted_on": submitted_on,
            "submitted_to": submitted_to,
            "reference": reference,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        row_id = self._insert(t.safety_report_submissions, **values)
        return SafetyReportSubmission(
            row_id, entry_id, submitted_on, submitted_to, reference, recorded_by, recorded_at
        )

    def for_entries(self, entry_ids: Sequence[int]) -> Sequence[SafetyReportSubmission]:
        c = t.safety_report_submissions.c
        rows = self._db.execute(
            select(t.safety_report_submissions).where(c.entry_id.in_(entry_ids)).order_by(c.id)
        )
        return [
            SafetyReportSubmission(
                r.id,
                r.entry_id,
                r.submitted_on,
                r.submitted_to,
                r.reference,
                r.recorded_by,
                r.recorded_at,
            )
            for r in rows
        ]
