"""`mdma-at site add --tz`, `site set-tz`, `site set-on-call` and the paging settings (issue 13):
bad input exits 2 with one line naming the field, and stores nothing.

Through the real entry point (a subprocess): adding a site with a zone and with the server's zone
(`TZ`, which only a new process reads), and one malformed URL of each paging setting read from the
environment. The other changes, refusals and settings errors run in-process through the same
root command and exit-code guard (ADR 0066); a subprocess costs 1–2 s of interpreter start-up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from support.cli import mdma_at, mdma_at_in_process


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MDMA_AT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MDMA_AT_AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
    }


def _sites(env: dict[str, str]) -> list[tuple[str, str, str | None, int]]:
    engine = create_engine(env["MDMA_AT_DATABASE_URL"])
    with engine.connect() as db:
        rows = db.execute(
            text("SELECT code, timezone, on_call_email, repage_minutes FROM sites ORDER BY code")
        )
        found = [tuple(row) for row in rows]
    engine.dispose()
    return found  # type: ignore[return-value]


def test_a_site_gets_its_zone_and_an_admin_changes_it(env: dict[str, str]) -> None:
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    added = mdma_at("site", "add", "NYC", "Manhattan Clinic", "--tz", "America/New_York", env=env)
    assert added.returncode == 0, added.stderr
    default = mdma_at("site", "add", "SRV", "Server Clinic", env={**env, "TZ": "Europe/London"})
    assert default.returncode == 0, default.stderr  # no --tz: the server's zone
    changed = mdma_at_in_process("site", "set-tz", "NYC", "America/Chicago", env=env)
    assert changed.returncode == 0 and "America/Chicago" in changed.stdout
    on_call = mdma_at_in_process(
        "site", "set-on-call", "NYC", "--name", "Dr Ray", "--email", "ray@nyc.example",
        "--repage-minutes", "3", env=env,
    )  # fmt: skip
    assert on_call.returncode == 0, on_call.stderr
    assert _sites(env) == [
        ("NYC", "America/Chicago", "ray@nyc.example", 3),
        ("SRV", "Europe/London", None, 5),  # 5 min: the default re-page interval
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST+5", "", "../../etc/passwd"])
def test_a_zone_that_is_not_an_iana_name_is_refused_and_nothing_stored(
    env: dict[str, str], zone: str
) -> None:
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    refused = mdma_at_in_process("site", "add", "NYC", "Manhattan Clinic", "--tz", zone, env=env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: tz: ") and len(refused.stderr.splitlines()) == 1
    assert _sites(env) == []
    assert (
        mdma_at_in_process(
            "site", "add", "NYC", "Manhattan Clinic", "--tz", "UTC", env=env
        ).returncode
        == 0
    )
    again = mdma_at_in_process("site", "set-tz", "NYC", zone, env=env)
    assert again.returncode == 2 and again.stderr.startswith("error: tz: ")
    assert _sites(env) == [("NYC", "UTC", None, 5)]


def test_bad_on_call_settings_are_refused_and_nothing_stored(env: dict[str, str]) -> None:
    assert mdma_at_in_process("db", "upgrade", env=env).returncode == 0
    assert (
        mdma_at_in_process("site", "add", "NYC", "Clinic", "--tz", "UTC", env=env).returncode == 0
    )
    bad_email = mdma_at_in_process(
        "site", "set-on-call", "NYC", "--name", "Dr", "--email", "ray", env=env
    )
    assert bad_email.returncode == 2 and bad_email.stderr.startswith("error: on_call_email: ")
    too_slow = mdma_at_in_process(
        "site", "set-on-call", "NYC", "--name", "Dr", "--repage-minutes", "0", env=env
    )
    assert too_slow.returncode == 2 and too_slow.stderr.startswith("error: repage_minutes: ")
    assert _sites(env) == [("NYC", "UTC", None, 5)]


@pytest.mark.parametrize(
    ("name", "value", "through_the_shell"),
    [
        ("MDMA_AT_SMTP_URL", "mail.example.org", True),  # no scheme
        ("MDMA_AT_SMTP_URL", "smtp://mail.example.org:notaport", False),
        ("MDMA_AT_PAGE_WEBHOOK_URL", "ftp://hooks.example.org/page", True),
        ("MDMA_AT_PAGE_WEBHOOK_URL", "https://", False),
    ],
)
def test_a_paging_url_that_does_not_parse_is_a_settings_error(
    env: dict[str, str], name: str, value: str, through_the_shell: bool
) -> None:
    run = mdma_at if through_the_shell else mdma_at_in_process
    refused = run("db", "upgrade", env={**env, name: value})
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: {name}: ") and len(refused.stderr.splitlines()) == 1
    assert not Path(env["MDMA_AT_DATABASE_URL"].removeprefix("sqlite:///")).exists()
