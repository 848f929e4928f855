"""Research keys (issue 17, item 3; ADR 0185): a patient's research pseudonym and date shift."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
from mdma_at.services.ports import ResearchKey


class SqlResearchKeys(_Repository):
    def add(
        self, patient_id: int, research_id: str, day_shift: int, created_at: datetime
    ) -> ResearchKey:
        self._insert(
            t.research_keys, patient_id=patient_id, research_id=research_id,
            day_shift=day_shift, created_at=created_at,
        )  # fmt: skip
        return ResearchKey(patient_id, research_id, day_shift, created_at)

    def for_patients(self, patient_ids: Sequence[int]) -> Sequence[ResearchKey]:
        c = t.research_keys.c
        rows = self._db.execute(
            select(c.patient_id, c.research_id, c.day_shift, c.created_at)
            .where(c.patient_id.in_(list(patient_ids)))
            .order_by(c.patient_id)
        )
        return [ResearchKey(**row._mapping) for row in rows]
