"""`Score.to_dict()` is exactly the JSON contract of `mdma-at score --json`."""

from __future__ import annotations

from mdma_at.domain.instruments import score
from mdma_at.protocols import get_protocol

LIB = get_protocol("mapp_v1").instruments
CONTRACT = [
    "instrument",
    "total",
    "severity",
    "diagnosis",
    "provisional",
    "above_cutoff",
    "prorated",
    "missing_items",
    "clusters",
    "alerts",
]


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


def test_item_answers_carry_the_item_and_answer_loinc_codes_to_store() -> None:
    from mdma_at.domain.instruments import item_answers

    phq9 = LIB.get("phq9")
    records = item_answers(phq9, score(phq9, [0, 1, 2, 3, None, 0, 0, 0, 0]))
    assert [(r.number, r.value, r.loinc, r.answer_loinc) for r in records[:5]] == [
        (1, 0, "44250-9", "LA6568-5"),
        (2, 1, "44255-8", "LA6569-3"),
        (3, 2, "44259-0", "LA6570-1"),
        (4, 3, "44254-1", "LA6571-9"),
        (5, None, "44251-7", None),
    ]


def test_item_answers_of_the_cssrs_name_item_6b_with_its_yes_no_codes() -> None:
    from mdma_at.domain.instruments import item_answers

    cssrs = LIB.get("cssrs-screen")
    records = item_answers(cssrs, score(cssrs, [1, 0, None, None, None, 1, 0]))
    assert (records[-1].label, records[-1].value, records[-1].loinc, records[-1].answer_loinc) == (
        "6b",
        0,
        "93269-9",
        "LA32-8",
    )
    assert (records[0].value, records[0].answer_loinc) == (1, "LA33-6")
