"""Independent raters, the blinding assessment and retention by visit through the real services,
on SQLite and PostgreSQL (issue 16, items 4, 5 and 7). Refusals prove both halves: the reason,
and nothing stored."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from integration.test_trials import IGNORE, _randomise, _ready, _user, statistician, study
from mdma_at.bootstrap import Container
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.randomisation.study import Study
from mdma_at.domain.staff import Principal, Role
from mdma_at.domain.therapy_notes import NoteDraft
from mdma_at.services.measurement import measures
from mdma_at.services.patients import registry, schedule
from mdma_at.services.therapy import notes
from mdma_at.services.trials import blinding, raters, retention, studies
from support.clinic import Clinic
from support.db import last_audit_action, row_counts

__all__ = ["statistician", "study"]  # the fixtures, imported for their names

CAPS = ["2"] * 20  # 20 items rated 0-4 (CAPS-5, Weathers et al. 2018)
ENROLLED = date(2026, 10, 2)  # after screening (09-20) and consent (10-01); the clock: 11-22


@pytest.fixture
def rater(ctx: Container, clinic: Clinic) -> Principal:
    return _user(ctx, "r.a", Role.RATER)


def _visits(ctx: Container, clinic: Clinic, patient_id: int) -> dict[str, int]:
    chart = registry.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id)
    assert chart.current is not None
    return {v.code: v.id for v in chart.visits[chart.current.id]}


def _participant(ctx: Container, clinic: Clinic, study: Study, code: str) -> int:
    """A randomised participant, enrolled on mapp_v1, with a note signed by therapist t.a."""
    patient_id = _ready(ctx, clinic, code)
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    _randomise(ctx, clinic, study, patient_id)
    schedule.enrol(ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id, "mapp_v1", ENROLLED)
    ta = clinic.therapist_a
    draft = NoteDraft(
        _visits(ctx, clinic, patient_id)["prep1"], ENROLLED + timedelta(days=7),
        "Safety and intentions", "none noticed", "Continue", (ta.user_id,), 90,
    )  # fmt: skip
    notes.write_note(ctx.uow(), ctx.clock, ta, patient_id, draft)
    return patient_id


def _hold(ctx: Container, clinic: Clinic, patient_id: int, *codes: str) -> None:
    chart = registry.chart(ctx.uow(), ctx.clock, clinic.coordinator_a, patient_id)
    assert chart.current is not None
    for visit in chart.visits[chart.current.id]:
        if visit.code in codes:
            schedule.record_visit(
                ctx.uow(), ctx.clock, clinic.coordinator_a, visit.id, visit.planned
            )


def _rate(ctx: Container, who: Principal, patient_id: int, visit_id: int) -> object:
    return measures.record_clinician_instrument(
        ctx.uow(), ctx.clock, who, patient_id, "caps5", CAPS,
        completed_on=date(2026, 11, 20), visit_id=visit_id,
    )  # fmt: skip


def test_a_rater_on_the_therapy_team_is_refused_with_the_reason_and_audited(
    ctx: Container, clinic: Clinic, study: Study
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    baseline = _visits(ctx, clinic, patient_id)["baseline"]
    # t.a also rates at site A, and sat in the patient's preparation session
    member = _user(ctx, "t.rater", Role.RATER)
    draft = NoteDraft(
        _visits(ctx, clinic, patient_id)["prep2"], ENROLLED + timedelta(days=14),
        "Intentions", "none noticed", "Continue", (clinic.therapist_a.user_id,), 90,
    )  # fmt: skip
    with ctx.uow() as uow:
        uow.staff.grant(member.user_id, clinic.site_a.id, Role.THERAPIST)
        uow.commit()
    notes.write_note(ctx.uow(), ctx.clock, clinic.therapist_a, patient_id, draft)
    with ctx.uow() as uow:
        team = raters.therapy_team(uow, patient_id)
    assert clinic.therapist_a.user_id in team and member.user_id not in team
    # make t.rater part of the team: they sign the third preparation note
    with ctx.uow() as uow:
        from mdma_at.services.access.auth import load_principal

        as_therapist = load_principal(uow, member.user_id)
    notes.write_note(
        ctx.uow(), ctx.clock, as_therapist, patient_id,
        NoteDraft(_visits(ctx, clinic, patient_id)["prep3"], ENROLLED + timedelta(days=21),
                  "Readiness", "none noticed", "Dose next", (member.user_id,), 90),
    )  # fmt: skip
    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(Conflict, match=r"t\.rater is on HC-0001's therapy team \(signed the note"):
        raters.assign_rater(
            ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id, baseline, "t.rater"
        )
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "rater_assignment_refused"


def test_only_the_assigned_rater_enters_the_participants_caps5(
    ctx: Container, clinic: Clinic, study: Study, rater: Principal
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    visits = _visits(ctx, clinic, patient_id)
    other = _user(ctx, "r.b", Role.RATER)
    # no assignment yet: no one may rate (the site's choice of "none", ADR 0170)
    before = row_counts(ctx.settings.database_url, ignore=IGNORE)
    with pytest.raises(Conflict, match="no independent rater is assigned"):
        _rate(ctx, rater, patient_id, visits["baseline"])
    assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    assert last_audit_action(ctx.settings.database_url) == "rating_refused"

    assigned = raters.assign_rater(
        ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id, visits["baseline"], "r.a"
    )
    assert assigned.rater_id == rater.user_id
    assert last_audit_action(ctx.settings.database_url) == "rater_assigned"
    for intruder in (other, clinic.therapist_a):
        before = row_counts(ctx.settings.database_url, ignore=IGNORE)
        with pytest.raises(Conflict, match="assigned to another independent rater"):
            _rate(ctx, intruder, patient_id, visits["baseline"])
        assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    _rate(ctx, rater, patient_id, visits["baseline"])

    # the rater's list and form: the assignment, the study ID and the assigned visit only
    with ctx.uow() as uow:
        mine = raters.my_assignments(uow, rater)
    assert [(a.study_id, a.visit_id, a.rated) for a in mine] == [
        ("HC-0001", visits["baseline"], True)
    ]
    sheet = measures.rating_sheet(ctx.uow(), ctx.clock, rater, patient_id, "caps5")
    assert [v.id for v in sheet.visits] == [visits["baseline"]]
    assert not hasattr(sheet, "arm") and not hasattr(sheet, "patient")
    with ctx.uow() as uow:
        assert raters.my_assignments(uow, other) == ()


def test_a_rater_who_is_not_a_rater_at_the_site_or_a_wrong_visit_is_refused_naming_the_field(
    ctx: Container, clinic: Clinic, study: Study, rater: Principal
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    baseline = _visits(ctx, clinic, patient_id)["baseline"]
    for visit_id, name, field in ((baseline, "t.b", "rater"), (999999, "r.a", "visit_id")):
        before = row_counts(ctx.settings.database_url, ignore=IGNORE)
        with pytest.raises(InvalidInput) as refused:
            raters.assign_rater(
                ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id, visit_id, name
            )
        assert refused.value.field == field
        assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before
    with pytest.raises(PermissionDenied):
        raters.assign_rater(
            ctx.uow(), ctx.clock, clinic.therapist_a, study.id, patient_id, baseline, "r.a"
        )


def test_guesses_one_per_person_per_time_point_and_bad_input_refused(
    ctx: Container, clinic: Clinic, study: Study, rater: Principal, statistician: Principal
) -> None:
    patient_id = _participant(ctx, clinic, study, "HC-0001")
    _hold(ctx, clinic, patient_id, "es1")

    def guess(who: Principal, **fields: str) -> object:
        values = {"time_point": "es1", "respondent": "participant", "guess": "active",
                  "confidence": "strong"} | fields  # fmt: skip
        return blinding.record_guess(ctx.uow(), ctx.clock, who, study.id, patient_id, **values)

    guess(clinic.coordinator_a)
    guess(clinic.therapist_a, respondent="therapist", guess="dont_know", confidence="")
    guess(rater, respondent="rater", guess="placebo", confidence="somewhat")
    refusals = [
        (clinic.coordinator_a, {}, Conflict, "recorded already"),
        (clinic.coordinator_a, {"time_point": "fu6m"}, InvalidInput, "time_point"),
        (clinic.coordinator_a, {"time_point": "es2"}, InvalidInput, "time_point"),
        (clinic.coordinator_a, {"guess": "mdma"}, InvalidInput, "guess"),
        (clinic.coordinator_a, {"confidence": ""}, InvalidInput, "confidence"),
        (clinic.coordinator_a, {"guess": "dont_know"}, InvalidInput, "confidence"),
        (clinic.coordinator_a, {"respondent": "rater"}, InvalidInput, "respondent"),
        (rater, {"respondent": "participant"}, InvalidInput, "respondent"),
        (clinic.therapist_a, {"respondent": "therapist"}, Conflict, "recorded already"),
    ]
    for who, fields, error, text in refusals:
        before = row_counts(ctx.settings.database_url, ignore=IGNORE)
        with pytest.raises(error) as refused:
            guess(who, **fields)
        said = (
            refused.value.field if isinstance(refused.value, InvalidInput) else str(refused.value)
        )
        assert text in said, (fields, said)
        assert row_counts(ctx.settings.database_url, ignore=IGNORE) == before, fields
    with pytest.raises(PermissionDenied):
        blinding.guess_lines(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id)
    lines = blinding.guess_lines(ctx.uow(), ctx.clock, statistician, study.id)
    assert sorted((x.respondent, x.guess, x.certainty) for x in lines) == [
        ("participant", "active", "strong"),
        ("rater", "placebo", "somewhat"),
        ("therapist", "dont_know", None),
    ]
    assert {x.arm for x in lines} <= {"active", "placebo"}
    with ctx.uow() as uow:
        audit = [e.content for e in uow.audit.events() if e.content.action.startswith("blinding")]
    assert len(audit) == 4  # three guesses recorded, one export
    for answer in ("active", "placebo", "dont_know", "strong", "somewhat"):
        assert all(answer not in str(c.after) for c in audit)  # the trail names no guess


def test_a_guess_needs_a_randomised_participant(ctx: Container, clinic: Clinic, study: Study):  # type: ignore[no-untyped-def]
    patient_id = _ready(ctx, clinic, "HC-0002")
    studies.join_study(ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id)
    with pytest.raises(Conflict, match="not randomised"):
        blinding.record_guess(
            ctx.uow(), ctx.clock, clinic.coordinator_a, study.id, patient_id,
            time_point="es1", respondent="participant", guess="dont_know",
        )  # fmt: skip


def test_retention_counts_expected_and_seen_by_visit_without_arms(
    ctx: Container, clinic: Clinic, study: Study
) -> None:
    first = _participant(ctx, clinic, study, "HC-0001")
    _participant(ctx, clinic, study, "HC-0002")
    _hold(ctx, clinic, first, "prep1", "prep2", "es1")
    shown = retention.retention_by_visit(ctx.uow(), ctx.clock, clinic.therapist_a, study.id)
    rows = {r.code: r for r in shown}
    # both enrolled 2026-10-02, the clock at 2026-11-22 (mapp_v1 schedule, schedule.py): prep1 on
    # 10-09, es1 on 11-02 (window from 10-27) have opened; es2 (28 +/- 7 days after es1: window
    # from 11-23) and the 6-month follow-up have not
    assert (rows["prep1"].expected, rows["prep1"].seen) == (2, 1)
    assert (rows["es1"].expected, rows["es1"].seen) == (2, 1)
    assert (rows["es2"].expected, rows["es2"].seen) == (0, 0)
    assert (rows["fu6m"].expected, rows["fu6m"].seen) == (0, 0)
    assert rows["fu6m"].blinded and rows["fu12m"].blinded  # FOLLOW_UP_BLINDED (site default)
    assert rows["fu6m"].follow_up and not rows["es1"].follow_up
    assert not any(hasattr(r, "arm") for r in rows.values())
