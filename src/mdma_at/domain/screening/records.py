"""A stored screening and the physician's signature on its verdict, with or without an override.

The engine's verdict is kept as computed (every criterion with its reason and source); the
signature says which decision the physician put their name to. An override (a decision other than
the computed one) needs a reason: a monitor must see why the physician departed from the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.eligibility import Decision
from mdma_at.domain.errors import InvalidInput

#: The longest override reason kept (a paragraph; longer text belongs in a clinical note).
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ScreeningSignature:
    """The physician's signature: who, when, the decision signed and, for an override, why."""

    signed_by: int
    signed_by_name: str
    signed_at: datetime
    decision: Decision
    override_reason: str | None = None

    @property
    def overridden(self) -> bool:
        return self.override_reason is not None


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    """One stored screening: the intake as screened (canonical JSON form), the verdict with every
    criterion (the `mdma-at screen --json` contract), who recorded it and when, and the signature.

    Attributes:
        decision: the engine's decision; `final_decision` is the one that counts.
        earliest_baseline: the latest washout clear date, or None when no washout is pending.
    """

    id: int
    patient_id: int
    protocol: str
    screening_date: date
    intake: Mapping[str, object]
    verdict: Mapping[str, object]
    decision: Decision
    earliest_baseline: date | None
    recorded_by: int
    recorded_by_name: str
    recorded_at: datetime
    signature: ScreeningSignature | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None

    @property
    def final_decision(self) -> Decision:
        """The signed decision when signed, else the engine's (still to be signed)."""
        return self.signature.decision if self.signature else self.decision

    @property
    def criteria(self) -> list[Mapping[str, str]]:
        items = self.verdict.get("criteria", [])
        return list(items) if isinstance(items, list) else []


@dataclass(frozen=True, slots=True)
class SignedDecision:
    """What a signature stores: the decision and, when it departs from the engine, the reason."""

    decision: Decision
    override_reason: str | None


def decide_signature(
    computed: Decision, chosen: Decision | None, reason: str, earliest_baseline: date | None
) -> SignedDecision:
    """The decision a physician signs.

    Args:
        computed: the engine's decision.
        chosen: the decision the physician signs; None (or the computed one) signs as computed.
        reason: required (non-blank) when `chosen` differs from `computed`; otherwise ignored.
        earliest_baseline: the verdict's washout date; `eligible_after_washout` needs one.

    Raises:
        InvalidInput: ``reason`` when an override has none; ``decision`` when
            `eligible_after_washout` is chosen without a pending washout.
    """
    decision = chosen or computed
    if decision is computed:
        return SignedDecision(computed, None)
    text = reason.strip()
    if not text:
        raise InvalidInput(
            "reason",
            f"overriding the verdict {computed.value} with {decision.value} needs a reason",
        )
    if len(text) > MAX_REASON:
        raise InvalidInput("reason", f"{len(text)} characters is over the limit {MAX_REASON}")
    if decision is Decision.ELIGIBLE_AFTER_WASHOUT and earliest_baseline is None:
        raise InvalidInput(
            "decision",
            "eligible_after_washout needs a pending washout, and this verdict has none",
        )
    return SignedDecision(decision, text)
