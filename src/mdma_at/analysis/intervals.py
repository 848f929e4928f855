"""Confidence intervals for one proportion and for a difference of two proportions.

- One proportion: Wilson score interval (no continuity correction), via SciPy's `binomtest`.
- Difference p1 - p2 of independent proportions:
  - Newcombe's hybrid score interval, method 10 of Newcombe (1998), Stat Med 17:873–890: the
    Wilson limits of each arm combined by the square-and-add rule.
  - Miettinen–Nurminen score interval (Miettinen & Nurminen 1985, Stat Med 4:213–226): the set of
    differences d whose score statistic, with the restricted maximum-likelihood proportions under
    p1 - p2 = d and the variance inflated by N/(N - 1), is inside the normal quantile. The
    restricted estimates use the closed form of Farrington & Manning (1990), Stat Med 9:1447–1454.

The Newcombe interval equals statsmodels' `confint_proportions_2indep(method="newcomb")`. The
Miettinen–Nurminen interval equals its ``method="score"`` (``correction=True``) only where
statsmodels' restricted-MLE cubic is right: statsmodels 0.14/0.15 has ``count0`` where ``nobs0``
belongs in the linear coefficient (statsmodels issue #10269), so we solve the cubic ourselves; the
tests show our restricted estimates maximise the likelihood and reproduce Newcombe (1998).
statsmodels is a development dependency only, so the runtime code does not import it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from scipy import optimize, stats

from mdma_at.analysis.table_errors import TableInputError

_EDGE = 1e-12  # keeps the root search inside the open interval (-1, 1)


@dataclass(frozen=True, slots=True)
class Interval:
    """A point estimate and its two-sided confidence interval.

    Attributes:
        estimate: the proportion, or the difference p1 - p2 (a fraction, not a percentage).
        lower: lower confidence limit.
        upper: upper confidence limit.
        method: ``"wilson"``, ``"newcombe"`` or ``"miettinen_nurminen"``.
        level: confidence level, e.g. 0.95.
    """

    estimate: float
    lower: float
    upper: float
    method: str
    level: float

    def as_dict(self) -> dict[str, float | str]:
        """Plain dict for JSON."""
        return {
            "estimate": self.estimate,
            "lower": self.lower,
            "upper": self.upper,
            "method": self.method,
            "level": self.level,
        }


def wilson_interval(count: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for one proportion (no continuity correction).

    Args:
        count: participants with the outcome (0 <= count <= n).
        n: participants in the denominator (n >= 1).
        level: two-sided confidence level, strictly between 0 and 1.

    Returns:
        `Interval` with estimate count / n.

    Raises:
        TableInputError: negative or non-integer counts, count > n, n = 0, level outside (0, 1).
    """
    _check_level(level)
    _check_count(count, n, "count", "n")
    ci = stats.binomtest(count, n).proportion_ci(confidence_level=level, method="wilson")
    return Interval(count / n, float(ci.low), float(ci.high), "wilson", level)


def newcombe_difference(
    count1: int, n1: int, count2: int, n2: int, level: float = 0.95
) -> Interval:
    """Newcombe hybrid-score interval (method 10) for p1 - p2.

    lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2) and upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2),
    where (l_i, u_i) are the Wilson limits of arm i at the same level.

    Args:
        count1: responders in arm 1 (e.g. the active arm).
        n1: participants in arm 1.
        count2: responders in arm 2 (e.g. the control arm).
        n2: participants in arm 2.
        level: two-sided confidence level.

    Returns:
        `Interval` for the difference p1 - p2 (fractions).

    Raises:
        TableInputError: as `wilson_interval`, for either arm.
    """
    _check_level(level)
    _check_count(count1, n1, "count1", "n1")
    _check_count(count2, n2, "count2", "n2")
    one = wilson_interval(count1, n1, level)
    two = wilson_interval(count2, n2, level)
    p1, p2 = one.estimate, two.estimate
    d = p1 - p2
    lower = d - math.hypot(p1 - one.lower, two.upper - p2)
    upper = d + math.hypot(one.upper - p1, p2 - two.lower)
    return Interval(d, lower, upper, "newcombe", level)


