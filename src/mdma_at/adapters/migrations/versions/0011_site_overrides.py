"""site overrides: each site's changes of its protocol's site defaults (issue 12, item 4)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00

Written by hand to mirror the `# --- site overrides of protocol defaults ---` section of
adapters/db/tables.py. One row per change (a reset to the protocol's value is a row with no
value); the table is append-only (triggers refuse UPDATE and DELETE, and on SQLite an INSERT
that would REPLACE a row) and sealed into the audit chain like the clinical tables (ADR 0090).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.append_only import (
    allow_overwrite,
    drop_append_only,
    make_append_only,
    refuse_overwrite,
)
from mdma_at.adapters.db.types import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = ("site_overrides",)
depends_on = None

TABLE = "site_protocol_values"


def _fk(column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{TABLE}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(32), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        _fk("site_id", "sites"),
        _fk("changed_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_site_id"), TABLE, ["site_id"])
    make_append_only(TABLE)
    refuse_overwrite(TABLE, [["id"]])


def downgrade() -> None:
    allow_overwrite(TABLE)
    drop_append_only(TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_site_id"), table_name=TABLE)
    op.drop_table(TABLE)
