"""One head again: visit bookings (0021), raters and blinding guesses (0022), research keys
(0025) and safety report submissions (0026) were built side by side off 0020.

Revision ID: 0030
Revises: 0021, 0022, 0025, 0026
"""

from __future__ import annotations

revision = "0030"
down_revision = ("0021", "0022", "0025", "0026")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
