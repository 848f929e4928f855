"""Sign-in, sessions, throttling, API tokens and account life cycle through the real services."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from mdma_at.domain.staff import Role
from mdma_at.services.access import accounts, auth
from mdma_at.services.access.staff import add_user
from support.clinic import OPERATOR, PASSWORD, Clinic


def login(ctx: Container, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return auth.login(
        ctx.uow(), ctx.clock, ctx.hasher, username, password, address, ctx.auth_policy
    )


def actions(ctx: Container, n: int) -> list[str]:
    with ctx.uow() as uow:
        return [e.content.action for e in reversed(uow.audit.recent(n))]


def test_a_good_password_opens_a_session_that_resolves_to_the_principal(ctx, clinic) -> None:
    result = login(ctx, "t.a", PASSWORD)
    principal, credential = auth.resolve_session(ctx.uow(), ctx.clock, result.session_token)
    assert (principal.username, principal.user_id) == ("t.a", clinic.therapist_a.user_id)
    assert credential.csrf_token == result.csrf_token
    assert actions(ctx, 1) == ["login"]


def test_unknown_user_and_wrong_password_get_the_same_error(ctx, clinic) -> None:
    with pytest.raises(AuthenticationFailed) as unknown:
        login(ctx, "nobody", PASSWORD)
    with pytest.raises(AuthenticationFailed) as wrong:
        login(ctx, "t.a", "not the password")
    assert str(unknown.value) == str(wrong.value) == auth.LOGIN_FAILED
    assert actions(ctx, 2) == ["login_failed", "login_failed"]


def test_failures_slow_an_account_down_exponentially_but_never_lock_it(ctx, clinic) -> None:
    # ADR 0106: 5 free failures, then 1, 2, 4 ... s before the next attempt, capped at 60 s.
    for _ in range(5):
        with pytest.raises(AuthenticationFailed) as failed:
            login(ctx, "t.a", "wrong password!", address="203.0.113.7")
        assert not isinstance(failed.value, RateLimited)
    with pytest.raises(RateLimited, match=r"Try again in 1 second\."):
        login(ctx, "t.a", PASSWORD)  # even the right password waits: it is not checked
    ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed):
        login(ctx, "t.a", "wrong password!", address="203.0.113.7")  # 6th failure: 2 s
    with pytest.raises(RateLimited, match=r"Try again in 2 seconds\."):
        login(ctx, "t.a", PASSWORD)
    ctx.clock.advance(seconds=2)  # type: ignore[attr-defined]
    assert login(ctx, "t.a", PASSWORD).principal.username == "t.a"
    assert actions(ctx, 3) == ["login_failed", "login_delayed", "login"]


def test_an_attacker_hammering_an_account_imposes_at_most_a_minute_on_its_owner(
    ctx, clinic
) -> None:
    for _ in range(40):  # every attempt the delays allow, for more than ten minutes
        try:
            login(ctx, "t.a", "wrong password!", address="203.0.113.7")
        except RateLimited:
            pass
        except AuthenticationFailed:
            pass
        ctx.clock.advance(seconds=16)  # type: ignore[attr-defined]
    with ctx.uow() as uow:
        failures, latest = uow.login_attempts.failure_streak(
            since=ctx.clock.now() - timedelta(minutes=15), username="t.a"
        )
    assert failures > 5 and latest is not None
    # The owner, at another address, waits no more than the account cap (60 s), then signs in.
    ctx.clock.advance(seconds=60)  # type: ignore[attr-defined]
    assert login(ctx, "t.a", PASSWORD, address="10.0.0.2").principal.username == "t.a"


def test_waiting_attempts_do_not_lengthen_the_wait(ctx, clinic) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(ctx, "t.a", "wrong password!")
    for _ in range(10):
        with pytest.raises(RateLimited):
            login(ctx, "t.a", "wrong password!")
    with ctx.uow() as uow:
        failures, _ = uow.login_attempts.failure_streak(
            since=ctx.clock.now() - timedelta(minutes=15), username="t.a"
        )
    assert failures == 5
    ctx.clock.advance(seconds=1)  # type: ignore[attr-defined]
    assert login(ctx, "t.a", PASSWORD).principal.username == "t.a"


def test_failures_from_one_address_slow_that_address_across_accounts(ctx, clinic) -> None:
    for n in range(20):
        with pytest.raises(AuthenticationFailed):
            login(ctx, f"user{n}", "wrong password!", address="203.0.113.9")
    with pytest.raises(RateLimited):
        login(ctx, "t.a", PASSWORD, address="203.0.113.9")
    assert login(ctx, "t.a", PASSWORD, address="10.0.0.2").principal.username == "t.a"


def test_an_idle_session_expires_and_says_so(ctx, clinic) -> None:
    token = login(ctx, "t.a", PASSWORD).session_token
    ctx.clock.advance(minutes=30)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed, match="expired"):
        auth.resolve_session(ctx.uow(), ctx.clock, token)


def test_using_a_session_slides_its_idle_expiry(ctx, clinic) -> None:
    token = login(ctx, "t.a", PASSWORD).session_token
    for _ in range(4):  # 80 minutes in all, never more than 20 idle
        ctx.clock.advance(minutes=20)  # type: ignore[attr-defined]
        principal, _ = auth.resolve_session(ctx.uow(), ctx.clock, token)
        assert principal.username == "t.a"
    ctx.clock.advance(minutes=31)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed, match="expired"):
        auth.resolve_session(ctx.uow(), ctx.clock, token)


def test_logout_ends_the_session(ctx, clinic) -> None:
    token = login(ctx, "t.a", PASSWORD).session_token
    auth.logout(ctx.uow(), ctx.clock, token)
    with pytest.raises(AuthenticationFailed, match="Please sign in"):
        auth.resolve_session(ctx.uow(), ctx.clock, token)
    assert actions(ctx, 1) == ["logout"]


def test_an_api_token_resolves_until_it_expires(ctx, clinic) -> None:
    token, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "dr.a", "nightly export")
    assert auth.resolve_api_token(ctx.uow(), ctx.clock, token).username == "dr.a"
    with pytest.raises(AuthenticationFailed, match="Invalid"):
        auth.resolve_api_token(ctx.uow(), ctx.clock, token + "x")
    ctx.clock.advance(days=90)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed, match="expired"):
        auth.resolve_api_token(ctx.uow(), ctx.clock, token)


def test_only_digests_of_secrets_are_stored(ctx, clinic) -> None:
    token = login(ctx, "t.a", PASSWORD).session_token
    with ctx.engine.connect() as db:
        stored = db.execute(text("SELECT token_hash FROM login_sessions")).scalars().all()
        hashes = db.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert token not in stored and auth.token_digest(token) in stored
    assert all(h.startswith("$argon2id$") for h in hashes)


# --- accounts (issue 10, item 6) ---------------------------------------------------------------


def test_a_deactivated_account_stops_at_once_everywhere(ctx, clinic: Clinic) -> None:
    session = login(ctx, "t.a", PASSWORD).session_token
    token, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "t.a", "script")
    member = accounts.deactivate_user(ctx.uow(), ctx.clock, OPERATOR, "t.a", "left the clinic")
    assert not member.active
    with pytest.raises(AuthenticationFailed):
        auth.resolve_session(ctx.uow(), ctx.clock, session)
    with pytest.raises(AuthenticationFailed):
        auth.resolve_api_token(ctx.uow(), ctx.clock, token)
    with pytest.raises(AuthenticationFailed, match="Unknown user or wrong password"):
        login(ctx, "t.a", PASSWORD)
    with ctx.uow() as uow:
        event = next(e for e in uow.audit.recent(5) if e.content.action == "user_deactivated")
    assert (event.content.actor, event.content.reason) == ("cli:test", "left the clinic")
    assert event.content.after == '{"active":false,"sessions_revoked":1,"tokens_revoked":1}'


def test_reactivation_lets_the_person_sign_in_but_revives_no_old_token(ctx, clinic) -> None:
    token, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "t.a", "script")
    accounts.deactivate_user(ctx.uow(), ctx.clock, OPERATOR, "t.a")
    accounts.reactivate_user(ctx.uow(), ctx.clock, OPERATOR, "t.a", "back from leave")
    assert login(ctx, "t.a", PASSWORD).principal.username == "t.a"
    with pytest.raises(AuthenticationFailed, match="Invalid"):
        auth.resolve_api_token(ctx.uow(), ctx.clock, token)
    with pytest.raises(Conflict, match="already active"):
        accounts.reactivate_user(ctx.uow(), ctx.clock, OPERATOR, "t.a")


def test_tokens_are_listed_and_revoked_one_by_one(ctx, clinic) -> None:
    first, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "dr.a", "export")
    second, _ = auth.issue_api_token(ctx.uow(), ctx.clock, OPERATOR, "dr.a", "backup")
    listed = accounts.account_tokens(ctx.uow(), ctx.clock, OPERATOR, "dr.a")
    assert [t.name for t in listed.tokens] == ["export", "backup"]
    assert listed.roles == ["physician@SITE-A"]
    revoked = accounts.revoke_api_token(ctx.uow(), ctx.clock, OPERATOR, listed.tokens[0].id)
    assert revoked.revoked_at == ctx.clock.now()
    with pytest.raises(AuthenticationFailed):
        auth.resolve_api_token(ctx.uow(), ctx.clock, first)
    assert auth.resolve_api_token(ctx.uow(), ctx.clock, second).username == "dr.a"
    assert actions(ctx, 1) == ["api_token_revoked"]
    with pytest.raises(Conflict, match="already revoked"):
        accounts.revoke_api_token(ctx.uow(), ctx.clock, OPERATOR, listed.tokens[0].id)
    with pytest.raises(NotFound, match="no API token 999"):
        accounts.revoke_api_token(ctx.uow(), ctx.clock, OPERATOR, 999)


def test_an_admin_manages_only_accounts_at_sites_they_administer(ctx, clinic: Clinic) -> None:
    add_user(
        ctx.uow(),
        ctx.clock,
        ctx.hasher,
        OPERATOR,
        username="admin.a",
        full_name="Admin A",
        password=PASSWORD,
        grants=[("SITE-A", Role.ADMIN)],
    )
    with ctx.uow() as uow:
        found = uow.staff.by_username("admin.a")
        assert found is not None
        admin_a = auth.load_principal(uow, found[0].id)
    listed = [a.member.username for a in accounts.list_accounts(ctx.uow(), admin_a)]
    assert listed == ["admin.a", "c.a", "dr.a", "t.a"]  # not t.b (site B), not admin (A and B)
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(ctx.uow(), ctx.clock, admin_a, "t.b")
    assert actions(ctx, 1) == ["access_denied"]
    with ctx.uow() as uow:
        still = uow.staff.by_username("t.b")
    assert still is not None and still[0].active
    with pytest.raises(InvalidInput, match="your own account"):
        accounts.deactivate_user(ctx.uow(), ctx.clock, clinic.admin, "admin")
    accounts.deactivate_user(ctx.uow(), ctx.clock, admin_a, "t.a")
    with ctx.uow() as uow:
        event = uow.audit.recent(1)[0].content
    assert (event.action, event.actor, event.role) == ("user_deactivated", "admin.a", "admin")


def test_a_therapist_cannot_deactivate_anyone(ctx, clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        accounts.deactivate_user(ctx.uow(), ctx.clock, clinic.therapist_a, "c.a")
    with ctx.uow() as uow:
        found = uow.staff.by_username("c.a")
    assert found is not None and found[0].active


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 12, "must not be blank (only spaces)"),
        ("password1234", "is on the list of commonly used passwords; choose a longer phrase"),
        ("new.person", "must be at least 12 characters"),
        ("New.Person2026", "must not be the username or a variant of it"),
        ("nosrep.wen", "must be at least 12 characters"),
        ("nosrepwen!!!", "must not be the username or a variant of it"),
    ],
)
def test_a_weak_password_is_refused_naming_the_rule_and_nothing_is_stored(
    ctx, clinic, password: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        add_user(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            OPERATOR,
            username="new.person",
            full_name="New Person",
            password=password,
            grants=[("SITE-A", Role.RATER)],
        )
    assert (refused.value.field, refused.value.reason) == ("password", reason)
    with ctx.uow() as uow:
        assert uow.staff.by_username("new.person") is None
