"""The concomitant-medication list's rules (issue 14, item 6): what each session's medication
check reads, the washout of stopped courses, and a serotonergic drug restarted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mdma_at.domain.allergies import NONE_KNOWN, AllergyEntry, AllergyList, check_allergy
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.vocabulary import MedicationUse
from mdma_at.domain.washout import (
    ConcomitantMedication,
    in_use_for_session,
    restarted_serotonergic,
    stopped_washouts,
)
from mdma_at.domain.washout.concomitant import check_course
from mdma_at.protocols import get_protocol

TABLE = get_protocol("mapp_v1").medications
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 22)


def course(name: str, start: date, stop: date | None = None, n: int = 1) -> ConcomitantMedication:
    return ConcomitantMedication(n, 1, name, "", start, stop, "Dr Ng", AT)


def test_a_medication_still_taken_counts_as_taken_on_the_session_day() -> None:
    courses = [course("amlodipine", date(2025, 1, 1)), course("Zoloft", date(2026, 1, 1))]
    assert in_use_for_session(courses, DAY, TABLE) == (
        MedicationUse("amlodipine", DAY),
        MedicationUse("Zoloft", DAY),
    )


def test_a_stopped_course_counts_only_when_the_table_needs_its_washout() -> None:
    courses = [
        course("sertraline", date(2026, 1, 1), date(2026, 10, 1)),
        course("amlodipine", date(2025, 1, 1), date(2026, 10, 1)),  # no washout: history
        course("Kratom", date(2025, 1, 1), date(2026, 10, 1)),  # unknown and stopped: history
        course("fluoxetine", date(2026, 12, 1)),  # not started yet on the day
    ]
    assert in_use_for_session(courses, DAY, TABLE) == (
        MedicationUse("sertraline", date(2026, 10, 1)),
    )


def test_the_washout_of_a_stopped_course_is_planned_from_its_stop_date() -> None:
    # sertraline: t½ 104 h (N-desmethylsertraline, Zoloft label) × 5 / 24 h = 21.67 days + 7 days
    # = 28.67, rounded up to 29 days (DESIGN.md §4 washout rule): 2026-10-01 + 29 = 2026-10-30.
    (plan,) = stopped_washouts([course("Zoloft", date(2026, 1, 1), date(2026, 10, 1))], TABLE)
    assert plan.days == 29
    assert plan.clear_on == date(2026, 10, 30)


def test_a_serotonergic_drug_restarted_after_its_stop_is_a_warning() -> None:
    courses = [
        course("sertraline", date(2026, 1, 1), date(2026, 10, 1), n=1),
        course("Zoloft", date(2026, 10, 12), n=2),  # the brand of the same drug
    ]
    (warning,) = restarted_serotonergic(courses, TABLE)
    assert (warning.generic, warning.stopped_on, warning.restarted_on) == (
        "sertraline",
        date(2026, 10, 1),
        date(2026, 10, 12),
    )
    assert "serotonin toxicity" in warning.message()


@pytest.mark.parametrize(
    "courses",
    [
        # never stopped: nothing was restarted
        [course("sertraline", date(2026, 1, 1))],
        # a restart of a drug that is not serotonergic (amlodipine needs no washout)
        [
            course("amlodipine", date(2026, 1, 1), date(2026, 3, 1)),
            course("amlodipine", date(2026, 4, 1), n=2),
        ],
        # another serotonergic drug started after the stop is a switch, not a restart
        [
            course("sertraline", date(2026, 1, 1), date(2026, 3, 1)),
            course("escitalopram", date(2026, 4, 1), n=2),
        ],
    ],
)
def test_no_warning_without_a_restart_of_the_same_serotonergic_drug(
    courses: list[ConcomitantMedication],
) -> None:
    assert restarted_serotonergic(courses, TABLE) == ()


@pytest.mark.parametrize(
    ("name", "start", "stop", "field"),
    [
        ("  ", date(2026, 1, 1), None, "name"),
        ("sertraline", date(2026, 11, 23), None, "started_on"),
        ("sertraline", date(2026, 2, 1), date(2026, 1, 1), "stopped_on"),
        ("sertraline", date(2026, 1, 1), date(2026, 11, 23), "stopped_on"),
    ],
)
def test_impossible_courses_are_refused_with_the_field(
    name: str, start: date, stop: date | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_course(name, "", start, stop, DAY)
    assert refused.value.field == field


def test_none_known_is_a_statement_that_an_allergy_replaces() -> None:
    stated = AllergyEntry(1, 1, NONE_KNOWN, "", "", "Dr Ng", AT)
    allergy = AllergyEntry(2, 1, None, "penicillin", "rash", "Dr Ng", AT)
    assert AllergyList(()).recorded is False
    assert AllergyList((stated,)).none_known == stated
    assert AllergyList((stated, allergy)).none_known is None
    assert AllergyList((stated, allergy)).allergies == (allergy,)
    with pytest.raises(InvalidInput) as refused:
        check_allergy("", "", True, [allergy])
    assert refused.value.field == "none_known"
    with pytest.raises(InvalidInput) as refused:
        check_allergy(" ", "hives", False, [])
    assert refused.value.field == "substance"
