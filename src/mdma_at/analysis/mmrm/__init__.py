"""Mixed models for repeated measures (MMRM), validated against R's mmrm and SAS PROC MIXED.

>>> fit = fit_mmrm(data, "FEV1 ~ RACE + ARMCD*AVISIT + us(AVISIT | USUBJID)")  # doctest: +SKIP
>>> fit.lsmean_contrast("VIS4", "TRT", "PBO")  # doctest: +SKIP

See docs/analysis/mmrm.md for the model, the conventions and the agreement with the references.
"""

from mdma_at.analysis.mmrm.errors import (
    DuplicateVisit,
    FitFailed,
    FormulaSyntaxError,
    InsufficientData,
    InvalidOption,
    MissingColumn,
    MmrmError,
    NonFiniteValue,
    NonNumericCovariate,
    NonNumericResponse,
    NonNumericTime,
    NonPositiveWeight,
    NumericVisit,
    RankDeficientDesign,
    SingleVisitLevel,
    UnknownCovarianceStructure,
    UnknownLevel,
)
from mdma_at.analysis.mmrm.fit import fit_mmrm
from mdma_at.analysis.mmrm.formula import COVARIANCE_STRUCTURES, parse_formula
from mdma_at.analysis.mmrm.result import Covariance, MmrmFit

__all__ = [
    "COVARIANCE_STRUCTURES",
    "Covariance",
    "DuplicateVisit",
    "FitFailed",
    "FormulaSyntaxError",
    "InsufficientData",
    "InvalidOption",
    "MissingColumn",
    "MmrmError",
    "MmrmFit",
    "NonFiniteValue",
    "NonNumericCovariate",
    "NonNumericResponse",
    "NonNumericTime",
    "NonPositiveWeight",
    "NumericVisit",
    "RankDeficientDesign",
    "SingleVisitLevel",
    "UnknownCovarianceStructure",
    "UnknownLevel",
    "fit_mmrm",
    "parse_formula",
]
