"""The controlled-substance register's repository (issue 15): containers, the ledger, counts,
discrepancies, closed periods and reconciled sessions. Every table is append-only and sealed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, func, select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.repositories import _Repository
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


class SqlRegister(_Repository):
    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._written = False

    def _insert(self, table: Table, **values: Any) -> int:
        self._written = True
        return super()._insert(table, **values)

    def written(self) -> bool:
        return self._written

    def tally(self) -> RegisterTally:
        row = self._db.execute(_TALLY).one()
        return RegisterTally(*((int(row[i]), int(row[i + 1])) for i in range(0, 8, 2)))

    def lock_sites(self, site_ids: Sequence[int]) -> None:
        """Hold the sites' rows until the transaction ends, so two writers to one site's register
        queue up and each checks the books as the other left them (PostgreSQL row locks; SQLite
        already holds the database's write lock from BEGIN IMMEDIATE)."""
        self._db.execute(
            select(t.sites.c.id)
            .where(t.sites.c.id.in_(sorted(set(site_ids))))
            .order_by(t.sites.c.id)
            .with_for_update()
        ).all()

    def add_container(self, container: Container, received_by: int, at: datetime) -> Container:
        values = {f: getattr(container, f) for f in Container.__dataclass_fields__ if f != "id"}
        container_id = self._insert(
            t.register_containers,
            **{**values, "form": container.form.value, "contents": container.contents.value},
            received_by=received_by,
            received_at=at,
        )
        return Container(container_id, *(values[f] for f in values))

    def containers(self, after: int = 0) -> Sequence[Container]:
        c = t.register_containers.c
        rows = self._db.execute(select(t.register_containers).where(c.id > after).order_by(c.id))
        return [_container(row) for row in rows]

    def add_movement(self, movement: Movement, recorded_at: datetime) -> Movement:
        values = {f: getattr(movement, f) for f in Movement.__dataclass_fields__ if f != "id"}
        values["kind"] = movement.kind.value
        values["unit"] = movement.unit.value
        movement_id = self._insert(t.register_movements, **values, recorded_at=recorded_at)
        return Movement(movement_id, **{**values, "kind": movement.kind, "unit": movement.unit})

    def movements(self, after: int = 0) -> Sequence[Movement]:
        c = t.register_movements.c
        rows = self._db.execute(select(t.register_movements).where(c.id > after).order_by(c.id))
        return [_movement(row) for row in rows]

    def recorded_at(self) -> dict[int, datetime]:
        """When each movement was written (its `at` may be earlier: a paper entry typed later)."""
        c = t.register_movements.c
        return {row.id: row.recorded_at for row in self._db.execute(select(c.id, c.recorded_at))}

    def add_count(self, count: Count, recorded_at: datetime) -> Count:
        count_id = self._insert(
            t.register_counts,
            container_id=count.container_id,
            counted=count.counted,
            expected=count.expected,
            at=count.at,
            counted_by=count.counted_by,
            recorded_at=recorded_at,
        )
        return Count(
            count_id, count.container_id, count.counted, count.expected, count.at, count.counted_by
        )

    def counts(self) -> Sequence[Count]:
        rows = self._db.execute(select(t.register_counts).order_by(t.register_counts.c.id))
        return [
            Count(r.id, r.container_id, r.counted, r.expected, r.at, r.counted_by) for r in rows
        ]

    def open_discrepancy(self, count: Count, opened_at: datetime) -> Discrepancy:
        discrepancy_id = self._insert(
            t.register_discrepancies,
            count_id=count.id,
            container_id=count.container_id,
            difference=count.difference,
            opened_at=opened_at,
        )
        return Discrepancy(
            discrepancy_id, count.id, count.container_id, count.difference, opened_at
        )

    def resolve(
        self,
        discrepancy_id: int,
        reason: str,
        resolved_by: int,
        at: datetime,
        adjustment_id: int | None,
    ) -> None:
        self._insert(
            t.register_resolutions,
            discrepancy_id=discrepancy_id,
            reason=reason,
            resolved_by=resolved_by,
            resolved_at=at,
            adjustment_id=adjustment_id,
        )

    def discrepancies(self) -> Sequence[Discrepancy]:
        d, r = t.register_discrepancies, t.register_resolutions
        rows = self._db.execute(
            select(d, r.c.reason, r.c.resolved_by, r.c.resolved_at)
            .select_from(d.outerjoin(r, r.c.discrepancy_id == d.c.id))
            .order_by(d.c.id)
        )
        return [
            Discrepancy(
                row.id,
                row.count_id,
                row.container_id,
                row.difference,
                row.opened_at,
                row.reason,
                row.resolved_by,
                row.resolved_at,
            )
            for row in rows
        ]

    def close_period(self, site_id: int, through: date, closed_by: int, at: datetime) -> None:
        self._insert(
            t.register_periods, site_id=site_id, through=through, closed_by=closed_by, closed_at=at
        )

    def periods(self) -> Sequence[tuple[int, date]]:
        """(site, closed through) of every closed period, oldest first."""
        c = t.register_periods.c
        rows = self._db.execute(select(c.site_id, c.through).order_by(c.through, c.id))
        return [(row.site_id, row.through) for row in rows]

    def close_session(self, session_id: int, closed_by: int, at: datetime) -> None:
        self._insert(
            t.register_session_closes, session_id=session_id, closed_by=closed_by, closed_at=at
        )

    def closed_sessions(self, after: int = 0) -> frozenset[int]:
        c = t.register_session_closes.c
        return frozenset(self._db.scalars(select(c.session_id).where(c.id > after)))


# The tables the books are folded from, and one statement counting each (rows, highest id).
_BOOKS_TABLES = (
    t.register_containers,
    t.register_movements,
    t.register_session_closes,
    t.register_periods,
)
_TALLY = select(
    *(
        column
        for table in _BOOKS_TABLES
        for column in (
            select(func.count()).select_from(table).scalar_subquery(),
            select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery(),
        )
    )
)


def _container(row: Row[Any]) -> Container:
    return Container(
        row.id,
        row.site_id,
        row.kit_number,
        row.supplier,
        row.lot,
        row.expiry,
        Form(row.form),
        row.strength,
        Contents(row.contents),
        row.location,
    )


def _movement(row: Row[Any]) -> Movement:
    return Movement(
        id=row.id,
        kind=Kind(row.kind),
        container_id=row.container_id,
        quantity=row.quantity,
        unit=Unit(row.unit),
        at=row.at,
        recorded_by=row.recorded_by,
        session_id=row.session_id,
        dispensing_id=row.dispensing_id,
        linked_id=row.linked_id,
        witness_id=row.witness_id,
        signed_off_by=row.signed_off_by,
        to_site_id=row.to_site_id,
        reason=row.reason,
    )
