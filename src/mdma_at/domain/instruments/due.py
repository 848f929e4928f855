"""Which instruments are due at which visit, and what is due or overdue today.

The protocol lists `DueRule`s (which instrument at which visit kinds or codes). Given a patient's
visits with their windows (and the date each was held), the administrations already completed
and today's date, `due_and_overdue` says for each visit and instrument whether it is done, not
yet due, due or overdue, with the reason. Time is passed in, never read.

Rules (ADR 0022):
- An instrument is due from the opening of its visit's window (or the day the visit was held, if
  earlier) until the visit is held, or until its window closes when it has not been held yet.
- After that day it is overdue, counted in whole days.
- An administration counts for the visit it was recorded against, whatever its date.
- Cancelled visits (a withdrawn patient) are left out by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from mdma_at.domain.instruments.definitions import InstrumentCode
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.sources import Source


class DueTiming(StrEnum):
    """When in the visit the instrument is filled."""

    AT_VISIT = "at_visit"
    BEFORE_DOSE = "before_dose"  # on a dosing day, before the initial dose


@dataclass(frozen=True, slots=True)
class DueRule:
    """An instrument due at every visit of the given kinds, and at the named visit codes.

    Args:
        instrument: the instrument.
        visit_kinds: visit kinds where it is due.
        visit_codes: further visits, by code, where it is due (e.g. ``baseline``).
        timing: when in the visit.
        source: where the rule comes from.
    """

    instrument: InstrumentCode
    visit_kinds: frozenset[VisitKind]
    timing: DueTiming
    source: Source
    visit_codes: frozenset[str] = frozenset()

    def applies_to(self, code: str, kind: VisitKind) -> bool:
        return kind in self.visit_kinds or code in self.visit_codes


class ScheduledVisit(Protocol):
    """What the rule needs of a visit (the schedule's stored visits have these attributes)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> VisitKind: ...
    @property
    def label(self) -> str: ...
    @property
    def window_start(self) -> date: ...
    @property
    def window_end(self) -> date: ...
    @property
    def held_on(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class VisitSlot:
    """A plain `ScheduledVisit`, for callers and tests without a stored visit."""

    code: str
    kind: VisitKind
    label: str
    window_start: date
    window_end: date
    held_on: date | None = None


@dataclass(frozen=True, slots=True)
class CompletedAdministration:
    """An instrument filled in for a visit."""

    instrument: str
    visit_code: str
    completed_on: date


class DueStatus(StrEnum):
    DONE = "done"
    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class DueItem:
    """One instrument at one visit.

    Args:
        due_from / due_by: the days it may be filled in (both inclusive).
        days_overdue: ``today - due_by`` in days when overdue, else 0.
    """

    instrument: InstrumentCode
    visit_code: str
    visit_label: str
    timing: DueTiming
    status: DueStatus
    due_from: date
    due_by: date
    days_overdue: int
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "instrument": str(self.instrument),
            "visit_code": self.visit_code,
            "visit_label": self.visit_label,
            "timing": str(self.timing),
            "status": str(self.status),
            "due_from": self.due_from.isoformat(),
            "due_by": self.due_by.isoformat(),
            "days_overdue": self.days_overdue,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class DueReport:
    """Every instrument at every visit, most urgent first (overdue, due, not yet due, done)."""

    items: tuple[DueItem, ...]

    @property
    def overdue(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.status is DueStatus.OVERDUE)

    @property
    def due(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.status is DueStatus.DUE)


def instruments_at(rules: Iterable[DueRule], code: str, kind: VisitKind) -> tuple[DueRule, ...]:
    """The rules that apply at a visit (its instruments, in the protocol's order)."""
    return tuple(rule for rule in rules if rule.applies_to(code, kind))


_ORDER = {DueStatus.OVERDUE: 0, DueStatus.DUE: 1, DueStatus.NOT_YET_DUE: 2, DueStatus.DONE: 3}


def due_and_overdue(
    rules: Sequence[DueRule],
    visits: Iterable[ScheduledVisit],
    administrations: Iterable[CompletedAdministration],
    today: date,
) -> DueReport:
    """What is done, due and overdue for one patient on `today`.

    Args:
        rules: the protocol's due-at-visit table.
        visits: the patient's visits (cancelled visits left out by the caller).
        administrations: instruments already completed, by visit code.
        today: the clinic's date.

    Returns:
        One item per visit and instrument due there, overdue first (most days first), then due
        (soonest deadline first), then not yet due, then done.
    """
    done = {(a.instrument, a.visit_code): a.completed_on for a in administrations}
    items: list[DueItem] = []
    for visit in visits:
        for rule in instruments_at(rules, visit.code, visit.kind):
            items.append(_assess(rule, visit, done, today))
    items.sort(key=lambda i: (_ORDER[i.status], -i.days_overdue, i.due_by, i.visit_code))
    return DueReport(tuple(items))


def _assess(
    rule: DueRule,
    visit: ScheduledVisit,
    done: dict[tuple[str, str], date],
    today: date,
) -> DueItem:
    instrument = rule.instrument
    when = "before the dose at" if rule.timing is DueTiming.BEFORE_DOSE else "at"
    if visit.held_on is not None:
        due_by = visit.held_on
        due_from = min(visit.window_start, visit.held_on)
        deadline = f"{visit.label} was held on {visit.held_on}"
    else:
        due_by = visit.window_end
        due_from = visit.window_start
        deadline = f"the window of {visit.label} closes on {visit.window_end}"

    def item(status: DueStatus, reason: str, days: int = 0) -> DueItem:
        return DueItem(
            instrument, visit.code, visit.label, rule.timing, status, due_from, due_by, days, reason
        )

    completed = done.get((str(instrument), visit.code))
    if completed is not None:
        return item(DueStatus.DONE, f"{instrument} {when} {visit.label} completed on {completed}")
    if today < due_from:
        return item(DueStatus.NOT_YET_DUE, f"{instrument} {when} {visit.label} opens on {due_from}")
    if today <= due_by:
        return item(DueStatus.DUE, f"{instrument} due {when} {visit.label} by {due_by}")
    days = (today - due_by).days
    return item(
        DueStatus.OVERDUE, f"{instrument} overdue by {days} day(s): {deadline} without it", days
    )
