"""workup: the concomitant-medication list and allergies (issue 14, items 3 and 6)

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-03 14:00:00

Written by hand to mirror adapters/db/tables.py (ADR 0136, 0137). The laboratory panel and the
ECG are part of the screening intake (ADR 0135) and need no table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0016"
down_revision = "0010"
branch_labels = ("workup",)
depends_on = None


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        "concomitant_medications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("dose", sa.String(200), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _fk("concomitant_medications", "patient_id", "patients"),
        _fk("concomitant_medications", "recorded_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concomitant_medications")),
    )
    op.create_index(
        op.f("ix_concomitant_medications_patient_id"), "concomitant_medications", ["patient_id"]
    )
    op.create_table(
        "patient_allergies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=True),
        sa.Column("substance", sa.String(200), nullable=False),
        sa.Column("reaction", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _fk("patient_allergies", "patient_id", "patients"),
        _fk("patient_allergies", "recorded_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_allergies")),
    )
    op.create_index(op.f("ix_patient_allergies_patient_id"), "patient_allergies", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_patient_allergies_patient_id"), table_name="patient_allergies")
    op.drop_table("patient_allergies")
    op.drop_index(
        op.f("ix_concomitant_medications_patient_id"), table_name="concomitant_medications"
    )
    op.drop_table("concomitant_medications")
