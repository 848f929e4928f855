"""The simulated clinic's drug supply (issue 19, item 5): each site is shipped fresh kits every
year, so a trial of many years never doses from an expired lot. The 1,040-participant demo once
failed in 2029, when the one lot received at the trial's start had expired (the register refuses
to dispense an expired lot)."""

from __future__ import annotations

from datetime import date, timedelta

from mdma_at.domain.schedule.definitions import ENROLMENT, VisitKind
from mdma_at.protocols import DEFAULT_PROTOCOL, get_protocol
from mdma_at.simulation.calibration import load
from mdma_at.simulation.clinic import SHELF_LIFE, SUPPLY_PERIOD, shipment
from mdma_at.simulation.cohort import draw_cohort
from mdma_at.simulation.trial_run import START

#: the journey enrols a candidate a week after screening (simulation/journey.py)
ENROLLED_AFTER = timedelta(days=7)


def _latest_dosing_after_enrolment() -> timedelta:
    """The last dosing session's latest day after enrolment: each visit at its anchor's latest
    day + its offset + its window after (the protocol's schedule)."""
    visits = get_protocol(DEFAULT_PROTOCOL).schedule.visits
    latest = {ENROLMENT: 0}
    for visit in visits:  # anchors come first (the schedule's own check)
        latest[visit.code] = latest[visit.anchor] + visit.offset_days + visit.window_after
    return timedelta(days=max(latest[v.code] for v in visits if v.kind is VisitKind.DOSING))


def test_a_candidate_takes_the_shipment_of_the_year_they_arrive_in() -> None:
    opened = date(2026, 1, 5)
    assert shipment(opened, opened) == 0
    assert shipment(opened, date(2027, 1, 4)) == 0  # day 364
    assert shipment(opened, date(2027, 1, 5)) == 1  # day 365
    assert shipment(opened, date(2033, 10, 12)) == 7  # day 2,837: 7 x 365 = 2,555 <= it < 2,920


def test_every_dosing_session_of_a_long_trial_falls_before_its_lots_expiry() -> None:
    # seed 1, 1,040 participants on 3 sites: `mdma-at demo`'s bench run, arrivals into 2033
    cohort = draw_cohort(1, 1040, 3, 1.0, load(), START)
    last_dose = ENROLLED_AFTER + _latest_dosing_after_enrolment()  # 87 days + windows
    late = []
    for c in cohort:
        expiry = START + shipment(START, c.arrives_on) * SUPPLY_PERIOD + SHELF_LIFE
        if c.arrives_on + last_dose >= expiry:
            late.append(c.number)
    assert late == []
    assert max(c.arrives_on for c in cohort) + last_dose > START + SHELF_LIFE  # one lot would not
