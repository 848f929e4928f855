"""Spatial exponential covariance ``sp_exp`` against nlme and SAS (issue 11, item 2; ADR 0037).

Expected values, each from outside the engine:

* ``reference/mmrm/sp_exp/sp_exp_reference.csv``: R 4.2.2 with nlme 3.1-162, ``gls`` with
  ``corExp(form = ~ DAY | USUBJID)`` on fev_data with unequally spaced study days
  (``fev_days.csv``; made by ``make_reference.R`` beside it). corExp's exp(-d / range) is
  mmrm's rho^d, so rho = exp(-1 / range).
* ``reference/mmrm/sp_exp/sas_sp_exp_{reml,ml}.txt``: SAS PROC MIXED ``type=sp(exp)(visitn)``
  listings from mmrm's ``design/SAS/`` (the only source here of a Satterthwaite d.f.).
* ``ar1`` on the same equally spaced visits: sigma^2 rho^|i - j| is the same matrix as sp_exp
  at times 1..4, and ``ar1`` is validated against mmrm and SAS in test_mmrm_reference.py.
* Rescaling: the fit must not depend on the units of the response or of the time.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mdma_at.analysis.mmrm import MmrmFit, fit_mmrm

SP_EXP_DIR = Path(__file__).resolve().parent / "reference" / "mmrm" / "sp_exp"
FEV_DATA = SP_EXP_DIR.parent / "fev_data.csv"
LEVELS = {"ARMCD": ["PBO", "TRT"], "AVISIT": ["VIS1", "VIS2", "VIS3", "VIS4"]}

CASES = {
    "arm_visit": "FEV1 ~ ARMCD * AVISIT + sp_exp(DAY | USUBJID)",
    "baseline_arm_day": "FEV1 ~ FEV1_BL + ARMCD * DAY + sp_exp(DAY | USUBJID)",
}
GROUPED = "FEV1 ~ 0 + ARMCD:AVISIT + sp_exp(DAY | ARMCD / USUBJID)"


@functools.cache
def days() -> pd.DataFrame:
    return pd.read_csv(SP_EXP_DIR / "fev_days.csv")


@functools.cache
def reference() -> pd.DataFrame:
    return pd.read_csv(SP_EXP_DIR / "sp_exp_reference.csv", keep_default_na=False)


@functools.cache
def fitted(formula: str, method: str, df: str | None = None) -> MmrmFit:
    return fit_mmrm(days(), formula, method=method, df=df, levels=LEVELS)


def values(case: str, quantity: str) -> pd.Series:
    rows = reference()
    rows = rows[(rows["case"] == case) & (rows["quantity"] == quantity)]
    return pd.Series(rows["value"].astype(float).to_numpy(), index=rows["term"].to_numpy())


def value(case: str, quantity: str) -> float:
    return float(values(case, quantity).iloc[0])


def our_term(r_name: str) -> str:
    """nlme's coefficient name (``ARMCDTRT:AVISITVIS2``) in formulaic's (``ARMCD[T.TRT]:...``)."""
    if r_name == "(Intercept)":
        return "Intercept"
    parts = []
    for part in r_name.split(":"):
        factor = next((f for f in ("ARMCD", "AVISIT") if part.startswith(f) and part != f), None)
        parts.append(f"{factor}[T.{part[len(factor) :]}]" if factor else part)
    return ":".join(parts)


def ml_se_factor(n: int, p: int) -> float:
    """nlme's vcov() of an ML gls fit uses sigma^2 N / (N - p); mmrm and SAS use sigma^2."""
    return math.sqrt(n / (n - p))


