"""The `mapp_v1` dosing-session rules as data (DESIGN.md §4; reference/clinical-facts.md §1.1, §2).

Published: the doses, the supplemental window and half dose, the 180 mg cap, the 8-hour session,
the 10-hour fast, the pregnancy test, two providers and discharge to an adult or an overnight stay.
Not published (clinical-facts §2: the trial protocols' vital-sign schedule and action thresholds
were not found): the blood-pressure gate, the alert thresholds, the schedule, the 15-minute
freshness and the two-reading clearance are site defaults chosen for safety, marked so.
"""

from __future__ import annotations

from datetime import timedelta

from mdma_at.domain.dosing.rules import (
    BloodPressureGate,
    DischargeRules,
    DosingRules,
    PreDoseRules,
    Sourced,
    SupplementalRules,
)
from mdma_at.domain.sources import Source
from mdma_at.domain.vitals.classification import AlertThresholds, Threshold
from mdma_at.domain.vitals.readings import Parameter
from mdma_at.domain.vitals.schedule import MeasurementSchedule

MAPP1_DOSES = Source(
    "MAPP1: session 1 80 mg + 40 mg, sessions 2–3 120 mg + 60 mg midomafetamine HCl [S4]; "
    "MAPP2: 80 or 120 mg + half dose [S3][S6]"
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
        "Vitals before the initial dose [S13]; an active vital-sign alert withholds the dose "
        "until a physician overrides (site default, chosen for safety)",
        site_default=True,
    ),
)

SUPPLEMENTAL = SupplementalRules(
    window_start=Sourced(timedelta(hours=1, minutes=30), WINDOW),
    window_end=Sourced(timedelta(hours=2, minutes=30), WINDOW),
    max_fraction_of_initial=Sourced(0.5, HALF_DOSE),
    vitals_fresh_for=Sourced(timedelta(minutes=15), FRESHNESS),
    refuse_on_alert=ALERT_WITHHOLDS,
)

DISCHARGE = DischargeRules(
    min_after_initial=Sourced(
        timedelta(hours=8),
        Source("MAPP1: 8-hour sessions [S4][S12]; FDA proposed REMS: monitoring ≥ 8 h [S35]"),
    ),
    vitals_below_caution=Source(
        "No objective discharge criteria published (clinical-facts §2); latest vitals below the "
        "caution thresholds is a site default chosen for safety",
        site_default=True,
    ),
    no_critical_alert=Source(
        "No critical vital-sign alert active at discharge: site default chosen for safety",
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
    initial_mg={1: 80.0, 2: 120.0, 3: 120.0},
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
)
