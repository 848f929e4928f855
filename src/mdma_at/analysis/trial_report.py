"""The trial report's numbers (issue 19, item 3; ADR 0215): every section computed by the
existing analysis functions from the study's tables, nothing computed twice.

Input: `TrialRecords` (the trial services' read of the study, as the unblinded statistician) and
its research tables (`mdma_at.interop.research.tables.build`: efficacy, responders, population,
aes, vitals), both gathered by the caller. A section that cannot be computed yet (a running
study with too few ratings for the MMRM, an arm with no guesses) carries the reason instead of
numbers, so the report always has every section. docs/trial-report.md says how each number is
computed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mdma_at.analysis import figures, published
from mdma_at.analysis.blinding_assessment import GroupIndex, blinding_by_time_point
from mdma_at.analysis.efficacy import (
    PrimaryEndpoint,
    change_from_baseline_table,
    change_table_to_dict,
    primary_endpoint_analysis,
)
from mdma_at.analysis.intervals import wilson_interval
from mdma_at.analysis.responders import (
    Outcome,
    responder_table,
    responder_table_to_dict,
)
from mdma_at.analysis.safety import (
    peak_vital_changes,
    safety_table_to_dict,
    teae_by_term,
    teae_summary,
)
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.protocols import get_protocol
from mdma_at.services.trials.blinding import ACTIVE, PLACEBO, time_points
from mdma_at.services.trials.report import ELIGIBLE, TrialRecords

T = TypeVar("T")
BASELINE = "baseline"  # the research tables' baseline visit code (interop.research.tables)
LEVEL = 0.95
#: In-session vitals figure: readings pooled into bins of this many minutes from the initial dose
#: (the protocol reads vitals every 30 min to 6 h, DESIGN.md §4, so a bin holds one reading each).
VITALS_BIN_MINUTES = 30
#: ... and drawn up to this many minutes after the initial dose (the session's 8 h, MAPP1 [S4]).
VITALS_SPAN_MINUTES = 480


@dataclass(frozen=True, slots=True)
class Section:
    """A section's result, or why there is none yet (``missing``)."""

    value: Any = None
    missing: str = ""


@dataclass(frozen=True, slots=True)
class ArmFlow:
    arm: str
    name: str
    allocated: int
    discontinued: int
    discontinued_reasons: tuple[tuple[str, int], ...]
    ongoing: int  # neither discontinued nor at the primary endpoint yet
    completed: int  # rated at the primary endpoint
    analysed: int  # in the MMRM: a baseline and at least one post-baseline rating


@dataclass(frozen=True, slots=True)
class Flow:
    """The CONSORT flow (Schulz et al. 2010, CONSORT 2010 statement, figure 1)."""

    assessed: int
    excluded: int
    excluded_reasons: tuple[tuple[str, int], ...]
    randomised: int
    arms: tuple[ArmFlow, ...]


@dataclass(frozen=True, slots=True)
class BaselineRow:
    label: str
    cells: tuple[str, ...]  # one per arm, then all


@dataclass(frozen=True)
class TrialReport:
    study_code: str
    study_title: str
    protocol: str
    arms: tuple[tuple[str, str], ...]  # (code, name), active first
    built_by: str
    built_at: str
    flow: Flow
    baseline: tuple[BaselineRow, ...]
    primary: Section
    by_visit: Section  # observed change by arm and visit (descriptive)
    responders: Section
    teae_summary: Section
    teae_terms: Section
    peak_vitals: Section
    blinding: Section
    comparison: tuple[published.Comparison, ...]
    comparison_trial: str
    figures: dict[str, str] = field(default_factory=dict)
    figure_missing: dict[str, str] = field(default_factory=dict)


def _section(compute: Callable[[], T]) -> Section:
    """Run one section's analysis; the analysis' refusal becomes the section's reason."""
    try:
        return Section(compute())
    except InvalidInput as refused:
        return Section(missing=f"{refused.field}: {refused.reason}")
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as failed:
        return Section(missing=f"not estimable with the data so far: {failed}")


def efficacy_visits(protocol: str) -> tuple[str, ...]:
    """The post-baseline CAPS-5 visits up to and including the primary endpoint, in order."""
    out = []
    for visit in get_protocol(protocol).schedule.visits:
        if visit.kind is VisitKind.ASSESSMENT and visit.code != BASELINE:
            out.append(visit.code)
        elif visit.kind is VisitKind.PRIMARY_ENDPOINT:
            out.append(visit.code)
            break
    return tuple(out)


