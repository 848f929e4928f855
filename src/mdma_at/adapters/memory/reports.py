"""The in-memory twin of the safety-report submissions (issue 17, item 4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from mdma_at.adapters.memory.store import Transaction
from mdma_at.services.ports import SafetyReportSubmission

TABLE = "safety_report_submissions"


class MemorySafetyReports:
    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def add(
        self, entry_id: int, submitted_on: date, submitted_to: str, reference: str,
        recorded_by: int, recorded_at: datetime,
    ) -> SafetyReportSubmission:  # fmt: skip
        values: dict[str, Any] = {
            "entry_id": entry_id,
            "submitted_on": submitted_on,
            "submitted_to": submitted_to,
            "reference": reference,
            "recorded_by": recorded_by,
            "recorded_at": recorded_at,
        }
        return SafetyReportSubmission(self._tx.insert(TABLE, values), **values)

    def for_entries(self, entry_ids: Sequence[int]) -> Sequence[SafetyReportSubmission]:
        wanted = set(entry_ids)
        rows = self._tx.where(TABLE, lambda r: r["entry_id"] in wanted)
        return [SafetyReportSubmission(**r) for r in sorted(rows, key=lambda r: r["id"])]
