"""The demo clinic's running study (issue 16, item 8), seeded through the real services: both arms
randomised, rater assignments, guesses enough for Bang's index, retention counts."""

from __future__ import annotations

from mdma_at.analysis.blinding_assessment import blinding_by_time_point
from mdma_at.bootstrap import Container
from mdma_at.demo.trial import STUDY_CODE
from mdma_at.domain.blinding import disclose
from mdma_at.services.access.auth import load_principal
from mdma_at.services.audit import verify_audit_chain
from mdma_at.services.trials import blinding, randomise, raters, retention, view


def test_the_demo_study_has_both_arms_assignments_guesses_and_retention(
    demo_ctx: Container,
) -> None:
    with demo_ctx.uow() as uow:
        study = uow.studies.by_code(STUDY_CODE)
        people = {
            name: load_principal(uow, found[0].id)
            for name in ("s.stat", "r.blind", "c.mensah")
            if (found := uow.staff.by_username(name)) is not None
        }
    assert study is not None
    lines = randomise.allocation_list(demo_ctx.uow(), demo_ctx.clock, people["s.stat"], study.id)
    # arms are concealed values, disclosed to the statistician (ADR 0165)
    assert {line.arm for line in disclose(lines, people["s.stat"])} == {"mdma", "placebo"}
    shown = view.study_view(demo_ctx.uow(), demo_ctx.clock, people["c.mensah"], study.id)
    assert any(row.position is None for row in shown.rows)  # one waits for the button
    with demo_ctx.uow() as uow:
        assigned = raters.my_assignments(uow, people["r.blind"])
    assert {a.study_id for a in assigned} >= {"DEMO-005", "DEMO-011"}
    guesses = blinding.guess_lines(demo_ctx.uow(), demo_ctx.clock, people["s.stat"], study.id)
    groups = blinding_by_time_point(
        guesses, blinding.time_points(study), blinding.ACTIVE, blinding.PLACEBO
    )
    assert any(g.arms for g in groups), groups  # at least one index with both arms
    counts = retention.retention_by_visit(
        demo_ctx.uow(), demo_ctx.clock, people["c.mensah"], study.id
    )
    assert any(v.seen for v in counts) and any(v.code == "fu12m" for v in counts)
    assert verify_audit_chain(demo_ctx.uow()).intact
