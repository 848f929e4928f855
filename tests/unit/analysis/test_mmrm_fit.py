"""Fitting on simulated trials: likelihood, cross-check with statsmodels, options, bad input."""

from __future__ import annotations

import functools
import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from mdma_at.analysis.mmrm import (
    DuplicateVisit,
    InsufficientData,
    InvalidOption,
    MissingColumn,
    MmrmError,
    NonNumericResponse,
    NonPositiveWeight,
    RankDeficientDesign,
    SingleVisitLevel,
    UnknownCovarianceStructure,
    UnknownLevel,
    fit_mmrm,
)
from mdma_at.analysis.mmrm.covariance import make_structure
from mdma_at.analysis.mmrm.design import prepare
from mdma_at.analysis.mmrm.formula import parse_formula
from mdma_at.analysis.mmrm.likelihood import evaluate

VISITS = ["W2", "W6", "W10"]


@functools.cache
def trial(n: int = 80, seed: int = 5) -> pd.DataFrame:
    """Two arms, three visits, random intercept, some missing responses."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        arm = "MDMA" if s % 2 else "PBO"
        base = rng.normal(45, 6)
        intercept = rng.normal(0, 4)
        for v, visit in enumerate(VISITS):
            chg = -3 * (v + 1) - (5 if arm == "MDMA" else 0) + 0.2 * base + intercept
            value = chg + rng.normal(0, 3)
            if rng.random() < 0.12:
                value = np.nan
            rows.append(
                {
                    "SUBJ": f"P{s:03d}",
                    "VISIT": visit,
                    "ARM": arm,
                    "BASE": base,
                    "CHG": value,
                    "W": 0.5 + rng.random(),
                }
            )
    return pd.DataFrame(rows)


FORMULA = "CHG ~ BASE + ARM*VISIT + {cov}(VISIT | SUBJ)"


@functools.cache
def fitted(cov: str = "us", **options: str) -> object:
    return fit_mmrm(trial(), FORMULA.format(cov=cov), **options)


def test_random_intercept_fit_matches_statsmodels_mixedlm() -> None:
    """cs with a non-negative correlation is the random-intercept model of MixedLM."""
    data = trial()
    observed = data.dropna(subset=["CHG"])
    for reml in (True, False):
        ours = fit_mmrm(
            data,
            FORMULA.format(cov="cs"),
            method="reml" if reml else "ml",
            levels={"VISIT": sorted(VISITS)},  # patsy's alphabetical order: same coefficients
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = smf.mixedlm("CHG ~ BASE + ARM*VISIT", observed, groups=observed["SUBJ"]).fit(
                reml=reml
            )
        table = ours.coefficients.set_index("term")
        names = list(theirs.fe_params.index)
        assert ours.loglik == pytest.approx(theirs.llf, rel=1e-9)
        # MixedLM stops a little earlier than we do: 1e-4 absolute on the coefficients.
        assert np.allclose(table.loc[names, "estimate"], theirs.fe_params, rtol=1e-5, atol=1e-4)
        # MixedLM takes se from its joint Hessian (beta and covariance); ours (and SAS, mmrm)
        # from (X'V^-1X)^-1: they agree to 1e-3.
        assert np.allclose(table.loc[names, "se"], theirs.bse_fe[names], rtol=1e-3)
        assert ours.covariance.parameters["CS"] == pytest.approx(
            float(theirs.cov_re.iloc[0, 0]), rel=1e-4
        )
        assert ours.covariance.parameters["Residual"] == pytest.approx(theirs.scale, rel=1e-4)


def test_analytic_gradient_of_the_likelihood_matches_finite_differences() -> None:
    parsed = parse_formula(FORMULA.format(cov="us"))
    data = prepare(trial(), parsed, weights="W")
    structure = make_structure("us", 3)
    theta = np.array([1.0, 0.3, 1.1, -0.2, 0.4, 1.3])
    for reml in (True, False):
        sigma = structure.sigma(theta).real[None]
        found = evaluate(data, sigma, reml=reml)
        assert found is not None and found.sigma_gradient is not None
        analytic = np.einsum("gab,jab->j", found.sigma_gradient, structure.jacobian(theta))
        numeric = []
        for e in np.eye(6) * 1e-6:
            up = evaluate(data, structure.sigma(theta + e).real[None], reml=reml, gradient=False)
            down = evaluate(data, structure.sigma(theta - e).real[None], reml=reml, gradient=False)
            assert up is not None and down is not None
            numeric.append((up.minus2_loglik - down.minus2_loglik) / 2e-6)
        assert np.allclose(analytic, numeric, rtol=1e-5, atol=1e-4)


def test_subjects_with_missing_visits_are_kept() -> None:
    fit = fitted()
    data = trial()
    assert fit.n_observations == int(data.CHG.notna().sum())
    assert fit.n_subjects == data.loc[data.CHG.notna(), "SUBJ"].nunique()


def test_aic_and_bic_count_covariance_parameters_and_for_ml_also_fixed_effects() -> None:
    reml, ml = fitted(), fitted(method="ml")
    assert reml.aic == pytest.approx(-2 * reml.loglik + 2 * 6)
    assert ml.aic == pytest.approx(-2 * ml.loglik + 2 * (6 + 7))
    assert reml.bic == pytest.approx(-2 * reml.loglik + np.log(reml.n_subjects) * 6)


def test_lsmean_contrast_is_the_difference_of_the_two_lsmeans() -> None:
    fit = fitted()
    means = fit.lsmeans().set_index(["arm", "visit"])
    diff = fit.lsmean_contrast("W10", "MDMA", "PBO")
    assert diff["estimate"] == pytest.approx(
        means.loc[("MDMA", "W10"), "estimate"] - means.loc[("PBO", "W10"), "estimate"]
    )
    assert diff["lower"] < diff["estimate"] < diff["upper"]
    assert set(diff) == {"estimate", "se", "df", "t", "p", "lower", "upper"}
    narrow = fit.lsmean_contrast("W10", "MDMA", "PBO", level=0.5)
    assert narrow["upper"] - narrow["lower"] < diff["upper"] - diff["lower"]


def test_kenward_roger_inflates_the_standard_errors_of_an_unstructured_fit() -> None:
    kr, sat = fitted(df="kenward-roger"), fitted()
    assert (kr.coefficients.se >= sat.coefficients.se - 1e-12).all()
    assert np.allclose(kr.coefficients.estimate, sat.coefficients.estimate)


def test_reference_level_changes_the_contrast_sign_not_the_fit() -> None:
    pbo = fitted()
    mdma = fit_mmrm(trial(), FORMULA.format(cov="us"), reference={"ARM": "MDMA"})
    assert mdma.loglik == pytest.approx(pbo.loglik, abs=1e-7)
    assert "ARM[T.PBO]" in list(mdma.coefficients.term)


def test_group_specific_covariance_gives_one_matrix_per_arm() -> None:
    grouped = fit_mmrm(trial(), "CHG ~ BASE + ARM*VISIT + us(VISIT | ARM / SUBJ)", method="ml")
    assert set(grouped.covariance.by_group) == {"PBO", "MDMA"}
    assert grouped.n_covariance_parameters == 12
    assert grouped.loglik >= fitted(method="ml").loglik - 1e-6  # nests the common covariance
    assert grouped.to_dict()["covariance"]["group"] == "ARM"


def test_scaling_all_weights_scales_sigma_and_keeps_the_coefficients() -> None:
    data = trial().assign(W2=lambda d: d.W * 4.0)
    one = fit_mmrm(data, FORMULA.format(cov="us"), weights="W")
    four = fit_mmrm(data, FORMULA.format(cov="us"), weights="W2")
    assert np.allclose(one.coefficients.estimate, four.coefficients.estimate, atol=1e-6)
    assert np.allclose(four.covariance.matrix, 4.0 * one.covariance.matrix, rtol=1e-5)


@pytest.mark.parametrize(
    "structure", ["us", "cs", "csh", "ar1", "ar1h", "toep", "toeph", "ad", "adh", "diag"]
)
def test_every_structure_converges_on_a_simulated_trial(structure: str) -> None:
    fit = fitted(structure)
    assert fit.converged, fit.convergence
    assert fit.covariance.structure == structure


def test_to_dict_is_the_json_contract_and_serialisable() -> None:
    payload = fitted().to_dict()
    assert list(payload) == [
        "coefficients",
        "covariance",
        "loglik",
        "aic",
        "bic",
        "lsmeans",
        "converged",
        "n_subjects",
        "n_observations",
    ]
    assert json.loads(json.dumps(payload)) == payload


def test_visits_sort_naturally_so_week_10_follows_week_6() -> None:
    sigma, visits = fitted().covariance
    assert visits == VISITS
    assert sigma.shape == (3, 3)


def test_type3_test_of_a_single_coefficient_is_its_squared_t() -> None:
    fit = fitted()
    row = fit.anova().set_index("effect").loc["BASE"]
    coef = fit.coefficients.set_index("term").loc["BASE"]
    assert row["F"] == pytest.approx(coef.t**2)
    assert row.den_df == pytest.approx(coef.df)


# -- bad input ------------------------------------------------------------------------------------


def _bad(**change: object) -> pd.DataFrame:
    data = trial().copy()
    for column, value in change.items():
        data[column] = value
    return data


@pytest.mark.parametrize(
    ("data", "formula", "options", "error", "message"),
    [
        (trial(), "CHG ~ AGE + ARM + us(VISIT | SUBJ)", {}, MissingColumn, "'AGE' is not in"),
        (trial(), "CHG ~ ARM + us(VISIT | PATIENT)", {}, MissingColumn, "'PATIENT' is not in"),
        (_bad(VISIT="W2"), "CHG ~ ARM + us(VISIT | SUBJ)", {}, DuplicateVisit, "more than one"),
        (
            trial().query("VISIT == 'W2'"),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {},
            SingleVisitLevel,
            "1 level",
        ),
        (
            _bad(CHG=["x", *list(trial().CHG[1:])]),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {},
            NonNumericResponse,
            "'x' is not a number",
        ),
        (
            _bad(ARM2=trial().ARM),
            "CHG ~ ARM + ARM2 + us(VISIT | SUBJ)",
            {},
            RankDeficientDesign,
            "aliased: ARM2",
        ),
        (trial(), "CHG ~ ARM + vc(VISIT | SUBJ)", {}, UnknownCovarianceStructure, "'vc'"),
        (_bad(W=0.0), "CHG ~ ARM + us(VISIT | SUBJ)", {"weights": "W"}, NonPositiveWeight, "> 0"),
        (_bad(W=-1.0), "CHG ~ ARM + us(VISIT | SUBJ)", {"weights": "W"}, NonPositiveWeight, "> 0"),
        (
            trial(),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {"reference": {"ARM": "SSRI"}},
            UnknownLevel,
            "'SSRI'",
        ),
        (trial(), "CHG ~ ARM + us(VISIT | SUBJ)", {"method": "bayes"}, InvalidOption, "bayes"),
        (
            trial(),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {"df": "containment"},
            InvalidOption,
            "containment",
        ),
        (trial(), "CHG ~ ARM + us(VISIT | SUBJ)", {"vcov": "hc3"}, InvalidOption, "'hc3'"),
        (
            trial(),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {"method": "ml", "df": "kenward-roger"},
            InvalidOption,
            "Kenward-Roger needs REML",
        ),
        (
            trial(),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {"df": "kenward-roger", "vcov": "empirical"},
            InvalidOption,
            "cannot be combined with the empirical covariance",
        ),
        (
            trial(),
            "CHG ~ ARM + us(VISIT | SUBJ)",
            {"df": "satterthwaite", "vcov": "jackknife"},
            InvalidOption,
            "use between-within",
        ),
    ],
)
def test_bad_input_raises_its_specific_mmrm_error(
    data: pd.DataFrame, formula: str, options: dict[str, object], error: type, message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        fit_mmrm(data, formula, **options)  # type: ignore[arg-type]
    assert isinstance(raised.value, MmrmError)
    assert raised.value.field


def test_na_and_empty_strings_in_the_response_are_missing_not_bad_input() -> None:
    data = trial().copy()
    data["CHG"] = data.CHG.astype(object)
    data.loc[0, "CHG"] = "NA"
    data.loc[1, "CHG"] = ""
    fit = fit_mmrm(data, "CHG ~ ARM + us(VISIT | SUBJ)")
    assert fit.n_observations == int(trial().CHG.notna().sum()) - int(trial().CHG[:2].notna().sum())


def test_a_covariance_group_without_responses_at_a_visit_is_refused_with_the_reason() -> None:
    data = trial().copy()
    data.loc[(data.ARM == "MDMA") & (data.VISIT == "W10"), "CHG"] = np.nan
    with pytest.raises(InsufficientData, match="no observed response at visit 'W10' in covariance"):
        fit_mmrm(data, "CHG ~ ARM + VISIT + us(VISIT | ARM / SUBJ)")


def test_row_order_and_subjects_without_responses_do_not_change_the_fit() -> None:
    base = fitted()
    shuffled = trial().sample(frac=1.0, random_state=3)
    empty = pd.DataFrame(
        {"SUBJ": "X999", "VISIT": VISITS, "ARM": "PBO", "BASE": 40.0, "CHG": np.nan, "W": 1.0}
    )
    other = fit_mmrm(pd.concat([shuffled, empty]), FORMULA.format(cov="us"))
    assert other.loglik == pytest.approx(base.loglik, abs=1e-8)
    assert np.allclose(other.coefficients.estimate, base.coefficients.estimate, atol=1e-7)
    assert other.n_subjects == base.n_subjects
