"""Predictions for rows of the data and the empirical (sandwich) covariance of beta."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mdma_at.analysis.mmrm.covariance import SpatialExponential
from mdma_at.analysis.mmrm.errors import UnknownLevel
from mdma_at.analysis.mmrm.robust import between_within_df as robust_between_within
from mdma_at.analysis.mmrm.robust import sandwich

if TYPE_CHECKING:
    from mdma_at.analysis.mmrm.result import MmrmFit

Array = NDArray[np.float64]


def predict(fit: MmrmFit, data: pd.DataFrame, *, conditional: bool = True) -> pd.DataFrame:
    """Predicted response and its standard error for every row of ``data``.

    Conditional predictions (SAS ``outp=``, mmrm ``predict()``) use the subject's observed
    responses in the fit: for a visit without a response, x'beta + Sigma_to Sigma_oo^-1 (y_o -
    X_o beta), with variance Sigma_tt - Sigma_to Sigma_oo^-1 Sigma_ot + h' Phi h, h = x -
    X_o' Sigma_oo^-1 Sigma_ot. A visit with an observed response predicts that response (se 0).
    Marginal predictions are x'beta with variance x' Phi x. Observation weights are not used.
    """
    d = fit.data
    cov = d.formula.covariance
    grid = data.copy().reset_index(drop=True)
    for name, levels in d.factor_levels.items():
        if name in grid and isinstance(d.frame[name].dtype, pd.CategoricalDtype):
            grid[name] = pd.Categorical(grid[name], categories=levels)
    x = np.asarray(d.model_spec.get_model_matrix(grid), dtype=float)
    beta, phi = fit.beta, fit.inference.phi_unadjusted
    marginal = x @ beta
    marginal_var = np.einsum("ij,jk,ik->i", x, phi, x)
    if not conditional:
        return pd.DataFrame({"prediction": marginal, "se": np.sqrt(marginal_var)})
    sigmas = fit.model.sigmas_natural(fit.phi)
    group_of = (
        {str(v): i for i, v in enumerate(d.group_levels)} if d.group_levels is not None else None
    )
    observed = d.frame.assign(_row=np.arange(len(d.frame)))
    by_subject = dict(iter(observed.groupby(cov.subject, observed=True)["_row"]))
    prediction, variance = marginal.copy(), marginal_var.copy()
    for i in range(len(grid)):
        subject = grid[cov.subject].iloc[i]
        target = (
            _point(grid, i, cov.coordinates, cov.visit)
            if cov.spatial
            else d.visit_position(grid[cov.visit].iloc[i])
        )
        group = 0 if group_of is None else group_of[str(grid[cov.group].iloc[i])]
        rows = by_subject.get(subject)
        if rows is None or rows.empty:
            continue
        rows_idx = rows.to_numpy()
        seen = [int(v) for v in d.visit_index[rows_idx]]
        if isinstance(target, int):
            at = seen.index(target) if target in seen else None
            sigma = sigmas[group]
            s_oo, s_ot, s_tt = sigma[np.ix_(seen, seen)], sigma[seen, target], sigma[target, target]
        else:
            at, s_oo, s_ot, s_tt = _spatial_blocks(fit, group, seen, target)
        if at is not None:
            prediction[i] = d.y[rows_idx[at]]
            variance[i] = 0.0
            continue
        k = np.linalg.solve(s_oo, s_ot)
        x_o = d.x[rows_idx]
        prediction[i] = marginal[i] + k @ (d.y[rows_idx] - x_o @ beta)
        h = x[i] - x_o.T @ k
        variance[i] = s_tt - s_ot @ k + h @ phi @ h
    return pd.DataFrame({"prediction": prediction, "se": np.sqrt(np.maximum(variance, 0.0))})


def _point(grid: pd.DataFrame, i: int, columns: tuple[str, ...], visit: str) -> Array:
    """The sp_exp coordinates of row i of a prediction grid (any time, seen or not)."""
    try:
        point = np.asarray([float(grid[c].iloc[i]) for c in columns], dtype=float)
    except (TypeError, ValueError):
        point = np.full(len(columns), np.nan)
    if not np.all(np.isfinite(point)):
        raise UnknownLevel(
            f"{visit}[{i}]", "a prediction needs a finite number for each sp_exp coordinate"
        )
    return point


def _spatial_blocks(
    fit: MmrmFit, group: int, seen: list[int], point: Array
) -> tuple[int | None, Array, Array, float]:
    """sp_exp: Sigma between the subject's seen times and ``point``, which may be a time the
    fit never saw (the structure is defined at every time); ``at`` if ``point`` was seen."""
    d = fit.data
    assert d.coordinates is not None  # spatial fits carry their coordinates
    seen_points = d.coordinates[seen]
    same = np.flatnonzero(np.all(seen_points == point, axis=1))
    points = np.vstack([seen_points, point])
    n = fit.model.structure.n_params
    sigma = SpatialExponential(len(points), points).sigma_natural(
        fit.phi[group * n : (group + 1) * n]
    )
    k = len(seen)
    at = int(same[0]) if same.size else None
    real = np.asarray(sigma.real, dtype=np.float64)
    return at, real[:k, :k], real[:k, k], float(real[k, k])


def empirical_vcov(fit: MmrmFit, *, jackknife: bool = False) -> Array:
    """Sandwich covariance of beta: CR0 (SAS ``empirical``) or the jackknife CR3 (see `robust`)."""
    sigmas = fit.model.sigmas_natural(fit.phi)
    bread = fit.inference.phi_unadjusted
    return sandwich(fit.data, sigmas, fit.beta, bread, jackknife=jackknife)


def between_within_df(fit: MmrmFit) -> pd.Series:
    """SAS's ``ddfm=betwithin`` d.f. per coefficient (see `robust.between_within_df`)."""
    d = fit.data
    return pd.Series(robust_between_within(d), index=d.column_names, name="df")
