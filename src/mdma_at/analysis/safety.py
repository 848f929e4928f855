"""Safety tables: treatment-emergent adverse events by arm, adverse events of special interest,
and in-session vital signs (peak change from pre-dose; readings beyond the alert limits).

Inputs (columns documented in docs/analysis/tables.md):
- population: one row per participant in the safety population, ``subject, arm``. It gives the
  denominators: a participant without any adverse event still counts.
- aes: one row per adverse event, ``subject, arm, term, severity, serious, treatment_emergent``,
  optionally ``special_interest`` (a category, or empty) and ``onset`` (carried, not used: treatment
  emergence is decided upstream and recorded in ``treatment_emergent``).
- vitals: one row per reading, ``subject, arm, session, t, systolic, diastolic, heart_rate,
  temperature_c, pre_dose``. ``t`` orders the readings within a session (minutes from the initial
  dose, or a timestamp); ``pre_dose`` marks readings taken before the initial dose.

Counting rules: a participant counts once per row of a table however many events they had
("participants n"), every event counts ("events"); percent = 100 · participants / arm size in the
safety population. Only events with ``treatment_emergent`` True are tabulated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mdma_at.analysis.table_errors import (
    TableInputError,
    require_bool,
    require_columns,
    require_frame,
    require_known_arms,
    require_no_missing,
    require_numeric,
    show,
)
from mdma_at.domain.adverse_events import AeSeverity
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.classification import AlertThresholds, Threshold
from mdma_at.domain.vitals.plausibility import PHYSIOLOGICAL_LIMITS
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.protocols.mapp_v1.dosing import THRESHOLDS as MAPP_V1_THRESHOLDS

POPULATION_COLUMNS = ("subject", "arm")
AE_COLUMNS = ("subject", "arm", "term", "severity", "serious", "treatment_emergent")
VITALS_COLUMNS = (
    "subject",
    "arm",
    "session",
    "t",
    "systolic",
    "diastolic",
    "heart_rate",
    "temperature_c",
    "pre_dose",
)
# The console's adverse-event severities, in order (the same vocabulary the clinic records).
SEVERITIES: tuple[str, ...] = tuple(s.value for s in AeSeverity)

# MAPP1's adverse events of special interest [S1][S31] (clinical-facts.md §2).
SPECIAL_INTEREST: Mapping[str, str] = {
    "suicidality": "suicidal ideation or behaviour",
    "qt_prolongation": "cardiac events indicating QT prolongation",
    "abuse_potential": "abuse potential or substance misuse",
}
SPECIAL_INTEREST_SOURCE = Source(
    "MAPP1 adverse events of special interest: suicidality, cardiac events indicating QT "
    "prolongation, abuse potential/substance misuse (clinical-facts.md §2) [S1][S31]"
)
# Rendered from the protocol's limits and their own sources, so that it cannot go stale.
LIMITS_SOURCE = Source(
    "DESIGN.md §4 in-session alerts (protocol mapp_v1): "
    + "; ".join(
        str(limit.source)
        for side in (MAPP_V1_THRESHOLDS.caution, MAPP_V1_THRESHOLDS.critical)
        for limit in side.values()
    )
)

# The vitals column of each alert parameter (the table says temperature_c, the domain temperature).
_COLUMN = {
    Parameter.SYSTOLIC: "systolic",
    Parameter.DIASTOLIC: "diastolic",
    Parameter.HEART_RATE: "heart_rate",
    Parameter.TEMPERATURE: "temperature_c",
}


# --------------------------------------------------------------------------- adverse events


def teae_summary(
    aes: pd.DataFrame,
    population: pd.DataFrame,
    arms: Sequence[str],
    severities: Sequence[str] = SEVERITIES,
    special_interest: Mapping[str, str] = SPECIAL_INTEREST,
) -> pd.DataFrame:
    """Overview of treatment-emergent adverse events (TEAEs) by arm.

    Rows: ``any`` (any TEAE), ``severity:<level>`` for each level (participants with at least one
    TEAE of that severity; a participant may count in several rows), ``serious`` (at least one
    serious TEAE), ``special_interest`` (at least one TEAE of special interest).

    Args:
        aes: one row per adverse event (see module docstring).
        population: one row per participant of the safety population: ``subject, arm``.
        arms: the arms, in column order (e.g. ``["mdma", "placebo"]``).
        severities: allowed severity grades, mildest first.
        special_interest: allowed categories of special interest (name -> description).

    Returns:
        One row per category: ``row``, then per arm ``<arm>_participants``, ``<arm>_percent``,
        ``<arm>_events`` and ``<arm>_n`` (arm size).

    Raises:
        TableInputError: missing column, unknown arm, severity or category, a value that is not
            true/false, an event of a participant outside the population or in another arm.
    """
    events, sizes = _teaes(aes, population, arms, severities, special_interest)
    groups: list[tuple[str, pd.Series]] = [("any", pd.Series(True, index=events.index))]
    groups += [(f"severity:{level}", events["severity"] == level) for level in severities]
    groups += [("serious", events["serious"])]
    groups += [("special_interest", events["special_interest"].notna())]
    return _count_rows(events, sizes, arms, groups, "row")


def teae_by_term(
    aes: pd.DataFrame,
    population: pd.DataFrame,
    arms: Sequence[str],
    severities: Sequence[str] = SEVERITIES,
    special_interest: Mapping[str, str] = SPECIAL_INTEREST,
) -> pd.DataFrame:
    """TEAEs by reported term, most frequent first (participants over all arms, then the term).

    Returns:
        One row per term: ``term``, then per arm ``<arm>_participants``, ``<arm>_percent``,
        ``<arm>_events``, ``<arm>_n``.

    Raises:
        TableInputError: as `teae_summary`.
    """
    events, sizes = _teaes(aes, population, arms, severities, special_interest)
    terms = sorted(events["term"].unique())
    table = _count_rows(events, sizes, arms, [(t, events["term"] == t) for t in terms], "term")
    if table.empty:
        return table
    total = table[[f"{arm}_participants" for arm in arms]].sum(axis=1)
    order = np.lexsort((table["term"].to_numpy(), -total.to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def teae_by_severity(
    aes: pd.DataFrame,
    population: pd.DataFrame,
    arms: Sequence[str],
    severities: Sequence[str] = SEVERITIES,
    special_interest: Mapping[str, str] = SPECIAL_INTEREST,
) -> pd.DataFrame:
    """Participants by their worst TEAE severity (each participant in exactly one row).

    Rows: ``none`` (no TEAE), then each severity, mildest first. Events are counted at their own
    severity.

    Raises:
        TableInputError: as `teae_summary`.
    """
    events, sizes = _teaes(aes, population, arms, severities, special_interest)
    rank = {level: i for i, level in enumerate(severities)}
    worst = events.assign(rank=events["severity"].map(rank)).groupby("subject")["rank"].max()
    rows = []
    for arm in arms:
        n = sizes[arm]
        arm_events = events[events["arm"] == arm]
        arm_worst = worst[worst.index.isin(arm_events["subject"])]
        rows.append(("none", arm, n - len(arm_worst), 0, n))
        for level, i in rank.items():
            participants = int((arm_worst == i).sum())
            n_events = int((arm_events["severity"] == level).sum())
            rows.append((level, arm, participants, n_events, n))
    return _widen(rows, arms, "worst_severity", ["none", *severities])


def special_interest_table(
    aes: pd.DataFrame,
    population: pd.DataFrame,
    arms: Sequence[str],
    severities: Sequence[str] = SEVERITIES,
    special_interest: Mapping[str, str] = SPECIAL_INTEREST,
) -> pd.DataFrame:
    """TEAEs of special interest by category and arm; every category is listed, zero or not.

    Default categories are MAPP1's (`SPECIAL_INTEREST`, source `SPECIAL_INTEREST_SOURCE`).

    Returns:
        One row per category: ``category``, ``description``, then per arm
        ``<arm>_participants``, ``<arm>_percent``, ``<arm>_events``, ``<arm>_n``.

    Raises:
        TableInputError: as `teae_summary`.
    """
    events, sizes = _teaes(aes, population, arms, severities, special_interest)
    groups = [(c, events["special_interest"] == c) for c in special_interest]
    table = _count_rows(events, sizes, arms, groups, "category")
    table.insert(1, "description", [special_interest[c] for c in table["category"]])
    return table


def _teaes(
    aes: pd.DataFrame,
    population: pd.DataFrame,
    arms: Sequence[str],
    severities: Sequence[str],
    special_interest: Mapping[str, str],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Checked treatment-emergent events and the arm sizes of the safety population."""
    _check_arms(arms)
    sizes = _population_sizes(population, arms)
    frame = require_frame(aes, "aes")
    require_columns(frame, "aes", AE_COLUMNS)
    require_no_missing(frame, "aes", AE_COLUMNS)
    require_known_arms(frame, "aes", arms)
    frame = frame.copy()
    frame["serious"] = require_bool(frame, "aes", "serious")
    frame["treatment_emergent"] = require_bool(frame, "aes", "treatment_emergent")
    unknown = sorted({str(s) for s in frame["severity"]} - set(severities))
    if unknown:
        raise TableInputError(
            "aes.severity",
            f"unknown severity {', '.join(show(s) for s in unknown)}; "
            f"expected one of {', '.join(show(s) for s in severities)}",
        )
    if "special_interest" in frame.columns:
        category = frame["special_interest"].where(frame["special_interest"] != "", None)
        unknown = sorted({str(c) for c in category.dropna()} - set(special_interest))
        if unknown:
            raise TableInputError(
                "aes.special_interest",
                f"unknown category {', '.join(show(c) for c in unknown)}; "
                f"expected one of {', '.join(show(c) for c in special_interest)} or empty",
            )
        frame["special_interest"] = category
    else:
        frame["special_interest"] = None
    members = require_frame(population, "population").set_index("subject")["arm"]
    outside = frame.loc[~frame["subject"].isin(members.index), "subject"]
    if not outside.empty:
        raise TableInputError(
            "aes.subject",
            f"subject {show(outside.iloc[0])} has an adverse event but is not in the safety "
            "population",
        )
    mismatch = frame["arm"].to_numpy() != frame["subject"].map(members).to_numpy()
    if mismatch.any():
        row = frame[mismatch].iloc[0]
        raise TableInputError(
            "aes.arm",
            f"subject {show(row['subject'])} is in arm {show(members[row['subject']])} in the "
            "population "
            f"but {show(row['arm'])} in the adverse events",
        )
    return frame[frame["treatment_emergent"]], sizes


