"""The mapp_v1 criteria data: complete, sourced and consistent with DESIGN.md §5."""

from __future__ import annotations

import re

from mdma_at.domain.eligibility import ConditionEffect
from mdma_at.protocols.mapp_v1 import MAPP_V1

CRITERIA = MAPP_V1.eligibility

DESIGN_CODES = {
    "psychotic_disorder", "bipolar_i", "dissociative_identity_disorder",
    "eating_disorder_active_purging", "mdd_with_psychotic_features", "personality_disorder",
    "arrhythmia", "hypertension", "coronary_artery_disease", "heart_failure", "stroke",
    "aneurysm", "liver_disease", "hepatitis_c", "diabetes", "hyperthyroidism", "glaucoma",
    "seizure_disorder",
}  # fmt: skip


def test_every_condition_code_of_the_design_is_in_the_table() -> None:
    assert {rule.code for rule in CRITERIA.conditions} == DESIGN_CODES


def test_every_condition_maps_to_a_snomed_ct_concept_id() -> None:
    for rule in CRITERIA.conditions:
        assert re.fullmatch(r"[1-9]\d{5,17}", rule.snomed_ct), rule.code


def test_every_condition_rule_carries_a_source() -> None:
    for rule in CRITERIA.conditions:
        assert rule.source.citation.strip(), rule.code


def test_the_condition_effects_follow_the_issue() -> None:
    effects = {rule.code: rule.effect for rule in CRITERIA.conditions}
    assert effects["hypertension"] is ConditionEffect.EXCLUDES_WHEN_UNCONTROLLED
    assert {c for c, e in effects.items() if e is ConditionEffect.NEEDS_REVIEW} == {
        "personality_disorder",
        "liver_disease",
        "seizure_disorder",
    }
    assert {c for c, e in effects.items() if e is ConditionEffect.ALLOWED_WITH_NOTE} == {
        "hepatitis_c",
        "diabetes",
        "hyperthyroidism",
        "glaucoma",
    }


def test_limits_without_a_published_value_are_marked_as_site_defaults() -> None:
    assert CRITERIA.qtc.source.site_default
    assert CRITERIA.blood_pressure.source.site_default
    assert not CRITERIA.minimum_age_years.source.site_default
    assert not CRITERIA.minimum_caps5_total.source.site_default


def test_the_numeric_limits_are_those_of_the_issue() -> None:
    assert CRITERIA.minimum_age_years.value == 18
    assert CRITERIA.minimum_caps5_total.value == 28
    assert CRITERIA.minimum_ptsd_duration_months.value == 6
    assert (CRITERIA.qtc.male, CRITERIA.qtc.female, CRITERIA.qtc.other) == (450, 460, 450)
    assert CRITERIA.substances.lookback_days == 365


def test_the_issue_9_limits_are_protocol_data_with_their_sources() -> None:
    # Issue 9, item 9: HR > 100/min, T >= 38.0 °C review; >= 160/100 excludes today.
    assert CRITERIA.vitals.heart_rate_above == 100
    assert CRITERIA.vitals.temperature_at_or_above == 38.0
    bp = CRITERIA.blood_pressure
    assert (bp.exclude_systolic, bp.exclude_diastolic) == (160, 100)
    # No published weight limit (clinical-facts §3.2): a site default that says why.
    assert CRITERIA.minimum_weight_kg.value == 48
    assert CRITERIA.minimum_weight_kg.source.site_default
    assert "not found" in CRITERIA.minimum_weight_kg.source.citation
    for source in (
        CRITERIA.vitals.heart_rate_source,
        CRITERIA.vitals.temperature_source,
        bp.exclude_source,
        CRITERIA.substances.sustained_remission_source,
    ):
        assert source.site_default and "[S" in source.citation


def test_substance_names_are_matched_case_insensitively_by_alias() -> None:
    rules = CRITERIA.substances
    assert rules.canonical("THC") == "cannabis"
    assert rules.canonical("  Hash ") == "cannabis"
    assert rules.canonical("ETHANOL") == "alcohol"
    assert rules.canonical("Tobacco") == "nicotine"
    assert rules.canonical("Cocaine") == "cocaine"
    assert rules.never_excludes == ("nicotine",)
