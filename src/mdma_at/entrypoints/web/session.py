"""Browser sessions and CSRF protection for the pages.

- The session cookie holds a random token (HttpOnly, SameSite=Lax, Secure behind HTTPS); the
  server keeps only its SHA-256, so logout really ends it.
- Every form post carries the session's CSRF token (synchroniser-token pattern); the sign-in form,
  which has no session yet, uses a double-submit cookie.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from mdma_at.domain.errors import AuthenticationFailed, PermissionDenied
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.api.deps import ContainerDep
from mdma_at.entrypoints.permissions import check_route
from mdma_at.services.access.auth import resolve_session
from mdma_at.services.audit import SYSTEM, Actor, security_event

SESSION_COOKIE = "mdma_at_session"
LOGIN_CSRF_COOKIE = "mdma_at_login_csrf"
CSRF_FAILED = "The form's security token is missing or out of date. Reload the page and retry."


@dataclass(frozen=True, slots=True)
class WebSession:
    principal: Principal
    csrf_token: str


def web_session(request: Request, ctx: ContainerDep) -> WebSession:
    return _session(request, ctx, slide=True)


def polled_session(request: Request, ctx: ContainerDep) -> WebSession:
    """The session of a page's own poll (the console's live part, the alert lists): read, never
    written, and not activity that keeps an idle session open (ADR 0204)."""
    return _session(request, ctx, slide=False)


def _session(request: Request, ctx: ContainerDep, *, slide: bool) -> WebSession:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthenticationFailed("Please sign in.")
    principal, credential = resolve_session(
        ctx.uow(), ctx.clock, token, ctx.auth_policy, slide=slide
    )
    assert credential.csrf_token is not None
    session = WebSession(principal, credential.csrf_token)
    request.state.web_session = session  # the error page's navigation and way back
    check_route(request, principal)  # by role, before the form is read (or its CSRF token)
    return session


def checked_session(
    ctx: ContainerDep,
    session: Annotated[WebSession, Depends(web_session)],
    csrf_token: Annotated[str, Form()] = "",
) -> WebSession:
    """The session of a form post whose CSRF token matches; a mismatch is audited and refused."""
    if not hmac.compare_digest(csrf_token.encode(), session.csrf_token.encode()):
        reject_csrf(ctx, Actor(session.principal.user_id, session.principal.username))
    return session


def reject_csrf(ctx: ContainerDep, actor: Actor = SYSTEM) -> None:
    security_event(ctx.uow(), ctx.clock, actor, "csrf_rejected", CSRF_FAILED)
    raise PermissionDenied(CSRF_FAILED)


Session = Annotated[WebSession, Depends(web_session)]
PolledSession = Annotated[WebSession, Depends(polled_session)]
PostedSession = Annotated[WebSession, Depends(checked_session)]


def set_cookie(response: Response, name: str, value: str, secure: bool, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)
