"""The pre-dose gate and the initial dose."""

from __future__ import annotations

from datetime import datetime

from mdma_at.domain.dosing.common import active_alert, stale_vitals
from mdma_at.domain.dosing.decisions import Liftable, Reason
from mdma_at.domain.dosing.rules import BloodPressureGate, DosingRules
from mdma_at.domain.dosing.session_facts import (
    CssrsRisk,
    GivenDose,
    Patient,
    PreDoseChecklist,
    PregnancyTest,
    TimedVitals,
    fmt_mg,
    stamp,
)
from mdma_at.domain.vitals.alerts import AlertState


def checklist_refusals(
    patient: Patient, checklist: PreDoseChecklist, rules: DosingRules
) -> list[Reason]:
    """Every unmet item of the pre-dose checklist (none can be lifted by an override).

    Fasting must be ``>=`` the protocol's hours (10 h under mapp_v1); providers present ``>=``
    the protocol's number (2); C-SSRS risk today must not be ``high``; a negative pregnancy
    test is required only when the patient is of childbearing potential.
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
    return reasons


def blood_pressure_refusals(latest: TimedVitals, gate: BloodPressureGate) -> list[Reason]:
    """The pre-dose blood-pressure gate on the latest pre-dose reading.

    Systolic ≥ 160 or diastolic ≥ 100 mmHg (mapp_v1): refused, override or not.
    Systolic ≥ 140 or diastolic ≥ 90 mmHg: refused unless a physician overrides.
    """
    sbp, dbp = latest.reading.systolic, latest.reading.diastolic
    bp = f"pre-dose blood pressure {sbp:g}/{dbp:g} mmHg at {stamp(latest.t)}"
    if sbp >= gate.refuse_systolic or dbp >= gate.refuse_diastolic:
        return [
            Reason(
                "bp_no_dose",
                f"{bp} is at or above {gate.refuse_systolic:g}/{gate.refuse_diastolic:g}: "
                "no dose, override or not",
                gate.source,
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
            )
        ]
    return []


def initial_refusals(
    t: datetime,
    mg: float,
    session_number: int,
    patient: Patient,
    checklist: PreDoseChecklist,
    latest_vitals: TimedVitals | None,
    alerts: AlertState,
    initial: GivenDose | None,
    rules: DosingRules,
) -> list[Reason]:
    """Every reason to refuse the initial dose of `mg` mg at `t` (empty: allowed).

    Rules: one initial dose per session (a second request gets that reason only); the amount
    must be exactly the protocol's dose for the session (a different amount is a refusal, not
    bad input); the pre-dose checklist; the blood-pressure gate on the latest reading before
    the request, which must be at most the freshness limit old (15 min under mapp_v1, ``<=``);
    no active vital-sign alert from the pre-dose readings (lifted by a physician override).
    """
    if initial is not None:
        # The pre-dose gate no longer means anything once the dose is in: one reason says it all.
        return [
            Reason(
                "initial_already_given",
                f"the initial dose was already given at {stamp(initial.t)}",
                rules.one_initial,
            )
        ]
    reasons: list[Reason] = []
    dose = rules.initial_dose_for(session_number)
    if mg != dose:
        reasons.append(
            Reason(
                "initial_dose_amount",
                f"{fmt_mg(mg)} requested; the protocol's initial dose for session "
                f"{session_number} is {fmt_mg(dose)}",
                rules.initial_source,
            )
        )
    reasons.extend(checklist_refusals(patient, checklist, rules))
    fresh_for = rules.pre_dose.vitals_fresh_for
    stale = stale_vitals(t, latest_vitals, fresh_for.value, fresh_for.source)
    if stale is not None:
        reasons.append(stale)
    if latest_vitals is not None:
        reasons.extend(blood_pressure_refusals(latest_vitals, rules.pre_dose.bp_gate))
    alert = active_alert(alerts, rules.pre_dose.no_active_alert)
    if alert is not None:
        reasons.append(alert)
    return reasons
