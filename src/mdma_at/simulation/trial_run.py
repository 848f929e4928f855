"""Run a whole simulated trial through the use cases: the clinic set up (`clinic`), every
candidate's journey (`journey`) interleaved in simulated time by one event loop, and the counts.

The loop keeps each journey's next step in a heap by time; it sets the services' clock to that
time and resumes the journey. Simulated time only moves forward, and never reads the wall clock.
Each site's yearly drug shipment after the first (`clinic.SUPPLY_PERIOD`) is a step of the same
loop, booked in on its day.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from mdma_at.domain.screening import ConsentDocument
from mdma_at.services.audit import Actor
from mdma_at.services.ports import PasswordHasher, ScheduleSeal, UnitOfWorkFactory
from mdma_at.simulation import calibration
from mdma_at.simulation.clinic import (
    CAPSULES_PER_PARTICIPANT,
    STANDALONE,
    STUDY_CODE,
    SUPPLY_PERIOD,
    Accounts,
    SiteTeam,
    TrialClinic,
    count_kits,
    open_trial,
    receive_shipment,
    shipment,
)
from mdma_at.simulation.cohort import draw_cohort
from mdma_at.simulation.journey import Outcome, SimClock, journey

#: The simulated trial's first day (fixed, so a seed gives the same trial on any day).
START = date(2026, 1, 5)
#: From a candidate's arrival to the end of their 12-month follow-up's window: screening, a
#: washout, a week to enrolment, the programme to the last dosing session (about 15 weeks, some
#: visits moved within their windows), 365 days to the follow-up and its 30-day window. Runs of
#: seed 1 ended 460-470 days after the last arrival with the window's end 30 days later; eight
#: weeks more to spare.
LONGEST_JOURNEY = timedelta(days=560)

Progress = Callable[[float, float], None]  # (simulated weeks done, weeks in all)


@dataclass(frozen=True, slots=True)
class TrialRun:
    study_code: str
    screened: int
    randomised: int
    completed: int
    started: datetime
    ended: datetime


def start_clock(start: date = START) -> SimClock:
    """The services' clock for a run, at the trial's first morning."""
    return SimClock(datetime.combine(start, time(8, 0), UTC))


def start_ended_by(today: date, *, participants: int, sites: int, seed: int) -> date:
    """The latest first day, a whole number of weeks from START (so every weekday stays the
    same and the trial the same apart from its dates), for which every journey and its last
    visit's window have ended before `today`: a trial seeded into a live clinic lies in its
    past."""
    cal = calibration.load()
    last_arrival = max(
        c.arrives_on for c in draw_cohort(seed, participants, sites, 1.0, cal, START)
    )
    over = (last_arrival + LONGEST_JOURNEY) - (today - timedelta(days=1))
    return START - timedelta(weeks=-(-over.days // 7))


def _delivery(
    uow: UnitOfWorkFactory, clock: SimClock, clinic: TrialClinic, team: SiteTeam, number: int,
    capsules: int, start: date,
) -> Iterator[datetime]:  # fmt: skip
    """A site's yearly shipment, booked in early on its first day, before that day's arrivals."""
    yield datetime.combine(start + number * SUPPLY_PERIOD, time(8, 0), UTC)
    receive_shipment(uow, clock, clinic, team, number, capsules)


def run_trial(
    uow: UnitOfWorkFactory,
    clock: SimClock,
    hasher: PasswordHasher,
    seal: ScheduleSeal,
    actor: Actor,
    *,
    participants: int,
    sites: int,
    seed: int,
    effect: float = 1.0,
    progress: Progress | None = None,
    start: date = START,
    accounts: Accounts = STANDALONE,
) -> TrialRun:
    """Simulate the trial, from `start` (the day `clock` reads), into the (migrated) database
    behind `uow`, which holds no other trial's sites or accounts; `clock` is the one the
    services (and the container's event handlers) read."""
    cal = calibration.load()
    cohort = draw_cohort(seed, participants, sites, effect, cal, start)
    supplied: Counter[tuple[int, int]] = Counter(
        (c.site, shipment(start, c.arrives_on)) for c in cohort if not c.screen_failure
    )  # participants each shipment supplies, by (site number, shipment)
    clinic = open_trial(
        uow, clock, hasher, seal, actor, sites=sites, seed=seed, target=participants,
        first_shipment=[supplied[(n, 0)] * CAPSULES_PER_PARTICIPANT for n in range(sites)],
        start=start, accounts=accounts,
    )  # fmt: skip
    documents: dict[int, ConsentDocument] = {}
    with uow() as work:
        for team in clinic.sites:
            documents[team.site_id] = list(work.consents.documents(team.site_id))[-1]
    arms: dict[int, str] = {}
    outcomes = [Outcome() for _ in cohort]
    queue: list[tuple[datetime, int, Iterator[datetime]]] = []
    for (site, number), participants_supplied in supplied.items():
        if number > 0:
            capsules = participants_supplied * CAPSULES_PER_PARTICIPANT
            delivery = _delivery(uow, clock, clinic, clinic.sites[site], number, capsules, start)
            heapq.heappush(queue, (next(delivery), len(cohort) + len(queue), delivery))
    for n, candidate in enumerate(cohort):
        team = clinic.sites[candidate.site]
        steps = journey(uow, clock, clinic, cal, candidate, seal, documents[team.site_id],
                        arms, outcomes[n])  # fmt: skip
        first = next(steps)
        heapq.heappush(queue, (first, n, steps))
    # a journey lasts about 15 months (screening to the 12-month follow-up)
    last_arrival = max(c.arrives_on for c in cohort)
    weeks = ((last_arrival - start).days + 470) / 7
    while queue:
        at, n, steps = heapq.heappop(queue)
        clock.at = max(clock.at, at)
        if progress is not None:
            done = (clock.at.date() - start).days / 7
            progress(min(done, weeks), weeks)
        try:
            following = next(steps)
        except StopIteration:
            continue
        heapq.heappush(queue, (following, n, steps))
    clock.at += timedelta(days=1)
    count_kits(uow, clock, clinic)
    if progress is not None:
        done = (clock.at.date() - start).days / 7
        progress(done, done)
    return TrialRun(
        STUDY_CODE,
        sum(o.screened for o in outcomes),
        sum(o.randomised for o in outcomes),
        sum(o.completed for o in outcomes),
        datetime.combine(start, time(8, 0), UTC),
        clock.at,
    )
