"""The controlled-substance register (issue 15): receipt to administration, witnessed waste,
counts and reconciliation.

Rules live in `mdma_at.domain.accountability`; this module authorises, loads the books, lets the
rules decide, stores the entry and audits it in the same transaction. Every write first locks the
sites it touches, so two pharmacists never both spend the same balance. Times are UTC; an entry
may be dated earlier than it is typed (a paper register copied in) but never in the future.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from mdma_at.domain.access import Action, authorize
from mdma_at.domain.accountability import (
    Books,
    Container,
    ContainerPeriod,
    Contents,
    Count,
    Discrepancy,
    Form,
    Kind,
    KitLine,
    Movement,
    SessionTally,
    Unit,
    check_count,
    check_period_close,
    check_resolution,
    period_register,
    stock_lines,
)
from mdma_at.domain.dosing.recording import ensure_not_in_future
from mdma_at.domain.dosing.records import SessionStatus
from mdma_at.domain.errors import AuthenticationFailed, InvalidInput, NotFound, PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.services.access.auth import AuthPolicy, check_second_person
from mdma_at.services.audit import Actor, guard, record
from mdma_at.services.ports import Clock, PasswordHasher, UnitOfWork
from mdma_at.services.register.kept import books_of

# The database's column widths (adapters/db/tables.py): longer text is refused, not truncated.
TEXT_LIMITS = {"kit_number": 64, "lot": 64, "supplier": 200, "strength": 100, "location": 200}
MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: a larger id names no record on either database


# --- reading the books ---


def load_books(uow: UnitOfWork) -> Books:
    """The register as stored, every rule checked again on the way (a stored row that breaks one
    would raise here rather than be shown as a balance); folded once per process and carried on
    over the rows stored since (`services.register.kept`, ADR 0218)."""
    return books_of(uow)


def stock(uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int) -> tuple[KitLine, ...]:
    """The site's kits with their balances; contents, lots and labels concealed for all but the
    site's pharmacist (disclosed at the response, ADR 0165)."""
    with uow:
        guard(uow, clock, principal, Action.VIEW_STOCK, site_id)
        return tuple(stock_lines(load_books(uow), frozenset({site_id})))


def session_tally(
    uow: UnitOfWork, clock: Clock, principal: Principal, session_id: int
) -> tuple[SessionTally, tuple[Movement, ...]]:
    """Where a session's study drug went, and its dispensings that still hold some (for the
    console: the dose buttons take a unit from one of these)."""
    with uow:
        site_id = session_site(uow, session_id)
        guard(uow, clock, principal, Action.VIEW_STOCK, site_id, ("dosing_session", session_id))
        books = load_books(uow)
        return books.session(session_id), tuple(books.open_dispensings(session_id))


@dataclass(frozen=True, slots=True)
class SessionToSupply:
    """An open dosing session at the site, with what it holds of the register's drug."""

    session_id: int
    study_id: str
    session_number: int
    tally: SessionTally


def sessions_to_supply(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int
) -> tuple[SessionToSupply, ...]:
    """The site's open dosing sessions (today's, in practice), oldest first: what the pharmacist
    dispenses to."""
    with uow:
        guard(uow, clock, principal, Action.MANAGE_STOCK, site_id)
        books = load_books(uow)
        return tuple(
            SessionToSupply(
                session.id, patient.study_id, session.session_number, books.session(session.id)
            )
            for patient, session in uow.dosing_sessions.open_at(frozenset({site_id}))
        )


@dataclass(frozen=True, slots=True)
class HeldDispensing:
    """A dispensing that still holds drug: what a waste or return of the remainder names."""

    dispensing_id: int
    container_id: int
    kit_number: str
    held: int
    unit: Unit


@dataclass(frozen=True, slots=True)
class SessionToAccount:
    """A session the pharmacist must account for: open (today's), or discharged with its tally
    not yet reconciled."""

    session_id: int
    study_id: str
    session_number: int
    discharged: bool
    reconciled: bool
    tally: SessionTally
    holding: tuple[HeldDispensing, ...]


