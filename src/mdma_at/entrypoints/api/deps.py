"""Request dependencies: the container, and the principal behind a bearer token."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mdma_at.bootstrap import Container
from mdma_at.domain.errors import AuthenticationFailed, NotFound
from mdma_at.domain.staff import Principal
from mdma_at.entrypoints.api.errors import MAX_RECORD_ID
from mdma_at.entrypoints.permissions import check_route
from mdma_at.services.access.auth import resolve_api_token

_INTEGER = re.compile(r"-?[0-9]+")

bearer = HTTPBearer(auto_error=False, description="an API token from `mdma-at user token`")


# The two dependencies that only look at the request are coroutines: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off (queue, wake-up, GIL) that cost more than their work
# on every request.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def api_principal(
    request: Request,
    ctx: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Scripts authenticate with `Authorization: Bearer <token>`; anonymous requests get 401, and
    a token whose roles the route's action does not admit gets 403 before the body is read."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationFailed("Send an API token: Authorization: Bearer <token>.")
    principal = resolve_api_token(ctx.uow(), ctx.clock, credentials.credentials)
    check_route(request, principal)
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


async def ids_in_range(request: Request) -> None:
    """A record ID in the path outside 1..MAX_RECORD_ID names no record: 404, like any missing
    record, rather than an overflow deep in the database driver (issue 10, item 3)."""
    for name, value in request.path_params.items():
        if not (name.endswith("_id") and _INTEGER.fullmatch(value)):
            continue  # not an ID, or not a number (then FastAPI answers 422)
        # compared as text first: int() refuses numbers of more than 4300 digits
        if len(value) > len(str(MAX_RECORD_ID)) or not 1 <= int(value) <= MAX_RECORD_ID:
            raise NotFound(f"no {name.removesuffix('_id').replace('_', ' ')} {value}")
