"""`disclose`: a concealed value reaches only the viewer its blind admits (ADR 0165)."""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from jinja2 import Environment

from mdma_at.domain.blinding import (
    MASK,
    Concealed,
    allocation_blind,
    disclose,
    kit_blind,
)
from mdma_at.domain.staff import Principal, Role

SITE, OTHER = 1, 2


def person(user_id: int, role: Role, site: int = SITE) -> Principal:
    return Principal(user_id, f"u{user_id}", f"User {user_id}", {site: frozenset({role})})


STATISTICIAN = person(1, Role.STATISTICIAN)
PHARMACIST = person(2, Role.PHARMACIST)
COORDINATOR = person(3, Role.COORDINATOR)
RATER = person(4, Role.RATER)
PHYSICIAN = person(5, Role.PHYSICIAN)
STATISTICIAN_ELSEWHERE = person(6, Role.STATISTICIAN, OTHER)


@dataclass(frozen=True)
class Row:
    study_id: str
    arm: Concealed[str] | None


class Pair(NamedTuple):
    kit: str
    contents: Concealed[str] | str | None


def arm(code: str = "mdma") -> Concealed[str]:
    return Concealed(code, allocation_blind([SITE]))


@pytest.mark.parametrize(
    ("viewer", "seen"),
    [
        (STATISTICIAN, "mdma"),  # view_allocation at the study's site (ADR 0161)
        (STATISTICIAN_ELSEWHERE, None),  # the role at another site does not unblind here
        (PHARMACIST, None),
        (COORDINATOR, None),
        (RATER, None),
        (PHYSICIAN, None),
        (None, None),  # an unknown viewer is blinded
    ],
)
def test_an_arm_is_disclosed_to_the_statistician_alone(
    viewer: Principal | None, seen: str | None
) -> None:
    assert disclose(Row("P-1", arm()), viewer) == Row("P-1", seen)


def test_a_blinded_reader_gets_no_key_and_no_element() -> None:
    answer = {"participants": [{"study_id": "P-1", "arm": arm()}], "arms": [arm("a"), arm("b")]}
    assert disclose(answer, COORDINATOR) == {"participants": [{"study_id": "P-1"}], "arms": []}
    assert disclose(answer, STATISTICIAN) == {
        "participants": [{"study_id": "P-1", "arm": "mdma"}],
        "arms": ["a", "b"],
    }


def test_nesting_tuples_sets_and_named_tuples_are_walked() -> None:
    contents = Concealed("placebo", kit_blind(SITE))
    shown = disclose((Pair("K-1", contents), {contents}), RATER)
    assert shown == (Pair("K-1", None), set())
    assert disclose(Pair("K-1", contents), PHARMACIST) == Pair("K-1", "placebo")


def test_the_physician_who_approved_an_unblinding_is_named_in_the_blind() -> None:
    reveal = Concealed("mdma", allocation_blind([SITE], [PHYSICIAN.user_id]))
    assert disclose(reveal, PHYSICIAN) == "mdma"
    assert disclose(reveal, person(9, Role.PHYSICIAN)) is None


def test_a_derived_value_keeps_the_blind() -> None:
    named = arm().map(lambda code: {"code": code, "name": code.upper()})
    assert disclose({"arm": named}, STATISTICIAN) == {"arm": {"code": "mdma", "name": "MDMA"}}
    assert disclose({"arm": named}, RATER) == {}


def test_what_is_not_concealed_is_returned_as_it_is() -> None:
    plain = {"rows": [Row("P-1", None)], "n": 1}
    assert disclose(plain, RATER) is plain


def test_a_concealed_value_that_escapes_disclose_shows_the_mask() -> None:
    hidden = arm()
    assert str(hidden) == repr(hidden) == f"{hidden}" == f"{hidden:>10}" == MASK
    assert Environment(autoescape=True).from_string("{{ a }}").render(a=hidden) == MASK
    assert Environment(autoescape=False).from_string("{{ a }}").render(a=hidden) == MASK
    assert json.dumps({"arm": hidden}, default=str) == json.dumps({"arm": MASK})
    with pytest.raises(TypeError):
        json.dumps({"arm": hidden})
    with pytest.raises(TypeError):
        pickle.dumps(hidden)
    assert hidden != arm() and hidden == hidden  # no question answered about the value
