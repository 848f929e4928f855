"""Trajectories: each instrument's scores over time, with its bands and the change categories.

The chart plots one trajectory per instrument. Every later score is compared with the *first*
score on record (the patient's baseline for that instrument), because the programme's outcomes
are change from baseline [S1][S4]; the change categories are those of the protocol's
`ChangeRule` (CAPS-5 and PCL-5), decided by `classify_change`. Instruments without a change rule
(PHQ-9, GAD-7) show their bands and the difference from baseline only.

The C-SSRS screener has no total: its trajectory plots the risk level (none < low < moderate <
high) on an ordinal scale, one band per level (choice; the brief is silent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from mdma_at.domain.instruments.change import ChangeAssessment, ChangeRule, classify_change
from mdma_at.domain.instruments.definitions import Band, InstrumentDefinition, ScoringMethod
from mdma_at.domain.instruments.library import InstrumentLibrary
from mdma_at.domain.instruments.results import Score
from mdma_at.domain.vocabulary import CssrsRisk

# The C-SSRS risk levels in rising order (the vocabulary lists them so).
RISK_LEVELS = tuple(r.value for r in CssrsRisk)
RISK_BANDS = tuple(Band(level, rank, rank) for rank, level in enumerate(RISK_LEVELS))


@dataclass(frozen=True, slots=True)
class Measurement:
    """One stored administration, as the trajectory reads it.

    Args:
        administration_id: the stored administration.
        on: the day it was completed.
        visit_label: the visit it counts for, or None.
        score: its score (from the stored columns).
    """

    administration_id: int
    on: date
    visit_label: str | None
    score: Score


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """A measurement, its plotted value, and its change from the baseline measurement.

    `value` is the total (or the C-SSRS risk rank 0-3); None when it could not be scored.
    `change` is None for the baseline itself and for instruments without a change rule.
    `delta` is ``value - baseline value`` (negative = fewer symptoms), None when undetermined.
    """

    measurement: Measurement
    value: int | None
    delta: int | None
    change: ChangeAssessment | None


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One instrument over time, oldest first, with the bands to shade and the y-axis range."""

    definition: InstrumentDefinition
    points: tuple[TrajectoryPoint, ...]
    bands: tuple[Band, ...]
    y_max: int
    cutoff: int | None

    @property
    def latest(self) -> TrajectoryPoint:
        return self.points[-1]

    @property
    def is_risk_scale(self) -> bool:
        return self.definition.scoring is ScoringMethod.CSSRS_SCREEN


def plotted_value(definition: InstrumentDefinition, score: Score) -> int | None:
    """The number a trajectory plots: the total, or the C-SSRS risk rank (none 0 ... high 3)."""
    if definition.scoring is ScoringMethod.CSSRS_SCREEN:
        return RISK_LEVELS.index(score.severity) if score.severity in RISK_LEVELS else None
    return score.total


def trajectory(
    definition: InstrumentDefinition,
    measurements: Iterable[Measurement],
    rule: ChangeRule | None,
) -> Trajectory:
    """The trajectory of one instrument.

    Args:
        definition: the instrument.
        measurements: its stored scores, in any order (sorted here by day, then id).
        rule: the protocol's change rule for it, or None.

    Returns:
        The points oldest first; each later point compared with the first one that has a value.
    """
    ordered = sorted(measurements, key=lambda m: (m.on, m.administration_id))
    risk = definition.scoring is ScoringMethod.CSSRS_SCREEN
    baseline: Measurement | None = None
    baseline_value: int | None = None
    points: list[TrajectoryPoint] = []
    for measurement in ordered:
        value = plotted_value(definition, measurement.score)
        if baseline is None or baseline_value is None:
            if value is not None:
                baseline, baseline_value = measurement, value
            points.append(TrajectoryPoint(measurement, value, None, None))
            continue
        delta = None if value is None else value - baseline_value
        change = None
        if rule is not None:
            change = classify_change(baseline.score, measurement.score, rule)
        points.append(TrajectoryPoint(measurement, value, delta, change))
    return Trajectory(
        definition,
        tuple(points),
        RISK_BANDS if risk else definition.bands,
        len(RISK_LEVELS) - 1 if risk else definition.max_total,
        definition.cutoff.value if definition.cutoff else None,
    )


def trajectories(
    library: InstrumentLibrary, measurements: Sequence[tuple[str, Measurement]]
) -> tuple[Trajectory, ...]:
    """One trajectory per instrument with at least one measurement, in the library's order.

    Args:
        library: the protocol's instruments (definitions and change rules).
        measurements: (instrument code, measurement) pairs.
    """
    rules = {str(rule.instrument): rule for rule in library.change_rules}
    result = []
    for definition in library.definitions:
        mine = [m for code, m in measurements if code == definition.code]
        if mine:
            result.append(trajectory(definition, mine, rules.get(str(definition.code))))
    return tuple(result)
