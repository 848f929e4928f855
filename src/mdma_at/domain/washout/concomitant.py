"""The concomitant-medication list across treatment (issue 14, item 6): what the patient takes,
from screening on, with start and stop dates, and what the washout rules read from it.

Pure: the day is passed in. The list feeds the per-session medication check (through the pre-dose
checklist, `in_use_for_session`), the washout planner (`stopped_washouts`) and the warning for a
serotonergic drug restarted after its washout began (`restarted_serotonergic`) (ADR 0137).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vocabulary import MedicationUse
from mdma_at.domain.washout.planning import WashoutPlan, plan_washout
from mdma_at.domain.washout.table import Interaction, MedicationTable

MAX_NAME = 200
MAX_DOSE = 200


@dataclass(frozen=True, slots=True)
class ConcomitantMedication:
    """One course of a medication: a restart is a new course (a new row), never an edit."""

    id: int
    patient_id: int
    name: str
    dose: str
    started_on: date
    stopped_on: date | None
    recorded_by_name: str
    recorded_at: datetime

    def taken_on(self, day: date) -> bool:
        """True when the course covers `day` (started on or before it, not stopped before it)."""
        return self.started_on <= day and (self.stopped_on is None or self.stopped_on >= day)


def check_course(name: str, dose: str, started_on: date, stopped_on: date | None,
                 today: date) -> tuple[str, str]:  # fmt: skip
    """The name and dose, trimmed, of a course that can be recorded as of `today`.

    Raises:
        InvalidInput: ``name`` empty or too long, ``dose`` too long, ``started_on`` after today,
            ``stopped_on`` before the start or after today.
    """
    name, dose = name.strip(), dose.strip()
    if not name:
        raise InvalidInput("name", "must not be empty (the medication's generic or brand name)")
    if len(name) > MAX_NAME:
        raise InvalidInput("name", f"is longer than {MAX_NAME} characters")
    if len(dose) > MAX_DOSE:
        raise InvalidInput("dose", f"is longer than {MAX_DOSE} characters")
    if started_on > today:
        raise InvalidInput("started_on", f"{started_on} is in the future (today is {today})")
    if stopped_on is not None:
        check_stop(started_on, stopped_on, today)
    return name, dose


def check_stop(started_on: date, stopped_on: date, today: date) -> None:
    """Raises `InvalidInput` (``stopped_on``) for a stop before the start or after today."""
    if stopped_on < started_on:
        raise InvalidInput("stopped_on", f"{stopped_on} is before the start {started_on}")
    if stopped_on > today:
        raise InvalidInput("stopped_on", f"{stopped_on} is in the future (today is {today})")


def in_use_for_session(
    courses: Iterable[ConcomitantMedication], day: date, table: MedicationTable
) -> tuple[MedicationUse, ...]:
    """What the per-session medication check reads from the list on a session `day`.

    A course still taken counts with a last dose of `day` (taken up to the session). A stopped
    course counts with its stop date as the last dose only when the table says it needs a
    washout: the check then refuses the dose until the washout is over. Stopped courses the
    table does not need (or does not know) are history, not a question for each session.
    """
    found: list[MedicationUse] = []
    for course in courses:
        if course.started_on > day:
            continue
        if course.taken_on(day):
            found.append(MedicationUse(course.name, day))
            continue
        entry = table.find(course.name)
        if entry is not None and entry.needs_washout and course.stopped_on is not None:
            found.append(MedicationUse(course.name, course.stopped_on))
    return tuple(found)


def stopped_washouts(
    courses: Iterable[ConcomitantMedication], table: MedicationTable
) -> tuple[WashoutPlan, ...]:
    """The washout of each stopped course that needs one, from its stop date (the planner)."""
    plans = []
    for course in courses:
        entry = table.find(course.name)
        if course.stopped_on is not None and entry is not None and entry.needs_washout:
            plans.append(plan_washout(course.name, entry, course.stopped_on, table.rule))
    return tuple(plans)


@dataclass(frozen=True, slots=True)
class RestartWarning:
    """A serotonergic drug started again after its washout began."""

    generic: str
    name: str
    stopped_on: date
    restarted_on: date

    def message(self) -> str:
        return (
            f"{self.name} ({self.generic}) was stopped on {self.stopped_on.isoformat()}, starting "
            f"its washout, and restarted on {self.restarted_on.isoformat()}: a serotonergic drug "
            "taken with MDMA risks serotonin toxicity; the washout starts again when it is "
            "stopped, and a physician must review it"
        )


def restarted_serotonergic(
    courses: Iterable[ConcomitantMedication], table: MedicationTable
) -> tuple[RestartWarning, ...]:
    """Each serotonergic drug of the washout table with a course started on or after the stop
    date of an earlier course of the same drug (matched by generic, so a brand counts)."""
    by_generic: dict[str, list[ConcomitantMedication]] = {}
    for course in courses:
        entry = table.find(course.name)
        if entry is None or not entry.needs_washout:
            continue
        if Interaction.SEROTONIN_TOXICITY not in entry.interactions:
            continue
        by_generic.setdefault(entry.generic, []).append(course)
    warnings = []
    for generic, group in by_generic.items():
        for stopped in group:
            if stopped.stopped_on is None:
                continue
            later = [c for c in group if c is not stopped and c.started_on >= stopped.stopped_on]
            if later:
                first = min(later, key=lambda c: c.started_on)
                warnings.append(
                    RestartWarning(generic, first.name, stopped.stopped_on, first.started_on)
                )
    return tuple(sorted(warnings, key=lambda w: (w.restarted_on, w.generic)))
