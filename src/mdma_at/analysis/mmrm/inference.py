"""Standard errors and denominator degrees of freedom: Satterthwaite and Kenward-Roger.

Both work in the *natural* covariance parametrisation (see `covariance`): the elements of Sigma
for ``us`` and ``toep``, variances and correlations for the others, as SAS PROC MIXED does. With
it, Kenward-Roger's second-derivative term R_ij vanishes for ``us`` and the adjusted covariance
and d.f. equal SAS ``ddfm=kr`` (= mmrm ``vcov = "Kenward-Roger-Linear"``).

Notation (Kenward & Roger 1997): Phi = (X'V^-1X)^-1, P_j = -X'V^-1 V_j V^-1 X,
Q_ij = X'V^-1 V_i V^-1 V_j V^-1 X, R_ij = X'V^-1 V_ij V^-1 X, W = asymptotic covariance of the
covariance parameters = inverse of half the observed Hessian of -2 log L.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray
from scipy import linalg

from mdma_at.analysis.mmrm.design import MmrmData
from mdma_at.analysis.mmrm.likelihood import Evaluation, information_tensors
from mdma_at.analysis.mmrm.parameters import CovarianceModel
from mdma_at.analysis.mmrm.robust import between_within_df, sandwich

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Wald:
    """One contrast test: estimate(s), F (or t for one row), numerator and denominator d.f."""

    estimate: Array
    se: Array
    f: float
    num_df: int
    den_df: float


class Inference:
    """Covariance of beta and d.f. for contrasts, at the fitted covariance parameters."""

    def __init__(
        self,
        data: MmrmData,
        model: CovarianceModel,
        phi: Array,
        evaluation: Evaluation,
        hessian: Array,
        *,
        df_method: str = "satterthwaite",
        vcov_method: str = "model",
    ) -> None:
        kenward_roger = df_method == "kenward-roger"
        self.kenward_roger = kenward_roger
        self.df_method = df_method
        self.vcov_method = vcov_method
        self.beta = evaluation.beta
        self.phi_unadjusted = linalg.cho_solve((evaluation.xtvx_chol, True), np.eye(len(self.beta)))
        self.w = _covariance_of_theta(hessian)
        sigmas = model.sigmas_natural(phi)
        jac = model.natural_jacobian(phi)  # (n, G, T, T)
        tensors = information_tensors(data, sigmas)
        n, p = jac.shape[0], len(self.beta)
        flat_full = tensors.full.reshape(tensors.full.shape[0], -1, p * p)  # (G, T*T, p*p)
        # P_j = -sum_ab dSigma_j[a,b] * T[a,b]
        self.p_mats = -np.einsum(
            "jgs,gsq->jq", jac.reshape(n, jac.shape[1], -1), flat_full
        ).reshape(n, p, p)
        self.vcov = self.phi_unadjusted
        if kenward_roger:
            # Only sum_ij W_ij (Q_ij - P_i Phi P_j - R_ij / 4) is needed, so W is folded in
            # before touching the (k, k, p, p) tensors: cost independent of n^2 x p^2.
            weighted_q = np.zeros((p, p))
            for block, tensor, precision in zip(
                data.blocks, tensors.blocks, tensors.precisions, strict=True
            ):
                d = jac[:, block.group][:, block.visits][:, :, block.visits]  # (n, k, k)
                k = len(block.visits)
                wd = (self.w @ d.reshape(d.shape[0], -1)).reshape(d.shape)
                folded = np.sum((d @ precision) @ wd, axis=0)  # sum_ij W_ij D_i P D_j
                weighted_q += (folded.reshape(k * k) @ tensor.reshape(k * k, p * p)).reshape(p, p)
            phi0 = self.phi_unadjusted
            weighted_pp = np.einsum(
                "ij,iab,bc,jcd->ad", self.w, self.p_mats, phi0, self.p_mats, optimize=True
            )
            total = weighted_q - weighted_pp
            if not model.structure.linear:
                second = model.natural_hessian(phi)  # (n, n, G, T, T)
                folded_second = np.einsum("ij,ijgab->gab", self.w, second)
                weighted_r = np.einsum(
                    "gs,gsq->q", folded_second.reshape(folded_second.shape[0], -1), flat_full
                ).reshape(p, p)
                total -= 0.25 * weighted_r
            self.vcov = phi0 + 2.0 * phi0 @ total @ phi0
            self.vcov = 0.5 * (self.vcov + self.vcov.T)
        if vcov_method in ("empirical", "jackknife"):
            self.vcov = sandwich(
                data, sigmas, self.beta, self.phi_unadjusted, jackknife=vcov_method == "jackknife"
            )
        # Residual d.f. N - rank(X); between-within d.f. per coefficient (SAS ddfm=betwithin).
        self.residual_df = float(data.n_observations - len(self.beta))
        self.bw_df = between_within_df(data) if df_method == "between-within" else None
        # d Phi / d phi_j = -Phi P_j Phi
        self._dphi = -(self.phi_unadjusted @ self.p_mats @ self.phi_unadjusted)

    def _fixed_df(self, contrasts: Array) -> float | None:
        """Residual or between-within d.f. of the rows of ``contrasts`` (None for the others).

        Between-within: the smallest d.f. among the coefficients the contrast involves (mmrm's
        rule for one- and multi-row contrasts).
        """
        if self.df_method == "residual":
            return self.residual_df
        if self.bw_df is not None:
            involved = np.any(np.abs(np.atleast_2d(contrasts)) > 0, axis=0)
            return float(np.min(self.bw_df[involved])) if involved.any() else self.residual_df
        return None

    def se(self, contrast: Array) -> float:
        return float(np.sqrt(contrast @ self.vcov @ contrast))

    def df(self, contrast: Array) -> float:
        """Denominator d.f. of the one-row contrast ``c'beta``."""
        fixed = self._fixed_df(contrast)
        if fixed is not None:
            return fixed
        if self.kenward_roger:
            return self._kr_df(contrast[None, :])[0]
        variance = float(contrast @ self.phi_unadjusted @ contrast)
        grad = np.einsum("a,jab,b->j", contrast, self._dphi, contrast)
        denominator = float(grad @ self.w @ grad)
        return 2.0 * variance**2 / denominator if denominator > 0 else np.inf

    def wald(self, contrasts: Array) -> Wald:
        """F test of ``L beta = 0`` for the rows of ``L`` (full row rank)."""
        contrasts = np.atleast_2d(contrasts)
        q = contrasts.shape[0]
        estimate = contrasts @ self.beta
        cov = contrasts @ self.vcov @ contrasts.T
        f = float(estimate @ linalg.solve(cov, estimate)) / q
        se = np.sqrt(np.diag(cov))
        if q == 1:
            return Wald(estimate, se, f, 1, self.df(contrasts[0]))
        fixed = self._fixed_df(contrasts)
        if fixed is not None:
            return Wald(estimate, se, f, q, fixed)
        if self.kenward_roger:
            den_df, scale = self._kr_df(contrasts)
            return Wald(estimate, se, f * scale, q, den_df)
        return Wald(estimate, se, f, q, self._satterthwaite_md(contrasts))

    def _satterthwaite_md(self, contrasts: Array) -> float:
        """Multi-row Satterthwaite d.f. via the eigen-decomposition of L Phi L' (as mmrm)."""
        cov = contrasts @ self.phi_unadjusted @ contrasts.T
        values, vectors = linalg.eigh(cov)
        nus = []
        for value, vector in zip(values, vectors.T, strict=True):
            row = vector @ contrasts
            grad = np.einsum("a,jab,b->j", row, self._dphi, row)
            nus.append(2.0 * value**2 / float(grad @ self.w @ grad))
        e = sum(nu / (nu - 2.0) for nu in nus if nu > 2.0)
        q = len(nus)
        return 2.0 * e / (e - q) if e > q else float("nan")

    def _kr_df(self, contrasts: Array) -> tuple[float, float]:
        """Kenward-Roger d.f. and F scale for ``L beta``, formulas of Kenward & Roger (1997)."""
        phi0 = self.phi_unadjusted
        q = contrasts.shape[0]
        theta = contrasts.T @ linalg.solve(contrasts @ phi0 @ contrasts.T, contrasts)
        u = (theta @ phi0) @ self.p_mats @ phi0  # Theta Phi P_j Phi, (n, p, p)
        traces = np.trace(u, axis1=1, axis2=2)
        a1 = float(traces @ self.w @ traces)
        n = u.shape[0]
        # sum_ij W_ij tr(u_i u_j) as one matrix product of the flattened u_i and u_j'
        a2 = float(np.sum(self.w * (u.reshape(n, -1) @ u.transpose(0, 2, 1).reshape(n, -1).T)))
        b = (a1 + 6.0 * a2) / (2.0 * q)
        g = ((q + 1.0) * a1 - (q + 4.0) * a2) / ((q + 2.0) * a2)
        denom = 3.0 * q + 2.0 * (1.0 - g)
        c1, c2, c3 = g / denom, (q - g) / denom, (q + 2.0 - g) / denom
        e_star = 1.0 / (1.0 - a2 / q)
        v_star = (2.0 / q) * (1.0 + c1 * b) / ((1.0 - c2 * b) ** 2 * (1.0 - c3 * b))
        rho = v_star / (2.0 * e_star**2)
        df = 4.0 + (q + 2.0) / (q * rho - 1.0)
        # F scale m / (E* (m - 2)) with E* = 1 / (1 - A2/q), as mmrm 0.3.18's h_kr_df: with it
        # KR reproduces Hotelling's exact F on complete balanced unstructured data (issue 11).
        scale = df / (e_star * (df - 2.0))
        return float(df), float(scale)


def _covariance_of_theta(hessian: Array) -> Array:
    """W = (H/2)^-1 for H the Hessian of -2 log L; pseudo-inverse if H is (near) singular.

    A singular H means a covariance parameter the data cannot identify; the fit then reports
    ``converged: false`` (see `fit`), and W from the pseudo-inverse keeps the rest computable.
    """
    half = 0.5 * (hessian + hessian.T) / 2.0
    # Judge and invert the Jacobi-equilibrated matrix: variances (units y^4 in H) and
    # correlations (unitless) sit side by side, so the raw condition number would depend on the
    # scale of the response.
    diag = np.abs(np.diag(half))
    unit = np.where(diag > 0, 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0)), 1.0)
    equilibrated = unit[:, None] * half * unit[None, :]
    if np.linalg.cond(equilibrated) < 1e12:
        inverse = linalg.inv(equilibrated)
    else:
        # scipy-stubs widen pinvh's result to floating; a float64 input gives float64.
        inverse = cast(Array, linalg.pinvh(equilibrated))
    return unit[:, None] * inverse * unit[None, :]
