"""Efficacy tables: change from baseline, the MMRM LS-mean difference at the endpoint, Cohen's d."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mdma_at.analysis.efficacy import (
    EffectSizeSD,
    change_from_baseline_table,
    change_table_to_dict,
    cohens_d,
    derive_change,
    pooled_sd,
    primary_endpoint_analysis,
)
from mdma_at.analysis.table_errors import TableInputError

VISITS = ["week6", "week12", "week18"]


def _tiny() -> pd.DataFrame:
    """Two participants per arm, hand-computable."""
    rows = [
        ("m1", "mdma", "baseline", 40),
        ("m1", "mdma", "week6", 30),
        ("m1", "mdma", "week18", 10),
        ("m2", "mdma", "baseline", 44),
        ("m2", "mdma", "week6", 40),
        ("m2", "mdma", "week18", None),  # missed the endpoint
        ("p1", "placebo", "baseline", 38),
        ("p1", "placebo", "week6", 36),
        ("p1", "placebo", "week18", 28),
        ("p2", "placebo", "baseline", 42),
        ("p2", "placebo", "week6", 40),
        ("p2", "placebo", "week18", 30),
    ]
    return pd.DataFrame(rows, columns=["subject", "arm", "visit", "value"])


def _simulated(seed: int = 7, n: int = 30, missing: float = 0.1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for arm, effect in (("mdma", -24.0), ("placebo", -14.0)):
        for i in range(n):
            subject, base = f"{arm}-{i}", rng.normal(40, 6)
            rows.append({"subject": subject, "arm": arm, "visit": "baseline", "value": base})
            level = rng.normal(0, 5)
            for k, visit in enumerate(VISITS):
                value = base + effect * (k + 1) / 3 + level + rng.normal(0, 5)
                if rng.random() < missing:
                    value = math.nan
                rows.append({"subject": subject, "arm": arm, "visit": visit, "value": value})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- change from baseline


def test_change_is_the_visit_value_minus_the_baseline_row() -> None:
    change = derive_change(_tiny(), ["mdma", "placebo"], visits=["week6", "week18"])
    m1 = change[change["subject"] == "m1"].set_index("visit")["change"]
    assert m1["week6"] == -10
    assert m1["week18"] == -30
    assert list(change["visit"].cat.categories) == ["week6", "week18"]


def test_a_baseline_column_works_like_baseline_rows() -> None:
    rows = _tiny()
    base = rows[rows["visit"] == "baseline"].set_index("subject")["value"]
    post = rows[rows["visit"] != "baseline"].assign(baseline=lambda f: f["subject"].map(base))
    from_rows = derive_change(rows, visits=["week6", "week18"])
    from_column = derive_change(post, visits=["week6", "week18"])
    pd.testing.assert_frame_equal(from_rows, from_column)


def test_the_change_table_summarises_participants_assessed_at_each_visit() -> None:
    table = change_from_baseline_table(_tiny(), ["mdma", "placebo"], visits=["week6", "week18"])
    table = table.set_index(["arm", "visit"])
    endpoint = table.loc[("mdma", "week18")]
    assert endpoint["n"] == 1  # m2 missed the endpoint
    assert endpoint["change_mean"] == -30
    assert math.isnan(endpoint["change_sd"])
    placebo = table.loc[("placebo", "week18")]
    # changes -10 and -12: mean -11, SD sqrt(2), SE 1, t(0.975, 1) = 12.706
    assert placebo["change_mean"] == -11
    assert placebo["change_sd"] == pytest.approx(math.sqrt(2))
    assert placebo["change_se"] == pytest.approx(1.0)
    assert placebo["change_lower"] == pytest.approx(-11 - stats.t.ppf(0.975, 1))
    assert placebo["baseline_mean"] == 40
    assert placebo["value_mean"] == 29


def test_the_change_table_converts_to_json_records() -> None:
    records = change_table_to_dict(change_from_baseline_table(_tiny(), visits=["week6", "week18"]))
    assert records[0]["visit"] == "week6"
    assert records[1]["visit"] == "week18"
    assert records[1]["n"] == 1
    assert records[1]["change_sd"] is None


def test_visits_without_an_order_keep_their_first_appearance_order() -> None:
    change = derive_change(_tiny())
    assert list(change["visit"].cat.categories) == ["week6", "week18"]


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda f: f.drop(columns=["value"]), "efficacy.value", "missing column(s) 'value'"),
        (lambda f: f.assign(arm=f["arm"].replace("placebo", "lsd")), "efficacy.arm", "'lsd'"),
        (
            lambda f: f.assign(value=f["value"].astype(object).fillna("n/a")),
            "efficacy.value",
            "expected numbers, got 'n/a'",
        ),
        (
            lambda f: pd.concat([f, f.iloc[[1]]]),
            "efficacy.visit",
            "subject 'm1' has visit 'week6' more than once",
        ),
        (
            lambda f: f[~((f["subject"] == "p2") & (f["visit"] == "baseline"))],
            "efficacy.value",
            "subject 'p2' has no baseline value",
        ),
        (
            lambda f: f.assign(visit=f["visit"].replace("week6", "week7")),
            "efficacy.visit",
            "unknown visit 'week7'",
        ),
        (
            lambda f: f.assign(arm=np.where(f.index == 1, "placebo", f["arm"])),
            "efficacy.arm",
            "subject 'm1' appears in two arms",
        ),
        (lambda f: f.assign(baseline=40.0), "efficacy.baseline", "give the baseline once"),
        (
            lambda f: f.assign(subject=f["subject"].where(f.index != 0, None)),
            "efficacy.subject",
            "missing value",
        ),
    ],
)
def test_bad_efficacy_input_is_refused_naming_the_column(
    mutate: Any, field: str, message: str
) -> None:
    with pytest.raises(TableInputError) as caught:
        derive_change(mutate(_tiny()), ["mdma", "placebo"], visits=["week6", "week18"])
    assert caught.value.field == field
    assert message in caught.value.reason
    assert isinstance(caught.value, ValueError)


# --------------------------------------------------------------------------- Cohen's d


def test_mapp1_cohens_d_of_091_is_the_difference_over_the_pooled_sd_of_change() -> None:
    # MAPP1: change -24.4 (SD 11.6, n 42) vs -13.9 (SD 11.5, n 37); reported d = 0.91 [S1][S4]
    effect = cohens_d(-24.4 - -13.9, 11.6, 42, 11.5, 37)
    assert round(effect.d, 2) == 0.91
    assert effect.pooled_sd == pytest.approx(math.sqrt((41 * 11.6**2 + 36 * 11.5**2) / 77))
    assert effect.sd_definition == "pooled_change_sd"


def test_a_positive_d_favours_the_treatment_arm_unless_higher_is_better() -> None:
    assert cohens_d(-10, 10, 20, 10, 20).d == pytest.approx(1.0)
    assert cohens_d(-10, 10, 20, 10, 20, lower_is_better=False).d == pytest.approx(-1.0)


def test_the_approximate_interval_of_d_uses_the_large_sample_variance() -> None:
    effect = cohens_d(-10, 10, 20, 10, 20)
    se = math.sqrt(40 / 400 + 1 / 80)
    assert effect.lower == pytest.approx(1 - 1.959963984540054 * se)
    assert effect.upper == pytest.approx(1 + 1.959963984540054 * se)


def test_pooled_sd_weights_each_arm_by_its_degrees_of_freedom() -> None:
    assert pooled_sd(2.0, 3, 4.0, 5) == pytest.approx(math.sqrt((2 * 4 + 4 * 16) / 6))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((-10, -1.0, 20, 10, 20), "sd_treatment"),
        ((-10, 10, 1, 10, 20), "n_treatment"),
        ((-10, 10, 20, 10, 0), "n_control"),
        ((-10, 0.0, 20, 0.0, 20), "sd"),
    ],
)
def test_impossible_summary_statistics_are_refused(args: tuple, field: str) -> None:
    with pytest.raises(TableInputError) as caught:
        cohens_d(*args)
    assert caught.value.field == field


def test_an_unknown_sd_definition_is_refused() -> None:
    with pytest.raises(TableInputError, match="unknown SD definition 'raw'"):
        cohens_d(-10, 10, 20, 10, 20, sd_definition="raw")


# --------------------------------------------------------------------------- MMRM primary endpoint


def test_without_missing_data_or_covariates_the_lsmean_difference_is_the_pooled_t_test() -> None:
    # Saturated means + unstructured covariance on complete data: GLS = cell means, and the REML
    # covariance is the pooled within-arm covariance, so the contrast is the pooled-SD t test.
    data = _simulated(missing=0.0)
    result = primary_endpoint_analysis(
        data, "mdma", "placebo", "week18", visits=VISITS, adjust_for_baseline=False
    )
    change = derive_change(data, visits=VISITS)
    endpoint = change[change["visit"] == "week18"]
    a = endpoint.loc[endpoint["arm"] == "mdma", "change"]
    b = endpoint.loc[endpoint["arm"] == "placebo", "change"]
    t_test = stats.ttest_ind(a, b, equal_var=True)
    assert result.difference["estimate"] == pytest.approx(a.mean() - b.mean(), abs=1e-6)
    assert result.difference["t"] == pytest.approx(t_test.statistic, rel=1e-5)
    assert result.difference["p"] == pytest.approx(t_test.pvalue, rel=1e-4)
    assert result.difference["df"] == pytest.approx(58, abs=1e-3)
    assert result.converged
    assert result.formula == "CHG ~ ARM*VISIT + us(VISIT | SUBJ)"


FEV_VISITS = ["VIS1", "VIS2", "VIS3", "VIS4"]
# R mmrm 0.3.18 emmeans of FEV1 ~ FEV1_BL + ARMCD*AVISIT + us(AVISIT | USUBJID), REML, on mmrm's
# fev_data (tests/clinical/reference/mmrm/reference.json, case
# fev_baseline_armcd_visit_us_reml_gcomp_lsmeans, from mmrm's tests/testthat/test-gcomp.R): TRT
# minus PBO at each visit. The difference does not depend on where FEV1_BL is held (no
# interaction), and CHG ~ BASE + ... gives the same arm contrasts as FEV1 ~ FEV1_BL + ... (only
# the BASE slope moves by 1), so these are the primary analysis's differences on this data.
MMRM_TRT_MINUS_PBO = {
    "VIS1": 37.283436 - 32.618448,
    "VIS2": 41.843852 - 37.475620,
    "VIS3": 46.517238 - 42.950618,
    "VIS4": 53.001744 - 47.989686,
}


def _fev_as_efficacy_rows() -> pd.DataFrame:
    """mmrm's fev_data as ``subject, arm, visit, value`` with FEV1_BL as the baseline row."""
    path = Path(__file__).resolve().parents[2] / "clinical" / "reference" / "mmrm" / "fev_data.csv"
    fev = pd.read_csv(path)
    baseline = fev.drop_duplicates("USUBJID").assign(AVISIT="baseline", FEV1=lambda f: f.FEV1_BL)
    rows = pd.concat([baseline, fev])[["USUBJID", "ARMCD", "AVISIT", "FEV1"]]
    return rows.set_axis(["subject", "arm", "visit", "value"], axis=1).reset_index(drop=True)


