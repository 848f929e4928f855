"""register: the controlled-substance register (issue 15)

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-03 11:00:00

Written by hand to mirror the `# --- controlled-substance register (issue 15) ---` section of
adapters/db/tables.py. Every table is append-only (triggers refuse UPDATE and DELETE, and on
SQLite an INSERT that would REPLACE a row) and sealed into the audit chain like the clinical
tables of revision 0005.
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

revision = "0009"
down_revision = "0005"
branch_labels = ("register",)
depends_on = None

TABLES = (
    "register_containers",
    "register_movements",
    "register_counts",
    "register_discrepancies",
    "register_resolutions",
    "register_periods",
    "register_session_closes",
)
KEYS = {  # primary and unique keys, for the SQLite no-REPLACE trigger (see revision 0005)
    "register_containers": [["id"], ["site_id", "kit_number"]],
    "register_discrepancies": [["id"], ["count_id"]],
    "register_resolutions": [["id"], ["discrepancy_id"]],
    "register_periods": [["id"], ["site_id", "through"]],
    "register_session_closes": [["id"], ["session_id"]],
}


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def _id(table: str) -> tuple[sa.Column[int], sa.PrimaryKeyConstraint]:
    return sa.Column("id", sa.Integer(), nullable=False), sa.PrimaryKeyConstraint(
        "id", name=op.f(f"pk_{table}")
    )


def _when(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "register_containers",
        *_id("register_containers"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kit_number", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("lot", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("strength", sa.String(length=100), nullable=False),
        sa.Column("contents", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("received_by", sa.Integer(), nullable=False),
        _when("received_at"),
        _fk("site_id", "register_containers", "sites"),
        _fk("received_by", "register_containers", "users"),
        sa.UniqueConstraint("site_id", "kit_number", name="uq_register_containers_site_kit"),
    )
    op.create_index(op.f("ix_register_containers_site_id"), "register_containers", ["site_id"])

    op.create_table(
        "register_movements",
        *_id("register_movements"),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        _when("at"),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("dispensing_id", sa.Integer(), nullable=True),
        sa.Column("linked_id", sa.Integer(), nullable=True),
        sa.Column("witness_id", sa.Integer(), nullable=True),
        sa.Column("signed_off_by", sa.Integer(), nullable=True),
        sa.Column("to_site_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _when("recorded_at"),
        _fk("container_id", "register_movements", "register_containers"),
        _fk("recorded_by", "register_movements", "users"),
        _fk("session_id", "register_movements", "dosing_sessions"),
        _fk("dispensing_id", "register_movements", "register_movements"),
        _fk("linked_id", "register_movements", "register_movements"),
        _fk("witness_id", "register_movements", "users"),
        _fk("signed_off_by", "register_movements", "users"),
        _fk("to_site_id", "register_movements", "sites"),
    )
    for column in ("container_id", "session_id"):
        op.create_index(op.f(f"ix_register_movements_{column}"), "register_movements", [column])

    op.create_table(
        "register_counts",
        *_id("register_counts"),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("counted_by", sa.Integer(), nullable=False),
        _when("recorded_at"),
        _fk("container_id", "register_counts", "register_containers"),
        _fk("counted_by", "register_counts", "users"),
    )
    op.create_index(op.f("ix_register_counts_container_id"), "register_counts", ["container_id"])

    op.create_table(
        "register_discrepancies",
        *_id("register_discrepancies"),
        sa.Column("count_id", sa.Integer(), nullable=False),
        sa.Column("container_id", sa.Integer(), nullable=False),
        sa.Column("difference", sa.Integer(), nullable=False),
        _when("opened_at"),
        _fk("count_id", "register_discrepancies", "register_counts"),
        _fk("container_id", "register_discrepancies", "register_containers"),
        sa.UniqueConstraint("count_id", name=op.f("uq_register_discrepancies_count_id")),
    )
    op.create_index(
        op.f("ix_register_discrepancies_container_id"), "register_discrepancies", ["container_id"]
    )

    op.create_table(
        "register_resolutions",
        *_id("register_resolutions"),
        sa.Column("discrepancy_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=False),
        _when("resolved_at"),
        sa.Column("adjustment_id", sa.Integer(), nullable=True),
        _fk("discrepancy_id", "register_resolutions", "register_discrepancies"),
        _fk("resolved_by", "register_resolutions", "users"),
        _fk("adjustment_id", "register_resolutions", "register_movements"),
        sa.UniqueConstraint("discrepancy_id", name=op.f("uq_register_resolutions_discrepancy_id")),
    )

    op.create_table(
        "register_periods",
        *_id("register_periods"),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=False),
        _when("closed_at"),
        _fk("site_id", "register_periods", "sites"),
        _fk("closed_by", "register_periods", "users"),
        sa.UniqueConstraint("site_id", "through", name="uq_register_periods_site_through"),
    )

    op.create_table(
        "register_session_closes",
        *_id("register_session_closes"),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=False),
        _when("closed_at"),
        _fk("session_id", "register_session_closes", "dosing_sessions"),
        _fk("closed_by", "register_session_closes", "users"),
        sa.UniqueConstraint("session_id", name=op.f("uq_register_session_closes_session_id")),
    )

    for table in TABLES:
        make_append_only(table)
        refuse_overwrite(table, KEYS.get(table, [["id"]]))


def downgrade() -> None:
    for table in reversed(TABLES):
        allow_overwrite(table)
        drop_append_only(table)
        op.drop_table(table)  # its indexes go with it
