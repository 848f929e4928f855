"""Efficacy tables: change from baseline by arm and visit, the LS-mean difference at the primary
endpoint (MMRM), and Cohen's d.

Input (one row per participant × visit; docs/analysis/tables.md): ``subject, arm, visit, value``,
where ``value`` is the score at that visit (e.g. CAPS-5 total, 0–80) and missing when the visit
was not assessed. The baseline is either the rows whose ``visit`` is the baseline label (default
``"baseline"``), or a ``baseline`` column on every row (then no baseline rows may be present).
Change = value - baseline (for CAPS-5, negative is improvement).

The primary analysis is an MMRM on change from baseline, by default
``CHG ~ BASE + ARM*VISIT + us(VISIT | SUBJ)``, REML, Kenward–Roger d.f. (MAPP1/MAPP2 used an MMRM
on CAPS-5 change with LS means [S2]; their covariates and covariance structure were not found,
clinical-facts.md §5.4, so these are our defaults). The engine is `mdma_at.analysis.mmrm`.

Cohen's d, two named definitions (`EffectSizeSD`):
- ``pooled_change_sd`` (default): LS-mean difference at the endpoint / pooled SD of the observed
  change at the endpoint. This is MAPP1's definition: (-24.4 - -13.9) / pooled(11.6, 11.5) gives
  0.91 [S1][S4].
- ``pooled_baseline_sd``: the same difference / pooled SD of the baseline scores of all
  participants with a baseline.
Pooled SD = sqrt(((n1 - 1) s1² + (n2 - 1) s2²) / (n1 + n2 - 2)). The sign is chosen so that a
positive d favours the treatment arm (``lower_is_better=True`` for CAPS-5: d = (control -
treatment) / SD), as the MAPP papers report it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mdma_at.analysis.table_errors import (
    TableInputError,
    require_columns,
    require_frame,
    require_known_arms,
    require_no_missing,
    require_numeric,
    show,
)

TABLE = "efficacy"
COLUMNS = ("subject", "arm", "visit", "value")
BASELINE = "baseline"
COVARIANCE_STRUCTURES = ("us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh", "diag")


class EffectSizeSD(StrEnum):
    """Which standard deviation divides the LS-mean difference in Cohen's d."""

    POOLED_CHANGE_SD = "pooled_change_sd"  # MAPP1 (Mitchell 2021): d = 0.91
    POOLED_BASELINE_SD = "pooled_baseline_sd"


@dataclass(frozen=True, slots=True)
class CohensD:
    """Cohen's d with the definition used.

    Attributes:
        d: difference / pooled SD, signed so that positive favours the treatment arm.
        difference: the mean (or LS-mean) difference, treatment - control, in score points.
        pooled_sd: the pooled SD, in score points.
        sd_definition: an `EffectSizeSD` value.
        n_treatment: participants whose values gave the treatment arm's SD.
        n_control: participants whose values gave the control arm's SD.
        lower: approximate lower confidence limit of d (large-sample variance
            (n1 + n2) / (n1 n2) + d² / (2 (n1 + n2)), Hedges & Olkin 1985).
        upper: approximate upper confidence limit of d.
        level: confidence level of (lower, upper).
    """

    d: float
    difference: float
    pooled_sd: float
    sd_definition: str
    n_treatment: int
    n_control: int
    lower: float
    upper: float
    level: float

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "d": self.d,
            "difference": self.difference,
            "pooled_sd": self.pooled_sd,
            "sd_definition": self.sd_definition,
            "n_treatment": self.n_treatment,
            "n_control": self.n_control,
            "lower": self.lower,
            "upper": self.upper,
            "level": self.level,
        }


def pooled_sd(sd_treatment: float, n_treatment: int, sd_control: float, n_control: int) -> float:
    """Pooled SD of two groups: sqrt(((n1 - 1) s1² + (n2 - 1) s2²) / (n1 + n2 - 2)).

    Raises:
        TableInputError: a negative SD, or fewer than 2 participants in a group.
    """
    for name, sd, n in (
        ("treatment", sd_treatment, n_treatment),
        ("control", sd_control, n_control),
    ):
        if not sd >= 0:
            raise TableInputError(f"sd_{name}", f"SD must be a non-negative number, got {sd!r}")
        if n < 2:
            raise TableInputError(f"n_{name}", f"an SD needs at least 2 participants, got {n}")
    pooled_var = ((n_treatment - 1) * sd_treatment**2 + (n_control - 1) * sd_control**2) / (
        n_treatment + n_control - 2
    )
    return math.sqrt(pooled_var)


