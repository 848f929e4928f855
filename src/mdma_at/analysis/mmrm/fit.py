"""`fit_mmrm`: from a DataFrame and an R-style formula to an `MmrmFit`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mdma_at.analysis.mmrm.covariance import make_structure
from mdma_at.analysis.mmrm.design import MmrmData, prepare
from mdma_at.analysis.mmrm.errors import (
    FitFailed,
    InsufficientData,
    InvalidOption,
    MissingColumn,
)
from mdma_at.analysis.mmrm.formula import parse_formula
from mdma_at.analysis.mmrm.inference import Inference
from mdma_at.analysis.mmrm.likelihood import evaluate
from mdma_at.analysis.mmrm.lsmeans import default_arm, default_visit
from mdma_at.analysis.mmrm.optimise import Objective, Optimum, maximise
from mdma_at.analysis.mmrm.parameters import CovarianceModel
from mdma_at.analysis.mmrm.result import MmrmFit
from mdma_at.analysis.mmrm.scaling import response_scale
from mdma_at.analysis.mmrm.threads import single_threaded_blas

METHODS = ("reml", "ml")
DF_METHODS = ("satterthwaite", "kenward-roger", "residual", "between-within")
VCOV_METHODS = ("model", "empirical", "jackknife")
_DF_ALIASES = {"kr": "kenward-roger", "bw": "between-within", "betwithin": "between-within"}
_VCOV_ALIASES = {
    "asymptotic": "model",
    "cr0": "empirical",
    "cr3": "jackknife",
    "empirical-jackknife": "jackknife",
}


def fit_mmrm(
    data: pd.DataFrame,
    formula: str,
    *,
    method: str = "reml",
    df: str | None = None,
    vcov: str = "model",
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
    levels: Mapping[str, Sequence[Any]] | None = None,
    arm: str | None = None,
    visit: str | None = None,
) -> MmrmFit:
    """Fit a mixed model for repeated measures.

    Args:
        data: one row per subject and visit (long format); missing responses (NaN, ``NA`` or
            empty) are left out, the subject's other visits kept.
        formula: ``Y ~ fixed effects + structure(VISIT | SUBJECT)`` or, with one covariance
            per group, ``structure(VISIT | GROUP / SUBJECT)``; structures: us, cs, csh, ar1,
            ar1h, toep, toeph, ad, adh, diag, and ``sp_exp(TIME | SUBJECT)`` whose visit column
            is the numeric time of each visit (spatial exponential, ADR 0037).
        method: ``"reml"`` (default) or ``"ml"``.
        df: denominator d.f.: ``"satterthwaite"`` (the default with the model-based
            covariance), ``"kenward-roger"`` (KR-adjusted covariance and d.f.; REML only),
            ``"residual"`` (N - p for every test) or ``"between-within"`` (SAS ``betwithin``;
            the default with an empirical covariance).
        vcov: covariance of beta used by every SE, test, CI and LS mean: ``"model"``
            (default), ``"empirical"`` (sandwich CR0, SAS ``empirical``) or ``"jackknife"``
            (CR3, mmrm's ``"Empirical-Jackknife"``).
        weights: column of positive observation weights (Sigma_i = W^-1/2 Sigma W^-1/2).
        reference: factor -> reference level (moved first; treatment contrasts against it).
        levels: factor -> full level order (otherwise pandas Categorical order, else natural sort).
        arm: the factor that LS means are computed for (default: see `lsmeans.default_arm`).
        visit: the factor whose levels are the LS-means visits (default: the covariance visit;
            for ``sp_exp`` see `lsmeans.default_visit`).

    Raises:
        MmrmError: one subclass per kind of bad input (see `errors`).

    Returns:
        The fit; ``fit.converged`` is False (with ``fit.convergence['message']``) when the
        optimiser did not meet its criterion, which is an answer, not an exception.
    """
    with single_threaded_blas():
        return _fit(
            data,
            formula,
            method=method,
            df=df,
            vcov=vcov,
            weights=weights,
            reference=reference,
            levels=levels,
            arm=arm,
            visit=visit,
        )


def _natural_hessian(
    data: MmrmData, model: CovarianceModel, optimum: Optimum, reml: bool
) -> NDArray[np.float64]:
    """Hessian of -2 log L in the natural parametrisation, where inference differentiates.

    At the optimum (gradient 0) it is J^-T H_theta J^-1 with J = d phi / d theta, so the
    polish's last Hessian is reused; otherwise it is recomputed by differences in phi.
    """
    theta = optimum.theta
    if optimum.hessian is not None:
        jac = _natural_jacobian(model, theta)
        try:
            inverse = np.linalg.inv(jac)
        except np.linalg.LinAlgError:
            inverse = None
        if inverse is not None and np.all(np.isfinite(inverse)):
            hessian = inverse.T @ optimum.hessian @ inverse
            return 0.5 * (hessian + hessian.T)
    natural = Objective(data, model, reml=reml, natural=True)
    return natural.hessian(model.natural(theta))


def _equilibrated(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
    """D M D with D = diag(|M_jj|^-1/2): the same definiteness, eigenvalues free of units."""
    diag = np.abs(np.diag(matrix))
    unit = 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0))
    return unit[:, None] * matrix * unit[None, :]


def _natural_jacobian(model: CovarianceModel, theta: NDArray[np.float64]) -> NDArray[np.float64]:
    """d phi_i / d theta_j by the complex step (the maps accept complex numbers)."""
    n = theta.size
    out = np.zeros((n, n))
    step = 1e-30
    slices = [
        slice(g * model.structure.n_params, (g + 1) * model.structure.n_params)
        for g in range(model.n_groups)
    ]
    for j in range(n):
        shifted = theta.astype(np.complex128)
        shifted[j] += 1j * step
        out[:, j] = (
            np.concatenate([np.imag(model.structure.natural(shifted[s])) for s in slices]) / step
        )
    return out


def _check_combination(method: str, df_method: str, vcov_method: str) -> None:
    """Refuse the combinations mmrm refuses, with the reason."""
    if df_method == "kenward-roger" and method != "reml":
        raise InvalidOption(
            "df",
            "Kenward-Roger needs REML (its bias correction is for the REML estimate); "
            "use method=reml or another d.f. method",
        )
    if df_method == "kenward-roger" and vcov_method != "model":
        raise InvalidOption(
            "vcov",
            "Kenward-Roger adjusts the model-based covariance of beta; it cannot be combined "
            f"with the {vcov_method} covariance",
        )
    if df_method == "satterthwaite" and vcov_method != "model":
        raise InvalidOption(
            "df",
            "Satterthwaite d.f. are implemented for the model-based covariance; with the "
            f"{vcov_method} covariance use between-within (default) or residual",
        )


def _fit(
    data: pd.DataFrame,
    formula: str,
    *,
    method: str = "reml",
    df: str | None = None,
    vcov: str = "model",
    weights: str | None = None,
    reference: Mapping[str, Any] | None = None,
    levels: Mapping[str, Sequence[Any]] | None = None,
    arm: str | None = None,
    visit: str | None = None,
) -> MmrmFit:
    """Checks the options, fits, and computes the inference (`fit_mmrm` inside BLAS limits)."""
    method = method.lower()
    if method not in METHODS:
        raise InvalidOption("method", f"unknown method {method!r}; use reml or ml")
    vcov_method = vcov.lower().replace("_", "-")
    vcov_method = _VCOV_ALIASES.get(vcov_method, vcov_method)
    if vcov_method not in VCOV_METHODS:
        raise InvalidOption(
            "vcov", f"unknown covariance of beta {vcov!r}; use {', '.join(VCOV_METHODS)}"
        )
    robust = vcov_method != "model"
    if df is None:
        df = "between-within" if robust else "satterthwaite"
    df_method = df.lower().replace("_", "-")
    df_method = _DF_ALIASES.get(df_method, df_method)
    if df_method not in DF_METHODS:
        raise InvalidOption("df", f"unknown d.f. method {df!r}; use {', '.join(DF_METHODS)}")
    _check_combination(method, df_method, vcov_method)
    parsed = parse_formula(formula)
    prepared = prepare(data, parsed, weights=weights, reference=reference, levels=levels)
    if arm is not None and arm not in prepared.factor_levels:
        raise MissingColumn("arm", f"arm factor {arm!r} is not a factor of the formula")
    if (
        visit is not None
        and visit != parsed.covariance.visit
        and (visit not in prepared.factor_levels or visit not in parsed.fixed_columns)
    ):
        raise MissingColumn(
            "visit", f"LS-means visit {visit!r} is not a factor of the fixed effects"
        )
    if visit == parsed.covariance.visit and parsed.covariance.more_coordinates:
        raise InvalidOption(
            "visit", "LS means cannot be given per point of several sp_exp coordinates"
        )
    lsmeans_visit = visit if visit is not None else default_visit(prepared)
    structure = make_structure(
        parsed.covariance.structure, len(prepared.visit_levels), prepared.coordinates
    )
    model = CovarianceModel(structure, prepared.n_groups)
    n_params = len(prepared.column_names)
    if prepared.n_observations - (n_params if method == "reml" else 0) <= model.n_params:
        raise InsufficientData(
            parsed.response,
            f"{prepared.n_observations} observations cannot support {n_params} fixed effects "
            f"and {model.n_params} covariance parameters",
        )
    reml = method == "reml"
    # Estimate on the standardised response so no step size or tolerance sees its units, then
    # map the covariance parameters and their Hessian back (see `scaling`).
    scale = response_scale(prepared)
    standard = scale.standardised(prepared)
    optimum = maximise(standard, model, reml=reml)
    units = scale.natural_units(model)
    phi = model.natural(optimum.theta) * units
    standard_hessian = _natural_hessian(standard, model, optimum, reml)
    hessian = standard_hessian / np.outer(units, units)
    evaluation = evaluate(prepared, model.sigmas_natural(phi), reml=reml, gradient=False)
    if evaluation is None:
        raise FitFailed(
            "covariance", "the fitted covariance is not positive definite on the response's scale"
        )
    minus2_loglik = optimum.evaluation.minus2_loglik + scale.minus2_loglik_shift(prepared, reml)
    hessian_pd = bool(np.all(np.linalg.eigvalsh(_equilibrated(standard_hessian)) > 0))
    inference = Inference(
        prepared,
        model,
        phi,
        evaluation,
        hessian,
        df_method=df_method,
        vcov_method=vcov_method,
    )
    if not scale.trustworthy:  # the root cause when both hold
        message = scale.distrust_message()
    elif not hessian_pd:
        message = (
            "the Hessian of the covariance parameters is not positive definite "
            "(a boundary or unidentified covariance parameter)"
        )
    else:
        message = optimum.message
    convergence = {
        "converged": optimum.converged and hessian_pd and scale.trustworthy,
        "message": message,
        "iterations": optimum.iterations,
        "max_abs_gradient": optimum.max_abs_gradient,
        "hessian_positive_definite": hessian_pd,
    }
    return MmrmFit(
        prepared,
        model,
        phi,
        minus2_loglik,
        inference,
        method=method,
        df_method=df_method,
        arm=arm or default_arm(prepared, lsmeans_visit),
        convergence=convergence,
        visit=lsmeans_visit,
    )