def sessions_to_account(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int
) -> tuple[SessionToAccount, ...]:
    """The site's open dosing sessions and its discharged sessions still to reconcile, each with
    its tally and the dispensings that still hold drug (the pharmacist's day, issue 15 item 5)."""
    with uow:
        guard(uow, clock, principal, Action.MANAGE_STOCK, site_id)
        books = load_books(uow)
        found = {session.id: (patient, session) for patient, session in
                 uow.dosing_sessions.open_at(frozenset({site_id}))}  # fmt: skip
        for session_id in sorted(set(books.sessions) - books.closed_sessions - set(found)):
            session = uow.dosing_sessions.get(session_id)
            patient = uow.patients.get(session.patient_id) if session else None
            if session is not None and patient is not None and patient.site_id == site_id:
                found[session_id] = (patient, session)
        rows = []
        for patient, session in found.values():
            holding = tuple(
                HeldDispensing(
                    d.id,
                    d.container_id,
                    books.containers[d.container_id].kit_number,
                    books.custody[d.id],
                    d.unit,
                )
                for d in books.open_dispensings(session.id)
            )
            rows.append(
                SessionToAccount(
                    session.id,
                    patient.study_id,
                    session.session_number,
                    session.status is SessionStatus.CLOSED,
                    session.id in books.closed_sessions,
                    books.session(session.id),
                    holding,
                )
            )
        return tuple(rows)


# --- receipt ---


@dataclass(frozen=True, slots=True)
class Receipt:
    """A container as it arrives, with the quantity on its label."""

    kit_number: str
    supplier: str
    lot: str
    expiry: date
    form: Form
    strength: str
    contents: Contents
    location: str
    quantity: int
    unit: Unit


def receive(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    site_id: int,
    receipt: Receipt,
    at: datetime | None = None,
) -> tuple[Container, Movement]:
    """Book a container into the site's stock (the receiving pharmacist is the principal).

    Raises:
        InvalidInput: a blank or over-long label field, a lot already expired on arrival, a
            duplicate kit number, a quantity or unit the rules refuse.
    """
    with uow:
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, site_id)
        when = _when(at, clock)
        if uow.sites.get(_id(site_id, "site_id")) is None:
            raise NotFound(f"no site {site_id}")
        for name in ("kit_number", "supplier", "lot", "strength", "location"):
            _text(getattr(receipt, name), name)
        if receipt.expiry < when.date():
            raise InvalidInput(
                "expiry", f"{receipt.expiry} is before the receipt date: the lot is expired"
            )
        uow.register.lock_sites([site_id])
        books = load_books(uow)
        container = Container(
            0,
            site_id,
            receipt.kit_number.strip(),
            receipt.supplier.strip(),
            receipt.lot.strip(),
            receipt.expiry,
            receipt.form,
            receipt.strength.strip(),
            receipt.contents,
            receipt.location.strip(),
        )
        entry = Movement(0, Kind.RECEIVE, 0, receipt.quantity, receipt.unit, when, actor_id(actor))
        container, movement = _book_new_container(
            uow, clock, principal, actor, books, container, entry, "stock_received"
        )
        uow.commit()
    return container, movement


def _book_new_container(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    actor: Actor,
    books: Books,
    container: Container,
    entry: Movement,
    action: str,
) -> tuple[Container, Movement]:
    """A container's first entry (a receipt, or the receiving end of a transfer): checked
    against the books, stored with its container, audited as `action`."""
    _check(books, container, entry)
    container = uow.register.add_container(container, principal.user_id, clock.now())
    movement = uow.register.add_movement(replace(entry, container_id=container.id), clock.now())
    record(
        uow,
        clock,
        actor,
        action,
        "register_container",
        container.id,
        after=_container_audit(container) | _movement_audit(movement),
    )
    return container, movement


# --- movements ---


def dispense(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    container_id: int,
    *,
    session_id: int,
    quantity: int,
    unit: Unit,
    at: datetime | None = None,
) -> Movement:
    """Dispense from a container to an open dosing session of a patient at the container's site."""
    with uow:
        container = _container(uow, container_id)
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, container.site_id)
        session = uow.dosing_sessions.get(_id(session_id, "session_id"))
        if session is None or session_site(uow, session_id) != container.site_id:
            raise InvalidInput("session_id", f"no dosing session {session_id} at this site")
        if session.status is SessionStatus.CLOSED:
            raise InvalidInput("session_id", f"session {session_id} is discharged")
        entry = Movement(
            0,
            Kind.DISPENSE,
            container_id,
            quantity,
            unit,
            _when(at, clock),
            actor_id(actor),
            session_id=session_id,
        )
        return _book(uow, clock, actor, entry, "stock_dispensed")


