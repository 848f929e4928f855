"""SDTM dates, study days and the transport rules every dataset is checked against."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mdma_at.interop.sdtm import rules
from mdma_at.interop.sdtm.dates import dtc, study_day
from mdma_at.interop.sdtm.spec import SPECS
from mdma_at.interop.sdtm.terms import ascii_text

REFERENCE = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # SDTMIG 3.3 §4.4.4: the reference start date is day 1, the day before it day -1
        (date(2026, 3, 10), 1),
        (date(2026, 3, 11), 2),
        (date(2026, 3, 9), -1),
        (date(2026, 3, 8), -2),
        # across a month end: 2026-04-01 is 22 days after 2026-03-10, so day 23
        (date(2026, 4, 1), 23),
    ],
)
def test_study_day_counts_from_one_and_has_no_day_zero(day: date, expected: int) -> None:
    assert study_day(day, REFERENCE) == expected


def test_dates_are_iso_8601_at_the_sites_clock() -> None:
    # 2026-07-01 08:30 UTC is 10:30 in Berlin (CEST, UTC+2)
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)
    assert dtc(moment, "Europe/Berlin") == "2026-07-01T10:30"
    assert dtc(date(2026, 7, 1)) == "2026-07-01"
    assert dtc(None) == ""


def test_text_becomes_ascii_within_200_bytes() -> None:
    # CDISC UNIT spells micromoles per litre umol/L; m² becomes m2 by compatibility decomposition
    assert ascii_text("µmol/L") == "umol/L"
    assert ascii_text("mL/min/1.73 m²") == "mL/min/1.73 m2"
    assert len(ascii_text("x" * 300)) == 200


def test_every_dataset_spec_keeps_the_name_and_label_rules() -> None:
    for spec in SPECS:
        assert rules.problems(spec.name, spec.label, spec.labels, {}) == [], spec.name


@pytest.mark.parametrize(
    ("name", "label", "columns", "values", "found"),
    [
        ("LONGNAME9", "x", {}, {}, "dataset name"),
        ("AE", "x" * 41, {}, {}, "dataset label over 40"),
        ("AE", "x", {"AETERMLONG": "x"}, {}, "AE.AETERMLONG: name"),
        ("AE", "x", {"AETERM": "y" * 41}, {}, "AE.AETERM: label over 40"),
        ("AE", "x", {"AETERM": "t"}, {"AETERM": ["z" * 201]}, "over 200 bytes"),
        ("QS", "x", {"QSTESTCD": "t"}, {"QSTESTCD": ["PCL5ITEM1"]}, "not a valid short name"),
        ("QS", "x", {"QSTEST": "t"}, {"QSTEST": ["q" * 41]}, "over 40 characters"),
    ],
)
def test_each_rule_is_named_when_broken(
    name: str, label: str, columns: dict[str, str], values: dict[str, list[object]], found: str
) -> None:
    problems = rules.problems(name, label, columns, values)
    assert problems and found in problems[0]
