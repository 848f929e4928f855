"""instruments: self-report links, administrations item by item, safety alerts

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 05:00:00

Written by hand to mirror the `# --- instruments (issue 4) ---` section of adapters/db/tables.py.
Administrations, their answers, alerts and acknowledgements are append-only (database triggers):
a clinical record is corrected by a new administration, never by rewriting one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mdma_at.adapters.db.append_only import drop_append_only, make_append_only

revision = "0003"
down_revision = "0001"
branch_labels = ("instruments",)
depends_on = None

APPEND_ONLY = (
    "instrument_administrations",
    "instrument_item_answers",
    "instrument_alerts",
    "instrument_alert_acknowledgements",
)


def _fk(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade() -> None:
    op.create_table(
        "questionnaire_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("instruments", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _fk("patient_id", "questionnaire_links", "patients"),
        _fk("visit_id", "questionnaire_links", "visits"),
        _fk("created_by", "questionnaire_links", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_questionnaire_links_token_hash")),
    )
    op.create_index(
        op.f("ix_questionnaire_links_patient_id"), "questionnaire_links", ["patient_id"]
    )

    op.create_table(
        "instrument_administrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("panel_loinc", sa.String(length=16), nullable=True),
        sa.Column("total_loinc", sa.String(length=16), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_through", sa.String(length=32), nullable=False),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=32), nullable=True),
        sa.Column("diagnosis", sa.Boolean(), nullable=True),
        sa.Column("above_cutoff", sa.Boolean(), nullable=True),
        sa.Column("prorated", sa.Boolean(), nullable=False),
        sa.Column("criterion_f", sa.Boolean(), nullable=True),
        sa.Column("criterion_g", sa.Boolean(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        _fk("patient_id", "instrument_administrations", "patients"),
        _fk("visit_id", "instrument_administrations", "visits"),
        _fk("entered_by", "instrument_administrations", "users"),
        _fk("link_id", "instrument_administrations", "questionnaire_links"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_administrations")),
    )
    op.create_index(
        op.f("ix_instrument_administrations_patient_id"),
        "instrument_administrations",
        ["patient_id"],
    )

    op.create_table(
        "instrument_item_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=False),
        sa.Column("item_label", sa.String(length=8), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("item_loinc", sa.String(length=16), nullable=True),
        sa.Column("answer_loinc", sa.String(length=16), nullable=True),
        _fk("administration_id", "instrument_item_answers", "instrument_administrations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_item_answers")),
    )
    op.create_index(
        op.f("ix_instrument_item_answers_administration_id"),
        "instrument_item_answers",
        ["administration_id"],
    )

    op.create_table(
        "instrument_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("administration_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        _fk("patient_id", "instrument_alerts", "patients"),
        _fk("administration_id", "instrument_alerts", "instrument_administrations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_alerts")),
    )
    op.create_index(op.f("ix_instrument_alerts_patient_id"), "instrument_alerts", ["patient_id"])

    op.create_table(
        "instrument_alert_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        _fk("alert_id", "instrument_alert_acknowledgements", "instrument_alerts"),
        _fk("acknowledged_by", "instrument_alert_acknowledgements", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instrument_alert_acknowledgements")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_instrument_alert_acknowledgements_alert_id")),
    )
    for table in APPEND_ONLY:
        make_append_only(table)


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        drop_append_only(table)
    op.drop_table("instrument_alert_acknowledgements")
    op.drop_index(op.f("ix_instrument_alerts_patient_id"), table_name="instrument_alerts")
    op.drop_table("instrument_alerts")
    op.drop_index(
        op.f("ix_instrument_item_answers_administration_id"),
        table_name="instrument_item_answers",
    )
    op.drop_table("instrument_item_answers")
    op.drop_index(
        op.f("ix_instrument_administrations_patient_id"), table_name="instrument_administrations"
    )
    op.drop_table("instrument_administrations")
    op.drop_index(op.f("ix_questionnaire_links_patient_id"), table_name="questionnaire_links")
    op.drop_table("questionnaire_links")
