"""Running the Alembic migrations programmatically (no alembic.ini to keep in step)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from mdma_at.adapters.db import tables as t

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate to `revision`; "heads" applies every branch (each issue adds its own from 0001)."""
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def known_revisions() -> frozenset[str]:
    """Every revision this version's migrations know; a database at any other is from a newer
    version (or another program)."""
    return frozenset(
        script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()
    )


def grant_runtime_role(engine: Engine, role: str) -> None:
    """PostgreSQL: give the server's role exactly what it needs, run as the schema's owner.

    Not the owner, the runtime role cannot ALTER, DROP or DISABLE TRIGGER; without UPDATE, DELETE
    and TRUNCATE on the append-only tables, not even a dropped trigger lets it rewrite them. The
    audit head needs UPDATE (every append moves it) but never DELETE.
    """
    append_only = {table.name for table in t.APPEND_ONLY_TABLES}
    mutable = sorted(set(t.metadata.tables) - append_only - {t.audit_head.name})
    quoted = _quote_identifier(engine, role)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE CREATE ON SCHEMA public FROM {quoted}",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT ON {', '.join(sorted(append_only))} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE ON {t.audit_head.name} TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(mutable)} TO {quoted}",
        f"GRANT SELECT ON alembic_version TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _quote_identifier(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote_identifier(name)
