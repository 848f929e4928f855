"""Appending to and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mdma_at.domain.access import Action, authorize, sites_for
from mdma_at.domain.audit import (
    GENESIS_HASH,
    RESTORE_POINT,
    AuditContent,
    AuditEvent,
    ChainVerdict,
    Checkpoint,
    TrailCheck,
    canonical_json,
    utc_stamp,
)
from mdma_at.domain.errors import Conflict, InvalidInput, PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import CheckpointStore, Clock, UnitOfWork


@dataclass(frozen=True, slots=True)
class Actor:
    """Who an audit event is attributed to, with the role and site the action was taken under."""

    user_id: int | None
    username: str
    role: str | None = None
    site_id: int | None = None


SYSTEM = Actor(None, "system")


def operator(os_user: str) -> Actor:
    """Someone with a shell on the server (the CLI): attributed by their operating-system login."""
    return Actor(None, f"cli:{os_user}", "operator")


def record(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object = None,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's unit of work (same transaction)."""
    content = AuditContent(
        occurred_at=utc_stamp(clock.now()),
        actor_id=actor.user_id,
        actor=actor.username,
        role=actor.role,
        site_id=actor.site_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=canonical_json(before),
        after=canonical_json(after),
        reason=reason,
    )
    return uow.audit.append(content)


def guard(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    action: Action,
    site_id: int,
    entity: tuple[str, object] = ("site", None),
) -> Actor:
    """Authorize `action` at `site_id`; a denial is itself audited (and committed) before raising.

    Call it before any write of the use case, so committing the denial commits nothing else.
    """
    try:
        role = authorize(principal, action, site_id)
    except PermissionDenied:
        denied = Actor(principal.user_id, principal.username, None, site_id)
        record(uow, clock, denied, "access_denied", entity[0], entity[1], reason=action.value)
        uow.commit()
        raise
    return Actor(principal.user_id, principal.username, role.value, site_id)


def verify_audit_chain(
    uow: UnitOfWork,
    checkpoints: CheckpointStore | None = None,
    clock: Clock | None = None,
) -> ChainVerdict:
    """Check the whole trail without trusting the database (read-only there; ADR 0105).

    Recomputes every event's hash and link, compares the chain with the signed checkpoints
    (truncation, rewriting, forged appends), the stored head with the chain's end, and every
    append-only row with the digest its event sealed. With a checkpoint store and a clock, a
    trail found intact is checkpointed as a whole, so the next check starts from a signed head.
    """
    check, head = _check_trail(uow, checkpoints)
    verdict = check.verdict()
    if verdict.intact and checkpoints is not None and clock is not None and head is not None:
        _sign_whole_chain(checkpoints, clock, head, "verify")
    return verdict


def _check_trail(
    uow: UnitOfWork,
    checkpoints: CheckpointStore | None,
    extra: Sequence[tuple[int, Checkpoint | None]] = (),
) -> tuple[TrailCheck, tuple[int, str] | None]:
    lines = [*checkpoints.read(), *extra] if checkpoints is not None else None
    check = TrailCheck(lines)
    head: tuple[int, str] | None = None
    with uow:
        for event in uow.audit.events():
            check.event(event)
            head = (event.id, event.hash)
        check.head(uow.audit.head())
        for table in uow.audit.sealed_tables():
            check.rows(table, uow.audit.stored_rows(table))
    return check, head


def _sign_whole_chain(
    checkpoints: CheckpointStore, clock: Clock, head: tuple[int, str], by: str
) -> None:
    end, end_hash = head
    checkpoints.append(Checkpoint(0, GENESIS_HASH, end, end_hash, utc_stamp(clock.now()), by))


