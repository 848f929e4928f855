"""Golden tables of the instrument scoring rules (docs/instruments.md), for clinical sign-off.

Each row is an input a clinician can read and the decision expected of it. Every band edge and
every cut-off is tested just below, at and just above.
"""

from __future__ import annotations

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.instruments import (
    ChangeCategory,
    InstrumentDefinition,
    Score,
    caps5_item_severity,
    classify_change,
    score,
)
from mdma_at.domain.instruments.definitions import with_cutoff
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments
PCL5, PHQ9, GAD7, CSSRS, CAPS5 = (
    LIB.get(c) for c in ("pcl5", "phq9", "gad7", "cssrs-screen", "caps5")
)


def summing_to(total: int, count: int, maximum: int, *, skip: tuple[int, ...] = ()) -> list[int]:
    """Ratings of `count` items adding up to `total`, filled from item 1, leaving `skip` at 0."""
    ratings = [0] * count
    left = total
    for i in range(count):
        if i + 1 in skip:
            continue
        ratings[i] = min(maximum, left)
        left -= ratings[i]
    assert left == 0, "total too large for these items"
    return ratings


# --- PHQ-9: bands 0–4 / 5–9 / 10–14 / 15–19 / 20–27, cut-off >= 10 -----------------------------

PHQ9_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), PHQ9_BANDS)
def test_phq9_total_falls_in_its_severity_band(total: int, severity: str) -> None:
    result = score(PHQ9, summing_to(total, 9, 3, skip=(9,) if total <= 24 else ()))
    assert (result.total, result.severity, result.diagnosis) == (total, severity, None)


@pytest.mark.parametrize(("total", "above"), [(9, False), (10, True), (11, True)])
def test_phq9_cutoff_is_ten_or_more(total: int, above: bool) -> None:
    assert score(PHQ9, summing_to(total, 9, 3, skip=(9,))).above_cutoff is above


@pytest.mark.parametrize(
    ("item9", "alert"),
    [(0, None), (1, "phq9_item9_positive"), (2, "phq9_item9_positive"), (3, "phq9_item9_positive")],
)
def test_phq9_item_9_above_zero_raises_a_critical_suicide_risk_alert(
    item9: int, alert: str | None
) -> None:
    result = score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, item9])
    codes = [a.code for a in result.alerts]
    assert codes == ([alert] if alert else [])
    if alert:
        assert result.alerts[0].level == "critical"
        assert result.alerts[0].item == 9


def test_phq9_item_9_left_blank_raises_a_caution_alert_to_ask_the_patient() -> None:
    result = score(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, None])
    assert [(a.code, a.level) for a in result.alerts] == [
        ("phq9_item9_positive_missing", "caution")
    ]


# --- GAD-7: bands 0–4 / 5–9 / 10–14 / 15–21, cut-off >= 10 -------------------------------------

GAD7_BANDS = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), GAD7_BANDS)
def test_gad7_total_falls_in_its_severity_band(total: int, severity: str) -> None:
    result = score(GAD7, summing_to(total, 7, 3))
    assert (result.total, result.severity, result.diagnosis, result.alerts) == (
        total,
        severity,
        None,
        (),
    )


@pytest.mark.parametrize(("total", "above"), [(9, False), (10, True), (11, True)])
def test_gad7_cutoff_is_ten_or_more(total: int, above: bool) -> None:
    assert score(GAD7, summing_to(total, 7, 3)).above_cutoff is above


# --- PCL-5: total 0–80, clusters, provisional diagnosis, cut-off 33 (31–33) ---------------------


@pytest.mark.parametrize(("total", "above"), [(32, False), (33, True), (34, True)])
def test_pcl5_cutoff_is_33_or_more_by_default(total: int, above: bool) -> None:
    result = score(PCL5, summing_to(total, 20, 4))
    assert (result.total, result.above_cutoff, result.severity) == (total, above, None)


@pytest.mark.parametrize(
    ("cutoff", "total", "above"),
    [
        (31, 30, False),
        (31, 31, True),
        (31, 32, True),
        (32, 31, False),
        (32, 32, True),
        (32, 33, True),
    ],
)
def test_pcl5_cutoff_can_be_set_anywhere_in_31_to_33(cutoff: int, total: int, above: bool) -> None:
    assert score(with_cutoff(PCL5, cutoff), summing_to(total, 20, 4)).above_cutoff is above


@pytest.mark.parametrize("cutoff", [30, 34, 38])
def test_pcl5_cutoff_outside_31_to_33_is_refused(cutoff: int) -> None:
    with pytest.raises(InvalidInput, match=f"cutoff: {cutoff} is outside 31–33"):
        with_cutoff(PCL5, cutoff)


# The smallest pattern meeting the DSM-5 rule: items 1 (B), 6 (C), 8 and 9 (D), 15 and 16 (E).
MINIMAL = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


