"""Running a blinded study: independent raters and the blinding assessment (issue 16, items 4-5).

A CAPS-5 rating of a participant is assigned to one rater who is not on the participant's therapy
team (ADR 0170). After each dosing session and at the primary endpoint the participant, each
therapist and the rater guess the arm, with their confidence (ADR 0171); Bang's blinding index is
computed from those guesses by `mdma_at.analysis.blinding`.

None of these records holds an arm: a guess is what someone *thinks*, and is kept apart from the
allocation until the unblinded statistician joins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput


class Guess(StrEnum):
    """The answer to "which arm do you think this participant is in?" (Bang 2004's 2x3 format)."""

    ACTIVE = "active"
    PLACEBO = "placebo"
    DONT_KNOW = "dont_know"


class Confidence(StrEnum):
    """How sure the guesser is (Bang 2004's 2x5 format): asked for a guess of an arm only."""

    STRONG = "strong"
    SOMEWHAT = "somewhat"


class Respondent(StrEnum):
    """Who guesses: the participant, a therapist of their team, or their rater."""

    PARTICIPANT = "participant"
    THERAPIST = "therapist"
    RATER = "rater"


@dataclass(frozen=True, slots=True)
class RatingAssignment:
    """A CAPS-5 rating of one visit of a participant, assigned to one rater. A later assignment
    of the same visit replaces it (the rater fell ill); the row itself is never changed."""

    id: int
    study_id: int
    participant_id: int
    patient_id: int
    visit_id: int
    rater_id: int
    assigned_by: int
    assigned_at: datetime


@dataclass(frozen=True, slots=True)
class BlindingGuess:
    """One person's guess of one participant's arm at one time point (a visit code such as
    ``es1`` or ``primary``). `respondent_id` is the therapist's or rater's user ID, None for the
    participant (whose answer staff enter)."""

    id: int
    study_id: int
    participant_id: int
    time_point: str
    respondent: Respondent
    respondent_id: int | None
    guess: Guess
    confidence: Confidence | None
    recorded_by: int
    recorded_at: datetime

    @property
    def respondent_key(self) -> str:
        """One guess per person per time point: the key the database holds unique."""
        return respondent_key(self.respondent, self.respondent_id)


def respondent_key(respondent: Respondent, respondent_id: int | None) -> str:
    return str(respondent) if respondent_id is None else f"{respondent}:{respondent_id}"


@dataclass(frozen=True, slots=True)
class GuessDraft:
    """A guess as typed, checked by `check_guess`."""

    time_point: str
    respondent: Respondent
    guess: Guess
    confidence: Confidence | None


def check_guess(
    time_point: str, respondent: str, guess: str, confidence: str, time_points: tuple[str, ...]
) -> GuessDraft:
    """Check a typed guess against the study's time points.

    Args:
        time_points: the visit codes at which the blind is assessed (after each dosing session,
            and the primary endpoint), from the participant's protocol.

    Raises:
        InvalidInput: ``time_point`` not one of them, ``respondent`` or ``guess`` unknown,
            ``confidence`` missing for a guess of an arm or given for "don't know".
    """
    if time_point not in time_points:
        raise InvalidInput(
            "time_point",
            f"{time_point!r} is not a time point of the blinding assessment "
            f"(one of {', '.join(time_points)})",
        )
    try:
        who = Respondent(respondent)
    except ValueError:
        raise InvalidInput(
            "respondent", f"{respondent!r}: one of {', '.join(r.value for r in Respondent)}"
        ) from None
    try:
        answer = Guess(guess)
    except ValueError:
        raise InvalidInput(
            "guess", f"{guess!r}: one of {', '.join(g.value for g in Guess)}"
        ) from None
    sure: Confidence | None = None
    if answer is Guess.DONT_KNOW:
        if confidence.strip():
            raise InvalidInput("confidence", 'no confidence with "don\'t know"')
    else:
        try:
            sure = Confidence(confidence)
        except ValueError:
            raise InvalidInput(
                "confidence",
                f"{confidence!r}: a guess of an arm needs one of "
                f"{', '.join(c.value for c in Confidence)}",
            ) from None
    return GuessDraft(time_point, who, answer, sure)
