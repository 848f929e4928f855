"""Migrations run from empty to head, down to nothing, and up again, on both databases."""

from sqlalchemy import create_engine, inspect

from mdma_at.adapters.db.migrate import current_revisions, downgrade, head_revisions, upgrade
from mdma_at.adapters.db.tables import metadata


def test_migrations_run_from_empty_to_head_and_back(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        assert current_revisions(engine) == head_revisions()
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        downgrade(engine, "base")
        assert current_revisions(engine) == frozenset()
        assert not set(metadata.tables) & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert current_revisions(engine) == head_revisions()
    finally:
        engine.dispose()


def test_the_migrated_schema_matches_the_tables_the_code_uses(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        upgrade(engine)
        inspector = inspect(engine)
        for name, table in metadata.tables.items():
            columns = {c["name"] for c in inspector.get_columns(name)}
            assert columns == {c.name for c in table.columns}, name
    finally:
        engine.dispose()
