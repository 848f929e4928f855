"""Covariance structures of the within-subject residuals, Sigma (visits x visits).

Each structure has two parametrisations:

* ``theta`` (unconstrained, what the optimiser moves): log standard deviations, correlations
  through ``rho = t / sqrt(1 + t^2)`` (as mmrm), log-Cholesky factors for ``us``, partial
  autocorrelations for the Toeplitz structures. Every ``theta`` gives a positive-definite Sigma.
* ``natural`` (what SAS PROC MIXED reports and differentiates): the elements of Sigma for ``us``,
  variances and correlations for the heterogeneous structures, lag covariances for ``toep``.
  Kenward-Roger uses derivatives in this parametrisation (see docs/analysis/mmrm.md), so for
  ``us`` and ``toep`` the second derivatives of Sigma vanish and KR equals SAS ``ddfm=kr``.

All maps are written with operations that accept complex numbers, so derivatives of Sigma come
from the complex-step method (exact to rounding) instead of finite differences.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
#: float64 while fitting, complex128 under the complex step (see `_complex_jacobian`).
#: numpy's stubs type arithmetic mixing inexact arrays with Python scalars, or with elements
#: taken by an integer index, as Any; such results are bound to a name annotated ``Numeric``.
Numeric = NDArray[np.inexact[Any]]
_STEP = 1e-30  # complex step: no subtractive cancellation, so it can be tiny


def _corr(t: Numeric) -> Numeric:
    """(-inf, inf) -> (-1, 1), mmrm's map for correlation parameters."""
    rho: Numeric = t / np.sqrt(1.0 + t * t)
    return rho


def _corr_inv(rho: Array) -> Array:
    return rho / np.sqrt(1.0 - rho * rho)


def _bounded(t: Numeric, low: float) -> Numeric:
    """(-inf, inf) -> (low, 1): compound-symmetry correlations must exceed -1/(T-1)."""
    return low + (1.0 - low) / (1.0 + np.exp(-t))


def _bounded_inv(rho: Array, low: float) -> Array:
    u = (rho - low) / (1.0 - low)
    return np.log(u / (1.0 - u))


def _pacf_to_acf(pacf: Numeric) -> list[complex]:
    """Durbin-Levinson: partial autocorrelations in (-1, 1) give a positive-definite Toeplitz.

    The elements are numpy scalars (float64 subclasses float, complex128 subclasses complex).
    """
    rho: list[complex] = [1.0]
    phi: list[complex] = []
    for k, a in enumerate(pacf, start=1):
        if k == 1:
            rho.append(a)
            phi = [a]
            continue
        num = sum(phi[j] * rho[k - 1 - j] for j in range(k - 1))
        den = 1.0 - sum(phi[j] * rho[j + 1] for j in range(k - 1))
        rho.append(num + a * den)
        phi = [phi[j] - a * phi[k - 2 - j] for j in range(k - 1)] + [a]
    return rho


def _lags(n: int) -> NDArray[np.int64]:
    idx = np.arange(n)
    lags: NDArray[np.int64] = np.abs(idx[:, None] - idx[None, :])
    return lags


