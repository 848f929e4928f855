"""raters and the blinding assessment: rating assignments, blinding guesses (issue 16, items 4-5)

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-03 16:15:00

Written by hand to mirror the `# --- raters and the blinding assessment ---` section of
adapters/db/tables.py. Both tables are append-only (triggers refuse UPDATE and DELETE, and on
SQLite an INSERT that would REPLACE a row) and sealed into the audit chain (ADR 0170, 0171).
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

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

APPEND_ONLY = ("rating_assignments", "blinding_guesses")
KEYS = {  # primary and unique keys, for the SQLite no-REPLACE trigger (see revision 0005)
    "rating_assignments": [["id"]],
    "blinding_guesses": [["id"], ["participant_id", "time_point", "respondent_key"]],
}


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def _id(table: str) -> tuple[sa.Column[int], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def upgrade() -> None:
    op.create_table(
        "rating_assignments",
        *_id("rating_assignments"),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UtcDateTime(), nullable=False),
        _fk("rating_assignments", "study_id", "studies"),
        _fk("rating_assignments", "participant_id", "study_participants"),
        _fk("rating_assignments", "patient_id", "patients"),
        _fk("rating_assignments", "visit_id", "visits"),
        _fk("rating_assignments", "rater_id", "users"),
        _fk("rating_assignments", "assigned_by", "users"),
    )
    for column in ("study_id", "visit_id", "rater_id"):
        op.create_index(op.f(f"ix_rating_assignments_{column}"), "rating_assignments", [column])
    op.create_table(
        "blinding_guesses",
        *_id("blinding_guesses"),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("time_point", sa.String(32), nullable=False),
        sa.Column("respondent", sa.String(16), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.Column("respondent_key", sa.String(48), nullable=False),
        sa.Column("guess", sa.String(16), nullable=False),
        sa.Column("confidence", sa.String(16), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        _fk("blinding_guesses", "study_id", "studies"),
        _fk("blinding_guesses", "participant_id", "study_participants"),
        _fk("blinding_guesses", "respondent_id", "users"),
        _fk("blinding_guesses", "recorded_by", "users"),
        sa.UniqueConstraint(
            "participant_id", "time_point", "respondent_key", name="uq_blinding_guesses_person"
        ),
    )
    op.create_index(op.f("ix_blinding_guesses_study_id"), "blinding_guesses", ["study_id"])
    for table in APPEND_ONLY:
        make_append_only(table)
        refuse_overwrite(table, KEYS[table])


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        allow_overwrite(table)
        drop_append_only(table)
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
