"""Sites, staff, credentials and login attempts: what sign-in and administration rely on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract.conftest import UowFactory
from contract.seed import T0, seed
from mdma_at.domain.errors import DuplicateKey
from mdma_at.domain.staff import Role


def test_sites_by_code_in_code_order_and_updated(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        b = uow.sites.add("SITE-B", "Hillside Clinic", "Europe/London")
        a = uow.sites.add("SITE-A", "Harbour Clinic")
        changed = uow.sites.update(b.id, on_call_name="Dr Reid", repage_minutes=10)
        uow.commit()
    with new_uow() as uow:
        assert [s.code for s in uow.sites.list()] == ["SITE-A", "SITE-B"]
        assert uow.sites.get(a.id) == a
        assert uow.sites.by_code("SITE-B") == changed
        assert (changed.timezone, changed.on_call_name, changed.repage_minutes) == (
            "Europe/London",
            "Dr Reid",
            10,
        )
        assert a.repage_minutes == 5  # the schema's default
        assert uow.sites.get(999) is None
        assert uow.sites.by_code("NOPE") is None


def test_staff_roles_and_activity(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
        uow.staff.grant(s.therapist.id, s.site_b.id, Role.THERAPIST)
        uow.staff.grant(s.therapist.id, s.site_b.id, Role.COORDINATOR)
        uow.staff.set_active(s.physician.id, False)
        uow.commit()
    with new_uow() as uow:
        assert uow.staff.count() == 2
        assert [m.username for m in uow.staff.list()] == ["dr.a", "t.a"]
        found = uow.staff.by_username("t.a")
        assert found is not None and found[1] == "hash-t"
        assert uow.staff.by_username("nobody") is None
        assert uow.staff.roles(s.therapist.id) == {
            s.site_a.id: frozenset({Role.THERAPIST}),
            s.site_b.id: frozenset({Role.THERAPIST, Role.COORDINATOR}),
        }
        assert uow.staff.roles(999) == {}
        therapist = uow.staff.get(s.therapist.id)
        assert uow.staff.with_roles(s.therapist.id) == (
            therapist,
            uow.staff.roles(s.therapist.id),
        )
        no_roles = uow.staff.add("no.roles", "No Roles", "hash-n")
        assert uow.staff.with_roles(no_roles.id) == (no_roles, {})
        assert uow.staff.with_roles(999) is None
        physician = uow.staff.get(s.physician.id)
        assert physician is not None and not physician.active


def test_a_role_granted_twice_is_a_duplicate_key(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        s = seed(uow)
    with pytest.raises(DuplicateKey), new_uow() as uow:
        uow.staff.grant(s.therapist.id, s.site_a.id, Role.THERAPIST)


def test_sessions_and_tokens_are_found_by_hash_and_revoked(new_uow: UowFactory) -> None:
    later = T0 + timedelta(hours=8)
    with new_uow() as uow:
        s = seed(uow)
        login = uow.credentials.add_session(s.therapist.id, "h-session", "csrf", T0, later)
        first = uow.credentials.add_api_token(s.therapist.id, "export", "h-1", T0, later)
        second = uow.credentials.add_api_token(s.therapist.id, "sync", "h-2", T0, later)
        uow.credentials.revoke_api_token(first.id, T0)
        uow.commit()
    with new_uow() as uow:
        found = uow.credentials.session("h-session")
        assert found == login and found.csrf_token == "csrf"
        assert uow.credentials.session("h-unknown") is None
        assert uow.credentials.api_token("h-2") == second
        assert [(t.name, t.revoked_at) for t in uow.credentials.api_tokens_of(s.therapist.id)] == [
            ("export", T0),
            ("sync", None),
        ]
        assert uow.credentials.api_token_by_id(999) is None
        # a second revocation keeps the first time; revoking all counts only the open ones
        uow.credentials.revoke_api_token(first.id, later)
        assert uow.credentials.revoke_all_of(s.therapist.id, later) == (1, 1)
        uow.credentials.touch_session(login.id, later + timedelta(hours=1))
        uow.commit()
    with new_uow() as uow:
        token = uow.credentials.api_token_by_id(first.id)
        assert token is not None and token.revoked_at == T0
        session = uow.credentials.session("h-session")
        assert session is not None and session.revoked_at == later
        assert session.expires_at == later + timedelta(hours=1)


def test_a_failure_streak_restarts_at_the_accounts_last_success(new_uow: UowFactory) -> None:
    """For an account only failures after its last success count; for an address, all do."""
    with new_uow() as uow:
        for minute, ok in [(1, False), (2, False), (3, True), (4, False)]:
            uow.login_attempts.add("t.a", "10.0.0.1", T0 + timedelta(minutes=minute), ok)
        uow.login_attempts.add("dr.a", "10.0.0.2", T0 + timedelta(minutes=5), False)
        uow.commit()
    with new_uow() as uow:
        streak = uow.login_attempts.failure_streak
        assert streak(since=T0, username="t.a") == (1, T0 + timedelta(minutes=4))
        assert streak(since=T0, address="10.0.0.1") == (3, T0 + timedelta(minutes=4))
        assert streak(since=T0 + timedelta(minutes=5)) == (1, T0 + timedelta(minutes=5))
        assert streak(since=T0 + timedelta(minutes=6)) == (0, None)
