"""Properties that hold for every possible answer sheet (hypothesis)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from mdma_at.domain.instruments import score
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments
PCL5, PHQ9, CAPS5 = LIB.get("pcl5"), LIB.get("phq9"), LIB.get("caps5")


def sheets(count: int, maximum: int, missing: bool) -> st.SearchStrategy[list[int | None]]:
    rating = st.integers(0, maximum)
    item = st.one_of(st.none(), rating) if missing else rating
    return st.lists(item, min_size=count, max_size=count)


@given(sheets(9, 3, missing=True))
def test_a_phq9_total_is_null_or_within_0_to_27_and_its_band_holds_it(
    answers: list[int | None],
) -> None:
    result = score(PHQ9, answers)
    if result.total is None:
        assert answers.count(None) > 2 and result.severity is None
    else:
        assert 0 <= result.total <= 27
        band = PHQ9.band_for(result.total)
        assert band is not None and band.label == result.severity


@given(sheets(9, 3, missing=False))
def test_a_complete_phq9_total_is_the_plain_sum(answers: list[int | None]) -> None:
    result = score(PHQ9, answers)
    assert result.total == sum(a or 0 for a in answers) and not result.prorated


@settings(max_examples=60)
@given(sheets(20, 4, missing=False), st.sets(st.integers(0, 19), max_size=3))
def test_a_pcl5_diagnosis_given_with_blanks_is_the_same_for_every_way_of_filling_them(
    complete: list[int | None], blanks: set[int]
) -> None:
    answers = [None if i in blanks else a for i, a in enumerate(complete)]
    decided = score(PCL5, answers).diagnosis
    outcomes = set()
    for filling in itertools.product((0, 2), repeat=len(blanks)):
        filled = list(answers)
        for i, value in zip(sorted(blanks), filling, strict=True):
            filled[i] = value
        outcomes.add(score(PCL5, filled).diagnosis)
    if decided is None:
        assert outcomes == {True, False}
    else:
        assert outcomes == {decided}


@given(sheets(20, 4, missing=False), st.booleans(), st.booleans())
def test_a_caps5_diagnosis_needs_f_and_g_and_the_clusters(
    answers: list[int | None], f: bool, g: bool
) -> None:
    with_fg = score(CAPS5, answers, criterion_f=f, criterion_g=g).diagnosis
    clusters = score(PCL5, answers).diagnosis  # same DSM-5 cluster rule, no F/G
    assert with_fg is (bool(clusters) and f and g)
