"""The admin page of a site's protocol values (ADR 0090): each value a site may set, with the
protocol's value and source, the allowed range and its source, the site's value and a form.

The same use cases as `mdma-at site protocol show | set | reset`; every post carries the CSRF
token and redirects back with what happened, or with the refusal naming the value and the rule
(post/redirect/get; nothing is stored on a refusal).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.errors import InvalidInput, PermissionDenied
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.services.access import site_protocol

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
PAGE = "/admin/protocol"


@router.get(PAGE, response_class=HTMLResponse)
def protocol_page(
    request: Request,
    ctx: ContainerDep,
    session: Session,
    site: str = "",
    notice: str = "",
    error: str = "",
) -> Response:
    sites = site_protocol.administered_sites(ctx.uow(), session.principal)
    if not sites:
        raise PermissionDenied(f"{session.principal.username} administers no site")
    code = site or sites[0].code
    shown = site_protocol.show_site_protocol(ctx.uow(), ctx.clock, session.principal, code)
    return page(
        request,
        "admin_protocol.html",
        session=session,
        sites=sites,
        shown=shown,
        notice=notice,
        error=error,
    )


@router.post(PAGE + "/{code}/{key}")
def change(
    ctx: ContainerDep,
    session: PostedSession,
    code: str,
    key: str,
    action: Text = "set",
    value: Text = "",
    reason: Text = "",
) -> Response:
    try:
        if action == "reset":
            site_protocol.reset_site_value(
                ctx.uow(), ctx.clock, session.principal, code, key, reason
            )
            done = f"{key} is the protocol's value again"
        else:
            changed = site_protocol.set_site_value(
                ctx.uow(), ctx.clock, session.principal, code, key, value, reason
            )
            done = f"{key} is now {changed.value:g}"
    except InvalidInput as refused:
        return _back(code, error=f"{refused.field}: {refused.reason}")
    return _back(code, notice=f"{done} for dosing sessions started from now on.")


def _back(code: str, *, notice: str = "", error: str = "") -> Response:
    query = f"notice={quote(notice)}" if notice else f"error={quote(error)}"
    return RedirectResponse(f"{PAGE}?site={quote(code)}&{query}", status_code=303)
