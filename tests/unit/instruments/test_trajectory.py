"""Trajectories: change from the first score, bands to shade, the C-SSRS as a risk scale."""

from datetime import date

from mdma_at.domain.instruments import ChangeCategory, score
from mdma_at.domain.measurement.trajectory import Measurement, trajectories, trajectory
from mdma_at.entrypoints.web.measurement.charts import chart_shape
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments
PCL5 = LIB.get("pcl5")
PHQ9 = LIB.get("phq9")
CSSRS = LIB.get("cssrs-screen")


def _pcl5(number: int, on: date, ratings: list[int]) -> Measurement:
    return Measurement(number, on, f"visit {number}", score(PCL5, ratings))


def test_later_scores_are_compared_with_the_first_and_marked_with_their_categories() -> None:
    baseline = _pcl5(1, date(2026, 1, 1), [3] * 20)  # 60, diagnosis
    later = _pcl5(2, date(2026, 4, 1), [1] * 10 + [0] * 10)  # 10, no diagnosis
    worse = _pcl5(3, date(2026, 6, 1), [4] * 20)  # 80
    tr = trajectory(PCL5, [later, worse, baseline], LIB.change_rule("pcl5"))
    assert [p.value for p in tr.points] == [60, 10, 80]
    assert tr.points[0].change is None and tr.points[0].delta is None
    assert tr.points[1].delta == -50
    assert tr.points[1].change is not None
    # 60 -> 10: a response, the diagnosis lost and 10 <= 11: only the highest grade is given.
    assert tr.points[1].change.categories == (ChangeCategory.REMISSION,)
    assert tr.points[2].change is not None
    assert tr.points[2].change.categories == (ChangeCategory.WORSENING,)
    assert (tr.y_max, tr.cutoff, tr.bands) == (80, 33, ())


def test_an_unscorable_first_score_is_not_the_baseline() -> None:
    blank = Measurement(1, date(2026, 1, 1), None, score(PHQ9, [None] * 9))
    first = Measurement(2, date(2026, 2, 1), None, score(PHQ9, [2] * 9))
    second = Measurement(3, date(2026, 3, 1), None, score(PHQ9, [1] * 9))
    tr = trajectory(PHQ9, [blank, first, second], None)
    assert [p.value for p in tr.points] == [None, 18, 9]
    assert [p.delta for p in tr.points] == [None, None, -9]
    assert tr.bands[0].label == "minimal"


def test_the_cssrs_screener_is_plotted_as_its_risk_level() -> None:
    none = Measurement(1, date(2026, 1, 1), None, score(CSSRS, [0] * 7))
    high = Measurement(2, date(2026, 2, 1), None, score(CSSRS, [1, 1, 0, 1, 0, 0, 0]))
    (tr,) = trajectories(LIB, [("cssrs-screen", none), ("cssrs-screen", high)])
    assert [p.value for p in tr.points] == [0, 3]
    assert tr.is_risk_scale and tr.y_max == 3
    assert [b.label for b in tr.bands] == ["none", "low", "moderate", "high"]


def test_trajectories_come_in_the_protocol_order_for_instruments_with_scores_only() -> None:
    found = trajectories(
        LIB,
        [
            ("phq9", Measurement(1, date(2026, 1, 1), None, score(PHQ9, [1] * 9))),
            ("pcl5", _pcl5(2, date(2026, 1, 1), [1] * 20)),
        ],
    )
    assert [str(t.definition.code) for t in found] == ["pcl5", "phq9"]


def test_the_chart_puts_higher_scores_higher_and_letters_on_changed_points() -> None:
    tr = trajectory(
        PCL5,
        [_pcl5(1, date(2026, 1, 1), [3] * 20), _pcl5(2, date(2026, 4, 1), [1] * 10 + [0] * 10)],
        LIB.change_rule("pcl5"),
    )
    shape = chart_shape(tr)
    first, second = shape.points
    assert first.y < second.y  # SVG y grows downwards: 60 sits above 10
    assert first.x < second.x
    # 10 <= 11: remission, the highest grade, which includes response and loss of diagnosis.
    assert (first.marks, second.marks) == ("", "R")
    assert "remission" in second.title
    assert shape.cutoff_y is not None and first.y < shape.cutoff_y < second.y
