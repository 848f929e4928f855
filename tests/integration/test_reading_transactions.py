"""A unit of work that only reads (`UnitOfWork.reading`): the bearer token's lookup reads beside
the writes of other requests instead of queueing for SQLite's write lock, and a write in it is
refused on PostgreSQL (issue 18, item 3: keep transactions short, reads out of the writers' way).
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy.exc import DBAPIError

from mdma_at.bootstrap import Container
from mdma_at.domain.staff import Principal
from mdma_at.services.access import auth
from support.clinic import OPERATOR, Clinic
from support.db import row_counts

ON_SQLITE = pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True)
ON_POSTGRESQL = pytest.mark.parametrize(
    "migrated_database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

#: How long the token lookup may take while another connection holds the write lock. Not a
#: timing check: a lookup that queued for the lock would wait for the busy timeout (30 s).
LIVENESS_S = 10


@ON_SQLITE  # PostgreSQL's reads never wait for writers
def test_a_token_resolves_while_another_connection_holds_the_write_lock(
    ctx: Container, clinic: Clinic
) -> None:
    token, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "dr.a", "monitor")
    writer = sqlite3.connect(ctx.settings.database_url.removeprefix("sqlite:///"))
    writer.isolation_level = None
    writer.execute("BEGIN IMMEDIATE")  # a write in progress in another process, say
    resolved: list[Principal] = []
    lookup = threading.Thread(
        target=lambda: resolved.append(auth.resolve_api_token(ctx.uow(), ctx.clock, token)),
        daemon=True,
    )
    try:
        lookup.start()
        lookup.join(LIVENESS_S)
        assert not lookup.is_alive(), "the token lookup queued behind the writer's lock"
        assert [p.username for p in resolved] == ["dr.a"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        lookup.join(LIVENESS_S)


@ON_POSTGRESQL  # SQLite has no read-only transaction to ask for: a convention there
def test_a_write_in_a_reading_transaction_is_refused_on_postgresql(
    ctx: Container, clinic: Clinic
) -> None:
    url = ctx.settings.database_url
    before = row_counts(url)
    with pytest.raises(DBAPIError, match="read-only transaction"), ctx.uow() as uow:
        uow.reading()  # too late: the block is open, so the outer transaction decides
        uow.staff.count()
        uow.rollback()
        with ctx.uow().reading() as reader:
            reader.staff.add("r.o", "Read Only", "hash")
    assert row_counts(url) == before
    # the pooled connection goes back as it was: the next unit of work writes
    with ctx.uow() as uow:
        uow.staff.add("r.w", "Read Write", "hash")
        uow.commit()
    with ctx.uow() as uow:
        assert uow.staff.by_username("r.w") is not None
