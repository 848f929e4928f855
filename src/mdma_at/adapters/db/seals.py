"""Sealing append-only rows into the audit chain (ADR 0105): which rows a transaction inserted,
and the digest of each row as stored, read back so that SQLite and PostgreSQL agree."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, select

from mdma_at.adapters.db import tables as t
from mdma_at.domain.audit import row_digest

_UNSEALED = "mdma_at.unsealed_rows"


def unsealed(connection: Connection) -> list[tuple[str, int]]:
    """Append-only rows inserted in this transaction and not yet sealed into an audit event."""
    pending: list[tuple[str, int]] = connection.info.setdefault(_UNSEALED, [])
    return pending


def seal_digests(
    connection: Connection, rows: Sequence[tuple[str, int]]
) -> dict[str, dict[int, str]]:
    """The digests of `rows` (table name, id) as stored, read back in the same transaction."""
    by_table: dict[str, list[int]] = {}
    for table_name, row_id in rows:
        by_table.setdefault(table_name, []).append(row_id)
    digests: dict[str, dict[int, str]] = {}
    for table in t.SEALED_TABLES:
        ids = by_table.get(table.name)
        if ids:
            result = connection.execute(_rows_of(table), {"ids": ids})
            digests[table.name] = {
                row.id: row_digest(table.name, dict(row._mapping)) for row in result
            }
    return digests


@cache
def _rows_of(table: Table) -> Select[Any]:
    """The rows of `table` with the given ids: built once per table, reused by every seal."""
    return select(table).where(table.c.id.in_(bindparam("ids", expanding=True)))


def stored_digests(connection: Connection, table: Table) -> Iterator[tuple[int, str]]:
    """(id, digest) of every row of an append-only table, streamed in id order."""
    result = connection.execution_options(yield_per=1000).execute(
        select(table).order_by(table.c.id)
    )
    for row in result:
        yield row.id, row_digest(table.name, dict(row._mapping))