@functools.cache
def _fev_primary() -> Any:
    return primary_endpoint_analysis(
        _fev_as_efficacy_rows(),
        "TRT",
        "PBO",
        "VIS4",
        visits=FEV_VISITS,
        df="satterthwaite",  # the reference case's d.f. method
        lower_is_better=False,  # FEV1: higher is better
    )


def test_the_primary_analysis_reproduces_r_mmrm_at_every_visit() -> None:
    result = _fev_primary()
    by_visit = result.by_visit.set_index("visit")
    assert by_visit.index.tolist() == FEV_VISITS
    for visit, expected in MMRM_TRT_MINUS_PBO.items():
        # mmrm's test tolerance for these LS means: 1e-4 relative
        assert by_visit.loc[visit, "difference"] == pytest.approx(expected, rel=1e-4)
    assert result.difference["estimate"] == pytest.approx(MMRM_TRT_MINUS_PBO["VIS4"], rel=1e-4)
    assert result.n_subjects == 197  # mmrm counts subjects with an observed response


def test_the_endpoint_t_p_and_interval_follow_from_estimate_se_and_df() -> None:
    # Closed forms: t = est / se, p = 2 P(T_df > |t|), CI = est -/+ t_{0.975, df} se.
    d = _fev_primary().difference
    assert d["t"] == pytest.approx(d["estimate"] / d["se"])
    assert d["p"] == pytest.approx(2 * stats.t.sf(abs(d["t"]), d["df"]))
    half = stats.t.ppf(0.975, d["df"]) * d["se"]
    assert (d["lower"], d["upper"]) == pytest.approx((d["estimate"] - half, d["estimate"] + half))


