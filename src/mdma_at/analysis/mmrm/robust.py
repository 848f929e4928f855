"""Empirical (sandwich) covariance of beta: CR0 and the leave-one-subject-out jackknife CR3.

In the whitened coordinates of each subject (X~_i = C_i^-1 X_i, e~_i = C_i^-1 r_i with
C_i C_i' = Sigma_i; the observation weights are already in X and y):

    CR0 = B (sum_i X~_i' e~_i e~_i' X~_i) B,            B = (X'V^-1X)^-1
    CR3 = B (sum_i X~_i' A_i e~_i e~_i' A_i X~_i) B,    A_i = (I - X~_i B X~_i')^-1

CR0 is SAS's ``empirical`` and mmrm's ``"Empirical"``; CR3 is mmrm's ``"Empirical-Jackknife"`` and
clubSandwich's ``CR3`` (Bell and McCaffrey 2002, without the (n-1)/n factor), both computed per
pattern block with batched linear algebra.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mdma_at.analysis.mmrm.design import MmrmData

Array = NDArray[np.float64]


def sandwich(data: MmrmData, sigmas: Array, beta: Array, bread: Array, *, jackknife: bool) -> Array:
    """CR0 (``jackknife=False``) or CR3 covariance of beta at the fitted covariance."""
    p = beta.size
    meat = np.zeros((p, p))
    for block in data.blocks:
        k, m = block.y.shape
        sub = sigmas[block.group][np.ix_(block.visits, block.visits)]
        inv_chol = np.linalg.inv(np.linalg.cholesky(sub))
        xw = (inv_chol @ block.x.reshape(k, m * p)).reshape(k, m, p).transpose(1, 0, 2)
        rw: NDArray[np.floating[Any]] = (inv_chol @ (block.y - block.x @ beta)).T  # (m, k)
        if jackknife:
            leverage = xw @ bread @ xw.transpose(0, 2, 1)  # (m, k, k)
            rw = np.linalg.solve(np.eye(k) - leverage, rw[:, :, None])[:, :, 0]
        scores = np.einsum("mkp,mk->mp", xw, rw)
        meat += scores.T @ scores
    out = bread @ meat @ bread
    return 0.5 * (out + out.T)


def between_within_df(data: MmrmData) -> Array:
    """SAS's ``ddfm=betwithin`` d.f. per coefficient (its default with ``empirical``).

    The residual d.f. N - rank(X) are split: a coefficient whose column is constant within
    every subject (intercept, arm, baseline) gets S - rank(X_between), S = subjects with a
    response; every other coefficient gets the rest, N - rank(X) - (S - rank(X_between)).
    """
    subjects = data.frame[data.formula.covariance.subject].to_numpy()
    codes, _ = pd.factorize(subjects)
    n_codes = int(codes.max()) + 1
    between = []
    for j in range(data.x.shape[1]):
        column = data.x[:, j]
        low = np.full(n_codes, np.inf)
        high = np.full(n_codes, -np.inf)
        np.minimum.at(low, codes, column)
        np.maximum.at(high, codes, column)
        between.append(bool(np.all(high - low <= 1e-12 * max(1.0, float(np.abs(column).max())))))
    mask = np.array(between)
    rank_between = int(np.linalg.matrix_rank(data.x[:, mask])) if mask.any() else 0
    between_df = data.n_subjects - rank_between
    within_df = data.n_observations - int(np.linalg.matrix_rank(data.x)) - between_df
    return np.where(mask, between_df, within_df).astype(float)