def administer(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    dispensing_id: int,
    *,
    quantity: int,
    unit: Unit,
    at: datetime | None = None,
) -> Movement:
    """Record a dose given, out of the dispensing it was taken from (called by the console)."""
    return take_from_dispensing(
        uow, clock, principal, dispensing_id, Kind.ADMINISTER, quantity, unit, at,
        Action.ADMINISTER_DOSE,
    )  # fmt: skip


def return_unused(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    dispensing_id: int,
    *,
    quantity: int,
    unit: Unit,
    at: datetime | None = None,
) -> Movement:
    """Put back into stock what a session did not use."""
    return take_from_dispensing(
        uow, clock, principal, dispensing_id, Kind.RETURN, quantity, unit, at, Action.MANAGE_STOCK
    )


@dataclass(frozen=True, slots=True)
class Witness:
    """The second person, signing with their own credentials at the point of use."""

    username: str
    password: str
    address: str = "unknown"  # where they signed from (throttled like a sign-in)


def waste(
    uow: UnitOfWork,
    clock: Clock,
    hasher: PasswordHasher,
    principal: Principal,
    container_id: int,
    *,
    quantity: int,
    unit: Unit,
    reason: str,
    witness: Witness,
    dispensing_id: int | None = None,
    at: datetime | None = None,
    policy: AuthPolicy = AuthPolicy(),
) -> Movement:
    """Destroy study drug, witnessed: the remainder of a dispensing, or (no dispensing) from stock.

    The witness is a different person holding a role at the site that may witness, who types
    their own password here; a wrong password is a refusal of the field `witness_password`.
    """
    with uow:
        container = _container(uow, container_id)
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, container.site_id)
        try:
            second = check_second_person(
                uow, clock, hasher, witness.username, witness.password, witness.address, policy
            )
        except AuthenticationFailed as failed:
            raise InvalidInput("witness_password", str(failed)) from failed
        if not may(second, Action.WITNESS_WASTE, container.site_id):
            raise InvalidInput("witness", f"{second.username} may not witness a waste here")
        entry = Movement(
            0,
            Kind.WASTE,
            container_id,
            quantity,
            unit,
            _when(at, clock),
            actor_id(actor),
            dispensing_id=dispensing_id,
            witness_id=second.user_id,
            reason=reason.strip(),
        )
        if dispensing_id is not None:
            entry = replace(entry, session_id=dispensing_entry(uow, dispensing_id).session_id)
        return _book(uow, clock, actor, entry, "stock_wasted", reason=entry.reason)


def transfer_out(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    container_id: int,
    *,
    to_site_id: int,
    quantity: int,
    unit: Unit,
    at: datetime | None = None,
) -> Movement:
    """Send stock to another site; it stays in transit until that site books it in."""
    with uow:
        container = _container(uow, container_id)
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, container.site_id)
        if uow.sites.get(_id(to_site_id, "to_site_id")) is None:
            raise InvalidInput("to_site_id", f"no site {to_site_id}")
        entry = Movement(
            0,
            Kind.TRANSFER_OUT,
            container_id,
            quantity,
            unit,
            _when(at, clock),
            actor_id(actor),
            to_site_id=to_site_id,
        )
        return _book(uow, clock, actor, entry, "stock_sent", lock=[to_site_id])


def transfer_in(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    transfer_id: int,
    *,
    kit_number: str,
    location: str,
    at: datetime | None = None,
) -> tuple[Container, Movement]:
    """Book a transfer in at the receiving site: a new container of the lot sent, linked to it."""
    with uow:
        sent = uow.register.movements()
        out = next((m for m in sent if m.id == transfer_id and m.kind is Kind.TRANSFER_OUT), None)
        if out is None or out.to_site_id is None:
            raise InvalidInput("transfer_id", f"entry {transfer_id} is not a transfer out")
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, out.to_site_id)
        source = _container(uow, out.container_id)
        container = replace(
            source,
            id=0,
            site_id=out.to_site_id,
            kit_number=_text(kit_number, "kit_number"),
            location=_text(location, "location"),
        )
        uow.register.lock_sites([source.site_id, out.to_site_id])
        books = load_books(uow)
        entry = Movement(
            0,
            Kind.TRANSFER_IN,
            0,
            out.quantity,
            out.unit,
            _when(at, clock),
            actor_id(actor),
            linked_id=out.id,
        )
        container, movement = _book_new_container(
            uow, clock, principal, actor, books, container, entry, "stock_received_by_transfer"
        )
        uow.commit()
    return container, movement


