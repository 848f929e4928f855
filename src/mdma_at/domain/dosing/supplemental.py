"""The supplemental (half) dose."""

from __future__ import annotations

from datetime import datetime

from mdma_at.domain.dosing.common import active_alert, stale_vitals
from mdma_at.domain.dosing.decisions import Reason
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session_facts import GivenDose, TimedVitals, clock, fmt_mg, stamp
from mdma_at.domain.vitals.alerts import AlertState


def supplemental_refusals(
    t: datetime,
    mg: float,
    initial: GivenDose | None,
    supplemental: GivenDose | None,
    latest_vitals: TimedVitals | None,
    alerts: AlertState,
    rules: DosingRules,
) -> list[Reason]:
    """Every reason to refuse a supplemental dose of `mg` mg at `t` (empty: allowed).

    mapp_v1: one per session; only from 1:30:00 to 2:30:00 after the initial dose, both ends
    allowed (``start <= t - initial <= end``); at most half the initial dose (``mg <= 0.5 ×
    initial``); session total ``<=`` 180 mg; the latest vitals at most 15 min old (``<=``);
    no active caution or critical alert (the only reason a physician override lifts).
    """
    sup = rules.supplemental
    reasons: list[Reason] = []
    if supplemental is not None:
        reasons.append(
            Reason(
                "supplemental_already_given",
                f"the supplemental dose was already given at {stamp(supplemental.t)}",
                rules.one_supplemental,
            )
        )
    if initial is None:
        reasons.append(
            Reason(
                "no_initial_dose",
                "no initial dose has been given, so the supplemental window has not opened",
                sup.window_start.source,
            )
        )
    else:
        elapsed = t - initial.t
        start, end = sup.window_start.value, sup.window_end.value
        if elapsed < start:
            reasons.append(
                Reason(
                    "supplemental_window",
                    f"{clock(elapsed)} after the initial dose is before the window opens at "
                    f"{clock(start)}",
                    sup.window_start.source,
                )
            )
        elif elapsed > end:
            reasons.append(
                Reason(
                    "supplemental_window",
                    f"{clock(elapsed)} after the initial dose is after the window closed at "
                    f"{clock(end)}",
                    sup.window_end.source,
                )
            )
        limit = sup.max_fraction_of_initial.value * initial.mg
        if mg > limit:
            reasons.append(
                Reason(
                    "supplemental_above_half",
                    f"{fmt_mg(mg)} is more than {sup.max_fraction_of_initial.value:g} × the "
                    f"initial {fmt_mg(initial.mg)} = {fmt_mg(limit)}",
                    sup.max_fraction_of_initial.source,
                )
            )
        cap = rules.session_cap_mg.value
        if initial.mg + mg > cap:
            reasons.append(
                Reason(
                    "session_cap",
                    f"{fmt_mg(initial.mg)} + {fmt_mg(mg)} = {fmt_mg(initial.mg + mg)} is more "
                    f"than the session cap of {fmt_mg(cap)}",
                    rules.session_cap_mg.source,
                )
            )
    stale = stale_vitals(t, latest_vitals, sup.vitals_fresh_for.value, sup.vitals_fresh_for.source)
    if stale is not None:
        reasons.append(stale)
    alert = active_alert(alerts, sup.refuse_on_alert)
    if alert is not None:
        reasons.append(alert)
    return reasons
