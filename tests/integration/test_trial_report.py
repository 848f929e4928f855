"""The trial report (issue 19, item 3) built on the demo clinic's running study DEMO-MAPP through
the real services: every section is there for the statistician, and a blinded reader gets a
refusal (audited) and no arm. Each test reads its own copy of the seeded demo (`demo_ctx`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdma_at.bootstrap import Container
from mdma_at.demo.trial import STUDY_CODE
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.web.reports.trial import build_trial_report, trial_report_html
from mdma_at.services.access.auth import load_principal
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.trials.dashboard import study_dashboard

SECTIONS = (
    "CONSORT flow",
    "Baseline characteristics by arm",
    "Primary analysis: MMRM on CAPS-5 change",
    "Responders, loss of diagnosis and remission",
    "Treatment-emergent adverse events by arm",
    "Peak vital-sign change per session by arm",
    "Blinding: Bang's index",
    "Figures",
    "Beside the published MAPP2 results",
)


def _demo(ctx: Container) -> tuple[int, dict[str, Principal]]:
    with ctx.uow() as uow:
        study = uow.studies.by_code(STUDY_CODE)
        people = {
            name: load_principal(uow, found[0].id)
            for name in ("s.stat", "r.blind", "c.mensah", "t.alvarez")
            if (found := uow.staff.by_username(name)) is not None
        }
    assert study is not None
    return study.id, people


def test_the_demo_study_s_report_has_every_section_and_no_outside_request(
    demo_ctx: Container, tmp_path: Path
) -> None:
    study_id, people = _demo(demo_ctx)
    written = build_trial_report(demo_ctx, people["s.stat"], study_id, tmp_path)
    assert written == tmp_path / "trial-report.html"
    html = written.read_text(encoding="utf-8")
    for heading in SECTIONS:
        assert heading in html, heading
    # the arms by name: the statistician is unblinded (demo/trial.py: MDMA-AT against placebo)
    assert "MDMA-AT" in html and "Placebo with therapy" in html
    # self-contained: inline style and figures, nothing fetched (no src, href or url())
    assert "<style>" in html and "<svg" in html
    for outside in ("src=", "href=", "url(", "@import"):
        assert outside not in html, outside
    assert verify_audit_chain(demo_ctx.uow()).intact


@pytest.mark.parametrize("username", ["r.blind", "c.mensah", "t.alvarez"])
def test_a_blinded_reader_is_refused_and_nothing_is_written(
    demo_ctx: Container, tmp_path: Path, username: str
) -> None:
    study_id, people = _demo(demo_ctx)
    out = tmp_path / "out"  # tmp_path holds the audit checkpoints (the demo_ctx fixture)
    out.mkdir()
    with pytest.raises(PermissionDenied):
        build_trial_report(demo_ctx, people[username], study_id, out)
    assert list(out.iterdir()) == []
    with pytest.raises(PermissionDenied):
        trial_report_html(demo_ctx, people[username], study_id)


def test_the_dashboard_counts_enrolment_and_shows_kits_only_to_stock_readers(
    demo_ctx: Container,
) -> None:
    study_id, people = _demo(demo_ctx)
    board = study_dashboard(demo_ctx.uow(), demo_ctx.clock, people["c.mensah"], study_id)
    # demo/trial.py: six participants randomised (PARTICIPANTS) and DEMO-004 joined only;
    # target 8 (seed_demo_trial)
    assert (board.joined, board.randomised, board.target) == (7, 6, 8)
    assert board.kits is None  # the coordinator does not view stock (domain/access.py)
    therapist = study_dashboard(demo_ctx.uow(), demo_ctx.clock, people["t.alvarez"], study_id)
    # the therapist views stock: kits by state, counts only (no arm, no contents)
    assert therapist.kits is not None and set(therapist.kits) == {"in stock", "empty", "expired"}
    assert all(isinstance(n, int) for n in therapist.kits.values())
