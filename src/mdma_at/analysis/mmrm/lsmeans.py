"""Least-squares means: the rows L of the design that define each arm x visit mean.

Equal weights (SAS LSMEANS and emmeans default): every other factor in the fixed effects is
averaged with equal weight over its levels, and continuous covariates sit at their mean over the
analysed rows. G-computation (mmrm's ``emmeans_gcomp_vars``): the average over all randomised
subjects (one row each, also those without an observed response) of their predicted mean had they
been given that arm at that visit.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from formulaic import Formula
from numpy.typing import NDArray

from mdma_at.analysis.mmrm.design import MmrmData

Array = NDArray[np.float64]


def fixed_variables(data: MmrmData) -> list[str]:
    """Columns the fixed-effects formula uses, in the order they appear."""
    return list(data.formula.fixed_columns)


def default_visit(data: MmrmData) -> str | None:
    """The column whose values are the 'visits' of the LS means.

    The covariance visit factor. For ``sp_exp`` the visit time, if it is a fixed effect (a trend
    in time: LS means at each observed time); otherwise None, one LS mean per arm averaged over
    the other factors (emmeans' ``~ arm``): name a visit factor with ``visit=`` for per-visit
    means (ADR 0037).
    """
    cov = data.formula.covariance
    if cov.spatial and (cov.more_coordinates or cov.visit not in fixed_variables(data)):
        return None
    return cov.visit


def default_arm(data: MmrmData, visit: str | None = None) -> str | None:
    """The factor that plays 'arm' in LS means.

    The covariance grouping factor if any; else the first factor that interacts with the
    LS-means visit in the fixed effects; else the first factor other than that visit; else None.
    """
    cov = data.formula.covariance
    if cov.group:
        return cov.group
    visit = visit if visit is not None else default_visit(data)
    factors = [v for v in fixed_variables(data) if v in data.factor_levels and v != visit]
    terms = [str(term) for term in Formula(data.formula.fixed_formula).rhs]
    for term in terms:
        parts = term.split(":")
        if visit is not None and visit in parts:
            for part in parts:
                if part in factors:
                    return part
    return factors[0] if factors else None


def _frame(rows: Sequence[Mapping[Any, Any]], data: MmrmData) -> pd.DataFrame:
    grid = pd.DataFrame(rows)
    for name, levels in data.factor_levels.items():
        if name in grid and isinstance(data.frame[name].dtype, pd.CategoricalDtype):
            grid[name] = pd.Categorical(grid[name], categories=levels)
    return grid


def _design(grid: pd.DataFrame, data: MmrmData) -> Array:
    return np.asarray(data.model_spec.get_model_matrix(grid), dtype=float)


def visit_levels(data: MmrmData, visit: str | None) -> list[Any]:
    """The LS-means visits: the covariance visits, another factor's levels, or [None]."""
    if visit is None:
        return [None]
    if visit == data.formula.covariance.visit:
        return data.visit_values()
    return list(data.factor_levels[visit])


def equal_weight_rows(
    data: MmrmData, arm: str | None, visit: str | None
) -> tuple[list[tuple[Any, Any]], Array]:
    """(arm level, visit level) cells and their L rows (cells x p)."""
    variables = fixed_variables(data)
    others = [v for v in variables if v in data.factor_levels and v not in (arm, visit)]
    continuous = {
        v: float(data.frame[v].mean())
        for v in variables
        if v not in data.factor_levels and v not in (arm, visit)
    }
    arm_levels = data.factor_levels[arm] if arm else [None]
    visits = visit_levels(data, visit)
    combos = list(itertools.product(*[data.factor_levels[o] for o in others]))
    cells = list(itertools.product(arm_levels, visits))
    records = []
    for arm_level, visit_level in cells:
        for combo in combos:
            record: dict[str, Any] = dict(zip(others, combo, strict=True))
            record.update(continuous)
            if visit is not None:
                record[visit] = visit_level
            if arm:
                record[arm] = arm_level
            records.append(record)
    # One model-matrix call for the whole grid (formulaic is slow per call), then average.
    design = _design(_frame(records, data), data).reshape(len(cells), len(combos), -1)
    rows = list(design.mean(axis=1))
    # visit-major order (all arms at visit 1, then visit 2, ...), as SAS and emmeans print them
    order = sorted(range(len(cells)), key=lambda i: (visits.index(cells[i][1]), i))
    return [cells[i] for i in order], np.array([rows[i] for i in order])


def gcomp_rows(
    data: MmrmData, arm: str, visit: str | None, beta: Array
) -> tuple[list[tuple[Any, Any]], Array, Array]:
    """Cells, mean L rows and the variance S/n of the subjects' predicted potential outcomes."""
    subjects = data.all_subjects_frame.copy()
    variables = [v for v in fixed_variables(data) if v not in (arm, visit)]
    subjects = subjects.dropna(subset=variables).reset_index(drop=True)
    n = len(subjects)
    cells = [
        (arm_level, visit_level)
        for visit_level in visit_levels(data, visit)
        for arm_level in data.factor_levels[arm]
    ]
    records = []
    for arm_level, visit_level in cells:
        grid = subjects[variables].copy()
        if visit is not None:
            grid[visit] = visit_level
        grid[arm] = arm_level
        records.extend(grid.to_dict("records"))
    design = _design(_frame(records, data), data).reshape(len(cells), n, -1)
    outcomes = design @ beta  # (cells, subjects)
    rows = design.mean(axis=1)
    extra = np.var(outcomes, axis=1, ddof=1) / n if n > 1 else np.zeros(len(cells))
    return cells, rows, extra
