"""Sign-in, sessions, rate limits and API tokens through the real services."""

import pytest

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import AuthenticationFailed, RateLimited
from mdma_at.services import auth
from support.clinic import OPERATOR, PASSWORD


def login(ctx: Container, username: str, password: str, address: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return auth.login(
        ctx.uow(), ctx.clock, ctx.hasher, username, password, address, ctx.auth_policy
    )


def test_a_good_password_opens_a_session_that_resolves_to_the_principal(ctx, clinic) -> None:
    result = login(ctx, "t.a", PASSWORD)
    principal, _ = auth.resolve_session(ctx.uow(), ctx.clock, result.session_token)
    assert principal.username == "t.a"


def test_unknown_user_and_wrong_password_get_the_same_error(ctx, clinic) -> None:
    with pytest.raises(AuthenticationFailed) as unknown:
        login(ctx, "nobody", PASSWORD)
    with pytest.raises(AuthenticationFailed) as wrong:
        login(ctx, "t.a", "not the password")
    assert str(unknown.value) == str(wrong.value) == auth.LOGIN_FAILED
    with ctx.uow() as uow:
        actions = [e.content.action for e in uow.audit.recent(2)]
    assert actions == ["login_failed", "login_failed"]


def test_a_sixth_failure_in_15_minutes_locks_the_account_even_with_the_right_password(
    ctx, clinic
) -> None:
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            login(ctx, "t.a", "wrong password!")
    with pytest.raises(RateLimited):
        login(ctx, "t.a", PASSWORD)
    ctx.clock.advance(minutes=15, seconds=1)  # type: ignore[attr-defined]
    assert login(ctx, "t.a", PASSWORD).principal.username == "t.a"


def test_failures_from_one_address_are_limited_across_accounts(ctx, clinic) -> None:
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
    for _ in range(4):
        ctx.clock.advance(minutes=20)  # type: ignore[attr-defined]
        auth.resolve_session(ctx.uow(), ctx.clock, token)


def test_logout_ends_the_session(ctx, clinic) -> None:
    token = login(ctx, "t.a", PASSWORD).session_token
    auth.logout(ctx.uow(), ctx.clock, token)
    with pytest.raises(AuthenticationFailed):
        auth.resolve_session(ctx.uow(), ctx.clock, token)


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
        from sqlalchemy import text

        stored = db.execute(text("SELECT token_hash FROM login_sessions")).scalars().all()
        hashes = db.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert token not in stored and auth.token_digest(token) in stored
    assert all(h.startswith("$argon2id$") for h in hashes)
