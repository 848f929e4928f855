"""The trial report's numbers on one small case a reader can check by hand (issue 19, item 3).

Four randomised participants, two per arm; six patients screened. Every expected number below is
worked out in its comment from the data in this file (arithmetic, the Wilson formula, Student's t
table), never from the code's output.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from mdma_at.analysis import figures, published
from mdma_at.analysis.efficacy import primary_endpoint_analysis
from mdma_at.analysis.trial_report import analyse
from mdma_at.domain.randomisation.study import Arm, Method, Study
from mdma_at.services.exports.research import ResearchExport
from mdma_at.services.trials.report import Participant, Screened, TrialRecords

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ARMS = (Arm("mdma", "MDMA-AT"), Arm("placebo", "Placebo with therapy"))
STUDY = Study(1, "HAND-1", "A hand-checked study", "mapp_v1", ARMS, (1,), 4, Method.BLOCKS,
              (2,), ("site",), 0.8, 1, "seal", NOW)  # fmt: skip
VISITS = ("assess1", "assess2", "assess3", "primary")  # protocols/mapp_v1 post-baseline CAPS-5


def _records(participants: tuple[Participant, ...], screened: tuple[Screened, ...]) -> TrialRecords:
    return TrialRecords(STUDY, ARMS, ResearchExport((), NOW), participants, screened, (),
                        "s.stat", NOW)  # fmt: skip


HAND = (
    Participant("A1", "mdma", 30, "female", None, None),
    Participant("A2", "mdma", 40, "male", None, None),
    Participant("P1", "placebo", 50, "female", None, None),
    Participant("P2", "placebo", 60, "female", date(2026, 9, 1), "moved away"),
)
SCREENED = (
    *(Screened("eligible", (), True) for _ in range(4)),
    Screened("ineligible", ("caps5_total",), False),
    Screened("eligible", (), False),
)
# CAPS-5 totals: baseline and primary only (P2 withdrew after baseline)
RATINGS = {"A1": (40, 20), "A2": (36, 16), "P1": (38, 30), "P2": (42, None)}


def _tables() -> dict[str, pd.DataFrame]:
    arm = {p.subject: p.arm for p in HAND}
    efficacy = [
        {"subject": s, "arm": arm[s], "visit": v, "value": x}
        for s, (base, end) in RATINGS.items()
        for v, x in (("baseline", base), ("primary", end))
    ]
    responders = [
        {"subject": s, "arm": arm[s], "baseline": base, "value": end,
         "meets_dsm5": None if end is None else end >= 25}
        for s, (base, end) in RATINGS.items()
    ]  # fmt: skip
    return {
        "efficacy": pd.DataFrame(efficacy),
        "responders": pd.DataFrame(responders),
        "population": pd.DataFrame([{"subject": s, "arm": arm[s]} for s in arm]),
        "aes": pd.DataFrame(
            [
                {
                    "subject": "A1",
                    "arm": "mdma",
                    "session": 1,
                    "term": "Nausea",
                    "category": "other",
                    "severity": "mild",
                    "serious": False,
                    "relatedness": "related",
                    "treatment_emergent": True,
                    "special_interest": "",
                    "solicited": True,
                    "onset": "2026-08-01",
                }
            ]
        ),
        "vitals": pd.DataFrame(
            [
                {
                    "subject": "A1",
                    "arm": "mdma",
                    "session": 1,
                    "t": t,
                    "systolic": sbp,
                    "diastolic": 80,
                    "heart_rate": 70,
                    "temperature_c": 36.8,
                    "spo2": 98,
                    "pre_dose": t < 0,
                }
                for t, sbp in ((-10, 120), (60, 150), (120, 140))
            ]
        ),
    }


def test_the_flow_and_table_1_match_the_hand_count() -> None:
    report = analyse(_records(HAND, SCREENED), _tables())
    flow = report.flow
    # 6 screened; excluded: the ineligible one (caps5_total) and the eligible one never joined
    assert (flow.assessed, flow.excluded, flow.randomised) == (6, 2, 4)
    assert dict(flow.excluded_reasons) == {"caps5 total": 1, "eligible, not randomised (yet)": 1}
    active, placebo = flow.arms
    # A1, A2 rated at primary; P1 rated, P2 withdrew ("moved away") with a baseline only
    assert (active.allocated, active.discontinued, active.completed, active.analysed) == (
        2,
        0,
        2,
        2,
    )
    assert (placebo.allocated, placebo.discontinued, placebo.completed) == (2, 1, 1)
    assert placebo.discontinued_reasons == (("moved away", 1),)
    assert placebo.analysed == 1  # P2 has no rating after baseline
    rows = {row.label: row.cells for row in report.baseline}
    # ages 30, 40 -> 35.0, SD sqrt(50) = 7.07; 50, 60 -> 55.0 (7.1); all four: 45.0, SD
    # sqrt((225 + 25 + 25 + 225) / 3) = 12.91
    assert rows["Age, years: mean (SD)"] == ("35.0 (7.1)", "55.0 (7.1)", "45.0 (12.9)")
    # CAPS-5 40, 36 -> 38.0, SD sqrt(8) = 2.83; 38, 42 -> 40.0 (2.8); all: 39.0, SD
    # sqrt((1 + 9 + 1 + 9) / 3) = 2.58
    assert rows["CAPS-5 total at baseline: mean (SD)"] == ("38.0 (2.8)", "40.0 (2.8)", "39.0 (2.6)")
    assert rows["Female, n (%)"] == ("1 (50.0 %)", "2 (100.0 %)", "3 (75.0 %)")


def test_rates_and_the_mapp2_judgements_match_the_wilson_formula() -> None:
    report = analyse(_records(HAND, SCREENED), _tables())
    by_key = {c.figure.key: c for c in report.comparison}
    # Wilson 95 % (z = 1.96): 2/2 -> centre (1 + 1.9208/2) / 2.9208 = 0.6712, half
    # 1.96 * sqrt(3.8416/16) / 2.9208 = 0.3288 -> (34.24 %, 100 %): MAPP2's 71.2 % is inside
    loss = by_key["loss_active"]
    assert loss.study.value == pytest.approx(100.0)
    assert (loss.study.lower, loss.study.upper) == pytest.approx((34.24, 100.0), abs=0.01)
    assert loss.verdict is published.Verdict.WITHIN
    # 0/1 (P1 rated 30, still meets DSM-5) -> centre and half both 1.9208 / 4.8416 = 0.3967
    # -> (0, 79.34 %): MAPP2's 47.6 % inside
    assert (by_key["loss_placebo"].study.lower, by_key["loss_placebo"].study.upper) == (
        pytest.approx(0.0, abs=1e-9),
        pytest.approx(79.34, abs=0.01),
    )
    # completion among those whose outcome is known: placebo 1 of 2 (P1 done, P2 withdrew) ->
    # Wilson centre 0.5, half 1.96 * sqrt(0.125 + 0.2401) / 2.9208 = 0.4055 -> (9.45, 90.55)
    done = by_key["completed_placebo"].study
    assert (done.value, done.lower, done.upper) == pytest.approx((50.0, 9.45, 90.55), abs=0.01)
    # baseline mean of the active arm, 38.0: t(0.975, 1 d.f.) = 12.706 (Student's table), SE
    # 2.828 / sqrt(2) = 2.0 -> 38 +- 25.41: MAPP2's 39.4 is within
    base = by_key["baseline_active"]
    assert (base.study.lower, base.study.upper) == pytest.approx((12.59, 63.41), abs=0.01)
    assert base.verdict is published.Verdict.WITHIN
    # counts are shown, not judged: 2 randomised per arm here against MAPP2's 53 and 51
    assert by_key["randomised_active"].verdict is published.Verdict.NOT_ASSESSED
    # too few ratings for the MMRM: its section says why, and its figures are not judged
    assert report.primary.value is None and report.primary.missing
    assert by_key["difference"].verdict is published.Verdict.NOT_ASSESSED


def test_every_section_and_figure_is_there_or_says_why_not() -> None:
    report = analyse(_records(HAND, SCREENED), _tables())
    assert report.responders.value and report.teae_summary.value and report.peak_vitals.value
    # no guesses in this case: the blinding section says so instead of an index
    assert report.blinding.value is None and "no blinding guesses" in report.blinding.missing
    assert set(report.figures) == {"trajectories", "vitals_systolic", "vitals_heart_rate",
                                   "waterfall"}  # fmt: skip
    # the waterfall: changes -20, -20 (active) and -8 (placebo), three bars
    assert report.figures["waterfall"].count("<rect") == 3 + len(ARMS)  # bars + legend keys
    # peak systolic change of A1 in session 1: pre-dose 120, peak 150 -> +30
    peak = next(r for r in report.peak_vitals.value if r["vital"] == "systolic")
    assert peak["change_mean"] == 30


def test_the_report_carries_the_engine_s_primary_analysis_unchanged() -> None:
    """With enough ratings the MMRM section is the engine's own result (the engine's numbers are
    checked against SAS and R in test_efficacy.py and test_mmrm_fit.py)."""
    rng = np.random.default_rng(7)
    people = tuple(
        Participant(f"S{i:02d}", "mdma" if i % 2 else "placebo", 40, "female", None, None)
        for i in range(24)
    )
    rows = []
    for p in people:
        base = float(rng.normal(39, 6))
        effect = -9.0 if p.arm == "mdma" else 0.0
        rows.append({"subject": p.subject, "arm": p.arm, "visit": "baseline", "value": base})
        for k, visit in enumerate(VISITS, start=1):
            value = base - 4 * k + effect * k / 4 + float(rng.normal(0, 5))
            rows.append({"subject": p.subject, "arm": p.arm, "visit": visit, "value": value})
    tables = _tables()
    tables["efficacy"] = pd.DataFrame(rows)
    report = analyse(_records(people, SCREENED), tables)
    direct = primary_endpoint_analysis(tables["efficacy"], "mdma", "placebo", "primary",
                                       visits=VISITS)  # fmt: skip
    assert report.primary.value is not None
    assert report.primary.value.difference == pytest.approx(direct.difference)
    assert "trajectories" in report.figures


def test_svg_text_is_escaped_and_non_finite_points_are_left_out() -> None:
    svg = figures.line_chart(
        "a <b> & c", "y", [figures.Series("x<y", (figures.Point("v1", 1.0),
                                                  figures.Point("v2", math.nan)))]
    )  # fmt: skip
    assert "a &lt;b&gt; &amp; c" in svg and "x&lt;y" in svg and "<b>" not in svg
    assert svg.count("<circle") == 1


def test_the_sampling_error_rule() -> None:
    figure = published.Figure("k", "label", "rate", 46.2, "[S9]")
    # inside the interval (ends included) is within; outside is outside; no interval: not judged
    assert published.judge(figure, published.Estimate(40, 30, 46.2)) is published.Verdict.WITHIN
    assert published.judge(figure, published.Estimate(20, 10, 30)) is published.Verdict.OUTSIDE
    assert published.judge(figure, published.Estimate(20)) is published.Verdict.NOT_ASSESSED


def test_a_study_just_begun_has_every_section_saying_why_not() -> None:
    """Randomised, nothing rated or dosed yet (the research tables' columns, no rows)."""
    from mdma_at.interop.research.tables import COLUMNS

    empty = {name: pd.DataFrame(columns=columns) for name, columns in COLUMNS.items()}
    report = analyse(_records(HAND[:2], SCREENED[:2]), empty)
    for section in (report.primary, report.by_visit, report.responders, report.blinding):
        assert section.value is None and section.missing, section
    assert report.figures == {} and set(report.figure_missing) == {
        "trajectories", "vitals", "waterfall"
    }  # fmt: skip
    assert report.flow.randomised == 2
