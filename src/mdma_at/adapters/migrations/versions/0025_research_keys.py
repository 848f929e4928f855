"""research keys: each patient's research pseudonym and date shift (issue 17, item 3; ADR 0185)

Revision ID: 0025
Revises: 0020
Create Date: 2026-12-03 16:10:00

Written by hand to mirror adapters/db/tables.py `research_keys`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0025"
down_revision = "0020"
branch_labels = ("research",)
depends_on = None

TABLE = "research_keys"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("research_id", sa.String(16), nullable=False),
        sa.Column("day_shift", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f(f"fk_{TABLE}_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("patient_id", name=op.f(f"uq_{TABLE}_patient_id")),
        sa.UniqueConstraint("research_id", name=op.f(f"uq_{TABLE}_research_id")),
    )


def downgrade() -> None:
    op.drop_table(TABLE)