def cohens_d(
    difference: float,
    sd_treatment: float,
    n_treatment: int,
    sd_control: float,
    n_control: int,
    sd_definition: EffectSizeSD | str = EffectSizeSD.POOLED_CHANGE_SD,
    lower_is_better: bool = True,
    level: float = 0.95,
) -> CohensD:
    """Cohen's d from a difference and the two groups' SDs (summary statistics).

    Args:
        difference: treatment - control (LS-mean or mean difference), in score points.
        sd_treatment: SD of the chosen quantity (change or baseline) in the treatment arm.
        n_treatment: participants behind `sd_treatment`.
        sd_control: SD in the control arm.
        n_control: participants behind `sd_control`.
        sd_definition: which SD the caller passed (recorded in the result).
        lower_is_better: True for CAPS-5 (a fall is improvement): d = -difference / pooled SD, so
            positive d favours the treatment arm.
        level: confidence level of the approximate interval.

    Example:
        MAPP1: ``cohens_d(-24.4 - -13.9, 11.6, 42, 11.5, 37).d`` is 0.909, reported 0.91.

    Raises:
        TableInputError: as `pooled_sd`; a pooled SD of 0; a level outside (0, 1).
    """
    definition = _sd_definition(sd_definition)
    if not 0 < level < 1:
        raise TableInputError("level", f"confidence level must be between 0 and 1, got {level!r}")
    sd = pooled_sd(sd_treatment, n_treatment, sd_control, n_control)
    if sd == 0:
        raise TableInputError("sd", "pooled SD is 0: Cohen's d is undefined")
    d = (-difference if lower_is_better else difference) / sd
    n1, n2 = n_treatment, n_control
    se = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    z = float(stats.norm.isf((1 - level) / 2))
    return CohensD(d, difference, sd, str(definition), n1, n2, d - z * se, d + z * se, level)


