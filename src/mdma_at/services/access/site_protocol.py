"""A site's own values for its protocol's site defaults: show, set and reset (ADR 0090).

One set of use cases for `mdma-at site protocol show | set | reset` (an operator with a shell on
the server) and for the admin page (an admin of the site). A value is set only inside the range
the protocol declares for it, and only if the protocol as the site would then run it passes the
protocol's own check (a caution limit never beyond its critical one); a reason is required. Every
change is a new row (a reset too) and an audit event with the old and new value, in one
transaction; a refusal stores nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.sources import Source
from mdma_at.domain.staff import Principal, Site
from mdma_at.protocols import DEFAULT_PROTOCOL, Protocol, get_protocol
from mdma_at.protocols.checks import check_protocol
from mdma_at.protocols.settings import SiteSetting, refused_value, source_of, value_of, with_values
from mdma_at.services.audit import Actor, guard, record
from mdma_at.services.ports import Clock, SiteValueChange, UnitOfWork
from mdma_at.services.protocol_settings import apply_site_values, latest_changes, site_values

Operator = Actor | Principal  # the CLI's operator, or a signed-in admin
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One settable value as the admin sees it."""

    setting: SiteSetting
    default: float  # the protocol's value
    source: Source  # the protocol's source for it
    site_value: float | None  # the site's value, if it has set one
    latest: SiteValueChange | None  # the key's latest change (a set or a reset)
    in_force: float  # what the rules use now

    @property
    def refused(self) -> bool:
        """A stored value the protocol no longer allows: the protocol's value applies."""
        return self.site_value is not None and self.in_force != self.site_value


@dataclass(frozen=True, slots=True)
class SiteProtocol:
    site: Site
    protocol: Protocol
    rows: tuple[SettingRow, ...]
    history: tuple[SiteValueChange, ...]  # newest first


def administered_sites(uow: UnitOfWork, principal: Principal) -> list[Site]:
    """The sites whose protocol values `principal` may set, by code."""
    allowed = sites_for(principal, Action.SET_SITE_PROTOCOL)
    with uow:
        return [site for site in uow.sites.list() if site.id in allowed]


def show_site_protocol(
    uow: UnitOfWork, clock: Clock, by: Operator, code: str, protocol: str = DEFAULT_PROTOCOL
) -> SiteProtocol:
    """Every value the site may set: the protocol's, its source and range, the site's."""
    definition = get_protocol(protocol)
    with uow:
        site = _site(uow, code)
        _acting(uow, clock, by, site)
        history = tuple(uow.site_protocol.history(site.id, protocol))
        changes = latest_changes(history)
        effective = apply_site_values(definition, changes)
        values = site_values(changes)
        rows = tuple(
            SettingRow(
                setting,
                value_of(definition, setting),
                source_of(definition, setting),
                values.get(setting.key),
                changes.get(setting.key),
                value_of(effective, setting),
            )
            for setting in definition.site_settings
        )
        return SiteProtocol(site, definition, rows, tuple(reversed(history)))


def set_site_value(
    uow: UnitOfWork,
    clock: Clock,
    by: Operator,
    code: str,
    key: str,
    value: str,
    reason: str,
    protocol: str = DEFAULT_PROTOCOL,
) -> SiteValueChange:
    """The site uses `value` for `key` in sessions started from now on.

    Raises:
        InvalidInput: named by the key: not a settable key, not a number, outside the allowed
            range, contradicting another value; or ``reason`` missing. Nothing is stored.
    """
    definition = get_protocol(protocol)
    setting = _setting(definition, key)
    number = _number(value, key)
    refusal = refused_value(setting, number)
    if refusal is not None:
        raise InvalidInput(key, refusal)
    why = _reason(reason)
    return _change(uow, clock, by, code, definition, setting, number, why)


def reset_site_value(
    uow: UnitOfWork,
    clock: Clock,
    by: Operator,
    code: str,
    key: str,
    reason: str,
    protocol: str = DEFAULT_PROTOCOL,
) -> SiteValueChange:
    """The site goes back to the protocol's value for `key` (sessions started from now on)."""
    definition = get_protocol(protocol)
    setting = _setting(definition, key)
    why = _reason(reason)
    return _change(uow, clock, by, code, definition, setting, None, why)


def _change(
    uow: UnitOfWork,
    clock: Clock,
    by: Operator,
    code: str,
    definition: Protocol,
    setting: SiteSetting,
    value: float | None,
    reason: str,
) -> SiteValueChange:
    key = setting.key
    with uow:
        site = _site(uow, code)
        actor = _acting(uow, clock, by, site)
        current = site_values(latest_changes(uow.site_protocol.history(site.id, definition.name)))
        before = current.get(key)
        if value is None and before is None:
            raise InvalidInput(key, "the site already uses the protocol's value")
        wanted = dict(current)
        if value is None:
            del wanted[key]
        else:
            wanted[key] = value
        candidate = with_values(definition, wanted)
        for problem in check_protocol(candidate):
            reason_text = problem.reason
            if problem.field != key:
                reason_text = f"contradicts {problem.field}: {problem.reason}"
            raise InvalidInput(key, reason_text)
        default = value_of(definition, setting)
        change = uow.site_protocol.add(
            site.id,
            definition.name,
            key,
            value,
            reason,
            actor.user_id,
            actor.username,
            clock.now(),
        )
        record(
            uow,
            clock,
            actor,
            "site_protocol_value_set" if value is not None else "site_protocol_value_reset",
            "site",
            site.id,
            before={
                "protocol": definition.name,
                "key": key,
                "value": default if before is None else before,
                "site_value": before,
            },
            after={
                "protocol": definition.name,
                "key": key,
                "value": default if value is None else value,
                "site_value": value,
            },
            reason=reason,
        )
        uow.commit()
    return change


def _site(uow: UnitOfWork, code: str) -> Site:
    site = uow.sites.by_code(code)
    if site is None:
        raise InvalidInput("site", f"no site with code {code!r}")
    return site


def _acting(uow: UnitOfWork, clock: Clock, by: Operator, site: Site) -> Actor:
    """The CLI's operator as is; an admin of the site (a denial is audited)."""
    if not isinstance(by, Principal):
        return by
    return guard(uow, clock, by, Action.SET_SITE_PROTOCOL, site.id, ("site", site.id))


def _setting(definition: Protocol, key: str) -> SiteSetting:
    for setting in definition.site_settings:
        if setting.key == key:
            return setting
    raise InvalidInput(
        "key",
        f"{key!r} is not a value {definition.name} lets a site set "
        "(`mdma-at site protocol show SITE` lists them)",
    )


def _number(text: str, key: str) -> float:
    try:
        number = float(text.strip())
    except ValueError:
        raise InvalidInput(key, f"{text.strip()!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(key, f"{text.strip()!r} is not a finite number")
    return number


def _reason(reason: str) -> str:
    why = " ".join(reason.split())
    if not why:
        raise InvalidInput("reason", "is required: say why the site sets its own value")
    if len(why) > MAX_REASON:
        raise InvalidInput("reason", f"must be at most {MAX_REASON} characters")
    return why
