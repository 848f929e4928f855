"""Published trial results the trial report sets a study beside (issue 19, item 3; ADR 0217).

One TOML file per trial, one entry per figure with its source (`mapp2.toml`). `compare` marks
each figure within or outside sampling error of the study's own estimate: within when the
published value lies inside the study's 95 % confidence interval for the same quantity
(docs/trial-report.md says why this rule). A count (randomised) is shown, not judged.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

HERE = Path(__file__).parent


class Verdict(StrEnum):
    WITHIN = "within sampling error"
    OUTSIDE = "outside sampling error"
    NOT_ASSESSED = "not assessed"  # a count, or the study has no interval yet


@dataclass(frozen=True, slots=True)
class Figure:
    """One published figure. ``arm`` is "active", "placebo" or "" (both arms)."""

    key: str
    label: str
    kind: str
    value: float
    source: str
    arm: str = ""
    outcome: str = ""


@dataclass(frozen=True, slots=True)
class Estimate:
    """The study's estimate of the same quantity and its 95 % CI (None: not estimable)."""

    value: float | None
    lower: float | None = None
    upper: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Comparison:
    figure: Figure
    study: Estimate
    verdict: Verdict


def load(name: str = "mapp2") -> tuple[str, tuple[Figure, ...]]:
    """The trial's name and its figures, in the file's order."""
    data = tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))
    return str(data["trial"]), tuple(
        Figure(
            str(f["key"]),
            str(f["label"]),
            str(f["kind"]),
            float(f["value"]),
            str(f["source"]),
            str(f.get("arm", "")),
            str(f.get("outcome", "")),
        )
        for f in data["figure"]
    )


def judge(figure: Figure, study: Estimate) -> Verdict:
    """Within when the published value is inside the study's interval (ends included)."""
    if figure.kind == "count" or study.lower is None or study.upper is None:
        return Verdict.NOT_ASSESSED
    inside = study.lower <= figure.value <= study.upper
    return Verdict.WITHIN if inside else Verdict.OUTSIDE


def compare(figures: tuple[Figure, ...], estimates: dict[str, Estimate]) -> tuple[Comparison, ...]:
    """Each figure beside the study's estimate under the same key (absent: not estimable)."""
    out = []
    for figure in figures:
        study = estimates.get(figure.key, Estimate(None, note="not estimable"))
        out.append(Comparison(figure, study, judge(figure, study)))
    return tuple(out)
