"""`mdma-at register` from the shell (SQLite): receive, the blinded and unblinded stock, a
refusal with exit 2 naming the field and storing nothing, the CSV report. Receiving and the report
run as subprocesses; the refusal and the reads in between run in-process through the same root
command and exit-code guard (ADR 0066)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from support.cli import mdma_at, mdma_at_in_process

PASSWORD = "a long enough pass"


def _env(tmp_path: Path) -> dict[str, str]:
    """A migrated database with one site, a pharmacist and a therapist; set up in-process (the
    commands under test below run as subprocesses)."""
    env = {
        **os.environ,
        "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.db'}",
        "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "MDMA_AT_PASSWORD": PASSWORD,
    }
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    assert mdma_at_in_process("site", "add", "SITE-A", "Harbour Clinic", env=env).returncode == 0
    for username, role in (("ph.a", "pharmacist"), ("t.a", "therapist")):
        added = mdma_at_in_process(
            "user",
            "add",
            username,
            "--name",
            username.upper(),
            "--role",
            f"{role}@SITE-A",
            "--password-stdin",
            env=env,
            stdin=f"{PASSWORD}\n",
        )
        assert added.returncode == 0, added.stderr
    return env


def _receive(
    env: dict[str, str], quantity: str, *, through_the_shell: bool = True
) -> subprocess.CompletedProcess[str]:
    run = mdma_at if through_the_shell else mdma_at_in_process
    return run(
        "register",
        "receive",
        "--as",
        "ph.a",
        "--site",
        "SITE-A",
        "--kit",
        "K-1",
        "--supplier",
        "Lipomed AG",
        "--lot",
        "L-1",
        "--expiry",
        "2099-12-31",
        "--form",
        "capsule",
        "--strength",
        "40 mg MDMA HCl",
        "--contents",
        "active",
        "--location",
        "Safe 1",
        "--quantity",
        quantity,
        "--unit",
        "unit",
        env=env,
    )


def test_the_register_from_the_shell(tmp_path: Path) -> None:
    env = _env(tmp_path)
    refused = _receive(env, "0", through_the_shell=False)
    assert refused.returncode == 2
    assert refused.stderr == "error: quantity: must be a positive whole number, not 0\n"
    stock = mdma_at_in_process(
        "register", "stock", "--as", "ph.a", "--site", "SITE-A", "--json", env=env
    )
    assert json.loads(stock.stdout) == []  # nothing stored
    received = _receive(env, "12")
    assert received.returncode == 0, received.stderr
    unblinded = mdma_at_in_process(
        "register", "stock", "--as", "ph.a", "--site", "SITE-A", "--json", env=env
    )
    (kit,) = json.loads(unblinded.stdout)
    assert (kit["balance"], kit["contents"], kit["lot"]) == (12, "active", "L-1")
    blinded = mdma_at_in_process(
        "register", "stock", "--as", "t.a", "--site", "SITE-A", "--json", env=env
    )
    (kit,) = json.loads(blinded.stdout)
    assert kit["balance"] == 12 and "contents" not in kit and "lot" not in kit
    today = datetime.now(UTC).date().isoformat()
    report = mdma_at(
        "register",
        "report",
        "--as",
        "ph.a",
        "--site",
        "SITE-A",
        "--from",
        today,
        "--to",
        today,
        env=env,
    )
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert [(r["section"], r["balance"]) for r in rows] == [
        ("opening", "0"), ("movement", "12"), ("closing", "12"),
    ]  # fmt: skip
    denied = mdma_at_in_process(
        "register",
        "report",
        "--as",
        "t.a",
        "--site",
        "SITE-A",
        "--from",
        today,
        "--to",
        today,
        env=env,
    )
    assert denied.returncode == 2 and denied.stderr.startswith("error: as:")
