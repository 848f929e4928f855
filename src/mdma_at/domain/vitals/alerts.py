"""The alert state of a session: which vital-sign alerts are active, when they clear, and
whether the physician is still being paged.

Acknowledging is not resolving (issue 9, item 1): an alert stays active for every gate until two
consecutive readings have every parameter inside both caution limits. A physician's
acknowledgement records that the alerts were seen and stops the paging until a new critical
reading. A new reading in range raises or escalates the alert for its parameter and restarts the
count of normal readings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from mdma_at.domain.vitals.classification import Direction, VitalAlert
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vocabulary import AlertLevel


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """An alert that has not cleared: its parameter, its side, its highest level so far and when
    it began."""

    parameter: Parameter
    level: AlertLevel
    since: datetime
    direction: Direction = Direction.HIGH


@dataclass(frozen=True, slots=True)
class AlertState:
    """Active alerts (one per parameter and side) and the run of normal readings since the last
    alert.

    Args:
        readings_to_clear: how many readings in a row inside both caution limits clear the
            alerts: the protocol's value (`DosingRules.readings_to_clear`), never a default here.
        active: the active alerts in parameter order; empty when none.
        normal_in_a_row: readings in a row with every parameter inside both caution limits,
            counted while an alert is active.
        acknowledged_at: when a physician last acknowledged the active alerts (None when not
            since the last critical reading): the paging has stopped, the alerts have not.
    """

    readings_to_clear: int
    active: tuple[ActiveAlert, ...] = ()
    normal_in_a_row: int = 0
    acknowledged_at: datetime | None = None

    @property
    def level(self) -> AlertLevel | None:
        """The highest active level, or None when no alert is active."""
        if not self.active:
            return None
        return max((a.level for a in self.active), key=lambda level: level.rank)

    @property
    def paging(self) -> bool:
        """True while a critical alert is active and no physician has acknowledged it since the
        last critical reading."""
        return self.level is AlertLevel.CRITICAL and self.acknowledged_at is None

    def critical(self) -> tuple[ActiveAlert, ...]:
        return tuple(a for a in self.active if a.level is AlertLevel.CRITICAL)

    def caution(self) -> tuple[ActiveAlert, ...]:
        return tuple(a for a in self.active if a.level is AlertLevel.CAUTION)

    def after_reading(
        self,
        t: datetime,
        alerts: tuple[VitalAlert, ...],
        measured: Iterable[Parameter] = tuple(Parameter),
    ) -> AlertState:
        """The state after a reading taken at `t` whose classification is `alerts`.

        Args:
            measured: the parameters the reading measured. A reading without alerts counts
                towards clearing only if it measured every parameter that has an active alert
                (a missing temperature proves nothing about a temperature alert); otherwise the
                run of normal readings restarts, since the readings must be consecutive.
        """
        if not alerts:
            if not self.active:
                return self
            if not {a.parameter for a in self.active} <= set(measured):
                return replace(self, normal_in_a_row=0)
            in_a_row = self.normal_in_a_row + 1
            if in_a_row >= self.readings_to_clear:
                return replace(self, active=(), normal_in_a_row=0, acknowledged_at=None)
            return replace(self, normal_in_a_row=in_a_row)
        merged = {(a.parameter, a.direction): a for a in self.active}
        for alert in alerts:
            key = (alert.parameter, alert.direction)
            previous = merged.get(key)
            if previous is None:
                merged[key] = ActiveAlert(alert.parameter, alert.level, t, alert.direction)
            elif alert.level.rank > previous.level.rank:
                # Escalation keeps the start of the episode: the alert began earlier.
                merged[key] = replace(previous, level=alert.level)
        ordered = tuple(merged[(p, d)] for p in Parameter for d in Direction if (p, d) in merged)
        # A new critical reading pages again, whatever was acknowledged before it.
        new_critical = any(a.level is AlertLevel.CRITICAL for a in alerts)
        acknowledged = None if new_critical else self.acknowledged_at
        return replace(self, active=ordered, normal_in_a_row=0, acknowledged_at=acknowledged)

    def acknowledged(self, t: datetime) -> AlertState:
        """The state after a physician acknowledges at `t`: the alerts stay active; the paging
        stops until a new critical reading."""
        if not self.active:
            return self
        return replace(self, acknowledged_at=t)
