"""What a report may show its reader: the one redaction point of the reports (issue 17, item 5).

A blinded reader never receives an arm or a kit's contents (ADR 0161, ADR 0110), and the lot
goes with the contents (a lot is active or placebo; ADR 0110 shows lots to the pharmacist
only). Every report routes such fields through `shown`, which conceals them under the trial
blind's one redaction layer (ADR 0165, 0189)."""

from __future__ import annotations

from collections.abc import Mapping

from mdma_at.domain.access import PERMISSIONS, Action, sites_for
from mdma_at.domain.blinding import Concealed, allocation_blind, disclose, kit_blind
from mdma_at.domain.errors import PermissionDenied
from mdma_at.domain.staff import Principal, Role
from mdma_at.services.audit import Actor, security_event
from mdma_at.services.ports import Clock, UnitOfWork

WITHHELD = "withheld (blinded)"


def shown(
    uow: UnitOfWork,
    principal: Principal,
    patient_id: int,
    site_id: int,
    fields: Mapping[str, object],
) -> dict[str, object]:
    """`fields` as this reader may see them, through the trial blind's one redaction layer
    (`domain.blinding`, ADR 0165): the arm is concealed under the site's allocation blind (the
    statistician), the contents and lot under the kit's blind (the pharmacist, ADR 0110); a
    blinded reader gets None for each, whether or not the patient is in a trial (a placebo kit
    may sit in any site's stock). `uow` and `patient_id` are for a blind decided per patient."""
    del uow, patient_id
    blinds = {
        "arm": allocation_blind([site_id]),
        "contents": kit_blind(site_id),
        "lot": kit_blind(site_id),
    }
    concealed = {k: Concealed(v, blinds[k]) if k in blinds else v for k, v in fields.items()}
    revealed = disclose(concealed, principal)
    return {k: revealed.get(k) for k in fields}


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
