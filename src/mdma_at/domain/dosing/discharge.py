"""Discharge at the end of the dosing session: it must prove recovery (issue 9, item 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from mdma_at.domain.dosing.common import (
    active_alert,
    describe_events,
    stale_temperature,
    stale_vitals,
)
from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session_facts import clock, stamp
from mdma_at.domain.vitals.classification import classify
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vocabulary import AlertLevel, CssrsRisk

if TYPE_CHECKING:
    from mdma_at.domain.dosing.session import SessionState


@dataclass(frozen=True, slots=True)
class DischargePlan:
    """What the discharge request records: the physician's sign-off and where the patient goes."""

    physician_signoff: bool
    escort: bool
    overnight_stay: bool


def discharge_refusals(
    t: datetime, plan: DischargePlan, state: SessionState, rules: DosingRules
) -> list[Reason]:
    """Every reason to refuse discharge at `t` (empty: allowed).

    mapp_v1 (every "within" inclusive): at least 8 h after the initial dose; a reading within
    30 min and a temperature within 60 min; every parameter of the latest reading inside both
    caution limits; no active alert (caution: override; critical: never); systolic and heart
    rate at most 20 above the pre-dose baseline (override); a SUDS rating within 60 min not
    above the pre-dose one (override); a C-SSRS screener since the initial dose, within 60 min,
    not high (moderate: override); a serious or special-interest AE since the initial dose
    needs an override; physician sign-off; an adult escort or an overnight stay.
    """
    dis = rules.discharge
    initial = state.initial
    reasons: list[Reason] = []
    if initial is None:
        reasons.append(
            Reason(
                "no_initial_dose", "no initial dose has been given", dis.min_after_initial.source
            )
        )
    elif t - initial.t < dis.min_after_initial.value:
        reasons.append(
            Reason(
                "discharge_too_early",
                f"{clock(t - initial.t)} after the initial dose, less than "
                f"{clock(dis.min_after_initial.value)}",
                dis.min_after_initial.source,
                facts={"from": initial.t + dis.min_after_initial.value},
            )
        )
    latest = state.latest_vitals
    stale = stale_vitals(t, latest, dis.vitals_fresh_for.value, dis.vitals_fresh_for.source)
    if stale is not None:
        reasons.append(stale)
    temperature = stale_temperature(
        t,
        state.latest_temperature,
        dis.temperature_fresh_for.value,
        dis.temperature_fresh_for.source,
    )
    if temperature is not None:
        reasons.append(temperature)
    if latest is not None:
        out = classify(latest.reading, rules.thresholds)
        if out:
            listed = ", ".join(
                f"{a.parameter} {a.value:g} {a.threshold.describe()} ({a.level})" for a in out
            )
            critical = any(a.level is AlertLevel.CRITICAL for a in out)
            reasons.append(
                Reason(
                    "vitals_out_of_range",
                    f"latest vital signs at {stamp(latest.t)} outside the caution limits: {listed}",
                    dis.vitals_in_range,
                    Liftable.NEVER if critical else Liftable.BY_OVERRIDE,
                    facts={"at": latest.t, "listed": listed},
                )
            )
    reasons.extend(active_alert(state.alerts, dis.no_active_alert))
    if initial is not None:
        reasons.extend(_recovery(t, initial.t, state, rules))
        since = [e for e in state.gating_aes if e.t >= initial.t]
        if since:
            reasons.append(
                Reason(
                    "adverse_event_review",
                    f"adverse event since the initial dose: {describe_events(since)}; a "
                    "physician must review it before discharge",
                    dis.adverse_event_review,
                    Liftable.BY_OVERRIDE,
                    facts={"events": tuple(since)},
                )
            )
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


def _recovery(
    t: datetime, initial_t: datetime, state: SessionState, rules: DosingRules
) -> list[Reason]:
    """Back near the pre-dose baseline, distress not above it, C-SSRS not high."""
    dis = rules.discharge
    reasons: list[Reason] = []
    latest, baseline = state.latest_vitals, state.baseline
    margin = dis.near_baseline.value
    if latest is not None and baseline is not None:
        above = []
        for p in (Parameter.SYSTOLIC, Parameter.HEART_RATE):
            now, before = latest.reading.value(p), baseline.reading.value(p)
            if now is not None and before is not None and now - before > margin:
                above.append(f"{p} {now:g} is {now - before:g} above the pre-dose {before:g}")
        if above:
            reasons.append(
                Reason(
                    "not_near_baseline",
                    f"{'; '.join(above)} (more than {margin:g})",
                    dis.near_baseline.source,
                    Liftable.BY_OVERRIDE,
                )
            )
    suds, fresh_for = state.latest_suds, dis.distress_fresh_for
    if suds is None or suds.t < initial_t or t - suds.t > fresh_for.value:
        reasons.append(
            Reason(
                "distress_stale",
                f"no distress ({rules.distress.name}) rating within {clock(fresh_for.value)}",
                fresh_for.source,
            )
        )
    elif state.baseline_suds is None:
        reasons.append(
            Reason(
                "distress_above_baseline",
                f"no pre-dose {rules.distress.name} rating to compare the latest "
                f"({suds.value:g}) with",
                dis.distress_not_above_baseline,
                Liftable.BY_OVERRIDE,
            )
        )
    elif suds.value > state.baseline_suds.value:
        reasons.append(
            Reason(
                "distress_above_baseline",
                f"{rules.distress.name} {suds.value:g} at {stamp(suds.t)} is above the pre-dose "
                f"{state.baseline_suds.value:g}",
                dis.distress_not_above_baseline,
                Liftable.BY_OVERRIDE,
                facts={"at": suds.t, "value": suds.value, "limit": state.baseline_suds.value},
            )
        )
    cssrs, fresh = state.latest_cssrs, dis.cssrs_fresh_for
    if cssrs is None or cssrs.t < initial_t or t - cssrs.t > fresh.value:
        reasons.append(
            Reason(
                "cssrs_missing",
                f"no C-SSRS screener since the initial dose within {clock(fresh.value)}",
                fresh.source,
            )
        )
    elif cssrs.risk is CssrsRisk.HIGH:
        reasons.append(
            Reason(
                "cssrs_high",
                f"C-SSRS at {stamp(cssrs.t)}: high risk",
                dis.cssrs,
                facts={"at": cssrs.t},
            )
        )
    elif cssrs.risk is CssrsRisk.MODERATE:
        reasons.append(
            Reason(
                "cssrs_moderate",
                f"C-SSRS at {stamp(cssrs.t)}: moderate risk; needs a physician override",
                dis.cssrs,
                Liftable.BY_OVERRIDE,
                facts={"at": cssrs.t},
            )
        )
    return reasons
