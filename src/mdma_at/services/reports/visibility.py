"""What a report may show its reader: the one redaction point of the reports (issue 17, item 5).

A blinded reader never receives an arm or a kit's contents (ADR 0161, ADR 0110), and the lot
goes with the contents (a lot is active or placebo; ADR 0110 shows lots to the pharmacist
only). Every report routes such fields through `shown`, so a clinic-wide blinding layer can
replace this one function (ADR 0189)."""

from __future__ import annotations

from collections.abc import Mapping

from mdma_at.domain.access import PERMISSIONS, Action, sites_for
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.audit import Actor, security_event
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.register.ledger import may

#: Fields that reveal the allocation; a blinded reader gets None for each.
BLINDED_FIELDS = frozenset({"arm", "contents", "lot"})
WITHHELD = "withheld (blinded)"


def unblinded(principal: Principal, site_id: int) -> bool:
    """The roles that may see contents at the site: the pharmacist (stock) and the statistician
    (allocations)."""
    return may(principal, Action.VIEW_UNBLINDED_STOCK, site_id) or may(
        principal, Action.VIEW_ALLOCATION, site_id
    )


def shown(
    uow: UnitOfWork,
    principal: Principal,
    patient_id: int,
    site_id: int,
    fields: Mapping[str, object],
) -> dict[str, object]:
    """`fields` as this reader may see them: allocation-revealing fields are None for a blinded
    reader. As in the register (ADR 0110), that is every reader but the unblinded roles, whether
    or not the patient is in a trial: a placebo kit may sit in any site's stock. `uow` and
    `patient_id` are for a clinic-wide blinding layer that decides per patient (ADR 0189)."""
    del uow, patient_id  # this layer decides by role at the site alone
    if unblinded(principal, site_id):
        return dict(fields)
    return {k: (None if k in BLINDED_FIELDS else v) for k, v in fields.items()}


def report_sites(uow: UnitOfWork, clock: Clock, principal: Principal) -> frozenset[int]:
    """The sites whose records this reader's reports cover.

    Raises:
        PermissionDenied: (audited) when no role of the reader at any site may view reports.
    """
    sites = sites_for(principal, Action.VIEW_REPORTS)
    if not sites:
        actor = Actor(principal.user_id, principal.username)
        security_event(uow, clock, actor, "access_denied", Action.VIEW_REPORTS.value)
        raise PermissionDenied(
            f"{principal.username} may not view reports",
            needs=tuple(r.value for r in Role if r in PERMISSIONS[Action.VIEW_REPORTS]),
        )
    return sites
