"""What happens to each simulated candidate, drawn up front from the calibration with numpy
(one `numpy.random.Generator` per candidate, spawned from the run's seed, so a candidate's fate
does not depend on the order in which the event loop serves them).

The arm is not known when a candidate is drawn (the study's sealed schedule decides it), so the
outcomes are drawn for both arms and the journey takes the one of the arm allocated.

CAPS-5 course: change at visit v = share_v × (arm mean + own slope) + visit noise, with
own slope ~ N(0, sd² × between_share) and noise ~ N(0, sd² × (1 − between_share)), so the SD of
the 18-week change is the calibrated SD and visits of one participant correlate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from mdma_at.simulation.calibration import ARMS, TEAE_TERMS, Calibration

#: mapp_v1's CAPS-5 visits after baseline, in order (protocols/mapp_v1/schedule.py)
RATED_VISITS = ("assess1", "assess2", "assess3", "primary", "fu6m", "fu12m")
#: the visits of the primary analysis (baseline to the 18-week endpoint)
ANALYSED_VISITS = ("assess1", "assess2", "assess3", "primary")
PRIMARY = "primary"
#: after which visit a non-completer leaves (equally likely; a simulation default)
DROPOUT_AFTER = ("es1", "assess1", "es2", "assess2", "es3", "assess3")
CAPS5_MAX = 80
RESPONDENTS = ("participant", "therapist", "rater")


@dataclass(frozen=True, slots=True)
class Course:
    """One arm's CAPS-5 totals: baseline and each rated visit; `dropout_after` a visit code."""

    baseline: int
    scores: dict[str, int]
    dropout_after: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A person who comes to screening, and what would happen in each arm."""

    number: int
    site: int
    arrives_on: date
    female: bool
    born: date
    screen_failure: bool
    washout: bool
    screening_caps5: int
    courses: dict[str, Course]
    teae: dict[str, dict[int, tuple[str, ...]]]  # arm -> session -> terms
    seed: int  # for the draws made during the journey (vitals readings, guesses)


def birth_date(on: date, age: float, youngest: int) -> date:
    """The birth date of someone `age` years old `on` a day: the age counted in mean years of
    365.25 days, but never after their `youngest`-th birthday. Mean years are not calendar years:
    18 years that hold five leap days are 6,575 days, so a candidate drawn at 18.0 (6,574 days)
    would be a day short of 18 at screening and the physician's verdict ineligible."""
    counted = on - timedelta(days=int(age * 365.25))
    return min(counted, _years_before(on, youngest))


def _years_before(on: date, years: int) -> date:
    """The same day `years` years earlier; 29 February falls back to the 28th (a person born on
    the 28th has had their birthday by the 29th)."""
    if (on.month, on.day) == (2, 29):
        on -= timedelta(days=1)
    return on.replace(year=on.year - years)


def draw_course(rng: np.random.Generator, cal: Calibration, arm: str, effect: float) -> Course:
    """Baseline and visit scores of one participant in `arm` (see the module docstring)."""
    mean, sd = cal.baseline(arm)
    minimum = cal.value("baseline.entry.minimum")
    baseline = round(rng.normal(mean, sd))
    while baseline < minimum or baseline > CAPS5_MAX:  # the entry criterion: drawn again
        baseline = round(rng.normal(mean, sd))
    spread = cal.value("change.spread.sd")
    share = cal.value("change.spread.between_share")
    own = rng.normal(0.0, spread * np.sqrt(share))
    target = cal.change(arm, effect) + own
    scores = {}
    for visit, reached in cal.trajectory().items():
        change = reached * target + rng.normal(0.0, spread * np.sqrt(1 - share))
        scores[visit] = int(min(CAPS5_MAX, max(0, round(baseline + change))))
    dropout = None
    if rng.random() < cal.dropout(arm):
        dropout = str(rng.choice(DROPOUT_AFTER))
    return Course(baseline, scores, dropout)


def draw_teae(rng: np.random.Generator, cal: Calibration, arm: str) -> dict[int, tuple[str, ...]]:
    """Which solicited AEs each of the three dosing sessions brings: a participant has a term at
    least once with the calibrated probability r, so each session has it with 1 − (1 − r)^(1/3)."""
    by_session: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for key, rate in cal.teae(arm).items():
        per_session = 1 - (1 - rate) ** (1 / 3)
        for session in by_session:
            if rng.random() < per_session:
                by_session[session].append(TEAE_TERMS[key])
    return {n: tuple(terms) for n, terms in by_session.items()}


def draw_cohort(
    seed: int, participants: int, sites: int, effect: float, cal: Calibration, start: date
) -> list[Candidate]:
    """Candidates until `participants` of them pass screening (screen failures come on top)."""
    root = np.random.SeedSequence(seed)
    per_week = cal.value("pace.candidates_per_site_week") * sites
    out: list[Candidate] = []
    eligible = 0
    while eligible < participants:
        (child,) = root.spawn(1)
        rng = np.random.default_rng(child)
        number = len(out)
        failure = bool(rng.random() < cal.value("screening.screen_failure"))
        youngest = cal.value("screening.age_minimum")
        age = max(
            youngest, rng.normal(cal.value("screening.age_mean"), cal.value("screening.age_sd"))
        )
        arrives = start + timedelta(days=int(number * 7 / per_week))
        courses = {arm: draw_course(rng, cal, arm, effect) for arm in ARMS}
        # the CAPS-5 at screening: the baseline of one arm's draw (the arm is not known yet)
        screening = courses[ARMS[int(rng.integers(len(ARMS)))]].baseline
        out.append(
            Candidate(
                number=number,
                site=number % sites,
                arrives_on=arrives,
                female=bool(rng.random() < cal.value("screening.female")),
                born=birth_date(arrives, age, int(youngest)),
                screen_failure=failure,
                washout=bool(rng.random() < cal.value("screening.washout")),
                screening_caps5=screening,
                courses=courses,
                teae={arm: draw_teae(rng, cal, arm) for arm in ARMS},
                seed=int(rng.integers(2**62)),
            )
        )
        eligible += 0 if failure else 1
    return out
