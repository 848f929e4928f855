"""The protocol's site defaults, the ranges a site may set them in, and the start-up check
(issue 12, item 4; ADR 0090)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.classification import Threshold
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.protocols import PROTOCOLS, get_protocol
from mdma_at.protocols.checks import BrokenProtocol, check_protocol, require_valid
from mdma_at.protocols.settings import (
    AllowedRange,
    SiteSetting,
    Unit,
    source_of,
    value_of,
    with_values,
)

MAPP = get_protocol("mapp_v1")
HR_CAUTION = "thresholds.caution.heart_rate"


def _setting(key: str) -> SiteSetting:
    return next(s for s in MAPP.site_settings if s.key == key)


def _with_settings(*settings: SiteSetting) -> object:
    return replace(MAPP, site_settings=(*MAPP.site_settings, *settings))


def test_every_shipped_protocol_passes_its_check() -> None:
    assert {name: check_protocol(p) for name, p in PROTOCOLS.items()} == {"mapp_v1": ()}
    require_valid(PROTOCOLS.values())  # what bootstrap runs at start-up


def test_every_settable_value_is_a_site_default_inside_its_own_range() -> None:
    for setting in MAPP.site_settings:
        assert source_of(MAPP, setting).site_default, setting.key
        assert value_of(MAPP, setting) in setting.allowed, setting.key
        assert setting.allowed.source.citation.strip(), setting.key


def test_published_values_are_not_settable() -> None:
    keys = {s.key for s in MAPP.site_settings}
    # DESIGN.md §4: SBP > 160 (Vizeli & Liechti 2017), T ≥ 38.0 (Vizeli & Liechti), SBP ≥ 180
    # and DBP ≥ 120 (ACC/AHA crisis), the 8-hour session (MAPP1, FDA REMS) are published.
    for published in (
        "thresholds.caution.systolic",
        "thresholds.caution.temperature",
        "thresholds.critical.systolic",
        "thresholds.critical.diastolic",
        "discharge.min_after_initial",
    ):
        assert published not in keys


def test_a_site_value_replaces_the_protocols_in_a_copy_and_says_whose_it_is() -> None:
    site = with_values(MAPP, {HR_CAUTION: 110}, {HR_CAUTION: "set by dr x: young cohort"})
    limit = site.dosing.thresholds.caution[Parameter.HEART_RATE]
    assert (limit.limit, limit.inclusive) == (110, False)
    assert limit.source.site_default and "set by dr x: young cohort" in limit.source.citation
    assert "HR > 120/min" in limit.source.citation  # the protocol's own source follows
    # DESIGN.md §4: the protocol's heart-rate caution limit is > 120, unchanged by the copy.
    assert MAPP.dosing.thresholds.caution[Parameter.HEART_RATE].limit == 120


def test_durations_are_set_in_minutes_and_counts_as_whole_numbers() -> None:
    site = with_values(MAPP, {"schedule.routine": 20, "readings_to_clear": 3})
    assert site.dosing.schedule.routine == timedelta(minutes=20)
    assert site.dosing.readings_to_clear.value == 3
    with pytest.raises(InvalidInput, match="must be a whole number") as refused:
        with_values(MAPP, {"readings_to_clear": 2.5})
    assert refused.value.field == "readings_to_clear"


# The heart-rate caution range 100–120/min: tachycardia is a heart rate above 100/min, and the
# protocol's limit is 120 (DESIGN.md §4), toward caution only. Just below, at, and just above.
@pytest.mark.parametrize(
    ("value", "allowed"), [(99.9, False), (100, True), (120, True), (120.1, False)]
)
def test_a_value_is_allowed_only_inside_its_range(value: float, allowed: bool) -> None:
    if allowed:
        assert (
            with_values(MAPP, {HR_CAUTION: value})
            .dosing.thresholds.caution[Parameter.HEART_RATE]
            .limit
            == value
        )
        return
    with pytest.raises(InvalidInput, match="outside the allowed range 100–120") as refused:
        with_values(MAPP, {HR_CAUTION: value})
    assert refused.value.field == HR_CAUTION


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not a value this protocol lets a site set") as refused:
        with_values(MAPP, {"thresholds.caution.systolic": 150})
    assert refused.value.field == "key"


def test_values_that_contradict_each_other_fail_the_check() -> None:
    # critical 120 (the low end of its range) is not above a caution limit of 120 (the protocol's)
    site = with_values(MAPP, {"thresholds.critical.heart_rate": 120})
    assert [p.field for p in check_protocol(site)] == ["thresholds.critical.heart_rate"]


def test_a_setting_whose_key_leads_nowhere_is_refused_at_start_up() -> None:
    broken = _with_settings(
        SiteSetting(
            "thresholds.caution.pulse_pressure",
            "Nothing",
            Unit.MMHG,
            AllowedRange(0, 1, Source("x")),
        )
    )
    problems = check_protocol(broken)  # type: ignore[arg-type]
    assert [(p.field, p.reason) for p in problems] == [
        ("thresholds.caution.pulse_pressure", "refers to no number the protocol holds")
    ]
    with pytest.raises(BrokenProtocol, match="pulse_pressure"):
        require_valid([broken])  # type: ignore[list-item]


def test_a_range_that_leaves_out_its_own_default_is_refused() -> None:
    narrowed = replace(_setting(HR_CAUTION), allowed=AllowedRange(100, 110, Source("x")))
    broken = replace(
        MAPP,
        site_settings=tuple(narrowed if s.key == HR_CAUTION else s for s in MAPP.site_settings),
    )
    assert [p.field for p in check_protocol(broken)] == [HR_CAUTION]
    assert "outside its allowed range" in check_protocol(broken)[0].reason


def test_a_published_value_offered_to_sites_is_refused() -> None:
    # DESIGN.md §4: SBP > 160 is Vizeli & Liechti's, a published value.
    broken = _with_settings(
        SiteSetting(
            "thresholds.caution.systolic", "SBP", Unit.MMHG, AllowedRange(150, 160, Source("x"))
        )
    )
    problems = check_protocol(broken)  # type: ignore[arg-type]
    assert [p.field for p in problems] == ["thresholds.caution.systolic"]
    assert "only site defaults may be set" in problems[0].reason


def test_a_broken_copy_of_the_rules_is_refused() -> None:
    thresholds = MAPP.dosing.thresholds
    caution = dict(thresholds.caution)
    # a caution limit equal to the critical one (140/min, DESIGN.md §4) means nothing more
    caution[Parameter.HEART_RATE] = Threshold(140.0, False, Source("x", True))
    broken_dosing = replace(
        MAPP.dosing,
        thresholds=replace(thresholds, caution=caution),
        schedule=replace(MAPP.dosing.schedule, caution=timedelta(minutes=45)),
        initial_mg={**MAPP.dosing.initial_mg, 4: (80.0,)},
    )
    broken = replace(MAPP, dosing=broken_dosing, site_settings=())
    assert {p.field for p in check_protocol(broken)} == {
        "thresholds.critical.heart_rate",  # not above the caution limit
        "schedule.caution",  # 45 min is longer than the routine 30 min
        "dosing.initial_mg",  # session 4 is not in the schedule
    }
