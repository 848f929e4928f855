"""`mdma-at register ...`: the controlled-substance register from the shell (docs/register.md).

The register records who did what, so every command acts as a staff member: `--as USERNAME`,
with the password from `MDMA_AT_PASSWORD` or a hidden prompt (checked and throttled like a
sign-in). A witness signs a waste with their own password (`MDMA_AT_WITNESS_PASSWORD` or a
prompt). Bad input: exit 2 and `error: FIELD: reason` on stderr, nothing stored.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.blinding import disclose
from mdma_at.entrypoints.cli.context import password, run_service, signed_in
from mdma_at.entrypoints.cli.output import bad_input, emit_json

if TYPE_CHECKING:
    from mdma_at.bootstrap import Container

register_app = typer.Typer(
    help="The controlled-substance register: stock, movements, counts, the report.",
    no_args_is_help=True,
)

AS = typer.Option(..., "--as", help="your username (password: MDMA_AT_PASSWORD or a prompt)")
SITE = typer.Option(..., "--site", help="site code")
JSON = typer.Option(False, "--json", help="print JSON")


def _site_id(ctx: Container, code: str) -> int:
    with ctx.uow() as uow:
        site = uow.sites.by_code(code)
    if site is None:
        bad_input("site", f"no site {code}")
    return site.id


@register_app.command("stock")
def stock_cmd(user: str = AS, site: str = SITE, as_json: bool = JSON) -> None:
    """The site's kits and balances (contents and lots only for the pharmacist)."""
    from mdma_at.entrypoints.api.register_routes import kit_json
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    lines = run_service(lambda: reg.stock(ctx.uow(), ctx.clock, principal, _site_id(ctx, site)))
    # disclosed for the signed-in person: contents and lots for the site's pharmacist only
    rows: list[dict[str, Any]] = disclose([kit_json(line) for line in lines], principal)
    if as_json:
        emit_json(rows, principal)
        return
    for row in rows:
        extra = f"  {row['contents']} lot {row['lot']}" if "contents" in row else ""
        typer.echo(f"{row['kit_number']:<16} {row['balance']:>6} {row['unit']}{extra}")


@register_app.command("receive")
def receive_cmd(
    user: str = AS,
    site: str = SITE,
    kit: str = typer.Option(..., "--kit"),
    supplier: str = typer.Option(..., "--supplier"),
    lot: str = typer.Option(..., "--lot"),
    expiry: str = typer.Option(..., "--expiry", help="YYYY-MM-DD, last day of use"),
    form: Form = typer.Option(..., "--form"),
    strength: str = typer.Option(..., "--strength", help="as on the label"),
    contents: Contents = typer.Option(..., "--contents"),
    location: str = typer.Option(..., "--location"),
    quantity: int = typer.Option(..., "--quantity"),
    unit: Unit = typer.Option(..., "--unit"),
) -> None:
    """Book a received container into stock."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    receipt = reg.Receipt(
        kit,
        supplier,
        lot,
        _date(expiry, "expiry"),
        form,
        strength,
        contents,
        location,
        quantity,
        unit,
    )
    container_, movement = run_service(
        lambda: reg.receive(ctx.uow(), ctx.clock, principal, _site_id(ctx, site), receipt)
    )
    typer.echo(f"container {container_.id} received (entry {movement.id})")


@register_app.command("dispense")
def dispense_cmd(
    container_id: int,
    user: str = AS,
    session: int = typer.Option(..., "--session", help="dosing session id"),
    quantity: int = typer.Option(..., "--quantity"),
    unit: Unit = typer.Option(..., "--unit"),
) -> None:
    """Dispense from CONTAINER_ID to a dosing session."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    movement = run_service(
        lambda: reg.dispense(
            ctx.uow(),
            ctx.clock,
            principal,
            container_id,
            session_id=session,
            quantity=quantity,
            unit=unit,
        )
    )
    typer.echo(f"dispensing {movement.id} recorded")


@register_app.command("waste")
def waste_cmd(
    container_id: int,
    user: str = AS,
    quantity: int = typer.Option(..., "--quantity"),
    unit: Unit = typer.Option(..., "--unit"),
    reason: str = typer.Option(..., "--reason"),
    witness: str = typer.Option(..., "--witness", help="the witness's username"),
    dispensing: int | None = typer.Option(None, "--dispensing", help="the remainder of it"),
) -> None:
    """Waste from CONTAINER_ID (or the remainder of a dispensing), witnessed."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    second = reg.Witness(witness, password("MDMA_AT_WITNESS_PASSWORD", "Witness password"), "cli")
    movement = run_service(
        lambda: reg.waste(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            principal,
            container_id,
            quantity=quantity,
            unit=unit,
            reason=reason,
            witness=second,
            dispensing_id=dispensing,
            policy=ctx.auth_policy,
        )
    )
    typer.echo(f"waste {movement.id} recorded")


@register_app.command("return")
def return_cmd(
    dispensing_id: int,
    user: str = AS,
    quantity: int = typer.Option(..., "--quantity"),
    unit: Unit = typer.Option(..., "--unit"),
) -> None:
    """Return unused drug of DISPENSING_ID to stock."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    movement = run_service(
        lambda: reg.return_unused(
            ctx.uow(), ctx.clock, principal, dispensing_id, quantity=quantity, unit=unit
        )
    )
    typer.echo(f"return {movement.id} recorded")