def pattern(ratings: dict[int, int | None], count: int = 20) -> list[int | None]:
    return [ratings.get(n, 0) for n in range(1, count + 1)]


DIAGNOSIS_ROWS = [
    ("1 B, 1 C, 2 D, 2 E rated 2", MINIMAL, True),
    ("the B symptom rated 1 (below moderately)", {**MINIMAL, 1: 1}, False),
    ("no C symptom", {**MINIMAL, 6: 0}, False),
    ("C symptom rated 1", {**MINIMAL, 6: 1}, False),
    ("only 1 D symptom", {**MINIMAL, 9: 0}, False),
    ("second D symptom rated 1", {**MINIMAL, 9: 1}, False),
    ("only 1 E symptom", {**MINIMAL, 16: 0}, False),
    ("second E symptom rated 1", {**MINIMAL, 16: 1}, False),
    ("every symptom rated 4", dict.fromkeys(range(1, 21), 4), True),
    ("every symptom rated 1 (total 20)", dict.fromkeys(range(1, 21), 1), False),
]


@pytest.mark.parametrize(
    ("case", "ratings", "diagnosis"), DIAGNOSIS_ROWS, ids=[r[0] for r in DIAGNOSIS_ROWS]
)
def test_pcl5_provisional_diagnosis_follows_the_dsm5_rule(
    case: str, ratings: dict[int, int | None], diagnosis: bool
) -> None:
    assert score(PCL5, pattern(ratings)).diagnosis is diagnosis


def test_pcl5_cluster_subtotals_and_counts() -> None:
    result = score(PCL5, [1, 2, 3, 4, 0, 2, 1, 4, 0, 0, 0, 0, 0, 3, 1, 1, 1, 2, 0, 0])
    got = {c: (s.total, s.present, s.met) for c, s in result.clusters.items()}
    assert got == {"B": (10, 3, True), "C": (3, 1, True), "D": (7, 2, True), "E": (5, 1, False)}
    assert (result.total, result.diagnosis) == (25, False)


@pytest.mark.parametrize(
    ("case", "ratings", "diagnosis"),
    [
        ("met without the missing item", {**MINIMAL, 20: None}, True),
        ("cannot be met whatever the missing item says", {**MINIMAL, 6: 0, 20: None}, False),
        ("the missing item decides", {**MINIMAL, 16: None}, None),
    ],
)
def test_pcl5_diagnosis_with_a_missing_item_is_given_only_when_no_answer_could_change_it(
    case: str, ratings: dict[int, int | None], diagnosis: bool | None
) -> None:
    assert score(PCL5, pattern(ratings)).diagnosis is diagnosis


# --- CAPS-5: bands 0–10 / 11–22 / 23–34 / 35–46 / >= 47, diagnosis with F and G ---------------

CAPS5_BANDS = [
    (0, "asymptomatic"),
    (10, "asymptomatic"),
    (11, "mild"),
    (22, "mild"),
    (23, "moderate"),
    (34, "moderate"),
    (35, "severe"),
    (46, "severe"),
    (47, "extreme"),
    (80, "extreme"),
]


@pytest.mark.parametrize(("total", "severity"), CAPS5_BANDS)
def test_caps5_total_falls_in_its_severity_band(total: int, severity: str) -> None:
    result = score(CAPS5, summing_to(total, 20, 4))
    assert (result.total, result.severity, result.above_cutoff) == (total, severity, None)


FG_ROWS = [
    (MINIMAL, True, True, True),
    (MINIMAL, False, True, False),
    (MINIMAL, True, False, False),
    (MINIMAL, None, True, None),
    (MINIMAL, True, None, None),
    (MINIMAL, None, None, None),
    ({**MINIMAL, 6: 1}, True, True, False),
    ({**MINIMAL, 6: 1}, None, None, False),
]


@pytest.mark.parametrize(("ratings", "f", "g", "diagnosis"), FG_ROWS)
def test_caps5_diagnosis_needs_the_clusters_and_criteria_f_and_g(
    ratings: dict[int, int], f: bool | None, g: bool | None, diagnosis: bool | None
) -> None:
    result = score(CAPS5, pattern(ratings), criterion_f=f, criterion_g=g)
    assert result.diagnosis is diagnosis


@pytest.mark.parametrize(
    ("frequency", "intensity", "severity"),
    [
        (0, 0, 0),
        (2, 2, 2),
        (4, 4, 4),  # match: that is the severity
        (3, 1, 1),
        (4, 0, 0),
        (2, 1, 1),
        (1, 2, 1),
        (3, 4, 3),  # differ by < 2 or F above: lower
        (0, 2, 1),
        (1, 3, 2),
        (2, 4, 3),
        (0, 4, 1),
        (1, 4, 2),  # I >= F + 2: one above frequency
    ],
)
def test_caps5_item_severity_from_frequency_and_intensity(
    frequency: int, intensity: int, severity: int
) -> None:
    assert caps5_item_severity(frequency, intensity) == severity


