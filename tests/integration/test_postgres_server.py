"""The throwaway PostgreSQL server that the integration tier starts for itself."""

from __future__ import annotations

import os
import pwd
import socket
from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from support import fixtures, postgres
from support.postgres import PostgresServer


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    # Its own server rather than the session's: some tests below inspect the directory layout.
    yield from fixtures.postgres_server()


def scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(query)).scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_server_answers_through_sqlalchemy_and_psycopg(server: PostgresServer) -> None:
    assert server.url == f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres"
    assert str(scalar(server.url, "SELECT version()")).startswith("PostgreSQL ")


@pytest.mark.postgres
def test_the_server_listens_on_loopback_only_with_its_socket_in_its_own_directory(
    server: PostgresServer,
) -> None:
    assert scalar(server.url, "SHOW listen_addresses") == "127.0.0.1"
    assert scalar(server.url, "SHOW unix_socket_directories") == str(server.root)
    assert any(name.startswith(".s.PGSQL.") for name in os.listdir(server.root))


@pytest.mark.postgres
def test_databases_are_utf8_and_the_clock_is_utc(server: PostgresServer) -> None:
    assert scalar(server.url, "SHOW server_encoding") == "UTF8"
    assert scalar(server.url, "SHOW timezone") == "UTC"


@pytest.mark.postgres
def test_a_created_database_is_empty_and_isolated_from_the_others(server: PostgresServer) -> None:
    first = server.create_database("isolation_first")
    second = server.create_database("isolation_second")
    engine = sa.create_engine(first)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE patient (study_id text PRIMARY KEY)"))
            connection.execute(sa.text("INSERT INTO patient VALUES ('MDMA-001')"))
    finally:
        engine.dispose()

    assert scalar(first, "SELECT count(*) FROM patient") == 1
    assert scalar(second, "SELECT to_regclass('public.patient') IS NULL") is True
    assert scalar(second, "SELECT current_database()") == "isolation_second"


@pytest.mark.postgres
def test_a_per_test_database_is_dropped_when_the_test_is_done(server: PostgresServer) -> None:
    databases = fixtures.postgres_database(server, "test_login[postgres]")
    url = next(databases)
    name = url.rsplit("/", 1)[1]
    assert scalar(url, "SELECT current_database()") == name

    next(databases, None)  # runs the generator's clean-up, as pytest does after the test

    exists = f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    assert scalar(server.url, exists) == 0


def test_per_test_database_names_are_legal_identifiers_that_keep_the_test_name() -> None:
    name = fixtures.database_name("test_Login fails[postgres-" + "x" * 80 + "]", 12)

    assert name.startswith("t12_test_login_fails_postgres_x")
    assert len(name) <= 63
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")


@pytest.mark.postgres
def test_a_database_name_that_is_not_a_plain_identifier_is_refused(server: PostgresServer) -> None:
    with pytest.raises(ValueError, match="database name 'x; DROP DATABASE postgres'"):
        server.create_database("x; DROP DATABASE postgres")


@pytest.mark.postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to the postgres user")
def test_under_root_the_cluster_belongs_to_the_postgres_system_user(
    server: PostgresServer,
) -> None:
    postgres_uid = pwd.getpwnam(postgres.SYSTEM_USER).pw_uid

    assert os.stat(server.data_dir).st_uid == postgres_uid
    assert os.stat(server.root).st_uid == postgres_uid


@pytest.mark.postgres
def test_stopping_removes_the_directory_and_the_server() -> None:
    server = PostgresServer.start()
    port, root = server.port, server.root

    server.stop()

    assert not root.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", connect_timeout=2)
    server.stop()  # a second stop is harmless


@pytest.mark.postgres
def test_a_failed_start_removes_the_directory_and_reports_the_server_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[PostgresServer] = []
    original_start = PostgresServer._start

    def start_with_a_broken_setting(self: PostgresServer) -> None:
        started.append(self)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("shared_buffers = 'not a size'\n")
        original_start(self)

    monkeypatch.setattr(PostgresServer, "_start", start_with_a_broken_setting)

    with pytest.raises(RuntimeError, match="pg_ctl start failed") as failure:
        PostgresServer.start()

    assert "shared_buffers" in str(failure.value)
    assert not started[0].root.exists()


def test_without_binaries_the_postgres_tests_skip_loudly_outside_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres, "find_binaries", lambda: None)
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="NOT TESTED: PostgreSQL binaries"):
        postgres.require_binaries()


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_without_binaries_the_postgres_tests_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setattr(postgres, "find_binaries", lambda: None)
    monkeypatch.setenv("CI", ci)

    with pytest.raises(pytest.fail.Exception, match="under CI: PostgreSQL binaries"):
        postgres.require_binaries()


@pytest.mark.parametrize("ci", ["", "0", "false", "FALSE"])
def test_ci_counts_as_unset_when_empty_zero_or_false(
    monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)

    assert postgres.in_ci() is False


def test_the_binaries_found_are_a_matching_initdb_and_pg_ctl() -> None:
    binaries = postgres.require_binaries()

    assert binaries.initdb.parent == binaries.pg_ctl.parent


@pytest.mark.postgres
def test_a_port_taken_before_the_server_binds_it_is_replaced_by_a_free_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken, postgres.free_port()])
        monkeypatch.setattr(postgres, "free_port", lambda: next(ports))

        with PostgresServer.start() as server:
            assert server.port != taken
            assert scalar(server.url, "SELECT 1") == 1
