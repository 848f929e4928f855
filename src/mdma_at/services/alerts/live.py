"""Every alert that needs someone now, for the dashboard, the nav badge and the alert queue
(issue 13, item 4): active vital-sign alerts of open sessions and open safety alerts from the
questionnaires, each only at the sites where the person may see them, with their pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.measurement.records import SafetyAlert
from mdma_at.domain.patients import Patient
from mdma_at.domain.staff import Principal
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.services.alerts.paging import latest_round, open_session_states, session_key
from mdma_at.services.ports import Page, UnitOfWork


@dataclass(frozen=True, slots=True)
class SessionAlert:
    """The active vital-sign alerts of one open session."""

    patient: Patient
    session_id: int
    session_number: int
    level: str
    what: str
    since: datetime
    acknowledged_at: datetime | None
    pages: tuple[Page, ...]


@dataclass(frozen=True, slots=True)
class LiveAlerts:
    sessions: tuple[SessionAlert, ...]
    safety: tuple[tuple[Patient, SafetyAlert, tuple[Page, ...]], ...]

    @property
    def count(self) -> int:
        return len(self.sessions) + len(self.safety)

    @property
    def critical(self) -> int:
        return sum(a.level == AlertLevel.CRITICAL.value for a in self.sessions) + sum(
            alert.level == AlertLevel.CRITICAL.value for _, alert, _ in self.safety
        )


def live_alerts(uow: UnitOfWork, principal: Principal) -> LiveAlerts:
    """Active in-session alerts (critical first, then oldest) and open safety alerts."""
    with uow:
        lives = open_session_states(uow, sites_for(principal, Action.VIEW_SESSION))
        sessions = []
        for live in lives:
            state = live.folded.state.alerts
            if not state.active or state.level is None:
                continue
            sessions.append(
                SessionAlert(
                    live.patient,
                    live.session.id,
                    live.session.session_number,
                    str(state.level),
                    ", ".join(
                        f"{a.parameter.value.replace('_', ' ')} {a.direction} ({a.level})"
                        for a in state.active
                    ),
                    min(a.since for a in state.active),
                    state.acknowledged_at,
                    latest_round(tuple(uow.pages.for_key(session_key(live.session.id)))),
                )
            )
        safety = uow.safety_alerts.open_at(sites_for(principal, Action.VIEW_MEASURES))
        pages = uow.pages.for_safety_alerts([alert.id for _, alert in safety])
    by_alert: dict[int, list[Page]] = {}
    for page in pages:
        if page.safety_alert_id is not None:
            by_alert.setdefault(page.safety_alert_id, []).append(page)
    sessions.sort(key=lambda a: (a.level != AlertLevel.CRITICAL.value, a.since))
    return LiveAlerts(
        tuple(sessions),
        tuple(
            (patient, alert, latest_round(tuple(by_alert.get(alert.id, ()))))
            for patient, alert in safety
        ),
    )
