"""Running the Alembic migrations programmatically (no alembic.ini to keep in step)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from mdma_at.adapters.db import tables as t
from mdma_at.domain.errors import Conflict

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


#: How long one migration's statement may wait for a table lock on PostgreSQL before it gives up
#: (site default, ADR 0206). While a migration waits for a lock, every writer that wants the same
#: table queues behind it; the issue's bar is that no writer waits a second, so the migration
#: stops waiting well before that and tries again, instead of stalling the ward behind a report.
LOCK_TIMEOUT = "500ms"
#: Tries of a migration that timed out on a lock, and the pause between them (site default: a
#: minute in all, longer than a report or a backup's snapshot usually holds a table).
LOCK_ATTEMPTS = 30
LOCK_PAUSE_SECONDS = 2.0
_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a lock_timeout that expired


def upgrade(
    engine: Engine,
    revision: str = "heads",
    *,
    lock_attempts: int = LOCK_ATTEMPTS,
    lock_pause_seconds: float = LOCK_PAUSE_SECONDS,
) -> None:
    """Migrate to `revision`; "heads" applies every branch (each issue adds its own from 0001).

    Each revision commits on its own (ADR 0206): a lock a revision takes is held for that
    revision alone, never until the last one commits. On PostgreSQL every statement waits at
    most `LOCK_TIMEOUT` for a lock; a revision that timed out is rolled back and tried again.

    Raises:
        Conflict: a revision kept timing out on a lock another transaction holds; the revisions
            before it are applied, that one and those after it are not.
    """
    _with_lock_retries(
        engine, lambda config: command.upgrade(config, revision), lock_attempts, lock_pause_seconds
    )


def downgrade(engine: Engine, revision: str) -> None:
    _with_lock_retries(
        engine,
        lambda config: command.downgrade(config, revision),
        LOCK_ATTEMPTS,
        LOCK_PAUSE_SECONDS,
    )


def _with_lock_retries(
    engine: Engine, migrate: Callable[[Config], None], attempts: int, pause_seconds: float
) -> None:
    for attempt in range(1, attempts + 1):
        try:
            with _migration_connection(engine) as connection:
                config = _config()
                config.attributes["connection"] = connection
                migrate(config)
            return
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            if attempt == attempts:
                at = ", ".join(sorted(current_revisions(engine))) or "none"
                raise Conflict(
                    f"a migration waited {attempts} times for a table lock that another "
                    f"transaction holds (see pg_stat_activity); the database is at revision {at}: "
                    "run `mdma-at db upgrade` again once that transaction has ended"
                ) from error
            time.sleep(pause_seconds)


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection with no transaction open (the environment begins one per revision) and, on
    PostgreSQL, the lock timeout; then discarded, never returned to the pool, where the server's
    own requests would inherit the timeout."""
    with engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            yield connection
            return
        connection.exec_driver_sql(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        connection.commit()
        try:
            yield connection
        finally:
            connection.invalidate()


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
