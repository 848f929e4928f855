"""Server-side SVG geometry for the trajectory charts (no JavaScript needed to read a chart).

A trajectory is drawn as shaded severity bands, the cut-off as a dashed line, the scores as a
line with dots, and a letter above each score whose change from baseline falls in a category
(M clinically meaningful, L loss of diagnosis, R remission, W worsening). The same values are in a
table under each chart, for screen readers (ADR 0061).
"""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.instruments.change import ChangeCategory
from mdma_at.domain.measurement.trajectory import Trajectory

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 130, 14, 30

CATEGORY_MARK = {
    ChangeCategory.CLINICALLY_MEANINGFUL: "M",
    ChangeCategory.LOSS_OF_DIAGNOSIS: "L",
    ChangeCategory.REMISSION: "R",
    ChangeCategory.WORSENING: "W",
}
CATEGORY_TEXT = {
    ChangeCategory.CLINICALLY_MEANINGFUL: "clinically meaningful improvement",
    ChangeCategory.LOSS_OF_DIAGNOSIS: "loss of diagnosis",
    ChangeCategory.REMISSION: "remission",
    ChangeCategory.WORSENING: "worsening",
}


@dataclass(frozen=True, slots=True)
class BandShape:
    label: str
    y: float
    height: float
    index: int


@dataclass(frozen=True, slots=True)
class PointShape:
    x: float
    y: float
    title: str
    marks: str


@dataclass(frozen=True, slots=True)
class ChartShape:
    width: int
    height: int
    left: int
    plot_right: float
    plot_bottom: float
    bands: tuple[BandShape, ...]
    points: tuple[PointShape, ...]
    polyline: str
    cutoff_y: float | None
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]


def chart_shape(trajectory: Trajectory) -> ChartShape:
    """Coordinates for one trajectory's SVG (y grows downwards in SVG)."""
    risk = trajectory.is_risk_scale
    low_value, high_value = (-0.5, trajectory.y_max + 0.5) if risk else (0.0, trajectory.y_max)
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def y(value: float) -> float:
        span = high_value - low_value
        return round(plot_bottom - (value - low_value) / span * (plot_bottom - TOP), 1)

    bands = []
    for index, band in enumerate(trajectory.bands):
        bottom_value = band.low - 0.5 if risk else band.low
        top_value = band.high + 0.5 if risk else min(band.high + 1, trajectory.y_max)
        bands.append(BandShape(band.label, y(top_value), y(bottom_value) - y(top_value), index))

    days = [p.measurement.on for p in trajectory.points]
    first, last = min(days), max(days)
    span_days = (last - first).days

    def x(day_index: int) -> float:
        day = days[day_index]
        if span_days == 0:
            return round((LEFT + plot_right) / 2, 1)
        return round(LEFT + 12 + (day - first).days / span_days * (plot_right - LEFT - 24), 1)

    points = []
    for index, point in enumerate(trajectory.points):
        if point.value is None:
            continue
        marks = ""
        notes = []
        if point.change is not None:
            marks = "".join(CATEGORY_MARK[c] for c in point.change.categories)
            notes = [CATEGORY_TEXT[c] for c in point.change.categories]
        shown = point.measurement.score.severity if risk else str(point.value)
        title = f"{point.measurement.on:%d %b %Y}: {shown}"
        if notes:
            title += " (" + ", ".join(notes) + ")"
        points.append(PointShape(x(index), y(point.value), title, marks))

    ticks = (
        tuple((y(rank), band.label) for rank, band in enumerate(trajectory.bands))
        if risk
        else tuple((y(v), str(v)) for v in _y_tick_values(trajectory.y_max))
    )
    x_ticks: tuple[tuple[float, str], ...] = ((x(0), f"{first:%d %b %Y}"),)
    if span_days:
        x_ticks += ((x(len(days) - 1), f"{last:%d %b %Y}"),)
    return ChartShape(
        WIDTH,
        HEIGHT,
        LEFT,
        plot_right,
        plot_bottom,
        tuple(bands),
        tuple(points),
        " ".join(f"{p.x},{p.y}" for p in points),
        y(trajectory.cutoff) if trajectory.cutoff is not None else None,
        ticks,
        x_ticks,
    )


def _y_tick_values(y_max: int) -> list[int]:
    step = 10 if y_max > 40 else 5
    return list(range(0, y_max + 1, step))
