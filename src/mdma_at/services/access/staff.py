"""Sites and staff accounts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mdma_at.domain.errors import Conflict, InvalidInput
from mdma_at.domain.local_time import site_zone
from mdma_at.domain.schedule.booking import Room
from mdma_at.domain.staff import Role, Site, StaffMember, password_problem
from mdma_at.services.audit import Actor, record
from mdma_at.services.ports import Clock, PasswordHasher, UnitOfWork

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
SITE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


ROOM_NAME_MAX = 100  # the column's length


def add_site(
    uow: UnitOfWork, clock: Clock, actor: Actor, code: str, name: str, timezone: str = "UTC"
) -> Site:
    """A new site; `timezone` (IANA name) is how its pages show and read times."""
    if not SITE_CODE.fullmatch(code):
        raise InvalidInput("site", f"{code!r} must be 2–16 capital letters, digits or dashes")
    if not name.strip():
        raise InvalidInput("site_name", "must not be empty")
    site_zone(timezone.strip(), "tz")
    with uow:
        if uow.sites.by_code(code):
            raise Conflict(f"site {code} already exists")
        site = uow.sites.add(code, name.strip(), timezone.strip())
        after = {"code": code, "name": name, "timezone": site.timezone}
        record(uow, clock, actor, "site_added", "site", site.id, after=after)
        uow.commit()
    return site


def add_room(uow: UnitOfWork, clock: Clock, actor: Actor, code: str, name: str) -> Room:
    """A therapy or assessment room of a site, where its visits are booked (ADR 0142)."""
    if not name.strip() or len(name.strip()) > ROOM_NAME_MAX:
        raise InvalidInput("room", f"a room's name is 1–{ROOM_NAME_MAX} characters")
    with uow:
        site = _site_or_refuse(uow, code)
        if any(r.name == name.strip() for r in uow.bookings.rooms(frozenset({site.id}))):
            raise Conflict(f"site {code} already has a room {name.strip()!r}")
        room = uow.bookings.add_room(site.id, name.strip())
        after = {"site": code, "name": room.name}
        record(uow, clock, actor, "room_added", "room", room.id, after=after)
        uow.commit()
    return room


def _site_or_refuse(uow: UnitOfWork, code: str) -> Site:
    site = uow.sites.by_code(code)
    if site is None:
        raise InvalidInput("site", f"no site with code {code!r}")
    return site


def set_site_timezone(
    uow: UnitOfWork, clock: Clock, actor: Actor, code: str, timezone: str
) -> Site:
    """An administrator changes a site's zone; stored times do not move, only how they read."""
    site_zone(timezone.strip(), "tz")
    with uow:
        site = _site_or_refuse(uow, code)
        changed = uow.sites.update(site.id, timezone=timezone.strip())
        record(
            uow,
            clock,
            actor,
            "site_timezone_changed",
            "site",
            site.id,
            before={"timezone": site.timezone},
            after={"timezone": changed.timezone},
        )
        uow.commit()
    return changed


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_REPAGE_MINUTES = 60  # a re-page slower than hourly is no longer a page (site default)


def set_on_call(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    code: str,
    *,
    name: str,
    email: str | None,
    repage_minutes: int | None = None,
) -> Site:
    """Who is paged at the site (name, email) and how often an unacknowledged critical alert
    pages again (minutes, 1–60; default 5)."""
    if not name.strip():
        raise InvalidInput("on_call_name", "must not be empty")
    email = (email or "").strip() or None
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidInput("on_call_email", f"{email!r} is not an email address")
    if repage_minutes is not None and not 1 <= repage_minutes <= MAX_REPAGE_MINUTES:
        raise InvalidInput(
            "repage_minutes", f"{repage_minutes} must be between 1 and {MAX_REPAGE_MINUTES}"
        )
    with uow:
        site = _site_or_refuse(uow, code)
        values: dict[str, object] = {"on_call_name": name.strip(), "on_call_email": email}
        if repage_minutes is not None:
            values["repage_minutes"] = repage_minutes
        changed = uow.sites.update(site.id, **values)
        record(
            uow,
            clock,
            actor,
            "site_on_call_changed",
            "site",
            site.id,
            before={
                "on_call_name": site.on_call_name,
                "on_call_email": site.on_call_email,
                "repage_minutes": site.repage_minutes,
            },
            after={
                "on_call_name": changed.on_call_name,
                "on_call_email": changed.on_call_email,
                "repage_minutes": changed.repage_minutes,
            },
        )
        uow.commit()
    return changed


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
