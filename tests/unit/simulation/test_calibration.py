"""The simulator's calibration file (issue 19, item 2): every figure has a source, and the
published ones are the figures of the papers (reference: clinical-facts.md §5, copied into
calibration.toml's [sources] with their citations)."""

from __future__ import annotations

import pytest

from mdma_at.simulation.calibration import SIMULATION_DEFAULT, figures, load, raw


def test_every_figure_has_a_source_that_the_file_cites_or_a_reasoned_default() -> None:
    document = raw()
    cited = document["sources"]
    found = list(figures(document))
    assert len(found) > 40
    for figure in found:
        assert figure.source, f"{figure.path} has no source"
        if figure.source == SIMULATION_DEFAULT:
            continue
        assert figure.source in cited, f"{figure.path}: source {figure.source} is not in [sources]"
        assert cited[figure.source].strip()


def test_a_figure_without_a_source_is_found() -> None:
    broken = {"sources": {}, "change": {"mdma": {"mean": {"value": -23.7}}}}
    (figure,) = figures(broken)
    assert figure.path == "change.mdma.mean" and figure.source == ""


def test_a_value_that_is_not_a_figure_table_is_refused() -> None:
    with pytest.raises(ValueError, match="baseline: a figure is a table"):
        list(figures({"sources": {}, "baseline": 39.4}))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("baseline.mdma.mean", 39.4),  # MAPP2 Table 1 [S36]
        ("baseline.placebo.sd", 6.7),  # MAPP2 Table 1 [S36]
        ("change.mdma.mean", -23.7),  # MAPP2 LS mean change [S2]
        ("change.placebo.mean", -14.8),  # MAPP2 LS mean change [S2]
        ("completion.placebo.completed", 42),  # MAPP2 CT.gov results, 42/51 [S5]
        ("teae.mdma.muscle_tightness", 0.63),  # MAPP1, 29/46 [S31]
        ("teae.placebo.hyperhidrosis", 0.02),  # MAPP1, 1/44 [S31]
        ("vitals.peak_rise.systolic", 28.0),  # MAPP1 via Open MDMA [S33]
        ("blinding.participant.placebo_correct", 0.75),  # MIT Technology Review [S49]
    ],
)
def test_published_figures_are_the_papers(path: str, expected: float) -> None:
    assert load().value(path) == pytest.approx(expected)


def test_effect_zero_gives_both_arms_the_placebo_change() -> None:
    cal = load()
    assert cal.change("mdma", 0.0) == cal.change("placebo", 0.0) == pytest.approx(-14.8)  # [S2]
    assert cal.change("mdma", 1.0) == pytest.approx(-23.7)  # [S2]
    assert cal.dropout("mdma") == pytest.approx(1 / 53)  # 52 of 53 completed [S5]
