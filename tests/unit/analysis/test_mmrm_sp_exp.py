"""``sp_exp``: the structure's closed form, the formula, and the refusals (ADR 0037).

Agreement with nlme and SAS is in tests/clinical/test_mmrm_sp_exp_reference.py; here the
expected values are closed forms written out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mdma_at.analysis.mmrm import (
    DuplicateVisit,
    FormulaSyntaxError,
    InvalidOption,
    MissingColumn,
    MmrmError,
    NonFiniteValue,
    NonNumericTime,
    NumericVisit,
    SingleVisitLevel,
    UnknownLevel,
    fit_mmrm,
    parse_formula,
)
from mdma_at.analysis.mmrm.covariance import SpatialExponential, make_structure

FORMULA = "CHG ~ ARM * VISIT + sp_exp(DAY | SUBJ)"


def _trial(n: int = 24, seed: int = 3) -> pd.DataFrame:
    """Visits V1..V3 on nominal days 0, 14 and 42, each subject a day or two off (not V1)."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        arm = "MDMA" if s % 2 else "PBO"
        offsets = [0, (s % 5) - 2, (s % 3) - 1]
        level = rng.normal(0, 4)
        for v, (visit, day) in enumerate(zip(["V1", "V2", "V3"], [0, 14, 42], strict=True)):
            change = level - 3.0 * v - (4.0 if arm == "MDMA" else 0.0) + rng.normal(0, 3)
            rows.append(
                {
                    "SUBJ": f"P{s:02d}",
                    "ARM": arm,
                    "VISIT": visit,
                    "DAY": day + offsets[v],
                    "CHG": round(float(change), 3),
                }
            )
    return pd.DataFrame(rows)


# -- the structure ---------------------------------------------------------------------------


def test_sigma_is_variance_times_exp_of_minus_distance_over_range() -> None:
    structure = make_structure("sp_exp", 3, np.array([0.0, 1.0, 3.0]))
    assert isinstance(structure, SpatialExponential)
    sigma = structure.sigma_natural(np.array([2.0, 2.0]))
    e = math.exp
    expected = [
        [2.0, 2 * e(-1 / 2), 2 * e(-3 / 2)],
        [2 * e(-1 / 2), 2.0, 2 * e(-2 / 2)],
        [2 * e(-3 / 2), 2 * e(-2 / 2), 2.0],
    ]
    np.testing.assert_allclose(sigma, expected, rtol=1e-15)


def test_theta_is_log_sd_and_logit_rho_as_in_mmrm() -> None:
    structure = SpatialExponential(2, np.array([0.0, 1.0]))
    sd, rho = 3.0, 0.6
    phi = structure.natural(np.array([math.log(sd), math.log(rho / (1 - rho))]))
    assert phi[0] == pytest.approx(sd**2, rel=1e-15)
    assert phi[1] == pytest.approx(-1 / math.log(rho), rel=1e-14)  # SAS's range
    assert structure.derived(phi)["rho"] == pytest.approx(rho, rel=1e-14)
    # one time unit apart the correlation is rho (mmrm's sigma^2 rho^d)
    assert structure.sigma(np.log([sd, rho / (1 - rho)]))[0, 1] == pytest.approx(sd**2 * rho)


def test_derivatives_of_sigma_are_the_closed_form() -> None:
    times = np.array([0.0, 2.0, 7.0])
    structure = SpatialExponential(3, times)
    variance, range_ = 5.0, 4.0
    d = np.abs(times[:, None] - times[None, :])
    jac = structure.natural_jacobian(np.array([variance, range_]))
    np.testing.assert_allclose(jac[0], np.exp(-d / range_), rtol=1e-13)
    np.testing.assert_allclose(
        jac[1], variance * np.exp(-d / range_) * d / range_**2, rtol=1e-13, atol=1e-15
    )


@pytest.mark.parametrize("seed", range(5))
def test_every_theta_gives_a_positive_definite_sigma_at_distinct_times(seed: int) -> None:
    rng = np.random.default_rng(seed)
    times = np.sort(rng.choice(200, size=8, replace=False)).astype(float)
    structure = SpatialExponential(8, times)
    theta = rng.normal(0, 3, size=2)
    assert np.all(np.linalg.eigvalsh(structure.sigma(theta)) > 0)


# -- the formula -------------------------------------------------------------------------------


def test_sp_exp_is_a_covariance_term_with_a_time_column() -> None:
    parsed = parse_formula("CHG ~ ARM + SP_EXP(DAY | ARM / SUBJ)")
    cov = parsed.covariance
    assert (cov.structure, cov.visit, cov.group, cov.subject) == ("sp_exp", "DAY", "ARM", "SUBJ")
    assert cov.spatial
    assert not parse_formula("CHG ~ ARM + ar1(VISIT | SUBJ)").covariance.spatial


def test_sp_exp_takes_several_coordinates_and_only_sp_exp_does() -> None:
    cov = parse_formula("CHG ~ ARM + sp_exp(DAY, `site x` | SUBJ)").covariance
    assert cov.coordinates == ("DAY", "site x")
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula("CHG ~ ARM + ar1(VISIT, DAY | SUBJ)")
    assert "',' at position 21 separates coordinates, which only sp_exp takes" in str(caught.value)


def test_two_coordinates_are_euclidean_distances() -> None:
    points = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]])
    structure = SpatialExponential(3, points)
    np.testing.assert_allclose(
        structure.distance, [[0, 5, 1], [5, 0, math.sqrt(18)], [1, math.sqrt(18), 0]]
    )


# -- fitting -----------------------------------------------------------------------------------