# --- C-SSRS screener: items 1–6 and 6b -------------------------------------------------------

CSSRS_ROWS = [
    ("all no", [0, 0, None, None, None, 0, None], "none", []),
    ("yes to 1 only", [1, 0, None, None, None, 0, None], "low", []),
    ("yes to 2 only", [0, 1, 0, 0, 0, 0, None], "low", []),
    ("yes to 1 and 2", [1, 1, 0, 0, 0, 0, None], "low", []),
    ("yes to 3", [1, 1, 1, 0, 0, 0, None], "moderate", [("cssrs_moderate_risk", "caution")]),
    ("yes to 4", [1, 1, 0, 1, 0, 0, None], "high", [("cssrs_high_risk", "critical")]),
    ("yes to 5", [1, 1, 0, 0, 1, 0, None], "high", [("cssrs_high_risk", "critical")]),
    (
        "yes to 6 without 6b",
        [0, 0, None, None, None, 1, 0],
        "moderate",
        [("cssrs_moderate_risk", "caution")],
    ),
    ("yes to 6 with 6b", [0, 0, None, None, None, 1, 1], "high", [("cssrs_high_risk", "critical")]),
    ("yes to 3 and to 6 with 6b", [1, 1, 1, 0, 0, 1, 1], "high", [("cssrs_high_risk", "critical")]),
]


@pytest.mark.parametrize(
    ("case", "answers", "risk", "alerts"), CSSRS_ROWS, ids=[r[0] for r in CSSRS_ROWS]
)
def test_cssrs_screener_risk_level_and_alerts(
    case: str, answers: list[int | None], risk: str, alerts: list[tuple[str, str]]
) -> None:
    result = score(CSSRS, answers)
    assert result.severity == risk
    assert [(a.code, a.level) for a in result.alerts] == alerts
    assert (result.total, result.diagnosis, result.above_cutoff, result.clusters) == (
        None,
        None,
        None,
        {},
    )


def test_cssrs_screener_with_6b_blank_after_a_yes_to_6_is_undetermined_and_alerts() -> None:
    result = score(CSSRS, [0, 0, None, None, None, 1, None])
    assert result.severity is None
    assert [(a.code, a.level) for a in result.alerts] == [
        ("cssrs_moderate_risk", "caution"),
        ("cssrs_incomplete", "critical"),
    ]


# --- Missing items: prorated up to the rule's limit, never a silent zero -----------------------

# (case, instrument, answers, total, prorated, missing items as printed on the form, 1-based)
MISSING_ROWS = [
    ("PHQ-9, none missing", PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, 1], 5, False, []),
    ("PHQ-9, 1 missing: prorated", PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, None], 5, True, [9]),
    ("PHQ-9, 2 missing: prorated", PHQ9, [2, 2, 2, 2, 2, 2, 2, None, None], 18, True, [8, 9]),
    ("PHQ-9, 3 missing: no total", PHQ9, [2, 2, 2, 2, 2, 2, None, None, None], None, False,
     [7, 8, 9]),
    ("GAD-7, 1 missing: prorated", GAD7, [None, 3, 3, 3, 3, 3, 3], 21, True, [1]),
    ("GAD-7, 2 missing: no total", GAD7, [3, 3, 3, 3, 3, None, None], None, False, [6, 7]),
    ("PCL-5, 2 missing: prorated", PCL5, [2] * 18 + [None, None], 40, True, [19, 20]),
    ("PCL-5, 3 missing: no total", PCL5, [2] * 17 + [None] * 3, None, False, [18, 19, 20]),
    ("CAPS-5, 1 missing: no total", CAPS5, [2] * 19 + [None], None, False, [20]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "definition", "answers", "total", "prorated", "missing"),
    MISSING_ROWS,
    ids=[r[0] for r in MISSING_ROWS],
)
def test_missing_items_follow_each_instruments_rule(
    case: str,
    definition: InstrumentDefinition,
    answers: list[int | None],
    total: int | None,
    prorated: bool,
    missing: list[int],
) -> None:
    result = score(definition, answers)
    assert (result.total, result.prorated) == (total, prorated)
    if total is None:
        assert (result.severity, result.above_cutoff) == (None, None)
    # Issue 9, item 13: the JSON says whether the total was prorated and which items were missing.
    payload = result.to_dict()
    assert (payload["prorated"], payload["missing_items"]) == (prorated, missing)


