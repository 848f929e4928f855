"""The ledger: movements of study drug, append-only, and the books folded from them (issue 15).

Every movement is a fact that is never changed; a mistake is put right by a CORRECTION that
reverses the entry it names (like a struck-through line in a paper register, which stays
legible). Balances are never stored: `Books` folds them from the movements, and `Books.apply`
refuses a movement that would break an invariant, naming the field and the rule, before anything
is stored:

- no container balance below zero;
- what is dispensed to a session is held "in custody" until it is administered, returned or
  wasted, so for every closed session dispensed = administered + returned + wasted;
- every administration, return or waste from a session names exactly one dispensing (of the same
  container and session), and never takes more than that dispensing still holds;
- an expired lot cannot be dispensed, nor a dose given from it after its expiry;
- a waste is witnessed by a second, different person;
- nothing is dated on or before the end of a closed period, nor touches a closed session;
- quantities are positive whole numbers in the container's unit (an adjustment is signed, never 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from mdma_at.domain.accountability.stock import Container, Unit
from mdma_at.domain.errors import InvalidInput

MAX_REASON = 2000
# Site default, far above any real container (10 kg of powder in mg, or ten million units), and
# below the database's INTEGER range so a typing slip is refused, not overflowed.
MAX_QUANTITY = 10_000_000


class Kind(StrEnum):
    RECEIVE = "receive"
    DISPENSE = "dispense"  # stock -> a dosing session's custody
    ADMINISTER = "administer"  # custody -> the patient
    RETURN = "return"  # custody -> stock
    WASTE = "waste"  # custody (or stock, when no dispensing is named) -> destroyed, witnessed
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    ADJUST = "adjust"  # after a count: signed, with a reason and a sign-off
    CORRECTION = "correction"  # reverses the entry it links to


FROM_CUSTODY = frozenset({Kind.ADMINISTER, Kind.RETURN, Kind.WASTE})


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger entry. `quantity` is in the container's unit, positive (signed for ADJUST).

    Links: `dispensing_id` (administer, return, waste from a session), `linked_id` (the
    TRANSFER_OUT a TRANSFER_IN receives; the entry a CORRECTION reverses).
    """

    id: int
    kind: Kind
    container_id: int
    quantity: int
    unit: Unit
    at: datetime
    recorded_by: int
    session_id: int | None = None
    dispensing_id: int | None = None
    linked_id: int | None = None
    witness_id: int | None = None
    signed_off_by: int | None = None
    to_site_id: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SessionTally:
    """Where a session's study drug went; `held` must be 0 before the session closes."""

    session_id: int
    dispensed: int = 0
    administered: int = 0
    returned: int = 0
    wasted: int = 0

    @property
    def held(self) -> int:
        return self.dispensed - self.administered - self.returned - self.wasted


