"""The values of a protocol a site may set for itself, and the ranges it may set them in.

A protocol value whose source is a site default (no published value: chosen for safety) may be
overridden by a site, within the range the protocol declares for it; a published value never may.
Each `SiteSetting` names its value by a dotted key into the protocol (``dosing.`` is implied:
``thresholds.caution.heart_rate``), its unit and its allowed range with the range's own source.
`value_of` reads a value, `with_values` builds a copy of a protocol with values replaced
(`dataclasses.replace` down the key's path), so the rules receive the site's values exactly as
they receive the protocol's. Durations are set in minutes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source

if TYPE_CHECKING:
    from mdma_at.protocols.base import Protocol


class Unit(StrEnum):
    MMHG = "mmHg"
    PER_MINUTE = "/min"
    CELSIUS = "°C"
    PERCENT = "%"
    MINUTES = "min"
    READINGS = "readings"
    MMHG_OR_PER_MINUTE = "mmHg or /min"


@dataclass(frozen=True, slots=True)
class AllowedRange:
    """The values a site may choose, both ends allowed, and why the range is what it is."""

    low: float
    high: float
    source: Source

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def describe(self, unit: Unit) -> str:
        return f"{self.low:g}–{self.high:g} {unit}"


@dataclass(frozen=True, slots=True)
class SiteSetting:
    """One overridable value: its key, what the clinic calls it, its unit and allowed range."""

    key: str
    label: str
    unit: Unit
    allowed: AllowedRange

    @property
    def path(self) -> tuple[str, ...]:
        return ("dosing", *self.key.split("."))

    @property
    def whole(self) -> bool:
        """Counts of readings are whole numbers."""
        return self.unit is Unit.READINGS


def _step(node: Any, name: str) -> Any:
    """One step down a key: a dataclass field, or a mapping entry by its (enum) name."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if str(key) == name:
                return value
        raise KeyError(name)
    if is_dataclass(node) and name in {f.name for f in fields(node)}:
        return getattr(node, name)
    raise KeyError(name)


def _leaf_field(node: Any) -> str | None:
    """Where the number sits in a node the key ends at: a threshold's limit, a sourced value."""
    if is_dataclass(node):
        names = {f.name for f in fields(node)}
        for name in ("limit", "value"):
            if name in names:
                return name
    return None


def _walk(protocol: Protocol, setting: SiteSetting) -> tuple[list[Any], tuple[str, ...]]:
    """The nodes from the protocol down to the value, and the full path to it (the key's, and
    the limit or value field where the key ends at a threshold or a sourced value).

    Raises `KeyError` if the key leads nowhere.
    """
    nodes: list[Any] = [protocol]
    for name in setting.path:
        nodes.append(_step(nodes[-1], name))
    path = setting.path
    leaf = _leaf_field(nodes[-1])
    if leaf is not None:
        nodes.append(getattr(nodes[-1], leaf))
        path = (*path, leaf)
    return nodes, path


def _number(raw: Any, setting: SiteSetting) -> float:
    if isinstance(raw, timedelta):
        return raw.total_seconds() / 60
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise KeyError(setting.key)
    return float(raw)


def value_of(protocol: Protocol, setting: SiteSetting) -> float:
    """The value `protocol` holds for `setting`, in the setting's unit."""
    return _number(_walk(protocol, setting)[0][-1], setting)


def source_of(protocol: Protocol, setting: SiteSetting) -> Source:
    """The source of the value: the nearest node on the key's path that carries one."""
    return _source_at(protocol, setting)[1]


def _source_at(protocol: Protocol, setting: SiteSetting) -> tuple[tuple[str, ...], Source]:
    """Where the value's source sits (its path) and the source."""
    nodes, path = _walk(protocol, setting)
    for depth in range(len(nodes) - 1, -1, -1):
        source = getattr(nodes[depth], "source", None)
        if isinstance(source, Source):
            return (*path[:depth], "source"), source
    raise KeyError(setting.key)


def _replaced(node: Any, path: tuple[str, ...], value: Any) -> Any:
    if not path:
        return value
    name, rest = path[0], path[1:]
    if isinstance(node, Mapping):
        return {k: (_replaced(v, rest, value) if str(k) == name else v) for k, v in node.items()}
    return replace(node, **{name: _replaced(getattr(node, name), rest, value)})


def with_values(
    protocol: Protocol, values: Mapping[str, float], notes: Mapping[str, str] | None = None
) -> Protocol:
    """A copy of `protocol` with each key's value replaced (keys of `protocol.site_settings`).

    The value's source becomes a site default that says who set it and why (`notes[key]`),
    followed by the protocol's own source, so a decision never cites the protocol's number for
    the site's.

    Raises:
        InvalidInput: an unknown key, a value outside its allowed range or not whole where it
            must be, or values that contradict each other (a caution limit beyond its critical
            one): named by the key.
    """
    settings = {s.key: s for s in protocol.site_settings}
    changed = protocol
    for key, value in values.items():
        setting = settings.get(key)
        if setting is None:
            raise InvalidInput("key", f"{key!r} is not a value this protocol lets a site set")
        refusal = refused_value(setting, value)
        if refusal is not None:
            raise InvalidInput(key, refusal)
        nodes, path = _walk(changed, setting)
        current = nodes[-1]
        raw: Any = float(value)
        if isinstance(current, timedelta):
            raw = timedelta(minutes=value)
        elif isinstance(current, int) and not isinstance(current, bool):
            raw = int(value)
        source_path, source = _source_at(changed, setting)
        note = (notes or {}).get(key, "set by the site")
        site_source = Source(
            f"{setting.label}: {value:g} {setting.unit} ({note}); "
            f"the protocol's: {source.citation}",
            site_default=True,
        )
        try:
            changed = _replaced(_replaced(changed, path, raw), source_path, site_source)
        except ValueError as contradiction:  # a value object's own invariant, e.g. thresholds
            raise InvalidInput(key, str(contradiction)) from None
    return changed


def refused_value(setting: SiteSetting, value: float) -> str | None:
    """Why `value` cannot be set for `setting`, or None."""
    if not math.isfinite(value):
        return "must be a finite number"
    if setting.whole and value != int(value):
        return f"{value:g} must be a whole number of {setting.unit}"
    if value not in setting.allowed:
        return (
            f"{value:g} is outside the allowed range {setting.allowed.describe(setting.unit)} "
            f"({setting.allowed.source})"
        )
    return None
