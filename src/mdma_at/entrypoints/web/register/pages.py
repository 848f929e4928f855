"""The pharmacist's register page (issue 15, item 5): stock, receive, dispense, witnessed waste,
count, discrepancies and the report, on one page per site. Thin: every form calls one service in
`services.register`, then redirects back with what happened (post/redirect/get). Blinded staff
see the stock without contents; the forms are shown to those who may use them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.access import Action, sites_for
from mdma_at.domain.accountability import Contents, Form, Unit
from mdma_at.domain.errors import InvalidInput, NotFound, PermissionDenied
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.forms import FormFields
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.services.access.auth import client_address
from mdma_at.services.register import ledger as reg
from mdma_at.services.register.report_csv import report_csv

router = APIRouter(include_in_schema=False)
PAGE = "/register"


@router.get(PAGE, response_class=HTMLResponse)
def register_page(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    site: int = 0,
    notice: str = "",
    error: str = "",
) -> Response:
    principal = session.principal
    site_ids = sorted(sites_for(principal, Action.VIEW_STOCK))
    if not site_ids:
        raise PermissionDenied(f"{principal.username} may not view the register")
    site_id = site if site in site_ids else site_ids[0]
    with ctx.uow() as uow:
        sites = [s for s in uow.sites.list() if s.id in site_ids]
    lines = reg.stock(ctx.uow(), ctx.clock, principal, site_id)
    pharmacist = site_id in sites_for(principal, Action.MANAGE_STOCK)
    open_items = reg.discrepancies(ctx.uow(), ctx.clock, principal, site_id)
    supplied = (
        reg.sessions_to_supply(ctx.uow(), ctx.clock, principal, site_id) if pharmacist else ()
    )
    accounts = (
        reg.sessions_to_account(ctx.uow(), ctx.clock, principal, site_id) if pharmacist else ()
    )
    today = ctx.clock.now().date()
    return page(
        request,
        "register.html",
        session=session,
        sites=sites,
        site_id=site_id,
        lines=lines,
        discrepancies=open_items,
        sessions=supplied,
        accounts=accounts,
        pharmacist=pharmacist,
        forms=[f.value for f in Form],
        contents=[c.value for c in Contents],
        units=[u.value for u in Unit],
        today=today.isoformat(),
        notice=notice,
        error=error,
    )


@router.post(PAGE + "/receive")
def receive(ctx: ContainerDep, session: PostedSession, fields: FormFields) -> Response:
    site_id = _site(fields)

    def act() -> str:
        receipt = reg.Receipt(
            fields.get("kit_number", ""),
            fields.get("supplier", ""),
            fields.get("lot", ""),
            _day(fields, "expiry"),
            _choice(Form, fields, "form"),
            fields.get("strength", ""),
            _choice(Contents, fields, "contents"),
            fields.get("location", ""),
            _int(fields, "quantity"),
            _choice(Unit, fields, "unit"),
        )
        container, _ = reg.receive(ctx.uow(), ctx.clock, session.principal, site_id, receipt)
        return f"Kit {container.kit_number} received."

    return _do(site_id, act)


@router.post(PAGE + "/dispense")
def dispense(ctx: ContainerDep, session: PostedSession, fields: FormFields) -> Response:
    def act() -> str:
        movement = reg.dispense(
            ctx.uow(),
            ctx.clock,
            session.principal,
            _int(fields, "container"),
            session_id=_int(fields, "session"),
            quantity=_int(fields, "quantity"),
            unit=_choice(Unit, fields, "unit"),
        )
        return f"Dispensing {movement.id} recorded."

    return _do(_site(fields), act)


@router.post(PAGE + "/waste")
def waste(
    request: Request, ctx: ContainerDep, session: PostedSession, fields: FormFields
) -> Response:
    address = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        ctx.settings.trusted_proxies,
    )

    def act() -> str:
        dispensing = fields.get("dispensing", "").strip()
        witness = reg.Witness(
            fields.get("witness_username", ""), fields.get("witness_password", ""), address
        )
        movement = reg.waste(
            ctx.uow(),
            ctx.clock,
            ctx.hasher,
            session.principal,
            _int(fields, "container"),
            quantity=_int(fields, "quantity"),
            unit=_choice(Unit, fields, "unit"),
            reason=fields.get("reason", ""),
            witness=witness,
            dispensing_id=_int(fields, "dispensing") if dispensing else None,
            policy=ctx.auth_policy,
        )
        return f"Waste {movement.id} recorded, witnessed."

    return _do(_site(fields), act)


@router.post(PAGE + "/count")
def count(ctx: ContainerDep, session: PostedSession, fields: FormFields) -> Response:
    def act() -> str:
        stored, discrepancy = reg.count(
            ctx.uow(),
            ctx.clock,
            session.principal,
            _int(fields, "container"),
            counted=_int(fields, "counted"),
        )
        if discrepancy is None:
            return f"Count {stored.id}: agrees with the books ({stored.expected})."
        return (
            f"Count {stored.id}: {stored.counted} found, {stored.expected} booked. "
            f"Discrepancy {discrepancy.id} opened."
        )

    return _do(_site(fields), act)


@router.post(PAGE + "/discrepancies/{discrepancy_id}/resolve")
def resolve(
    ctx: ContainerDep, session: PostedSession, discrepancy_id: int, fields: FormFields
) -> Response:
    def act() -> str:
        adjustment = reg.resolve_discrepancy(
            ctx.uow(),
            ctx.clock,
            session.principal,
            discrepancy_id,
            reason=fields.get("reason", ""),
            adjust=fields.get("adjust") == "yes",
        )
        extra = f" with adjustment {adjustment.id}" if adjustment else ""
        return f"Discrepancy {discrepancy_id} resolved{extra}."

    return _do(_site(fields), act)


@router.post(PAGE + "/sessions/{session_id}/reconcile")
def reconcile(
    ctx: ContainerDep, session: PostedSession, session_id: int, fields: FormFields
) -> Response:
    def act() -> str:
        tally = reg.reconcile_session(ctx.uow(), ctx.clock, session.principal, session_id)
        return (
            f"Session {session_id} reconciled: {tally.dispensed} dispensed = "
            f"{tally.administered} administered + {tally.returned} returned + "
            f"{tally.wasted} wasted."
        )

    return _do(_site(fields), act)


@router.get(PAGE + "/report", response_class=HTMLResponse)
def report_page(
    request: Request, ctx: ContainerDep, session: Session, site: int, start: date, end: date
) -> Response:
    """The register report as a printable page (the same content as the CSV)."""
    found = reg.register_report(ctx.uow(), ctx.clock, session.principal, site, start, end)
    with ctx.uow() as uow:
        named = uow.sites.get(site)
    return page(
        request,
        "register_report.html",
        session=session,
        report=found,
        site=named,
        printed=ctx.clock.now(),
    )


@router.get(PAGE + "/report.csv")
def report(ctx: ContainerDep, session: Session, site: int, start: date, end: date) -> Response:
    found = reg.register_report(ctx.uow(), ctx.clock, session.principal, site, start, end)
    name = f"register-site{site}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        report_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- helpers ---


def _do(site_id: int, act: Callable[[], str]) -> Response:
    """Run the form's use case; a refusal comes back as the error line, naming the field."""
    try:
        notice = act()
    except InvalidInput as refused:
        return _back(site_id, error=f"{refused.field}: {refused.reason}")
    except (NotFound, PermissionDenied) as refused:
        return _back(site_id, error=str(refused))
    return _back(site_id, notice=notice)


def _back(site_id: int, *, notice: str = "", error: str = "") -> Response:
    query = {"site": str(site_id)} | ({"notice": notice} if notice else {"error": error})
    return RedirectResponse(f"{PAGE}?{urlencode(query, quote_via=quote)}", status_code=303)


def _site(fields: dict[str, str]) -> int:
    """The site the form was posted from (0 when missing: the page then shows the first site)."""
    value = fields.get("site", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _int(fields: dict[str, str], name: str) -> int:
    value = fields.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not a whole number") from None


def _day(fields: dict[str, str], name: str) -> date:
    value = fields.get(name, "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


E = TypeVar("E", Form, Contents, Unit)


def _choice(kind: type[E], fields: dict[str, str], name: str) -> E:
    value = fields.get(name, "")
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput(name, f"{value!r} is not one of {allowed}") from None