@dataclass(frozen=True)
class Books:
    """The state of the register: containers, movements and what follows from them.

    Immutable: `apply` returns new books, so a refused movement leaves nothing half-applied.
    """

    containers: Mapping[int, Container] = field(default_factory=dict)
    movements: Mapping[int, Movement] = field(default_factory=dict)
    balances: Mapping[int, int] = field(default_factory=dict)  # container -> in stock
    custody: Mapping[int, int] = field(default_factory=dict)  # dispensing -> still held
    sessions: Mapping[int, SessionTally] = field(default_factory=dict)
    closed_sessions: frozenset[int] = frozenset()
    corrected: frozenset[int] = frozenset()  # entries reversed by a correction
    received_transfers: frozenset[int] = frozenset()  # TRANSFER_OUT ids received
    closed_through: Mapping[int, date] = field(default_factory=dict)  # site -> closed period end

    # --- building ---

    def add_container(self, container: Container) -> Books:
        """A container enters the books with a zero balance (its RECEIVE or TRANSFER_IN follows)."""
        _check_new_container(container, self.containers, _kits(self.containers))
        return replace(
            self,
            containers={**self.containers, container.id: container},
            balances={**self.balances, container.id: 0},
        )

    def apply(self, movement: Movement) -> Books:
        """The books after `movement`, or InvalidInput naming the field and the broken rule."""
        change = _change(self, movement)
        return replace(
            self,
            movements={**self.movements, movement.id: movement},
            balances={**self.balances, movement.container_id: change.balance},
            custody={**self.custody, **change.custody},
            sessions={**self.sessions, **change.sessions},
            corrected=change.corrected,
            received_transfers=change.received,
        )

    def close_session(self, session_id: int) -> Books:
        """Seal a session's tally: refused while any dispensed quantity is unaccounted for."""
        if session_id in self.closed_sessions:
            raise InvalidInput("session_id", f"session {session_id} is reconciled already")
        tally = self.sessions.get(session_id, SessionTally(session_id))
        if tally.held:
            raise InvalidInput(
                "session_id",
                f"session {session_id} still holds {tally.held} dispensed: administer, return or "
                "waste it first (dispensed = administered + returned + wasted)",
            )
        return replace(self, closed_sessions=self.closed_sessions | {session_id})

    def close_period(self, site_id: int, through: date) -> Books:
        """Close the site's register through `through`: nothing is dated on or before it after."""
        closed = self.closed_through.get(site_id)
        if closed is not None and through <= closed:
            raise InvalidInput("through", f"the register is already closed through {closed}")
        return replace(self, closed_through={**self.closed_through, site_id: through})

    def in_closed_period(self, site_id: int, day: date) -> date | None:
        """The end of the closed period `day` falls in at the site, or None when it is open."""
        closed = self.closed_through.get(site_id)
        return closed if closed is not None and day <= closed else None

    # --- reading ---

    def balance(self, container_id: int) -> int:
        return self.balances[container_id]

    def session(self, session_id: int) -> SessionTally:
        return self.sessions.get(session_id, SessionTally(session_id))

    def open_dispensings(self, session_id: int) -> list[Movement]:
        """Dispensings of a session that still hold something, oldest first."""
        return [
            self.movements[d]
            for d, left in sorted(self.custody.items())
            if left > 0 and self.movements[d].session_id == session_id
        ]


def _kits(containers: Mapping[int, Container]) -> set[tuple[int, str]]:
    return {(c.site_id, c.kit_number) for c in containers.values()}


def _check_new_container(
    container: Container, on_books: Mapping[int, Container], kits: Set[tuple[int, str]]
) -> None:
    """A container enters the books once, and a kit number once per site."""
    if container.id in on_books:
        raise InvalidInput("container", f"container {container.id} is already on the books")
    if (container.site_id, container.kit_number) in kits:
        raise InvalidInput("kit_number", f"kit {container.kit_number} exists at this site")


@dataclass(frozen=True, slots=True)
class _Change:
    """What one movement changes on the books (`Books.apply` and `fold` write it in)."""

    balance: int  # the container's new stock
    custody: dict[int, int]  # dispensing -> still held, for the dispensings it touches
    sessions: dict[int, SessionTally]  # the tallies it changes
    corrected: frozenset[int]
    received: frozenset[int]


