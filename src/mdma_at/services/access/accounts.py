"""Staff accounts after creation: deactivate, reactivate, list and revoke API tokens (ADR 0106).

One set of use cases for the command line (an operator with a shell on the server) and for the
admin page (an admin, who may act only on accounts whose every role is at a site they administer,
and never deactivate themselves). Every change is audited; a deactivated account is refused on
its next request, because every request loads the principal and checks `active`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.staff import Principal, StaffMember
from mdma_at.services.audit import Actor, guard, record
from mdma_at.services.ports import ApiTokenRecord, Clock, UnitOfWork

Operator = Actor | Principal  # the CLI's operator, or a signed-in admin


@dataclass(frozen=True, slots=True)
class Account:
    member: StaffMember
    roles: Sequence[str]  # "role@SITE", sorted
    tokens: Sequence[ApiTokenRecord]


def list_accounts(uow: UnitOfWork, by: Operator) -> list[Account]:
    """Every account `by` may manage, with its roles and API tokens (admins only)."""
    with uow:
        managed = sites_for(by, Action.MANAGE_STAFF) if isinstance(by, Principal) else None
        if managed is not None and not managed:
            raise PermissionDenied(f"{by.username} may not manage staff accounts")
        codes = {site.id: site.code for site in uow.sites.list()}
        accounts = []
        for member in uow.staff.list():
            roles = uow.staff.roles(member.id)
            if managed is not None and (not roles or not set(roles) <= managed):
                continue
            labels = sorted(f"{r.value}@{codes[s]}" for s, rs in roles.items() for r in rs)
            accounts.append(Account(member, labels, uow.credentials.api_tokens_of(member.id)))
        return accounts


def account_tokens(uow: UnitOfWork, clock: Clock, by: Operator, username: str) -> Account:
    with uow:
        member = _member(uow, username)
        _acting(uow, clock, by, member)
        roles = uow.staff.roles(member.id)
        codes = {site.id: site.code for site in uow.sites.list()}
        labels = sorted(f"{r.value}@{codes[s]}" for s, rs in roles.items() for r in rs)
        return Account(member, labels, uow.credentials.api_tokens_of(member.id))


def deactivate_user(
    uow: UnitOfWork, clock: Clock, by: Operator, username: str, reason: str | None = None
) -> StaffMember:
    """Stop an account at once: it is refused from its next request, and its open sessions and
    API tokens are revoked, so reactivating it later does not revive what was handed out."""
    with uow:
        member = _member(uow, username)
        actor = _acting(uow, clock, by, member)
        if isinstance(by, Principal) and by.user_id == member.id:
            raise InvalidInput("username", "you cannot deactivate your own account")
        if not member.active:
            raise Conflict(f"user {member.username} is already deactivated")
        uow.staff.set_active(member.id, False)
        sessions, tokens = uow.credentials.revoke_all_of(member.id, clock.now())
        record(
            uow,
            clock,
            actor,
            "user_deactivated",
            "user",
            member.id,
            before={"active": True},
            after={"active": False, "sessions_revoked": sessions, "tokens_revoked": tokens},
            reason=reason,
        )
        uow.commit()
    return StaffMember(member.id, member.username, member.full_name, False)


def reactivate_user(
    uow: UnitOfWork, clock: Clock, by: Operator, username: str, reason: str | None = None
) -> StaffMember:
    with uow:
        member = _member(uow, username)
        actor = _acting(uow, clock, by, member)
        if member.active:
            raise Conflict(f"user {member.username} is already active")
        uow.staff.set_active(member.id, True)
        record(
            uow,
            clock,
            actor,
            "user_reactivated",
            "user",
            member.id,
            before={"active": False},
            after={"active": True},
            reason=reason,
        )
        uow.commit()
    return StaffMember(member.id, member.username, member.full_name, True)


def revoke_api_token(
    uow: UnitOfWork, clock: Clock, by: Operator, token_id: int, reason: str | None = None
) -> ApiTokenRecord:
    with uow:
        token = uow.credentials.api_token_by_id(token_id)
        owner = uow.staff.get(token.user_id) if token else None
        if token is None or owner is None:
            raise NotFound(f"no API token {token_id}")
        actor = _acting(uow, clock, by, owner)
        if token.revoked_at is not None:
            raise Conflict(f"API token {token_id} is already revoked")
        now = clock.now()
        uow.credentials.revoke_api_token(token.id, now)
        record(
            uow,
            clock,
            actor,
            "api_token_revoked",
            "api_token",
            token.id,
            after={"user": owner.username, "name": token.name},
            reason=reason,
        )
        uow.commit()
    return ApiTokenRecord(
        token.id, token.user_id, token.name, token.created_at, token.expires_at, now
    )


def _member(uow: UnitOfWork, username: str) -> StaffMember:
    found = uow.staff.by_username(username.strip().lower())
    if found is None:
        raise NotFound(f"no user called {username!r}")
    return found[0]


def _acting(uow: UnitOfWork, clock: Clock, by: Operator, member: StaffMember) -> Actor:
    """The actor to audit. An admin needs MANAGE_STAFF at every site where `member` holds a role
    (a denial is audited); an account with no role at all is the operator's alone."""
    if not isinstance(by, Principal):
        return by
    sites = sorted(uow.staff.roles(member.id))
    if not sites:
        raise PermissionDenied(f"{by.username} may not manage {member.username}")
    actors = [
        guard(uow, clock, by, Action.MANAGE_STAFF, site, ("user", member.id)) for site in sites
    ]
    return actors[0]