def primary_visit(protocol: str) -> str:
    return next(
        v.code
        for v in get_protocol(protocol).schedule.visits
        if v.kind is VisitKind.PRIMARY_ENDPOINT
    )


def analyse(records: TrialRecords, tables: dict[str, pd.DataFrame]) -> TrialReport:
    """Every section of the report (see the module docstring)."""
    study = records.study
    arms = [a.code for a in records.arms]
    names = {a.code: a.name for a in records.arms}
    treatment, control = arms[0], arms[1]
    visits = efficacy_visits(study.protocol)
    endpoint = primary_visit(study.protocol)
    efficacy = tables["efficacy"]
    efficacy = efficacy[efficacy["visit"].isin((BASELINE, *visits))].reset_index(drop=True)
    # only the visits someone was rated at: the model has no level for a visit nobody reached
    rated = set(efficacy.loc[efficacy["value"].notna(), "visit"])
    visits = tuple(v for v in visits if v in rated)
    primary = _section(
        lambda: primary_endpoint_analysis(efficacy, treatment, control, endpoint, visits=visits)
    )
    by_visit = _section(lambda: _rated(change_from_baseline_table(efficacy, arms, visits=visits)))
    responders = _section(lambda: responder_table(tables["responders"], treatment, control))
    population, aes = tables["population"], tables["aes"]
    summary = _section(lambda: teae_summary(aes, population, arms))
    terms = _section(lambda: teae_by_term(aes, population, arms))
    vitals = tables["vitals"]
    peaks = _section(lambda: peak_vital_changes(vitals, arms))
    indices = _section(lambda: _blinding(records))
    report = TrialReport(
        study.code,
        study.title,
        study.protocol,
        tuple((a.code, a.name) for a in records.arms),
        records.built_by,
        records.built_at.strftime("%Y-%m-%d %H:%M UTC"),
        _flow(records, efficacy, endpoint, names),
        _baseline(records, efficacy, arms),
        primary,
        Section(change_table_to_dict(by_visit.value)) if by_visit.value is not None else by_visit,
        Section(responder_table_to_dict(responders.value))
        if responders.value is not None
        else responders,
        _dicts(summary),
        _dicts(terms),
        _dicts(peaks),
        indices,
        *_comparison(records, efficacy, primary, responders, endpoint, arms),
    )
    _figures(report, by_visit, vitals, efficacy, endpoint, arms, names)
    return report


