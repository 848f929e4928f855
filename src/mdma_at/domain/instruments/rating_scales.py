"""Scoring of the summed rating scales: PCL-5, PHQ-9, GAD-7 and CAPS-5.

total = sum of the item ratings; severity = the band holding the total; above_cutoff =
``total >= cut-off``; clusters and diagnosis by the DSM-5 rule (`dsm5`). Every number comes from
the instrument's definition.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdma_at.domain.instruments.definitions import DiagnosisRule, InstrumentDefinition
from mdma_at.domain.instruments.dsm5 import clusters_met, score_cluster
from mdma_at.domain.instruments.results import Alert, ClusterScore, Score
from mdma_at.domain.vocabulary import AlertLevel


def prorated_total(answers: Sequence[int | None]) -> int | None:
    """Mean of the answered items times the number of items, rounded half up; None if none answered.

    Integer arithmetic, so that 12.5 is always 13 (never banker's rounding).
    """
    answered = [a for a in answers if a is not None]
    if not answered:
        return None
    n, k, s = len(answers), len(answered), sum(answered)
    return (2 * s * n + k) // (2 * k)


def _total(
    definition: InstrumentDefinition, answers: Sequence[int | None], missing: Sequence[int]
) -> tuple[int | None, bool, str]:
    rule = definition.missing
    if not missing:
        total = sum(a for a in answers if a is not None)
        return total, False, f"total {total} of {definition.max_total} (all items answered)"
    listed = ", ".join(str(n) for n in missing)
    if len(missing) <= rule.max_missing:
        prorated = prorated_total(answers)
        if prorated is not None:
            return (
                prorated,
                True,
                (
                    f"total {prorated} prorated over {len(missing)} missing item(s) ({listed}): "
                    f"{rule.description}"
                ),
            )
    return None, False, (f"no total: {len(missing)} item(s) missing ({listed}); {rule.description}")


def _item_alerts(
    definition: InstrumentDefinition, answers: Sequence[int | None]
) -> tuple[Alert, ...]:
    alerts: list[Alert] = []
    for rule in definition.alert_rules:
        value = answers[rule.item - 1]
        if value is not None and value > rule.above:
            alerts.append(
                Alert(
                    rule.code,
                    rule.level,
                    f"{rule.reason} (item {rule.item} = {value})",
                    rule.source,
                    rule.item,
                )
            )
        elif value is None and rule.alert_when_missing:
            alerts.append(
                Alert(
                    f"{rule.code}_missing",
                    AlertLevel.CAUTION,  # unknown, not positive: a physician asks, not acts
                    f"item {rule.item} left unanswered: {rule.reason.lower()} cannot be ruled "
                    "out; ask the patient",
                    rule.source,
                    rule.item,
                )
            )
    return tuple(alerts)


def score_rating_scale(
    definition: InstrumentDefinition,
    answers: Sequence[int | None],
    *,
    criterion_f: bool | None = None,
    criterion_g: bool | None = None,
) -> Score:
    """Score a summed rating scale from validated answers.

    Args:
        definition: the instrument (its bands, cut-off, clusters and rules).
        answers: validated answers in form order, None for missing.
        criterion_f: CAPS-5 only: duration of the disturbance > 1 month (None = not given).
        criterion_g: CAPS-5 only: clinically significant distress or impairment (None = not given).

    Returns:
        The score with reasons. `diagnosis` is None when it cannot be determined.
    """
    missing = tuple(n for n, a in enumerate(answers, start=1) if a is None)
    total, prorated, total_reason = _total(definition, answers, missing)
    reasons: list[str] = [total_reason]

    severity: str | None = None
    if definition.bands:
        band = definition.band_for(total) if total is not None else None
        if band is not None:
            severity = band.label
            reasons.append(f"severity {band.label}: total {total} is in {band.low}–{band.high}")
        else:
            reasons.append("no severity: no total")

    above_cutoff: bool | None = None
    if definition.cutoff is not None and total is not None:
        above_cutoff = total >= definition.cutoff.value
        relation = ">=" if above_cutoff else "<"
        reasons.append(f"total {total} {relation} cut-off {definition.cutoff.value}")

    clusters: dict[str, ClusterScore] = {}
    if definition.clusters and definition.symptom_present_at is not None:
        for cluster in definition.clusters:
            clusters[cluster.code] = score_cluster(cluster, answers, definition.symptom_present_at)

    diagnosis: bool | None = None
    if definition.diagnosis_rule is DiagnosisRule.NONE:
        reasons.append(f"no diagnosis: {definition.name} makes none")
    else:
        symptoms, cluster_reasons = clusters_met(tuple(clusters.values()))
        reasons.extend(cluster_reasons)
        diagnosis = symptoms
        if definition.diagnosis_rule is DiagnosisRule.DSM5_WITH_F_AND_G:
            diagnosis, fg_reasons = _with_f_and_g(symptoms, criterion_f, criterion_g)
            reasons.extend(fg_reasons)
        verdict = {True: "met", False: "not met", None: "cannot be determined"}[diagnosis]
        what = (
            "provisional diagnosis (a self-report screen, never a diagnosis)"
            if definition.diagnosis_rule is DiagnosisRule.DSM5_PROVISIONAL
            else "diagnosis"
        )
        reasons.append(f"{what} ({definition.diagnosis_rule}): {verdict}")

    return Score(
        instrument=str(definition.code),
        total=total,
        severity=severity,
        diagnosis=diagnosis,
        above_cutoff=above_cutoff,
        clusters=clusters,
        alerts=_item_alerts(definition, answers),
        reasons=tuple(reasons),
        answers=tuple(answers),
        missing_items=missing,
        prorated=prorated,
        # A self-report screen's diagnosis is provisional (PCL-5), never a diagnosis.
        provisional=definition.diagnosis_rule is DiagnosisRule.DSM5_PROVISIONAL,
    )


def _with_f_and_g(
    symptoms: bool | None, criterion_f: bool | None, criterion_g: bool | None
) -> tuple[bool | None, tuple[str, ...]]:
    """Combine the symptom clusters with criterion F (duration > 1 month) and G (distress)."""
    words = {True: "yes", False: "no", None: "not given"}
    reasons = (
        f"criterion F (duration > 1 month): {words[criterion_f]}",
        f"criterion G (distress or impairment): {words[criterion_g]}",
    )
    parts = (symptoms, criterion_f, criterion_g)
    if any(part is False for part in parts):
        return False, reasons
    if all(part is True for part in parts):
        return True, reasons
    return None, reasons
