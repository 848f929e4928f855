"""Logging in and out, sessions and API tokens (ADR 0004).

- Passwords are checked with Argon2 (adapter); an unknown user costs one Argon2 verification too,
  against a dummy hash, so the error and the timing are the same as for a wrong password.
- Failed sign-ins slow further attempts down, per account and per address: after a few free
  failures each one doubles the wait before the next attempt is even checked, up to a cap, and a
  success resets it (ADR 0106). Never a hard lock, so nobody can lock someone else out; attempts
  refused for waiting are not failures, so hammering does not lengthen the wait.
- The client address is the direct peer, or the address a trusted proxy forwarded (never a header
  from anyone else).
- Session and API tokens are random 256-bit secrets; only their SHA-256 is stored.
- Every login, failure, lock-out and logout is audited.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address

from mdma_at.domain.errors import AuthenticationFailed, InvalidInput, RateLimited
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import SYSTEM, Actor, record
from mdma_at.services.ports import Clock, Credential, PasswordHasher, UnitOfWork

LOGIN_FAILED = "Unknown user or wrong password."


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Site defaults chosen for safety on shared clinic workstations (ADR 0004)."""

    session_idle_minutes: int = 30
    session_max_hours: int = 12  # a dosing day is 8 h or more: one login covers it
    failure_window_minutes: int = 15  # failures older than this are forgotten
    max_failures_per_account: int = 5  # free failures before each next one doubles the wait
    max_failures_per_address: int = 20
    # The caps bound what an attacker can impose on someone else: at most a minute's wait for an
    # account (whoever hammers it), longer for an address that keeps failing across accounts.
    account_delay_cap_seconds: int = 60
    address_delay_cap_seconds: int = 900
    api_token_days: int = 90


def sign_in_delay(failures: int, free: int, cap_seconds: int) -> int:
    """Seconds to wait after `failures` consecutive failed sign-ins: none for the first `free`,
    then 1, 2, 4, 8 ... seconds, at most `cap_seconds`."""
    if failures < free:
        return 0
    doublings: int = min(failures - free, 30)
    return min(cap_seconds, 1 << doublings)


def client_address(
    peer: str | None,
    forwarded_for: str | None,
    trusted_proxies: Sequence[IPv4Network | IPv6Network],
) -> str:
    """The address a request came from: the direct peer, unless the peer is a trusted proxy;
    then the right-most address in X-Forwarded-For that is not itself a trusted proxy (the ones
    to its left were written by the client and prove nothing)."""
    if not peer:
        return "unknown"
    chain = [peer]
    if forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()] + chain
    for hop in reversed(chain):
        try:
            address = ip_address(hop)
        except ValueError:
            return hop[:64]  # not an address: a proxy we trust passed rubbish on; keep it visible
        if not any(address in network for network in trusted_proxies):
            return str(address)
    return str(ip_address(chain[0]))


@dataclass(frozen=True, slots=True)
class LoginResult:
    principal: Principal
    session_token: str
    csrf_token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def load_principal(uow: UnitOfWork, user_id: int) -> Principal:
    found = uow.staff.with_roles(user_id)
    if found is None or not found[0].active:
        raise AuthenticationFailed("account is not active")
    member, roles = found
    return Principal(member.id, member.username, member.full_name, roles)


def login(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    username: str,
    password: str,
    address: str,
    policy: AuthPolicy = AuthPolicy(),
) -> LoginResult:
    """Check credentials and open a session; failures are recorded and committed before raising."""
    now = clock.now()
    username = username.strip().lower()
    with uow:
        wait = _wait(uow, now, username, address, policy)
        if wait > 0:
            reason = f"from {address}: {wait:.0f} s to wait"
            record(uow, clock, SYSTEM, "login_delayed", "user", username, reason=reason)
            uow.commit()
            seconds = math.ceil(wait)
            unit = "second" if seconds == 1 else "seconds"
            raise RateLimited(f"Too many failed sign-ins. Try again in {seconds} {unit}.")
        found = uow.staff.by_username(username)
        hashed = found[1] if found else hasher.dummy_hash
        password_ok = hasher.verify(hashed, password)
        if found is None or not password_ok or not found[0].active:
            _fail(uow, clock, username, address, "login_failed")
            raise AuthenticationFailed(LOGIN_FAILED)
        member = found[0]
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + timedelta(minutes=policy.session_idle_minutes)
        credential = uow.credentials.add_session(member.id, token_digest(token), csrf, now, expires)
        uow.login_attempts.add(username, address, now, succeeded=True)
        actor = Actor(member.id, member.username)
        record(uow, clock, actor, "login", "session", credential.id, reason=f"from {address}")
        principal = load_principal(uow, member.id)
        uow.commit()
    return LoginResult(principal, token, csrf, expires)