def _population_sizes(population: pd.DataFrame, arms: Sequence[str]) -> dict[str, int]:
    frame = require_frame(population, "population")
    require_columns(frame, "population", POPULATION_COLUMNS)
    require_no_missing(frame, "population", POPULATION_COLUMNS)
    require_known_arms(frame, "population", arms)
    duplicated = frame["subject"].duplicated()
    if duplicated.any():
        raise TableInputError(
            "population.subject",
            f"subject {show(frame.loc[duplicated, 'subject'].iloc[0])} appears more than once",
        )
    sizes = {arm: int((frame["arm"] == arm).sum()) for arm in arms}
    empty = [arm for arm, n in sizes.items() if n == 0]
    if empty:
        raise TableInputError("population.arm", f"no participants in arm {show(empty[0])}")
    return sizes


def _count_rows(
    events: pd.DataFrame,
    sizes: Mapping[str, int],
    arms: Sequence[str],
    groups: Sequence[tuple[str, pd.Series]],
    label: str,
) -> pd.DataFrame:
    rows = []
    for name, mask in groups:
        selected = events[mask.to_numpy(dtype=bool)] if len(events) else events
        for arm in arms:
            in_arm = selected[selected["arm"] == arm]
            rows.append((name, arm, int(in_arm["subject"].nunique()), len(in_arm), sizes[arm]))
    return _widen(rows, arms, label, [name for name, _ in groups])