class CovarianceStructure(ABC):
    """One covariance structure for ``n_visits`` visits."""

    name: str = ""
    #: Sigma is linear in the natural parameters (second derivatives, KR's R_ij, vanish).
    linear: bool = False

    def __init__(self, n_visits: int) -> None:
        self.n_visits = n_visits

    @property
    @abstractmethod
    def n_params(self) -> int:
        """Number of covariance parameters (the same in both parametrisations)."""

    @abstractmethod
    def natural(self, theta: Numeric) -> Numeric:
        """Map unconstrained ``theta`` to the natural (SAS) parameters."""

    @abstractmethod
    def sigma_natural(self, phi: Numeric) -> Numeric:
        """Sigma (visits x visits) from the natural parameters."""

    @abstractmethod
    def start(self, empirical: Array) -> Array:
        """Starting ``theta`` from an empirical covariance matrix of OLS residuals."""

    @abstractmethod
    def natural_names(self) -> list[str]:
        """Labels of the natural parameters, in order."""

    @property
    def n_variances(self) -> int:
        """How many leading natural parameters are in units of the response squared.

        The rest are correlations. Rescaling the response by b multiplies the first
        ``n_variances`` natural parameters by b^2 and leaves the rest (see `fit`).
        """
        return self.n_params

    def sigma(self, theta: Numeric) -> Numeric:
        """Sigma from the unconstrained parameters."""
        return self.sigma_natural(self.natural(theta))

    def jacobian(self, theta: Array) -> Array:
        """d Sigma / d theta_j, shape (n_params, T, T), by the complex step."""
        return _complex_jacobian(self.sigma, theta)

    def natural_jacobian(self, phi: Array) -> Array:
        """d Sigma / d phi_j, shape (n_params, T, T), by the complex step."""
        return _complex_jacobian(self.sigma_natural, phi)

    def natural_hessian(self, phi: Array) -> Array:
        """d2 Sigma / d phi_i d phi_j, shape (n, n, T, T): complex step of central differences.

        Exactly zero for structures linear in their natural parameters (``us``, ``cs``, ``toep``).
        """
        n = self.n_params
        out = np.zeros((n, n, self.n_visits, self.n_visits))
        for j in range(n):
            delta = self._hessian_step(phi, j)
            up, down = phi.copy(), phi.copy()
            up[j] += delta
            down[j] -= delta
            out[:, j] = (self.natural_jacobian(up) - self.natural_jacobian(down)) / (2 * delta)
        return 0.5 * (out + out.transpose(1, 0, 2, 3))

    def _hessian_step(self, phi: Array, j: int) -> float:
        """Difference step for natural parameter j in `natural_hessian`.

        Relative to the parameter's own size for variances (any unit of the response),
        absolute for correlations (bounded by 1).
        """
        size = abs(float(phi[j])) if j < self.n_variances else 1.0
        return 1e-5 * (size if size > 0 else 1.0)

    def derived(self, phi: Array) -> dict[str, float]:
        """Quantities reported beside the natural parameters (none but for ``sp_exp``)."""
        return {}

    def theta_from_natural(self, phi: Array) -> Array:
        """Inverse map, used for starting values and tests."""
        raise NotImplementedError  # pragma: no cover - only structures that need it


def _complex_jacobian(func: Callable[[Numeric], Numeric], x: Array) -> Array:
    out = []
    for j in range(x.size):
        # The complex step's error is relative to (step / x)^2, so a variance of 1e-118 needs a
        # step relative to itself; no cancellation, so the step can be that small.
        step = _STEP * abs(float(x[j])) if 0.0 < abs(float(x[j])) < 1.0 else _STEP
        shifted = x.astype(np.complex128)
        shifted[j] += 1j * step
        out.append(np.imag(func(shifted)) / step)
    return np.asarray(out, dtype=np.float64)


def _mean_sd(empirical: Array) -> float:
    return float(np.sqrt(max(float(np.mean(np.diag(empirical))), 1e-8)))


def _sds(empirical: Array) -> Array:
    return np.sqrt(
        np.maximum(np.diag(empirical), 1e-8 * max(float(np.max(np.diag(empirical))), 1.0))
    )


def _corr_matrix(empirical: Array) -> Array:
    sd = _sds(empirical)
    return empirical / np.outer(sd, sd)


def _lag_correlations(empirical: Array) -> Array:
    """Average correlation at each lag 1..T-1, clipped to a safe starting range."""
    corr = _corr_matrix(empirical)
    t = corr.shape[0]
    means = np.array([np.mean(np.diag(corr, k)) for k in range(1, t)], dtype=np.float64)
    return np.clip(means, -0.4, 0.8)


