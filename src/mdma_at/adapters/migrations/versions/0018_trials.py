"""trials: studies, participants, sealed randomisation and emergency unblinding (issue 16)

Revision ID: 0018
Revises: 0010
Create Date: 2026-12-03 13:45:00

Written by hand to mirror the `# --- trials (issue 16, migration 0018) ---` section of
adapters/db/tables.py. Participants, allocations, unblinding requests and approvals are
append-only (triggers refuse UPDATE and DELETE, and on SQLite an INSERT that would REPLACE a row)
and sealed into the audit chain like the tables of revisions 0005 and 0009 (ADR 0160).
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

revision = "0018"
down_revision = "0010"
branch_labels = ("trials",)
depends_on = None

APPEND_ONLY = ("study_participants", "study_allocations", "unblinding_requests",
               "unblinding_approvals")  # fmt: skip
KEYS = {  # primary and unique keys, for the SQLite no-REPLACE trigger (see revision 0005)
    "study_participants": [["id"], ["study_id", "patient_id"]],
    "study_allocations": [["id"], ["participant_id"], ["study_id", "position"]],
    "unblinding_approvals": [["id"], ["request_id"]],
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
        "studies",
        *_id("studies"),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("protocol", sa.String(64), nullable=False),
        sa.Column("arms", sa.Text(), nullable=False),
        sa.Column("target_size", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("block_sizes", sa.String(64), nullable=False),
        sa.Column("factors", sa.String(64), nullable=False),
        sa.Column("p_best", sa.Float(), nullable=False),
        sa.Column("designated_physician_id", sa.Integer(), nullable=False),
        sa.Column("sealed_seed", sa.Text(), nullable=True),
        sa.Column("seed_commitment", sa.String(64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _fk("studies", "designated_physician_id", "users"),
        _fk("studies", "created_by", "users"),
        sa.UniqueConstraint("code", name=op.f("uq_studies_code")),
    )
    op.create_table(
        "study_sites",
        *_id("study_sites"),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        _fk("study_sites", "study_id", "studies"),
        _fk("study_sites", "site_id", "sites"),
        sa.UniqueConstraint("study_id", "site_id", name="uq_study_sites_study_site"),
    )
    op.create_index(op.f("ix_study_sites_study_id"), "study_sites", ["study_id"])
    op.create_table(
        "study_participants",
        *_id("study_participants"),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("joined_by", sa.Integer(), nullable=False),
        sa.Column("joined_at", UtcDateTime(), nullable=False),
        _fk("study_participants", "study_id", "studies"),
        _fk("study_participants", "patient_id", "patients"),
        _fk("study_participants", "joined_by", "users"),
        sa.UniqueConstraint("study_id", "patient_id", name="uq_study_participants_study_patient"),
    )
    for column in ("study_id", "patient_id"):
        op.create_index(op.f(f"ix_study_participants_{column}"), "study_participants", [column])
    op.create_table(
        "study_allocations",
        *_id("study_allocations"),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(200), nullable=False),
        sa.Column("arm", sa.String(32), nullable=False),
        sa.Column("allocated_by", sa.Integer(), nullable=False),
        sa.Column("allocated_at", UtcDateTime(), nullable=False),
        _fk("study_allocations", "study_id", "studies"),
        _fk("study_allocations", "participant_id", "study_participants"),
        _fk("study_allocations", "allocated_by", "users"),
        sa.UniqueConstraint("participant_id", name=op.f("uq_study_allocations_participant_id")),
        sa.UniqueConstraint("study_id", "position", name="uq_study_allocations_study_position"),
    )
    op.create_index(op.f("ix_study_allocations_study_id"), "study_allocations", ["study_id"])
    op.create_table(
        "unblinding_requests",
        *_id("unblinding_requests"),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        _fk("unblinding_requests", "participant_id", "study_participants"),
        _fk("unblinding_requests", "requested_by", "users"),
    )
    op.create_index(
        op.f("ix_unblinding_requests_participant_id"), "unblinding_requests", ["participant_id"]
    )
    op.create_table(
        "unblinding_approvals",
        *_id("unblinding_approvals"),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.Column("approved_at", UtcDateTime(), nullable=False),
        _fk("unblinding_approvals", "request_id", "unblinding_requests"),
        _fk("unblinding_approvals", "approved_by", "users"),
        sa.UniqueConstraint("request_id", name=op.f("uq_unblinding_approvals_request_id")),
    )
    for table in APPEND_ONLY:
        make_append_only(table)
        refuse_overwrite(table, KEYS.get(table, [["id"]]))


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        allow_overwrite(table)
        drop_append_only(table)
    for table in (*reversed(APPEND_ONLY), "study_sites", "studies"):
        op.drop_table(table)
