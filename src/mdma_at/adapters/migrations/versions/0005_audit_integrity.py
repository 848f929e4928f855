"""audit integrity: sealed append-only rows, no REPLACE on SQLite, an undeletable audit head

Revision ID: 0005
Revises: 0002, 0003, 0004 (it adds triggers to their append-only tables and seals their rows)
Create Date: 2026-12-03 10:00:00

- audit_events.sealed_rows: the digests of the append-only rows each write inserted (ADR 0105).
- SQLite: every append-only table refuses an INSERT whose primary or unique key exists, because
  INSERT OR REPLACE deletes the old row without firing the delete trigger.
- audit_head refuses DELETE (and TRUNCATE): without its head the chain's end is unknown.
- Rows that exist already are sealed by one event attributed to "migration", so every
  append-only row is covered from here on (trust on first use; `db upgrade` signs the first
  checkpoint over it).

Downgrade drops the triggers but keeps the column: removing it would rewrite the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy import select

from mdma_at.adapters.db import tables as t
from mdma_at.adapters.db.append_only import (
    allow_delete,
    allow_overwrite,
    refuse_delete,
    refuse_overwrite,
)
from mdma_at.adapters.db.repositories import SqlAuditLog
from mdma_at.adapters.db.seals import unsealed
from mdma_at.domain.audit import AuditContent, utc_stamp

# A merge of the three branches rather than `down_revision = "0001"` with `depends_on` them:
# Alembic 1.20 fails on the latter (it normalises the dependencies into down revisions and then
# tries to delete 0001 from the heads: KeyError '0001').
revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = ("audit_integrity",)
depends_on = None


def _keys(table: sa.Table) -> list[list[str]]:
    """The primary key and every unique key of `table`, as column names."""
    keys = [[column.name for column in table.primary_key.columns]]
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            keys.append([column.name for column in constraint.columns])
    keys += [[column.name] for column in table.columns if column.unique]
    return keys


def _existing(tables: tuple[sa.Table, ...]) -> list[sa.Table]:
    """The tables this revision covers: those created before it. Later revisions (0009, the
    register) add their own tables to `tables.py` and set up the same triggers themselves."""
    present = set(sa.inspect(op.get_bind()).get_table_names())
    return [table for table in tables if table.name in present]


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("sealed_rows", sa.Text(), nullable=True))
    for table in _existing(t.APPEND_ONLY_TABLES):
        refuse_overwrite(table.name, _keys(table))
    refuse_delete("audit_head")
    _seal_existing_rows()


def _seal_existing_rows() -> None:
    connection = op.get_bind()
    pending = unsealed(connection)
    pending.clear()
    for table in _existing(t.SEALED_TABLES):
        pending += [(table.name, row_id) for row_id in connection.scalars(select(table.c.id))]
    if not pending:
        return
    content = AuditContent(
        utc_stamp(datetime.now(UTC)),
        None,
        "migration",
        None,
        None,
        "rows_sealed",
        "append_only_rows",
        None,
        None,
        None,
        "rows stored before revision 0005 sealed as found",
    )
    SqlAuditLog(connection).append(content)


def downgrade() -> None:
    allow_delete("audit_head")
    for table in _existing(t.APPEND_ONLY_TABLES):
        allow_overwrite(table.name)
