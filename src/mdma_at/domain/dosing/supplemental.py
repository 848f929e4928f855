"""The supplemental (half) dose."""

from __future__ import annotations

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
from mdma_at.domain.dosing.session_facts import clock, fmt_mg, stamp

if TYPE_CHECKING:
    from mdma_at.domain.dosing.session import SessionState


def supplemental_refusals(
    t: datetime, mg: float, state: SessionState, rules: DosingRules
) -> list[Reason]:
    """Every reason to refuse a supplemental dose of `mg` mg at `t` (empty: allowed).

    mapp_v1: one per session; only from 1:30:00 to 2:30:00 after the initial dose, both ends
    allowed (``start <= t - initial <= end``); at most half the initial dose actually given
    (``mg <= 0.5 × initial``); session total ``<=`` 180 mg; the latest vitals at most 15 min old
    and a temperature at most 60 min old (``<=``); no active critical alert (hard stop); no
    active caution alert and the latest systolic < 160 and diastolic < 100 mmHg, or a physician
    override; no serious or special-interest AE since the initial dose (hard stop).
    """
    sup = rules.supplemental
    initial = state.initial
    reasons: list[Reason] = []
    if state.supplemental is not None:
        reasons.append(
            Reason(
                "supplemental_already_given",
                f"the supplemental dose was already given at {stamp(state.supplemental.t)}",
                rules.one_supplemental,
                facts={"at": state.supplemental.t},
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
                    facts={"opens_at": initial.t + start},
                )
            )
        elif elapsed > end:
            reasons.append(
                Reason(
                    "supplemental_window",
                    f"{clock(elapsed)} after the initial dose is after the window closed at "
                    f"{clock(end)}",
                    sup.window_end.source,
                    facts={"closed_at": initial.t + end},
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
                    facts={"limit_mg": limit},
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
                    facts={"limit_mg": cap},
                )
            )
        since = [e for e in state.gating_aes if e.t >= initial.t]
        if since:
            reasons.append(
                Reason(
                    "adverse_event_hold",
                    f"adverse event since the initial dose: {describe_events(since)}; the "
                    "supplemental dose is withheld (no override)",
                    sup.adverse_event_hold,
                    facts={"events": tuple(since)},
                )
            )
    latest = state.latest_vitals
    stale = stale_vitals(t, latest, sup.vitals_fresh_for.value, sup.vitals_fresh_for.source)
    if stale is not None:
        reasons.append(stale)
    temperature = stale_temperature(
        t,
        state.latest_temperature,
        sup.temperature_fresh_for.value,
        sup.temperature_fresh_for.source,
    )
    if temperature is not None:
        reasons.append(temperature)
    if latest is not None and sup.bp_below.reached_by(
        latest.reading.systolic, latest.reading.diastolic
    ):
        bp = sup.bp_below
        reasons.append(
            Reason(
                "bp_needs_physician",
                f"latest blood pressure {latest.reading.systolic:g}/{latest.reading.diastolic:g}"
                f" mmHg at {stamp(latest.t)} is not below {bp.systolic:g}/{bp.diastolic:g}: "
                "needs a physician override",
                bp.source,
                Liftable.BY_OVERRIDE,
                facts={
                    "at": latest.t,
                    "value": f"{latest.reading.systolic:g}/{latest.reading.diastolic:g}",
                    "limit": f"{bp.systolic:g}/{bp.diastolic:g}",
                },
            )
        )
    reasons.extend(active_alert(state.alerts, sup.refuse_on_alert))
    return reasons