def _change(books: Books, movement: Movement) -> _Change:
    """The change `movement` makes to `books`, or InvalidInput naming the field and the rule."""
    _check_shape(books, movement)
    stock, held = _effects(books, movement)
    container = books.containers[movement.container_id]
    balance = books.balances[container.id] + stock
    if balance < 0:
        raise InvalidInput(
            "quantity",
            f"kit {container.kit_number} holds {books.balances[container.id]} {container.unit}; "
            f"this would leave {balance} (a balance never goes below zero)",
        )
    custody: dict[int, int] = {}
    sessions: dict[int, SessionTally] = {}
    for dispensing_id, change in held.items():
        before = custody.get(dispensing_id, books.custody.get(dispensing_id, 0))
        left = before + change
        if left < 0:
            raise InvalidInput(
                "quantity",
                f"dispensing {dispensing_id} still holds {before} "
                f"{container.unit}; {-change} cannot come out of it",
            )
        custody[dispensing_id] = left
        dispensing = books.movements.get(dispensing_id, movement)
        assert dispensing.session_id is not None
        session_id = dispensing.session_id
        sessions[session_id] = _tally(
            sessions.get(session_id, books.sessions.get(session_id, SessionTally(session_id))),
            movement,
            books.movements,
            change,
        )
    corrected = books.corrected
    received = books.received_transfers
    if movement.kind is Kind.CORRECTION:
        assert movement.linked_id is not None
        corrected = corrected | {movement.linked_id}
        target = books.movements[movement.linked_id]
        if target.kind is Kind.TRANSFER_IN and target.linked_id is not None:
            received = received - {target.linked_id}
    if movement.kind is Kind.TRANSFER_IN and movement.linked_id is not None:
        received = received | {movement.linked_id}
    return _Change(balance, custody, sessions, corrected, received)


def fold(containers: Iterable[Container], movements: Iterable[Movement]) -> Books:
    """Books from stored containers and movements (in id order), re-checking every rule.

    The same books as `add_container` and `apply` one by one, built in place: each of those
    copies the books (so a refusal leaves them as they were), which over a whole register would
    cost the square of its length; here a refusal raises and no books are returned at all.
    """
    return fold_more(Books(), containers, movements)


def fold_more(
    books: Books, containers: Iterable[Container], movements: Iterable[Movement]
) -> Books:
    """`books` with more containers and then more movements (in id order) added, every rule
    checked: the books of a register read again after `books` were folded."""
    kits = _kits(books.containers)
    added = dict(books.containers)
    balances = dict(books.balances)
    for container in containers:
        _check_new_container(container, added, kits)
        kits.add((container.site_id, container.kit_number))
        added[container.id] = container
        balances[container.id] = 0
    kept = dict(books.movements)
    custody = dict(books.custody)
    sessions = dict(books.sessions)
    # the books below share these maps, filled in as each movement passes its checks
    books = replace(
        books,
        containers=added,
        movements=kept,
        balances=balances,
        custody=custody,
        sessions=sessions,
    )
    for movement in sorted(movements, key=lambda m: m.id):
        change = _change(books, movement)
        kept[movement.id] = movement
        balances[movement.container_id] = change.balance
        custody.update(change.custody)
        sessions.update(change.sessions)
        if (
            change.corrected is not books.corrected
            or change.received is not books.received_transfers
        ):
            books = replace(books, corrected=change.corrected, received_transfers=change.received)
    return books


def stock_change(books: Books, movement: Movement) -> int:
    """How much an entry already on the books changed its container's stock (signed)."""
    return _effects(books, movement)[0]


def _tally(
    tally: SessionTally, movement: Movement, movements: Mapping[int, Movement], change: int
) -> SessionTally:
    kind = movement.kind
    if kind is Kind.CORRECTION:
        assert movement.linked_id is not None
        kind = movements[movement.linked_id].kind  # a reversal counts against what it reverses
    if kind is Kind.DISPENSE:
        return replace(tally, dispensed=tally.dispensed + change)
    if kind is Kind.ADMINISTER:
        return replace(tally, administered=tally.administered - change)
    if kind is Kind.RETURN:
        return replace(tally, returned=tally.returned - change)
    return replace(tally, wasted=tally.wasted - change)


