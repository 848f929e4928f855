"""Request dependencies: the container, and the principal behind a bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import AuthenticationFailed
from mdma_at.domain.staff import Principal
from mdma_at.services.auth import resolve_api_token

bearer = HTTPBearer(auto_error=False, description="an API token from `mdma-at user token`")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def api_principal(
    ctx: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Scripts authenticate with `Authorization: Bearer <token>`; anonymous requests get 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("Send an API token: Authorization: Bearer <token>.")
    return resolve_api_token(ctx.uow(), ctx.clock, credentials.credentials)


ApiPrincipal = Annotated[Principal, Depends(api_principal)]
