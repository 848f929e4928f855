"""Reaching a stored record: only through its own parent, and only when the caller may see it.

Two rules keep one record from being read or written through another (issue 10):

- A child reached by a nested path (`/patients/13/screenings/3`) must belong to that parent. A
  child of another parent answers exactly like a child that does not exist (NotFound), before any
  authorization, so nothing is stored, not even an access-denied event, and the answer does not
  tell whether record 3 exists elsewhere.
- A patient the caller may not see (no role at the patient's site that grants seeing the chart or
  the action asked for) answers like a patient that does not exist: 404, never 403, so an ID
  cannot be probed for existence. A caller who sees the patient but may not do the action still
  gets 403 (ADR 0100).
"""

from __future__ import annotations

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.errors import NotFound, PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.services.audit import Actor, guard
from mdma_at.services.ports import Clock, UnitOfWork


def require_child_of(
    actual_parent_id: int, expected_parent_id: int | None, what: str, child_id: int
) -> None:
    """Refuse a child whose parent is not the one its path names (None: no parent in the path).

    Raises:
        NotFound: ``no {what} {child_id}``, the same words as for a child that does not exist.
    """
    if expected_parent_id is not None and actual_parent_id != expected_parent_id:
        raise NotFound(f"no {what} {child_id}")


def may_see(principal: Principal, action: Action, site_id: int) -> bool:
    """Whether the principal may know that a record at `site_id` exists: a role there grants
    seeing patients, or the action asked for (a rater enters a CAPS-5 without seeing the chart)."""
    return site_id in sites_for(principal, Action.VIEW_PATIENTS) | sites_for(principal, action)


def guard_visible(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    action: Action,
    site_id: int,
    entity: tuple[str, object],
    missing: str,
) -> Actor:
    """`guard` for a record at `site_id` (the denial is audited), where a caller who may not see
    the record gets `missing`, the NotFound message of a record that does not exist.

    Raises:
        NotFound: the caller may not see records at the site.
        PermissionDenied: the caller sees the record but may not do `action`.
    """
    try:
        return guard(uow, clock, principal, action, site_id, entity)
    except PermissionDenied:
        if may_see(principal, action, site_id):
            raise
        raise NotFound(missing) from None