@pytest.mark.parametrize("method", ["reml", "ml"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_unequally_spaced_days_match_nlme_corexp(name: str, method: str) -> None:
    case = f"{name}_{method}"
    fit = fitted(CASES[name], method)
    assert fit.converged
    # -2 log L: nlme's gls (sp_exp_reference.csv), the same REML/ML constants as SAS and mmrm
    assert -2 * fit.loglik == pytest.approx(value(case, "minus2loglik"), rel=1e-8)
    table = fit.coefficients.set_index("term")
    beta = values(case, "beta")
    se = values(case, "se")
    if method == "ml":
        se = se / ml_se_factor(fit.n_observations, len(beta))
    assert [our_term(t) for t in beta.index] == list(table.index)
    np.testing.assert_allclose(table["estimate"], beta.to_numpy(), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(table["se"], se.to_numpy(), rtol=1e-4)
    # variance and rho = exp(-1 / range) from nlme's corExp range (sp_exp_reference.csv)
    parameters = fit.covariance.parameters
    assert parameters["variance"] == pytest.approx(value(case, "variance"), rel=1e-5)
    assert parameters["rho"] == pytest.approx(value(case, "rho"), rel=1e-6)
    assert -1.0 / math.log(parameters["rho"]) == pytest.approx(value(case, "range"), rel=1e-4)


def test_the_fitted_matrix_is_variance_times_rho_to_the_distance_in_days() -> None:
    fit = fitted(CASES["arm_visit"], "reml")
    times = np.array([float(v) for v in fit.covariance.visits])
    assert times.size == days()["DAY"][days()["FEV1"].notna()].nunique()  # one per distinct day
    variance, rho = value("arm_visit_reml", "variance"), value("arm_visit_reml", "rho")
    expected = variance * rho ** np.abs(times[:, None] - times[None, :])  # nlme, mmrm's form
    np.testing.assert_allclose(fit.covariance.matrix, expected, rtol=1e-5)


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_grouped_sp_exp_is_one_nlme_fit_per_arm(method: str) -> None:
    case = f"grouped_cell_means_{method}"
    fit = fitted(GROUPED, method)
    assert fit.converged
    # the sum of one gls fit per arm (the likelihood splits by arm; make_reference.R)
    assert -2 * fit.loglik == pytest.approx(value(case, "minus2loglik"), rel=1e-8)
    table = fit.coefficients.set_index("term")
    frame = days()
    for arm in ("PBO", "TRT"):
        parameters = fit.covariance.parameters
        assert parameters[f"{arm}: variance"] == pytest.approx(
            value(case, f"{arm}: variance"), rel=1e-5
        )
        assert parameters[f"{arm}: rho"] == pytest.approx(value(case, f"{arm}: rho"), rel=1e-6)
        n_arm = int(frame[(frame["ARMCD"] == arm) & frame["FEV1"].notna()].shape[0])
        for visit in LEVELS["AVISIT"]:
            ours = table.loc[f"ARMCD[{arm}]:AVISIT[{visit}]"]
            r_name = f"{arm}:AVISIT{visit}"
            se = values(case, "se")[r_name]
            if method == "ml":
                se /= ml_se_factor(n_arm, 4)  # each arm's gls has its own N and p = 4
            assert ours["estimate"] == pytest.approx(values(case, "beta")[r_name], rel=1e-5)
            assert ours["se"] == pytest.approx(se, rel=1e-4)
    assert set(fit.covariance.by_group) == {"PBO", "TRT"}


def test_lsmeans_by_a_visit_factor_are_sums_of_nlme_coefficients() -> None:
    fit = fit_mmrm(days(), CASES["arm_visit"], levels=LEVELS, visit="AVISIT")
    means = fit.lsmeans().set_index(["arm", "visit"])["estimate"]
    beta = values("arm_visit_reml", "beta")  # nlme's gls coefficients
    for visit in LEVELS["AVISIT"]:
        pbo = beta["(Intercept)"] + (beta[f"AVISIT{visit}"] if visit != "VIS1" else 0.0)
        trt = pbo + beta["ARMCDTRT"]
        if visit != "VIS1":
            trt += beta[f"ARMCDTRT:AVISIT{visit}"]
        assert means[("PBO", visit)] == pytest.approx(pbo, rel=1e-6)
        assert means[("TRT", visit)] == pytest.approx(trt, rel=1e-6)


# -- SAS PROC MIXED sp(exp) on equally spaced VISITN (mmrm's design/SAS listings) --------------

SAS = {
    # sas_sp_exp_reml.txt / sas_sp_exp_ml.txt: -2 log L from the iteration history (8 decimals),
    # Solution for Fixed Effects (estimate, SE to 4 decimals, Satterthwaite DF as an integer),
    # the residual variance, SP(EXP) (the range) and the PT1 correlation at visits 2 and 4
    # (rho^2), all to 4 decimals.
    "reml": {"m2ll": 3875.49946734, "est": 42.3254, "se": 0.5012, "df": 188, "var": 88.9768,
             "rho2": 0.1823, "range": 1.1751},
    "ml": {"m2ll": 3875.95353357, "est": 42.3252, "se": 0.4999, "df": 189, "var": 88.7005,
           "rho2": 0.1804, "range": 1.1680},
}  # fmt: skip


@functools.cache
def fev() -> pd.DataFrame:
    return pd.read_csv(FEV_DATA)


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_equally_spaced_visitn_matches_sas_sp_exp(method: str) -> None:
    fit = fit_mmrm(fev(), "FEV1 ~ 1 + sp_exp(VISITN | USUBJID)", method=method)
    sas = SAS[method]
    intercept = fit.coefficients.iloc[0]
    # SAS stopped at its relative criterion 1e-8, 1.3e-5 above the optimum (nlme: 3875.4994546)
    assert -2 * fit.loglik == pytest.approx(sas["m2ll"], abs=1e-4)
    assert intercept["estimate"] == pytest.approx(sas["est"], abs=1e-4)  # 4 decimals, early stop
    assert intercept["se"] == pytest.approx(sas["se"], abs=1e-4)
    assert intercept["df"] == pytest.approx(sas["df"], abs=0.5)  # printed as an integer
    # mmrm's own test-tmb.R holds these two to relative 1e-3 (SAS's early stop shows here)
    assert fit.covariance.parameters["variance"] == pytest.approx(sas["var"], rel=1e-3)
    assert fit.covariance.parameters["rho"] ** 2 == pytest.approx(sas["rho2"], rel=2e-3)
    assert fit.covariance.parameters["range"] == pytest.approx(sas["range"], rel=1e-3)


def test_nlme_refit_of_the_sas_case_agrees_to_optimiser_precision() -> None:
    fit = fit_mmrm(fev(), "FEV1 ~ 1 + sp_exp(VISITN | USUBJID)")
    case = "visitn_intercept_reml"
    assert -2 * fit.loglik == pytest.approx(value(case, "minus2loglik"), rel=1e-10)
    # nlme's own stopping rule: its range is 3e-6 from the optimum (-2 log L is flat there)
    assert fit.covariance.parameters["rho"] == pytest.approx(value(case, "rho"), rel=1e-5)


def test_sp_exp_at_times_1_to_4_is_ar1_at_four_visits() -> None:
    # sigma^2 rho^|t_i - t_j| with t = 1..4 is sigma^2 rho^|i - j| (rho > 0 here): the same
    # model, so the same -2 log L, SEs and Satterthwaite d.f. (invariant to the parametrisation;
    # Kenward-Roger is not: ar1 differentiates in rho, sp_exp in SAS's range).
    formula = "FEV1 ~ ARMCD * AVISIT + {}"
    spatial = fit_mmrm(fev(), formula.format("sp_exp(VISITN | USUBJID)"), levels=LEVELS)
    ar1 = fit_mmrm(fev(), formula.format("ar1(AVISIT | USUBJID)"), levels=LEVELS)
    assert -2 * spatial.loglik == pytest.approx(-2 * ar1.loglik, rel=1e-10)
    for column, rtol in (("estimate", 1e-7), ("se", 1e-6), ("df", 1e-5)):
        np.testing.assert_allclose(spatial.coefficients[column], ar1.coefficients[column], rtol)
    np.testing.assert_allclose(spatial.covariance.matrix, ar1.covariance.matrix, rtol=1e-6)


# -- invariance: the units of the response and of the time ---------------------------------


@pytest.mark.parametrize(("offset", "scale"), [(1e4, 1e-6), (-50.0, 1e5)])
def test_df_and_likelihood_do_not_depend_on_the_units_of_the_response(
    offset: float, scale: float
) -> None:
    base = fitted(CASES["arm_visit"], "reml")
    moved = days().assign(FEV1=offset + scale * days()["FEV1"])
    fit = fit_mmrm(moved, CASES["arm_visit"], levels=LEVELS)
    p = len(fit.beta)
    # -2 log L_REML(a + b y) = -2 log L_REML(y) + (N - p) log b^2 (closed form)
    shift = (fit.n_observations - p) * math.log(scale**2)
    assert -2 * fit.loglik == pytest.approx(-2 * base.loglik + shift, rel=1e-6)
    np.testing.assert_allclose(fit.coefficients["df"], base.coefficients["df"], rtol=1e-6)
    np.testing.assert_allclose(fit.coefficients["t"][1:], base.coefficients["t"][1:], rtol=1e-5)
    assert fit.covariance.parameters["rho"] == pytest.approx(
        base.covariance.parameters["rho"], rel=1e-6
    )


@pytest.mark.parametrize("df", ["satterthwaite", "kenward-roger"])
def test_days_or_weeks_give_the_same_fit(df: str) -> None:
    # rho per week is rho per day to the 7th and the range a seventh; the likelihood, the
    # coefficients of the factors and every d.f. cannot change with the unit of the time (for
    # Kenward-Roger because the range, SAS's parameter, is linear in that unit).
    formula = CASES["arm_visit"]
    by_day = fitted(formula, "reml", df)
    weeks = days().assign(DAY=days()["DAY"] / 7.0)
    by_week = fit_mmrm(weeks, formula, df=df, levels=LEVELS)
    assert -2 * by_week.loglik == pytest.approx(-2 * by_day.loglik, rel=1e-9)
    for column, rtol in (("estimate", 1e-7), ("se", 1e-6), ("df", 1e-5)):
        np.testing.assert_allclose(by_week.coefficients[column], by_day.coefficients[column], rtol)
    assert by_week.covariance.parameters["rho"] == pytest.approx(
        by_day.covariance.parameters["rho"] ** 7, rel=1e-6
    )
    assert by_week.covariance.parameters["range"] == pytest.approx(
        by_day.covariance.parameters["range"] / 7, rel=1e-6
    )


# -- two coordinates (Euclidean distance), SAS sp(exp)(VISITN VISITN2) -------------------------

SAS_2D = {
    # sas_sp_exp2_{reml,ml}.txt: -2 log L (iteration history), intercept (4 decimals), residual
    # variance (4 decimals)
    "reml": {"m2ll": 3894.60123182, "est": 42.2202, "var": 87.8870},
    "ml": {"m2ll": 3894.94943409, "est": 42.2203, "var": 87.6472},
}
TWO_D = "FEV1 ~ {}sp_exp(VISITN, VISITN2 | USUBJID)"


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_two_coordinates_match_sas(method: str) -> None:
    fit = fit_mmrm(fev(), TWO_D.format(""), method=method)
    sas = SAS_2D[method]
    assert -2 * fit.loglik == pytest.approx(sas["m2ll"], abs=1e-4)
    assert fit.coefficients.iloc[0]["estimate"] == pytest.approx(sas["est"], abs=1e-4)
    assert fit.covariance.parameters["variance"] == pytest.approx(sas["var"], rel=1e-3)


@functools.cache
def fitted_2d(df: str | None = None, vcov: str = "model") -> MmrmFit:
    return fit_mmrm(fev(), TWO_D.format("ARMCD + "), df=df, vcov=vcov, levels=LEVELS)


def test_kenward_roger_matches_sas_ddfm_kr() -> None:
    # kr1_spexp.csv is SAS ddfm=kr (mmrm's design/ddfm_covtype/ddfm_covtype.R, line 43, writes
    # "kr" to kr1_spexp and "kr(linear)" to kr_spexp, the reverse of the other structures'
    # files). Our KR differentiates in SAS's (variance, range), so it is SAS's ddfm=kr.
    sas = pd.read_csv(SP_EXP_DIR / "kr1_spexp.csv").iloc[0]
    linear = pd.read_csv(SP_EXP_DIR / "kr_spexp.csv").iloc[0]
    trt = fitted_2d("kenward-roger").coefficients.set_index("term").loc["ARMCD[T.TRT]"]
    assert trt["estimate"] == pytest.approx(sas["Estimate"], rel=1e-5)
    assert trt["se"] == pytest.approx(sas["StdErr"], rel=1e-5)
    assert trt["df"] == pytest.approx(sas["DF"], rel=1e-4)
    assert trt["lower"] == pytest.approx(sas["Lower"], rel=1e-5)
    assert abs(trt["se"] - sas["StdErr"]) < abs(trt["se"] - linear["StdErr"]) / 10


def test_empirical_covariance_matches_sas_empirical() -> None:
    # empirical_spexp.txt (SAS `empirical`, d.f. between-within): SEs 0.5191 and 0.8097, DF 195
    table = fitted_2d(vcov="empirical").coefficients
    np.testing.assert_allclose(table["se"], [0.5191, 0.8097], atol=1e-4)
    np.testing.assert_array_equal(table["df"], [195.0, 195.0])


def test_conditional_predictions_at_unobserved_coordinates_match_sas() -> None:
    # SAS predictions (outp=) for fev_data rows 1 and 3 (PT1 at VIS1 and VIS3, no FEV1: times
    # the fit never saw), quoted in mmrm's tests/testthat/test-tmb-methods.R ("predict gives
    # same result with sas in sp_exp"), with the unadjusted covariance of beta.
    predicted = fitted_2d("kenward-roger").predict(fev().iloc[[0, 2]])
    np.testing.assert_allclose(
        predicted["prediction"], [43.0487253094136, 41.7658999941086], rtol=1e-5
    )
    np.testing.assert_allclose(predicted["se"], [8.70129696071474, 8.78510718323017], rtol=1e-5)
