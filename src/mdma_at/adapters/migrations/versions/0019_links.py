"""links that reach the patient: a link's reason, and each attempt to send it (issue 14, item 7)

Revision ID: 0019
Revises: 0010
Create Date: 2026-12-03 14:00:00

Written by hand to mirror adapters/db/tables.py: `questionnaire_links.reason` (why a link was
issued with nothing due) and `questionnaire_link_deliveries` (where a link was sent and what
became of it; never the message, which holds the token).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0019"
down_revision = "0010"
branch_labels = ("links",)
depends_on = None

TABLE = "questionnaire_link_deliveries"


def _fk(column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{TABLE}_{column}_{referred}")
    )


def upgrade() -> None:
    # a plain ADD COLUMN (nullable): no table rebuild on SQLite, which would drop its triggers
    op.add_column("questionnaire_links", sa.Column("reason", sa.Text(), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("at", UtcDateTime(), nullable=False),
        _fk("link_id", "questionnaire_links"),
        _fk("sent_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_link_id"), TABLE, ["link_id"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_link_id"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("questionnaire_links") as batch:
        batch.drop_column("reason")