def correct(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    movement_id: int,
    *,
    reason: str,
    at: datetime | None = None,
) -> Movement:
    """Reverse a wrong entry with a new one linked to it (the wrong one stays legible)."""
    with uow:
        target = next((m for m in uow.register.movements() if m.id == movement_id), None)
        if target is None:
            raise InvalidInput("movement_id", f"no register entry {movement_id}")
        container = _container(uow, target.container_id)
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, container.site_id)
        entry = Movement(
            0,
            Kind.CORRECTION,
            target.container_id,
            target.quantity,
            target.unit,
            _when(at, clock),
            actor_id(actor),
            linked_id=target.id,
            reason=reason.strip(),
        )
        return _book(uow, clock, actor, entry, "register_corrected", reason=entry.reason)


def reconcile_session(
    uow: UnitOfWork, clock: Clock, principal: Principal, session_id: int
) -> SessionTally:
    """Close a session's tally: refused while anything dispensed is neither administered, returned
    nor wasted. After it, nothing moves in or out of the session."""
    with uow:
        site_id = session_site(uow, session_id)
        actor = guard(
            uow, clock, principal, Action.RECONCILE_SESSION, site_id, ("dosing_session", session_id)
        )
        uow.register.lock_sites([site_id])
        books = load_books(uow)
        tally = books.close_session(session_id).session(session_id)
        uow.register.close_session(session_id, principal.user_id, clock.now())
        record(
            uow,
            clock,
            actor,
            "session_reconciled",
            "dosing_session",
            session_id,
            after={
                "dispensed": tally.dispensed,
                "administered": tally.administered,
                "returned": tally.returned,
                "wasted": tally.wasted,
            },
        )
        uow.commit()
    return tally


# --- counts, discrepancies, periods ---


def count(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    container_id: int,
    *,
    counted: int,
    at: datetime | None = None,
) -> tuple[Count, Discrepancy | None]:
    """Record a physical count; a difference from the books opens a discrepancy."""
    with uow:
        container = _container(uow, container_id)
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, container.site_id)
        when = _when(at, clock)
        uow.register.lock_sites([container.site_id])
        expected = check_count(load_books(uow), container_id, counted, when)
        stored = uow.register.add_count(
            Count(0, container_id, counted, expected, when, principal.user_id), clock.now()
        )
        discrepancy = None
        if stored.difference:
            discrepancy = uow.register.open_discrepancy(stored, clock.now())
        record(
            uow,
            clock,
            actor,
            "stock_counted",
            "register_container",
            container_id,
            after={
                "count_id": stored.id,
                "counted": counted,
                "expected": expected,
                "discrepancy_id": discrepancy.id if discrepancy else None,
            },
        )
        uow.commit()
    return stored, discrepancy


def resolve_discrepancy(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    discrepancy_id: int,
    *,
    reason: str,
    adjust: bool,
) -> Movement | None:
    """Close a discrepancy with a reason; with `adjust`, book the difference as an adjustment
    signed off by the principal (a pharmacist or physician)."""
    with uow:
        found = next((d for d in uow.register.discrepancies() if d.id == discrepancy_id), None)
        if found is None:
            raise NotFound(f"no discrepancy {discrepancy_id}")
        container = _container(uow, found.container_id)
        actor = guard(
            uow,
            clock,
            principal,
            Action.SIGN_OFF_ADJUSTMENT,
            container.site_id,
            ("register_discrepancy", discrepancy_id),
        )
        reason = check_resolution(found, reason)
        adjustment = None
        if adjust:
            uow.register.lock_sites([container.site_id])
            entry = Movement(
                0, Kind.ADJUST, container.id, found.difference, container.unit, clock.now(),
                principal.user_id, signed_off_by=principal.user_id,
                reason=f"count {found.count_id}: {reason}",
            )  # fmt: skip
            load_books(uow).apply(entry)
            adjustment = uow.register.add_movement(entry, clock.now())
        uow.register.resolve(
            discrepancy_id,
            reason,
            principal.user_id,
            clock.now(),
            adjustment.id if adjustment else None,
        )
        record(
            uow,
            clock,
            actor,
            "discrepancy_resolved",
            "register_discrepancy",
            discrepancy_id,
            after={"adjustment": _movement_audit(adjustment) if adjustment else None},
            reason=reason,
        )
        uow.commit()
    return adjustment


