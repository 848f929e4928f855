"""Discharge at the end of the dosing session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.dosing.common import active_alert
from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session_facts import GivenDose, TimedVitals, clock, stamp
from mdma_at.domain.vitals.alerts import AlertState
from mdma_at.domain.vitals.classification import classify


@dataclass(frozen=True, slots=True)
class DischargePlan:
    """What the discharge request records: the physician's sign-off and where the patient goes."""

    physician_signoff: bool
    escort: bool
    overnight_stay: bool


def discharge_refusals(
    t: datetime,
    plan: DischargePlan,
    initial: GivenDose | None,
    latest_vitals: TimedVitals | None,
    alerts: AlertState,
    rules: DosingRules,
) -> list[Reason]:
    """Every reason to refuse discharge at `t` (empty: allowed).

    mapp_v1: at least 8 h after the initial dose (``t - initial >= 8 h``); the latest vitals
    below caution in every parameter; no active critical alert; physician sign-off; an adult
    escort or an overnight stay. The two vital-sign reasons are alert-based, so a physician
    override lifts them; the others never.
    """
    dis = rules.discharge
    reasons: list[Reason] = []
    if initial is None:
        reasons.append(
            Reason(
                "no_initial_dose", "no initial dose has been given", dis.min_after_initial.source
            )
        )
    else:
        elapsed = t - initial.t
        if elapsed < dis.min_after_initial.value:
            reasons.append(
                Reason(
                    "discharge_too_early",
                    f"{clock(elapsed)} after the initial dose, less than "
                    f"{clock(dis.min_after_initial.value)}",
                    dis.min_after_initial.source,
                )
            )
    if latest_vitals is None:
        reasons.append(
            Reason("vitals_missing", "no vital signs recorded", dis.vitals_below_caution)
        )
    else:
        above = classify(latest_vitals.reading, rules.thresholds)
        if above:
            listed = ", ".join(
                f"{a.parameter} {a.value:g} {a.threshold.describe()} ({a.level})" for a in above
            )
            reasons.append(
                Reason(
                    "latest_vitals_not_below_caution",
                    f"latest vital signs at {stamp(latest_vitals.t)}: {listed}",
                    dis.vitals_below_caution,
                    Liftable.BY_OVERRIDE,
                )
            )
    critical = active_alert(alerts, dis.no_critical_alert, critical_only=True)
    if critical is not None:
        reasons.append(critical)
    if not plan.physician_signoff:
        reasons.append(
            Reason("no_physician_signoff", "no physician sign-off", dis.physician_signoff)
        )
    if not (plan.escort or plan.overnight_stay):
        reasons.append(
            Reason(
                "no_escort_or_overnight_stay",
                "neither an adult escort nor an overnight stay is arranged",
                dis.escort_or_overnight,
            )
        )
    return reasons
