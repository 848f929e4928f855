"""The (restricted) log-likelihood of an MMRM with beta profiled out, and its gradient.

For a covariance Sigma per group, subject i with observed visits o has Sigma_i = W_i^-1/2
Sigma[o, o] W_i^-1/2 (observation weights as SAS's WEIGHT statement). Whitening with the Cholesky
factor of Sigma[o, o] is shared by every subject of a pattern block, so each block is one batched
matrix product. The gradient with respect to the elements of Sigma is the symmetric matrix

    M = sum over blocks of  m P - sum_i u_i u_i' - [REML] sum_i A_i (X'V^-1 X)^-1 A_i'

(P = Sigma[o,o]^-1, u_i = P r_i, A_i = P X_i), scattered into visit positions; the gradient for
any parametrisation follows by the chain rule d(-2 log L)/d theta_j = sum(M * dSigma/dtheta_j).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from mdma_at.analysis.mmrm.design import MmrmData

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass
class Evaluation:
    """-2 log-likelihood at one covariance, with the quantities inference re-uses."""

    minus2_loglik: float
    beta: Array
    xtvx: Array  # X' V^-1 X
    xtvx_chol: Array  # lower Cholesky factor of X' V^-1 X
    sigma_gradient: Array | None  # (groups, T, T): d(-2 log L)/dSigma_ab


def evaluate(
    data: MmrmData, sigmas: Array, *, reml: bool, gradient: bool = True
) -> Evaluation | None:
    """-2 log L (REML or ML) at the group covariances ``sigmas`` (groups, T, T).

    Returns None when a covariance block or X'V^-1X is not positive definite, so the optimiser
    treats the point as infeasible.
    """
    p = data.x.shape[1]
    xtvx = np.zeros((p, p))
    xtvy = np.zeros(p)
    logdet = 0.0
    whitened = []
    t = sigmas.shape[-1]
    flat_sigmas = sigmas.reshape(sigmas.shape[0], t * t)
    for block in data.blocks:
        k, m = block.y.shape
        sub = flat_sigmas[block.group, block.cells].reshape(k, k)
        try:
            chol = np.linalg.cholesky(sub)
        except np.linalg.LinAlgError:
            return None
        inv_chol = np.linalg.inv(chol)
        # One GEMM per block: (k, k) @ (k, m*p), visit-major layout.
        xw = inv_chol @ block.x.reshape(k, m * p)
        yw = inv_chol @ block.y
        flat = xw.reshape(k * m, p)
        xtvx += flat.T @ flat
        xtvy += flat.T @ yw.ravel()
        logdet += m * 2.0 * float(np.sum(np.log(np.diag(chol))))
        whitened.append((inv_chol, flat, yw))
    try:
        # numpy's stubs widen cholesky's result to floating; a float64 input gives float64.
        xtvx_chol = cast(Array, np.linalg.cholesky(xtvx))
    except np.linalg.LinAlgError:
        return None
    beta = linalg.cho_solve((xtvx_chol, True), xtvy)
    # The residual quadratic form comes from the residuals themselves: y'V^-1y - (X'V^-1y)'beta
    # cancels catastrophically when the response carries a large offset (y + 3e7 lost 5 units
    # of -2 log L). One step of iterative refinement makes beta the least-squares solution of
    # the whitened system to working precision, whatever the normal equations lost.
    residuals = [yw - (flat @ beta).reshape(yw.shape) for _, flat, yw in whitened]
    correction = np.zeros(p)
    for (_, flat, _), r in zip(whitened, residuals, strict=True):
        correction += flat.T @ r.ravel()
    beta = beta + linalg.cho_solve((xtvx_chol, True), correction)
    residuals = [yw - (flat @ beta).reshape(yw.shape) for _, flat, yw in whitened]
    rss = float(sum(float(r.ravel() @ r.ravel()) for r in residuals))
    n = data.n_observations
    value = logdet - data.log_weight_sum + rss + n * LOG_2PI
    if reml:
        value += 2.0 * float(np.sum(np.log(np.diag(xtvx_chol)))) - p * LOG_2PI
    grad: Array | None = None
    if gradient:
        grad = np.zeros_like(flat_sigmas)
        inv_lt = linalg.solve_triangular(xtvx_chol, np.eye(p), lower=True).T  # C^-T
        for block, (inv_chol, flat, _), r in zip(data.blocks, whitened, residuals, strict=True):
            k, m = block.y.shape
            precision = inv_chol.T @ inv_chol
            u = inv_chol.T @ r  # columns: P r_i
            contribution = m * precision - u @ u.T
            if reml:
                a = inv_chol.T @ flat.reshape(k, m * p)  # A_i = P X_i, visit-major
                b = (a.reshape(k * m, p) @ inv_lt).reshape(k, m * p)  # A_i C^-T
                contribution -= b @ b.T
            grad[block.group, block.cells] += contribution.ravel()  # cells are distinct
        grad = grad.reshape(sigmas.shape)
    return Evaluation(value, beta, xtvx, xtvx_chol, grad)


@dataclass
class Tensors:
    """Per-block sums of A_i[a] A_i[b]' (A_i = P X_i), the building block of P_j, Q_ij, R_ij."""

    full: Array  # (groups, T, T, p, p): scattered over visits
    blocks: list[Array]  # per block (k, k, p, p)
    precisions: list[Array]  # per block (k, k)


def information_tensors(data: MmrmData, sigmas: Array) -> Tensors:
    """The tensors of `Tensors` at the fitted covariance."""
    p = data.x.shape[1]
    t = len(data.visit_levels)
    full = np.zeros((sigmas.shape[0], t, t, p, p))
    per_block = []
    precisions = []
    for block in data.blocks:
        sub = sigmas[block.group][np.ix_(block.visits, block.visits)]
        precision = linalg.inv(sub)
        precision = 0.5 * (precision + precision.T)
        k, m = block.y.shape
        a = (precision @ block.x.reshape(k, m * p)).reshape(k, m, p)
        by_subject = a.transpose(1, 0, 2).reshape(m, k * p)  # rows: subjects
        tensor = (by_subject.T @ by_subject).reshape(k, p, k, p).transpose(0, 2, 1, 3)
        full[block.group][np.ix_(block.visits, block.visits)] += tensor
        per_block.append(tensor)
        precisions.append(precision)
    return Tensors(full, per_block, precisions)


def expected_information(data: MmrmData, sigmas: Array, jacobian: Array) -> Array:
    """Expected information of -2 log L (ML form) for the parameters of ``jacobian``.

    sum over blocks of m tr(P D_j P D_k), D_j = dSigma/dtheta_j restricted to the block's visits.
    Cheap (no pass over subjects), so the optimiser uses it as its starting curvature.
    """
    n = jacobian.shape[0]
    info = np.zeros((n, n))
    for block in data.blocks:
        sub = sigmas[block.group][np.ix_(block.visits, block.visits)]
        precision = np.linalg.inv(sub)
        d = jacobian[:, block.group][:, block.visits][:, :, block.visits]
        pd = precision @ d  # (n, k, k)
        info += block.n_subjects * np.einsum("jab,kba->jk", pd, pd)
    return 0.5 * (info + info.T)
