"""The `mapp_v1` dosing-session rules as data (DESIGN.md §4; reference/clinical-facts.md §1.1, §2).

Published: the doses, the supplemental window and half dose, the 180 mg cap, the 8-hour session,
the 10-hour fast, the pregnancy test, two providers and discharge to an adult or an overnight stay.
Not published (clinical-facts §2: the trial protocols' vital-sign schedule and action thresholds
were not found): the blood-pressure gate, the alert thresholds, the schedule, the 15-minute
freshness and the two-reading clearance are site defaults chosen for safety, marked so. Issue 9
adds, as site defaults with their reasons: the low limits from the NEWS2 bands (Royal College of
Physicians 2017), the discharge criteria (fresh readings, near the pre-dose baseline, distress on
the SUDS scale of Wolpe 1969, C-SSRS at discharge), the AE special-interest terms and the
supplemental dose's 160/100 physician tier; and, published, MAPP2's 80 or 120 mg at sessions 2–3.
"""

from __future__ import annotations

from datetime import timedelta

from mdma_at.domain.dosing.rules import (
    AdverseEventRules,
    BloodPressureGate,
    BloodPressureLimit,
    DischargeRules,
    DistressScale,
    DosingRules,
    PreDoseRules,
    Sourced,
    SupplementalRules,
)
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.classification import AlertThresholds, Direction, Threshold
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vitals.schedule import MeasurementSchedule
from mdma_at.protocols.mapp_v1.medications import MEDICATIONS

MAPP1_DOSES = Source(
    "MAPP1: session 1 80 mg + 40 mg, sessions 2–3 120 mg + 60 mg midomafetamine HCl [S4]; "
    "MAPP2: session 1 80 mg, sessions 2–3 80 or 120 mg, + half the initial dose [S3][S6] "
    "(clinical-facts §1 table)"
)
ONE_EACH = Source(
    "MAPP1/MAPP2 split dose: one initial dose and one optional supplemental half dose per "
    "experimental session [S3][S4][S6]"
)
WINDOW = Source(
    "MAPP1: supplemental dose 1.5–2.5 h after the initial dose [S4][S12] (registry and MAPP2 "
    "text: 1.5–2 h [S6][S7]; the wider published window is used, both ends allowed)"
)
HALF_DOSE = Source(
    "MAPP1/MAPP2: supplemental 'half-dose' of the initial dose, 'unless contraindicated' "
    "[S3][S4][S6]"
)
CAP = Source("MAPP1/MAPP2: total per session 80–180 mg [S3][S5][S6][S7]")
FRESHNESS = Source(
    "No published value (clinical-facts §2): vitals older than 15 min are not current enough to "
    "dose on; chosen for safety",
    site_default=True,
)
ALERT_WITHHOLDS = Source(
    "Supplemental dose given 'unless contraindicated' [S6][S7]; withholding it during a caution "
    "or critical vital-sign alert is a site default chosen for safety (thresholds not published, "
    "clinical-facts §2)",
    site_default=True,
)

