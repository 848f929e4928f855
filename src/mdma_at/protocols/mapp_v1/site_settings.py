"""The `mapp_v1` values a site may set for itself, each with the range it may set it in.

Only site defaults are here (values whose source says no trial value was published): the
blood-pressure gate and tiers, the freshness of readings, the discharge margins, the
site-default alert limits, the measurement schedule and the readings that clear an alert.
Published values (the doses, windows, cap, 8-hour session, the Vizeli & Liechti and hypertensive
crisis limits) are not settable. Every range runs from the protocol's value toward caution and
stops where a clinical anchor says the value would no longer mean what the rule says (an alert on
normal physiology, a reading too old to describe the patient); where no anchor exists, the range
says "site default range chosen for safety". A site may therefore make a rule stricter, never
looser than the protocol (ADR 0090).
"""

from __future__ import annotations

from mdma_at.domain.sources import Source
from mdma_at.protocols.settings import AllowedRange, SiteSetting, Unit

_SAFETY = "site default range chosen for safety: from the protocol's value toward caution only"
_ACC_AHA = (
    "ACC/AHA 2017 blood-pressure categories (elevated 120–129, stage 1 130–139/80–89, "
    "stage 2 ≥ 140/90)"
)
_NEWS2 = "NEWS2 bands (Royal College of Physicians 2017)"


def _range(low: float, high: float, why: str) -> AllowedRange:
    return AllowedRange(low, high, Source(f"{why}; {_SAFETY}", site_default=True))


def _minutes(key: str, label: str, low: float, high: float, why: str) -> SiteSetting:
    return SiteSetting(key, label, Unit.MINUTES, _range(low, high, why))


