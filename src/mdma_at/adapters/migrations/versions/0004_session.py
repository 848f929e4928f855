"""session: dosing sessions and their append-only events

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 05:00:00

Written by hand to mirror the `# --- session (issue 5) ---` section of adapters/db/tables.py.
Session events are append-only (database triggers): the session record is a fold over them, and
a correction is a new entry (a note), never a rewrite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.append_only import drop_append_only, make_append_only

revision = "0004"
down_revision = "0001"
branch_labels = ("session",)
depends_on = None


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        "dosing_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("session_number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("childbearing_potential", sa.Boolean(), nullable=False),
        sa.Column("weight_kg", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        _fk("patient_id", "dosing_sessions", "patients"),
        _fk("visit_id", "dosing_sessions", "visits"),
        _fk("started_by", "dosing_sessions", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dosing_sessions")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_dosing_sessions_visit_id")),
    )
    op.create_index(op.f("ix_dosing_sessions_patient_id"), "dosing_sessions", ["patient_id"])

    op.create_table(
        "dosing_session_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("t", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _fk("session_id", "dosing_session_events", "dosing_sessions"),
        _fk("recorded_by", "dosing_session_events", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dosing_session_events")),
    )
    op.create_index(
        op.f("ix_dosing_session_events_session_id"), "dosing_session_events", ["session_id"]
    )
    make_append_only("dosing_session_events")


def downgrade() -> None:
    drop_append_only("dosing_session_events")
    op.drop_index(op.f("ix_dosing_session_events_session_id"), "dosing_session_events")
    op.drop_table("dosing_session_events")
    op.drop_index(op.f("ix_dosing_sessions_patient_id"), "dosing_sessions")
    op.drop_table("dosing_sessions")
