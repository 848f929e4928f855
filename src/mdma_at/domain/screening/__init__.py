"""Screening in the clinic: stored screenings with the physician's signature, informed consent,
and the rules that clear a patient for the first dosing session (issue 3, items 5–7).

The eligibility verdict itself is `mdma_at.domain.eligibility.screen`; this package holds what the
clinic keeps about it and decides with it. Pure: standard library only.
"""

from mdma_at.domain.screening.consent import (
    ConsentDocument,
    ConsentSignature,
    ConsentState,
    ConsentStatus,
    ConsentWithdrawal,
    DosingConsent,
    consent_state,
    dosing_consent,
    validate_consent_document,
)
from mdma_at.domain.screening.gate import FirstDosingGate, GateReason, first_dosing_gate
from mdma_at.domain.screening.records import (
    ScreeningRecord,
    ScreeningSignature,
    SignedDecision,
    decide_signature,
)

__all__ = [
    "ConsentDocument",
    "ConsentSignature",
    "ConsentState",
    "ConsentStatus",
    "ConsentWithdrawal",
    "DosingConsent",
    "FirstDosingGate",
    "GateReason",
    "ScreeningRecord",
    "ScreeningSignature",
    "SignedDecision",
    "consent_state",
    "decide_signature",
    "dosing_consent",
    "first_dosing_gate",
    "validate_consent_document",
]
