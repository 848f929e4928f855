"""Predictions for rows of the data and the empirical (sandwich) covariance of beta."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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
    visits = {str(v): i for i, v in enumerate(d.visit_levels)}
    sigmas = fit.model.sigmas_natural(fit.phi)
    group_of = (
        {str(v): i for i, v in enumerate(d.group_levels)} if d.group_levels is not None else None
    )
    observed = d.frame.assign(_row=np.arange(len(d.frame)))
    by_subject = dict(iter(observed.groupby(cov.subject, observed=True)["_row"]))
    prediction, variance = marginal.copy(), marginal_var.copy()
    for i in range(len(grid)):
        subject = grid[cov.subject].iloc[i]
        target = visits[str(grid[cov.visit].iloc[i])]
        group = 0 if group_of is None else group_of[str(grid[cov.group].iloc[i])]
        rows = by_subject.get(subject)
        if rows is None or rows.empty:
            continue
        rows_idx = rows.to_numpy()
        seen = [visits[str(v)] for v in d.frame[cov.visit].iloc[rows_idx]]
        if target in seen:
            prediction[i] = d.y[rows_idx[seen.index(target)]]
            variance[i] = 0.0
            continue
        sigma = sigmas[group]
        s_oo = sigma[np.ix_(seen, seen)]
        s_ot = sigma[seen, target]
        k = np.linalg.solve(s_oo, s_ot)
        x_o = d.x[rows_idx]
        prediction[i] = marginal[i] + k @ (d.y[rows_idx] - x_o @ beta)
        h = x[i] - x_o.T @ k
        variance[i] = sigma[target, target] - s_ot @ k + h @ phi @ h
    return pd.DataFrame({"prediction": prediction, "se": np.sqrt(np.maximum(variance, 0.0))})


def empirical_vcov(fit: MmrmFit) -> Array:
    """Sandwich covariance of beta (SAS ``empirical``, no small-sample correction).

    Phi (sum_i X_i' Sigma_i^-1 r_i r_i' Sigma_i^-1 X_i) Phi, summed per pattern block.
    """
    d = fit.data
    sigmas = fit.model.sigmas_natural(fit.phi)
    p = len(fit.beta)
    meat = np.zeros((p, p))
    for block in d.blocks:
        precision = np.linalg.inv(sigmas[block.group][np.ix_(block.visits, block.visits)])
        residual = block.y - block.x @ fit.beta  # (k, m), weights already applied
        scores = np.einsum("kmp,km->mp", block.x, precision @ residual)
        meat += scores.T @ scores
    phi = fit.inference.phi_unadjusted
    return phi @ meat @ phi  # type: ignore[no-any-return]


def between_within_df(fit: MmrmFit) -> pd.Series:
    """SAS's ``ddfm=betwithin`` d.f. per coefficient (its default with ``empirical``).

    The residual d.f. N - rank(X) are split: a coefficient whose column is constant within
    every subject (intercept, arm, baseline) gets S - rank(X_between), S = subjects with a
    response; every other coefficient gets the rest, N - rank(X) - (S - rank(X_between)).
    """
    d = fit.data
    subjects = d.frame[d.formula.covariance.subject].to_numpy()
    codes, _ = pd.factorize(subjects)
    between = []
    for j in range(d.x.shape[1]):
        column = d.x[:, j]
        low = np.full(codes.max() + 1, np.inf)
        high = np.full(codes.max() + 1, -np.inf)
        np.minimum.at(low, codes, column)
        np.maximum.at(high, codes, column)
        between.append(bool(np.all(high - low <= 1e-12 * max(1.0, float(np.abs(column).max())))))
    mask = np.array(between)
    rank_between = int(np.linalg.matrix_rank(d.x[:, mask])) if mask.any() else 0
    between_df = d.n_subjects - rank_between
    within_df = d.n_observations - int(np.linalg.matrix_rank(d.x)) - between_df
    return pd.Series(
        np.where(mask, between_df, within_df).astype(float), index=d.column_names, name="df"
    )
