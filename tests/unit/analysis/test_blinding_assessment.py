"""Bang's index per time point and respondent from a study's guesses (issue 16, item 5).

Expected values are computed by hand from Bang, Ni & Davis 2004 (Control Clin Trials 25:143-156),
2x5 weights: strong correct 1, somewhat correct 0.5, don't know 0, somewhat incorrect -0.5, strong
incorrect -1; BI = sum of w_k p_k; SE = sqrt((sum of w_k^2 p_k - BI^2) / n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from mdma_at.analysis.blinding_assessment import blinding_by_time_point


@dataclass(frozen=True)
class Line:
    time_point: str
    respondent: str
    subject: str
    arm: str
    guess: str
    certainty: str | None


LINES = [
    # active arm, participants at es1: strong correct, somewhat correct, don't know, strong wrong
    Line("es1", "participant", "P1", "active", "active", "strong"),
    Line("es1", "participant", "P2", "active", "active", "somewhat"),
    Line("es1", "participant", "P3", "active", "dont_know", None),
    Line("es1", "participant", "P4", "active", "placebo", "strong"),
    # placebo arm: strong correct, somewhat correct
    Line("es1", "participant", "P5", "placebo", "placebo", "strong"),
    Line("es1", "participant", "P6", "placebo", "placebo", "somewhat"),
    # the rater has guessed for the active arm only so far
    Line("es1", "rater", "P1/rater:9", "active", "active", "strong"),
]


def test_the_index_per_arm_matches_the_hand_computation() -> None:
    groups = blinding_by_time_point(LINES, ["es1", "es2", "primary"], "active", "placebo")
    assert [(g.time_point, g.respondent) for g in groups] == [
        ("es1", "participant"),
        ("es1", "rater"),
    ]
    active, placebo = groups[0].arms
    # active: (1 + 0.5 + 0 - 1) / 4 = 0.125; SE = sqrt(((1 + 0.25 + 0 + 1) / 4 - 0.125^2) / 4)
    assert active["arm"] == "active" and active["n"] == 4
    assert active["estimate"] == pytest.approx(0.125)
    assert active["se"] == pytest.approx(math.sqrt((0.5625 - 0.015625) / 4))
    # placebo: (1 + 0.5) / 2 = 0.75; SE = sqrt(((1 + 0.25) / 2 - 0.75^2) / 2) = sqrt(0.03125)
    assert placebo["estimate"] == pytest.approx(0.75)
    assert placebo["se"] == pytest.approx(math.sqrt(0.03125))
    # 95% two-sided Wald interval, z = 1.959964 (standard normal quantile)
    assert placebo["lower"] == pytest.approx(0.75 - 1.959964 * math.sqrt(0.03125), abs=1e-6)
    assert placebo["reading"] == "unblinding"  # lower limit above 0
    assert active["reading"] == "random_guessing"


def test_a_group_without_both_arms_says_so_and_gets_no_index() -> None:
    groups = blinding_by_time_point(LINES, ["es1"], "active", "placebo")
    rater = groups[1]
    assert rater.arms == [] and rater.n == 1
    assert rater.missing == "no guesses from the placebo arm yet"
