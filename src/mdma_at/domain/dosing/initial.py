"""The pre-dose gate and the initial dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from mdma_at.domain.dosing.common import active_alert, describe_events, stale_vitals
from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.rules import BloodPressureGate, DosingRules
from mdma_at.domain.dosing.session_facts import (
    PatientAtSession,
    PreDoseChecklist,
    TimedVitals,
    fmt_mg,
    stamp,
)
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse, PregnancyTest
from mdma_at.domain.washout.planning import plan_washout

if TYPE_CHECKING:
    from mdma_at.domain.dosing.session import SessionState

_RISK_ORDER = [CssrsRisk.NONE, CssrsRisk.LOW, CssrsRisk.MODERATE, CssrsRisk.HIGH]


def checklist_refusals(
    t: datetime, patient: PatientAtSession, checklist: PreDoseChecklist, rules: DosingRules
) -> list[Reason]:
    """Every unmet item of the pre-dose checklist (none can be lifted by an override).

    Fasting must be ``>=`` the protocol's hours (10 h under mapp_v1); providers present ``>=``
    the protocol's number (2); C-SSRS risk today must not be ``high``; no open safety alert
    from the instruments; a negative pregnancy test, dated the session day when its date is
    recorded, is required only when the patient is of childbearing potential.
    """
    pre = rules.pre_dose
    reasons: list[Reason] = []
    if not checklist.consent_current:
        reasons.append(Reason("consent_not_current", "consent is not current", pre.consent))
    if not checklist.eligibility_signed:
        reasons.append(
            Reason("eligibility_not_signed", "eligibility is not signed", pre.eligibility)
        )
    if not checklist.washout_complete:
        reasons.append(
            Reason("washout_incomplete", "medication washout is not complete", pre.washout)
        )
    if checklist.fasting_hours < pre.fasting_hours.value:
        reasons.append(
            Reason(
                "fasting_too_short",
                f"fasted {checklist.fasting_hours:g} h, less than {pre.fasting_hours.value:g} h",
                pre.fasting_hours.source,
                facts={"value": checklist.fasting_hours, "limit": pre.fasting_hours.value},
            )
        )
    if checklist.cssrs_risk is None:
        reasons.append(Reason("cssrs_missing", "no C-SSRS assessment today", pre.cssrs))
    elif checklist.cssrs_risk is CssrsRisk.HIGH:
        reasons.append(Reason("cssrs_high", "C-SSRS risk today is high", pre.cssrs))
    if checklist.providers_present < pre.providers_present.value:
        reasons.append(
            Reason(
                "providers_too_few",
                f"{checklist.providers_present} provider(s) present, fewer than "
                f"{pre.providers_present.value}",
                pre.providers_present.source,
                facts={"value": checklist.providers_present, "limit": pre.providers_present.value},
            )
        )
    if patient.childbearing_potential and checklist.pregnancy_test is not PregnancyTest.NEGATIVE:
        reasons.append(
            Reason(
                "pregnancy_test_not_negative",
                f"pregnancy test is {checklist.pregnancy_test} (a negative test is required "
                "for a patient of childbearing potential)",
                pre.pregnancy_test,
            )
        )
    elif (
        patient.childbearing_potential
        and checklist.pregnancy_test_on is not None
        and checklist.pregnancy_test_on != t.date()
    ):
        reasons.append(
            Reason(
                "pregnancy_test_not_today",
                f"the negative pregnancy test is dated {checklist.pregnancy_test_on.isoformat()},"
                f" not the session day {t.date().isoformat()}",
                pre.pregnancy_test,
            )
        )
    if checklist.safety_alert_open:
        reasons.append(
            Reason(
                "safety_alert_open",
                "the patient has an unacknowledged safety alert from the instruments: "
                "acknowledge it in the safety loop first (no override)",
                pre.safety_alert,
            )
        )
    return reasons


def blood_pressure_refusals(latest: TimedVitals, gate: BloodPressureGate) -> list[Reason]:
    """The pre-dose blood-pressure gate on the latest pre-dose reading.

    Systolic ≥ 160 or diastolic ≥ 100 mmHg (mapp_v1): refused, override or not.
    Systolic ≥ 140 or diastolic ≥ 90 mmHg: refused unless a physician overrides.
    """
    sbp, dbp = latest.reading.systolic, latest.reading.diastolic
    bp = f"pre-dose blood pressure {sbp:g}/{dbp:g} mmHg at {stamp(latest.t)}"
    value = f"{sbp:g}/{dbp:g}"
    if sbp >= gate.refuse_systolic or dbp >= gate.refuse_diastolic:
        return [
            Reason(
                "bp_no_dose",
                f"{bp} is at or above {gate.refuse_systolic:g}/{gate.refuse_diastolic:g}: "
                "no dose, override or not",
                gate.source,
                facts={
                    "at": latest.t,
                    "value": value,
                    "limit": f"{gate.refuse_systolic:g}/{gate.refuse_diastolic:g}",
                },
            )
        ]
    if sbp >= gate.approval_systolic or dbp >= gate.approval_diastolic:
        return [
            Reason(
                "bp_needs_physician",
                f"{bp} is at or above {gate.approval_systolic:g}/{gate.approval_diastolic:g}: "
                "needs a physician override",
                gate.source,
                Liftable.BY_OVERRIDE,
                facts={
                    "at": latest.t,
                    "value": value,
                    "limit": f"{gate.approval_systolic:g}/{gate.approval_diastolic:g}",
                },
            )
        ]
    return []


def medication_refusals(
    t: datetime, changes: tuple[MedicationUse, ...], rules: DosingRules
) -> list[Reason]:
    """The per-session medication check (issue 9, item 7), against the screening washout table:
    a new medication that needs a washout refuses the dose until its clear date (never lifted);
    one the table does not know needs a physician override (`medication_unknown`)."""
    source = rules.pre_dose.medication_check
    reasons: list[Reason] = []
    for change in changes:
        entry = rules.medications.find(change.name)
        if entry is None:
            reasons.append(
                Reason(
                    "medication_unknown",
                    f"{change.name} (last dose {change.last_dose.isoformat()}) is not in the "
                    "protocol's medication table: a physician must review it",
                    source,
                    Liftable.BY_OVERRIDE,
                )
            )
        elif entry.needs_washout:
            plan = plan_washout(change.name, entry, change.last_dose, rules.medications.rule)
            if not plan.is_complete(t.date()):
                reasons.append(
                    Reason(
                        "medication_washout",
                        f"{change.name} ({entry.generic}), last dose "
                        f"{change.last_dose.isoformat()}, needs a {plan.days}-day washout: no "
                        f"dose before {plan.clear_on.isoformat()}",
                        rules.medications.rule.source,
                        facts={"name": change.name, "clear_on": plan.clear_on},
                    )
                )
    return reasons


def initial_refusals(
    t: datetime, mg: float, state: SessionState, rules: DosingRules
) -> list[Reason]:
    """Every reason to refuse the initial dose of `mg` mg at `t` (empty: allowed).

    Rules: one initial dose per session (a second request gets that reason only); the amount
    must be one of the protocol's doses for the session (mapp_v1: session 1 80 mg, sessions 2–3
    80 or 120 mg; another amount is a refusal, not bad input); the pre-dose checklist (C-SSRS:
    the higher of the day's record and the latest screener recorded before the request); no
    open safety alert; the medication check; the blood-pressure gate on the latest reading,
    which must be at most the freshness limit old (15 min under mapp_v1, ``<=``); no active
    critical alert (hard stop) or caution alert (lifted by a physician override); a serious or
    special-interest AE earlier on the session day needs a physician override.
    """
    if state.initial is not None:
        # The pre-dose gate no longer means anything once the dose is in: one reason says it all.
        return [
            Reason(
                "initial_already_given",
                f"the initial dose was already given at {stamp(state.initial.t)}",
                rules.one_initial,
                facts={"at": state.initial.t},
            )
        ]
    reasons: list[Reason] = []
    doses = rules.initial_doses_for(state.session_number)
    if mg not in doses:
        allowed = " or ".join(fmt_mg(d) for d in doses)
        reasons.append(
            Reason(
                "initial_dose_amount",
                f"{fmt_mg(mg)} requested; the protocol's initial dose for session "
                f"{state.session_number} is {allowed}",
                rules.initial_source,
            )
        )
    checklist = state.checklist
    if state.latest_cssrs is not None:
        # A screener recorded in the session before the request counts too; the higher risk
        # of it and the day's record wins, so a typed value never lowers the record's.
        risks = [r for r in (checklist.cssrs_risk, state.latest_cssrs.risk) if r is not None]
        checklist = replace(checklist, cssrs_risk=max(risks, key=_RISK_ORDER.index))
    reasons.extend(checklist_refusals(t, state.patient, checklist, rules))
    reasons.extend(medication_refusals(t, checklist.medications_changed, rules))
    fresh_for = rules.pre_dose.vitals_fresh_for
    stale = stale_vitals(t, state.latest_vitals, fresh_for.value, fresh_for.source)
    if stale is not None:
        reasons.append(stale)
    if state.latest_vitals is not None:
        reasons.extend(blood_pressure_refusals(state.latest_vitals, rules.pre_dose.bp_gate))
    reasons.extend(active_alert(state.alerts, rules.pre_dose.no_active_alert))
    today = [e for e in state.gating_aes if e.t.date() == t.date()]
    if today:
        reasons.append(
            Reason(
                "adverse_event_review",
                f"adverse event before the initial dose: {describe_events(today)}; a physician "
                "must review it",
                rules.pre_dose.adverse_event_review,
                Liftable.BY_OVERRIDE,
                facts={"events": tuple(today)},
            )
        )
    return reasons
