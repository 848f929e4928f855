"""the daily clinic worklist: a site's rooms, and each visit's booked time, room and staff
(issue 14, item 2; ADR 0142)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:30:00

Written by hand to mirror adapters/db/tables.py (`rooms`, `visit_bookings`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.types import UtcDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        _fk("rooms", "site_id", "sites"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("site_id", "name", name="uq_rooms_site_name"),
    )
    op.create_index(op.f("ix_rooms_site_id"), "rooms", ["site_id"])
    op.create_table(
        "visit_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UtcDateTime(), nullable=False),
        sa.Column("ends_at", UtcDateTime(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("staff", sa.String(200), nullable=False),
        sa.Column("booked_by", sa.Integer(), nullable=False),
        sa.Column("booked_at", UtcDateTime(), nullable=False),
        _fk("visit_bookings", "visit_id", "visits"),
        _fk("visit_bookings", "room_id", "rooms"),
        _fk("visit_bookings", "booked_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_bookings")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_visit_bookings_visit_id")),
    )
    op.create_index(op.f("ix_visit_bookings_starts_at"), "visit_bookings", ["starts_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_visit_bookings_starts_at"), table_name="visit_bookings")
    op.drop_table("visit_bookings")
    op.drop_index(op.f("ix_rooms_site_id"), table_name="rooms")
    op.drop_table("rooms")
