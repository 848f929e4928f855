"""One head again: the register, site protocol values, the work-up, therapy notes and check-ins,
trials and self-report link deliveries were built side by side off 0005/0010.

Revision ID: 0020
Revises: 0009, 0011, 0016, 0017, 0018, 0019
"""

from __future__ import annotations

revision = "0020"
down_revision = ("0009", "0011", "0016", "0017", "0018", "0019")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