def _rated(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty:
        raise InvalidInput("efficacy", "no CAPS-5 ratings after baseline yet")
    return table


def _dicts(section: Section) -> Section:
    return Section(safety_table_to_dict(section.value)) if section.value is not None else section


def _blinding(records: TrialRecords) -> list[GroupIndex]:
    groups = blinding_by_time_point(records.guesses, time_points(records.study), ACTIVE, PLACEBO)
    if not groups:
        raise InvalidInput("guesses", "no blinding guesses recorded yet")
    return groups


# ------------------------------------------------------------------------------ CONSORT flow
def _flow(
    records: TrialRecords, efficacy: pd.DataFrame, endpoint: str, names: dict[str, str]
) -> Flow:
    randomised = {p.subject for p in records.participants}
    excluded = [s for s in records.screened if s.decision not in ELIGIBLE]
    reasons: Counter[str] = Counter()
    for screened in excluded:
        for criterion in screened.not_met or (screened.decision,):
            reasons[criterion.replace("_", " ")] += 1
    # eligible but never randomised: declined, waiting, or joined without the button pressed
    waiting = sum(1 for s in records.screened if s.decision in ELIGIBLE and not s.joined) + max(
        0, sum(1 for s in records.screened if s.joined) - len(randomised)
    )
    if waiting:
        reasons["eligible, not randomised (yet)"] += waiting
    observed = efficacy[efficacy["value"].notna()]
    rated = observed.groupby("subject")["visit"].agg(set).to_dict()
    flows = []
    for arm, name in names.items():
        mine = [p for p in records.participants if p.arm == arm]
        completed = {p.subject for p in mine if endpoint in rated.get(p.subject, set())}
        stopped = [p for p in mine if p.withdrawn_on is not None and p.subject not in completed]
        why = Counter((p.withdrawal_reason or "no reason recorded") for p in stopped)
        analysed = sum(
            1 for p in mine if BASELINE in rated.get(p.subject, set()) and len(rated[p.subject]) > 1
        )
        flows.append(
            ArmFlow(
                arm, name, len(mine), len(stopped), tuple(sorted(why.items())),
                len(mine) - len(stopped) - len(completed), len(completed), analysed,
            )
        )  # fmt: skip
    return Flow(
        len(records.screened),
        len(excluded) + waiting,
        tuple(sorted(reasons.items(), key=lambda r: (-r[1], r[0]))),
        len(randomised),
        tuple(flows),
    )


# ------------------------------------------------------------------------------ table 1
def _mean_sd(values: Sequence[float]) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{np.mean(values):.1f} ({np.std(values, ddof=1):.1f})"


def _baseline(
    records: TrialRecords, efficacy: pd.DataFrame, arms: Sequence[str]
) -> tuple[BaselineRow, ...]:
    groups = [[p for p in records.participants if p.arm == arm] for arm in arms]
    groups.append(list(records.participants))
    caps = efficacy[(efficacy["visit"] == BASELINE) & efficacy["value"].notna()]
    caps_of = dict(zip(caps["subject"], caps["value"].astype(float), strict=True))

    def share(group: list[Any], test: Callable[[Any], bool]) -> str:
        if not group:
            return "–"
        count = sum(1 for p in group if test(p))
        return f"{count} ({100 * count / len(group):.1f} %)"

    return (
        BaselineRow("Participants, n", tuple(str(len(g)) for g in groups)),
        BaselineRow("Age, years: mean (SD)", tuple(_mean_sd([p.age for p in g]) for g in groups)),
        BaselineRow("Female, n (%)", tuple(share(g, lambda p: p.sex == "female") for g in groups)),
        BaselineRow(
            "CAPS-5 total at baseline: mean (SD)",
            tuple(
                _mean_sd([caps_of[p.subject] for p in g if p.subject in caps_of]) for g in groups
            ),
        ),
        BaselineRow(
            "CAPS-5 at baseline rated, n",
            tuple(str(sum(1 for p in g if p.subject in caps_of)) for g in groups),
        ),
    )


# ------------------------------------------------------------------------------ MAPP2 beside
def _mean_ci(values: Sequence[float]) -> published.Estimate:
    from scipy import stats

    n = len(values)
    if n < 2:
        return published.Estimate(float(values[0]) if n else None, note="fewer than 2 values")
    mean, se = float(np.mean(values)), float(np.std(values, ddof=1) / math.sqrt(n))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, n - 1)) * se
    return published.Estimate(mean, mean - half, mean + half)


def _rate(count: int, n: int) -> published.Estimate:
    if n == 0:
        return published.Estimate(None, note="none counted yet")
    ci = wilson_interval(count, n, LEVEL)
    return published.Estimate(100 * ci.estimate, 100 * ci.lower, 100 * ci.upper)


def _comparison(
    records: TrialRecords,
    efficacy: pd.DataFrame,
    primary: Section,
    responders: Section,
    endpoint: str,
    arms: Sequence[str],
) -> tuple[tuple[published.Comparison, ...], str]:
    trial, figures_ = published.load("mapp2")
    side = {ACTIVE: arms[0], PLACEBO: arms[1]}
    estimates: dict[str, published.Estimate] = {}
    caps = efficacy[(efficacy["visit"] == BASELINE) & efficacy["value"].notna()]
    observed = efficacy[(efficacy["visit"] == endpoint) & efficacy["value"].notna()]
    for label, arm in side.items():
        mine = [p for p in records.participants if p.arm == arm]
        estimates[f"randomised_{label}"] = published.Estimate(float(len(mine)))
        completed = sum(1 for p in mine if p.subject in set(observed["subject"]))
        stopped = sum(1 for p in mine if p.withdrawn_on is not None) - sum(
            1 for p in mine if p.withdrawn_on is not None and p.subject in set(observed["subject"])
        )
        estimates[f"completed_{label}"] = _rate(completed, completed + stopped)
        estimates[f"baseline_{label}"] = _mean_ci(
            caps[caps["arm"] == arm]["value"].astype(float).tolist()
        )
    if isinstance(primary.value, PrimaryEndpoint):
        fit: PrimaryEndpoint = primary.value
        for label, arm in side.items():
            row = fit.lsmeans[fit.lsmeans["arm"] == arm].iloc[0]
            estimates[f"lsmean_{label}"] = published.Estimate(
                float(row["estimate"]), float(row["lower"]), float(row["upper"])
            )
        diff = fit.difference
        estimates["difference"] = published.Estimate(
            float(diff["estimate"]), float(diff["lower"]), float(diff["upper"])
        )
        if fit.effect_sizes:  # none where an arm has fewer than two values at the endpoint
            d = fit.effect_sizes[0]
            estimates["cohens_d"] = published.Estimate(d.d, d.lower, d.upper)
    if isinstance(responders.value, pd.DataFrame):
        for _, row in responders.value.iterrows():
            for label, prefix in ((ACTIVE, "treatment"), (PLACEBO, "control")):
                key = {
                    Outcome.CLINICALLY_MEANINGFUL.value: "response",
                    Outcome.LOSS_OF_DIAGNOSIS.value: "loss",
                    Outcome.REMISSION.value: "remission",
                }[str(row["outcome"])]
                estimates[f"{key}_{label}"] = _rate(
                    int(row[f"{prefix}_responders"]), int(row[f"{prefix}_n"])
                )
    return published.compare(figures_, estimates), trial