class Unstructured(CovarianceStructure):
    """``us``: every variance and covariance free; theta is the log-Cholesky factor."""

    name = "us"
    linear = True

    @property
    def n_params(self) -> int:
        return self.n_visits * (self.n_visits + 1) // 2

    def _tril(self) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        return np.tril_indices(self.n_visits)

    def natural(self, theta: Numeric) -> Numeric:
        t = self.n_visits
        chol = np.zeros((t, t), dtype=theta.dtype)
        rows, cols = self._tril()
        chol[rows, cols] = theta
        diag = np.arange(t)
        chol[diag, diag] = np.exp(chol[diag, diag])
        sigma = chol @ chol.T
        return sigma[rows, cols]

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sigma = np.zeros((t, t), dtype=phi.dtype)
        rows, cols = self._tril()
        sigma[rows, cols] = phi
        sigma[cols, rows] = phi
        return sigma

    def start(self, empirical: Array) -> Array:
        values, vectors = np.linalg.eigh(0.5 * (empirical + empirical.T))
        floor = 1e-3 * max(float(values.max()), 1e-8)
        pd = (vectors * np.maximum(values, floor)) @ vectors.T
        return self.theta_from_natural(pd[self._tril()])

    def theta_from_natural(self, phi: Array) -> Array:
        sigma = self.sigma_natural(phi).astype(np.float64)
        # numpy's stubs widen cholesky's result to floating; a float64 input gives float64.
        chol = cast(Array, np.linalg.cholesky(sigma))
        diag = np.arange(self.n_visits)
        chol[diag, diag] = np.log(chol[diag, diag])
        return chol[self._tril()]

    def natural_names(self) -> list[str]:
        rows, cols = self._tril()
        return [f"UN({r + 1},{c + 1})" for r, c in zip(rows, cols, strict=True)]


class Diagonal(CovarianceStructure):
    """``diag``: one variance per visit, no correlation."""

    name = "diag"
    linear = True

    @property
    def n_params(self) -> int:
        return self.n_visits

    def natural(self, theta: Numeric) -> Numeric:
        variances: Numeric = np.exp(2.0 * theta)
        return variances

    def sigma_natural(self, phi: Numeric) -> Numeric:
        return np.diag(phi)

    def start(self, empirical: Array) -> Array:
        return np.log(_sds(empirical))

    def natural_names(self) -> list[str]:
        return [f"var({i + 1})" for i in range(self.n_visits)]


class CompoundSymmetry(CovarianceStructure):
    """``cs``: common variance and correlation; natural = SAS (CS covariance, residual)."""

    name = "cs"
    linear = True

    @property
    def n_params(self) -> int:
        return 2

    @property
    def _low(self) -> float:
        return -1.0 / (self.n_visits - 1)

    def natural(self, theta: Numeric) -> Numeric:
        variance = np.exp(2.0 * theta[0])
        rho = _bounded(theta[1:2], self._low)[0]
        return np.stack([rho * variance, (1.0 - rho) * variance])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sigma: Numeric = phi[0] * np.ones((t, t)) + phi[1] * np.eye(t)
        return sigma

    def start(self, empirical: Array) -> Array:
        corr = _corr_matrix(empirical)
        off = corr[~np.eye(self.n_visits, dtype=bool)]
        rho = float(np.clip(np.mean(off), self._low / 2, 0.8))
        return np.array([np.log(_mean_sd(empirical)), _bounded_inv(np.array(rho), self._low)])

    def natural_names(self) -> list[str]:
        return ["CS", "Residual"]


class HeterogeneousCompoundSymmetry(CovarianceStructure):
    """``csh``: one variance per visit, one common correlation."""

    name = "csh"

    @property
    def n_variances(self) -> int:
        return self.n_visits

    @property
    def n_params(self) -> int:
        return self.n_visits + 1

    @property
    def _low(self) -> float:
        return -1.0 / (self.n_visits - 1)

    def natural(self, theta: Numeric) -> Numeric:
        t = self.n_visits
        return np.concatenate([np.exp(2.0 * theta[:t]), _bounded(theta[t:], self._low)])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sd = np.sqrt(phi[:t])
        corr = phi[t] * np.ones((t, t)) + (1.0 - phi[t]) * np.eye(t)
        sigma: Numeric = sd[:, None] * corr * sd[None, :]
        return sigma

    def start(self, empirical: Array) -> Array:
        corr = _corr_matrix(empirical)
        off = corr[~np.eye(self.n_visits, dtype=bool)]
        rho = float(np.clip(np.mean(off), self._low / 2, 0.8))
        return np.concatenate([np.log(_sds(empirical)), _bounded_inv(np.array([rho]), self._low)])

    def natural_names(self) -> list[str]:
        return [f"var({i + 1})" for i in range(self.n_visits)] + ["rho"]


