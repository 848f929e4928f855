"""Wilson, Newcombe (method 10) and Miettinen–Nurminen intervals: hand values and statsmodels."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
)
from statsmodels.stats.proportion import (
    test_proportions_2indep as statsmodels_two_proportion_test,
)

from mdma_at.analysis.intervals import (
    _restricted_mle,
    miettinen_nurminen_difference,
    miettinen_nurminen_p_value,
    newcombe_difference,
    wilson_interval,
)
from mdma_at.analysis.table_errors import TableInputError

# Two-arm tables (count1, n1, count2, n2): MAPP2 loss of diagnosis and remission among completers
# (37/52 vs 20/42, 24/52 vs 9/42), Newcombe 1998's worked examples, and boundary tables.
TABLES = [
    (37, 52, 20, 42),
    (24, 52, 9, 42),
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (0, 10, 0, 10),
    (10, 10, 0, 20),
    (10, 10, 0, 10),
    (1, 3, 2, 2),
]


@pytest.mark.parametrize(("count", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (37, 52), (1, 1)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_interval_matches_statsmodels(count: int, n: int, level: float) -> None:
    ours = wilson_interval(count, n, level)
    lower, upper = proportion_confint(count, n, alpha=1 - level, method="wilson")
    assert ours.estimate == count / n
    assert ours.lower == pytest.approx(lower, abs=1e-10)
    assert ours.upper == pytest.approx(upper, abs=1e-10)


def test_wilson_interval_of_5_in_10_is_the_hand_computed_value() -> None:
    # z = 1.959964; centre (5 + z²/2) / (10 + z²) = 0.5; half-width z·sqrt(2.5 + z²/4) / (10 + z²)
    z = 1.959963984540054
    half = z * math.sqrt(10 * 0.25 + z * z / 4) / (10 + z * z)
    interval = wilson_interval(5, 10)
    assert interval.lower == pytest.approx(0.5 - half, abs=1e-12)
    assert interval.upper == pytest.approx(0.5 + half, abs=1e-12)


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_newcombe_interval_matches_statsmodels_newcomb(
    table: tuple[int, int, int, int], level: float
) -> None:
    ours = newcombe_difference(*table, level=level)
    lower, upper = confint_proportions_2indep(*table, method="newcomb", alpha=1 - level)
    assert ours.lower == pytest.approx(lower, abs=1e-10)
    assert ours.upper == pytest.approx(upper, abs=1e-10)


@pytest.mark.parametrize(
    ("table", "lower", "upper"),
    [
        ((56, 70, 48, 80), 0.0524, 0.3339),
        ((9, 10, 3, 10), 0.1705, 0.8090),
        ((5, 56, 0, 29), -0.0381, 0.1926),
        ((0, 10, 0, 20), -0.1611, 0.2775),
        ((0, 10, 0, 10), -0.2775, 0.2775),
        ((10, 10, 0, 20), 0.6791, 1.0000),
        ((10, 10, 0, 10), 0.6075, 1.0000),
    ],
)
def test_newcombe_interval_reproduces_newcombe_1998_table_ii_method_10(
    table: tuple[int, int, int, int], lower: float, upper: float
) -> None:
    interval = newcombe_difference(*table)
    assert round(interval.lower, 4) == lower
    assert round(interval.upper, 4) == upper


@pytest.mark.parametrize(
    ("table", "lower", "upper"),
    [((56, 70, 48, 80), 0.0528, 0.3382), ((0, 10, 0, 10), -0.2879, 0.2879)],
)
def test_miettinen_nurminen_interval_reproduces_newcombe_1998_published_values(
    table: tuple[int, int, int, int], lower: float, upper: float
) -> None:
    interval = miettinen_nurminen_difference(*table)
    assert round(interval.lower, 4) == lower
    assert round(interval.upper, 4) == upper


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels' own 0/0 along the way
@pytest.mark.parametrize("table", [(20, 30, 15, 15), (25, 40, 20, 20), (30, 60, 12, 12)])
def test_miettinen_nurminen_interval_matches_statsmodels_score_where_its_cubic_is_exact(
    table: tuple[int, int, int, int],
) -> None:
    # statsmodels 0.14/0.15 puts count0 where nobs0 belongs in the linear coefficient of the
    # restricted-MLE cubic (statsmodels issue #10269, fix in PR #10270). The two coincide when the
    # control arm is all responders, so there statsmodels' "score" interval must equal ours.
    # (Its root search fails on some such tables, so the cases are ones where it converges.)
    ours = miettinen_nurminen_difference(*table)
    lower, upper = confint_proportions_2indep(*table, method="score", correction=True)
    assert ours.lower == pytest.approx(lower, abs=1e-8)
    assert ours.upper == pytest.approx(upper, abs=1e-8)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels' ratio of 5/56 to 0/29
@pytest.mark.parametrize("table", TABLES[:6])
def test_miettinen_nurminen_p_value_matches_the_statsmodels_score_test_of_no_difference(
    table: tuple[int, int, int, int],
) -> None:
    result = statsmodels_two_proportion_test(*table, value=0, method="score", correction=True)
    expected = result.pvalue
    assert miettinen_nurminen_p_value(*table) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("table", TABLES[:6])
@pytest.mark.parametrize("delta", [-0.3, 0.05, 0.2, 0.6])
def test_restricted_estimates_maximise_the_likelihood_under_the_constraint(
    table: tuple[int, int, int, int], delta: float
) -> None:
    x1, n1, x2, n2 = table
    r1, r2 = _restricted_mle(x1 / n1, n1, x2 / n2, n2, delta)
    assert r1 - r2 == pytest.approx(delta, abs=1e-12)

    def negative_loglik(p2: float) -> float:
        p1 = p2 + delta
        terms = [(x1, p1), (n1 - x1, 1 - p1), (x2, p2), (n2 - x2, 1 - p2)]
        return -sum(k * math.log(p) for k, p in terms if k)

    lo, hi = max(0.0, -delta) + 1e-12, min(1.0, 1 - delta) - 1e-12
    best = optimize.minimize_scalar(negative_loglik, bounds=(lo, hi), method="bounded")
    assert r2 == pytest.approx(best.x, abs=1e-5)


@pytest.mark.parametrize("table", TABLES)
def test_miettinen_nurminen_limits_are_where_the_score_statistic_equals_the_normal_quantile(
    table: tuple[int, int, int, int],
) -> None:
    interval = miettinen_nurminen_difference(*table)
    inside = [interval.lower + 1e-6, interval.estimate, interval.upper - 1e-6]
    assert interval.lower <= interval.estimate <= interval.upper
    assert interval.lower >= -1 and interval.upper <= 1
    # p-value of H0: p1 - p2 = d is >= 0.05 inside, < 0.05 just outside
    for d in inside:
        assert _p_at(table, d) >= 0.05 - 1e-6
    if interval.lower > -1:
        assert _p_at(table, interval.lower - 1e-4) < 0.05
    if interval.upper < 1:
        assert _p_at(table, interval.upper + 1e-4) < 0.05


def _p_at(table: tuple[int, int, int, int], delta: float) -> float:
    from scipy import stats

    from mdma_at.analysis.intervals import _score_statistic

    return float(2 * stats.norm.sf(abs(_score_statistic(*table, delta))))


def test_both_arms_without_events_give_a_p_value_of_one() -> None:
    assert miettinen_nurminen_p_value(0, 10, 0, 12) == 1.0
    assert miettinen_nurminen_p_value(10, 10, 12, 12) == 1.0


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ((-1, 10), "count", "negative count -1"),
        ((1, -10), "n", "negative count -10"),
        ((11, 10), "count", "11 responders exceed the 10 participants"),
        ((0, 0), "n", "no participants"),
        ((1.5, 10), "count", "expected a whole number, got 1.5"),
        ((True, 10), "count", "expected a whole number"),
    ],
)
def test_bad_counts_for_one_proportion_are_refused_with_the_field_named(
    args: tuple[int, int], field: str, message: str
) -> None:
    with pytest.raises(TableInputError, match=message) as caught:
        wilson_interval(*args)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_a_negative_count_in_the_control_arm_is_named_count2() -> None:
    with pytest.raises(TableInputError) as caught:
        miettinen_nurminen_difference(3, 10, -2, 10)
    assert caught.value.field == "count2"
    with pytest.raises(TableInputError) as caught:
        newcombe_difference(3, 10, 2, 1)
    assert caught.value.field == "count2"


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_a_confidence_level_outside_zero_to_one_is_refused(level: float) -> None:
    with pytest.raises(TableInputError, match="between 0 and 1") as caught:
        newcombe_difference(3, 10, 2, 10, level=level)
    assert caught.value.field == "level"


def test_interval_as_dict_is_plain_json() -> None:
    assert wilson_interval(1, 2).as_dict().keys() == {
        "estimate",
        "lower",
        "upper",
        "method",
        "level",
    }


@given(
    n1=st.integers(1, 60),
    n2=st.integers(1, 60),
    f1=st.floats(0, 1),
    f2=st.floats(0, 1),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
@settings(max_examples=150, deadline=None)
def test_every_difference_interval_holds_its_estimate_inside_minus_one_to_one(
    n1: int, n2: int, f1: float, f2: float, level: float
) -> None:
    x1, x2 = round(f1 * n1), round(f2 * n2)
    for interval in (
        newcombe_difference(x1, n1, x2, n2, level),
        miettinen_nurminen_difference(x1, n1, x2, n2, level),
    ):
        assert -1 <= interval.lower <= interval.estimate + 1e-12
        assert interval.estimate - 1e-12 <= interval.upper <= 1
    newcombe = newcombe_difference(x1, n1, x2, n2, level)
    lower, upper = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", alpha=1 - level)
    assert (newcombe.lower, newcombe.upper) == pytest.approx((lower, upper), abs=1e-10)
