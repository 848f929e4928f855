"""Planning a patient's visits from a schedule definition, and re-planning when visits move.

Rules (DESIGN.md §4; ADR 0003):
- A visit's target is its anchor's date plus the offset; its window is the target minus
  `window_before` to the target plus `window_after`, both ends allowed. The anchor's date is the
  date it was held, or else the date it is planned for, so windows follow what really happened.
- A visit is never planned before the visit that precedes it in protocol order. When that pushes a
  visit past the end of its window, the plan says so: the visit cannot be placed inside its window.
- Visits already held keep their dates; a visit that was rescheduled keeps its new date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from mdma_at.domain.schedule.definitions import ENROLMENT, ScheduleDefinition, VisitKind


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    code: str
    kind: VisitKind
    label: str
    sequence: int
    dosing_number: int | None
    target: date
    window_start: date
    window_end: date
    planned: date

    @property
    def planned_in_window(self) -> bool:
        return self.window_start <= self.planned <= self.window_end


@dataclass(frozen=True, slots=True)
class PlanningIssue:
    """A visit the planner could not place inside its window, and why."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class SchedulePlan:
    visits: tuple[PlannedVisit, ...]
    issues: tuple[PlanningIssue, ...]


def plan_schedule(
    definition: ScheduleDefinition,
    enrolment_date: date,
    *,
    held: Mapping[str, date] | None = None,
    rescheduled: Mapping[str, date] | None = None,
) -> SchedulePlan:
    """Plan every visit of `definition` for a patient enrolled on `enrolment_date`.

    Args:
        definition: the protocol's schedule.
        enrolment_date: day 0 of the schedule.
        held: visit code -> date the visit was held (kept as is).
        rescheduled: visit code -> the date staff moved it to (kept, checked against its window).

    Returns:
        The plan and the visits that cannot be placed inside their windows.
    """
    held = held or {}
    rescheduled = rescheduled or {}
    dates: dict[str, date] = {ENROLMENT: enrolment_date}
    previous_code, previous_date = ENROLMENT, enrolment_date
    visits: list[PlannedVisit] = []
    issues: list[PlanningIssue] = []
    for sequence, visit in enumerate(definition.visits, start=1):
        target = dates[visit.anchor] + timedelta(days=visit.offset_days)
        start = target - timedelta(days=visit.window_before)
        end = target + timedelta(days=visit.window_after)
        if visit.code in held:
            planned = held[visit.code]
        elif visit.code in rescheduled:
            planned = rescheduled[visit.code]
            if not start <= planned <= end:
                issues.append(PlanningIssue(visit.code, _outside(visit.label, planned, start, end)))
        else:
            planned = max(target, previous_date)
            if planned > end:
                reason = (
                    f"{visit.label} cannot be held inside its window {start}–{end}: "
                    f"it follows {previous_code} on {previous_date}"
                )
                issues.append(PlanningIssue(visit.code, reason))
        visits.append(
            PlannedVisit(
                visit.code,
                visit.kind,
                visit.label,
                sequence,
                visit.dosing_number,
                target,
                start,
                end,
                planned,
            )
        )
        dates[visit.code] = planned
        previous_code, previous_date = visit.code, planned
    return SchedulePlan(tuple(visits), tuple(issues))


def window_deviation(label: str, window_start: date, window_end: date, held_on: date) -> str | None:
    """Why holding a visit on `held_on` is a protocol deviation, or None inside its window."""
    if window_start <= held_on <= window_end:
        return None
    if held_on < window_start:
        days, side = (window_start - held_on).days, "before"
    else:
        days, side = (held_on - window_end).days, "after"
    return f"{label} held on {held_on}, {days} day(s) {side} its window {window_start}–{window_end}"


def _outside(label: str, planned: date, start: date, end: date) -> str:
    return f"{label} moved to {planned}, outside its window {start}–{end}"
