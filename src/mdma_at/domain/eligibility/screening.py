"""`screen`: the whole eligibility verdict of one intake under one protocol."""

from __future__ import annotations

from mdma_at.domain.eligibility import rules
from mdma_at.domain.eligibility.criteria import EligibilityCriteria
from mdma_at.domain.eligibility.intake import Intake
from mdma_at.domain.eligibility.labs import check_labs, review_labs
from mdma_at.domain.eligibility.medications import review_medications
from mdma_at.domain.eligibility.results import ScreeningResult, decide
from mdma_at.domain.washout import MedicationTable


def screen(
    intake: Intake, criteria: EligibilityCriteria, medications: MedicationTable
) -> ScreeningResult:
    """Evaluate every criterion and decide.

    Args:
        intake: a parsed intake (`parse_intake`).
        criteria: the protocol's eligibility criteria (e.g. ``MAPP_V1.eligibility``).
        medications: the protocol's medication table and washout rule (``MAPP_V1.medications``).

    Returns:
        The decision (precedence: ineligible > needs_review > eligible_after_washout > eligible),
        every criterion with its reason and source in a stable order, the washout plans, the
        interaction warnings and the earliest baseline date.

    Raises:
        InvalidInput: ``labs.CODE`` for a laboratory value the protocol's panel does not know or
            that is outside its physiological limits (`check_labs`).
    """
    if intake.labs is not None:
        check_labs(intake.labs, criteria.labs)
    review = review_medications(intake, criteria, medications)
    results = (
        rules.age(intake, criteria),
        rules.ptsd_diagnosis(intake, criteria),
        rules.caps5_total(intake, criteria),
        rules.ptsd_duration(intake, criteria),
        *rules.conditions(intake, criteria),
        *rules.substance_use(intake, criteria),
        rules.suicide_risk(intake, criteria),
        rules.blood_pressure(intake, criteria),
        rules.heart_rate(intake, criteria),
        rules.temperature(intake, criteria),
        rules.weight(intake, criteria),
        rules.qtc(intake, criteria),
        rules.pregnancy(intake, criteria),
        rules.breastfeeding(intake, criteria),
        rules.pregnancy_test(intake, criteria),
        *review_labs(intake.labs, criteria.labs),
        *review.criteria,
    )
    return ScreeningResult(
        decision=decide(result.status for result in results),
        earliest_baseline=review.earliest_baseline,
        criteria=results,
        washout=review.washout,
        warnings=review.warnings,
    )
