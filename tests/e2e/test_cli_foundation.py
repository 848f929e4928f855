"""`mdma-at db upgrade`, `user add` and `audit verify` as real subprocesses, on both databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from support import fixtures
from support.cli import mdma_at
from support.db import row_counts
from support.postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    yield from fixtures.postgres_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
        yield {**os.environ, "MDMA_AT_DATABASE_URL": url}
    else:
        server = request.getfixturevalue("postgres_server")
        for url in fixtures.postgres_database(server, request.node.name):
            yield {**os.environ, "MDMA_AT_DATABASE_URL": url}


def test_audit_verify_passes_then_names_the_event_altered_behind_the_apps_back(
    env: dict[str, str],
) -> None:
    assert mdma_at("db", "upgrade", env=env).returncode == 0
    assert mdma_at("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    added = mdma_at(
        "user",
        "add",
        "first.admin",
        "--name",
        "First Admin",
        "--role",
        "admin@SITE-A",
        "--password-stdin",
        env=env,
        stdin="a long enough pass\n",
    )
    assert added.returncode == 0, added.stderr
    intact = mdma_at("audit", "verify", "--json", env=env)
    assert intact.returncode == 0 and '"intact": true' in intact.stdout

    engine = create_engine(env["MDMA_AT_DATABASE_URL"])
    with engine.begin() as db:
        if engine.dialect.name == "postgresql":
            db.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            db.execute(text("DROP TRIGGER audit_events_no_update"))
        db.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
    engine.dispose()
    broken = mdma_at("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "BROKEN at event 2" in broken.stdout


def test_a_short_password_is_refused_with_exit_2_naming_the_field(env: dict[str, str]) -> None:
    assert mdma_at("db", "upgrade", env=env).returncode == 0
    assert mdma_at("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    before = row_counts(env["MDMA_AT_DATABASE_URL"])
    refused = mdma_at(
        "user",
        "add",
        "x.admin",
        "--name",
        "X",
        "--role",
        "admin@SITE-A",
        "--password-stdin",
        env=env,
        stdin="short\n",
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: password: must be at least 12 characters"
    assert row_counts(env["MDMA_AT_DATABASE_URL"]) == before  # no user, no audit event


def test_an_unknown_role_is_refused_with_exit_2(tmp_path: Path) -> None:
    env = {**os.environ, "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    refused = mdma_at(
        "user",
        "add",
        "x",
        "--name",
        "X",
        "--role",
        "wizard@SITE-A",
        "--password-stdin",
        env=env,
        stdin="a long enough pass\n",
    )
    assert refused.returncode == 2 and refused.stderr.startswith("error: role:")
    assert refused.stderr.count("\n") == 1 and refused.stdout == ""


def test_seed_demo_refuses_a_database_that_has_staff(tmp_path: Path) -> None:
    env = {**os.environ, "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert mdma_at("db", "upgrade", env=env).returncode == 0
    assert mdma_at("db", "seed-demo", env=env).returncode == 0
    seeded = row_counts(env["MDMA_AT_DATABASE_URL"])
    again = mdma_at("db", "seed-demo", env=env)
    assert (again.returncode, again.stderr) == (
        2,
        "error: database: not empty; the demo clinic loads only into an empty one\n",
    )
    if_empty = mdma_at("db", "seed-demo", "--if-empty", env=env)
    assert (if_empty.returncode, if_empty.stdout) == (
        0,
        "demo clinic not loaded: the database already has staff\n",
    )
    assert row_counts(env["MDMA_AT_DATABASE_URL"]) == seeded  # neither added anything
