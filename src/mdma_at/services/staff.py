"""Sites and staff accounts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.staff import Role, Site, StaffMember, password_problem
from mdma_at.services.audit import Actor, record
from mdma_at.services.ports import Clock, PasswordHasher, UnitOfWork

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
SITE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


def add_site(uow: UnitOfWork, clock: Clock, actor: Actor, code: str, name: str) -> Site:
    if not SITE_CODE.fullmatch(code):
        raise InvalidInput("site", f"{code!r} must be 2–16 capital letters, digits or dashes")
    if not name.strip():
        raise InvalidInput("site_name", "must not be empty")
    with uow:
        if uow.sites.by_code(code):
            raise Conflict(f"site {code} already exists")
        site = uow.sites.add(code, name.strip())
        record(uow, clock, actor, "site_added", "site", site.id, after={"code": code, "name": name})
        uow.commit()
    return site


def add_user(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    password: str,
    grants: Iterable[tuple[str, Role]],
) -> StaffMember:
    """Create a staff account holding `grants` (site code, role). Nothing is stored on bad input."""
    username = username.strip().lower()
    grants = list(grants)
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username", f"{username!r} must be 2–64 of a-z, 0-9, '.', '_', '-'")
    if not full_name.strip():
        raise InvalidInput("full_name", "must not be empty")
    refused = password_problem(password, username, hasher.is_common)
    if refused:
        raise InvalidInput("password", refused)
    if not grants:
        raise InvalidInput("role", "a user needs at least one role at one site")
    with uow:
        if uow.staff.by_username(username):
            raise Conflict(f"user {username} already exists")
        sites = {}
        for code, _ in grants:
            site = uow.sites.by_code(code)
            if site is None:
                raise InvalidInput("site", f"no site with code {code!r}")
            sites[code] = site
        member = uow.staff.add(username, full_name.strip(), hasher.hash(password))
        for code, role in grants:
            uow.staff.grant(member.id, sites[code].id, role)
        granted = sorted(f"{role.value}@{code}" for code, role in grants)
        record(
            uow,
            clock,
            actor,
            "user_added",
            "user",
            member.id,
            after={"username": username, "full_name": full_name, "roles": granted},
        )
        uow.commit()
    return member