PRE_DOSE = PreDoseRules(
    fasting_hours=Sourced(10.0, Source("MAPP1/MAPP2: 10-hour fast before each session [S13][S14]")),
    providers_present=Sourced(
        2, Source("FDA proposed REMS 2024: two providers on site [S35]; therapist dyad [S11]")
    ),
    consent=Source("Informed consent current before any study procedure (ICH E6 GCP)"),
    eligibility=Source("MAPP1/MAPP2 eligibility signed off before dosing [S14][S37]"),
    washout=Source(
        "MAPP1/MAPP2: psychiatric medications tapered and stopped before baseline [S1][S3]"
    ),
    cssrs=Source(
        "C-SSRS before the initial dose [S13]; a high risk today withholds the dose (site default, "
        "chosen for safety)",
        site_default=True,
    ),
    pregnancy_test=Source(
        "Negative pregnancy test if of childbearing potential (MAPP1/MAPP2) [S14][S37]"
    ),
    bp_gate=BloodPressureGate(
        approval_systolic=140.0,
        approval_diastolic=90.0,
        refuse_systolic=160.0,
        refuse_diastolic=100.0,
        source=Source(
            "ACC/AHA 2017 stage 2 hypertension (≥ 140/90) needs physician approval; ≥ 160/100 no "
            "dose (DESIGN.md §4; no trial value published, clinical-facts §2)",
            site_default=True,
        ),
    ),
    vitals_fresh_for=Sourced(
        timedelta(minutes=15),
        Source(
            "Vitals before the initial dose [S13]; the blood-pressure gate reads the latest "
            "reading, at most 15 min old (site default, chosen for safety)",
            site_default=True,
        ),
    ),
    no_active_alert=Source(
        "Vitals before the initial dose [S13]; an active caution alert withholds the dose until "
        "a physician overrides, a critical one whatever the override (site default, chosen for "
        "safety; the 2026 clinical review)",
        site_default=True,
    ),
    safety_alert=Source(
        "C-SSRS before the initial dose [S13]; an unacknowledged suicide-risk alert from the "
        "instruments (PHQ-9 item 9, C-SSRS) withholds the dose until a physician acknowledges it "
        "in the safety loop (site default, chosen for safety; the 2026 clinical review)",
        site_default=True,
    ),
    adverse_event_review=Source(
        "A serious or special-interest adverse event on the session day, before the initial "
        "dose, needs a physician's review (site default, chosen for safety; the 2026 clinical "
        "review)",
        site_default=True,
    ),
    medication_check=Source(
        "MAPP1/MAPP2: psychiatric medications stopped before dosing [S1][S3]; a medication "
        "started since the last session is checked against the screening washout table, an "
        "unknown one reviewed by a physician (site default; the 2026 clinical review)",
        site_default=True,
    ),
)

TEMPERATURE_FRESH = Sourced(
    timedelta(minutes=60),
    Source(
        "A temperature within the last 60 min for the supplemental dose and discharge (the 2026 "
        "clinical review; "
        "hyperthermia is MDMA's known risk, Vizeli & Liechti 2017 [S32]); temperature is not "
        "taken at every reading, so the freshness is longer than for BP (site default)",
        site_default=True,
    ),
)

SUPPLEMENTAL = SupplementalRules(
    window_start=Sourced(timedelta(hours=1, minutes=30), WINDOW),
    window_end=Sourced(timedelta(hours=2, minutes=30), WINDOW),
    max_fraction_of_initial=Sourced(0.5, HALF_DOSE),
    vitals_fresh_for=Sourced(timedelta(minutes=15), FRESHNESS),
    temperature_fresh_for=TEMPERATURE_FRESH,
    refuse_on_alert=ALERT_WITHHOLDS,
    bp_below=BloodPressureLimit(
        160.0,
        100.0,
        Source(
            "Supplemental dose 'unless contraindicated' [S6][S7]: the latest BP must be below "
            "160/100 mmHg (ACC/AHA 2017 stage 2, the pre-dose 'no dose' tier) or a physician "
            "overrides (site default, chosen for safety; the 2026 clinical review)",
            site_default=True,
        ),
    ),
    adverse_event_hold=Source(
        "Supplemental dose 'unless contraindicated' [S6][S7]: a serious adverse event or one of "
        "special interest since the initial dose withholds it, override or not (site default, "
        "chosen for safety; the 2026 clinical review)",
        site_default=True,
    ),
)

_NO_CRITERIA = "No objective discharge criteria published (clinical-facts §2)"

