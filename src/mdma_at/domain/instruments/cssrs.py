"""The C-SSRS screener: risk level from the pattern of yes answers (no item text ships).

Answers in form order: items 1–6 and 6b ("within the past 3 months"). Rule (issue 4; the
Columbia Lighthouse Project screener triage [S88]):

- ``high``: yes to item 4 or 5, or to 6 with 6b;
- ``moderate``: yes to item 3, or to 6 without 6b;
- ``low``: yes to item 1 or 2 only;
- ``none``: no yes at all.

Skip logic of the screener: items 3–5 are asked only after a yes to item 2, and 6b only after a
yes to item 6; a blank there is "not asked", read as no. Any other blank is missing: the risk is
then the range between reading every blank as no and as yes; when the two differ the level is
None (undetermined) and an alert asks to complete the screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from mdma_at.domain.instruments.definitions import InstrumentDefinition
from mdma_at.domain.instruments.results import Alert, Score
from mdma_at.domain.sources import Source
from mdma_at.domain.vocabulary import AlertLevel, CssrsRisk

CSSRS_RULE = Source(
    "Triage of the C-SSRS screener (Columbia Lighthouse Project screener [S88]): high = "
    "yes to 4 or 5, or 6 with 6b; moderate = yes to 3, or 6 without 6b; low = yes to 1 or 2 only"
)
CSSRS_INCOMPLETE = Source(
    "An incomplete suicide-risk screen is never read as 'none': chosen for safety", True
)


LABELS = ("1", "2", "3", "4", "5", "6", "6b")


def _risk(yes: dict[str, bool]) -> tuple[CssrsRisk, str]:
    if yes["4"] or yes["5"]:
        which = " and ".join(f"item {k}" for k in ("4", "5") if yes[k])
        return CssrsRisk.HIGH, f"yes to {which}"
    if yes["6"] and yes["6b"]:
        return CssrsRisk.HIGH, "yes to item 6 with 6b (within the past 3 months)"
    if yes["3"]:
        return CssrsRisk.MODERATE, "yes to item 3"
    if yes["6"]:
        return CssrsRisk.MODERATE, "yes to item 6 without a yes to 6b (within the past 3 months)"
    if yes["1"] or yes["2"]:
        which = " and ".join(f"item {k}" for k in ("1", "2") if yes[k])
        return CssrsRisk.LOW, f"yes to {which} only"
    return CssrsRisk.NONE, "no yes answer"


def _skipped(label: str, answers: dict[str, int | None]) -> bool:
    """A blank the screener's skip logic allows: 3–5 after no to 2, 6b after no to 6."""
    if label in ("3", "4", "5"):
        return answers["2"] == 0
    if label == "6b":
        return answers["6"] == 0
    return False


def score_cssrs_screen(definition: InstrumentDefinition, answers: Sequence[int | None]) -> Score:
    """Risk level of a C-SSRS screener from validated answers (1 = yes, 0 = no, None = blank).

    Returns:
        A score whose `severity` is ``none``/``low``/``moderate``/``high`` (None when blanks
        leave it undetermined); total, diagnosis and above_cutoff are None (the screener has
        none). Moderate raises a caution alert and high a critical alert.
    """
    by_label = {item.label: answers[item.number - 1] for item in definition.items}
    number_of = {item.label: item.number for item in definition.items}
    missing = tuple(
        number_of[label]
        for label in LABELS
        if by_label[label] is None and not _skipped(label, by_label)
    )
    as_no = {label: by_label[label] == 1 for label in LABELS}
    as_yes = {label: by_label[label] == 1 or number_of[label] in missing for label in LABELS}
    low_risk, low_why = _risk(as_no)
    high_risk, _ = _risk(as_yes)

    reasons: list[str] = []
    alerts: list[Alert] = []
    severity: str | None
    if low_risk == high_risk:
        severity = low_risk.value
        reasons.append(f"risk {severity}: {low_why}")
    else:
        severity = None
        listed = ", ".join(definition.item(n).label for n in missing)
        reasons.append(
            f"risk undetermined: item(s) {listed} unanswered; at least {low_risk.value} "
            f"({low_why}), at most {high_risk.value}"
        )
        alerts.append(
            Alert(
                "cssrs_incomplete",
                AlertLevel.CRITICAL if high_risk is CssrsRisk.HIGH else AlertLevel.CAUTION,
                f"C-SSRS screener incomplete (item(s) {listed} unanswered): risk could be "
                f"{high_risk.value}; complete the screen",
                CSSRS_INCOMPLETE,
            )
        )
    at_least = "" if severity is not None else "at least "
    if low_risk is CssrsRisk.HIGH:
        alerts.insert(
            0,
            Alert(
                "cssrs_high_risk",
                AlertLevel.CRITICAL,
                f"C-SSRS screener high risk: {low_why}",
                CSSRS_RULE,
            ),
        )
    elif low_risk is CssrsRisk.MODERATE:
        alerts.insert(
            0,
            Alert(
                "cssrs_moderate_risk",
                AlertLevel.CAUTION,
                f"C-SSRS screener {at_least}moderate risk: {low_why}",
                CSSRS_RULE,
            ),
        )
    reasons.append("no total, cut-off or diagnosis: the screener is a risk triage")
    return Score(
        instrument=str(definition.code),
        total=None,
        severity=severity,
        diagnosis=None,
        above_cutoff=None,
        alerts=tuple(alerts),
        reasons=tuple(reasons),
        answers=tuple(answers),
        missing_items=missing,
    )
