"""The gate before the first dosing session (es1): a signed eligible verdict, the washout over,
and current consent.

Recording or moving the first dosing session to `day` is allowed only when
- the patient's most recent screening is signed by a physician with the decision `eligible` or
  `eligible_after_washout` (an unsigned newer screening supersedes an older signed one: the most
  recent assessment is the one that counts);
- `day` is on or after the screening date, and on or after the verdict's `earliest_baseline`
  when one is set (the washout is a fact even when the physician overrides the decision);
- consent is current on `day` (`consent.dosing_consent`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mdma_at.domain.eligibility import Decision
from mdma_at.domain.screening.consent import DosingConsent
from mdma_at.domain.screening.records import ScreeningRecord

CLEARED = frozenset({Decision.ELIGIBLE, Decision.ELIGIBLE_AFTER_WASHOUT})


class GateReason(StrEnum):
    NO_SCREENING = "no_screening"
    NOT_SIGNED = "not_signed"
    NOT_CLEARED = "not_cleared"
    BEFORE_SCREENING = "before_screening"
    BEFORE_WASHOUT = "before_washout"
    NO_CURRENT_CONSENT = "no_current_consent"


#: Reasons about the chosen day only: another day would pass.
DATE_REASONS = frozenset({GateReason.BEFORE_SCREENING, GateReason.BEFORE_WASHOUT})


@dataclass(frozen=True, slots=True)
class FirstDosingGate:
    """The gate's decision: allowed when there are no refusals; each refusal with its reason."""

    day: date
    refusals: tuple[tuple[GateReason, str], ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def only_the_day_is_wrong(self) -> bool:
        return bool(self.refusals) and all(code in DATE_REASONS for code, _ in self.refusals)

    def explain(self) -> str:
        return "; ".join(message for _, message in self.refusals)


def first_dosing_gate(
    screening: ScreeningRecord | None, consent: DosingConsent, day: date
) -> FirstDosingGate:
    """Decide whether the first dosing session may be held or planned on `day`.

    Args:
        screening: the patient's most recent screening, or None.
        consent: the consent decision on `day` (`dosing_consent`).
        day: the date the session is recorded as held, or moved to.
    """
    refusals: list[tuple[GateReason, str]] = []
    if screening is None:
        refusals.append(
            (
                GateReason.NO_SCREENING,
                "no screening is recorded: the first dosing session needs a physician-signed "
                "eligible verdict",
            )
        )
    elif screening.signature is None:
        refusals.append(
            (
                GateReason.NOT_SIGNED,
                f"the screening of {screening.screening_date} ({screening.decision.value}) is "
                "not signed by a physician yet",
            )
        )
    elif screening.signature.decision not in CLEARED:
        refusals.append(
            (
                GateReason.NOT_CLEARED,
                f"the signed verdict of {screening.screening_date} is "
                f"{screening.signature.decision.value}, not eligible",
            )
        )
    if screening is not None:
        if day < screening.screening_date:
            refusals.append(
                (
                    GateReason.BEFORE_SCREENING,
                    f"{day} is before the screening on {screening.screening_date}",
                )
            )
        baseline = screening.earliest_baseline
        if baseline is not None and day < baseline:
            refusals.append(
                (
                    GateReason.BEFORE_WASHOUT,
                    f"{day} is before the earliest baseline {baseline}, when the medication "
                    "washout is complete",
                )
            )
    if not consent.allowed:
        refusals.append((GateReason.NO_CURRENT_CONSENT, consent.reason))
    return FirstDosingGate(day, tuple(refusals))