def test_a_fit_on_unequally_spaced_days_uses_the_distinct_days_as_visits() -> None:
    data = _trial()
    fit = fit_mmrm(data, FORMULA)
    assert fit.converged
    days = sorted(data["DAY"].unique())
    assert fit.covariance.visits == [str(d) for d in days]
    assert set(fit.covariance.parameters) == {"variance", "range", "rho"}
    # visit factor VISIT in the fixed effects, time not: one LS mean per arm unless asked
    assert fit.lsmeans()["visit"].isna().all()
    assert list(fit_mmrm(data, FORMULA, visit="VISIT").lsmeans()["visit"].unique()) == [
        "V1",
        "V2",
        "V3",
    ]


def test_a_missing_time_leaves_the_row_out_like_a_missing_visit() -> None:
    data = _trial()
    data.loc[4, "DAY"] = np.nan
    assert fit_mmrm(data, FORMULA).n_observations == len(data) - 1


def test_prediction_at_a_time_the_fit_never_saw_uses_the_structure_there() -> None:
    data = _trial()
    fit = fit_mmrm(data, FORMULA)
    seen = fit.predict(data.head(3))
    assert np.allclose(seen["prediction"], data["CHG"].head(3))  # observed: the response
    # P00 on day 30 at visit V3's fixed effects: kriging with sigma^2 exp(-|t - t_i| / range)
    row = data.iloc[[2]].assign(DAY=30)
    got = fit.predict(row).iloc[0]
    variance, range_ = fit.covariance.parameters["variance"], fit.covariance.parameters["range"]
    own = data.iloc[:3]
    t = own["DAY"].to_numpy(dtype=float)
    s_oo = variance * np.exp(-np.abs(t[:, None] - t[None, :]) / range_)
    s_ot = variance * np.exp(-np.abs(t - 30.0) / range_)
    x_o = fit.data.x[:3]  # P00's analysed rows, in data order
    x_t = x_o[2]
    k = np.linalg.solve(s_oo, s_ot)
    expected = x_t @ fit.beta + k @ (own["CHG"].to_numpy() - x_o @ fit.beta)
    h = x_t - x_o.T @ k
    expected_var = variance - s_ot @ k + h @ fit.inference.phi_unadjusted @ h
    assert got["prediction"] == pytest.approx(expected, rel=1e-10)
    assert got["se"] == pytest.approx(math.sqrt(expected_var), rel=1e-10)
    with pytest.raises(UnknownLevel) as caught:
        fit.predict(data.head(1).assign(DAY=np.nan))
    assert caught.value.field == "DAY[0]"


# -- refusals: the column and the row --------------------------------------------------------


def _changed(column: str, value: object, row: int = 3) -> pd.DataFrame:
    data = _trial().astype({column: object})
    data.loc[row, column] = value
    return data


@pytest.mark.parametrize(
    ("data", "formula", "error", "field", "words"),
    [
        # defect 6 stays fixed: a numeric visit is a factor's job for every other structure
        (_trial(), "CHG ~ ARM + ar1(DAY | SUBJ)", NumericVisit, "DAY[0]", "sp_exp(TIME | SUBJECT)"),
        (_trial(), "CHG ~ ARM + us(DAY | SUBJ)", NumericVisit, "DAY[0]", "needs it as a factor"),
        (_changed("DAY", "W2"), FORMULA, NonNumericTime, "DAY[3]", "'W2' is not a number"),
        (_changed("DAY", "inf"), FORMULA, NonFiniteValue, "DAY[3]", "not a finite number"),
        # row 4 is P01's V2, moved to day 0, the day of its V1 (row 3): Sigma would be singular
        (_changed("DAY", 0, row=4), FORMULA, DuplicateVisit, "DAY[4]", "'P01' has more than one"),
        (
            _trial().query("VISIT == 'V1'"),
            "CHG ~ ARM + sp_exp(DAY | SUBJ)",
            SingleVisitLevel,
            "DAY",
            "1 distinct value",
        ),
    ],
)
def test_bad_times_are_refused_naming_the_column_and_row(
    data: pd.DataFrame, formula: str, error: type[MmrmError], field: str, words: str
) -> None:
    with pytest.raises(error) as caught:
        fit_mmrm(data, formula)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_a_text_visit_factor_is_refused_as_an_sp_exp_time() -> None:
    with pytest.raises(NonNumericTime) as caught:
        fit_mmrm(_trial(), "CHG ~ ARM + sp_exp(VISIT | SUBJ)")
    assert caught.value.field == "VISIT[0]"
    assert "'V1' is not a number" in str(caught.value)


def test_a_second_coordinate_must_be_a_number_too() -> None:
    data = _trial().assign(SITE=1.5).astype({"SITE": object})
    data.loc[5, "SITE"] = "north"
    with pytest.raises(NonNumericTime) as caught:
        fit_mmrm(data, "CHG ~ ARM + sp_exp(DAY, SITE | SUBJ)")
    assert caught.value.field == "SITE[5]"


def test_lsmeans_per_point_of_two_coordinates_are_refused() -> None:
    data = _trial().assign(SITE=lambda f: (f.index % 4).astype(float))
    with pytest.raises(InvalidOption) as caught:
        fit_mmrm(data, "CHG ~ ARM + DAY + sp_exp(DAY, SITE | SUBJ)", visit="DAY")
    assert caught.value.field == "visit"


def test_an_lsmeans_visit_outside_the_fixed_effects_is_refused() -> None:
    with pytest.raises(MissingColumn) as caught:
        fit_mmrm(_trial(), FORMULA, visit="SUBJ")
    assert caught.value.field == "visit"
