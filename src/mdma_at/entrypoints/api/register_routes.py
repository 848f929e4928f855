"""The controlled-substance register API (issue 15). Thin: each route calls one service.

Quantities are whole numbers in the container's unit (`unit`: "unit" for capsules and tablets,
"mg" for a powder). Bad input answers 422 naming the field and stores nothing (docs/register.md).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mdma_at.domain.accountability import Contents, Form, KitLine, Movement, Unit
from mdma_at.domain.dosing.session_facts import stamp
from mdma_at.entrypoints.api.deps import ApiPrincipal, ContainerDep
from mdma_at.entrypoints.api.errors import problem_responses
from mdma_at.services.access.auth import client_address
from mdma_at.services.register import ledger as reg
from mdma_at.services.register.report_csv import report_csv

router = APIRouter(prefix="/api/register", tags=["register"], responses=problem_responses())

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class ReceiptIn(BaseModel):
    model_config = _STRICT
    kit_number: str = Field(max_length=64)
    supplier: str = Field(max_length=200)
    lot: str = Field(max_length=64)
    expiry: date
    form: Form
    strength: str = Field(max_length=100)
    contents: Contents
    location: str = Field(max_length=200)
    quantity: int
    unit: Unit
    at: datetime | None = None


class QuantityIn(BaseModel):
    model_config = _STRICT
    quantity: int
    unit: Unit
    at: datetime | None = None


class DispenseIn(QuantityIn):
    session_id: int


class WasteIn(QuantityIn):
    reason: str = Field(max_length=2000)
    witness_username: str = Field(max_length=64)
    witness_password: str = Field(max_length=1024)
    dispensing_id: int | None = None


class TransferOutIn(QuantityIn):
    to_site_id: int


class TransferInIn(BaseModel):
    model_config = _STRICT
    kit_number: str = Field(max_length=64)
    location: str = Field(max_length=200)
    at: datetime | None = None


class ReasonIn(BaseModel):
    model_config = _STRICT
    reason: str = Field(max_length=2000)


class CountIn(BaseModel):
    model_config = _STRICT
    counted: int
    at: datetime | None = None


class ResolutionIn(ReasonIn):
    adjust: bool


class PeriodIn(BaseModel):
    model_config = _STRICT
    through: date


def movement_json(m: Movement) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind.value,
        "container_id": m.container_id,
        "quantity": m.quantity,
        "unit": m.unit.value,
        "at": stamp(m.at),
        "recorded_by": m.recorded_by,
        "session_id": m.session_id,
        "dispensing_id": m.dispensing_id,
        "linked_id": m.linked_id,
        "witness_id": m.witness_id,
        "signed_off_by": m.signed_off_by,
        "to_site_id": m.to_site_id,
        "reason": m.reason,
    }


def kit_json(line: KitLine) -> dict[str, Any]:
    """A kit line; the revealing fields stay concealed here, and the response leaves them out
    (absent, not null) for a blinded reader (ADR 0165)."""
    out: dict[str, Any] = {
        "container_id": line.container_id,
        "kit_number": line.kit_number,
        "form": line.form.value,
        "unit": line.unit.value,
        "expiry": line.expiry.isoformat(),
        "location": line.location,
        "balance": line.balance,
    }
    if line.contents is not None:
        out |= {"contents": line.contents.map(lambda c: c.value), "lot": line.lot,
                "supplier": line.supplier, "strength": line.strength}  # fmt: skip
    return out


@router.get("/sites/{site_id}/stock")
def stock(ctx: ContainerDep, principal: ApiPrincipal, site_id: int) -> list[dict[str, Any]]:
    """The site's kits and balances (contents and lots for the pharmacist only)."""
    return [kit_json(line) for line in reg.stock(ctx.uow(), ctx.clock, principal, site_id)]


@router.post("/sites/{site_id}/receipts", status_code=201)
def receive(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int, body: ReceiptIn
) -> dict[str, Any]:
    values = body.model_dump(exclude={"at"})
    container, movement = reg.receive(
        ctx.uow(), ctx.clock, principal, site_id, reg.Receipt(**values), body.at
    )
    return {"container_id": container.id, "movement": movement_json(movement)}


@router.post("/containers/{container_id}/dispensings", status_code=201)
def dispense(
    ctx: ContainerDep, principal: ApiPrincipal, container_id: int, body: DispenseIn
) -> dict[str, Any]:
    return movement_json(
        reg.dispense(
            ctx.uow(),
            ctx.clock,
            principal,
            container_id,
            session_id=body.session_id,
            quantity=body.quantity,
            unit=body.unit,
            at=body.at,
        )
    )


@router.post("/dispensings/{dispensing_id}/administrations", status_code=201)
def administer(
    ctx: ContainerDep, principal: ApiPrincipal, dispensing_id: int, body: QuantityIn
) -> dict[str, Any]:
    """A dose given out of this dispensing (what the dosing console calls)."""
    return movement_json(
        reg.administer(
            ctx.uow(),
            ctx.clock,
            principal,
            dispensing_id,
            quantity=body.quantity,
            unit=body.unit,
            at=body.at,
        )
    )


@router.post("/dispensings/{dispensing_id}/returns", status_code=201)
def return_unused(
    ctx: ContainerDep, principal: ApiPrincipal, dispensing_id: int, body: QuantityIn
) -> dict[str, Any]:
    return movement_json(
        reg.return_unused(
            ctx.uow(),
            ctx.clock,
            principal,
            dispensing_id,
            quantity=body.quantity,
            unit=body.unit,
            at=body.at,
        )
    )


