"""Refusal reasons shared by several gates: stale vitals and active alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.session_facts import TimedVitals, clock, stamp
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.alerts import AlertState


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
        )
    return None


def active_alert(
    alerts: AlertState, source: Source, *, critical_only: bool = False
) -> Reason | None:
    """A refusal liftable by a physician override while an alert is active.

    Args:
        critical_only: only a critical alert refuses (discharge); else caution or critical.
    """
    active = [a for a in alerts.active if not critical_only or a.level.rank == 2]
    if not active:
        return None
    listed = ", ".join(f"{a.parameter} {a.level} since {stamp(a.since)}" for a in active)
    kind = "critical vital-sign alert" if critical_only else "vital-sign alert"
    return Reason(
        "critical_alert_active" if critical_only else "alert_active",
        f"{kind} active ({listed})",
        source,
        Liftable.BY_OVERRIDE,
    )
