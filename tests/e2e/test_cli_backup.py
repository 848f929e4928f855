"""`mdma-at db backup` and `db restore` as the operator runs them: the subprocess for the entry
point, in-process for the chain around it (ADR 0066). On SQLite and PostgreSQL: the command's
contract is the same on both, and tests/integration/test_backup_restore.py covers backups under
writers and every refusal through the adapters on both databases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from support import fixtures
from support.cli import mdma_at, mdma_at_in_process
from support.db import row_counts
from support.postgres import PostgresServer


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    yield from fixtures.postgres_server()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def clinic_and_empty(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    """The environment of a clinic's database and of an empty one, sharing one checkpoint log."""
    base = {**os.environ, "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}
    if request.param == "sqlite":
        yield (
            {**base, "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}"},
            {**base, "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}"},
        )
    else:
        server = request.getfixturevalue("postgres_server")
        for live in fixtures.postgres_database(server, "clinic"):
            for empty in fixtures.postgres_database(server, "restored"):
                yield (
                    {**base, "MDMA_AT_DATABASE_URL": live},
                    {**base, "MDMA_AT_DATABASE_URL": empty},
                )


def test_backup_then_restore_into_an_empty_database_and_the_trail_verifies(
    clinic_and_empty: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    live, empty = clinic_and_empty
    assert mdma_at_in_process("db", "upgrade", env=live).returncode == 0
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=live).returncode == 0
    out = tmp_path / "clinic.backup"
    made = mdma_at("db", "backup", "--out", str(out), env=live)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(f"backup written to {out} (")
    # Written after the backup: on the live database only.
    assert mdma_at_in_process("site", "add", "SITE-B", "Hillside", env=live).returncode == 0

    restored = mdma_at("db", "restore", str(out), env=empty)
    assert restored.returncode == 0, restored.stderr
    lines = restored.stdout.splitlines()
    assert lines[1].startswith("audit trail verified: ")
    # Adding SITE-B appended one audit event after the backup: lost with the restore, and said.
    assert lines[2] == (
        "the checkpoint log signed 1 more events, written after this backup: "
        "those writes are not in it"
    )
    assert mdma_at_in_process("audit", "verify", env=empty).returncode == 0
    counts = row_counts(empty["MDMA_AT_DATABASE_URL"])
    assert counts["sites"] == 1


def test_restore_refusals_exit_2_with_one_line_and_touch_nothing(
    clinic_and_empty: tuple[dict[str, str], dict[str, str]], tmp_path: Path
) -> None:
    live, empty = clinic_and_empty
    assert mdma_at_in_process("db", "upgrade", env=live).returncode == 0
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a backup")
    refused = mdma_at_in_process("db", "restore", str(junk), env=empty)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: FILE: {junk} is not an mdma-at backup (neither an SQLite database nor a pg_dump)\n"
    )
    assert row_counts(empty["MDMA_AT_DATABASE_URL"]) == {}

    out = tmp_path / "clinic.backup"
    assert mdma_at_in_process("db", "backup", "--out", str(out), env=live).returncode == 0
    before = row_counts(live["MDMA_AT_DATABASE_URL"])
    onto_clinic = mdma_at_in_process("db", "restore", str(out), env=live)
    assert onto_clinic.returncode == 2
    assert onto_clinic.stderr.startswith("error: database: the target database is not empty (")
    assert row_counts(live["MDMA_AT_DATABASE_URL"]) == before

    again = mdma_at_in_process("db", "backup", "--out", str(out), env=live)
    assert again.returncode == 2
    assert again.stderr == f"error: --out: {out} exists; a backup never overwrites a file\n"