SITE_SETTINGS: tuple[SiteSetting, ...] = (
    # --- the pre-dose blood-pressure gate and the supplemental dose's tier (ACC/AHA 2017) ---
    SiteSetting(
        "pre_dose.bp_gate.approval_systolic",
        "Pre-dose systolic that needs a physician's approval (≥)",
        Unit.MMHG,
        _range(120, 140, f"{_ACC_AHA}: from elevated BP up to the start of stage 2, never above"),
    ),
    SiteSetting(
        "pre_dose.bp_gate.approval_diastolic",
        "Pre-dose diastolic that needs a physician's approval (≥)",
        Unit.MMHG,
        _range(80, 90, f"{_ACC_AHA}: from stage 1 up to the start of stage 2, never above"),
    ),
    SiteSetting(
        "pre_dose.bp_gate.refuse_systolic",
        "Pre-dose systolic at which no dose is given (≥)",
        Unit.MMHG,
        _range(140, 160, f"{_ACC_AHA}: from the start of stage 2 up to the protocol's 160"),
    ),
    SiteSetting(
        "pre_dose.bp_gate.refuse_diastolic",
        "Pre-dose diastolic at which no dose is given (≥)",
        Unit.MMHG,
        _range(90, 100, f"{_ACC_AHA}: from the start of stage 2 up to the protocol's 100"),
    ),
    SiteSetting(
        "supplemental.bp_below.systolic",
        "Supplemental dose: systolic must be below",
        Unit.MMHG,
        _range(140, 160, f"{_ACC_AHA}: from the start of stage 2 up to the protocol's 160"),
    ),
    SiteSetting(
        "supplemental.bp_below.diastolic",
        "Supplemental dose: diastolic must be below",
        Unit.MMHG,
        _range(90, 100, f"{_ACC_AHA}: from the start of stage 2 up to the protocol's 100"),
    ),
    # --- how fresh a reading must be ---
    _minutes(
        "pre_dose.vitals_fresh_for",
        "Initial dose: latest reading at most this old",
        5,
        15,
        "no published value; shorter than 5 min cannot be met by a second reading in time",
    ),
    _minutes(
        "supplemental.vitals_fresh_for",
        "Supplemental dose: latest reading at most this old",
        5,
        15,
        "no published value; shorter than 5 min cannot be met by a second reading in time",
    ),
    _minutes(
        "supplemental.temperature_fresh_for",
        "Supplemental dose: a temperature at most this old",
        15,
        60,
        "no published value; temperature is not taken at every reading",
    ),
    _minutes(
        "discharge.vitals_fresh_for",
        "Discharge: latest reading at most this old",
        10,
        30,
        "no published value; at most one routine interval (30 min)",
    ),
    _minutes(
        "discharge.temperature_fresh_for",
        "Discharge: a temperature at most this old",
        15,
        60,
        "no published value; temperature is not taken at every reading",
    ),
    _minutes(
        "discharge.distress_fresh_for",
        "Discharge: a distress (SUDS) rating at most this old",
        15,
        60,
        "no published value",
    ),
    _minutes(
        "discharge.cssrs_fresh_for",
        "Discharge: a C-SSRS screener at most this old",
        15,
        60,
        "no published value",
    ),
    SiteSetting(
        "discharge.near_baseline",
        "Discharge: systolic and heart rate at most this far above the pre-dose reading",
        Unit.MMHG_OR_PER_MINUTE,
        _range(10, 20, "no published value; below 10 is within a reading's own variation"),
    ),
    # --- the site-default alert limits ---
    SiteSetting(
        "thresholds.caution.diastolic",
        "Caution: diastolic above",
        Unit.MMHG,
        _range(90, 100, f"{_ACC_AHA}: not below the start of stage 2"),
    ),
    SiteSetting(
        "thresholds.caution.heart_rate",
        "Caution: heart rate above",
        Unit.PER_MINUTE,
        _range(100, 120, "tachycardia is a heart rate above 100/min: not below it"),
    ),
    SiteSetting(
        "thresholds.critical.heart_rate",
        "Critical: heart rate at or above",
        Unit.PER_MINUTE,
        _range(120, 140, "above the caution limit, at most the protocol's 140"),
    ),
    SiteSetting(
        "thresholds.critical.temperature",
        "Critical: temperature at or above",
        Unit.CELSIUS,
        _range(38.5, 39.0, "above the published caution limit of 38.0 °C, at most 39.0"),
    ),
    SiteSetting(
        "thresholds.low_caution.systolic",
        "Low caution: systolic below",
        Unit.MMHG,
        _range(90, 100, f"{_NEWS2}: systolic 91–100 scores 2"),
    ),
    SiteSetting(
        "thresholds.low_critical.systolic",
        "Low critical: systolic below",
        Unit.MMHG,
        _range(80, 90, f"{_NEWS2}: systolic ≤ 90 scores 3"),
    ),
    SiteSetting(
        "thresholds.low_caution.heart_rate",
        "Low caution: heart rate below",
        Unit.PER_MINUTE,
        _range(50, 60, "bradycardia is a heart rate below 60/min: not above it"),
    ),
    SiteSetting(
        "thresholds.low_critical.heart_rate",
        "Low critical: heart rate below",
        Unit.PER_MINUTE,
        _range(40, 50, f"{_NEWS2}: heart rate ≤ 40 scores 3, 41–50 scores 1"),
    ),
    SiteSetting(
        "thresholds.low_caution.temperature",
        "Low caution: temperature below",
        Unit.CELSIUS,
        _range(35.5, 36.0, f"{_NEWS2}: temperature 35.1–36.0 °C scores 1"),
    ),
    SiteSetting(
        "thresholds.low_critical.temperature",
        "Low critical: temperature at or below",
        Unit.CELSIUS,
        _range(35.0, 35.5, f"{_NEWS2}: temperature ≤ 35.0 °C scores 3"),
    ),
    SiteSetting(
        "thresholds.low_caution.spo2",
        "Low caution: SpO2 below",
        Unit.PERCENT,
        _range(94, 96, f"{_NEWS2} scale 1: SpO2 94–95 % scores 1, ≥ 96 % scores 0"),
    ),
    SiteSetting(
        "thresholds.low_critical.spo2",
        "Low critical: SpO2 below",
        Unit.PERCENT,
        _range(90, 92, f"{_NEWS2} scale 1: SpO2 ≤ 91 % scores 3"),
    ),
    # --- the measurement schedule and clearing an alert ---
    _minutes(
        "schedule.routine",
        "Vital signs every (routine, to the late phase)",
        15,
        30,
        "no published schedule; more often than every 15 min is the caution interval's job",
    ),
    _minutes(
        "schedule.late_after",
        "Late phase (hourly readings) from this long after the initial dose",
        360,
        480,
        "no published schedule; not after the 8-hour session's end",
    ),
    _minutes(
        "schedule.late",
        "Vital signs every (late phase)",
        30,
        60,
        "no published schedule; not less often than hourly",
    ),
    _minutes(
        "schedule.caution",
        "Vital signs every (caution alert active)",
        5,
        10,
        "no published schedule; not more often than the critical interval",
    ),
    _minutes(
        "schedule.critical",
        "Vital signs every (critical alert active)",
        1,
        5,
        "no published schedule; 1 min is as often as a cuff can cycle",
    ),
    SiteSetting(
        "readings_to_clear",
        "Readings in a row inside both caution limits that clear an alert",
        Unit.READINGS,
        _range(2, 4, "no published value; one reading never clears an alert"),
    ),
)
