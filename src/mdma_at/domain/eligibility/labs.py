"""The screening laboratory panel: results, reference ranges as protocol data, and the review.

A protocol supplies a `LabPanel` (e.g. `mdma_at.protocols.mapp_v1.labs`): for each analyte its
unit, its reference range with the range's source, and the physiological limits that separate a
typing or device error (refused as bad input) from an abnormal result (the physician reviews it).
An out-of-range result never excludes by itself: it makes the verdict `needs_review`, naming the
analyte, the value, the unit and the range (ADR 0135).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.eligibility.results import CriterionResult, CriterionStatus
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source


class DrugScreen(StrEnum):
    """A qualitative urine drug screen."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_DONE = "not_done"


@dataclass(frozen=True, slots=True)
class Analyte:
    """One quantitative analyte of the panel.

    Args:
        code: the intake key (``alt``), also the criterion id's tail (``lab_alt``).
        display: the clinic's name (``ALT``).
        unit: the one unit results are recorded in (``U/L``).
        low, high: the reference range, inclusive; None where the range is open on that side.
        source: where the reference range comes from.
        physiological: the inclusive limits outside which no living adult's result lies: a value
            outside is refused as bad input.
        physiological_source: why those limits.
    """

    code: str
    display: str
    unit: str
    low: float | None
    high: float | None
    source: Source
    physiological: tuple[float, float]
    physiological_source: Source

    def range_text(self) -> str:
        """The reference range as a reader sees it (``7–33 U/L``, ``≥ 60 mL/min/1.73 m²``)."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {self.unit}"
        if self.low is not None:
            return f"≥ {self.low:g} {self.unit}"
        return f"≤ {self.high:g} {self.unit}"


@dataclass(frozen=True, slots=True)
class LabPanel:
    """The protocol's screening panel: the quantitative analytes and the urine drug screen.

    The pregnancy test of the panel is the intake's own ``pregnancy_test`` (judged by the
    pregnancy-test criterion), not a second field.
    """

    analytes: tuple[Analyte, ...]
    #: Why the whole panel is taken at screening (a missing result needs review under it).
    source: Source
    drug_screen_source: Source

    def __post_init__(self) -> None:
        codes = [a.code for a in self.analytes]
        duplicates = {code for code in codes if codes.count(code) > 1}
        if duplicates:
            raise ValueError(f"analytes listed twice: {sorted(duplicates)}")

    def analyte(self, code: str) -> Analyte | None:
        for analyte in self.analytes:
            if analyte.code == code:
                return analyte
        return None


@dataclass(frozen=True, slots=True)
class LabResults:
    """The recorded results: quantitative values by analyte code, in the panel's units."""

    values: tuple[tuple[str, float], ...]
    urine_drug_screen: DrugScreen | None = None

    def to_dict(self) -> dict[str, object]:
        shown: dict[str, object] = dict(self.values)
        if self.urine_drug_screen is not None:
            shown["urine_drug_screen"] = self.urine_drug_screen.value
        return shown


def check_labs(results: LabResults, panel: LabPanel) -> None:
    """Refuse results that can never be a living adult's, before any verdict.

    Raises:
        InvalidInput: ``labs.CODE`` for an analyte the panel does not know, a value that is not a
            finite number, or one outside the analyte's physiological limits.
    """
    for code, value in results.values:
        field = f"labs.{code}"
        analyte = panel.analyte(code)
        if analyte is None:
            known = ", ".join([a.code for a in panel.analytes] + ["urine_drug_screen"])
            raise InvalidInput(field, f"unknown analyte; the panel has {known}")
        if not math.isfinite(value):
            raise InvalidInput(field, f"{value} is not a finite number")
        low, high = analyte.physiological
        if not low <= value <= high:
            raise InvalidInput(
                field,
                f"{value:g} {analyte.unit} is outside the physiological limits "
                f"{low:g}–{high:g} {analyte.unit}",
            )


def review_labs(results: LabResults | None, panel: LabPanel) -> tuple[CriterionResult, ...]:
    """One criterion per recorded analyte (``lab_CODE``), the drug screen and what is missing.

    No panel recorded (an intake from before ADR 0135): no laboratory criteria at all. A panel
    with analytes missing: ``lab_panel`` needs review, naming them. An out-of-range result or a
    positive drug screen: needs review, with the value, unit and range.
    """
    if results is None:
        return ()
    recorded = dict(results.values)
    found: list[CriterionResult] = []
    for analyte in panel.analytes:
        if analyte.code not in recorded:
            continue
        value = recorded[analyte.code]
        shown = f"{analyte.display} {value:g} {analyte.unit}"
        below = analyte.low is not None and value < analyte.low
        above = analyte.high is not None and value > analyte.high
        if below or above:
            side = "below" if below else "above"
            reason = (
                f"{shown} is {side} the reference range {analyte.range_text()}: "
                "the physician reviews it"
            )
            status = CriterionStatus.NEEDS_REVIEW
        else:
            reason = f"{shown} is within the reference range {analyte.range_text()}"
            status = CriterionStatus.MET
        found.append(CriterionResult(f"lab_{analyte.code}", status, reason, analyte.source))
    screen_result = results.urine_drug_screen
    if screen_result is DrugScreen.POSITIVE:
        found.append(
            CriterionResult(
                "lab_urine_drug_screen",
                CriterionStatus.NEEDS_REVIEW,
                "urine drug screen positive: the physician reviews it against the substance use "
                "history",
                panel.drug_screen_source,
            )
        )
    elif screen_result is DrugScreen.NEGATIVE:
        found.append(
            CriterionResult(
                "lab_urine_drug_screen",
                CriterionStatus.MET,
                "urine drug screen negative",
                panel.drug_screen_source,
            )
        )
    missing = [a.display for a in panel.analytes if a.code not in recorded]
    if screen_result in (None, DrugScreen.NOT_DONE):
        missing.append("urine drug screen")
    if missing:
        found.append(
            CriterionResult(
                "lab_panel",
                CriterionStatus.NEEDS_REVIEW,
                f"not recorded in the laboratory panel: {', '.join(missing)}",
                panel.source,
            )
        )
    return tuple(found)
