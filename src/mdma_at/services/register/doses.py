"""The console's doses come out of the register (issue 15, item 5; ADR 0111).

A dose names the dispensing (kit) it is taken from. `take_dose` runs inside the transaction of
`services.sessions.recording.record_entry`: the administration is written with the dose entry and
committed with it, so a dose never exists without its ledger entry, and a refusal of either writes
neither. A session to which nothing was ever dispensed (a site that does not keep its register in
mdma-at, a session recorded before it did) records doses without a kit, as before; once anything
is dispensed to a session, every dose given in it names its kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mdma_at.domain.access import Action
from mdma_at.domain.accountability import Books, Kind, Unit
from mdma_at.domain.blinding import Concealed, kit_blind
from mdma_at.domain.errors import InvalidInput
from mdma_at.domain.staff import Principal
from mdma_at.services.ports import Clock, UnitOfWork
from mdma_at.services.register.ledger import (
    MAX_ID,
    dispensing_entry,
    load_books,
    may,
    session_site,
    take_from_dispensing,
)


@dataclass(frozen=True, slots=True)
class DoseKit:
    """A dispensing of the session that still holds drug: what a dose button may take from.
    The lot is only for the unblinded (ADR 0110, concealed: ADR 0165); everyone sees the kit
    number."""

    dispensing_id: int
    kit_number: str
    held: int
    unit: Unit
    expiry: date
    lot: Concealed[str]


@dataclass(frozen=True, slots=True)
class SessionKits:
    """The kits a session's doses may come from; `required` once anything was dispensed to it."""

    required: bool
    kits: tuple[DoseKit, ...]


@dataclass(frozen=True, slots=True)
class KitChoice:
    """The kit named on a dose request: the dispensing and, optionally, how much of it (in the
    kit's unit; blank: one unit of a capsule or tablet kit, the dose's milligrams of a powder)."""

    dispensing_id: int | None = None
    quantity: int | None = None


def kits_for_session(uow: UnitOfWork, principal: Principal, session_id: int) -> SessionKits:
    """The session's open dispensings, for the console's kit selector (empty for those who may
    not see the stock)."""
    with uow:
        site_id = session_site(uow, session_id)
        if not may(principal, Action.VIEW_STOCK, site_id):
            return SessionKits(False, ())
        books = load_books(uow)
        kits = []
        for dispensing in books.open_dispensings(session_id):
            container = books.containers[dispensing.container_id]
            kits.append(
                DoseKit(
                    dispensing.id,
                    container.kit_number,
                    books.custody[dispensing.id],
                    container.unit,
                    container.expiry,
                    Concealed(container.lot, kit_blind(site_id)),
                )
            )
        return SessionKits(_dispensed_to(books, session_id), tuple(kits))


def read_kit(raw: Mapping[str, Any]) -> KitChoice:
    """The kit fields of a dose request as typed (bad input names the field)."""
    return KitChoice(
        _whole(raw.get("dispensing_id"), "dispensing_id", 1),
        _whole(raw.get("kit_quantity"), "kit_quantity", 1),
    )


def take_dose(
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    session_id: int,
    choice: KitChoice,
    *,
    mg: float,
    at: datetime,
    given: bool,
) -> dict[str, Any] | None:
    """Check the kit a dose request names and, when the dose is `given`, write its
    administration, in the caller's open transaction (never committed here).

    Returns the dose entry's `kit` fields (dispensing, administration, kit number, quantity,
    unit), or None for a session without register drug.

    Raises:
        InvalidInput: no kit named in a session supplied from the register; a dispensing of
            another session, corrected, emptied, or of a kit expired on the day of the dose; a
            quantity that is not a whole number of the kit's unit.
    """
    books = load_books(uow)
    if choice.dispensing_id is None:
        if _dispensed_to(books, session_id):
            raise InvalidInput(
                "dispensing_id",
                "this session's drug is dispensed from the register: name the kit the dose "
                "is taken from",
            )
        if choice.quantity is not None:
            raise InvalidInput("kit_quantity", "a quantity is taken from a kit: name the kit")
        return None
    dispensing = dispensing_entry(uow, choice.dispensing_id)
    if dispensing.session_id != session_id:
        raise InvalidInput(
            "dispensing_id",
            f"dispensing {dispensing.id} went to another session, not to session {session_id}",
        )
    container = books.containers[dispensing.container_id]
    quantity = choice.quantity
    if quantity is None:
        quantity = 1 if container.unit is Unit.DOSAGE_UNIT else _whole_mg(mg)
    movement_id = None
    if given:
        movement = take_from_dispensing(
            uow, clock, principal, dispensing.id, Kind.ADMINISTER, quantity, container.unit, at,
            Action.ADMINISTER_DOSE, commit=False,
        )  # fmt: skip
        movement_id = movement.id
    elif container.expired_on(at.date()):
        # A refused request gives nothing, but an expired kit is still the wrong kit to name.
        raise InvalidInput(
            "dispensing_id", f"kit {container.kit_number} expired on {container.expiry}"
        )
    return {
        "dispensing_id": dispensing.id,
        "movement_id": movement_id,
        "kit_number": container.kit_number,
        "quantity": quantity,
        "unit": container.unit.value,
    }


def _dispensed_to(books: Books, session_id: int) -> bool:
    return any(
        m.kind is Kind.DISPENSE and m.session_id == session_id for m in books.movements.values()
    )


def _whole(value: object, field: str, low: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not low <= int(text) <= MAX_ID:
        raise InvalidInput(field, f"{value!r} is not a whole number of at least {low}")
    return int(text)


def _whole_mg(mg: float) -> int:
    if not float(mg).is_integer():
        raise InvalidInput(
            "kit_quantity", f"{mg:g} mg is not a whole number of mg: give the kit's quantity"
        )
    return int(mg)