def test_cohens_d_at_the_endpoint_is_given_under_both_named_sd_definitions() -> None:
    result = _fev_primary()
    change_d, baseline_d = result.effect_sizes
    assert change_d.sd_definition == EffectSizeSD.POOLED_CHANGE_SD
    assert baseline_d.sd_definition == EffectSizeSD.POOLED_BASELINE_SD
    # By hand from the data: pooled SD = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1 + n2 - 2)) of
    # the change at VIS4 (observed) and of the baseline (every randomised subject); with higher
    # FEV1 better, d = difference / pooled SD, the difference being R mmrm's (above).
    fev = pd.read_csv(
        Path(__file__).resolve().parents[2] / "clinical" / "reference" / "mmrm" / "fev_data.csv"
    )
    endpoint = fev[(fev.AVISIT == "VIS4") & fev.FEV1.notna()]
    change = (endpoint.FEV1 - endpoint.FEV1_BL).groupby(endpoint.ARMCD)
    baseline = fev.drop_duplicates("USUBJID").groupby("ARMCD").FEV1_BL

    def pooled(groups: Any) -> tuple[float, int, int]:
        var, n = groups.var(ddof=1), groups.count()
        sd = math.sqrt(((n - 1) * var).sum() / (n.sum() - 2))
        return sd, int(n["TRT"]), int(n["PBO"])

    for effect, groups in ((change_d, change), (baseline_d, baseline)):
        sd, n_trt, n_pbo = pooled(groups)
        assert (effect.n_treatment, effect.n_control) == (n_trt, n_pbo)
        assert effect.pooled_sd == pytest.approx(sd)
        assert effect.d == pytest.approx(MMRM_TRT_MINUS_PBO["VIS4"] / sd, rel=1e-4)
    document = result.as_dict()
    assert document["effect_sizes"][0]["sd_definition"] == "pooled_change_sd"
    assert document["difference"]["df"] > 0


