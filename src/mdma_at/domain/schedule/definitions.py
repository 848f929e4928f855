"""Visit definitions: what a protocol's schedule is made of.

A visit is anchored to an earlier visit (or to enrolment) by an offset in days, and may be held
inside a window around its target. Windows move with the anchor's actual date, as in every EDC:
if dosing session 1 happens two days late, the integration sessions follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mdma_at.domain.sources import Source

ENROLMENT = "enrolment"


class VisitKind(StrEnum):
    PREPARATION = "preparation"
    ASSESSMENT = "assessment"
    DOSING = "dosing"
    INTEGRATION = "integration"
    PRIMARY_ENDPOINT = "primary_endpoint"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class VisitDefinition:
    """One visit of the schedule.

    Args:
        code: stable identifier (``es1``, ``es1_int2``), used in data exports.
        kind: what happens at the visit.
        label: the clinic's name for it.
        anchor: the code of an earlier visit, or ``ENROLMENT``.
        offset_days: target = anchor date + offset_days.
        window_before / window_after: days allowed before / after the target (inclusive).
        source: where the timing comes from.
        dosing_number: 1, 2, 3 for dosing sessions, else None.
    """

    code: str
    kind: VisitKind
    label: str
    anchor: str
    offset_days: int
    window_before: int
    window_after: int
    source: Source
    dosing_number: int | None = None


@dataclass(frozen=True, slots=True)
class ScheduleDefinition:
    """The ordered visits of a protocol. Order is protocol order: each visit follows the last."""

    visits: tuple[VisitDefinition, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for visit in self.visits:
            if visit.code in seen:
                raise ValueError(f"duplicate visit code {visit.code!r}")
            if visit.anchor != ENROLMENT and visit.anchor not in seen:
                raise ValueError(f"{visit.code}: anchor {visit.anchor!r} must be an earlier visit")
            if visit.window_before < 0 or visit.window_after < 0:
                raise ValueError(f"{visit.code}: windows are day counts, never negative")
            seen.add(visit.code)

    def visit(self, code: str) -> VisitDefinition:
        for visit in self.visits:
            if visit.code == code:
                return visit
        raise KeyError(code)

    def dosing_sessions(self) -> tuple[VisitDefinition, ...]:
        return tuple(v for v in self.visits if v.kind is VisitKind.DOSING)
