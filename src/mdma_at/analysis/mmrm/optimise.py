"""Find the covariance parameters that maximise the (restricted) likelihood.

Quasi-Newton (BFGS) with the analytic gradient from good starting values (the pairwise empirical
covariance of OLS residuals), then Newton steps on a finite-difference Hessian of the analytic
gradient to polish the optimum well below the reference tolerances (SAS stops at a relative
criterion of 1e-8; we stop when the Newton decrement of -2 log L is below 1e-10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import linalg, optimize

from mdma_at.analysis.mmrm.design import MmrmData
from mdma_at.analysis.mmrm.errors import FitFailed
from mdma_at.analysis.mmrm.likelihood import Evaluation, evaluate, expected_information
from mdma_at.analysis.mmrm.parameters import CovarianceModel

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Optimum:
    """Where the optimiser stopped and why."""

    theta: Array
    evaluation: Evaluation
    hessian: Array | None  # of -2 log L in theta, at `theta` (None if the polish made none)
    converged: bool
    iterations: int
    max_abs_gradient: float
    message: str


class Objective:
    """-2 log L and its gradient as functions of the stacked parameters, with a one-point cache."""

    def __init__(self, data: MmrmData, model: CovarianceModel, reml: bool, natural: bool) -> None:
        self.data, self.model, self.reml, self.natural = data, model, reml, natural
        self.evaluations = 0

    def evaluation(self, params: Array) -> Evaluation | None:
        sigmas = self.model.sigmas_natural(params) if self.natural else self.model.sigmas(params)
        self.evaluations += 1
        return evaluate(self.data, sigmas, reml=self.reml)

    def value_and_gradient(self, params: Array) -> tuple[float, Array]:
        found = self.evaluation(params)
        if found is None or not np.isfinite(found.minus2_loglik):
            return np.inf, np.zeros_like(params)
        jac = self.model.natural_jacobian(params) if self.natural else self.model.jacobian(params)
        assert found.sigma_gradient is not None
        return found.minus2_loglik, np.einsum("gab,jgab->j", found.sigma_gradient, jac)

    def gradient(self, params: Array) -> Array:
        return self.value_and_gradient(params)[1]

    def hessian(self, params: Array, relative_step: float = 1e-4) -> Array:
        """Central differences of the analytic gradient (second order accurate)."""
        n = params.size
        out = np.zeros((n, n))
        for j in range(n):
            step = relative_step * max(1.0, abs(float(params[j])))
            up, down = params.copy(), params.copy()
            up[j] += step
            down[j] -= step
            g_up, g_down = self.gradient(up), self.gradient(down)
            out[:, j] = (g_up - g_down) / (2.0 * step)
        return 0.5 * (out + out.T)


def empirical_covariance(data: MmrmData) -> Array:
    """Pairwise covariance of OLS residuals by visit: the starting point of every structure."""
    sqrt_w = np.sqrt(data.weights)
    beta, *_ = linalg.lstsq(data.x * sqrt_w[:, None], data.y * sqrt_w)
    residual = data.y - data.x @ beta
    cov = data.formula.covariance
    wide = pd.DataFrame(
        {
            "subject": data.frame[cov.subject].to_numpy(),
            "visit": pd.Categorical.from_codes(
                data.visit_index, categories=pd.Index(data.visit_levels)
            ),
            "r": residual,
        }
    ).pivot_table(index="subject", columns="visit", values="r", observed=False, aggfunc="first")
    wide = wide.reindex(columns=data.visit_levels)
    emp = np.array(wide.cov(min_periods=2).to_numpy(dtype=float), copy=True)
    variance = np.nanmean(residual**2) if residual.size else 1.0
    diag = np.diag(emp).copy()
    diag[~np.isfinite(diag) | (diag <= 0)] = variance
    emp[~np.isfinite(emp)] = 0.0
    np.fill_diagonal(emp, diag)
    return emp


def maximise(data: MmrmData, model: CovarianceModel, reml: bool) -> Optimum:
    """Fit the covariance parameters (unconstrained ``theta``).

    Raises:
        FitFailed: no starting point gives a finite likelihood.
    """
    objective = Objective(data, model, reml, natural=False)
    start = np.tile(model.structure.start(empirical_covariance(data)), model.n_groups)
    starts = [start, np.zeros_like(start)]
    best = None
    for theta0 in starts:
        value, _ = objective.value_and_gradient(theta0)
        if not np.isfinite(value):
            continue
        result = optimize.minimize(
            objective.value_and_gradient,
            theta0,
            jac=True,
            method="BFGS",
            options={
                "gtol": 1e-5,
                "maxiter": 2000,
                "hess_inv0": _inverse_curvature(data, model, theta0),
            },
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
        # BFGS often reports "precision loss" at an optimum; the Newton polish finishes the job.
        if best is not None and (best.success or np.max(np.abs(best.jac)) < 1e-2):
            break
    if best is None:
        raise FitFailed(
            "covariance",
            "no covariance parameters give a positive-definite covariance and a finite "
            "likelihood; try a simpler covariance structure",
        )
    theta, iterations, decrement, hessian = _newton_polish(
        objective, np.asarray(best.x, dtype=float)
    )
    found = objective.evaluation(theta)
    if found is None:  # pragma: no cover - polish only accepts finite points
        raise FitFailed("covariance", "the likelihood became infinite at the optimum")
    gradient = objective.gradient(theta)
    max_grad = float(np.max(np.abs(gradient))) if gradient.size else 0.0
    # Converged when one more Newton step would improve -2 log L by less than 1e-6.
    converged = decrement < 1e-6
    message = (
        "converged"
        if converged
        else f"not converged: a Newton step would still lower -2 log L by {decrement:.3g} "
        "(limit 1e-6)"
    )
    return Optimum(theta, found, hessian, converged, int(best.nit) + iterations, max_grad, message)


def _inverse_curvature(data: MmrmData, model: CovarianceModel, theta: Array) -> Array:
    """Inverse expected information at the start: BFGS's first metric (identity if singular)."""
    info = expected_information(data, model.sigmas(theta), model.jacobian(theta))
    try:
        inverse = linalg.inv(info)
    except linalg.LinAlgError:
        return np.eye(theta.size)
    if not np.all(np.isfinite(inverse)) or np.any(np.linalg.eigvalsh(inverse) <= 0):
        return np.eye(theta.size)
    return 0.5 * (inverse + inverse.T)


