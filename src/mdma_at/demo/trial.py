"""The demo clinic's running study (issue 16, item 8), made through the real use cases.

DEMO-MAPP, MDMA-AT against placebo with therapy at the demo site: the coordinator (Ama Mensah)
sets it up, the statistician (Kai Statistician) seals the schedule with a fixed demo seed, and the
patients past their preparation with a signed eligible verdict and current consent join and are
randomised (blocks of 2 and 4; both arms are filled); DEMO-004 has joined and waits for the
randomise button. Robin Blind, who is on no one's therapy team,
is assigned every CAPS-5 assessment of each participant (baseline to the 12-month follow-up).
After each dosing session held, and at the primary endpoint, the participant (entered by the
coordinator), the lead therapist (Sam Alvarez) and the rater record a guess of the arm, so the
statistician's study page shows Bang's index and everyone's shows retention by visit.
"""

from __future__ import annotations

from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.schedule.records import VisitStatus
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import load_principal
from mdma_at.services.ports import Clock, ScheduleSeal, UnitOfWorkFactory
from mdma_at.services.trials import blinding, randomise, raters, studies

STUDY_CODE = "DEMO-MAPP"
#: 32 hex digits: a demo seed is public, so the demo's allocations are not a secret (site default)
DEMO_SEED = "5eed0fdeadbeefc0ffee1234567890ab"
PARTICIPANTS = ("DEMO-005", "DEMO-008", "DEMO-009", "DEMO-010", "DEMO-011", "DEMO-002")
JOINED_ONLY = "DEMO-004"  # joined, not randomised yet: the study page shows the button
RATER = "r.blind"
THERAPIST = "t.alvarez"
_RATED_KINDS = (VisitKind.ASSESSMENT, VisitKind.PRIMARY_ENDPOINT, VisitKind.FOLLOW_UP)

# (guess, confidence) in turn, per respondent: a spread of answers, some correct, some not
_GUESSES = {
    "participant": (("active", "strong"), ("placebo", "somewhat"), ("dont_know", ""),
                    ("active", "somewhat"), ("placebo", "strong")),
    "therapist": (("active", "somewhat"), ("active", "strong"), ("placebo", "somewhat"),
                  ("dont_know", "")),
    "rater": (("dont_know", ""), ("placebo", "somewhat"), ("active", "somewhat")),
}  # fmt: skip


def _principal(uow: UnitOfWorkFactory, username: str) -> Principal:
    with uow() as work:
        found = work.staff.by_username(username)
        assert found is not None, username
        return load_principal(work, found[0].id)


def seed_demo_trial(uow: UnitOfWorkFactory, clock: Clock, seal: ScheduleSeal, site_id: int) -> None:
    """Set up, randomise, assign raters and record guesses (see the module docstring)."""
    coordinator = _principal(uow, "c.mensah")
    study = studies.create_study(
        uow(), clock, coordinator, code=STUDY_CODE,
        title="MDMA-assisted therapy against placebo with therapy (demo)",
        site_ids=[site_id], designated_physician="dr.ng", target_size=8,
    )  # fmt: skip
    studies.seal_schedule(uow(), clock, seal, _principal(uow, "s.stat"), study.id, DEMO_SEED)
    people = {
        "participant": coordinator,
        "therapist": _principal(uow, THERAPIST),
        "rater": _principal(uow, RATER),
    }
    turn = dict.fromkeys(_GUESSES, 0)
    points = blinding.time_points(study)
    for code in PARTICIPANTS:
        with uow() as work:
            patient = work.patients.by_study_id(code)
        assert patient is not None, code
        studies.join_study(uow(), clock, coordinator, study.id, patient.id)
        randomise.randomise(uow(), clock, seal, coordinator, study.id, patient.id)
        with uow() as work:
            enrolment = work.enrolments.for_patient(patient.id)[-1]
            visits = list(work.visits.for_enrolment(enrolment.id))
        for visit in visits:
            if visit.kind in _RATED_KINDS and visit.status is not VisitStatus.CANCELLED:
                raters.assign_rater(
                    uow(), clock, coordinator, study.id, patient.id, visit.id, RATER
                )
        held = {v.code for v in visits if v.status is VisitStatus.HELD}
        for point in points:
            if point not in held:
                continue
            for respondent, who in people.items():
                answers = _GUESSES[respondent]
                guess, confidence = answers[turn[respondent] % len(answers)]
                turn[respondent] += 1
                blinding.record_guess(
                    uow(), clock, who, study.id, patient.id, time_point=point,
                    respondent=respondent, guess=guess, confidence=confidence,
                )  # fmt: skip
    with uow() as work:
        waiting = work.patients.by_study_id(JOINED_ONLY)
    assert waiting is not None
    studies.join_study(uow(), clock, coordinator, study.id, waiting.id)
