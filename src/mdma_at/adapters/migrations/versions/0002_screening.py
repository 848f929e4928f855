"""screening: stored screenings and signatures, consent documents, signatures and withdrawals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:00:00

Written by hand to mirror the `# --- screening (issue 3) ---` section of adapters/db/tables.py.
Every table is append-only (database triggers): a screening is never rewritten (a re-screening is a
new row), a signature is a row of its own, a new consent version is a new document, a withdrawal is
a row. History is what a monitor reads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.append_only import drop_append_only, make_append_only

revision = "0002"
down_revision = "0001"
branch_labels = ("screening",)
depends_on = None

TABLES = (
    "screenings",
    "screening_signatures",
    "consent_documents",
    "consent_signatures",
    "consent_withdrawals",
)


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _at(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "screenings",
        _id(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("protocol", sa.String(length=32), nullable=False),
        sa.Column("screening_date", sa.Date(), nullable=False),
        sa.Column("intake", sa.Text(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("earliest_baseline", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        _at("recorded_at"),
        _fk("patient_id", "screenings", "patients"),
        _fk("recorded_by", "screenings", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    op.create_index(op.f("ix_screenings_patient_id"), "screenings", ["patient_id"])
    op.create_table(
        "screening_signatures",
        _id(),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=False),
        _at("signed_at"),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        _fk("screening_id", "screening_signatures", "screenings"),
        _fk("signed_by", "screening_signatures", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_signatures")),
        sa.UniqueConstraint("screening_id", name=op.f("uq_screening_signatures_screening_id")),
    )
    op.create_table(
        "consent_documents",
        _id(),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        _at("published_at"),
        _fk("site_id", "consent_documents", "sites"),
        _fk("published_by", "consent_documents", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_documents")),
        sa.UniqueConstraint("site_id", "version", name="uq_consent_documents_site_version"),
    )
    op.create_index(op.f("ix_consent_documents_site_id"), "consent_documents", ["site_id"])
    op.create_table(
        "consent_signatures",
        _id(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("signed_name", sa.String(length=200), nullable=False),
        _at("signed_at"),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        _at("recorded_at"),
        _fk("patient_id", "consent_signatures", "patients"),
        _fk("document_id", "consent_signatures", "consent_documents"),
        _fk("witness_id", "consent_signatures", "users"),
        _fk("recorded_by", "consent_signatures", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_signatures")),
    )
    op.create_index(op.f("ix_consent_signatures_patient_id"), "consent_signatures", ["patient_id"])
    op.create_table(
        "consent_withdrawals",
        _id(),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        _at("withdrawn_at"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        _at("recorded_at"),
        _fk("patient_id", "consent_withdrawals", "patients"),
        _fk("recorded_by", "consent_withdrawals", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_withdrawals")),
    )
    op.create_index(
        op.f("ix_consent_withdrawals_patient_id"), "consent_withdrawals", ["patient_id"]
    )
    for table in TABLES:
        make_append_only(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        drop_append_only(table)
        op.drop_table(table)
