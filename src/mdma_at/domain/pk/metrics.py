"""Summary figures of a concentration curve, as pharmacokinetic papers report them."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CurveSummary:
    """Cmax (ng/mL), Tmax (h), AUC from the first to the last point (ng·h/mL) and the apparent
    terminal half-life (h)."""

    cmax: float
    tmax_h: float
    auc: float
    half_life_h: float


def terminal_half_life(
    curve: Sequence[tuple[float, float]], from_h: float = 8.0, to_h: float = 24.0
) -> float:
    """Apparent terminal half-life: ln 2 over the slope of a least-squares line through
    ln(concentration) between `from_h` and `to_h` hours (both included), as non-compartmental
    analyses estimate it. With saturable elimination it depends on the window chosen.
    """
    points = [(t, math.log(c)) for t, c in curve if from_h <= t <= to_h and c > 0]
    if len(points) < 2:
        raise ValueError("fewer than two positive points in the terminal window")
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = sum((t - mean_t) * (y - mean_y) for t, y in points) / sum(
        (t - mean_t) ** 2 for t, _ in points
    )
    if slope >= 0:
        raise ValueError("concentration is not falling in the terminal window")
    return math.log(2) / -slope


def summarise(curve: Sequence[tuple[float, float]]) -> CurveSummary:
    """Cmax, Tmax, AUC (trapezoids) and terminal half-life (8–24 h) of a curve."""
    tmax, cmax = max(curve, key=lambda point: point[1])
    auc = sum((t1 - t0) * (c0 + c1) / 2 for (t0, c0), (t1, c1) in itertools.pairwise(curve))
    return CurveSummary(cmax, tmax, auc, terminal_half_life(curve))
