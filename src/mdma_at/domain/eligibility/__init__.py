"""Eligibility screening: the intake, the criteria as protocol data, and the verdict.

Service code calls two pure functions: `parse_intake(data)` (raises `InvalidInput`) and
`screen(intake, criteria, medications)` (returns a `ScreeningResult` with `to_dict()`).
"""

from mdma_at.domain.eligibility.criteria import (
    BloodPressureReview,
    ConditionEffect,
    ConditionRule,
    EligibilityCriteria,
    Limit,
    QtcLimits,
    ScreeningVitalsReview,
    SubstanceRules,
    normalise_substance,
)
from mdma_at.domain.eligibility.intake import (
    SCREENING_SEX_ORDER,
    ConditionReport,
    Ecg,
    Intake,
    PtsdAssessment,
    SubstanceUse,
    SudSeverity,
    Vitals,
)
from mdma_at.domain.eligibility.parsing import parse_intake
from mdma_at.domain.eligibility.results import (
    CriterionResult,
    CriterionStatus,
    Decision,
    ScreeningResult,
    decide,
)
from mdma_at.domain.eligibility.screening import screen

__all__ = [
    "SCREENING_SEX_ORDER",
    "BloodPressureReview",
    "ConditionEffect",
    "ConditionReport",
    "ConditionRule",
    "CriterionResult",
    "CriterionStatus",
    "Decision",
    "Ecg",
    "EligibilityCriteria",
    "Intake",
    "Limit",
    "PtsdAssessment",
    "QtcLimits",
    "ScreeningResult",
    "ScreeningVitalsReview",
    "SubstanceRules",
    "SubstanceUse",
    "SudSeverity",
    "Vitals",
    "decide",
    "normalise_substance",
    "parse_intake",
    "screen",
]