def discrepancies(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int, *, open_only: bool = True
) -> tuple[tuple[Discrepancy, str], ...]:
    """The site's discrepancies (open ones by default) with their kit numbers."""
    with uow:
        guard(uow, clock, principal, Action.VIEW_STOCK, site_id)
        kits = {c.id: c for c in uow.register.containers() if c.site_id == site_id}
        return tuple(
            (d, kits[d.container_id].kit_number)
            for d in uow.register.discrepancies()
            if d.container_id in kits and (d.open or not open_only)
        )


def close_period(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int, through: date
) -> None:
    """Close the site's register through `through`, on a full count with nothing left open."""
    with uow:
        actor = guard(uow, clock, principal, Action.MANAGE_STOCK, site_id)
        if through > clock.now().date():
            raise InvalidInput("through", f"{through} is in the future")
        uow.register.lock_sites([site_id])
        books = load_books(uow)
        mine = [
            d
            for d in uow.register.discrepancies()
            if books.containers[d.container_id].site_id == site_id
        ]
        check_period_close(books, site_id, through, uow.register.counts(), mine)
        books.close_period(site_id, through)
        uow.register.close_period(site_id, through, principal.user_id, clock.now())
        record(
            uow, clock, actor, "register_period_closed", "site", site_id, after={"through": through}
        )
        uow.commit()


# --- the register report ---


@dataclass(frozen=True, slots=True)
class RegisterReport:
    site_id: int
    start: date
    end: date
    containers: tuple[ContainerPeriod, ...]
    discrepancies: tuple[Discrepancy, ...]
    people: dict[int, str]  # user id -> "username (full name)", for who did what


def register_report(
    uow: UnitOfWork, clock: Clock, principal: Principal, site_id: int, start: date, end: date
) -> RegisterReport:
    """The site's register over [start, end]: unblinded (lots and contents), so pharmacist only."""
    with uow:
        guard(uow, clock, principal, Action.VIEW_UNBLINDED_STOCK, site_id)
        books = load_books(uow)
        lines = period_register(books, site_id, start, end)
        kits = {line.container.id for line in lines}
        found = tuple(
            d
            for d in uow.register.discrepancies()
            if d.container_id in kits
            and (d.opened_at.date() <= end)
            and (d.open or (d.resolved_at is not None and d.resolved_at.date() >= start))
        )
        ids = {m.recorded_by for line in lines for m, _ in line.movements}
        ids |= {m.witness_id for line in lines for m, _ in line.movements if m.witness_id}
        ids |= {m.signed_off_by for line in lines for m, _ in line.movements if m.signed_off_by}
        ids |= {d.resolved_by for d in found if d.resolved_by}
        people = {}
        for user_id in sorted(ids):
            member = uow.staff.get(user_id)
            people[user_id] = f"{member.username} ({member.full_name})" if member else str(user_id)
    return RegisterReport(site_id, start, end, lines, found, people)


# --- helpers ---


