"""The `mapp_v1` eligibility criteria, as data (reference/clinical-facts.md §3; tags [S#] there).

Inclusion: age ≥ 18; DSM-5 PTSD on CAPS-5 with a total ≥ 28 and symptoms ≥ 6 months (MAPP2).
Exclusions, review items and conditions allowed when controlled follow the Phase 3 supplementary
information as quoted by [S33]. Where no published value exists (the QTc cut-off, the screening
blood pressure, heart rate, temperature and weight, liver and seizure disorders), the value is a
site default chosen for safety and says so (`site_default=True`).
"""

from __future__ import annotations

from mdma_at.domain.eligibility.criteria import (
    BloodPressureReview,
    ConditionEffect,
    ConditionRule,
    EligibilityCriteria,
    Limit,
    QtcLimits,
    ScreeningVitalsReview,
    SubstanceRules,
)
from mdma_at.domain.sources import Source
from mdma_at.protocols.mapp_v1.labs import LAB_PANEL

PHASE3_PSYCHIATRIC = "Phase 3 exclusion (MAPP2 Supplementary Information, quoted in [S33])"
PHASE3_CARDIO = (
    "Phase 3 cardiovascular exclusion (MAPP2 Supplementary Information, quoted in [S33])"
)
SYMPATHOMIMETIC = Source(
    "MAPP1 Methods: any medical condition that could make receiving a sympathomimetic drug "
    "harmful due to increased blood pressure and heart rate [S33]"
)
ALLOWED_IF_MANAGED = Source(
    "Phase 3: allowed if well managed and mild: hypertension, asymptomatic hepatitis C, "
    "diabetes mellitus, hyperthyroidism, glaucoma [S33]"
)


def _condition(code: str, snomed_ct: str, display: str, effect: ConditionEffect,
               source: Source) -> ConditionRule:  # fmt: skip
    return ConditionRule(code, snomed_ct, display, effect, source)


#: Other names a candidate or a referral letter uses, matched case-insensitively (issue 9: "THC"
#: was not recognised as cannabis). A name not listed is judged by the rule for other substances.
CANNABIS_ALIASES = tuple(
    (name, "cannabis")
    for name in ("marijuana", "marihuana", "thc", "delta-9-thc", "Δ9-thc", "weed", "hash",
                 "hashish", "pot", "ganja", "skunk", "grass", "cannabis resin", "cannabinoids")
)  # fmt: skip
ALCOHOL_ALIASES = tuple(
    (name, "alcohol")
    for name in ("ethanol", "etoh", "ethyl alcohol", "beer", "wine", "spirits", "liquor", "booze")
)  # fmt: skip
NICOTINE_ALIASES = tuple(
    (name, "nicotine")
    for name in ("tobacco", "cigarettes", "cigarette", "cigars",
                 "e-cigarettes", "e-cigarette", "snus", "chewing tobacco")
)  # fmt: skip

EXCLUDES = ConditionEffect.EXCLUDES
REVIEW = ConditionEffect.NEEDS_REVIEW
NOTE = ConditionEffect.ALLOWED_WITH_NOTE

