"""The dosing session: pre-dose gate, initial and supplemental doses, discharge.

`session.apply(state, event, rules)` is the engine; the live console calls it on each entry and
`replay.replay` folds it over a timeline. Every answer is a `Decision` with reasons.
"""

from mdma_at.domain.dosing.amounts import validate_mg
from mdma_at.domain.dosing.decisions import Action, Decision, Liftable, Reason
from mdma_at.domain.dosing.rules import DosingRules
from mdma_at.domain.dosing.session import Outputs, SessionState, apply, evaluate, start

__all__ = [
    "Action",
    "Decision",
    "DosingRules",
    "Liftable",
    "Outputs",
    "Reason",
    "SessionState",
    "apply",
    "evaluate",
    "start",
    "validate_mg",
]
