"""Bang's blinding index per arm (Bang, Ni & Davis 2004, Control Clin Trials 25:143–156).

Each participant (or rater) guesses the arm: the treatment arm, the control arm, or "don't know";
optionally with a certainty, "strong" or "somewhat" (the 2×5 format). Per arm, with n answers of
which p_c are correct, p_i incorrect and p_dk "don't know" (shares of n):

    BI = (2 · p_c / (p_c + p_i) - 1) · (p_c + p_i) = p_c - p_i

i.e. Bang's index: the excess of correct over incorrect guesses among all answers. "Don't know" is
kept in the denominator and weighs 0 (Bang 2004): it pulls the index toward 0. With certainty, each
answer weighs w (default: strong correct 1, somewhat correct 0.5, don't know 0, somewhat incorrect
-0.5, strong incorrect -1) and BI = Σ w_k p_k. Standard error (multinomial, per arm):

    SE = sqrt((Σ w_k² p_k - BI²) / n)

which for the 2×3 table is sqrt((p_c(1 - p_c) + p_i(1 - p_i) + 2 p_c p_i) / n), the formula of
Bang 2004 and of R's BI package. The interval is Wald: BI ± z · SE (two-sided by default; Bang
prefers one-sided, so `alternative` offers "greater" and "less").

Reading: BI runs from -1 to 1. 1 = every answer correct (complete unblinding); 0 = as many correct
as incorrect guesses (random guessing, consistent with blinding); -1 = every answer incorrect
(opposite guessing, e.g. wishful thinking in a placebo arm). We grade by the interval: lower limit
> 0 means more correct guesses than chance; upper limit < 0 means opposite guessing; otherwise the
data are consistent with random guessing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd
from scipy import stats

from mdma_at.analysis.table_errors import (
    TableInputError,
    require_columns,
    require_frame,
    require_known_arms,
    require_no_missing,
    show,
)

TABLE = "guesses"
COLUMNS = ("subject", "arm", "guess")
DONT_KNOW = "dont_know"


class Answer(StrEnum):
    """An answer graded against the participant's true arm."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    DONT_KNOW = "dont_know"
    STRONG_CORRECT = "strong_correct"
    SOMEWHAT_CORRECT = "somewhat_correct"
    SOMEWHAT_INCORRECT = "somewhat_incorrect"
    STRONG_INCORRECT = "strong_incorrect"


class Certainty(StrEnum):
    STRONG = "strong"
    SOMEWHAT = "somewhat"


class Reading(StrEnum):
    """What the index and its interval say about one arm."""

    UNBLINDING = "unblinding"  # lower limit > 0
    RANDOM_GUESSING = "random_guessing"  # interval covers 0
    OPPOSITE_GUESSING = "opposite_guessing"  # upper limit < 0
    NO_GUESSES = "no_guesses"  # every answer "don't know": the index is undefined


class Alternative(StrEnum):
    TWO_SIDED = "two-sided"
    GREATER = "greater"  # one-sided: lower limit only (upper fixed at 1)
    LESS = "less"  # one-sided: upper limit only (lower fixed at -1)


# Bang 2004's 2×3 weights; the 2×5 weights give half weight to a "somewhat" guess.
WEIGHTS_2X3: Mapping[Answer, float] = {Answer.CORRECT: 1.0, Answer.INCORRECT: -1.0}
WEIGHTS_2X5: Mapping[Answer, float] = {
    Answer.STRONG_CORRECT: 1.0,
    Answer.SOMEWHAT_CORRECT: 0.5,
    Answer.SOMEWHAT_INCORRECT: -0.5,
    Answer.STRONG_INCORRECT: -1.0,
}


