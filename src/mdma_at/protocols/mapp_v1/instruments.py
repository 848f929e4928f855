"""The `mapp_v1` instruments as data: items, ranges, clusters, bands, cut-offs, codes, sources.

Facts and their sources: reference/clinical-facts.md §4 and §9 ([S#] tags) and docs/instruments.md
(which also records how each item text and LOINC code was verified). PCL-5, PHQ-9 and GAD-7 item
text ships; C-SSRS and CAPS-5 ship no item text (their electronic use / distribution is licensed).
A LOINC code that could not be verified is None, never guessed.

The due-at-visit table (issue 4, item 3) is keyed by the visit kinds and codes of
`mdma_at.protocols.mapp_v1.schedule`.
"""

from __future__ import annotations

from mdma_at.domain.instruments.change import ChangeRule
from mdma_at.domain.instruments.definitions import (
    Administration,
    AnswerKind,
    Band,
    ClusterDefinition,
    Cutoff,
    DiagnosisRule,
    InstrumentCode,
    InstrumentDefinition,
    ItemAlertRule,
    ItemDefinition,
    MissingItemRule,
    ScoringMethod,
)
from mdma_at.domain.instruments.due import DueRule, DueTiming
from mdma_at.domain.instruments.library import InstrumentLibrary
from mdma_at.domain.schedule.definitions import VisitKind
from mdma_at.domain.sources import Source
from mdma_at.domain.vocabulary import AlertLevel

# --- DSM-5 clusters, shared by the PCL-5 and the CAPS-5 ([S40][S41]) ----------------------------

DSM5_CLUSTERS = (
    ClusterDefinition("B", "intrusion", (1, 2, 3, 4, 5), 1),
    ClusterDefinition("C", "avoidance", (6, 7), 1),
    ClusterDefinition(
        "D", "negative alterations in cognitions and mood", (8, 9, 10, 11, 12, 13, 14), 2
    ),
    ClusterDefinition("E", "alterations in arousal and reactivity", (15, 16, 17, 18, 19, 20), 2),
)

# --- PCL-5 -------------------------------------------------------------------------------------

PCL5_SOURCE = Source(
    "Weathers, Litz, Keane, Palmieri, Marx & Schnurr (2013), The PTSD Checklist for DSM-5 "
    "(PCL-5), National Center for PTSD; public domain [S76][S77]; scoring [S40][S78]"
)
PCL5_TEXT = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can be "
    "trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or have "
    "loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    "Being “superalert” or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

