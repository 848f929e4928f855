"""`mdma-at report --study ID --out DIR [--pdf] --as USER` on the demo clinic (issue 19, item 3):
the statistician's trial report of DEMO-MAPP is one self-contained HTML file (and a PDF when
asked); every refusal is exit 2 with one line naming the field, and leaves no file and no row
behind. The regulators' `report NAME --from --to` keeps working beside it (test_cli_report.py).

The command reads the database, not the app, so the module's tests share one copy of the demo
clinic without a server (`demo_db`); they write only audit events (the blinding guesses
exported, an access refused), which the refusal test counts apart and the report test reads as
the newest."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdma_at.demo.clinic import DEMO_PASSWORD
from mdma_at.demo.trial import STUDY_CODE
from support.cli import copy_for_the_cli, mdma_at, mdma_at_in_process
from support.db import last_audit_action, row_counts


@pytest.fixture(scope="module")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of this module's copy of the demo clinic, signing in with its password."""
    env = copy_for_the_cli(demo_template, tmp_path_factory.mktemp("trial-report-clinic"))
    return {**env, "MDMA_AT_PASSWORD": DEMO_PASSWORD}


def test_the_statistician_s_report_is_written_as_html_and_pdf(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    done = mdma_at(
        "report", "--study", STUDY_CODE, "--out", str(tmp_path), "--pdf", "--as", "s.stat",
        env=demo_db,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "trial-report.html").read_text(encoding="utf-8")
    assert done.stdout.strip() == str(tmp_path / "trial-report.html")
    assert "Trial report: DEMO-MAPP" in html and "CONSORT flow" in html
    assert "<svg" in html and "src=" not in html and "href=" not in html
    assert (tmp_path / "trial-report.pdf").read_bytes().startswith(b"%PDF")
    assert last_audit_action(demo_db["MDMA_AT_DATABASE_URL"]) == "blinding_guesses_exported"


REFUSED = (
    (["--study", "NO-SUCH"], "error: study: no study 'NO-SUCH'"),
    (["annual-progress", "--study", STUDY_CODE], "error: study: give either a report NAME"),
    (["--study", STUDY_CODE, "--as", "r.blind"], "error: as: r.blind may not view allocation"),
    (["--study", STUDY_CODE, "--as", "c.mensah"], "error: as: "),
    (["--study", STUDY_CODE, "--as", "t.alvarez"], "error: as: "),
)


def test_bad_input_is_refused_and_nothing_is_written(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # a refusal for lack of permission is itself audited (access_denied): counted apart
    before = row_counts(demo_db["MDMA_AT_DATABASE_URL"], ignore=("audit_events",))
    for args, line in REFUSED:
        who = [] if "--as" in args else ["--as", "s.stat"]
        done = mdma_at_in_process("report", *args, *who, "--out", str(out), env=demo_db)
        assert done.returncode == 2, args
        assert done.stderr.startswith(line) and done.stderr.count("\n") == 1, done.stderr
        assert list(out.iterdir()) == []
    assert row_counts(demo_db["MDMA_AT_DATABASE_URL"], ignore=("audit_events",)) == before


def test_an_output_that_is_not_a_directory_is_refused(
    demo_db: dict[str, str], tmp_path: Path
) -> None:
    # refused before signing in: nothing is read or written
    for out in (tmp_path / "missing", tmp_path / "file.html"):
        done = mdma_at_in_process(
            "report", "--study", STUDY_CODE, "--out", str(out), "--as", "s.stat",
            env=demo_db,
        )  # fmt: skip
        assert done.returncode == 2 and done.stderr.startswith("error: out: "), done.stderr
        assert not out.exists()
