"""The one table from errors to HTTP, and RFC 9457 problem details for the API.

Pages get the same statuses with an HTML page, except that an authentication failure on a page
redirects to the sign-in form with the reason.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from mdma_at.domain.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    InvalidInputs,
    MdmaAtError,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from mdma_at.entrypoints.api.headers import security_headers
from mdma_at.entrypoints.api.redaction import redact_link_tokens

PROBLEM_BASE = "https://mdma-at.org/problems/"
#: The largest record ID either database stores (PostgreSQL INTEGER; SQLite's is 2**63 - 1): an
#: ID above it cannot name a record, on either database, so it is "not found" alike on both.
MAX_RECORD_ID = 2**31 - 1

log = logging.getLogger("mdma_at.errors")

# error class -> (HTTP status, problem slug, title). Order matters: subclasses first.
ERROR_TABLE: tuple[tuple[type[MdmaAtError], int, str, str], ...] = (
    (RateLimited, 429, "rate-limited", "Too many attempts"),
    (AuthenticationFailed, 401, "unauthenticated", "Authentication required"),
    (PermissionDenied, 403, "forbidden", "Not permitted"),
    (NotFound, 404, "not-found", "Not found"),
    (Conflict, 409, "conflict", "Conflict with stored data"),
    (InvalidInput, 422, "invalid-input", "Invalid input"),
)


#: RFC 9457 problem details as every API error answers them (the OpenAPI document's schema).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri", "examples": [PROBLEM_BASE + "not-found"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string", "description": "the offending input (400, 413, 422)"},
        "errors": {
            "type": "array",
            "description": "every field refused at once (422)",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

_WHEN = {
    400: "The JSON body is nested too deep",
    401: "No valid API token (`Authorization: Bearer <token>`)",
    403: "The token's roles at the patient's site do not allow this",
    404: "No such record, or none the caller may see (the same answer)",
    409: "The request collides with what is stored",
    413: "The request body is over the size limit",
    422: "Invalid input: `field` names it; nothing was stored",
    500: "A server error (no internals are shown)",
}


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """The `responses` of every API route: each error status as problem+json."""
    return {
        status: {
            "description": description,
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for status, description in _WHEN.items()
    }


def classify(error: MdmaAtError) -> tuple[int, str, str]:
    for kind, status, slug, title in ERROR_TABLE:
        if isinstance(error, kind):
            return status, slug, title
    return 500, "internal", "Internal error"


def problem(
    status: int, slug: str, title: str, detail: str, request: Request, **extra: Any
) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="mdma-at"'} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def install(app: FastAPI, render_error_page: Any) -> None:
    """Register the handlers; `render_error_page(request, status, title, detail, needs=())`
    draws pages (`needs`: the roles a 403 would have needed)."""

    @app.exception_handler(MdmaAtError)
    async def _domain(request: Request, error: MdmaAtError) -> Response:
        status, slug, title = classify(error)
        detail = str(error)
        if is_api(request):
            extra: dict[str, Any] = (
                {"field": error.field} if isinstance(error, InvalidInput) else {}
            )
            if isinstance(error, InvalidInputs):  # several fields at once (issue 13, item 6)
                extra["errors"] = [{"field": f, "message": r} for f, r in error.problems]
            return problem(status, slug, title, detail, request, **extra)
        if isinstance(error, AuthenticationFailed) and not isinstance(error, RateLimited):
            target = f"/login?next={quote(request.url.path)}&message={quote(detail)}"
            return RedirectResponse(target, status_code=303)
        needs = error.needs if isinstance(error, PermissionDenied) else ()
        return render_error_page(request, status, title, detail, needs)  # type: ignore[no-any-return]

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "?", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
        if is_api(request):
            return problem(
                422,
                "invalid-input",
                "Invalid input",
                detail,
                request,
                field=first["field"],
                errors=errors,
            )
        return render_error_page(request, 422, "Invalid input", detail)  # type: ignore[no-any-return]

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        """A bug: answered without internals (the server logs the traceback: Starlette re-raises
        the error after this response)."""
        path = redact_link_tokens(request.url.path)  # a self-report token never reaches the log
        log.error("unhandled %s on %s %s", type(error).__name__, request.method, path)
        title, detail = "Internal error", "The server could not complete the request."
        if is_api(request):
            response: Response = problem(500, "internal", title, detail, request)
        else:
            response = render_error_page(request, 500, title, detail)
        # this answer is sent by Starlette's outermost middleware, past SecurityHeaders
        https = request.app.state.container.settings.secure_cookies
        response.headers.update(security_headers(https=https, static=False))
        return response

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, "Error")
        if is_api(request):
            return problem(error.status_code, "http", title, str(error.detail), request)
        return render_error_page(request, error.status_code, title, str(error.detail))  # type: ignore[no-any-return]