def _widen(
    rows: Sequence[tuple[str, str, int, int, int]],
    arms: Sequence[str],
    label: str,
    order: Sequence[str],
) -> pd.DataFrame:
    """(row, arm, participants, events, n) tuples -> one row per label, four columns per arm."""
    columns = [label] + [
        f"{a}_{c}" for a in arms for c in ("participants", "percent", "events", "n")
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    wide: dict[str, dict[str, Any]] = {name: {label: name} for name in order}
    for name, arm, participants, n_events, n in rows:
        wide[name] |= {
            f"{arm}_participants": participants,
            f"{arm}_percent": 100.0 * participants / n,
            f"{arm}_events": n_events,
            f"{arm}_n": n,
        }
    return pd.DataFrame([wide[name] for name in order], columns=columns)


# --------------------------------------------------------------------------- vital signs


def peak_vital_changes(vitals: pd.DataFrame, arms: Sequence[str]) -> pd.DataFrame:
    """Peak in-session change from pre-dose, by arm, session and vital sign.

    Per participant and session: pre-dose = the last reading with ``pre_dose`` True (by ``t``);
    peak = the highest reading after it (``pre_dose`` False); peak change = peak - pre-dose, in the
    unit of the sign (mmHg, beats/min, °C). A participant-session without a pre-dose value or
    without any post-dose value for a sign is left out of that sign's summary (``n`` says how many
    remain; ``n_missing`` how many were left out).

    Returns:
        One row per arm × session × vital sign: ``arm, session, vital, n, n_missing,
        pre_dose_mean, peak_mean, change_mean, change_sd, change_median, change_min,
        change_max``.

    Raises:
        TableInputError: missing column, unknown arm, a non-numeric or implausible reading, a
            ``pre_dose`` value that is not true/false, a participant in two arms, two readings of a
            participant at the same ``t`` of a session.
    """
    frame = _checked_vitals(vitals, arms)
    rows = []
    for parameter in _COLUMN:  # the four signs with high limits (SpO2 has none)
        column = _COLUMN[parameter]
        per_session = _peak_per_session(frame, column)
        for (arm, session), group in per_session.groupby(["arm", "session"], sort=False):
            change = group["change"].dropna()
            rows.append(
                {
                    "arm": arm,
                    "session": session,
                    "vital": column,
                    "n": len(change),
                    "n_missing": len(group) - len(change),
                    "pre_dose_mean": group.loc[change.index, "pre"].mean(),
                    "peak_mean": group.loc[change.index, "peak"].mean(),
                    "change_mean": change.mean(),
                    "change_sd": change.std(ddof=1),
                    "change_median": change.median(),
                    "change_min": change.min(),
                    "change_max": change.max(),
                }
            )
    return _ordered(pd.DataFrame(rows), arms, frame)


def vital_limit_counts(
    vitals: pd.DataFrame,
    arms: Sequence[str],
    thresholds: AlertThresholds = MAPP_V1_THRESHOLDS,
) -> pd.DataFrame:
    """Participants and post-dose readings at or beyond the caution and critical limits.

    A reading reaches a limit by that limit's own direction (the protocol's high limits of
    systolic, diastolic, heart rate and temperature; DESIGN.md §4). "Caution" counts every
    reading that reaches the caution limit, critical ones included; "critical" counts those that
    reach the critical limit. Only post-dose readings (``pre_dose`` False) count: the pre-dose
    gate is a separate rule. Vital ``any`` counts a participant (or a reading) once if any sign
    reaches the level.

    Args:
        vitals: one row per reading (see module docstring).
        arms: the arms, in row order.
        thresholds: caution and critical limits; default protocol mapp_v1 (`LIMITS_SOURCE`).

    Returns:
        One row per arm × session × vital (the four signs and ``any``) × level (``caution``,
        ``critical``): ``arm, session, vital, level, limit`` (e.g. "> 160"), ``participants``,
        ``participants_assessed`` (with at least one post-dose reading), ``percent``, ``readings``.

    Raises:
        TableInputError: as `peak_vital_changes`.
    """
    frame = _checked_vitals(vitals, arms)
    post = frame[~frame["pre_dose"]]
    rows = []
    for level, limits in (("caution", thresholds.caution), ("critical", thresholds.critical)):
        reached = {p: _reaches(post[_COLUMN[p]], limits[p]) for p in _COLUMN}
        reached_any = np.logical_or.reduce([r.to_numpy() for r in reached.values()])
        columns: list[tuple[str, str, np.ndarray]] = [
            (_COLUMN[p], limits[p].describe(), reached[p].to_numpy()) for p in _COLUMN
        ]
        columns.append(("any", "any sign", reached_any))
        for vital, describe, mask in columns:
            flagged = post.assign(flag=mask)
            for (arm, session), group in flagged.groupby(["arm", "session"], sort=False):
                assessed = group["subject"].nunique()
                participants = group.loc[group["flag"], "subject"].nunique()
                rows.append(
                    {
                        "arm": arm,
                        "session": session,
                        "vital": vital,
                        "level": level,
                        "limit": describe,
                        "participants": int(participants),
                        "participants_assessed": int(assessed),
                        "percent": 100.0 * participants / assessed,
                        "readings": int(group["flag"].sum()),
                    }
                )
    return _ordered(pd.DataFrame(rows), arms, frame, extra=("level",))


def n_percent_display(table: pd.DataFrame, arms: Sequence[str], decimals: int = 1) -> pd.DataFrame:
    """A printable copy of an adverse-event table: per arm "participants (percent%) events".

    Example: ``3 (75.0%) 5`` = 3 participants, 75.0% of the arm, 5 events. The first column (the
    row label, and ``description`` if present) is kept; the arm header carries the arm size.

    Raises:
        TableInputError: `table` lacks the ``<arm>_participants`` columns of an arm.
    """
    for arm in arms:
        require_columns(
            table, "table", [f"{arm}_{c}" for c in ("participants", "percent", "events", "n")]
        )
    labels = [c for c in table.columns if not any(c.startswith(f"{a}_") for a in arms)]
    out = table[labels].copy()
    for arm in arms:
        n = int(table[f"{arm}_n"].iloc[0]) if len(table) else 0
        out[f"{arm} (N={n})"] = [
            f"{p} ({pct:.{decimals}f}%) {e}"
            for p, pct, e in zip(
                table[f"{arm}_participants"],
                table[f"{arm}_percent"],
                table[f"{arm}_events"],
                strict=True,
            )
        ]
    return out


def safety_table_to_dict(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of any safety table as plain dicts for JSON (NaN as None)."""
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records", double_precision=15))
    return records


def _reaches(values: pd.Series, threshold: Threshold) -> pd.Series:
    """Vectorised `Threshold.reached_by`; a missing value reaches nothing."""
    hit = values >= threshold.limit if threshold.inclusive else values > threshold.limit
    return hit.fillna(False).astype(bool)


def _peak_per_session(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    keys = ["arm", "session", "subject"]
    present = frame[frame[column].notna()]
    pre = present[present["pre_dose"]].sort_values("t").groupby(keys, sort=False)[column].last()
    peak = present[~present["pre_dose"]].groupby(keys, sort=False)[column].max()
    sessions = frame[keys].drop_duplicates().set_index(keys)
    out = sessions.join(pre.rename("pre")).join(peak.rename("peak")).reset_index()
    out["change"] = out["peak"] - out["pre"]
    return out


def _checked_vitals(vitals: pd.DataFrame, arms: Sequence[str]) -> pd.DataFrame:
    _check_arms(arms)
    frame = require_frame(vitals, "vitals")
    require_columns(frame, "vitals", VITALS_COLUMNS)
    require_no_missing(frame, "vitals", ("subject", "arm", "session", "t", "pre_dose"))
    require_known_arms(frame, "vitals", arms)
    frame = frame.copy()
    frame["pre_dose"] = require_bool(frame, "vitals", "pre_dose")
    for column in _COLUMN.values():
        frame[column] = require_numeric(frame, "vitals", column)
    limits = PHYSIOLOGICAL_LIMITS
    ranges = {
        "systolic": limits.systolic,
        "diastolic": (limits.diastolic_min, np.inf),
        "heart_rate": limits.heart_rate,
        "temperature_c": limits.temperature_c,
    }
    for column, (low, high) in ranges.items():
        values = frame[column]
        bad = values.notna() & ((values < low) | (values > high))
        if bad.any():
            raise TableInputError(
                f"vitals.{column}",
                f"implausible reading {values[bad].iloc[0]:g} for subject "
                f"{show(frame.loc[bad, 'subject'].iloc[0])}; plausible {low:g}–{high:g} "
                f"({limits.source.citation.split(';')[0]})",
            )
    inverted = frame["diastolic"] >= frame["systolic"]
    if inverted.any():
        raise TableInputError(
            "vitals.diastolic",
            f"diastolic {frame.loc[inverted, 'diastolic'].iloc[0]:g} is not below systolic "
            f"{frame.loc[inverted, 'systolic'].iloc[0]:g} (subject "
            f"{show(frame.loc[inverted, 'subject'].iloc[0])})",
        )
    arms_per_subject = frame.groupby("subject")["arm"].nunique()
    if (arms_per_subject > 1).any():
        raise TableInputError(
            "vitals.arm",
            f"subject {show(arms_per_subject[arms_per_subject > 1].index[0])} appears in two arms",
        )
    duplicated = frame.duplicated(["subject", "session", "t"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise TableInputError(
            "vitals.t",
            f"two readings for subject {show(row['subject'])} in session {show(row['session'])} "
            f"at t = {show(row['t'])}",
        )
    return frame


def _ordered(
    table: pd.DataFrame, arms: Sequence[str], frame: pd.DataFrame, extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Rows in arm order, then session in first-appearance order, then vital, then `extra`."""
    if table.empty:
        return table
    sessions = {s: i for i, s in enumerate(pd.unique(frame["session"]))}
    vitals = {v: i for i, v in enumerate([*_COLUMN.values(), "any"])}
    key = pd.DataFrame(
        {
            "arm": table["arm"].map({a: i for i, a in enumerate(arms)}),
            "session": table["session"].map(sessions),
            "vital": table["vital"].map(vitals),
            **{e: table[e] for e in extra},
        }
    )
    order = key.sort_values(list(key.columns), kind="stable").index
    return table.loc[order].reset_index(drop=True)


def _check_arms(arms: Sequence[str]) -> None:
    if isinstance(arms, str) or len(arms) == 0:
        raise TableInputError("arms", f"expected a list of arm labels, got {show(arms)}")
    if len(set(arms)) != len(arms):
        raise TableInputError("arms", f"arm labels repeat: {show(list(arms))}")