DISCHARGE = DischargeRules(
    min_after_initial=Sourced(
        timedelta(hours=8),
        Source("MAPP1: 8-hour sessions [S4][S12]; FDA proposed REMS: monitoring ≥ 8 h [S35]"),
    ),
    vitals_fresh_for=Sourced(
        timedelta(minutes=30),
        Source(
            f"{_NO_CRITERIA}; a reading within the last 30 min (one routine interval) proves the "
            "state at discharge: site default chosen for safety (the 2026 clinical review)",
            site_default=True,
        ),
    ),
    temperature_fresh_for=TEMPERATURE_FRESH,
    vitals_in_range=Source(
        f"{_NO_CRITERIA}; every parameter of the latest reading inside both caution limits: site "
        "default chosen for safety (the 2026 clinical review)",
        site_default=True,
    ),
    no_active_alert=Source(
        "No vital-sign alert active at discharge (caution: a physician may override; critical: "
        "never): site default chosen for safety (the 2026 clinical review)",
        site_default=True,
    ),
    near_baseline=Sourced(
        20.0,
        Source(
            "MAPS manual: discharge when the acute effects have worn off [S18]; systolic (mmHg) "
            "and heart rate (/min) at most 20 above the pre-dose baseline reading: site default "
            "(the 2026 clinical review; no published value)",
            site_default=True,
        ),
    ),
    distress_fresh_for=Sourced(
        timedelta(minutes=60),
        Source(
            "FDA proposed REMS: discharge when psychologically stable [S35]; a distress (SUDS) "
            "rating within 60 min: site default (the 2026 clinical review)",
            site_default=True,
        ),
    ),
    distress_not_above_baseline=Source(
        "FDA proposed REMS: psychologically stable at discharge [S35]; SUDS not above the "
        "pre-dose rating, else a physician overrides: site default (the 2026 clinical review)",
        site_default=True,
    ),
    cssrs_fresh_for=Sourced(
        timedelta(minutes=60),
        Source(
            "C-SSRS screener at discharge: after the initial dose and within 60 min (site "
            "default; the 2026 clinical review)",
            site_default=True,
        ),
    ),
    cssrs=Source(
        "C-SSRS screener at discharge [S13]: high risk refuses, moderate needs a physician "
        "override (site default, chosen for safety; the 2026 clinical review)",
        site_default=True,
    ),
    adverse_event_review=Source(
        "A serious or special-interest adverse event during the session needs a physician's "
        "review before discharge (site default, chosen for safety; the 2026 clinical review)",
        site_default=True,
    ),
    physician_signoff=Source(
        "FDA proposed REMS 2024: discharge when psychologically stable [S35]; "
        "physician signs (DESIGN.md §1)"
    ),
    escort_or_overnight=Source(
        "FDA proposed REMS: discharge to an adult [S35]; MAPP1: overnight stay, then driven home "
        "[S14]"
    ),
)

_VIZELI = "Vizeli & Liechti 2017 reference value [S32]"
_CRISIS = "ACC/AHA hypertensive crisis"
_SITE = "conservative site default (no trial value published, clinical-facts §2)"
_NEWS2 = (
    "site default from the NEWS2 bands (Royal College of Physicians, National Early Warning "
    "Score 2, 2017); no trial value published"
)


def _low(limit: float, inclusive: bool, text: str) -> Threshold:
    return Threshold(limit, inclusive, Source(f"{text}: {_NEWS2}", True), Direction.LOW)


