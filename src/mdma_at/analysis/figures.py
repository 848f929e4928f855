"""The trial report's figures as inline SVG (issue 19, item 3; ADR 0216).

Two shapes are enough for the report: lines with confidence bars over ordered points (CAPS-5
trajectories, in-session vitals) and a sorted bar chart (the individual-change waterfall). They are
written here, a few dozen lines each, because the report must be one self-contained file that
prints well: matplotlib is not a dependency of the package (it would add about 40 MB for two
charts), and the live console's vendored JavaScript chart library needs a browser to draw. Each
figure is also a table in the report, for screen readers and for checking by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 180, 16, 40
#: Colour-blind-safe pair (Okabe & Ito 2008): vermillion for the active arm, blue for control;
#: the second arm is also dashed, so the figure survives a black-and-white printer.
COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7")
DASHES = ("", "6 4", "2 3", "8 3 2 3")


@dataclass(frozen=True, slots=True)
class Point:
    x: str  # the category on the x axis (a visit, a time)
    y: float
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: tuple[Point, ...]


def _finite(*values: float | None) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _range(values: list[float], zero: bool) -> tuple[float, float]:
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    return low - pad, high + pad


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * step:
            step *= factor
            break
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def _frame(title: str, y_label: str, low: float, high: float, y: object) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="figure" aria-label={quoteattr(title)}><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
        'stroke="#444"/>',
        f'<text x="12" y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {(TOP + HEIGHT - BOTTOM) / 2:.1f})">{escape(y_label)}</text>',
    ]
    for tick in _ticks(low, high):
        at = y(tick)  # type: ignore[operator]
        parts.append(
            f'<line x1="{LEFT - 4}" y1="{at:.1f}" x2="{WIDTH - RIGHT}" y2="{at:.1f}" '
            f'stroke="#ddd"/><text x="{LEFT - 6}" y="{at + 4:.1f}" font-size="10" '
            f'text-anchor="end">{tick:g}</text>'
        )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    for i, name in enumerate(names):
        y = TOP + 14 + 18 * i
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 10}" y1="{y - 4}" x2="{WIDTH - RIGHT + 34}" y2="{y - 4}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{WIDTH - RIGHT + 40}" y="{y}" font-size="11">{escape(name)}</text>'
        )
    return parts


def line_chart(title: str, y_label: str, series: Sequence[Series], zero: bool = True) -> str:
    """Each series as a line through its points with a bar from lower to upper (a CI), on
    shared categorical x positions (the union of the points' x, in first-seen order)."""
    xs: list[str] = []
    for s in series:
        xs += [p.x for p in s.points if p.x not in xs]
    values = _finite(*(v for s in series for p in s.points for v in (p.y, p.lower, p.upper)))
    low, high = _range(values, zero)
    span = WIDTH - LEFT - RIGHT

    def x(label: str, i: float) -> float:
        step = span / max(len(xs), 1)
        return LEFT + step * (xs.index(label) + 0.5) + (i - (len(series) - 1) / 2) * 4

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    parts = _frame(title, y_label, low, high, y)
    for label in xs:
        parts.append(
            f'<text x="{x(label, (len(series) - 1) / 2):.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        shown = [p for p in s.points if math.isfinite(p.y)]
        path = " ".join(f"{x(p.x, i):.1f},{y(p.y):.1f}" for p in shown)
        if path:
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{dash}"/>'
            )
        for p in shown:
            if (
                p.lower is not None
                and p.upper is not None
                and _finite(p.lower, p.upper)
                == [
                    p.lower,
                    p.upper,
                ]
            ):
                parts.append(
                    f'<line x1="{x(p.x, i):.1f}" y1="{y(p.lower):.1f}" x2="{x(p.x, i):.1f}" '
                    f'y2="{y(p.upper):.1f}" stroke="{colour}"/>'
                )
            parts.append(f'<circle cx="{x(p.x, i):.1f}" cy="{y(p.y):.1f}" r="3" fill="{colour}"/>')
    parts += _legend([s.name for s in series])
    parts.append("</svg>")
    return "".join(parts)


def waterfall(
    title: str, y_label: str, bars: Sequence[tuple[float, int]], names: Sequence[str]
) -> str:
    """One bar per participant, sorted from the largest value to the smallest; a bar's colour is
    its group (`names[group]`)."""
    ordered = sorted((b for b in bars if math.isfinite(b[0])), key=lambda b: -b[0])
    low, high = _range([b[0] for b in ordered], zero=True)

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM)

    parts = _frame(title, y_label, low, high, y)
    width = (WIDTH - LEFT - RIGHT) / max(len(ordered), 1)
    for i, (value, group) in enumerate(ordered):
        top, bottom = sorted((y(value), y(0.0)))
        parts.append(
            f'<rect x="{LEFT + i * width + width * 0.1:.1f}" y="{top:.1f}" '
            f'width="{width * 0.8:.1f}" height="{max(bottom - top, 0.5):.1f}" '
            f'fill="{COLOURS[group % len(COLOURS)]}"/>'
        )
    for i, name in enumerate(names):
        at = TOP + 14 + 18 * i
        parts.append(
            f'<rect x="{WIDTH - RIGHT + 10}" y="{at - 10}" width="12" height="12" '
            f'fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{WIDTH - RIGHT + 28}" y="{at}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