@dataclass(frozen=True, slots=True)
class BangIndex:
    """Bang's blinding index of one arm.

    Attributes:
        estimate: BI in [-1, 1]; NaN when every answer was "don't know".
        se: its standard error.
        lower: lower confidence limit (-1 for a one-sided "less" interval).
        upper: upper confidence limit (1 for a one-sided "greater" interval).
        n: answers in the arm, "don't know" included.
        counts: answers by `Answer`.
        level: confidence level.
        alternative: "two-sided", "greater" or "less".
        reading: the grade of the interval (see the module docstring).
    """

    estimate: float
    se: float
    lower: float
    upper: float
    n: int
    counts: Mapping[str, int]
    level: float
    alternative: str
    reading: Reading

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (NaN as None)."""
        return {
            "estimate": _none_if_nan(self.estimate),
            "se": _none_if_nan(self.se),
            "lower": _none_if_nan(self.lower),
            "upper": _none_if_nan(self.upper),
            "n": self.n,
            "counts": dict(self.counts),
            "level": self.level,
            "alternative": self.alternative,
            "reading": str(self.reading),
        }


def bang_index(
    correct: int,
    incorrect: int,
    dont_know: int,
    level: float = 0.95,
    alternative: Alternative | str = Alternative.TWO_SIDED,
) -> BangIndex:
    """Bang's index for one arm from its 2×3 counts.

    Args:
        correct: answers naming the participant's true arm.
        incorrect: answers naming the other arm.
        dont_know: "don't know" answers (in the denominator, weight 0).
        level: confidence level.
        alternative: "two-sided" (default), "greater" or "less".

    Raises:
        TableInputError: a negative or non-whole count, no answers at all, a bad level.
    """
    return weighted_bang_index(
        {Answer.CORRECT: correct, Answer.INCORRECT: incorrect, Answer.DONT_KNOW: dont_know},
        WEIGHTS_2X3,
        level,
        alternative,
    )


def weighted_bang_index(
    counts: Mapping[Answer, int],
    weights: Mapping[Answer, float] = WEIGHTS_2X5,
    level: float = 0.95,
    alternative: Alternative | str = Alternative.TWO_SIDED,
) -> BangIndex:
    """Bang's index for one arm from counts by answer and their weights (2×3 or 2×5).

    Answers missing from `weights` weigh 0 ("don't know"). Weights must lie in [-1, 1].

    Raises:
        TableInputError: a negative or non-whole count, no answers, a weight outside [-1, 1],
            a bad level or alternative.
    """
    side = _alternative(alternative)
    if not 0 < level < 1:
        raise TableInputError(
            "level", f"confidence level must be between 0 and 1, got {show(level)}"
        )
    for answer, weight in weights.items():
        if not -1 <= weight <= 1:
            raise TableInputError(f"weights.{answer}", f"weight {weight} is outside [-1, 1]")
    for answer, count in counts.items():
        if isinstance(count, bool) or not float(count).is_integer():
            raise TableInputError(f"counts.{answer}", f"expected a whole number, got {show(count)}")
        if count < 0:
            raise TableInputError(f"counts.{answer}", f"negative count {count}")
    n = int(sum(counts.values()))
    if n == 0:
        raise TableInputError("counts", "no answers in the arm: the index needs n >= 1")
    shares = {answer: count / n for answer, count in counts.items()}
    guessed = sum(share for answer, share in shares.items() if weights.get(answer, 0.0) != 0)
    if guessed == 0:
        nan = math.nan
        clean = {str(a): int(c) for a, c in counts.items()}
        return BangIndex(nan, nan, nan, nan, n, clean, level, str(side), Reading.NO_GUESSES)
    estimate = sum(weights.get(answer, 0.0) * share for answer, share in shares.items())
    second_moment = sum(weights.get(answer, 0.0) ** 2 * share for answer, share in shares.items())
    se = math.sqrt(max(second_moment - estimate**2, 0.0) / n)
    if side is Alternative.TWO_SIDED:
        z = float(stats.norm.isf((1 - level) / 2))
        lower, upper = estimate - z * se, estimate + z * se
    elif side is Alternative.GREATER:
        lower, upper = estimate - float(stats.norm.isf(1 - level)) * se, 1.0
    else:
        lower, upper = -1.0, estimate + float(stats.norm.isf(1 - level)) * se
    if lower > 0:
        reading = Reading.UNBLINDING
    elif upper < 0:
        reading = Reading.OPPOSITE_GUESSING
    else:
        reading = Reading.RANDOM_GUESSING
    clean_counts = {str(a): int(c) for a, c in counts.items()}
    return BangIndex(estimate, se, lower, upper, n, clean_counts, level, str(side), reading)


def grade_answers(data: pd.DataFrame, treatment: str, control: str) -> pd.Series:
    """Grade each answer against the participant's true arm (a `Answer` per row).

    Args:
        data: one row per participant: ``subject, arm, guess`` with guess in {treatment, control,
            "dont_know"}; optionally ``certainty`` ("strong"/"somewhat", required for a guess of
            an arm, ignored for "dont_know") for the 2×5 format.
        treatment: label of the active arm.
        control: label of the control arm.

    Raises:
        TableInputError: missing column, unknown arm or guess, duplicate subject, a missing or
            unknown certainty in the 2×5 format.
    """
    frame = _checked(data, treatment, control)
    correct = frame["guess"] == frame["arm"]
    dont_know = frame["guess"] == DONT_KNOW
    if "certainty" not in frame.columns:
        two_way = correct.map({True: Answer.CORRECT, False: Answer.INCORRECT})
        return two_way.where(~dont_know, Answer.DONT_KNOW)
    certainty = frame["certainty"]
    known = {str(c) for c in Certainty}
    bad = frame.loc[~dont_know & ~certainty.isin(known), "certainty"]
    if not bad.empty:
        raise TableInputError(
            f"{TABLE}.certainty",
            f"certainty {show(bad.iloc[0])} for subject "
            f"{show(frame.loc[bad.index[0], 'subject'])}; "
            f"expected 'strong' or 'somewhat' for a guess of an arm",
        )
    strong = certainty == Certainty.STRONG
    graded = pd.Series(Answer.DONT_KNOW, index=frame.index, dtype=object)
    graded[correct & strong] = Answer.STRONG_CORRECT
    graded[correct & ~strong] = Answer.SOMEWHAT_CORRECT
    graded[~correct & ~dont_know & strong] = Answer.STRONG_INCORRECT
    graded[~correct & ~dont_know & ~strong] = Answer.SOMEWHAT_INCORRECT
    return graded


def guess_table(data: pd.DataFrame, treatment: str, control: str) -> pd.DataFrame:
    """The arm × guess count table (2×3, or 2×5 with a ``certainty`` column).

    Returns:
        One row per arm (treatment first); columns: each guess (treatment, control, "dont_know"),
        or with certainty ``strong_<arm>``, ``somewhat_<arm>`` for both arms and ``dont_know``;
        and ``n``.
    """
    frame = _checked(data, treatment, control)
    if "certainty" in frame.columns:
        _ = grade_answers(frame, treatment, control)  # validates certainty
        labels = frame["guess"].where(
            frame["guess"] == DONT_KNOW, frame["certainty"].astype(str) + "_" + frame["guess"]
        )
        columns = [f"{c}_{arm}" for arm in (treatment, control) for c in Certainty] + [DONT_KNOW]
    else:
        labels = frame["guess"]
        columns = [treatment, control, DONT_KNOW]
    table = pd.crosstab(frame["arm"], labels).reindex(
        index=[treatment, control], columns=columns, fill_value=0
    )
    table = table.fillna(0).astype(int)
    table["n"] = table.sum(axis=1)
    table.index.name, table.columns.name = "arm", None
    return table


def blinding_table(
    data: pd.DataFrame,
    treatment: str,
    control: str,
    level: float = 0.95,
    alternative: Alternative | str = Alternative.TWO_SIDED,
    weights: Mapping[Answer, float] | None = None,
) -> pd.DataFrame:
    """Bang's blinding index per arm, from one answer per participant.

    Args:
        data: see `grade_answers`.
        treatment: label of the active arm.
        control: label of the control arm.
        level: confidence level.
        alternative: "two-sided" (default), "greater" or "less".
        weights: answer weights; default Bang's 2×3 weights (correct 1, incorrect -1), or the
            2×5 weights when ``data`` has a ``certainty`` column.

    Returns:
        One row per arm (treatment first): ``arm, n``, the answer counts, ``dont_know_share``,
        ``estimate, se, lower, upper, level, alternative, reading``.

    Raises:
        TableInputError: as `grade_answers`; an arm with no answers.
    """
    graded = grade_answers(data, treatment, control)
    frame = require_frame(data, TABLE)
    five = "certainty" in frame.columns
    chosen = weights if weights is not None else (WEIGHTS_2X5 if five else WEIGHTS_2X3)
    answers = (
        [a for a in Answer if a not in (Answer.CORRECT, Answer.INCORRECT)]
        if five
        else [Answer.CORRECT, Answer.INCORRECT, Answer.DONT_KNOW]
    )
    rows = []
    for arm in (treatment, control):
        in_arm = graded[frame["arm"] == arm]
        if in_arm.empty:
            raise TableInputError(f"{TABLE}.arm", f"no answers from arm {show(arm)}")
        counts = {a: int((in_arm == a).sum()) for a in answers}
        index = weighted_bang_index(counts, chosen, level, alternative)
        row: dict[str, Any] = {"arm": arm, "n": index.n}
        row |= {str(a): c for a, c in counts.items()}
        row["dont_know_share"] = counts[Answer.DONT_KNOW] / index.n
        row |= {
            "estimate": index.estimate,
            "se": index.se,
            "lower": index.lower,
            "upper": index.upper,
            "level": level,
            "alternative": index.alternative,
            "reading": str(index.reading),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def blinding_table_to_dict(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `blinding_table` as plain dicts for JSON (NaN as None)."""
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records", double_precision=15))
    return records


