"""Why an MMRM cannot be fitted: one exception class per kind of bad input.

Every error is an `InvalidInput`, so entry points already map it to their bad-input surface
(CLI exit 2, HTTP 422) with `field` naming the offending formula term, column or value.
"""

from __future__ import annotations

from mdma_at.domain.errors import InvalidInput


class MmrmError(InvalidInput):
    """Base of every error the MMRM engine raises on purpose."""


class FormulaSyntaxError(MmrmError):
    """The formula cannot be read (no `~`, no covariance term, or a malformed term)."""


class UnknownCovarianceStructure(MmrmError):
    """The covariance term names a structure the engine does not implement."""


class MissingColumn(MmrmError):
    """The formula (or the weights option) names a column that the data does not have."""


class SingleVisitLevel(MmrmError):
    """The visit factor has fewer than two levels: there is no within-subject covariance."""


class DuplicateVisit(MmrmError):
    """A subject has more than one row for the same visit."""


class NonNumericResponse(MmrmError):
    """The response column holds a value that is neither a number nor missing (NA or empty)."""


class NonFiniteValue(MmrmError):
    """A response, covariate or weight cell is infinite (inf, -inf)."""


class NonNumericCovariate(MmrmError):
    """A column mixes numbers and text: a stray cell such as ``.`` or ``n/a`` in a covariate.

    Never silently a factor: one text cell would turn a numeric covariate into a factor with a
    level per value.
    """


class NumericVisit(MmrmError):
    """The visit (or covariance group) column holds numbers; an MMRM needs it as a factor."""


class NonNumericTime(MmrmError):
    """The time coordinate of a spatial structure (``sp_exp``) is not a number."""


class NonPositiveWeight(MmrmError):
    """An observation weight is zero, negative or missing."""


class RankDeficientDesign(MmrmError):
    """The fixed-effects design matrix does not have full column rank (aliased terms)."""


class UnknownLevel(MmrmError):
    """A reference level or explicit level order names a level that the column does not have."""


class InsufficientData(MmrmError):
    """Too few observations for the number of fixed effects and covariance parameters."""


class FitFailed(MmrmError):
    """The optimiser found no positive-definite covariance with a finite likelihood."""


class InvalidOption(MmrmError):
    """An option outside its allowed values (estimation method, d.f. method, confidence level)."""
