"""The eligibility criteria, one pure function each: intake + protocol data → `CriterionResult`.

Reasons are written for the physician and the monitor: they name the recorded value, the limit
and its direction. Criterion ids are stable snake_case (listed in docs/screening.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mdma_at.domain.eligibility.criteria import (
    ConditionEffect,
    ConditionRule,
    EligibilityCriteria,
    SubstanceRules,
)
from mdma_at.domain.eligibility.intake import ConditionReport, Intake, SubstanceUse, SudSeverity
from mdma_at.domain.eligibility.results import RESTRICTIVENESS, CriterionResult, CriterionStatus
from mdma_at.domain.vocabulary import CssrsRisk, PregnancyTest, Sex

MET = CriterionStatus.MET
NOT_MET = CriterionStatus.NOT_MET
REVIEW = CriterionStatus.NEEDS_REVIEW


def worst(results: Iterable[CriterionResult]) -> CriterionResult:
    """The most restrictive of several findings for one criterion (not_met > needs_review > ...)."""
    return min(results, key=lambda result: RESTRICTIVENESS.index(result.status))


def slug(text: str) -> str:
    """A snake_case fragment for a criterion id built from free text (``"St John's wort"`` →
    ``st_john_s_wort``)."""
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "unnamed"


def age(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """Inclusion: age in years ≥ the minimum (18)."""
    limit = criteria.minimum_age_years
    if intake.age >= limit.value:
        return CriterionResult(
            "age",
            MET,
            f"age {intake.age} years is at least the minimum {limit.value}",
            limit.source,
        )
    return CriterionResult(
        "age", NOT_MET, f"age {intake.age} years is below the minimum {limit.value}", limit.source
    )


def ptsd_diagnosis(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """Inclusion: DSM-5 PTSD diagnosis on CAPS-5."""
    if intake.ptsd.meets_dsm5:
        return CriterionResult(
            "ptsd_diagnosis",
            MET,
            "meets DSM-5 criteria for PTSD on CAPS-5",
            criteria.ptsd_diagnosis,
        )
    return CriterionResult(
        "ptsd_diagnosis",
        NOT_MET,
        "does not meet DSM-5 criteria for PTSD on CAPS-5 (a diagnosis is required)",
        criteria.ptsd_diagnosis,
    )


def caps5_total(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """Inclusion: CAPS-5 total severity ≥ the minimum (28)."""
    limit = criteria.minimum_caps5_total
    total = intake.ptsd.caps5_total
    if total >= limit.value:
        reason = f"CAPS-5 total {total} is at least the minimum {limit.value}"
        return CriterionResult("caps5_total", MET, reason, limit.source)
    reason = f"CAPS-5 total {total} is below the minimum {limit.value}"
    return CriterionResult("caps5_total", NOT_MET, reason, limit.source)


def ptsd_duration(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """Inclusion: PTSD symptoms for ≥ the minimum number of months (6)."""
    limit = criteria.minimum_ptsd_duration_months
    months = intake.ptsd.duration_months
    if months >= limit.value:
        reason = f"symptoms for {months} months, at least the minimum {limit.value}"
        return CriterionResult("ptsd_duration", MET, reason, limit.source)
    reason = f"symptoms for {months} months, below the minimum {limit.value}"
    return CriterionResult("ptsd_duration", NOT_MET, reason, limit.source)


def _condition_result(rule: ConditionRule, reports: list[ConditionReport]) -> CriterionResult:
    name = rule.display
    if not reports:
        return CriterionResult(rule.code, MET, f"no {name} recorded", rule.source)
    if rule.effect is ConditionEffect.EXCLUDES:
        return CriterionResult(rule.code, NOT_MET, f"{name} recorded: excluded", rule.source)
    if rule.effect is ConditionEffect.NEEDS_REVIEW:
        reason = f"{name} recorded: the physician decides whether it allows MDMA-AT"
        return CriterionResult(rule.code, REVIEW, reason, rule.source)
    if rule.effect is ConditionEffect.ALLOWED_WITH_NOTE:
        reason = (
            f"note for the physician: {name} recorded; allowed when well managed and mild"
            " (confirm it is)"
        )
        return CriterionResult(rule.code, MET, reason, rule.source)
    # EXCLUDES_WHEN_UNCONTROLLED: the least controlled report decides.
    controls = {report.controlled for report in reports}
    if False in controls:
        return CriterionResult(rule.code, NOT_MET, f"uncontrolled {name}: excluded", rule.source)
    if None in controls:
        reason = f"{name} recorded without saying whether it is controlled: the physician decides"
        return CriterionResult(rule.code, REVIEW, reason, rule.source)
    reason = f"note for the physician: controlled {name}; allowed when well managed and mild"
    return CriterionResult(rule.code, MET, reason, rule.source)


def conditions(intake: Intake, criteria: EligibilityCriteria) -> tuple[CriterionResult, ...]:
    """One result per row of the condition table (in table order), then `unknown_conditions` when
    any recorded code is not in the table (never ignored: the physician reviews it)."""
    results = [
        _condition_result(rule, [c for c in intake.conditions if c.code == rule.code])
        for rule in criteria.conditions
    ]
    unknown = sorted({c.code for c in intake.conditions if criteria.condition(c.code) is None})
    if unknown:
        names = ", ".join(repr(code) for code in unknown)
        reason = f"condition code(s) {names} not in the condition table: the physician reviews them"
        results.append(
            CriterionResult("unknown_conditions", REVIEW, reason, criteria.unknown_condition)
        )
    return tuple(results)


def _remission_words(use: SubstanceUse, days: int, rules: SubstanceRules) -> str:
    if not use.in_remission:
        return "not in remission"
    if days > rules.lookback_days:
        return "in sustained remission"
    return "in early remission"


def _label(
    use: SubstanceUse, days: int, rules: SubstanceRules, judged_as: str | None = None
) -> str:
    """``severe cannabis use disorder (recorded as 'thc'), in early remission, last use 40 days
    before screening``: the severity and remission of every entry, in words."""
    called = judged_as or use.substance
    recorded = f" (recorded as {use.substance!r})" if called != use.substance else ""
    return (
        f"{use.severity.value} {called} use disorder{recorded}, "
        f"{_remission_words(use, days, rules)}, last use {days} days before screening"
    )


def _graded_use(
    use: SubstanceUse, substance: str, intake: Intake, criteria: EligibilityCriteria
) -> CriterionResult:
    """Alcohol and cannabis: judged by severity and remission, whatever the entry is called."""
    rules = criteria.substances
    source = rules.graded_source
    cid = f"{substance}_use_disorder"
    days = (intake.screening_date - use.last_use).days
    label = _label(use, days, rules, substance)
    if use.severity is SudSeverity.MILD:
        return CriterionResult(cid, MET, f"{label}: allowed (mild)", source)
    if not use.in_remission:
        reason = f"{label}: excluded ({use.severity.value} and not in remission)"
        return CriterionResult(cid, NOT_MET, reason, source)
    if use.severity is SudSeverity.MODERATE:
        return CriterionResult(cid, MET, f"{label}: allowed (moderate in remission)", source)
    if days > rules.lookback_days:
        reason = f"{label}: severe in sustained remission, the physician decides"
        return CriterionResult(cid, REVIEW, reason, rules.sustained_remission_source)
    reason = (
        f"{label}: excluded (severe; only sustained remission, no use for more than "
        f"{rules.lookback_days} days, goes to the physician)"
    )
    return CriterionResult(cid, NOT_MET, reason, rules.sustained_remission_source)


def _other_use(use: SubstanceUse, intake: Intake, rules: SubstanceRules) -> CriterionResult:
    cid = "other_substance_use_disorder"
    days = (intake.screening_date - use.last_use).days
    label = _label(use, days, rules)
    if days <= rules.lookback_days:
        reason = f"{label}, within the {rules.lookback_days}-day window: excluded"
        return CriterionResult(cid, NOT_MET, reason, rules.lookback_source)
    reason = (
        f"history for the signing physician: {label}, outside the {rules.lookback_days}-day "
        "window: allowed"
    )
    return CriterionResult(cid, MET, reason, rules.lookback_source)


def _combined(cid: str, findings: list[CriterionResult]) -> CriterionResult:
    """One criterion from several entries: the worst status, with every reason of that status."""
    decisive = worst(findings)
    same = [f.reason for f in findings if f.status is decisive.status]
    return CriterionResult(cid, decisive.status, "; ".join(same), decisive.source)


def substance_use(intake: Intake, criteria: EligibilityCriteria) -> tuple[CriterionResult, ...]:
    """Substance use disorders, every entry read for its severity and remission.

    One result per graded substance (alcohol, cannabis, under any of their names); then
    `other_substance_use_disorder` (use within 365 days before screening excludes: days since last
    use ≤ 365 is not met; older is met, the history named for the physician); then one result per
    substance that never excludes (nicotine), met with a note.
    """
    rules = criteria.substances
    results: list[CriterionResult] = []
    by_name: dict[str, list[SubstanceUse]] = {}
    for use in intake.substance_use:
        by_name.setdefault(rules.canonical(use.substance), []).append(use)
    for substance in rules.graded_substances:
        cid = f"{substance}_use_disorder"
        uses = by_name.get(substance, [])
        if uses:
            findings = [_graded_use(u, substance, intake, criteria) for u in uses]
            results.append(_combined(cid, findings))
        else:
            reason = f"no {substance} use disorder recorded"
            results.append(CriterionResult(cid, MET, reason, rules.graded_source))
    skip = {*rules.graded_substances, *rules.never_excludes}
    others = [use for name, uses in by_name.items() if name not in skip for use in uses]
    cid = "other_substance_use_disorder"
    if others:
        findings = [_other_use(use, intake, rules) for use in others]
        results.append(_combined(cid, findings))
    else:
        reason = "no other substance use disorder recorded"
        results.append(CriterionResult(cid, MET, reason, rules.lookback_source))
    for substance in rules.never_excludes:
        cid = f"{substance}_use_disorder"
        uses = by_name.get(substance, [])
        if uses:
            notes = []
            for use in uses:
                days = (intake.screening_date - use.last_use).days
                notes.append(_label(use, days, rules, substance))
            reason = f"note for the physician: {'; '.join(notes)}: never excludes"
        else:
            reason = f"no {substance} use disorder recorded"
        results.append(CriterionResult(cid, MET, reason, rules.never_excludes_source))
    return tuple(results)


def suicide_risk(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """High suicide risk excludes; moderate needs review; none or low is met."""
    risk = intake.suicide_risk
    source = criteria.suicide_risk
    if risk is CssrsRisk.HIGH:
        return CriterionResult("suicide_risk", NOT_MET, "high suicide risk: excluded", source)
    if risk is CssrsRisk.MODERATE:
        return CriterionResult(
            "suicide_risk", REVIEW, "moderate suicide risk: the physician decides", source
        )
    return CriterionResult("suicide_risk", MET, f"{risk.value} suicide risk", source)


def blood_pressure(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """The blood pressure measured today: ≥ 160 systolic or ≥ 100 diastolic is not met (not
    eligible today, whatever the history says); ≥ 140 or ≥ 90 needs review (the physician confirms
    whether hypertension is present and controlled); below both is met."""
    rule = criteria.blood_pressure
    sbp, dbp = intake.vitals.systolic, intake.vitals.diastolic
    reading = f"blood pressure {sbp}/{dbp} mmHg measured today"
    if sbp >= rule.exclude_systolic or dbp >= rule.exclude_diastolic:
        history = [c for c in intake.conditions if c.code == "hypertension" and c.controlled]
        despite = " (the history records controlled hypertension)" if history else ""
        reason = (
            f"{reading} is at or above {rule.exclude_systolic}/{rule.exclude_diastolic}: not "
            f"eligible today, whatever the history says{despite}; screen again once it is lower"
        )
        return CriterionResult("blood_pressure", NOT_MET, reason, rule.exclude_source)
    if sbp >= rule.systolic or dbp >= rule.diastolic:
        reason = (
            f"{reading} is at or above {rule.systolic}/{rule.diastolic}: the physician confirms "
            "whether hypertension is present and controlled"
        )
        return CriterionResult("blood_pressure", REVIEW, reason, rule.source)
    reason = f"{reading} is below {rule.systolic}/{rule.diastolic}"
    return CriterionResult("blood_pressure", MET, reason, rule.source)


def heart_rate(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """A heart rate above the limit (> 100/min) at screening needs review: re-check at rest."""
    rule = criteria.vitals
    rate = intake.vitals.heart_rate
    if rate > rule.heart_rate_above:
        reason = (
            f"heart rate {rate}/min is above {rule.heart_rate_above}/min: re-check at rest; the "
            "physician decides"
        )
        return CriterionResult("heart_rate", REVIEW, reason, rule.heart_rate_source)
    reason = f"heart rate {rate}/min is at or below {rule.heart_rate_above}/min"
    return CriterionResult("heart_rate", MET, reason, rule.heart_rate_source)


def temperature(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """A temperature at or above the limit (≥ 38.0 °C) at screening needs review: re-check."""
    rule = criteria.vitals
    value, limit = intake.vitals.temperature_c, rule.temperature_at_or_above
    if value >= limit:
        reason = (
            f"temperature {value:.1f} °C is at or above {limit:.1f} °C (fever): re-check; the "
            "physician decides"
        )
        return CriterionResult("temperature", REVIEW, reason, rule.temperature_source)
    reason = f"temperature {value:.1f} °C is below {limit:.1f} °C"
    return CriterionResult("temperature", MET, reason, rule.temperature_source)


def weight(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """A weight below the protocol's minimum (48 kg) needs review; not recorded is met, said so."""
    limit = criteria.minimum_weight_kg
    value = intake.weight_kg
    if value is None:
        reason = f"weight not recorded: the minimum of {limit.value} kg was not checked"
        return CriterionResult("weight", MET, reason, limit.source)
    if value < limit.value:
        reason = (
            f"weight {value:g} kg is below {limit.value} kg: the doses are fixed, not per kg; "
            "the physician decides"
        )
        return CriterionResult("weight", REVIEW, reason, limit.source)
    reason = f"weight {value:g} kg is at least {limit.value} kg"
    return CriterionResult("weight", MET, reason, limit.source)