THRESHOLDS = AlertThresholds(
    caution={
        Parameter.SYSTOLIC: Threshold(160.0, False, Source(f"SBP > 160 mmHg: {_VIZELI}")),
        Parameter.DIASTOLIC: Threshold(
            100.0, False, Source(f"DBP > 100 mmHg: {_SITE}; Kolbrich 2008 peak 102 [S74]", True)
        ),
        Parameter.HEART_RATE: Threshold(120.0, False, Source(f"HR > 120/min: {_SITE}", True)),
        Parameter.TEMPERATURE: Threshold(38.0, True, Source(f"T ≥ 38.0 °C: {_VIZELI}")),
    },
    critical={
        Parameter.SYSTOLIC: Threshold(180.0, True, Source(f"SBP ≥ 180 mmHg: {_CRISIS}")),
        Parameter.DIASTOLIC: Threshold(120.0, True, Source(f"DBP ≥ 120 mmHg: {_CRISIS}")),
        Parameter.HEART_RATE: Threshold(140.0, True, Source(f"HR ≥ 140/min: {_SITE}", True)),
        Parameter.TEMPERATURE: Threshold(39.0, True, Source(f"T ≥ 39.0 °C: {_SITE}", True)),
    },
    low_caution={
        Parameter.SYSTOLIC: _low(90.0, False, "SBP < 90 mmHg"),
        Parameter.HEART_RATE: _low(50.0, False, "HR < 50/min"),
        Parameter.TEMPERATURE: _low(35.5, False, "T < 35.5 °C"),
        Parameter.SPO2: _low(94.0, False, "SpO2 < 94 %"),
    },
    low_critical={
        Parameter.SYSTOLIC: _low(80.0, False, "SBP < 80 mmHg"),
        Parameter.HEART_RATE: _low(40.0, False, "HR < 40/min"),
        Parameter.TEMPERATURE: _low(35.0, True, "T ≤ 35.0 °C"),
        Parameter.SPO2: _low(90.0, False, "SpO2 < 90 %"),
    },
)

SUDS = DistressScale(
    name="SUDS",
    low=0.0,
    high=100.0,
    source=Source(
        "Subjective Units of Distress Scale, 0 (no distress) to 100 (the worst distress "
        "imaginable): Wolpe J., The Practice of Behavior Therapy, 1969"
    ),
)

ADVERSE_EVENTS = AdverseEventRules(
    special_interest_terms=(
        "chest pain",
        "palpitations",
        "syncope",
        "seizure",
        "convulsion",
        "hyperthermia",
        "serotonin toxicity",
        "serotonin syndrome",
        "hyponatraemia",
        "hyponatremia",
        "suicidal ideation",
        "suicidal behaviour",
        "suicidal behavior",
        "suicide attempt",
        "self-harm",
        "self harm",
    ),
    source=Source(
        "MAPP1 adverse events of special interest: suicidality, cardiac events, abuse potential "
        "[S1][S31]; MDMA's known acute risks (hyperthermia, hyponatraemia, serotonin toxicity, "
        "seizure) and the list of the 2026 clinical review (site default); a term matches when "
        "it contains a "
        "listed term, case and punctuation ignored",
        site_default=True,
    ),
)

SCHEDULE = MeasurementSchedule(
    routine=timedelta(minutes=30),
    late_after=timedelta(hours=6),
    late=timedelta(hours=1),
    caution=timedelta(minutes=10),
    critical=timedelta(minutes=5),
    source=Source(
        "Pre-dose; every 30 min to 6 h; hourly to discharge; every 10 min after caution; every "
        "5 min after critical with the physician paged (DESIGN.md §4; no trial schedule "
        "published, clinical-facts §2)",
        site_default=True,
    ),
)

DOSING = DosingRules(
    initial_mg={1: (80.0,), 2: (80.0, 120.0), 3: (80.0, 120.0)},
    initial_source=MAPP1_DOSES,
    one_initial=ONE_EACH,
    one_supplemental=ONE_EACH,
    session_cap_mg=Sourced(180.0, CAP),
    pre_dose=PRE_DOSE,
    supplemental=SUPPLEMENTAL,
    discharge=DISCHARGE,
    thresholds=THRESHOLDS,
    schedule=SCHEDULE,
    readings_to_clear=Sourced(
        2,
        Source(
            "Alert clears after two consecutive readings below caution (DESIGN.md §4): site "
            "default chosen for safety",
            site_default=True,
        ),
    ),
    distress=SUDS,
    adverse_events=ADVERSE_EVENTS,
    medications=MEDICATIONS,
)