def accept_unsigned_events(
    uow: UnitOfWork, checkpoints: CheckpointStore, clock: Clock, actor: Actor, reason: str
) -> list[tuple[int, int]]:
    """Accept events that no checkpoint signed, when that is the trail's only problem.

    A server stopped between committing a write and signing its checkpoint leaves such a range;
    so does a forged append. An operator who has checked the events against the server's own
    log accepts them with a reason: the acceptance is audited (naming the ranges), then the whole
    chain is signed. Anything else wrong with the trail refuses the acceptance.
    """
    if not reason.strip():
        raise InvalidInput("reason", "say how the unsigned events were checked to be genuine")
    check, _ = _check_trail(uow, checkpoints)
    if not check.problems:
        raise Conflict("nothing to accept: the audit trail is intact")
    if len(check.problems) != len(check.unsigned):
        other = next(p for p in check.problems if "covered by no signed checkpoint" not in p)
        raise Conflict(f"only unsigned events can be accepted, and the trail has more: {other}")
    ranges = list(check.unsigned)
    with uow:
        event = record(
            uow,
            clock,
            actor,
            "unsigned_events_accepted",
            "audit_trail",
            after={"ranges": ranges},
            reason=reason.strip(),
        )
        uow.commit()
    _sign_whole_chain(checkpoints, clock, (event.id, event.hash), "accept")
    return ranges


def verify_audit_chain_for(
    uow: UnitOfWork, principal: Principal, checkpoints: CheckpointStore
) -> ChainVerdict:
    """The same check for a signed-in user: admins of any site may run it. Against the signed
    checkpoints like the CLI, but read-only: a GET signs no new checkpoint."""
    if not sites_for(principal, Action.VERIFY_AUDIT):
        raise PermissionDenied(f"{principal.username} may not verify the audit trail")
    return verify_audit_chain(uow, checkpoints)


def security_event(uow: UnitOfWork, clock: Clock, actor: Actor, action: str, reason: str) -> None:
    """Record a refused request (bad CSRF token, ...) on its own transaction."""
    with uow:
        record(uow, clock, actor, action, "request", None, reason=reason)
        uow.commit()


def sign_first_checkpoint(uow: UnitOfWork, checkpoints: CheckpointStore, clock: Clock) -> bool:
    """Trust on first use: when no checkpoint exists yet, sign the chain as found (after the
    upgrade that sealed the rows stored before revision 0005). False when there was nothing to
    sign or checkpoints exist already."""
    if checkpoints.read():
        return False
    with uow:
        head = uow.audit.head()
    if head is None:
        return False
    stamp = utc_stamp(clock.now())
    checkpoints.append(Checkpoint(0, GENESIS_HASH, head[0], head[1], stamp, "upgrade"))
    return True


@dataclass(frozen=True, slots=True)
class RestorePoint:
    """What a restore brought back: the chain's length, and how many events the checkpoint log
    signed after it (writes made after the backup, lost with the restore)."""

    events: int
    lost_events: int


def mark_restore_point(uow: UnitOfWork, checkpoints: CheckpointStore, clock: Clock) -> RestorePoint:
    """Sign a restore point after a database was restored from a backup (ADR 0200).

    The restored trail must agree with every checkpoint up to its own length (else the backup was
    altered, or is another clinic's) and every event in it must have been signed before the
    backup; only then is the point signed, after which `audit verify` checks the restored chain
    and what is written from now on, and no longer reports the lost tail as a truncation.
    """
    with uow:
        head = uow.audit.head()
    end, end_hash = head if head is not None else (0, GENESIS_HASH)
    point = Checkpoint(0, GENESIS_HASH, end, end_hash, utc_stamp(clock.now()), RESTORE_POINT)
    signed = checkpoints.read()
    check, _ = _check_trail(uow, checkpoints, [(len(signed) + 1, point)])
    verdict = check.verdict()
    if not verdict.intact:
        raise Conflict(
            f"the restored audit trail does not match the checkpoint log: {verdict.reason}"
        )
    signed_ends = [c.end for _, c in signed if c is not None]
    checkpoints.append(point)
    return RestorePoint(end, max(0, max(signed_ends, default=0) - end))
