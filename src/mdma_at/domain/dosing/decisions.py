"""Decisions with reasons: what the engine answers to a dose or discharge request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mdma_at.domain.sources import Source


class Action(StrEnum):
    """What a request asks for (and what an override applies to)."""

    INITIAL = "initial"
    SUPPLEMENTAL = "supplemental"
    DISCHARGE = "discharge"


class Liftable(StrEnum):
    """Whether a physician override can lift a refusal reason.

    Only the alert-based reasons and the 'needs approval' tier of the pre-dose blood-pressure
    gate can be lifted; the window, the counts, the dose limits, the checklist and the
    'no dose' tier of the blood-pressure gate never can (issue 5).
    """

    NEVER = "never"
    BY_OVERRIDE = "by_override"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason in a decision.

    Args:
        code: stable identifier of the rule (``supplemental_window``), for software.
        message: for the people in the room, naming the value and the limit.
        source: where the rule comes from.
        liftable: whether a physician override lifts it.
    """

    code: str
    message: str
    source: Source
    liftable: Liftable = Liftable.NEVER

    def __str__(self) -> str:
        return f"{self.code}: {self.message} [{self.source}]"


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one request.

    Args:
        t: time of the request.
        action: initial, supplemental or discharge.
        allowed: True when the request may go ahead (and then counts as done at `t`).
        reasons: when refused, every rule that refuses it; when allowed, the refusals that a
            physician override lifted (empty otherwise).
        mg: the amount requested, for dose requests.
    """

    t: datetime
    action: Action
    allowed: bool
    reasons: tuple[Reason, ...]
    mg: float | None = None


def decide(
    t: datetime,
    action: Action,
    refusals: list[Reason],
    override_reason: str | None,
    mg: float | None = None,
) -> Decision:
    """Fold the refusal reasons of a request into a decision, applying a pending override.

    An override lifts only the reasons marked `Liftable.BY_OVERRIDE`. If any other reason
    remains, the request is refused and the reasons listed are all the refusals (the lifted ones
    stay listed, marked as lifted, so the record shows the whole picture).
    """
    if override_reason is None:
        return Decision(t, action, not refusals, tuple(refusals), mg)
    lifted = [
        Reason(
            r.code,
            f"{r.message} (lifted by physician override: {override_reason})",
            r.source,
            r.liftable,
        )
        if r.liftable is Liftable.BY_OVERRIDE
        else r
        for r in refusals
    ]
    allowed = all(r.liftable is Liftable.BY_OVERRIDE for r in refusals)
    return Decision(t, action, allowed, tuple(lifted), mg)
