"""Type II and III tests of each fixed-effect term, with SAS PROC MIXED's hypotheses.

The hypothesis for a term compares cells of the full factor grid: treatment contrasts
(level j minus the first level) for each factor in the term, equal-weight averages over the other
factors, continuous covariates at 0 (SAS's parametrisation), and for a continuous covariate in
the term its slope. For a term without interactions this is the plain joint test of its
coefficients; for ``ARMCD`` in ``ARMCD*AVISIT`` it is the arm effect averaged over visits, as
SAS and car::Anova report for mmrm.
"""

from __future__ import annotations

import itertools
from typing import Any, cast

import numpy as np
import pandas as pd
from formulaic import Formula
from numpy.typing import NDArray
from scipy import linalg

from mdma_at.analysis.mmrm.design import MmrmData
from mdma_at.analysis.mmrm.errors import UnknownLevel
from mdma_at.analysis.mmrm.lsmeans import fixed_variables

Array = NDArray[np.float64]


def model_terms(data: MmrmData) -> list[str]:
    """Fixed-effect terms other than the intercept, as formulaic writes them (``A:B``)."""
    return [str(t) for t in Formula(data.formula.fixed_formula).rhs if str(t) != "1"]


def type3_contrasts(data: MmrmData, term: str) -> Array:
    """The rows L (full row rank) of SAS's type III hypothesis ``L beta = 0`` for ``term``."""
    parts = term.split(":")
    variables = fixed_variables(data)
    unknown = [p for p in parts if p not in variables]
    if unknown:
        raise UnknownLevel("term", f"{unknown[0]!r} is not a variable of the fixed effects")
    factors = [v for v in variables if v in data.factor_levels]
    continuous = [v for v in variables if v not in data.factor_levels]
    grid_levels = [data.factor_levels[f] for f in factors]
    cells = list(itertools.product(*grid_levels))

    def design(slope_of: list[str]) -> Array:
        """Grid rows; for each continuous term variable, the difference at 1 minus at 0."""
        total = None
        for signs in itertools.product((1.0, 0.0), repeat=len(slope_of)):
            records: list[dict[str, Any]] = []
            for cell in cells:
                record: dict[str, Any] = dict(zip(factors, cell, strict=True))
                record.update(dict.fromkeys(continuous, 0.0))
                record.update(dict(zip(slope_of, signs, strict=True)))
                records.append(record)
            grid = pd.DataFrame(records)
            for f in factors:
                if isinstance(data.frame[f].dtype, pd.CategoricalDtype):
                    grid[f] = pd.Categorical(grid[f], categories=data.factor_levels[f])
            rows = np.asarray(data.model_spec.get_model_matrix(grid), dtype=float)
            sign = (-1.0) ** sum(1 for s in signs if s == 0.0)
            total = sign * rows if total is None else total + sign * rows
        assert total is not None
        return total

    rows = design([p for p in parts if p in continuous])
    weights: Array = np.ones((1, 1))
    for f, levels in zip(factors, grid_levels, strict=True):
        n = len(levels)
        if f in parts:
            block = np.hstack([-np.ones((n - 1, 1)), np.eye(n - 1)])
        else:
            block = np.full((1, n), 1.0 / n)
        # numpy's stubs widen kron's result to floating; float64 inputs give float64.
        weights = cast(Array, np.kron(weights, block))
    contrasts = weights @ rows
    return _full_row_rank(contrasts)


def _term_variables(name: str) -> set[str]:
    """Variables of a design column such as ``ARMCD[T.TRT]:AVISIT[T.VIS2]``."""
    return set() if name == "Intercept" else {p.split("[")[0] for p in name.split(":")}


def type2_contrasts(data: MmrmData, term: str) -> Array:
    """Rows L of SAS's type II hypothesis for ``term``.

    The term is adjusted for every other term except those that contain it. Containment follows
    SAS: C contains E when E's variables are a proper subset of C's and both involve the same
    continuous variables (so ``ARMCD*FEV1_BL`` contains ``FEV1_BL`` but not ``ARMCD``). The
    hypothesis is L = (A_EE.O)^-1 A_E.O with A = X'X and ``.O`` the adjustment for the other
    columns (Goodnight's sweep), as SAS computes it.
    """
    wanted = set(term.split(":"))
    continuous = set(fixed_variables(data)) - set(data.factor_levels)
    names = data.column_names
    own = [j for j, n in enumerate(names) if _term_variables(n) == wanted]
    if not own:
        raise UnknownLevel("term", f"no coefficient belongs to the term {term!r}")
    containing = [
        j
        for j, n in enumerate(names)
        if _term_variables(n) > wanted
        and (_term_variables(n) & continuous) == (wanted & continuous)
    ]
    others = [j for j in range(len(names)) if j not in own and j not in containing]
    cross = data.x.T @ data.x
    if others:
        cross = cross - cross[:, others] @ linalg.solve(
            cross[np.ix_(others, others)], cross[others, :]
        )
    return linalg.solve(cross[np.ix_(own, own)], cross[own, :])


def _full_row_rank(matrix: Array) -> Array:
    _, r, pivot = linalg.qr(matrix.T, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > 1e-10 * max(diag.max(), 1.0))) if diag.size else 0
    if rank == matrix.shape[0]:
        return matrix
    # Keep a subset of the original rows that spans the hypothesis.
    return matrix[np.sort(pivot[:rank])]
