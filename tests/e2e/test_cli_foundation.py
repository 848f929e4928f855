"""`mdma-at db upgrade`, `user add`, `audit verify` and `db seed-demo`, on both databases.

Through the real entry point (`python -m mdma_at`, a subprocess): `db upgrade` on each database
(and as the owner beside the server's role), the broken audit trail's exit 1, and `user add`'s
refusals of a short password and an unknown role (exit 2, one line). The steps that set up the
state those runs read, the further password rules and the account chain run in-process
(`support.cli.mdma_at_in_process`: the same root command and exit-code guard, ADR 0066); a
subprocess costs 1–5 s of interpreter, SQLAlchemy and Alembic start-up.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from support import fixtures
from support.cli import mdma_at, mdma_at_in_process
from support.db import row_counts
from support.postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    yield from fixtures.postgres_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    base = {**os.environ, "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
        yield {**base, "MDMA_AT_DATABASE_URL": url}
    else:
        server = request.getfixturevalue("postgres_server")
        for url in fixtures.postgres_database(server, request.node.name):
            yield {**base, "MDMA_AT_DATABASE_URL": url}


def test_audit_verify_passes_then_names_the_event_altered_behind_the_apps_back(
    env: dict[str, str],
) -> None:
    upgraded = mdma_at("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    added = mdma_at_in_process(
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
    intact = mdma_at_in_process("audit", "verify", "--json", env=env)
    assert intact.returncode == 0, intact.stdout
    report = json.loads(intact.stdout)
    # site_added, user_added: two events, each signed by its write's checkpoint; no clinical rows
    assert (report["intact"], report["events_checked"], report["rows_checked"]) == (True, 2, 0)
    assert report["checkpoints_checked"] == 2

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
    assert broken.stdout.startswith(
        "audit trail BROKEN at event 2: event 2: content does not match its hash"
    )


@pytest.mark.postgres
def test_db_upgrade_runs_as_the_owner_and_the_server_role_gets_only_its_grants(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as db:
        db.execute(text("CREATE ROLE cli_owner LOGIN"))
        db.execute(text("CREATE ROLE cli_app LOGIN"))
        db.execute(text("CREATE DATABASE cli_roles OWNER cli_owner"))
    owner_url = postgres_server.url_for("cli_roles").replace("//postgres@", "//cli_owner@")
    app_url = owner_url.replace("//cli_owner@", "//cli_app@")
    env = {
        **os.environ,
        "MDMA_AT_DATABASE_URL": app_url,
        "MDMA_AT_MIGRATION_DATABASE_URL": owner_url,
        "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }
    try:
        upgraded = mdma_at("db", "upgrade", env=env)
        assert upgraded.returncode == 0, upgraded.stderr
        assert "runtime role cli_app granted only what the server needs" in upgraded.stdout
        # The server's role writes through the application...
        added = mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env)
        assert added.returncode == 0, added.stderr
        assert mdma_at_in_process("audit", "verify", env=env).returncode == 0
        # ...and owns nothing: no UPDATE or DELETE on append-only tables, no ALTER, no TRIGGER.
        app = create_engine(app_url)
        with app.connect() as db:
            privileges = {
                table: db.execute(
                    text(
                        "SELECT has_table_privilege(:t, 'UPDATE'), has_table_privilege(:t, "
                        "'DELETE'), has_table_privilege(:t, 'TRIGGER'), "
                        "has_table_privilege(:t, 'TRUNCATE')"
                    ),
                    {"t": table},
                ).one()
                for table in ("audit_events", "screenings", "dosing_session_events")
            }
            owner = db.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")
            ).scalar_one()
        app.dispose()
        assert set(privileges.values()) == {(False, False, False, False)}
        assert owner == "cli_owner"
    finally:
        with admin.connect() as db:
            db.execute(text("DROP DATABASE IF EXISTS cli_roles WITH (FORCE)"))
            db.execute(text("DROP ROLE IF EXISTS cli_app"))
            db.execute(text("DROP ROLE IF EXISTS cli_owner"))
        admin.dispose()


def test_a_short_password_is_refused_with_exit_2_naming_the_field(env: dict[str, str]) -> None:
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
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
    mdma_at_in_process("db", "upgrade", env=env)
    loaded = mdma_at_in_process("db", "seed-demo", env=env)
    assert loaded.returncode == 0 and loaded.stdout.startswith("demo clinic loaded.")
    engine = create_engine(env["MDMA_AT_DATABASE_URL"])

    def counts() -> tuple[int, int]:
        with engine.connect() as db:
            users = db.execute(text("SELECT count(*) FROM users")).scalar_one()
            events = db.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        return users, events

    before = counts()
    assert before[0] == 8  # the eight demo accounts of demo/clinic.py DEMO_STAFF
    again = mdma_at_in_process("db", "seed-demo", env=env)
    assert again.returncode == 2
    assert again.stderr.strip() == (
        "error: database: not empty; the demo clinic loads only into an empty one"
    )
    skipped = mdma_at_in_process("db", "seed-demo", "--if-empty", env=env)
    assert skipped.returncode == 0
    assert skipped.stdout.strip() == "demo clinic not loaded: the database already has staff"
    assert counts() == before  # nothing stored by either refusal
    engine.dispose()


def test_user_deactivate_reactivate_tokens_and_revoke(env: dict[str, str]) -> None:
    # seventeen commands in a row: in-process (the shell's entry point is tested above)
    mdma_at_in_process("db", "upgrade", env=env)
    mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env)
    added = mdma_at_in_process(
        "user",
        "add",
        "dr.ng",
        "--name",
        "Dr Ng",
        "--role",
        "physician@SITE-A",
        "--password-stdin",
        env=env,
        stdin="a long enough pass\n",
    )
    assert added.returncode == 0, added.stderr
    assert mdma_at_in_process("user", "token", "dr.ng", "--name", "export", env=env).returncode == 0
    assert mdma_at_in_process("user", "token", "dr.ng", "--name", "backup", env=env).returncode == 0

    listed = mdma_at_in_process("user", "tokens", "dr.ng", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    report = json.loads(listed.stdout)
    assert (report["user"], report["active"]) == ("dr.ng", True)
    assert [(t["name"], t["status"]) for t in report["tokens"]] == [
        ("export", "valid"),
        ("backup", "valid"),
    ]
    export_id = report["tokens"][0]["id"]

    revoked = mdma_at_in_process(
        "user", "revoke", str(export_id), "--reason", "laptop lost", env=env
    )
    assert (
        revoked.returncode == 0
        and revoked.stdout.strip() == f"API token {export_id} (export) revoked"
    )
    again = mdma_at_in_process("user", "revoke", str(export_id), env=env)
    assert again.returncode == 2
    assert again.stderr.strip() == f"error: conflict: API token {export_id} is already revoked"
    unknown = mdma_at_in_process("user", "revoke", "9999", env=env)
    assert (
        unknown.returncode == 2 and unknown.stderr.strip() == "error: token_id: no API token 9999"
    )

    off = mdma_at_in_process("user", "deactivate", "dr.ng", "--reason", "left the clinic", env=env)
    assert off.returncode == 0, off.stderr
    after = json.loads(mdma_at_in_process("user", "tokens", "dr.ng", "--json", env=env).stdout)
    assert after["active"] is False
    assert [t["status"] for t in after["tokens"]] == ["revoked", "revoked"]
    twice = mdma_at_in_process("user", "deactivate", "dr.ng", env=env)
    assert twice.returncode == 2 and "already deactivated" in twice.stderr
    assert mdma_at_in_process("user", "reactivate", "dr.ng", env=env).returncode == 0
    nobody = mdma_at_in_process("user", "deactivate", "nobody", env=env)
    assert (
        nobody.returncode == 2
        and nobody.stderr.strip() == "error: username: no user called 'nobody'"
    )
    # every change is in the audit trail, which still verifies
    assert mdma_at_in_process("audit", "verify", env=env).returncode == 0


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 12, "must not be blank (only spaces)"),
        ("password1234", "is on the list of commonly used passwords; choose a longer phrase"),
        ("X.Admin-2026!", "must not be the username or a variant of it"),
    ],
)
def test_a_weak_password_is_refused_by_the_cli(tmp_path: Path, password: str, reason: str) -> None:
    env = {**os.environ, "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    mdma_at_in_process("db", "upgrade", env=env)
    mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env)
    refused = mdma_at_in_process(
        "user",
        "add",
        "x.admin",
        "--name",
        "X",
        "--role",
        "admin@SITE-A",
        "--password-stdin",
        env=env,
        stdin=password + "\n",
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"error: password: {reason}"
    stored = create_engine(env["MDMA_AT_DATABASE_URL"])
    with stored.connect() as db:
        assert db.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
    stored.dispose()