def test_an_endpoint_visit_that_is_not_in_the_data_is_refused() -> None:
    with pytest.raises(TableInputError, match="visit 'week20' is not a post-baseline visit"):
        primary_endpoint_analysis(_simulated(), "mdma", "placebo", "week20", visits=VISITS)


def test_an_unknown_covariance_structure_is_refused() -> None:
    with pytest.raises(TableInputError, match="unknown covariance structure 'banded'"):
        primary_endpoint_analysis(_simulated(), "mdma", "placebo", "week18", covariance="banded")


def test_an_arm_outside_the_two_compared_is_refused() -> None:
    data = _simulated()
    data.loc[data["subject"] == "mdma-0", "arm"] = "ketamine"
    with pytest.raises(TableInputError, match="unknown arm\\(s\\) 'ketamine'"):
        primary_endpoint_analysis(data, "mdma", "placebo", "week18", visits=VISITS)


def test_no_d_is_given_under_a_definition_where_an_arm_has_one_value() -> None:
    # A trial of a few (`mdma-at demo --participants 4`): one MDMA participant reaches the
    # endpoint, so that arm's SD of change is undefined (it needs two values; pooled_sd's rule):
    # the change-SD d is left out rather than refused, and the baseline-SD d, from every
    # randomised participant, stays.
    data = _simulated(n=6, missing=0.0)
    late = (data["arm"] == "mdma") & (data["visit"] == "week18") & (data["subject"] != "mdma-0")
    data.loc[late, "value"] = math.nan
    result = primary_endpoint_analysis(data, "mdma", "placebo", "week18", visits=VISITS)
    assert [d.sd_definition for d in result.effect_sizes] == [EffectSizeSD.POOLED_BASELINE_SD]
    assert (result.effect_sizes[0].n_treatment, result.effect_sizes[0].n_control) == (6, 6)