def _checked(data: pd.DataFrame, treatment: str, control: str) -> pd.DataFrame:
    frame = require_frame(data, TABLE)
    require_columns(frame, TABLE, COLUMNS)
    require_no_missing(frame, TABLE, COLUMNS)
    if treatment == control:
        raise TableInputError(
            "control", f"control arm must differ from treatment {show(treatment)}"
        )
    if DONT_KNOW in (treatment, control):
        raise TableInputError(
            "treatment", f"{show(DONT_KNOW)} is the don't-know answer, not an arm"
        )
    require_known_arms(frame, TABLE, (treatment, control))
    unknown = sorted({str(g) for g in frame["guess"]} - {treatment, control, DONT_KNOW})
    if unknown:
        raise TableInputError(
            f"{TABLE}.guess",
            f"unknown guess(es) {', '.join(show(g) for g in unknown)}; "
            f"expected {show(treatment)}, {show(control)} or {show(DONT_KNOW)}",
        )
    duplicated = frame["subject"].duplicated()
    if duplicated.any():
        raise TableInputError(
            f"{TABLE}.subject",
            f"subject {show(frame.loc[duplicated, 'subject'].iloc[0])} answered more than once",
        )
    return frame


def _alternative(alternative: Alternative | str) -> Alternative:
    try:
        return Alternative(alternative)
    except ValueError:
        raise TableInputError(
            "alternative",
            f"unknown alternative {show(alternative)}; expected 'two-sided', 'greater' or 'less'",
        ) from None


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value
