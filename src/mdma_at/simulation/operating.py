"""Operating characteristics of the design (issue 19, item 4): simulate whole datasets from the
calibration directly (no services, no database) and run the primary analysis on each.

A replicate draws `participants` participants, allocates them 1:1 in permuted blocks of 2 and 4
(as the study's sealed schedule does), takes each one's CAPS-5 course for that arm
(`cohort.draw_course`: the same draws as the full simulation) with visits after a dropout
missing, and fits the MMRM of `readback.primary_analysis`. The rejection rate at two-sided
α = 0.05 is the power (or, with `effect` 0, the type-I error), with its Wilson 95% interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mdma_at.analysis.intervals import wilson_interval
from mdma_at.simulation.calibration import ARMS, Calibration, load
from mdma_at.simulation.cohort import ANALYSED_VISITS, DROPOUT_AFTER, draw_course
from mdma_at.simulation.readback import BASELINE, primary_analysis

ALPHA = 0.05  # two-sided, as MAPP1/MAPP2's primary analyses


@dataclass(frozen=True, slots=True)
class OperatingCharacteristics:
    replicates: int
    rejections: int
    effect: float
    participants: int
    mean_difference: float

    @property
    def rate(self) -> float:
        return self.rejections / self.replicates

    def as_dict(self) -> dict[str, Any]:
        interval = wilson_interval(self.rejections, self.replicates)
        kind = "power" if self.effect else "type_i_error"
        return {
            "replicates": self.replicates,
            "participants": self.participants,
            "effect": self.effect,
            "alpha": ALPHA,
            "measure": kind,
            "rejections": self.rejections,
            "rate": self.rate,
            "ci_low": interval.lower,
            "ci_high": interval.upper,
            "mean_difference": self.mean_difference,
        }


def _allocation(rng: np.random.Generator, n: int) -> list[str]:
    arms: list[str] = []
    while len(arms) < n:
        size = int(rng.choice((2, 4)))
        block = [ARMS[0], ARMS[1]] * (size // 2)
        rng.shuffle(block)
        arms.extend(block)
    return arms[:n]


def simulated_table(rng: np.random.Generator, participants: int, effect: float,
                    cal: Calibration) -> pd.DataFrame:  # fmt: skip
    """One replicate's efficacy table (``subject, arm, visit, value``)."""
    # visits rated before a non-completer leaves: after a dosing session, not the assessment
    # that follows it (the journey withdraws them two days after the visit, ADR 0212)
    rated_before = {"es1": 0, "assess1": 1, "es2": 1, "assess2": 2, "es3": 2, "assess3": 3}
    assert set(rated_before) == set(DROPOUT_AFTER)
    rows = []
    for subject, arm in enumerate(_allocation(rng, participants)):
        course = draw_course(rng, cal, arm, effect)
        rows.append((subject, arm, BASELINE, float(course.baseline)))
        kept = len(ANALYSED_VISITS)
        if course.dropout_after is not None:
            kept = rated_before[course.dropout_after]
        for index, visit in enumerate(ANALYSED_VISITS):
            value = float(course.scores[visit]) if index < kept else np.nan
            rows.append((subject, arm, visit, value))
    return pd.DataFrame(rows, columns=["subject", "arm", "visit", "value"])


def operating_characteristics(
    replicates: int,
    participants: int,
    seed: int,
    effect: float = 1.0,
    progress: Callable[[int], None] | None = None,
) -> OperatingCharacteristics:
    """Simulate `replicates` trials and count the rejections of the null hypothesis."""
    cal = load()
    root = np.random.SeedSequence(seed)
    rejections = 0
    differences = []
    for child in root.spawn(replicates):
        result = primary_analysis(simulated_table(np.random.default_rng(child), participants,
                                                  effect, cal))  # fmt: skip
        rejections += int(result.difference["p"] < ALPHA)
        differences.append(result.difference["estimate"])
        if progress is not None:
            progress(1)
    return OperatingCharacteristics(
        replicates, rejections, effect, participants, float(np.mean(differences))
    )
