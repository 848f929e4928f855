"""Fit on a standardised response, report on the response's own scale.

A fit must not depend on the units of the response: y -> a + b*y changes the estimates by a and b
and leaves the d.f., the tests and -2 log L (up to (N - p) log b^2) alone. Numerically that only
holds if nothing in the optimiser or in the finite-difference Hessian sees the units, so the
covariance parameters are estimated on (y - centre) / spread and mapped back (issue 11: y x 1e-7
moved Satterthwaite d.f. by 3.6 %, y + 3e7 moved -2 log L by 5).

The centre is subtracted only when the constant lies in the column space of X (an intercept, or a
full set of visit dummies), where it changes nothing but the intercept's estimate.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from mdma_at.analysis.mmrm.design import MmrmData
from mdma_at.analysis.mmrm.errors import FitFailed
from mdma_at.analysis.mmrm.parameters import CovarianceModel

Array = NDArray[np.float64]

#: Beyond this ratio of the largest |response| to its residual spread, fewer than about 8 of the
#: 16 significant digits of a double describe the variation the model fits: the input itself no
#: longer determines -2 log L and the d.f. to 1e-6, so the fit says it cannot be trusted.
MAX_OFFSET_TO_SPREAD = 1e8
#: The Hessian of the variances scales as spread^-4: responses (and their spread) beyond this
#: range would overflow it, so they are refused rather than fitted into inf or nan.
SMALLEST, LARGEST = 1e-60, 1e60


@dataclass(frozen=True)
class ResponseScale:
    """y_standard = (y - centre) / spread."""

    centre: float
    spread: float
    offset_to_spread: float  # max |y| / spread: how many digits the offset eats

    def standardised(self, data: MmrmData) -> MmrmData:
        """A copy of ``data`` with the standardised response (design and weights unchanged)."""
        sqrt_w = np.sqrt(data.weights)
        blocks = [
            dataclasses.replace(block, y=(block.y - self.centre * sqrt_w[block.rows]) / self.spread)
            for block in data.blocks
        ]
        return dataclasses.replace(data, y=(data.y - self.centre) / self.spread, blocks=blocks)

    def natural_units(self, model: CovarianceModel) -> Array:
        """Factor from standardised to original natural covariance parameters (spread^2 or 1)."""
        structure = model.structure
        one_group = np.where(
            np.arange(structure.n_params) < structure.n_variances, self.spread**2, 1.0
        )
        return np.tile(one_group, model.n_groups)

    def minus2_loglik_shift(self, data: MmrmData, reml: bool) -> float:
        """-2 log L(original) - (-2 log L(standardised)) = (N - p [REML]) log spread^2."""
        n = data.n_observations - (data.x.shape[1] if reml else 0)
        return n * 2.0 * math.log(self.spread)

    @property
    def trustworthy(self) -> bool:
        return self.offset_to_spread <= MAX_OFFSET_TO_SPREAD

    def distrust_message(self) -> str:
        return (
            f"the response's largest value is {self.offset_to_spread:.3g} times its residual "
            f"spread (limit {MAX_OFFSET_TO_SPREAD:.0e}): too few significant digits describe its "
            "variation; subtract a constant from the response before fitting"
        )


def response_scale(data: MmrmData) -> ResponseScale:
    """Centre and spread of the response: weighted mean and OLS residual root mean square."""
    column = data.formula.response
    largest = float(np.max(np.abs(data.y))) if data.y.size else 0.0
    if not SMALLEST <= largest <= LARGEST:
        raise FitFailed(
            column,
            f"response values up to {largest:.3g} are outside {SMALLEST:.0e} to {LARGEST:.0e}, "
            "where the fit's second derivatives stay finite doubles; rescale the response",
        )
    w = data.weights
    sqrt_w = np.sqrt(w)
    gamma, *_ = linalg.lstsq(data.x * sqrt_w[:, None], sqrt_w)
    constant_in_design = bool(np.max(np.abs(data.x @ gamma - 1.0)) < 1e-8)
    centre = float(np.sum(w * data.y) / np.sum(w)) if constant_in_design else 0.0
    centred = (data.y - centre) * sqrt_w
    coef, *_ = linalg.lstsq(data.x * sqrt_w[:, None], centred)
    residual = centred - (data.x * sqrt_w[:, None]) @ coef
    dof = max(data.n_observations - data.x.shape[1], 1)
    spread = float(np.linalg.norm(residual)) / math.sqrt(dof)  # norm() scales: no overflow
    if not math.isfinite(spread) or spread <= 0.0:
        raise FitFailed(
            column,
            "the response does not vary around the fixed effects (a constant, or an offset "
            "so large that no digit of its variation is left): there is no covariance to fit",
        )
    if spread < SMALLEST:
        raise FitFailed(
            column,
            f"the response varies by {spread:.3g} around its fit, below {SMALLEST:.0e}, where "
            "the fit's second derivatives overflow; rescale the response",
        )
    return ResponseScale(centre, spread, largest / spread)
