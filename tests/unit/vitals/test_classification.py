"""Classification of a reading against mapp_v1 thresholds, parameter by parameter."""

from __future__ import annotations

import pytest

from mdma_at.domain.sources import Source
from mdma_at.domain.vitals import (
    AlertThresholds,
    Direction,
    Parameter,
    Threshold,
    VitalSigns,
    classify,
    is_below_caution,
)
from mdma_at.domain.vocabulary import AlertLevel
from mdma_at.protocols import get_protocol

THRESHOLDS = get_protocol("mapp_v1").dosing.thresholds
SOURCE = Source("test")


def test_a_strict_threshold_is_not_reached_at_its_limit() -> None:
    strict = Threshold(160, inclusive=False, source=SOURCE)
    assert (strict.reached_by(160), strict.reached_by(160.1)) == (False, True)
    assert strict.describe() == "> 160"


def test_an_inclusive_threshold_is_reached_at_its_limit() -> None:
    inclusive = Threshold(38.0, inclusive=True, source=SOURCE)
    assert (inclusive.reached_by(37.99), inclusive.reached_by(38.0)) == (False, True)
    assert inclusive.describe() == "≥ 38"


def test_a_normal_reading_has_no_alert_and_is_below_caution() -> None:
    reading = VitalSigns(160, 100, 120, 37.9)
    assert classify(reading, THRESHOLDS) == ()
    assert is_below_caution(reading, THRESHOLDS)


def test_each_parameter_gets_its_highest_level_only() -> None:
    alerts = classify(VitalSigns(181, 101, 140, 38.0), THRESHOLDS)
    assert [(a.parameter, a.level, a.threshold.limit) for a in alerts] == [
        (Parameter.SYSTOLIC, AlertLevel.CRITICAL, 180),
        (Parameter.DIASTOLIC, AlertLevel.CAUTION, 100),
        (Parameter.HEART_RATE, AlertLevel.CRITICAL, 140),
        (Parameter.TEMPERATURE, AlertLevel.CAUTION, 38.0),
    ]
    assert not is_below_caution(VitalSigns(120, 80, 70, 38.0), THRESHOLDS)


def test_every_mapp_v1_threshold_carries_a_source() -> None:
    for table in (THRESHOLDS.caution, THRESHOLDS.critical):
        assert set(table) == set(Parameter) - {Parameter.SPO2}
        assert all(t.source.citation for t in table.values())
    for table in (THRESHOLDS.low_caution, THRESHOLDS.low_critical):
        # Issue 9, item 3: low limits for SBP, HR, T and SpO2 (NEWS2, RCP 2017).
        assert set(table) == {
            Parameter.SYSTOLIC,
            Parameter.HEART_RATE,
            Parameter.TEMPERATURE,
            Parameter.SPO2,
        }
        assert all("NEWS2" in t.source.citation for t in table.values())


def test_a_critical_limit_below_the_caution_limit_is_a_broken_protocol() -> None:
    caution = {p: Threshold(100, False, SOURCE) for p in Parameter}
    critical = {p: Threshold(90, True, SOURCE) for p in Parameter}
    with pytest.raises(ValueError, match="below the caution limit"):
        AlertThresholds(caution, critical)


def test_a_missing_parameter_is_a_broken_protocol() -> None:
    table = {Parameter.SYSTOLIC: Threshold(160, False, SOURCE)}
    with pytest.raises(ValueError, match="missing"):
        AlertThresholds(table, table)


def test_a_low_threshold_is_reached_below_its_limit() -> None:
    strict = Threshold(90, inclusive=False, source=SOURCE, direction=Direction.LOW)
    inclusive = Threshold(35.0, inclusive=True, source=SOURCE, direction=Direction.LOW)
    assert (strict.reached_by(89.9), strict.reached_by(90), strict.reached_by(91)) == (
        True,
        False,
        False,
    )
    assert (inclusive.reached_by(34.9), inclusive.reached_by(35.0), inclusive.reached_by(35.1)) == (
        True,
        True,
        False,
    )
    assert (strict.describe(), inclusive.describe()) == ("< 90", "≤ 35")


def test_a_critical_low_limit_above_the_caution_low_limit_is_a_broken_protocol() -> None:
    high = {p: Threshold(100, False, SOURCE) for p in Parameter if p is not Parameter.SPO2}
    low_caution = {Parameter.SPO2: Threshold(90, False, SOURCE, Direction.LOW)}
    low_critical = {Parameter.SPO2: Threshold(94, False, SOURCE, Direction.LOW)}
    with pytest.raises(ValueError, match="above the caution limit"):
        AlertThresholds(high, high, low_caution, low_critical)


def test_an_unmeasured_parameter_raises_no_alert() -> None:
    # Temperature and SpO2 are optional in a reading (issue 9, item 3).
    assert classify(VitalSigns(120, 80, 70), THRESHOLDS) == ()