def qtc(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """QTc strictly above the limit for the candidate's sex excludes (> 450 ms male, > 460 ms
    female, > 450 ms any other sex: the stricter limit)."""
    limits = criteria.qtc
    if intake.sex is Sex.MALE:
        limit, whose = limits.male, "male sex"
    elif intake.sex is Sex.FEMALE:
        limit, whose = limits.female, "female sex"
    else:
        limit, whose = limits.other, "a sex other than male or female (the stricter limit)"
    value = intake.ecg.qtc_ms
    how = intake.ecg.describe()
    if value > limit:
        reason = f"QTc {value} ms{how} is above the limit of {limit} ms for {whose}"
        return CriterionResult("qtc", NOT_MET, reason, limits.source)
    reason = f"QTc {value} ms{how} is within the limit of {limit} ms for {whose}"
    return CriterionResult("qtc", MET, reason, limits.source)


def pregnancy(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    if intake.pregnant:
        return CriterionResult("pregnancy", NOT_MET, "pregnant: excluded", criteria.pregnancy)
    return CriterionResult("pregnancy", MET, "not pregnant", criteria.pregnancy)


def breastfeeding(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    if intake.breastfeeding:
        return CriterionResult(
            "breastfeeding", NOT_MET, "breastfeeding: excluded", criteria.breastfeeding
        )
    return CriterionResult("breastfeeding", MET, "not breastfeeding", criteria.breastfeeding)


def pregnancy_test(intake: Intake, criteria: EligibilityCriteria) -> CriterionResult:
    """A positive test excludes whatever else is recorded; childbearing potential needs a negative
    test (none or not done excludes); without childbearing potential no test is needed."""
    test = intake.pregnancy_test
    source = criteria.pregnancy_test
    cid = "pregnancy_test"
    if test is PregnancyTest.POSITIVE:
        return CriterionResult(cid, NOT_MET, "positive pregnancy test: excluded", source)
    if not intake.childbearing_potential:
        return CriterionResult(cid, MET, "not of childbearing potential: no test needed", source)
    if test is PregnancyTest.NEGATIVE:
        return CriterionResult(cid, MET, "childbearing potential, negative pregnancy test", source)
    shown = "not done" if test is PregnancyTest.NOT_DONE else "not recorded"
    reason = (
        f"childbearing potential and the pregnancy test is {shown}: a negative test is required"
    )
    return CriterionResult(cid, NOT_MET, reason, source)
