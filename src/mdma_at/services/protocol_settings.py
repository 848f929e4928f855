"""The protocol as a site runs it: the one place a rule's values are read from (ADR 0090).

`effective_protocol` is the protocol with the site's own values for its site defaults put in,
each with a source that says who set it, when and why. Every use case that applies a rule reads
the protocol through it, for the site of the patient or session at hand. A dosing session keeps
the values in force when it started (`as_of`), so a change made while it runs never rewrites
what its earlier readings and decisions were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from mdma_at.domain.dosing import DosingRules
from mdma_at.domain.dosing.records import DosingSession
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.patients import Patient
from mdma_at.protocols import Protocol, get_protocol
from mdma_at.protocols.settings import with_values
from mdma_at.services.ports import SiteValueChange, UnitOfWork


def latest_changes(
    history: Iterable[SiteValueChange], as_of: datetime | None = None
) -> dict[str, SiteValueChange]:
    """The latest change of each key (made at or before `as_of`, if given)."""
    latest: dict[str, SiteValueChange] = {}
    for change in history:
        if as_of is None or change.changed_at <= as_of:
            latest[change.key] = change
    return latest


def site_values(changes: Mapping[str, SiteValueChange]) -> dict[str, float]:
    """The keys the site has set, with their values (a reset key is the protocol's again)."""
    return {key: c.value for key, c in changes.items() if c.value is not None}


def note(change: SiteValueChange) -> str:
    """How a site's value is cited: who set it, when, and why."""
    return f"site value set {change.changed_at:%Y-%m-%d} by {change.changed_by}: {change.reason}"


def apply_site_values(protocol: Protocol, changes: Mapping[str, SiteValueChange]) -> Protocol:
    """`protocol` with the site's values put in, one key at a time.

    A stored value the protocol no longer allows (a new protocol version narrowed its range)
    is left out, so the protocol's own value applies; the admin page shows it as refused.
    """
    effective = protocol
    for key, change in sorted(changes.items()):
        if change.value is None:
            continue
        try:
            effective = with_values(effective, {key: change.value}, {key: note(change)})
        except InvalidInput:
            continue
    return effective


def effective_protocol(
    uow: UnitOfWork, site_id: int, name: str, as_of: datetime | None = None
) -> Protocol:
    """The protocol `name` as site `site_id` runs it (as it stood at `as_of`, if given).

    Call inside the caller's unit of work.
    """
    protocol = get_protocol(name)
    return apply_site_values(
        protocol, latest_changes(uow.site_protocol.history(site_id, name), as_of)
    )


def session_rules(uow: UnitOfWork, patient: Patient, session: DosingSession) -> DosingRules:
    """The dosing rules of a session: its site's values as they stood when it started."""
    return effective_protocol(uow, patient.site_id, session.protocol, session.started_at).dosing
