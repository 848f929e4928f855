"""Validated instruments as data, scoring as pure functions, change categories, due and overdue.

Entry points for services, forms and the command line:

- `score(definition, answers, criterion_f=None, criterion_g=None) -> Score`
  (`Score.to_dict()` is the `mdma-at score --json` contract);
- `parse_answers(definition, texts)` for answers typed as text;
- `classify_change(before, after, rule) -> ChangeAssessment`;
- `caps5_item_severity(frequency, intensity)`;
- `due_and_overdue(rules, visits, administrations, today) -> DueReport`;
- `item_answers(definition, score)`: the answers item by item with their LOINC codes, to store.

Definitions come from the protocol: `get_protocol("mapp_v1").instruments.get("phq9")`.
"""

from mdma_at.domain.instruments.answers import parse_answers, validate_answers
from mdma_at.domain.instruments.caps5 import caps5_item_severity
from mdma_at.domain.instruments.change import (
    ChangeAssessment,
    ChangeCategory,
    ChangeRule,
    classify_change,
)
from mdma_at.domain.instruments.definitions import InstrumentCode, InstrumentDefinition
from mdma_at.domain.instruments.due import (
    CompletedAdministration,
    DueItem,
    DueReport,
    DueRule,
    DueStatus,
    DueTiming,
    VisitSlot,
    due_and_overdue,
)
from mdma_at.domain.instruments.library import InstrumentLibrary
from mdma_at.domain.instruments.records import ItemAnswer, item_answers
from mdma_at.domain.instruments.results import Alert, ClusterScore, Score
from mdma_at.domain.instruments.scoring import score

__all__ = [
    "Alert",
    "ChangeAssessment",
    "ChangeCategory",
    "ChangeRule",
    "ClusterScore",
    "CompletedAdministration",
    "DueItem",
    "DueReport",
    "DueRule",
    "DueStatus",
    "DueTiming",
    "InstrumentCode",
    "InstrumentDefinition",
    "InstrumentLibrary",
    "ItemAnswer",
    "Score",
    "VisitSlot",
    "caps5_item_severity",
    "classify_change",
    "due_and_overdue",
    "item_answers",
    "parse_answers",
    "score",
    "validate_answers",
]
