"""Medication criteria: one `washout_<generic>` criterion per recorded medication.

A medication the table knows and that needs a washout is `met` when it clears on or before the
screening date (clear_on ≤ screening date) and `pending` when it clears later; one that needs no
washout is `met`; a name the table does not know is `needs_review`, named in the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mdma_at.domain.eligibility.criteria import EligibilityCriteria
from mdma_at.domain.eligibility.intake import Intake
from mdma_at.domain.eligibility.results import RESTRICTIVENESS, CriterionResult, CriterionStatus
from mdma_at.domain.eligibility.rules import slug
from mdma_at.domain.sources import Source
from mdma_at.domain.washout import (
    InteractionWarning,
    MedicationEntry,
    MedicationTable,
    WashoutKind,
    WashoutPlan,
    WashoutRule,
    interaction_warnings,
    normalise_name,
    plan_washout,
)


@dataclass(frozen=True, slots=True)
class MedicationReview:
    """What the medication list contributes to a screening."""

    criteria: tuple[CriterionResult, ...]
    washout: tuple[WashoutPlan, ...]
    warnings: tuple[InteractionWarning, ...]
    earliest_baseline: date | None


def _named(name: str, entry: MedicationEntry) -> str:
    """``Prozac (fluoxetine)`` for a brand, ``fluoxetine`` for the generic."""
    if normalise_name(name) == entry.generic:
        return entry.generic
    return f"{name} ({entry.generic})"


def _washout_result(plan: WashoutPlan, rule: WashoutRule, screening_date: date) -> CriterionResult:
    """`met` when the washout clears on or before the screening date, else `pending`."""
    entry = plan.entry
    how = (
        f"{rule.half_lives} half-lives ({rule.half_lives} × {entry.half_life_hours:g} h, "
        f"{entry.moiety}) + {rule.extra_days} days"
    )
    if entry.washout is WashoutKind.IRREVERSIBLE_MAOI:
        floor = rule.irreversible_maoi_minimum_days
        how += f", at least {floor} days for an irreversible MAOI" + (
            f" (the {floor}-day minimum applies)" if plan.maoi_minimum_applied else ""
        )
    head = (
        f"{_named(plan.name, entry)} ({entry.drug_class}, {entry.why_washout}): last dose "
        f"{plan.last_dose.isoformat()}; washout {plan.days} days = {how}; clears on "
        f"{plan.clear_on.isoformat()}"
    )
    citation = f"{rule.source}; half-life: {entry.source}"
    if entry.washout is WashoutKind.IRREVERSIBLE_MAOI:
        citation += f"; MAOI minimum: {rule.maoi_source}"
    source = Source(citation, site_default=entry.source.site_default)
    cid = f"washout_{slug(entry.generic)}"
    if plan.is_complete(screening_date):
        reason = f"{head}, on or before the screening date {screening_date.isoformat()}"
        return CriterionResult(cid, CriterionStatus.MET, reason, source)
    reason = f"{head}, after the screening date {screening_date.isoformat()}: washout still running"
    return CriterionResult(cid, CriterionStatus.PENDING, reason, source)


def _more_restrictive(
    candidate: tuple[CriterionResult, date], kept: tuple[CriterionResult, date]
) -> bool:
    """Worse status first; between equal statuses, the later clear date."""

    def key(item: tuple[CriterionResult, date]) -> tuple[int, int]:
        return RESTRICTIVENESS.index(item[0].status), -item[1].toordinal()

    return key(candidate) < key(kept)


def review_medications(
    intake: Intake, criteria: EligibilityCriteria, table: MedicationTable
) -> MedicationReview:
    """The medication criteria, washout plans and interaction warnings of one intake.

    A medication recorded twice (e.g. by brand and by generic name) gives one criterion: the most
    restrictive, and among pending washouts the one that clears last.
    """
    by_id: dict[str, tuple[CriterionResult, date]] = {}
    plans: list[WashoutPlan] = []
    # Per generic: the entry and its latest clear_on (None when it needs no washout).
    known: dict[str, tuple[MedicationEntry, date | None]] = {}
    for use in intake.medications:
        entry = table.find(use.name)
        if entry is None:
            reason = (
                f"unknown medication {use.name!r}: not in the medication table; the physician "
                "decides whether it needs a washout"
            )
            cid = f"washout_{slug(use.name)}"
            result = CriterionResult(
                cid, CriterionStatus.NEEDS_REVIEW, reason, criteria.unknown_medication
            )
            clear_on = use.last_dose
        elif not entry.needs_washout:
            reason = f"{_named(use.name, entry)} ({entry.drug_class}) needs no washout"
            cid = f"washout_{slug(entry.generic)}"
            result = CriterionResult(cid, CriterionStatus.MET, reason, entry.source)
            clear_on = use.last_dose
            known.setdefault(entry.generic, (entry, None))
        else:
            plan = plan_washout(use.name, entry, use.last_dose, table.rule)
            plans.append(plan)
            result = _washout_result(plan, table.rule, intake.screening_date)
            clear_on = plan.clear_on
            _, latest = known.get(entry.generic, (entry, None))
            if latest is None or clear_on > latest:
                known[entry.generic] = (entry, clear_on)
        previous = by_id.get(result.id)
        if previous is None or _more_restrictive((result, clear_on), previous):
            by_id[result.id] = (result, clear_on)
    pending = [p.clear_on for p in plans if not p.is_complete(intake.screening_date)]
    return MedicationReview(
        criteria=tuple(result for result, _ in by_id.values()),
        washout=tuple(plans),
        warnings=tuple(
            warning
            for entry, latest in known.values()
            for warning in interaction_warnings(entry, latest)
        ),
        earliest_baseline=max(pending, default=None),
    )
