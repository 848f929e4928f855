"""Safety tables: TEAE counts by arm, severity, seriousness and special interest; vital signs."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from mdma_at.analysis.safety import (
    LIMITS_SOURCE,
    SPECIAL_INTEREST_SOURCE,
    n_percent_display,
    peak_vital_changes,
    safety_table_to_dict,
    special_interest_table,
    teae_by_severity,
    teae_by_term,
    teae_summary,
    vital_limit_counts,
)
from mdma_at.analysis.table_errors import TableInputError

ARMS = ["mdma", "placebo"]


def _population() -> pd.DataFrame:
    # 4 MDMA and 2 placebo participants; "m4" and "p2" have no adverse event at all.
    subjects = [("m1", "mdma"), ("m2", "mdma"), ("m3", "mdma"), ("m4", "mdma")]
    subjects += [("p1", "placebo"), ("p2", "placebo")]
    return pd.DataFrame(subjects, columns=["subject", "arm"])


def _ae(subject: str, term: str, severity: str = "mild", **extra: Any) -> dict[str, Any]:
    arm = "mdma" if subject.startswith("m") else "placebo"
    row = {
        "subject": subject,
        "arm": arm,
        "term": term,
        "severity": severity,
        "serious": False,
        "special_interest": "",
        "onset": "2026-03-01T10:00",
        "treatment_emergent": True,
    }
    return row | extra


def _aes() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _ae("m1", "muscle tightness"),
            _ae("m1", "muscle tightness", "moderate"),
            _ae("m1", "nausea"),
            _ae("m2", "muscle tightness", "severe"),
            _ae("m3", "nausea"),
            _ae("p1", "suicidal ideation", "severe", serious=True, special_interest="suicidality"),
            _ae("p1", "headache", treatment_emergent=False),  # before the first dose: not counted
        ]
    )


def _row(table: pd.DataFrame, label: str, key: str) -> pd.Series:
    return table.set_index(key).loc[label]


def test_any_teae_counts_each_participant_once_and_every_event() -> None:
    table = teae_summary(_aes(), _population(), ARMS)
    row = _row(table, "any", "row")
    assert (row["mdma_participants"], row["mdma_events"], row["mdma_n"]) == (3, 5, 4)
    assert row["mdma_percent"] == 75.0
    assert (row["placebo_participants"], row["placebo_events"]) == (1, 1)
    assert row["placebo_percent"] == 50.0


def test_events_that_are_not_treatment_emergent_are_left_out() -> None:
    table = teae_by_term(_aes(), _population(), ARMS)
    assert "headache" not in set(table["term"])


def test_severity_rows_count_participants_with_at_least_one_event_of_that_grade() -> None:
    table = teae_summary(_aes(), _population(), ARMS).set_index("row")
    assert table.loc["severity:mild", "mdma_participants"] == 2  # m1, m3
    assert table.loc["severity:mild", "mdma_events"] == 3
    assert table.loc["severity:moderate", "mdma_participants"] == 1
    assert table.loc["severity:severe", "mdma_participants"] == 1
    assert table.loc["serious", "placebo_participants"] == 1
    assert table.loc["serious", "mdma_participants"] == 0
    assert table.loc["special_interest", "placebo_events"] == 1


def test_worst_severity_puts_each_participant_in_exactly_one_row() -> None:
    table = teae_by_severity(_aes(), _population(), ARMS).set_index("worst_severity")
    assert table["mdma_participants"].tolist() == [1, 1, 1, 1]  # none m4, mild m3, mod m1, sev m2
    assert table["mdma_participants"].sum() == 4
    assert table.loc["none", "placebo_participants"] == 1
    assert table.loc["mild", "mdma_events"] == 3


def test_terms_are_listed_most_frequent_first() -> None:
    table = teae_by_term(_aes(), _population(), ARMS)
    assert table["term"].tolist() == ["muscle tightness", "nausea", "suicidal ideation"]
    row = _row(table, "muscle tightness", "term")
    assert (row["mdma_participants"], row["mdma_events"]) == (2, 3)
    assert row["mdma_percent"] == 50.0


def test_every_category_of_special_interest_is_listed_even_when_zero() -> None:
    table = special_interest_table(_aes(), _population(), ARMS)
    assert table["category"].tolist() == ["suicidality", "qt_prolongation", "abuse_potential"]
    assert table.set_index("category").loc["qt_prolongation", "mdma_participants"] == 0
    assert table.set_index("category").loc["suicidality", "placebo_percent"] == 50.0
    assert "[S1]" in SPECIAL_INTEREST_SOURCE.citation


def test_an_arm_without_adverse_events_still_has_its_denominator() -> None:
    aes = pd.DataFrame([_ae("m1", "nausea")])
    table = teae_summary(aes, _population(), ARMS).set_index("row")
    assert table.loc["any", "placebo_participants"] == 0
    assert table.loc["any", "placebo_n"] == 2


def test_an_empty_adverse_event_table_gives_zero_counts() -> None:
    aes = pd.DataFrame([_ae("m1", "nausea")]).iloc[0:0]
    table = teae_summary(aes, _population(), ARMS).set_index("row")
    assert table.loc["any", "mdma_participants"] == 0
    assert teae_by_term(aes, _population(), ARMS).empty


def test_safety_tables_convert_to_json_records() -> None:
    records = safety_table_to_dict(teae_summary(_aes(), _population(), ARMS))
    assert records[0] == {
        "row": "any",
        "mdma_participants": 3,
        "mdma_percent": 75.0,
        "mdma_events": 5,
        "mdma_n": 4,
        "placebo_participants": 1,
        "placebo_percent": 50.0,
        "placebo_events": 1,
        "placebo_n": 2,
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"severity": "life-threatening"}, "aes.severity", "unknown severity 'life-threatening'"),
        ({"serious": "yes"}, "aes.serious", "expected true/false, got 'yes'"),
        ({"special_interest": "hepatic"}, "aes.special_interest", "unknown category 'hepatic'"),
        ({"arm": "ketamine"}, "aes.arm", "unknown arm(s) 'ketamine'"),
        ({"arm": "placebo"}, "aes.arm", "'m1' is in arm 'mdma' in the population"),
        ({"subject": "x9"}, "aes.subject", "'x9' has an adverse event but is not in the safety"),
        ({"term": None}, "aes.term", "missing value"),
    ],
)
def test_bad_adverse_events_are_refused_naming_the_column(
    change: dict[str, Any], field: str, message: str
) -> None:
    aes = pd.DataFrame([_ae("m1", "nausea") | change])
    with pytest.raises(TableInputError) as caught:
        teae_summary(aes, _population(), ARMS)
    assert caught.value.field == field
    assert message in caught.value.reason


def test_a_missing_adverse_event_column_is_named() -> None:
    aes = pd.DataFrame([_ae("m1", "nausea")]).drop(columns=["serious", "severity"])
    with pytest.raises(TableInputError, match="missing column\\(s\\) 'severity', 'serious'"):
        teae_summary(aes, _population(), ARMS)


def test_a_population_arm_without_participants_is_refused() -> None:
    population = _population()[lambda f: f["arm"] == "mdma"]
    with pytest.raises(TableInputError, match="no participants in arm 'placebo'"):
        teae_summary(_aes().iloc[:5], population, ARMS)


def test_a_subject_twice_in_the_population_is_refused() -> None:
    population = pd.concat([_population(), _population().iloc[:1]])
    with pytest.raises(TableInputError, match="'m1' appears more than once"):
        teae_summary(_aes(), population, ARMS)


# --------------------------------------------------------------------------- vital signs


def _reading(subject: str, session: int, t: float, sbp: float, **extra: Any) -> dict[str, Any]:
    arm = "mdma" if subject.startswith("m") else "placebo"
    row = {
        "subject": subject,
        "arm": arm,
        "session": session,
        "t": t,
        "systolic": sbp,
        "diastolic": 80.0,
        "heart_rate": 70.0,
        "temperature_c": 36.6,
        "pre_dose": t < 0,
    }
    return row | extra


def _vitals() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _reading("m1", 1, -30, 130),
            _reading("m1", 1, -5, 120),  # the last pre-dose reading is the reference
            _reading("m1", 1, 60, 150, heart_rate=121),
            _reading("m1", 1, 90, 160, temperature_c=38.0),
            _reading("m2", 1, -5, 110),
            _reading("m2", 1, 60, 161, diastolic=100),
            _reading("m2", 1, 90, 180, diastolic=120, heart_rate=140),
            _reading("p1", 1, -5, 118),
            _reading("p1", 1, 30, 124, heart_rate=120, temperature_c=37.9),
            _reading("p1", 2, -5, 116),
            _reading("p1", 2, 30, 119),
        ]
    )


def test_peak_change_is_the_highest_post_dose_reading_minus_the_last_pre_dose_reading() -> None:
    table = peak_vital_changes(_vitals(), ARMS)
    row = table.set_index(["arm", "session", "vital"]).loc[("mdma", 1, "systolic")]
    # m1: 160 - 120 = 40; m2: 180 - 110 = 70
    assert row["n"] == 2
    assert row["change_mean"] == 55.0
    assert row["change_min"] == 40.0
    assert row["change_max"] == 70.0
    assert row["change_sd"] == pytest.approx(21.2132034)
    assert row["pre_dose_mean"] == 115.0


def test_peak_changes_are_reported_per_session() -> None:
    table = peak_vital_changes(_vitals(), ARMS).set_index(["arm", "session", "vital"])
    assert table.loc[("placebo", 1, "systolic"), "change_mean"] == 6.0
    assert table.loc[("placebo", 2, "systolic"), "change_mean"] == 3.0
    assert table.loc[("placebo", 1, "temperature_c"), "change_mean"] == pytest.approx(1.3)


def test_a_session_without_a_pre_dose_reading_is_counted_as_missing() -> None:
    vitals = _vitals()[lambda f: ~((f["subject"] == "m2") & f["pre_dose"])]
    row = peak_vital_changes(vitals, ARMS).set_index(["arm", "session", "vital"])
    assert row.loc[("mdma", 1, "systolic"), "n"] == 1
    assert row.loc[("mdma", 1, "systolic"), "n_missing"] == 1


@pytest.mark.parametrize(
    ("vital", "level", "participants", "readings"),
    [
        ("systolic", "caution", 1, 2),  # 160 is not > 160; 161 and 180 are
        ("systolic", "critical", 1, 1),  # 180 reaches ≥ 180
        ("diastolic", "caution", 1, 1),  # 100 is not > 100; 120 is
        ("diastolic", "critical", 1, 1),  # 120 reaches ≥ 120
        ("heart_rate", "caution", 2, 2),  # 121 and 140 are > 120
        ("heart_rate", "critical", 1, 1),  # 140 reaches ≥ 140
        ("temperature_c", "caution", 1, 1),  # 38.0 reaches ≥ 38.0
        ("temperature_c", "critical", 0, 0),
        ("any", "caution", 2, 4),
        ("any", "critical", 1, 1),
    ],
)
def test_readings_at_and_beyond_the_design_limits_are_counted_just_below_at_and_above(
    vital: str, level: str, participants: int, readings: int
) -> None:
    table = vital_limit_counts(_vitals(), ARMS).set_index(["arm", "session", "vital", "level"])
    row = table.loc[("mdma", 1, vital, level)]
    assert (row["participants"], row["readings"]) == (participants, readings)
    assert row["participants_assessed"] == 2
    assert row["percent"] == 50.0 * participants


def test_placebo_readings_just_at_the_strict_limits_do_not_count() -> None:
    table = vital_limit_counts(_vitals(), ARMS).set_index(["arm", "session", "vital", "level"])
    assert table.loc[("placebo", 1, "heart_rate", "caution"), "participants"] == 0  # 120: not > 120
    assert table.loc[("placebo", 1, "temperature_c", "caution"), "participants"] == 0  # 37.9


def test_pre_dose_readings_are_not_counted_against_the_in_session_limits() -> None:
    vitals = pd.concat([_vitals(), pd.DataFrame([_reading("p1", 2, -60, 185)])])
    table = vital_limit_counts(vitals, ARMS).set_index(["arm", "session", "vital", "level"])
    assert table.loc[("placebo", 2, "systolic", "critical"), "participants"] == 0


def test_the_limits_are_the_design_defaults_and_are_cited() -> None:
    table = vital_limit_counts(_vitals(), ARMS)
    limits = table.drop_duplicates(["vital", "level"]).set_index(["vital", "level"])["limit"]
    assert limits[("systolic", "caution")] == "> 160"
    assert limits[("systolic", "critical")] == "≥ 180"
    assert limits[("temperature_c", "caution")] == "≥ 38"
    assert "DESIGN.md §4" in LIMITS_SOURCE.citation


def test_the_limits_are_parameters() -> None:
    from dataclasses import replace

    from mdma_at.domain.vitals.classification import Threshold
    from mdma_at.domain.vitals.readings import Parameter
    from mdma_at.protocols.mapp_v1.dosing import THRESHOLDS

    stricter = replace(
        THRESHOLDS,
        caution=dict(THRESHOLDS.caution)
        | {
            Parameter.SYSTOLIC: Threshold(
                150.0, True, THRESHOLDS.caution[Parameter.SYSTOLIC].source
            )
        },
    )
    table = vital_limit_counts(_vitals(), ARMS, stricter).set_index(
        ["arm", "session", "vital", "level"]
    )
    assert table.loc[("mdma", 1, "systolic", "caution"), "readings"] == 4


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"systolic": 350}, "vitals.systolic", "implausible reading 350"),
        ({"temperature_c": 29}, "vitals.temperature_c", "implausible reading 29"),
        ({"heart_rate": "fast"}, "vitals.heart_rate", "expected numbers, got 'fast'"),
        ({"diastolic": 130}, "vitals.diastolic", "diastolic 130 is not below systolic 120"),
        ({"pre_dose": "maybe"}, "vitals.pre_dose", "expected true/false"),
        ({"arm": "lsd"}, "vitals.arm", "unknown arm(s) 'lsd'"),
        ({"t": None}, "vitals.t", "missing value"),
    ],
)
def test_bad_vital_signs_are_refused_naming_the_column(
    change: dict[str, Any], field: str, message: str
) -> None:
    vitals = pd.DataFrame([_reading("m1", 1, -5, 120) | change, _reading("m1", 1, 30, 140)])
    with pytest.raises(TableInputError) as caught:
        peak_vital_changes(vitals, ARMS)
    assert caught.value.field == field
    assert message in caught.value.reason


def test_two_readings_at_the_same_time_are_refused() -> None:
    vitals = pd.DataFrame([_reading("m1", 1, 30, 120), _reading("m1", 1, 30, 140)])
    with pytest.raises(TableInputError, match="two readings for subject 'm1' in session 1"):
        vital_limit_counts(vitals, ARMS)


def test_a_participant_in_two_arms_is_refused() -> None:
    vitals = pd.DataFrame([_reading("m1", 1, 30, 120), _reading("m1", 2, 30, 140, arm="placebo")])
    with pytest.raises(TableInputError, match="'m1' appears in two arms"):
        vital_limit_counts(vitals, ARMS)


def test_a_missing_vitals_column_is_named() -> None:
    vitals = pd.DataFrame([_reading("m1", 1, 30, 120)]).drop(columns=["temperature_c"])
    with pytest.raises(TableInputError, match="missing column\\(s\\) 'temperature_c'") as caught:
        peak_vital_changes(vitals, ARMS)
    assert caught.value.field == "vitals.temperature_c"


def test_arms_must_be_a_list_of_distinct_labels() -> None:
    with pytest.raises(TableInputError, match="expected a list of arm labels"):
        peak_vital_changes(_vitals(), "mdma")  # type: ignore[arg-type]
    with pytest.raises(TableInputError, match="repeat"):
        peak_vital_changes(_vitals(), ["mdma", "mdma"])


def test_the_printable_table_shows_participants_percent_and_events_per_arm() -> None:
    display = n_percent_display(teae_summary(_aes(), _population(), ARMS), ARMS)
    assert display.columns.tolist() == ["row", "mdma (N=4)", "placebo (N=2)"]
    assert display.loc[0].tolist() == ["any", "3 (75.0%) 5", "1 (50.0%) 1"]
    aesi = n_percent_display(special_interest_table(_aes(), _population(), ARMS), ARMS)
    assert aesi.columns.tolist()[:2] == ["category", "description"]