def test_issue_9_a_prorated_phq9_says_so() -> None:
    """Reproduced: PHQ-9 with items missing reported a full-looking total with no sign."""
    payload = score(PHQ9, [2, 2, 2, 2, 2, 2, 2, None, None]).to_dict()
    # 14 points over 7 answered items: 14 x 9 / 7 = 18.
    assert (payload["total"], payload["prorated"], payload["missing_items"]) == (18, True, [8, 9])


@pytest.mark.parametrize(
    ("definition", "answers", "provisional"),
    [(PCL5, pattern(MINIMAL), True), (PCL5, [0] * 20, True), (CAPS5, [2] * 20, False),
     (PHQ9, [0] * 9, False), (GAD7, [0] * 7, False)],
)  # fmt: skip
def test_only_the_pcl5_diagnosis_is_provisional(
    definition: InstrumentDefinition, answers: list[int | None], provisional: bool
) -> None:
    payload = score(definition, answers).to_dict()
    assert payload["provisional"] is provisional
    if definition is PCL5:
        # The PCL-5 keeps its diagnosis: a self-report screen, never a diagnosis.
        assert payload["diagnosis"] is (answers == pattern(MINIMAL))


def test_prorating_rounds_half_up_so_4_5_becomes_5_and_the_band_is_mild() -> None:
    # 4 points over 8 answered items: 4 x 9 / 8 = 4.5 -> 5
    result = score(PHQ9, [1, 1, 1, 1, 0, 0, 0, 0, None])
    assert (result.total, result.severity) == (5, "mild")


# --- Change between two ratings (CAPS-5, PCL-5) -----------------------------------------------


def caps(total: int, diagnosis: bool) -> Score:
    """A CAPS-5 (criteria F and G met) with this total, meeting the diagnosis or not.

    With the diagnosis: the minimal pattern (12 points) topped up item by item. Without: no
    avoidance (cluster C) symptom at all, so the clusters are never all met.
    """
    ratings = pattern(MINIMAL) if diagnosis else [0] * 20
    order = [n for n in range(1, 21) if diagnosis or n not in (6, 7)]
    left = total - sum(r or 0 for r in ratings)
    for n in order:
        add = min(4 - (ratings[n - 1] or 0), left)
        ratings[n - 1] = (ratings[n - 1] or 0) + add
        left -= add
    assert left == 0
    return score(CAPS5, ratings, criterion_f=True, criterion_g=True)


# MAPP's grades, escalating and mutually exclusive (issue 9, item 12): response = a drop of
# >= 10; loss of diagnosis = a response and DSM-5 no longer met; remission = a loss of diagnosis
# and a total <= 11. Only the highest grade reached is listed. Each total is the hand sum of the
# ratings `caps` builds.
CHANGE_ROWS = [
    ("drop of 9, still PTSD", (40, True), (31, True), []),
    ("drop of 10, still PTSD", (40, True), (30, True), ["clinically_meaningful"]),
    ("drop of 11, still PTSD", (40, True), (29, True), ["clinically_meaningful"]),
    ("loss of diagnosis, total 12", (40, True), (12, False), ["loss_of_diagnosis"]),
    ("loss of diagnosis, total 11", (40, True), (11, False), ["remission"]),
    ("loss of diagnosis, total 10", (40, True), (10, False), ["remission"]),
    # Issue 9 regression: below the diagnostic rule without a 10-point drop is no loss of
    # diagnosis (it inflated the responder tables).
    ("diagnosis lost with a drop of 7", (18, True), (11, False), []),
    ("diagnosis lost with a drop of 9", (21, True), (12, False), []),
    ("diagnosis lost with a drop of 10, total 12", (22, True), (12, False),
     ["loss_of_diagnosis"]),
    ("diagnosis lost with a drop of 10, total 11", (21, True), (11, False), ["remission"]),
    ("rise of 9", (30, True), (39, True), []),
    ("rise of 10", (30, True), (40, True), ["worsening"]),
    ("diagnosis appears", (20, False), (25, True), ["worsening"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "before", "after", "categories"), CHANGE_ROWS, ids=[r[0] for r in CHANGE_ROWS]
)
def test_caps5_change_categories(
    case: str, before: tuple[int, bool], after: tuple[int, bool], categories: list[str]
) -> None:
    b, a = caps(*before), caps(*after)
    assert (b.total, b.diagnosis, a.total, a.diagnosis) == (*before, *after)
    change = classify_change(b, a, LIB.change_rule("caps5"))
    assert [str(c) for c in change.categories] == categories


def test_pcl5_drop_of_ten_is_clinically_meaningful() -> None:
    before = score(PCL5, summing_to(45, 20, 4))
    after = score(PCL5, summing_to(35, 20, 4))
    change = classify_change(before, after, LIB.change_rule("pcl5"))
    assert change.categories == (ChangeCategory.CLINICALLY_MEANINGFUL,)
    assert change.delta == -10
