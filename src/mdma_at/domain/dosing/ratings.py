"""Validation of the session's non-vital entries: distress (SUDS), the C-SSRS screener and the
medications changed since the last session. Bad input raises `InvalidInput` naming the field
and the rule; the console and the replay call the same functions."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from mdma_at.domain.dosing.rules import DistressScale
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vocabulary import CssrsRisk, MedicationUse


def validate_suds(value: object, scale: DistressScale, field: str = "value") -> float:
    """A distress rating on the protocol's scale (mapp_v1: SUDS 0–100, both ends allowed)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(field, f"{value!r} is not a {scale.name} rating")
    if not scale.low <= value <= scale.high:
        raise InvalidInput(
            field, f"{value:g} is outside the {scale.name} scale {scale.low:g}–{scale.high:g}"
        )
    return float(value)


def validate_cssrs(value: object, field: str = "risk") -> CssrsRisk:
    """A C-SSRS risk level: none, low, moderate or high."""
    allowed = [r.value for r in CssrsRisk]
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(field, f"{value!r} is not a C-SSRS risk ({', '.join(allowed)})")
    return CssrsRisk(value)


def validate_medications(
    value: object, field: str = "medications_changed", today: date | None = None
) -> tuple[MedicationUse, ...]:
    """The medications started or changed since the last session: a list of ``{"name",
    "last_dose"}`` (an ISO date). A name is required; when recording live (`today` given, from
    the clock port), a last dose after today is bad input. The replay passes no `today`: it
    evaluates hypothetical sessions too."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(field, "must be a list of {name, last_dose}")
    out: list[MedicationUse] = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise InvalidInput(where, "must be an object {name, last_dose}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}.name", "is required (the medication's name)")
        raw = item.get("last_dose")
        try:
            last_dose = date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            last_dose = None
        if last_dose is None:
            raise InvalidInput(f"{where}.last_dose", f"{raw!r} is not an ISO date (YYYY-MM-DD)")
        if today is not None and last_dose > today:
            raise InvalidInput(
                f"{where}.last_dose",
                f"{last_dose.isoformat()} is in the future (today {today.isoformat()})",
            )
        out.append(MedicationUse(name.strip(), last_dose))
    return tuple(out)
