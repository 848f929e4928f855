"""The protocol checked before it is used, as an EDC checks its visit schedule at start-up.

`check_protocol` lists what is wrong with a protocol (or a site's copy of it): a rule that refers
to a value the protocol does not hold, a site setting that is not a site default or whose allowed
range leaves out its own default, limits that contradict each other. `require_valid` raises on
the first list that is not empty; the composition root calls it for every protocol when the app
or the command line starts, and the site-settings service calls `check_protocol` on a site's copy
before storing a change, so no combination of site values can contradict the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from mdma_at.domain.errors import MdmaAtError
from mdma_at.domain.vitals.classification import Threshold
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.protocols.base import Protocol
from mdma_at.protocols.settings import source_of, value_of


@dataclass(frozen=True, slots=True)
class ProtocolProblem:
    """What is wrong, named by the protocol value it is about (a site-setting key where one is)."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class BrokenProtocol(MdmaAtError):
    """A protocol definition failed its start-up check: a defect of the protocol data."""

    def __init__(self, name: str, problems: Iterable[ProtocolProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"protocol {name} is broken: {listed}")


def check_protocol(protocol: Protocol) -> tuple[ProtocolProblem, ...]:
    """Every problem of `protocol`, in a stable order (empty when it is sound)."""
    return (
        *_settings(protocol),
        *_references(protocol),
        *_dose_rules(protocol),
        *_thresholds(protocol),
        *_blood_pressure(protocol),
        *_schedule(protocol),
    )


def require_valid(protocols: Iterable[Protocol]) -> None:
    """Raise `BrokenProtocol` for the first protocol with a problem."""
    for protocol in protocols:
        problems = check_protocol(protocol)
        if problems:
            raise BrokenProtocol(protocol.name, problems)


def _settings(protocol: Protocol) -> Iterable[ProtocolProblem]:
    seen: set[str] = set()
    for setting in protocol.site_settings:
        key = setting.key
        if key in seen:
            yield ProtocolProblem(key, "declared twice")
        seen.add(key)
        try:
            value = value_of(protocol, setting)
            source = source_of(protocol, setting)
        except KeyError:
            yield ProtocolProblem(key, "refers to no number the protocol holds")
            continue
        if not source.site_default:
            yield ProtocolProblem(key, f"is published ({source}); only site defaults may be set")
        allowed = setting.allowed
        if allowed.low > allowed.high:
            yield ProtocolProblem(key, f"allowed range {allowed.low:g}–{allowed.high:g} is empty")
        elif value not in allowed:
            yield ProtocolProblem(
                key,
                f"the protocol's value {value:g} is outside its allowed range "
                f"{allowed.describe(setting.unit)}",
            )
        if not allowed.source.citation.strip():
            yield ProtocolProblem(key, "the allowed range has no source")


def _references(protocol: Protocol) -> Iterable[ProtocolProblem]:
    """Rules that name another part of the protocol name something it holds."""
    codes = {visit.code for visit in protocol.schedule.visits}
    for rule in protocol.instruments.due_rules:
        for code in sorted(rule.visit_codes - codes):
            yield ProtocolProblem(
                f"instruments.due.{rule.instrument}", f"refers to visit {code!r}, not in schedule"
            )
    numbers = {v.dosing_number for v in protocol.schedule.dosing_sessions()}
    doses = set(protocol.dosing.initial_mg)
    for number in sorted(n for n in numbers - doses if n is not None):
        yield ProtocolProblem("dosing.initial_mg", f"no initial dose for dosing session {number}")
    for number in sorted(doses - numbers):
        yield ProtocolProblem("dosing.initial_mg", f"session {number} is not in the schedule")


def _dose_rules(protocol: Protocol) -> Iterable[ProtocolProblem]:
    rules = protocol.dosing
    cap = rules.session_cap_mg.value
    for number, doses in sorted(rules.initial_mg.items()):
        if not doses:
            yield ProtocolProblem("dosing.initial_mg", f"session {number} has no dose")
        for mg in doses:
            if not 0 < mg <= cap:
                yield ProtocolProblem("dosing.initial_mg", f"{mg:g} mg is not within 0–{cap:g}")
    supplemental = rules.supplemental
    if supplemental.window_start.value >= supplemental.window_end.value:
        yield ProtocolProblem("supplemental.window_start", "must be before window_end")
    if not 0 < supplemental.max_fraction_of_initial.value <= 1:
        yield ProtocolProblem("supplemental.max_fraction_of_initial", "must be in (0, 1]")


def _thresholds(protocol: Protocol) -> Iterable[ProtocolProblem]:
    """A critical limit lies strictly beyond its caution limit, so each level means more."""
    th = protocol.dosing.thresholds
    pairs: tuple[tuple[str, Mapping[Parameter, Threshold], Mapping[Parameter, Threshold], int], ...]
    pairs = (
        ("critical", th.caution, th.critical, 1),
        ("low_critical", th.low_caution, th.low_critical, -1),
    )
    for side, caution, critical, sign in pairs:
        for parameter, limit in critical.items():
            if parameter not in caution:
                yield ProtocolProblem(f"thresholds.{side}.{parameter}", "has no caution limit")
            elif sign * (limit.limit - caution[parameter].limit) <= 0:
                beyond = "above" if sign > 0 else "below"
                yield ProtocolProblem(
                    f"thresholds.{side}.{parameter}",
                    f"{limit.limit:g} must be {beyond} the caution limit "
                    f"{caution[parameter].limit:g}",
                )


def _blood_pressure(protocol: Protocol) -> Iterable[ProtocolProblem]:
    gate = protocol.dosing.pre_dose.bp_gate
    for part in ("systolic", "diastolic"):
        approval = getattr(gate, f"approval_{part}")
        refuse = getattr(gate, f"refuse_{part}")
        if approval >= refuse:
            yield ProtocolProblem(
                f"pre_dose.bp_gate.refuse_{part}",
                f"{refuse:g} must be above the approval tier {approval:g}",
            )


def _schedule(protocol: Protocol) -> Iterable[ProtocolProblem]:
    """A reading is due sooner the more there is to watch: critical ≤ caution ≤ routine ≤ late."""
    schedule = protocol.dosing.schedule
    order = (
        ("critical", schedule.critical),
        ("caution", schedule.caution),
        ("routine", schedule.routine),
        ("late", schedule.late),
    )
    for (shorter, first), (longer, second) in pairwise(order):
        if first > second:
            yield ProtocolProblem(
                f"schedule.{shorter}",
                f"every {first.total_seconds() / 60:g} min must not be longer than the "
                f"{longer} interval ({second.total_seconds() / 60:g} min)",
            )
