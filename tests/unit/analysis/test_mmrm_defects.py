"""Regression tests for the six MMRM defects of issue 11, each against an independent value.

1. Kenward-Roger multi-d.f. F scale: Hotelling's exact F (closed form) on complete balanced data.
2./3. -2 log L and the d.f. under y -> a + b*y: the fit of y itself plus the closed-form change
   (N - p) log b^2 of -2 log L (REML); d.f. and t unchanged.
4.-6. inf, a text cell in a numeric covariate and a numeric visit: refused, naming column and row.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mdma_at.analysis.mmrm import (
    FitFailed,
    MmrmError,
    NonFiniteValue,
    NonNumericCovariate,
    NumericVisit,
    fit_mmrm,
)

# -- 1. Kenward-Roger F against Hotelling's T^2 ------------------------------------------------


def _complete_balanced(n: int, seed: int) -> pd.DataFrame:
    """n subjects x 4 visits, every response observed, unstructured correlation."""
    rng = np.random.default_rng(seed)
    sigma = np.array(
        [[4.0, 2.0, 1.5, 1.0], [2.0, 5.0, 2.5, 2.0], [1.5, 2.5, 6.0, 3.0], [1.0, 2.0, 3.0, 7.0]]
    )
    means = np.array([10.0, 10.6, 11.5, 11.2])
    wide = rng.multivariate_normal(means, sigma, size=n)
    return pd.DataFrame(
        [
            {"SUBJ": f"S{i:02d}", "VISIT": f"V{v + 1}", "Y": wide[i, v]}
            for i in range(n)
            for v in range(4)
        ]
    )


def _hotelling_equal_means(frame: pd.DataFrame) -> tuple[float, int, int]:
    """Exact F for H0: all visit means equal (Anderson 2003, section 5.3; Rencher 2002 (5.21)).

    D_i = (y_i2 - y_i1, y_i3 - y_i1, y_i4 - y_i1); T^2 = n dbar' S_D^-1 dbar;
    F = (n - q) / (q (n - 1)) T^2 ~ F(q, n - q), q = 3.
    """
    wide = frame.pivot(index="SUBJ", columns="VISIT", values="Y").to_numpy()
    d = wide[:, 1:] - wide[:, [0]]
    n, q = d.shape
    dbar = d.mean(axis=0)
    t2 = n * float(dbar @ np.linalg.solve(np.cov(d, rowvar=False), dbar))
    return (n - q) / (q * (n - 1)) * t2, q, n - q


@pytest.mark.parametrize(("n", "seed"), [(30, 11), (60, 12)])
def test_kenward_roger_f_of_the_visit_effect_is_hotellings_exact_f(n: int, seed: int) -> None:
    # On complete balanced data with an unstructured covariance, REML gives Sigma = S and KR's
    # scaled F and d.f. are exactly Hotelling's (Kenward & Roger 1997, section 4).
    frame = _complete_balanced(n, seed)
    expected_f, q, expected_df = _hotelling_equal_means(frame)
    fit = fit_mmrm(frame, "Y ~ VISIT + us(VISIT | SUBJ)", df="kenward-roger")
    test = fit.term_test("VISIT")
    assert fit.converged
    assert test.num_df == q
    assert test.f == pytest.approx(expected_f, rel=1e-6)
    assert test.den_df == pytest.approx(expected_df, rel=1e-6)


# -- 2. and 3. invariance under y -> a + b*y ---------------------------------------------------


@functools.cache
def _trial() -> pd.DataFrame:
    """Two arms, three visits, 60 subjects, about 12 % of responses missing."""
    rng = np.random.default_rng(7)
    rows = []
    for s in range(60):
        arm = "MDMA" if s % 2 else "PBO"
        base = rng.normal(45, 6)
        intercept = rng.normal(0, 4)
        for v, visit in enumerate(["W2", "W6", "W10"]):
            value = -3 * (v + 1) - (5 if arm == "MDMA" else 0) + 0.2 * base + intercept
            value += rng.normal(0, 3 + v)
            rows.append(
                {
                    "SUBJ": f"P{s:03d}",
                    "VISIT": visit,
                    "ARM": arm,
                    "BASE": base,
                    "CHG": np.nan if rng.random() < 0.12 else value,
                }
            )
    return pd.DataFrame(rows)


FORMULA = "CHG ~ BASE + ARM*VISIT + {cov}(VISIT | SUBJ)"
OFFSETS = [0.0, 3e7, 1e8]
# 1e-8 to 1e8 as issue 11 asks, and the edges of the range the engine accepts (1e-60 to 1e60).
SCALES = [1e-58, 1e-8, 1e-4, 1.0, 1e4, 1e8, 1e57]


@functools.cache
def _fit(cov: str, df: str, a: float, b: float) -> object:
    data = _trial().assign(CHG=lambda f: a + b * f.CHG)
    return fit_mmrm(data, FORMULA.format(cov=cov), df=df)


@pytest.mark.parametrize(("cov", "df"), [("us", "satterthwaite"), ("ar1h", "kenward-roger")])
@pytest.mark.parametrize("a", OFFSETS)
@pytest.mark.parametrize("b", SCALES)
def test_minus2_loglik_and_df_are_invariant_to_the_units_of_the_response(
    cov: str, df: str, a: float, b: float
) -> None:
    base = _fit(cov, df, 0.0, 1.0)
    try:
        fit = _fit(cov, df, a, b)
    except FitFailed as refused:
        # Only where the offset left no digit of the variation (1e8 + 1e-58 y is 1e8).
        assert a / b > 1e16
        assert "does not vary" in refused.reason
        return
    assert base.converged  # type: ignore[attr-defined]
    if not fit.converged:  # type: ignore[attr-defined]
        # Allowed only where the data themselves have lost the digits: an offset of 1e8 with a
        # spread of b * 3 leaves 16 - log10(1e8 / (3 b)) significant digits for the variation.
        assert a / b > 1e8
        assert "significant digits" in fit.convergence["message"]  # type: ignore[attr-defined]
        return
    n, p = fit.n_observations, len(fit.beta)  # type: ignore[attr-defined]
    # REML: log|V| gains N log b^2, log|X'V^-1X| loses p log b^2, r'V^-1r is unchanged.
    expected = -2 * base.loglik + (n - p) * math.log(b * b)  # type: ignore[attr-defined]
    assert -2 * fit.loglik == pytest.approx(expected, rel=1e-6, abs=1e-6)  # type: ignore[attr-defined]
    ours, theirs = fit.coefficients, base.coefficients  # type: ignore[attr-defined]
    assert np.allclose(ours.df, theirs.df, rtol=1e-6)
    assert np.allclose(ours.t[1:], theirs.t[1:], rtol=1e-6)  # the intercept moves with a
    assert np.allclose(ours.se, b * theirs.se, rtol=1e-6)
    joint = fit.term_test("ARM:VISIT")  # type: ignore[attr-defined]
    reference = base.term_test("ARM:VISIT")  # type: ignore[attr-defined]
    assert joint.den_df == pytest.approx(reference.den_df, rel=1e-6)
    assert joint.f == pytest.approx(reference.f, rel=1e-6)


def test_every_offset_and_scale_with_enough_digits_is_trusted() -> None:
    # The invariance test above must not pass by distrusting everything: a response with a
    # zero offset, or with its variation at least 1e-8 of its size, is fitted and trusted.
    for a in OFFSETS:
        for b in SCALES:
            if a == 0.0 or a / b <= 1e8:
                assert _fit("us", "satterthwaite", a, b).converged, (a, b)  # type: ignore[attr-defined]


@pytest.mark.parametrize("b", [1e-70, 1e70, 0.0])
def test_a_response_whose_variances_would_overflow_is_refused(b: float) -> None:
    with pytest.raises(FitFailed, match="rescale the response") as raised:
        fit_mmrm(_trial().assign(CHG=lambda f: b * f.CHG), FORMULA.format(cov="us"))
    assert raised.value.field == "CHG"


# -- 4. to 6. cells that would silently change the model ----------------------------------------


def _with(column: str, row: int, value: object) -> pd.DataFrame:
    frame = _trial().copy()
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = value
    if value not in (".", "n/a"):
        frame[column] = frame[column].astype(float)
    return frame


@pytest.mark.parametrize(
    ("frame", "error", "field", "message"),
    [
        (_with("CHG", 4, np.inf), NonFiniteValue, "CHG[4]", "inf is not a finite number"),
        (_with("CHG", 5, -np.inf), NonFiniteValue, "CHG[5]", "-inf is not a finite number"),
        (_with("BASE", 7, np.inf), NonFiniteValue, "BASE[7]", "inf is not a finite number"),
        (_with("BASE", 9, "."), NonNumericCovariate, "BASE[9]", "'.' among numbers"),
        (_with("BASE", 3, "n/a"), NonNumericCovariate, "BASE[3]", "'n/a' among numbers"),
        (
            _trial().assign(VISIT=lambda f: f.VISIT.str[1:].astype(int)),
            NumericVisit,
            "VISIT[0]",
            "needs it as a factor",
        ),
    ],
)
def test_cells_that_would_change_the_model_silently_are_refused_by_column_and_row(
    frame: pd.DataFrame, error: type[MmrmError], field: str, message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        fit_mmrm(frame, FORMULA.format(cov="us"))
    assert raised.value.field == field


def test_a_factor_of_text_labels_stays_a_factor() -> None:
    # The mixed-column rule fires only on numbers AND text in one column.
    frame = _trial().assign(SITE=lambda f: np.where(f.index < 90, "north", "south"))
    fit = fit_mmrm(frame, "CHG ~ SITE + ARM*VISIT + us(VISIT | SUBJ)")
    assert "SITE[T.south]" in list(fit.coefficients.term)


# -- d.f. methods and covariances of beta mmrm offers (issue 11, item 2) ------------------------


def test_residual_df_are_n_minus_p_for_every_coefficient_test_and_lsmean() -> None:
    fit = fit_mmrm(_trial(), FORMULA.format(cov="us"), df="residual")
    expected = fit.n_observations - len(fit.beta)  # SAS ddfm=residual: N - rank(X)
    assert set(fit.coefficients.df) == {expected}
    assert set(fit.lsmeans().df) == {expected}
    assert fit.term_test("ARM:VISIT").den_df == expected


def test_between_within_df_split_subjects_and_visits() -> None:
    # SAS ddfm=betwithin: S - rank(X_between) for subject-level columns (intercept, BASE, ARM),
    # N - rank(X) minus that for the rest; a contrast takes the smallest of its coefficients.
    fit = fit_mmrm(_trial(), FORMULA.format(cov="us"), df="between-within")
    s, n, p = fit.n_subjects, fit.n_observations, len(fit.beta)
    between, within = s - 3, n - p - (s - 3)
    table = fit.coefficients.set_index("term").df
    assert table["BASE"] == between
    assert table["ARM[T.PBO]"] == between
    assert table["VISIT[T.W6]"] == within
    assert fit.lsmean_contrast("W10", "MDMA", "PBO")["df"] == min(between, within)


def test_an_empirical_covariance_is_used_by_se_ci_and_lsmeans() -> None:
    fit = fit_mmrm(_trial(), FORMULA.format(cov="us"), vcov="empirical")
    assert fit.df_method == "between-within"  # SAS's default with empirical
    sandwich = fit.empirical_vcov()
    assert np.allclose(fit.vcov, sandwich, rtol=1e-12)
    assert np.allclose(fit.coefficients.se, np.sqrt(np.diag(sandwich)), rtol=1e-12)
    row = fit.coefficients.iloc[1]
    half = stats.t.ppf(0.975, row.df) * row.se  # CI closed form with the sandwich SE
    assert (row.lower, row.upper) == pytest.approx((row.estimate - half, row.estimate + half))


def test_more_than_63_visits_fit_and_match_statsmodels_mixedlm() -> None:
    # Observed-visit patterns were 64-bit masks: 70 visits crashed with a ValueError. The
    # independent value is statsmodels' random-intercept REML fit (= cs with rho >= 0).
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(4)
    rows = [
        {"S": f"s{i}", "V": f"V{v:02d}", "Y": level + 0.05 * v + rng.normal()}
        for i, level in enumerate(rng.normal(0, 1, 25))
        for v in range(70)
        if rng.random() < 0.9
    ]
    frame = pd.DataFrame(rows)
    ours = fit_mmrm(frame, "Y ~ 1 + cs(V | S)")
    theirs = smf.mixedlm("Y ~ 1", frame, groups=frame["S"]).fit(reml=True)
    assert ours.converged
    assert len(ours.covariance.visits) == 70
    assert ours.loglik == pytest.approx(theirs.llf, rel=1e-8)
