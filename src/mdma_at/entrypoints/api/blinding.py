"""Every route's answer goes through `domain.blinding.disclose` (issue 16, item 3; ADR 0165).

`disclose_every_response` wraps the endpoint of every route the app answers, API and pages alike,
once the routers are included: whatever a route returns (a dict built from read models, a list, a
dataclass) is disclosed for the caller before FastAPI encodes it, so a route added tomorrow is
covered without a line of its own. The caller is the principal the route's dependencies resolved
(`ApiPrincipal`, or a page's `WebSession`); a route with neither (the public ones) has no viewer,
which is blinded. Pages render through `rendering.page`, which discloses the template's context
the same way; a response object passes through unchanged.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

from mdma_at.domain.blinding import disclose
from mdma_at.domain.staff import Principal

#: marks an endpoint already wrapped, so binding twice (tests build several apps) wraps once
_WRAPPED = "__discloses__"


def viewer_of(arguments: dict[str, Any]) -> Principal | None:
    """The signed-in principal among a route's resolved arguments (None: nobody signed in)."""
    for value in arguments.values():
        if isinstance(value, Principal):
            return value
        principal = getattr(value, "principal", None)
        if isinstance(principal, Principal):
            return principal
    return None


def _disclosing(call: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(call):

        @functools.wraps(call)
        async def answer_async(**arguments: Any) -> Any:
            return disclose(await call(**arguments), viewer_of(arguments))

        setattr(answer_async, _WRAPPED, True)
        return answer_async

    @functools.wraps(call)
    def answer(**arguments: Any) -> Any:
        return disclose(call(**arguments), viewer_of(arguments))

    setattr(answer, _WRAPPED, True)
    return answer


def disclose_every_response(app: FastAPI) -> None:
    """Route every endpoint's return value through `disclose` for its caller.

    FastAPI calls `dependant.call` of the route as the app answers it (an included router's
    route has its own dependant per inclusion), so that is where the wrapper goes; a route with
    no dependant (static files) returns no read model.
    """
    for route in routing.iter_route_contexts(app.routes):
        dependant: Dependant | None = getattr(route, "dependant", None)
        if dependant is None or dependant.call is None or getattr(dependant.call, _WRAPPED, False):
            continue
        dependant.call = _disclosing(dependant.call)
