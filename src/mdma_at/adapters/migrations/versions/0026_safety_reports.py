"""expedited safety reports marked submitted (issue 17, item 4)

Revision ID: 0026
Revises: 0020
Create Date: 2026-12-03 16:00:00

Written by hand to mirror adapters/db/tables.py: `safety_report_submissions`, one row per
serious adverse event (its session entry) whose expedited report was sent; the dashboard's 7- and
15-day clocks stop when it exists. The use case only ever adds rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0026"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLE = "safety_report_submissions"


def _fk(column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{TABLE}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_to", sa.String(200), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _fk("entry_id", "dosing_session_events"),
        _fk("recorded_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("entry_id", name=op.f(f"uq_{TABLE}_entry_id")),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
