"""The rules behind the regulators' reports (issue 17, item 4): a report's period and the clocks
of an expedited safety report. Pure: today is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source


@dataclass(frozen=True, slots=True)
class Period:
    """A report's period, both days included."""

    start: date
    end: date

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


def period(start: date, end: date) -> Period:
    """The period [start, end].

    Raises:
        InvalidInput: ``to`` when the end is before the start.
    """
    if end < start:
        raise InvalidInput("to", f"{end.isoformat()} is before the start {start.isoformat()}")
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class ReportingPeriods:
    """How long the Authorised Prescriber's reporting period is (its length is shown, never
    enforced: a clinic may also print a shorter or longer period for its own review)."""

    months: int
    source: Source


@dataclass(frozen=True, slots=True)
class ExpeditedRules:
    """Calendar days from awareness to an expedited report."""

    fatal_or_life_threatening_days: int
    other_serious_days: int
    source: Source


@dataclass(frozen=True, slots=True)
class ReportClock:
    """One deadline of an expedited report: due on `due`, `days_left` from today (negative once
    overdue); `applies` is False when the event is known not to need it."""

    days: int
    due: date
    days_left: int
    applies: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def expedited_clocks(
    rules: ExpeditedRules, aware_on: date, today: date, *, fatal: bool
) -> tuple[ReportClock, ReportClock]:
    """The 7- and 15-day clocks of a serious adverse event the clinic learnt of on `aware_on`.

    The short clock applies to a fatal or life-threatening event; the charted event records a
    fatal outcome but not "life-threatening", so it is shown for every serious event and marked
    as applying for certain only when the outcome is fatal (the reporter decides the rest)."""
    short = rules.fatal_or_life_threatening_days
    long = rules.other_serious_days
    short_due = aware_on + timedelta(days=short)
    long_due = aware_on + timedelta(days=long)
    return (
        ReportClock(short, short_due, (short_due - today).days, fatal),
        ReportClock(long, long_due, (long_due - today).days, True),
    )