def _newton_polish(
    objective: Objective, theta: Array, max_steps: int = 8
) -> tuple[Array, int, float, Array | None]:
    """Newton steps with step halving: theta, steps, last Newton decrement, Hessian at theta.

    The decrement g' H^-1 g is the predicted fall of -2 log L from one more step: scale-free,
    unlike the gradient, whose round-off grows with the number of observations.
    """
    value, gradient = objective.value_and_gradient(theta)
    decrement = np.inf
    steps = 0
    hessian_at: tuple[Array, Array] | None = None
    for steps in range(1, max_steps + 1):  # noqa: B007 - the count is returned
        hessian = objective.hessian(theta, relative_step=1e-5)
        hessian_at = (theta, hessian)
        try:
            chol = linalg.cho_factor(hessian)
        except linalg.LinAlgError:
            break
        step = -linalg.cho_solve(chol, gradient)
        decrement = float(-gradient @ step)
        if decrement < 1e-10:
            break
        scale = 1.0
        while scale > 1e-4:
            candidate = theta + scale * step
            new_value, new_gradient = objective.value_and_gradient(candidate)
            if np.isfinite(new_value) and new_value <= value + 1e-12 * max(1.0, abs(value)):
                theta, value, gradient = candidate, new_value, new_gradient
                break
            scale /= 2.0
        else:
            break
    final_hessian = hessian_at[1] if hessian_at is not None and hessian_at[0] is theta else None
    return theta, steps, decrement, final_hessian
