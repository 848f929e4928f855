"""Responder analyses on the primary endpoint: clinically meaningful change, loss of diagnosis,
remission. Rates by arm with Wilson intervals, and the difference (treatment - control) with the
Newcombe hybrid-score and Miettinen–Nurminen intervals.

Input (one row per randomised participant; columns documented in docs/analysis/tables.md):
``subject``, ``arm``, ``baseline`` (CAPS-5 total at baseline), ``value`` (CAPS-5 total at the
endpoint; missing if not assessed), ``meets_dsm5`` (True/False: the CAPS-5 DSM-5 diagnostic rule is
met at the endpoint; missing if not assessed).

Definitions: MAPP's grades, escalating (each includes the one before) and mutually exclusive as a
participant's highest grade (issue 9, item 12; escalating labels [S33]). CAPS-5 total, 0–80
points; change = endpoint - baseline, negative is better:
- clinically meaningful change (response): change <= -10, a drop of at least 10 points
  (inclusive); clinical-facts.md §4, a secondary source [S13].
- loss of diagnosis: a response *and* ``meets_dsm5`` False at the endpoint (MAPP1 [S4]). Falling
  below the diagnostic rule without a response is not a loss of diagnosis.
- remission: a loss of diagnosis *and* endpoint total <= 11 (inclusive). Issue 9 gives 11 as
  MAPP's; the published text was not retrieved (clinical-facts.md §4), so it stays marked a site
  default, configurable.

The table's rates count participants who reached *at least* each grade (so the response rate
includes those who lost the diagnosis, as the published MAPP rates do: 86.5% ≥ 71.2% ≥ 46.2%
[S9]); ``*_highest`` counts those whose highest grade is exactly that one (the mutually exclusive
categories, which add up with ``none`` to the participants counted).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from mdma_at.analysis.intervals import (
    miettinen_nurminen_difference,
    miettinen_nurminen_p_value,
    newcombe_difference,
    wilson_interval,
)
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
from mdma_at.domain.instruments.change import ChangeRule
from mdma_at.domain.sources import Source

TABLE = "responders"
COLUMNS = ("subject", "arm", "baseline", "value", "meets_dsm5")


class Outcome(StrEnum):
    """The three responder outcomes, escalating grades of benefit [S33]."""

    CLINICALLY_MEANINGFUL = "clinically_meaningful"
    LOSS_OF_DIAGNOSIS = "loss_of_diagnosis"
    REMISSION = "remission"


#: A participant's highest grade when no grade was reached.
NO_RESPONSE = "none"


class MissingEndpoint(StrEnum):
    """How a participant without an endpoint assessment counts.

    ``EXCLUDE``: observed cases; the denominator is the participants assessed at the endpoint. The
    MAPP2 percentages fit this (71.2% = 37/52, 47.6% = 20/42 completers [S9]).
    ``NON_RESPONDER``: every randomised participant is in the denominator; a missing endpoint
    counts as no response (the conservative imputation).
    """

    EXCLUDE = "exclude"
    NON_RESPONDER = "non_responder"


@dataclass(frozen=True, slots=True)
class ResponderCriteria:
    """Thresholds of the responder definitions, with their sources.

    Attributes:
        meaningful_drop: CAPS-5 points; responder when (endpoint - baseline) <= -meaningful_drop.
        remission_max_total: CAPS-5 points; remission needs endpoint total <= this (and loss of
            diagnosis).
        score_min: lowest valid total (CAPS-5: 0).
        score_max: highest valid total (CAPS-5: 80).
    """

    meaningful_drop: float = 10.0
    remission_max_total: float = 11.0
    score_min: float = 0.0
    score_max: float = 80.0
    meaningful_source: Source = field(
        default=Source(
            "clinical-facts.md §4: CAPS-5 clinically meaningful change = reduction >= 10 points "
            "(secondary summary of MAPP1) [S13]"
        )
    )
    loss_of_diagnosis_source: Source = field(
        default=Source(
            "clinical-facts.md §4: loss of diagnosis = no longer meets DSM-5 [S4], a grade above "
            "the response [S33]: a response and the diagnosis no longer met (the 2026 clinical "
            "review)"
        )
    )
    remission_source: Source = field(
        default=Source(
            "Issue 9 gives MAPP's remission as a loss of diagnosis and CAPS-5 total <= 11; the "
            "published text was not retrieved (clinical-facts.md §4), so it stays a site default "
            "(just above the asymptomatic band 0–10 [S13])",
            site_default=True,
        )
    )

    def __post_init__(self) -> None:
        if self.meaningful_drop <= 0:
            raise TableInputError(
                "criteria.meaningful_drop", f"must be a positive drop, got {self.meaningful_drop}"
            )
        if not self.score_min <= self.remission_max_total <= self.score_max:
            raise TableInputError(
                "criteria.remission_max_total",
                f"{self.remission_max_total} is outside the score range "
                f"{self.score_min}–{self.score_max}",
            )

    @classmethod
    def from_change_rule(cls, rule: ChangeRule) -> ResponderCriteria:
        """Criteria with the thresholds of a protocol's instrument change rule.

        The clinic flags a single participant's change with the same rule
        (`mdma_at.domain.instruments.change`), so the trial table and the chart agree.
        """
        return cls(
            meaningful_drop=float(rule.meaningful_drop),
            remission_max_total=float(rule.remission_max_total),
            meaningful_source=rule.source,
            remission_source=Source(rule.source.citation, site_default=True),
        )

    def definitions(self) -> dict[Outcome, str]:
        """One-line definition of each outcome, with its threshold and direction."""
        return {
            Outcome.CLINICALLY_MEANINGFUL: (
                f"endpoint - baseline <= -{self.meaningful_drop:g} (drop of at least "
                f"{self.meaningful_drop:g} points)"
            ),
            Outcome.LOSS_OF_DIAGNOSIS: (
                "clinically meaningful change and DSM-5 PTSD criteria no longer met at the endpoint"
            ),
            Outcome.REMISSION: (
                f"loss of diagnosis and endpoint total <= {self.remission_max_total:g}"
            ),
        }

    def sources(self) -> dict[Outcome, Source]:
        """The source of each outcome's definition."""
        return {
            Outcome.CLINICALLY_MEANINGFUL: self.meaningful_source,
            Outcome.LOSS_OF_DIAGNOSIS: self.loss_of_diagnosis_source,
            Outcome.REMISSION: self.remission_source,
        }


