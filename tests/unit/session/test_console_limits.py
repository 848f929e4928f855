"""The console's limits line is rendered from the session's rules, never restated (issue 12)."""

from __future__ import annotations

from mdma_at.protocols import get_protocol
from mdma_at.protocols.settings import with_values
from mdma_at.services.sessions.view import limits_text

MAPP = get_protocol("mapp_v1")


def test_the_protocols_limits_as_the_clinic_reads_them() -> None:
    caution, critical, bp = (text for _, text in limits_text(MAPP.dosing))
    # DESIGN.md §4, in-session alerts: SBP > 160, DBP > 100, HR > 120, T ≥ 38.0; low SBP < 90,
    # HR < 50, T < 35.5, SpO2 < 94 %; critical SBP ≥ 180, DBP ≥ 120, HR ≥ 140, T ≥ 39.0.
    assert caution == (
        "systolic > 160 mmHg, diastolic > 100 mmHg, heart rate > 120/min, temperature ≥ 38 °C; "
        "systolic < 90 mmHg, heart rate < 50/min, temperature < 35.5 °C, SpO2 < 94 %"
    )
    assert critical.startswith("systolic ≥ 180 mmHg, diastolic ≥ 120 mmHg, heart rate ≥ 140/min")
    # DESIGN.md §4, pre-dose BP gate: ≥ 140/90 physician approval, ≥ 160/100 no dose.
    assert bp.startswith("initial: ≥ 140/90 mmHg needs a physician, ≥ 160/100 mmHg no dose")


def test_a_site_value_changes_the_line() -> None:
    site = with_values(
        MAPP, {"thresholds.caution.heart_rate": 105, "pre_dose.bp_gate.approval_systolic": 130}
    )
    caution, _, bp = (text for _, text in limits_text(site.dosing))
    assert "heart rate > 105/min" in caution and "heart rate > 120/min" not in caution
    assert bp.startswith("initial: ≥ 130/90 mmHg needs a physician")
