"""The restart warning include shared by the chart and the dosing console (issue 14, item 6)."""

from __future__ import annotations

from datetime import date

from mdma_at.domain.washout import RestartWarning
from mdma_at.entrypoints.web.rendering import templates


def test_the_include_names_the_drug_and_both_dates_and_is_silent_without_a_restart() -> None:
    include = templates.env.get_template("_medication_restarts.html")
    warning = RestartWarning("sertraline", "Zoloft", date(2026, 9, 1), date(2026, 9, 20))
    shown = include.render(restarts=(warning,))
    assert 'role="alert"' in shown
    assert "Zoloft (sertraline) was stopped on 2026-09-01" in shown
    assert "restarted on 2026-09-20" in shown
    assert include.render(restarts=()).strip() == ""