def check_second_person(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    username: str,
    password: str,
    address: str,
    policy: AuthPolicy = AuthPolicy(),
) -> Principal:
    """A second person (a witness) proves who they are with their own password, at the point of
    use: throttled and recorded exactly like a sign-in (so it is no side door for guessing), but
    opening no session. Call it before the use case writes anything: a failure commits the
    failed attempt.

    Raises:
        RateLimited, AuthenticationFailed: as `login`.
    """
    now = clock.now()
    username = username.strip().lower()
    with uow:
        wait = _wait(uow, now, username, address, policy)
        if wait > 0:
            record(uow, clock, SYSTEM, "login_delayed", "user", username, reason=f"from {address}")
            uow.commit()
            raise RateLimited(f"Too many failed sign-ins. Try again in {math.ceil(wait)} s.")
        found = uow.staff.by_username(username)
        password_ok = hasher.verify(found[1] if found else hasher.dummy_hash, password)
        if found is None or not password_ok or not found[0].active:
            _fail(uow, clock, username, address, "second_person_failed")
            raise AuthenticationFailed(LOGIN_FAILED)
        uow.login_attempts.add(username, address, now, succeeded=True)
        return load_principal(uow, found[0].id)


def _wait(uow: UnitOfWork, now: datetime, username: str, address: str, policy: AuthPolicy) -> float:
    """Seconds before this account and this address may try again (0: now)."""
    since = now - timedelta(minutes=policy.failure_window_minutes)
    waits = [0.0]
    for scope, free, cap in (
        ({"username": username}, policy.max_failures_per_account, policy.account_delay_cap_seconds),
        ({"address": address}, policy.max_failures_per_address, policy.address_delay_cap_seconds),
    ):
        failures, latest = uow.login_attempts.failure_streak(since=since, **scope)
        delay = sign_in_delay(failures, free, cap)
        if delay and latest is not None:
            waits.append((latest + timedelta(seconds=delay) - now).total_seconds())
    return max(waits)


def _fail(uow: UnitOfWork, clock: Clock, username: str, address: str, action: str) -> None:
    uow.login_attempts.add(username, address, clock.now(), succeeded=False)
    record(uow, clock, SYSTEM, action, "user", username, reason=f"from {address}")
    uow.commit()


def resolve_session(
    uow: UnitOfWork,
    clock: Clock,
    token: str,
    policy: AuthPolicy = AuthPolicy(),
    *,
    slide: bool = True,
) -> tuple[Principal, Credential]:
    """The principal behind a session cookie; slides the idle expiry forward.

    Args:
        slide: False for a page's own timer (the console's and the alert lists' polls, every
            2-3 s): it reads the session and writes nothing, and is not a person's activity, so
            the idle expiry stays where the last real request put it (ADR 0204).

    Raises:
        AuthenticationFailed: unknown, revoked or expired session (the message says which).
    """
    now = clock.now()
    with uow:
        credential = uow.credentials.session(token_digest(token))
        if credential is None or credential.revoked_at is not None:
            raise AuthenticationFailed("Please sign in.")
        absolute_end = credential.created_at + timedelta(hours=policy.session_max_hours)
        if now >= credential.expires_at or now >= absolute_end:
            raise AuthenticationFailed("Your session has expired. Please sign in again.")
        principal = load_principal(uow, credential.user_id)
        if not slide:
            return principal, credential
        new_expiry = min(now + timedelta(minutes=policy.session_idle_minutes), absolute_end)
        uow.credentials.touch_session(credential.id, new_expiry)
        uow.commit()
    return principal, credential


def logout(uow: UnitOfWork, clock: Clock, token: str) -> None:
    with uow:
        credential = uow.credentials.session(token_digest(token))
        if credential is None or credential.revoked_at is not None:
            return
        uow.credentials.revoke_session(credential.id, clock.now())
        member = uow.staff.get(credential.user_id)
        actor = Actor(credential.user_id, member.username if member else "?")
        record(uow, clock, actor, "logout", "session", credential.id)
        uow.commit()


def issue_api_token(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    username: str,
    name: str,
    policy: AuthPolicy = AuthPolicy(),
) -> tuple[str, datetime]:
    """A new bearer token for scripts; the secret is shown once and only its hash is kept."""
    if not name.strip():
        raise InvalidInput("name", "a token needs a name saying what script uses it")
    now = clock.now()
    with uow:
        found = uow.staff.by_username(username.strip().lower())
        if found is None:
            raise InvalidInput("username", f"no user called {username!r}")
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(days=policy.api_token_days)
        credential = uow.credentials.add_api_token(
            found[0].id, name, token_digest(token), now, expires
        )
        record(
            uow,
            clock,
            actor,
            "api_token_issued",
            "api_token",
            credential.id,
            after={"user": found[0].username, "name": name, "expires_at": expires},
        )
        uow.commit()
    return token, expires


def resolve_api_token(uow: UnitOfWork, clock: Clock, token: str) -> Principal:
    """The principal behind a bearer token; only reads, so on SQLite it does not queue for the
    write lock behind the writes of other requests."""
    with uow.reading():
        credential = uow.credentials.api_token(token_digest(token))
        if credential is None or credential.revoked_at is not None:
            raise AuthenticationFailed("Invalid API token.")
        if clock.now() >= credential.expires_at:
            raise AuthenticationFailed("The API token has expired.")
        return load_principal(uow, credential.user_id)
