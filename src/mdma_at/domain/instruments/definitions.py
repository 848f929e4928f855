"""What an instrument is, as data: items, answer ranges, clusters, bands, cut-offs, codes, sources.

The protocol (`mdma_at.protocols.mapp_v1.instruments`) fills these in; the scoring functions in
this package read them and never hard-code a number of their own. A site changes a cut-off by
building a new definition (`with_cutoff`), which refuses values outside the published range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source
from mdma_at.domain.vocabulary import AlertLevel


class InstrumentCode(StrEnum):
    """The instruments mdma-at scores; the values are the names used on the command line."""

    PCL5 = "pcl5"
    PHQ9 = "phq9"
    GAD7 = "gad7"
    CSSRS_SCREEN = "cssrs-screen"
    CAPS5 = "caps5"


class AnswerKind(StrEnum):
    """How an item is answered."""

    ORDINAL = "ordinal"  # an integer rating between the item's minimum and maximum
    YES_NO = "yes_no"  # 1 = yes, 0 = no


class ScoringMethod(StrEnum):
    """Which pure scoring function reads the definition."""

    SUM = "sum"  # total = sum of item ratings (PCL-5, PHQ-9, GAD-7, CAPS-5)
    CSSRS_SCREEN = "cssrs_screen"  # risk level from the pattern of yes answers


class DiagnosisRule(StrEnum):
    """How `diagnosis` is decided."""

    NONE = "none"  # the instrument makes no diagnosis: diagnosis is null
    DSM5_PROVISIONAL = "dsm5_provisional"  # clusters only (PCL-5 provisional diagnosis)
    DSM5_WITH_F_AND_G = "dsm5_with_f_and_g"  # clusters plus criteria F and G (CAPS-5)


class Administration(StrEnum):
    """Who fills the instrument in."""

    SELF_REPORT = "self_report"  # the patient, e.g. through a self-report link
    CLINICIAN = "clinician"  # staff enter ratings; licensed instruments ship no item text


@dataclass(frozen=True, slots=True)
class ItemDefinition:
    """One item of an instrument.

    Args:
        number: position on the form, 1-based; errors name items by this number (``items[9]``).
        label: the form's own label (``"9"``, or ``"6b"`` on the C-SSRS screener).
        text: the item text where it may ship; None for licensed instruments.
        minimum / maximum: the allowed ratings, both inclusive.
        loinc: the item's LOINC code, or None where it could not be verified.
    """

    number: int
    label: str
    text: str | None
    minimum: int
    maximum: int
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class ClusterDefinition:
    """A DSM-5 symptom cluster: its items and how many present symptoms it needs.

    Args:
        code: ``B``, ``C``, ``D`` or ``E``.
        name: the clinic's name for it.
        items: item numbers in the cluster.
        required_present: symptoms that must be present (``>=``) for the cluster to be met.
    """

    code: str
    name: str
    items: tuple[int, ...]
    required_present: int


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band of the total, both ends inclusive (``low <= total <= high``)."""

    label: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A screening cut-off: ``total >= value`` is above the cut-off.

    Args:
        value: the cut-off in use.
        lowest / highest: the published range a site may choose from (inclusive).
        source: where the value and range come from.
    """

    value: int
    lowest: int
    highest: int
    source: Source


@dataclass(frozen=True, slots=True)
class MissingItemRule:
    """What an unanswered item does to the total. Never a silent zero.

    A total is prorated (mean of the answered items times the number of items, rounded half up)
    only when at most `max_missing` items are missing; otherwise the total is null. With
    `max_missing` 0 a total needs every item.

    Args:
        max_missing: how many items may be missing for a prorated total (``<=``).
        description: the rule in the clinic's words, shown in docs and reasons.
        source: where the rule comes from.
    """

    max_missing: int
    description: str
    source: Source


@dataclass(frozen=True, slots=True)
class ItemAlertRule:
    """An answer that raises an alert: item `item` rated ``> above``.

    Args:
        item: the item number.
        above: the alert fires when the rating is strictly greater than this.
        code / level / reason: what the alert says.
        alert_when_missing: also raise an alert (``<code>_missing``) when the item is unanswered,
            because a blank safety item is not a reassuring answer.
    """

    item: int
    above: int
    code: str
    level: AlertLevel
    reason: str
    source: Source
    alert_when_missing: bool = False


@dataclass(frozen=True, slots=True)
class InstrumentDefinition:
    """A validated instrument, as data.

    Args:
        code: the instrument's code (and command-line name).
        name: its full name.
        version: the version of the form the items come from.
        administration: self-report or clinician-entered.
        answer_kind: ordinal ratings or yes/no answers.
        scoring: which scoring function reads it.
        items: every item, in form order.
        clusters: DSM-5 clusters (empty when none).
        symptom_present_at: an item counts as a present symptom at ``rating >= this``.
        diagnosis_rule: how `diagnosis` is decided.
        bands: severity bands of the total (empty when the instrument has none).
        cutoff: screening cut-off, or None.
        missing: the missing-item rule.
        alert_rules: answers that raise alerts.
        panel_loinc / total_loinc: LOINC codes of the form and of the total, None if unverified.
        source: the instrument's reference.
        licence: what may ship (why item text is or is not included).
        stem: the question stem shown above the items, where item text ships.
        options: answer labels for ratings minimum..maximum, where they ship.
        option_loinc: LOINC answer codes of `options`, where verified.
    """

    code: InstrumentCode
    name: str
    version: str
    administration: Administration
    answer_kind: AnswerKind
    scoring: ScoringMethod
    items: tuple[ItemDefinition, ...]
    missing: MissingItemRule
    source: Source
    licence: str
    clusters: tuple[ClusterDefinition, ...] = ()
    symptom_present_at: int | None = None
    diagnosis_rule: DiagnosisRule = DiagnosisRule.NONE
    bands: tuple[Band, ...] = ()
    bands_source: Source | None = None
    cutoff: Cutoff | None = None
    alert_rules: tuple[ItemAlertRule, ...] = ()
    panel_loinc: str | None = None
    total_loinc: str | None = None
    stem: str | None = None
    options: tuple[str, ...] = ()
    option_loinc: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.code}: items must be numbered 1..n in form order")
        for cluster in self.clusters:
            unknown = [n for n in cluster.items if n not in numbers]
            if unknown:
                raise ValueError(
                    f"{self.code}: cluster {cluster.code} names unknown items {unknown}"
                )
        previous_high: int | None = None
        for band in self.bands:
            if band.low > band.high:
                raise ValueError(f"{self.code}: band {band.label} is empty")
            if previous_high is not None and band.low != previous_high + 1:
                raise ValueError(
                    f"{self.code}: band {band.label} must start after the previous one"
                )
            previous_high = band.high
        if self.cutoff is not None and not (
            self.cutoff.lowest <= self.cutoff.value <= self.cutoff.highest
        ):
            raise ValueError(f"{self.code}: cut-off {self.cutoff.value} outside its range")

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def max_total(self) -> int:
        return sum(item.maximum for item in self.items)

    def item(self, number: int) -> ItemDefinition:
        """The item numbered `number` (1-based)."""
        return self.items[number - 1]

    def band_for(self, total: int) -> Band | None:
        """The severity band holding `total` (``low <= total <= high``), None when no bands."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None


def with_cutoff(definition: InstrumentDefinition, value: int) -> InstrumentDefinition:
    """The same instrument with another cut-off, inside the published range only.

    Raises:
        InvalidInput: the instrument has no cut-off, or `value` is outside its published range.
    """
    cutoff = definition.cutoff
    if cutoff is None:
        raise InvalidInput("cutoff", f"{definition.name} has no cut-off to change")
    if not cutoff.lowest <= value <= cutoff.highest:
        raise InvalidInput(
            "cutoff",
            f"{value} is outside {cutoff.lowest}–{cutoff.highest}, the published range for "
            f"{definition.name}",
        )
    return replace(definition, cutoff=replace(cutoff, value=value))
