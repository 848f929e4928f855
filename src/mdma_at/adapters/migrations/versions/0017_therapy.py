"""therapy: preparation and integration notes, their addenda, check-ins after dosing

Revision ID: 0017
Revises: 0010
Create Date: 2026-12-03 14:00:00

Written by hand to mirror the `# --- therapy notes and check-ins (issue 14, items 4-5) ---`
section of adapters/db/tables.py. Every table is append-only (triggers refuse UPDATE and DELETE,
and on SQLite an INSERT that would REPLACE a row) and sealed into the audit chain (ADR 0138).
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

revision = "0017"
down_revision = "0010"
branch_labels = ("therapy",)
depends_on = None

TABLES = ("therapy_notes", "therapy_note_addenda", "check_ins")
KEYS = {  # primary and unique keys, for the SQLite no-REPLACE trigger (see revision 0005)
    "therapy_notes": [["id"], ["visit_id"]],
    "therapy_note_addenda": [["id"]],
    "check_ins": [["id"], ["session_id", "day"]],
}


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def _id(table: str) -> tuple[sa.Column[int], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def _signed(table: str) -> tuple[sa.Column[int], sa.Column[object], sa.ForeignKeyConstraint]:
    return (
        sa.Column("signed_by", sa.Integer(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        _fk("signed_by", table, "users"),
    )


def upgrade() -> None:
    op.create_table(
        "therapy_notes",
        *_id("therapy_notes"),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=False),
        sa.Column("themes", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("present", sa.String(length=200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        *_signed("therapy_notes"),
        _fk("patient_id", "therapy_notes", "patients"),
        _fk("visit_id", "therapy_notes", "visits"),
        sa.UniqueConstraint("visit_id", name=op.f("uq_therapy_notes_visit_id")),
    )
    op.create_index(op.f("ix_therapy_notes_patient_id"), "therapy_notes", ["patient_id"])

    op.create_table(
        "therapy_note_addenda",
        *_id("therapy_note_addenda"),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_signed("therapy_note_addenda"),
        _fk("note_id", "therapy_note_addenda", "therapy_notes"),
    )
    op.create_index(op.f("ix_therapy_note_addenda_note_id"), "therapy_note_addenda", ["note_id"])

    op.create_table(
        "check_ins",
        *_id("check_ins"),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("contact_on", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("suds", sa.Integer(), nullable=False),
        sa.Column("sleep_hours", sa.String(length=16), nullable=False),
        sa.Column("suicidal_thoughts", sa.Boolean(), nullable=False),
        sa.Column("ae_term", sa.Text(), nullable=False),
        sa.Column("ae_severity", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("screener_indicated", sa.Boolean(), nullable=False),
        sa.Column("indication", sa.Text(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _fk("patient_id", "check_ins", "patients"),
        _fk("session_id", "check_ins", "dosing_sessions"),
        _fk("administration_id", "check_ins", "instrument_administrations"),
        _fk("recorded_by", "check_ins", "users"),
        sa.UniqueConstraint("session_id", "day", name="uq_check_ins_session_day"),
    )
    op.create_index(op.f("ix_check_ins_patient_id"), "check_ins", ["patient_id"])

    for table in TABLES:
        make_append_only(table)
        refuse_overwrite(table, KEYS[table])


def downgrade() -> None:
    for table in reversed(TABLES):
        allow_overwrite(table)
        drop_append_only(table)
        op.drop_table(table)  # its indexes go with it
