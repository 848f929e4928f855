"""`MmrmFit`: a fitted MMRM, its tables and the JSON contract of ``mdma-at analyze mmrm``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from mdma_at.analysis.mmrm import lsmeans as _lsmeans
from mdma_at.analysis.mmrm.anova import model_terms, type2_contrasts, type3_contrasts
from mdma_at.analysis.mmrm.design import MmrmData
from mdma_at.analysis.mmrm.errors import InvalidOption, UnknownLevel
from mdma_at.analysis.mmrm.inference import Inference, Wald
from mdma_at.analysis.mmrm.parameters import CovarianceModel
from mdma_at.analysis.mmrm.prediction import between_within_df, empirical_vcov, predict

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Covariance:
    """The fitted within-subject covariance: structure, visit order, Sigma per group."""

    structure: str
    visits: list[str]
    matrix: Array  # Sigma of the first (or only) group
    parameters: dict[str, float]  # natural (SAS) parametrisation, then sp_exp's rho
    group: str | None = None
    by_group: dict[str, Array] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        """``sigma, visits = fit.covariance`` (the pair the issue's API sketch names)."""
        return iter((self.matrix, self.visits))


def _t_summary(estimate: float, se: float, df: float, level: float) -> dict[str, float]:
    t = estimate / se if se > 0 else math.nan
    p = float(2.0 * stats.t.sf(abs(t), df)) if math.isfinite(t) else math.nan
    half = float(stats.t.ppf(0.5 + level / 2.0, df)) * se
    return {
        "estimate": float(estimate),
        "se": float(se),
        "df": float(df),
        "t": float(t),
        "p": p,
        "lower": float(estimate - half),
        "upper": float(estimate + half),
    }


class MmrmFit:
    """A fitted mixed model for repeated measures.

    Attributes:
        coefficients: DataFrame with term, estimate, se, df, t, p, lower, upper (95% CI).
        loglik: log-likelihood (REML or ML, as fitted).
        aic, bic: -2 loglik + k * (2 or log n_subjects); k counts the covariance parameters,
            plus the fixed effects for ML (SAS's convention); n_subjects counts subjects with at
            least one observed response (mmrm's convention).
        aicc: SAS's small-sample AIC, -2 loglik + 2k n*/(n* - k - 1), n* = N - p (REML) or N.
        converged: whether the optimiser met its gradient criterion with a positive-definite
            Hessian; `convergence` says more.
        covariance: the fitted `Covariance`.
    """

    def __init__(
        self,
        data: MmrmData,
        model: CovarianceModel,
        phi: Array,
        minus2_loglik: float,
        inference: Inference,
        *,
        method: str,
        df_method: str,
        arm: str | None,
        convergence: dict[str, Any],
        visit: str | None = None,
    ) -> None:
        self.data = data
        self.model = model
        self.phi = phi
        self.method = method
        self.df_method = df_method
        self.vcov_method = inference.vcov_method
        self.arm = arm
        self.visit = visit  # the column whose values are the LS-means visits (None: none)
        self.inference = inference
        self._grid_cache: dict[str | None, tuple[list[Any], Array]] = {}
        self.convergence = convergence
        self.converged = bool(convergence["converged"])
        self.loglik = -0.5 * minus2_loglik
        self.n_subjects = data.n_subjects
        self.n_observations = data.n_observations
        self.n_covariance_parameters = model.n_params
        k = model.n_params + (len(inference.beta) if method == "ml" else 0)
        self.aic = minus2_loglik + 2.0 * k
        self.bic = minus2_loglik + math.log(data.n_subjects) * k
        # SAS's AICC: n* = N - p for REML, N for ML (and +inf when n* <= k + 1).
        effective = data.n_observations - (len(inference.beta) if method == "reml" else 0)
        self.aicc = (
            minus2_loglik + 2.0 * k * effective / (effective - k - 1)
            if effective > k + 1
            else math.inf
        )
        self.beta = inference.beta
        self.vcov = inference.vcov
        self.term_names = list(data.column_names)
        self.coefficients = self._coefficient_table()
        sigmas = model.sigmas_natural(phi)
        group = data.formula.covariance.group
        self.covariance = Covariance(
            structure=model.structure.name,
            visits=list(data.visit_levels),
            matrix=sigmas[0],
            parameters=model.report(phi, data.group_levels),
            group=group,
            by_group=(
                dict(zip(data.group_levels, sigmas, strict=True))
                if data.group_levels is not None
                else {}
            ),
        )

    # -- fixed effects -------------------------------------------------------------------------
    def _coefficient_table(self, level: float = 0.95) -> pd.DataFrame:
        rows = []
        for j, term in enumerate(self.term_names):
            c = np.zeros(len(self.beta))
            c[j] = 1.0
            rows.append(
                {
                    "term": term,
                    **_t_summary(
                        float(self.beta[j]), self.inference.se(c), self.inference.df(c), level
                    ),
                }
            )
        return pd.DataFrame(
            rows, columns=["term", "estimate", "se", "df", "t", "p", "lower", "upper"]
        )

    def contrast(self, vector: Array | list[float], level: float = 0.95) -> dict[str, float]:
        """Estimate, se, df, t, p and CI of ``c' beta`` for a coefficient vector ``c``."""
        _check_level(level)
        c = np.asarray(vector, dtype=float)
        return _t_summary(float(c @ self.beta), self.inference.se(c), self.inference.df(c), level)

    def wald_test(self, contrasts: Array) -> Wald:
        """F test of ``L beta = 0`` (rows of L full rank); KR-scaled F with Kenward-Roger."""
        return self.inference.wald(np.asarray(contrasts, dtype=float))

    def term_test(self, term: str) -> Wald:
        """Joint test that every coefficient of one formula term is zero (car's type III).

        ``term`` is written as in the formula, e.g. ``RACE`` or ``ARMCD:AVISIT``.
        """
        wanted = set(term.split(":"))
        picks = [
            j
            for j, name in enumerate(self.term_names)
            if {part.split("[")[0] for part in name.split(":")} == wanted
        ]
        if not picks:
            raise UnknownLevel("term", f"no coefficient belongs to the term {term!r}")
        contrasts = np.zeros((len(picks), len(self.beta)))
        contrasts[np.arange(len(picks)), picks] = 1.0
        return self.wald_test(contrasts)

    def anova(self, htype: int = 3) -> pd.DataFrame:
        """Type II or III tests (SAS hypotheses): effect, num_df, den_df, F, p per term."""
        if htype not in (2, 3):
            raise InvalidOption("htype", f"ANOVA type {htype!r} must be 2 or 3")
        contrasts = type3_contrasts if htype == 3 else type2_contrasts
        rows = []
        for term in model_terms(self.data):
            wald = self.wald_test(contrasts(self.data, term))
            p = float(stats.f.sf(wald.f, wald.num_df, wald.den_df))
            rows.append(
                {
                    "effect": term,
                    "num_df": wald.num_df,
                    "den_df": float(wald.den_df),
                    "F": wald.f,
                    "p": p,
                }
            )
        return pd.DataFrame(rows, columns=["effect", "num_df", "den_df", "F", "p"])

    def predict(self, data: pd.DataFrame, *, conditional: bool = True) -> pd.DataFrame:
        """Prediction and se per row of ``data`` (see `prediction.predict`)."""
        return predict(self, data, conditional=conditional)

    def empirical_vcov(self, *, jackknife: bool = False) -> Array:
        """Sandwich covariance of the coefficients: CR0 (SAS ``empirical``) or CR3 (jackknife).

        To use it for every SE, test, CI and LS mean, fit with ``vcov="empirical"`` or
        ``vcov="jackknife"`` instead.
        """
        return empirical_vcov(self, jackknife=jackknife)

    def between_within_df(self) -> pd.Series:
        """SAS's between-within d.f. per coefficient (see `prediction.between_within_df`)."""
        return between_within_df(self)

    # -- least-squares means -------------------------------------------------------------------
    def _equal_weight_rows(self, arm: str | None) -> tuple[list[Any], Array]:
        if arm not in self._grid_cache:
            self._grid_cache[arm] = _lsmeans.equal_weight_rows(self.data, arm, self.visit)
        return self._grid_cache[arm]

    def _lsmean_rows(self, arm: str | None, weights: str) -> tuple[list[Any], Array, Array]:
        if weights == "equal":
            cells, rows = self._equal_weight_rows(arm)
            return cells, rows, np.zeros(len(cells))
        if weights == "gcomp":
            if arm is None:
                raise InvalidOption("arm", "g-computation LS means need an arm factor")
            return _lsmeans.gcomp_rows(self.data, arm, self.visit, self.beta)
        raise InvalidOption("weights", f"unknown LS-mean weighting {weights!r}; use equal or gcomp")

    def lsmeans(
        self, arm: str | None = None, *, weights: str = "equal", level: float = 0.95
    ) -> pd.DataFrame:
        """LS mean per arm x visit: arm, visit, estimate, se, df, lower, upper.

        ``weights="equal"`` is SAS LSMEANS / emmeans' default; ``"gcomp"`` averages predictions
        over all randomised subjects and adds their between-subject variance (mmrm's
        ``emmeans_gcomp_vars``), see docs/analysis/mmrm.md.
        """
        _check_level(level)
        arm = arm or self.arm
        cells, rows, extra = self._lsmean_rows(arm, weights)
        records = []
        for (arm_level, visit_level), row, add in zip(cells, rows, extra, strict=True):
            se = math.sqrt(self.inference.se(row) ** 2 + add)
            summary = _t_summary(float(row @ self.beta), se, self.inference.df(row), level)
            records.append(
                {
                    "arm": None if arm_level is None else str(arm_level),
                    "visit": None if visit_level is None else str(visit_level),
                    **{k: summary[k] for k in ("estimate", "se", "df", "lower", "upper")},
                }
            )
        return pd.DataFrame(
            records, columns=["arm", "visit", "estimate", "se", "df", "lower", "upper"]
        )

    def lsmean_contrast(
        self,
        visit: str,
        arm: str,
        reference_arm: str,
        level: float = 0.95,
        *,
        arm_factor: str | None = None,
    ) -> dict[str, float]:
        """``arm`` minus ``reference_arm`` LS mean at ``visit``: estimate, se, df, t, p, CI.

        Two-sided p-value; the CI has confidence ``level`` (0 < level < 1).
        """
        _check_level(level)
        factor = arm_factor or self.arm
        cells, rows = self._equal_weight_rows(factor)
        lookup = {(str(a), str(v)): row for (a, v), row in zip(cells, rows, strict=True)}
        for name, value in (("arm", arm), ("reference_arm", reference_arm)):
            if (str(value), str(visit)) not in lookup:
                raise UnknownLevel(name, f"no LS mean for {factor}={value!r} at visit {visit!r}")
        c = lookup[(str(arm), str(visit))] - lookup[(str(reference_arm), str(visit))]
        return self.contrast(c, level)

    # -- the JSON contract ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``mdma-at analyze mmrm --json`` document (non-finite numbers become null)."""
        covariance: dict[str, Any] = {
            "structure": self.covariance.structure,
            "visits": self.covariance.visits,
            "matrix": _matrix(self.covariance.matrix),
        }
        if self.covariance.group is not None:
            covariance["group"] = self.covariance.group
            covariance["by_group"] = {
                level: _matrix(m) for level, m in self.covariance.by_group.items()
            }
        return {
            "coefficients": _records(self.coefficients),
            "covariance": covariance,
            "loglik": _number(self.loglik),
            "aic": _number(self.aic),
            "bic": _number(self.bic),
            "lsmeans": _records(self.lsmeans()),
            "converged": self.converged,
            "n_subjects": self.n_subjects,
            "n_observations": self.n_observations,
        }


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise InvalidOption(
            "level", f"confidence level {level!r} must lie strictly between 0 and 1"
        )


def _number(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _matrix(matrix: Array) -> list[list[float | None]]:
    return [[_number(float(v)) for v in row] for row in matrix]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _number(v) for k, v in row.items()} for row in frame.to_dict("records")]
