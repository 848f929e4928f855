"""Live alerts everywhere (issue 13, item 4): the nav badge and the alert lists, polled by htmx
every 3 s (ADR 0122), so a critical reading or a safety alert shows on every physician's screen
within 5 s, only at the sites they may see. A poll writes nothing (ADR 0204)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PolledSession
from mdma_at.services.alerts.live import live_alerts

router = APIRouter(include_in_schema=False)


@router.get("/alerts/live", response_class=HTMLResponse)
def alerts_now(request: Request, ctx: ContainerDep, session: PolledSession) -> Response:
    """Every active in-session alert and open safety alert, with their pages."""
    board = live_alerts(ctx.uow(), session.principal)
    return page(
        request,
        "_live_alerts.html",
        session=session,
        board=board,
        paging_configured=bool(ctx.notifiers),
    )


@router.get("/alerts/count", response_class=HTMLResponse)
def alerts_badge(request: Request, ctx: ContainerDep, session: PolledSession) -> Response:
    """The nav bar's count badge."""
    board = live_alerts(ctx.uow(), session.principal)
    return page(request, "_alerts_badge.html", session=session, board=board)
