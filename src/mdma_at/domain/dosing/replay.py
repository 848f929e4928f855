"""`session replay`: the session engine folded over a recorded or hypothetical timeline.

Replaying is evaluation, not recording: past and future times are both accepted, nothing is
stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mdma_at.domain.dosing.decisions import Decision, Reason
from mdma_at.domain.dosing.session import RaisedAlert, SessionState, apply, start
from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.domain.dosing.timeline import Timeline
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vitals.schedule import VitalsDue


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Everything the events produced, in event order, and the final state."""

    alerts: tuple[RaisedAlert, ...]
    decisions: tuple[Decision, ...]
    vitals_due: tuple[VitalsDue, ...]
    final: SessionState


def replay(timeline: Timeline) -> ReplayResult:
    """Apply every event of `timeline` in order, from the empty session.

    Raises:
        InvalidInput: an event the engine refuses as bad input (e.g. an entry after an allowed
            discharge closed the session), named ``events[i]...``.
    """
    rules = timeline.rules
    state = start(timeline.session_number, timeline.patient, timeline.checklist, rules)
    alerts: list[RaisedAlert] = []
    decisions: list[Decision] = []
    due: list[VitalsDue] = []
    for i, event in enumerate(timeline.events):
        try:
            state, out = apply(state, event, rules)
        except InvalidInput as error:
            # The engine names the event's own field (``t``) or the whole ``session``.
            field = f"events[{i}]" if error.field == "session" else f"events[{i}].{error.field}"
            raise InvalidInput(field, error.reason) from None
        alerts.extend(out.alerts)
        decisions.extend(out.decisions)
        due.extend(out.vitals_due)
    return ReplayResult(tuple(alerts), tuple(decisions), tuple(due), state)


def _number(value: float) -> float | int:
    """Whole numbers as integers (163, not 163.0), as the clinic charts them."""
    return int(value) if value.is_integer() else value


def reason_as_contract(reason: Reason) -> dict[str, Any]:
    """A reason as the contract gives it (issue 9): ``code``, ``message``, ``source`` and
    ``lifted_by`` (null, or the override that lifted it: ``t``, ``by_role``, ``reason``)."""
    lifted = reason.lifted_by
    return {
        "code": reason.code,
        "message": reason.message,
        "source": str(reason.source),
        "lifted_by": None
        if lifted is None
        else {"t": stamp(lifted.t), "by_role": lifted.by_role, "reason": lifted.reason},
    }


def as_contract(result: ReplayResult) -> dict[str, Any]:
    """The replay output of the issue-5 contract with the issue-9 additions: exactly
    ``alerts``, ``decisions`` and ``vitals_due`` (item shapes in docs/session-replay.md)."""
    return {
        "alerts": [
            {
                "t": stamp(a.t),
                "parameter": str(a.alert.parameter),
                "level": str(a.alert.level),
                "direction": str(a.alert.direction),
                "value": _number(a.alert.value),
                "limit": _number(a.alert.threshold.limit),
            }
            for a in result.alerts
        ],
        "decisions": [
            {
                "t": stamp(d.t),
                "action": str(d.action),
                "allowed": d.allowed,
                "reasons": [reason_as_contract(r) for r in d.reasons],
            }
            for d in result.decisions
        ],
        "vitals_due": [
            {
                "after": stamp(v.after),
                "due": stamp(v.due),
                "reason": str(v.reason),
                "page_physician": v.page_physician,
            }
            for v in result.vitals_due
        ],
    }