def derive_change(
    data: pd.DataFrame,
    arms: Sequence[str] | None = None,
    baseline_visit: Any = BASELINE,
    visits: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Long table of change from baseline: one row per participant × post-baseline visit.

    Args:
        data: ``subject, arm, visit, value`` (+ optional ``baseline`` column), see module doc.
        arms: allowed arm labels; any other arm is refused. Default: the arms in the data.
        baseline_visit: the visit label of the baseline rows.
        visits: post-baseline visit order; any other visit is refused. Default: pandas
            Categorical order, else numbers ascending, else order of first appearance.

    Returns:
        ``subject, arm, visit, baseline, value, change`` with ``visit`` an ordered Categorical;
        ``value`` and ``change`` are missing where the visit was not assessed.

    Raises:
        TableInputError: missing column, unknown arm or visit, non-numeric value, a participant
            in two arms, a visit twice for one participant, a participant without a baseline, or
            baseline rows together with a ``baseline`` column.
    """
    frame = require_frame(data, TABLE)
    require_columns(frame, TABLE, COLUMNS)
    require_no_missing(frame, TABLE, ("subject", "arm", "visit"))
    if arms is not None:
        require_known_arms(frame, TABLE, arms)
    frame = frame.copy()
    frame["value"] = require_numeric(frame, TABLE, "value")
    arms_per_subject = frame.groupby("subject")["arm"].nunique()
    if (arms_per_subject > 1).any():
        subject = arms_per_subject[arms_per_subject > 1].index[0]
        raise TableInputError(f"{TABLE}.arm", f"subject {show(subject)} appears in two arms")
    duplicated = frame.duplicated(["subject", "visit"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise TableInputError(
            f"{TABLE}.visit",
            f"subject {show(row['subject'])} has visit {show(row['visit'])} more than once",
        )
    is_baseline = frame["visit"].astype(str) == str(baseline_visit)
    if "baseline" in frame.columns:
        if is_baseline.any():
            raise TableInputError(
                f"{TABLE}.baseline",
                f"both a 'baseline' column and {show(baseline_visit)} rows: give the baseline once",
            )
        frame["baseline"] = require_numeric(frame, TABLE, "baseline")
        per_subject = frame.groupby("subject")["baseline"].nunique()
        if (per_subject > 1).any():
            raise TableInputError(
                f"{TABLE}.baseline",
                f"subject {show(per_subject[per_subject > 1].index[0])} has two baseline values",
            )
        post = frame
        base = frame.groupby("subject", sort=False)["baseline"].first()
    else:
        base = frame[is_baseline].set_index("subject")["value"]
        post = frame[~is_baseline].drop(columns=[], errors="ignore")
    base = base.reindex(pd.unique(frame["subject"]))
    no_base = base[base.isna()]
    if not no_base.empty:
        raise TableInputError(
            f"{TABLE}.value" if "baseline" not in frame.columns else f"{TABLE}.baseline",
            f"subject {show(no_base.index[0])} has no baseline value ({len(no_base)} in all)",
        )
    order = _visit_order(post["visit"], visits)
    out = pd.DataFrame(
        {
            "subject": post["subject"].to_numpy(),
            "arm": post["arm"].to_numpy(),
            "visit": pd.Categorical(post["visit"], categories=order, ordered=True),
            "baseline": post["subject"].map(base).to_numpy(dtype=float),
            "value": post["value"].to_numpy(dtype=float),
        }
    )
    out["change"] = out["value"] - out["baseline"]
    arm_order = list(arms) if arms is not None else list(pd.unique(frame["arm"]))
    out["_arm"] = out["arm"].map({a: i for i, a in enumerate(arm_order)})
    out = out.sort_values(["_arm", "visit", "subject"], kind="stable").drop(columns="_arm")
    return out.reset_index(drop=True)


def change_from_baseline_table(
    data: pd.DataFrame,
    arms: Sequence[str] | None = None,
    baseline_visit: Any = BASELINE,
    visits: Sequence[Any] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Observed change from baseline by arm and visit (descriptive, no model).

    Each row summarises the participants assessed at that visit (``n``); the baseline columns
    describe the same participants, so ``change_mean = value_mean - baseline_mean``.

    Returns:
        One row per arm × post-baseline visit: ``arm, visit, n, baseline_mean, baseline_sd,
        value_mean, value_sd, change_mean, change_sd, change_se, change_lower, change_upper``
        (t interval at `level`; SD and interval missing when n < 2).

    Raises:
        TableInputError: as `derive_change`.
    """
    if not 0 < level < 1:
        raise TableInputError("level", f"confidence level must be between 0 and 1, got {level!r}")
    change = derive_change(data, arms, baseline_visit, visits)
    observed = change[change["value"].notna()]
    arm_order = list(arms) if arms is not None else list(pd.unique(change["arm"]))
    rows = []
    for arm in arm_order:
        for visit in change["visit"].cat.categories:
            cell = observed[(observed["arm"] == arm) & (observed["visit"] == visit)]
            n = len(cell)
            sd = cell["change"].std(ddof=1) if n > 1 else math.nan
            se = sd / math.sqrt(n) if n > 1 else math.nan
            half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se if n > 1 else math.nan
            mean = cell["change"].mean() if n else math.nan
            rows.append(
                {
                    "arm": arm,
                    "visit": visit,
                    "n": n,
                    "baseline_mean": cell["baseline"].mean() if n else math.nan,
                    "baseline_sd": cell["baseline"].std(ddof=1) if n > 1 else math.nan,
                    "value_mean": cell["value"].mean() if n else math.nan,
                    "value_sd": cell["value"].std(ddof=1) if n > 1 else math.nan,
                    "change_mean": mean,
                    "change_sd": sd,
                    "change_se": se,
                    "change_lower": mean - half,
                    "change_upper": mean + half,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PrimaryEndpoint:
    """The MMRM primary analysis at the endpoint visit.

    Attributes:
        endpoint_visit: the visit of the primary endpoint (e.g. ``"week18"``).
        treatment: active arm label; control: reference arm label.
        difference: LS-mean difference, treatment - control: ``estimate, se, df, t, p, lower,
            upper`` (two-sided p; t-based CI at `level`; d.f. as `df_method`).
        lsmeans: LS mean of change per arm at the endpoint (``arm, visit, estimate, se, df,
            lower, upper``).
        by_visit: the model at every post-baseline visit: ``visit, treatment_lsmean,
            control_lsmean, difference, se, df, t, p, lower, upper`` (treatment - control).
        effect_sizes: Cohen's d under both SD definitions, the default first; a definition is
            left out where an arm has fewer than two values for its SD (a very small trial).
        formula: the MMRM formula fitted; method: "reml" or "ml"; df_method: d.f. method.
        converged: the engine's convergence flag; n_subjects, n_observations: analysed.
    """

    endpoint_visit: str
    treatment: str
    control: str
    difference: Mapping[str, float]
    lsmeans: pd.DataFrame
    by_visit: pd.DataFrame
    effect_sizes: tuple[CohensD, ...]
    formula: str
    method: str
    df_method: str
    converged: bool
    n_subjects: int
    n_observations: int
    level: float
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (non-finite numbers as None)."""
        return {
            "endpoint_visit": self.endpoint_visit,
            "treatment": self.treatment,
            "control": self.control,
            "difference": {k: _finite(v) for k, v in self.difference.items()},
            "lsmeans": json.loads(self.lsmeans.to_json(orient="records", double_precision=15)),
            "by_visit": json.loads(self.by_visit.to_json(orient="records", double_precision=15)),
            "effect_sizes": [e.as_dict() for e in self.effect_sizes],
            "formula": self.formula,
            "method": self.method,
            "df_method": self.df_method,
            "converged": self.converged,
            "n_subjects": self.n_subjects,
            "n_observations": self.n_observations,
            "level": self.level,
            "notes": list(self.notes),
        }


def mmrm_frame(change: pd.DataFrame) -> pd.DataFrame:
    """The MMRM input built from `derive_change`: ``SUBJ, ARM, VISIT, BASE, CHG`` (string ids)."""
    return pd.DataFrame(
        {
            "SUBJ": change["subject"].astype(str).to_numpy(),
            "ARM": change["arm"].astype(str).to_numpy(),
            "VISIT": pd.Categorical(
                change["visit"].astype(str),
                categories=[str(v) for v in change["visit"].cat.categories],
            ),
            "BASE": change["baseline"].to_numpy(dtype=float),
            "CHG": change["change"].to_numpy(dtype=float),
        }
    )


def primary_endpoint_analysis(
    data: pd.DataFrame,
    treatment: str,
    control: str,
    endpoint_visit: Any,
    baseline_visit: Any = BASELINE,
    visits: Sequence[Any] | None = None,
    covariance: str = "us",
    method: str = "reml",
    df: str = "kenward-roger",
    adjust_for_baseline: bool = True,
    level: float = 0.95,
    lower_is_better: bool = True,
) -> PrimaryEndpoint:
    """LS-mean difference in change from baseline at the primary endpoint, and Cohen's d.

    Fits ``CHG ~ BASE + ARM*VISIT + <covariance>(VISIT | SUBJ)`` (without ``BASE`` when
    `adjust_for_baseline` is False) with the control arm as the reference level, then takes the
    treatment - control contrast of LS means at `endpoint_visit`. Participants with missing
    visits keep their observed visits (likelihood-based, missing at random).

    Args:
        data: ``subject, arm, visit, value`` (see `derive_change`); only the two named arms.
        treatment: the active arm. control: the reference arm.
        endpoint_visit: the primary-endpoint visit label (e.g. ``"week18"``).
        baseline_visit: label of the baseline rows.
        visits: post-baseline visit order (default: see `derive_change`).
        covariance: us (default), cs, csh, ar1, ar1h, toep, toeph, ad, adh or diag.
        method: "reml" (default) or "ml". df: "kenward-roger" (default) or "satterthwaite".
        adjust_for_baseline: include the baseline score as a covariate (default True).
        level: confidence level.
        lower_is_better: sign convention of Cohen's d (see `cohens_d`).

    Raises:
        TableInputError: as `derive_change`; an unknown endpoint visit, covariance or arm; an
            arm with fewer than 2 participants observed at the endpoint (Cohen's d).
        mdma_at.analysis.mmrm.MmrmError: the engine refused the model (its message says why).
    """
    from mdma_at.analysis.mmrm import fit_mmrm  # the engine is imported only when it is used

    if treatment == control:
        raise TableInputError("control", f"control arm must differ from treatment {treatment!r}")
    if covariance not in COVARIANCE_STRUCTURES:
        raise TableInputError(
            "covariance",
            f"unknown covariance structure {covariance!r}; "
            f"expected one of {', '.join(COVARIANCE_STRUCTURES)}",
        )
    change = derive_change(data, (treatment, control), baseline_visit, visits)
    categories = [str(v) for v in change["visit"].cat.categories]
    if str(endpoint_visit) not in categories:
        raise TableInputError(
            "endpoint_visit",
            f"visit {endpoint_visit!r} is not a post-baseline visit of the data "
            f"(visits: {', '.join(categories)})",
        )
    for arm in (treatment, control):
        if not (change["arm"] == arm).any():
            raise TableInputError(f"{TABLE}.arm", f"no participants in arm {arm!r}")
    covariates = "BASE + " if adjust_for_baseline else ""
    formula = f"CHG ~ {covariates}ARM*VISIT + {covariance}(VISIT | SUBJ)"
    fit = fit_mmrm(
        mmrm_frame(change),
        formula,
        method=method,
        df=df,
        reference={"ARM": str(control)},
        levels={"VISIT": categories},
        arm="ARM",
    )
    contrast = fit.lsmean_contrast(str(endpoint_visit), str(treatment), str(control), level)
    lsmeans = fit.lsmeans("ARM", level=level)
    lsmeans = lsmeans[lsmeans["visit"] == str(endpoint_visit)]
    lsmeans = lsmeans.set_index("arm").loc[[str(treatment), str(control)]].reset_index()
    at_endpoint = change[(change["visit"].astype(str) == str(endpoint_visit))]
    observed = at_endpoint[at_endpoint["value"].notna()]
    baseline_rows = change.drop_duplicates("subject")
    sizes = {
        EffectSizeSD.POOLED_CHANGE_SD: observed.groupby("arm")["change"],
        EffectSizeSD.POOLED_BASELINE_SD: baseline_rows.groupby("arm")["baseline"],
    }
    effect_sizes = []
    for definition, grouped in sizes.items():
        sd, n = grouped.std(ddof=1), grouped.count()
        if min(int(n.get(treatment, 0)), int(n.get(control, 0))) < 2:
            continue  # an arm's SD needs two values: no d under this definition, not a guess
        effect_sizes.append(
            cohens_d(
                contrast["estimate"],
                float(sd.get(treatment, math.nan)),
                int(n.get(treatment, 0)),
                float(sd.get(control, math.nan)),
                int(n.get(control, 0)),
                definition,
                lower_is_better,
                level,
            )
        )
    return PrimaryEndpoint(
        endpoint_visit=str(endpoint_visit),
        treatment=str(treatment),
        control=str(control),
        difference=dict(contrast),
        lsmeans=lsmeans,
        by_visit=_by_visit(fit, categories, str(treatment), str(control), level),
        effect_sizes=tuple(effect_sizes),
        formula=formula,
        method=method,
        df_method=df,
        converged=bool(fit.converged),
        n_subjects=int(fit.n_subjects),
        n_observations=int(fit.n_observations),
        level=level,
    )


def _by_visit(
    fit: Any, visits: Sequence[str], treatment: str, control: str, level: float
) -> pd.DataFrame:
    """LS means of both arms and their difference at every visit, from a fitted MMRM."""
    means = fit.lsmeans("ARM", level=level).set_index(["arm", "visit"])["estimate"]
    rows = []
    for visit in visits:
        contrast = fit.lsmean_contrast(visit, treatment, control, level)
        rows.append(
            {
                "visit": visit,
                "treatment_lsmean": float(means[(treatment, visit)]),
                "control_lsmean": float(means[(control, visit)]),
                "difference": contrast["estimate"],
                **{k: contrast[k] for k in ("se", "df", "t", "p", "lower", "upper")},
            }
        )
    return pd.DataFrame(rows)


def change_table_to_dict(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `change_from_baseline_table` as plain dicts for JSON (NaN as None)."""
    records: list[dict[str, Any]] = json.loads(
        table.astype({"visit": str}).to_json(orient="records", double_precision=15)
    )
    return records


def _visit_order(visits: pd.Series, order: Sequence[Any] | None) -> list[Any]:
    present = list(pd.unique(visits))
    if order is not None:
        unknown = [v for v in present if v not in set(order)]
        if unknown:
            raise TableInputError(
                f"{TABLE}.visit",
                f"unknown visit {show(unknown[0])}; expected one of "
                f"{', '.join(show(v) for v in order)}",
            )
        return list(order)
    if isinstance(visits.dtype, pd.CategoricalDtype):
        return [v for v in visits.cat.categories if v in set(present)]
    if pd.api.types.is_numeric_dtype(visits):
        return sorted(present)
    return present


def _sd_definition(value: EffectSizeSD | str) -> EffectSizeSD:
    try:
        return EffectSizeSD(value)
    except ValueError:
        raise TableInputError(
            "sd_definition",
            f"unknown SD definition {value!r}; expected 'pooled_change_sd' or 'pooled_baseline_sd'",
        ) from None


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