class Ar1(CovarianceStructure):
    """``ar1``: common variance, correlation rho^|lag|."""

    name = "ar1"

    @property
    def n_variances(self) -> int:
        return 1

    @property
    def n_params(self) -> int:
        return 2

    def natural(self, theta: Numeric) -> Numeric:
        return np.concatenate([np.exp(2.0 * theta[:1]), _corr(theta[1:])])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        sigma: Numeric = phi[0] * phi[1] ** _lags(self.n_visits)
        return sigma

    def start(self, empirical: Array) -> Array:
        rho = _lag_correlations(empirical)[:1]
        return np.concatenate([[np.log(_mean_sd(empirical))], _corr_inv(rho)])

    def natural_names(self) -> list[str]:
        return ["variance", "rho"]


class HeterogeneousAr1(CovarianceStructure):
    """``ar1h``: one variance per visit, correlation rho^|lag|."""

    name = "ar1h"

    @property
    def n_variances(self) -> int:
        return self.n_visits

    @property
    def n_params(self) -> int:
        return self.n_visits + 1

    def natural(self, theta: Numeric) -> Numeric:
        t = self.n_visits
        return np.concatenate([np.exp(2.0 * theta[:t]), _corr(theta[t:])])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sd = np.sqrt(phi[:t])
        sigma: Numeric = sd[:, None] * phi[t] ** _lags(t) * sd[None, :]
        return sigma

    def start(self, empirical: Array) -> Array:
        rho = _lag_correlations(empirical)[:1]
        return np.concatenate([np.log(_sds(empirical)), _corr_inv(rho)])

    def natural_names(self) -> list[str]:
        return [f"var({i + 1})" for i in range(self.n_visits)] + ["rho"]


def _toeplitz_corr(rhos: list[complex], t: Numeric | None, n: int) -> Numeric:
    dtype = np.complex128 if t is not None and np.iscomplexobj(t) else np.float64
    corr = np.empty((n, n), dtype=dtype)
    lags = _lags(n)
    for i in range(n):
        for j in range(n):
            corr[i, j] = rhos[lags[i, j]]
    return corr


class Toeplitz(CovarianceStructure):
    """``toep``: common variance, one correlation per lag; natural = lag covariances (SAS)."""

    name = "toep"
    linear = True

    @property
    def n_params(self) -> int:
        return self.n_visits

    def natural(self, theta: Numeric) -> Numeric:
        variance = np.exp(2.0 * theta[0])
        rhos = _pacf_to_acf(_corr(theta[1:]))
        return np.stack([variance * r for r in rhos])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        return phi[_lags(self.n_visits)]

    def start(self, empirical: Array) -> Array:
        pacf = np.zeros(self.n_visits - 1)
        pacf[0] = _lag_correlations(empirical)[0]
        return np.concatenate([[np.log(_mean_sd(empirical))], _corr_inv(pacf)])

    def natural_names(self) -> list[str]:
        return [f"TOEP({k + 1})" for k in range(self.n_visits)]


class HeterogeneousToeplitz(CovarianceStructure):
    """``toeph``: one variance per visit, one correlation per lag."""

    name = "toeph"

    @property
    def n_variances(self) -> int:
        return self.n_visits

    @property
    def n_params(self) -> int:
        return 2 * self.n_visits - 1

    def natural(self, theta: Numeric) -> Numeric:
        t = self.n_visits
        rhos = _pacf_to_acf(_corr(theta[t:]))[1:]
        return np.concatenate([np.exp(2.0 * theta[:t]), np.stack(rhos)])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sd = np.sqrt(phi[:t])
        rhos = [1.0, *list(phi[t:])]
        corr = _toeplitz_corr(rhos, phi, t)
        return sd[:, None] * corr * sd[None, :]

    def start(self, empirical: Array) -> Array:
        pacf = np.zeros(self.n_visits - 1)
        pacf[0] = _lag_correlations(empirical)[0]
        return np.concatenate([np.log(_sds(empirical)), _corr_inv(pacf)])

    def natural_names(self) -> list[str]:
        t = self.n_visits
        return [f"var({i + 1})" for i in range(t)] + [f"rho(lag {k})" for k in range(1, t)]