PCL5 = InstrumentDefinition(
    code=InstrumentCode.PCL5,
    name="PCL-5",
    version="PCL-5 (Weathers et al. 2013), past-month standard form",
    administration=Administration.SELF_REPORT,
    answer_kind=AnswerKind.ORDINAL,
    scoring=ScoringMethod.SUM,
    items=tuple(ItemDefinition(n, str(n), text, 0, 4) for n, text in enumerate(PCL5_TEXT, 1)),
    stem="In the past month, how much were you bothered by:",
    options=("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    clusters=DSM5_CLUSTERS,
    symptom_present_at=2,
    diagnosis_rule=DiagnosisRule.DSM5_PROVISIONAL,
    # No bands: "there are currently no empirically derived severity ranges for the PCL-5" [S40].
    cutoff=Cutoff(33, 31, 33, Source("PCL-5 probable PTSD cut-point 31–33 [S40][S78]")),
    missing=MissingItemRule(
        2,
        "a PCL-5 total is prorated when at most 2 of 20 items are missing, else there is no "
        "total (no published rule was found; site default, see docs/instruments.md)",
        Source(
            "No published PCL-5 missing-item rule found; at most 2 of 20 (10%) missing, "
            "stricter than the PHQ-9 rule, chosen for safety",
            True,
        ),
    ),
    panel_loinc="101697-1",
    total_loinc="101698-9",
    source=PCL5_SOURCE,
    licence="public domain, not copyrighted (National Center for PTSD) [S76][S77]: item text ships",
)

# --- PHQ-9 -------------------------------------------------------------------------------------

PHQ_OPTIONS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
PHQ_OPTION_LOINC = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")
PHQ9_SOURCE = Source(
    "Kroenke, Spitzer & Williams (2001), The PHQ-9, J Gen Intern Med 16:606–613; bands "
    "0–4/5–9/10–14/15–19/20–27 [S82]"
)
PHQ9_ITEMS = (
    ("Little interest or pleasure in doing things", "44250-9"),
    ("Feeling down, depressed, or hopeless", "44255-8"),
    ("Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    ("Feeling tired or having little energy", "44254-1"),
    ("Poor appetite or overeating", "44251-7"),
    (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "44258-2",
    ),
    (
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    (
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    ("Thoughts that you would be better off dead or of hurting yourself in some way", "44260-8"),
)
PHQ9_ITEM9_ALERT = Source(
    "Issue 4: PHQ-9 item 9 > 0 raises a suicide-risk alert; level critical chosen for safety "
    "(any positive answer is reviewed by a physician)",
    True,
)

PHQ9 = InstrumentDefinition(
    code=InstrumentCode.PHQ9,
    name="PHQ-9",
    version="PHQ-9 (Pfizer, © 1999), 2-week recall",
    administration=Administration.SELF_REPORT,
    answer_kind=AnswerKind.ORDINAL,
    scoring=ScoringMethod.SUM,
    items=tuple(
        ItemDefinition(n, str(n), text, 0, 3, loinc)
        for n, (text, loinc) in enumerate(PHQ9_ITEMS, 1)
    ),
    stem=(
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    ),
    options=PHQ_OPTIONS,
    option_loinc=PHQ_OPTION_LOINC,
    bands=(
        Band("minimal", 0, 4),
        Band("mild", 5, 9),
        Band("moderate", 10, 14),
        Band("moderately_severe", 15, 19),
        Band("severe", 20, 27),
    ),
    bands_source=PHQ9_SOURCE,
    cutoff=Cutoff(
        10,
        10,
        10,
        Source(
            "PHQ-9 >= 10 detects major depression (sensitivity 88%, specificity 88%, Kroenke 2001; "
            "Arroll 2010, Ann Fam Med, PMC2906530)"
        ),
    ),
    missing=MissingItemRule(
        2,
        "a PHQ-9 total is prorated when at most 2 of 9 items are missing (missing items take the "
        "mean of the answered ones), else there is no total; item 9 is never assumed",
        Source(
            "Arrieta et al. (2017), J Clin Psychol, doi:10.1002/jclp.22390: questionnaires "
            "with up to two missing values are scored with the mean of the completed items "
            "(as documented by the qscorer R package)"
        ),
    ),
    alert_rules=(
        ItemAlertRule(
            9,
            0,
            "phq9_item9_positive",
            AlertLevel.CRITICAL,
            "Suicide risk: thoughts of being better off dead or of self-harm",
            PHQ9_ITEM9_ALERT,
            alert_when_missing=True,
        ),
    ),
    panel_loinc="44249-1",
    total_loinc="44261-6",
    source=PHQ9_SOURCE,
    licence="Pfizer copyright; 'no permission required to reproduce, translate, display or "
    "distribute' (PHQ screeners): item text ships [S80]",
)

# --- GAD-7 -------------------------------------------------------------------------------------

GAD7_SOURCE = Source(
    "Spitzer, Kroenke, Williams & Löwe (2006), A brief measure for assessing generalized anxiety "
    "disorder: the GAD-7, Arch Intern Med 166:1092–1097; bands [S81][S85]"
)
GAD7_ITEMS = (
    ("Feeling nervous, anxious or on edge", "69725-0"),
    ("Not being able to stop or control worrying", "68509-9"),
    ("Worrying too much about different things", "69733-4"),
    ("Trouble relaxing", "69734-2"),
    ("Being so restless that it is hard to sit still", "69735-9"),
    ("Becoming easily annoyed or irritable", "69689-8"),
    ("Feeling afraid as if something awful might happen", "69736-7"),
)

GAD7 = InstrumentDefinition(
    code=InstrumentCode.GAD7,
    name="GAD-7",
    version="GAD-7 (Pfizer), 2-week recall",
    administration=Administration.SELF_REPORT,
    answer_kind=AnswerKind.ORDINAL,
    scoring=ScoringMethod.SUM,
    items=tuple(
        ItemDefinition(n, str(n), text, 0, 3, loinc)
        for n, (text, loinc) in enumerate(GAD7_ITEMS, 1)
    ),
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    options=PHQ_OPTIONS,
    option_loinc=PHQ_OPTION_LOINC,
    bands=(
        Band("minimal", 0, 4),
        Band("mild", 5, 9),
        Band("moderate", 10, 14),
        Band("severe", 15, 21),
    ),
    bands_source=GAD7_SOURCE,
    cutoff=Cutoff(
        10,
        10,
        10,
        Source(
            "GAD-7 >= 10 screens positive for generalized anxiety disorder (Spitzer 2006, as "
            "documented by the R package cliot, gad7_anxiety_screen) [S85]"
        ),
    ),
    missing=MissingItemRule(
        1,
        "a GAD-7 total is prorated when at most 1 of 7 items is missing, else there is no total "
        "(no published GAD-7 rule was found; site default, see docs/instruments.md)",
        Source(
            "No published GAD-7 missing-item rule found; 1 of 7 keeps the PHQ-9 proportion "
            "(2 of 9) without exceeding it, chosen for safety",
            True,
        ),
    ),
    panel_loinc="69737-5",
    total_loinc="70274-6",
    source=GAD7_SOURCE,
    licence="Pfizer copyright; 'no permission required' (PHQ screeners): item text ships [S81]",
)

# --- C-SSRS screener ---------------------------------------------------------------------------

# LOINC 93373-9 "Columbia - suicide severity rating scale screener - recent [C-SSRS]": items
# 1–6 and 6b in form order (verification: docs/instruments.md §7).
CSSRS_ITEM_LOINC = ("93246-7", "93247-5", "93248-3", "93249-1", "93250-9", "93267-3", "93269-9")

CSSRS_SCREEN = InstrumentDefinition(
    code=InstrumentCode.CSSRS_SCREEN,
    name="C-SSRS screener",
    version="C-SSRS screen version, items 1–6 and 6b (within the past 3 months)",
    administration=Administration.CLINICIAN,
    answer_kind=AnswerKind.YES_NO,
    scoring=ScoringMethod.CSSRS_SCREEN,
    items=(
        *(
            ItemDefinition(n, str(n), None, 0, 1, code)
            for n, code in enumerate(CSSRS_ITEM_LOINC[:6], 1)
        ),
        ItemDefinition(7, "6b", None, 0, 1, CSSRS_ITEM_LOINC[6]),
    ),
    option_loinc=("LA32-8", "LA33-6"),  # no, yes
    missing=MissingItemRule(
        0,
        "no answer is assumed: blanks allowed only where the screener's skip logic skips the "
        "question (3–5 after no to 2; 6b after no to 6); otherwise the risk is undetermined and "
        "an alert asks to complete the screen",
        Source(
            "C-SSRS screener skip logic [S88]; an incomplete screen is never read as 'none', "
            "chosen for safety",
            True,
        ),
    ),
    panel_loinc="93373-9",
    source=Source("Columbia Lighthouse Project, C-SSRS screener [S88][S89]"),
    licence="electronic implementations are licensed (Clario/ERT, © RFMH) [S91]: no item text "
    "ships; the clinician enters the answers",
)

# --- CAPS-5 ------------------------------------------------------------------------------------

CAPS5 = InstrumentDefinition(
    code=InstrumentCode.CAPS5,
    name="CAPS-5",
    version="CAPS-5 past-month version, 20 DSM-5 symptom severities",
    administration=Administration.CLINICIAN,
    answer_kind=AnswerKind.ORDINAL,
    scoring=ScoringMethod.SUM,
    items=tuple(ItemDefinition(n, str(n), None, 0, 4) for n in range(1, 21)),
    clusters=DSM5_CLUSTERS,
    symptom_present_at=2,
    diagnosis_rule=DiagnosisRule.DSM5_WITH_F_AND_G,
    bands=(
        Band("asymptomatic", 0, 10),
        Band("mild", 11, 22),
        Band("moderate", 23, 34),
        Band("severe", 35, 46),
        Band("extreme", 47, 80),
    ),
    bands_source=Source("Severity bands used in the MAPS programme (secondary) [S13]"),
    missing=MissingItemRule(
        0,
        "every CAPS-5 item must be rated: no total with any item missing (never prorated); the "
        "diagnosis is given only when no rating of the missing items could change it",
        Source(
            "CAPS-5 is a rater-administered interview rating all 20 symptoms [S5][S39]; "
            "no proration, chosen for safety of the primary endpoint",
            True,
        ),
    ),
    source=Source(
        "Weathers et al., Clinician-Administered PTSD Scale for DSM-5 (CAPS-5), "
        "National Center for PTSD [S5][S39][S92]"
    ),
    licence="distributed by the National Center for PTSD on request to credentialed users [S92]: "
    "no item text ships; the rater enters item severities",
)

# --- Change categories -------------------------------------------------------------------------

CHANGE_CAPS5 = ChangeRule(
    InstrumentCode.CAPS5,
    meaningful_drop=10,
    remission_max_total=11,
    worsening_rise=10,
    source=Source(
        "MAPP change grades, escalating and mutually exclusive (the 2026 clinical review; "
        "labels [S33]): response "
        "= a drop >= 10 points (secondary) [S13]; loss of diagnosis = a response and DSM-5 no "
        "longer met [S4]; remission = a loss of diagnosis and total <= 11 (the 2026 clinical "
        "review gives it as MAPP's; the published text was not retrieved [§4]); worsening as a "
        ">= 10-point rise "
        "mirrors the response (site default)",
        True,
    ),
)
CHANGE_PCL5 = ChangeRule(
    InstrumentCode.PCL5,
    meaningful_drop=10,
    remission_max_total=11,
    worsening_rise=10,
    source=Source(
        "PCL-5 10-point change clinically meaningful (secondary) [S79]; the CAPS-5 grades "
        "(loss of diagnosis needs a response; remission <= 11) carried over, and worsening as a "
        ">= 10-point rise (site defaults)",
        True,
    ),
)

# --- Due at which visit (issue 4, item 3) ------------------------------------------------------

SELF_REPORT_DUE = Source(
    "Issue 4: PCL-5, PHQ-9 and GAD-7 at preparation, before each dosing session, at every "
    "assessment visit and follow-up (every preparation visit and the primary endpoint "
    "included: site default, see docs/instruments.md)",
    True,
)
CSSRS_DUE = Source(
    "Issue 4: C-SSRS at every session; MAPP1/MAPP2: C-SSRS before each dose (DESIGN.md §4)"
)
CAPS5_DUE = Source(
    "Issue 4: CAPS-5 at baseline, the assessment visits, the primary endpoint and follow-up "
    "[S1][S4][S13]"
)

ASSESSMENTS = frozenset({VisitKind.ASSESSMENT, VisitKind.PRIMARY_ENDPOINT, VisitKind.FOLLOW_UP})
SELF_REPORT_KINDS = ASSESSMENTS | {VisitKind.PREPARATION}

DUE_RULES = (
    *(
        DueRule(code, SELF_REPORT_KINDS, DueTiming.AT_VISIT, SELF_REPORT_DUE)
        for code in (InstrumentCode.PCL5, InstrumentCode.PHQ9, InstrumentCode.GAD7)
    ),
    *(
        DueRule(code, frozenset({VisitKind.DOSING}), DueTiming.BEFORE_DOSE, SELF_REPORT_DUE)
        for code in (InstrumentCode.PCL5, InstrumentCode.PHQ9, InstrumentCode.GAD7)
    ),
    DueRule(
        InstrumentCode.CSSRS_SCREEN,
        frozenset(VisitKind) - {VisitKind.DOSING},
        DueTiming.AT_VISIT,
        CSSRS_DUE,
    ),
    DueRule(
        InstrumentCode.CSSRS_SCREEN, frozenset({VisitKind.DOSING}), DueTiming.BEFORE_DOSE, CSSRS_DUE
    ),
    DueRule(
        InstrumentCode.CAPS5,
        ASSESSMENTS,
        DueTiming.AT_VISIT,
        CAPS5_DUE,
        visit_codes=frozenset({"baseline"}),
    ),
)

INSTRUMENTS = InstrumentLibrary(
    definitions=(PCL5, PHQ9, GAD7, CSSRS_SCREEN, CAPS5),
    due_rules=DUE_RULES,
    change_rules=(CHANGE_CAPS5, CHANGE_PCL5),
)