def _effects(books: Books, movement: Movement) -> tuple[int, dict[int, int]]:
    """(change of the container's stock, change of custody per dispensing)."""
    q = movement.quantity
    match movement.kind:
        case Kind.RECEIVE | Kind.TRANSFER_IN | Kind.ADJUST:
            return q, {}
        case Kind.TRANSFER_OUT:
            return -q, {}
        case Kind.DISPENSE:
            return -q, {movement.id: q}
        case Kind.ADMINISTER:
            assert movement.dispensing_id is not None
            return 0, {movement.dispensing_id: -q}
        case Kind.RETURN:
            assert movement.dispensing_id is not None
            return q, {movement.dispensing_id: -q}
        case Kind.WASTE:
            if movement.dispensing_id is None:
                return -q, {}
            return 0, {movement.dispensing_id: -q}
        case Kind.CORRECTION:
            assert movement.linked_id is not None
            target = books.movements[movement.linked_id]
            stock, held = _effects(books, target)
            return -stock, {d: -change for d, change in held.items()}
    raise AssertionError(movement.kind)  # pragma: no cover


def _check_shape(books: Books, m: Movement) -> None:
    """The rules that need no arithmetic: links, people, dates, units, quantities."""
    if m.id in books.movements:
        raise InvalidInput("id", f"movement {m.id} is already on the books")
    container = books.containers.get(m.container_id)
    if container is None:
        raise InvalidInput("container_id", f"no container {m.container_id} on the books")
    if m.unit is not container.unit:
        raise InvalidInput(
            "unit",
            f"kit {container.kit_number} is {container.form} counted in {container.unit}, "
            f"not {m.unit}",
        )
    if abs(m.quantity) > MAX_QUANTITY:
        raise InvalidInput("quantity", f"at most {MAX_QUANTITY:,} {m.unit}")
    if m.kind is Kind.ADJUST:
        if m.quantity == 0:
            raise InvalidInput("quantity", "an adjustment is never 0 (nothing to adjust)")
    elif m.kind is not Kind.CORRECTION and m.quantity <= 0:
        raise InvalidInput("quantity", f"must be a positive whole number, not {m.quantity}")
    closed = books.in_closed_period(container.site_id, m.at.date())
    if closed is not None:
        raise InvalidInput(
            "at",
            f"{m.at.date()} is in a closed period (the register is closed through {closed}); "
            "date it later or correct it in the open period",
        )
    if m.kind in (Kind.WASTE, Kind.ADJUST, Kind.CORRECTION) and not m.reason.strip():
        raise InvalidInput("reason", f"a {m.kind} needs a reason")
    if len(m.reason) > MAX_REASON:
        raise InvalidInput("reason", f"at most {MAX_REASON} characters")
    match m.kind:
        case Kind.DISPENSE:
            if m.session_id is None:
                raise InvalidInput("session_id", "a dispensing goes to a dosing session")
            if container.expired_on(m.at.date()):
                raise InvalidInput(
                    "container_id",
                    f"lot {container.lot} expired on {container.expiry}; an expired lot is "
                    "never dispensed (waste it with a witness or send it back)",
                )
            _session_open(books, m.session_id)
        case Kind.ADMINISTER | Kind.RETURN:
            _dispensing(books, m, required=True)
            if m.kind is Kind.ADMINISTER and container.expired_on(m.at.date()):
                raise InvalidInput(
                    "dispensing_id",
                    f"kit {container.kit_number} expired on {container.expiry}; an expired unit "
                    "is never given (return or waste it)",
                )
        case Kind.WASTE:
            _dispensing(books, m, required=False)
            if m.witness_id is None:
                raise InvalidInput("witness_id", "a waste is witnessed by a second person")
            if m.witness_id == m.recorded_by:
                raise InvalidInput(
                    "witness_id", "the witness must be a different person from who records it"
                )
        case Kind.TRANSFER_OUT:
            if m.to_site_id is None or m.to_site_id == container.site_id:
                raise InvalidInput("to_site_id", "a transfer goes to another site")
        case Kind.TRANSFER_IN:
            _transfer_received(books, m, container)
        case Kind.ADJUST:
            if m.signed_off_by is None:
                raise InvalidInput(
                    "signed_off_by", "an adjustment is signed off by a pharmacist or physician"
                )
        case Kind.CORRECTION:
            _correctable(books, m)