def _antedependence_corr(rho: Numeric, n: int) -> Numeric:
    """Correlation(i, j) = product of the lag-1 correlations between visits i and j."""
    corr = np.ones((n, n), dtype=rho.dtype)
    for i in range(n):
        for j in range(i + 1, n):
            corr[i, j] = corr[i, j - 1] * rho[j - 1]
            corr[j, i] = corr[i, j]
    return corr


class AnteDependence(CovarianceStructure):
    """``ad``: common variance, first-order ante-dependence correlations (mmrm only)."""

    name = "ad"

    @property
    def n_variances(self) -> int:
        return 1

    @property
    def n_params(self) -> int:
        return self.n_visits

    def natural(self, theta: Numeric) -> Numeric:
        return np.concatenate([np.exp(2.0 * theta[:1]), _corr(theta[1:])])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        sigma: Numeric = phi[0] * _antedependence_corr(phi[1:], self.n_visits)
        return sigma

    def start(self, empirical: Array) -> Array:
        corr = _corr_matrix(empirical)
        rho = np.clip(np.diag(corr, 1), -0.4, 0.8)
        return np.concatenate([[np.log(_mean_sd(empirical))], _corr_inv(rho)])

    def natural_names(self) -> list[str]:
        t = self.n_visits
        return ["variance"] + [f"rho({k},{k + 1})" for k in range(1, t)]


class HeterogeneousAnteDependence(CovarianceStructure):
    """``adh``: one variance per visit, first-order ante-dependence (SAS ANTE(1))."""

    name = "adh"

    @property
    def n_variances(self) -> int:
        return self.n_visits

    @property
    def n_params(self) -> int:
        return 2 * self.n_visits - 1

    def natural(self, theta: Numeric) -> Numeric:
        t = self.n_visits
        return np.concatenate([np.exp(2.0 * theta[:t]), _corr(theta[t:])])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        t = self.n_visits
        sd = np.sqrt(phi[:t])
        return sd[:, None] * _antedependence_corr(phi[t:], t) * sd[None, :]

    def start(self, empirical: Array) -> Array:
        corr = _corr_matrix(empirical)
        rho = np.clip(np.diag(corr, 1), -0.4, 0.8)
        return np.concatenate([np.log(_sds(empirical)), _corr_inv(rho)])

    def natural_names(self) -> list[str]:
        t = self.n_visits
        return [f"var({i + 1})" for i in range(t)] + [f"rho({k},{k + 1})" for k in range(1, t)]


def _logistic(t: Numeric) -> Numeric:
    """(-inf, inf) -> (0, 1), mmrm's map for the spatial correlation (``invlogit``)."""
    rho: Numeric = 1.0 / (1.0 + np.exp(-t))
    return rho


