"""The admin page of staff accounts: list, deactivate, reactivate, list and revoke API tokens.

The same use cases as `mdma-at user deactivate | reactivate | tokens | revoke` (services.accounts),
for admins, on the accounts of the sites they administer; every post carries the CSRF token and
redirects back with what happened (post/redirect/get).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mdma_at.domain.errors import Conflict, InvalidInput, NotFound
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.web.rendering import page
from mdma_at.entrypoints.web.session import PostedSession, Session
from mdma_at.services.access import accounts

router = APIRouter(include_in_schema=False)
Reason = Annotated[str, Form()]
PAGE = "/admin/users"


@router.get(PAGE, response_class=HTMLResponse)
def users_page(
    request: Request, ctx: ContainerDep, session: Session, notice: str = "", error: str = ""
) -> Response:
    listed = accounts.list_accounts(ctx.uow(), session.principal)
    return page(
        request,
        "admin_users.html",
        session=session,
        accounts=listed,
        now=ctx.clock.now(),
        notice=notice,
        error=error,
    )


@router.post(PAGE + "/{username}/deactivate")
def deactivate(
    ctx: ContainerDep, session: PostedSession, username: str, reason: Reason = ""
) -> Response:
    try:
        member = accounts.deactivate_user(
            ctx.uow(), ctx.clock, session.principal, username, reason.strip() or None
        )
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(error=_message(refused))
    return _back(notice=f"{member.username} deactivated: signed out, API tokens revoked.")


@router.post(PAGE + "/{username}/reactivate")
def reactivate(
    ctx: ContainerDep, session: PostedSession, username: str, reason: Reason = ""
) -> Response:
    try:
        member = accounts.reactivate_user(
            ctx.uow(), ctx.clock, session.principal, username, reason.strip() or None
        )
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(error=_message(refused))
    return _back(notice=f"{member.username} reactivated.")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(
    ctx: ContainerDep, session: PostedSession, token_id: int, reason: Reason = ""
) -> Response:
    try:
        token = accounts.revoke_api_token(
            ctx.uow(), ctx.clock, session.principal, token_id, reason.strip() or None
        )
    except (InvalidInput, Conflict, NotFound) as refused:
        return _back(error=_message(refused))
    return _back(notice=f"API token {token.id} ({token.name}) revoked.")


def _message(refused: Exception) -> str:
    return refused.reason if isinstance(refused, InvalidInput) else str(refused)


def _back(*, notice: str = "", error: str = "") -> Response:
    query = f"notice={quote(notice)}" if notice else f"error={quote(error)}"
    return RedirectResponse(f"{PAGE}?{query}", status_code=303)
