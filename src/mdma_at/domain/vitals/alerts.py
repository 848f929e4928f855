"""The alert state of a session: which vital-sign alerts are active, and when they clear.

An alert stays active until two consecutive readings have every parameter below caution, or a
physician acknowledges it (issue 5; DESIGN.md §4). A new reading in range raises or escalates
the alert for its parameter and restarts the count of normal readings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from mdma_at.domain.vitals.classification import AlertLevel, VitalAlert
from mdma_at.domain.vitals.readings import Parameter


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """An alert that has not cleared: its parameter, its highest level so far and when it began."""

    parameter: Parameter
    level: AlertLevel
    since: datetime


@dataclass(frozen=True, slots=True)
class AlertState:
    """Active alerts (one per parameter) and the run of normal readings since the last alert.

    Args:
        active: the active alerts in parameter order; empty when none.
        normal_in_a_row: readings in a row with every parameter below caution, counted while an
            alert is active.
        readings_to_clear: how many such readings clear the alerts (2 under mapp_v1).
    """

    active: tuple[ActiveAlert, ...] = ()
    normal_in_a_row: int = 0
    readings_to_clear: int = 2

    @property
    def level(self) -> AlertLevel | None:
        """The highest active level, or None when no alert is active."""
        if not self.active:
            return None
        return max((a.level for a in self.active), key=lambda level: level.rank)

    def after_reading(self, t: datetime, alerts: tuple[VitalAlert, ...]) -> AlertState:
        """The state after a reading taken at `t` whose classification is `alerts`."""
        if not alerts:
            if not self.active:
                return self
            in_a_row = self.normal_in_a_row + 1
            if in_a_row >= self.readings_to_clear:
                return replace(self, active=(), normal_in_a_row=0)
            return replace(self, normal_in_a_row=in_a_row)
        merged = {a.parameter: a for a in self.active}
        for alert in alerts:
            previous = merged.get(alert.parameter)
            if previous is None:
                merged[alert.parameter] = ActiveAlert(alert.parameter, alert.level, t)
            elif alert.level.rank > previous.level.rank:
                # Escalation keeps the start of the episode: the alert began earlier.
                merged[alert.parameter] = replace(previous, level=alert.level)
        ordered = tuple(merged[p] for p in Parameter if p in merged)
        return replace(self, active=ordered, normal_in_a_row=0)

    def acknowledged(self) -> AlertState:
        """The state after a physician acknowledges: every active alert is cleared."""
        return replace(self, active=(), normal_in_a_row=0)
