"""The clinic dashboard: what is on today, what is overdue, what needs attention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.patients import Patient
from mdma_at.domain.schedule.records import Visit
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork

UPCOMING = timedelta(days=800)  # longer than any programme: 12-month follow-up after dosing


@dataclass(frozen=True, slots=True)
class Dashboard:
    today: tuple[tuple[Patient, Visit], ...]
    overdue: tuple[tuple[Patient, Visit], ...]
    alerts: tuple[tuple[Patient, Visit, str], ...]


def dashboard(uow: UnitOfWork, clock: Clock, principal: Principal) -> Dashboard:
    """Visits planned today, visits whose window closed without them being held, and planned
    visits that sit outside their window (they will be deviations unless moved)."""
    today = clock.now().date()
    sites = sites_for(principal, Action.VIEW_PATIENTS)
    with uow:
        todays = tuple(uow.visits.planned_between(sites, today, today))
        overdue = tuple(uow.visits.overdue(sites, today))
        upcoming = uow.visits.planned_between(sites, today, today + UPCOMING)
    alerts = tuple(
        (
            patient,
            visit,
            f"{visit.label} is planned for {visit.planned}, outside its window "
            f"{visit.window_start}–{visit.window_end}",
        )
        for patient, visit in upcoming
        if not visit.in_window
    )
    return Dashboard(todays, overdue, alerts)
