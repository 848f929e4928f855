"""Decisions with reasons: what the engine answers to a dose or discharge request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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

    Only caution-level alert refusals, the 'needs a physician' blood-pressure tiers and the
    reviews the rules name (adverse events, distress, baseline, moderate C-SSRS, an unknown new
    medication) can be lifted; windows, counts, dose limits, the checklist, freshness and the
    hard stops (a critical alert, 160/100 before the initial dose, a serious AE before the
    supplemental dose, high suicide risk, an open safety alert) never can (issues 5 and 9).
    """

    NEVER = "never"
    BY_OVERRIDE = "by_override"


@dataclass(frozen=True, slots=True)
class Lift:
    """The physician override that lifted a reason: when, by which role, and why."""

    t: datetime
    by_role: str
    reason: str


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason in a decision.

    Args:
        code: stable identifier of the rule (``supplemental_window``), for software.
        message: for the people in the room, naming the value and the limit.
        source: where the rule comes from.
        liftable: whether a physician override lifts it.
        lifted_by: the override that lifted it in an allowed decision, else None.
        facts: the values, limits and times the message names, as data (``at``, ``value``,
            ``limit``, ``parameter``, ...), so that a page can say them in its own words and
            its own time zone (`domain.dosing.plain`); not part of the stored reason text.
    """

    code: str
    message: str
    source: Source
    liftable: Liftable = Liftable.NEVER
    lifted_by: Lift | None = None
    facts: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        lifted = (
            ""
            if self.lifted_by is None
            else f" (lifted by physician override: {self.lifted_by.reason})"
        )
        return f"{self.code}: {self.message}{lifted} [{self.source}]"


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
    override: Lift | None,
    mg: float | None = None,
) -> Decision:
    """Fold the refusal reasons of a request into a decision, applying a pending override.

    An override lifts only the reasons marked `Liftable.BY_OVERRIDE`, and only when it lifts
    them all: if any other reason remains, the request is refused and every reason is listed
    unlifted (`lifted_by` None), since nothing was lifted. When allowed, the lifted reasons
    stay listed with `lifted_by` set, so the record shows what was overridden and why.
    """
    allowed = all(r.liftable is Liftable.BY_OVERRIDE for r in refusals)
    if override is None or not refusals or not allowed:
        return Decision(t, action, not refusals, tuple(refusals), mg)
    lifted = tuple(replace(r, lifted_by=override) for r in refusals)
    return Decision(t, action, True, lifted, mg)
