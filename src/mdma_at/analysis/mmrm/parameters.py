"""Covariance parameters of all groups stacked in one vector (one structure per group)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mdma_at.analysis.mmrm.covariance import CovarianceStructure

Array = NDArray[np.float64]


@dataclass(frozen=True)
class CovarianceModel:
    """``n_groups`` copies of one structure; parameters of group g are one contiguous slice."""

    structure: CovarianceStructure
    n_groups: int

    @property
    def n_params(self) -> int:
        return self.structure.n_params * self.n_groups

    def _slices(self) -> list[slice]:
        k = self.structure.n_params
        return [slice(g * k, (g + 1) * k) for g in range(self.n_groups)]

    def sigmas(self, theta: Array) -> Array:
        """(groups, T, T) from unconstrained parameters."""
        return np.stack([self.structure.sigma(theta[s]).real for s in self._slices()])

    def natural(self, theta: Array) -> Array:
        return np.concatenate([self.structure.natural(theta[s]).real for s in self._slices()])

    def sigmas_natural(self, phi: Array) -> Array:
        return np.stack([self.structure.sigma_natural(phi[s]).real for s in self._slices()])

    def jacobian(self, theta: Array) -> Array:
        """d Sigma_g / d theta_j, shape (n_params, groups, T, T)."""
        return self._block_diagonal([self.structure.jacobian(theta[s]) for s in self._slices()])

    def natural_jacobian(self, phi: Array) -> Array:
        return self._block_diagonal(
            [self.structure.natural_jacobian(phi[s]) for s in self._slices()]
        )

    def natural_hessian(self, phi: Array) -> Array:
        """(n, n, groups, T, T); zero across groups."""
        t = self.structure.n_visits
        out = np.zeros((self.n_params, self.n_params, self.n_groups, t, t))
        for g, s in enumerate(self._slices()):
            out[s, s, g] = self.structure.natural_hessian(phi[s])
        return out

    def _block_diagonal(self, parts: list[Array]) -> Array:
        t = self.structure.n_visits
        out = np.zeros((self.n_params, self.n_groups, t, t))
        for g, (s, part) in enumerate(zip(self._slices(), parts, strict=True)):
            out[s, g] = part
        return out

    def report(self, phi: Array, group_levels: list[str] | None) -> dict[str, float]:
        """Natural parameters by name, then derived ones (``sp_exp``'s rho), per group."""
        out = dict(zip(self.names(group_levels), map(float, phi), strict=True))
        for g, s in enumerate(self._slices()):
            prefix = "" if group_levels is None else f"{group_levels[g]}: "
            for name, number in self.structure.derived(phi[s]).items():
                out[prefix + name] = number
        return out

    def names(self, group_levels: list[str] | None) -> list[str]:
        base = self.structure.natural_names()
        if group_levels is None:
            return base
        return [f"{level}: {name}" for level in group_levels for name in base]
