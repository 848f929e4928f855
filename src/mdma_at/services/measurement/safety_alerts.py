"""The safety loop: alerts raised by scores wait in the physicians' queue until acknowledged.

An alert (PHQ-9 item 9 above 0, C-SSRS moderate or high risk, an incomplete safety item) is stored
with the administration that raised it (`services.measures.store_score`). It stays open, on the
dashboard and the patient's chart, until a physician at the patient's site acknowledges it with
the action taken (required text). The acknowledgement is its own append-only row, audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.domain.events import SafetyAlertAcknowledged
from mdma_at.domain.measurement.records import SafetyAlert
from mdma_at.domain.patients import Patient
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import record
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.records import guard_visible

MAX_ACTION_LENGTH = 2000


def open_safety_alerts(
    uow: UnitOfWork, principal: Principal
) -> Sequence[tuple[Patient, SafetyAlert]]:
    """Unacknowledged alerts at every site where the principal may see measures, newest first."""
    with uow:
        return uow.safety_alerts.open_at(sites_for(principal, Action.VIEW_MEASURES))


def acknowledge_safety_alert(
    uow: UnitOfWork, clock: Clock, principal: Principal, alert_id: int, action_taken: str
) -> SafetyAlert:
    """A physician closes an alert, saying what was done (called the patient, safety plan...).

    Raises:
        InvalidInput: ``action_taken`` empty or longer than 2000 characters.
        NotFound: no such alert. PermissionDenied: not a physician at the patient's site.
        Conflict: already acknowledged.
    """
    action = action_taken.strip()
    if not action:
        raise InvalidInput("action_taken", "acknowledging an alert needs the action taken")
    if len(action) > MAX_ACTION_LENGTH:
        raise InvalidInput(
            "action_taken", f"{len(action)} characters is more than {MAX_ACTION_LENGTH}"
        )
    with uow:
        alert = uow.safety_alerts.get(alert_id)
        if alert is None:
            raise NotFound(f"no safety alert {alert_id}")
        actor = guard_visible(
            uow,
            clock,
            principal,
            Action.ACKNOWLEDGE_SAFETY_ALERT,
            alert.site_id,
            ("safety_alert", alert.id),
            f"no safety alert {alert_id}",
        )
        if not alert.is_open:
            raise Conflict(
                f"this alert was already acknowledged by {alert.acknowledged_by} "
                f"on {alert.acknowledged_at:%d %b %Y %H:%M} UTC"
            )
        uow.safety_alerts.acknowledge(alert.id, principal.user_id, clock.now(), action)
        record(
            uow,
            clock,
            actor,
            "safety_alert_acknowledged",
            "safety_alert",
            alert.id,
            before={"status": "open", "code": alert.code, "reason": alert.reason},
            after={"status": "acknowledged", "action_taken": action},
        )
        acknowledged = uow.safety_alerts.get(alert.id)
        assert acknowledged is not None
        uow.emit(SafetyAlertAcknowledged(alert.id, alert.patient_id))
        uow.commit()
    return acknowledged