def actor_id(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


def may(principal: Principal, action: Action, site_id: int) -> bool:
    """Whether the principal may do `action` at the site (a question, never audited)."""
    try:
        authorize(principal, action, site_id)
    except PermissionDenied:
        return False
    return True


def _when(at: datetime | None, clock: Clock) -> datetime:
    now = clock.now()
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInput("at", f"{at.isoformat()} has no time zone; give UTC, e.g. ...Z")
    return ensure_not_in_future(at, now, "at")


def _text(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, "required")
    if len(value) > TEXT_LIMITS[field]:
        raise InvalidInput(field, f"at most {TEXT_LIMITS[field]} characters")
    return value


def _id(value: int, field: str) -> int:
    """A record id as typed; outside 1..MAX_ID it names nothing (refused before any query)."""
    if not 1 <= value <= MAX_ID:
        raise InvalidInput(field, f"no record {value}")
    return value


def _container(uow: UnitOfWork, container_id: int) -> Container:
    _id(container_id, "container_id")
    found = load_books(uow).containers.get(container_id)  # kept: no read of every kit
    if found is None:
        raise InvalidInput("container_id", f"no container {container_id}")
    return found


def dispensing_entry(uow: UnitOfWork, dispensing_id: int) -> Movement:
    """The DISPENSE entry a form or a dose names, or InvalidInput naming `dispensing_id`."""
    _id(dispensing_id, "dispensing_id")
    found = load_books(uow).movements.get(dispensing_id)  # kept: no read of the whole ledger
    if found is None or found.kind is not Kind.DISPENSE:
        raise InvalidInput("dispensing_id", f"entry {dispensing_id} is not a dispensing")
    return found


def session_site(uow: UnitOfWork, session_id: int) -> int:
    """The site of a dosing session's patient (NotFound for no such session)."""
    session = uow.dosing_sessions.get(_id(session_id, "session_id"))
    patient = uow.patients.get(session.patient_id) if session else None
    if patient is None:
        raise NotFound(f"no dosing session {session_id}")
    return patient.site_id


def take_from_dispensing(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    dispensing_id: int,
    kind: Kind,
    quantity: int,
    unit: Unit,
    at: datetime | None,
    action: Action,
    *,
    commit: bool = True,
) -> Movement:
    """An administration or return out of a dispensing, booked and audited; committed unless
    `commit` is False (a console dose commits it with its own entry, ADR 0111)."""
    with uow:
        dispensing = dispensing_entry(uow, dispensing_id)
        container = _container(uow, dispensing.container_id)
        actor = guard(uow, clock, principal, action, container.site_id)
        entry = Movement(
            0,
            kind,
            container.id,
            quantity,
            unit,
            _when(at, clock),
            actor_id(actor),
            session_id=dispensing.session_id,
            dispensing_id=dispensing_id,
        )
        event = "dose_administered" if kind is Kind.ADMINISTER else "stock_returned"
        return _book(uow, clock, actor, entry, event, commit=commit)


def _check(books: Books, container: Container, entry: Movement) -> None:
    """Let the rules decide on a new container's first entry (ids are provisional)."""
    provisional = replace(container, id=max(books.containers, default=0) + 1)
    with_container = books.add_container(provisional)
    with_container.apply(
        replace(entry, id=max(books.movements, default=0) + 1, container_id=provisional.id)
    )


def _book(
    uow: UnitOfWork,
    clock: Clock,
    actor: Actor,
    entry: Movement,
    event: str,
    *,
    reason: str | None = None,
    lock: Sequence[int] = (),
    commit: bool = True,
) -> Movement:
    """Check `entry` against the books as they are under the lock, store it, audit it, commit
    (unless the caller's transaction commits it with its own write: a dose and its entry)."""
    container = _container(uow, entry.container_id)
    uow.register.lock_sites([container.site_id, *lock])
    books = load_books(uow)
    books.apply(replace(entry, id=max(books.movements, default=0) + 1))
    movement = uow.register.add_movement(entry, clock.now())
    record(
        uow, clock, actor, event, "register_movement", movement.id,
        after=_movement_audit(movement), reason=reason,
    )  # fmt: skip
    if commit:
        uow.commit()
    return movement


def _container_audit(container: Container) -> dict[str, object]:
    return {
        "kit_number": container.kit_number,
        "supplier": container.supplier,
        "lot": container.lot,
        "expiry": container.expiry,
        "form": container.form.value,
        "strength": container.strength,
        "contents": container.contents.value,
        "location": container.location,
    }


def _movement_audit(movement: Movement) -> dict[str, object]:
    values: dict[str, object] = {
        "kind": movement.kind.value,
        "container_id": movement.container_id,
        "quantity": movement.quantity,
        "unit": movement.unit.value,
        "at": movement.at,
    }
    for name in ("session_id", "dispensing_id", "linked_id", "witness_id", "signed_off_by",
                 "to_site_id"):  # fmt: skip
        if getattr(movement, name) is not None:
            values[name] = getattr(movement, name)
    return values