class SpatialExponential(CovarianceStructure):
    """``sp_exp``: common variance, correlation rho^|t_i - t_j| at numeric visit times.

    mmrm's spatial exponential and SAS's ``SP(EXP)``: the "visits" are the distinct times in the
    data (``coordinates``), so Sigma over them is still one T x T matrix and a subject's block is
    Sigma at the times that subject was seen. The optimiser's theta is mmrm's up to the first
    entry: (log sd, logit rho), rho the correlation one time unit apart, in (0, 1). The natural
    parameters are SAS's, (variance, range) with sigma^2 exp(-d / range), so rho =
    exp(-1 / range): the range is linear in the unit of time, so the Kenward-Roger adjustment
    (second derivatives of Sigma) does not depend on whether times are days or weeks (ADR 0037).
    """

    name = "sp_exp"

    def __init__(self, n_visits: int, coordinates: Array | None = None) -> None:
        super().__init__(n_visits)
        points = (
            np.arange(n_visits, dtype=np.float64)
            if coordinates is None
            else np.asarray(coordinates, dtype=np.float64)
        )
        points = points.reshape(n_visits, -1) if points.size else points.reshape(0, 1)
        if points.shape[0] != n_visits:
            raise ValueError(f"sp_exp needs {n_visits} visit times, got shape {points.shape}")
        self.coordinates = points
        # Euclidean distance between visits (mmrm's for several coordinates; |t_i - t_j| for one)
        difference = points[:, None, :] - points[None, :, :]
        self.distance: Array = np.sqrt(np.sum(difference * difference, axis=2))

    @property
    def n_variances(self) -> int:
        return 1

    @property
    def n_params(self) -> int:
        return 2

    def natural(self, theta: Numeric) -> Numeric:
        # range = -1 / log rho; log(invlogit t) = -log(1 + exp(-t)), stable for large |t|
        if np.iscomplexobj(theta):
            log_rho: Numeric = np.log(_logistic(theta[1:]))
        else:  # rho = 1 to double precision would be an infinite range: stay just below
            log_rho = np.minimum(-np.logaddexp(0.0, -theta[1:]), -np.finfo(np.float64).tiny)
        return np.concatenate([np.exp(2.0 * theta[:1]), -1.0 / log_rho])

    def sigma_natural(self, phi: Numeric) -> Numeric:
        # exp(-0 / range) is exactly 1 (also under the complex step): the diagonal is the variance.
        sigma: Numeric = phi[0] * np.exp(-self.distance / phi[1])
        return sigma

    def start(self, empirical: Array) -> Array:
        """Variance from the diagonal; rho from the pairs of times with a usable correlation.

        Each pair gives log rho = log(corr) / distance; their median is robust to the noisy
        pairs of rarely shared times. Without such pairs, rho^(median gap) = 1/2.
        """
        corr = _corr_matrix(empirical)
        upper = np.triu(np.ones_like(corr, dtype=bool), k=1)
        usable = upper & (corr > 0.05) & (corr < 0.95) & (self.distance > 0)
        if usable.any():
            log_rho = float(np.median(np.log(corr[usable]) / self.distance[usable]))
        else:
            gaps = np.unique(self.distance[self.distance > 0])[:1]
            log_rho = np.log(0.5) / float(np.median(gaps)) if gaps.size else np.log(0.5)
        rho = float(np.clip(np.exp(log_rho), 1e-6, 1.0 - 1e-6))
        return np.array([np.log(_mean_sd(empirical)), np.log(rho / (1.0 - rho))])

    def _hessian_step(self, phi: Array, j: int) -> float:
        # the range is in units of time: a step relative to itself, as for a variance
        return 1e-5 * abs(float(phi[j])) if abs(float(phi[j])) > 0 else 1e-5

    def natural_names(self) -> list[str]:
        return ["variance", "range"]

    def derived(self, phi: Array) -> dict[str, float]:
        """mmrm's rho, the correlation one time unit apart: exp(-1 / range)."""
        return {"rho": float(np.exp(-1.0 / float(phi[1])))}


STRUCTURES: dict[str, type[CovarianceStructure]] = {
    cls.name: cls
    for cls in (
        Unstructured,
        Diagonal,
        CompoundSymmetry,
        HeterogeneousCompoundSymmetry,
        Ar1,
        HeterogeneousAr1,
        Toeplitz,
        HeterogeneousToeplitz,
        AnteDependence,
        HeterogeneousAnteDependence,
        SpatialExponential,
    )
}


def make_structure(
    name: str, n_visits: int, coordinates: Array | None = None
) -> CovarianceStructure:
    """The structure called ``name`` (see `formula.COVARIANCE_STRUCTURES`) for ``n_visits``.

    ``coordinates`` are the visit times of a spatial structure (``sp_exp``); others ignore them.
    """
    if name == SpatialExponential.name:
        return SpatialExponential(n_visits, coordinates)
    return STRUCTURES[name](n_visits)