@router.post("/containers/{container_id}/wastes", status_code=201)
def waste(
    request: Request,
    ctx: ContainerDep,
    principal: ApiPrincipal,
    container_id: int,
    body: WasteIn,
) -> dict[str, Any]:
    """A witnessed waste: the witness's own username and password are in the body."""
    address = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        ctx.settings.trusted_proxies,
    )
    witness = reg.Witness(body.witness_username, body.witness_password, address)
    return movement_json(
        reg.waste(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            principal,
            container_id,
            quantity=body.quantity,
            unit=body.unit,
            reason=body.reason,
            witness=witness,
            dispensing_id=body.dispensing_id,
            at=body.at,
            policy=ctx.auth_policy,
        )
    )


@router.post("/containers/{container_id}/transfers", status_code=201)
def transfer_out(
    ctx: ContainerDep, principal: ApiPrincipal, container_id: int, body: TransferOutIn
) -> dict[str, Any]:
    return movement_json(
        reg.transfer_out(
            ctx.uow(),
            ctx.clock,
            principal,
            container_id,
            to_site_id=body.to_site_id,
            quantity=body.quantity,
            unit=body.unit,
            at=body.at,
        )
    )


@router.post("/transfers/{transfer_id}/receipt", status_code=201)
def transfer_in(
    ctx: ContainerDep, principal: ApiPrincipal, transfer_id: int, body: TransferInIn
) -> dict[str, Any]:
    container, movement = reg.transfer_in(
        ctx.uow(), ctx.clock, principal, transfer_id, kit_number=body.kit_number,
        location=body.location, at=body.at,
    )  # fmt: skip
    return {"container_id": container.id, "movement": movement_json(movement)}


@router.post("/movements/{movement_id}/corrections", status_code=201)
def correct(
    ctx: ContainerDep, principal: ApiPrincipal, movement_id: int, body: ReasonIn
) -> dict[str, Any]:
    return movement_json(
        reg.correct(ctx.uow(), ctx.clock, principal, movement_id, reason=body.reason)
    )


@router.post("/containers/{container_id}/counts", status_code=201)
def count(
    ctx: ContainerDep, principal: ApiPrincipal, container_id: int, body: CountIn
) -> dict[str, Any]:
    stored, discrepancy = reg.count(
        ctx.uow(), ctx.clock, principal, container_id, counted=body.counted, at=body.at
    )
    return {
        "count_id": stored.id,
        "counted": stored.counted,
        "expected": stored.expected,
        "discrepancy_id": discrepancy.id if discrepancy else None,
    }


@router.get("/sites/{site_id}/discrepancies")
def discrepancies(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int, all: bool = False
) -> list[dict[str, Any]]:
    """Open discrepancies (`?all=true`: resolved ones too)."""
    listing = reg.discrepancies(ctx.uow(), ctx.clock, principal, site_id, open_only=not all)
    return [
        {"id": d.id, "kit_number": kit, "count_id": d.count_id, "difference": d.difference,
         "opened_at": stamp(d.opened_at), "open": d.open, "resolution": d.resolution}
        for d, kit in listing
    ]  # fmt: skip


@router.post("/discrepancies/{discrepancy_id}/resolution", status_code=201)
def resolve(
    ctx: ContainerDep, principal: ApiPrincipal, discrepancy_id: int, body: ResolutionIn
) -> dict[str, Any]:
    adjustment = reg.resolve_discrepancy(
        ctx.uow(), ctx.clock, principal, discrepancy_id, reason=body.reason, adjust=body.adjust
    )
    return {"adjustment": movement_json(adjustment) if adjustment else None}


@router.post("/sites/{site_id}/periods", status_code=201)
def close_period(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int, body: PeriodIn
) -> dict[str, str]:
    reg.close_period(ctx.uow(), ctx.clock, principal, site_id, body.through)
    return {"closed_through": body.through.isoformat()}


@router.get("/sessions/{session_id}/tally")
def tally(ctx: ContainerDep, principal: ApiPrincipal, session_id: int) -> dict[str, Any]:
    """Where the session's study drug went, and the dispensings that still hold some."""
    found, held = reg.session_tally(ctx.uow(), ctx.clock, principal, session_id)
    return {
        "dispensed": found.dispensed, "administered": found.administered,
        "returned": found.returned, "wasted": found.wasted, "held": found.held,
        "open_dispensings": [movement_json(m) for m in held],
    }  # fmt: skip


@router.post("/sessions/{session_id}/reconciliation", status_code=201)
def reconcile(ctx: ContainerDep, principal: ApiPrincipal, session_id: int) -> dict[str, int]:
    found = reg.reconcile_session(ctx.uow(), ctx.clock, principal, session_id)
    return {"dispensed": found.dispensed, "administered": found.administered,
            "returned": found.returned, "wasted": found.wasted}  # fmt: skip


@router.get("/sites/{site_id}/report", response_class=Response)
def report(
    ctx: ContainerDep, principal: ApiPrincipal, site_id: int, start: date, end: date
) -> Response:
    """The register over [start, end] as CSV (opening, movements, closing, discrepancies)."""
    found = reg.register_report(ctx.uow(), ctx.clock, principal, site_id, start, end)
    return Response(report_csv(found), media_type="text/csv; charset=utf-8")
