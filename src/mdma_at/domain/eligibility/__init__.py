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
from mdma_at.domain.eligibility.ecg import QtCorrection, corrected_qt
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
from mdma_at.domain.eligibility.labs import Analyte, DrugScreen, LabPanel, LabResults
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
    "Analyte",
    "BloodPressureReview",
    "ConditionEffect",
    "ConditionReport",
    "ConditionRule",
    "CriterionResult",
    "CriterionStatus",
    "Decision",
    "DrugScreen",
    "Ecg",
    "EligibilityCriteria",
    "Intake",
    "LabPanel",
    "LabResults",
    "Limit",
    "PtsdAssessment",
    "QtCorrection",
    "QtcLimits",
    "ScreeningResult",
    "ScreeningVitalsReview",
    "SubstanceRules",
    "SubstanceUse",
    "SudSeverity",
    "Vitals",
    "corrected_qt",
    "decide",
    "normalise_substance",
    "parse_intake",
    "screen",
]
