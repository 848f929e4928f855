"""`Score.to_dict()` is exactly the JSON contract of `mdma-at score --json`."""

from __future__ import annotations

from mdma_at.domain.instruments import score
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments
CONTRACT = ["instrument", "total", "severity", "diagnosis", "above_cutoff", "clusters", "alerts"]


def test_to_dict_has_exactly_the_contract_keys_for_every_instrument() -> None:
    answers = {
        "pcl5": [1] * 20,
        "phq9": [1] * 9,
        "gad7": [1] * 7,
        "cssrs-screen": [1, 1, 1, 0, 0, 0, None],
        "caps5": [1] * 20,
    }
    for code, items in answers.items():
        assert list(score(LIB.get(code), items).to_dict()) == CONTRACT


def test_alerts_carry_code_level_reason_and_source() -> None:
    alert = score(LIB.get("phq9"), [0] * 8 + [2]).to_dict()["alerts"][0]
    assert set(alert) >= {"code", "level", "reason", "source"}
    assert alert["code"] == "phq9_item9_positive"
    assert "item 9 = 2" in alert["reason"]


def test_clusters_are_empty_for_instruments_without_them() -> None:
    assert score(LIB.get("phq9"), [0] * 9).to_dict()["clusters"] == {}


def test_every_score_explains_itself() -> None:
    result = score(LIB.get("caps5"), [2] * 20)
    assert any("criterion F" in r for r in result.reasons)
    assert result.reasons[-1] == "diagnosis (dsm5_with_f_and_g): cannot be determined"
