"""Alembic environment: runs with the connection that `adapters.db.migrate` hands it (no
transaction open, on PostgreSQL a lock timeout set), one transaction per revision (ADR 0206)."""

from __future__ import annotations

from alembic import context

from mdma_at.adapters.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    # A revision's locks last as long as that revision, not until the last one commits.
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
