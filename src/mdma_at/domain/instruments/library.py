"""A protocol's instruments: definitions, the due-at-visit table and the change rules."""

from __future__ import annotations

from dataclasses import dataclass

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments.change import ChangeRule
from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.due import DueRule


@dataclass(frozen=True, slots=True)
class InstrumentLibrary:
    """Everything a protocol says about instruments, as data."""

    definitions: tuple[InstrumentDefinition, ...]
    due_rules: tuple[DueRule, ...]
    change_rules: tuple[ChangeRule, ...]

    def __post_init__(self) -> None:
        codes = [d.code for d in self.definitions]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate instrument codes")
        ruled = [r.instrument for r in self.due_rules] + [r.instrument for r in self.change_rules]
        for instrument in ruled:
            if instrument not in codes:
                raise ValueError(f"rule for unknown instrument {instrument}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(str(d.code) for d in self.definitions)

    def get(self, code: str) -> InstrumentDefinition:
        """The instrument called `code` (``pcl5``, ``phq9``, ``gad7``, ``cssrs-screen``, ``caps5``).

        Raises:
            InvalidInput: ``instrument``, naming the unknown code and the known ones.
        """
        for definition in self.definitions:
            if definition.code == code:
                return definition
        raise InvalidInput(
            "instrument", f"unknown instrument {code!r} (known: {', '.join(self.codes)})"
        )

    def change_rule(self, code: str) -> ChangeRule:
        """The change thresholds of `code`.

        Raises:
            InvalidInput: ``instrument``, when the protocol defines no change rule for it.
        """
        for rule in self.change_rules:
            if rule.instrument == code:
                return rule
        raise InvalidInput("instrument", f"no change categories are defined for {code!r}")
