"""Role and site: the access policy (pure)."""

import pytest

from mdma_at.domain.access import PERMISSIONS, Action, authorize, sites_for
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal, Role

SITE_A, SITE_B = 1, 2


def staff(**roles_by_site: frozenset[Role]) -> Principal:
    return Principal(
        7,
        "t.alvarez",
        "Sam Alvarez",
        {int(site.removeprefix("site")): roles for site, roles in roles_by_site.items()},
    )


def test_a_therapist_at_site_a_may_view_and_record_visits_there() -> None:
    therapist = staff(site1=frozenset({Role.THERAPIST}))
    assert authorize(therapist, Action.VIEW_PATIENTS, SITE_A) is Role.THERAPIST
    assert authorize(therapist, Action.RECORD_VISIT, SITE_A) is Role.THERAPIST


@pytest.mark.parametrize("action", list(Action))
def test_a_therapist_at_site_a_can_do_nothing_at_site_b(action: Action) -> None:
    therapist = staff(site1=frozenset({Role.THERAPIST}))
    with pytest.raises(PermissionDenied):
        authorize(therapist, action, SITE_B)


@pytest.mark.parametrize("role", [Role.RATER, Role.STATISTICIAN])
def test_blinded_and_analysis_roles_see_no_identifiable_patient_record(role: Role) -> None:
    with pytest.raises(PermissionDenied):
        authorize(staff(site1=frozenset({role})), Action.VIEW_PATIENTS, SITE_A)


def test_the_audited_role_is_one_that_grants_the_action() -> None:
    both = staff(site1=frozenset({Role.THERAPIST, Role.COORDINATOR}))
    assert authorize(both, Action.ENROL, SITE_A) is Role.COORDINATOR


def test_lists_span_only_the_sites_where_a_role_grants_the_action() -> None:
    mixed = staff(site1=frozenset({Role.THERAPIST}), site2=frozenset({Role.RATER}))
    assert sites_for(mixed, Action.VIEW_PATIENTS) == {SITE_A}


def test_every_action_has_a_permission_entry() -> None:
    assert set(PERMISSIONS) == set(Action)
