"""The in-memory controlled-substance register: every table append-only and sealed, as in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from mdma_at.adapters.memory.repositories import _Repository
from mdma_at.adapters.memory.store import Transaction
from mdma_at.domain.accountability import (
    Container,
    Contents,
    Count,
    Discrepancy,
    Form,
    Kind,
    Movement,
    Unit,
)
from mdma_at.services.ports import RegisterTally

# The tables the books are folded from, in the order of `RegisterTally`.
_BOOKS_TABLES = (
    "register_containers",
    "register_movements",
    "register_session_closes",
    "register_periods",
)


class MemoryRegister(_Repository):
    """Nothing here updates or deletes: a correction is a new movement."""

    def __init__(self, tx: Transaction) -> None:
        super().__init__(tx)
        self._rows_before = self._stored_rows()

    def _stored_rows(self) -> int:
        return sum(len(self._tx.rows(table)) for table in _BOOKS_TABLES)

    def written(self) -> bool:
        return self._stored_rows() != self._rows_before

    def tally(self) -> RegisterTally:
        def counted(table: str) -> tuple[int, int]:
            rows = self._tx.rows(table)
            return len(rows), max((row["id"] for row in rows), default=0)

        return RegisterTally(*(counted(table) for table in _BOOKS_TABLES))

    def lock_sites(self, site_ids: Sequence[int]) -> None:
        """Nothing to hold: of two transactions that both audited a write, the one committing
        second is refused (store.Transaction.commit), so the books are checked as they stand."""

    def add_container(self, container: Container, received_by: int, at: datetime) -> Container:
        values: dict[str, Any] = {
            f: getattr(container, f) for f in Container.__dataclass_fields__ if f != "id"
        }
        container_id = self._tx.insert(
            "register_containers",
            values
            | {"form": container.form.value, "contents": container.contents.value}
            | {"received_by": received_by, "received_at": at},
        )
        return Container(container_id, *(values[f] for f in values))

    def containers(self, after: int = 0) -> Sequence[Container]:
        fields = list(Container.__dataclass_fields__)
        return [
            Container(
                **{f: row[f] for f in fields}
                | {"form": Form(row["form"]), "contents": Contents(row["contents"])}
            )
            for row in self._tx.rows("register_containers")
            if row["id"] > after
        ]

    def add_movement(self, movement: Movement, recorded_at: datetime) -> Movement:
        values: dict[str, Any] = {
            f: getattr(movement, f) for f in Movement.__dataclass_fields__ if f != "id"
        }
        stored = values | {"kind": movement.kind.value, "unit": movement.unit.value}
        movement_id = self._tx.insert("register_movements", stored | {"recorded_at": recorded_at})
        return Movement(movement_id, **values)

    def movements(self, after: int = 0) -> Sequence[Movement]:
        fields = list(Movement.__dataclass_fields__)
        return [
            Movement(
                **{f: row[f] for f in fields}
                | {"kind": Kind(row["kind"]), "unit": Unit(row["unit"])}
            )
            for row in self._tx.rows("register_movements")
            if row["id"] > after
        ]

    def recorded_at(self) -> dict[int, datetime]:
        """When each movement was written (its `at` may be earlier: a paper entry typed later)."""
        return {row["id"]: row["recorded_at"] for row in self._tx.rows("register_movements")}

    def add_count(self, count: Count, recorded_at: datetime) -> Count:
        values: dict[str, Any] = {
            "container_id": count.container_id,
            "counted": count.counted,
            "expected": count.expected,
            "at": count.at,
            "counted_by": count.counted_by,
        }
        count_id = self._tx.insert("register_counts", values | {"recorded_at": recorded_at})
        return Count(count_id, **values)

    def counts(self) -> Sequence[Count]:
        fields = ("id", "container_id", "counted", "expected", "at", "counted_by")
        return [Count(*(row[f] for f in fields)) for row in self._tx.rows("register_counts")]

    def open_discrepancy(self, count: Count, opened_at: datetime) -> Discrepancy:
        values: dict[str, Any] = {
            "count_id": count.id,
            "container_id": count.container_id,
            "difference": count.difference,
            "opened_at": opened_at,
        }
        return Discrepancy(self._tx.insert("register_discrepancies", values), **values)

    def resolve(
        self,
        discrepancy_id: int,
        reason: str,
        resolved_by: int,
        at: datetime,
        adjustment_id: int | None,
    ) -> None:
        values: dict[str, Any] = {
            "discrepancy_id": discrepancy_id,
            "reason": reason,
            "resolved_by": resolved_by,
        }
        self._tx.insert(
            "register_resolutions", values | {"resolved_at": at, "adjustment_id": adjustment_id}
        )

    def discrepancies(self) -> Sequence[Discrepancy]:
        found = []
        for row in self._tx.rows("register_discrepancies"):
            resolution = self._tx.first("register_resolutions", discrepancy_id=row["id"])
            fields = ("id", "count_id", "container_id", "difference", "opened_at")
            found.append(
                Discrepancy(
                    *(row[f] for f in fields),
                    *(
                        (resolution["reason"], resolution["resolved_by"], resolution["resolved_at"])
                        if resolution
                        else (None, None, None)
                    ),
                )
            )
        return found

    def close_period(self, site_id: int, through: date, closed_by: int, at: datetime) -> None:
        values: dict[str, Any] = {
            "site_id": site_id,
            "through": through,
            "closed_by": closed_by,
            "closed_at": at,
        }
        self._tx.insert("register_periods", values)

    def periods(self) -> Sequence[tuple[int, date]]:
        """(site, closed through) of every closed period, oldest first."""
        rows = sorted(self._tx.rows("register_periods"), key=lambda r: (r["through"], r["id"]))
        return [(row["site_id"], row["through"]) for row in rows]

    def close_session(self, session_id: int, closed_by: int, at: datetime) -> None:
        values: dict[str, Any] = {
            "session_id": session_id,
            "closed_by": closed_by,
            "closed_at": at,
        }
        self._tx.insert("register_session_closes", values)

    def closed_sessions(self, after: int = 0) -> frozenset[int]:
        rows = self._tx.rows("register_session_closes")
        return frozenset(row["session_id"] for row in rows if row["id"] > after)
