"""`mdma-at report NAME --from --to [--out] --as USER` on the demo clinic (issue 17, item 4): the
HTML and the PDF are written for a user who may; every refusal is exit 2 with one line naming
the field, and leaves no file and no row behind.

The commands read the database, not the app, so the module's tests share one copy of the demo
clinic without a server (`demo_db`); they write only audit events (a report generated, an access
refused), which the refusal test counts apart and the report test reads as the newest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mdma_at.demo.clinic import DEMO_PASSWORD
from support.cli import copy_for_the_cli, mdma_at, mdma_at_in_process
from support.db import last_audit_action, row_counts

TODAY = datetime.now(UTC).date()
YEAR = ((TODAY - timedelta(days=365)).isoformat(), TODAY.isoformat())


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of this module's copy of the demo clinic, signing in with its password."""
    env = copy_for_the_cli(demo_template, tmp_path_factory.mktemp("report-clinic"))
    return {**env, "MDMA_AT_PASSWORD": DEMO_PASSWORD}


def test_the_reports_are_written_as_html_and_pdf(demo_db: dict[str, str], tmp_path: Path) -> None:
    env = demo_db
    for name in ("authorised-prescriber", "session-monitoring", "annual-progress"):
        out = tmp_path / f"{name}.html"
        done = mdma_at_in_process(
            "report", name, "--from", YEAR[0], "--to", YEAR[1], "--as", "c.mensah",
            "--out", str(out), env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        text = out.read_text(encoding="utf-8")
        assert f"{YEAR[0]} to {YEAR[1]}" in text and "Ama Mensah (c.mensah)" in text
    assert last_audit_action(env["MDMA_AT_DATABASE_URL"]) == "report_generated"
    # The demo walks each programme, holding every visit on its planned day (demo/clinic.py);
    # mapp_v1 plans es1, es2, es3 on days 31, 59 and 87 after enrolment (7+7+7+3+7, then +28
    # twice: protocols/mapp_v1/schedule.py). Enrolled 38 to 330 days ago, DEMO-005..DEMO-012
    # (eight patients) had es1 within the year, all for the first time; DEMO-008..DEMO-011
    # (104, 140, 190, 330 days) had es3 too; DEMO-002..004 (3, 16, 31 days) none yet.
    summary = (tmp_path / "authorised-prescriber.html").read_text(encoding="utf-8")
    for field, expected in (("ap-treated", 8), ("ap-new", 8), ("ap-completed", 4)):
        assert f'id="{field}">{expected}<' in summary, field
    # the PDF through the real entry point and the system's headless Chromium
    pdf = tmp_path / "ap.pdf"
    done = mdma_at(
        "report", "authorised-prescriber", "--from", YEAR[0], "--to", YEAR[1],
        "--as", "dr.ng", "--out", str(pdf), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pdf.read_bytes().startswith(b"%PDF")


REFUSED = (
    (
        ["authorised-prescriber", "--from", "2026-07-01", "--to", "2026-06-30"],
        "error: to: 2026-06-30 is before the start 2026-07-01",
    ),
    (["tga", "--from", "2026-07-01", "--to", "2026-12-31"], "error: name: 'tga' is not one"),
    (["annual-progress", "--from", "2026-13-01", "--to", "2026-12-31"], "error: from: "),
    (
        ["annual-progress", "--from", "2026-01-01", "--to", "2026-12-31", "--as", "t.alvarez"],
        "error: as: t.alvarez may not view reports",
    ),
    (
        ["annual-progress", "--from", "2026-01-01", "--to", "2026-12-31", "--as", "r.blind"],
        "error: as: r.blind may not view reports",
    ),
)


def test_bad_input_is_refused_and_nothing_is_written(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    # a refusal for lack of permission is itself audited (access_denied): counted apart
    before = row_counts(demo_db["MDMA_AT_DATABASE_URL"], ignore=("audit_events",))
    for args, line in REFUSED:
        who = [] if "--as" in args else ["--as", "c.mensah"]
        done = mdma_at_in_process("report", *args, *who, "--out", str(out), env=demo_db)
        assert done.returncode == 2, args
        assert done.stderr.startswith(line) and done.stderr.count("\n") == 1, done.stderr
        assert not out.exists()
    assert row_counts(demo_db["MDMA_AT_DATABASE_URL"], ignore=("audit_events",)) == before


def test_an_output_that_is_neither_pdf_nor_html_is_refused(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    # refused before signing in: nothing is read or written
    out = tmp_path / "report.docx"
    done = mdma_at_in_process(
        "report", "annual-progress", "--from", YEAR[0], "--to", YEAR[1], "--as", "c.mensah",
        "--out", str(out), env=demo_db,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("error: out: 'report.docx' must end")
    assert not out.exists()
