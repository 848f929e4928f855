"""Refusal reasons shared by several gates: stale readings, active alerts, adverse events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.session_facts import (
    GatingAdverseEvent,
    TimedValue,
    TimedVitals,
    clock,
    stamp,
)
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.alerts import ActiveAlert, AlertState


def stale_vitals(
    t: datetime, latest: TimedVitals | None, fresh_for: timedelta, source: Source
) -> Reason | None:
    """A refusal when there is no reading or the latest one is older than `fresh_for`
    (``t - latest.t > fresh_for``; exactly `fresh_for` old is still fresh)."""
    if latest is None:
        return Reason("vitals_missing", "no vital signs recorded before the request", source)
    age = t - latest.t
    if age > fresh_for:
        return Reason(
            "vitals_stale",
            f"latest vital signs are {clock(age)} old, more than {clock(fresh_for)}",
            source,
            facts={"at": latest.t, "fresh_for": fresh_for},
        )
    return None


def stale_temperature(
    t: datetime, latest: TimedValue | None, fresh_for: timedelta, source: Source
) -> Reason | None:
    """`temperature_stale` when no temperature was taken within `fresh_for` (inclusive)."""
    if latest is None:
        return Reason(
            "temperature_stale",
            f"no temperature recorded; one within {clock(fresh_for)} is required",
            source,
            facts={"fresh_for": fresh_for},
        )
    age = t - latest.t
    if age > fresh_for:
        return Reason(
            "temperature_stale",
            f"latest temperature ({latest.value:g} °C) is {clock(age)} old, more than "
            f"{clock(fresh_for)}",
            source,
            facts={"at": latest.t, "fresh_for": fresh_for},
        )
    return None


def _listed(alerts: Sequence[ActiveAlert]) -> str:
    return ", ".join(
        f"{a.parameter} {a.direction} {a.level} since {stamp(a.since)}" for a in alerts
    )


def active_alert(alerts: AlertState, source: Source) -> list[Reason]:
    """The refusals of the active alerts: a critical one is a hard stop
    (`critical_alert_active`, never lifted); a caution one (`alert_active`) is lifted by a
    physician override. An acknowledged alert is still active (issue 9, items 1–2)."""
    reasons: list[Reason] = []
    critical = alerts.critical()
    if critical:
        reasons.append(
            Reason(
                "critical_alert_active",
                f"critical vital-sign alert active ({_listed(critical)}): hard stop, no override",
                source,
                facts={"alerts": tuple(critical)},
            )
        )
    caution = alerts.caution()
    if caution:
        reasons.append(
            Reason(
                "alert_active",
                f"vital-sign alert active ({_listed(caution)})",
                source,
                Liftable.BY_OVERRIDE,
                facts={"alerts": tuple(caution)},
            )
        )
    return reasons


def describe_events(events: Sequence[GatingAdverseEvent]) -> str:
    return "; ".join(f"{e.term} ({e.why}) at {stamp(e.t)}" for e in events)
