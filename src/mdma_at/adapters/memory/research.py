"""Research keys in memory, as adapters/db/research_repository.py keeps them (ADR 0185)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from mdma_at.adapters.memory.repositories import _Repository
from mdma_at.services.ports import ResearchKey


class MemoryResearchKeys(_Repository):
    def add(
        self, patient_id: int, research_id: str, day_shift: int, created_at: datetime
    ) -> ResearchKey:
        values = {"patient_id": patient_id, "research_id": research_id, "day_shift": day_shift,
                  "created_at": created_at}  # fmt: skip
        self._tx.insert("research_keys", values)
        return ResearchKey(patient_id, research_id, day_shift, created_at)

    def for_patients(self, patient_ids: Sequence[int]) -> Sequence[ResearchKey]:
        wanted = set(patient_ids)
        rows = self._tx.where("research_keys", lambda r: r["patient_id"] in wanted)
        return [
            ResearchKey(r["patient_id"], r["research_id"], r["day_shift"], r["created_at"])
            for r in sorted(rows, key=lambda r: r["patient_id"])
        ]
