"""bedside: each site's time zone and on-call physician, and the pages sent to them

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-03 11:00:00

Written by hand to mirror adapters/db/tables.py (issue 13):
- sites.timezone (IANA name; existing sites get UTC, which is what they showed until now),
  sites.on_call_name / on_call_email (who is paged), sites.repage_minutes (default 5).
- pages: one row per page and channel, updated as it is sent, failed and retried (ADR 0121).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0010"
down_revision = "0005"
branch_labels = ("bedside",)
depends_on = None


def _fk(column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_pages_{column}_{referred}")
    )


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))
        batch.add_column(sa.Column("on_call_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("on_call_email", sa.String(320), nullable=True))
        batch.add_column(
            sa.Column("repage_minutes", sa.Integer(), nullable=False, server_default="5")
        )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("safety_alert_id", sa.Integer(), nullable=True),
        sa.Column("alert_key", sa.String(120), nullable=False),
        sa.Column("cause", sa.String(32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        _fk("site_id", "sites"),
        _fk("patient_id", "patients"),
        _fk("session_id", "dosing_sessions"),
        _fk("safety_alert_id", "instrument_alerts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
    )
    op.create_index(op.f("ix_pages_site_id"), "pages", ["site_id"])
    op.create_index(op.f("ix_pages_alert_key"), "pages", ["alert_key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pages_alert_key"), table_name="pages")
    op.drop_index(op.f("ix_pages_site_id"), table_name="pages")
    op.drop_table("pages")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("repage_minutes")
        batch.drop_column("on_call_email")
        batch.drop_column("on_call_name")
        batch.drop_column("timezone")