@register_app.command("transfer-out")
def transfer_out_cmd(
    container_id: int,
    user: str = AS,
    to_site: str = typer.Option(..., "--to-site", help="the receiving site's code"),
    quantity: int = typer.Option(..., "--quantity"),
    unit: Unit = typer.Option(..., "--unit"),
) -> None:
    """Send stock of CONTAINER_ID to another site."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    movement = run_service(
        lambda: reg.transfer_out(
            ctx.uow(),
            ctx.clock,
            principal,
            container_id,
            to_site_id=_site_id(ctx, to_site),
            quantity=quantity,
            unit=unit,
        )
    )
    typer.echo(f"transfer {movement.id} sent")


@register_app.command("transfer-in")
def transfer_in_cmd(
    transfer_id: int,
    user: str = AS,
    kit: str = typer.Option(..., "--kit", help="the kit number at this site"),
    location: str = typer.Option(..., "--location"),
) -> None:
    """Book transfer TRANSFER_ID in at the receiving site."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    container_, movement = run_service(
        lambda: reg.transfer_in(
            ctx.uow(), ctx.clock, principal, transfer_id, kit_number=kit, location=location
        )
    )
    typer.echo(f"container {container_.id} received by transfer (entry {movement.id})")


@register_app.command("correct")
def correct_cmd(
    movement_id: int, user: str = AS, reason: str = typer.Option(..., "--reason")
) -> None:
    """Reverse register entry MOVEMENT_ID (it stays on the books), with a reason."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    movement = run_service(
        lambda: reg.correct(ctx.uow(), ctx.clock, principal, movement_id, reason=reason)
    )
    typer.echo(f"correction {movement.id} of entry {movement_id} recorded")


@register_app.command("count")
def count_cmd(
    container_id: int, user: str = AS, counted: int = typer.Option(..., "--counted")
) -> None:
    """Record a physical count; a difference opens a discrepancy."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    stored, discrepancy = run_service(
        lambda: reg.count(ctx.uow(), ctx.clock, principal, container_id, counted=counted)
    )
    typer.echo(f"count {stored.id}: {stored.counted} found, {stored.expected} booked")
    if discrepancy is not None:
        typer.echo(f"discrepancy {discrepancy.id} opened ({discrepancy.difference:+d})")


@register_app.command("discrepancies")
def discrepancies_cmd(user: str = AS, site: str = SITE, as_json: bool = JSON) -> None:
    """The site's open discrepancies."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    listing = run_service(
        lambda: reg.discrepancies(ctx.uow(), ctx.clock, principal, _site_id(ctx, site))
    )
    rows = [{"id": d.id, "kit_number": kit, "difference": d.difference} for d, kit in listing]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(f"discrepancy {row['id']}  kit {row['kit_number']}  {row['difference']:+d}")


@register_app.command("resolve")
def resolve_cmd(
    discrepancy_id: int,
    user: str = AS,
    reason: str = typer.Option(..., "--reason"),
    adjust: bool = typer.Option(False, "--adjust", help="book the difference, signed off"),
) -> None:
    """Resolve a discrepancy with a reason (and, with --adjust, an adjustment you sign off)."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    adjustment = run_service(
        lambda: reg.resolve_discrepancy(
            ctx.uow(), ctx.clock, principal, discrepancy_id, reason=reason, adjust=adjust
        )
    )
    typer.echo(f"discrepancy {discrepancy_id} resolved" + (
        f" (adjustment {adjustment.id})" if adjustment else ""))  # fmt: skip


@register_app.command("reconcile")
def reconcile_cmd(session_id: int, user: str = AS) -> None:
    """Close a dosing session's tally (dispensed = administered + returned + wasted)."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    tally = run_service(lambda: reg.reconcile_session(ctx.uow(), ctx.clock, principal, session_id))
    typer.echo(
        f"session {session_id}: {tally.dispensed} dispensed = {tally.administered} administered"
        f" + {tally.returned} returned + {tally.wasted} wasted"
    )


@register_app.command("close-period")
def close_period_cmd(
    user: str = AS, site: str = SITE, through: str = typer.Option(..., "--through")
) -> None:
    """Close the site's register through a day, on a full count with nothing open."""
    from mdma_at.services.register import ledger as reg

    ctx, principal = signed_in(user)
    day = _date(through, "through")
    run_service(lambda: reg.close_period(ctx.uow(), ctx.clock, principal, _site_id(ctx, site), day))
    typer.echo(f"register closed through {day}")


@register_app.command("report")
def report_cmd(
    user: str = AS,
    site: str = SITE,
    start: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    end: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    output: Path | None = typer.Option(None, "--csv", help="write the CSV here (default stdout)"),
) -> None:
    """The register over a period as CSV: opening, movements, closing, discrepancies, who."""
    from mdma_at.services.register import ledger as reg
    from mdma_at.services.register.report_csv import report_csv

    ctx, principal = signed_in(user)
    first, last = _date(start, "from"), _date(end, "to")
    found = run_service(
        lambda: reg.register_report(
            ctx.uow(), ctx.clock, principal, _site_id(ctx, site), first, last
        )
    )
    text = report_csv(found)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        bad_input(field, f"{value!r} is not a date (YYYY-MM-DD)")


def register(app: typer.Typer) -> None:
    """Add the `register` command group to the root command."""
    app.add_typer(register_app, name="register")