def classify_responders(
    data: pd.DataFrame, criteria: ResponderCriteria | None = None
) -> pd.DataFrame:
    """Per-participant responder flags (a listing a statistician can check by hand).

    Args:
        data: one row per participant with ``subject, arm, baseline, value, meets_dsm5``.
        criteria: thresholds; CAPS-5 defaults when omitted.

    Returns:
        DataFrame ``subject, arm, baseline, value, change, assessed, clinically_meaningful,
        loss_of_diagnosis, remission, highest``. The three flags say whether the participant
        reached at least that grade (True/False; nested: remission implies loss of diagnosis
        implies clinically meaningful); ``highest`` is the highest grade reached, or ``"none"``.
        All four are missing (``pd.NA``) for participants without an endpoint.

    Raises:
        TableInputError: missing column, duplicate subject, missing or non-numeric baseline,
            a total outside the score range, ``meets_dsm5`` not True/False, or an endpoint with only
            one of ``value`` and ``meets_dsm5``.
    """
    criteria = criteria or ResponderCriteria()
    frame = _checked(data, criteria)
    assessed = frame["value"].notna()
    change = frame["value"] - frame["baseline"]
    meaningful = (change <= -criteria.meaningful_drop).fillna(False)
    # Escalating: no loss of diagnosis without a response, no remission without a loss.
    loss = meaningful & ~frame["meets_dsm5"].fillna(True).astype(bool)
    remission = loss & (frame["value"] <= criteria.remission_max_total)
    out = frame[["subject", "arm", "baseline", "value"]].copy()
    out["change"] = change
    out["assessed"] = assessed
    for name, flag in (
        (Outcome.CLINICALLY_MEANINGFUL, meaningful),
        (Outcome.LOSS_OF_DIAGNOSIS, loss),
        (Outcome.REMISSION, remission),
    ):
        # Without an endpoint: <NA>, the missing value of pandas' nullable boolean.
        out[str(name)] = flag.astype("boolean").where(assessed)
    # Grade names, and pd.NA without an endpoint: an object column of either.
    highest: pd.Series[Any] = pd.Series(NO_RESPONSE, index=frame.index, dtype="object")
    for name, flag in (
        (Outcome.CLINICALLY_MEANINGFUL, meaningful),
        (Outcome.LOSS_OF_DIAGNOSIS, loss),
        (Outcome.REMISSION, remission),
    ):
        highest = highest.mask(flag, str(name))
    out["highest"] = highest.where(assessed, pd.NA)
    return out.reset_index(drop=True)