#: The condition code table: intake code → SNOMED CT concept, effect and source (DESIGN.md §5).
CONDITIONS = (
    _condition("psychotic_disorder", "69322001", "primary psychotic disorder", EXCLUDES,
               Source(f"{PHASE3_PSYCHIATRIC}: history of or current primary psychotic disorder")),
    _condition("bipolar_i", "371596008", "bipolar I disorder", EXCLUDES,
               Source(f"{PHASE3_PSYCHIATRIC}: bipolar I disorder")),
    _condition("dissociative_identity_disorder", "18085000", "dissociative identity disorder",
               EXCLUDES, Source(f"{PHASE3_PSYCHIATRIC}: dissociative identity disorder")),
    _condition("eating_disorder_active_purging", "72366004",
               "eating disorder with active purging", EXCLUDES,
               Source(f"{PHASE3_PSYCHIATRIC}: eating disorder with active purging")),
    _condition("mdd_with_psychotic_features", "73867007",
               "major depression with psychotic features", EXCLUDES,
               Source(f"{PHASE3_PSYCHIATRIC}: major depression with psychotic features")),
    _condition("personality_disorder", "33449004", "personality disorder", REVIEW,
               Source(f"{PHASE3_PSYCHIATRIC} lists personality disorders; mapp_v1 leaves the "
                      "decision to the physician, as severity and type vary", site_default=True)),
    _condition("arrhythmia", "698247007", "arrhythmia", EXCLUDES,
               Source(f"{PHASE3_CARDIO}: history of arrhythmia")),
    _condition("hypertension", "38341003", "hypertension",
               ConditionEffect.EXCLUDES_WHEN_UNCONTROLLED,
               Source(f"{PHASE3_CARDIO}: uncontrolled hypertension; controlled hypertension "
                      "allowed if well managed and mild [S33]")),
    _condition("coronary_artery_disease", "53741008", "coronary artery disease", EXCLUDES,
               SYMPATHOMIMETIC),
    _condition("heart_failure", "84114007", "heart failure", EXCLUDES, SYMPATHOMIMETIC),
    _condition("stroke", "230690007", "stroke", EXCLUDES, SYMPATHOMIMETIC),
    _condition("aneurysm", "432119003", "aneurysm", EXCLUDES, SYMPATHOMIMETIC),
    _condition("liver_disease", "235856003", "liver disease", REVIEW,
               Source("No published liver-disease criterion found (clinical-facts §3.2); the "
                      "physician decides, chosen for safety as MDMA is cleared by the liver",
                      site_default=True)),
    _condition("seizure_disorder", "128613002", "seizure disorder", REVIEW,
               Source("No published seizure criterion found (clinical-facts §3.2); the physician "
                      "decides, chosen for safety", site_default=True)),
    _condition("hepatitis_c", "50711007", "hepatitis C", NOTE, ALLOWED_IF_MANAGED),
    _condition("diabetes", "73211009", "diabetes mellitus", NOTE, ALLOWED_IF_MANAGED),
    _condition("hyperthyroidism", "34486009", "hyperthyroidism", NOTE, ALLOWED_IF_MANAGED),
    _condition("glaucoma", "23986001", "glaucoma", NOTE, ALLOWED_IF_MANAGED),
)  # fmt: skip

