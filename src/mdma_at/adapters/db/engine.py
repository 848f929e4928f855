"""Engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

#: The execution option of a connection whose transaction only reads (`SqlUnitOfWork.reading`).
READ_ONLY = "mdma_at_read_only"


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and writer transactions.

    SQLite transactions begin IMMEDIATE (taking the write lock at the start), so two processes
    appending to the audit chain queue up instead of failing mid-transaction; a transaction
    marked as only reading (`READ_ONLY`) begins deferred and reads beside the writer (WAL).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # REPLACE deletes the conflicting row without firing delete triggers unless recursive
        # triggers are on; with them on, the append-only delete trigger refuses it (the 0005
        # insert triggers refuse it too, for connections that do not set this).
        cursor.execute("PRAGMA recursive_triggers = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        reads = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads else "BEGIN IMMEDIATE")

    return engine
