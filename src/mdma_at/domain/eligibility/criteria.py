"""The shape of a protocol's eligibility criteria: thresholds, condition table and sources.

A protocol supplies one `EligibilityCriteria` value (e.g. `mdma_at.protocols.mapp_v1.eligibility`);
`screening.screen` applies it. Every limit carries the `Source` it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.eligibility.labs import LabPanel
from mdma_at.domain.sources import Source


@dataclass(frozen=True, slots=True)
class Limit:
    """A numeric limit and where it comes from. The direction is stated where it is used."""

    value: int
    source: Source


class ConditionEffect(StrEnum):
    """What a recorded condition does to the verdict."""

    #: Exclusion: the criterion is `not_met`.
    EXCLUDES = "excludes"
    #: The physician decides: `needs_review`.
    NEEDS_REVIEW = "needs_review"
    #: Hypertension: `met` with a note when controlled, `not_met` when not, `needs_review` when
    #: control is not recorded.
    EXCLUDES_WHEN_UNCONTROLLED = "excludes_when_uncontrolled"
    #: Allowed when well managed and mild: `met`, with a note for the physician.
    ALLOWED_WITH_NOTE = "allowed_with_note"


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """One row of the condition code table.

    Args:
        code: the intake code (snake_case), also the criterion id.
        snomed_ct: the SNOMED CT concept id the code maps to.
        display: the clinic's name for the condition, used in reasons.
        effect: one of `ConditionEffect`.
        source: where the rule comes from.
    """

    code: str
    snomed_ct: str
    display: str
    effect: ConditionEffect
    source: Source


@dataclass(frozen=True, slots=True)
class QtcLimits:
    """Upper QTc limits in ms by sex; a QTc strictly above the limit excludes (> limit)."""

    male: int
    female: int
    #: Any sex other than male or female: the stricter limit.
    other: int
    source: Source


@dataclass(frozen=True, slots=True)
class BloodPressureReview:
    """The screening blood pressure, measured today (mmHg).

    A reading ≥ `exclude_systolic` or ≥ `exclude_diastolic` is not met: not eligible today,
    whatever the history says (a hypertension recorded as controlled is contradicted by the
    reading). Below that, a reading ≥ `systolic` or ≥ `diastolic` needs the physician's review.
    """

    systolic: int
    diastolic: int
    source: Source
    exclude_systolic: int
    exclude_diastolic: int
    exclude_source: Source


@dataclass(frozen=True, slots=True)
class ScreeningVitalsReview:
    """Screening heart rate and temperature that need a re-check before a verdict.

    A heart rate > `heart_rate_above` (beats/min) or a temperature ≥ `temperature_at_or_above`
    (°C) needs review: the physician re-checks (at rest, without fever) and decides.
    """

    heart_rate_above: int
    heart_rate_source: Source
    temperature_at_or_above: float
    temperature_source: Source


def normalise_substance(name: str) -> str:
    """The key a substance name is matched by: case-folded, single-spaced, trimmed."""
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(frozen=True, slots=True)
class SubstanceRules:
    """Substance use disorder rules. Every entry's severity and remission are read.

    Args:
        graded_substances: substances judged by severity and remission (alcohol, cannabis):
            moderate or severe not in remission excludes; severe in early remission excludes;
            severe in sustained remission needs review; mild, or moderate in remission, is met.
        aliases: other names, matched case-insensitively (``THC`` → ``cannabis``,
            ``tobacco`` → ``nicotine``).
        graded_source: where the graded rule comes from.
        sustained_remission_source: why severe in sustained remission goes to the physician and
            how sustained remission is read from the intake.
        lookback_days: any other substance use disorder excludes when the last use is within this
            many days before the screening date (days ≤ lookback_days excludes); the same window
            separates early from sustained remission (sustained: days > lookback_days).
        lookback_source: where the look-back rule comes from.
        never_excludes: substances whose use disorder never excludes (nicotine): met with a note.
        never_excludes_source: why.
    """

    graded_substances: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]
    graded_source: Source
    sustained_remission_source: Source
    lookback_days: int
    lookback_source: Source
    never_excludes: tuple[str, ...]
    never_excludes_source: Source

    def __post_init__(self) -> None:
        keys = [normalise_substance(alias) for alias, _ in self.aliases]
        duplicates = {key for key in keys if keys.count(key) > 1}
        if duplicates:
            raise ValueError(f"substance aliases listed twice: {sorted(duplicates)}")

    def canonical(self, substance: str) -> str:
        """The substance a name stands for (``"THC"`` → ``"cannabis"``), else the name itself,
        normalised."""
        key = normalise_substance(substance)
        for alias, canonical in self.aliases:
            if normalise_substance(alias) == key:
                return canonical
        return key


@dataclass(frozen=True, slots=True)
class EligibilityCriteria:
    """Everything the eligibility engine needs from a protocol.

    Directions: age, CAPS-5 total and PTSD duration are minimums (value ≥ limit is met); weight is
    a minimum for review (below it needs review); QTc is a maximum (value > limit is not met).
    """

    minimum_age_years: Limit
    ptsd_diagnosis: Source
    minimum_caps5_total: Limit
    minimum_ptsd_duration_months: Limit
    minimum_weight_kg: Limit
    conditions: tuple[ConditionRule, ...]
    unknown_condition: Source
    substances: SubstanceRules
    suicide_risk: Source
    blood_pressure: BloodPressureReview
    vitals: ScreeningVitalsReview
    qtc: QtcLimits
    pregnancy: Source
    breastfeeding: Source
    pregnancy_test: Source
    unknown_medication: Source
    #: The screening laboratory panel with reference ranges (ADR 0135).
    labs: LabPanel

    def __post_init__(self) -> None:
        codes = [rule.code for rule in self.conditions]
        duplicates = {code for code in codes if codes.count(code) > 1}
        if duplicates:
            raise ValueError(f"duplicate condition codes: {sorted(duplicates)}")

    def condition(self, code: str) -> ConditionRule | None:
        """The rule for a condition code, or None when the code is unknown."""
        for rule in self.conditions:
            if rule.code == code:
                return rule
        return None
