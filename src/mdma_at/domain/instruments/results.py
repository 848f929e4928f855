"""What scoring returns: a `Score` with its reasons, and the alerts it raises.

`Score.to_dict()` is exactly the JSON contract of `mdma-at score --json` (DESIGN.md §5):
``instrument, total, severity, diagnosis, provisional, above_cutoff, prorated, missing_items,
clusters, alerts``. `reasons` explain the decision to people and services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mdma_at.domain.sources import Source
from mdma_at.domain.vocabulary import AlertLevel


@dataclass(frozen=True, slots=True)
class Alert:
    """A safety signal raised by an answer; the physician acknowledges it with an action taken.

    Args:
        code: stable identifier (``phq9_item9_positive``, ``cssrs_high_risk``).
        level: caution or critical.
        reason: the clinic's words, naming the answer that raised it.
        source: the rule applied.
        item: the item number that raised it, or None when it comes from a pattern of answers.
    """

    code: str
    level: AlertLevel
    reason: str
    source: Source
    item: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": str(self.level),
            "reason": self.reason,
            "item": self.item,
            "source": str(self.source),
        }


@dataclass(frozen=True, slots=True)
class ClusterScore:
    """One DSM-5 cluster: its subtotal and how many of its symptoms are present.

    `met` is None when missing items leave it undecided.
    """

    code: str
    name: str
    total: int | None
    present: int
    required: int
    missing: int
    met: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "present": self.present,
            "required": self.required,
            "missing": self.missing,
            "met": self.met,
        }


@dataclass(frozen=True, slots=True)
class Score:
    """The scored administration of one instrument.

    Args:
        instrument: the instrument code (``pcl5``).
        total: the total (prorated when the missing-item rule allows), or None.
        severity: the band or risk level, or None (no bands, or no total).
        diagnosis: True/False, or None when it cannot be determined or the instrument makes none.
        above_cutoff: ``total >= cut-off``; None without a cut-off or without a total.
        clusters: DSM-5 clusters by code (empty when none).
        alerts: safety alerts raised.
        reasons: why each field has its value, in the clinic's words.
        answers: the validated answers (None = missing).
        missing_items: item numbers left unanswered, 1-based as printed on the form.
        prorated: True when the total was prorated over missing items.
        provisional: True when `diagnosis` comes from a self-report screen (PCL-5): a
            provisional diagnosis, never a diagnosis.
    """

    instrument: str
    total: int | None
    severity: str | None
    diagnosis: bool | None
    above_cutoff: bool | None
    clusters: Mapping[str, ClusterScore] = field(default_factory=dict)
    alerts: tuple[Alert, ...] = ()
    reasons: tuple[str, ...] = ()
    answers: tuple[int | None, ...] = ()
    missing_items: tuple[int, ...] = ()
    prorated: bool = False
    provisional: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Exactly the keys of the `mdma-at score --json` contract."""
        return {
            "instrument": self.instrument,
            "total": self.total,
            "severity": self.severity,
            "diagnosis": self.diagnosis,
            "provisional": self.provisional,
            "above_cutoff": self.above_cutoff,
            "prorated": self.prorated,
            "missing_items": list(self.missing_items),
            "clusters": {code: cluster.to_dict() for code, cluster in self.clusters.items()},
            "alerts": [alert.to_dict() for alert in self.alerts],
        }
