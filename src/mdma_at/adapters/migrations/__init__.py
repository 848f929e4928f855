"""Alembic migrations; `mdma-at db upgrade` runs them (see adapters/db/migrate.py)."""