def responder_table(
    data: pd.DataFrame,
    treatment: str,
    control: str,
    criteria: ResponderCriteria | None = None,
    missing: MissingEndpoint | str = MissingEndpoint.EXCLUDE,
    level: float = 0.95,
) -> pd.DataFrame:
    """Responder rates by arm and their difference (treatment - control) for the three outcomes.

    Args:
        data: one row per randomised participant (see `classify_responders`).
        treatment: label of the active arm in ``data.arm`` (e.g. ``"mdma"``).
        control: label of the control arm (e.g. ``"placebo"``).
        criteria: thresholds; CAPS-5 defaults when omitted.
        missing: ``"exclude"`` (observed cases, default) or ``"non_responder"``.
        level: two-sided confidence level of every interval.

    Returns:
        One row per outcome: ``outcome, definition, source, site_default,
        treatment_arm, treatment_responders, treatment_n, treatment_rate, treatment_lower,
        treatment_upper`` (Wilson; responders = at least this grade), ``treatment_highest``
        (participants whose highest grade is exactly this one), the same seven for
        ``control_``, ``difference`` (treatment rate - control rate, a fraction),
        ``newcombe_lower, newcombe_upper, mn_lower, mn_upper`` and ``mn_p_value``
        (Miettinen–Nurminen score test of no difference), and ``level``.

    Raises:
        TableInputError: as `classify_responders`; also an arm other than the two named, a named
            arm with no participants (after `missing` is applied), or an unknown `missing`.
    """
    criteria = criteria or ResponderCriteria()
    policy = _missing_policy(missing)
    if treatment == control:
        raise TableInputError(
            "control", f"control arm must differ from treatment {show(treatment)}"
        )
    frame = require_frame(data, TABLE)
    require_columns(frame, TABLE, COLUMNS)
    require_known_arms(frame, TABLE, (treatment, control))
    flags = classify_responders(frame, criteria)
    if policy is MissingEndpoint.EXCLUDE:
        flags = flags[flags["assessed"]]
    rows: list[dict[str, Any]] = []
    definitions, sources = criteria.definitions(), criteria.sources()
    for outcome in Outcome:
        counts = {}
        highest: dict[str, int] = {}
        for role, arm in (("treatment", treatment), ("control", control)):
            in_arm = flags[flags["arm"] == arm]
            if in_arm.empty:
                raise TableInputError(
                    f"{TABLE}.arm",
                    f"no {'assessed ' if policy is MissingEndpoint.EXCLUDE else ''}"
                    f"participants in arm {show(arm)}",
                )
            counts[role] = (int(in_arm[str(outcome)].fillna(False).astype(bool).sum()), len(in_arm))
            highest[role] = int((in_arm["highest"] == str(outcome)).sum())
        (x1, n1), (x2, n2) = counts["treatment"], counts["control"]
        row: dict[str, Any] = {
            "outcome": str(outcome),
            "definition": definitions[outcome],
            "source": sources[outcome].citation,
            "site_default": sources[outcome].site_default,
        }
        for role, arm, (x, n) in (
            ("treatment", treatment, (x1, n1)),
            ("control", control, (x2, n2)),
        ):
            rate = wilson_interval(x, n, level)
            row |= {
                f"{role}_arm": arm,
                f"{role}_responders": x,
                f"{role}_n": n,
                f"{role}_rate": rate.estimate,
                f"{role}_lower": rate.lower,
                f"{role}_upper": rate.upper,
                f"{role}_highest": highest[role],
            }
        newcombe = newcombe_difference(x1, n1, x2, n2, level)
        mn = miettinen_nurminen_difference(x1, n1, x2, n2, level)
        row |= {
            "difference": newcombe.estimate,
            "newcombe_lower": newcombe.lower,
            "newcombe_upper": newcombe.upper,
            "mn_lower": mn.lower,
            "mn_upper": mn.upper,
            "mn_p_value": miettinen_nurminen_p_value(x1, n1, x2, n2),
            "level": level,
        }
        rows.append(row)
    return pd.DataFrame(rows)


def responder_table_to_dict(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of `responder_table` as plain dicts for JSON (NaN as None)."""
    records: list[dict[str, Any]] = json.loads(table.to_json(orient="records", double_precision=15))
    return records


def _missing_policy(missing: MissingEndpoint | str) -> MissingEndpoint:
    try:
        return MissingEndpoint(missing)
    except ValueError:
        raise TableInputError(
            "missing",
            f"unknown policy {show(missing)}; expected one of "
            f"{', '.join(repr(str(m)) for m in MissingEndpoint)}",
        ) from None


def _checked(data: pd.DataFrame, criteria: ResponderCriteria) -> pd.DataFrame:
    frame = require_frame(data, TABLE)
    require_columns(frame, TABLE, COLUMNS)
    require_no_missing(frame, TABLE, ("subject", "arm", "baseline"))
    duplicated = frame["subject"].duplicated()
    if duplicated.any():
        subject = frame.loc[duplicated, "subject"].iloc[0]
        raise TableInputError(
            f"{TABLE}.subject", f"subject {show(subject)} appears more than once (one row each)"
        )
    frame = frame.copy()
    for column in ("baseline", "value"):
        frame[column] = require_numeric(frame, TABLE, column)
        values = frame[column].dropna()
        outside = values[(values < criteria.score_min) | (values > criteria.score_max)]
        if not outside.empty:
            raise TableInputError(
                f"{TABLE}.{column}",
                f"total {outside.iloc[0]:g} is outside the score range "
                f"{criteria.score_min:g}–{criteria.score_max:g}",
            )
    has_value, has_status = frame["value"].notna(), frame["meets_dsm5"].notna()
    half = has_value != has_status
    if half.any():
        subject = frame.loc[half, "subject"].iloc[0]
        raise TableInputError(
            f"{TABLE}.meets_dsm5" if has_value[half].iloc[0] else f"{TABLE}.value",
            f"subject {show(subject)} has only one of 'value' and 'meets_dsm5' at the endpoint",
        )
    status = require_bool(frame.loc[has_status], TABLE, "meets_dsm5")
    frame["meets_dsm5"] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    frame.loc[has_status, "meets_dsm5"] = status
    return frame
