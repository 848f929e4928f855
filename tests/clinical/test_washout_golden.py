"""Golden table: medication washout before baseline under protocol mapp_v1.

Rule: clear_on = last dose + ceil(5 × t½ / 24 h + 7 days); for irreversible MAOIs the larger of
that and 14 days. A washout clearing on or before the screening date is `met`, one clearing after
it is `pending`. Half-lives are the table's (longest-lived active moiety, from the drug label).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mdma_at.domain.eligibility import parse_intake, screen
from mdma_at.domain.sources import Source
from mdma_at.domain.washout import (
    MedicationEntry,
    WashoutKind,
    plan_washout,
    washout_days,
)
from mdma_at.protocols.mapp_v1 import MAPP_V1
from mdma_at.protocols.mapp_v1.medications import WASHOUT_RULE

TABLE = MAPP_V1.medications

# (name as written, generic, t½ h, last dose, washout days, clear_on)
WASHOUTS = [
    # paroxetine 21 h: 5 × 21 / 24 = 4.375 → + 7 = 11.375 → 12 days (the shared example).
    ("paroxetine", "paroxetine", 21, "2026-09-01", 12, "2026-09-13"),
    # fluoxetine: norfluoxetine 16 d = 384 h: 80 + 7 = 87 days exactly.
    ("fluoxetine", "fluoxetine", 384, "2026-06-01", 87, "2026-08-27"),
    # brand names, any case and spacing, match the generic.
    ("Prozac", "fluoxetine", 384, "2026-06-01", 87, "2026-08-27"),
    ("PROZAC", "fluoxetine", 384, "2026-06-01", 87, "2026-08-27"),
    ("  prozac  ", "fluoxetine", 384, "2026-06-01", 87, "2026-08-27"),
    ("Paxil", "paroxetine", 21, "2026-09-01", 12, "2026-09-13"),
    ("effexor   xr", "venlafaxine", 11, "2026-10-01", 10, "2026-10-11"),
    # sertraline: N-desmethylsertraline 104 h: 21.67 + 7 = 28.67 → 29 days.
    ("Zoloft", "sertraline", 104, "2026-10-15", 29, "2026-11-13"),
    # venlafaxine: O-desmethylvenlafaxine 11 h: 2.29 + 7 → 10 days.
    ("venlafaxine", "venlafaxine", 11, "2026-10-01", 10, "2026-10-11"),
    # bupropion: threohydrobupropion 37 h: 7.71 + 7 → 15 days.
    ("Wellbutrin XL", "bupropion", 37, "2026-10-01", 15, "2026-10-16"),
    # cariprazine: DDCAR 3 weeks = 504 h: 105 + 7 = 112 days exactly.
    ("Vraylar", "cariprazine", 504, "2026-01-10", 112, "2026-05-02"),
    # irreversible MAOIs where the 14-day minimum wins over 5 t½ + 7 d:
    # phenelzine 11.6 h: 2.42 + 7 → 10 days, raised to 14.
    ("Nardil", "phenelzine", 11.6, "2026-10-01", 14, "2026-10-15"),
    # tranylcypromine 2.5 h: 0.52 + 7 → 8 days, raised to 14.
    ("parnate", "tranylcypromine", 2.5, "2026-10-01", 14, "2026-10-15"),
    # selegiline 25 h: 5.21 + 7 → 13 days, raised to 14.
    ("EMSAM", "selegiline", 25, "2026-10-01", 14, "2026-10-15"),
    # reversible MAOI: no 14-day minimum. moclobemide 4 h: 0.83 + 7 → 8 days.
    ("moclobemide", "moclobemide", 4, "2026-10-01", 8, "2026-10-09"),
    # Issue 9, item 11 (hand arithmetic; calendar counted by hand, months of 31/28/31/30 days).
    # isocarboxazid 4 h: 0.83 + 7 → 8 days, raised to the irreversible-MAOI 14.
    ("Marplan", "isocarboxazid", 4, "2026-10-01", 14, "2026-10-15"),
    # dextromethorphan 30 h: 6.25 + 7 = 13.25 → 14 days.
    ("Delsym", "dextromethorphan", 30, "2026-10-01", 14, "2026-10-15"),
    # St John's wort (hypericin) 43 h: 8.96 + 7 = 15.96 → 16 days.
    ("St. John's Wort", "st john's wort", 43, "2026-10-01", 16, "2026-10-17"),
    # sumatriptan 2.5 h: 0.52 + 7 → 8 days; frovatriptan 26 h: 5.42 + 7 → 13 days.
    ("Imitrex", "sumatriptan", 2.5, "2026-10-01", 8, "2026-10-09"),
    ("Frova", "frovatriptan", 26, "2026-10-01", 13, "2026-10-14"),
    # methadone 59 h: 12.29 + 7 → 20 days; lamotrigine 70 h: 14.58 + 7 → 22 days.
    ("methadone", "methadone", 59, "2026-10-01", 20, "2026-10-21"),
    ("Lamictal", "lamotrigine", 70, "2026-10-01", 22, "2026-10-23"),
    # Long-acting injections run for months. Haldol Decanoate 21 d = 504 h: 105 + 7 = 112 days.
    ("Haldol Decanoate", "haloperidol decanoate", 504, "2026-01-10", 112, "2026-05-02"),
    # Risperdal Consta 22 d = 528 h: 110 + 7 = 117 days (Jan 21 + Feb 28 + Mar 31 + Apr 30 + 7).
    ("Risperdal Consta", "risperidone long-acting injection", 528, "2026-01-10", 117, "2026-05-07"),
    # Zyprexa Relprevv 30 d = 720 h: 150 + 7 = 157 days (21 + 28 + 31 + 30 + 31 + 16 → Jun 16).
    ("Zyprexa Relprevv", "olanzapine pamoate", 720, "2026-01-10", 157, "2026-06-16"),
    # Invega Trinza 139 d = 3336 h: 695 + 7 = 702 days, nearly two years (365 to 2027-01-10,
    # then 337: 21 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 = 324, + 13 → Dec 13).
    ("Invega Trinza", "paliperidone palmitate 3-monthly", 3336, "2026-01-10", 702, "2027-12-13"),
]


@pytest.mark.parametrize(("name", "generic", "half_life", "last_dose", "days", "clear_on"),
                         WASHOUTS)  # fmt: skip
def test_washout_arithmetic(
    name: str, generic: str, half_life: float, last_dose: str, days: int, clear_on: str
) -> None:
    entry = TABLE.find(name)
    assert entry is not None and entry.generic == generic
    assert entry.half_life_hours == half_life
    plan = plan_washout(name, entry, date.fromisoformat(last_dose), TABLE.rule)
    assert plan.days == days
    assert plan.clear_on.isoformat() == clear_on


def _hypothetical(kind: WashoutKind, hours: float) -> MedicationEntry:
    return MedicationEntry("hypothetical", (), "test drug", kind, hours, "hypothetical",
                           Source("hypothetical test entry", site_default=True))  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "hours", "days", "maoi_minimum_applied"),
    [
        # An irreversible MAOI whose 5 t½ + 7 d is longer than 14 days: the half-lives win.
        (WashoutKind.IRREVERSIBLE_MAOI, 48, 17, False),
        # Just at the 14-day floor: 5 × 33.6 / 24 = 7 exactly, + 7 = 14.
        (WashoutKind.IRREVERSIBLE_MAOI, 33.6, 14, False),
        # Just above: 33.7 h gives 14.02 → 15 days.
        (WashoutKind.IRREVERSIBLE_MAOI, 33.7, 15, False),
        # Just below: 33.5 h gives 13.98 → 14 days by the half-lives, no floor needed.
        (WashoutKind.IRREVERSIBLE_MAOI, 33.5, 14, False),
        # Below that the floor applies.
        (WashoutKind.IRREVERSIBLE_MAOI, 24, 14, True),
        # Whole days are not rounded up: 5 × 24 h = 5 days, + 7 = 12.
        (WashoutKind.HALF_LIVES, 24, 12, False),
        # No floating-point drift: 5 × 4.8 h = exactly 1 day, + 7 = 8 (not 9).
        (WashoutKind.HALF_LIVES, 4.8, 8, False),
        # A hair over a whole day rounds up.
        (WashoutKind.HALF_LIVES, 4.81, 9, False),
    ],
)
def test_the_irreversible_maoi_minimum_and_rounding(
    kind: WashoutKind, hours: float, days: int, maoi_minimum_applied: bool
) -> None:
    assert washout_days(hours, kind, WASHOUT_RULE) == days
    plan = plan_washout("hypothetical", _hypothetical(kind, hours), date(2026, 1, 1), WASHOUT_RULE)
    assert plan.maoi_minimum_applied is maoi_minimum_applied


BASE = {
    "age": 41, "sex": "male", "childbearing_potential": False, "pregnant": False,
    "breastfeeding": False, "pregnancy_test": None,
    "vitals": {"systolic": 128, "diastolic": 82, "heart_rate": 74, "temperature_c": 36.7},
    "ecg": {"qtc_ms": 431}, "ptsd": {"caps5_total": 41, "meets_dsm5": True, "duration_months": 30},
    "conditions": [], "substance_use": [], "suicide_risk": "low",
}  # fmt: skip


def _screen(screening_date: str, *medications: tuple[str, str]) -> dict[str, Any]:
    data = {
        **BASE,
        "screening_date": screening_date,
        "medications": [{"name": n, "last_dose": d} for n, d in medications],
    }
    result = screen(parse_intake(data), MAPP_V1.eligibility, TABLE).to_dict()
    return result


# paroxetine, last dose 2026-09-01, clears 2026-09-13.
@pytest.mark.parametrize(
    ("screening_date", "status", "decision", "earliest_baseline"),
    [
        ("2026-09-12", "pending", "eligible_after_washout", "2026-09-13"),
        ("2026-09-13", "met", "eligible", None),
        ("2026-09-14", "met", "eligible", None),
    ],
)
def test_a_washout_clearing_after_the_screening_date_is_pending(
    screening_date: str, status: str, decision: str, earliest_baseline: str | None
) -> None:
    result = _screen(screening_date, ("paroxetine", "2026-09-01"))
    criteria = {c["id"]: c for c in result["criteria"]}
    assert criteria["washout_paroxetine"]["status"] == status
    assert result["decision"] == decision
    assert result["earliest_baseline"] == earliest_baseline


def test_earliest_baseline_is_the_latest_clear_date_of_the_pending_washouts() -> None:
    result = _screen(
        "2026-10-20",
        ("paroxetine", "2026-10-19"),  # clears 2026-10-31
        ("Prozac", "2026-10-01"),  # clears 2026-12-27
        ("Nardil", "2026-10-18"),  # clears 2026-11-01
        ("amlodipine", "2026-10-20"),  # no washout
    )
    assert result["decision"] == "eligible_after_washout"
    assert result["earliest_baseline"] == "2026-12-27"
    assert [row["medication"] for row in result["washout"]] == [
        "paroxetine",
        "fluoxetine",
        "phenelzine",
    ]


def test_a_medication_entered_twice_gives_one_criterion_with_the_later_clear_date() -> None:
    result = _screen("2026-10-20", ("paroxetine", "2026-10-01"), ("Paxil", "2026-10-19"))
    ids = [c["id"] for c in result["criteria"]]
    assert ids.count("washout_paroxetine") == 1
    criterion = next(c for c in result["criteria"] if c["id"] == "washout_paroxetine")
    assert criterion["status"] == "pending"
    assert "2026-10-31" in criterion["reason"]
    assert result["earliest_baseline"] == "2026-10-31"


@pytest.mark.parametrize(
    ("name", "interactions"),
    [
        ("paroxetine", {"serotonin_toxicity", "raised_mdma_exposure"}),
        ("fluoxetine", {"serotonin_toxicity", "raised_mdma_exposure"}),
        ("bupropion", {"raised_mdma_exposure"}),
        ("phenelzine", {"serotonin_toxicity"}),
        ("sertraline", {"serotonin_toxicity"}),
        ("terbinafine", {"raised_mdma_exposure"}),
        ("quetiapine", set()),
        ("amlodipine", set()),
    ],
)
def test_interaction_warnings(name: str, interactions: set[str]) -> None:
    result = _screen("2026-10-20", (name, "2026-10-01"))
    warnings = result["warnings"]
    assert {w["interaction"] for w in warnings} == interactions
    assert all(w["medication"] == name for w in warnings)


def test_an_irreversible_maoi_warning_says_the_toxicity_is_severe() -> None:
    result = _screen("2026-10-20", ("Nardil", "2026-10-01"))
    (warning,) = result["warnings"]
    assert "severe, potentially fatal serotonin toxicity" in warning["message"]


@pytest.mark.parametrize(
    ("name", "generic", "interactions"),
    [
        ("metoprolol", "metoprolol", {"cyp2d6_substrate"}),
        ("propranolol", "propranolol", {"cyp2d6_substrate"}),
        ("dextromethorphan", "dextromethorphan", {"serotonin_toxicity", "cyp2d6_substrate"}),
        ("sumatriptan", "sumatriptan", {"serotonin_toxicity"}),
        ("methadone", "methadone", {"serotonin_toxicity"}),
    ],
)
def test_issue_9_medications_warn_of_their_interactions(
    name: str, generic: str, interactions: set[str]
) -> None:
    result = _screen("2026-10-20", (name, "2026-10-01"))
    assert {w["interaction"] for w in result["warnings"]} == interactions
    assert all(w["medication"] == generic for w in result["warnings"])


def test_a_cyp2d6_substrate_warns_without_excluding() -> None:
    """Metoprolol continues (no washout); the physician is told MDMA raises its level."""
    result = _screen("2026-10-20", ("Toprol-XL", "2026-10-20"))
    assert result["decision"] == "eligible"
    (warning,) = result["warnings"]
    assert "CYP2D6 substrate" in warning["message"]
    assert "not an exclusion" in warning["message"]
    assert "restarted" not in warning["message"]


def test_a_long_acting_injection_given_three_months_ago_is_still_washing_out() -> None:
    # Invega Sustenna 49 d = 1176 h: 245 + 7 = 252 days. Last injection 2026-07-20; 252 days on
    # is 2027-03-29 (11 + 31 + 30 + 31 + 30 + 31 = 164 to 2026-12-31, + 31 + 28 = 223, + 29).
    result = _screen("2026-10-20", ("Invega Sustenna", "2026-07-20"))
    assert result["decision"] == "eligible_after_washout"
    assert result["earliest_baseline"] == "2027-03-29"
    criterion = next(
        c for c in result["criteria"] if c["id"] == "washout_paliperidone_palmitate_1_monthly"
    )
    assert "long-acting injectable" in criterion["reason"]