def _session_open(books: Books, session_id: int) -> None:
    if session_id in books.closed_sessions:
        raise InvalidInput(
            "session_id", f"session {session_id} is closed; its tally no longer changes"
        )


def _dispensing(books: Books, m: Movement, *, required: bool) -> None:
    if m.dispensing_id is None:
        if required:
            raise InvalidInput("dispensing_id", f"a {m.kind} names the dispensing it comes from")
        return
    dispensing = books.movements.get(m.dispensing_id)
    if dispensing is None or dispensing.kind is not Kind.DISPENSE:
        raise InvalidInput("dispensing_id", f"entry {m.dispensing_id} is not a dispensing")
    if dispensing.id in books.corrected:
        raise InvalidInput("dispensing_id", f"dispensing {dispensing.id} was corrected away")
    if dispensing.container_id != m.container_id:
        raise InvalidInput("dispensing_id", f"dispensing {dispensing.id} is of another container")
    if m.at < dispensing.at:
        raise InvalidInput(
            "at", f"{m.at.isoformat()} is before dispensing {dispensing.id} ({dispensing.at})"
        )
    if m.session_id is not None and m.session_id != dispensing.session_id:
        raise InvalidInput(
            "session_id", f"dispensing {dispensing.id} went to session {dispensing.session_id}"
        )
    assert dispensing.session_id is not None
    _session_open(books, dispensing.session_id)


def _transfer_received(books: Books, m: Movement, container: Container) -> None:
    sent = books.movements.get(m.linked_id) if m.linked_id is not None else None
    if sent is None or sent.kind is not Kind.TRANSFER_OUT or sent.id in books.corrected:
        raise InvalidInput("linked_id", "a transfer in names the transfer out it receives")
    if sent.id in books.received_transfers:
        raise InvalidInput("linked_id", f"transfer {sent.id} was received already")
    if sent.to_site_id != container.site_id:
        raise InvalidInput("linked_id", f"transfer {sent.id} was sent to another site")
    source = books.containers[sent.container_id]
    if (source.lot, source.form, source.contents) != (
        container.lot,
        container.form,
        container.contents,
    ):
        raise InvalidInput("container_id", "the receiving container is not of the lot sent")
    if m.quantity != sent.quantity:
        raise InvalidInput(
            "quantity",
            f"{sent.quantity} {sent.unit} were sent; a different quantity received is booked "
            "in full and then counted (the count opens a discrepancy)",
        )


def _correctable(books: Books, m: Movement) -> None:
    target = books.movements.get(m.linked_id) if m.linked_id is not None else None
    if target is None:
        raise InvalidInput("linked_id", "a correction names the entry it corrects")
    if target.kind is Kind.CORRECTION:
        raise InvalidInput("linked_id", "a correction is not corrected; record the entry again")
    if target.id in books.corrected:
        raise InvalidInput("linked_id", f"entry {target.id} is corrected already")
    if target.container_id != m.container_id:
        raise InvalidInput("container_id", f"entry {target.id} is of another container")
    if target.kind is Kind.TRANSFER_OUT and target.id in books.received_transfers:
        raise InvalidInput("linked_id", f"transfer {target.id} was received; correct that first")
    if m.quantity != target.quantity:
        raise InvalidInput("quantity", f"a correction reverses all {target.quantity} of it")
    session = target.session_id
    if target.dispensing_id is not None:
        session = books.movements[target.dispensing_id].session_id
    if session is not None:
        _session_open(books, session)
    linked = [
        other.id
        for other in books.movements.values()
        if other.dispensing_id == target.id and other.id not in books.corrected
    ]
    if linked:
        raise InvalidInput(
            "linked_id",
            f"entries {', '.join(map(str, linked))} come out of dispensing {target.id}; "
            "correct them first",
        )