def miettinen_nurminen_difference(
    count1: int, n1: int, count2: int, n2: int, level: float = 0.95
) -> Interval:
    """Miettinen–Nurminen score interval for p1 - p2 (with the N/(N - 1) variance factor).

    The limits are the two differences d at which the score statistic
    z(d) = (p1 - p2 - d) / sqrt(V(d)) equals +/- the normal quantile, found by root search;
    where no root exists inside (-1, 1) the limit is -1 or 1.

    Args:
        count1: responders in arm 1.
        n1: participants in arm 1.
        count2: responders in arm 2.
        n2: participants in arm 2.
        level: two-sided confidence level.

    Returns:
        `Interval` for the difference p1 - p2 (fractions).

    Raises:
        TableInputError: as `wilson_interval`, for either arm.
    """
    _check_level(level)
    _check_count(count1, n1, "count1", "n1")
    _check_count(count2, n2, "count2", "n2")
    z = float(stats.norm.isf((1 - level) / 2))
    d = count1 / n1 - count2 / n2

    def excess(delta: float) -> float:
        return _score_statistic(count1, n1, count2, n2, delta) - z

    def deficit(delta: float) -> float:
        return _score_statistic(count1, n1, count2, n2, delta) + z

    # z(delta) falls as delta rises; 0 at delta = d.
    lo_end, hi_end = -1 + _EDGE, 1 - _EDGE
    if d <= lo_end or excess(lo_end) <= 0:
        lower = -1.0
    else:
        lower = float(optimize.brentq(excess, lo_end, d, xtol=1e-12))
    if d >= hi_end or deficit(hi_end) >= 0:
        upper = 1.0
    else:
        upper = float(optimize.brentq(deficit, d, hi_end, xtol=1e-12))
    return Interval(d, lower, upper, "miettinen_nurminen", level)


def miettinen_nurminen_p_value(count1: int, n1: int, count2: int, n2: int) -> float:
    """Two-sided p-value of the Miettinen–Nurminen score test of p1 - p2 = 0.

    It is the test that the Miettinen–Nurminen interval inverts: the interval at level 1 - alpha
    excludes 0 exactly when this p-value is below alpha.

    Raises:
        TableInputError: as `wilson_interval`, for either arm.
    """
    _check_count(count1, n1, "count1", "n1")
    _check_count(count2, n2, "count2", "n2")
    if count1 + count2 in (0, n1 + n2):
        return 1.0  # both arms all-or-none: no evidence of a difference
    statistic = _score_statistic(count1, n1, count2, n2, 0.0)
    return float(2 * stats.norm.sf(abs(statistic)))


def _score_statistic(count1: int, n1: int, count2: int, n2: int, delta: float) -> float:
    """Miettinen–Nurminen score statistic for H0: p1 - p2 = delta."""
    p1, p2 = count1 / n1, count2 / n2
    r1, r2 = _restricted_mle(p1, n1, p2, n2, delta)
    total = n1 + n2
    variance = (r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2) * total / (total - 1)
    diff = p1 - p2 - delta
    if variance <= 0:
        return math.copysign(math.inf, diff) if diff else 0.0
    return diff / math.sqrt(variance)


def _restricted_mle(p1: float, n1: int, p2: float, n2: int, delta: float) -> tuple[float, float]:
    """Maximum-likelihood (p1, p2) under p1 - p2 = delta (Farrington & Manning 1990 closed form)."""
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (27 * a**3) - b * c / (6 * a * a) + d / (2 * a)
    u_squared = max(b * b / (9 * a * a) - c / (3 * a), 0.0)
    u = math.copysign(math.sqrt(u_squared), v) if v else math.sqrt(u_squared)
    ratio = 0.0 if u == 0 else max(-1.0, min(1.0, v / u**3))
    w = (math.pi + math.acos(ratio)) / 3
    r1 = 2 * u * math.cos(w) - b / (3 * a)
    r1 = min(max(r1, 0.0), 1.0)
    r2 = min(max(r1 - delta, 0.0), 1.0)
    return r1, r2


def _check_level(level: float) -> None:
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise TableInputError("level", f"confidence level must be between 0 and 1, got {level!r}")


def _check_count(count: int, n: int, count_name: str, n_name: str) -> None:
    for name, value in ((count_name, count), (n_name, n)):
        if isinstance(value, bool) or not _is_whole(value):
            raise TableInputError(name, f"expected a whole number, got {value!r}")
        if value < 0:
            raise TableInputError(name, f"negative count {value!r}")
    if n == 0:
        raise TableInputError(n_name, "no participants (0): a proportion needs n >= 1")
    if count > n:
        raise TableInputError(count_name, f"{count} responders exceed the {n} participants")


def _is_whole(value: object) -> bool:
    return isinstance(value, numbers.Real) and float(value).is_integer()