ELIGIBILITY = EligibilityCriteria(
    minimum_age_years=Limit(18, Source("MAPP1/MAPP2 inclusion: 18 years or older [S14][S37]")),
    ptsd_diagnosis=Source("MAPP1/MAPP2 inclusion: DSM-5 PTSD on CAPS-5 [S3][S14]"),
    minimum_caps5_total=Limit(28, Source("MAPP2 inclusion: CAPS-5 total 28 or more [S3]")),
    minimum_ptsd_duration_months=Limit(
        6, Source("MAPP2 inclusion: PTSD symptoms for 6 months or more [S3]")
    ),
    conditions=CONDITIONS,
    unknown_condition=Source(
        "DESIGN.md §5: unknown condition codes are never ignored; the physician reviews them",
        site_default=True,
    ),
    minimum_weight_kg=Limit(
        48,
        Source(
            "No published weight or BMI limit found (clinical-facts §3.2: 'BMI or weight limits' "
            "not found); 48 kg is the figure the 2026 clinical review recalled for MAPP, not "
            "verified. Below it the physician reviews, chosen for safety: the doses are fixed "
            "(80–180 mg a session), not per kg, so the lightest candidates get the highest "
            "exposure per kg",
            site_default=True,
        ),
    ),
    substances=SubstanceRules(
        graded_substances=("alcohol", "cannabis"),
        aliases=CANNABIS_ALIASES + ALCOHOL_ALIASES + NICOTINE_ALIASES,
        graded_source=Source(
            f"{PHASE3_PSYCHIATRIC}: severe alcohol or cannabis use disorder, also moderate if not "
            "in remission"
        ),
        sustained_remission_source=Source(
            f"{PHASE3_PSYCHIATRIC} excludes severe alcohol or cannabis use disorder; severe in "
            "sustained remission goes to the physician instead (the 2026 clinical review). "
            "DSM-5 'sustained "
            "remission' is no criterion met for 12 months or longer; the intake records the last "
            "use, so sustained is read as in remission with the last use more than 365 days "
            "before screening",
            site_default=True,
        ),
        lookback_days=365,
        lookback_source=Source(
            f"{PHASE3_PSYCHIATRIC}: any other substance use disorder within 12 months of "
            "enrolment; 12 months counted as 365 days before the screening date; an older one is "
            "allowed and shown to the signing physician"
        ),
        never_excludes=("nicotine",),
        never_excludes_source=Source(
            f"{PHASE3_PSYCHIATRIC} names no nicotine or tobacco exclusion (the 2026 clinical "
            "review: "
            "nicotine never excludes); shown to the physician as a note"
        ),
    ),
    suicide_risk=Source(
        f"{PHASE3_PSYCHIATRIC}: serious imminent suicide risk excludes; moderate risk goes to "
        "the physician (site default)"
    ),
    blood_pressure=BloodPressureReview(
        systolic=140,
        diastolic=90,
        source=Source(
            "ACC/AHA 2017 stage 2 (140/90 mmHg), as the pre-dose gate of DESIGN.md §4; no trial "
            "screening value published, chosen for safety (uncontrolled hypertension excludes)",
            site_default=True,
        ),
        exclude_systolic=160,
        exclude_diastolic=100,
        exclude_source=Source(
            f"{PHASE3_CARDIO}: uncontrolled hypertension. A reading of 160/100 mmHg or more is "
            "not controlled today, whatever the history says: the level at which DESIGN.md §4 "
            "gives no dose (ACC/AHA 2017); no trial screening value published",
            site_default=True,
        ),
    ),
    vitals=ScreeningVitalsReview(
        heart_rate_above=100,
        heart_rate_source=Source(
            "Resting tachycardia, > 100/min, the level Vizeli & Liechti report MDMA reached in 29% "
            f"of healthy subjects [S32]; {PHASE3_CARDIO} excludes conditions made harmful by a "
            "raised heart rate [S33]: re-check at rest, chosen for safety",
            site_default=True,
        ),
        temperature_at_or_above=38.0,
        temperature_source=Source(
            "Fever, ≥ 38.0 °C, the in-session caution limit of DESIGN.md §4 (MDMA raised "
            "temperature above 38 °C in 19% of healthy subjects [S32]): re-check before a "
            "verdict, chosen for safety",
            site_default=True,
        ),
    ),
    qtc=QtcLimits(
        male=450,
        female=460,
        other=450,
        source=Source(
            f"{PHASE3_CARDIO}: marked baseline prolongation of the QT/QTc interval; no numeric "
            "cut-off published: > 450 ms (male) / > 460 ms (female) chosen for safety, and the "
            "stricter 450 ms for any other sex",
            site_default=True,
        ),
    ),
    pregnancy=Source(
        "MAPP1/MAPP2: pregnancy excluded in effect by the pregnancy-test and contraception rules "
        "[S14]"
    ),
    breastfeeding=Source(
        "Issue 3 criteria: breastfeeding excludes; no trial text retrieved, chosen for safety",
        site_default=True,
    ),
    pregnancy_test=Source(
        "MAPP1/MAPP2 inclusion: negative pregnancy test at entry if of childbearing potential "
        "[S14][S37]"
    ),
    unknown_medication=Source(
        "DESIGN.md §5: unknown medications are never ignored; the physician reviews them",
        site_default=True,
    ),
    labs=LAB_PANEL,
)
