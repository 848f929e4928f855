"""Alembic environment: runs with the connection that `adapters.db.migrate` hands it."""

from __future__ import annotations

from alembic import context

from mdma_at.adapters.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