# ------------------------------------------------------------------------------ figures
def _figures(
    report: TrialReport,
    by_visit: Section,
    vitals: pd.DataFrame,
    efficacy: pd.DataFrame,
    endpoint: str,
    arms: Sequence[str],
    names: dict[str, str],
) -> None:
    if isinstance(by_visit.value, pd.DataFrame) and not by_visit.value.empty:
        table = by_visit.value
        series = [
            figures.Series(
                names[arm],
                tuple(
                    figures.Point(
                        str(r["visit"]),
                        float(r["change_mean"]),
                        _or_none(r["change_lower"]),
                        _or_none(r["change_upper"]),
                    )
                    for _, r in table[(table["arm"] == arm) & (table["n"] > 0)].iterrows()
                ),
            )
            for arm in arms
        ]
        report.figures["trajectories"] = figures.line_chart(
            "CAPS-5 change from baseline by arm (observed mean, 95 % CI)",
            "CAPS-5 change (points)",
            series,
        )
    else:
        report.figure_missing["trajectories"] = by_visit.missing or "no ratings after baseline yet"
    post = vitals[~vitals["pre_dose"].astype(bool)] if not vitals.empty else vitals
    post = post[(post["t"] >= 0) & (post["t"] <= VITALS_SPAN_MINUTES)] if not post.empty else post
    if not post.empty:
        for column, label, unit in (
            ("systolic", "Systolic blood pressure", "mmHg"),
            ("heart_rate", "Heart rate", "beats/min"),
        ):
            binned = post.assign(bin=(post["t"] // VITALS_BIN_MINUTES) * VITALS_BIN_MINUTES)
            series = []
            for arm in arms:
                mine = binned[binned["arm"] == arm].groupby("bin")[column]
                series.append(
                    figures.Series(
                        names[arm],
                        tuple(
                            figures.Point(_clock(float(b)), *_ci(values))  # type: ignore[arg-type]
                            for b, values in mine
                        ),
                    )
                )
            report.figures[f"vitals_{column}"] = figures.line_chart(
                f"{label} after the initial dose by arm (mean, 95 % CI; h:min)",
                f"{label} ({unit})",
                series,
                zero=False,
            )
    else:
        report.figure_missing["vitals"] = "no in-session vital signs recorded yet"
    change = _endpoint_change(efficacy, endpoint)
    if change:
        report.figures["waterfall"] = figures.waterfall(
            f"Individual CAPS-5 change at {endpoint} (each bar a participant)",
            "CAPS-5 change (points)",
            [(value, arms.index(arm)) for arm, value in change],
            [names[a] for a in arms],
        )
    else:
        report.figure_missing["waterfall"] = f"no participant rated at {endpoint} yet"


def _endpoint_change(efficacy: pd.DataFrame, endpoint: str) -> list[tuple[str, float]]:
    rated = efficacy[efficacy["value"].notna()]
    base = rated[rated["visit"] == BASELINE].set_index("subject")["value"]
    end = rated[rated["visit"] == endpoint]
    return [
        (str(r["arm"]), float(r["value"]) - float(base[r["subject"]]))
        for _, r in end.iterrows()
        if r["subject"] in base.index
    ]


def _ci(values: pd.Series) -> tuple[float, float | None, float | None]:
    estimate = _mean_ci(values.astype(float).tolist())
    assert estimate.value is not None
    return estimate.value, estimate.lower, estimate.upper


def _clock(minutes: float) -> str:
    """Minutes from the initial dose as h:mm."""
    return f"{int(minutes) // 60}:{int(minutes) % 60:02d}"


def _or_none(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None
