"""Rater assignments and blinding guesses (issue 16, items 4-5): append-only, the latest
assignment of a visit counts, one guess per person per time point."""

from __future__ import annotations

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, audit, enrol, seed
from mdma_at.domain.errors import DuplicateKey
from mdma_at.domain.randomisation import Method
from mdma_at.domain.randomisation.conduct import (
    BlindingGuess,
    Confidence,
    Guess,
    RatingAssignment,
    Respondent,
)
from mdma_at.domain.randomisation.study import Allocation, Arm, Study


def _study(uow, designated: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    study = uow.studies.add(
        Study(0, "MAPP-X", "t", "mapp_v1", (Arm("mdma", "MDMA-AT"), Arm("placebo", "Placebo")),
              (1,), 4, Method.BLOCKS, (2, 4), ("site",), 0.8, designated, None, T0),
        designated,
    )  # fmt: skip
    return study.id, 0


def test_the_latest_assignment_of_a_visit_counts(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        _, visit = enrol(uow, s.patient)
        rater_a = uow.staff.add("r.a", "Rita", "h")
        rater_b = uow.staff.add("r.b", "Ravi", "h")
        study_id, _ = _study(uow, s.physician.id)
        participant = uow.studies.add_participant(study_id, s.patient.id, {}, s.physician.id, T0)
        for rater in (rater_a, rater_b):
            uow.trial_conduct.add_assignment(
                RatingAssignment(0, study_id, participant.id, s.patient.id, visit.id, rater.id,
                                 s.physician.id, T0)
            )  # fmt: skip
        audit(uow, "assigned")
        uow.commit()
    with new_uow() as uow:
        current = uow.trial_conduct.assignment_for_visit(visit.id)
        assert current is not None and current.rater_id == rater_b.id
        assert uow.trial_conduct.assignments_of(rater_a.id) == []
        assert [a.visit_id for a in uow.trial_conduct.assignments_of(rater_b.id)] == [visit.id]
        assert len(uow.trial_conduct.assignments(study_id)) == 2
        assert uow.trial_conduct.assignment_for_visit(visit.id + 999) is None


def test_one_guess_per_person_per_time_point(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        study_id, _ = _study(uow, s.physician.id)
        participant = uow.studies.add_participant(study_id, s.patient.id, {}, s.physician.id, T0)
        first = BlindingGuess(
            0, study_id, participant.id, "es1", Respondent.THERAPIST, s.therapist.id,
            Guess.ACTIVE, Confidence.STRONG, s.therapist.id, T0,
        )  # fmt: skip
        stored = uow.trial_conduct.add_guess(first)
        uow.trial_conduct.add_guess(
            BlindingGuess(0, study_id, participant.id, "es1", Respondent.PARTICIPANT, None,
                          Guess.DONT_KNOW, None, s.therapist.id, T0)
        )  # fmt: skip
        audit(uow, "guessed")
        uow.commit()
    with new_uow() as uow:
        got = uow.trial_conduct.guesses(study_id)
        assert got[0] == stored and got[0].guess is Guess.ACTIVE
        assert (got[1].respondent_id, got[1].confidence) == (None, None)
        assert uow.trial_conduct.guesses(study_id, participant.id) == got  # the participant's own
        assert uow.trial_conduct.guesses(study_id, participant.id + 999) == []
    with new_uow() as uow, pytest.raises(DuplicateKey):
        uow.trial_conduct.add_guess(first)
        audit(uow, "guessed again")
        uow.commit()


def test_allocations_and_guesses_of_one_participant(new_uow: UowFactory) -> None:
    """A participant's own records, for the checks made on each guess and randomisation (the
    whole study's would grow with the trial)."""
    with new_uow() as uow:
        s = seed(uow)
        study_id, _ = _study(uow, s.physician.id)
        first, second = (
            uow.studies.add_participant(study_id, patient.id, {}, s.physician.id, T0)
            for patient in (s.patient, s.other)
        )
        for position, participant in enumerate((first, second), start=1):
            uow.studies.add_allocation(
                Allocation(0, study_id, participant.id, position, "all", "mdma", T0,
                           s.physician.id)
            )  # fmt: skip
            uow.trial_conduct.add_guess(
                BlindingGuess(0, study_id, participant.id, "es1", Respondent.PARTICIPANT, None,
                              Guess.PLACEBO, None, s.therapist.id, T0)
            )  # fmt: skip
        audit(uow, "allocated and guessed")
        uow.commit()
    with new_uow() as uow:
        assert [a.participant_id for a in uow.studies.allocations(study_id)] == [
            first.id,
            second.id,
        ]
        assert [a.position for a in uow.studies.allocations(study_id, second.id)] == [2]
        assert [g.participant_id for g in uow.trial_conduct.guesses(study_id, first.id)] == [
            first.id
        ]
        assert len(uow.trial_conduct.guesses(study_id)) == 2
        assert uow.studies.allocations(study_id + 1, first.id) == []
        assert uow.trial_conduct.guesses(study_id, second.id + 999) == []
